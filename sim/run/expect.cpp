#include "sim/run/expect.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/units.h"
#include "common/yaml_reader.h"

namespace spotsim {

const char* expect_stat_name(ExpectStat s) {
  switch (s) {
    case ExpectStat::kMean: return "mean";
    case ExpectStat::kP50: return "p50";
    case ExpectStat::kP95: return "p95";
    case ExpectStat::kP99: return "p99";
    case ExpectStat::kMin: return "min";
    case ExpectStat::kMax: return "max";
    case ExpectStat::kStddev: return "stddev";
  }
  return "?";
}

const char* compare_op_text(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
    case CompareOp::kEq: return "==";
    case CompareOp::kNe: return "!=";
  }
  return "?";
}

double stat_value(const MetricStats& s, ExpectStat st) {
  switch (st) {
    case ExpectStat::kMean: return s.mean;
    case ExpectStat::kP50: return s.p50;
    case ExpectStat::kP95: return s.p95;
    case ExpectStat::kP99: return s.p99;
    case ExpectStat::kMin: return s.min;
    case ExpectStat::kMax: return s.max;
    case ExpectStat::kStddev: return s.stddev;
  }
  return 0;
}

bool compare(double l, CompareOp op, double r) {
  switch (op) {
    case CompareOp::kLt: return l < r;
    case CompareOp::kLe: return l <= r;
    case CompareOp::kGt: return l > r;
    case CompareOp::kGe: return l >= r;
    case CompareOp::kEq: return l == r;
    case CompareOp::kNe: return l != r;
  }
  return false;
}

namespace {

const std::vector<std::string> kStatNames = {"mean", "p50", "p95", "p99", "min", "max", "stddev"};
constexpr const char* kStatList = "mean, p50, p95, p99, min, max or stddev";
constexpr const char* kOpList = "(<, <=, >, >=, ==, !=)";

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; }

const char* unit_words(MetricUnit u) {
  switch (u) {
    case MetricUnit::kCount: return "a count";
    case MetricUnit::kSeconds: return "in seconds";
    case MetricUnit::kHours: return "in hours";
    case MetricUnit::kDollars: return "in dollars";
    case MetricUnit::kPercent: return "a percentage";
    case MetricUnit::kRatio: return "a ratio";
  }
  return "";
}

class Parser {
 public:
  Parser(std::string_view text, const std::vector<MetricDef>& metrics, Expectation& out)
      : s_(text), metrics_(metrics), out_(out) {}

  bool parse(ExpectParseError& err) {
    skip_ws();
    if (pos_ >= s_.size()) {
      return fail(0, "empty assertion; write e.g. \"cost.savings_pct.mean >= 50\"", err);
    }
    int root = -1;
    if (!parse_or(root, err)) return false;
    skip_ws();
    if (pos_ < s_.size()) {
      const std::string tok = token_at(pos_);
      if (tok == ")") return fail(pos_, "unmatched \")\"", err);
      return fail(pos_, "unexpected \"" + tok + "\" after the comparison (combine comparisons with \"and\" or \"or\")",
                  err);
    }
    out_.root = root;
    return true;
  }

