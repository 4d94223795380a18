#include "sim/policy/lua_sandbox.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

// Every lua_CFunction in this file follows one rule: no local with a non-trivial destructor is
// alive across a Lua API call that can raise (liblua5.4 is the C build: errors are longjmp).

namespace spotsim {
namespace {

constexpr double kMaxPatternSteps = 1e9;  // worst-case backtracking steps per pattern call
constexpr lua_Integer kMaxTableMove = 10'000'000;

void count_hook(lua_State* L, lua_Debug* ar);

void* sandbox_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* a = static_cast<LuaSandbox::AllocState*>(ud);
  if (nsize == 0) {
    if (ptr) a->used -= static_cast<int64_t>(osize);
    std::free(ptr);
    return nullptr;
  }
  const int64_t old = ptr ? static_cast<int64_t>(osize) : 0;
  const int64_t delta = static_cast<int64_t>(nsize) - old;
  if (delta > 0 && a->used + delta > a->limit) {
    a->refused = true;
    if (++a->consecutive >= 2 && !a->exhausted && !a->budget_exhausted && a->L) {
      // Lua's retry after its emergency collection failed too: a memory error is being raised.
      // Make it stick: from now on every instruction raises, so a pcall cannot keep going.
      a->exhausted = true;
      lua_sethook(a->L, count_hook, LUA_MASKCOUNT, 1);
    }
    if (a->L) {
      // Remember where the innermost Lua function was: a memory error carries no position.
      lua_Debug ar;
      for (int level = 0; lua_getstack(a->L, level, &ar); ++level) {
        lua_getinfo(a->L, "Sl", &ar);
        if (ar.currentline > 0) {
          std::snprintf(a->where, sizeof a->where, "%s:%d", ar.short_src, ar.currentline);
          break;
        }
      }
    }
    return nullptr;  // Lua runs an emergency collection and retries once before failing
  }
  void* p = std::realloc(ptr, nsize);
  if (p) {
    a->used += delta;
    if (delta > 0) a->consecutive = 0;
  }
  return p;
}

int panic_handler(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  std::fprintf(stderr, "spotsim: internal error: unprotected Lua error: %s\n", msg ? msg : "?");
  std::abort();
}

void locate(lua_State* L, int first_level, char* out, size_t size) {
  lua_Debug ar;
  for (int level = first_level; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline > 0) {
      std::snprintf(out, size, "%s:%d", ar.short_src, ar.currentline);
      return;
    }
  }
}

void count_hook(lua_State* L, lua_Debug* ar) {
  if (LuaSandbox::from(L)->alloc().exhausted) {
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    lua_pushliteral(L, "not enough memory");
    lua_error(L);
  }
  char where[160] = {0};
  lua_getinfo(L, "Sl", ar);
  if (ar->currentline > 0) {
    std::snprintf(where, sizeof where, "%s:%d", ar->short_src, ar->currentline);
  } else {
    locate(L, 0, where, sizeof where);
  }
  LuaSandbox::from(L)->note_budget_exhausted(where);
  // From now on every instruction raises again, so a pcall in the policy cannot resume the loop.
  lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
  lua_pushliteral(L, "instruction budget exceeded");
  lua_error(L);
}

int message_handler(lua_State* L) {
  char where[160] = {0};
  locate(L, 1, where, sizeof where);
  LuaSandbox::from(L)->note_error_location(where);
  return 1;  // the error object unchanged
}

// --- replaced library functions ---------------------------------------------------------------

int sb_print(lua_State* L) {
  const int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, nullptr);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  const char* s = lua_tostring(L, -1);
  std::fprintf(stderr, "%s%s\n", LuaSandbox::from(L)->print_prefix().c_str(), s);
  return 0;
}

int sb_random(lua_State* L) {
  Rng& r = LuaSandbox::from(L)->rng();
  lua_Integer lo, up;
  switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, r.uniform01()); return 1;
    case 1:
      lo = 1;
      up = luaL_checkinteger(L, 1);
      if (up == 0) {  // Lua 5.4: math.random(0) is a random integer (all bits random)
        lua_pushinteger(L, static_cast<lua_Integer>(r.next_u64()));
        return 1;
      }
      break;
    case 2:
      lo = luaL_checkinteger(L, 1);
      up = luaL_checkinteger(L, 2);
      break;
    default: return luaL_error(L, "wrong number of arguments");
  }
  luaL_argcheck(L, lo <= up, 1, "interval is empty");
  const uint64_t span = static_cast<uint64_t>(up) - static_cast<uint64_t>(lo);
  const uint64_t v = span == UINT64_MAX ? r.next_u64() : r.below(span + 1);
  lua_pushinteger(L, static_cast<lua_Integer>(static_cast<uint64_t>(lo) + v));
  return 1;
}

