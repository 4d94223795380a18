// chaos-agent: command line. Builds the subcommands (chaos-agent/cli/), parses, runs the one
// given. Exit codes: 0 ok, 1 plan aborted, 2 usage or invalid input, 3 I/O or agent unreachable.
#include <cstdio>
#include <fstream>
#include <vector>

#include <CLI/CLI.hpp>

#include "chaos-agent/cli/commands.h"
#include "common/text.h"

namespace agent::cli {

int fail(int code, const std::string& msg) {
  std::fprintf(stderr, "%s\n", spotsim::prefix_lines("chaos-agent: ", msg).c_str());
  return code;
}

int fail(const spotsim::Status& s) { return fail(s.code() == spotsim::StatusCode::kIo ? kIo : kUsage, s.message()); }

bool write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::ofstream f(tmp, std::ios::trunc);
  f << text;
  f.close();
  if (f && std::rename(tmp.c_str(), path.c_str()) == 0) return true;
  std::remove(tmp.c_str());
  return false;
}

}  // namespace agent::cli

int main(int argc, char** argv) {
  using namespace agent::cli;
  CLI::App app{
      "chaos-agent: serves fake spot/preemption notices (AWS IMDS, Azure Scheduled Events, "
      "GCP metadata) to the software on this VM, for game days. See docs/chaos-agent.md."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "chaos-agent " SPOTSIM_VERSION);  // project(VERSION)
  const std::vector<Command> commands = {add_serve(app),  add_inject(app),  add_clear(app),  add_status(app),
                                         add_report(app), add_gameday(app), add_cleanup(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }
  for (const auto& c : commands)
    if (*c.app) return c.run();
  return kUsage;
}
