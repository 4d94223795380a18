// The Lua sandbox: escapes are refused with the documented messages (docs/policies.md, "Sandbox").
#include <catch2/catch.hpp>

#include "sim/policy/lua_sandbox.h"

extern "C" {
#include <lua.h>
}

using namespace spotsim;

namespace {

std::unique_ptr<LuaSandbox> make(SandboxLimits lim = {}, uint64_t seed = 1) {
  auto sb = LuaSandbox::create(lim, Rng::stream(seed, 0, "policy.test"), "t.lua");
  REQUIRE(sb.is_ok());
  return std::move(sb).value();
}

// "" if the chunk runs, else the error message.
std::string run(const std::string& src, SandboxLimits lim = {}) {
  auto sb = make(lim);
  Status st = sb->run_chunk(src);
  return st.is_ok() ? "" : st.message();
}

const std::string kBudget =
    ": instruction budget exceeded: the hook ran more than 1000000 Lua instructions in one call (an endless loop? "
    "raise policy_limits.instructions if the policy really needs more)";

}  // namespace

TEST_CASE("sandbox: io os require debug dofile loadfile are not there") {
  CHECK(run("local f = io.open('/etc/passwd')") == "t.lua:1: attempt to index a nil value (global 'io')");
  CHECK(run("\nos.execute('touch /tmp/x')") == "t.lua:2: attempt to index a nil value (global 'os')");
  CHECK(run("require('os')") == "t.lua:1: attempt to call a nil value (global 'require')");
  CHECK(run("debug.sethook()") == "t.lua:1: attempt to index a nil value (global 'debug')");
  CHECK(run("dofile('/etc/passwd')") == "t.lua:1: attempt to call a nil value (global 'dofile')");
  CHECK(run("loadfile('/etc/passwd')") == "t.lua:1: attempt to call a nil value (global 'loadfile')");
  CHECK(run("package.loadlib('x', 'y')") == "t.lua:1: attempt to index a nil value (global 'package')");
  CHECK(run("coroutine.wrap(print)") == "t.lua:1: attempt to index a nil value (global 'coroutine')");
  CHECK(run("local s = string.dump(print)") == "t.lua:1: attempt to call a nil value (field 'dump')");
  CHECK(run("warn('@on')") == "t.lua:1: attempt to call a nil value (global 'warn')");
}

TEST_CASE("sandbox: load takes source text only") {
  CHECK(run("local f = load('return 1 + 1'); assert(f() == 2)") == "");
  CHECK(run("local f, err = load('\\27Lua\\x54\\0'); assert(f == nil); error(err, 0)") ==
        "t.lua:1: attempt to load a binary chunk (mode is 't')");
  CHECK(run("load('return 1', 'x', 'b')") ==
        "t.lua:1: load: binary chunks are not allowed in policies (mode must be \"t\")");
  CHECK(run("load(function() return nil end)") ==
        "t.lua:1: load: policies can only load source text given as a string");
  // The loaded chunk sees the same sandboxed globals.
  CHECK(run("local f = load('return io'); assert(f() == nil)") == "");
  CHECK(run("local f = load('return x', 'c', 't', {x = 7}); assert(f() == 7)") == "");
}

TEST_CASE("sandbox: an endless loop hits the instruction budget even under pcall") {
  CHECK(run("local n = 0\nwhile true do n = n + 1 end") == "t.lua:2" + kBudget);
  CHECK(run("while true do\n  pcall(function() while true do end end)\nend") == "t.lua:2" + kBudget);
  CHECK(run("for i = 1, 10 do\n  xpcall(function() while true do end end, function() while true do end end)\nend") ==
        "t.lua:2" + kBudget);
  CHECK(run("local ok, e = xpcall(function(a) error('x' .. a, 0) end, function(m) return 'handled ' .. m end, 1)\n"
            "assert(not ok and e == 'handled x1', e)") == "");
  CHECK(run("assert(select('#', xpcall(function() return 1, nil, 3 end, print)) == 4)") == "");
  SandboxLimits small;
  small.instructions = 5000;
  CHECK(run("for i = 1, 100 do end", small) == "");
  const std::string msg = run("for i = 1, 10000 do end", small);
  CHECK(msg.find("t.lua:1: instruction budget exceeded: the hook ran more than 5000 Lua instructions") == 0);
}

