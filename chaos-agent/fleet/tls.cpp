#include "chaos-agent/fleet/tls.h"

#include <boost/asio/ip/address.hpp>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>

namespace agent::fleet {

using spotsim::Result;
using spotsim::Status;
namespace ssl = boost::asio::ssl;

namespace {
// TLS 1.2 or newer, no compression-era options; the trust anchors are added by the caller.
std::shared_ptr<ssl::context> new_context(TlsRole role) {
  auto ctx =
      std::make_shared<ssl::context>(role == TlsRole::kServer ? ssl::context::tls_server : ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  return ctx;
}
}  // namespace

Result<std::shared_ptr<ssl::context>> make_verify_context(const std::string& ca, const std::string& flag) {
  if (!std::ifstream(ca)) return Status::io(flag + ": cannot read the CA certificate '" + ca + "'");
  auto ctx = new_context(TlsRole::kClient);
  boost::system::error_code ec;
  ctx->load_verify_file(ca, ec);
  if (ec) return Status::io(flag + ": cannot load the CA certificate '" + ca + "': " + ec.message());
  ctx->set_verify_mode(ssl::verify_peer, ec);
  return ctx;
}

Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsFiles& files, TlsRole role) {
  for (auto [flag, path] :
       {std::pair{"--tls-ca", &files.ca}, std::pair{"--tls-cert", &files.cert}, std::pair{"--tls-key", &files.key}}) {
    if (path->empty())
      return Status::invalid(std::string(flag) +
                             ": required for remote control (mutual TLS with the operator's CA; "
                             "see docs/gameday.md, certificates)");
    if (!std::ifstream(*path)) return Status::io(std::string(flag) + ": cannot read '" + *path + "'");
  }
  auto ctx = new_context(role);
  boost::system::error_code ec;
  auto load = [&](const char* flag, const std::string& path, auto&& fn) -> std::optional<spotsim::Status> {
    ec.clear();
    fn(path, ec);
    if (ec) return Status::io(std::string(flag) + ": cannot load '" + path + "': " + ec.message());
    return std::nullopt;
  };
  if (auto e = load("--tls-ca", files.ca, [&](const std::string& p, auto& c) { ctx->load_verify_file(p, c); }))
    return *e;
  if (auto e =
          load("--tls-cert", files.cert, [&](const std::string& p, auto& c) { ctx->use_certificate_chain_file(p, c); }))
    return *e;
  if (auto e = load("--tls-key", files.key,
                    [&](const std::string& p, auto& c) { ctx->use_private_key_file(p, ssl::context::pem, c); }))
    return *e;
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return Status::invalid("--tls-key: '" + files.key + "' is not the key of the certificate in '" + files.cert + "'");
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  if (role == TlsRole::kServer) {
    // The acceptable client CAs sent in the handshake: only the operator's CA.
    SSL_CTX_set_client_CA_list(ctx->native_handle(), SSL_load_client_CA_file(files.ca.c_str()));
    SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx->native_handle(), 0);  // no resumption: every connection shows its certificate
  }
  return ctx;
}

std::vector<std::string> peer_names(SSL* ssl) {
  std::vector<std::string> out;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert) return out;
  if (X509_NAME* subj = X509_get_subject_name(cert)) {
    int idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
    if (idx >= 0) {
      ASN1_STRING* d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
      unsigned char* utf8 = nullptr;
      int n = ASN1_STRING_to_UTF8(&utf8, d);
      if (n > 0) out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
      OPENSSL_free(utf8);
    }
  }
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
      if (g->type != GEN_DNS) continue;
      const ASN1_IA5STRING* s = g->d.dNSName;
      std::string name(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    GENERAL_NAMES_free(sans);
  }
  return out;
}

bool expect_peer_name(SSL* ssl, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) == 1;
}

std::string identity_label(const std::vector<std::string>& names) {
  if (names.empty()) return "(no certificate)";
  std::string s = names[0];
  if (names.size() > 1) {
    s += " (also:";
    for (size_t i = 1; i < names.size(); ++i) s += (i > 1 ? ", " : " ") + names[i];
    s += ")";
  }
  return s;
}

std::string tls_error_text(const boost::system::error_code& ec, SSL* ssl) {
  std::string s = ec.message();
  if (ssl) {
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) s += " (" + std::string(X509_verify_cert_error_string(v)) + ")";
  }
  return s;
}

int64_t unix_time_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_nonce(size_t bytes) {
  std::vector<unsigned char> b(bytes);
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

}  // namespace agent::fleet
