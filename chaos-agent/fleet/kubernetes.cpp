#include "chaos-agent/fleet/kubernetes.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/x509v3.h>

#include "chaos-agent/fleet/tls.h"
#include "chaos-agent/http/client.h"

namespace agent::fleet {
using spotsim::Result;
using spotsim::Status;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using json = nlohmann::json;
using tcp = asio::ip::tcp;

const std::vector<NodeLabelMap> kNodeLabels = {
    {"zone", {"topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"}},
    {"region", {"topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region"}},
    {"instance_type", {"node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"}},
    {"pool",
     {"eks.amazonaws.com/nodegroup", "karpenter.sh/nodepool", "cloud.google.com/gke-nodepool",
      "kubernetes.azure.com/agentpool"}},
};

namespace {

// A shape error in the API server's JSON, on its way to the public function that catches it.
struct Bad {
  std::string message;
};

std::string sub(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

const json& member(const json& obj, const char* key) {
  static const json null_value;
  auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

// Optional members: null or missing is "absent"; any other wrong type is an error.
const json* opt_object(const json& obj, const char* key, const std::string& path) {
  const json& v = member(obj, key);
  if (v.is_null()) return nullptr;
  if (!v.is_object()) throw Bad{sub(path, key) + ": expected an object"};
  return &v;
}
std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& path) {
  const json& v = member(obj, key);
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) throw Bad{sub(path, key) + ": expected a string"};
  return v.get<std::string>();
}
std::map<std::string, std::string> string_map(const json& obj, const char* key, const std::string& path) {
  std::map<std::string, std::string> out;
  if (const json* m = opt_object(obj, key, path))
    for (const auto& [k, v] : m->items()) {
      if (!v.is_string()) throw Bad{sub(sub(path, key), k) + ": expected a string"};
      out[k] = v.get<std::string>();
    }
  return out;
}

// The API server's answer as JSON; refuses nesting no Kubernetes object has (a stack's worth).
json parse_json(const std::string& body) {
  bool too_deep = false;
  json::parser_callback_t cb = [&too_deep](int depth, json::parse_event_t, json&) {
    if (depth > 64) too_deep = true;
    return depth <= 64;
  };
  json j;
  try {
    j = json::parse(body, cb);
  } catch (const json::parse_error& e) {
    throw Bad{std::string("malformed JSON: ") + e.what()};
  }
  if (too_deep) throw Bad{"malformed JSON: nested deeper than 64 levels"};
  if (!j.is_object()) throw Bad{"expected a JSON object"};
  return j;
}

void expect_kind(const json& j, const char* kind) {
  auto k = opt_string(j, "kind", "");
  if (k && *k != kind) throw Bad{"kind: expected " + std::string(kind) + ", got '" + *k + "'"};
}

// Why a pod cannot be drilled ("" when it is Running and Ready).
std::string not_ready_reason(const json& pod, const std::string& path) {
  const json* meta = opt_object(pod, "metadata", path);
  if (meta && !member(*meta, "deletionTimestamp").is_null()) return "pod is terminating (deletionTimestamp set)";
  const json* status = opt_object(pod, "status", path);
  const std::string sp = sub(path, "status");
  auto phase = status ? opt_string(*status, "phase", sp) : std::nullopt;
  if (phase.value_or("") != "Running") {
    std::string why = "pod phase " + phase.value_or("unknown") + ", not Running";
    if (auto r = status ? opt_string(*status, "reason", sp) : std::nullopt) why += " (" + *r + ")";
    return why;
  }
  static const json none;
  const json& conds = status ? member(*status, "conditions") : none;
  if (!conds.is_null() && !conds.is_array()) throw Bad{sub(sp, "conditions") + ": expected an array"};
  bool ready = false;
  std::string detail;
  for (size_t i = 0; conds.is_array() && i < conds.size(); ++i) {
    const std::string cp = sub(sp, "conditions") + "[" + std::to_string(i) + "]";
    if (!conds[i].is_object()) throw Bad{cp + ": expected an object"};
    if (opt_string(conds[i], "type", cp).value_or("") != "Ready") continue;
    ready = opt_string(conds[i], "status", cp).value_or("") == "True";
    detail = opt_string(conds[i], "reason", cp).value_or("");
    if (auto m = opt_string(conds[i], "message", cp)) detail += (detail.empty() ? "" : ": ") + *m;
  }
  if (!ready) return "pod is Running but not Ready" + (detail.empty() ? "" : " (" + detail + ")");
  return "";
}

std::string port_text(const std::string& s) { return s.size() > 40 ? s.substr(0, 40) + "..." : s; }

}  // namespace

size_t KubernetesDiscovery::ready() const {
  return static_cast<size_t>(
      std::count_if(targets.begin(), targets.end(), [](const FleetTarget& t) { return t.down.empty(); }));
}

json KubernetesDiscovery::to_json() const {
  json not_ready = json::object();
  for (const auto& t : targets)
    if (!t.down.empty()) not_ready[t.name] = t.down;
  return {{"kubernetes",
           {{"source", source},
            {"api", api},
            {"pods", targets.size()},
            {"ready", ready()},
            {"not_ready", not_ready},
            {"list_requests", pages}}}};
}

Result<PodPage> parse_pod_list(const std::string& body) {
  try {
    json j = parse_json(body);
    expect_kind(j, "PodList");
    PodPage page;
    const json& items = member(j, "items");
    if (!items.is_null() && !items.is_array()) throw Bad{"items: expected an array"};
    if (items.is_array()) page.items = items;
    if (const json* meta = opt_object(j, "metadata", ""))
      page.next = opt_string(*meta, "continue", "metadata").value_or("");
    return page;
  } catch (const Bad& b) {
    return Status::io(b.message);
  }
}

Result<std::map<std::string, std::string>> parse_node_labels(const std::string& body) {
  try {
    json j = parse_json(body);
    expect_kind(j, "Node");
    const json* meta = opt_object(j, "metadata", "");
    return meta ? string_map(*meta, "labels", "metadata") : std::map<std::string, std::string>{};
  } catch (const Bad& b) {
    return Status::io(b.message);
  }
}

Result<std::vector<FleetTarget>> pods_to_targets(
    const json& items, const std::map<std::string, std::map<std::string, std::string>>& node_labels,
    const KubernetesOptions& o) {
  try {
    if (!items.is_array()) throw Bad{"items: expected an array"};
    std::vector<FleetTarget> out;
    std::set<std::string> names;
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string path = "items[" + std::to_string(i) + "]";
      const json& pod = items[i];
      if (!pod.is_object()) throw Bad{path + ": expected an object"};
      const json* meta = opt_object(pod, "metadata", path);
      const std::string mp = sub(path, "metadata");
      auto name = meta ? opt_string(*meta, "name", mp) : std::nullopt;
      if (!name || name->empty()) throw Bad{sub(mp, "name") + ": required, a pod's name"};
      std::string ns = opt_string(*meta, "namespace", mp).value_or(o.namespace_name);
      FleetTarget t;
      t.name = o.all_namespaces ? ns + "/" + *name : *name;
      if (!names.insert(t.name).second) throw Bad{path + ": pod '" + t.name + "' is listed twice"};
      t.labels = string_map(*meta, "labels", mp);
      const auto annotations = string_map(*meta, "annotations", mp);
      const std::string reason = not_ready_reason(pod, path);
      const json* spec = opt_object(pod, "spec", path);
      const json* status = opt_object(pod, "status", path);
      auto node = spec ? opt_string(*spec, "nodeName", sub(path, "spec")) : std::nullopt;
      auto ip = status ? opt_string(*status, "podIP", sub(path, "status")) : std::nullopt;

      if (!ns.empty()) t.labels["namespace"] = ns;
      if (node && !node->empty()) t.labels["node"] = *node;
      const std::map<std::string, std::string>* nl = nullptr;
      if (node) {
        auto f = node_labels.find(*node);
        if (f != node_labels.end()) nl = &f->second;
      }
      // The node's labels first; a pod may carry the same keys itself (copied by an admission hook).
      const std::map<std::string, std::string> pod_labels = t.labels;
      for (const auto& m : kNodeLabels)
        for (const auto* source : {nl, &pod_labels}) {
          auto key = std::find_if(m.node_labels.begin(), m.node_labels.end(),
                                  [&](const char* k) { return source && source->count(k); });
          if (key == m.node_labels.end()) continue;
          t.labels[m.label] = source->at(*key);
          break;
        }

      t.port = static_cast<uint16_t>(o.port);
      if (auto a = annotations.find(kPortAnnotation); a != annotations.end()) {
        const std::string& v = a->second;
        bool digits = !v.empty() && v.size() <= 5 && v.find_first_not_of("0123456789") == std::string::npos;
        long p = digits ? std::stol(v) : 0;
        if (p < 1 || p > 65535)
          t.down = "annotation " + std::string(kPortAnnotation) + " is '" + port_text(v) + "', not a port (1-65535)";
        else t.port = static_cast<uint16_t>(p);
      }
      if (ip && !ip->empty()) {
        boost::system::error_code ec;
        auto addr = asio::ip::make_address(*ip, ec);
        if (ec) {
          if (t.down.empty()) t.down = "status.podIP '" + port_text(*ip) + "' is not an IP address";
        } else {
          t.host = addr.to_string();
        }
      }
      if (!reason.empty()) t.down = reason;  // the pod's own state explains it best
      if (t.down.empty() && t.host.empty()) t.down = "pod has no IP address yet (status.podIP)";
      out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const FleetTarget& a, const FleetTarget& b) { return a.name < b.name; });
    // Two ready pods at one address (hostNetwork agents of two DaemonSets on one node): one agent.
    std::map<std::string, std::string> by_address;
    for (auto& t : out) {
      if (!t.down.empty()) continue;
      auto [it, fresh] = by_address.emplace(t.address(), t.name);
      if (!fresh) t.down = "same address " + t.address() + " as pod " + it->second + " (one agent, one target)";
    }
    return out;
  } catch (const Bad& b) {
    return Status::io(b.message);
  }
}

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

