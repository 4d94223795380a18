// ChaosState: the fake notices currently being served, one source of truth for all three
// providers. Single-threaded: owned by the agent's event loop (or a test).
//
// A new injection of a kind replaces the previous injection of that kind. Every injection
// expires by itself at expires_at (dead-man switch: at most max_duration after it was made).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chaos-agent/core/clock.h"
#include "common/status.h"

namespace agent {

enum class Provider : unsigned { kAws = 1, kAzure = 2, kGcp = 4 };
using ProviderSet = unsigned;
constexpr ProviderSet kAllProviders = 7;

const char* provider_name(Provider p);
// "aws", "azure", "gcp", "all", or a comma list ("aws,gcp"). nullopt when malformed.
std::optional<ProviderSet> parse_providers(std::string_view s);
std::string providers_to_string(ProviderSet set);
inline bool has(ProviderSet set, Provider p) { return (set & static_cast<unsigned>(p)) != 0; }

enum class Kind { kPreempt, kRebalance, kMaintenance };
const char* kind_name(Kind k);
std::optional<Kind> parse_kind(std::string_view s);

struct InjectRequest {
  Kind kind = Kind::kPreempt;
  ProviderSet providers = kAllProviders;
  Millis notice{120000};                 // time from the notice to the (simulated) eviction
  std::string aws_action = "terminate";  // terminate | stop | hibernate
  std::string azure_event_type;          // "" = Preempt (preempt) / Reboot (maintenance)
  std::string gcp_maintenance = "TERMINATE_ON_HOST_MAINTENANCE";
  Millis ttl{0};                   // 0 = the agent's max duration
  std::string source = "cli";      // who asked: cli, plan:<name>, ...
  std::string run;                 // a game-day plan's run id ("" = made by hand)
  bool allow_unrealistic = false;  // accept a notice shorter than the provider gives
};

// Azure Scheduled Events give a Preempt event at least this much notice (NotBefore >= 30 s ahead).
constexpr Millis kAzurePreemptMinNotice{30000};
// Why `req` asks for something the provider never does ("Azure Scheduled Events give Preempt at
// least 30s of notice, got 10s"), or nullopt when it is realistic.
std::optional<std::string> unrealistic_notice(const InjectRequest& req);

// Why an injection ends by itself: its own ttl, or the agent's --max-duration (dead-man switch).
enum class ExpiryCause { kTtl, kMaxDuration };

struct Injection {
  std::string id;
  InjectRequest req;
  WallTime injected_at{};
  WallTime deadline{};    // injected_at + notice
  WallTime expires_at{};  // dead-man expiry
  ExpiryCause expiry_cause = ExpiryCause::kMaxDuration;
  std::string unrealistic;  // set when accepted with allow_unrealistic
  bool deadline_passed = false;
  std::string azure_event_id;  // a GUID, when Azure sees this injection
  std::string azure_event_type;
  bool azure_started = false;
  std::string aws_event_id;  // instance-event-..., for maintenance
};

class ChaosState {
 public:
  // REQUIRES: clock outlives the state; max_duration > 0.
  ChaosState(const Clock& clock, Millis max_duration, std::string vm_name);

  // Validates and records an injection. Errors name the field and the accepted values; a notice
  // shorter than the provider's minimum is refused unless req.allow_unrealistic.
  spotsim::Result<Injection> inject(InjectRequest req);
  // Removes every injection, or with `run` only those a game-day run made (req.run == *run;
  // a run's dead-man lease ran out): injections made by hand or by another run stay. Returns
  // what was removed.
  std::vector<Injection> clear(const std::optional<std::string>& run = std::nullopt);
  const std::vector<Injection>& injections() const { return injections_; }

  // The live injection of `kind` that `p` should show, or nullptr.
  const Injection* active(Kind kind, Provider p) const;

  // Azure Scheduled Events document.
  uint64_t azure_incarnation() const { return azure_incarnation_; }
  std::vector<const Injection*> azure_events() const;
  struct AckResult {
    std::vector<std::string> started;  // moved Scheduled -> Started now
    std::vector<std::string> already_started;
    std::vector<std::string> unknown;
  };
  AckResult azure_ack(const std::vector<std::string>& event_ids);

  // Moves an injection's deadline to now (an Azure ack lets the platform proceed at once).
  // Returns false when unknown or already past its deadline.
  bool expedite(const std::string& injection_id);

  // Applies the passage of time: deadlines reached and injections expired since the last tick.
  struct TickEvents {
    std::vector<Injection> deadlines;
    std::vector<Injection> expired;
  };
  TickEvents tick();

  // Change notification (GCP wait_for_change). Listeners run synchronously on every change;
  // a listener may unsubscribe itself (or others) while being called.
  uint64_t version() const { return version_; }
  uint64_t subscribe(std::function<void()> listener);
  void unsubscribe(uint64_t id);
  size_t subscriber_count() const { return listeners_.size(); }

  const std::string& vm_name() const { return vm_name_; }
  const Clock& clock() const { return clock_; }
  Millis max_duration() const { return max_duration_; }
  // The audit "reason" of an expiry: "ttl: ..." or "dead-man switch: ...".
  std::string expiry_reason(const Injection& inj) const;

 private:
  void changed(bool azure_doc_changed);
  static bool azure_visible(const Injection& inj);

  const Clock& clock_;
  Millis max_duration_;
  std::string vm_name_;
  std::vector<Injection> injections_;
  uint64_t next_id_ = 1;
  uint64_t version_ = 1;
  uint64_t azure_incarnation_ = 1;
  uint64_t next_listener_ = 1;
  std::map<uint64_t, std::function<void()>> listeners_;
};

// Random identifiers (not predictable by other local users).
std::string random_hex(size_t n_chars);
std::string random_guid();

}  // namespace agent
