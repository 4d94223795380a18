#include "chaos-agent/imds/aws.h"

#include <algorithm>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chaos-agent/core/time_format.h"

namespace agent::imds {
namespace {

constexpr const char* kTokenHeader = "X-aws-ec2-metadata-token";
constexpr const char* kTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

std::string random_token() {
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string t = "AQAEA";
  for (int i = 0; i < 51; ++i) t += kB64[rd() & 63];
  t += "==";
  return t;
}

const char* reason(unsigned status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Error";
  }
}

}  // namespace

TokenStore::TokenStore(const Clock& clock, size_t capacity) : clock_(clock), capacity_(capacity) {}

std::string TokenStore::mint(int ttl_seconds) {
  std::string t = random_token();
  remember(t, ttl_seconds);
  return t;
}

void TokenStore::remember(const std::string& token, int ttl_seconds) {
  if (tokens_.size() >= capacity_) prune();
  if (tokens_.size() >= capacity_) tokens_.erase(tokens_.begin());
  tokens_[token] = Entry{clock_.now(), ttl_seconds};
}

TokenStore::Check TokenStore::check(const std::string& token) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return Check::kUnknown;
  auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - it->second.issued);
  return elapsed.count() >= it->second.ttl ? Check::kExpired : Check::kValid;
}

void TokenStore::prune() {
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    if (check(it->first) != Check::kValid) it = tokens_.erase(it);
    else ++it;
  }
}

AwsImds::AwsImds(ChaosState& state, const Clock& clock, AwsOptions options)
    : state_(state), clock_(clock), options_(std::move(options)), tokens_(clock), started_(clock.now()) {}

bool AwsImds::owns(const Target& t) { return t.path == "/latest" || t.path.rfind("/latest/", 0) == 0; }

namespace {
// One XHTML error page; the two layouts differ only in the encoding, the doctype's line break
// and the indentation.
struct PageLayout {
  const char* encoding;
  const char* doctype_break;  // between the doctype's public id and its URL
  const char* indent;         // one level
};
std::string xhtml_page(const PageLayout& l, const std::string& title) {
  const std::string i1 = l.indent, i2 = i1 + i1;
  return std::string("<?xml version=\"1.0\" encoding=\"") + l.encoding +
         "\"?>\n"
         "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"" +
         l.doctype_break +
         "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
         "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n" +
         i1 + "<head>\n" + i2 + "<title>" + title + "</title>\n" + i1 + "</head>\n" + i1 + "<body>\n" + i2 + "<h1>" +
         title + "</h1>\n" + i1 + "</body>\n" + "</html>\n";
}
}  // namespace

std::string AwsImds::error_page(unsigned status) {
  // 400 and 401 are the pages AWS's own metadata mock (amazon-ec2-metadata-mock,
  // pkg/server/httpserver.go: BadRequestResponse, UnauthorizedResponse) serves, with the newline
  // Go's http.Error appends; 404 is the real service's page. Others follow the 404 layout.
  static constexpr PageLayout kMock{"UTF-8", " ", "   "};
  static constexpr PageLayout kReal{"iso-8859-1", "\n\t", " "};
  const std::string title = std::to_string(status) + " - " + reason(status);
  return xhtml_page(status == 400 || status == 401 ? kMock : kReal, title);
}

Response AwsImds::text(const Request& req, std::string body) const {
  Response r{bhttp::status::ok, req.version()};
  r.set(bhttp::field::content_type, "text/plain");
  r.set(bhttp::field::accept_ranges, "none");
  r.set(bhttp::field::server, "EC2ws");
  r.body() = std::move(body);
  return r;
}

Response AwsImds::error(const Request& req, unsigned status) const {
  Response r{static_cast<bhttp::status>(status), req.version()};
  r.set(bhttp::field::content_type, "text/html");
  r.set(bhttp::field::server, "EC2ws");
  r.set(bhttp::field::connection, "close");
  r.keep_alive(false);
  // 404 is what every poll sees until a notice: build each page once.
  static const std::string kPages[] = {error_page(400), error_page(401), error_page(403), error_page(404),
                                       error_page(405)};
  switch (status) {
    case 400: r.body() = kPages[0]; break;
    case 401: r.body() = kPages[1]; break;
    case 403: r.body() = kPages[2]; break;
    case 404: r.body() = kPages[3]; break;
    case 405: r.body() = kPages[4]; break;
    default: r.body() = error_page(status);
  }
  return r;
}

std::optional<Response> AwsImds::check_token(const Request& req) const {
  if (has_header(req, kTokenHeader)) {
    if (tokens_.check(header(req, kTokenHeader)) != TokenStore::Check::kValid) return error(req, 401);
    return std::nullopt;
  }
  if (options_.v2_only) return error(req, 401);
  return std::nullopt;
}

