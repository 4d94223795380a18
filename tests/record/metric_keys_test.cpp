// Typed metric keys (sim/model/metric_key.h): one text form, parsed in one place, and every metric
// a run reports reaches its report row and its HDF5 datasets (a renamed metric fails here instead
// of silently dropping its row).
#include <catch2/catch.hpp>

#include <algorithm>
#include <dirent.h>
#include <fstream>
#include <random>
#include <set>

#include "sim/model/metric_key.h"
#include "sim/record/hdf5_reader.h"
#include "sim/record/hdf5_recorder.h"
#include "sim/record/hdf5_writer.h"
#include "sim/record/report.h"
#include "sim/run/replication_models.h"
#include "sim/run/runner.h"

using namespace spotsim;

namespace {

// The .yaml files under `dir` (and its subfolders when `recurse`), sorted.
std::vector<std::string> yaml_files(const std::string& dir, bool recurse) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      if (recurse && e->d_type == DT_DIR) {
        for (std::string& f : yaml_files(dir + "/" + n, true)) out.push_back(std::move(f));
      } else if (n.size() > 5 && n.substr(n.size() - 5) == ".yaml") {
        out.push_back(dir + "/" + n);
      }
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> library_scenarios() {
  return yaml_files(std::string(SPOTSIM_SOURCE_DIR) + "/scenarios", false);
}

// The scenarios among examples/ (files with a top-level `fleets:`; the rest are game-day plans,
// inventories and Kubernetes manifests).
std::vector<std::string> example_scenarios() {
  std::vector<std::string> out;
  for (const std::string& path : yaml_files(std::string(SPOTSIM_SOURCE_DIR) + "/examples", true)) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("fleets:", 0) == 0) {
        out.push_back(path);
        break;
      }
    }
  }
  return out;
}

CompiledScenario load(const std::string& path) {
  auto sc = load_checked_scenario(path);
  if (!sc) FAIL(sc.status().message());
  return std::move(sc).value();
}

}  // namespace

TEST_CASE("a metric key's text and its parse are inverse, for every group", "[metric_key]") {
  const MetricKey keys[] = {
      MetricOwner{MetricGroup::kFleet, "web"} + "interruptions",
      MetricOwner{MetricGroup::kPool, "m5-1a"} + suffixed("time_to_reschedule", metric_suffix::kP95),
      MetricOwner{MetricGroup::kWorkload, "jobs"} + "jobs_completed",
      MetricOwner{MetricGroup::kRegion, "us-east-1"} + "throttled",
      MetricOwner{MetricGroup::kChaos, "storm"} + "evicted",
      MetricOwner{MetricGroup::kFleet, "a.b"} + "cost",  // an owner with a dot
      run_metric(MetricGroup::kCost, "total"),
      run_metric(MetricGroup::kK8s, suffixed("pending_pods", metric_suffix::kMean)),
  };
  CHECK(keys[0].to_string() == "fleet.web.interruptions");
  CHECK(keys[1].to_string() == "pool.m5-1a.time_to_reschedule_p95");
  CHECK(keys[5].to_string() == "fleet.a.b.cost");
  CHECK(keys[6].to_string() == "cost.total");
  CHECK(keys[7].to_string() == "k8s.pending_pods_mean");
  CHECK(MetricOwner{MetricGroup::kChaos, "storm"}.to_string() == "chaos.storm");
  for (const MetricKey& k : keys) {
    INFO(k.to_string());
    const auto back = MetricKey::parse(k.to_string());
    REQUIRE(back);
    CHECK(*back == k);
  }
}

TEST_CASE("text that is not a metric key does not parse", "[metric_key]") {
  for (const char* bad : {"", ".", "fleet", "fleet.", "fleet.web", "fleet..x", "fleet.web.", "nogroup.a.b", "cost.",
                          "cost.a.b", "k8s.x.y", "Fleet.web.interruptions", ".web.x"}) {
    INFO(bad);
    CHECK_FALSE(MetricKey::parse(bad));
  }
}

TEST_CASE("parsing garbage never crashes and whatever parses prints back the same", "[metric_key][fuzz]") {
  std::mt19937_64 rng(17);
  const std::string alphabet = "fleetpoolworkloadregionchaoscostk8s._-x";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const size_t n = rng() % 24;
    for (size_t k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    if (rng() % 4 == 0)
      s = std::string(metric_group_name(static_cast<MetricGroup>(rng() % kMetricGroupCount))) + "." + s;
    const auto key = MetricKey::parse(s);
    if (key) CHECK(key->to_string() == s);
  }
}

TEST_CASE("a statistic reference splits at its last dot", "[metric_key]") {
  const MetricStatText a = split_metric_statistic("fleet.web.availability_pct.p95");
  CHECK(a.has_statistic);
  CHECK(a.metric == "fleet.web.availability_pct");
  CHECK(a.statistic == "p95");
  const MetricStatText b = split_metric_statistic("cost");
  CHECK_FALSE(b.has_statistic);
  CHECK(b.metric == "cost");
}

TEST_CASE("a name is a statistic of its base only with one of the suffixes", "[metric_key]") {
  CHECK(is_statistic_of("time_to_reschedule", "time_to_reschedule"));
  CHECK(is_statistic_of("time_to_reschedule_p95", "time_to_reschedule"));
  CHECK(is_statistic_of("time_to_reschedule_max", "time_to_reschedule"));
  CHECK(is_statistic_of("time_to_reschedule_mean", "time_to_reschedule"));
  CHECK_FALSE(is_statistic_of("time_to_reschedule_p50", "time_to_reschedule"));
  CHECK_FALSE(is_statistic_of("time_to_reschedule2", "time_to_reschedule"));
  CHECK_FALSE(is_statistic_of("time_to", "time_to_reschedule"));
  CHECK_FALSE(is_statistic_of("interruptions", "time_to_reschedule"));
}

