#include "chaos-agent/fleet/remote_control.h"

#include <algorithm>
#include <map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "chaos-agent/control/control_api.h"
#include "chaos-agent/core/time_format.h"
#include "chaos-agent/fleet/replay_guard.h"
#include "chaos-agent/fleet/tls.h"
#include "chaos-agent/imds/common.h"

namespace agent::fleet {
using spotsim::Status;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

struct RemoteControl::Core : std::enable_shared_from_this<Core> {
  Core(Agent& a, RemoteControlOptions o)
      : agent(a), opts(std::move(o)), acceptor(a.io()), lease_timer(a.io()), guard(opts.replay_window) {}

  struct Lease {
    std::string coordinator;
    Millis length{10000};
    Steady::time_point expires;
  };

  Agent& agent;
  RemoteControlOptions opts;
  std::shared_ptr<asio::ssl::context> ctx;
  tcp::acceptor acceptor;
  asio::steady_timer lease_timer;
  ReplayGuard guard;
  std::map<std::string, Lease> leases;  // by run id
  size_t connections = 0;
  bool closed = false;

  void refuse(const std::string& peer, const std::string& who, const std::string& reason) {
    json e = {{"event", "remote_refused"}, {"peer", peer}, {"reason", reason}};
    if (!who.empty()) e["coordinator"] = who;
    agent.audit(std::move(e));
  }

  bool allowed(const std::vector<std::string>& names) const {
    for (const auto& n : names)
      if (std::find(opts.allow.begin(), opts.allow.end(), n) != opts.allow.end()) return true;
    return false;
  }

  void do_accept();
  void check_leases();

  // Answers one authenticated, fresh request.
  std::pair<unsigned, json> handle(const bhttp::request<bhttp::string_body>& req, const std::string& who,
                                   const std::string& peer) {
    std::string target(req.target());
    const bool post = req.method() == bhttp::verb::post;
    json body = json::object();
    if (post && !req.body().empty()) {
      body = json::parse(req.body(), nullptr, false);
      if (body.is_discarded() || !body.is_object()) return {400, {{"error", "request body is not a JSON object"}}};
    }
    const std::string tagged_peer = "tls:" + who + "@" + peer;
    if (!post && target == "/v1/status") return {200, agent.status()};
    if (!post && (target == "/v1/report" || target.rfind("/v1/report?", 0) == 0)) {
      auto t = imds::parse_target(target);
      return {200, agent.report(t && t->query.count("run") ? t->query.at("run") : "")};
    }
    if (post && target == "/v1/inject") {
      auto ir = control::inject_request_from_json(body);
      if (!ir) return {400, {{"error", ir.status().message()}}};
      Millis lease{0};
      if (body.contains("lease")) {
        auto d = body["lease"].is_string() ? parse_duration(body["lease"].get<std::string>()) : std::nullopt;
        if (!d || d->count() < 1000) return {400, {{"error", "lease: expected a duration of at least 1s, like 10s"}}};
        lease = *d;
      }
      if (lease.count() > 0 && ir->run.empty())
        return {400, {{"error", "lease: needs run (the lease is per game-day run)"}}};
      auto r = agent.inject(ir.value(), tagged_peer);
      if (!r) return {400, {{"error", r.status().message()}}};
      if (lease.count() > 0) {
        auto& l = leases[ir->run];
        if (l.coordinator.empty())
          agent.audit({{"event", "lease"}, {"run", ir->run}, {"coordinator", who}, {"lease_s", to_seconds(lease)}});
        l = Lease{who, lease, Steady::now() + lease};
      }
      return {200, r.value()};
    }
    if (post && target == "/v1/heartbeat") {
      std::string run = body.value("run", "");
      auto it = leases.find(run);
      if (run.empty() || it == leases.end())
        return {404, {{"error", "no lease for run '" + run + "' (inject with lease first)"}}};
      it->second.expires = Steady::now() + it->second.length;
      return {200, {{"run", run}, {"lease_s", to_seconds(it->second.length)}}};
    }
    if (post && (target == "/v1/clear" || target == "/v1/abort")) {
      std::string reason = body.value("reason", "");
      if (body.contains("run")) leases.erase(body.value("run", ""));
      return {200, agent.clear(reason + " (by " + who + ")", target == "/v1/abort", tagged_peer)};
    }
    return {404, {{"error", "unknown remote control request " + std::string(req.method_string()) + " " + target}}};
  }
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<RemoteControl::Core> core, tcp::socket socket)
      : core_(std::move(core)), stream_(std::move(socket), *core_->ctx) {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    ++core_->connections;
  }
  ~Session() { --core_->connections; }

