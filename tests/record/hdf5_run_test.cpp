// spotsim run --out: what is written is what was run, read back with the HDF5 library.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <dirent.h>

#include <H5Cpp.h>

#include "sim/record/hdf5_reader.h"
#include "sim/record/hdf5_recorder.h"
#include "sim/record/hdf5_writer.h"
#include "sim/run/runner.h"

using namespace spotsim;

namespace {

const char* kScenario = R"(spotsim: 1
name: record-test
seed: 9
replications: 3
duration: 2d
sample_interval: 1h
pools:
  a: {provider: aws, region: us-east-1, zone: us-east-1a, instance_type: m5.xlarge, spot_price: 0.06, on_demand_price: 0.192, capacity: 30, interruption: {rate: 0.2/h}}
  b: {provider: aws, region: us-east-1, zone: us-east-1b, instance_type: m5.xlarge, spot_price: 0.07, on_demand_price: 0.192, capacity: 30, interruption: {rate: 0.1/h}}
fleets:
  web: {pools: [a, b], target: 20, boot_time: 90s}
  batch: {pools: [b], target: 5, boot_time: 2m}
)";

CompiledScenario scenario() {
  auto sc = compile_scenario(kScenario, "record-test.yaml");
  REQUIRE(sc);
  return *sc;
}

std::string out_path(const std::string& name) { return std::string(SPOTSIM_BINARY_DIR) + "/" + name; }

struct Recorded {
  CompiledScenario sc;
  RunResult result;
  std::vector<SeriesDef> series;
  size_t recorded = 0;  // replications that had a recorder
};

Recorded run_and_write(const std::string& path, schema::RecordLevel level, int threads = 2) {
  Recorded r{scenario(), {}, {}, 0};
  r.series = timeseries_defs(r.sc, replication_metric_defs(r.sc));
  Recorders<Hdf5Recorder> recorders(hdf5_recorders(r.series, level));
  RunOptions opt;
  opt.threads = threads;
  opt.observers = recorders.factory();
  auto res = run_scenario(r.sc, opt);
  REQUIRE(res);
  r.result = std::move(*res);
  const std::vector<const Hdf5Recorder*> recs = recorders.completed(r.result);
  for (const Hdf5Recorder* rec : recs) r.recorded += rec != nullptr;
  Status st = write_run_file(path, r.sc, r.result, RunFileInfo{"spotsim run record-test.yaml --out x.h5", level}, recs);
  REQUIRE(st.is_ok());
  return r;
}

double metric(const RunResult& r, size_t rep, const std::string& name) {
  const int i = r.metric_index(name);
  REQUIRE(i >= 0);
  return r.per_replication[rep][static_cast<size_t>(i)];
}

}  // namespace

