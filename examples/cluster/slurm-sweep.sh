#!/bin/bash
# A large spotsim sweep on a Slurm cluster: one MPI rank per node, every core of the node a thread.
# Rank 0 hands out (point, replication) work items on request, so fast and slow points balance
# themselves; rank 0 alone writes the HDF5 file and the JSON. Results are identical to a run on one
# machine (and to any other node count). Sizing: docs/sweeps.md.
#
#   sbatch examples/cluster/slurm-sweep.sh                 # from the repository root, on a shared filesystem
#   SCENARIO=scenarios/zone-storm.yaml sbatch examples/cluster/slurm-sweep.sh
#
#SBATCH --job-name=spotsim-sweep
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --time=01:00:00
#SBATCH --output=spotsim-sweep-%j.log
set -euo pipefail

SPOTSIM=${SPOTSIM:-$PWD/build/release/spotsim}   # built with scripts/demo (Release, Open MPI)
SCENARIO=${SCENARIO:-scenarios/spot-fleet-basic.yaml}
OUT=${OUT:-sweep-${SLURM_JOB_ID:-local}.h5}
REPLICATIONS=${REPLICATIONS:-200}

# 2 × 4 × 3 × 3 = 72 points × 200 replications = 14,400 runs.
GRID=(--grid fleets.web.replace_on=eviction,notice
      --grid fleets.web.target=30,40,50,60
      --grid pools.m5-1a.capacity=10,25,50
      --grid fleets.web.boot_time=60s,90s,180s)

# srun starts one rank per node (Open MPI picks up Slurm's PMIx); `mpirun` works the same way inside
# the allocation. --threads: the cores Slurm gave each task.
srun --mpi=pmix "$SPOTSIM" sweep "$SCENARIO" "${GRID[@]}" \
  --replications "$REPLICATIONS" --threads "${SLURM_CPUS_PER_TASK:-1}" \
  --pareto cost.total,fleet.web.time_to_reschedule_p95 \
  --out "$OUT" --json "${OUT%.h5}.json" --quiet
echo "results: $OUT (layout: docs/hdf5-schema.md), ${OUT%.h5}.json"
