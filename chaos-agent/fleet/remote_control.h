// The agent's remote control listener (`serve --remote-control ADDR:PORT`): the control API
// of control/control_api.h over mutually authenticated TLS, for a fleet coordinator.
//
// Promises:
// - A connection exists only after a TLS handshake in which the coordinator presented a
//   certificate chaining to --tls-ca (tls.h). A command is obeyed only when that certificate's
//   CN or a DNS SAN is on the allow-list (--allow-coordinator NAME, repeatable); otherwise 403.
// - Every request carries X-Chaos-Nonce and X-Chaos-Time and passes the ReplayGuard (409
//   replayed, 401 stale/missing).
// - Every remote request is audited on the agent with the coordinator's identity: event
//   "remote" {coordinator, peer, method, target, status, nonce} for commands and reads, and
//   "remote_refused" {peer, coordinator?, reason} for failed handshakes, names not allowed and
//   replays. Injections it makes carry peer "tls:NAME@IP:PORT" in their own inject events.
// - Dead-man lease: an inject names its run and a lease (POST /v1/inject {..., "run": R,
//   "lease": "10s"}); POST /v1/heartbeat {"run": R} renews it. When a run's lease runs out
//   while an injection of that run is live, the agent aborts (clears) its injections by
//   itself and audits "dead_man". POST /v1/clear|/v1/abort end the lease.
//   Requests: POST /v1/inject, /v1/heartbeat, /v1/clear, /v1/abort; GET /v1/status,
//   /v1/report?run=R.
// Single-threaded: runs on the agent's io_context and calls the Agent from there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chaos-agent/agent.h"
#include "common/status.h"
#include "chaos-agent/fleet/fleet_plan.h"

namespace agent::fleet {

struct RemoteControlOptions {
  std::string listen;  // "ADDR:PORT" (any address: TLS + allow-list protect it)
  TlsFiles tls;
  std::vector<std::string> allow;  // coordinator names (CN or DNS SAN), exact match
  Millis replay_window{30000};
  Millis handshake_timeout{10000};
  Millis idle_timeout{300000};
  Millis lease_check{100};
  size_t max_connections = 2048;
};

class RemoteControl {
 public:
  RemoteControl(Agent& agent, RemoteControlOptions options);
  ~RemoteControl();
  RemoteControl(const RemoteControl&) = delete;
  RemoteControl& operator=(const RemoteControl&) = delete;

  // Loads the TLS files and binds. Errors name the flag. REQUIRES: agent.start() succeeded.
  spotsim::Status start();
  uint16_t port() const;

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace agent::fleet
