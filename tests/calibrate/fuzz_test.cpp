// Garbage and mutated input for every importer: each must either read the file or return an
// error that names it; none may crash, hang or throw. Deterministic (fixed seeds); the fixtures
// in tests/data/calibrate are the corpus.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sim/calibrate/calibrate.h"
#include "sim/calibrate/input.h"
#include "sim/calibrate/sources.h"

using namespace spotsim;
using namespace spotsim::calibrate;

namespace {

std::string data(const std::string& name) { return std::string(SPOTSIM_SOURCE_DIR) + "/tests/data/calibrate/" + name; }

std::string slurp(const std::string& path) { return *read_file_text(path); }

// One mutation of `text`: flip, insert, delete, duplicate or truncate, or splice in JSON/CSV tokens.
std::string mutate(std::string text, std::mt19937_64& g) {
  static const std::vector<std::string> kTokens = {
      "{",       "}",     "[",    "]",  "\"",      ",",    ":",     "null",
      "-1",      "1e999", "\"\"", "\n", "\\u0000", "true", "\"x\"", "9999-99-99T99:99:99Z",
      "\xff\xfe"};
  const int n = 1 + static_cast<int>(g() % 4);
  for (int k = 0; k < n && !text.empty(); ++k) {
    const size_t at = g() % text.size();
    switch (g() % 6) {
      case 0: text[at] = static_cast<char>(g() & 0xff); break;
      case 1: text.insert(at, kTokens[g() % kTokens.size()]); break;
      case 2: text.erase(at, 1 + g() % 8); break;
      case 3: text.insert(at, text.substr(at, g() % 64)); break;
      case 4: text.resize(at); break;
      default: text.insert(at, std::string(1, "0123456789.-+:TZ"[g() % 16])); break;
    }
  }
  return text;
}

using Reader = std::function<Status(const std::string&)>;

void hammer(const std::string& name, const std::vector<std::string>& corpus, const Reader& read, int mutations) {
  const std::string tmp = (std::filesystem::temp_directory_path() / ("spotsim_calibrate_fuzz_" + name)).string();
  std::mt19937_64 g(0x5eed ^ std::hash<std::string>{}(name));
  auto check = [&](const std::string& text) {
    { std::ofstream(tmp, std::ios::binary) << text; }
    Status st = Status::ok();
    REQUIRE_NOTHROW(st = read(tmp));
    if (!st) {
      INFO(st.message());
      CHECK(st.message().find(tmp) != std::string::npos);
    }
  };
  for (const auto& c : corpus) check(slurp(data(c)));
  // Pure garbage, then mutations of the corpus.
  for (int i = 0; i < 50; ++i) {
    std::string junk(g() % 300, '\0');
    for (auto& ch : junk) ch = static_cast<char>(g() & 0xff);
    check(junk);
  }
  check("");
  for (int i = 0; i < mutations; ++i) check(mutate(slurp(data(corpus[g() % corpus.size()])), g));
  std::remove(tmp.c_str());
}

}  // namespace

TEST_CASE("fuzz: spot advisor data", "[calibrate][fuzz]") {
  hammer(
      "advisor", {"spot-advisor-data.json"}, [](const std::string& p) { return read_spot_advisor(p).status(); }, 1500);
}

TEST_CASE("fuzz: AWS spot price history", "[calibrate][fuzz]") {
  hammer(
      "aws_prices", {"aws-spot-prices.json"}, [](const std::string& p) { return read_aws_price_history(p).status(); },
      1500);
}

TEST_CASE("fuzz: Azure eviction rates and price history", "[calibrate][fuzz]") {
  hammer(
      "azure_rates", {"azure-eviction-rates.json"},
      [](const std::string& p) { return read_azure_eviction_rates(p).status(); }, 1000);
  hammer(
      "azure_prices", {"azure-spot-prices.json"},
      [](const std::string& p) { return read_azure_price_history(p).status(); }, 1000);
}

TEST_CASE("fuzz: interruption events of every kind", "[calibrate][fuzz]") {
  hammer(
      "events", {"eventbridge.jsonl", "gcp-preempted.json", "azure-activity-log.json", "azure-scheduled-events.jsonl"},
      [](const std::string& p) {
        EventLog log;
        return read_events(p, log);
      },
      3000);
}

TEST_CASE("fuzz: inventory CSV", "[calibrate][fuzz]") {
  hammer(
      "inventory", {"inventory-aws.csv", "inventory-gcp.csv", "inventory-azure.csv"},
      [](const std::string& p) { return read_inventory(p).status(); }, 1500);
}

TEST_CASE("fuzz: the whole calibration on mutated events and inventory", "[calibrate][fuzz]") {
  // A mutated inventory with the real events (and the reverse) must calibrate or fail cleanly,
  // and what it writes must be text.
  const std::string tmp = (std::filesystem::temp_directory_path() / "spotsim_calibrate_fuzz_inv.csv").string();
  std::mt19937_64 g(42);
  for (int i = 0; i < 300; ++i) {
    { std::ofstream(tmp, std::ios::binary) << mutate(slurp(data("inventory-aws.csv")), g); }
    Options opt;
    opt.event_files = {data("eventbridge.jsonl")};
    opt.inventory_file = tmp;
    opt.aws_price_files = {data("aws-spot-prices.json")};
    opt.advisor_file = data("spot-advisor-data.json");
    Result<Calibration> cal = Status::invalid("x");
    REQUIRE_NOTHROW(cal = run_calibration(opt));
    if (cal) REQUIRE_NOTHROW(to_yaml(*cal, opt));
  }
  std::remove(tmp.c_str());
}
