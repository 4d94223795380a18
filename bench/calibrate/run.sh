#!/usr/bin/env bash
# `spotsim calibrate` on 10^6 events and 10^5 inventory rows (a number, never a test): the target
# is under 10 s on a Release build (issue 18). Prints the wall time of the calibration alone (the
# input is generated first, by bench/calibrate/gen_calibrate_data.py, and not timed).
#
#   bench/calibrate/run.sh [BUILD_DIR] [EVENTS] [ROWS]     (default build/release 1000000 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
EVENTS=${2:-1000000}
ROWS=${3:-100000}
SPOTSIM="$BUILD/spotsim"
[ -x "$SPOTSIM" ] || { echo "bench/calibrate: $SPOTSIM not found; build it first (cmake --preset release && cmake --build build/release --target spotsim)"; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 bench/calibrate/gen_calibrate_data.py "$EVENTS" "$ROWS" "$dir"
echo "input: $(wc -l < "$dir/events.jsonl") event lines ($(du -m "$dir/events.jsonl" | cut -f1) MB), $(($(wc -l < "$dir/inventory.csv") - 1)) inventory rows"
start=$(date +%s.%N)
"$SPOTSIM" calibrate --events "$dir/events.jsonl" --inventory "$dir/inventory.csv" -o "$dir/out.yaml" -q
end=$(date +%s.%N)
secs=$(python3 -c "print(f'{$end - $start:.2f}')")
echo "spotsim calibrate: $secs s (target < 10 s); $(grep -c '^  [a-z0-9]' "$dir/out.yaml") pools written"
