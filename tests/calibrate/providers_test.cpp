// GCP and Azure importers on fixtures in their published shapes, and the availability trace JSON.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/input.h"
#include "sim/calibrate/sources.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/trace_file.h"

using namespace spotsim;
using namespace spotsim::calibrate;

namespace {
std::string data(const std::string& name) { return std::string(SPOTSIM_SOURCE_DIR) + "/tests/data/calibrate/" + name; }
int64_t ts(const char* s) { return *parse_timestamp_us(s); }
const PoolCalibration* pool(const Calibration& c, const std::string& name) {
  for (const auto& p : c.pools) {
    if (p.name == name) return &p;
  }
  return nullptr;
}
}  // namespace

TEST_CASE("GCP audit log export: compute.instances.preempted entries", "[calibrate][events][gcp]") {
  EventLog log;
  REQUIRE(read_events(data("gcp-preempted.json"), log));
  CHECK(log.duplicates == 1);  // same insertId twice
  CHECK(log.other == 1);       // an instances.insert entry
  REQUIRE(log.events.size() == 2);
  CHECK(log.events[0].instance == "4716382910234567001");
  CHECK(log.events[0].alt_instance == "batch-worker-1");
  CHECK(log.events[0].zone == "us-central1-a");
  CHECK(log.events[0].region == "us-central1");
  CHECK(log.events[0].t_us == ts("2026-01-04T07:12:32.811Z"));
  // No resource labels: the name and zone come from protoPayload.resourceName.
  CHECK(log.events[1].instance == "batch-worker-2");
  CHECK(log.events[1].zone == "us-central1-b");
  CHECK(log.events[1].t_us == ts("2026-01-07T06:40:05.5Z"));  // written -08:00

  Options opt;
  opt.event_files = {data("gcp-preempted.json")};
  opt.inventory_file = data("inventory-gcp.csv");
  auto cal = run_calibration(opt);
  REQUIRE(cal);
  const auto* a = pool(*cal, "n2-standard-8-us-central1-a");
  REQUIRE(a);
  CHECK(a->provider == "gcp");
  CHECK(a->region == "us-central1");
  CHECK(a->estimate.events == 1);  // matched by instance id
  const auto* b = pool(*cal, "n2-standard-8-us-central1-b");
  REQUIRE(b);
  CHECK(b->estimate.events == 1);  // matched by name
}

TEST_CASE("Azure Activity Log: one eviction per operation, other operations ignored", "[calibrate][events][azure]") {
  EventLog log;
  REQUIRE(read_events(data("azure-activity-log.json"), log));
  REQUIRE(log.events.size() == 1);  // Started and Succeeded records of one operation
  CHECK(log.duplicates == 1);
  CHECK(log.other == 1);  // a start action
  CHECK(log.events[0].alt_instance == "spot-vm-1");
  CHECK(log.events[0].t_us == ts("2026-01-04T07:12:02.123456Z"));  // 7 fractional digits
}

TEST_CASE("Azure Scheduled Events: Preempt events, deduplicated across polls", "[calibrate][events][azure]") {
  EventLog log;
  REQUIRE(read_events(data("azure-scheduled-events.jsonl"), log));
  REQUIRE(log.events.size() == 1);
  CHECK(log.duplicates == 1);
  CHECK(log.events[0].instance == "spot-vm-2");
  CHECK(log.events[0].t_us == ts("2026-01-06T15:30:30Z"));  // NotBefore in RFC 1123
  CHECK(log.events[0].line == 2);

  Options opt;
  opt.event_files = {data("azure-activity-log.json"), data("azure-scheduled-events.jsonl")};
  opt.inventory_file = data("inventory-azure.csv");
  opt.azure_eviction_file = data("azure-eviction-rates.json");
  opt.azure_price_files = {data("azure-spot-prices.json")};
  auto cal = run_calibration(opt);
  REQUIRE(cal);
  REQUIRE(cal->pools.size() == 1);
  const auto& p = cal->pools[0];
  CHECK(p.name == "standard_d2s_v4-eastus");
  CHECK(p.provider == "azure");
  CHECK(p.region == "eastus");
  CHECK(p.estimate.events == 2);
  CHECK(p.estimate.exposure_h == Approx(79 + 13.0 / 60 + 110 + 135 + 31.0 / 60));
  REQUIRE(p.band);
  CHECK(p.band->label == "0-5");
  // Linux prices in the period: the price in effect at the start (from 2025-12-01), then the
  // changes on 01-02 and 01-06; the Windows series is not taken.
  REQUIRE(p.prices.size() == 3);
  CHECK(p.prices[0].price == Approx(0.01752));
  CHECK(p.prices[0].t_us == cal->from_us);
  CHECK(p.prices[1].price == Approx(0.01848));
  CHECK(p.prices[2].price == Approx(0.01936));
}

