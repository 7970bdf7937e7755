#!/usr/bin/env bash
# False keys per hour on a talk-off corpus (audio with no DTMF in it: every key is false),
# as built by ../shared/tools/make-talkoff-corpus.sh. Prints, for the 8 kHz corpus and for
# each rate under rates/, the keys and keys per hour by category and by sub-source, and
# (with --list, lines starting "~") every false key with its file and time (key@ms).
#
#   scripts/talkoff.sh CORPUS_DIR [--profile standard|relaxed] [--list] [--jobs N]
#
# DECODE=/path/to/decode runs another build of the decode example instead (to compare
# builds); the profile is then passed only if --profile is given.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/talkoff.sh CORPUS_DIR [--profile P] [--list] [--jobs N]" >&2; exit 2; }
CORPUS=$(cd "$1" && pwd); shift
PROFILE=
LIST=0
JOBS=$(nproc)
while [ $# -gt 0 ]; do
    case "$1" in
        --profile) PROFILE=$2; shift 2 ;;
        --list) LIST=1; shift ;;
        --jobs) JOBS=$2; shift 2 ;;
        *) echo "error: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "${DECODE:-}" ]; then
    cargo build --release --example decode >&2
    DECODE=$(pwd)/target/release/examples/decode
    PROFILE=${PROFILE:-standard}
fi
PFLAG=${PROFILE:+--profile $PROFILE}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/talkoff.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

# score MANIFEST BASE_DIR LABEL FILE_COL SECONDS_COL CATEGORY_COL SUBSOURCE_COL
score() {
    local manifest=$1 base=$2 label=$3
    [ -f "$manifest" ] || return 0
    local res="$OUT/$label.tsv"
    awk -F'\t' -v f="$4" 'NR > 1 { print $f }' "$manifest" |
        xargs -P "$JOBS" -I{} sh -c '
            keys=$("$0" $1 "$2/$3" | awk "{ printf \"%s@%s \", \$3, \$1 }")
            printf "%s\t%s\n" "$3" "$keys"' "$DECODE" "$PFLAG" "$base" {} > "$res"
    awk -F'\t' -v label="$label" -v fc="$4" -v sc="$5" -v cc="$6" -v uc="$7" -v list="$LIST" '
        FNR == NR { keys[$1] = $2; next }
        FNR == 1 { next }
        {
            f = $fc; s = $sc; c = $cc; u = $uc
            n = split(keys[f], k, " ")
            cs[c] += s; ck[c] += n; us[c "/" u] += s; uk[c "/" u] += n; ts += s; tk += n
            if (list && n > 0) printf "~ %s: %s\n", f, keys[f]
        }
        END {
            printf "%s Hz (%s): %d false keys in %.2f h = %.1f/h\n", label, "'"${PROFILE:-default}"'", tk, ts / 3600, tk * 3600 / ts
            for (c in cs) printf "  %-10s %5d keys %6.2f h %7.1f/h\n", c, ck[c], cs[c] / 3600, ck[c] * 3600 / cs[c]
            for (u in us) printf "    %-28s %5d keys %6.2f h %7.1f/h\n", u, uk[u], us[u] / 3600, uk[u] * 3600 / us[u]
        }' "$res" "$manifest" > "$res.out"
    grep 'false keys in' "$res.out"
    grep -v 'false keys in' "$res.out" | LC_ALL=C sort
}

# manifest.tsv: file seconds source_package category subsource
score "$CORPUS/manifest.tsv" "$CORPUS" 8000 1 2 4 5
# rates/manifest.tsv: file seconds source_package category rate_hz subsource
[ -f "$CORPUS/rates/manifest.tsv" ] || exit 0
for dir in "$CORPUS"/rates/*/; do
    rate=$(basename "$dir")
    awk -F'\t' -v r="$rate" 'NR == 1 || $5 == r' "$CORPUS/rates/manifest.tsv" > "$OUT/m$rate.tsv"
    score "$OUT/m$rate.tsv" "$CORPUS/rates" "$rate" 1 2 4 6
done
