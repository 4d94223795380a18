#include "chaos-agent/agent.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chaos-agent/control/control_api.h"
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/http/client.h"
#include "chaos-agent/http/upstream.h"
#include "chaos-agent/imds/router.h"
#include "common/text.h"

namespace agent {
using spotsim::Result;
using spotsim::Status;

namespace asio = boost::asio;
using nlohmann::json;

namespace {
std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}
std::string dirname_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}
void mkdirs(const std::string& dir, mode_t mode) {
  if (dir.empty() || dir == "/") return;
  mkdirs(dirname_of(dir), mode);
  ::mkdir(dir.c_str(), mode);
}
double secs(Millis d) { return to_seconds(d); }

// Writes the control token to `path` (mode 0600) through a temp file and rename(2), so readers
// never see a partial token and a failed write leaves any previous file alone.
Status write_token_file(const std::string& path, const std::string& token) {
  mkdirs(dirname_of(path), 0700);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  mode_t old = ::umask(0077);
  std::ofstream out(tmp, std::ios::trunc);
  ::umask(old);
  out << token << "\n";
  out.close();
  if (!out) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::io("--token-file: cannot write '" + path + "': " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::io("--token-file: cannot write '" + path + "': " + std::strerror(err));
  }
  return Status::ok();
}

http::Response json_response(unsigned status, const json& body) {
  http::Response r{static_cast<http::bhttp::status>(status), 11};
  r.set(http::bhttp::field::content_type, "application/json");
  r.body() = body.dump() + "\n";
  return r;
}
}  // namespace

struct Agent::Impl {
  Impl(AgentOptions& o, const Clock& c)
      : opts(o),
        clock(c),
        state(c, o.max_duration, o.vm_name.empty() ? hostname() : o.vm_name),
        audit(c),
        tick(io),
        signals(io) {}

  struct Waiter {
    explicit Waiter(asio::io_context& io) : timer(io) {}
    asio::steady_timer timer;
    uint64_t subscription = 0;
    bool done = false;
    http::Respond respond;
    imds::Request req;
    std::string key, baseline, peer;
    bool json_alt = false;
  };

  AgentOptions& opts;
  const Clock& clock;
  asio::io_context io;
  ChaosState state;
  AuditLog audit;
  Metrics metrics;
  std::unique_ptr<imds::MetadataRouter> router;
  std::unique_ptr<http::Upstream> upstream;
  std::unique_ptr<http::Server> metadata;
  std::unique_ptr<http::Server> control;
  std::optional<intercept::Interceptor> interceptor;
  asio::steady_timer tick;
  asio::signal_set signals;
  WorkloadWatch watch;
  std::chrono::steady_clock::time_point last_unit_poll{};
  std::string control_token;
  bool control_is_tcp = false;
  WallTime started_at{};
  int longpolls = 0;
  bool stopped = false;

  // ---- metadata listener -------------------------------------------------------------
  // chaos_agent_reads_total{provider,notice} handles, by provider index and visibility.
  std::array<std::array<Metrics::Counter*, 2>, 3> read_counters{};
  static size_t provider_index(Provider p) { return p == Provider::kAws ? 0 : p == Provider::kAzure ? 1 : 2; }
  Metrics::Counter& read_counter(Provider p, bool visible) {
    auto& c = read_counters[provider_index(p)][visible ? 1 : 0];
    if (!c)
      c = &metrics.counter("chaos_agent_reads_total", std::string("provider=\"") + provider_name(p) + "\",notice=\"" +
                                                          (visible ? "true" : "false") + "\"");
    return *c;
  }

  // The request path: no JSON is built, the line is queued for the audit writer thread.
  void record_read(const imds::Outcome& o, const imds::Request& req, const std::string& peer, unsigned status) {
    if (!o.chaos_read) return;
    bool visible = !o.injection_id.empty() && status == 200;
    auto target = req.target();
    auto method = req.method_string();
    ReadRecord r;
    r.provider = provider_name(*o.chaos_read);
    r.method = std::string_view(method.data(), method.size());
    r.path = std::string_view(target.data(), target.size());
    r.peer = peer;
    r.status = status;
    r.notice_visible = visible;
    r.injection = o.injection_id;
    audit.write_read(r);
    read_counter(*o.chaos_read, visible).inc();
  }

