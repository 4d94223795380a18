#!/bin/sh
# spotsim validate / run with Lua policies: exit codes and the first line of each message.
# Usage: cli_test.sh SPOTSIM (run from the repository root)
set -u
SPOTSIM=$1
fail=0
check() {  # name, expected exit code, expected first line of stderr, command...
  name=$1; want_rc=$2; want=$3; shift 3
  out=$("$@" 2>&1 >/dev/null); rc=$?
  first=$(printf '%s\n' "$out" | head -n 1)
  if [ "$rc" != "$want_rc" ] || [ "$first" != "$want" ]; then
    echo "FAIL $name: exit $rc (want $want_rc), first line:"; echo "  $first"; echo "want:"; echo "  $want"
    fail=1
  else
    echo "ok   $name"
  fi
}
check "validate ok" 0 "" "$SPOTSIM" validate tests/policy/data/basic.yaml
check "validate typo" 2 \
  "tests/policy/data/typo.lua:3: global function on_notce is not a hook (did you mean on_notice?); the hooks are choose_pool, on_notice, on_eviction, on_capacity_error, on_tick, on_job_event, on_running, on_rebalance (names starting with on_ are reserved for hooks)" \
  "$SPOTSIM" validate tests/policy/data/typo.yaml
check "run typo" 2 \
  "tests/policy/data/typo.lua:3: global function on_notce is not a hook (did you mean on_notice?); the hooks are choose_pool, on_notice, on_eviction, on_capacity_error, on_tick, on_job_event, on_running, on_rebalance (names starting with on_ are reserved for hooks)" \
  "$SPOTSIM" run tests/policy/data/typo.yaml --quiet
check "run runaway" 2 \
  "tests/policy/data/runaway.lua:4: instruction budget exceeded: the hook ran more than 1000000 Lua instructions in one call (an endless loop? raise policy_limits.instructions if the policy really needs more)" \
  "$SPOTSIM" run tests/policy/data/runaway.yaml --quiet --threads 2
check "run ok" 0 "" "$SPOTSIM" run tests/policy/data/basic.yaml --quiet
exit $fail