 private:
  bool fail(size_t at, std::string msg, ExpectParseError& err) {
    err.offset = at;
    err.message = std::move(msg);
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  // The whitespace-delimited token at `at`, for messages.
  std::string token_at(size_t at) const {
    size_t e = at;
    if (e < s_.size() && (s_[e] == '(' || s_[e] == ')')) return std::string(1, s_[e]);
    while (e < s_.size() && !std::isspace(static_cast<unsigned char>(s_[e])) && s_[e] != '(' && s_[e] != ')') ++e;
    return std::string(s_.substr(at, e - at));
  }
  std::string found_at(size_t at) const {
    return at >= s_.size() ? "the end of the assertion" : "\"" + token_at(at) + "\"";
  }
  bool keyword(std::string_view kw) {
    skip_ws();
    if (s_.substr(pos_, kw.size()) != kw) return false;
    const size_t e = pos_ + kw.size();
    if (e < s_.size() && is_name_char(s_[e])) return false;
    pos_ = e;
    return true;
  }
  int add_node(Expectation::Node::Kind k, int index, int right) {
    out_.nodes.push_back(Expectation::Node{k, index, right});
    return static_cast<int>(out_.nodes.size() - 1);
  }

  bool parse_or(int& node, ExpectParseError& err) {
    if (!parse_and(node, err)) return false;
    while (keyword("or")) {
      int rhs = -1;
      if (!parse_and(rhs, err)) return false;
      node = add_node(Expectation::Node::kOr, node, rhs);
    }
    return true;
  }
  bool parse_and(int& node, ExpectParseError& err) {
    if (!parse_primary(node, err)) return false;
    while (keyword("and")) {
      int rhs = -1;
      if (!parse_primary(rhs, err)) return false;
      node = add_node(Expectation::Node::kAnd, node, rhs);
    }
    return true;
  }
  bool parse_primary(int& node, ExpectParseError& err) {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      const size_t open = pos_++;
      if (!parse_or(node, err)) return false;
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ')') {
        return fail(pos_,
                    "expected \")\" to close the \"(\" at column " + std::to_string(open + 1) +
                        " of the assertion, found " + found_at(pos_),
                    err);
      }
      ++pos_;
      return true;
    }
    return parse_comparison(node, err);
  }

  bool parse_comparison(int& node, ExpectParseError& err) {
    skip_ws();
    const size_t lhs_at = pos_;
    if (pos_ >= s_.size() || !is_name_start(s_[pos_])) {
      return fail(pos_, "expected a metric statistic like \"fleet.web.availability_pct.mean\", found " + found_at(pos_),
                  err);
    }
    size_t e = pos_;
    while (e < s_.size() && is_name_char(s_[e])) ++e;
    const std::string lhs(s_.substr(pos_, e - pos_));
    pos_ = e;
    Comparison c;
    if (!resolve_lhs(lhs, lhs_at, c, err)) return false;

    skip_ws();
    const size_t op_at = pos_;
    CompareOp op{};
    size_t op_len = 0;
    // The two-character operators first, so "<=" is not read as "<".
    for (CompareOp o :
         {CompareOp::kLe, CompareOp::kGe, CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kGt}) {
      const std::string_view text = compare_op_text(o);
      if (s_.substr(pos_, text.size()) == text) {
        op = o;
        op_len = text.size();
        break;
      }
    }
    // "=>", "=<", a lone "=" are common slips: report them as a missing operator.
    if (op_len == 0 || (op_len == 1 && pos_ + 1 < s_.size() && (s_[pos_ + 1] == '>' || s_[pos_ + 1] == '<'))) {
      return fail(
          op_at,
          std::string("expected a comparison operator ") + kOpList + " after \"" + lhs + "\", found " + found_at(op_at),
          err);
    }
    pos_ += op_len;
    c.op = op;

    skip_ws();
    const size_t v_at = pos_;
    size_t ve = pos_;
    while (ve < s_.size() && !std::isspace(static_cast<unsigned char>(s_[ve])) && s_[ve] != '(' && s_[ve] != ')') ++ve;
    if (ve == v_at) {
      return fail(v_at,
                  std::string("expected a value after \"") + compare_op_text(op) +
                      "\" (e.g. 50, 99.5%, $120 or 5m), found " + found_at(v_at),
                  err);
    }
    const std::string vt(s_.substr(v_at, ve - v_at));
    pos_ = ve;
    if (!convert_value(vt, v_at, c, err)) return false;
    c.value_text = vt;
    out_.comparisons.push_back(std::move(c));
    node = add_node(Expectation::Node::kCompare, static_cast<int>(out_.comparisons.size() - 1), 0);
    return true;
  }

  bool resolve_lhs(const std::string& lhs, size_t at, Comparison& c, ExpectParseError& err) {
    const MetricStatText parts = split_metric_statistic(lhs);
    const std::string metric(parts.metric);
    const std::string stat(parts.statistic);
    const size_t dot = parts.has_statistic ? metric.size() : std::string::npos;
    const int whole = find_metric(metrics_, lhs);
    if (whole >= 0) {
      return fail(
          at,
          "\"" + lhs + "\" needs a statistic: write " + lhs + ".mean (or ." + "p50, .p95, .p99, .min, .max, .stddev)",
          err);
    }
    const int mi = dot == std::string::npos ? -1 : find_metric(metrics_, metric);
    if (mi < 0) {
      std::vector<std::string> names;
      names.reserve(metrics_.size());
      for (const auto& m : metrics_) names.push_back(m.name);
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      std::string suggestion = did_you_mean(metric, names);
      if (suggestion.empty() && dot != std::string::npos) suggestion = did_you_mean(lhs, names);
      return fail(at, "unknown metric \"" + metric + "\"" + suggestion + "; this scenario's metrics are: " + list, err);
    }
    bool found = false;
    for (size_t i = 0; i < kStatNames.size(); ++i) {
      if (kStatNames[i] == stat) {
        c.stat = static_cast<ExpectStat>(i);
        found = true;
      }
    }
    if (!found) {
      return fail(at + dot + 1,
                  "unknown statistic \"" + stat + "\"" + did_you_mean(stat, kStatNames) + " (use " + kStatList + ")",
                  err);
    }
    c.metric = metric;
    c.key = metrics_[static_cast<size_t>(mi)].key;
    c.metric_index = mi;
    c.unit = metrics_[static_cast<size_t>(mi)].unit;
    return true;
  }

  bool convert_value(const std::string& vt, size_t at, Comparison& c, ExpectParseError& err) {
    const std::string where = c.metric + " (" + unit_words(c.unit) + ")";
    if (!vt.empty() && vt.back() == '%') {
      auto v = parse_number(std::string_view(vt).substr(0, vt.size() - 1));
      if (!v) return fail(at, "expected a percentage like 50%, found \"" + vt + "\"", err);
      if (c.unit == MetricUnit::kPercent) {
        c.value = *v;
        return true;
      }
      if (c.unit == MetricUnit::kRatio) {
        c.value = *v / 100.0;
        return true;
      }
      return fail(at, "a percentage (\"" + vt + "\") cannot be compared with " + where, err);
    }
    if (!vt.empty() && vt.front() == '$') {
      auto v = parse_number(std::string_view(vt).substr(1));
      if (!v) return fail(at, "expected an amount of dollars like $120, found \"" + vt + "\"", err);
      if (c.unit == MetricUnit::kDollars) {
        c.value = *v;
        return true;
      }
      return fail(at, "an amount of dollars (\"" + vt + "\") cannot be compared with " + where, err);
    }
    if (auto v = parse_number(vt)) {
      c.value = *v;
      return true;
    }
    auto d = parse_duration(vt);
    if (!d) {
      return fail(at,
                  "cannot read the value \"" + vt +
                      "\": write a number (50), a percentage (50%), dollars ($120) or a duration (5m, 2h30m)",
                  err);
    }
    if (c.unit == MetricUnit::kSeconds) {
      c.value = d->to_seconds();
      return true;
    }
    if (c.unit == MetricUnit::kHours) {
      c.value = d->to_hours();
      return true;
    }
    return fail(at, "a duration (\"" + vt + "\") cannot be compared with " + where, err);
  }

  std::string_view s_;
  const std::vector<MetricDef>& metrics_;
  Expectation& out_;
  size_t pos_ = 0;
};

