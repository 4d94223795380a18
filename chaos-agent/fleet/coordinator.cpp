#include "chaos-agent/fleet/coordinator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <sys/resource.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "chaos-agent/control/control_api.h"
#include "chaos-agent/core/chaos_state.h"
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/fleet/resolve.h"
#include "chaos-agent/fleet/tls.h"
#include "chaos-agent/http/client.h"
#include "common/text.h"

namespace agent::fleet {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Steady = std::chrono::steady_clock;
using Type = plan::Item::Type;

namespace {

double since_s(Steady::time_point a, Steady::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// One abort condition's verdict: "" while healthy, else why to abort.
std::string check_health(const plan::HealthCheck& h) {
  auto u = http::parse_loopback_url(h.url, "url");
  if (!u) return u.status().message();
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, u->second, 11};
  auto r = http::request(u->first, std::move(req), h.timeout);
  if (!r) return "health check " + h.url + ": " + r.status().message();
  if (r->result_int() < 200 || r->result_int() >= 300)
    return "health check " + h.url + " answered " + std::to_string(r->result_int());
  return "";
}

std::string check_prometheus(const PrometheusCheck& p) {
  auto u = http::parse_loopback_url(p.url, "url");
  if (!u) return u.status().message();
  std::string base = u->second == "/" ? "" : u->second;
  if (!base.empty() && base.back() == '/') base.pop_back();
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, base + "/api/v1/query?query=" + http::url_encode(p.query),
                                         11};
  auto r = http::request(u->first, std::move(req), p.timeout);
  if (!r) return "prometheus " + p.url + ": " + r.status().message();
  auto j = json::parse(r->body(), nullptr, false);
  // {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[ts,"1.5"]}]}}
  if (j.is_discarded() || j.value("status", "") != "success")
    return "prometheus " + p.url + ": query failed (" + std::to_string(r->result_int()) + ")";
  const json& data = j["data"];
  const json* value = nullptr;
  if (data.value("resultType", "") == "scalar") value = &data["result"];
  else if (data["result"].is_array() && !data["result"].empty()) value = &data["result"][0]["value"];
  if (!value || !value->is_array() || value->size() != 2 || !(*value)[1].is_string())
    return "prometheus query `" + p.query + "` returned no sample";
  double v = std::strtod((*value)[1].get<std::string>().c_str(), nullptr);
  bool bad = p.above ? v > p.threshold : v < p.threshold;
  if (!bad) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g %s %g", v, p.above ? ">" : "<", p.threshold);
  return "prometheus query `" + p.query + "` = " + buf;
}

struct Op {
  bhttp::verb verb = bhttp::verb::get;
  std::string target;
  json body;
  std::function<void(unsigned status, const json& answer, const std::string& error)> done;
};

class Run;

// One persistent mTLS connection to one agent; requests on it are serialized.
class Conn : public std::enable_shared_from_this<Conn> {
 public:
  enum class State { kConnecting, kReady, kFailed };
  Conn(Run& run, asio::io_context& io, asio::ssl::context& ctx, const FleetTarget& t)
      : run_(run), stream_(io, ctx), target_(t) {}

  // `where`: the target's host looked up beforehand (lookup_all, with its own time limit).
  void connect(Millis timeout, const Lookup& where, std::function<void()> settled);
  void send(Op op, bool urgent = false);

  State state = State::kConnecting;
  std::string status = "connecting";  // ok | unreachable | bad_certificate | refused | lost
  std::string error, agent_identity;
  const FleetTarget& target() const { return target_; }

 private:
  void fail(const std::string& st, const std::string& why);
  void pump();

  Run& run_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  const FleetTarget& target_;
  std::deque<Op> queue_;
  bool busy_ = false;
  Millis timeout_{5000};
  beast::flat_buffer buf_;
  bhttp::request<bhttp::string_body> req_;
  bhttp::response<bhttp::string_body> res_;
  std::string nonce_;
  Steady::time_point sent_;
};

class Run {
 public:
  Run(const FleetPlan& p, const CoordinatorOptions& o)
      : plan(p), opts(o), sched_timer(io), hb_timer(io), tick_timer(io) {}

