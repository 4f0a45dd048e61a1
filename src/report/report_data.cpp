#include "report/report_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "graph/op.h"
#include "report/format.h"

namespace eb::report {
namespace {

using nlohmann::json;

double pct_diff(double ours, double theirs) { return 100.0 * (ours - theirs) / theirs; }

// Order of backends in every table and legend: the ones DESIGN.md lists,
// then the rest by name. It does not depend on --baseline, so that a backend
// keeps its colour from one report to the next.
int backend_rank(const std::string& backend) {
  static const std::vector<std::string> known = {"native", "libtorch", "opencv", "darknet", "cuda"};
  return static_cast<int>(std::find(known.begin(), known.end(), backend) - known.begin());
}

// Index of `model` in the zoo's Table I order; models outside the zoo after.
std::size_t zoo_rank(const std::string& model) {
  const auto& all = zoo::models();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].id == model) return i;
  return all.size();
}

// The identity of a configuration, in display order: a backend's default
// mode first, then its modes by name.
using ConfigKey = std::tuple<int, std::string, std::string, std::string, std::string, int, std::string>;
ConfigKey config_key(const bench::RunRecord& r) {
  return {backend_rank(r.backend), r.backend, r.mode, r.device, r.precision, r.threads, r.env.host};
}
Config config_of(const ConfigKey& k) {
  return {std::get<1>(k), std::get<2>(k), std::get<3>(k), std::get<4>(k), std::get<5>(k), std::get<6>(k), ""};
}

// Labels name only the dimensions that vary among the report's configurations.
void label_configs(std::vector<Config>& configs) {
  const auto varies = [&](auto field) {
    std::set<std::string> seen;
    for (const auto& c : configs) seen.insert(field(c));
    return seen.size() > 1;
  };
  const bool device = varies([](const Config& c) { return c.device; });
  const bool precision = varies([](const Config& c) { return c.precision; });
  const bool threads = varies([](const Config& c) { return std::to_string(c.threads); });
  const bool host = varies([](const Config& c) { return c.host; });
  for (auto& c : configs) {
    std::string label = bench::variant_label(c.backend, c.mode);
    const auto add = [&](bool show, const std::string& part) {
      if (show && !part.empty()) label += kSeparator + part;
    };
    add(device || c.device != "cpu", c.device);
    add(precision || c.precision != "fp32", c.precision);
    add(threads, std::to_string(c.threads) + (c.threads == 1 ? " thread" : " threads"));
    add(host, c.host);
    c.label = label;
  }
}

constexpr OpCategory kCategories[] = {OpCategory::convolution, OpCategory::batch_norm,     OpCategory::activation,
                                     OpCategory::pooling,     OpCategory::fully_connected, OpCategory::elementwise,
                                     OpCategory::data_movement, OpCategory::other};

std::optional<double> number_at(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Records of other purposes than these two (none yet) count as latency runs.
bool is_thermal(const bench::RunRecord& r) { return r.options.purpose == bench::kThermalPurpose; }

// Timestamps are ISO-8601 UTC: they order as strings.
bool later(const store::StoredRun& a, const store::StoredRun& b) {
  if (a.record.timestamp != b.record.timestamp && !a.record.timestamp.empty() && !b.record.timestamp.empty())
    return a.record.timestamp > b.record.timestamp;
  if (a.record.timestamp.empty() != b.record.timestamp.empty()) return !a.record.timestamp.empty();
  return a.id > b.id;
}

std::string environment_key(const bench::Environment& e, const std::string& backend) {
  json j = {e.host, e.cpu, e.arch, e.cores, e.cores_available, e.kernel, e.compiler,
            e.backend_version.value_or(""), e.edgebench_version, e.git, backend};
  return j.dump();
}

}  // namespace

double ProfileBreakdown::total_ms() const {
  double total = overhead_ms.value_or(0);
  for (const auto& [category, ms] : categories) total += ms;
  return total;
}

const ReportRun* ReportData::find(std::string_view model, std::size_t config) const {
  for (const auto& r : runs)
    if (r.model == model && r.config == config) return &r;
  return nullptr;
}

std::string ReportData::run_label(const ReportRun& run) const {
  return run.model + kSeparator + configs[run.config].label + (run.thermal ? " (thermal)" : "");
}

Result<std::vector<ModelRow>> zoo_table() {
  std::vector<ModelRow> rows;
  for (const zoo::ModelEntry& e : zoo::models()) {
    auto graph = e.build({.weights = WeightInit::zeros});
    if (!graph) return graph.status().with_context("Table I: model " + std::string(e.id));
    rows.push_back(table1_row(e, analyze(*graph)));
  }
  return rows;
}

