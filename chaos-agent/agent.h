// Agent: the `serve` process. Owns the event loop, the metadata listener, the control
// listener, the chaos state, the audit log, metrics, the optional interception rule, and the
// clock tick that fires notice deadlines and dead-man expiries.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "chaos-agent/core/actions.h"
#include "chaos-agent/core/audit.h"
#include "chaos-agent/core/chaos_state.h"
#include "chaos-agent/core/metrics.h"
#include "chaos-agent/core/paths.h"
#include "chaos-agent/http/server.h"
#include "chaos-agent/intercept/iptables.h"

namespace agent {

struct AgentOptions {
  std::string listen = kDefaultListen;
  std::string control = kDefaultControl;
  std::string token_file;                   // "" = default_token_file(state_file) (TCP control only)
  std::string upstream = kDefaultUpstream;  // or "none"
  ProviderSet providers = kAllProviders;
  bool intercept = false;
  // How the agent's own upstream traffic escapes the NAT rule: uid (owner match on the agent's
  // uid), mark (SO_MARK intercept::kAgentSocketMark on its upstream sockets), or auto: mark when the agent runs as
  // root (a uid exemption would let every root process bypass the rule), else uid. start()
  // replaces auto by what it chose.
  std::string intercept_exempt = "auto";
  std::string iptables = "iptables";
  std::string state_file = kDefaultStateFile;
  std::string audit_path;           // "" = in memory only
  Millis audit_flush_interval{20};  // longest a client-read record waits to be written
  bool imds_v2_only = false;
  Millis max_duration{2 * 3600 * 1000};
  std::string vm_name;        // "" = hostname
  std::string identity_file;  // --identity: standalone instance identity overrides
  EvictionAction at_deadline;
  Workload workload;
  http::ServerLimits limits;
  Millis gcp_max_wait{300000};
  std::vector<std::string> allow_hosts;
  Millis tick{100};
  bool handle_signals = true;  // SIGTERM/SIGINT stop the agent cleanly
};

class Agent {
 public:
  Agent(AgentOptions options, const Clock& clock);
  ~Agent();

  // Validates options, opens the audit log, binds both listeners, installs the interception
  // rule. Errors name the flag. After an error nothing is left behind.
  spotsim::Status start();
  // Runs the event loop until stop(). REQUIRES: start() succeeded.
  void run();
  // Thread-safe. Clears injections, removes the rule, closes listeners, ends run().
  void stop(const std::string& why);

  uint16_t metadata_port() const;
  uint16_t control_port() const;
  boost::asio::io_context& io();

  // The control API, also callable in-process (from the event loop thread only).
  spotsim::Result<nlohmann::json> inject(const InjectRequest& req, const std::string& peer);
  // With `run`, only that game-day run's injections (ChaosState::clear).
  nlohmann::json clear(const std::string& reason, bool abort, const std::string& peer,
                       const std::optional<std::string>& run = std::nullopt);
  nlohmann::json status() const;
  // With `run`, only the injections a game-day plan made in that run.
  nlohmann::json report(const std::string& run = "") const;
  std::string metrics_text();
  // Writes one audit event (the remote control listener's: who commanded, who was refused).
  void audit(nlohmann::json event);

  const AgentOptions& options() const { return options_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  AgentOptions options_;
};

}  // namespace agent