  const FleetPlan& plan;
  const CoordinatorOptions& opts;
  std::shared_ptr<asio::ssl::context> ctx;  // before io: outlives every stream
  asio::io_context io;
  std::string run_id, coordinator_name;
  std::map<size_t, std::shared_ptr<Conn>> conns;  // by target index
  asio::steady_timer sched_timer, hb_timer, tick_timer;
  Steady::time_point t0;
  std::ofstream audit;

  struct Send {
    Steady::time_point when;
    size_t item, k;
  };
  std::vector<Send> schedule;
  size_t next_send = 0;
  bool finishing = false;
  std::string abort_reason;
  Steady::time_point abort_start;
  double abort_cleared_s = -1;
  std::map<size_t, json> inject_results;  // target -> [{item, step_to_visible_s, ...}]
  std::map<size_t, json> reports;
  std::atomic<bool> health_stop{false};
  std::mutex abort_mu;
  std::string health_reason;  // set by the health thread

  void log(const std::string& s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "T+%.3fs ", since_s(t0, Steady::now()));
    opts.log(buf + s);
  }

  void audit_line(json e) {
    if (!audit.is_open()) return;
    e["ts"] = format_iso8601(std::chrono::system_clock::now());
    e["run"] = run_id;
    e["coordinator"] = coordinator_name;
    audit << e.dump() << "\n";
    audit.flush();
  }

  void start_schedule() {
    for (size_t i = 0; i < plan.items.size(); ++i) {
      const auto& it = plan.items[i];
      if (it.type == Type::kClear) {
        schedule.push_back({t0 + it.at, i, 0});
        continue;
      }
      for (size_t k = 0; k < it.picked.size(); ++k) schedule.push_back({t0 + it.at + it.offsets[k], i, k});
    }
    std::stable_sort(schedule.begin(), schedule.end(), [](const Send& a, const Send& b) { return a.when < b.when; });
    arm_schedule();
    arm_heartbeat();
    arm_tick();
  }

  void arm_schedule() {
    if (finishing) return;
    if (next_send >= schedule.size() || schedule[next_send].when > t0 + plan.duration) {
      sched_timer.expires_at(t0 + plan.duration);
      sched_timer.async_wait([this](beast::error_code ec) {
        if (!ec && !finishing) finish("");
      });
      return;
    }
    sched_timer.expires_at(schedule[next_send].when);
    sched_timer.async_wait([this](beast::error_code ec) {
      if (ec || finishing) return;
      auto now = Steady::now();
      while (next_send < schedule.size() && schedule[next_send].when <= now) dispatch(schedule[next_send++]);
      arm_schedule();
    });
  }

  void dispatch(const Send& s) {
    const FleetItem& it = plan.items[s.item];
    if (it.type == Type::kClear) {
      log(it.where + ": clear every connected target");
      for (auto& [idx, c] : conns)
        if (c->state == Conn::State::kReady)
          c->send({bhttp::verb::post,
                   "/v1/clear",
                   {{"reason", "plan " + plan.name + ": " + it.where}, {"run", run_id}},
                   {}});
      return;
    }
    size_t idx = it.picked[s.k];
    auto c = conns.at(idx);
    if (c->state != Conn::State::kReady) {
      inject_results[idx].push_back({{"item", it.where}, {"sent", false}, {"error", c->status + ": " + c->error}});
      return;
    }
    InjectRequest req = it.inject;
    req.run = run_id;
    Millis elapsed = std::chrono::duration_cast<Millis>(Steady::now() - t0);
    req.ttl = std::max(Millis(1000), plan.max_duration - elapsed);
    json body = control::inject_request_to_json(req);
    body["lease"] = format_duration(plan.lease);
    auto step = s.when;
    c->send({bhttp::verb::post, "/v1/inject", body,
             [this, idx, step, where = it.where](unsigned status, const json& a, const std::string& err) {
               double visible = since_s(step, Steady::now());
               json r = {{"item", where}, {"sent", true}, {"status", status}, {"step_to_visible_s", visible}};
               if (status == 200) {
                 r["injection"] = a.value("injection", "");
                 r["deadline"] = a.value("deadline", "");
               } else {
                 r["error"] = err;
               }
               inject_results[idx].push_back(r);
             }});
  }