int sb_randomseed(lua_State* L) {
  return luaL_error(L,
                    "math.randomseed is disabled in policies: math.random already draws from the "
                    "scenario's seed (change `seed:` to get other numbers)");
}

int sb_collectgarbage(lua_State* L) {
  const char* opt = luaL_optstring(L, 1, "collect");
  if (std::strcmp(opt, "count") != 0) {
    return luaL_error(L, "collectgarbage(\"%s\") is not allowed in policies (only \"count\")", opt);
  }
  const int kb = lua_gc(L, LUA_GCCOUNT);
  const int b = lua_gc(L, LUA_GCCOUNTB);
  lua_pushnumber(L, static_cast<lua_Number>(kb) + static_cast<lua_Number>(b) / 1024.0);
  return 1;
}

int sb_load(lua_State* L) {
  size_t len = 0;
  if (lua_type(L, 1) != LUA_TSTRING) {
    return luaL_error(L, "load: policies can only load source text given as a string");
  }
  const char* s = lua_tolstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, "=(load)");
  const char* mode = luaL_optstring(L, 3, "t");
  if (std::strchr(mode, 't') == nullptr) {
    return luaL_error(L, "load: binary chunks are not allowed in policies (mode must be \"t\")");
  }
  const bool has_env = !lua_isnone(L, 4);
  if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;  // nil, message (like the standard load)
  }
  if (has_env) {
    lua_pushvalue(L, 4);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

int sb_setmetatable(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    const bool gc = lua_rawget(L, 2) != LUA_TNIL;
    lua_pop(L, 1);
    if (gc) {
      return luaL_error(L,
                        "setmetatable: __gc finalizers are not allowed in policies (they would run at "
                        "unpredictable times)");
    }
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

// Deterministic pairs: keys in sorted order (numbers ascending, then strings, then false/true).
struct SortKey {
  int cls;  // 0 number, 1 string, 2 boolean
  lua_Integer i;
  lua_Number d;
  bool is_int;
  const char* s;
  size_t len;
  int slot;  // index in the keys table
};

bool key_less(const SortKey& a, const SortKey& b) {
  if (a.cls != b.cls) return a.cls < b.cls;
  switch (a.cls) {
    case 0:
      if (a.is_int && b.is_int) return a.i < b.i;
      return a.d < b.d;
    case 1: {
      const int c = std::memcmp(a.s, b.s, std::min(a.len, b.len));
      return c != 0 ? c < 0 : a.len < b.len;
    }
    default: return a.i < b.i;
  }
}

int sorted_next(lua_State* L) {
  // upvalues: 1 = table, 2 = sorted keys, 3 = position
  lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));
  for (;;) {
    ++pos;
    if (lua_rawgeti(L, lua_upvalueindex(2), pos) == LUA_TNIL) return 0;
    lua_pushvalue(L, -1);
    lua_rawget(L, lua_upvalueindex(1));
    if (!lua_isnil(L, -1)) break;
    lua_pop(L, 2);  // removed during the loop: skip it
  }
  lua_pushinteger(L, pos);
  lua_replace(L, lua_upvalueindex(3));
  return 2;
}

int sb_pairs(lua_State* L) {
  luaL_checkany(L, 1);
  if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {  // honour __pairs like the standard pairs
    lua_pushvalue(L, 1);
    lua_call(L, 1, 3);
    return 3;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_newtable(L);  // 2: keys
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    lua_pop(L, 1);
    const int t = lua_type(L, -1);
    if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN) {
      return luaL_error(L,
                        "pairs: a key of type %s has no deterministic order; use numbers or strings "
                        "as keys (or ipairs)",
                        lua_typename(L, t));
    }
    lua_pushvalue(L, -1);
    lua_rawseti(L, 2, ++n);
  }
  auto* keys = static_cast<SortKey*>(lua_newuserdatauv(L, sizeof(SortKey) * static_cast<size_t>(n + 1), 0));  // 3
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, 2, i);
    SortKey& k = keys[i - 1];
    k = SortKey{0, 0, 0, false, nullptr, 0, i};
    switch (lua_type(L, -1)) {
      case LUA_TNUMBER:
        k.cls = 0;
        k.is_int = lua_isinteger(L, -1);
        k.i = lua_tointeger(L, -1);
        k.d = lua_tonumber(L, -1);
        break;
      case LUA_TSTRING:
        k.cls = 1;
        k.s = lua_tolstring(L, -1, &k.len);  // stays alive: the keys table holds the string
        break;
      default:
        k.cls = 2;
        k.i = lua_toboolean(L, -1);
        break;
    }
    lua_pop(L, 1);
  }
  std::sort(keys, keys + n, key_less);
  lua_createtable(L, n, 0);  // 4: keys in order
  for (int i = 0; i < n; ++i) {
    lua_rawgeti(L, 2, keys[i].slot);
    lua_rawseti(L, 4, i + 1);
  }
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 4);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, sorted_next, 3);
  lua_pushnil(L);
  lua_pushnil(L);
  return 3;
}