// Column in the file of character `offset` of an assertion whose node starts at (line, column).
// Quoted scalars start one character after their opening quote.
int file_column(const CompiledScenario& sc, const ExpectSource& src, size_t offset) {
  int col = src.column;
  if (src.line > 0) {
    size_t begin = 0;
    for (int l = 1; l < src.line && begin != std::string::npos; ++l) {
      begin = sc.text.find('\n', begin);
      if (begin != std::string::npos) ++begin;
    }
    if (begin != std::string::npos) {
      const size_t at = begin + static_cast<size_t>(src.column - 1);
      if (at < sc.text.size() && (sc.text[at] == '"' || sc.text[at] == '\'')) ++col;
    }
  }
  return col + static_cast<int>(offset);
}

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string with_unit(double v, MetricUnit u) {
  switch (u) {
    case MetricUnit::kSeconds: return fmt_num(v) + " s";
    case MetricUnit::kHours: return fmt_num(v) + " h";
    case MetricUnit::kDollars: return "$" + fmt_num(v);
    case MetricUnit::kPercent: return fmt_num(v) + "%";
    default: return fmt_num(v);
  }
}

std::string shell_quote(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/' || c == '=' ||
          c == ':' || c == ',' || c == '[' || c == ']' || c == '%' || c == '+')) {
      plain = false;
    }
  }
  if (plain) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Time to reschedule of a fleet that lost VMs which never came back is censored at the end of the
