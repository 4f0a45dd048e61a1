#include "bench/record.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <system_error>

namespace eb::bench {
namespace {

using nlohmann::json;

template <typename T>
json nullable(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

template <typename T>
bool has_type(const json& j) {
  if constexpr (std::is_same_v<T, bool>) return j.is_boolean();
  else if constexpr (std::is_same_v<T, std::string>) return j.is_string();
  else if constexpr (std::is_integral_v<T>) return j.is_number_integer();
  else if constexpr (std::is_floating_point_v<T>) return j.is_number();
  else return false;
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else if constexpr (std::is_integral_v<T>) return "an integer";
  else return "a number";
}

// Reads typed fields from one JSON object and keeps the first error, so the
// parsers below read as a list of keys instead of a ladder of ifs.
class FieldReader {
 public:
  FieldReader(const json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {
    if (!object_.is_object()) fail("", "expected an object, got " + std::string(object_.type_name()));
  }

  // Absent or null keeps `out` as it is.
  template <typename T>
  void get(const char* key, T& out) {
    const json* v = find(key);
    if (!v || v->is_null()) return;
    if (!has_type<T>(*v)) return fail(key, std::string("expected ") + type_name<T>() + ", got " + v->type_name());
    out = v->get<T>();
  }
  template <typename T>
  void get(const char* key, std::optional<T>& out) {
    const json* v = find(key);
    if (!v || v->is_null()) {
      out.reset();
      return;
    }
    T value{};
    get(key, value);
    if (status_.is_ok()) out = std::move(value);
  }
  void require(const char* key) {
    const json* v = find(key);
    if (!v || v->is_null()) fail(key, "missing");
  }
  const json* find(const char* key) const {
    if (!object_.is_object()) return nullptr;
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::string path(const char* key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
  void merge(const Status& s) {
    if (status_.is_ok() && !s.is_ok()) status_ = s;
  }
  const Status& status() const { return status_; }

 private:
  void fail(const char* key, const std::string& what) {
    merge(invalid_argument("run record key '" + path(key) + "': " + what));
  }
  const json& object_;
  std::string prefix_;
  Status status_;
};

json latency_to_json(const LatencyMs& l) {
  return {{"mean", l.mean},         {"median", l.median},     {"p90", l.p90},
          {"p99", l.p99},           {"min", l.min},           {"max", l.max},
          {"stddev", nullable(l.stddev)}, {"ci95_low", nullable(l.ci95_low)},
          {"ci95_high", nullable(l.ci95_high)}};
}

json energy_to_json(const Energy& e) {
  json j = {{"source", e.source},
            {"avg_power_w", nullable(e.avg_power_w)},
            {"idle_power_w", nullable(e.idle_power_w)},
            {"mj_per_inference", nullable(e.mj_per_inference)},
            {"net_mj_per_inference", nullable(e.net_mj_per_inference)}};
  if (!e.samples.empty()) {
    json samples = json::array();
    for (const PowerSample& s : e.samples) samples.push_back(json::array({s.t_s, s.watts}));
    j["samples"] = std::move(samples);
  }
  return j;
}

Result<std::vector<PowerSample>> power_samples_from_json(const json& j) {
  if (!j.is_array()) return invalid_argument("run record key 'energy.samples': expected an array of [t_s, W]");
  std::vector<PowerSample> samples;
  samples.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& p = j[i];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      return invalid_argument("run record key 'energy.samples[" + std::to_string(i) + "]': expected [t_s, W], got " +
                              p.dump());
    }
    samples.push_back({p[0].get<double>(), p[1].get<double>()});
  }
  return samples;
}

Result<LatencyMs> latency_from_json(const json& j) {
  LatencyMs l;
  FieldReader r(j, "latency_ms");
  for (const char* key : {"mean", "median", "p90", "p99", "min", "max"}) r.require(key);
  r.get("mean", l.mean);
  r.get("median", l.median);
  r.get("p90", l.p90);
  r.get("p99", l.p99);
  r.get("min", l.min);
  r.get("max", l.max);
  r.get("stddev", l.stddev);
  r.get("ci95_low", l.ci95_low);
  r.get("ci95_high", l.ci95_high);
  if (!r.status().is_ok()) return r.status();
  return l;
}

Result<Energy> energy_from_json(const json& j) {
  Energy e;
  FieldReader r(j, "energy");
  r.get("source", e.source);
  r.get("avg_power_w", e.avg_power_w);
  r.get("idle_power_w", e.idle_power_w);
  r.get("mj_per_inference", e.mj_per_inference);
  r.get("net_mj_per_inference", e.net_mj_per_inference);
  if (!r.status().is_ok()) return r.status();
  if (const json* v = r.find("samples"); v && !v->is_null()) {
    EB_ASSIGN_OR_RETURN(e.samples, power_samples_from_json(*v));
  }
  return e;
}

// A free-form member: absent reads as null, anything else is kept as is.
json free_form(const FieldReader& r, const char* key) {
  const json* v = r.find(key);
  return v ? *v : json(nullptr);
}

}  // namespace

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::ok: return "ok";
    case RunStatus::unsupported: return "unsupported";
    case RunStatus::failed: return "failed";
    case RunStatus::out_of_memory: return "out_of_memory";
    case RunStatus::crashed: return "crashed";
    case RunStatus::timeout: return "timeout";
    case RunStatus::not_built: return "not_built";
  }
  return "failed";
}

Result<RunStatus> parse_run_status(std::string_view text) {
  for (RunStatus s : {RunStatus::ok, RunStatus::unsupported, RunStatus::failed, RunStatus::out_of_memory,
                      RunStatus::crashed, RunStatus::timeout, RunStatus::not_built}) {
    if (text == to_string(s)) return s;
  }
  return invalid_argument("unknown run status '" + std::string(text) +
                          "' (expected ok|unsupported|failed|out_of_memory|crashed|timeout|not_built)");
}

std::vector<PowerSample> thin_evenly(std::vector<PowerSample> samples, std::size_t max_points) {
  if (samples.size() <= max_points) return samples;
  if (max_points < 2) {
    samples.resize(max_points);
    return samples;
  }
  // Index i * (n - 1) / (m - 1), rounded: strictly increasing because n > m,
  // from 0 to n - 1.
  const std::size_t last = samples.size() - 1;
  std::vector<PowerSample> kept;
  kept.reserve(max_points);
  for (std::size_t i = 0; i < max_points; ++i) {
    kept.push_back(samples[(i * last + (max_points - 1) / 2) / (max_points - 1)]);
  }
  return kept;
}

void apply_timings(RunRecord& record, const RunTimings& timings) {
  record.first_ms = ns_to_ms(static_cast<double>(timings.first_ns));
  record.warmup_runs = timings.warmup_runs;
  record.runs = static_cast<int64_t>(timings.samples_ns.size());
  record.stable = timings.stable;
  auto summary = summarize(timings.samples_ns);
  if (!summary.is_ok()) {
    record.latency_ms.reset();
    record.cv.reset();
    record.unstable = false;
    return;
  }
  const Summary& s = *summary;
  record.latency_ms = LatencyMs{s.mean_ms, s.median_ms, s.p90_ms, s.p99_ms, s.min_ms,
                                s.max_ms,  s.stddev_ms, s.ci95_low_ms, s.ci95_high_ms};
  record.cv = s.cv;
  record.unstable = s.unstable;
}

json to_json(const Environment& env) {
  return {{"host", env.host},
          {"cpu", env.cpu},
          {"arch", env.arch},
          {"cores", env.cores},
          {"cores_available", env.cores_available},
          {"governor", nullable(env.governor)},
          {"memory_bytes", nullable(env.memory_bytes)},
          {"kernel", env.kernel},
          {"compiler", env.compiler},
          {"backend_version", nullable(env.backend_version)},
          {"edgebench_version", env.edgebench_version},
          {"git", env.git},
          {"seed", env.seed}};
}

json to_json(const RunOptions& o) {
  json j = {{"warmup_runs", o.warmup_runs}, {"warmup_secs", o.warmup_secs},     {"runs", o.runs},
            {"min_secs", o.min_secs},       {"max_secs", o.max_secs},           {"target_ci_pct", o.target_ci_pct},
            {"max_runs", o.max_runs}};
  // Only when not the default: options_hash hashes this object, and the
  // records stored before "purpose" existed must keep their hashes.
  if (o.purpose != kLatencyPurpose) j["purpose"] = o.purpose;
  return j;
}

json to_json(const RunRecord& r) {
  json j = json::object();
  j["model"] = r.model;
  j["backend"] = r.backend;
  j["mode"] = r.mode.empty() ? json(nullptr) : json(r.mode);
  j["device"] = r.device;
  j["precision"] = r.precision;
  j["threads"] = r.threads;
  j["status"] = to_string(r.status);
  j["error"] = nullable(r.error);
  j["init_ms"] = nullable(r.init_ms);
  j["load_ms"] = nullable(r.load_ms);
  j["first_ms"] = nullable(r.first_ms);
  j["warmup_runs"] = r.warmup_runs;
  j["runs"] = r.runs;
  j["latency_ms"] = r.latency_ms ? latency_to_json(*r.latency_ms) : json(nullptr);
  j["cv"] = nullable(r.cv);
  j["stable"] = r.stable;
  j["unstable"] = r.unstable;
  j["harness_overhead_ns"] = nullable(r.harness_overhead_ns);
  j["peak_rss_bytes"] = nullable(r.peak_rss_bytes);
  j["cpu_steal"] = nullable(r.cpu_steal);
  j["model_info"] = r.model_info;
  j["energy"] = r.energy ? energy_to_json(*r.energy) : json(nullptr);
  j["temperature"] = r.temperature;
  j["profile"] = r.profile;
  j["env"] = to_json(r.env);
  j["timestamp"] = r.timestamp;
  j["options"] = to_json(r.options);
  return j;
}

Result<Environment> environment_from_json(const json& j) {
  Environment env;
  FieldReader r(j, "env");
  r.get("host", env.host);
  r.get("cpu", env.cpu);
  r.get("arch", env.arch);
  r.get("cores", env.cores);
  r.get("cores_available", env.cores_available);
  r.get("governor", env.governor);
  r.get("memory_bytes", env.memory_bytes);
  r.get("kernel", env.kernel);
  r.get("compiler", env.compiler);
  r.get("backend_version", env.backend_version);
  r.get("edgebench_version", env.edgebench_version);
  r.get("git", env.git);
  r.get("seed", env.seed);
  if (!r.status().is_ok()) return r.status();
  return env;
}

Result<RunOptions> options_from_json(const json& j) {
  RunOptions o;
  FieldReader r(j, "options");
  r.get("warmup_runs", o.warmup_runs);
  r.get("warmup_secs", o.warmup_secs);
  r.get("runs", o.runs);
  r.get("min_secs", o.min_secs);
  r.get("max_secs", o.max_secs);
  r.get("target_ci_pct", o.target_ci_pct);
  r.get("max_runs", o.max_runs);
  r.get("purpose", o.purpose);
  if (!r.status().is_ok()) return r.status();
  return o;
}

Result<RunRecord> record_from_json(const json& j) {
  RunRecord rec;
  FieldReader r(j, "");
  for (const char* key : {"model", "backend", "status"}) r.require(key);
  r.get("model", rec.model);
  r.get("backend", rec.backend);
  r.get("mode", rec.mode);
  if (!r.find("mode")) {
    // Records written before "mode" existed said "libtorch:script" instead.
    // (Newer records always have the key, null for the default mode.)
    BackendVariant variant = parse_backend_variant(rec.backend);
    rec.backend = std::move(variant.backend);
    rec.mode = std::move(variant.mode);
  }
  r.get("device", rec.device);
  r.get("precision", rec.precision);
  r.get("threads", rec.threads);
  std::string status;
  r.get("status", status);
  if (r.status().is_ok()) {
    auto parsed = parse_run_status(status);
    if (parsed.is_ok()) rec.status = *parsed;
    else r.merge(parsed.status().with_context("run record key 'status'"));
  }
  r.get("error", rec.error);
  r.get("init_ms", rec.init_ms);
  r.get("load_ms", rec.load_ms);
  r.get("first_ms", rec.first_ms);
  r.get("warmup_runs", rec.warmup_runs);
  r.get("runs", rec.runs);
  r.get("cv", rec.cv);
  r.get("stable", rec.stable);
  r.get("unstable", rec.unstable);
  r.get("harness_overhead_ns", rec.harness_overhead_ns);
  r.get("peak_rss_bytes", rec.peak_rss_bytes);
  r.get("cpu_steal", rec.cpu_steal);
  r.get("timestamp", rec.timestamp);
  rec.model_info = free_form(r, "model_info");
  rec.temperature = free_form(r, "temperature");
  rec.profile = free_form(r, "profile");
  if (!r.status().is_ok()) return r.status();

  if (const json* v = r.find("latency_ms"); v && !v->is_null()) {
    EB_ASSIGN_OR_RETURN(rec.latency_ms, latency_from_json(*v));
  }
  if (const json* v = r.find("energy"); v && !v->is_null()) {
    EB_ASSIGN_OR_RETURN(rec.energy, energy_from_json(*v));
  }
  if (const json* v = r.find("env"); v && !v->is_null()) {
    EB_ASSIGN_OR_RETURN(rec.env, environment_from_json(*v));
  }
  if (const json* v = r.find("options"); v && !v->is_null()) {
    EB_ASSIGN_OR_RETURN(rec.options, options_from_json(*v));
  }
  return rec;
}

std::string options_hash(const RunOptions& options) {
  // FNV-1a: tiny, stable across platforms and releases (std::hash is not).
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : to_json(options).dump()) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

RunKey key_of(const RunRecord& r) {
  return {r.model, r.backend, r.mode, r.device, r.precision, r.threads, options_hash(r.options)};
}

BackendVariant parse_backend_variant(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return {std::string(text), ""};
  return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::string variant_spec(const std::string& backend, const std::string& mode) {
  return mode.empty() ? backend : backend + ":" + mode;
}

std::string variant_label(const std::string& backend, const std::string& mode) {
  return mode.empty() ? backend : backend + " (" + mode + ")";
}

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t len = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + len, sizeof buf - len, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

void write_samples_csv(std::ostream& out, std::span<const int64_t> samples_ns) {
  out << "iteration,ns\n";
  for (size_t i = 0; i < samples_ns.size(); ++i) out << i << ',' << samples_ns[i] << '\n';
}

Status write_samples_csv(const std::filesystem::path& path, std::span<const int64_t> samples_ns) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return io_error("cannot write samples CSV '" + path.string() + "': " +
                    std::generic_category().message(errno));
  }
  write_samples_csv(out, samples_ns);
  out.flush();
  if (!out) return io_error("error writing samples CSV '" + path.string() + "'");
  return Status::ok();
}

}  // namespace eb::bench
