#!/usr/bin/env bash
# End-to-end speed and memory of `leakscope scan` against ripgrep with 13
# equivalent patterns (benches/rg-patterns.txt), on the same generated NDJSON
# export, in one run; plus peak memory on a single-line JSON file of the same
# size. Absolute times drift on shared machines: read the ratios.
#
#   benches/compare.sh [MB=500]
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

measure() { # label, command...
  local label=$1; shift
  cat "$FILE" > /dev/null # warm the page cache
  local best=999999 mem=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > /dev/null 2>&1 || true
    read -r secs kb < <(tail -n 1 "$WORK/time.txt")
    if awk "BEGIN{exit !($secs < $best)}"; then best=$secs; mem=$kb; fi
  done
  printf "%-34s %8.2f s %9.0f MB/s %8.0f MB peak\n" "$label" "$best" "$(awk "BEGIN{print $SIZE/1e6/$best}")" "$(awk "BEGIN{print $mem/1024}")"
  echo "$best" > "$WORK/$label.secs"
}

echo "file: $FILE ($((SIZE / 1000000)) MB), $(nproc) cores"
measure "ripgrep -j1 (13 patterns)" rg -j1 -o -f benches/rg-patterns.txt "$FILE"
LS1="leakscope -j1 ($($BIN rules list | tail -1))"
measure "$LS1" "$BIN" scan "$FILE" -j 1 --format none -q --preset none
measure "leakscope -j2" "$BIN" scan "$FILE" -j 2 --format none -q --preset none
# The Mixpanel preset (recognised on this export) adds ~9 field findings per event.
measure "leakscope -j1 --preset auto" "$BIN" scan "$FILE" -j 1 --format none -q
rg1=$(cat "$WORK/ripgrep -j1 (13 patterns).secs")
ls1=$(cat "$WORK/$LS1.secs")
ls2=$(cat "$WORK/leakscope -j2.secs")
awk "BEGIN{printf \"leakscope -j1 vs ripgrep -j1: %.2fx the speed\n\", $rg1/$ls1}"
awk "BEGIN{printf \"leakscope -j2 vs -j1: %.2fx\n\", $ls1/$ls2}"

# The same export shape with nothing planted: the cost of the scan itself.
if [ ! -f "$WORK/clean/events.ndjson" ]; then
  target/release/leakscope-corpus --out "$WORK/clean" --mb "$MB" --seed 3 --clean
fi
FILE="$WORK/clean/events.ndjson"
SIZE=$(stat -c %s "$FILE")
echo "file: $FILE ($((SIZE / 1000000)) MB, nothing planted)"
measure "clean: ripgrep -j1" rg -j1 -o -f benches/rg-patterns.txt "$FILE"
measure "clean: leakscope -j1" "$BIN" scan "$FILE" -j 1 --format none -q --preset none
awk "BEGIN{printf \"clean: leakscope -j1 vs ripgrep -j1: %.2fx the speed\n\", $(cat "$WORK/clean: ripgrep -j1.secs")/$(cat "$WORK/clean: leakscope -j1.secs")}"

# Bounded memory: the planted export's bytes as one single line (a JSON array).
ONE="$WORK/one-line.json"
if [ ! -f "$ONE" ]; then
  { printf '['; tr '\n' ',' < "$WORK/events.ndjson" | sed 's/,$//'; printf ']'; } > "$ONE"
fi
/usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$BIN" scan "$ONE" -j 2 --format none -q > /dev/null 2>&1 || true
read -r secs kb < <(tail -n 1 "$WORK/time.txt")
printf "%-34s %8.2f s %19.0f MB peak\n" "leakscope -j2 single-line file" "$secs" "$(awk "BEGIN{print $kb/1024}")"