Outcome AwsImds::handle_token(const Request& req, bool have_upstream) {
  if (req.method() != bhttp::verb::put) {
    Response r = error(req, 405);
    r.set(bhttp::field::allow, "OPTIONS, PUT");
    return respond(std::move(r));
  }
  if (has_header(req, "X-Forwarded-For")) return respond(error(req, 403));
  std::string ttl_s = header(req, kTtlHeader);
  int ttl = 0;
  bool digits = !ttl_s.empty() && ttl_s.size() <= 6 &&
                std::all_of(ttl_s.begin(), ttl_s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) ttl = std::stoi(ttl_s);
  if (!digits || ttl < 1 || ttl > 21600) return respond(error(req, 400));
  if (have_upstream) return forward();  // the real IMDS mints it; on_upstream_response learns it
  Response r = text(req, tokens_.mint(ttl));
  r.set(kTtlHeader, std::to_string(ttl));
  return respond(std::move(r));
}

std::optional<Outcome> AwsImds::handle_chaos(const Request& req, const Target& t) {
  static const std::string kMd = "/latest/meta-data";
  if (t.path.rfind(kMd + "/spot", 0) != 0 && t.path.rfind(kMd + "/events", 0) != 0) return std::nullopt;
  std::string sub = t.path.substr(kMd.size() + 1);
  static const char* kOwned[] = {"spot",
                                 "spot/instance-action",
                                 "spot/termination-time",
                                 "events",
                                 "events/recommendations",
                                 "events/recommendations/rebalance",
                                 "events/maintenance",
                                 "events/maintenance/scheduled"};
  if (std::find(std::begin(kOwned), std::end(kOwned), sub) == std::end(kOwned)) return std::nullopt;

  Outcome o;
  o.chaos_read = Provider::kAws;
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
    o.response = error(req, 405);
    return o;
  }
  if (auto denied = check_token(req)) {
    o.response = std::move(*denied);
    return o;
  }
  const Injection* spot = state_.active(Kind::kPreempt, Provider::kAws);
  const Injection* rebalance = state_.active(Kind::kRebalance, Provider::kAws);
  const Injection* maint = state_.active(Kind::kMaintenance, Provider::kAws);
  auto show = [&](const Injection* inj, std::string body) {
    o.injection_id = inj ? inj->id : "";
    o.response = text(req, std::move(body));
    if (inj) o.response.set(bhttp::field::last_modified, format_rfc1123(inj->injected_at));
    return std::move(o);
  };
  if (sub == "spot") {
    if (!spot) {
      o.response = error(req, 404);
      return o;
    }
    std::string listing = "instance-action";
    if (spot->req.aws_action == "terminate") listing += "\ntermination-time";
    return show(spot, listing);
  }
  if (sub == "spot/instance-action") {
    if (!spot) {
      o.response = error(req, 404);
      return o;
    }
    // The most polled path: its body and Last-Modified are formatted once per notice.
    if (spot_cache_.id != spot->id || spot_cache_.deadline != spot->deadline ||
        spot_cache_.action != spot->req.aws_action) {
      nlohmann::ordered_json j = {{"action", spot->req.aws_action}, {"time", format_iso8601(spot->deadline)}};
      spot_cache_ = {spot->id, spot->deadline, spot->req.aws_action, j.dump(), format_rfc1123(spot->injected_at)};
    }
    o.injection_id = spot->id;
    o.response = text(req, spot_cache_.body);
    o.response.set(bhttp::field::last_modified, spot_cache_.last_modified);
    return o;
  }
  if (sub == "spot/termination-time") {
    if (!spot || spot->req.aws_action != "terminate") {
      o.response = error(req, 404);
      return o;
    }
    return show(spot, format_iso8601(spot->deadline));
  }
  if (sub == "events") return show(nullptr, "maintenance/\nrecommendations/");
  if (sub == "events/recommendations") {
    if (!rebalance) {
      o.response = error(req, 404);
      return o;
    }
    return show(rebalance, "rebalance");
  }
  if (sub == "events/recommendations/rebalance") {
    if (!rebalance) {
      o.response = error(req, 404);
      return o;
    }
    nlohmann::ordered_json j = {{"noticeTime", format_iso8601(rebalance->injected_at)}};
    return show(rebalance, j.dump());
  }
  if (sub == "events/maintenance") return show(nullptr, "history\nscheduled");
  // events/maintenance/scheduled
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  if (maint) {
    events.push_back({{"NotBefore", format_aws_event_time(maint->deadline)},
                      {"Code", "system-reboot"},
                      {"Description", "scheduled reboot"},
                      {"EventId", maint->aws_event_id},
                      {"NotAfter", format_aws_event_time(maint->deadline + std::chrono::hours(2))},
                      {"State", "active"}});
  }
  return show(maint, events.dump(1, '\t'));
}

Outcome AwsImds::handle(const Request& req, const Target& t, bool have_upstream) {
  if (t.path == "/latest/api/token") return handle_token(req, have_upstream);
  if (auto chaos = handle_chaos(req, t)) return std::move(*chaos);
  if (have_upstream) return forward();
  if (auto denied = check_token(req)) return respond(std::move(*denied));
  if (auto r = identity(req, t)) return respond(std::move(*r));
  return respond(error(req, 404));
}

