#pragma once
// Random numbers that are identical on every platform and every thread count.
//
// One seeded master; each model derives its own stream by name (and replication index), so
// adding a model never shifts another model's numbers. Generator: xoshiro256** seeded through
// SplitMix64. Distributions are written here (std:: distributions are implementation-defined).
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace spotsim {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// FNV-1a, 64 bit: stable name hashing for stream derivation.
constexpr uint64_t hash_name(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

class Rng {
 public:
  Rng() : Rng(0) {}
  explicit Rng(uint64_t seed) {
    uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }
  // A stream for (master seed, replication, model name). Stable across versions.
  static Rng stream(uint64_t master_seed, uint64_t replication, std::string_view name) {
    uint64_t mix = master_seed;
    uint64_t a = splitmix64(mix) ^ hash_name(name);
    uint64_t b = a + 0x632BE59BD9B4E019ULL * (replication + 1);
    return Rng(splitmix64(b));
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Uniform integer in [0, n); unbiased (Lemire's method). REQUIRES: n > 0.
  uint64_t below(uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
    uint64_t l = static_cast<uint64_t>(m);
    if (l < n) {
      const uint64_t t = (0 - n) % n;
      while (l < t) {
        m = static_cast<unsigned __int128>(next_u64()) * n;
        l = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  bool bernoulli(double p) { return uniform01() < p; }
  // Exponential with the given rate (mean 1/rate). REQUIRES: rate > 0.
  double exponential(double rate) { return -std::log1p(-uniform01()) / rate; }
  // Standard normal by Box–Muller (both values used; deterministic pairing).
  double normal(double mean, double stddev) {
    if (has_spare_) {
      has_spare_ = false;
      return mean + stddev * spare_;
    }
    double u1 = uniform01();
    const double u2 = uniform01();
    if (u1 < 1e-300) u1 = 1e-300;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double th = 6.283185307179586476925 * u2;
    spare_ = r * std::sin(th);
    has_spare_ = true;
    return mean + stddev * r * std::cos(th);
  }
  // Lognormal parameterised by the underlying normal's mu and sigma.
  double lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }
  // Weibull with shape k and scale lambda.
  double weibull(double shape, double scale) { return scale * std::pow(-std::log1p(-uniform01()), 1.0 / shape); }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

// Empirical distribution: inverse CDF over sorted samples with linear interpolation.
class Empirical {
 public:
  Empirical() = default;
  explicit Empirical(std::vector<double> samples);
  double sample(Rng& rng) const;
  bool empty() const { return sorted_.empty(); }
  double mean() const;

 private:
  std::vector<double> sorted_;
};

}  // namespace spotsim
