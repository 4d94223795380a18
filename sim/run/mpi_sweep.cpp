#include "sim/run/mpi_sweep.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "sim/run/runner.h"

#ifdef SPOTSIM_HAVE_MPI
// The C API only: skip the deprecated C++ bindings (they need libmpi_cxx).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace spotsim {

namespace {

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  const int n = std::atoi(v);
  return n > 0 ? n : fallback;
}

}  // namespace

MpiSession::MpiSession() {
#ifdef SPOTSIM_HAVE_MPI
  const bool launched = env_set("OMPI_COMM_WORLD_SIZE") || env_set("PMI_SIZE") || env_set("PMIX_RANK");
  const char* force = std::getenv("SPOTSIM_MPI");
  if (!launched && !(force && std::strcmp(force, "1") == 0)) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  local_size_ = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", env_int("MPI_LOCALNRANKS", env_int("SLURM_NTASKS_PER_NODE", 1)));
#endif
}

MpiSession::~MpiSession() {
#ifdef SPOTSIM_HAVE_MPI
  if (active_) MPI_Finalize();
#endif
}

bool MpiSession::all_ok(bool ok) const {
#ifdef SPOTSIM_HAVE_MPI
  if (!active_) return ok;
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all == 1;
#else
  return ok;
#endif
}

#ifdef SPOTSIM_HAVE_MPI
namespace {

constexpr int kTagRequest = 1;  // worker → root: int, how many items it wants
constexpr int kTagWork = 2;     // root → worker: int64[] item indices; empty = no more work
constexpr int kTagResult = 3;   // worker → root: double[] of (item, events, metric values...)*

int threads_for(const SweepOptions& options, const MpiSession& s) {
  if (options.threads > 0) return options.threads;
  return std::max(1, default_thread_count() / std::max(1, s.local_size()));
}

// Runs `items` on up to `threads` threads; returns the packed result message.
std::vector<double> run_batch(const SweepPlan& plan, const std::vector<int64_t>& items, int threads) {
  const size_t m = plan.metrics.size();
  std::vector<double> out(items.size() * (2 + m));
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (;;) {
      const size_t k = next.fetch_add(1);
      if (k >= items.size()) return;
      uint64_t events = 0;
      const std::vector<double> v = run_sweep_item(plan, items[k], &events);
      double* row = out.data() + k * (2 + m);
      row[0] = static_cast<double>(items[k]);
      row[1] = static_cast<double>(events);
      std::copy(v.begin(), v.end(), row + 2);
    }
  };
  const int n = static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), items.size()));
  if (n <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < n; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  return out;
}

void worker_loop(const SweepPlan& plan, int threads) {
  for (;;) {
    int want = threads;
    MPI_Send(&want, 1, MPI_INT, 0, kTagRequest, MPI_COMM_WORLD);
    MPI_Status st;
    MPI_Probe(0, kTagWork, MPI_COMM_WORLD, &st);
    int count = 0;
    MPI_Get_count(&st, MPI_INT64_T, &count);
    std::vector<int64_t> items(static_cast<size_t>(count));
    MPI_Recv(items.data(), count, MPI_INT64_T, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (items.empty()) return;
    std::vector<double> msg = run_batch(plan, items, threads);
    MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_DOUBLE, 0, kTagResult, MPI_COMM_WORLD);
  }
}

SweepResult root_loop(const SweepPlan& plan, const SweepOptions& options, const MpiSession& s, int threads) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t n = static_cast<size_t>(plan.items);
  const size_t m = plan.metrics.size();
  std::vector<std::vector<double>> values(n);
  std::vector<uint64_t> events(n, 0);
  std::vector<char> done(n, 0);
  std::atomic<int64_t> next{0}, finished{0};
  auto cancelled = [&]() { return options.cancel && options.cancel->load(); };
  auto completed = [&]() {
    const int64_t f = finished.fetch_add(1) + 1;
    if (options.progress) options.progress(f, plan.items);
  };
  auto local_worker = [&]() {
    for (;;) {
      if (cancelled()) return;
      const int64_t i = next.fetch_add(1);
      if (i >= plan.items) return;
      values[static_cast<size_t>(i)] = run_sweep_item(plan, i, &events[static_cast<size_t>(i)]);
      done[static_cast<size_t>(i)] = 1;
      completed();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(local_worker);

  int active_workers = s.size() - 1;
  while (active_workers > 0) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    if (st.MPI_TAG == kTagRequest) {
      int want = 0;
      MPI_Recv(&want, 1, MPI_INT, st.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::vector<int64_t> batch;
      while (!cancelled() && static_cast<int>(batch.size()) < want) {
        const int64_t i = next.fetch_add(1);
        if (i >= plan.items) break;
        batch.push_back(i);
      }
      MPI_Send(batch.data(), static_cast<int>(batch.size()), MPI_INT64_T, st.MPI_SOURCE, kTagWork, MPI_COMM_WORLD);
      if (batch.empty()) --active_workers;
    } else if (st.MPI_TAG == kTagResult) {
      int count = 0;
      MPI_Get_count(&st, MPI_DOUBLE, &count);
      std::vector<double> msg(static_cast<size_t>(count));
      MPI_Recv(msg.data(), count, MPI_DOUBLE, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      for (size_t off = 0; off + 2 + m <= msg.size(); off += 2 + m) {
        const size_t i = static_cast<size_t>(msg[off]);
        if (i >= n) continue;
        events[i] = static_cast<uint64_t>(msg[off + 1]);
        values[i].assign(msg.begin() + static_cast<std::ptrdiff_t>(off + 2),
                         msg.begin() + static_cast<std::ptrdiff_t>(off + 2 + m));
        done[i] = 1;
        completed();
      }
    } else {
      // Unknown tag: receive and drop it so the loop cannot spin on it.
      int count = 0;
      MPI_Get_count(&st, MPI_BYTE, &count);
      std::vector<char> junk(static_cast<size_t>(std::max(count, 0)));
      MPI_Recv(junk.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
  }
  for (auto& t : pool) t.join();
  SweepResult r = assemble_sweep(plan, std::move(values), events, done);
  r.threads = threads;
  r.processes = s.size();
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace
#endif

SweepResult run_sweep_distributed(const SweepPlan& plan, const SweepOptions& options, const MpiSession& session) {
#ifdef SPOTSIM_HAVE_MPI
  if (session.active() && session.size() > 1) {
    const int threads = threads_for(options, session);
    if (session.is_root()) return root_loop(plan, options, session, threads);
    worker_loop(plan, threads);
    SweepResult r;
    r.threads = threads;
    r.processes = session.size();
    return r;
  }
#endif
  SweepResult r = run_sweep(plan, options);
  r.processes = session.size();
  return r;
}

}  // namespace spotsim