  void handle_metadata(http::Request&& req, const std::string& peer, http::Respond respond) {
    imds::Outcome o = router->route(req);
    switch (o.type) {
      case imds::Outcome::Type::kRespond: {
        if (needs_token_check(o, req)) {
          validate_token_upstream(std::move(req), peer, std::move(respond));
          return;
        }
        if (o.chaos_read == Provider::kAzure && req.method() == http::bhttp::verb::post) {
          record_acks(peer);
        } else {
          record_read(o, req, peer, o.response.result_int());
        }
        respond(std::move(o.response));
        return;
      }
      case imds::Outcome::Type::kForward: {
        if (!upstream) {
          respond(json_response(404, {{"error", "no upstream"}}));
          return;
        }
        auto keep = std::make_shared<http::Request>(std::move(req));
        upstream->forward(*keep, [this, keep, respond](Result<http::Response> r) {
          if (!r) {
            metrics.inc("chaos_agent_upstream_requests_total", "result=\"error\"");
            http::Response e{http::bhttp::status::bad_gateway, keep->version()};
            e.set(http::bhttp::field::content_type, "text/plain");
            e.body() = "chaos-agent: " + r.status().message() + "\n";
            respond(std::move(e));
            return;
          }
          metrics.inc("chaos_agent_upstream_requests_total", "result=\"ok\"");
          router->on_upstream_response(*keep, r.value());
          respond(std::move(r.value()));
        });
        return;
      }
      case imds::Outcome::Type::kWait: start_wait(std::move(req), peer, std::move(respond), o); return;
    }
  }

  // An IMDSv2 token the agent has not seen (minted by the real IMDS before the agent started)
  // is checked with the upstream once instead of being refused.
  bool needs_token_check(const imds::Outcome& o, const http::Request& req) {
    if (!upstream || o.chaos_read != Provider::kAws || o.response.result_int() != 401) return false;
    std::string token(req["X-aws-ec2-metadata-token"]);
    return !token.empty() && router->aws().tokens().check(token) == imds::TokenStore::Check::kUnknown;
  }

  void validate_token_upstream(http::Request&& req, const std::string& peer, http::Respond respond) {
    auto keep = std::make_shared<http::Request>(std::move(req));
    std::string token((*keep)["X-aws-ec2-metadata-token"]);
    http::Request probe{http::bhttp::verb::get, "/latest/meta-data/", 11};
    probe.set(http::bhttp::field::host, "169.254.169.254");
    probe.set("X-aws-ec2-metadata-token", token);
    upstream->forward(probe, [this, keep, token, peer, respond](Result<http::Response> r) {
      metrics.inc("chaos_agent_upstream_requests_total", r ? "result=\"ok\"" : "result=\"error\"");
      // Accepted upstream: remember it for a minute, then ask again.
      if (r && r->result_int() == 200) router->aws().tokens().remember(token, 60);
      imds::Outcome o = router->route(*keep);
      record_read(o, *keep, peer, o.response.result_int());
      respond(std::move(o.response));
    });
  }

  void record_acks(const std::string& peer) {
    for (const auto& event_id : router->azure().last_acked()) {
      std::string injection;
      for (const Injection* inj : state.azure_events())
        if (inj->azure_event_id == event_id) injection = inj->id;
      audit.write(
          {{"event", "ack"}, {"provider", "azure"}, {"event_id", event_id}, {"injection", injection}, {"peer", peer}});
      metrics.inc("chaos_agent_acks_total");
      // Approving a scheduled event lets the platform proceed at once: the deadline is now.
      expedite(injection);
    }
  }

  void expedite(const std::string& injection) {
    if (state.expedite(injection)) on_tick();
  }

  void start_wait(http::Request&& req, const std::string& peer, http::Respond respond, const imds::Outcome& o) {
    auto w = std::make_shared<Waiter>(io);
    w->respond = std::move(respond);
    w->key = o.wait_key;
    w->baseline = o.baseline_etag;
    w->peer = peer;
    auto t = imds::parse_target(std::string(req.target()));
    w->json_alt = t && t->query.count("alt") && t->query.at("alt") == "json";
    w->req = std::move(req);
    ++longpolls;
    std::weak_ptr<Waiter> weak = w;
    // Completion is posted, not run inside the change notification, so the change's own
    // audit event (e.g. the inject) is written before the reads it causes.
    w->subscription = state.subscribe([this, weak] {
      auto waiter = weak.lock();
      if (waiter && router->gcp().current(waiter->key).etag != waiter->baseline)
        asio::post(io, [this, waiter] {
          if (router->gcp().current(waiter->key).etag != waiter->baseline) finish_wait(waiter);
        });
    });
    w->timer.expires_after(o.wait_timeout);
    w->timer.async_wait([this, w](boost::system::error_code ec) {
      if (!ec) finish_wait(w);
    });
  }