TEST_CASE("the metric table declared from the scenario is what a run of every library and example scenario registers",
          "[metric_key]") {
  std::vector<std::string> paths = library_scenarios();
  const std::vector<std::string> examples = example_scenarios();
  REQUIRE(paths.size() >= 10);
  REQUIRE(examples.size() >= 4);
  paths.insert(paths.end(), examples.begin(), examples.end());
  for (const std::string& path : paths) {
    INFO(path);
    CompiledScenario sc = load(path);
    const std::vector<MetricDef> declared = replication_metric_defs(sc);
    // Every model of a replication, Lua policies and chaos included, as a run builds them.
    ReplicationModels models(sc, 0);
    const std::vector<MetricDef>& registered = models.world().metrics().defs();
    REQUIRE(declared.size() == registered.size());
    for (size_t i = 0; i < declared.size(); ++i) {
      INFO(i << ": " << registered[i].name);
      CHECK(declared[i].key == registered[i].key);
      CHECK(declared[i].name == registered[i].name);
      CHECK(declared[i].unit == registered[i].unit);
      CHECK(declared[i].help == registered[i].help);
    }
    // And a replication's values have one entry per declared metric (one simulated hour is enough:
    // models register their metrics when they are built, never later).
    sc.duration = std::min(sc.duration, Duration::seconds(3600));
    CHECK(run_replication(sc, sc.seed, 0).size() == declared.size());
  }
}

TEST_CASE("every library scenario registers each metric the text report reads, under keys that round-trip",
          "[metric_key][report]") {
  const auto paths = library_scenarios();
  REQUIRE(paths.size() >= 10);
  for (const std::string& path : paths) {
    INFO(path);
    const CompiledScenario sc = load(path);
    const std::vector<MetricDef> defs = replication_metric_defs(sc);
    for (const MetricKey& k : report_metric_keys(sc)) {
      INFO("the text report reads " << k.to_string());
      CHECK(find_metric(defs, k) >= 0);
    }
    std::set<std::string> names;
    for (const MetricDef& d : defs) {
      INFO(d.name);
      CHECK(names.insert(d.name).second);  // no metric twice
      const auto back = MetricKey::parse(d.name);
      REQUIRE(back);
      CHECK(*back == d.key);
    }
  }
}

TEST_CASE("every metric of a run has its report row, its JSON key and its HDF5 summary row and time series",
          "[metric_key][report][record]") {
  // Scenarios that between them have fleets, pools, workloads of every kind, Kubernetes, regions
  // with shared limits and chaos.
  for (const char* name :
       {"k8s-spot-node-pool.yaml", "service-error-budget.yaml", "zone-storm.yaml", "deadline-job-trace.yaml",
        "batch-checkpoint-resume.yaml", "capacity-cliff-family.yaml", "fallback-overload.yaml"}) {
    INFO(name);
    CompiledScenario sc = load(std::string(SPOTSIM_SOURCE_DIR) + "/scenarios/" + name);
    sc.replications = 1;
    const std::vector<MetricDef> defs = replication_metric_defs(sc);
    const std::vector<SeriesDef> series = timeseries_defs(sc, defs);
    Recorders<Hdf5Recorder> recorders(hdf5_recorders(series, schema::RecordLevel::kTimeseries));
    RunOptions opt;
    opt.threads = 1;
    opt.observers = recorders.factory();
    auto r = run_scenario(sc, opt);
    REQUIRE(r);
    REQUIRE(r->metrics.size() == defs.size());

    // Text: each workload, region and chaos metric is a row (or an entry) of its owner's section.
    const std::string text = run_to_text(sc, *r);
    for (const MetricDef& d : defs) {
      const MetricGroup g = d.key.group;
      if (g != MetricGroup::kWorkload && g != MetricGroup::kRegion && g != MetricGroup::kChaos) continue;
      INFO(d.name);
      const std::string section = g == MetricGroup::kWorkload ? "workload " + d.key.owner + " "
                                  : g == MetricGroup::kRegion ? "region " + d.key.owner + " "
                                                              : "  " + d.key.owner + ": ";
      const size_t at = text.find(section);
      REQUIRE(at != std::string::npos);
      const size_t end = text.find("\n\n", at);
      CHECK(text.substr(at, end - at).find("  " + d.key.name) != std::string::npos);
    }
    // JSON: every metric under its text.
    const nlohmann::json j = run_to_json(sc, *r);
    for (const MetricDef& d : defs) CHECK(j["metrics"].contains(d.name));

    // HDF5: a summary row per metric, a time series per count metric of a fleet, pool or workload.
    const std::string path = std::string(SPOTSIM_BINARY_DIR) + "/metric_keys_" + sc.name + ".h5";
    REQUIRE(write_run_file(path, sc, *r, RunFileInfo{"test", schema::RecordLevel::kTimeseries}, recorders.completed(*r))
                .is_ok());
    auto f = open_run_file(path);
    REQUIRE(f);
    auto rows = read_metric_summary(*f);
    REQUIRE(rows);
    REQUIRE(rows->size() == defs.size());
    for (size_t i = 0; i < defs.size(); ++i) CHECK((*rows)[i].name == defs[i].name);
    for (const MetricDef& d : defs) {
      const MetricGroup g = d.key.group;
      if (d.unit != MetricUnit::kCount ||
          (g != MetricGroup::kFleet && g != MetricGroup::kPool && g != MetricGroup::kWorkload)) {
        continue;
      }
      const std::string ds = std::string("/timeseries/") + metric_group_name(g) + "/" + d.key.owner + "/" + d.key.name;
      INFO(ds);
      CHECK(has_path(*f, ds));
    }
    std::remove(path.c_str());
  }
}