  void start() {
    beast::get_lowest_layer(stream_).expires_after(core_->opts.handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

 private:
  void on_handshake(beast::error_code ec) {
    if (core_->closed) return;
    if (ec) {
      core_->refuse(peer_, "", "TLS handshake failed: " + tls_error_text(ec, stream_.native_handle()));
      return;
    }
    names_ = peer_names(stream_.native_handle());
    who_ = names_.empty() ? "?" : names_[0];
    allowed_ = core_->allowed(names_);
    if (!allowed_)
      core_->refuse(peer_, identity_label(names_),
                    "certificate name not on the allow-list (--allow-coordinator); the certificate chains to the CA");
    read();
  }

  void read() {
    req_ = {};
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    parser_->body_limit(64 * 1024);
    beast::get_lowest_layer(stream_).expires_after(core_->opts.idle_timeout);
    bhttp::async_read(stream_, buf_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec || core_->closed) return;  // peer closed, timeout or garbage: the connection ends
    req_ = parser_->release();
    unsigned status = 0;
    json body;
    std::string nonce(req_["X-Chaos-Nonce"]);
    if (!allowed_) {
      status = 403;
      body = {{"error", "coordinator '" + identity_label(names_) +
                            "' is not allowed to command this agent "
                            "(its --allow-coordinator list)"}};
    } else {
      auto v = core_->guard.check(nonce, std::string(req_["X-Chaos-Time"]), unix_time_ms());
      if (v != ReplayGuard::Verdict::kOk) {
        status = v == ReplayGuard::Verdict::kReplayed ? 409 : v == ReplayGuard::Verdict::kBusy ? 503 : 401;
        body = {{"error", ReplayGuard::explain(v)}};
        core_->refuse(peer_, who_,
                      std::string(ReplayGuard::explain(v)) + " (" + std::string(req_.method_string()) + " " +
                          std::string(req_.target()) + ", nonce " + nonce.substr(0, 64) + ")");
      } else {
        std::tie(status, body) = core_->handle(req_, who_, peer_);
        std::string target(req_.target());
        if (target != "/v1/heartbeat")  // renewals would flood the log; the lease event covers them
          core_->agent.audit({{"event", "remote"},
                              {"coordinator", who_},
                              {"peer", peer_},
                              {"method", std::string(req_.method_string())},
                              {"target", target},
                              {"status", status},
                              {"nonce", nonce}});
      }
    }
    res_ = {static_cast<bhttp::status>(status), 11};
    res_.set(bhttp::field::content_type, "application/json");
    res_.body() = body.dump() + "\n";
    res_.keep_alive(status < 400 || status == 404 || status == 409 || status == 401);
    if (status == 403) res_.keep_alive(false);
    res_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(Millis(10000));
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code wec, size_t) {
      if (wec || self->core_->closed) return;
      if (!self->res_.keep_alive()) {
        self->stream_.async_shutdown([self](beast::error_code) {});
        return;
      }
      self->read();
    });
  }

  std::shared_ptr<RemoteControl::Core> core_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::string peer_, who_;
  std::vector<std::string> names_;
  bool allowed_ = false;
  beast::flat_buffer buf_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> req_;
  bhttp::response<bhttp::string_body> res_;
};

}  // namespace

void RemoteControl::Core::do_accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    if (self->closed) return;
    if (!ec) {
      if (self->connections >= self->opts.max_connections) {
        beast::error_code ignored;
        s.close(ignored);
      } else {
        std::make_shared<Session>(self, std::move(s))->start();
      }
    }
    self->do_accept();
  });
}

void RemoteControl::Core::check_leases() {
  lease_timer.expires_after(opts.lease_check);
  lease_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed) return;
    auto now = Steady::now();
    for (auto it = self->leases.begin(); it != self->leases.end();) {
      if (it->second.expires > now) {
        ++it;
        continue;
      }
      const std::string run = it->first;
      bool live = false;
      const json st = self->agent.status();
      for (const auto& inj : st["injections"])
        if (inj.value("run", "") == run) live = true;
      std::string reason = "dead-man: coordinator " + it->second.coordinator + " silent for " +
                           format_duration(it->second.length) + " (lease of run " + run + ")";
      self->agent.audit({{"event", "dead_man"},
                         {"run", run},
                         {"coordinator", it->second.coordinator},
                         {"lease_s", to_seconds(it->second.length)},
                         {"live_injections", live}});
      if (live) self->agent.clear(reason, true, "dead-man", run);  // only this run's: others' stay
      it = self->leases.erase(it);
    }
    self->check_leases();
  });
}

RemoteControl::RemoteControl(Agent& agent, RemoteControlOptions options)
    : core_(std::make_shared<Core>(agent, std::move(options))) {}

RemoteControl::~RemoteControl() {
  core_->closed = true;
  beast::error_code ec;
  core_->acceptor.close(ec);
  core_->lease_timer.cancel();
}

Status RemoteControl::start() {
  auto& o = core_->opts;
  if (o.allow.empty())
    return Status::invalid(
        "--allow-coordinator: required with --remote-control (the certificate names allowed to command this agent)");
  auto ctx = make_tls_context(o.tls, TlsRole::kServer);
  if (!ctx) return ctx.status();
  core_->ctx = ctx.value();
  auto hp = http::parse_host_port(o.listen, "--remote-control");
  if (!hp) return hp.status();
  beast::error_code ec;
  auto addr = asio::ip::make_address(hp->first, ec);
  if (ec) return Status::invalid("--remote-control: '" + hp->first + "' is not an IP address");
  tcp::endpoint ep(addr, hp->second);
  core_->acceptor.open(ep.protocol(), ec);
  if (!ec) core_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) core_->acceptor.bind(ep, ec);
  if (!ec) core_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::io("--remote-control: cannot listen on " + o.listen + ": " + ec.message());
  core_->agent.audit({{"event", "remote_listen"},
                      {"listen", o.listen},
                      {"port", port()},
                      {"allow", o.allow},
                      {"replay_window_s", to_seconds(o.replay_window)}});
  core_->do_accept();
  core_->check_leases();
  return Status::ok();
}

uint16_t RemoteControl::port() const {
  beast::error_code ec;
  auto ep = core_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace agent::fleet