  void finish_wait(const std::shared_ptr<Waiter>& w) {
    if (w->done) return;
    w->done = true;
    --longpolls;
    state.unsubscribe(w->subscription);
    w->timer.cancel();
    imds::Outcome o;
    o.chaos_read = Provider::kGcp;
    o.injection_id = router->gcp().current(w->key).injection_id;
    http::Response r = router->gcp().answer(w->req, w->key, w->json_alt);
    record_read(o, w->req, w->peer, r.result_int());
    auto respond = std::move(w->respond);
    w->respond = nullptr;
    respond(std::move(r));
  }

  // ---- control listener --------------------------------------------------------------
  void handle_control(Agent& agent, http::Request&& req, const std::string& peer, http::Respond respond) {
    if (control_is_tcp) {
      std::string auth(req[http::bhttp::field::authorization]);
      std::string want = "Bearer " + control_token;
      bool ok = auth.size() == want.size();
      unsigned char diff = 0;
      for (size_t i = 0; ok && i < want.size(); ++i) diff |= static_cast<unsigned char>(auth[i] ^ want[i]);
      if (!ok || diff != 0) {
        respond(
            json_response(401, {{"error", "missing or wrong bearer token (read it from the agent's --token-file)"}}));
        return;
      }
    }
    std::string target(req.target());
    auto method = req.method();
    json body = json::object();
    if (method == http::bhttp::verb::post && !req.body().empty()) {
      body = json::parse(req.body(), nullptr, false);
      if (body.is_discarded()) {
        respond(json_response(400, {{"error", "request body is not JSON"}}));
        return;
      }
    }
    if (method == http::bhttp::verb::get && target == "/metrics") {
      http::Response r{http::bhttp::status::ok, 11};
      r.set(http::bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      r.body() = agent.metrics_text();
      respond(std::move(r));
    } else if (method == http::bhttp::verb::get && target == "/v1/status") {
      respond(json_response(200, agent.status()));
    } else if (method == http::bhttp::verb::get && (target == "/v1/report" || target.rfind("/v1/report?", 0) == 0)) {
      auto t = imds::parse_target(target);
      std::string run = t && t->query.count("run") ? t->query.at("run") : "";
      respond(json_response(200, agent.report(run)));
    } else if (method == http::bhttp::verb::post && target == "/v1/inject") {
      auto ir = control::inject_request_from_json(body);
      if (!ir) {
        respond(json_response(400, {{"error", ir.status().message()}}));
        return;
      }
      auto r = agent.inject(ir.value(), peer);
      respond(r ? json_response(200, r.value()) : json_response(400, {{"error", r.status().message()}}));
    } else if (method == http::bhttp::verb::post && (target == "/v1/clear" || target == "/v1/abort")) {
      std::string reason = body.is_object() ? body.value("reason", "") : "";
      respond(json_response(200, agent.clear(reason, target == "/v1/abort", peer)));
    } else {
      respond(json_response(404,
                            {{"error", "unknown control request " + std::string(req.method_string()) + " " + target}}));
    }
  }

  // ---- time ------------------------------------------------------------------------
  void schedule_tick() {
    tick.expires_after(opts.tick);
    tick.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped) return;
      on_tick();
      schedule_tick();
    });
  }

  void on_tick() {
    auto ev = state.tick();
    for (const auto& inj : ev.deadlines) {
      audit.write({{"event", "deadline"}, {"injection", inj.id}, {"kind", kind_name(inj.req.kind)}});
      if (inj.req.kind != Kind::kPreempt || opts.at_deadline.type == EvictionAction::Type::kNone) continue;
      auto r = run_action(opts.at_deadline, inj);
      json e = {{"event", "action"}, {"injection", inj.id}, {"action", opts.at_deadline.describe()}};
      if (r) e["result"] = r.value();
      else e["error"] = r.status().message();
      audit.write(std::move(e));
      metrics.inc("chaos_agent_actions_total", r ? "result=\"ok\"" : "result=\"error\"");
    }
    for (const auto& inj : ev.expired) {
      audit.write({{"event", "expire"},
                   {"injection", inj.id},
                   {"kind", kind_name(inj.req.kind)},
                   {"cause", inj.expiry_cause == ExpiryCause::kTtl ? "ttl" : "max_duration"},
                   {"reason", state.expiry_reason(inj)}});
      metrics.inc("chaos_agent_expiries_total");
    }
    if (watch.active()) {
      bool unit =
          opts.workload.type == Workload::Type::kUnit ||
          (opts.workload.type == Workload::Type::kNone && opts.at_deadline.type == EvictionAction::Type::kSystemdStop);
      auto now = std::chrono::steady_clock::now();
      if (!unit || now - last_unit_poll >= std::chrono::seconds(1)) {
        last_unit_poll = now;
        if (auto id = watch.poll()) {
          audit.write({{"event", "workload_exit"}, {"injection", *id}});
        }
      }
    }
    metrics.set_gauge("chaos_agent_active_injections", static_cast<double>(state.injections().size()));
    metrics.set_gauge("chaos_agent_longpolls", longpolls);
    metrics.set_gauge("chaos_agent_connections", metadata ? static_cast<double>(metadata->connections()) : 0);
  }

  // ---- start() ----------------------------------------------------------------------
  void make_upstream(const std::pair<std::string, uint16_t>& up) {
    http::UpstreamOptions uo;
    uo.host = up.first;
    uo.port = up.second;
    uo.long_poll_timeout = opts.gcp_max_wait + Millis(60000);
    if (opts.intercept && opts.intercept_exempt == "mark") uo.socket_mark = intercept::kAgentSocketMark;
    upstream = std::make_unique<http::Upstream>(io, uo);
  }

  // A listener's latency histogram and per-status-code counters, resolved once per code.
  http::Observer observer(const char* listener) {
    auto codes = std::make_shared<std::array<Metrics::Counter*, 600>>();
    codes->fill(nullptr);
    Metrics::Histogram* hist = &metrics.histogram(listener);
    return [this, listener, codes, hist](unsigned status, double seconds) {
      hist->observe(seconds);
      Metrics::Counter*& c = (*codes)[status < 600 ? status : 599];
      if (!c)
        c = &metrics.counter("chaos_agent_requests_total",
                             std::string("listener=\"") + listener + "\",code=\"" + std::to_string(status) + "\"");
      c->inc();
    };
  }

  Status start_metadata(const std::pair<std::string, uint16_t>& listen) {
    metadata = std::make_unique<http::Server>(
        io, opts.limits,
        [this](http::Request&& req, const std::string& peer, http::Respond respond) {
          handle_metadata(std::move(req), peer, std::move(respond));
        },
        observer("metadata"));
    if (auto s = metadata->listen_tcp(listen.first, listen.second); !s) return s.with_prefix("--listen: ");
    return Status::ok();
  }

  // Control: unix socket (0600) or loopback TCP with a bearer token file.
  Status start_control(Agent& agent) {
    auto cep = http::parse_endpoint(opts.control, "--control");
    if (!cep) return cep.status();
    http::ServerLimits cl = opts.limits;
    cl.body_limit = 1024 * 1024;
    cl.max_connections = 64;
    control = std::make_unique<http::Server>(
        io, cl,
        [this, &agent](http::Request&& req, const std::string& peer, http::Respond respond) {
          handle_control(agent, std::move(req), peer, std::move(respond));
        },
        observer("control"));
    if (cep->is_unix) {
      mkdirs(dirname_of(cep->path), 0755);
      if (auto s = control->listen_unix(cep->path, 0600); !s) return s.with_prefix("--control: ");
      return Status::ok();
    }
    if (!asio::ip::make_address(cep->host).is_loopback())
      return Status::invalid("--control: " + cep->host +
                             " is not a loopback address; the control endpoint is local only");
    control_is_tcp = true;
    // Bind first: a start that fails (the port belongs to another agent) must not replace that
    // agent's token file. The token then appears atomically (temp file + rename).
    if (auto s = control->listen_tcp(cep->host, cep->port); !s) return s.with_prefix("--control: ");
    control_token = random_hex(48);
    std::string tf = opts.token_file.empty() ? default_token_file(opts.state_file) : opts.token_file;
    if (auto s = write_token_file(tf, control_token); !s) {
      control->close();
      return s;
    }
    opts.token_file = tf;
    return Status::ok();
  }

  Status install_intercept(const std::string& listen_ip) {
    intercept::InterceptOptions io_opts;
    io_opts.agent_ip = listen_ip;
    io_opts.agent_port = metadata->port();
    io_opts.exempt = opts.intercept_exempt == "mark" ? intercept::InterceptOptions::Exempt::kMark
                                                     : intercept::InterceptOptions::Exempt::kUid;
    io_opts.uid = ::getuid();
    io_opts.state_file = opts.state_file;
    io_opts.iptables = opts.iptables;
    auto r = intercept::Interceptor::install(io_opts);
    if (!r) {
      metadata->close();
      control->close();
      return r.status();
    }
    interceptor = std::move(r.value());
    audit.write({{"event", "intercept"},
                 {"installed", true},
                 {"rule", intercept::rule_args(io_opts, true)},
                 {"state_file", io_opts.state_file}});
    return Status::ok();
  }

  void audit_serve_start(const std::string& listen_ip) {
    audit.write({{"event", "serve_start"},
                 {"pid", ::getpid()},
                 {"listen", listen_ip + ":" + std::to_string(metadata->port())},
                 {"control", opts.control},
                 {"upstream", opts.upstream},
                 {"providers", providers_to_string(opts.providers)},
                 {"intercept", opts.intercept},
                 {"intercept_exempt", opts.intercept ? json(opts.intercept_exempt) : json(nullptr)},
                 {"max_duration_s", secs(opts.max_duration)},
                 {"at_deadline", opts.at_deadline.describe()},
                 // whose exit is timed as the drain ("none": drains are not timed)
                 {"workload", watched_workload(opts.workload, opts.at_deadline).describe()},
                 {"vm_name", state.vm_name()}});
  }

  void shutdown(const std::string& why) {
    if (stopped) return;
    stopped = true;
    auto removed = state.clear();
    for (const auto& inj : removed)
      audit.write({{"event", "clear"}, {"injection", inj.id}, {"reason", "agent stopping: " + why}});
    if (interceptor) {
      auto s = interceptor->remove();
      audit.write({{"event", "intercept"},
                   {"installed", false},
                   {"ok", s.is_ok()},
                   {"detail", s ? "rule removed" : s.message()}});
      if (!s) std::fprintf(stderr, "%s\n", spotsim::prefix_lines("chaos-agent: ", s.message()).c_str());
      interceptor.reset();
    }
    if (metadata) metadata->close();
    if (control) control->close();
    tick.cancel();
    boost::system::error_code ec;
    signals.cancel(ec);
    audit.write({{"event", "serve_stop"}, {"reason", why}});
    (void)audit.flush();  // every queued read line is on disk before run() returns
    io.stop();
  }
};

