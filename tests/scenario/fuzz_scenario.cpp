// Fuzz target for the scenario parser: YAML text → compile_scenario (units, expect:, chaos:,
// workloads:, policies: and every other section).
//
// What must hold for every input: no crash, no hang, no sanitizer report; the result is either a
// compiled scenario or an error whose every line reads "FILE:LINE:COL: error: ..." (or names the
// file for an I/O problem) — a message a person can act on.
//
// Built two ways: a plain executable that runs a corpus (every scenario and example in the repo)
// plus N seeded mutations deterministically (ctest), and, with clang, a libFuzzer target
// (SPOTSIM_LIBFUZZER) for open-ended runs:
//   CXX=clang++ cmake -S . -B build/fuzz ... && mkdir -p /tmp/corpus &&
//   build/fuzz/tests/scenario/scenario_libfuzzer /tmp/corpus scenarios/
// (libFuzzer writes new inputs into the FIRST folder: give it a scratch one, never scenarios/).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/rng.h"
#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"

namespace {

// The fuzzed text is compiled as if it were this file, so relative paths (traces, Lua policies)
// resolve against the real scenarios/ folder and the file-reading code paths run too.
std::string g_file = "scenarios/fuzz.yaml";

bool message_is_actionable(const std::string& msg) {
  if (msg.empty()) return false;
  std::istringstream in(msg);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    // "FILE:LINE:COL: error: PATH: message" or "FILE: error: ..." for whole-file problems.
    if (line.rfind(g_file, 0) != 0) return false;
    if (line.find("error:") == std::string::npos && line.find("note:") == std::string::npos) return false;
  }
  return true;
}

// With --simulate: inputs that compile are also run (one replication, at most 2 days, small
// fleets only) with the laws of docs/metrics.md checked, so a scenario no hand would write still
// cannot break conservation or bounds. A broken law aborts with the input.
long g_simulate = 0;  // how many compiled inputs still to simulate
long g_simulated = 0;

void simulate(spotsim::CompiledScenario sc, const std::string& text) {
  int64_t vms = 0;
  for (const auto& f : sc.fleets) vms += f.target;
  if (g_simulate <= 0 || vms > 2000) return;
  --g_simulate;
  ++g_simulated;
  sc.replications = 1;
  sc.duration = std::min(sc.duration, spotsim::Duration::hours(48));
  spotsim::RunOptions opt;
  opt.threads = 1;
  opt.check_laws = true;
  opt.check_expectations = false;
  auto r = spotsim::run_scenario(sc, opt);
  if (!r.is_ok() && r.status().code() == spotsim::StatusCode::kInternal) {
    std::fprintf(stderr, "a law broke for input:\n---\n%s\n---\n%s\n", text.c_str(), r.status().message().c_str());
    std::abort();
  }
}

// Returns whether the text compiled.
bool run_one(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // As the loader compiles: the files a scenario names (Lua policies) come from the disk.
  auto r = spotsim::compile_scenario(text, g_file, spotsim::LoadOptions{{}, spotsim::read_text_file});
  if (!r.is_ok() && r.status().code() == spotsim::StatusCode::kInvalidInput &&
      !message_is_actionable(r.status().message())) {
    std::fprintf(stderr, "unactionable message for input (%zu bytes):\n---\n%s\n---\n%s\n", size, text.c_str(),
                 r.status().message().c_str());
    std::abort();
  }
  if (r.is_ok()) simulate(std::move(r).value(), text);
  return r.is_ok();
}

}  // namespace

#ifdef SPOTSIM_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run_one(data, size);
  return 0;
}
#else