Result<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::io("cannot read '" + path + "'");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() > 1 << 20) return Status::io("'" + path + "' is larger than 1 MiB");
  return trimmed(s);
}

struct ApiServer {
  std::string host, port, url;
};

Result<ApiServer> api_server(const KubernetesOptions& o) {
  ApiServer a;
  std::string hostport;
  if (!o.api.empty()) {
    const std::string prefix = "https://";
    if (o.api.rfind(prefix, 0) != 0)
      return Status::invalid("--kubernetes-api: expected https://HOST[:PORT], got '" + o.api +
                             "' (the API server speaks TLS only)");
    hostport = o.api.substr(prefix.size());
    while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
    if (hostport.empty() || hostport.find('/') != std::string::npos)
      return Status::invalid("--kubernetes-api: expected https://HOST[:PORT] without a path, got '" + o.api + "'");
    if (hostport.front() == '[') {
      size_t close = hostport.find(']');
      if (close == std::string::npos) return Status::invalid("--kubernetes-api: unbalanced [ in '" + o.api + "'");
      a.host = hostport.substr(1, close - 1);
      a.port = close + 1 < hostport.size() && hostport[close + 1] == ':' ? hostport.substr(close + 2) : "443";
    } else {
      size_t colon = hostport.rfind(':');
      a.host = hostport.substr(0, colon);
      a.port = colon == std::string::npos ? "443" : hostport.substr(colon + 1);
    }
  } else {
    const char* h = std::getenv("KUBERNETES_SERVICE_HOST");
    const char* p = std::getenv("KUBERNETES_SERVICE_PORT");
    if (!h || !*h)
      return Status::invalid(
          "--kubernetes: KUBERNETES_SERVICE_HOST is not set, so this is not a pod of a cluster; run the "
          "coordinator in the cluster (examples/kubernetes/) or give --kubernetes-api https://HOST:PORT");
    a.host = h;
    a.port = p && *p ? p : "443";
  }
  if (a.host.empty() || a.port.empty() || a.port.size() > 5 ||
      a.port.find_first_not_of("0123456789") != std::string::npos || std::stol(a.port) < 1 || std::stol(a.port) > 65535)
    return Status::invalid("--kubernetes-api: expected https://HOST[:PORT], got host '" + a.host + "' port '" + a.port +
                           "'");
  a.url = "https://" + (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) + ":" + a.port;
  return a;
}

