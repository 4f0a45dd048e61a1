#include "bench/record.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

namespace eb::bench {
namespace {

using nlohmann::json;

RunRecord full_record() {
  RunRecord r;
  r.model = "resnet18";
  r.backend = "native";
  r.device = "cpu";
  r.precision = "fp32";
  r.threads = 4;
  r.status = RunStatus::ok;
  r.init_ms = 12.5;
  r.load_ms = 3.25;
  r.first_ms = 40.0;
  r.warmup_runs = 3;
  r.runs = 200;
  r.latency_ms = LatencyMs{10.1, 10.0, 10.5, 11.25, 9.5, 13.0, 0.3, 9.9, 10.2};
  r.cv = 0.0297;
  r.stable = true;
  r.unstable = false;
  r.harness_overhead_ns = 45;
  r.peak_rss_bytes = 123456789;
  r.cpu_steal = 0.031;
  r.model_info = {{"params", 11689512}, {"macs", 1814073344}};
  r.energy = Energy{"rapl", 35.5, 12.0, 358.5, std::nullopt};
  r.temperature = {{"max_c", 71.5}};
  r.profile = json::array({{{"category", "convolution"}, {"ms", 7.5}}});
  r.env.host = "pi";
  r.env.cpu = "Cortex-A53";
  r.env.cores = 4;
  r.env.cores_available = 4;
  r.env.governor = "ondemand";
  r.env.kernel = "Linux 6.1";
  r.env.compiler = "gcc 12";
  r.env.backend_version = "native 0.1";
  r.env.edgebench_version = "0.1.0";
  r.env.git = "abc1234";
  r.env.seed = 7;
  r.timestamp = "2024-05-01T12:00:00.123Z";
  r.options.runs = 50;
  return r;
}

TEST(RunRecord, JsonHasExactlyTheContractKeys) {
  const json j = to_json(full_record());
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.insert(k);
  const std::set<std::string> expected = {
      "model", "backend", "mode", "device", "precision", "threads", "status", "error", "init_ms", "load_ms",
      "first_ms", "warmup_runs", "runs", "latency_ms", "cv", "stable", "unstable", "harness_overhead_ns",
      "peak_rss_bytes", "cpu_steal", "model_info", "energy", "temperature", "profile", "env", "timestamp", "options"};
  EXPECT_EQ(keys, expected);
  std::set<std::string> latency;
  for (const auto& [k, v] : j["latency_ms"].items()) latency.insert(k);
  EXPECT_EQ(latency, (std::set<std::string>{"mean", "median", "p90", "p99", "min", "max", "stddev", "ci95_low",
                                            "ci95_high"}));
  std::set<std::string> energy;
  for (const auto& [k, v] : j["energy"].items()) energy.insert(k);
  EXPECT_EQ(energy, (std::set<std::string>{"source", "avg_power_w", "idle_power_w", "mj_per_inference",
                                           "net_mj_per_inference"}));
  for (const char* k : {"host", "cpu", "cores", "kernel", "compiler", "backend_version", "edgebench_version", "git"}) {
    EXPECT_TRUE(j["env"].contains(k)) << k;
  }
  EXPECT_EQ(j["status"], "ok");
}

TEST(RunRecord, RoundTripsThroughJsonText) {
  const RunRecord r = full_record();
  auto back = record_from_json(json::parse(to_json(r).dump()));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(*back, r);
}

TEST(RunRecord, UnmeasuredFiguresAreNullNeverZero) {
  RunRecord r;
  r.model = "vgg16";
  r.backend = "libtorch";
  r.status = RunStatus::out_of_memory;
  r.error = "std::bad_alloc while allocating conv5_3";
  const json j = to_json(r);
  for (const char* k : {"init_ms", "load_ms", "first_ms", "latency_ms", "cv", "harness_overhead_ns",
                        "peak_rss_bytes", "cpu_steal", "model_info", "energy", "temperature", "profile"}) {
    EXPECT_TRUE(j[k].is_null()) << k;
  }
  EXPECT_EQ(j["status"], "out_of_memory");
  EXPECT_TRUE(j["env"]["governor"].is_null());
  auto back = record_from_json(j);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, r);

  RunRecord partial = full_record();
  partial.latency_ms->stddev.reset();
  partial.energy->avg_power_w.reset();
  const json pj = to_json(partial);
  EXPECT_TRUE(pj["latency_ms"]["stddev"].is_null());
  EXPECT_TRUE(pj["energy"]["avg_power_w"].is_null());
}

TEST(RunRecord, ModeIsNullForTheDefaultAndRoundTrips) {
  RunRecord r = full_record();
  EXPECT_TRUE(to_json(r)["mode"].is_null());
  r.backend = "libtorch";
  r.mode = "script";
  const json j = to_json(r);
  EXPECT_EQ(j["backend"], "libtorch");
  EXPECT_EQ(j["mode"], "script");
  auto back = record_from_json(json::parse(j.dump()));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(*back, r);

  json wrong = j;
  wrong["mode"] = 3;
  auto bad = record_from_json(wrong);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("'mode'"), std::string::npos) << bad.status().message();
}