Agent::Agent(AgentOptions options, const Clock& clock) : options_(std::move(options)) {
  impl_ = std::make_unique<Impl>(options_, clock);
}

Agent::~Agent() {
  if (impl_ && impl_->interceptor) (void)impl_->interceptor->remove();
}

boost::asio::io_context& Agent::io() { return impl_->io; }
uint16_t Agent::metadata_port() const { return impl_->metadata ? impl_->metadata->port() : 0; }
uint16_t Agent::control_port() const { return impl_->control ? impl_->control->port() : 0; }

// ---- start(), step by step ---------------------------------------------------------
namespace {
using HostPort = std::pair<std::string, uint16_t>;

// --upstream: none, or an address that is not the agent's own listener.
Result<std::optional<HostPort>> upstream_address(const AgentOptions& o, const HostPort& listen) {
  if (o.upstream == "none") return std::optional<HostPort>();
  auto u = http::parse_host_port(o.upstream, "--upstream");
  if (!u) return Status::invalid(u.status().message() + " (or none)");
  if (u.value() == listen || (u->second == listen.second && asio::ip::make_address(u->first).is_loopback() &&
                              asio::ip::make_address(listen.first).is_unspecified()))
    return Status::invalid("--upstream: " + o.upstream + " is the agent's own --listen address (a loop)");
  return std::optional<HostPort>(u.value());
}

Result<imds::RouterOptions> router_options(const AgentOptions& o, bool have_upstream) {
  imds::RouterOptions ro;
  ro.providers = o.providers;
  ro.extra_hosts = o.allow_hosts;
  ro.aws.v2_only = o.imds_v2_only;
  ro.gcp_max_wait = o.gcp_max_wait;
  ro.have_upstream = have_upstream;
  if (!o.identity_file.empty()) {
    if (have_upstream)
      return Status::invalid(
          "--identity: only used with --upstream none (with an upstream the real service answers these paths)");
    auto id = imds::load_identity(o.identity_file);
    if (!id) return id.status().with_prefix("--identity: ");
    ro.identity = std::move(id.value());
  }
  return ro;
}

// --intercept needs a loopback listener; --intercept-exempt auto becomes mark (root) or uid.
Status resolve_intercept_exempt(AgentOptions& o, const std::string& listen_ip) {
  if (o.intercept && listen_ip != "127.0.0.1" && !asio::ip::make_address(listen_ip).is_loopback())
    return Status::invalid("--intercept: --listen must be a loopback address (got " + listen_ip + ")");
  if (o.intercept_exempt == "auto") o.intercept_exempt = ::geteuid() == 0 ? "mark" : "uid";
  if (o.intercept_exempt != "uid" && o.intercept_exempt != "mark")
    return Status::invalid("--intercept-exempt: expected auto, uid or mark, got '" + o.intercept_exempt + "'");
  return Status::ok();
}
}  // namespace

