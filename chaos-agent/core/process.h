// Child processes without a shell unless asked: posix_spawn with an explicit argv.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace agent {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal or not started
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (searched in PATH) and waits. Errors only when it could not be started.
spotsim::Result<RunResult> run_sync(const std::vector<std::string>& argv);
// Starts argv in the background with extra "K=V" environment entries; returns its pid.
spotsim::Result<pid_t> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
// True while pid exists (zombies of our own children are reaped first).
bool process_alive(pid_t pid);
// Reads a pid from a pidfile ("1234\n"). Errors name the file.
spotsim::Result<pid_t> read_pidfile(const std::string& path);

}  // namespace agent
