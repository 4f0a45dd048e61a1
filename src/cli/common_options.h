// Options that several subcommands declare alike (run, sweep, thermal): one
// definition each, so that their names, checks and help cannot drift apart.
#pragma once

#include <string>

namespace CLI {
class App;
}
namespace eb {
struct BackendOptions;
}

namespace eb::cli {

// Where results go unless --db says otherwise.
inline constexpr const char* kDefaultDbPath = "results/edgebench.db";

// --device --threads --precision --mode, into `options`.
void add_backend_options(CLI::App& cmd, BackendOptions& options);

// --db: the results database a command stores its runs in.
void add_db_option(CLI::App& cmd, std::string& db);

// --db --no-db --json --format (table|json): where a command that makes one
// record puts it, and how it shows it.
void add_record_output_options(CLI::App& cmd, std::string& db, bool& no_db, std::string& json_path, std::string& format);

}  // namespace eb::cli