// run: the value is only a lower bound, so no expectation on it can be trusted to pass
// (docs/expect.md). Returns why, or "" when `metric` is not censored in `r`.
std::string censoring_of(const MetricKey& metric, const RunResult& r) {
  if (metric.group != MetricGroup::kFleet || !is_statistic_of(metric.name, "time_to_reschedule")) return "";
  const MetricOwner fleet{MetricGroup::kFleet, metric.owner};
  const MetricKey unrecovered = fleet + "unrecovered";
  const int u = r.metric_index(unrecovered);
  if (u < 0) return "";
  std::vector<int64_t> reps;
  double total = 0;
  for (size_t k = 0; k < r.per_replication.size(); ++k) {
    const double lost =
        static_cast<size_t>(u) < r.per_replication[k].size() ? r.per_replication[k][static_cast<size_t>(u)] : 0;
    if (lost > 0) {
      reps.push_back(k < r.replication_ids.size() ? r.replication_ids[k] : static_cast<int64_t>(k));
      total += lost;
    }
  }
  if (reps.empty()) return "";
  std::ostringstream os;
  os << fleet.to_string() << " lost VMs that never came back in " << reps.size() << " of " << r.per_replication.size()
     << " replications (" << total / static_cast<double>(reps.size()) << " on average in those; see "
     << unrecovered.to_string() << "): its time to reschedule counts them only "
     << "up to the end of the run, so the true value is at least what is shown and this expectation cannot pass; "
     << "replications: ";
  for (size_t k = 0; k < reps.size() && k < 10; ++k) os << (k ? ", " : "") << "#" << reps[k];
  if (reps.size() > 10) os << ", ...";
  return os.str();
}

struct Evaluated {
  bool passed = false;
  int decisive = -1;  // comparison whose value is reported as "observed"
};

}  // namespace

bool parse_expectation(std::string_view text, const std::vector<MetricDef>& metrics, Expectation& out,
                       ExpectParseError& error) {
  out = Expectation{};
  out.text = std::string(text);
  Parser p(text, metrics, out);
  return p.parse(error);
}

Result<std::vector<Expectation>> compile_expectations(const CompiledScenario& sc,
                                                      const std::vector<MetricDef>& metrics) {
  ParseContext ctx(sc.file);
  for (const auto& [path, value] : sc.overrides) ctx.add_override(path, value);
  std::vector<Expectation> out;
  for (size_t i = 0; i < sc.expect.size(); ++i) {
    const ExpectSource& src = sc.expect[i];
    Expectation e;
    ExpectParseError err;
    if (!parse_expectation(src.text, metrics, e, err)) {
      YAML::Mark mark = YAML::Mark::null_mark();
      if (src.line > 0) {
        mark.line = src.line - 1;
        mark.column = file_column(sc, src, err.offset) - 1;
        mark.pos = 0;
      }
      ctx.error_at(mark, "expect[" + std::to_string(i) + "]", err.message);
      continue;
    }
    bool overridden = false;
    const std::string path = "expect[" + std::to_string(i) + "]";
    for (const auto& ov : sc.overrides) overridden = overridden || ov.first == "expect" || ov.first == path;
    e.line = overridden ? 0 : src.line;
    e.column = overridden ? 0 : src.column;
    out.push_back(std::move(e));
  }
  if (!ctx.ok()) return ctx.status();
  return out;
}

std::string reproduce_command(const CompiledScenario& sc, uint64_t seed, int64_t replication) {
  std::string cmd = "spotsim run " + shell_quote(sc.file) + " --seed " + std::to_string(seed) + " --replication " +
                    std::to_string(replication);
  for (const auto& [path, value] : sc.overrides) cmd += " --set " + shell_quote(path + "=" + value);
  return cmd;
}

