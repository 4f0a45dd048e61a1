#include "report/pages.h"

#include "report/format.h"

namespace eb::report {

std::vector<PageSection> page_sections(const ReportData& d) {
  return {{"models", "Models (the study's Table I)"},
          {"compatibility", "Compatibility (the study's Table V)"},
          {"time", "Time per inference (the study's Figures 2\xE2\x80\x93""4)"},
          {"speedup", "Speedup over " + d.baseline + " (Figures 7, 8, 10)"},
          {"breakdown", "Latency breakdown (Figure 5)"},
          {"energy", "Energy per inference (Figure 11)"},
          {"power", "Time per inference vs power (Figure 12)"},
          {"power-over-time", "Power over time"},
          {"temperature", "Temperature over time (Figure 14)"},
          {"environment", "Environment"}};
}

std::string summary_line(const ReportData& d) {
  std::string s = std::to_string(d.runs_stored) + (d.runs_stored == 1 ? " run" : " runs") + " stored, " +
                  std::to_string(d.runs.size() + d.thermal_runs.size()) + " shown";
  if (!d.thermal_runs.empty()) s += " (" + std::to_string(d.thermal_runs.size()) + " of them thermal)";
  if (d.runs_superseded > 0)
    s += " (" + std::to_string(d.runs_superseded) + " superseded by a later run of the same configuration)";
  return s + "; " + std::to_string(d.models.size()) + " models, " + std::to_string(d.configs.size()) +
         (d.configs.size() == 1 ? " configuration." : " configurations.");
}

const char* latest_run_rule() {
  return "Latest run wins: where a (model, backend and mode, device, precision, threads, host) configuration was run "
         "more than once, only its latest run (by timestamp, then by database id) is shown. Thermal runs ('edgebench "
         "thermal') are kept apart: they are drawn with the temperature, never in place of a latency run.";
}

const char* no_latency_runs(const ReportData& d) {
  return d.thermal_runs.empty() ? "No runs in the database." : "No latency runs in the database, only thermal runs.";
}

const char* table1_note() {
  return "Params are trainable weights (BN running statistics are buffers, not counted). The study's FLOP column counts "
         "multiply-accumulates for most models and 2 \xC3\x97 MACs for some (\"counts\"); the compute \xCE\x94 and our "
         "FLOP/param use the convention the study used for that model. Rows without study figures are models from run "
         "records, outside the zoo.";
}

const char* status_legend() {
  return "\xE2\x9C\x93 ok \xC2\xB7 \xE2\x9C\x97 failed \xC2\xB7 \xE2\x8A\x98 unsupported \xC2\xB7 OOM out of memory \xC2\xB7 "
         "\xE2\x98\xA0 crashed \xC2\xB7 \xE2\x8C\x9B timeout \xC2\xB7 \xE2\x80\x94 not built \xC2\xB7 blank: not run";
}

}  // namespace eb::report