TEST_CASE("a full recording holds the run's meta, summary, time series, events and VM lifetimes", "[record]") {
  const std::string path = out_path("record_full.h5");
  Recorded rec = run_and_write(path, schema::RecordLevel::kFull);
  const RunResult& r = rec.result;
  auto f = open_run_file(path);
  REQUIRE(f);
  CHECK(f->kind == "run");

  // /meta
  CHECK(*read_string_attribute(*f, "/meta", "scenario_name") == "record-test");
  CHECK(*read_string_attribute(*f, "/meta", "record_level") == "full");
  CHECK(*read_string_attribute(*f, "/meta", "command_line") == "spotsim run record-test.yaml --out x.h5");
  CHECK(*read_int_attribute(*f, "/meta", "seed") == 9);
  CHECK(*read_int_attribute(*f, "/meta", "replications") == 3);
  CHECK(*read_int_attribute(*f, "/meta", "replications_completed") == 3);
  CHECK(*read_int_attribute(*f, "/meta", "events") == static_cast<int64_t>(r.events));
  CHECK(*read_double_attribute(*f, "/meta", "sample_interval_s") == 3600.0);
  CHECK(*read_string(*f, "/meta/scenario_text") == kScenario);
  CHECK(*read_string_table(*f, "/meta/pools") == std::vector<std::string>{"a", "b"});
  CHECK(*read_string_table(*f, "/meta/fleets") == std::vector<std::string>{"web", "batch"});
  CHECK(read_string_table(*f, "/meta/workloads")->empty());
  const auto kinds = *read_string_table(*f, "/meta/event_kinds");
  REQUIRE(kinds.size() >= 6);
  CHECK(kinds[3] == "eviction");

  // /summary: the same numbers as the RunResult (and so as --json)
  auto summary = read_metric_summary(*f);
  REQUIRE(summary);
  REQUIRE(summary->size() == r.metrics.size());
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    CHECK((*summary)[m].name == r.metrics[m].name);
    CHECK((*summary)[m].unit == metric_unit_name(r.metrics[m].unit));
    CHECK((*summary)[m].mean == r.stats[m].mean);
    CHECK((*summary)[m].p95 == r.stats[m].p95);
    CHECK((*summary)[m].n == 3);
  }
  auto per = read_doubles(*f, "/summary/per_replication");
  REQUIRE(per);
  REQUIRE(per->dims == std::vector<uint64_t>{3, r.metrics.size()});
  for (size_t k = 0; k < 3; ++k) {
    for (size_t m = 0; m < r.metrics.size(); ++m) CHECK(per->at(k, m) == r.per_replication[k][m]);
  }
  CHECK(*read_ints(*f, "/summary/replications") == std::vector<int64_t>{0, 1, 2});

  // /events: eviction rows per replication == the interruptions metrics
  auto events = read_events(*f);
  REQUIRE(events);
  std::vector<int64_t> evictions(3, 0), launches(3, 0);
  double last_time = -1;
  uint32_t last_rep = 0;
  for (const auto& e : *events) {
    REQUIRE(e.replication < 3);
    if (e.replication == last_rep) CHECK(e.time >= last_time);  // time order within a replication
    CHECK(e.replication >= last_rep);
    last_rep = e.replication;
    last_time = e.time;
    if (e.kind == 3) ++evictions[e.replication];
    if (e.kind == 0) ++launches[e.replication];
  }
  for (size_t k = 0; k < 3; ++k) {
    CHECK(evictions[k] > 0);
    CHECK(static_cast<double>(evictions[k]) ==
          metric(r, k, "fleet.web.interruptions") + metric(r, k, "fleet.batch.interruptions"));
    CHECK(static_cast<double>(evictions[k]) ==
          metric(r, k, "pool.a.interruptions") + metric(r, k, "pool.b.interruptions"));
  }

  // /vms: one row per launch; evicted rows end at an eviction after their notice
  auto vms = read_vms(*f);
  REQUIRE(vms);
  std::vector<int64_t> vm_rows(3, 0), vm_evicted(3, 0);
  for (const auto& v : *vms) {
    ++vm_rows[v.replication];
    CHECK(v.purchase == 0);
    CHECK(v.end <= 2 * 86400.0);
    if (v.evicted) {
      ++vm_evicted[v.replication];
      REQUIRE_FALSE(std::isnan(v.notice));
      CHECK(v.end - v.notice == Approx(120.0));  // AWS notice
    } else {
      CHECK(v.end == 2 * 86400.0);
    }
  }
  for (size_t k = 0; k < 3; ++k) {
    CHECK(vm_rows[k] == launches[k]);
    CHECK(vm_evicted[k] == evictions[k]);
  }

  // /timeseries: [replications][samples], every hour of 2 days
  auto t = read_doubles(*f, "/timeseries/time");
  REQUIRE(t);
  REQUIRE(t->values.size() == 49);
  CHECK(t->values[1] == 3600.0);
  auto running = read_doubles(*f, "/timeseries/fleet/web/running");
  REQUIRE(running);
  REQUIRE(running->dims == std::vector<uint64_t>{3, 49});
  CHECK(running->at(0, 0) == 20.0);  // warm start
  CHECK(*read_string_attribute(*f, "/timeseries/fleet/web/running", "unit") == "count");
  auto cum = read_doubles(*f, "/timeseries/fleet/web/interruptions");
  REQUIRE(cum);
  for (size_t k = 0; k < 3; ++k) {
    CHECK(cum->at(k, 0) == 0.0);
    for (size_t s = 1; s < 49; ++s) CHECK(cum->at(k, s) >= cum->at(k, s - 1));
    CHECK(cum->at(k, 48) <= metric(r, k, "fleet.web.interruptions"));
  }
  CHECK(has_path(*f, "/timeseries/pool/b/in_use"));
  CHECK(has_path(*f, "/timeseries/pool/b/capacity"));
  // Running VMs per pool and purchase type add up to the fleets' running VMs at every sample.
  {
    std::vector<DoubleArray> parts;
    for (const char* pool : {"a", "b"}) {
      for (const char* m : {"running_spot", "running_on_demand"}) {
        auto a = read_doubles(*f, std::string("/timeseries/pool/") + pool + "/" + m);
        REQUIRE(a);
        REQUIRE(a->dims == std::vector<uint64_t>{3, 49});
        parts.push_back(*a);
      }
    }
    auto batch = read_doubles(*f, "/timeseries/fleet/batch/running");
    REQUIRE(batch);
    for (size_t k = 0; k < 3; ++k) {
      for (size_t s = 0; s < 49; ++s) {
        double sum = 0;
        for (const auto& p : parts) sum += p.at(k, s);
        CHECK(sum == running->at(k, s) + batch->at(k, s));
      }
    }
  }

  // always-present tables
  CHECK(read_jobs(*f)->empty());
  CHECK(read_chaos_intervals(*f)->empty());
  CHECK(read_expectations(*f)->empty());
  std::remove(path.c_str());
}

