#include "chaos-agent/intercept/iptables.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chaos-agent/core/process.h"

namespace agent::intercept {

using spotsim::Result;
using spotsim::Status;

std::string mark_text(int mark) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", mark);
  return text;
}

namespace {

Status run_iptables(const std::string& bin, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {bin, "-w", "5"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_sync(argv);
  if (!r) return Status::io(r.status().message() + " (is the iptables package installed?)");
  if (r->exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    std::string out = r->output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return Status::io("'" + cmd + "' failed: " + out);
  }
  return Status::ok();
}

std::string dirname_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

Status write_state(const InterceptOptions& o) {
  std::string dir = dirname_of(o.state_file);
  ::mkdir(dir.c_str(), 0700);
  nlohmann::json j = {{"version", 1}, {"pid", ::getpid()}, {"iptables", o.iptables}, {"rules", {rule_args(o, false)}}};
  std::string tmp = o.state_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out)
      return Status::io("state file '" + tmp + "': " + std::strerror(errno) + " (set --state-file to a writable path)");
    out << j.dump(2) << "\n";
    out.flush();
    if (!out) return Status::io("state file '" + tmp + "': write failed");
  }
  if (std::rename(tmp.c_str(), o.state_file.c_str()) != 0)
    return Status::io("state file '" + o.state_file + "': " + std::strerror(errno));
  return Status::ok();
}

std::vector<std::string> split_words(const std::string& line) {
  // iptables -S quotes values containing spaces; our own rules have none, but be tolerant.
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

}  // namespace

std::vector<std::string> rule_args(const InterceptOptions& o, bool add) {
  std::vector<std::string> a = {"-t",  "nat", add ? "-A" : "-D",     "OUTPUT",  "-p",
                                "tcp", "-d",  o.metadata_ip + "/32", "--dport", std::to_string(o.metadata_port)};
  if (o.exempt == InterceptOptions::Exempt::kUid) {
    a.insert(a.end(), {"-m", "owner", "!", "--uid-owner", std::to_string(o.uid)});
  } else {
    a.insert(a.end(), {"-m", "mark", "!", "--mark", mark_text(o.mark)});
  }
  a.insert(a.end(), {"-m", "comment", "--comment", kRuleComment, "-j", "DNAT", "--to-destination",
                     o.agent_ip + ":" + std::to_string(o.agent_port)});
  return a;
}

Result<Interceptor> Interceptor::install(const InterceptOptions& o) {
  struct stat st {};
  if (::stat(o.state_file.c_str(), &st) == 0) {
    auto c = cleanup(o.state_file, o.iptables, false);
    if (!c) return c.status().with_prefix("--intercept: ");
  }
  if (auto s = write_state(o); !s) return s.with_prefix("--intercept: ");
  if (auto s = run_iptables(o.iptables, rule_args(o, true)); !s) {
    ::unlink(o.state_file.c_str());
    return s.with_prefix("--intercept: ");
  }
  Interceptor i;
  i.o_ = o;
  i.installed_ = true;
  return i;
}

Status Interceptor::remove() {
  if (!installed_) return Status::ok();
  installed_ = false;
  Status s = run_iptables(o_.iptables, rule_args(o_, false));
  ::unlink(o_.state_file.c_str());
  return s;
}

Result<std::vector<std::string>> tagged_rules(const std::string& iptables) {
  auto r = run_sync({iptables, "-w", "5", "-t", "nat", "-S", "OUTPUT"});
  if (!r) return r.status();
  if (r->exit_code != 0) return Status::io(iptables + " -t nat -S OUTPUT failed: " + r->output);
  std::vector<std::string> out;
  std::istringstream in(r->output);
  for (std::string line; std::getline(in, line);) {
    auto words = split_words(line);
    for (size_t i = 0; i + 1 < words.size(); ++i)
      if (words[i] == "--comment" && words[i + 1] == kRuleComment) out.push_back(line);
  }
  return out;
}

Result<CleanupReport> cleanup(const std::string& state_file, const std::string& iptables_default, bool force) {
  CleanupReport rep;
  std::string iptables = iptables_default;
  std::ifstream in(state_file);
  if (in) {
    rep.state_file_found = true;
    std::stringstream ss;
    ss << in.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      rep.notes.push_back("state file " + state_file + " is not valid JSON; removing tagged rules only");
    } else {
      pid_t pid = j.value("pid", 0);
      if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) == 0 && !force)
        return Status::invalid("chaos-agent pid " + std::to_string(pid) + " (from " + state_file +
                               ") is still running: stop it (it removes its rule on SIGTERM), or use cleanup --force");
      iptables = j.value("iptables", iptables);
      if (j.contains("rules") && j["rules"].is_array()) {
        for (const auto& rule : j["rules"]) {
          std::vector<std::string> args = rule.get<std::vector<std::string>>();
          // Delete every copy (a rule may have been added twice by hand).
          while (run_iptables(iptables, args)) ++rep.rules_removed;
        }
      }
    }
  }
  auto tagged = tagged_rules(iptables);
  if (!tagged) return tagged.status();
  for (const auto& line : tagged.value()) {
    auto words = split_words(line);
    if (words.empty() || words[0] != "-A") continue;
    words[0] = "-D";
    words.insert(words.begin(), {"-t", "nat"});
    if (auto s = run_iptables(iptables, words); s) ++rep.rules_removed;
    else rep.notes.push_back(s.message());
  }
  if (rep.state_file_found) ::unlink(state_file.c_str());
  return rep;
}

}  // namespace agent::intercept
