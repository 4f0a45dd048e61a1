// The edgebench command: one subcommand per file (cmd_*.cpp), wired here.
#include <CLI/CLI.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"edgebench: characterize single-batch DNN inference across frameworks and devices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("edgebench ") + EDGEBENCH_VERSION);

  eb::cli::CommandSet commands;
  eb::cli::add_all_commands(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "edgebench: " << e.what() << "\n";
    if (!app.get_subcommands().empty()) std::cerr << "run 'edgebench " << app.get_subcommands()[0]->get_name() << " --help' for usage\n";
    return eb::cli::kExitUsage;
  }
  return commands.run();
}