int sb_string_rep(lua_State* L) {
  size_t l = 0, lsep = 0;
  luaL_checklstring(L, 1, &l);
  const lua_Integer n = luaL_checkinteger(L, 2);
  luaL_optlstring(L, 3, "", &lsep);
  if (n <= 0 || l + lsep == 0) {  // (an empty result would still loop n times in liblua)
    lua_pushliteral(L, "");
    return 1;
  }
  const double total =
      static_cast<double>(n) * static_cast<double>(l) + static_cast<double>(n - 1) * static_cast<double>(lsep);
  const int64_t limit = LuaSandbox::from(L)->limits().memory_bytes;
  if (total > static_cast<double>(limit)) {
    char msg[200];
    std::snprintf(msg, sizeof msg,
                  "string.rep: the result would be %.0f bytes, more than the policy memory limit (%lld bytes)", total,
                  static_cast<long long>(limit));
    return luaL_error(L, "%s", msg);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

// Number of backtracking quantifiers (*, +, -) in a Lua pattern.
int count_quantifiers(const char* p, size_t n) {
  int q = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (c == '%') {
      if (i + 1 < n && p[i + 1] == 'b') {
        i += 3;
      } else if (i + 1 < n && p[i + 1] == 'f') {
        i += 2;
        if (i < n && p[i] == '[') {
          ++i;
          if (i < n && p[i] == '^') ++i;
          if (i < n) ++i;  // a leading ']' is literal
          while (i < n && p[i] != ']') i += (p[i] == '%') ? 2 : 1;
        }
      } else {
        ++i;
      }
    } else if (c == '[') {
      ++i;
      if (i < n && p[i] == '^') ++i;
      if (i < n) ++i;
      while (i < n && p[i] != ']') i += (p[i] == '%') ? 2 : 1;
    } else if ((c == '*' || c == '+' || c == '-') && i > 0) {
      ++q;
    }
  }
  return q;
}

// Upvalues: 1 = original function, 2 = its name, 3 = index of the `plain` argument (0 if none).
int sb_pattern(lua_State* L) {
  size_t ls = 0, lp = 0;
  luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  const lua_Integer plain_arg = lua_tointeger(L, lua_upvalueindex(3));
  const bool plain = plain_arg > 0 && lua_toboolean(L, static_cast<int>(plain_arg));
  if (!plain) {
    const int q = count_quantifiers(p, lp);
    if (q > 0) {
      const double steps = std::pow(static_cast<double>(ls) + 1.0, q + 1);
      if (steps > kMaxPatternSteps) {
        char msg[240];
        std::snprintf(msg, sizeof msg,
                      "string.%s: a pattern with %d backtracking quantifiers over a %zu-byte string could take "
                      "about %.1e steps (the limit is 1e9); use a simpler pattern or a shorter string",
                      lua_tostring(L, lua_upvalueindex(2)), q, ls, steps);
        return luaL_error(L, "%s", msg);
      }
    }
  }
  const int nargs = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, nargs, LUA_MULTRET);
  return lua_gettop(L);
}

int sb_table_move(lua_State* L) {
  const lua_Integer f = luaL_checkinteger(L, 2);
  const lua_Integer e = luaL_checkinteger(L, 3);
  if (e >= f && (e - f >= kMaxTableMove || e - f < 0)) {
    return luaL_error(L, "table.move: moving more than %d elements at once is not allowed in policies",
                      static_cast<int>(kMaxTableMove));
  }
  const int nargs = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, nargs, 1);
  return 1;
}

// Replaces t[name] by a C closure whose first upvalue is the original function.
void wrap(lua_State* L, int table, const char* name, lua_CFunction fn) {
  lua_getfield(L, table, name);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, table, name);
}