TEST_CASE("Azure Resource Graph: eviction rates by location and size", "[calibrate][azure]") {
  auto r = read_azure_eviction_rates(data("azure-eviction-rates.json"));
  REQUIRE(r);
  CHECK(r->rows.size() == 3);
  CHECK(r->skipped == 1);  // skualternativespotvmsize
  Options opt;
  opt.azure_eviction_file = data("azure-eviction-rates.json");
  opt.region = "westus2";
  auto cal = run_calibration(opt);
  REQUIRE(cal);
  REQUIRE(cal->pools.size() == 1);
  CHECK(cal->pools[0].band->open);
  const std::string yaml = to_yaml(*cal, opt);
  CHECK_THAT(yaml, Catch::Contains("interruption: {advisor_band: \"20+\", band_edge: mid}"));
  CHECK_THAT(yaml, Catch::Contains("--grid pools.standard_d4s_v4-westus2.interruption.band_edge=lower,mid,upper"));
}

TEST_CASE("Azure Resource Graph: the table result format", "[calibrate][azure]") {
  const std::string tmp = std::string(SPOTSIM_BINARY_DIR) + "/calibrate_table.json";
  {
    std::ofstream(tmp) << R"({"totalRecords": 2, "count": 2, "data": {"columns": [{"name": "skuName", "type": "string"},
      {"name": "location", "type": "string"}, {"name": "spotEvictionRate", "type": "string"}],
      "rows": [["Standard_D2s_v4", "eastus", "5-10"], ["Standard_D4s_v4", "eastus", "15-20"]]}, "facets": [], "resultTruncated": "false"})";
  }
  auto r = read_azure_eviction_rates(tmp);
  REQUIRE(r);
  REQUIRE(r->rows.size() == 2);
  CHECK(r->rows[1].band.label == "15-20");
  std::remove(tmp.c_str());
}

TEST_CASE("availability traces in the published JSON form read next to CSV", "[calibrate][trace]") {
  TraceTable t;
  std::string err;
  const std::string path = data("spot-availability-trace.json");
  const std::optional<std::string> text = read_text_file(path);  // the loader's reader (the disk)
  REQUIRE(text);
  REQUIRE(parse_trace_table(*text, path, t, err));
  REQUIRE(t.columns.size() == 2);
  CHECK(t.columns[0] == "seconds");
  CHECK(t.columns[1] == "data");
  REQUIRE(t.rows.size() == 24);
  CHECK(t.rows[3][0] == 1800);
  CHECK(t.rows[3][1] == 1);
}