// Blocking HTTPS GETs to the API server on one kept-alive connection, each step bounded by
// the timeout (Beast's tcp_stream timeouts apply to asynchronous operations, so each step
// runs the io_context until its handler has run).
class ApiClient {
 public:
  ApiClient(ApiServer server, std::shared_ptr<asio::ssl::context> ctx, std::string ca_file, std::string token,
            Millis timeout)
      : server_(std::move(server)),
        ctx_(std::move(ctx)),
        ca_(std::move(ca_file)),
        token_(std::move(token)),
        timeout_(timeout) {}

  struct Answer {
    unsigned status = 0;
    std::string body;
  };

  Result<Answer> get(const std::string& target) {
    for (int attempt = 0;; ++attempt) {
      bool reused = stream_.has_value();
      if (!stream_) {
        if (auto c = connect(); !c) return c;
      }
      auto r = exchange(target);
      if (r) return r;
      stream_.reset();
      // A kept-alive connection the server closed meanwhile: one fresh try.
      if (!reused || attempt > 0) return r.status().with_prefix("GET " + server_.url + target + ": ");
    }
  }

 private:
  template <class Start>
  beast::error_code step(Start&& start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  Status connect() {
    stream_.emplace(io_, *ctx_);
    buf_.consume(buf_.size());
    SSL* ssl = stream_->native_handle();
    beast::error_code ec;
    asio::ip::make_address(server_.host, ec);
    if (ec) {  // a DNS name: SNI, and the certificate must name it
      SSL_set_tlsext_host_name(ssl, server_.host.c_str());
      SSL_set1_host(ssl, server_.host.c_str());
    } else {  // an IP address (KUBERNETES_SERVICE_HOST): the certificate must carry it as an IP SAN
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_.host.c_str());
    }
    tcp::resolver resolver(io_);
    tcp::resolver::results_type endpoints;
    ec = step([&](auto&& done) {
      resolver.async_resolve(server_.host, server_.port, [&, done](beast::error_code e, tcp::resolver::results_type r) {
        endpoints = r;
        done(e);
      });
    });
    if (ec) return Status::io("cannot resolve the API server " + server_.url + ": " + ec.message());
    auto& sock = beast::get_lowest_layer(*stream_);
    sock.expires_after(timeout_);
    ec = step([&](auto&& done) { sock.async_connect(endpoints, done); });
    if (ec)
      return Status::io("cannot connect to the API server " + server_.url + ": " +
                        (ec == beast::error::timeout ? "timed out" : ec.message()));
    sock.expires_after(timeout_);
    ec = step([&](auto&& done) { stream_->async_handshake(asio::ssl::stream_base::client, done); });
    if (ec)
      return Status::io("TLS handshake with the API server " + server_.url + " failed: " + tls_error_text(ec, ssl) +
                        " (the server's certificate must chain to the service account's CA '" + ca_ + "' and name " +
                        server_.host + "; see --kubernetes-serviceaccount, --kubernetes-api)");
    return Status::ok();
  }

