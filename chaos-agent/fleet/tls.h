// Mutually authenticated TLS for the fleet's remote control, on Boost.Asio SSL (OpenSSL).
// Nothing here does cryptography: it configures OpenSSL contexts and reads certificate names.
//
// Both sides load the operator's CA (the only trust anchor: the system store is never used),
// their own certificate chain and key, require TLS 1.2 or newer and a peer certificate
// (verify_peer | verify_fail_if_no_peer_cert), so a connection exists only between holders
// of certificates the CA issued. Who may *command* an agent is decided afterwards by name:
// the agent's allow-list is matched against the coordinator certificate's subject CN and its
// DNS SANs (peer_names()).
#pragma once

#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include "common/status.h"
#include "chaos-agent/fleet/fleet_plan.h"

namespace agent::fleet {

enum class TlsRole { kServer, kClient };

// Errors name the file and the flag (e.g. "--tls-key: cannot load 'k.pem': ...").
spotsim::Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsFiles& files, TlsRole role);

// A client context that trusts only the CA in `ca` and presents no certificate of its own: for
// servers that authenticate us otherwise (the Kubernetes API server: a bearer token). The
// caller names the server to check (SSL_set1_host / X509_VERIFY_PARAM_set1_ip_asc).
spotsim::Result<std::shared_ptr<boost::asio::ssl::context>> make_verify_context(const std::string& ca,
                                                                                const std::string& flag);

// The verified peer certificate's subject CN first, then its DNS SANs (deduplicated). Empty
// when the peer sent no certificate.
std::vector<std::string> peer_names(SSL* ssl);
// "name1" or "name1 (also: name2, name3)" for logs.
std::string identity_label(const std::vector<std::string>& names);

// Makes the handshake on `ssl` (a client) verify that the peer's certificate names `host`, the
// name or address the coordinator dialed: an IP literal must be an IP SAN, a DNS name a DNS SAN
// (OpenSSL's own matching, wildcards only as a whole left-most label); a DNS name is also sent
// as SNI. A mismatch fails the handshake with "hostname mismatch" / "IP address mismatch".
// False when OpenSSL refused to take the name.
bool expect_peer_name(SSL* ssl, const std::string& host);

// OpenSSL's text of a failed verification or handshake, e.g. "certificate verify failed
// (unable to get local issuer certificate)".
std::string tls_error_text(const boost::system::error_code& ec, SSL* ssl);

// The wall clock in Unix milliseconds (X-Chaos-Time).
int64_t unix_time_ms();

// Cryptographically random hex (OpenSSL RAND_bytes), for nonces.
std::string random_nonce(size_t bytes = 16);

}  // namespace agent::fleet
