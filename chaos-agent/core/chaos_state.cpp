#include "chaos-agent/core/chaos_state.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <random>

#include "chaos-agent/core/time_format.h"

namespace agent {
using spotsim::Result;
using spotsim::Status;

const char* provider_name(Provider p) {
  switch (p) {
    case Provider::kAws: return "aws";
    case Provider::kAzure: return "azure";
    case Provider::kGcp: return "gcp";
  }
  return "?";
}

std::optional<ProviderSet> parse_providers(std::string_view s) {
  ProviderSet set = 0;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string_view item = s.substr(start, comma == std::string_view::npos ? s.npos : comma - start);
    if (item == "aws") set |= static_cast<unsigned>(Provider::kAws);
    else if (item == "azure") set |= static_cast<unsigned>(Provider::kAzure);
    else if (item == "gcp") set |= static_cast<unsigned>(Provider::kGcp);
    else if (item == "all") set |= kAllProviders;
    else return std::nullopt;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

std::string providers_to_string(ProviderSet set) {
  if (set == kAllProviders) return "all";
  std::string out;
  for (Provider p : {Provider::kAws, Provider::kAzure, Provider::kGcp}) {
    if (has(set, p)) {
      if (!out.empty()) out += ",";
      out += provider_name(p);
    }
  }
  return out;
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kPreempt: return "preempt";
    case Kind::kRebalance: return "rebalance";
    case Kind::kMaintenance: return "maintenance";
  }
  return "?";
}

std::optional<Kind> parse_kind(std::string_view s) {
  if (s == "preempt") return Kind::kPreempt;
  if (s == "rebalance") return Kind::kRebalance;
  if (s == "maintenance") return Kind::kMaintenance;
  return std::nullopt;
}

namespace {
std::mt19937_64& rng() {
  static thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  return gen;
}
}  // namespace

std::string random_hex(size_t n_chars) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n_chars);
  for (size_t i = 0; i < n_chars; ++i) out += kHex[rng()() & 15];
  return out;
}