  Result<Answer> exchange(const std::string& target) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, server_.url.substr(8));
    req.set(bhttp::field::authorization, "Bearer " + token_);
    req.set(bhttp::field::accept, "application/json");
    req.set(bhttp::field::user_agent, "chaos-agent-gameday");
    req.keep_alive(true);
    auto& sock = beast::get_lowest_layer(*stream_);
    sock.expires_after(timeout_);
    beast::error_code ec = step([&](auto&& done) { bhttp::async_write(*stream_, req, done); });
    if (ec) return Status::io("send: " + ec.message());
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256u * 1024 * 1024);
    sock.expires_after(timeout_);
    ec = step([&](auto&& done) { bhttp::async_read(*stream_, buf_, parser, done); });
    if (ec)
      return Status::io(ec == beast::error::timeout ? "no answer within " + std::to_string(timeout_.count()) + " ms"
                                                    : "answer: " + ec.message());
    auto res = parser.release();
    if (!res.keep_alive()) stream_.reset();
    return Answer{res.result_int(), std::move(res.body())};
  }

  ApiServer server_;
  std::shared_ptr<asio::ssl::context> ctx_;  // before the stream: outlives it
  std::string ca_;
  asio::io_context io_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buf_;
  std::string token_;
  Millis timeout_;
};