TEST_CASE("errors name the file and the line or JSON path", "[calibrate][errors]") {
  const std::string dir = std::string(SPOTSIM_BINARY_DIR) + "/";
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + name) << text;
    return dir + name;
  };
  struct Case {
    std::string file, text, want;
    std::function<Status(const std::string&)> read;
  };
  auto events = [](const std::string& p) {
    EventLog log;
    return read_events(p, log);
  };
  const std::vector<Case> cases = {
      {"e1.jsonl",
       "{\"detail-type\": \"EC2 Spot Instance Interruption Warning\", \"id\": \"x\", \"time\": \"soon\", \"detail\": "
       "{\"instance-id\": \"i-1\"}}\n",
       "e1.jsonl:1: $.time: expected a timestamp", events},
      {"e2.jsonl",
       "\n{\"detail-type\": \"EC2 Spot Instance Interruption Warning\", \"id\": \"x\", \"time\": "
       "\"2026-01-01T00:00:00Z\", \"detail\": {}}\n",
       "e2.jsonl:2: $.detail.instance-id: missing", events},
      {"e3.jsonl", "{\"id\": 1}\n", "e3.jsonl:1: $: not an event this importer knows", events},
      {"e4.jsonl", "{\"detail-type\": tru}\n", "e4.jsonl:1:", events},
      {"e5.json",
       "[{\"protoPayload\": {\"methodName\": \"compute.instances.preempted\", \"resourceName\": \"projects/p\"}, "
       "\"insertId\": \"a\", \"timestamp\": \"2026-01-01T00:00:00Z\"}]",
       "e5.json: $[0].protoPayload.resourceName: expected projects/PROJECT/zones/ZONE/instances/NAME", events},
      {"p1.json",
       "{\"SpotPriceHistory\": [{\"AvailabilityZone\": \"us-east-1a\", \"InstanceType\": \"m5.large\", "
       "\"ProductDescription\": \"Linux/UNIX\", \"SpotPrice\": \"cheap\", \"Timestamp\": \"2026-01-01T00:00:00Z\"}]}",
       "p1.json: $.SpotPriceHistory[0].SpotPrice: expected a price",
       [](const std::string& p) { return read_aws_price_history(p).status(); }},
      {"p2.json", "{\"SpotPriceHistory\": {}}", "p2.json: $.SpotPriceHistory: expected a list",
       [](const std::string& p) { return read_aws_price_history(p).status(); }},
      {"a1.json",
       "{\"ranges\": [{\"label\": \"<5%\", \"max\": 5}], \"spot_advisor\": {\"us-east-1\": {\"Linux\": {\"m5.large\": "
       "{\"s\": 70, \"r\": 3}}}}}",
       "a1.json: $.spot_advisor.us-east-1.Linux.m5.large.r: range index 3 is not in ranges",
       [](const std::string& p) { return read_spot_advisor(p).status(); }},
      {"a2.json", "{\"ranges\": [", "a2.json:1:13: not valid JSON",
       [](const std::string& p) { return read_spot_advisor(p).status(); }},
      {"z1.json",
       "{\"data\": [{\"type\": \"microsoft.compute/skuspotevictionrate/location\", \"location\": \"eastus\", \"sku\": "
       "{\"name\": \"D2\"}, \"properties\": {\"evictionRate\": \"lots\"}}]}",
       "z1.json: $.data[0].properties.evictionRate: expected an eviction-rate band",
       [](const std::string& p) { return read_azure_eviction_rates(p).status(); }},
      {"i1.csv",
       "instance_id,instance_type,zone,start,end\ni-1,m5.large,us-east-1a,2026-01-02T00:00:00Z,2026-01-01T00:00:00Z\n",
       "i1.csv:2: end 2026-01-01T00:00:00Z is before start",
       [](const std::string& p) { return read_inventory(p).status(); }},
      {"i2.csv", "instance_id,type,zone,start\n", "i2.csv:1: the header has no end column",
       [](const std::string& p) { return read_inventory(p).status(); }},
      {"i3.csv", "id,type,zone,start,end\ni-1,m5.large,,2026-01-01T00:00:00Z,\n", "i3.csv:2: column zone is empty",
       [](const std::string& p) { return read_inventory(p).status(); }},
      {"i4.csv", "id,type,zone,start,end\n\"i-1,m5.large,us-east-1a,2026-01-01T00:00:00Z,\n",
       "i4.csv:2: a quoted cell is not closed", [](const std::string& p) { return read_inventory(p).status(); }},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    Status st = c.read(write(c.file, c.text));
    REQUIRE_FALSE(st);
    CHECK(st.code() == StatusCode::kInvalidInput);
    CHECK_THAT(st.message(), Catch::Contains(c.want));
  }
}