  void arm_heartbeat() {
    hb_timer.expires_after(std::max(Millis(300), plan.lease / 3));
    hb_timer.async_wait([this](beast::error_code ec) {
      if (ec || finishing) return;
      for (auto& [idx, c] : conns)
        if (c->state == Conn::State::kReady && inject_results.count(idx))
          c->send({bhttp::verb::post, "/v1/heartbeat", {{"run", run_id}}, {}});
      arm_heartbeat();
    });
  }

  void arm_tick() {
    tick_timer.expires_after(Millis(20));
    tick_timer.async_wait([this](beast::error_code ec) {
      if (ec || finishing) return;
      std::string why;
      if (opts.interrupted && opts.interrupted->load()) why = "interrupted (signal)";
      {
        std::lock_guard<std::mutex> g(abort_mu);
        if (why.empty()) why = health_reason;
      }
      if (!why.empty()) {
        finish(why);
        return;
      }
      arm_tick();
    });
  }

  // End of the drill (why == "") or abort: clear/abort everything at once, then collect.
  void finish(const std::string& why) {
    if (finishing) return;
    finishing = true;
    beast::error_code ec;
    sched_timer.cancel();
    hb_timer.cancel();
    tick_timer.cancel();
    abort_reason = why;
    abort_start = Steady::now();
    const char* path = why.empty() ? "/v1/clear" : "/v1/abort";
    std::string reason = why.empty() ? "plan " + plan.name + " finished" : "abort: " + why;
    log(why.empty() ? "plan finished: clearing every target" : "ABORT: " + why + ": clearing every target");
    auto pending = std::make_shared<size_t>(0);
    for (auto& [idx, c] : conns)
      if (c->state == Conn::State::kReady) ++*pending;
    if (*pending == 0) {
      abort_cleared_s = 0;
      collect();
      return;
    }
    for (auto& [idx, c] : conns) {
      if (c->state != Conn::State::kReady) continue;
      c->send({bhttp::verb::post,
               path,
               {{"reason", reason}, {"run", run_id}},
               [this, pending](unsigned, const json&, const std::string&) {
                 if (--*pending == 0) {
                   abort_cleared_s = since_s(abort_start, Steady::now());
                   log(std::string(abort_reason.empty() ? "cleared" : "aborted") +
                       ": every reachable target answered in " +
                       std::to_string(static_cast<int>(abort_cleared_s * 1000)) + " ms");
                   collect();
                 }
               }},
              true);
    }
  }

  void collect() {
    auto pending = std::make_shared<size_t>(0);
    for (auto& [idx, c] : conns)
      if (c->state == Conn::State::kReady) ++*pending;
    if (*pending == 0) {
      io.stop();
      return;
    }
    for (auto& [idx, c] : conns) {
      if (c->state != Conn::State::kReady) continue;
      c->send({bhttp::verb::get,
               "/v1/report?run=" + run_id,
               {},
               [this, pending, i = idx](unsigned status, const json& a, const std::string& err) {
                 reports[i] = status == 200 ? a : json{{"error", err}};
                 if (--*pending == 0) io.stop();
               }});
    }
  }
};