// The API server's own words for a refusal (a Status object's message), when it sent one.
std::string status_message(const ApiClient::Answer& a) {
  json j = json::parse(a.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  std::string s = a.body.substr(0, 200);
  return s.empty() ? "no message" : s;
}

}  // namespace

Result<KubernetesDiscovery> discover_kubernetes(const KubernetesOptions& o) {
  const std::string sa = o.serviceaccount;
  const std::string token_file = o.token_file.empty() ? sa + "/token" : o.token_file;
  const std::string ca_file = o.ca_file.empty() ? sa + "/ca.crt" : o.ca_file;
  auto token = read_small_file(token_file);
  if (!token || token->empty())
    return Status::io("--kubernetes: no service account token: " +
                      (token ? "'" + token_file + "' is empty" : token.status().message()) +
                      " (the coordinator must run in a pod whose service account token is mounted, see "
                      "examples/kubernetes/coordinator.yaml; or give --kubernetes-serviceaccount DIR)");
  std::string ns = o.namespace_name;
  if (!o.all_namespaces && ns.empty()) {
    auto n = read_small_file(sa + "/namespace");
    if (!n || n->empty())
      return Status::io(
          "--kubernetes: no namespace: " + (n ? "'" + sa + "/namespace' is empty" : n.status().message()) +
          " (give --kubernetes-namespace NS or --kubernetes-all-namespaces)");
    ns = n.value();
  }
  auto server = api_server(o);
  if (!server) return server.status();
  auto ctx = make_verify_context(ca_file, "--kubernetes-serviceaccount (ca.crt)");
  if (!ctx) return ctx.status().with_prefix("--kubernetes: ");
  ApiClient api(server.value(), ctx.value(), ca_file, token.value(), o.timeout);

  KubernetesDiscovery d;
  d.api = server->url;
  d.source = "--kubernetes " + o.selector + (o.all_namespaces ? " (all namespaces)" : " (namespace " + ns + ")");
  const std::string where = o.all_namespaces ? "in any namespace" : "in namespace " + ns;
  auto refused = [&](const ApiClient::Answer& a, const std::string& what, const std::string& rule,
                     const std::string& alternative = "") -> Status {
    std::string msg = status_message(a);
    if (a.status == 401)
      return Status::io("--kubernetes: the API server " + d.api +
                        " rejected the service account token (401 Unauthorized: " + msg + "): '" + token_file +
                        "' is expired, revoked or from another cluster");
    if (a.status == 403)
      return Status::io("--kubernetes: the service account may not " + what + " (403 Forbidden: " + msg +
                        "). Missing RBAC rule: " + rule + " (examples/kubernetes/rbac.yaml)" + alternative);
    if (a.status == 410)
      return Status::io("--kubernetes: the pod list changed too much while it was read page by page (410 Gone: " + msg +
                        "); run the game day again");
    return Status::io("--kubernetes: cannot " + what + ": the API server answered " + std::to_string(a.status) + " (" +
                      msg + ")");
  };

  // Pods, page by page.
  const std::string base = o.all_namespaces ? "/api/v1/pods" : "/api/v1/namespaces/" + http::url_encode(ns) + "/pods";
  const std::string pods_rule = o.all_namespaces
                                    ? "a ClusterRole with {apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\", "
                                      "\"list\"]} and a ClusterRoleBinding to the service account"
                                    : "a Role in namespace " + ns +
                                          " with {apiGroups: [\"\"], resources: [\"pods\"], verbs: [\"get\", "
                                          "\"list\"]} and a RoleBinding to the service account";
  json items = json::array();
  std::string next;
  std::set<std::string> seen_tokens;
  do {
    std::string target =
        base + "?labelSelector=" + http::url_encode(o.selector) + "&limit=" + std::to_string(o.page_size);
    if (!next.empty()) target += "&continue=" + http::url_encode(next);
    auto a = api.get(target);
    if (!a) return a.status().with_prefix("--kubernetes: ");
    ++d.pages;
    if (a->status != 200) return refused(a.value(), "list pods " + where, pods_rule);
    auto page = parse_pod_list(a->body);
    if (!page) return page.status().with_prefix("--kubernetes: GET " + d.api + target + ": not a pod list: ");
    for (auto& item : page->items) items.push_back(std::move(item));
    if (!page->next.empty() && !seen_tokens.insert(page->next).second)
      return Status::io("--kubernetes: GET " + d.api + target +
                        ": the API server repeated a continue token (a list without end)");
    next = page->next;
  } while (!next.empty());
  if (items.empty())
    return Status::invalid("--kubernetes: no pod " + where + " matches the label selector '" + o.selector +
                           "' (compare: kubectl get pods " +
                           (o.all_namespaces ? std::string("--all-namespaces") : "-n " + ns) + " -l '" + o.selector +
                           "')");

  // The nodes that run them: zone, region, instance type, pool.
  std::map<std::string, std::map<std::string, std::string>> nodes;
  if (!o.skip_nodes) {
    std::set<std::string> names;
    for (const auto& pod : items)
      if (pod.is_object() && pod.contains("spec") && pod["spec"].is_object() && pod["spec"].contains("nodeName") &&
          pod["spec"]["nodeName"].is_string() && !pod["spec"]["nodeName"].get<std::string>().empty())
        names.insert(pod["spec"]["nodeName"].get<std::string>());
    for (const auto& n : names) {
      const std::string target = "/api/v1/nodes/" + http::url_encode(n);
      auto a = api.get(target);
      if (!a) return a.status().with_prefix("--kubernetes: ");
      if (a->status == 404) continue;  // removed since the pod list: the pod is not Ready either
      if (a->status != 200)
        return refused(a.value(), "read node " + n,
                       "a ClusterRole with {apiGroups: [\"\"], resources: [\"nodes\"], verbs: [\"get\"]} and a "
                       "ClusterRoleBinding to the service account",
                       "; or give --kubernetes-no-nodes (then no zone, region, instance_type or pool labels)");
      auto labels = parse_node_labels(a->body);
      if (!labels) return labels.status().with_prefix("--kubernetes: GET " + d.api + target + ": not a node: ");
      nodes[n] = labels.value();
    }
  }
  KubernetesOptions mapping = o;
  mapping.namespace_name = ns;
  auto targets = pods_to_targets(items, nodes, mapping);
  if (!targets) return targets.status().with_prefix("--kubernetes: the pod list from " + d.api + base + ": ");
  d.targets = std::move(targets.value());
  return d;
}

}  // namespace agent::fleet
