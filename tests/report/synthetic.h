// Synthetic run records for the report tests: a small sweep with every
// status, a model named after a hostile file path, a repeated run, and
// (optionally) profile, energy and temperature data in the layouts the
// sensors and profiling work write.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/record.h"

namespace eb::report::testing {

inline constexpr const char* kHostileModel = "/data/onnx/<b>evil</b> & \"quoted\" | 'model'\x01.onnx";

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("eb_report_" + std::to_string(getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

inline bench::RunRecord make_run(const std::string& model, const std::string& backend, double median_ms,
                                 const std::string& timestamp = "2024-05-01T12:00:00.000Z") {
  bench::RunRecord r;
  r.model = model;
  r.backend = backend;
  r.threads = 2;
  r.timestamp = timestamp;
  r.runs = 40;
  r.warmup_runs = 3;
  r.init_ms = 5 * median_ms;
  r.latency_ms = bench::LatencyMs{median_ms * 1.02, median_ms, median_ms * 1.12, median_ms * 1.3, median_ms * 0.95,
                                  median_ms * 1.4,  median_ms * 0.03, median_ms * 0.99, median_ms * 1.01};
  r.stable = true;
  r.env.host = "lab-xeon";
  r.env.cpu = "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz";
  r.env.arch = "x86_64";
  r.env.cores = 2;
  r.env.cores_available = 2;
  r.env.kernel = "Linux 6.1.0-18-amd64";
  r.env.compiler = "GCC 12.2.0";
  r.env.backend_version = backend == "libtorch" ? "2.1.0" : backend == "opencv" ? "4.6.0" : "0.1.0";
  r.env.edgebench_version = "0.1.0";
  r.env.git = "e9a294f";
  return r;
}

inline bench::RunRecord make_failure(const std::string& model, const std::string& backend, bench::RunStatus status,
                                     const std::string& error) {
  bench::RunRecord r = make_run(model, backend, 1);
  r.status = status;
  r.error = error;
  r.latency_ms.reset();
  r.runs = 0;
  r.warmup_runs = 0;
  r.init_ms.reset();
  return r;
}

inline nlohmann::json make_profile(double conv, double bn, double act, double pool, double fc, double overhead) {
  // Per-node entries as the native profiler writes them, plus the overhead.
  return {{"nodes",
           {{{"node", "conv1"}, {"op", "Conv"}, {"category", "convolution"}, {"ms", conv * 0.6}},
            {{"node", "conv2"}, {"op", "Conv"}, {"category", "convolution"}, {"ms", conv * 0.4}},
            {{"node", "bn1"}, {"op", "BatchNormalization"}, {"category", "batch_norm"}, {"ms", bn}},
            {{"node", "relu1"}, {"op", "Relu"}, {"category", "activation"}, {"ms", act}},
            {{"node", "pool1"}, {"op", "MaxPool"}, {"category", "pooling"}, {"ms", pool}},
            {{"node", "fc"}, {"op", "Gemm"}, {"category", "fully_connected"}, {"ms", fc}}}},
          {"overhead_ms", overhead}};
}

inline nlohmann::json make_temperature(double idle, double steady, double tau_s, const std::string& source) {
  nlohmann::json series = nlohmann::json::array();
  for (int t = 0; t <= 600; t += 10)
    series.push_back({t, idle + (steady - idle) * (1 - std::exp(-t / tau_s)) + 0.3 * std::sin(t * 0.37)});
  return {{"source", source}, {"series", series}, {"max_c", steady}, {"steady", true}};
}

// Power readings as the run monitor keeps them: t from the window's start,
// a warm-up ramp toward `watts` with some ripple, one every 0.1 s.
inline std::vector<bench::PowerSample> make_power_samples(double watts, double seconds) {
  std::vector<bench::PowerSample> samples;
  for (int i = 0; i * 0.1 <= seconds; ++i) {
    const double t = i * 0.1;
    samples.push_back({t, watts * (1 - 0.2 * std::exp(-t / 0.5)) + 0.4 * std::sin(t * 7.0)});
  }
  return samples;
}

// A thermal run ('edgebench thermal'): long, no CI target, the temperature
// series; the same configuration as a latency run, and later.
inline bench::RunRecord make_thermal_run(const std::string& model, const std::string& backend, double median_ms,
                                         const std::string& timestamp = "2024-05-01T13:00:00.000Z") {
  bench::RunRecord r = make_run(model, backend, median_ms, timestamp);
  r.options.purpose = bench::kThermalPurpose;
  r.options.target_ci_pct = 1e9;
  r.runs = 20'000;
  r.stable = false;
  return r;
}

// A sweep of 8 zoo models and the hostile one over four backends; with
// sensors, a thermal run of resnet18 on native besides its latency run.
inline std::vector<bench::RunRecord> synthetic_sweep(bool with_sensors) {
  using bench::RunStatus;
  std::vector<bench::RunRecord> out;
  struct Row {
    const char* model;
    double native, libtorch, opencv;
  };
  const Row rows[] = {{"resnet18", 25.1, 17.9, 21.6},   {"resnet50", 61.0, 40.2, 47.5},    {"mobilenet_v2", 6.2, 4.1, 5.3},
                      {"inception_v4", 152, 0, 131},   {"alexnet", 31.5, 24.8, 0},         {"vgg16", 298, 0, 251},
                      {"tiny_yolo", 35.2, 27.9, 30.4}, {"c3d", 0, 905, 0}};
  // An older, slower run of the same configuration: superseded.
  out.push_back(make_run("resnet18", "native", 40.0, "2024-04-30T09:00:00.000Z"));
  for (const Row& row : rows) {
    const std::string m = row.model;
    if (row.native > 0) out.push_back(make_run(m, "native", row.native));
    if (row.libtorch > 0) out.push_back(make_run(m, "libtorch", row.libtorch));
    if (row.opencv > 0) out.push_back(make_run(m, "opencv", row.opencv));
  }
  out.push_back(make_failure("c3d", "native", RunStatus::failed, "node conv3d_4: Conv with dilation 2 is not implemented"));
  out.push_back(make_failure("vgg16", "libtorch", RunStatus::out_of_memory, "memory limit 1073741824 bytes exceeded"));
  out.push_back(make_failure("inception_v4", "libtorch", RunStatus::timeout, "no result after 600 s"));
  out.push_back(make_failure("alexnet", "opencv", RunStatus::crashed, "killed by SIGSEGV in cv::dnn::LRNLayer"));
  out.push_back(make_failure("c3d", "opencv", RunStatus::unsupported, "3-D convolution: not supported by OpenCV DNN 4.6"));
  out.push_back(make_run("tiny_yolo", "darknet", 58.3));
  out.push_back(make_run("alexnet", "darknet", 44.0));
  for (const char* m : {"resnet18", "resnet50", "mobilenet_v2", "vgg16"})
    out.push_back(make_failure(m, "darknet", RunStatus::not_built, "darknet backend not built: libdarknet.so not found"));
  bench::RunRecord hostile = make_run(kHostileModel, "native", 12.5);
  hostile.model_info = {{"params", 1234567}, {"macs", 345678901}};
  out.push_back(hostile);
  if (!with_sensors) return out;

  for (auto& r : out) {
    if (r.status != RunStatus::ok || r.timestamp < "2024-05-01") continue;
    const double t = r.latency_ms->median;
    const bool native = r.backend == "native";
    if (native || r.backend == "libtorch") {
      // Bigger models keep more of the package busy.
      const double power = (native ? 28.0 : 36.0) + (native ? 5.0 : 7.0) * std::log10(t);
      r.energy = bench::Energy{"rapl:package-0", power, 18.0, power * t, (power - 18.0) * t};
    }
    // Shares of (conv, bn, activation, pool, fc, overhead) per model; libtorch
    // spends more in its dispatcher.
    const double extra = native ? 0.0 : 0.08;
    if (r.model == "resnet18" && r.energy) r.profile = make_profile(0.70 * t, 0.09 * t, 0.06 * t, 0.02 * t, 0.01 * t, (0.12 + extra) * t);
    if (r.model == "mobilenet_v2" && r.energy) r.profile = make_profile(0.52 * t, 0.16 * t, 0.12 * t, 0.01 * t, 0.02 * t, (0.17 + extra) * t);
    if (r.model == "alexnet" && r.energy) r.profile = make_profile(0.44 * t, 0.0, 0.04 * t, 0.05 * t, 0.41 * t, (0.06 + extra) * t);
    if (r.model == "inception_v4")
      r.temperature = make_temperature(41, native ? 68 : 74, native ? 120 : 90, "thermal:x86_pkg_temp");
    if ((r.model == "inception_v4" || r.model == "resnet50") && r.energy) {
      r.energy->source = "hwmon:ina219:power1";  // a power source: its readings are kept
      r.energy->samples = make_power_samples(*r.energy->avg_power_w, r.model == "resnet50" ? 4.0 : 6.0);
    }
  }
  bench::RunRecord thermal = make_thermal_run("resnet18", "native", 26.0);
  thermal.temperature = make_temperature(40, 71, 150, "thermal:x86_pkg_temp");
  out.push_back(thermal);
  return out;
}

}  // namespace eb::report::testing