ModelRow table1_row(const zoo::ModelEntry& e, const ModelInfo& info) {
  ModelRow row;
  row.id = e.id;
  row.input = e.input.to_string();
  row.params = info.params;
  row.macs = info.macs;
  row.study_input = e.study.input;
  row.study_params_m = e.study.params_m;
  row.study_flop_giga = e.study.flop_giga;
  row.study_flop_per_param = e.study.flop_per_param;
  // The study's "FLOP" is MACs for most models, 2 x MACs for a few: compare
  // in whichever convention it is nearer to.
  const double gmacs = info.macs / 1e9, gflops = info.flops() / 1e9;
  const bool as_macs = std::abs(gmacs - e.study.flop_giga) <= std::abs(gflops - e.study.flop_giga);
  row.study_flop_convention = as_macs ? "MAC" : "FLOP";
  if (e.study.params_m > 0) row.params_diff_pct = pct_diff(info.params / 1e6, e.study.params_m);
  if (e.study.flop_giga > 0) row.flop_diff_pct = pct_diff(as_macs ? gmacs : gflops, e.study.flop_giga);
  return row;
}

int category_rank(std::string_view category) {
  for (std::size_t i = 0; i < std::size(kCategories); ++i)
    if (category == to_string(kCategories[i])) return static_cast<int>(i);
  return static_cast<int>(std::size(kCategories));
}

Result<ProfileBreakdown> parse_profile(const json& profile) {
  const json* entries = nullptr;
  std::optional<double> overhead, wall;
  std::map<std::string, double> sums;
  if (profile.is_array()) {
    entries = &profile;
  } else if (profile.is_object()) {
    // A run that could not be profiled (no profiler, or it failed) says why.
    if (const auto it = profile.find("error"); it != profile.end())
      return invalid_argument("profile: not measured: " + (it->is_string() ? it->get<std::string>() : it->dump()));
    for (const char* key : {"nodes", "categories", "entries"})
      if (profile.contains(key)) {
        entries = &profile[key];
        if (!entries->is_array()) return invalid_argument(std::string("profile: \"") + key + "\" is not an array");
        break;
      }
    overhead = number_at(profile, "overhead_ms");
    wall = number_at(profile, "wall_ms");
    if (!wall) wall = number_at(profile, "total_ms");
    if (!entries) {  // {category: ms, ...}
      for (const auto& [key, value] : profile.items()) {
        if (key == "overhead_ms" || key == "wall_ms" || key == "total_ms") continue;
        if (!value.is_number()) return invalid_argument("profile: value of \"" + key + "\" is not a number of ms");
        sums[key] += value.get<double>();
      }
    }
  } else {
    return invalid_argument("profile: expected an array or an object");
  }
  if (entries) {
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const json& e = (*entries)[i];
      const std::string where = "profile entry " + std::to_string(i);
      if (!e.is_object()) return invalid_argument(where + ": not an object");
      const auto ms = number_at(e, "ms");
      if (!ms) return invalid_argument(where + ": \"ms\" missing or not a number");
      std::string category = "other";
      if (e.contains("category") && e["category"].is_string()) category = e["category"].get<std::string>();
      else if (!e.contains("node")) return invalid_argument(where + ": neither \"category\" nor \"node\"");
      sums[category] += *ms;
    }
  }
  if (auto it = sums.find("overhead"); it != sums.end()) {
    overhead = overhead.value_or(0) + it->second;
    sums.erase(it);
  }
  for (const auto& [category, ms] : sums)
    if (!std::isfinite(ms) || ms < 0) return invalid_argument("profile: category \"" + category + "\" has a negative time");

  ProfileBreakdown out;
  for (const auto& [category, ms] : sums) out.categories.emplace_back(category, ms);  // by name ...
  std::stable_sort(out.categories.begin(), out.categories.end(),  // ... within the op table's order
                   [](const auto& a, const auto& b) { return category_rank(a.first) < category_rank(b.first); });
  if (out.categories.empty()) return invalid_argument("profile: no timed entries");
  if (!overhead && wall) {
    const double nodes = out.total_ms();
    overhead = std::max(*wall - nodes, 0.0);  // a profiler's rounding can make the nodes sum past the wall
  }
  out.overhead_ms = overhead;
  return out;
}