namespace {
// meta-data/<key> served from the identity (InstanceIdentity::aws keys of the same name).
const char* const kTopLevel[] = {"ami-id",        "hostname",       "instance-id", "instance-life-cycle",
                                 "instance-type", "local-hostname", "local-ipv4",  "mac"};
// meta-data/placement/<key>.
const char* const kPlacement[] = {"availability-zone", "availability-zone-id", "region"};
}  // namespace

std::optional<Response> AwsImds::identity(const Request& req, const Target& t) const {
  static const std::string kMd = "/latest/meta-data";
  const auto& id = options_.identity;
  auto value = [&](const std::string& key) -> std::optional<Response> {
    auto it = id.find(key);
    if (it == id.end()) return std::nullopt;
    return text(req, it->second);
  };
  if (t.path == "/latest") return text(req, "api/\ndynamic/\nmeta-data/");
  if (t.path == kMd) {
    std::vector<std::string> lines = {"events/", "placement/"};
    for (const char* k : kTopLevel)
      if (id.count(k)) lines.emplace_back(k);
    if (state_.active(Kind::kPreempt, Provider::kAws)) lines.emplace_back("spot/");
    std::sort(lines.begin(), lines.end());
    std::string body;
    for (size_t i = 0; i < lines.size(); ++i) body += (i ? "\n" : "") + lines[i];
    return text(req, body);
  }
  for (const char* k : kTopLevel)
    if (t.path == kMd + "/" + k) return value(k);
  if (t.path == kMd + "/placement") {
    std::string body;
    for (const char* k : kPlacement)
      if (id.count(k)) body += (body.empty() ? "" : "\n") + std::string(k);
    return text(req, body);
  }
  for (const char* k : kPlacement)
    if (t.path == kMd + "/placement/" + k) return value(k);
  if (t.path == "/latest/dynamic") return text(req, "instance-identity/");
  if (t.path == "/latest/dynamic/instance-identity") return text(req, "document");
  if (t.path == "/latest/dynamic/instance-identity/document") {
    // The service's layout: two-space indent, " : " between key and value.
    auto get = [&](const char* k) { return id.count(k) ? nlohmann::json(id.at(k)) : nlohmann::json(nullptr); };
    std::vector<std::pair<std::string, nlohmann::json>> doc = {{"accountId", get("account-id")},
                                                               {"architecture", "x86_64"},
                                                               {"availabilityZone", get("availability-zone")},
                                                               {"billingProducts", nullptr},
                                                               {"devpayProductCodes", nullptr},
                                                               {"marketplaceProductCodes", nullptr},
                                                               {"imageId", get("ami-id")},
                                                               {"instanceId", get("instance-id")},
                                                               {"instanceType", get("instance-type")},
                                                               {"kernelId", nullptr},
                                                               {"pendingTime", format_iso8601(started_)},
                                                               {"privateIp", get("local-ipv4")},
                                                               {"ramdiskId", nullptr},
                                                               {"region", get("region")},
                                                               {"version", "2017-09-30"}};
    std::string body = "{\n";
    for (size_t i = 0; i < doc.size(); ++i)
      body += "  \"" + doc[i].first + "\" : " + doc[i].second.dump() + (i + 1 < doc.size() ? ",\n" : "\n");
    body += "}";
    return text(req, body);
  }
  return std::nullopt;
}

void AwsImds::on_upstream_response(const Request& req, const Target& t, Response& res) {
  if (t.path == "/latest/api/token" && res.result() == bhttp::status::ok) {
    std::string ttl_s(res[kTtlHeader]);
    int ttl = 21600;
    try {
      if (!ttl_s.empty()) ttl = std::stoi(ttl_s);
    } catch (...) {}
    std::string token = res.body();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    tokens_.remember(token, ttl);
    return;
  }
  // A token the upstream accepted is a token we accept too (it was minted before we started).
  if (res.result() == bhttp::status::ok && has_header(req, kTokenHeader)) {
    std::string token = header(req, kTokenHeader);
    if (tokens_.check(token) == TokenStore::Check::kUnknown) tokens_.remember(token, 60);
  }
  if (t.path == "/latest/meta-data" && res.result() == bhttp::status::ok) {
    std::vector<std::string> lines;
    std::istringstream in(res.body());
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    auto add = [&](const std::string& entry) {
      if (std::find(lines.begin(), lines.end(), entry) == lines.end()) lines.push_back(entry);
    };
    add("events/");
    if (state_.active(Kind::kPreempt, Provider::kAws)) add("spot/");
    std::sort(lines.begin(), lines.end());
    std::string body;
    for (size_t i = 0; i < lines.size(); ++i) body += (i ? "\n" : "") + lines[i];
    res.body() = body;
  }
}

}  // namespace agent::imds
