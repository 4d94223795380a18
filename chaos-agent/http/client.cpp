#include "chaos-agent/http/client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <cctype>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>

namespace agent::http {
using spotsim::Result;
using spotsim::Status;

namespace asio = boost::asio;
namespace beast = boost::beast;

std::string Endpoint::to_string() const { return is_unix ? "unix:" + path : host + ":" + std::to_string(port); }

Result<Endpoint> parse_endpoint(const std::string& s, const std::string& flag) {
  Endpoint ep;
  if (s.rfind("unix:", 0) == 0) {
    ep.is_unix = true;
    ep.path = s.substr(5);
    if (ep.path.empty() || ep.path[0] != '/')
      return Status::invalid(flag + ": expected unix:/ABSOLUTE/PATH, got '" + s + "'");
    return ep;
  }
  auto hp = parse_host_port(s, flag);
  if (!hp) return Status::invalid(hp.status().message() + " (or unix:/PATH)");
  ep.host = hp->first;
  ep.port = hp->second;
  return ep;
}

Result<std::pair<Endpoint, std::string>> parse_loopback_url(const std::string& url, const std::string& field) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0)
    return Status::invalid(field + ": expected http://127.0.0.1:PORT/PATH, got '" + url + "'");
  std::string rest = url.substr(prefix.size());
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (hostport.find(':') == std::string::npos) hostport += ":80";
  auto hp = parse_host_port(hostport, field);
  if (!hp) return hp.status();
  beast::error_code ec;
  auto addr = asio::ip::make_address(hp->first, ec);
  if (ec || !addr.is_loopback())
    return Status::invalid(field + ": '" + hp->first +
                           "' is not a loopback address; health checks must stay on this machine");
  Endpoint ep;
  ep.host = hp->first;
  ep.port = hp->second;
  return std::make_pair(ep, target);
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

namespace {
// Synchronous socket I/O with kernel timeouts (SO_RCVTIMEO/SO_SNDTIMEO): a hung peer cannot
// hang the CLI.
template <class Socket>
void set_timeouts(Socket& s, Millis timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A signal (e.g. SIGCHLD from a child the caller started) may interrupt a blocking call:
// the serializer and parser keep their progress, so the call is simply continued.
template <class Socket>
Result<Response> exchange(Socket& socket, Request& req) {
  beast::error_code ec;
  bhttp::request_serializer<bhttp::string_body> sr{req};
  for (int i = 0; i < 1000; ++i) {
    bhttp::write(socket, sr, ec);
    if (ec != asio::error::interrupted) break;
  }
  if (ec) return Status::io("write: " + ec.message());
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  for (int i = 0; i < 1000; ++i) {
    bhttp::read(socket, buf, parser, ec);
    if (ec != asio::error::interrupted) break;
  }
  if (ec) return Status::io("read: " + ec.message());
  return parser.release();
}
}  // namespace

Result<Response> request(const Endpoint& ep, Request req, Millis timeout) {
  asio::io_context io;
  req.version(11);
  if (req.find(bhttp::field::host) == req.end()) req.set(bhttp::field::host, ep.is_unix ? "localhost" : ep.host);
  req.keep_alive(false);
  req.prepare_payload();
  beast::error_code ec;
  Result<Response> r = Status::internal("no exchange");
  if (ep.is_unix) {
    asio::local::stream_protocol::socket socket(io);
    socket.connect(asio::local::stream_protocol::endpoint(ep.path), ec);
    if (ec) return Status::io(ep.to_string() + ": connect: " + ec.message());
    set_timeouts(socket, timeout);
    r = exchange(socket, req);
  } else {
    auto addr = asio::ip::make_address(ep.host, ec);
    if (ec) return Status::io(ep.to_string() + ": bad address");
    asio::ip::tcp::socket socket(io);
    socket.connect(asio::ip::tcp::endpoint(addr, ep.port), ec);
    if (ec) return Status::io(ep.to_string() + ": connect: " + ec.message());
    set_timeouts(socket, timeout);
    r = exchange(socket, req);
  }
  if (!r) return r.status().with_prefix(ep.to_string() + ": ");
  return r;
}

}  // namespace agent::http
