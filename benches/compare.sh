#!/usr/bin/env bash
# End-to-end speed and memory of `leakscope scan` against ripgrep with 13
# equivalent patterns (benches/rg-patterns.txt), on the same generated NDJSON
# export, in one run; plus peak memory on a single-line JSON file of the same
# size. Absolute times drift on shared machines: read the ratios. ripgrep
# and one leakscope thread are timed in alternation, ROUNDS times, so each
# pair of runs meets the same load; the median of the per-round ratios is
# the figure least moved by a neighbour's load, next to the best-of ratio.
# The paired runs also print CPU time (user + system) and the CPU time the
# host stole meanwhile: when CPU time is stretched as much as wall time, the
# slowdown is contention for the shared cores and caches, not stolen time.
#
#   ROUNDS=5 benches/compare.sh [MB=500]
#
# Needs: ripgrep (`apt-get install ripgrep` or `pip install ripgrep`), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-500}
WORK=${WORK:-/tmp/leakscope-bench}
mkdir -p "$WORK"
command -v rg >/dev/null || { echo "ripgrep (rg) is needed: apt-get install ripgrep" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 2; }

cargo build --release --quiet --bins
BIN=target/release/leakscope
if [ ! -f "$WORK/events.ndjson" ] || [ "$(stat -c %s "$WORK/events.ndjson")" -lt $((MB * 1000000)) ]; then
  target/release/leakscope-corpus --out "$WORK" --mb "$MB" --seed 1
fi
FILE="$WORK/events.ndjson"
SIZE=$(stat -c %s "$FILE")
export LEAKSCOPE_KEY=bench-key-0123456789

run() { # command... -> "secs kb cpu_secs" of one run (cpu: user + system)
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" > /dev/null 2>&1 || true
  tail -n 1 "$WORK/time.txt" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
}

steal() { # host-stolen CPU ticks so far (the 8th value of /proc/stat's cpu line)
  awk '/^cpu /{print $9}' /proc/stat
}

median() { # numbers... -> their median
  tr ' ' '\n' <<< "$*" | grep . | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

report() { # label, secs, kb
  printf "%-34s %8.2f s %9.0f MB/s %8.0f MB peak\n" "$1" "$2" "$(awk "BEGIN{print $SIZE/1e6/$2}")" "$(awk "BEGIN{print $3/1024}")"
}

measure() { # label, command...: best of three
  local label=$1; shift
  cat "$FILE" > /dev/null # warm the page cache
  local best=999999 mem=0
  for _ in 1 2 3; do
    read -r secs kb _ < <(run "$@")
    if awk "BEGIN{exit !($secs < $best)}"; then best=$secs; mem=$kb; fi
  done
  report "$label" "$best" "$mem"
}

ROUNDS=${ROUNDS:-5}
# Two commands in alternation, ROUNDS times: best of each, and the median
# over rounds of the first one's time over the second's (> 1: the second is
# faster). Alternating makes each pair of runs meet the same load.
paired() { # label a, label b, array name of command a, of command b, file
  local alabel=$1 blabel=$2 f=$5 abest=999999 bbest=999999 amem=0 bmem=0 ratios="" cpu_ratios=""
  local -n acmd=$3 bcmd=$4
  local as ak ac bs bk bc acpu=999999 bcpu=999999 steal0 ticks
  cat "$f" > /dev/null
  steal0=$(steal)
  for _ in $(seq "$ROUNDS"); do
    read -r as ak ac < <(run "${acmd[@]}" "$f")
    read -r bs bk bc < <(run "${bcmd[@]}" "$f")
    if awk "BEGIN{exit !($as < $abest)}"; then abest=$as; amem=$ak; fi
    if awk "BEGIN{exit !($bs < $bbest)}"; then bbest=$bs; bmem=$bk; fi
    if awk "BEGIN{exit !($ac < $acpu)}"; then acpu=$ac; fi
    if awk "BEGIN{exit !($bc < $bcpu)}"; then bcpu=$bc; fi
    ratios="$ratios $(awk "BEGIN{printf \"%.2f\", $as/$bs}")"
    cpu_ratios="$cpu_ratios $(awk "BEGIN{printf \"%.2f\", $ac/$bc}")"
  done
  ticks=$(( $(steal) - steal0 ))
  report "$alabel" "$abest" "$amem"
  report "$blabel" "$bbest" "$bmem"
  printf "%s vs %s: %.2fx the speed (best of %s each), paired rounds median %.2fx (%s)\n" \
    "$blabel" "$alabel" "$(awk "BEGIN{print $abest/$bbest}")" "$ROUNDS" "$(median $ratios)" "$(tr ' ' '\n' <<< "$ratios" | grep . | sort -g | tr '\n' ' ' | sed 's/ $//')"
  printf "  CPU time (user + system), best: %.2f s against %.2f s: %.2fx; paired rounds median %.2fx; CPU time stolen by the host meanwhile %.2f s\n" \
    "$acpu" "$bcpu" "$(awk "BEGIN{print $acpu/$bcpu}")" "$(median $cpu_ratios)" "$(awk "BEGIN{print $ticks/$(getconf CLK_TCK)}")"
}

RG=(rg -j1 -o -f benches/rg-patterns.txt)
J1=("$BIN" scan -j 1 --format none -q --preset none)
J2=("$BIN" scan -j 2 --format none -q --preset none)
echo "file: $FILE ($((SIZE / 1000000)) MB), $(nproc) cores"
LS1="leakscope -j1 ($($BIN rules list | tail -1))"
paired "ripgrep -j1 (13 patterns)" "$LS1" RG J1 "$FILE"
# Two threads against one, alternated the same way. The CPU time ratio
# shows what the second core costs: below 1, the two threads together
# spend more CPU time than one (shared caches, memory bandwidth, clocks).
paired "leakscope -j1" "leakscope -j2" J1 J2 "$FILE"
# The Mixpanel preset (recognised on this export) adds ~9 field findings per event.
measure "leakscope -j1 --preset auto" "$BIN" scan "$FILE" -j 1 --format none -q

# The same export shape with nothing planted: the cost of the scan itself.
if [ ! -f "$WORK/clean/events.ndjson" ]; then
  target/release/leakscope-corpus --out "$WORK/clean" --mb "$MB" --seed 3 --clean
fi
FILE="$WORK/clean/events.ndjson"
SIZE=$(stat -c %s "$FILE")
echo "file: $FILE ($((SIZE / 1000000)) MB, nothing planted)"
paired "clean: ripgrep -j1" "clean: leakscope -j1" RG J1 "$FILE"

# Bounded memory: the planted export's bytes as one single line (a JSON array).
ONE="$WORK/one-line.json"
if [ ! -f "$ONE" ]; then
  { printf '['; tr '\n' ',' < "$WORK/events.ndjson" | sed 's/,$//'; printf ']'; } > "$ONE"
fi
/usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$BIN" scan "$ONE" -j 2 --format none -q > /dev/null 2>&1 || true
read -r secs kb _ < <(tail -n 1 "$WORK/time.txt")
printf "%-34s %8.2f s %19.0f MB peak\n" "leakscope -j2 single-line file" "$secs" "$(awk "BEGIN{print $kb/1024}")"