Result<std::vector<TemperatureTrace>> parse_temperature(const json& temperature) {
  const auto one = [](const json& t) -> Result<TemperatureTrace> {
    if (!t.is_object()) return invalid_argument("temperature: expected an object with \"series\"");
    TemperatureTrace trace;
    if (t.contains("source") && t["source"].is_string()) trace.source = t["source"].get<std::string>();
    if (!t.contains("series") || !t["series"].is_array()) return invalid_argument("temperature: \"series\" missing or not an array");
    for (const json& p : t["series"]) {
      if (p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number()) {
        trace.series.push_back({p[0].get<double>(), p[1].get<double>()});
      } else if (p.is_object() && number_at(p, "t_s") && number_at(p, "celsius")) {
        trace.series.push_back({*number_at(p, "t_s"), *number_at(p, "celsius")});
      } else {
        return invalid_argument("temperature: a series point is not [t_s, celsius]");
      }
    }
    return trace;
  };
  std::vector<TemperatureTrace> traces;
  if (temperature.is_array()) {
    for (const json& t : temperature) {
      EB_ASSIGN_OR_RETURN(auto trace, one(t));
      traces.push_back(std::move(trace));
    }
  } else {
    EB_ASSIGN_OR_RETURN(auto trace, one(temperature));
    traces.push_back(std::move(trace));
  }
  return traces;
}

