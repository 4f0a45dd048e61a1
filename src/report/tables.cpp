#include "report/tables.h"

#include <algorithm>
#include <cmath>

#include "report/figures.h"
#include "report/format.h"

namespace eb::report {
namespace {

constexpr const char* kDash = "\xE2\x80\x94";  // —

template <typename T, typename F>
std::string or_dash(const std::optional<T>& v, F format) {
  return v ? format(*v) : kDash;
}
std::string or_dash(const std::string& s) { return s.empty() ? kDash : s; }

std::string millions(int64_t n) { return format_fixed(n / 1e6, 2); }

std::string status_cell(const ReportRun& r) {
  return std::string(status_symbol(r.status)) + " " + bench::to_string(r.status);
}

}  // namespace

Table table1_table(const ReportData& d) {
  Table t{{"Model", "ours", "study", "ours", "study", "\xCE\x94", "ours (GMAC)", "study", "counts", "\xCE\x94", "ours", "study"},
          {false, false, false, true, true, true, true, true, false, true, true, true},
          {},
          {{"", 1}, {"Input", 2}, {"Params (M)", 3}, {"Compute (G)", 4}, {"FLOP/param", 2}}};
  const auto num = [](double v) { return format_fixed(v, 2); };
  for (const ModelRow& r : d.table1) {
    // Ours in the convention the study used for this model, so the columns compare.
    std::optional<double> fpp;
    if (r.params && r.macs && *r.params > 0)
      fpp = (r.study_flop_convention == "MAC" ? 1.0 : 2.0) * static_cast<double>(*r.macs) / static_cast<double>(*r.params);
    t.rows.push_back({r.id, or_dash(r.input), or_dash(r.study_input),
                      r.params ? millions(*r.params) : kDash, or_dash(r.study_params_m, num),
                      or_dash(r.params_diff_pct, format_signed_pct), r.macs ? format_fixed(*r.macs / 1e9, 3) : kDash,
                      or_dash(r.study_flop_giga, num), or_dash(r.study_flop_convention.empty() ? "" : r.study_flop_convention + "s"),
                      or_dash(r.flop_diff_pct, format_signed_pct),
                      or_dash(fpp, [](double v) { return format_fixed(v, 1); }),
                      or_dash(r.study_flop_per_param, [](double v) { return format_fixed(v, 2); })});
  }
  return t;
}

Table time_table(const ReportData& d) {
  Table t;
  t.header.push_back("Model");
  t.numeric.push_back(false);
  for (const Config& c : d.configs) {
    t.header.push_back(c.label);
    t.numeric.push_back(true);
  }
  for (const std::string& model : d.models) {
    std::vector<std::string> row{model};
    for (std::size_t c = 0; c < d.configs.size(); ++c) {
      const ReportRun* r = d.find(model, c);
      if (!r) row.emplace_back();
      else if (r->timed()) row.push_back(format_sig(r->latency->median) + " / " + format_sig(r->latency->p90));
      else row.push_back(status_cell(*r));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table speedup_table(const ReportData& d) {
  Table t{{"Backend", "Models", "Geometric mean", "Min", "Max"}, {false, true, true, true, true}, {}};
  for (const SpeedupSummary& s : d.speedup_summary) {
    double lo = INFINITY, hi = -INFINITY;
    for (const Speedup& x : d.speedups)
      if (x.config == s.config) lo = std::min(lo, x.speedup), hi = std::max(hi, x.speedup);
    const auto times = [](double v) { return format_sig(v) + "\xC3\x97"; };
    t.rows.push_back({d.configs[s.config].label, std::to_string(s.models), times(s.geomean), times(lo), times(hi)});
  }
  return t;
}

Table breakdown_table(const ReportData& d) {
  const std::vector<std::string>& categories = d.profile_categories;
  const bool overhead = d.profile_overhead;
  Table t;
  t.header = {"Run"};
  for (const auto& c : categories) t.header.push_back(category_label(c));
  if (overhead) t.header.push_back(kOverheadCategory);
  t.header.push_back("total");
  t.numeric.assign(t.header.size(), true);
  t.numeric[0] = false;
  for (const ReportRun& r : d.runs) {
    if (!r.profile) continue;
    std::vector<std::string> row{d.run_label(r)};
    for (const auto& c : categories) {
      const auto it = std::find_if(r.profile->categories.begin(), r.profile->categories.end(), [&](const auto& p) { return p.first == c; });
      row.push_back(it == r.profile->categories.end() ? "" : format_sig(it->second));
    }
    if (overhead) row.push_back(r.profile->overhead_ms ? format_sig(*r.profile->overhead_ms) : kDash);
    row.push_back(format_sig(r.profile->total_ms()));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table energy_table(const ReportData& d) {
  Table t{{"Model", "Backend", "Source", "Median (ms)", "Avg power (W)", "Idle power (W)", "mJ / inference", "Net mJ / inference"},
          {false, false, false, true, true, true, true, true},
          {}};
  const auto sig = [](double v) { return format_sig(v); };
  for (const ReportRun& r : d.runs) {
    if (!r.energy) continue;
    const bench::Energy& e = *r.energy;
    t.rows.push_back({r.model, d.configs[r.config].label, e.source.empty() ? kDash : e.source,
                      r.timed() ? format_sig(r.latency->median) : kDash, or_dash(e.avg_power_w, sig),
                      or_dash(e.idle_power_w, sig), or_dash(e.mj_per_inference, sig), or_dash(e.net_mj_per_inference, sig)});
  }
  return t;
}

Table temperature_table(const ReportData& d) {
  Table t{{"Run", "Sensor", "Samples", "Duration (s)", "First (\xC2\xB0""C)", "Max (\xC2\xB0""C)", "Last (\xC2\xB0""C)"},
          {false, false, true, true, true, true, true},
          {}};
  // As the figure: thermal runs, then latency runs that sampled temperature.
  for (const auto* runs : {&d.thermal_runs, &d.runs})
    for (const ReportRun& r : *runs)
      for (const auto& trace : r.temperature) {
        if (trace.series.empty()) continue;
        double max_c = -INFINITY;
        for (const auto& p : trace.series) max_c = std::max(max_c, p.y);
        t.rows.push_back({d.run_label(r), trace.source.empty() ? kDash : trace.source, std::to_string(trace.series.size()),
                          format_fixed(trace.series.back().x - trace.series.front().x, 0), format_fixed(trace.series.front().y, 1),
                          format_fixed(max_c, 1), format_fixed(trace.series.back().y, 1)});
      }
  return t;
}

Table machine_table(const ReportData& d) {
  Table t{{"Host", "CPU", "Arch", "Cores", "Memory", "Governor", "Kernel"},
          {false, false, false, true, true, false, false},
          {}};
  for (const EnvironmentRow& e : d.environments) {
    const auto& env = e.env;
    std::string cores = env.cores ? std::to_string(env.cores) : kDash;
    if (env.cores_available && env.cores_available != env.cores) cores = std::to_string(env.cores_available) + " of " + cores;
    std::vector<std::string> row{or_dash(env.host), or_dash(env.cpu), or_dash(env.arch), cores,
                                 env.memory_bytes ? format_fixed(*env.memory_bytes / 1073741824.0, 1) + " GiB" : kDash,
                                 env.governor.value_or(kDash), or_dash(env.kernel)};
    if (std::find(t.rows.begin(), t.rows.end(), row) == t.rows.end()) t.rows.push_back(std::move(row));
  }
  return t;
}

Table software_table(const ReportData& d) {
  Table t{{"Host", "Backend", "Version", "Compiler", "edgebench", "Runs", "Measured (UTC)"},
          {false, false, false, false, false, true, false},
          {}};
  // "2024-05-01T12:00:00.123Z" -> "2024-05-01 12:00"
  const auto minute = [](const std::string& ts) { return ts.size() >= 16 ? ts.substr(0, 10) + " " + ts.substr(11, 5) : ts; };
  for (const EnvironmentRow& e : d.environments) {
    const auto& env = e.env;
    std::string eb = or_dash(env.edgebench_version);
    if (!env.git.empty()) eb += " (" + env.git + ")";
    std::string when = minute(e.first_timestamp);
    if (minute(e.last_timestamp) != when) when += " \xE2\x80\x93 " + minute(e.last_timestamp);
    t.rows.push_back({or_dash(env.host), e.backend, or_dash(env.backend_version.value_or("")), or_dash(env.compiler), eb,
                      std::to_string(e.runs), or_dash(when)});
  }
  return t;
}

}  // namespace eb::report
