#!/usr/bin/env bash
# Score the decoder on the third-party recordings in ../shared/realworld-dtmf (relative to
# the repository; never copied into it): exact files, key error rate, false keys on the
# negatives, with the shared set's own scorer (score_audio.py --convert: every file is
# handed over as 16-bit PCM WAV made with ffmpeg).
#
#   scripts/score-realworld.sh [--profile standard|relaxed] [--set DIR] [extra score_audio.py args]
#
# Needs python3 and ffmpeg (apt-get install ffmpeg).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=standard
SET=../shared/realworld-dtmf
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --profile) PROFILE=$2; shift 2 ;;
        --set) SET=$2; shift 2 ;;
        *) EXTRA+=("$1"); shift ;;
    esac
done
[ -f "$SET/score_audio.py" ] || { echo "error: $SET/score_audio.py not found (use --set DIR)" >&2; exit 2; }
cargo build --release --example decode >&2
DECODE=$(pwd)/target/release/examples/decode
python3 "$SET/score_audio.py" --convert --decoder "$DECODE --profile $PROFILE {wav}" "${EXTRA[@]}"
