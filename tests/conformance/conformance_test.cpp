// eb_conformance: comparison, case discovery, run_case's outcomes on
// hand-made cases (case_writer.h) and on ONNX's own node tests
// (libonnx-testdata, skipped when absent), and the suite's tallies.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <unistd.h>

#include "backends/registry.h"
#include "case_writer.h"
#include "conformance/run_case.h"
#include "conformance/suite.h"

namespace eb::conformance {
namespace {

using namespace fixtures;
namespace fs = std::filesystem;

const fs::path kNodeDir = "/usr/share/libonnx-testdata/data/node";

Comparison compare_floats(const std::vector<float>& actual, const std::vector<float>& expected, Tolerance tol = {}) {
  return compare(actual, [&](std::size_t i) { return static_cast<double>(expected[i]); }, tol);
}

TEST(Compare, AllowsAtolPlusRtolTimesExpected) {
  EXPECT_TRUE(compare_floats({1.0001f}, {1.0f}).within());
  EXPECT_FALSE(compare_floats({1.0003f}, {1.0f}).within());
  EXPECT_TRUE(compare_floats({5e-7f}, {0.0f}).within());
  EXPECT_FALSE(compare_floats({5e-6f}, {0.0f}).within());
  EXPECT_TRUE(compare_floats({1.05f}, {1.0f}, {0.1, 0.0}).within());
  const Comparison c = compare_floats({1.0f, 2.5f}, {1.0f, 2.0f});
  EXPECT_EQ(c.beyond, 1);
  EXPECT_EQ(c.worst_index, 1);
  EXPECT_DOUBLE_EQ(c.max_abs_error, 0.5);
}

TEST(Compare, NanMatchesOnlyNanAndInfinityOnlyItself) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(compare_floats({nan, inf, -inf}, {nan, inf, -inf}).within());
  EXPECT_FALSE(compare_floats({nan}, {1.0f}).within());
  EXPECT_FALSE(compare_floats({1.0f}, {nan}).within());
  EXPECT_FALSE(compare_floats({inf}, {-inf}).within());
  EXPECT_FALSE(compare_floats({inf}, {1e30f}, {1.0, 1.0}).within());
}

TEST(Compare, WorstIsTheElementFurthestBeyondItsAllowance) {
  // 0.5 off 100 is 50 allowances; 0.01 off 0 is 10000 of them.
  const Comparison c = compare_floats({100.5f, 0.01f, 3.0f}, {100.0f, 0.0f, 3.0f}, {1e-4, 1e-6});
  EXPECT_EQ(c.beyond, 2);
  EXPECT_EQ(c.worst_index, 1);
  EXPECT_FLOAT_EQ(static_cast<float>(c.worst_actual), 0.01f);
  EXPECT_EQ(c.worst_expected, 0.0);
  // A NaN where a number was expected is worse than any finite error.
  EXPECT_EQ(compare_floats({100.5f, std::nanf("")}, {100.0f, 1.0f}).worst_index, 1);
}

// A fresh directory per test.
class Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("eb_conformance_" + std::to_string(getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  static void touch(const fs::path& p) { write_bytes(p, ""); }
  fs::path dir_;
};

using FindCases = Scratch;

TEST_F(FindCases, FindsCasesRecursivelySortedWithoutEnteringThem) {
  touch(dir_ / "node" / "test_b" / "model.onnx");
  touch(dir_ / "node" / "test_a" / "model.onnx");
  touch(dir_ / "test_z" / "model.onnx");
  touch(dir_ / "test_z" / "nested" / "model.onnx");           // inside a case: not a case of its own
  fs::create_directories(dir_ / "empty" / "test_data_set_0");  // no model.onnx: not a case
  auto cases = find_cases({dir_.string()});
  ASSERT_TRUE(cases.is_ok()) << cases.status().message();
  ASSERT_EQ(cases->size(), 3u);
  EXPECT_EQ((*cases)[0].name, "node/test_a");
  EXPECT_EQ((*cases)[1].name, "node/test_b");
  EXPECT_EQ((*cases)[2].name, "test_z");
  EXPECT_EQ((*cases)[2].dir, dir_ / "test_z");
}

TEST_F(FindCases, ACaseDirIsItsOwnCaseNamedAfterIt) {
  touch(dir_ / "test_relu" / "model.onnx");
  for (const std::string& path : {(dir_ / "test_relu").string(), (dir_ / "test_relu").string() + "/"}) {
    auto cases = find_cases({path});
    ASSERT_TRUE(cases.is_ok()) << cases.status().message();
    ASSERT_EQ(cases->size(), 1u);
    EXPECT_EQ((*cases)[0].name, "test_relu") << path;
  }
}

TEST_F(FindCases, MissingPathAndDirWithoutCasesAreErrors) {
  EXPECT_EQ(find_cases({(dir_ / "nonesuch").string()}).status().code(), ErrorCode::not_found);
  fs::create_directories(dir_ / "nothing_here");
  const auto none = find_cases({(dir_ / "nothing_here").string()});
  EXPECT_EQ(none.status().code(), ErrorCode::invalid_argument);
  EXPECT_NE(none.status().message().find("model.onnx"), std::string::npos) << none.status().message();
}

TEST_F(FindCases, FilterKeepsMatchingNamesAndRejectsBadExpressions) {
  const std::vector<TestCase> cases = {{"node/test_relu", {}}, {"node/test_conv_with_padding", {}}, {"node/test_leakyrelu", {}}};
  auto relu = filter_cases(cases, "_relu$");
  ASSERT_TRUE(relu.is_ok());
  ASSERT_EQ(relu->size(), 1u);
  EXPECT_EQ((*relu)[0].name, "node/test_relu");
  EXPECT_EQ(filter_cases(cases, "relu")->size(), 2u);
  EXPECT_EQ(filter_cases(cases, "([a-").status().code(), ErrorCode::invalid_argument);
}

TEST_F(FindCases, DataSetsAndFilesInNumericOrder) {
  for (const char* n : {"test_data_set_10", "test_data_set_2", "test_data_set_0"}) fs::create_directories(dir_ / n);
  touch(dir_ / "test_data_set_x");  // neither numbered nor a directory
  const auto sets = data_sets(dir_);
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0].filename(), "test_data_set_0");
  EXPECT_EQ(sets[1].filename(), "test_data_set_2");
  EXPECT_EQ(sets[2].filename(), "test_data_set_10");
  touch(dir_ / "test_data_set_0" / "input_0.pb");
  touch(dir_ / "test_data_set_0" / "input_1.pb");
  touch(dir_ / "test_data_set_0" / "input_3.pb");  // after a gap: ignored, as ONNX's runner counts from 0
  EXPECT_EQ(numbered_files(dir_ / "test_data_set_0", "input_").size(), 2u);
}

