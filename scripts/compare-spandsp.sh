#!/usr/bin/env bash
# Side-by-side timing of touchtone and spandsp's DTMF receiver on the same files.
# Not part of CI (needs root for apt-get, sox, and takes a few minutes).
#
#   scripts/compare-spandsp.sh [ROUNDS] [REPEATS]
#
# 1. installs libspandsp-dev (apt-get) if its header is missing,
# 2. builds scripts/spandsp_bench.c against it,
# 3. makes the workloads (8 kHz 16-bit mono):
#    keys:   `generate` "0123456789*#ABCD" x 4, 70 ms tones / 70 ms pauses, -10 dBm0 (9 s);
#    babble: scripts/make-babble.sh, 192 keys every 300 ms over five-talker speech babble
#            at -20 dBm0 (60 s),
# 4. runs spandsp_bench and `decode --bench` alternately ROUNDS times (default 9) on each
#    file, each run decoding the file REPEATS times (default 1000 for the key file; the
#    babble file, 6.5 times longer, gets REPEATS*3/20 passes) in 160-sample frames,
# 5. prints the CPU, every run (with the number of keys found), and per file the medians
#    and ranges (ns/sample) and the ratio spandsp/touchtone (median of the rounds'
#    ratios, and their range): by the programs' own wall clock (the detection loop
#    only), and by the CPU time (user + system) of each whole run, which leaves out the
#    time a busy machine keeps the process waiting (but not the cache and frequency
#    effects of the other load; reading the file counts, well under 1 % of a run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-9}
REPEATS=${2:-1000}
BREPEATS=$(((REPEATS * 3 + 19) / 20))
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
"$GEN" "$KEYS" "$WORK/keys8k.wav" >/dev/null
scripts/make-babble.sh "$GEN" "$WORK"

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1) (family $(lscpu | sed -n 's/^CPU family: *//p' | head -1), model $(lscpu | sed -n 's/^Model: *//p' | head -1))"
echo "CPU: $cpu ($(nproc) logical CPUs); spandsp $(dpkg-query -W -f '${Version}' libspandsp2 2>/dev/null || echo '?'), gcc -O2"
echo "keys:   $WORK/keys8k.wav ($KEYS), $REPEATS passes per run"
echo "babble: $WORK/babble-keys-8k.wav (192 keys over babble), $BREPEATS passes per run"
echo "160-sample frames, $ROUNDS alternating rounds"

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%s-%s", lo, hi}'; }

# cputime NSAMPLES CMD...: runs CMD (its output to $WORK/out), prints its CPU time in
# ns per sample.
cputime() {
    local ns=$1 tf
    shift
    tf=$( { TIMEFORMAT='%3U %3S'; time "$@" >"$WORK/out"; } 2>&1)
    awk -v u="${tf% *}" -v s="${tf#* }" -v n="$ns" 'BEGIN {printf "%.3f", (u + s) * 1e9 / n}'
}
line() { printf '%-7s %-22s %-22s %s (%s)' "$1" \
    "$(median "${!2}") ($(range "${!2}"))" \
    "$(median "${!3}") ($(range "${!3}"))" \
    "$(median "${!4}")" "$(range "${!4}")"; }

summary=() csummary=()
for name in keys babble; do
    if [ "$name" = keys ]; then f="$WORK/keys8k.wav" n=$REPEATS; else f="$WORK/babble-keys-8k.wav" n=$BREPEATS; fi
    total=$(($(soxi -s "$f") * n))
    ours=() theirs=() ratios=() cours=() ctheirs=() cratios=()
    for r in $(seq "$ROUNDS"); do
        cs=$(cputime "$total" "$WORK/spandsp_bench" "$f" "$n")
        s=$(cat "$WORK/out")
        ct=$(cputime "$total" "$DEC" --bench "$n" "$f")
        t=$(cat "$WORK/out")
        ctheirs+=("$cs")
        cours+=("$ct")
        cratios+=("$(awk -v a="$cs" -v b="$ct" 'BEGIN {printf "%.3f", a / b}')")
        # Each run's line, with the number of keys found instead of the keys.
        echo "$name round $r  spandsp:   ${s%%keys=*}keys: $(field keys "$s" | tr -d '\n' | wc -c)"
        echo "$name round $r  touchtone: ${t%%keys=*}keys: $(field keys "$t" | tr -d '\n' | wc -c)"
        ts=$(field ns_per_sample "$s")
        to=$(field ns_per_sample "$t")
        theirs+=("$ts")
        ours+=("$to")
        ratios+=("$(awk -v a="$ts" -v b="$to" 'BEGIN {printf "%.3f", a / b}')")
    done
    summary+=("$(line "$name" 'ours[@]' 'theirs[@]' 'ratios[@]')")
    csummary+=("$(line "$name" 'cours[@]' 'ctheirs[@]' 'cratios[@]')")
done
echo
echo "CPU: $cpu; $(uptime | sed 's/.*load/load/')"
echo "wall clock of the detection loop, median (range) of $ROUNDS rounds:"
printf '%-7s %-22s %-22s %s\n' file "touchtone ns/sample" "spandsp ns/sample" "ratio spandsp/touchtone"
printf '%s\n' "${summary[@]}"
echo "CPU time (user + system) of each run, median (range) of $ROUNDS rounds:"
printf '%-7s %-22s %-22s %s\n' file "touchtone ns/sample" "spandsp ns/sample" "ratio spandsp/touchtone"
printf '%s\n' "${csummary[@]}"
