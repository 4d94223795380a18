// --intercept: one iptables NAT rule in the OUTPUT chain sends this machine's traffic for
// 169.254.169.254:80 to the agent, except the agent's own (owner uid match, or a socket mark).
//
// Safety: the rule is written to the state file *before* it is added, so `chaos-agent cleanup`
// can always find it after a crash or kill -9; every rule carries the comment "chaos-agent",
// and cleanup also removes any rule with that comment that the state file does not list.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "chaos-agent/core/paths.h"
#include "common/status.h"

namespace agent::intercept {

// SO_MARK on the agent's own upstream sockets; with Exempt::kMark the rule skips traffic carrying it.
inline constexpr int kAgentSocketMark = 0x5ca1;
// "0x5ca1": the mark as iptables rules and the --intercept-exempt help write it.
std::string mark_text(int mark = kAgentSocketMark);

struct InterceptOptions {
  std::string metadata_ip = "169.254.169.254";
  uint16_t metadata_port = 80;
  std::string agent_ip = "127.0.0.1";  // where redirected traffic goes: the agent's --listen address
  uint16_t agent_port = 0;             // and its bound port (the agent sets both)
  enum class Exempt { kUid, kMark } exempt = Exempt::kUid;
  uid_t uid = 0;                // kUid: traffic of this uid is not redirected
  int mark = kAgentSocketMark;  // kMark: traffic from sockets with this mark is not
  std::string state_file = kDefaultStateFile;
  std::string iptables = "iptables";
};

constexpr const char* kRuleComment = "chaos-agent";

// The iptables arguments (after the binary) that add (-A) or delete (-D) the rule.
std::vector<std::string> rule_args(const InterceptOptions& o, bool add);

class Interceptor {
 public:
  // Records the rule in the state file, then adds it. Refuses when the state file names a
  // live agent; cleans up after a dead one first.
  static spotsim::Result<Interceptor> install(const InterceptOptions& o);
  // Deletes the rule and the state file. Idempotent.
  spotsim::Status remove();
  const InterceptOptions& options() const { return o_; }
  bool installed() const { return installed_; }

 private:
  InterceptOptions o_;
  bool installed_ = false;
};

struct CleanupReport {
  int rules_removed = 0;
  bool state_file_found = false;
  std::vector<std::string> notes;
};
// Removes every rule the state file lists and every rule tagged "chaos-agent" in the nat
// OUTPUT chain, then the state file. Refuses while the recorded agent pid is still alive unless
// force is set.
spotsim::Result<CleanupReport> cleanup(const std::string& state_file, const std::string& iptables, bool force);

// Rules currently tagged "chaos-agent" in nat OUTPUT, as printed by iptables -S.
spotsim::Result<std::vector<std::string>> tagged_rules(const std::string& iptables);

}  // namespace agent::intercept
