#!/usr/bin/env bash
# Cost of a redacted copy: `leakscope scan` against `scan --redact-to` on the
# same generated NDJSON export, in one run (best of 3 each), on 1 and 2
# threads, plus the time `cp` takes to write the same bytes (the floor of
# any copy). Target: --redact-to at most 1.5x a plain scan.
#
#   benches/redact_compare.sh [MB=500]
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-500}
WORK=${WORK:-/tmp/leakscope-bench}
mkdir -p "$WORK"
[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 2; }
cargo build --release --quiet --bins
BIN=target/release/leakscope
if [ ! -f "$WORK/events.ndjson" ] || [ "$(stat -c %s "$WORK/events.ndjson")" -lt $((MB * 1000000)) ]; then
  "$BIN"-corpus --out "$WORK" --mb "$MB" --seed 1
fi
FILE="$WORK/events.ndjson"
SIZE=$(stat -c %s "$FILE")
export LEAKSCOPE_KEY=bench-key-0123456789

best() { # label, command...
  local label=$1; shift
  local best=999999 mem=0
  for _ in 1 2 3; do
    rm -rf "$WORK/redacted" "$WORK/copy"
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" > /dev/null 2>&1 || true
    read -r secs kb < <(tail -n 1 "$WORK/time.txt")
    if awk "BEGIN{exit !($secs < $best)}"; then best=$secs; mem=$kb; fi
  done
  printf "%-34s %8.2f s %9.0f MB/s %8.0f MB peak\n" "$label" "$best" "$(awk "BEGIN{print $SIZE/1e6/$best}")" "$(awk "BEGIN{print $mem/1024}")"
  echo "$best" > "$WORK/$label.secs"
}

cat "$FILE" > /dev/null
echo "file: $FILE ($((SIZE / 1000000)) MB), $(nproc) cores, mode mask"
best "cat > copy (writing the bytes)" sh -c "cat \"$FILE\" > \"$WORK/copy\""
for j in 1 2; do
  best "scan -j$j" "$BIN" scan "$FILE" -j $j --format none -q --preset none
  best "scan -j$j --redact-to" "$BIN" scan "$FILE" -j $j --format none -q --preset none --redact-to "$WORK/redacted"
  awk "BEGIN{printf \"  --redact-to costs %.2fx the plain scan on $j thread(s)\n\", $(cat "$WORK/scan -j$j --redact-to.secs")/$(cat "$WORK/scan -j$j.secs")}"
done
rm -rf "$WORK/redacted" "$WORK/copy"