TEST_CASE("a summary recording attaches no recorder and still has every dataset", "[record]") {
  const std::string path = out_path("record_summary.h5");
  CHECK_FALSE(hdf5_recorders({}, schema::RecordLevel::kSummary));
  Recorded rec = run_and_write(path, schema::RecordLevel::kSummary);
  CHECK(rec.recorded == 0);
  auto f = open_run_file(path);
  REQUIRE(f);
  CHECK(*read_string_attribute(*f, "/meta", "record_level") == "summary");
  CHECK(read_events(*f)->empty());
  CHECK(read_vms(*f)->empty());
  CHECK(read_jobs(*f)->empty());
  CHECK(read_doubles(*f, "/timeseries/time")->values.empty());
  CHECK(*list_group(*f, "/timeseries") == std::vector<std::string>{"time"});
  CHECK(read_metric_summary(*f)->size() == rec.result.metrics.size());
  std::remove(path.c_str());
}

TEST_CASE("the events level records events and jobs but not VM lifetimes", "[record]") {
  const std::string path = out_path("record_events.h5");
  run_and_write(path, schema::RecordLevel::kEvents);
  auto f = open_run_file(path);
  REQUIRE(f);
  CHECK_FALSE(read_events(*f)->empty());
  CHECK(read_vms(*f)->empty());
  CHECK(read_doubles(*f, "/timeseries/time")->values.size() == 49);
  std::remove(path.c_str());
}

TEST_CASE("recorded tables do not depend on the thread count", "[record]") {
  const std::string p1 = out_path("record_t1.h5"), p2 = out_path("record_t3.h5");
  run_and_write(p1, schema::RecordLevel::kFull, 1);
  run_and_write(p2, schema::RecordLevel::kFull, 3);
  auto a = open_run_file(p1), b = open_run_file(p2);
  REQUIRE(a);
  REQUIRE(b);
  auto ea = *read_events(*a), eb = *read_events(*b);
  REQUIRE(ea.size() == eb.size());
  for (size_t i = 0; i < ea.size(); ++i) {
    CHECK(ea[i].time == eb[i].time);
    CHECK(ea[i].vm == eb[i].vm);
    CHECK(ea[i].kind == eb[i].kind);
  }
  CHECK(read_doubles(*a, "/timeseries/pool/a/in_use")->values == read_doubles(*b, "/timeseries/pool/a/in_use")->values);
  CHECK(read_doubles(*a, "/summary/per_replication")->values == read_doubles(*b, "/summary/per_replication")->values);
  std::remove(p1.c_str());
  std::remove(p2.c_str());
}

