#include "chaos-agent/imds/common.h"

#include <cctype>

namespace agent::imds {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string header(const Request& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  if (it == req.end()) return {};
  return std::string(it->value());
}

bool has_header(const Request& req, std::string_view name) {
  return req.find(boost::beast::string_view(name.data(), name.size())) != req.end();
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<Target> parse_target(std::string_view raw) {
  if (raw.empty() || raw[0] != '/') return std::nullopt;
  Target t;
  t.raw = std::string(raw);
  size_t q = raw.find('?');
  std::string_view p = raw.substr(0, q);
  size_t hash = p.find('#');
  if (hash != std::string_view::npos) p = p.substr(0, hash);
  std::string decoded = percent_decode(p, false);
  std::string path;
  path.reserve(decoded.size());
  for (char c : decoded) {
    if (c == '/' && !path.empty() && path.back() == '/') continue;
    path += c;
  }
  if (path.size() > 1 && path.back() == '/') {
    t.trailing_slash = true;
    path.pop_back();
  }
  t.path = path;
  if (q != std::string_view::npos) {
    std::string_view qs = raw.substr(q + 1);
    size_t h = qs.find('#');
    if (h != std::string_view::npos) qs = qs.substr(0, h);
    size_t start = 0;
    while (start <= qs.size()) {
      size_t amp = qs.find('&', start);
      std::string_view kv = qs.substr(start, amp == std::string_view::npos ? qs.npos : amp - start);
      if (!kv.empty()) {
        size_t eq = kv.find('=');
        std::string k = percent_decode(kv.substr(0, eq), true);
        std::string v = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1), true);
        t.query[k] = v;
      }
      if (amp == std::string_view::npos) break;
      start = amp + 1;
    }
  }
  return t;
}

}  // namespace agent::imds
