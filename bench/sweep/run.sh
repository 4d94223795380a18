#!/usr/bin/env bash
# Recording and sweep benchmarks (numbers, never tests): each prints its result beside a baseline
# measured in the same invocation, and the ratio.
#
#   bench/sweep/run.sh [BUILD_DIR] [--full]
#
#  1. 10^6 spot VMs x 30 days of churn in one run: no output vs --out --record summary vs
#     --record timeseries (the recorder must not slow a summary run; target < 60 s).
#  2. A 100-point sweep (10 x 10 grid of interruption rate x boot time) of the churn model:
#     1 process x 1 thread vs `mpirun -np 2` x 1 thread (target >= 1.8x), and 1 process x 2 threads.
#     Default: 10^4 VMs per point (scaled down for a shared 2-core machine); --full: 10^5 VMs.
# Needs a Release build (scripts/demo makes build/release) and, for the MPI line, mpirun.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
[ "${1:-}" = "--full" ] && BUILD=build/release
FULL=0
for a in "$@"; do [ "$a" = "--full" ] && FULL=1; done
SPOTSIM="$BUILD/spotsim"
[ -x "$SPOTSIM" ] || { echo "bench/sweep: $SPOTSIM not found; build it first (scripts/demo)"; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

churn() {  # churn VMS DAYS > file
  cat <<YAML
spotsim: 1
name: churn-$1
seed: 7
replications: 1
duration: ${2}d
pools:
  pool: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.058, on_demand_price: 0.192, capacity: $(( $1 * 2 )), interruption: {rate: 0.05/h}}
fleets:
  churn: {pools: [pool], target: $1, boot_time: 90s, retry_interval: 30s}
YAML
}

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
events_of() { python3 -c "import json; print(json.load(open('$1'))['events'])"; }

echo "== 1. one run: 10^6 spot VMs x 30 days (rate 0.05/h, notice 120 s, boot 90 s)"
churn 1000000 30 > "$dir/churn-1m.yaml"
t0=$(now); "$SPOTSIM" run "$dir/churn-1m.yaml" --threads 1 -q --json "$dir/a.json"; t1=$(now)
"$SPOTSIM" run "$dir/churn-1m.yaml" --threads 1 -q --json "$dir/b.json" --out "$dir/b.h5" --record summary; t2=$(now)
"$SPOTSIM" run "$dir/churn-1m.yaml" --threads 1 -q --json "$dir/c.json" --out "$dir/c.h5" --record timeseries; t3=$(now)
base=$(secs "$t0" "$t1"); summ=$(secs "$t1" "$t2"); ts=$(secs "$t2" "$t3")
ev=$(events_of "$dir/a.json")
printf "  no output:              %8s s  %s events  %s events/s\n" "$base" "$ev" "$(python3 -c "print(f'{$ev/$base:.3g}')")"
printf "  --record summary:       %8s s  (%.2fx the no-output time)  file %s bytes\n" "$summ" "$(python3 -c "print($summ/$base)")" "$(stat -c %s "$dir/b.h5")"
printf "  --record timeseries:    %8s s  (%.2fx)  file %s bytes\n" "$ts" "$(python3 -c "print($ts/$base)")" "$(stat -c %s "$dir/c.h5")"

VMS=10000; [ $FULL = 1 ] && VMS=100000
echo
echo "== 2. 100-point sweep of $VMS VMs x 30 days (10 rates x 10 boot times, 1 replication each)"
churn $VMS 30 > "$dir/churn.yaml"
GRID=(--grid pools.pool.interruption.rate=0.040/h,0.042/h,0.044/h,0.046/h,0.048/h,0.050/h,0.052/h,0.054/h,0.056/h,0.058/h
      --grid fleets.churn.boot_time=60s,70s,80s,90s,100s,110s,120s,130s,140s,150s)
t0=$(now); "$SPOTSIM" sweep "$dir/churn.yaml" "${GRID[@]}" --threads 1 -q --json "$dir/s1.json"; t1=$(now)
one=$(secs "$t0" "$t1")
printf "  1 process  x 1 thread:  %8s s\n" "$one"
t0=$(now); "$SPOTSIM" sweep "$dir/churn.yaml" "${GRID[@]}" --threads 2 -q --json "$dir/s2.json"; t1=$(now)
two=$(secs "$t0" "$t1")
printf "  1 process  x 2 threads: %8s s  speedup %.2fx\n" "$two" "$(python3 -c "print($one/$two)")"
if command -v mpirun >/dev/null; then
  t0=$(now)
  mpirun --allow-run-as-root --oversubscribe -np 2 "$SPOTSIM" sweep "$dir/churn.yaml" "${GRID[@]}" --threads 1 -q --json "$dir/m2.json"
  t1=$(now)
  mpi=$(secs "$t0" "$t1")
  printf "  2 processes x 1 thread: %8s s  speedup %.2fx (mpirun start-up included)\n" "$mpi" "$(python3 -c "print($one/$mpi)")"
  same=$(python3 - "$dir/s1.json" "$dir/m2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for j in (a, b):
    for k in ("wall_seconds", "threads", "processes"):
        j.pop(k, None)
print("identical" if a == b else "DIFFERENT")
PY
)
  echo "  results 1 process vs 2 processes: $same"
fi
echo "  (load average now: $(cut -d' ' -f1-3 /proc/loadavg); other processes on this machine share the cores)"
