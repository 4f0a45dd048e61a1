// What a report shows, gathered from the results database into plain values
// (no HTML, no SVG): the pages and charts only read a ReportData.
//
//   auto db = store::ResultsDb::open(path);
//   auto data = report::gather(*db, {.baseline = "native", .source = path});
//
// Latest run wins: of the runs that share a configuration (model, backend
// and mode, device, precision, threads, host) and a purpose (latency, or
// thermal from `edgebench thermal`) only the latest is shown (latest
// timestamp; equal or missing timestamps: the one stored last), and the
// report says how many were superseded. Latency runs make the tables and
// charts; thermal runs only the temperature and power-over-time figures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/record.h"
#include "common/status.h"
#include "graph/analyzer.h"
#include "report/svg.h"
#include "store/results_db.h"
#include "zoo/zoo.h"

namespace eb::report {

// One row of the study's Table I: our count beside the study's.
struct ModelRow {
  std::string id;
  std::string input;  // ours, e.g. "1x3x224x224"
  std::optional<int64_t> params;
  std::optional<int64_t> macs;
  // The study's figures; absent for models outside the zoo.
  std::string study_input;
  std::optional<double> study_params_m;
  std::optional<double> study_flop_giga;
  std::optional<double> study_flop_per_param;
  // The study's "FLOP" column is MACs for most models and 2 x MACs for a
  // few; the convention it matches ("MAC" or "FLOP") and the difference in
  // that convention.
  std::string study_flop_convention;
  std::optional<double> params_diff_pct;
  std::optional<double> flop_diff_pct;
  bool in_zoo = true;  // false: counts from a run record's model_info
};

// Table I for every zoo model: builds each graph with zero weights once and
// analyzes it (several seconds for all 16), then table1_row.
Result<std::vector<ModelRow>> zoo_table();
// One zoo model's row from its analysis.
ModelRow table1_row(const zoo::ModelEntry& entry, const ModelInfo& info);

// A configuration: one series in the charts, one column of the matrix. A
// backend's variants (modes) are configurations of their own.
struct Config {
  std::string backend;
  std::string mode;  // empty: the backend's default
  std::string device;
  std::string precision;
  int threads = 0;
  std::string host;
  // Only what varies within the report, so that a one-host, one-device
  // report says "libtorch (script)", not "libtorch (script) · cpu · fp32 ·
  // 1 thr · box". The mode is always named.
  std::string label;
};

// Where one inference's time goes (the study's Figure 5).
struct ProfileBreakdown {
  std::vector<std::pair<std::string, double>> categories;  // (category, ms), canonical order, no duplicates
  std::optional<double> overhead_ms;  // framework overhead: wall time minus the nodes
  double total_ms() const;
};

struct TemperatureTrace {
  std::string source;
  std::vector<Point> series;  // (t in s, °C)
};

// The shown run of one (model, configuration).
struct ReportRun {
  int64_t id = 0;  // in the database
  std::string model;
  std::size_t config = 0;  // into ReportData::configs
  bench::RunStatus status = bench::RunStatus::ok;
  std::string error;
  std::optional<bench::LatencyMs> latency;
  std::optional<bench::Energy> energy;
  std::optional<ProfileBreakdown> profile;
  std::vector<TemperatureTrace> temperature;
  std::string timestamp;
  bool thermal = false;  // an `edgebench thermal` run (RunOptions::purpose)

  // An ok run with a positive median.
  bool timed() const { return status == bench::RunStatus::ok && latency && latency->median > 0; }
};

// The study's Table V: one row per model, one column per configuration;
// cells of runs that did not succeed carry their reason, numbered as
// footnotes (equal reasons share a number).
struct MatrixCell {
  std::optional<bench::RunStatus> status;  // nullopt: not run
  std::string reason;
  int footnote = 0;  // 1-based into CompatibilityMatrix::footnotes; 0: none
};
struct CompatibilityMatrix {
  std::vector<std::vector<MatrixCell>> cells;  // [model][config]
  std::vector<std::string> footnotes;
};

// A run's median latency against the baseline backend's on the same model:
// baseline median / run median (> 1: faster than the baseline).
struct Speedup {
  std::string model;
  std::size_t config = 0;
  std::size_t baseline_config = 0;
  double speedup = 0;
};
struct SpeedupSummary {
  std::size_t config = 0;
  double geomean = 0;
  int models = 0;
};

// Distinct environments (the seed aside) with the backends measured in them.
struct EnvironmentRow {
  bench::Environment env;
  std::string backend;
  int runs = 0;
  std::string first_timestamp;
  std::string last_timestamp;
};

struct ReportData {
  std::string source;        // where the runs came from (a database path)
  std::string generated_at;  // ISO-8601, empty to leave out
  std::string baseline;      // what speedups are over, as labelled: "native", "libtorch (script)"
  int64_t runs_stored = 0;
  int64_t runs_superseded = 0;

  std::vector<ModelRow> table1;     // zoo order, then other models with counts
  std::vector<std::string> models;  // models with runs: zoo order, then by name
  std::vector<Config> configs;      // native, libtorch, opencv, darknet, cuda, then others by name; modes by name
  std::vector<ReportRun> runs;      // latest latency run per (model, configuration), in models x configs order
  std::vector<ReportRun> thermal_runs;  // latest thermal run per (model, configuration), in the same order
  CompatibilityMatrix matrix;
  std::vector<Speedup> speedups;
  std::vector<SpeedupSummary> speedup_summary;
  std::vector<EnvironmentRow> environments;
  // The op categories of all shown profiles, in the op table's order, and
  // whether any profile has a framework overhead.
  std::vector<std::string> profile_categories;
  bool profile_overhead = false;
  std::vector<std::string> notes;  // data that could not be used, e.g. an unreadable profile

  // The latency run of (model, configuration), or null.
  const ReportRun* find(std::string_view model, std::size_t config) const;
  // "resnet18 · libtorch": the run's model and configuration ("... (thermal)"
  // for a thermal run).
  std::string run_label(const ReportRun& run) const;
};

struct ReportOptions {
  // A backend id ("native": its default mode) or a variant ("libtorch:script").
  std::string baseline = "native";
  std::string source = "";
  std::string generated_at = "";
};

// From runs in insertion order (as ResultsDb::list_runs gives them) and Table
// I rows (zoo_table(), or empty to leave the zoo out).
ReportData build_report_data(std::span<const store::StoredRun> runs, std::vector<ModelRow> table1,
                             const ReportOptions& options);

// Every run in `db`, and Table I when with_table1.
Result<ReportData> gather(store::ResultsDb& db, const ReportOptions& options, bool with_table1 = true);

// The run record's free-form fields, in the layouts the sensors and
// profiling work write (see docs/report.md). Errors say what is wrong.
//   profile: [{category, ms} | {node, op, category, ms}, ...] (a category
//            "overhead" is the framework overhead), or an object holding
//            such an array under "nodes", "categories" or "entries", with
//            optional "overhead_ms" and "wall_ms"/"total_ms" (overhead =
//            wall - nodes when not given), or {category: ms, ...}.
//   temperature: {source, series: [[t_s, celsius], ...]}, or an array of them.
Result<ProfileBreakdown> parse_profile(const nlohmann::json& profile);
// Position of an op category in the op table's order (convolution first);
// categories it does not know come after, all with the same rank.
int category_rank(std::string_view category);
Result<std::vector<TemperatureTrace>> parse_temperature(const nlohmann::json& temperature);

}  // namespace eb::report
