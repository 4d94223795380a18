#include "chaos-agent/core/metrics.h"

#include <cstdio>
#include <sstream>

namespace agent {

Metrics::Metrics() {
  auto decl = [&](const char* name, const char* type, const char* help) {
    auto& f = families_[name];
    f.help = help;
    f.type = type;
  };
  decl("chaos_agent_injections_total", "counter", "Fake notices injected, by kind and provider.");
  decl("chaos_agent_reads_total", "counter",
       "Client reads of chaos paths, by provider and whether a notice was visible.");
  decl("chaos_agent_acks_total", "counter", "Azure Scheduled Events acknowledgements (StartRequests).");
  decl("chaos_agent_aborts_total", "counter", "Aborts (all injections cleared by an abort condition or request).");
  decl("chaos_agent_clears_total", "counter", "Clear requests.");
  decl("chaos_agent_expiries_total", "counter", "Injections expired by the dead-man switch.");
  decl("chaos_agent_actions_total", "counter", "Eviction actions run at a notice deadline, by result.");
  decl("chaos_agent_requests_total", "counter", "HTTP requests answered, by listener and status code.");
  decl("chaos_agent_upstream_requests_total", "counter", "Requests forwarded to the real metadata service, by result.");
  decl("chaos_agent_audit_records_lost_total", "counter",
       "Audit records that could not be written to the --audit file.");
  decl("chaos_agent_active_injections", "gauge", "Injections currently served.");
  decl("chaos_agent_longpolls", "gauge", "GCP wait_for_change requests currently held open.");
  decl("chaos_agent_connections", "gauge", "Open client connections on the metadata listener.");
}

Metrics::Counter& Metrics::counter(const std::string& family, const std::string& labels) {
  auto& f = families_[family];
  auto it = f.series.find(labels);
  if (it == f.series.end()) it = f.series.try_emplace(labels).first;
  return it->second;
}

Metrics::Histogram& Metrics::histogram(const std::string& listener) {
  auto it = latency_.find(listener);
  if (it == latency_.end()) it = latency_.try_emplace(listener).first;
  return it->second;
}

double Metrics::value(const std::string& family, const std::string& labels) const {
  auto f = families_.find(family);
  if (f == families_.end()) return 0;
  auto s = f->second.series.find(labels);
  return s == f->second.series.end() ? 0 : s->second.value();
}

void Metrics::Histogram::observe(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(seconds, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::ostringstream o;
  auto fmt = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  for (const auto& [name, f] : families_) {
    o << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << f.type << "\n";
    if (f.series.empty() && f.type == "gauge") o << name << " 0\n";
    for (const auto& [labels, v] : f.series)
      o << name << (labels.empty() ? "" : "{" + labels + "}") << " " << fmt(v.value()) << "\n";
  }
  auto short_fmt = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  const char* h = "chaos_agent_request_duration_seconds";
  o << "# HELP " << h << " Time from a request being read to its response being written.\n";
  o << "# TYPE " << h << " histogram\n";
  for (const auto& [listener, hist] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      o << h << "_bucket{listener=\"" << listener << "\",le=\"" << short_fmt(kBuckets[i]) << "\"} "
        << hist.counts_[i].load(std::memory_order_relaxed) << "\n";
    uint64_t count = hist.count_.load(std::memory_order_relaxed);
    o << h << "_bucket{listener=\"" << listener << "\",le=\"+Inf\"} " << count << "\n";
    o << h << "_sum{listener=\"" << listener << "\"} " << fmt(hist.sum_.load(std::memory_order_relaxed)) << "\n";
    o << h << "_count{listener=\"" << listener << "\"} " << count << "\n";
  }
  return o.str();
}

}  // namespace agent
