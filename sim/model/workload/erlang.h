#pragma once
// M/M/c queueing formulas (Erlang C) used by the service workload and by the tests that check
// the batch queue against theory. Offered load a = λ/μ (in servers); c servers.
#include <cstdint>

namespace spotsim {

// Probability that an arriving request waits (Erlang C). 1 when a >= c (unstable), c >= 1.
// Computed through the Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)), stable for any c.
double erlang_c(int64_t c, double a);
// Mean wait in queue W_q = C(c, a) / (cμ − λ); +inf when unstable.
double mmc_mean_wait(int64_t c, double lambda, double mu);
// P(response time ≤ t) for M/M/c FIFO, response = wait + exponential(μ) service. 0 if unstable.
double mmc_response_cdf(int64_t c, double lambda, double mu, double t);
// Mean response time W_q + 1/μ; +inf when unstable.
double mmc_mean_response(int64_t c, double lambda, double mu);

}  // namespace spotsim
