// Fuzz target for request handling: HTTP parsing with the server's limits, then the router
// (target parsing, Host checks, every provider) against a state with live injections.
//
// Built two ways: as a plain executable that runs a corpus plus N seeded mutations
// deterministically (ctest), and, with clang, as a libFuzzer target (CHAOS_AGENT_LIBFUZZER).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "chaos-agent/imds/router.h"

namespace {

using namespace agent;
namespace bhttp = boost::beast::http;

struct World {
  FakeClock clock{WallTime(std::chrono::seconds(1795456800))};
  ChaosState state{clock, std::chrono::hours(1), "vm"};
  imds::MetadataRouter router{state, clock, [] {
                                imds::RouterOptions o;
                                o.have_upstream = false;
                                return o;
                              }()};
  World() {
    InjectRequest r;
    (void)state.inject(r);
    InjectRequest m;
    m.kind = Kind::kMaintenance;
    (void)state.inject(m);
  }
};

int run_one(const uint8_t* data, size_t size) {
  static World w;
  boost::beast::flat_buffer buf;
  auto mb = buf.prepare(size);
  if (size > 0) std::memcpy(mb.data(), data, size);
  buf.commit(size);
  // Parse as many pipelined requests as the bytes hold, like a connection would.
  for (int i = 0; i < 8 && buf.size() > 0; ++i) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(65536);
    parser.eager(true);
    boost::beast::error_code ec;
    size_t used = parser.put(buf.data(), ec);
    if (!ec && parser.is_header_done() && !parser.is_done()) {
      parser.put_eof(ec);
    }
    if (ec && ec != bhttp::error::need_more) return 0;
    if (!parser.is_done()) return 0;
    buf.consume(used);
    auto req = parser.release();
    imds::Outcome o = w.router.route(req);
    if (o.type == imds::Outcome::Type::kRespond) {
      o.response.prepare_payload();
      if (o.response.result_int() < 100 || o.response.result_int() > 599) __builtin_trap();
    }
    // The ack path mutates state: put it back so runs stay independent.
    if (w.state.injections().size() != 2) {
      w.state.clear();
      (void)w.state.inject(InjectRequest{});
      InjectRequest m;
      m.kind = Kind::kMaintenance;
      (void)w.state.inject(m);
    }
  }
  return 0;
}

const char* kDictionary[] = {"GET ",
                             "PUT ",
                             "POST ",
                             "CONNECT ",
                             " HTTP/1.1\r\n",
                             " HTTP/1.0\r\n",
                             "\r\n",
                             "\r\n\r\n",
                             "Host: ",
                             "169.254.169.254",
                             "metadata.google.internal",
                             "Metadata: true\r\n",
                             "Metadata-Flavor: Google\r\n",
                             "X-Forwarded-For: 1.2.3.4\r\n",
                             "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n",
                             "X-aws-ec2-metadata-token: x\r\n",
                             "Content-Length: 5\r\n",
                             "Transfer-Encoding: chunked\r\n",
                             "/latest/api/token",
                             "/latest/meta-data/spot/instance-action",
                             "/metadata/scheduledevents?api-version=2020-07-01",
                             "/computeMetadata/v1/instance/preempted?wait_for_change=true&last_etag=",
                             "%2F",
                             "%00",
                             "//",
                             "/../",
                             "?",
                             "&",
                             "=",
                             "{\"StartRequests\":[{\"EventId\":\"x\"}]}",
                             "0\r\n\r\n"};

std::string mutate(std::string s, std::mt19937_64& rng) {
  int n = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < n; ++k) {
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        s.insert(s.begin() + static_cast<long>(s.empty() ? 0 : rng() % s.size()), static_cast<char>(rng() % 256));
        break;
      case 2:
        if (!s.empty()) s.erase(rng() % s.size(), 1 + rng() % 8);
        break;
      case 3: {
        const char* d = kDictionary[rng() % (sizeof kDictionary / sizeof *kDictionary)];
        s.insert(s.empty() ? 0 : rng() % s.size(), d);
        break;
      }
      case 4:
        if (s.size() > 2) {
          size_t a = rng() % s.size(), len = 1 + rng() % (s.size() - a);
          s.insert(rng() % s.size(), s.substr(a, len));
        }
        break;
      case 5:
        if (!s.empty()) s.resize(rng() % s.size());
        break;
    }
  }
  if (s.size() > 100000) s.resize(100000);
  return s;
}

}  // namespace

#ifdef CHAOS_AGENT_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return run_one(data, size); }
#else
int main(int argc, char** argv) {
  std::string corpus_dir;
  long mutations = 10000;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--corpus") corpus_dir = argv[i + 1];
    else if (a == "--mutations") mutations = std::stol(argv[i + 1]);
    else if (a == "--seed") seed = std::stoull(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s --corpus DIR [--mutations N] [--seed S]\n", argv[0]);
      return 2;
    }
  }
  std::vector<std::string> corpus;
  if (!corpus_dir.empty()) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(corpus_dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string s = ss.str();
      // Corpus files are written with \n line ends for readability; the wire uses \r\n.
      std::string crlf;
      for (char c : s) {
        if (c == '\n') crlf += "\r\n";
        else crlf += c;
      }
      corpus.push_back(crlf);
    }
  }
  if (corpus.empty()) corpus.push_back("GET / HTTP/1.1\r\n\r\n");
  for (const auto& c : corpus) run_one(reinterpret_cast<const uint8_t*>(c.data()), c.size());
  std::mt19937_64 rng(seed);
  for (long i = 0; i < mutations; ++i) {
    std::string m = mutate(corpus[rng() % corpus.size()], rng);
    run_one(reinterpret_cast<const uint8_t*>(m.data()), m.size());
  }
  std::printf("fuzz: %zu corpus inputs and %ld mutations (seed %llu) handled without a crash\n", corpus.size(),
              mutations, static_cast<unsigned long long>(seed));
  return 0;
}
#endif
