// Registration of the subcommands. Each cmd_*.cpp adds its options to the
// app and sets the function that runs when its subcommand is chosen.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace eb::bench {
struct RunSpec;
}

namespace eb::cli {

struct CommandSet {
  std::function<int()> selected;  // set by the chosen subcommand's callback
  int run() const { return selected ? selected() : 2; }
};

void add_models_command(CLI::App& app, CommandSet& set);
void add_export_command(CLI::App& app, CommandSet& set);
void add_backends_command(CLI::App& app, CommandSet& set);
void add_run_command(CLI::App& app, CommandSet& set);
void add_sweep_command(CLI::App& app, CommandSet& set);
void add_results_command(CLI::App& app, CommandSet& set);
void add_verify_command(CLI::App& app, CommandSet& set);
void add_report_command(CLI::App& app, CommandSet& set);
void add_conformance_command(CLI::App& app, CommandSet& set);
void add_sensors_command(CLI::App& app, CommandSet& set);
void add_thermal_command(CLI::App& app, CommandSet& set);

// Shared by run and sweep (defined in cmd_run.cpp).
struct ModelSource;
// --device --threads --precision --mode --warmup-runs --warmup-secs --runs
// --min-secs --max-secs --target-ci, into spec.backend_options and spec.options.
void add_measurement_options(CLI::App& cmd, bench::RunSpec& spec);
// The same flags with spec's values, for a child `edgebench run`.
std::vector<std::string> measurement_args(const bench::RunSpec& spec);
// The record's "model": the source's label, plus "@N" for --input-size N.
std::string record_model_label(const ModelSource& source);
// A duration for people: 3 significant digits in the unit that suits
// ("31 ns", "12.3 µs", "4.56 ms", "1.23 s").
std::string format_duration_ms(double ms);

inline void add_all_commands(CLI::App& app, CommandSet& set) {
  add_models_command(app, set);
  add_export_command(app, set);
  add_backends_command(app, set);
  add_run_command(app, set);
  add_sweep_command(app, set);
  add_results_command(app, set);
  add_verify_command(app, set);
  add_report_command(app, set);
  add_conformance_command(app, set);
  add_sensors_command(app, set);
  add_thermal_command(app, set);
}

}  // namespace eb::cli