TEST_CASE("sandbox: deep recursion is a stack overflow and not a crash") {
  SandboxLimits lim;
  lim.instructions = 100'000'000;  // so that Lua's own stack limit (about 200000 calls) comes first
  CHECK(run("local function f(n) return 1 + f(n + 1) end\nf(1)", lim) == "t.lua:1: stack overflow");
  // Through metamethods (the C stack, 200 levels).
  CHECK(run("local t = setmetatable({}, {__index = function(t, k) return t[k] end})\nreturn t.x") ==
        "t.lua:1: C stack overflow");
  // With the default budget the same recursion ends on the budget.
  CHECK(run("local function f(n) return 1 + f(n + 1) end\nf(1)") == "t.lua:1" + kBudget);
}

TEST_CASE("sandbox: memory bombs hit the memory cap") {
  SandboxLimits lim;
  lim.memory_bytes = 1 << 20;
  const std::string tail =
      ": memory limit exceeded: the policy's Lua state needs more than 1 MiB (a table or string growing without "
      "bound? raise policy_limits.memory if the policy really needs more)";
  CHECK(run("local t = {}\nfor i = 1, 1e7 do t[i] = {i} end", lim) == "t.lua:2" + tail);
  CHECK(run("local s = 'x'\nfor i = 1, 40 do s = s .. s end", lim) == "t.lua:2" + tail);
  // pcall cannot hide it for long: the budget or the cap still ends the call.
  const std::string m = run("local t = {}\nwhile true do pcall(function() t[#t + 1] = {} end) end", lim);
  CHECK(m.find("t.lua:2: ") == 0);
  CHECK((m.find("memory limit exceeded") != std::string::npos || m.find("instruction budget") != std::string::npos));
}

TEST_CASE("sandbox: string.rep bombs are refused up front") {
  CHECK(run("local s = string.rep('x', 1e12)") ==
        "t.lua:1: string.rep: the result would be 1000000000000 bytes, more than the policy memory limit (67108864 "
        "bytes)");
  CHECK(run("local s = ('ab'):rep(2^40, ',')").find("t.lua:1: string.rep: the result would be") == 0);
  // An empty result is free (liblua would loop 2^62 times).
  CHECK(run("assert(string.rep('', 2^62) == '')") == "");
  CHECK(run("assert(string.rep('ab', 3, '-') == 'ab-ab-ab')") == "");
}

TEST_CASE("sandbox: backtracking patterns and table.move are bounded") {
  CHECK(run("local s = string.rep('a', 100000)\nreturn s:find('.-.-b')") ==
        "t.lua:2: string.find: a pattern with 2 backtracking quantifiers over a 100000-byte string could take about "
        "1.0e+15 steps (the limit is 1e9); use a simpler pattern or a shorter string");
  CHECK(run("local s = string.rep('a', 100000)\nassert(s:find('.-.-b', 1, true) == nil)") == "");
  CHECK(run("assert(('key=value'):match('^(%w+)=(%w+)$') == 'key')") == "");
  CHECK(run("assert(select(2, ('a,b,c'):gsub(',', ';')) == 2)") == "");
  CHECK(run("table.move({}, 1, 1e15, 2)") ==
        "t.lua:1: table.move: moving more than 10000000 elements at once is not allowed in policies");
  CHECK(run("local t = table.move({1, 2, 3}, 1, 3, 2); assert(t[4] == 3)") == "");
}