Status Agent::start() {
  Impl& m = *impl_;
  auto listen = http::parse_host_port(options_.listen, "--listen");
  if (!listen) return listen.status();
  if (options_.max_duration.count() <= 0) return Status::invalid("--max-duration: must be greater than 0");
  auto up = upstream_address(options_, listen.value());
  if (!up) return up.status();
  auto ro = router_options(options_, up->has_value());
  if (!ro) return ro.status();
  if (auto s = resolve_intercept_exempt(options_, listen->first); !s) return s;
  if (!options_.audit_path.empty()) {
    AuditWriterOptions ao;
    ao.flush_interval = options_.audit_flush_interval;
    if (auto s = m.audit.open(options_.audit_path, ao); !s) return s;
  }
  m.router = std::make_unique<imds::MetadataRouter>(m.state, m.clock, ro.value());
  if (up.value()) m.make_upstream(*up.value());
  if (auto s = m.start_metadata(listen.value()); !s) return s;
  if (auto s = m.start_control(*this); !s) return s;
  if (options_.intercept)
    if (auto s = m.install_intercept(listen->first); !s) return s;
  m.started_at = m.clock.now();
  m.audit_serve_start(listen->first);
  if (options_.handle_signals) {
    m.signals.add(SIGTERM);
    m.signals.add(SIGINT);
    m.signals.async_wait([this](boost::system::error_code ec, int sig) {
      if (!ec) impl_->shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    });
  }
  m.schedule_tick();
  return Status::ok();
}

