#!/usr/bin/env bash
# Build libtouchtone_ffi, compile ffi/example/decode.c with `cc` against the committed
# header (once with the static library, once with the shared one), generate recordings
# with the library's own generator and check that the example decodes the right keys.
# Exits non-zero on any mismatch.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cargo build --release -p touchtone-ffi
lib="${CARGO_TARGET_DIR:-$root/target}/release"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

flags=(-std=c99 -Wall -Wextra -Werror -pedantic -I ffi/include)
# The static library needs the system libraries Rust's std uses.
cc "${flags[@]}" ffi/example/decode.c "$lib/libtouchtone_ffi.a" -lpthread -ldl -lm \
    -o "$out/decode-static"
cc "${flags[@]}" ffi/example/decode.c -L"$lib" -ltouchtone_ffi -Wl,-rpath,"$lib" \
    -o "$out/decode-shared"

keys='0123456789*#ABCD'
for rate in 8000 16000 44100 48000; do
    "$out/decode-static" --generate "$keys" "$rate" "$out/keys-$rate.s16"
    "$out/decode-static" "$out/keys-$rate.s16" "$rate" "$keys"
    "$out/decode-shared" "$out/keys-$rate.s16" "$rate" "$keys" > /dev/null
done

# A wrong expectation must fail (exit 1), or the check above proves nothing.
if "$out/decode-static" "$out/keys-8000.s16" 8000 "0123" > /dev/null; then
    echo "error: the example accepted wrong keys" >&2
    exit 1
fi
echo "ffi example: all keys decoded from C (static and shared library)"
