// Looking up the inventory's host names with a time limit, before the coordinator connects.
//
// getaddrinfo(3) cannot be cancelled and may block for the resolver's whole retry schedule
// (tens of seconds for a name server that does not answer). So the names are looked up on a
// few worker threads while the coordinator waits at most `timeout` for all of them together; a
// name without an answer by then is reported unresolved ("no answer within 2s"), and its
// target unreachable - never replaced by another target. A lookup still running is abandoned to
// its thread (which owns everything it touches), so a slow name server never delays the drill.
// IP literals need no lookup.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "chaos-agent/core/clock.h"

namespace agent::fleet {

struct Lookup {
  std::vector<boost::asio::ip::address> addresses;  // empty when it failed
  std::string error;                                // why, when it failed
};

using LookupFn = std::function<Lookup(const std::string& host)>;

// The system's resolver (getaddrinfo, TCP addresses of any family).
Lookup system_lookup(const std::string& host);

// Looks up every distinct name of `hosts` (IP literals are answered at once), at most
// `parallel` at a time, returning after at most about `timeout`.
std::map<std::string, Lookup> lookup_all(const std::vector<std::string>& hosts, Millis timeout,
                                         const LookupFn& lookup = system_lookup, size_t parallel = 16);

}  // namespace agent::fleet
