#include "chaos-agent/http/upstream.h"

#include <sys/socket.h>

#include <cerrno>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>

namespace agent::http {
using spotsim::Result;
using spotsim::Status;

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

bool hop_by_hop(bhttp::field f, beast::string_view name) {
  switch (f) {
    case bhttp::field::connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_authenticate:
    case bhttp::field::proxy_authorization:
    case bhttp::field::proxy_connection:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::transfer_encoding:
    case bhttp::field::upgrade:
    case bhttp::field::content_length: return true;
    default: return beast::iequals(name, "keep-alive");
  }
}

struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(asio::io_context& io, const UpstreamOptions& o) : stream(io), opts(o) {}
  beast::tcp_stream stream;
  UpstreamOptions opts;
  Request req;
  beast::flat_buffer buffer;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  std::function<void(Result<Response>)> done;
  Millis timeout{0};

  void fail(const std::string& what, beast::error_code ec) {
    beast::error_code ignore;
    stream.socket().close(ignore);
    if (done) {
      auto d = std::move(done);
      done = nullptr;
      d(Status::io("upstream " + opts.host + ":" + std::to_string(opts.port) + ": " + what + ": " + ec.message()));
    }
  }

  void start() {
    beast::error_code setup_ec;
    auto addr = asio::ip::make_address(opts.host, setup_ec);
    if (setup_ec) return fail("bad address", setup_ec);
    tcp::endpoint ep(addr, opts.port);
    stream.socket().open(ep.protocol(), setup_ec);
    if (setup_ec) return fail("socket", setup_ec);
    if (opts.socket_mark != 0) {
      int mark = opts.socket_mark;
      if (::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0)
        return fail("setsockopt(SO_MARK)", beast::error_code(errno, beast::system_category()));
    }
    stream.expires_after(opts.connect_timeout);
    stream.async_connect(ep, [self = shared_from_this()](beast::error_code connect_ec) {
      if (connect_ec) return self->fail("connect", connect_ec);
      self->stream.expires_after(self->timeout);
      bhttp::async_write(self->stream, self->req, [self](beast::error_code write_ec, size_t) {
        if (write_ec) return self->fail("write", write_ec);
        self->parser.emplace();
        self->parser->body_limit(self->opts.body_limit);
        self->parser->header_limit(64 * 1024);
        bhttp::async_read(self->stream, self->buffer, *self->parser, [self](beast::error_code read_ec, size_t) {
          if (read_ec) return self->fail("read", read_ec);
          Response res = self->parser->release();
          for (auto it = res.begin(); it != res.end();) {
            if (hop_by_hop(it->name(), it->name_string())) it = res.erase(it);
            else ++it;
          }
          beast::error_code ignore;
          self->stream.socket().shutdown(tcp::socket::shutdown_both, ignore);
          self->stream.socket().close(ignore);
          auto d = std::move(self->done);
          self->done = nullptr;
          d(std::move(res));
        });
      });
    });
  }
};

}  // namespace

Upstream::Upstream(asio::io_context& io, UpstreamOptions options) : io_(io), options_(std::move(options)) {}

void Upstream::forward(const Request& in, std::function<void(Result<Response>)> done) {
  auto ex = std::make_shared<Exchange>(io_, options_);
  Request& out = ex->req;
  out.method(in.method());
  out.target(in.target());
  out.version(11);
  for (const auto& f : in) {
    if (hop_by_hop(f.name(), f.name_string()) || f.name() == bhttp::field::host) continue;
    out.insert(f.name_string(), f.value());
  }
  // Keep a metadata Host name the client used (metadata.google.internal, 169.254.169.254);
  // when the client addressed the agent by a loopback address, name the upstream instead.
  std::string host(in[bhttp::field::host]);
  if (host.empty() || host.rfind("127.", 0) == 0 || host.rfind("localhost", 0) == 0 || host.rfind("[::1]", 0) == 0)
    host = options_.port == 80 ? options_.host : options_.host + ":" + std::to_string(options_.port);
  out.set(bhttp::field::host, host);
  out.keep_alive(false);
  out.body() = in.body();
  out.prepare_payload();
  bool long_poll = std::string(in.target()).find("wait_for_change=true") != std::string::npos;
  ex->timeout = long_poll ? options_.long_poll_timeout : options_.timeout;
  ex->done = std::move(done);
  ex->start();
}

}  // namespace agent::http