// Cases run on the registry's native backend, one thread.
class RunCase : public Scratch {
 protected:
  void SetUp() override {
    Scratch::SetUp();
    auto entry = find_backend("native");
    ASSERT_TRUE(entry.is_ok());
    if (!(*entry)->make) GTEST_SKIP() << "native was not built: " << (*entry)->not_built_reason;
    backend_ = (*entry)->make();
  }
  CaseResult run(const fs::path& dir, const std::string& backend = "native") {
    BackendOptions options;
    options.threads = 1;
    if (backend == "native") return run_case({dir.filename().string(), dir}, execute_on(*backend_, options));
    auto other = (*find_backend(backend))->make();
    return run_case({dir.filename().string(), dir}, execute_on(*other, options));
  }
  std::unique_ptr<Backend> backend_;
};

TEST_F(RunCase, HandMadeCasesPass) {
  write_relu_case(dir_ / "relu");
  write_conv_case(dir_ / "conv");
  write_add_case(dir_ / "add");
  for (const char* name : {"relu", "conv", "add"}) {
    const CaseResult r = run(dir_ / name);
    EXPECT_EQ(r.outcome, Outcome::pass) << name << ": " << r.detail;
    EXPECT_FALSE(r.worst.has_value());
  }
  EXPECT_EQ(run(dir_ / "conv").family, "Conv");
}

TEST_F(RunCase, CorruptedExpectedOutputFailsNamingTheWorstElement) {
  write_relu_case(dir_ / "relu");
  corrupt_element(dir_ / "relu" / "test_data_set_0" / "output_0.pb", 4, 3.6f);  // element [1,1] is 3.5
  const CaseResult r = run(dir_ / "relu");
  ASSERT_EQ(r.outcome, Outcome::fail) << r.detail;
  ASSERT_TRUE(r.worst.has_value());
  EXPECT_EQ(r.worst->flat_index, 4);
  EXPECT_EQ(r.worst->index, (std::vector<int64_t>{1, 1}));
  EXPECT_FLOAT_EQ(static_cast<float>(r.worst->actual), 3.5f);
  EXPECT_FLOAT_EQ(static_cast<float>(r.worst->expected), 3.6f);
  EXPECT_EQ(r.worst->beyond, 1);
  EXPECT_NE(r.detail.find("element [1,1] is 3.5, expected 3.6"), std::string::npos) << r.detail;
}

