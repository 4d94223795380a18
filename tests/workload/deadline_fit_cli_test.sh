#!/usr/bin/env bash
# `random_start: fit` on a trace shorter than the deadline window: exit 2, FILE:LINE:COL naming
# the field, for both validate and run (and no output file).
set -u
SPOTSIM=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'seconds,spot_available\n' > "$dir/avail.csv"
for i in $(seq 0 47); do echo "$((i * 3600)),$((i % 2))" >> "$dir/avail.csv"; done  # 48 h of 1 h steps
cat > "$dir/short.yaml" <<'YAML'
spotsim: 1
name: short
duration: 1h
pools:
  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 5}
fleets:
  none: {pools: [p], target: 0}
workloads:
  job:
    type: deadline_job
    trace: avail.csv
    work: 40h
    deadline: 60h
    pool: p
    random_start: fit
YAML
fail() { echo "FAIL: $*"; cat "$dir/err"; exit 1; }
expected='short.yaml:15:19: error: workloads.job.random_start: fit needs a trace at least as long as the deadline window (2d12h = 60 steps of 1h); the trace has 48 steps (2d). Use a longer trace, or random_start: true (windows wrap around the end)'
"$SPOTSIM" validate "$dir/short.yaml" 2>"$dir/err" >/dev/null
rc=$?
[ $rc -eq 2 ] || fail "validate: expected exit 2, got $rc"
grep -qF "$expected" "$dir/err" || fail "validate: message"
"$SPOTSIM" run "$dir/short.yaml" --json "$dir/out.json" 2>"$dir/err" >/dev/null
rc=$?
[ $rc -eq 2 ] || fail "run: expected exit 2, got $rc"
grep -qF "$expected" "$dir/err" || fail "run: message"
[ ! -e "$dir/out.json" ] || fail "an output file was written"
# The same file with a 48 h deadline fits (48 steps) and validates.
sed -i 's/deadline: 60h/deadline: 48h/' "$dir/short.yaml"
"$SPOTSIM" validate "$dir/short.yaml" >"$dir/err" 2>&1 || fail "a 48 h window fits a 48 h trace"
echo "ok"