TEST(RunRecord, OldRecordsWithAVariantInTheBackendReadAsBackendAndMode) {
  json old = to_json(full_record());
  old.erase("mode");
  old["backend"] = "libtorch:script";
  auto r = record_from_json(old);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->backend, "libtorch");
  EXPECT_EQ(r->mode, "script");

  old["backend"] = "native";
  r = record_from_json(old);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->backend, "native");
  EXPECT_EQ(r->mode, "");

  // A record that has the key means what it says.
  json current = to_json(full_record());
  current["backend"] = "external:tvm";
  r = record_from_json(current);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->backend, "external:tvm");
  EXPECT_EQ(r->mode, "");
}

TEST(BackendVariant, ParsesLabelsAndSpellsBack) {
  EXPECT_EQ(parse_backend_variant("libtorch:script"), (BackendVariant{"libtorch", "script"}));
  EXPECT_EQ(parse_backend_variant("native"), (BackendVariant{"native", ""}));
  EXPECT_EQ(parse_backend_variant("native:"), (BackendVariant{"native", ""}));
  EXPECT_EQ(parse_backend_variant("x:a:b"), (BackendVariant{"x", "a:b"}));  // the mode is all after the first ':'
  EXPECT_EQ(variant_label("libtorch", "script"), "libtorch (script)");
  EXPECT_EQ(variant_label("opencv", ""), "opencv");
  EXPECT_EQ(variant_spec("libtorch", "eager"), "libtorch:eager");
  EXPECT_EQ(variant_spec("darknet", ""), "darknet");
  EXPECT_EQ(parse_backend_variant(variant_spec("libtorch", "eager")), (BackendVariant{"libtorch", "eager"}));
}

TEST(RunRecord, AllStatusesRoundTrip) {
  for (RunStatus s : {RunStatus::ok, RunStatus::unsupported, RunStatus::failed, RunStatus::out_of_memory,
                      RunStatus::crashed, RunStatus::timeout, RunStatus::not_built}) {
    auto parsed = parse_run_status(to_string(s));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_FALSE(parse_run_status("success").is_ok());
}

TEST(RunRecord, MalformedJsonNamesTheKey) {
  json j = to_json(full_record());
  j["latency_ms"]["p90"] = "fast";
  auto r = record_from_json(j);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(r.status().message().find("latency_ms.p90"), std::string::npos) << r.status().message();

  json k = to_json(full_record());
  k["status"] = "great";
  auto s = record_from_json(k);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("'status'"), std::string::npos) << s.status().message();

  json m = to_json(full_record());
  m.erase("model");
  auto t = record_from_json(m);
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("'model': missing"), std::string::npos) << t.status().message();

  EXPECT_FALSE(record_from_json(json::array()).is_ok());
}

TEST(RunRecord, ApplyTimingsFillsTheMeasuredFields) {
  RunTimings t;
  t.first_ns = 40'000'000;
  t.warmup_runs = 3;
  for (int i = 1; i <= 10; ++i) t.samples_ns.push_back(i * 1'000'000);
  t.stable = false;
  RunRecord r;
  apply_timings(r, t);
  EXPECT_EQ(r.first_ms, 40.0);
  EXPECT_EQ(r.warmup_runs, 3);
  EXPECT_EQ(r.runs, 10);
  ASSERT_TRUE(r.latency_ms.has_value());
  EXPECT_DOUBLE_EQ(r.latency_ms->median, 5.0);
  EXPECT_DOUBLE_EQ(*r.latency_ms->ci95_low, 2.0);
  EXPECT_DOUBLE_EQ(*r.latency_ms->ci95_high, 9.0);
  EXPECT_TRUE(r.unstable);
  EXPECT_FALSE(r.stable);

  RunTimings empty;
  apply_timings(r, empty);
  EXPECT_FALSE(r.latency_ms.has_value());
  EXPECT_FALSE(r.cv.has_value());
  EXPECT_EQ(r.runs, 0);
}

TEST(RunKey, HashFollowsTheOptions) {
  RunOptions a;
  RunOptions b;
  EXPECT_EQ(options_hash(a), options_hash(b));
  EXPECT_EQ(options_hash(a).size(), 16u);
  b.target_ci_pct = 2.0;
  EXPECT_NE(options_hash(a), options_hash(b));
  RunRecord r = full_record();
  const RunKey key = key_of(r);
  EXPECT_EQ(key.model, "resnet18");
  EXPECT_EQ(key.threads, 4);
  EXPECT_EQ(key.options_hash, options_hash(r.options));
  RunRecord variant = r;
  variant.mode = "unfused";
  EXPECT_EQ(key_of(variant).mode, "unfused");
  EXPECT_NE(key_of(variant), key);
}