namespace {

// Tokens that stress the unit parsers, the YAML reader and the validators.
const char* const kTokens[] = {
    "-1",
    "0",
    "1e309",
    "-1e309",
    "nan",
    ".nan",
    ".inf",
    "-.inf",
    "9223372036854775807",
    "18446744073709551616",
    "0x10",
    "1_000",
    "90",
    "90s",
    "-5m",
    "1e12d",
    "0.05/h",
    "5/0s",
    "/h",
    "$",
    "$-1",
    "101%",
    "-3%",
    "%",
    "[",
    "]",
    "{",
    "}",
    "[]",
    "{}",
    "~",
    "null",
    "true",
    "\"\"",
    "''",
    "&a",
    "*a",
    "*zz",
    "<<: *a",
    "!!binary AAAA",
    "!!int x",
    "? x",
    "- ",
    ":",
    ": :",
    "#",
    "\t",
    "\xff\xfe",
    "\xc3\x28",
    "m5-1a",
    "web",
    "aws",
    "azure",
    "gcp",
    "storm",
    "cliff",
    "fleet.web.interruptions.mean >= 1",
    "cost.savings_pct.p95 < 5m or (",
    "((((((((((",
    "policies/none.lua",
    "traces/none.csv",
    "../../../../etc/passwd",
    "spotsim: 2",
};

// The line of `s` around position `pos`: [start, end), end past its newline if it has one.
std::pair<size_t, size_t> line_around(const std::string& s, size_t pos) {
  const size_t b = s.rfind('\n', pos == 0 ? 0 : pos - 1);
  const size_t start = b == std::string::npos ? 0 : b + 1;
  const size_t e = s.find('\n', start);
  return {start, e == std::string::npos ? s.size() : e + 1};
}

std::string mutate(const std::string& in, spotsim::Rng& rng) {
  std::string s = in;
  const int n = 1 + static_cast<int>(rng.next_u64() % 4);
  for (int k = 0; k < n; ++k) {
    const uint64_t op = rng.next_u64() % 9;
    const size_t pos = s.empty() ? 0 : rng.next_u64() % (s.size() + 1);
    switch (op) {
      case 0:  // flip a byte
        if (!s.empty()) s[pos % s.size()] = static_cast<char>(rng.next_u64() & 0xff);
        break;
      case 1:  // delete a span
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng.next_u64() % 16);
        break;
      case 2:  // insert a token
        s.insert(pos, kTokens[rng.next_u64() % (sizeof kTokens / sizeof *kTokens)]);
        break;
      case 3: {  // replace the value after a colon on some line with a token
        const size_t colon = s.find(": ", pos);
        if (colon != std::string::npos) {
          const size_t eol = s.find('\n', colon);
          s.replace(colon + 2, (eol == std::string::npos ? s.size() : eol) - colon - 2,
                    kTokens[rng.next_u64() % (sizeof kTokens / sizeof *kTokens)]);
        }
        break;
      }
      case 4: {  // duplicate a line (duplicate keys)
        const auto [start, end] = line_around(s, pos);
        s.insert(start, s.substr(start, end - start));
        break;
      }
      case 5: {  // delete a line (missing keys)
        const auto [start, end] = line_around(s, pos);
        s.erase(start, end - start);
        break;
      }
      case 6:  // change indentation
        s.insert(pos, rng.next_u64() % 2 ? "  " : " ");
        break;
      case 7:  // deep nesting
        s.insert(pos, std::string(1 + rng.next_u64() % 200, rng.next_u64() % 2 ? '[' : '{'));
        break;
      case 8:  // truncate
        s.resize(pos);
        break;
    }
  }
  return s;
}

std::vector<std::string> read_corpus(const std::vector<std::string>& dirs) {
  std::vector<std::filesystem::path> files;
  for (const auto& d : dirs) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(d, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".yaml") files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());  // deterministic order
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

}  // namespace

// scenario_fuzz [--mutations N] [--seed S] [--simulate N] DIR...
int main(int argc, char** argv) {
  long mutations = 2000;
  uint64_t seed = 1;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--mutations") && i + 1 < argc) {
      mutations = std::atol(argv[++i]);
    } else if (!std::strcmp(argv[i], "--simulate") && i + 1 < argc) {
      g_simulate = std::atol(argv[++i]);
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      dirs.push_back(argv[i]);
    }
  }
  const auto corpus = read_corpus(dirs);
  if (corpus.empty()) {
    std::fprintf(stderr, "scenario_fuzz: no .yaml files under the given folders\n");
    return 2;
  }
  size_t ok = 0, invalid = 0;
  for (const auto& text : corpus) {
    run_one(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  spotsim::Rng rng = spotsim::Rng::stream(seed, 0, "scenario-fuzz");
  for (long i = 0; i < mutations; ++i) {
    const std::string m = mutate(corpus[rng.next_u64() % corpus.size()], rng);
    (run_one(reinterpret_cast<const uint8_t*>(m.data()), m.size()) ? ok : invalid)++;
  }
  std::printf(
      "scenario_fuzz: %zu corpus files, %ld mutations: %zu compiled, %zu rejected with a message; "
      "%ld simulated with the laws checked\n",
      corpus.size(), mutations, ok, invalid, g_simulated);
  return 0;
}
#endif
