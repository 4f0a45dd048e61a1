// Registration of the subcommands. Each cmd_*.cpp adds its options to the
// app and sets the function that runs when its subcommand is chosen.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace eb::cli {

struct CommandSet {
  std::function<int()> selected;  // set by the chosen subcommand's callback
  int run() const { return selected ? selected() : 2; }
};

void add_models_command(CLI::App& app, CommandSet& set);
void add_export_command(CLI::App& app, CommandSet& set);
void add_backends_command(CLI::App& app, CommandSet& set);

inline void add_all_commands(CLI::App& app, CommandSet& set) {
  add_models_command(app, set);
  add_export_command(app, set);
  add_backends_command(app, set);
}

}  // namespace eb::cli
