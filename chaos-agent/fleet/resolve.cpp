#include "chaos-agent/fleet/resolve.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "chaos-agent/core/time_format.h"

namespace agent::fleet {

Lookup system_lookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  Lookup out;
  if (rc != 0) {
    out.error = rc == EAI_SYSTEM ? "system error" : ::gai_strerror(rc);
    return out;
  }
  for (addrinfo* a = res; a; a = a->ai_next) {
    boost::asio::ip::address addr;
    if (a->ai_family == AF_INET) {
      auto* sin = reinterpret_cast<const sockaddr_in*>(a->ai_addr);
      addr = boost::asio::ip::address_v4(ntohl(sin->sin_addr.s_addr));
    } else if (a->ai_family == AF_INET6) {
      auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ai_addr);
      boost::asio::ip::address_v6::bytes_type b;
      std::copy(std::begin(sin6->sin6_addr.s6_addr), std::end(sin6->sin6_addr.s6_addr), b.begin());
      addr = boost::asio::ip::address_v6(b, sin6->sin6_scope_id);
    } else {
      continue;
    }
    if (std::find(out.addresses.begin(), out.addresses.end(), addr) == out.addresses.end())
      out.addresses.push_back(addr);
  }
  ::freeaddrinfo(res);
  if (out.addresses.empty()) out.error = "no IPv4 or IPv6 address";
  return out;
}

namespace {
// Shared by the waiting coordinator and the workers; a worker may outlive the wait.
struct Work {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> names;
  std::vector<Lookup> results;
  std::vector<bool> done;
  size_t next = 0, finished = 0;
  bool abandoned = false;
  LookupFn lookup;
};
}  // namespace

std::map<std::string, Lookup> lookup_all(const std::vector<std::string>& hosts, Millis timeout, const LookupFn& lookup,
                                         size_t parallel) {
  std::map<std::string, Lookup> out;
  auto work = std::make_shared<Work>();
  work->lookup = lookup;
  for (const auto& h : hosts) {
    if (out.count(h) || std::find(work->names.begin(), work->names.end(), h) != work->names.end()) continue;
    boost::system::error_code ec;
    auto ip = boost::asio::ip::make_address(h, ec);
    if (!ec) out[h].addresses = {ip};
    else work->names.push_back(h);
  }
  if (work->names.empty()) return out;
  work->results.resize(work->names.size());
  work->done.assign(work->names.size(), false);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (size_t t = 0; t < std::min(parallel, work->names.size()); ++t) {
    std::thread([work] {
      std::unique_lock<std::mutex> g(work->mu);
      while (!work->abandoned && work->next < work->names.size()) {
        size_t i = work->next++;
        std::string name = work->names[i];
        g.unlock();
        Lookup r = work->lookup(name);
        g.lock();
        work->results[i] = std::move(r);
        work->done[i] = true;
        ++work->finished;
        work->cv.notify_all();
      }
    }).detach();
  }
  std::unique_lock<std::mutex> g(work->mu);
  work->cv.wait_until(g, deadline, [&] { return work->finished == work->names.size(); });
  work->abandoned = true;
  for (size_t i = 0; i < work->names.size(); ++i) {
    Lookup& r = out[work->names[i]];
    if (work->done[i]) r = work->results[i];
    else r.error = "no answer within " + format_duration(timeout) + " (--resolve-timeout)";
  }
  return out;
}

}  // namespace agent::fleet
