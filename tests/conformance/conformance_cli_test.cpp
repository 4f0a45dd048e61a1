// `edgebench conformance` end to end on hand-made cases (case_writer.h):
// exit codes (0 all pass or unsupported, 1 a case fails or is unreadable,
// 2 bad usage), the per-case lines, --quiet, --filter, the JSON report, and
// one real node test of libonnx-testdata when it is installed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "case_writer.h"
#include "cli_util.h"

namespace eb::cli::testing {
namespace {

using namespace eb::conformance::fixtures;

class ConformanceCli : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (!native_built()) GTEST_SKIP() << "native was not built";
    cases_ = dir_ / "cases";
    write_relu_case(cases_ / "test_relu");
    write_conv_case(cases_ / "test_conv");
    write_unknown_op_case(cases_ / "test_unknown");
  }
  std::vector<std::string> conformance(std::vector<std::string> extra) {
    return concat({"conformance", cases_.string(), "--threads", "1"}, extra);
  }
  // Asked once: each edgebench start loads every framework.
  bool native_built() {
    static const bool built = [this] {
      for (const auto& b : nlohmann::json::parse(run({"backends", "--format", "json"}).out))
        if (b["id"] == "native") return b["status"] == "built";
      return false;
    }();
    return built;
  }
  fs::path cases_;
};

TEST_F(ConformanceCli, AllPassOrUnsupportedExitsZero) {
  const auto r = run(conformance({}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "test_relu")) << r.out;
  EXPECT_TRUE(contains(r.out, "unsupported")) << r.out;
  EXPECT_TRUE(contains(r.out, "NoSuchOpAnywhere")) << r.out;
  EXPECT_TRUE(contains(r.out, "PASS: 3 cases on native")) << r.out;
  EXPECT_TRUE(contains(r.out, "2 pass, 0 fail, 1 unsupported, 0 error")) << r.out;
}

TEST_F(ConformanceCli, AFailingCaseExitsOneAndNamesTheElement) {
  corrupt_element(cases_ / "test_relu" / "test_data_set_0" / "output_0.pb", 4, 3.6f);
  const auto r = run(conformance({}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "fail")) << r.out;
  EXPECT_TRUE(contains(r.out, "element [1,1] is 3.5, expected 3.6")) << r.out;
  EXPECT_TRUE(contains(r.out, "FAIL: ")) << r.out;
  // Looser tolerances accept it.
  EXPECT_EQ(run(conformance({"--rtol", "0.05"})).exit_code, 0);
  EXPECT_EQ(run(conformance({"--tolerance", "0.05"})).exit_code, 0);
  EXPECT_EQ(run(conformance({"--atol", "0.2"})).exit_code, 0);
}

TEST_F(ConformanceCli, AnUnreadableCaseExitsOne) {
  truncate_to_half(cases_ / "test_conv" / "model.onnx");
  const auto r = run(conformance({}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "error")) << r.out;
  EXPECT_TRUE(contains(r.out, "1 error")) << r.out;
}

TEST_F(ConformanceCli, QuietListsOnlyProblemsAndFilterSelects) {
  corrupt_element(cases_ / "test_relu" / "test_data_set_0" / "output_0.pb", 0, 1.0f);
  const auto quiet = run(conformance({"--quiet"}));
  EXPECT_EQ(quiet.exit_code, 1);
  EXPECT_TRUE(contains(quiet.out, "test_relu")) << quiet.out;
  EXPECT_FALSE(contains(quiet.out, "test_conv")) << quiet.out;
  EXPECT_FALSE(contains(quiet.out, "test_unknown")) << quiet.out;

  const auto filtered = run(conformance({"--filter", "conv|unknown", "--by-family"}));
  EXPECT_EQ(filtered.exit_code, 0) << filtered.out << filtered.err;
  EXPECT_FALSE(contains(filtered.out, "test_relu")) << filtered.out;
  EXPECT_TRUE(contains(filtered.out, "family")) << filtered.out;
  EXPECT_TRUE(contains(filtered.out, "PASS: 2 cases")) << filtered.out;
}

TEST_F(ConformanceCli, JsonReport) {
  corrupt_element(cases_ / "test_relu" / "test_data_set_0" / "output_0.pb", 4, 3.6f);
  const auto r = run(conformance({"--format", "json"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["backend"], "native");
  EXPECT_EQ(j["rtol"], 1e-4);
  EXPECT_EQ(j["atol"], 1e-6);
  EXPECT_FALSE(j["passed"].get<bool>());
  EXPECT_EQ(j["summary"]["pass"], 1);
  EXPECT_EQ(j["summary"]["fail"], 1);
  EXPECT_EQ(j["summary"]["unsupported"], 1);
  EXPECT_EQ(j["summary"]["total"], 3);
  EXPECT_EQ(j["families"]["Relu"]["fail"], 1);
  ASSERT_EQ(j["cases"].size(), 3u);
  const auto& relu = j["cases"][1];
  EXPECT_EQ(relu["name"], "test_relu");
  EXPECT_EQ(relu["outcome"], "fail");
  EXPECT_EQ(relu["worst"]["index"], (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(relu["worst"]["flat_index"], 4);
  EXPECT_TRUE(j["cases"][0]["worst"].is_null());
}

TEST_F(ConformanceCli, BadUsageExitsTwo) {
  EXPECT_EQ(run({"conformance"}).exit_code, 2) << "no path";
  const auto missing = run({"conformance", (dir_ / "nonesuch").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "nonesuch")) << missing.err;
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(run({"conformance", (dir_ / "empty").string()}).exit_code, 2) << "no case";
  const auto backend = run(conformance({"--backend", "tensorflow"}));
  EXPECT_EQ(backend.exit_code, 2);
  EXPECT_TRUE(contains(backend.err, "tensorflow")) << backend.err;
  EXPECT_EQ(run(conformance({"--filter", "([a-"})).exit_code, 2) << "malformed regex";
  EXPECT_EQ(run(conformance({"--filter", "nothing_matches_this"})).exit_code, 2);
  EXPECT_EQ(run(conformance({"--rtol", "-1"})).exit_code, 2);
  EXPECT_EQ(run(conformance({"--format", "xml"})).exit_code, 2);
  EXPECT_EQ(run(conformance({"--rtol", "1e-3", "--tolerance", "1e-3"})).exit_code, 2);
}

TEST_F(ConformanceCli, ARealNodeTest) {
  const fs::path node = "/usr/share/libonnx-testdata/data/node";
  if (!fs::is_directory(node)) GTEST_SKIP() << node << " is missing (Debian package libonnx-testdata)";
  const auto r = run({"conformance", node.string(), "--filter", "^test_conv_with_strides_padding$", "--threads", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "test_conv_with_strides_padding  pass")) << r.out;
}

}  // namespace
}  // namespace eb::cli::testing