std::string random_guid() {
  std::string h = random_hex(32);
  h[12] = '4';
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

std::optional<std::string> unrealistic_notice(const InjectRequest& req) {
  bool azure_preempt = req.kind == Kind::kPreempt && has(req.providers, Provider::kAzure) &&
                       (req.azure_event_type.empty() || req.azure_event_type == "Preempt");
  if (azure_preempt && req.notice < kAzurePreemptMinNotice)
    return "Azure Scheduled Events give Preempt at least " + format_duration(kAzurePreemptMinNotice) +
           " of notice, got " + format_duration(req.notice);
  return std::nullopt;
}

std::string ChaosState::expiry_reason(const Injection& inj) const {
  if (inj.expiry_cause == ExpiryCause::kTtl)
    return "ttl: the injection's ttl of " + format_duration(inj.req.ttl) + " ran out";
  return "dead-man switch: injection reached its maximum duration (--max-duration " + format_duration(max_duration_) +
         ")";
}

ChaosState::ChaosState(const Clock& clock, Millis max_duration, std::string vm_name)
    : clock_(clock), max_duration_(max_duration), vm_name_(std::move(vm_name)) {}

bool ChaosState::azure_visible(const Injection& inj) {
  return has(inj.req.providers, Provider::kAzure) && !inj.azure_event_id.empty();
}

Result<Injection> ChaosState::inject(InjectRequest req) {
  if (req.providers == 0 || (req.providers & ~kAllProviders) != 0)
    return Status::invalid("provider: expected aws, azure, gcp or all");
  if (req.notice < Millis(0)) return Status::invalid("notice: must not be negative");
  if (req.ttl < Millis(0)) return Status::invalid("ttl: must not be negative");
  if (req.kind == Kind::kPreempt) {
    const auto& a = req.aws_action;
    if (a != "terminate" && a != "stop" && a != "hibernate")
      return Status::invalid("action: expected terminate, stop or hibernate, got '" + a + "'");
  }
  std::string az_type = req.azure_event_type;
  if (req.kind == Kind::kPreempt && az_type.empty()) az_type = "Preempt";
  if (req.kind == Kind::kMaintenance && az_type.empty()) az_type = "Reboot";
  if (!az_type.empty() && az_type != "Preempt" && az_type != "Reboot" && az_type != "Redeploy" && az_type != "Freeze" &&
      az_type != "Terminate")
    return Status::invalid("azure event type: expected Preempt, Reboot, Redeploy, Freeze or Terminate, got '" +
                           az_type + "'");
  if (req.kind == Kind::kMaintenance && req.gcp_maintenance != "TERMINATE_ON_HOST_MAINTENANCE" &&
      req.gcp_maintenance != "MIGRATE_ON_HOST_MAINTENANCE")
    return Status::invalid(
        "gcp maintenance event: expected TERMINATE_ON_HOST_MAINTENANCE or "
        "MIGRATE_ON_HOST_MAINTENANCE, got '" +
        req.gcp_maintenance + "'");
  std::optional<std::string> unrealistic = unrealistic_notice(req);
  if (unrealistic && !req.allow_unrealistic)
    return Status::invalid("notice: " + *unrealistic + " (a shorter notice is accepted only with --allow-unrealistic)");
  if (req.kind == Kind::kRebalance && req.providers == static_cast<unsigned>(Provider::kAzure))
    return Status::invalid("rebalance: Azure has no rebalance recommendation; use --provider aws");
  if (req.kind == Kind::kRebalance && req.providers == static_cast<unsigned>(Provider::kGcp))
    return Status::invalid("rebalance: GCP has no rebalance recommendation; use --provider aws");

  WallTime now = clock_.now();
  Injection inj;
  inj.id = "inj-" + std::to_string(next_id_++) + "-" + random_hex(6);
  inj.injected_at = now;
  inj.deadline = now + req.notice;
  bool own_ttl = req.ttl.count() > 0 && req.ttl <= max_duration_;
  inj.expires_at = now + (own_ttl ? req.ttl : max_duration_);
  inj.expiry_cause = own_ttl ? ExpiryCause::kTtl : ExpiryCause::kMaxDuration;
  if (unrealistic) inj.unrealistic = *unrealistic;
  if (req.kind != Kind::kRebalance && has(req.providers, Provider::kAzure)) {
    inj.azure_event_id = random_guid();
    inj.azure_event_type = az_type;
  }
  if (req.kind == Kind::kMaintenance) inj.aws_event_id = "instance-event-" + random_hex(17);
  inj.req = std::move(req);

  bool azure_changed = azure_visible(inj);
  for (auto it = injections_.begin(); it != injections_.end();) {
    if (it->req.kind == inj.req.kind) {
      azure_changed |= azure_visible(*it);
      it = injections_.erase(it);
    } else {
      ++it;
    }
  }
  injections_.push_back(inj);
  changed(azure_changed);
  return inj;
}

std::vector<Injection> ChaosState::clear(const std::optional<std::string>& run) {
  std::vector<Injection> removed;
  if (!run) {
    removed.swap(injections_);
  } else {
    auto keep = std::stable_partition(injections_.begin(), injections_.end(),
                                      [&](const Injection& inj) { return inj.req.run != *run; });
    removed.assign(std::make_move_iterator(keep), std::make_move_iterator(injections_.end()));
    injections_.erase(keep, injections_.end());
  }
  if (!removed.empty()) {
    bool az = std::any_of(removed.begin(), removed.end(), azure_visible);
    changed(az);
  }
  return removed;
}

const Injection* ChaosState::active(Kind kind, Provider p) const {
  for (auto it = injections_.rbegin(); it != injections_.rend(); ++it)
    if (it->req.kind == kind && has(it->req.providers, p)) return &*it;
  return nullptr;
}

std::vector<const Injection*> ChaosState::azure_events() const {
  std::vector<const Injection*> out;
  for (const auto& inj : injections_)
    if (azure_visible(inj)) out.push_back(&inj);
  return out;
}

ChaosState::AckResult ChaosState::azure_ack(const std::vector<std::string>& event_ids) {
  AckResult r;
  for (const auto& id : event_ids) {
    auto it = std::find_if(injections_.begin(), injections_.end(),
                           [&](const Injection& inj) { return azure_visible(inj) && inj.azure_event_id == id; });
    if (it == injections_.end()) {
      r.unknown.push_back(id);
    } else if (it->azure_started) {
      r.already_started.push_back(id);
    } else {
      it->azure_started = true;
      r.started.push_back(id);
    }
  }
  if (!r.started.empty()) changed(true);
  return r;
}

bool ChaosState::expedite(const std::string& injection_id) {
  for (auto& inj : injections_) {
    if (inj.id == injection_id && !inj.deadline_passed) {
      inj.deadline = std::min(inj.deadline, clock_.now());
      return true;
    }
  }
  return false;
}

ChaosState::TickEvents ChaosState::tick() {
  TickEvents ev;
  WallTime now = clock_.now();
  bool any = false, az = false;
  for (auto it = injections_.begin(); it != injections_.end();) {
    if (!it->deadline_passed && now >= it->deadline) {
      it->deadline_passed = true;
      ev.deadlines.push_back(*it);
    }
    if (now >= it->expires_at) {
      any = true;
      az |= azure_visible(*it);
      ev.expired.push_back(*it);
      it = injections_.erase(it);
    } else {
      ++it;
    }
  }
  if (any) changed(az);
  return ev;
}

uint64_t ChaosState::subscribe(std::function<void()> listener) {
  uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void ChaosState::unsubscribe(uint64_t id) { listeners_.erase(id); }

void ChaosState::changed(bool azure_doc_changed) {
  ++version_;
  if (azure_doc_changed) ++azure_incarnation_;
  // Listeners may (un)subscribe while running: iterate over a snapshot of ids.
  std::vector<uint64_t> ids;
  ids.reserve(listeners_.size());
  for (const auto& [id, fn] : listeners_) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = listeners_.find(id);
    if (it == listeners_.end()) continue;
    auto fn = it->second;  // copy: the listener may unsubscribe itself
    fn();
  }
}

}  // namespace agent
