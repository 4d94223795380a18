#pragma once
// JUnit XML for CI servers (the Ant/Jenkins dialect that GitHub Actions reporters, GitLab and
// Jenkins render): one <testsuite> per scenario file, one <testcase> per `expect:` assertion.
// A scenario that could not be loaded or run becomes a testsuite with one <error> testcase.
// Schema we validate against in tests: tests/expect/junit.xsd (docs/expect.md).
#include <string>
#include <vector>

#include "sim/run/runner.h"
#include "sim/scenario/scenario.h"

namespace spotsim {

struct JunitSuite {
  std::string file;  // scenario file as given
  std::string name;  // scenario name (or the file if it did not load)
  uint64_t seed = 0;
  int64_t replications = 0;
  double wall_seconds = 0;
  std::vector<ExpectationResult> expectations;
  std::string error;  // non-empty: the scenario did not load/run (an <error> testcase)
};

// A suite from a finished run.
JunitSuite junit_suite(const CompiledScenario& scenario, const RunResult& result);
// A suite for a scenario that failed before producing results.
JunitSuite junit_error_suite(const std::string& file, const std::string& message);

// The whole document (UTF-8, XML-escaped; control characters other than tab/newline dropped).
std::string junit_xml(const std::vector<JunitSuite>& suites);

// XML character escaping for attribute values and text.
std::string xml_escape(const std::string& s);

}  // namespace spotsim