namespace {
// A workload stand-in: reports two jobs through RunObserver::on_job when the replication ends.
class JobReportingRecorder : public Hdf5Recorder {
 public:
  using Hdf5Recorder::Hdf5Recorder;
  void on_finish(const std::vector<double>&) override {
    JobSignal done;
    done.job = 7;
    done.workload = 0;
    done.fleet = 1;
    done.checkpoints = 3;
    done.evictions = 1;
    done.submit = 10;
    done.start = 20;
    done.finish = 500;
    done.lost_work = 42.5;
    done.vm = 12;
    done.last_start = 300;
    on_job(done);
    JobSignal open;
    open.job = 8;
    open.submit = 30;
    on_job(open);
    JobRunSignal cut;  // job 7's first run, cut short on VM 11
    cut.job = 7;
    cut.workload = 0;
    cut.fleet = 1;
    cut.vm = 11;
    cut.outcome = JobRunOutcome::kLost;
    cut.start = 20;
    cut.end = 250;
    on_job_run(cut);
  }
};
}  // namespace

TEST_CASE("jobs reported through on_job land in /jobs with NaN for what did not happen", "[record]") {
  const std::string path = out_path("record_jobs.h5");
  CompiledScenario sc = scenario();
  const auto series = timeseries_defs(sc, replication_metric_defs(sc));
  RunOptions opt;
  opt.threads = 2;
  opt.replications = 2;
  Recorders<Hdf5Recorder> recorders([&](int64_t rep) -> std::unique_ptr<Hdf5Recorder> {
    return std::make_unique<JobReportingRecorder>(series, schema::RecordLevel::kEvents, rep);
  });
  opt.observers = recorders.factory();
  auto res = run_scenario(sc, opt);
  REQUIRE(res);
  REQUIRE(
      write_run_file(path, sc, *res, RunFileInfo{"", schema::RecordLevel::kEvents}, recorders.completed(*res)).is_ok());
  auto f = open_run_file(path);
  REQUIRE(f);
  auto jobs = read_jobs(*f);
  REQUIRE(jobs);
  REQUIRE(jobs->size() == 4);
  CHECK((*jobs)[0].replication == 0);
  CHECK((*jobs)[0].job == 7);
  CHECK((*jobs)[0].checkpoints == 3);
  CHECK((*jobs)[0].lost_work == 42.5);
  CHECK((*jobs)[0].vm == 12);
  CHECK((*jobs)[0].last_start == 300);
  CHECK((*jobs)[1].job == 8);
  CHECK((*jobs)[1].workload == schema::kNone16);
  CHECK((*jobs)[1].vm == schema::kNone32);
  CHECK(std::isnan((*jobs)[1].finish));
  CHECK(std::isnan((*jobs)[1].start));
  CHECK(std::isnan((*jobs)[1].last_start));
  CHECK((*jobs)[2].replication == 1);
  auto runs = read_job_runs(*f);
  REQUIRE(runs);
  REQUIRE(runs->size() == 2);
  CHECK((*runs)[0].replication == 0);
  CHECK((*runs)[0].job == 7);
  CHECK((*runs)[0].vm == 11);
  CHECK((*runs)[0].outcome == static_cast<uint8_t>(schema::JobRunOutcome::kLost));
  CHECK((*runs)[0].start == 20);
  CHECK((*runs)[0].end == 250);
  CHECK((*runs)[1].replication == 1);
  std::remove(path.c_str());
}