void Agent::run() { impl_->io.run(); }

void Agent::stop(const std::string& why) {
  asio::post(impl_->io, [this, why] { impl_->shutdown(why); });
}

Result<json> Agent::inject(const InjectRequest& req, const std::string& peer) {
  Impl& m = *impl_;
  std::vector<std::string> superseded;
  for (const auto& inj : m.state.injections())
    if (inj.req.kind == req.kind) superseded.push_back(inj.id);
  auto r = m.state.inject(req);
  if (!r) return r.status();
  const Injection& inj = r.value();
  for (const auto& id : superseded) m.audit.write({{"event", "superseded"}, {"injection", id}, {"by", inj.id}});
  json e = {{"event", "inject"},
            {"injection", inj.id},
            {"kind", kind_name(inj.req.kind)},
            {"provider", providers_to_string(inj.req.providers)},
            {"notice_s", secs(inj.req.notice)},
            {"deadline", format_iso8601(inj.deadline)},
            {"expires_at", format_iso8601(inj.expires_at)},
            {"source", inj.req.source},
            {"peer", peer}};
  if (inj.req.kind == Kind::kPreempt) e["action"] = inj.req.aws_action;
  if (!inj.azure_event_id.empty()) e["azure_event_id"] = inj.azure_event_id;
  if (!inj.req.run.empty()) e["run"] = inj.req.run;
  if (!inj.unrealistic.empty()) e["unrealistic"] = inj.unrealistic + " (accepted with --allow-unrealistic)";
  m.audit.write(e);
  m.metrics.inc("chaos_agent_injections_total", std::string("kind=\"") + kind_name(inj.req.kind) + "\",provider=\"" +
                                                    providers_to_string(inj.req.providers) + "\"");
  if (inj.req.kind == Kind::kPreempt) {
    Workload w = watched_workload(options_.workload, options_.at_deadline);
    // A workload already gone has no drain to time: say so instead of timing the next tick.
    if (auto gone = m.watch.start(w, inj.id); !gone.empty())
      m.audit.write(
          {{"event", "workload_not_running"}, {"injection", inj.id}, {"workload", w.describe()}, {"detail", gone}});
  }
  e.erase("event");
  return e;
}