std::vector<ExpectationResult> evaluate_expectations(const std::vector<Expectation>& exps, const CompiledScenario& sc,
                                                     const RunResult& r) {
  std::vector<ExpectationResult> results;
  for (const Expectation& e : exps) {
    std::vector<char> value(e.comparisons.size(), 0);
    std::vector<double> observed(e.comparisons.size(), 0);
    std::vector<std::string> censored(e.comparisons.size());
    for (size_t i = 0; i < e.comparisons.size(); ++i) {
      const Comparison& c = e.comparisons[i];
      const size_t m = static_cast<size_t>(c.metric_index);
      observed[i] = m < r.stats.size() ? stat_value(r.stats[m], c.stat) : 0.0;
      censored[i] = censoring_of(c.key, r);
      value[i] = censored[i].empty() && compare(observed[i], c.op, c.value) ? 1 : 0;
    }
    std::vector<Evaluated> nodes(e.nodes.size());
    for (size_t n = 0; n < e.nodes.size(); ++n) {  // children always precede their parent
      const auto& nd = e.nodes[n];
      if (nd.kind == Expectation::Node::kCompare) {
        nodes[n] = Evaluated{value[static_cast<size_t>(nd.index)] != 0, nd.index};
        continue;
      }
      const Evaluated& l = nodes[static_cast<size_t>(nd.index)];
      const Evaluated& rr = nodes[static_cast<size_t>(nd.right)];
      if (nd.kind == Expectation::Node::kAnd) {
        nodes[n] = l.passed ? Evaluated{rr.passed, rr.decisive} : Evaluated{false, l.decisive};
      } else {
        nodes[n] = l.passed ? Evaluated{true, l.decisive} : Evaluated{rr.passed, rr.passed ? rr.decisive : l.decisive};
      }
    }
    ExpectationResult res;
    res.text = e.text;
    res.line = e.line;
    const Evaluated& root = nodes[static_cast<size_t>(e.root)];
    res.passed = root.passed;
    res.observed = root.decisive >= 0 ? observed[static_cast<size_t>(root.decisive)] : 0.0;
    if (!res.passed) {
      std::string expl;
      for (size_t i = 0; i < e.comparisons.size(); ++i) {
        if (value[i]) continue;
        const Comparison& c = e.comparisons[i];
        std::ostringstream os;
        os << "observed " << c.metric << "." << expect_stat_name(c.stat) << " = " << with_unit(observed[i], c.unit)
           << ", expected " << compare_op_text(c.op) << " " << c.value_text;
        if (!censored[i].empty()) {
          os << "; " << censored[i];
        } else if (c.stat != ExpectStat::kStddev) {
          std::vector<int64_t> bad;
          const size_t m = static_cast<size_t>(c.metric_index);
          for (size_t k = 0; k < r.per_replication.size(); ++k) {
            if (m < r.per_replication[k].size() && !compare(r.per_replication[k][m], c.op, c.value)) {
              bad.push_back(k < r.replication_ids.size() ? r.replication_ids[k] : static_cast<int64_t>(k));
            }
          }
          if (bad.empty()) {
            os << "; every replication meets " << c.metric << " " << compare_op_text(c.op) << " " << c.value_text
               << " on its own, the " << expect_stat_name(c.stat) << " over " << r.per_replication.size()
               << " replications does not";
          } else {
            os << "; " << bad.size() << " of " << r.per_replication.size() << " replications fail " << c.metric << " "
               << compare_op_text(c.op) << " " << c.value_text << " on their own: ";
            for (size_t k = 0; k < bad.size() && k < 10; ++k) os << (k ? ", " : "") << "#" << bad[k];
            if (bad.size() > 10) os << ", ...";
            if (res.failing_replications.empty()) {
              os << "; reproduce #" << bad.front() << " alone: " << reproduce_command(sc, r.seed, bad.front());
              res.failing_replications = bad;
            }
          }
        }
        expl += (expl.empty() ? "" : "; and ") + os.str();
      }
      res.explanation = expl;
    }
    results.push_back(std::move(res));
  }
  return results;
}

}  // namespace spotsim
