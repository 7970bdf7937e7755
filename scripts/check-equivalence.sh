#!/usr/bin/env bash
# Behaviour check between two builds of the decoder: `decode --json` must print the same
# keys, edges and levels, byte for byte, on testdata/ and on a generated corpus.
#
#   scripts/check-equivalence.sh OLD NEW
#
# OLD and NEW are each either a directory holding release builds of the `decode` and
# `generate` examples (e.g. target/release/examples) or a git revision of this repository,
# which is then built in a temporary directory outside it (with the `gather` example where
# the revision has one).
# When both have a `gather` example, its output on every recording is compared too.
#
# The corpus is made with OLD's `generate` and with sox: 16-bit keys at 8, 16, 44.1 and
# 48 kHz at several levels, twists and timings, clean, over white noise, over the speech
# and music of testdata/, as μ-law and A-law WAV, headerless μ-law/A-law/s16le/f32le and
# 32-bit float WAV (more than 2 000 keys); one channel of a stereo file; and broken
# inputs (empty, truncated, not RIFF, a directory), whose errors must match too. Needs
# sox. Exit status 0 when every output is identical, 1 otherwise.
#
# EQUIV_KEEP=1 keeps the work directory (its path is printed).
set -euo pipefail

if [ $# -ne 2 ]; then
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v sox >/dev/null || { echo "error: sox is needed (apt-get install sox)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/touchtone-equiv.XXXXXX")
if [ "${EQUIV_KEEP:-0}" = 1 ]; then
    echo "work directory: $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# A directory with `decode` and `generate`, or a revision built outside the repository.
bins() {
    local arg=$1 name=$2
    if [ -d "$arg" ]; then
        [ -x "$arg/decode" ] && [ -x "$arg/generate" ] ||
            { echo "error: $arg has no decode and generate executables" >&2; exit 2; }
        (cd "$arg" && pwd)
        return
    fi
    local src="$work/src-$name"
    mkdir -p "$src"
    git -C "$repo" archive "$arg" | tar -x -C "$src"
    echo "building $arg in $src ..." >&2
    local extra=()
    [ -f "$src/examples/gather.rs" ] && extra=(--example gather)
    (cd "$src" && CARGO_TARGET_DIR="$src/target" cargo build --quiet --release \
        --example decode --example generate "${extra[@]}") >&2
    echo "$src/target/release/examples"
}
old=$(bins "$1" old)
new=$(bins "$2" new)

corpus="$work/corpus"
mkdir -p "$corpus"
keys="0123456789*#ABCD0123456789*#ABCD0123456789*#ABCD0123456789*#ABCD" # 64 keys
expected=0

# gen NAME RATE GENERATE-OPTIONS...: 64 keys as 16-bit WAV.
gen() {
    local name=$1 rate=$2
    shift 2
    "$old/generate" --rate "$rate" "$@" "$keys" "$corpus/$name.wav" >/dev/null
    expected=$((expected + 64))
}

# bed SRC RATE SECONDS VOLUME OUT: a background from SRC (a testdata recording, or
# `noise`) at RATE, looped to SECONDS.
bed() {
    local src=$1 rate=$2 secs=$3 vol=$4 out=$5
    if [ "$src" = noise ]; then
        sox -V1 -R -n -r "$rate" -b 16 -c 1 "$out" synth "$secs" whitenoise vol "$vol"
    else
        sox -V1 -R "$repo/testdata/$src" -r "$rate" -b 16 -c 1 "$out" repeat 40 trim 0 "$secs" vol "$vol"
    fi
}

# over NAME BEDSRC VOLUME: NAME mixed with a background, as NAME-BEDSRC.wav.
over() {
    local name=$1 src=$2 vol=$3
    local in="$corpus/$name.wav"
    local rate secs
    rate=$(soxi -r "$in")
    secs=$(soxi -D "$in")
    bed "$src" "$rate" "$secs" "$vol" "$work/bed.wav"
    sox -V1 -R -m -v 1 "$in" -v 1 "$work/bed.wav" -b 16 "$corpus/$name-${src%%[-.]*}.wav"
    expected=$((expected + 64))
}

for rate in 8000 16000 44100 48000; do
    gen "r$rate-a" "$rate"
    gen "r$rate-b" "$rate" --level -30 --twist 6 --tone-ms 45 --pause-ms 45
    gen "r$rate-c" "$rate" --level -3 --twist -4 --tone-ms 40 --pause-ms 42
    gen "r$rate-d" "$rate" --level -20 --twist 2 --tone-ms 100 --pause-ms 60
    over "r$rate-a" noise 0.02
    over "r$rate-d" noise 0.05
    over "r$rate-a" speech-8k.wav 0.25
    over "r$rate-b" music-8k.wav 0.1
    over "r$rate-d" speech-8k.wav 0.5
    # G.711 and float encodings of the clean and noisy files.
    for base in "r$rate-a" "r$rate-c-" "r$rate-d-noise"; do
        base=${base%-}
        in="$corpus/$base.wav"
        sox -V1 -R "$in" -e u-law -b 8 "$corpus/$base-ulaw.wav"
        sox -V1 -R "$in" -e a-law -b 8 "$corpus/$base-alaw.wav"
        sox -V1 -R "$in" -e floating-point -b 32 "$corpus/$base-f32.wav"
        expected=$((expected + 3 * 64))
    done
    sox -V1 -R "$corpus/r$rate-b-music.wav" -t raw -e u-law -b 8 "$corpus/r$rate-b-music.raw-ulaw"
    sox -V1 -R "$corpus/r$rate-d-speech.wav" -t raw -e a-law -b 8 "$corpus/r$rate-d-speech.raw-alaw"
    sox -V1 -R "$corpus/r$rate-c.wav" -t raw -e signed -b 16 "$corpus/r$rate-c.raw-s16le"
    sox -V1 -R "$corpus/r$rate-a-noise.wav" -t raw -e floating-point -b 32 "$corpus/r$rate-a-noise.raw-f32le"
    expected=$((expected + 4 * 64))
done

# One channel of a multi-channel file, and inputs that are broken (the errors and warnings
# must be the same too).
cp "$repo/testdata/keys-stereo.wav" "$corpus/stereo.ch1.wav"
: >"$corpus/bad-empty.wav"
head -c 30 "$corpus/r8000-a.wav" >"$corpus/bad-header.wav"
head -c 20000 "$corpus/r16000-a.wav" >"$corpus/bad-truncated.wav"
printf 'RIFX\0\0\0\0WAVEfmt ' >"$corpus/bad-notriff.wav"
mkdir -p "$corpus/bad-directory.wav"

# decode BIN FILE: the JSON lines (or the error) for FILE.
decode() {
    local bin=$1 f=$2
    case "$f" in
    *.raw-*)
        local fmt=${f##*.raw-} rate
        rate=$(basename "$f" | sed 's/^r\([0-9]*\)-.*/\1/')
        "$bin/decode" --json --raw "$fmt" --rate "$rate" "$f" 2>&1 || true
        ;;
    *.ch1.wav) "$bin/decode" --json --channel 1 "$f" 2>&1 || true ;;
    *) "$bin/decode" --json "$f" 2>&1 || true ;;
    esac
}