void wrap_pattern(lua_State* L, int table, const char* name, int plain_arg) {
  lua_getfield(L, table, name);
  lua_pushstring(L, name);
  lua_pushinteger(L, plain_arg);
  lua_pushcclosure(L, sb_pattern, 3);
  lua_setfield(L, table, name);
}

int open_safe_libs(lua_State* L) {
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
  luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
  lua_settop(L, 0);

  lua_pushglobaltable(L);  // 1
  for (const char* name : {"dofile", "loadfile", "require", "warn"}) {
    lua_pushnil(L);
    lua_setfield(L, 1, name);
  }
  lua_pushcfunction(L, sb_print);
  lua_setfield(L, 1, "print");
  lua_pushcfunction(L, sb_collectgarbage);
  lua_setfield(L, 1, "collectgarbage");
  lua_pushcfunction(L, sb_load);
  lua_setfield(L, 1, "load");
  lua_pushcfunction(L, sb_pairs);
  lua_setfield(L, 1, "pairs");
  wrap(L, 1, "setmetatable", sb_setmetatable);

  lua_getfield(L, 1, LUA_STRLIBNAME);  // 2 (also the string metatable's __index)
  lua_pushnil(L);
  lua_setfield(L, 2, "dump");
  wrap(L, 2, "rep", sb_string_rep);
  wrap_pattern(L, 2, "find", 4);
  wrap_pattern(L, 2, "match", 0);
  wrap_pattern(L, 2, "gmatch", 0);
  wrap_pattern(L, 2, "gsub", 0);

  lua_getfield(L, 1, LUA_MATHLIBNAME);  // 3
  lua_pushcfunction(L, sb_random);
  lua_setfield(L, 3, "random");
  lua_pushcfunction(L, sb_randomseed);
  lua_setfield(L, 3, "randomseed");

  lua_getfield(L, 1, LUA_TABLIBNAME);  // 4
  wrap(L, 4, "move", sb_table_move);
  lua_settop(L, 0);

  // xpcall: liblua runs the message handler at the point of the error — inside the count hook
  // when the budget ran out, where hooks are off, so a looping handler would never stop. Here
  // the handler runs after the stack unwinds (there is no debug library to inspect it anyway).
  static const char kXpcall[] =
      "local pcall, pack, unpack = pcall, table.pack, table.unpack\n"
      "return function(f, msgh, ...)\n"
      "  local r = pack(pcall(f, ...))\n"
      "  if r[1] then return unpack(r, 1, r.n) end\n"
      "  return false, msgh(r[2])\n"
      "end\n";
  if (luaL_loadbufferx(L, kXpcall, sizeof kXpcall - 1, "=xpcall", "t") != LUA_OK) return lua_error(L);
  lua_call(L, 0, 1);
  lua_setglobal(L, "xpcall");
  return 0;
}

struct ChunkArg {
  const char* source;
  size_t size;
  const char* name;
};

int load_and_run(lua_State* L) {
  auto* a = static_cast<ChunkArg*>(lua_touserdata(L, 1));
  if (luaL_loadbufferx(L, a->source, a->size, a->name, "t") != LUA_OK) return lua_error(L);
  lua_call(L, 0, 0);
  return 0;
}

bool starts_with_location(const std::string& m) {
  const size_t colon = m.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  if (m.find(' ') < colon) return false;
  size_t i = colon + 1;
  const size_t digits = i;
  while (i < m.size() && m[i] >= '0' && m[i] <= '9') ++i;
  return i > digits && i < m.size() && m[i] == ':';
}

}  // namespace

std::string format_bytes(int64_t bytes) {
  char buf[64];
  if (bytes >= (1LL << 30) && bytes % (1LL << 30) == 0) {
    std::snprintf(buf, sizeof buf, "%lld GiB", static_cast<long long>(bytes >> 30));
  } else if (bytes >= (1LL << 20) && bytes % (1LL << 20) == 0) {
    std::snprintf(buf, sizeof buf, "%lld MiB", static_cast<long long>(bytes >> 20));
  } else if (bytes >= (1LL << 10) && bytes % (1LL << 10) == 0) {
    std::snprintf(buf, sizeof buf, "%lld KiB", static_cast<long long>(bytes >> 10));
  } else {
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
  }
  return buf;
}

LuaSandbox::LuaSandbox(const SandboxLimits& limits, Rng rng, std::string chunk_name)
    : limits_(limits), rng_(rng), chunk_name_(std::move(chunk_name)), print_prefix_(chunk_name_ + ": ") {
  alloc_.limit = limits.memory_bytes;
}