void Conn::connect(Millis timeout, const Lookup& where, std::function<void()> settled) {
  timeout_ = timeout;
  auto self = shared_from_this();
  auto done = std::make_shared<std::function<void()>>(std::move(settled));
  if (!target_.down.empty()) {  // known before any contact (a pod not Running and Ready): never contacted
    fail("unreachable", target_.down);
    asio::post(stream_.get_executor(), [done] { (*done)(); });
    return;
  }
  if (where.addresses.empty()) {
    fail("unreachable", "cannot resolve " + target_.host + ": " + where.error);
    asio::post(stream_.get_executor(), [done] { (*done)(); });
    return;
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& a : where.addresses) endpoints.emplace_back(a, target_.port);
  beast::get_lowest_layer(stream_).expires_after(timeout);
  {
    beast::get_lowest_layer(self->stream_)
        .async_connect(endpoints, [self, done](beast::error_code cec, const tcp::endpoint&) {
          if (cec) {
            self->fail("unreachable", cec == beast::error::timeout ? "connect timed out" : cec.message());
            (*done)();
            return;
          }
          beast::get_lowest_layer(self->stream_).socket().set_option(tcp::no_delay(true));
          // The agent's certificate must name what we dialed (the inventory's host or address).
          if (!expect_peer_name(self->stream_.native_handle(), self->target_.host)) {
            self->fail("bad_certificate", "cannot check the agent's certificate against '" + self->target_.host + "'");
            (*done)();
            return;
          }
          self->stream_.async_handshake(asio::ssl::stream_base::client, [self, done](beast::error_code hec) {
            if (hec) {
              SSL* ssl = self->stream_.native_handle();
              std::string why = tls_error_text(hec, ssl);
              long v = SSL_get_verify_result(ssl);
              if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH)
                why += ": the agent's certificate does not name " + self->target_.host +
                       " (the address dialed; it needs a subjectAltName " +
                       (v == X509_V_ERR_IP_ADDRESS_MISMATCH ? "IP:" : "DNS:") + self->target_.host + ")";
              bool cert = why.find("certificate") != std::string::npos || why.find("alert") != std::string::npos;
              self->fail(cert ? "bad_certificate" : "unreachable", "TLS handshake failed: " + why);
              (*done)();
              return;
            }
            self->agent_identity = identity_label(peer_names(self->stream_.native_handle()));
            // The agent checks our name only when we speak: ask for its status once now.
            self->state = State::kReady;
            self->send(
                {bhttp::verb::get, "/v1/status", {}, [self, done](unsigned code, const json&, const std::string& err) {
                   if (code != 200) {
                     // TLS 1.3: the agent checks our certificate after our handshake ends,
                     // so its refusal arrives as an alert on the first read.
                     bool cert = err.find("alert") != std::string::npos || err.find("certificate") != std::string::npos;
                     self->fail(code == 0 ? (cert ? "bad_certificate" : "unreachable") : "refused",
                                err.empty() ? "status " + std::to_string(code) : err);
                   } else {
                     self->status = "ok";
                   }
                   (*done)();
                 }});
          });
        });
  }
}

void Conn::fail(const std::string& st, const std::string& why) {
  bool was_ready = state == State::kReady && status == "ok";
  state = State::kFailed;
  status = was_ready ? "lost" : st;
  if (error.empty()) error = why;
  beast::error_code ec;
  beast::get_lowest_layer(stream_).socket().close(ec);
  auto q = std::move(queue_);
  queue_.clear();
  for (auto& op : q)
    if (op.done) op.done(0, json(), status + ": " + error);
}

void Conn::send(Op op, bool urgent) {
  if (state == State::kFailed) {
    if (op.done) op.done(0, json(), status + ": " + error);
    return;
  }
  if (urgent) {
    // An abort goes before anything still queued (which it makes moot); the request in
    // flight, if any, stays at the front until its answer arrives.
    std::deque<Op> moot;
    while (queue_.size() > (busy_ ? 1u : 0u)) {
      moot.push_back(std::move(queue_.back()));
      queue_.pop_back();
    }
    for (auto& q : moot)
      if (q.done) q.done(0, json(), "cancelled by " + op.target);
  }
  queue_.push_back(std::move(op));
  pump();
}

void Conn::pump() {
  if (busy_ || queue_.empty() || state == State::kFailed) return;
  busy_ = true;
  const Op& op = queue_.front();
  nonce_ = random_nonce();
  req_ = {op.verb, op.target, 11};
  req_.set(bhttp::field::host, target_.address());
  req_.set("X-Chaos-Nonce", nonce_);
  req_.set("X-Chaos-Time", std::to_string(unix_time_ms()));
  if (op.verb == bhttp::verb::post) {
    req_.set(bhttp::field::content_type, "application/json");
    req_.body() = op.body.dump();
  }
  req_.keep_alive(true);
  req_.prepare_payload();
  sent_ = Steady::now();
  auto self = shared_from_this();
  beast::get_lowest_layer(stream_).expires_after(timeout_);
  bhttp::async_write(stream_, req_, [self](beast::error_code ec, size_t) {
    if (ec) {
      self->busy_ = false;
      self->fail("lost", "send failed: " + ec.message());
      return;
    }
    self->res_ = {};
    bhttp::async_read(self->stream_, self->buf_, self->res_, [self](beast::error_code rec, size_t) {
      self->busy_ = false;
      if (rec) {
        self->fail("lost", "no answer: " + rec.message());
        return;
      }
      Op done = std::move(self->queue_.front());
      self->queue_.pop_front();
      unsigned st = self->res_.result_int();
      json a = json::parse(self->res_.body(), nullptr, false);
      if (a.is_discarded()) a = json::object();
      std::string err = st >= 400 ? a.value("error", "agent answered " + std::to_string(st)) : "";
      if (done.target != "/v1/heartbeat")
        self->run_.audit_line({{"event", "remote"},
                               {"target", self->target_.name},
                               {"address", self->target_.address()},
                               {"agent", self->agent_identity},
                               {"method", std::string(bhttp::to_string(done.verb))},
                               {"path", done.target},
                               {"nonce", self->nonce_},
                               {"status", st},
                               {"ms", since_s(self->sent_, Steady::now()) * 1000}});
      bool keep = self->res_.keep_alive();
      if (done.done) done.done(st, a, err);
      if (!keep) {
        self->fail(st == 403 ? "refused" : "lost", err.empty() ? "agent closed the connection" : err);
        return;
      }
      self->pump();
    });
  });
}

