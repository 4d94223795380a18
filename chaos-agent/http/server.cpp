#include "chaos-agent/http/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

#include "chaos-agent/core/time_format.h"

namespace agent::http {
using spotsim::Result;
using spotsim::Status;

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;
using SteadyTime = std::chrono::steady_clock::time_point;

struct Server::Core {
  asio::io_context& io;
  ServerLimits limits;
  Handler handler;
  Observer observer;
  size_t connections = 0;
  bool closed = false;
  std::vector<std::function<void()>> closers;
};

namespace {

template <class Protocol>
std::string peer_name(const typename Protocol::socket& s) {
  if constexpr (std::is_same_v<Protocol, tcp>) {
    beast::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "?";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
  } else {
    return "unix";
  }
}

// The Date header value, formatted once per second.
const std::string& http_date_now() {
  thread_local int64_t second = -1;
  thread_local std::string text;
  auto now = std::chrono::system_clock::now();
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (s != second) {
    second = s;
    text = format_rfc1123(std::chrono::system_clock::time_point(std::chrono::seconds(s)));
  }
  return text;
}

// The bytes Beast's serializer would write for a prepared response (status line, fields in
// order, blank line, body), built in one string so the answer goes out in one write(2) without
// the serializer's buffer sequences.
void serialize(const Response& r, std::string& out) {
  out.clear();
  out += r.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  unsigned code = r.result_int();
  out += static_cast<char>('0' + code / 100 % 10);
  out += static_cast<char>('0' + code / 10 % 10);
  out += static_cast<char>('0' + code % 10);
  out += ' ';
  auto reason = r.reason();
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& f : r) {
    auto name = f.name_string();
    auto value = f.value();
    out.append(name.data(), name.size());
    out += ": ";
    out.append(value.data(), value.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += r.body();
}

Response plain(unsigned status, const std::string& body) {
  Response r{static_cast<bhttp::status>(status), 11};
  r.set(bhttp::field::content_type, "text/plain");
  r.body() = body;
  return r;
}

template <class Protocol>
class Session : public std::enable_shared_from_this<Session<Protocol>> {
  using Stream = beast::basic_stream<Protocol, asio::any_io_executor, beast::unlimited_rate_policy>;

 public:
  Session(typename Protocol::socket socket, std::shared_ptr<Server::Core> core)
      : stream_(std::move(socket)), core_(std::move(core)) {
    peer_ = peer_name<Protocol>(stream_.socket());
    if constexpr (std::is_same_v<Protocol, tcp>) {
      // Each answer is one write; do not let Nagle hold it back behind an unacknowledged one.
      beast::error_code ec;
      stream_.socket().set_option(tcp::no_delay(true), ec);
    }
    ++core_->connections;
  }
  ~Session() { --core_->connections; }

  void start() { wait_for_request(); }

 private:
  void wait_for_request() {
    if (buffer_.size() > 0) return read_request();  // pipelined bytes already here
    stream_.expires_after(core_->limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->abort();
      self->buffer_.commit(n);
      self->read_request();
    });
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(core_->limits.header_limit));
    parser_->body_limit(core_->limits.body_limit);
    stream_.expires_after(core_->limits.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::broken_pipe)
      return abort();
    if (ec == bhttp::error::header_limit) return send_error(431, "request header fields too large\n");
    if (ec == bhttp::error::body_limit) return send_error(413, "request body too large\n");
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
        return send_error(400, "malformed HTTP request\n");
      return abort();
    }
    stream_.expires_never();
    received_ = std::chrono::steady_clock::now();
    Request req = parser_->release();
    parser_.reset();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    uint64_t gen = ++generation_;
    responded_ = false;
    auto self = this->shared_from_this();
    core_->handler(std::move(req), peer_, [self, gen](Response r) {
      if (gen != self->generation_ || self->responded_) return;  // stale or duplicate answer
      self->responded_ = true;
      self->write(std::move(r));
    });
  }

  void send_error(unsigned status, const std::string& body) {
    keep_alive_ = false;
    version_ = 11;
    head_ = false;
    received_ = std::chrono::steady_clock::now();
    responded_ = true;
    ++generation_;
    write(plain(status, body));
  }

  void write(Response r) {
    r.version(version_ == 10 ? 10 : 11);
    bool close_requested = false;
    if (auto c = r.find(bhttp::field::connection); c != r.end()) close_requested = beast::iequals(c->value(), "close");
    bool ka = keep_alive_ && r.result_int() < 400 && !close_requested;
    r.keep_alive(ka);
    if (r.find(bhttp::field::date) == r.end()) r.set(bhttp::field::date, http_date_now());
    if (r.chunked()) r.chunked(false);  // the whole body is here: always Content-Length
    r.prepare_payload();
    if (head_) {
      auto len = r.body().size();
      r.body().clear();
      r.content_length(len);
    }
    status_ = r.result_int();
    serialize(r, out_);
    stream_.expires_after(core_->limits.write_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this(), ka](beast::error_code ec, size_t) { self->on_write(ec, ka); });
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    if (core_->observer) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - received_).count();
      core_->observer(status_, secs);
    }
    if (out_.capacity() > 64 * 1024) std::string().swap(out_);
    if (ec) return abort();
    if (!keep_alive || core_->closed) return graceful_close();
    wait_for_request();
  }

  // Half-close, then drain what the client still sends for up to a second, so the client
  // reads our answer instead of a reset caused by unread request bytes.
  void graceful_close() {
    beast::error_code ec;
    stream_.socket().shutdown(Protocol::socket::shutdown_send, ec);
    if (ec) return abort();
    buffer_.consume(buffer_.size());
    stream_.expires_after(std::chrono::seconds(1));
    drain();
  }
  void drain() {
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->abort();
      self->buffer_.commit(n);
      self->buffer_.consume(n);
      self->drain();
    });
  }

  void abort() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  Stream stream_;
  std::shared_ptr<Server::Core> core_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string out_;  // the answer being written
  unsigned version_ = 11;
  unsigned status_ = 0;
  bool keep_alive_ = false;
  bool head_ = false;
  bool responded_ = true;
  uint64_t generation_ = 0;
  SteadyTime received_{};
};

