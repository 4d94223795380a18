// Prometheus text exposition (format 0.0.4) for the agent's counters and request latency.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace chaos {

class Metrics {
 public:
  // Counter families are declared up front so HELP/TYPE lines exist even at zero.
  Metrics();
  // `labels` is the inside of {...}, e.g. R"(provider="aws")"; "" for none.
  void inc(const std::string& family, const std::string& labels = "", double by = 1);
  void set_gauge(const std::string& family, double value);
  // Observes one request's latency in seconds, by listener ("metadata" or "control").
  void observe_latency(const std::string& listener, double seconds);
  std::string render() const;
  double value(const std::string& family, const std::string& labels = "") const;

 private:
  struct Family {
    std::string help;
    std::string type;  // counter | gauge
    std::map<std::string, double> series;
  };
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                      0.005,  0.01,    0.025,  0.05,  0.1,
                                                      0.5,    1.0};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  std::map<std::string, Family> families_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace chaos
