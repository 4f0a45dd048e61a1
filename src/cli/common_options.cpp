#include "cli/common_options.h"

#include <CLI/CLI.hpp>

#include "backends/backend.h"

namespace eb::cli {

void add_backend_options(CLI::App& cmd, BackendOptions& options) {
  cmd.add_option("--device", options.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  cmd.add_option("--threads", options.threads, "threads the backend may use (0: all cores)")->check(CLI::NonNegativeNumber);
  cmd.add_option("--precision", options.precision, "fp32, fp16, bf16 or int8")
      ->check(CLI::IsMember({"fp32", "fp16", "bf16", "int8"}));
  cmd.add_option("--mode", options.mode, "backend-specific variant (e.g. native: unfused, plain, winograd=off, parts_per_thread=2, spin_us=50, joined by commas; libtorch: eager, script)");
}

void add_db_option(CLI::App& cmd, std::string& db) { cmd.add_option("--db", db, "results database")->capture_default_str(); }

void add_record_output_options(CLI::App& cmd, std::string& db, bool& no_db, std::string& json_path, std::string& format) {
  add_db_option(cmd, db);
  cmd.add_flag("--no-db", no_db, "do not store the run");
  cmd.add_option("--json", json_path, "also write the JSON record to this file");
  cmd.add_option("--format", format, "table (a summary) or json (the record)")->check(CLI::IsMember({"table", "json"}));
}

}  // namespace eb::cli