json stats(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto q = [&](double p) {
    size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
  };
  return {{"n", v.size()}, {"p50", q(0.5)}, {"p90", q(0.9)}, {"p99", q(0.99)}, {"max", v.back()}};
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

}  // namespace

void summarize_fleet(json& report) {
  struct Acc {
    std::set<std::string> targets;
    size_t injections = 0, detected = 0, unreachable = 0;
    std::vector<double> det, ack, drain, visible;
  };
  std::map<std::string, Acc> groups;
  Acc fleet;
  for (auto& [name, t] : report["targets"].items()) {
    std::vector<std::string> keys = {};
    for (auto& [k, v] : t["labels"].items()) keys.push_back(k + "=" + v.get<std::string>());
    std::vector<Acc*> accs = {&fleet};
    for (const auto& k : keys) accs.push_back(&groups[k]);
    for (Acc* a : accs) {
      a->targets.insert(name);
      if (t.value("status", "") != "ok") ++a->unreachable;
    }
    for (const auto& inj : t.value("injections", json::array())) {
      for (Acc* a : accs) {
        ++a->injections;
        if (inj["detection_latency_s"].is_number()) {
          ++a->detected;
          a->det.push_back(inj["detection_latency_s"].get<double>());
        }
        if (inj["ack_latency_s"].is_number()) a->ack.push_back(inj["ack_latency_s"].get<double>());
        if (inj["drain_time_s"].is_number()) a->drain.push_back(inj["drain_time_s"].get<double>());
      }
    }
    for (const auto& s : t.value("sent", json::array()))
      if (s.value("status", 0) == 200)
        for (Acc* a : accs) a->visible.push_back(s["step_to_visible_s"].get<double>());
  }
  auto render = [](const Acc& a) {
    return json{{"targets", a.targets.size()},
                {"not_ok", a.unreachable},
                {"injections", a.injections},
                {"detected", a.detected},
                {"never_detected", a.injections - a.detected},
                {"detection_latency_s", stats(a.det)},
                {"ack_latency_s", stats(a.ack)},
                {"drain_time_s", stats(a.drain)},
                {"step_to_visible_s", stats(a.visible)}};
  };
  report["groups"] = json::object();
  for (const auto& [k, a] : groups) report["groups"][k] = render(a);
  report["fleet"] = render(fleet);
}

std::string fleet_junit(const json& report) {
  std::ostringstream cases;
  int tests = 0, failures = 0;
  auto add = [&](const std::string& name, const std::string& failure) {
    ++tests;
    cases << "    <testcase classname=\"chaos-agent.gameday\" name=\"" << xml_escape(name) << "\"";
    if (failure.empty()) {
      cases << "/>\n";
    } else {
      ++failures;
      cases << ">\n      <failure message=\"" << xml_escape(failure) << "\"/>\n    </testcase>\n";
    }
  };
  for (const auto& [name, t] : report["targets"].items()) {
    std::string failure;
    if (t.value("status", "") != "ok") {
      failure = t.value("status", "") + ": " + t.value("error", "");
    } else {
      size_t never = 0;
      for (const auto& inj : t.value("injections", json::array()))
        if (!inj["detection_latency_s"].is_number()) ++never;
      if (never) failure = std::to_string(never) + " notice(s) never detected";
    }
    add(name, failure);
  }
  add("abort", report.value("aborted", false) ? "aborted: " + report.value("abort_reason", "") : "");
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"chaos-agent gameday "
    << xml_escape(report.value("plan", "")) << "\" tests=\"" << tests << "\" failures=\"" << failures
    << "\" errors=\"0\">\n"
    << cases.str() << "  </testsuite>\n</testsuites>\n";
  return o.str();
}

