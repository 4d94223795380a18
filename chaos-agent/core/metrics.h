// Prometheus text exposition (format 0.0.4) for the agent's counters and request latency.
//
// The request path uses handles (counter(), histogram()) resolved once, so counting a request
// is one relaxed atomic add: no label strings are built and no maps are searched per request.
// Handles stay valid for the Metrics object's lifetime. Series are created from one thread
// (the event loop); values may be added to from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace agent {

class Metrics {
 public:
  class Counter {
   public:
    void inc(double by = 1) { v_.fetch_add(by, std::memory_order_relaxed); }
    void set(double v) { v_.store(v, std::memory_order_relaxed); }
    double value() const { return v_.load(std::memory_order_relaxed); }

   private:
    std::atomic<double> v_{0};
  };
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
  class Histogram {
   public:
    void observe(double seconds);

   private:
    friend class Metrics;
    std::array<std::atomic<uint64_t>, kBuckets.size()> counts_{};
    std::atomic<uint64_t> count_{0};
    std::atomic<double> sum_{0};
  };

  // Counter families are declared up front so HELP/TYPE lines exist even at zero.
  Metrics();
  // `labels` is the inside of {...}, e.g. R"(provider="aws")"; "" for none. Creates the series.
  Counter& counter(const std::string& family, const std::string& labels = "");
  Histogram& histogram(const std::string& listener);

  void inc(const std::string& family, const std::string& labels = "", double by = 1) {
    counter(family, labels).inc(by);
  }
  void set_gauge(const std::string& family, double value) { counter(family).set(value); }
  // Observes one request's latency in seconds, by listener ("metadata" or "control").
  void observe_latency(const std::string& listener, double seconds) { histogram(listener).observe(seconds); }
  std::string render() const;
  double value(const std::string& family, const std::string& labels = "") const;

 private:
  struct Family {
    std::string help;
    std::string type;  // counter | gauge
    std::map<std::string, Counter> series;
  };
  std::map<std::string, Family> families_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace agent
