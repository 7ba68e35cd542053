#!/usr/bin/env bash
# Instructions per byte of `leakscope scan` (and of ripgrep with the 13
# patterns of benches/rg-patterns.txt, when installed), counted with
# valgrind's callgrind: deterministic where wall-clock times on a shared
# machine drift by a third. The figure is the difference between a large and
# a small slice of the same generated export, divided by their difference in
# bytes, so start-up (rule loading, regex compilation) cancels out.
#
#   benches/instructions.sh [LARGE_MB=30] [SMALL_MB=10]
#
# Needs: valgrind (`apt-get install valgrind`). Compare figures of one tool
# across versions; instructions do not compare across tools (their
# instructions per cycle differ).
set -euo pipefail
cd "$(dirname "$0")/.."
LARGE=${1:-30}
SMALL=${2:-10}
WORK=${WORK:-/tmp/leakscope-instructions}
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 2; }
cargo build --release --quiet --bins
BIN=target/release/leakscope
export LEAKSCOPE_KEY=bench-key-0123456789

# slice NAME FLAGS...: a LARGE MB export and its first SMALL MB (whole lines).
slice() {
  local name=$1; shift
  if [ ! -f "$WORK/$name/large.ndjson" ]; then
    "$BIN-corpus" --out "$WORK/$name" --mb "$LARGE" "$@" > /dev/null
    mv "$WORK/$name/events.ndjson" "$WORK/$name/large.ndjson"
    head -c $((SMALL * 1000000)) "$WORK/$name/large.ndjson" | sed '$d' > "$WORK/$name/small.ndjson"
  fi
}

# count COMMAND...: instructions callgrind counts for the command (whose
# exit code, 1 when leakscope finds something, does not matter here).
count() {
  { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } |
    awk '/refs:/ { gsub(",", "", $4); print $4 }'
}

# per_byte LABEL DIR COMMAND...: instructions per byte, the file last.
per_byte() {
  local label=$1 dir=$2; shift 2
  local big small bytes
  big=$(count "$@" "$dir/large.ndjson")
  small=$(count "$@" "$dir/small.ndjson")
  bytes=$(( $(stat -c %s "$dir/large.ndjson") - $(stat -c %s "$dir/small.ndjson") ))
  awk -v l="$label" -v a="$big" -v b="$small" -v n="$bytes" \
    'BEGIN { printf "%-28s %6.2f instructions/byte\n", l, (a - b) / n }'
}

mkdir -p "$WORK"
slice dense --seed 1
slice clean --seed 3 --clean
# ripgrep installed with pip sits behind a pyenv shim (a shell script):
# callgrind must run the binary itself.
RG=$(command -v rg || true)
if [ -n "$RG" ] && [ "$(head -c 2 "$RG")" = "#!" ]; then
  RG=$(pyenv which rg 2>/dev/null || true)
fi
for kind in dense clean; do
  per_byte "leakscope -j1, $kind" "$WORK/$kind" "$BIN" scan -j 1 --format none -q --preset none
  if [ -n "$RG" ]; then
    per_byte "ripgrep -j1, $kind" "$WORK/$kind" "$RG" -j1 -o -f benches/rg-patterns.txt
  fi
done