TEST_CASE("a /jobs table written before jobs had vm and last_start reads with none and NaN", "[record]") {
  const std::string path = out_path("record_old_jobs.h5");
  CompiledScenario sc = scenario();
  auto res = run_scenario(sc, RunOptions{});
  REQUIRE(res);
  REQUIRE(write_run_file(path, sc, *res, RunFileInfo{"", schema::RecordLevel::kEvents}).is_ok());
  // Same schema version: replace /jobs by a table of the older row type.
  {
    struct OldJob {
      uint32_t replication, job;
      uint16_t workload, fleet;
      uint32_t checkpoints, evictions;
      double submit, start, finish, lost_work;
    };
    H5::CompType t(sizeof(OldJob));
    t.insertMember("replication", HOFFSET(OldJob, replication), H5::PredType::NATIVE_UINT32);
    t.insertMember("job", HOFFSET(OldJob, job), H5::PredType::NATIVE_UINT32);
    t.insertMember("workload", HOFFSET(OldJob, workload), H5::PredType::NATIVE_UINT16);
    t.insertMember("fleet", HOFFSET(OldJob, fleet), H5::PredType::NATIVE_UINT16);
    t.insertMember("checkpoints", HOFFSET(OldJob, checkpoints), H5::PredType::NATIVE_UINT32);
    t.insertMember("evictions", HOFFSET(OldJob, evictions), H5::PredType::NATIVE_UINT32);
    t.insertMember("submit", HOFFSET(OldJob, submit), H5::PredType::NATIVE_DOUBLE);
    t.insertMember("start", HOFFSET(OldJob, start), H5::PredType::NATIVE_DOUBLE);
    t.insertMember("finish", HOFFSET(OldJob, finish), H5::PredType::NATIVE_DOUBLE);
    t.insertMember("lost_work", HOFFSET(OldJob, lost_work), H5::PredType::NATIVE_DOUBLE);
    const OldJob row{0, 5, 0, 1, 2, 1, 10, 20, 500, 7.5};
    H5::H5File file(path, H5F_ACC_RDWR);
    file.unlink(schema::kJobs);
    hsize_t n = 1;
    H5::DataSpace space(1, &n);
    file.createDataSet(schema::kJobs, t, space).write(&row, t);
  }
  auto old = open_run_file(path);
  REQUIRE(old);
  auto old_jobs = read_jobs(*old);
  REQUIRE(old_jobs);
  REQUIRE(old_jobs->size() == 1);
  CHECK((*old_jobs)[0].job == 5);
  CHECK((*old_jobs)[0].finish == 500);
  CHECK((*old_jobs)[0].lost_work == 7.5);
  CHECK((*old_jobs)[0].vm == schema::kNone32);
  CHECK(std::isnan((*old_jobs)[0].last_start));
  std::remove(path.c_str());
}

TEST_CASE("an interrupted run records the completed replications and says it was cancelled", "[record]") {
  const std::string path = out_path("record_cancelled.h5");
  CompiledScenario sc = scenario();
  std::atomic<bool> cancel{true};
  RunOptions opt;
  opt.cancel = &cancel;
  auto res = run_scenario(sc, opt);
  REQUIRE(res);
  REQUIRE(write_run_file(path, sc, *res, RunFileInfo{}).is_ok());
  auto f = open_run_file(path);
  REQUIRE(f);
  CHECK(*read_int_attribute(*f, "/meta", "cancelled") == 1);
  CHECK(*read_int_attribute(*f, "/meta", "replications_completed") == 0);
  CHECK(read_doubles(*f, "/summary/per_replication")->dims == std::vector<uint64_t>{0, res->metrics.size()});
  std::remove(path.c_str());
}

TEST_CASE("a file that cannot be written is an I/O error and leaves nothing behind", "[record]") {
  const std::string dir = out_path("record_no_such_dir");
  const std::string path = dir + "/run.h5";
  CompiledScenario sc = scenario();
  RunOptions opt;
  opt.replications = 1;
  auto res = run_scenario(sc, opt);
  REQUIRE(res);
  Status st = write_run_file(path, sc, *res, RunFileInfo{});
  REQUIRE_FALSE(st.is_ok());
  CHECK(st.code() == StatusCode::kIo);
  CHECK(st.message().rfind(path + ": error: cannot write the HDF5 file: ", 0) == 0);
  DIR* d = opendir(dir.c_str());
  CHECK(d == nullptr);
  if (d) closedir(d);
}