ReportData build_report_data(std::span<const store::StoredRun> stored, std::vector<ModelRow> table1,
                             const ReportOptions& options) {
  ReportData data;
  data.source = options.source;
  data.generated_at = options.generated_at;
  const bench::BackendVariant baseline = bench::parse_backend_variant(options.baseline);
  data.baseline = bench::variant_label(baseline.backend, baseline.mode);
  const auto is_baseline = [&](const Config& c) { return c.backend == baseline.backend && c.mode == baseline.mode; };
  data.runs_stored = static_cast<int64_t>(stored.size());

  // Latest run wins per (model, configuration, purpose): a thermal run is
  // no latency measurement (it runs for minutes, with no CI target), so it
  // never hides the latency run of its configuration, nor the other way.
  std::map<std::tuple<std::string, ConfigKey, bool>, const store::StoredRun*> latest;
  for (const auto& run : stored) {
    auto& slot = latest[{run.record.model, config_key(run.record), is_thermal(run.record)}];
    if (slot == nullptr || later(run, *slot)) slot = &run;
  }
  data.runs_superseded = data.runs_stored - static_cast<int64_t>(latest.size());

  // Configurations and models of both purposes, so that a thermal run's line
  // has its configuration's colour and label.
  std::map<ConfigKey, std::size_t> config_index;
  std::set<std::string> model_set;
  for (const auto& [key, run] : latest) {
    config_index.emplace(std::get<1>(key), 0);
    model_set.insert(run->record.model);
  }
  for (auto& [key, index] : config_index) {
    index = data.configs.size();
    data.configs.push_back(config_of(key));
  }
  label_configs(data.configs);
  if (!data.configs.empty() && std::none_of(data.configs.begin(), data.configs.end(), is_baseline)) {
    std::string shown;
    for (const Config& c : data.configs) {
      const std::string spec = bench::variant_spec(c.backend, c.mode);
      if (shown.find("'" + spec + "'") == std::string::npos) shown += (shown.empty() ? "'" : ", '") + spec + "'";
    }
    data.notes.push_back("no run of the baseline '" + options.baseline + "' (--baseline), so no speedups; the runs are of " +
                         shown);
  }
  data.models.assign(model_set.begin(), model_set.end());
  std::stable_sort(data.models.begin(), data.models.end(),
                   [](const std::string& a, const std::string& b) { return zoo_rank(a) < zoo_rank(b); });

  // The shown runs, models x configs order.
  std::map<std::string, std::size_t> env_index;
  for (const bool thermal : {false, true})
    for (const std::string& model : data.models)
      for (const auto& [key, config] : config_index) {
        const auto it = latest.find({model, key, thermal});
        if (it == latest.end()) continue;
        const store::StoredRun& s = *it->second;
        const bench::RunRecord& r = s.record;
        ReportRun run;
        run.id = s.id;
        run.model = r.model;
        run.config = config;
        run.status = r.status;
        run.error = r.error.value_or("");
        run.latency = r.latency_ms;
        run.energy = r.energy;
        run.timestamp = r.timestamp;
        run.thermal = thermal;
        const std::string where = "run " + std::to_string(s.id) + " (" + r.model + ", " + data.configs[config].label +
                                  (thermal ? ", thermal" : "") + ")";
        if (!r.profile.is_null()) {
          auto p = parse_profile(r.profile);
          if (p) run.profile = std::move(*p);
          else data.notes.push_back(where + ": profile left out: " + p.status().message());
        }
        if (!r.temperature.is_null()) {
          auto t = parse_temperature(r.temperature);
          if (t) run.temperature = std::move(*t);
          else data.notes.push_back(where + ": temperature left out: " + t.status().message());
        }
        const std::string ek = environment_key(r.env, r.backend);
        auto [env_it, fresh] = env_index.emplace(ek, data.environments.size());
        if (fresh) data.environments.push_back({r.env, r.backend, 0, r.timestamp, r.timestamp});
        EnvironmentRow& env = data.environments[env_it->second];
        ++env.runs;
        if (!r.timestamp.empty()) {
          if (env.first_timestamp.empty() || r.timestamp < env.first_timestamp) env.first_timestamp = r.timestamp;
          if (r.timestamp > env.last_timestamp) env.last_timestamp = r.timestamp;
        }
        (thermal ? data.thermal_runs : data.runs).push_back(std::move(run));
      }

  for (const ReportRun& run : data.runs) {
    if (!run.profile) continue;
    for (const auto& [category, ms] : run.profile->categories)
      if (std::find(data.profile_categories.begin(), data.profile_categories.end(), category) == data.profile_categories.end())
        data.profile_categories.push_back(category);
    data.profile_overhead |= run.profile->overhead_ms.has_value();
  }
  std::stable_sort(data.profile_categories.begin(), data.profile_categories.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(category_rank(a), a) < std::make_pair(category_rank(b), b);
  });

  // Compatibility matrix.
  std::map<std::string, int> footnote_of;
  data.matrix.cells.assign(data.models.size(), std::vector<MatrixCell>(data.configs.size()));
  for (const ReportRun& run : data.runs) {
    const auto m = static_cast<std::size_t>(std::find(data.models.begin(), data.models.end(), run.model) - data.models.begin());
    MatrixCell& cell = data.matrix.cells[m][run.config];
    cell.status = run.status;
    if (run.status == bench::RunStatus::ok) continue;
    cell.reason = run.error.empty() ? std::string(bench::to_string(run.status)) + " (no message recorded)" : run.error;
    auto [it, fresh] = footnote_of.emplace(cell.reason, static_cast<int>(data.matrix.footnotes.size()) + 1);
    if (fresh) data.matrix.footnotes.push_back(cell.reason);
    cell.footnote = it->second;
  }

  // Speedups over the baseline backend: for each timed run, the baseline run
  // of the same model that matches it best (host, then threads, device,
  // precision).
  std::map<std::size_t, std::vector<double>> per_config;
  for (const ReportRun& run : data.runs) {
    const Config& c = data.configs[run.config];
    if (!run.timed() || is_baseline(c)) continue;
    const ReportRun* best = nullptr;
    int best_score = -1;
    for (const ReportRun& b : data.runs) {
      const Config& bc = data.configs[b.config];
      if (b.model != run.model || !is_baseline(bc) || !b.timed()) continue;
      const int score = (bc.host == c.host) * 8 + (bc.threads == c.threads) * 4 + (bc.device == c.device) * 2 +
                        (bc.precision == c.precision);
      if (score > best_score) best = &b, best_score = score;
    }
    if (!best) continue;
    const double s = best->latency->median / run.latency->median;
    data.speedups.push_back({run.model, run.config, best->config, s});
    per_config[run.config].push_back(s);
  }
  for (const auto& [config, values] : per_config) {
    double log_sum = 0;
    for (double v : values) log_sum += std::log(v);
    data.speedup_summary.push_back({config, std::exp(log_sum / values.size()), static_cast<int>(values.size())});
  }

  // Table I: the zoo, then models outside it whose records carry counts.
  data.table1 = std::move(table1);
  for (const std::string& model : data.models) {
    if (zoo::find(model) != nullptr) continue;
    for (const auto& [key, run] : latest) {
      if (std::get<0>(key) != model) continue;
      const json& info = run->record.model_info;
      const auto params = number_at(info, "params"), macs = number_at(info, "macs");
      if (!params && !macs) continue;
      ModelRow row;
      row.id = model;
      row.in_zoo = false;
      if (params) row.params = static_cast<int64_t>(*params);
      if (macs) row.macs = static_cast<int64_t>(*macs);
      if (info.contains("input") && info["input"].is_string()) row.input = info["input"].get<std::string>();
      data.table1.push_back(std::move(row));
      break;
    }
  }
  return data;
}

Result<ReportData> gather(store::ResultsDb& db, const ReportOptions& options, bool with_table1) {
  EB_ASSIGN_OR_RETURN(auto runs, db.list_runs());
  std::vector<ModelRow> table1;
  if (with_table1) {
    EB_ASSIGN_OR_RETURN(table1, zoo_table());
  }
  return build_report_data(runs, std::move(table1), options);
}

}  // namespace eb::report
