#include "chaos-agent/core/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

extern char** environ;

namespace agent {

using spotsim::Result;
using spotsim::Status;
namespace {
std::vector<char*> cstrs(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}
}  // namespace

Result<RunResult> run_sync(const std::vector<std::string>& argv_in) {
  std::vector<std::string> argv = argv_in;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return Status::io(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  auto args = cstrs(argv);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    return Status::io("cannot run '" + argv[0] + "': " + std::strerror(rc));
  }
  RunResult r;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n > 0) r.output.append(buf, static_cast<size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

Result<pid_t> spawn(const std::vector<std::string>& argv_in, const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv = argv_in;
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const auto& kv : extra_env) env.push_back(kv);
  auto args = cstrs(argv);
  auto envp = cstrs(env);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Status::io("cannot run '" + argv[0] + "': " + std::strerror(rc));
  return pid;
}

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == pid) return false;  // our child, now reaped
  if (::kill(pid, 0) == 0) return true;
  return errno == EPERM;
}

Result<pid_t> read_pidfile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::io("pidfile '" + path + "': " + std::strerror(errno));
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return Status::io("pidfile '" + path + "': does not contain a process id");
  return static_cast<pid_t>(pid);
}

}  // namespace agent