json Agent::clear(const std::string& reason, bool abort, const std::string& peer,
                  const std::optional<std::string>& run) {
  Impl& m = *impl_;
  auto removed = m.state.clear(run);
  json ids = json::array();
  auto event = [&](json e) {
    if (run) e["run"] = *run;
    m.audit.write(std::move(e));
  };
  for (const auto& inj : removed) {
    ids.push_back(inj.id);
    event({{"event", abort ? "abort" : "clear"}, {"injection", inj.id}, {"reason", reason}, {"peer", peer}});
  }
  if (removed.empty())
    event({{"event", abort ? "abort" : "clear"}, {"reason", reason}, {"peer", peer}, {"cleared", 0}});
  m.metrics.inc(abort ? "chaos_agent_aborts_total" : "chaos_agent_clears_total");
  json out = {{"cleared", ids}, {"abort", abort}};
  if (run) out["run"] = *run;
  return out;
}

json Agent::status() const {
  const Impl& m = *impl_;
  json injections = json::array();
  for (const auto& inj : m.state.injections()) {
    json j = {{"injection", inj.id},
              {"kind", kind_name(inj.req.kind)},
              {"provider", providers_to_string(inj.req.providers)},
              {"source", inj.req.source},
              {"notice_s", secs(inj.req.notice)},
              {"injected_at", format_iso8601(inj.injected_at)},
              {"deadline", format_iso8601(inj.deadline)},
              {"deadline_passed", inj.deadline_passed},
              {"expires_at", format_iso8601(inj.expires_at)},
              {"expiry_cause", inj.expiry_cause == ExpiryCause::kTtl ? "ttl" : "max_duration"}};
    if (!inj.req.run.empty()) j["run"] = inj.req.run;
    if (!inj.unrealistic.empty()) j["unrealistic"] = inj.unrealistic;
    if (inj.req.kind == Kind::kPreempt) j["action"] = inj.req.aws_action;
    if (!inj.azure_event_id.empty()) {
      j["azure_event_id"] = inj.azure_event_id;
      j["azure_event_type"] = inj.azure_event_type;
      j["azure_status"] = inj.azure_started ? "Started" : "Scheduled";
    }
    injections.push_back(std::move(j));
  }
  return {{"pid", ::getpid()},
          {"started_at", format_iso8601(m.started_at)},
          {"now", format_iso8601(m.clock.now())},
          {"listen", options_.listen},
          {"metadata_port", m.metadata ? m.metadata->port() : 0},
          {"upstream", options_.upstream},
          {"providers", providers_to_string(options_.providers)},
          {"intercept", m.interceptor.has_value()},
          {"intercept_exempt", m.interceptor ? json(options_.intercept_exempt) : json(nullptr)},
          {"max_duration_s", secs(options_.max_duration)},
          {"at_deadline", options_.at_deadline.describe()},
          {"vm_name", m.state.vm_name()},
          {"azure_document_incarnation", m.state.azure_incarnation()},
          {"longpolls", m.longpolls},
          {"audit", options_.audit_path},
          {"injections", injections},
          {"audit_error", m.audit.error()},
          {"report", m.audit.report()}};
}

json Agent::report(const std::string& run) const { return impl_->audit.report(run); }

void Agent::audit(json event) { impl_->audit.write(std::move(event)); }

std::string Agent::metrics_text() {
  impl_->metrics.set_gauge("chaos_agent_active_injections", static_cast<double>(impl_->state.injections().size()));
  impl_->metrics.set_gauge("chaos_agent_longpolls", impl_->longpolls);
  impl_->metrics.counter("chaos_agent_audit_records_lost_total").set(static_cast<double>(impl_->audit.lines_lost()));
  return impl_->metrics.render();
}

}  // namespace agent
