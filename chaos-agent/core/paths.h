#pragma once
// The agent's default locations, in one place: `serve`, the client subcommands (status, inject,
// ...), `cleanup` and game-day plan targets all take their defaults from here. The systemd unit
// (examples/gameday/chaos-agent.service) spells the same paths out.
#include <string>

namespace agent {

inline constexpr const char* kDefaultListen = "127.0.0.1:8169";        // metadata listener
inline constexpr const char* kDefaultUpstream = "169.254.169.254:80";  // the real metadata service
inline constexpr const char* kDefaultControl = "unix:/run/chaos-agent/control.sock";
inline constexpr const char* kDefaultStateFile = "/run/chaos-agent/state.json";

// The control token file when none is given: control.token in the state file's folder ("." for a
// bare file name), where `serve` writes it and clients read it.
inline std::string default_token_file(const std::string& state_file = kDefaultStateFile) {
  const size_t slash = state_file.rfind('/');
  return (slash == std::string::npos ? std::string(".") : state_file.substr(0, slash)) + "/control.token";
}

}  // namespace agent
