#include "chaos-agent/plan/runner.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "chaos-agent/control/control_api.h"
#include "chaos-agent/core/audit.h"
#include "chaos-agent/core/paths.h"
#include "chaos-agent/core/process.h"
#include "chaos-agent/core/time_format.h"

namespace agent::plan {
namespace {

using Steady = std::chrono::steady_clock;

std::string elapsed_label(Steady::time_point t0) {
  auto ms = std::chrono::duration_cast<Millis>(Steady::now() - t0).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "T+%.1fs", static_cast<double>(ms) / 1000.0);
  return buf;
}

bool health_ok(const HealthCheck& h) {
  auto u = http::parse_loopback_url(h.url, "url");
  if (!u) return false;
  http::Request req{http::bhttp::verb::get, u->second, 11};
  auto r = http::request(u->first, std::move(req), h.timeout);
  return r && r->result_int() >= 200 && r->result_int() < 300;
}

bool command_ok(const std::string& cmd) {
  auto r = run_sync({"/bin/sh", "-c", cmd});
  return r && r->exit_code == 0;
}

}  // namespace

RunOutcome run_plan(const Plan& plan, const RunnerOptions& options) {
  auto log = options.log ? options.log : [](const std::string& s) {
    std::printf("%s\n", s.c_str());
    std::fflush(stdout);
  };
  RunOutcome out;
  // Every injection of this run carries the run id, so the report counts only the plan's own.
  const std::string run_id = options.run_id.empty() ? "run-" + random_hex(12) : options.run_id;
  out.report = {{"plan", plan.name},
                {"file", plan.file},
                {"run", run_id},
                {"aborted", false},
                {"targets", nlohmann::json::object()}};

  std::map<std::string, control::Client> clients;
  for (const auto& t : plan.targets) {
    auto c = control::Client::connect(t.control, t.token_file.empty() ? default_token_file() : t.token_file);
    if (!c) {
      log("target " + t.name + ": " + c.status().message());
      out.exit_code = 3;
      return out;
    }
    auto st = c->get("/v1/status");
    if (!st) {
      log("target " + t.name + ": " + st.status().message());
      out.exit_code = 3;
      return out;
    }
    clients.emplace(t.name, std::move(c.value()));
  }

  auto clear_all = [&](const std::string& path, const std::string& reason) {
    for (auto& [name, c] : clients) {
      auto r = c.post(path, {{"reason", reason}});
      if (!r)
        log("  " + name + ": " + path + " failed: " + r.status().message() +
            " (its injections still expire by themselves)");
    }
  };

  const auto t0 = Steady::now();
  log(elapsed_label(t0) + " plan " + plan.name + " started (run " + run_id + "): " + std::to_string(plan.items.size()) +
      " items, ends at T+" + format_duration(plan.duration) + ", dead-man " + format_duration(plan.max_duration));
  size_t next = 0;
  int health_failures = 0;
  auto next_health = t0;
  auto next_command = t0;
  std::string abort_reason;
  for (;;) {
    auto now = Steady::now();
    Millis elapsed = std::chrono::duration_cast<Millis>(now - t0);
    if (options.interrupted && options.interrupted->load()) {
      abort_reason = "interrupted (signal)";
      break;
    }
    while (next < plan.items.size() && plan.items[next].at <= elapsed) {
      const Item& it = plan.items[next++];
      if (it.type == Item::Type::kClear) {
        log(elapsed_label(t0) + " clear all targets");
        clear_all("/v1/clear", "plan " + plan.name + ": " + it.where);
        continue;
      }
      InjectRequest req = it.inject;
      req.run = run_id;
      req.ttl = std::max(Millis(1000), plan.max_duration - elapsed);  // dead-man from the plan start
      nlohmann::json body = control::inject_request_to_json(req);
      for (const auto& name : it.selected) {
        auto r = clients.at(name).post("/v1/inject", body);
        if (r) {
          log(elapsed_label(t0) + " " + it.where + " " + name + ": " + r->value("injection", "?") + " (" +
              kind_name(req.kind) + ", provider " + providers_to_string(req.providers) + ", notice " +
              format_duration(req.notice) + ")");
        } else {
          log(elapsed_label(t0) + " " + it.where + " " + name + ": FAILED: " + r.status().message());
        }
      }
    }
    if (!plan.health.url.empty() && now >= next_health) {
      next_health = now + plan.health.interval;
      if (health_ok(plan.health)) {
        health_failures = 0;
      } else if (++health_failures >= plan.health.failures) {
        abort_reason = "health check " + plan.health.url + " failed " + std::to_string(health_failures) + " time(s)";
        break;
      }
    }
    if (!plan.abort_command.empty() && now >= next_command) {
      next_command = now + plan.abort_interval;
      if (!command_ok(plan.abort_command)) {
        abort_reason = "abort command `" + plan.abort_command + "` failed";
        break;
      }
    }
    if (elapsed >= plan.duration) break;
    std::this_thread::sleep_for(options.poll);
  }
  if (!abort_reason.empty()) {
    log(elapsed_label(t0) + " ABORT: " + abort_reason + ": clearing every injection on every target");
    clear_all("/v1/abort", abort_reason);
    out.report["aborted"] = true;
    out.report["abort_reason"] = abort_reason;
    out.exit_code = 1;
  } else {
    log(elapsed_label(t0) + " plan finished: clearing all targets");
    clear_all("/v1/clear", "plan " + plan.name + " finished");
  }
  for (auto& [name, c] : clients) {
    auto r = c.get("/v1/report?run=" + run_id);
    out.report["targets"][name] = r ? r.value() : nlohmann::json{{"error", r.status().message()}};
  }
  return out;
}

}  // namespace agent::plan
