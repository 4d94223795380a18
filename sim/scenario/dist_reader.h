#pragma once
// Reading a duration distribution from a scenario (boot latency, rebalance lead, job work, ...).
// Accepted forms (docs/scenario-reference.md, "Distributions"):
//   90s                                        a constant
//   {uniform: [60s, 120s]}                     uniform between the two
//   {lognormal: {median: 90s, p95: 4m}}        lognormal by median and 95th percentile
//   {lognormal: {median: 90s, sigma: 0.5}}     lognormal by median and σ of the underlying normal
//   {exponential: {mean: 30s}}                 exponential
//   {dist: fixed|exponential|uniform|lognormal, value|mean|min+max|median+sigma}  (long form)
#include <string>

#include "sim/scenario/workload_spec.h"
#include "common/yaml_reader.h"

namespace spotsim {

// Reads key `key` of `r` into `out`. `positive`: a constant, mean or median must be > 0 (else
// >= 0 is accepted). Returns true iff a valid value was stored; errors go to r.ctx().
bool read_duration_dist(MapReader& r, const std::string& key, DurationDist& out, bool required, bool positive);

}  // namespace spotsim