TEST_F(RunCase, EveryDataSetIsChecked) {
  write_relu_case(dir_ / "relu");
  fs::copy(dir_ / "relu" / "test_data_set_0", dir_ / "relu" / "test_data_set_1");
  EXPECT_EQ(run(dir_ / "relu").outcome, Outcome::pass);
  corrupt_element(dir_ / "relu" / "test_data_set_1" / "output_0.pb", 0, 1.0f);
  const CaseResult r = run(dir_ / "relu");
  ASSERT_EQ(r.outcome, Outcome::fail);
  EXPECT_EQ(r.worst->data_set, "test_data_set_1");
  EXPECT_NE(r.detail.find("test_data_set_1"), std::string::npos) << r.detail;
}

TEST_F(RunCase, WrongExpectedShapeFails) {
  write_relu_case(dir_ / "relu");
  write_tensor(dir_ / "relu" / "test_data_set_0" / "output_0.pb", "y", {3, 2}, kReluOutput);
  const CaseResult r = run(dir_ / "relu");
  EXPECT_EQ(r.outcome, Outcome::fail);
  EXPECT_NE(r.detail.find("shape [2x3], expected [3x2]"), std::string::npos) << r.detail;
}

TEST_F(RunCase, AnOpWeLackIsUnsupported) {
  write_unknown_op_case(dir_ / "unknown");
  const CaseResult r = run(dir_ / "unknown");
  EXPECT_EQ(r.outcome, Outcome::unsupported) << r.detail;
  EXPECT_NE(r.detail.find("NoSuchOpAnywhere"), std::string::npos) << r.detail;
}

TEST_F(RunCase, AModelOfAnotherDomainOnlyIsUnsupported) {
  // As ONNX's training-op tests (ai.onnx.preview.training): valid ONNX, ops we lack.
  write_relu_case(dir_ / "training");
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(read_bytes(dir_ / "training" / "model.onnx")));
  model.mutable_opset_import(0)->set_domain("ai.onnx.preview.training");
  model.mutable_graph()->mutable_node(0)->set_domain("ai.onnx.preview.training");
  write_bytes(dir_ / "training" / "model.onnx", model.SerializeAsString());
  const CaseResult r = run(dir_ / "training");
  EXPECT_EQ(r.outcome, Outcome::unsupported) << r.detail;
  EXPECT_NE(r.detail.find("ai.onnx.preview.training"), std::string::npos) << r.detail;
}

TEST_F(RunCase, UnreadableCasesAreErrors) {
  write_relu_case(dir_ / "truncated");
  truncate_to_half(dir_ / "truncated" / "model.onnx");
  const CaseResult truncated = run(dir_ / "truncated");
  EXPECT_EQ(truncated.outcome, Outcome::error);
  EXPECT_NE(truncated.detail.find("model.onnx"), std::string::npos) << truncated.detail;

  write_relu_case(dir_ / "no_model");
  fs::remove(dir_ / "no_model" / "model.onnx");
  EXPECT_EQ(run(dir_ / "no_model").outcome, Outcome::error);

  write_relu_case(dir_ / "no_data");
  fs::remove_all(dir_ / "no_data" / "test_data_set_0");
  EXPECT_EQ(run(dir_ / "no_data").outcome, Outcome::error);

  write_relu_case(dir_ / "no_output");
  fs::remove(dir_ / "no_output" / "test_data_set_0" / "output_0.pb");
  EXPECT_EQ(run(dir_ / "no_output").outcome, Outcome::error);

  write_relu_case(dir_ / "bad_input");
  truncate_to_half(dir_ / "bad_input" / "test_data_set_0" / "input_0.pb");
  const CaseResult bad_input = run(dir_ / "bad_input");
  EXPECT_EQ(bad_input.outcome, Outcome::error) << bad_input.detail;
}

TEST_F(RunCase, ABackendThatComputesNothingFails) {
  write_relu_case(dir_ / "relu");
  const CaseResult r = run(dir_ / "relu", "null");  // zeros of the right shape
  ASSERT_EQ(r.outcome, Outcome::fail) << r.detail;
  EXPECT_EQ(r.worst->beyond, 3);
  EXPECT_EQ(r.worst->index, (std::vector<int64_t>{1, 1}));  // 3.5: the furthest beyond its allowance
}

using Suite = Scratch;

