#include "sim/record/junit.h"

#include <cstdio>
#include <sstream>

namespace spotsim {

namespace {

std::string seconds_attr(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
  return buf;
}

std::string observed_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (c < 0x20) break;  // not allowed in XML 1.0
        out += ch;
    }
  }
  return out;
}

JunitSuite junit_suite(const CompiledScenario& sc, const RunResult& r) {
  JunitSuite s;
  s.file = sc.file;
  s.name = sc.name;
  s.seed = r.seed;
  s.replications = r.completed;
  s.wall_seconds = r.wall_seconds;
  s.expectations = r.expectations;
  return s;
}

JunitSuite junit_error_suite(const std::string& file, const std::string& message) {
  JunitSuite s;
  s.file = file;
  s.name = file;
  s.error = message.empty() ? "error" : message;
  return s;
}

std::string junit_xml(const std::vector<JunitSuite>& suites) {
  size_t tests = 0, failures = 0, errors = 0;
  double time = 0;
  for (const auto& s : suites) {
    if (!s.error.empty()) {
      ++tests;
      ++errors;
    } else {
      tests += s.expectations.size();
      for (const auto& e : s.expectations) failures += e.passed ? 0 : 1;
    }
    time += s.wall_seconds;
  }
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites name=\"spotsim\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\"" << errors
     << "\" time=\"" << seconds_attr(time) << "\">\n";
  for (size_t i = 0; i < suites.size(); ++i) {
    const JunitSuite& s = suites[i];
    const bool err = !s.error.empty();
    size_t f = 0;
    for (const auto& e : s.expectations) f += e.passed ? 0 : 1;
    const std::string classname = "spotsim." + s.name;
    os << "  <testsuite name=\"" << xml_escape(s.name) << "\" tests=\"" << (err ? 1 : s.expectations.size())
       << "\" failures=\"" << (err ? 0 : f) << "\" errors=\"" << (err ? 1 : 0) << "\" skipped=\"0\" time=\""
       << seconds_attr(s.wall_seconds) << "\" id=\"" << i << "\">\n";
    os << "    <properties>\n";
    os << "      <property name=\"file\" value=\"" << xml_escape(s.file) << "\"/>\n";
    if (!err) {
      os << "      <property name=\"seed\" value=\"" << s.seed << "\"/>\n";
      os << "      <property name=\"replications\" value=\"" << s.replications << "\"/>\n";
    }
    os << "    </properties>\n";
    if (err) {
      os << "    <testcase name=\"load and run\" classname=\"" << xml_escape(classname) << "\" file=\""
         << xml_escape(s.file) << "\" time=\"0\">\n";
      const std::string first = s.error.substr(0, s.error.find('\n'));
      os << "      <error message=\"" << xml_escape(first) << "\" type=\"invalid_scenario\">" << xml_escape(s.error)
         << "</error>\n";
      os << "    </testcase>\n";
    }
    for (const auto& e : s.expectations) {
      os << "    <testcase name=\"" << xml_escape(e.text) << "\" classname=\"" << xml_escape(classname) << "\" file=\""
         << xml_escape(s.file) << "\"";
      if (e.line > 0) os << " line=\"" << e.line << "\"";
      os << " time=\"0\"";
      if (e.passed) {
        os << "/>\n";
        continue;
      }
      os << ">\n      <failure message=\"observed " << observed_text(e.observed) << "\" type=\"expectation\">"
         << xml_escape(e.explanation) << "</failure>\n    </testcase>\n";
    }
    os << "  </testsuite>\n";
  }
  os << "</testsuites>\n";
  return os.str();
}

}  // namespace spotsim