LuaSandbox::~LuaSandbox() {
  if (L_) {
    alloc_.L = nullptr;
    alloc_.limit = INT64_MAX;  // closing may run no finalizers (refused) but must not fail
    lua_close(L_);
  }
}

LuaSandbox* LuaSandbox::from(lua_State* L) { return *static_cast<LuaSandbox**>(lua_getextraspace(L)); }

Result<std::unique_ptr<LuaSandbox>> LuaSandbox::create(const SandboxLimits& limits, Rng rng, std::string chunk_name) {
  std::unique_ptr<LuaSandbox> sb(new LuaSandbox(limits, rng, std::move(chunk_name)));
  sb->L_ = lua_newstate(sandbox_alloc, &sb->alloc_);
  if (!sb->L_) {
    return Status::invalid(sb->chunk_name_ + ": memory limit of " + format_bytes(limits.memory_bytes) +
                           " is too small to start a Lua state (raise policy_limits.memory)");
  }
  *static_cast<LuaSandbox**>(lua_getextraspace(sb->L_)) = sb.get();
  lua_atpanic(sb->L_, panic_handler);
  // Hooks make a few short-lived objects per call (views, argument tables, commands): the
  // generational collector handles those much more cheaply than the incremental one.
  lua_gc(sb->L_, LUA_GCGEN, 0, 0);
  sb->alloc_.L = sb->L_;
  Status st = sb->protected_call(open_safe_libs, nullptr);
  if (!st) {
    return Status::invalid(sb->chunk_name_ + ": memory limit of " + format_bytes(limits.memory_bytes) +
                           " is too small to start a Lua state (raise policy_limits.memory)");
  }
  return sb;
}

void LuaSandbox::arm_budget() {
  const int64_t n = std::clamp<int64_t>(limits_.instructions, 1, INT32_MAX);
  lua_sethook(L_, count_hook, LUA_MASKCOUNT, static_cast<int>(n));
}

void LuaSandbox::note_budget_exhausted(const char* where) {
  if (alloc_.budget_exhausted) return;
  alloc_.budget_exhausted = true;
  std::snprintf(budget_where_, sizeof budget_where_, "%s", where);
}

void LuaSandbox::note_error_location(const char* where) {
  if (error_where_[0] == 0) std::snprintf(error_where_, sizeof error_where_, "%s", where);
}

Status LuaSandbox::run_chunk(const std::string& source) {
  const std::string name = "@" + chunk_name_;
  ChunkArg a{source.data(), source.size(), name.c_str()};
  return protected_call(load_and_run, &a);
}

Status LuaSandbox::protected_call(int (*fn)(lua_State*), void* arg) {
  lua_State* L = L_;
  alloc_.refused = false;
  alloc_.consecutive = 0;
  error_where_[0] = 0;
  arm_budget();
  lua_settop(L, 0);
  lua_pushcfunction(L, message_handler);
  lua_pushcfunction(L, fn);
  lua_pushlightuserdata(L, arg);
  const int code = lua_pcall(L, 1, 0, 1);
  Status st = code == LUA_OK ? Status::ok() : error_status(code);
  lua_settop(L, 0);
  return st;
}

Status LuaSandbox::error_status(int code) {
  const std::string src = chunk_name_;
  auto where_or = [&](const char* w) { return std::string(w[0] ? w : src.c_str()); };
  if (alloc_.budget_exhausted) {
    return Status::invalid(where_or(budget_where_) + ": instruction budget exceeded: the hook ran more than " +
                           std::to_string(limits_.instructions) +
                           " Lua instructions in one call (an endless loop? raise policy_limits.instructions "
                           "if the policy really needs more)");
  }
  std::string msg;
  if (lua_type(L_, -1) == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L_, -1, &len);
    msg.assign(s, len);
  } else if (lua_type(L_, -1) == LUA_TNUMBER) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.14g", static_cast<double>(lua_tonumber(L_, -1)));
    msg = buf;
  } else {
    msg = std::string("(error object is a ") + lua_typename(L_, lua_type(L_, -1)) + " value)";
  }
  if (code == LUA_ERRMEM || alloc_.exhausted || (alloc_.refused && msg == "not enough memory")) {
    return Status::invalid(where_or(alloc_.where) + ": memory limit exceeded: the policy's Lua state needs more than " +
                           format_bytes(limits_.memory_bytes) +
                           " (a table or string growing without bound? raise policy_limits.memory if the "
                           "policy really needs more)");
  }
  if (!starts_with_location(msg)) msg = where_or(error_where_) + ": " + msg;
  return Status::invalid(msg);
}

}  // namespace spotsim
