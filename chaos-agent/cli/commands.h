// chaos-agent's subcommands. Each add_* registers one subcommand and its options on the app and
// returns the function main() runs when that subcommand was given on the command line.
// Exit codes: 0 ok, 1 plan aborted, 2 usage or invalid input, 3 I/O or agent unreachable.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"

namespace agent::cli {

inline constexpr int kUsage = 2;
inline constexpr int kIo = 3;

// Prints "chaos-agent: MSG" on stderr, the prefix on every line of a MSG of several (one mistake
// per line), and returns `code`.
int fail(int code, const std::string& msg);
// The same for a Status: exit 3 (kIo) for files, sockets and the systems the agent drives, else 2.
int fail(const spotsim::Status& s);

// Writes `text` to `path` through PATH.tmp and rename(2): readers never see a partial file, and a
// failed write leaves any previous file alone. False when it could not.
bool write_file_atomically(const std::string& path, const std::string& text);

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_serve(CLI::App& app);   // cli/serve.cpp
Command add_inject(CLI::App& app);  // cli/client.cpp: talk to a running agent
Command add_clear(CLI::App& app);
Command add_status(CLI::App& app);
Command add_report(CLI::App& app);   // cli/report.cpp
Command add_gameday(CLI::App& app);  // cli/gameday.cpp
Command add_cleanup(CLI::App& app);  // cli/cleanup.cpp

}  // namespace agent::cli