FleetOutcome run_fleet_plan(const FleetPlan& plan, const CoordinatorOptions& options) {
  CoordinatorOptions o = options;
  if (!o.log)
    o.log = [](const std::string& s) {
      std::printf("%s\n", s.c_str());
      std::fflush(stdout);
    };
  FleetOutcome out;
  Run run(plan, o);
  run.t0 = Steady::now();
  run.run_id = o.run_id.empty() ? "run-" + random_hex(12) : o.run_id;
  auto ctx = make_tls_context(plan.tls, TlsRole::kClient);
  if (!ctx) {
    o.log(spotsim::prefix_lines("chaos-agent: ", ctx.status().message()));
    out.exit_code = 2;
    return out;
  }
  run.ctx = ctx.value();
  if (X509* me = SSL_CTX_get0_certificate(run.ctx->native_handle())) {
    char cn[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(me), NID_commonName, cn, sizeof cn);
    run.coordinator_name = cn;
  }
  if (!o.audit_path.empty()) {
    run.audit.open(o.audit_path, std::ios::app);
    if (!run.audit) {
      o.log("chaos-agent: --audit: cannot open '" + o.audit_path + "'");
      out.exit_code = 3;
      return out;
    }
  }
  const auto wall_start = std::chrono::system_clock::now();
  run.log("fleet plan " + plan.name + " (run " + run.run_id + ", coordinator " + run.coordinator_name +
          "): " + std::to_string(plan.reached.size()) + " of " + std::to_string(plan.selection.size()) +
          " selected targets may be reached; connecting");
  run.audit_line({{"event", "start"}, {"plan", plan.name}, {"reached", plan.reached.size()}});

  // (2) look up the host names (at most resolve_timeout in all), then connect to every
  // target the plan may reach, in parallel.
  std::vector<std::string> hosts;
  for (size_t idx : plan.reached)
    if (plan.targets[idx].down.empty()) hosts.push_back(plan.targets[idx].host);  // a pod known down: no lookup
  const auto lookup_start = Steady::now();
  auto lookups = lookup_all(hosts, o.resolve_timeout, o.lookup ? o.lookup : LookupFn(system_lookup));
  size_t names = 0, unresolved = 0;
  for (const auto& [h, l] : lookups) {
    boost::system::error_code ec;
    asio::ip::make_address(h, ec);
    if (!ec) continue;
    ++names;
    if (l.addresses.empty()) ++unresolved;
  }
  if (names)
    run.log("looked up " + std::to_string(names) + " host name(s) in " +
            std::to_string(static_cast<int>(since_s(lookup_start, Steady::now()) * 1000)) + " ms; " +
            std::to_string(unresolved) + " unresolved");
  auto pending = std::make_shared<size_t>(plan.reached.size());
  bool connected_phase = true;
  auto settled = [&run, pending, &connected_phase] {
    if (--*pending == 0 && connected_phase) {
      connected_phase = false;
      run.io.stop();
    }
  };
  // At most kConnectWindow handshakes in flight: all at once, the last ones would wait behind
  // the others' crypto on this one thread past the agents' handshake timeout.
  constexpr size_t kConnectWindow = 64;
  auto next = std::make_shared<size_t>(0);
  auto start_next = std::make_shared<std::function<void()>>();
  *start_next = [&run, &plan, next, start_next, settled, &lookups] {
    if (*next >= plan.reached.size()) return;
    size_t idx = plan.reached[(*next)++];
    auto c = std::make_shared<Conn>(run, run.io, *run.ctx, plan.targets[idx]);
    run.conns[idx] = c;
    auto where = lookups.find(plan.targets[idx].host);
    c->connect(plan.connect_timeout, where == lookups.end() ? Lookup{} : where->second, [settled, start_next] {
      settled();
      (*start_next)();
    });
  };
  for (size_t k = 0; k < kConnectWindow; ++k) (*start_next)();
  run.io.run();
  run.io.restart();
  *start_next = nullptr;  // it held itself
  size_t ok = 0;
  json targets = json::object();
  for (auto& [idx, c] : run.conns) {
    if (c->state == Conn::State::kConnecting) {  // settled() never ran: treat as unreachable
      c->state = Conn::State::kFailed;
      c->status = "unreachable";
      c->error = "no answer within connect_timeout " + format_duration(plan.connect_timeout);
    }
    if (c->status == "ok") {
      ++ok;
    } else {
      run.log("target " + c->target().name + " " + c->target().address() + ": " + c->status + ": " + c->error +
              " (left out; not replaced by another target)");
    }
  }
  run.log(std::to_string(ok) + " of " + std::to_string(plan.reached.size()) + " targets connected");
  if (ok == 0) {
    out.exit_code = 3;
  } else {
    // (3)-(5) the drill. Abort conditions are polled on their own thread.
    run.t0 = Steady::now();
    std::thread health;
    if (!plan.health.url.empty() || plan.prometheus) {
      health = std::thread([&run, &plan] {
        int hf = 0, pf = 0;
        auto next_h = Steady::now(), next_p = Steady::now();
        while (!run.health_stop.load()) {
          auto now = Steady::now();
          std::string why;
          if (!plan.health.url.empty() && now >= next_h) {
            next_h = now + plan.health.interval;
            std::string r = check_health(plan.health);
            hf = r.empty() ? 0 : hf + 1;
            if (hf >= plan.health.failures) why = r + " (" + std::to_string(hf) + " time(s))";
          }
          if (why.empty() && plan.prometheus && now >= next_p) {
            next_p = now + plan.prometheus->interval;
            std::string r = check_prometheus(*plan.prometheus);
            pf = r.empty() ? 0 : pf + 1;
            if (pf >= plan.prometheus->failures) why = r;
          }
          if (!why.empty()) {
            std::lock_guard<std::mutex> g(run.abort_mu);
            run.health_reason = why;
            return;
          }
          std::this_thread::sleep_for(Millis(10));
        }
      });
    }
    run.start_schedule();
    run.io.run();
    run.health_stop = true;
    if (health.joinable()) health.join();
    if (!run.abort_reason.empty()) out.exit_code = 1;
    else if (ok < plan.reached.size()) out.exit_code = 3;
  }

  json report = {{"kind", "chaos-agent-fleet-report"},
                 {"version", 1},
                 {"plan", plan.name},
                 {"file", plan.file},
                 {"run", run.run_id},
                 {"coordinator", run.coordinator_name},
                 {"started_at", format_iso8601(wall_start)},
                 {"aborted", !run.abort_reason.empty()},
                 {"abort_reason", run.abort_reason.empty() ? json(nullptr) : json(run.abort_reason)},
                 {"clear_all_s", run.abort_cleared_s < 0 ? json(nullptr) : json(run.abort_cleared_s)},
                 {"selection",
                  {{"select", describe_selector(plan.select)},
                   {"inventory", plan.targets.size()},
                   {"selected", plan.selection.size()},
                   {"blast_radius", plan.allowed},
                   {"reached", plan.reached.size()},
                   {"connected", ok}}}};
  for (auto& [idx, c] : run.conns) {
    const FleetTarget& t = plan.targets[idx];
    json tj = {{"address", t.address()}, {"labels", t.labels}, {"status", c->status}};
    if (!c->error.empty()) tj["error"] = c->error;
    if (!c->agent_identity.empty()) tj["agent_identity"] = c->agent_identity;
    tj["sent"] = run.inject_results.count(idx) ? run.inject_results[idx] : json::array();
    if (run.reports.count(idx)) {
      const json& r = run.reports[idx];
      if (r.contains("injections")) {
        tj["injections"] = r["injections"];
        tj["summary"] = r["summary"];
      } else {
        tj["report_error"] = r.value("error", "");
      }
    }
    targets[t.name] = tj;
  }
  report["targets"] = targets;
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  report["coordinator_max_rss_kb"] = ru.ru_maxrss;
  summarize_fleet(report);
  run.audit_line({{"event", "end"}, {"aborted", !run.abort_reason.empty()}, {"exit_code", out.exit_code}});
  out.report = std::move(report);
  return out;
}

}  // namespace agent::fleet