TEST(RunRecord, PowerSamplesRoundTripAsPairsInsideEnergy) {
  RunRecord r = full_record();
  r.energy->samples = {{0.0, 35.25}, {0.1, 36.5}, {0.2, 34.75}};
  const json j = to_json(r);
  EXPECT_EQ(j["energy"]["samples"], json::parse("[[0.0, 35.25], [0.1, 36.5], [0.2, 34.75]]"));
  auto back = record_from_json(json::parse(j.dump()));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(*back, r);

  // Records from before the samples existed, and "samples": null, read as none.
  json old = j;
  old["energy"].erase("samples");
  auto without = record_from_json(old);
  ASSERT_TRUE(without.is_ok()) << without.status().message();
  EXPECT_TRUE(without->energy->samples.empty());
  old["energy"]["samples"] = nullptr;
  ASSERT_TRUE(record_from_json(old).is_ok());

  json bad = j;
  bad["energy"]["samples"][1] = json::array({0.1});
  auto broken = record_from_json(bad);
  ASSERT_FALSE(broken.is_ok());
  EXPECT_NE(broken.status().message().find("energy.samples[1]"), std::string::npos) << broken.status().message();
  bad["energy"]["samples"] = "none";
  EXPECT_FALSE(record_from_json(bad).is_ok());
}

TEST(PowerSamples, ThinnedEvenlyKeepingBothEnds) {
  std::vector<PowerSample> many;
  for (int i = 0; i < 25'000; ++i) many.push_back({i * 0.1, static_cast<double>(i)});
  const std::vector<PowerSample> kept = thin_evenly(many);
  ASSERT_EQ(kept.size(), kMaxPowerSamples);
  EXPECT_EQ(kept.front(), many.front());
  EXPECT_EQ(kept.back(), many.back());
  // Index steps of 2 or 3 (25,000 / 10,000 = 2.5), never a gap or a repeat.
  for (std::size_t i = 1; i < kept.size(); ++i) {
    const double step = kept[i].watts - kept[i - 1].watts;
    ASSERT_TRUE(step == 2 || step == 3) << "at " << i << ": " << step;
  }

  const std::vector<PowerSample> few(many.begin(), many.begin() + 7);
  EXPECT_EQ(thin_evenly(few), few);  // under the cap: all kept
  EXPECT_EQ(thin_evenly(many, 2), (std::vector<PowerSample>{many.front(), many.back()}));
  EXPECT_EQ(thin_evenly(many, 1), (std::vector<PowerSample>{many.front()}));
  EXPECT_TRUE(thin_evenly(many, 0).empty());
}

TEST(RunKey, PurposeSeparatesThermalRunsAndLeavesOldHashesAlone) {
  // The default purpose is not written, so the canonical JSON (and with it
  // every hash stored before "purpose" existed) is what it was.
  const RunOptions latency;
  EXPECT_EQ(latency.purpose, "latency");
  EXPECT_EQ(to_json(latency).dump(),
            R"({"max_runs":1000000,"max_secs":60.0,"min_secs":2.0,"runs":20,"target_ci_pct":1.0,"warmup_runs":3,"warmup_secs":0.5})");

  RunOptions thermal = latency;
  thermal.purpose = kThermalPurpose;
  EXPECT_EQ(to_json(thermal)["purpose"], "thermal");
  EXPECT_NE(options_hash(thermal), options_hash(latency));
  auto back = options_from_json(to_json(thermal));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(*back, thermal);
  auto old = options_from_json(to_json(latency));
  ASSERT_TRUE(old.is_ok());
  EXPECT_EQ(old->purpose, "latency");

  RunRecord a = full_record();
  RunRecord b = a;
  b.options.purpose = kThermalPurpose;
  EXPECT_NE(key_of(a), key_of(b));
}

TEST(Timestamp, IsIso8601Utc) {
  const std::string ts = utc_timestamp_now();
  EXPECT_TRUE(std::regex_match(ts, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"))) << ts;
}

TEST(SamplesCsv, OneLinePerIteration) {
  std::ostringstream out;
  write_samples_csv(out, std::vector<int64_t>{1500, 1600, 1550});
  EXPECT_EQ(out.str(), "iteration,ns\n0,1500\n1,1600\n2,1550\n");
}

TEST(SamplesCsv, UnwritablePathIsAnErrorNamingIt) {
  const std::filesystem::path bad = "/proc/edgebench-no-such-dir/samples.csv";
  auto s = write_samples_csv(bad, std::vector<int64_t>{1});
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), ErrorCode::io_error);
  EXPECT_NE(s.message().find(bad.string()), std::string::npos) << s.message();
}

}  // namespace
}  // namespace eb::bench
