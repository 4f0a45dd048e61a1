// `edgebench verify` end to end: exit codes (0 pass, 1 beyond tolerance or
// failed, 2 bad usage), the table and the JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_util.h"

namespace eb::cli::testing {
namespace {

class VerifyCli : public CliTest {
 protected:
  // Whether a backend that computes something (not null) was built.
  bool any_backend_built() {
    const auto r = run({"backends", "--format", "json"});
    for (const auto& b : nlohmann::json::parse(r.out))
      if (b["id"] != "null" && b["status"] == "built") return true;
    return false;
  }
};

TEST_F(VerifyCli, PassesWithinTolerance) {
  const auto r = run({"verify", "--model", "cifarnet", "--backends", "all"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "PASS")) << r.out;
  EXPECT_FALSE(contains(r.out, "null")) << "null is not verifiable and not part of all";
}

TEST_F(VerifyCli, BeyondToleranceExitsOne) {
  if (!any_backend_built()) GTEST_SKIP() << "only null was built";
  const auto r = run({"verify", "--model", "cifarnet", "--backends", "all", "--tolerance", "1e-30"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "MISMATCH")) << r.out;
  EXPECT_TRUE(contains(r.out, "FAIL")) << r.out;
}

TEST_F(VerifyCli, BadUsageExitsTwo) {
  EXPECT_EQ(run({"verify", "--model", "nonesuch", "--backends", "all"}).exit_code, 2);
  const auto unknown_backend = run({"verify", "--model", "cifarnet", "--backends", "opencv,tensorflow"});
  EXPECT_EQ(unknown_backend.exit_code, 2);
  EXPECT_TRUE(contains(unknown_backend.err, "tensorflow")) << unknown_backend.err;
  EXPECT_EQ(run({"verify", "--model", "cifarnet", "--backends", "all", "--tolerance", "-1"}).exit_code, 2);
  EXPECT_EQ(run({"verify", "--onnx", (dir_ / "missing.onnx").string(), "--backends", "all"}).exit_code, 2);
}

TEST_F(VerifyCli, NullIsSkippedNotFailed) {
  const auto r = run({"verify", "--model", "cifarnet", "--backends", "null"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "skipped")) << r.out;
}

TEST_F(VerifyCli, UnsupportedIsListedNotFailed) {
  const auto r = run({"verify", "--model", "mobilenet_v2", "--input-size", "32", "--backends", "darknet", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["backends"].size(), 1u);
  const auto& b = j["backends"][0];
  EXPECT_EQ(b["backend"], "darknet");
  if (b["status"] == "not_built") GTEST_SKIP() << "darknet not built";
  EXPECT_EQ(b["status"], "unsupported");
  EXPECT_TRUE(contains(b["error"].get<std::string>(), "cannot express")) << b["error"];
  EXPECT_TRUE(j["passed"].get<bool>());
}

TEST_F(VerifyCli, JsonReport) {
  const auto r = run({"verify", "--model", "cifarnet", "--input-size", "40", "--backends", "opencv,darknet,null", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], "cifarnet@40");
  EXPECT_EQ(j["tolerance"], 1e-3);
  ASSERT_EQ(j["outputs"].size(), 1u);
  EXPECT_EQ(j["outputs"][0]["shape"], "1x10");
  ASSERT_EQ(j["backends"].size(), 3u);
  for (const auto& b : j["backends"]) {
    SCOPED_TRACE(b.dump());
    if (b["backend"] == "null") {
      EXPECT_EQ(b["status"], "skipped");
      continue;
    }
    if (b["status"] == "not_built") continue;
    EXPECT_EQ(b["status"], "pass");
    ASSERT_EQ(b["outputs"].size(), 1u);
    EXPECT_LE(b["outputs"][0]["max_rel_error"].get<double>(), 1e-3);
    EXPECT_TRUE(b["outputs"][0]["within_tolerance"].get<bool>());
  }
  EXPECT_TRUE(j["passed"].get<bool>());
}

}  // namespace
}  // namespace eb::cli::testing
