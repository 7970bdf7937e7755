#!/usr/bin/env bash
# Side-by-side timing of touchtone and spandsp's DTMF receiver on the same file.
# Not part of CI (needs root for apt-get and takes a minute).
#
#   scripts/compare-spandsp.sh [ROUNDS] [REPEATS]
#
# 1. installs libspandsp-dev (apt-get) if its header is missing,
# 2. builds scripts/spandsp_bench.c against it,
# 3. generates the test file with `cargo run --release --example generate`:
#    "0123456789*#ABCD" x 4, 70 ms tones / 70 ms pauses, -10 dBm0, 8 kHz 16-bit mono (9 s),
# 4. runs spandsp_bench and `decode --bench` alternately ROUNDS times (default 7), each
#    decoding the whole file REPEATS times (default 200) in 160-sample frames,
# 5. prints every run, both medians (ns/sample and M samples/s) and the speed ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-7}
REPEATS=${2:-200}
WORK=${TMPDIR:-/tmp}/touchtone-compare
mkdir -p "$WORK"

if [ ! -e /usr/include/spandsp/dtmf.h ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y libspandsp-dev
fi
gcc -O2 -o "$WORK/spandsp_bench" scripts/spandsp_bench.c -lspandsp

cargo build --release --example generate --example decode
KEYS="0123456789*#ABCD0123456789*#ABCD0123456789*#ABCD0123456789*#ABCD"
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
GEN="$target_dir/release/examples/generate"
DEC="$target_dir/release/examples/decode"
"$GEN" "$KEYS" "$WORK/keys8k.wav"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
echo "file: $WORK/keys8k.wav ($KEYS), $REPEATS passes per run, 160-sample frames"
ours=()
theirs=()
for r in $(seq "$ROUNDS"); do
    s=$("$WORK/spandsp_bench" "$WORK/keys8k.wav" "$REPEATS")
    t=$("$DEC" --bench "$REPEATS" "$WORK/keys8k.wav")
    echo "round $r  spandsp:   $s"
    echo "round $r  touchtone: $t"
    theirs+=("$(sed -n 's/.*ns_per_sample=\([0-9.]*\).*/\1/p' <<<"$s")")
    ours+=("$(sed -n 's/.*ns_per_sample=\([0-9.]*\).*/\1/p' <<<"$t")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_ours=$(median "${ours[@]}")
m_theirs=$(median "${theirs[@]}")
awk -v o="$m_ours" -v t="$m_theirs" 'BEGIN {
    printf "median spandsp:   %.3f ns/sample (%.0f M samples/s)\n", t, 1000 / t
    printf "median touchtone: %.3f ns/sample (%.0f M samples/s)\n", o, 1000 / o
    printf "touchtone is %.2fx faster than spandsp\n", t / o
}'