template <class Protocol>
class Acceptor : public std::enable_shared_from_this<Acceptor<Protocol>> {
 public:
  Acceptor(asio::io_context& io, std::shared_ptr<Server::Core> core)
      : acceptor_(io), timer_(io), core_(std::move(core)) {}

  typename Protocol::acceptor& acceptor() { return acceptor_; }

  void accept() {
    acceptor_.async_accept([self = this->shared_from_this()](beast::error_code ec, typename Protocol::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (ec) {  // e.g. EMFILE: back off instead of spinning
        self->timer_.expires_after(std::chrono::milliseconds(50));
        self->timer_.async_wait([self](beast::error_code) { self->accept(); });
        return;
      }
      if (self->core_->connections >= self->core_->limits.max_connections) {
        static const char kBusy[] =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        beast::error_code wec;
        socket.non_blocking(true, wec);
        socket.write_some(asio::buffer(kBusy, sizeof kBusy - 1), wec);
        socket.close(wec);
      } else {
        std::make_shared<Session<Protocol>>(std::move(socket), self->core_)->start();
      }
      self->accept();
    });
  }

  void close() {
    beast::error_code ec;
    acceptor_.close(ec);
    timer_.cancel();
  }

 private:
  typename Protocol::acceptor acceptor_;
  asio::steady_timer timer_;
  std::shared_ptr<Server::Core> core_;
};

}  // namespace

Server::Server(asio::io_context& io, ServerLimits limits, Handler handler, Observer observer)
    : core_(std::make_shared<Core>(Core{io, limits, std::move(handler), std::move(observer), 0, false, {}})) {}

Server::~Server() { close(); }

Status Server::listen_tcp(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::invalid("'" + host + "' is not an IP address");
  auto acc = std::make_shared<Acceptor<tcp>>(core_->io, core_);
  tcp::endpoint ep(addr, port);
  acc->acceptor().open(ep.protocol(), ec);
  if (!ec) acc->acceptor().set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc->acceptor().bind(ep, ec);
  if (!ec) acc->acceptor().listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::io("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  port_ = acc->acceptor().local_endpoint().port();
  acc->accept();
  core_->closers.push_back([acc] { acc->close(); });
  return Status::ok();
}

Status Server::listen_unix(const std::string& path, mode_t mode) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return Status::invalid("'" + path + "' exists and is not a socket; refusing to replace it");
    // A socket someone still listens on belongs to a running process (another agent): leave it.
    // Only a stale one (connection refused) is replaced.
    beast::error_code probe_ec;
    local::socket probe(core_->io);
    probe.connect(local::endpoint(path), probe_ec);
    if (!probe_ec)
      return Status::io("cannot listen on unix:" + path +
                        ": another process is listening on it (another chaos-agent?); "
                        "refusing to replace it");
    ::unlink(path.c_str());
  }
  auto acc = std::make_shared<Acceptor<local>>(core_->io, core_);
  beast::error_code ec;
  local::endpoint ep(path);
  acc->acceptor().open(ep.protocol(), ec);
  mode_t old = ::umask(0177);
  if (!ec) acc->acceptor().bind(ep, ec);
  ::umask(old);
  if (!ec) acc->acceptor().listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::io("cannot listen on unix:" + path + ": " + ec.message());
  ::chmod(path.c_str(), mode);
  unix_path_ = path;
  acc->accept();
  core_->closers.push_back([acc] { acc->close(); });
  return Status::ok();
}

void Server::close() {
  core_->closed = true;
  for (auto& c : core_->closers) c();
  core_->closers.clear();
  if (!unix_path_.empty()) {
    ::unlink(unix_path_.c_str());
    unix_path_.clear();
  }
}

size_t Server::connections() const { return core_->connections; }

Result<std::pair<std::string, uint16_t>> parse_host_port(const std::string& s, const std::string& flag) {
  std::string host;
  std::string port;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find("]:");
    if (close == std::string::npos) return Status::invalid(flag + ": expected [IPv6]:PORT, got '" + s + "'");
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string::npos)
      return Status::invalid(flag + ": expected HOST:PORT (e.g. 127.0.0.1:8169), got '" + s + "'");
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) return Status::invalid(flag + ": '" + host + "' is not an IP address (use an IP literal such as 127.0.0.1)");
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    return Status::invalid(flag + ": '" + port + "' is not a port number (0-65535)");
  return std::make_pair(host, static_cast<uint16_t>(std::stoi(port)));
}

}  // namespace agent::http
