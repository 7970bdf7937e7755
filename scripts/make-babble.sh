#!/usr/bin/env bash
# Speech-babble workloads for timing (scripts/compare-spandsp.sh, the criterion benches).
#
#   scripts/make-babble.sh GENERATE DIR
#
# GENERATE is the `generate` example's executable; DIR receives two 8 kHz 16-bit mono WAVs:
#
# * babble-8k.wav: 60 s of babble at -20 dBm0 (RMS): five talkers, each
#   testdata/speech-8k.wav looped, started at its own offset (0, 4.3, 8.7, 13.1, 17.5 s)
#   and played at its own speed (1.0, 0.93, 1.07, 0.97, 1.04, which shifts its pitch too),
#   mixed, then scaled so the RMS of the mix is -20 dBm0 (16-bit RMS 1614, with 0 dBm0 a
#   sine of peak 22 826 as in the crate's generator).
# * babble-keys-8k.wav: the same babble with 192 keys ("0123456789*#ABCD" x 12) every
#   300 ms (70 ms tones, 230 ms pauses, -10 dBm0 per tone) added from 230 ms on.
#
# Needs sox. Deterministic (sox -R), so the same files on every run; nothing is committed.
set -euo pipefail
if [ $# -ne 2 ]; then
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
GEN=$1
DIR=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v sox >/dev/null || { echo "error: sox is needed (apt-get install sox)" >&2; exit 2; }
mkdir -p "$DIR"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/touchtone-babble.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

talkers=()
i=0
for spec in 0:1.0 4.3:0.93 8.7:1.07 13.1:0.97 17.5:1.04; do
    off=${spec%%:*}
    speed=${spec##*:}
    sox -V1 -R "$repo/testdata/speech-8k.wav" -e floating-point -b 32 "$tmp/t$i.wav" \
        repeat 5 speed "$speed" rate 8000 trim "$off" 60
    talkers+=("$tmp/t$i.wav")
    i=$((i + 1))
done
sox -V1 -R -m "${talkers[@]}" -e floating-point -b 32 "$tmp/mix.wav"
rms=$(sox -V1 "$tmp/mix.wav" -n stat 2>&1 | sed -n 's/^RMS *amplitude: *//p')
# -20 dBm0 RMS as a fraction of full scale: 22826 / sqrt(2) / 10 / 32768.
vol=$(awk -v r="$rms" 'BEGIN { printf "%.6f", 22826 / sqrt(2) / 10 / 32768 / r }')
sox -V1 -R "$tmp/mix.wav" -b 16 "$DIR/babble-8k.wav" vol "$vol"

keys=$(printf '0123456789*#ABCD%.0s' $(seq 12))
"$GEN" --tone-ms 70 --pause-ms 230 "$keys" "$tmp/keys.wav" >/dev/null
sox -V1 -R "$tmp/keys.wav" "$tmp/keys60.wav" pad 0 60 trim 0 60
sox -V1 -R -m -v 1 "$tmp/keys60.wav" -v 1 "$DIR/babble-8k.wav" -b 16 "$DIR/babble-keys-8k.wav"