files=("$repo"/testdata/*.wav "$corpus"/*)
mkdir -p "$work/old" "$work/new"
same=0
differ=0
decoded=0
for f in "${files[@]}"; do
    out=$(basename "$f").txt
    decode "$old" "$f" >"$work/old/$out"
    decode "$new" "$f" >"$work/new/$out"
    decoded=$((decoded + $(grep -c '"key"' "$work/old/$out" || true)))
    if [ -x "$old/gather" ] && [ -x "$new/gather" ]; then
        for b in old new; do
            bin=$old
            [ $b = new ] && bin=$new
            case "$f" in
            *.raw-*) ;; # (gather takes the same --raw options; the WAVs cover it)
            *) "$bin/gather" --max-keys 0 --end-key none --timeout 2 "$f" >>"$work/$b/$out" 2>&1 || true ;;
            esac
        done
    fi
    if cmp -s "$work/old/$out" "$work/new/$out"; then
        same=$((same + 1))
    else
        differ=$((differ + 1))
        echo "DIFFERS: $f"
        diff "$work/old/$out" "$work/new/$out" | head -10
    fi
done

echo "files: ${#files[@]} (${same} identical, ${differ} different)"
echo "keys generated: $expected; keys decoded (old build): $decoded"
[ "$differ" -eq 0 ]