TEST_F(Suite, TalliesOutcomesOverallAndPerFamily) {
  write_relu_case(dir_ / "test_relu");
  write_relu_case(dir_ / "test_relu_corrupted");
  corrupt_element(dir_ / "test_relu_corrupted" / "test_data_set_0" / "output_0.pb", 2, -2.0f);
  write_conv_case(dir_ / "test_conv");
  write_unknown_op_case(dir_ / "test_unknown");
  auto cases = find_cases({dir_.string()});
  ASSERT_TRUE(cases.is_ok());
  SuiteOptions options;
  options.backend_options.threads = 1;
  std::vector<std::string> seen;
  options.on_case = [&](const CaseResult& r) { seen.push_back(r.name); };
  auto report = run_suite(*cases, options);
  if (!report.is_ok() && report.status().code() == ErrorCode::unsupported) GTEST_SKIP() << report.status().message();
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(seen, (std::vector<std::string>{"test_conv", "test_relu", "test_relu_corrupted", "test_unknown"}));
  EXPECT_EQ(report->backend, "native");
  const Tally t = report->tally();
  EXPECT_EQ(t.pass, 2);
  EXPECT_EQ(t.fail, 1);
  EXPECT_EQ(t.unsupported, 1);
  EXPECT_EQ(t.error, 0);
  EXPECT_FALSE(report->passed());
  const auto families = report->by_family();
  EXPECT_EQ(families.at("Relu").pass, 1);
  EXPECT_EQ(families.at("Relu").fail, 1);
  EXPECT_EQ(families.at("Conv").pass, 1);
  EXPECT_EQ(families.at("NoSuchOpAnywhere").unsupported, 1);

  fs::remove_all(dir_ / "test_relu_corrupted");
  auto clean = run_suite(*find_cases({dir_.string()}), options);
  ASSERT_TRUE(clean.is_ok());
  EXPECT_TRUE(clean->passed()) << "unsupported cases do not fail a suite";
}

TEST_F(Suite, UnknownBackendIsBadUsage) {
  EXPECT_EQ(run_suite({}, SuiteOptions{"tensorflow", {}, {}, nullptr}).status().code(), ErrorCode::invalid_argument);
}

// ONNX's own node tests, through the importer, on native.
class NodeTests : public RunCase {
 protected:
  void SetUp() override {
    if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is missing (Debian package libonnx-testdata)";
    RunCase::SetUp();
  }
};

// Each of these passed on native when the list was written: a failure is a regression.
const char* const kPassOnNative[] = {
    "test_basic_conv_with_padding", "test_conv_with_strides_padding", "test_conv_with_autopad_same",
    "test_maxpool_2d_pads", "test_maxpool_2d_ceil", "test_averagepool_2d_pads_count_include_pad",
    "test_globalaveragepool", "test_relu", "test_leakyrelu", "test_sigmoid", "test_clip", "test_softmax_axis_1",
    "test_batchnorm_epsilon", "test_gemm_default_vector_bias", "test_gemm_transposeB", "test_matmul_2d", "test_add_bcast",
    "test_concat_2d_axis_1", "test_flatten_axis1", "test_reshape_negative_dim", "test_lrn", "test_upsample_nearest"};

TEST_F(NodeTests, FixedListPassesOnNative) {
  for (const char* name : kPassOnNative) {
    const CaseResult r = run(kNodeDir / name);
    EXPECT_EQ(r.outcome, Outcome::pass) << name << ": " << to_string(r.outcome) << ": " << r.detail;
  }
}

TEST_F(NodeTests, CorruptedCopyFailsAndTruncatedCopyIsAnError) {
  const fs::path copy = dir_ / "test_conv_with_strides_padding";
  fs::copy(kNodeDir / "test_conv_with_strides_padding", copy, fs::copy_options::recursive);
  fs::permissions(copy, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(copy)) fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add);
  corrupt_element(copy / "test_data_set_0" / "output_0.pb", 5, 1000.0f);
  const CaseResult fail = run(copy);
  ASSERT_EQ(fail.outcome, Outcome::fail) << fail.detail;
  EXPECT_EQ(fail.worst->flat_index, 5);
  EXPECT_EQ(fail.worst->beyond, 1);
  EXPECT_EQ(fail.worst->expected, 1000.0);

  truncate_to_half(copy / "model.onnx");
  const CaseResult error = run(copy);
  EXPECT_EQ(error.outcome, Outcome::error) << error.detail;
}

}  // namespace
}  // namespace eb::conformance
