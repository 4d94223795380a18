#include <catch2/catch.hpp>

#include "common/yaml_reader.h"

using namespace spotsim;

namespace {

enum class Color { kRed, kGreen, kBlue };
constexpr auto kColors = enum_table<Color>({{"red", Color::kRed}, {"green", Color::kGreen}, {"blue", Color::kBlue}});
static_assert(kColors.size() == 3);
static_assert(kColors.find("green") == Color::kGreen);
static_assert(!kColors.find("purple"));

struct Plan {
  std::string name;
  Duration max_duration;
  Color color = Color::kRed;
  int64_t vms = 1;
  bool has_limits = false;
};

// Reads a small plan the way chaos-agent or the scenario compiler would.
Status read_plan(const std::string& text, Plan& plan) {
  ParseContext ctx("plan.yaml");
  const YAML::Node root = parse_yaml(ctx, text);
  if (!ctx.ok()) return ctx.status();
  MapReader top(ctx, root, "");
  top.str("name", plan.name, true);
  top.duration("max_duration", plan.max_duration, true);
  top.choice("color", plan.color, kColors);
  if (auto limits = top.section("limits")) {
    plan.has_limits = true;
    limits->integer("vms", plan.vms, false, 0, 1000);
    limits->finish();
  }
  top.finish();
  return ctx.status();
}

}  // namespace

TEST_CASE("an enum table names values and finds names", "[common]") {
  CHECK(std::string(kColors.name(Color::kBlue)) == "blue");
  CHECK(kColors.names() == std::vector<std::string>{"red", "green", "blue"});
}

TEST_CASE("a map reader reports every mistake with file, line and column", "[common]") {
  Plan plan;
  const Status st = read_plan(
      "name: drill\n"
      "max_duration: 90\n"
      "color: gren\n"
      "limits: {vms: -1, vmz: 3}\n"
      "extra: 1\n",
      plan);
  REQUIRE_FALSE(st.is_ok());
  const std::string& m = st.message();
  INFO(m);
  CHECK(m.find("plan.yaml:2:15: error: max_duration: duration \"90\" has no unit; write e.g. \"90s\"") !=
        std::string::npos);
  CHECK(m.find("plan.yaml:3:8: error: color: \"gren\" is not one of: red, green, blue (did you mean \"green\"?)") !=
        std::string::npos);
  CHECK(m.find("plan.yaml:4:15: error: limits.vms: must be between 0 and 1000, found -1") != std::string::npos);
  CHECK(m.find("plan.yaml:4:19: error: limits.vmz: unknown key (did you mean \"vms\"?)") != std::string::npos);
  CHECK(m.find("plan.yaml:5:1: error: extra: unknown key") != std::string::npos);
  CHECK(std::count(m.begin(), m.end(), '\n') == 4);  // five diagnostics, one per line
}

TEST_CASE("an optional section is read when written and skipped when absent or null", "[common]") {
  Plan plan;
  REQUIRE(read_plan("name: a\nmax_duration: 0\ncolor: blue\nlimits: {vms: 7}\n", plan).is_ok());
  CHECK(plan.has_limits);
  CHECK(plan.vms == 7);
  CHECK(plan.color == Color::kBlue);
  Plan absent;
  REQUIRE(read_plan("name: a\nmax_duration: 2h\n", absent).is_ok());
  CHECK_FALSE(absent.has_limits);
  CHECK(absent.max_duration == Duration::hours(2));
  Plan null_limits;
  REQUIRE(read_plan("name: a\nmax_duration: 2h\nlimits:\n", null_limits).is_ok());
  CHECK_FALSE(null_limits.has_limits);
  Plan scalar_limits;
  const Status st = read_plan("name: a\nmax_duration: 2h\nlimits: 3\n", scalar_limits);
  REQUIRE_FALSE(st.is_ok());
  CHECK(st.message() == "plan.yaml:3:9: error: limits: expected a map of key: value, found a scalar");
}

TEST_CASE("a required key or section that is missing is reported at its map", "[common]") {
  ParseContext ctx("f.yaml");
  const YAML::Node root = parse_yaml(ctx, "a: 1\n");
  MapReader top(ctx, root, "");
  CHECK_FALSE(top.required("b", "the b of it"));
  CHECK_FALSE(top.required_section("c"));
  CHECK(top.required("a"));
  top.finish();
  CHECK(ctx.status().message() ==
        "f.yaml:1:1: error: b: missing required key (the b of it)\nf.yaml:1:1: error: c: missing required key");
}

TEST_CASE("parse_yaml reports a syntax error and repeated keys", "[common]") {
  ParseContext bad("f.yaml");
  CHECK_FALSE(parse_yaml(bad, "a: [1, 2\n").IsDefined());
  REQUIRE(bad.diagnostics().size() == 1);
  CHECK(bad.diagnostics()[0].message.rfind("YAML syntax: ", 0) == 0);
  ParseContext twice("f.yaml");
  parse_yaml(twice, "a: 1\nb: 2\na: 3\n");
  CHECK(twice.status().message() ==
        "f.yaml:3:1: error: a: duplicate key \"a\": already defined at line 1, column 1 (each key may appear once in a "
        "map: rename or remove one)");
}

TEST_CASE("a key that is not a name is reported as such, not as an unknown key", "[common]") {
  Plan plan;
  const Status st = read_plan("name: drill\nmax_duration: 1m\nlimits: {[vms]: 3}\n", plan);
  CHECK(st.message() == "plan.yaml:3:10: error: limits: expected a key name, found a list");
}

TEST_CASE("a prefix goes before every line of a message of several", "[common]") {
  CHECK(prefix_lines("P: ", "a") == "P: a");
  CHECK(prefix_lines("P: ", "a\nb\nc") == "P: a\nP: b\nP: c");
  CHECK(prefix_lines("P: ", "a\n") == "P: a\n");  // no prefix after a final newline
  ParseContext ctx("id.yaml");
  const YAML::Node root = parse_yaml(ctx, "a: 1\nb: 2\n");
  MapReader top(ctx, root, "");
  top.get("c");
  top.finish();
  const Status st = ctx.status().with_prefix("--identity: ");
  CHECK(st.code() == StatusCode::kInvalidInput);
  CHECK(st.message() ==
        "--identity: id.yaml:1:1: error: a: unknown key; valid keys here: c\n"
        "--identity: id.yaml:2:1: error: b: unknown key; valid keys here: c");
}
