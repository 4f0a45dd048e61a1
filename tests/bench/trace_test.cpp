// The Chrome trace of profiled invokes (bench/trace.h): well-formed Trace
// Event Format, one slice per node laid end to end plus one overhead slice
// per invoke, with exact timestamps and durations.
#include "bench/trace.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace eb::bench {
namespace {

using nlohmann::json;

std::vector<ProfiledInvoke> two_invokes() {
  std::vector<ProfiledInvoke> invokes(2);
  invokes[0].start_ns = 5'000'000;  // arbitrary epoch: the trace starts at 0
  invokes[0].wall_ns = 4'000'000;
  invokes[0].nodes = {{"conv1", "Conv", "convolution", 2.0}, {"relu1", "Relu", "activation", 0.5}, {"fc", "Gemm", "fully_connected", 1.0}};
  invokes[1].start_ns = 10'000'000;
  invokes[1].wall_ns = 3'000'000;  // the nodes add up past it: overhead 0
  invokes[1].nodes = {{"conv1", "Conv", "convolution", 2.5}, {"relu1", "Relu", "activation", 0.25}, {"fc", "Gemm", "fully_connected", 0.5}};
  return invokes;
}

std::vector<json> slices(const json& trace) {
  std::vector<json> out;
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X") out.push_back(e);
  return out;
}

TEST(ChromeTrace, IsWellFormedTraceEventFormat) {
  const json trace = chrome_trace(two_invokes(), {"resnet18@64", "native"});
  const json parsed = json::parse(trace.dump());  // what a viewer reads
  ASSERT_TRUE(parsed.is_object());
  EXPECT_EQ(parsed["displayTimeUnit"], "ms");
  ASSERT_TRUE(parsed["traceEvents"].is_array());
  // Two metadata events, then per invoke 3 nodes + 1 overhead.
  EXPECT_EQ(parsed["traceEvents"].size(), 2u + 2 * 4);
  for (const auto& e : parsed["traceEvents"]) {
    for (const char* key : {"name", "ph", "pid", "tid", "args"}) EXPECT_TRUE(e.contains(key)) << key << " in " << e.dump();
    ASSERT_TRUE(e["ph"] == "X" || e["ph"] == "M") << e.dump();
    if (e["ph"] == "X") {
      for (const char* key : {"cat", "ts", "dur"}) EXPECT_TRUE(e.contains(key)) << key << " in " << e.dump();
      EXPECT_TRUE(e["ts"].is_number());
      EXPECT_GE(e["dur"].get<double>(), 0.0);
    }
  }
}

TEST(ChromeTrace, MetadataNamesTheModelAndBackend) {
  const json trace = chrome_trace(two_invokes(), {"resnet18@64", "native"});
  const auto& events = trace["traceEvents"];
  EXPECT_EQ(events[0]["name"], "process_name");
  EXPECT_EQ(events[0]["args"]["name"], "resnet18@64");
  EXPECT_EQ(events[1]["name"], "thread_name");
  EXPECT_NE(events[1]["args"]["name"].get<std::string>().find("native"), std::string::npos);
}

TEST(ChromeTrace, NodesLieEndToEndFromEachInvokesStartThenTheOverhead) {
  const auto s = slices(chrome_trace(two_invokes(), {"m", "b"}));
  ASSERT_EQ(s.size(), 8u);
  // Invoke 1 at 0 µs: conv1 2000 µs, relu1 500, fc 1000, overhead 4000 - 3500.
  const std::vector<std::tuple<std::string, std::string, double, double>> want = {
      {"conv1", "convolution", 0, 2000},          {"relu1", "activation", 2000, 500},
      {"fc", "fully_connected", 2500, 1000},      {"framework overhead", "framework overhead", 3500, 500},
      {"conv1", "convolution", 5000, 2500},       {"relu1", "activation", 7500, 250},
      {"fc", "fully_connected", 7750, 500},       {"framework overhead", "framework overhead", 8250, 0}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& [name, cat, ts, dur] = want[i];
    EXPECT_EQ(s[i]["name"], name) << i;
    EXPECT_EQ(s[i]["cat"], cat) << i;
    EXPECT_DOUBLE_EQ(s[i]["ts"].get<double>(), ts) << i;
    EXPECT_DOUBLE_EQ(s[i]["dur"].get<double>(), dur) << i;
    EXPECT_EQ(s[i]["args"]["invoke"], i < 4 ? 1 : 2) << i;
  }
  EXPECT_EQ(s[0]["args"]["op"], "Conv");
  EXPECT_DOUBLE_EQ(s[3]["args"]["wall_ms"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(s[3]["args"]["nodes_ms"].get<double>(), 3.5);
}

TEST(ChromeTrace, NodesPastTheWallPushTheNextInvokeLaterRatherThanOverlap) {
  auto invokes = two_invokes();
  invokes[0].wall_ns = 1'000'000;  // its nodes take 3.5 ms: they end at 3500 µs
  invokes[1].start_ns = invokes[0].start_ns + 2'000'000;
  const auto s = slices(chrome_trace(invokes, {"m", "b"}));
  ASSERT_EQ(s.size(), 8u);
  EXPECT_DOUBLE_EQ(s[3]["ts"].get<double>(), 3500);  // invoke 1's overhead: none
  EXPECT_DOUBLE_EQ(s[3]["dur"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(s[4]["ts"].get<double>(), 3500);  // not 2000
  double end = 0;
  for (const auto& e : s) {
    EXPECT_GE(e["ts"].get<double>(), end) << e.dump();
    end = e["ts"].get<double>() + e["dur"].get<double>();
  }
}

TEST(ChromeTrace, NoInvokesIsJustTheMetadata) {
  const json trace = chrome_trace({}, {"m", "b"});
  EXPECT_EQ(trace["traceEvents"].size(), 2u);
}

TEST(ChromeTrace, WritesAFileThatParsesAndNamesAPathItCannotWrite) {
  const auto dir = std::filesystem::temp_directory_path() / ("eb_trace_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const json trace = chrome_trace(two_invokes(), {"m", "b"});
  ASSERT_TRUE(write_chrome_trace(dir / "t.json", trace).is_ok());
  std::ifstream in(dir / "t.json");
  EXPECT_EQ(json::parse(in), trace);
  const Status st = write_chrome_trace(dir / "missing" / "t.json", trace);
  EXPECT_EQ(st.code(), ErrorCode::io_error);
  EXPECT_NE(st.message().find("missing"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace eb::bench