TEST_CASE("sandbox: math.random comes from the seed stream") {
  auto a = make({}, 42);
  auto b = make({}, 42);
  auto c = make({}, 43);
  const std::string src =
      "local t = {} for i = 1, 20 do t[#t + 1] = math.random(1, 1000) end\n"
      "for i = 1, 5 do t[#t + 1] = math.floor(math.random() * 1e6) end\n"
      "result = table.concat(t, ',')";
  REQUIRE(a->run_chunk(src).is_ok());
  REQUIRE(b->run_chunk(src).is_ok());
  REQUIRE(c->run_chunk(src).is_ok());
  auto result = [](LuaSandbox& sb) {
    lua_getglobal(sb.state(), "result");
    std::string r = lua_tostring(sb.state(), -1);
    lua_pop(sb.state(), 1);
    return r;
  };
  CHECK(result(*a) == result(*b));
  CHECK(result(*a) != result(*c));
  CHECK(run("math.randomseed(1)") ==
        "t.lua:1: math.randomseed is disabled in policies: math.random already draws from the scenario's seed (change "
        "`seed:` to get other numbers)");
  CHECK(run("for i = 1, 1000 do local x = math.random(3, 5); assert(x >= 3 and x <= 5 and math.type(x) == 'integer') "
            "end") == "");
  CHECK(run("for i = 1, 1000 do local x = math.random(); assert(x >= 0 and x < 1) end") == "");
  CHECK(run("math.random(5, 1)") == "t.lua:1: bad argument #1 to 'random' (interval is empty)");
}

TEST_CASE("sandbox: pairs iterates in sorted key order") {
  CHECK(run("local t = {zeta = 1, alpha = 2, [10] = 3, [2] = 4, [true] = 5, mid = 6}\n"
            "local ks = {} for k in pairs(t) do ks[#ks + 1] = tostring(k) end\n"
            "local got = table.concat(ks, ' ')\n"
            "assert(got == '2 10 alpha mid zeta true', got)") == "");
  CHECK(run("local t = {[{}] = 1}\nfor k in pairs(t) do end") ==
        "t.lua:2: pairs: a key of type table has no deterministic order; use numbers or strings as keys (or ipairs)");
  // Removing the current key during the loop is allowed, as with next.
  CHECK(run("local t = {a = 1, b = 2, c = 3}\nfor k in pairs(t) do t[k] = nil end\nassert(next(t) == nil)") == "");
}

TEST_CASE("sandbox: finalizers and collectgarbage abuse are refused") {
  CHECK(run("setmetatable({}, {__gc = function() while true do end end})") ==
        "t.lua:1: setmetatable: __gc finalizers are not allowed in policies (they would run at unpredictable times)");
  CHECK(run("collectgarbage('stop')") ==
        "t.lua:1: collectgarbage(\"stop\") is not allowed in policies (only \"count\")");
  CHECK(run("collectgarbage()") == "t.lua:1: collectgarbage(\"collect\") is not allowed in policies (only \"count\")");
  CHECK(run("assert(collectgarbage('count') > 0)") == "");
  CHECK(run("local t = setmetatable({}, {__index = function() return 5 end}); assert(t.x == 5)") == "");
}

TEST_CASE("sandbox: errors carry file:line") {
  CHECK(run("local x = 1\nx = = 2") == "t.lua:2: unexpected symbol near '='");
  CHECK(run("error('boom')") == "t.lua:1: boom");
  CHECK(run("\n\nerror('boom', 0)") == "t.lua:3: boom");
  CHECK(run("error({code = 1})") == "t.lua:1: (error object is a table value)");
  CHECK(run("local t = nil\nreturn t.x") == "t.lua:2: attempt to index a nil value (local 't')");
}

TEST_CASE("sandbox: a memory limit too small to start is reported") {
  SandboxLimits lim;
  lim.memory_bytes = 1024;
  auto sb = LuaSandbox::create(lim, Rng(1), "p.lua");
  REQUIRE_FALSE(sb.is_ok());
  CHECK(sb.status().message() ==
        "p.lua: memory limit of 1 KiB is too small to start a Lua state (raise policy_limits.memory)");
}
