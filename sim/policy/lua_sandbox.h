#pragma once
// A sandboxed Lua 5.4 state for one policy in one replication.
//
// What the sandbox promises (docs/policies.md, "Sandbox"):
//  - Only pure libraries: base (without dofile, loadfile, require, warn), string (without dump),
//    table, math, utf8. No io, os, package, debug, coroutine. `load` accepts text only and
//    defaults to the policy's own globals; `collectgarbage` answers "count" only.
//  - A budget of Lua instructions per protected call (count hook). Once exhausted, every further
//    instruction raises again, so `pcall` inside the policy cannot swallow it.
//  - A memory cap for the whole state (a counting lua_Alloc that refuses growth past the limit).
//  - Deterministic: math.random draws from a spotsim Rng stream (math.randomseed is refused),
//    `pairs` iterates in sorted key order, __gc finalizers are refused, and C-side loops a
//    policy could make unbounded (string.rep, table.move, backtracking patterns) are capped.
//
// Errors: every failure becomes a Status (kInvalidInput) whose message starts with
// "<file>:<line>: ". Lua errors never unwind C++ frames: this links the C build of liblua5.4
// (errors are longjmp), so every entry into Lua goes through lua_pcall of a C trampoline, and
// the functions Lua can jump over own no objects with destructors (see lua_policy.cpp).
#include <cstdint>
#include <memory>
#include <string>

#include "sim/core/rng.h"
#include "common/status.h"

struct lua_State;

namespace spotsim {

struct SandboxLimits {
  int64_t instructions = 1'000'000;   // Lua VM instructions per protected call
  int64_t memory_bytes = 64LL << 20;  // bytes for the whole state
};

class LuaSandbox {
 public:
  // Creates the state and installs the safe libraries. `chunk_name` is the policy file's path
  // as shown in messages. Fails (kInvalidInput) if the limits are too small to even start.
  static Result<std::unique_ptr<LuaSandbox>> create(const SandboxLimits& limits, Rng rng, std::string chunk_name);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  lua_State* state() { return L_; }
  const std::string& chunk_name() const { return chunk_name_; }
  const SandboxLimits& limits() const { return limits_; }
  int64_t memory_used() const { return alloc_.used; }

  // Compiles `source` as a text chunk (a syntax error is "<file>:<line>: <message>") and runs
  // it with a fresh instruction budget.
  Status run_chunk(const std::string& source);

  // Calls fn(L) under lua_pcall with `arg` as its only (light userdata) argument, with a fresh
  // instruction budget. fn may raise Lua errors; it must not own C++ objects with destructors
  // across any call that can raise. Returns the formatted error on failure.
  // REQUIRES: not called from inside another protected_call.
  Status protected_call(int (*fn)(lua_State*), void* arg);

  // An opaque pointer for the embedder's C functions (LuaSandbox::from(L)->user()).
  void set_user(void* user) { user_ = user; }
  void* user() const { return user_; }

  // Where `print` output goes (default: stderr with a "<file>: " prefix).
  void set_print_prefix(std::string prefix) { print_prefix_ = std::move(prefix); }

  // --- for the C functions of the sandbox (public so file-local callbacks can reach them) ---
  struct AllocState {
    int64_t used = 0;
    int64_t limit = 0;
    bool refused = false;           // an allocation was refused since the last protected call began
    int consecutive = 0;            // refusals in a row (2 = Lua's retry after an emergency GC failed too)
    bool exhausted = false;         // sticky: a memory error was raised; every instruction now raises
    bool budget_exhausted = false;  // sticky: the instruction budget ran out
    lua_State* L = nullptr;         // set once the state exists (for locating refusals)
    char where[160] = {0};          // "<src>:<line>" of the innermost Lua function at the last refusal
  };
  static LuaSandbox* from(lua_State* L);
  Rng& rng() { return rng_; }
  const std::string& print_prefix() const { return print_prefix_; }
  void note_budget_exhausted(const char* where);
  void note_error_location(const char* where);
  AllocState& alloc() { return alloc_; }

 private:
  LuaSandbox(const SandboxLimits& limits, Rng rng, std::string chunk_name);
  void arm_budget();
  Status error_status(int code);

  SandboxLimits limits_;
  Rng rng_;
  std::string chunk_name_;
  std::string print_prefix_;
  AllocState alloc_;
  lua_State* L_ = nullptr;
  void* user_ = nullptr;
  char budget_where_[160] = {0};
  char error_where_[160] = {0};
};

// "64 MiB", "1.5 KiB", "100 bytes": for messages about the memory limit.
std::string format_bytes(int64_t bytes);

}  // namespace spotsim
