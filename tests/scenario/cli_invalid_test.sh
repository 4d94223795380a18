#!/usr/bin/env bash
# Invalid scenarios exit 2 with a positioned message on stderr and leave no output file.
set -u
SPOTSIM=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/bad.yaml" <<'YAML'
spotsim: 1
name: bad
duration: 7d
pools:
  p: {provider: aws, region: r, instance_type: m5.xlarge, spot_price: 0.05, on_demand_price: 0.2, capacity: 5}
fleets:
  web: {pools: [q], target: 3}
YAML
"$SPOTSIM" run "$dir/bad.yaml" --json "$dir/out.json" 2>"$dir/err" >/dev/null
rc=$?
fail() { echo "FAIL: $*"; cat "$dir/err"; exit 1; }
[ $rc -eq 2 ] || fail "expected exit 2, got $rc"
grep -q "bad.yaml:7:17: error: fleets.web.pools\[0\]: no pool named \"q\"" "$dir/err" || fail "message"
[ ! -e "$dir/out.json" ] || fail "an output file was written"
ls "$dir" | grep -q tmp && fail "a temporary file was left"
"$SPOTSIM" run --bogus 2>/dev/null; [ $? -eq 2 ] || fail "usage error must exit 2"
"$SPOTSIM" run /nonexistent.yaml 2>/dev/null; [ $? -eq 2 ] || fail "missing file must exit 2"
"$SPOTSIM" validate "$dir/bad.yaml" 2>/dev/null; [ $? -eq 2 ] || fail "validate must exit 2"
echo "ok"
