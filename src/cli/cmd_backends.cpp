// edgebench backends: what was built, versions, devices, precisions, config.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/registry.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/table.h"

namespace eb::cli {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

int run_backends(const std::string& format) {
  nlohmann::json list = nlohmann::json::array();
  TextTable table({"backend", "status", "version", "devices", "precisions", "configuration"});
  for (const BackendEntry& e : backend_table()) {
    Capabilities caps;
    if (e.make) caps = e.make()->capabilities();
    const bool built = e.make && caps.built;
    std::string config;
    for (const auto& [k, v] : caps.config) config += (config.empty() ? "" : ", ") + k + "=" + v;
    if (!built) config = e.not_built_reason;
    table.add({e.id, built ? "built" : "not_built", caps.version, join(caps.devices, ","), join(caps.precisions, ","), config});
    list.push_back({{"id", e.id},
                    {"description", e.description},
                    {"status", built ? "built" : "not_built"},
                    {"version", built ? nlohmann::json(caps.version) : nlohmann::json(nullptr)},
                    {"devices", caps.devices},
                    {"precisions", caps.precisions},
                    {"config", caps.config},
                    {"reason", built ? nlohmann::json(nullptr) : nlohmann::json(e.not_built_reason)}});
  }
  if (format == "json") {
    std::cout << list.dump(2) << "\n";
  } else {
    table.print(std::cout);
  }
  return kExitOk;
}

}  // namespace

void add_backends_command(CLI::App& app, CommandSet& set) {
  auto* cmd = app.add_subcommand("backends", "List backends: built or not, versions, devices, precisions, configuration");
  auto format = std::make_shared<std::string>("table");
  cmd->add_option("--format", *format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&set, format] { set.selected = [format] { return run_backends(*format); }; });
}

}  // namespace eb::cli
