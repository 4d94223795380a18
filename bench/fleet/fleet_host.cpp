// chaos_agent_fleet_host CONFIG.json READY.json
//
// Runs many lightweight chaos-agents in one process: each is the real Agent (metadata listener,
// control socket, audit, dead-man) plus the real RemoteControl (mutual TLS), on its own thread
// and io_context. With "netns", a thread first joins that network namespace (setns(2) affects
// only the calling thread), so each agent binds its own address in its own namespace. The
// agents stop cleanly on SIGTERM/SIGINT.
//
// CONFIG: {"ca","cert","key","allow":[names],"max_duration":"2h",
//          "agents":[{"name","ip","dir","netns"?,"metadata_ip"?:ip,"metadata_port"?:8169,"remote_port"?:8443,
//                     "cert"?,"key"?,"audit"?:true}]}
// READY (written once every agent listens): {"pid":N,"agents":N}
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "chaos-agent/agent.h"
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/fleet/remote_control.h"

using namespace agent;
using json = nlohmann::json;

namespace {

struct Slot {
  std::unique_ptr<Agent> agent;
  std::unique_ptr<fleet::RemoteControl> remote;
  std::thread thread;
};

std::mutex mu;
std::condition_variable cv;
size_t started = 0;
std::string first_error;

void run_agent(Slot& slot, const json& cfg, const json& a, const SystemClock& clock) {
  auto report = [&](const std::string& err) {
    std::lock_guard<std::mutex> g(mu);
    if (!err.empty() && first_error.empty()) first_error = a.value("name", "?") + ": " + err;
    ++started;
    cv.notify_all();
  };
  if (a.contains("netns")) {
    std::string path = "/var/run/netns/" + a["netns"].get<std::string>();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      report("cannot join network namespace " + path);
      if (fd >= 0) ::close(fd);
      return;
    }
    ::close(fd);
  }
  const std::string dir = a["dir"].get<std::string>();
  const std::string ip = a["ip"].get<std::string>();
  AgentOptions o;
  o.listen = a.value("metadata_ip", ip) + ":" + std::to_string(a.value("metadata_port", 8169));
  o.control = "unix:" + dir + "/control.sock";
  o.state_file = dir + "/state.json";
  o.upstream = "none";
  o.vm_name = a["name"].get<std::string>();
  o.handle_signals = false;
  if (a.value("audit", true)) o.audit_path = dir + "/audit.jsonl";
  o.max_duration = parse_duration(cfg.value("max_duration", "2h")).value_or(Millis(7200000));
  slot.agent = std::make_unique<Agent>(o, clock);
  if (auto s = slot.agent->start(); !s) {
    report(s.message());
    return;
  }
  fleet::RemoteControlOptions r;
  r.listen = ip + ":" + std::to_string(a.value("remote_port", 8443));
  r.tls = {cfg["ca"].get<std::string>(), a.value("cert", cfg["cert"].get<std::string>()),
           a.value("key", cfg["key"].get<std::string>())};
  r.allow = cfg["allow"].get<std::vector<std::string>>();
  slot.remote = std::make_unique<fleet::RemoteControl>(*slot.agent, r);
  if (auto s = slot.remote->start(); !s) {
    report(s.message());
    return;
  }
  report("");
  slot.agent->run();
  slot.remote.reset();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: chaos_agent_fleet_host CONFIG.json READY.json\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  json cfg = json::parse(in, nullptr, false);
  if (cfg.is_discarded() || !cfg.contains("agents")) {
    std::fprintf(stderr, "chaos_agent_fleet_host: %s: not a config (see the header)\n", argv[1]);
    return 2;
  }
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // every agent thread inherits the mask

  SystemClock clock;
  const json& agents = cfg["agents"];
  std::vector<Slot> slots(agents.size());
  for (size_t i = 0; i < agents.size(); ++i)
    slots[i].thread =
        std::thread(run_agent, std::ref(slots[i]), std::cref(cfg), std::cref(agents[i]), std::cref(clock));
  {
    std::unique_lock<std::mutex> g(mu);
    cv.wait(g, [&] { return started == agents.size(); });
  }
  int rc = 0;
  if (!first_error.empty()) {
    std::fprintf(stderr, "chaos_agent_fleet_host: %s\n", first_error.c_str());
    rc = 3;
  } else {
    std::string tmp = std::string(argv[2]) + ".tmp";
    std::ofstream(tmp) << json{{"pid", ::getpid()}, {"agents", agents.size()}}.dump() << "\n";
    std::rename(tmp.c_str(), argv[2]);
    int sig = 0;
    sigwait(&set, &sig);
  }
  for (auto& s : slots)
    if (s.agent) s.agent->stop("fleet host stopping");
  for (auto& s : slots)
    if (s.thread.joinable()) s.thread.join();
  return rc;
}
