// Export of stored runs as CSV (one flat row per run, for spreadsheets and
// pandas) and JSON (the full records).
#include <charconv>
#include <functional>

#include "store/results_db.h"

namespace eb::store {
namespace {

using bench::RunRecord;

std::string number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return ec == std::errc() ? std::string(buf, end) : std::string();
}
std::string number(int64_t v) { return std::to_string(v); }
template <typename T>
std::string number(const std::optional<T>& v) {
  return v ? number(*v) : std::string();  // unmeasured: an empty field, never 0
}

// RFC 4180: quote a field holding a separator, a quote or a line break.
std::string quoted(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

struct Column {
  std::string name;
  std::function<std::string(const StoredRun&)> value;
};

std::optional<double> latency(const RunRecord& r, double bench::LatencyMs::*m) {
  return r.latency_ms ? std::optional<double>((*r.latency_ms).*m) : std::nullopt;
}
std::optional<double> latency(const RunRecord& r, std::optional<double> bench::LatencyMs::*m) {
  return r.latency_ms ? (*r.latency_ms).*m : std::nullopt;
}
std::optional<double> energy(const RunRecord& r, std::optional<double> bench::Energy::*m) {
  return r.energy ? (*r.energy).*m : std::nullopt;
}

// One table, so the header and the values cannot drift apart.
const std::vector<Column>& columns() {
  using L = bench::LatencyMs;
  using E = bench::Energy;
  static const std::vector<Column> kColumns = {
      {"id", [](const StoredRun& s) { return number(s.id); }},
      {"timestamp", [](const StoredRun& s) { return s.record.timestamp; }},
      {"model", [](const StoredRun& s) { return s.record.model; }},
      {"backend", [](const StoredRun& s) { return s.record.backend; }},
      {"mode", [](const StoredRun& s) { return s.record.mode; }},
      {"device", [](const StoredRun& s) { return s.record.device; }},
      {"precision", [](const StoredRun& s) { return s.record.precision; }},
      {"threads", [](const StoredRun& s) { return number(int64_t{s.record.threads}); }},
      {"status", [](const StoredRun& s) { return std::string(bench::to_string(s.record.status)); }},
      {"error", [](const StoredRun& s) { return s.record.error.value_or(""); }},
      {"init_ms", [](const StoredRun& s) { return number(s.record.init_ms); }},
      {"load_ms", [](const StoredRun& s) { return number(s.record.load_ms); }},
      {"first_ms", [](const StoredRun& s) { return number(s.record.first_ms); }},
      {"warmup_runs", [](const StoredRun& s) { return number(s.record.warmup_runs); }},
      {"runs", [](const StoredRun& s) { return number(s.record.runs); }},
      {"mean_ms", [](const StoredRun& s) { return number(latency(s.record, &L::mean)); }},
      {"median_ms", [](const StoredRun& s) { return number(latency(s.record, &L::median)); }},
      {"p90_ms", [](const StoredRun& s) { return number(latency(s.record, &L::p90)); }},
      {"p99_ms", [](const StoredRun& s) { return number(latency(s.record, &L::p99)); }},
      {"min_ms", [](const StoredRun& s) { return number(latency(s.record, &L::min)); }},
      {"max_ms", [](const StoredRun& s) { return number(latency(s.record, &L::max)); }},
      {"stddev_ms", [](const StoredRun& s) { return number(latency(s.record, &L::stddev)); }},
      {"ci95_low_ms", [](const StoredRun& s) { return number(latency(s.record, &L::ci95_low)); }},
      {"ci95_high_ms", [](const StoredRun& s) { return number(latency(s.record, &L::ci95_high)); }},
      {"cv", [](const StoredRun& s) { return number(s.record.cv); }},
      {"stable", [](const StoredRun& s) { return std::string(s.record.stable ? "true" : "false"); }},
      {"unstable", [](const StoredRun& s) { return std::string(s.record.unstable ? "true" : "false"); }},
      {"harness_overhead_ns", [](const StoredRun& s) { return number(s.record.harness_overhead_ns); }},
      {"peak_rss_bytes", [](const StoredRun& s) { return number(s.record.peak_rss_bytes); }},
      {"energy_source", [](const StoredRun& s) { return s.record.energy ? s.record.energy->source : ""; }},
      {"avg_power_w", [](const StoredRun& s) { return number(energy(s.record, &E::avg_power_w)); }},
      {"idle_power_w", [](const StoredRun& s) { return number(energy(s.record, &E::idle_power_w)); }},
      {"mj_per_inference", [](const StoredRun& s) { return number(energy(s.record, &E::mj_per_inference)); }},
      {"net_mj_per_inference",
       [](const StoredRun& s) { return number(energy(s.record, &E::net_mj_per_inference)); }},
      {"host", [](const StoredRun& s) { return s.record.env.host; }},
      {"cpu", [](const StoredRun& s) { return s.record.env.cpu; }},
      {"backend_version", [](const StoredRun& s) { return s.record.env.backend_version.value_or(""); }},
      {"git", [](const StoredRun& s) { return s.record.env.git; }},
  };
  return kColumns;
}

}  // namespace

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& c : columns()) names.push_back(c.name);
    return names;
  }();
  return kNames;
}

std::string runs_to_csv(std::span<const StoredRun> runs) {
  std::string out;
  const auto& cols = columns();
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ',';
    out += cols[i].name;
  }
  out += '\n';
  for (const StoredRun& run : runs) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ',';
      out += quoted(cols[i].value(run));
    }
    out += '\n';
  }
  return out;
}

std::string runs_to_json(std::span<const StoredRun> runs) {
  nlohmann::json array = nlohmann::json::array();
  for (const StoredRun& run : runs) {
    nlohmann::json record = bench::to_json(run.record);
    record["id"] = run.id;
    array.push_back(std::move(record));
  }
  return array.dump(2) + "\n";
}

}  // namespace eb::store
