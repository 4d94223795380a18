#pragma once
// Distributed sweeps over MPI ranks (Open MPI). Rank 0 hands out work items on request (dynamic
// load balancing: a rank asks for as many items as it has threads, runs them, sends the metric
// values back and asks again), computes on its own threads meanwhile, and alone writes outputs.
// Results are stored by item index, so they are identical to a single-process sweep.
//
// The same binary runs without mpirun: MPI is initialised only when the process was started by an
// MPI launcher (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK in the environment) or when
// SPOTSIM_MPI=1 asks for a singleton MPI_Init. Built without MPI (SPOTSIM_WITH_MPI=OFF), a session
// is always a single process.
//
// Only the thread that created the session calls MPI (MPI_THREAD_FUNNELED). Rank 0 polls for
// messages (MPI_Iprobe + 1 ms sleep) instead of blocking, so its compute threads keep the cores.
#include "sim/run/sweep.h"

namespace spotsim {

class MpiSession {
 public:
  MpiSession();   // MPI_Init_thread if launched by mpirun (see above)
  ~MpiSession();  // MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  bool active() const { return active_; }  // MPI initialised
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  // Processes of this job on this machine (to share the cores among them).
  int local_size() const { return local_size_; }

  // Whether every rank passes `ok` (collective; true without MPI).
  bool all_ok(bool ok) const;

 private:
  bool active_ = false;
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
};

// Runs the sweep over every rank of `session` (or in-process when it is a single process). REQUIRES:
// every rank passes an identical plan (same files, arguments). Rank 0 returns the full result; other
// ranks return a result with no points.
SweepResult run_sweep_distributed(const SweepPlan& plan, const SweepOptions& options, const MpiSession& session);

}  // namespace spotsim
