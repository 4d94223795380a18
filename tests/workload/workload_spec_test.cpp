// Parsing the `workloads:` section: strict keys and exact error texts.
#include "tests/workload/workload_helpers.h"

using namespace spotsim;
using namespace spotsim::test;

TEST_CASE("workloads: a batch workload compiles with every key") {
  const auto sc = compile_here(base(4, "", "1d", 1) + R"(checkpoint_store: {throughput: 2GB/s}
workloads:
  train:
    type: batch
    fleet: f
    arrivals: {rate: 3/h, count: 10, start: 1h}
    queue: priority
    job:
      work: {dist: uniform, min: 1h, max: 3h}
      parallelism: 2
      checkpoint: {interval: 20m, write_time: 1m, restore_time: 2m, size: 20GiB, on_notice: true}
      retries: 4
      backoff: 30s
      backoff_factor: 3
      backoff_max: 10m
      idempotent: false
      commit_time: 30s
      deadline: 12h
      priority: 5
)");
  REQUIRE(sc.workloads.size() == 1);
  const WorkloadSpec& w = sc.workloads[0];
  CHECK(w.kind == WorkloadKind::kBatch);
  CHECK(w.batch.arrivals.kind == ArrivalKind::kPoisson);
  CHECK(w.batch.arrivals.rate_per_hour == 3);
  CHECK(w.batch.arrivals.count == 10);
  CHECK(w.batch.queue == QueueDiscipline::kPriority);
  CHECK(w.batch.job.parallelism == 2);
  CHECK(w.batch.job.checkpoint_bytes == 20.0 * 1073741824.0);
  CHECK(w.batch.job.checkpoint_on_notice);
  CHECK(w.batch.job.work.mean() == 7200.0);
  CHECK(!w.batch.job.idempotent);
  CHECK(sc.checkpoint_store.bytes_per_second == 2e9);
}

TEST_CASE("workloads: exact error texts") {
  const std::string b = base(4, "", "1d", 1);
  CHECK(compile_error(b + "workloads:\n  w: {type: batch, fleet: g, job: {work: 1h}}\n") ==
        "test.yaml:11:27: error: workloads.w.fleet: no fleet named \"g\"");
  CHECK(compile_error(b + "workloads:\n  w: {type: bach, fleet: f}\n") ==
        "test.yaml:11:13: error: workloads.w.type: \"bach\" is not one of: batch, service, deadline_job, pipeline "
        "(did you mean \"batch\"?)");
  CHECK(compile_error(b + "workloads:\n  w: {type: batch, fleet: f, job: {work: 1h, paralelism: 2}}\n") ==
        "test.yaml:11:46: error: workloads.w.job.paralelism: unknown key (did you mean \"parallelism\"?); valid keys "
        "here: backoff, backoff_factor, backoff_max, checkpoint, commit_time, deadline, idempotent, parallelism, "
        "priority, retries, work");
  CHECK(compile_error(b + "workloads:\n  w: {type: batch, fleet: f}\n") ==
        "test.yaml:11:6: error: workloads.w.job: missing required key (describe the jobs: work, parallelism, "
        "checkpoint, ...)");
  CHECK(compile_error(
            b + "workloads:\n  w: {type: batch, fleet: f, arrivals: {rate: 1/h, every: 1h}, job: {work: 1h}}\n") ==
        "test.yaml:11:40: error: workloads.w.arrivals: give only one of every, rate, at or trace");
  CHECK(compile_error(b + "workloads:\n  w: {type: batch, fleet: f, job: {work: {dist: gamma, mean: 1h}}}\n") ==
        "test.yaml:11:49: error: workloads.w.job.work.dist: \"gamma\" is not one of: fixed, exponential, uniform, "
        "lognormal");
  CHECK(compile_error(b + "checkpoint_store: {throughput: 5 parsecs/s}\n") ==
        "test.yaml:10:32: error: checkpoint_store.throughput: unknown size unit \"parsecs\" in \"5 parsecs/s\" (use B, "
        "KB, "
        "MB, GB, TB, KiB, MiB, GiB or TiB)");
  CHECK(
      compile_error(b + "workloads:\n  d: {type: deadline_job, trace: nope.csv, work: 10h, deadline: 5h, pool: p}\n") ==
      "test.yaml:11:34: error: workloads.d.trace: cannot open trace file \"nope.csv\" (paths are relative to the "
      "scenario file)\n"
      "test.yaml:11:65: error: workloads.d.deadline: is shorter than work: no policy can meet it");
}

TEST_CASE("workloads: pipeline stages are checked for unknown names and cycles") {
  const std::string b = base(4, "", "1d", 1);
  CHECK(compile_error(b + R"(workloads:
  p:
    type: pipeline
    fleet: f
    stages:
      a: {job: {work: 1h}, after: [c]}
      b: {job: {work: 1h}, after: [a]}
      c: {job: {work: 1h}, after: [b]}
)") == "test.yaml:15:7: error: workloads.p.stages: the stages' `after` links form a cycle; a pipeline must be a DAG");
  CHECK(compile_error(b + R"(workloads:
  p:
    type: pipeline
    fleet: f
    stages:
      a: {job: {work: 1h}}
      b: {job: {work: 1h}, after: [aa]}
)") == "test.yaml:16:35: error: workloads.p.stages.b.after: no stage named \"aa\"");
  const auto sc = compile_here(b + R"(workloads:
  p:
    type: pipeline
    fleet: f
    stages:
      load: {job: {work: 1h}, after: [transform]}
      transform: {jobs: 3, job: {work: 1h}, after: [extract]}
      extract: {jobs: 2, job: {work: 1h}}
)");
  const auto& st = sc.workloads[0].pipeline.stages;
  REQUIRE(st.size() == 3);
  CHECK(st[0].name == "extract");
  CHECK(st[1].name == "transform");
  CHECK(st[2].name == "load");
  CHECK(st[2].after == std::vector<uint32_t>{1});
}

TEST_CASE("workloads: byte and throughput units") {
  CHECK(*parse_bytes("20GB") == 20e9);
  CHECK(*parse_bytes("512MiB") == 512.0 * 1048576.0);
  CHECK(*parse_bytes("1e9") == 1e9);
  CHECK(*parse_bytes_per_second("200MB/s") == 200e6);
  CHECK(!parse_bytes_per_second("200MB").is_ok());
  CHECK(parse_bytes_per_second("200MB").status().message() == "expected a throughput like 1GB/s, found \"200MB\"");
}
