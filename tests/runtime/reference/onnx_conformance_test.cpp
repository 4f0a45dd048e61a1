// Conformance of the reference kernels against ONNX's own backend tests
// (Debian's libonnx-testdata), each case's single node mapped by hand onto
// our IR (onnx_case.h). The sweep reports pass counts per op family and fails
// on any mismatch; the fixed list below must keep passing. Where
// eb_conformance is built, the same cases also go through the ONNX importer
// (conformance/run_case.h) onto the reference kernels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "onnx_case.h"
#ifdef EB_HAVE_CONFORMANCE
#include "conformance/run_case.h"
#include "runtime/reference/reference.h"
#endif

namespace eb::ref::testing {
namespace {

namespace fs = std::filesystem;

const char* const kNodeDir = "/usr/share/libonnx-testdata/data/node";

// Case-name prefixes (after "test_") of the ops the IR has.
const std::vector<std::string> kSweptPrefixes = {
    "conv", "basic_conv", "maxpool", "averagepool", "globalaveragepool", "globalmaxpool", "relu", "leakyrelu", "sigmoid",
    "clip", "softmax", "lrn", "batchnorm", "gemm", "add", "concat", "flatten", "reshape", "constant_pad", "edge_pad",
    "reflect_pad", "pad", "upsample", "resize_upsample"};

// Every case here passed when this list was written; a failure is a regression.
const char* const kMustPass[] = {
    "test_basic_conv_with_padding", "test_basic_conv_without_padding", "test_conv_with_autopad_same",
    "test_conv_with_strides_and_asymmetric_padding", "test_conv_with_strides_no_padding", "test_conv_with_strides_padding",
    "test_maxpool_1d_default", "test_maxpool_2d_ceil", "test_maxpool_2d_default", "test_maxpool_2d_pads",
    "test_maxpool_2d_precomputed_pads", "test_maxpool_2d_precomputed_same_upper", "test_maxpool_2d_precomputed_strides",
    "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper", "test_maxpool_2d_strides", "test_maxpool_3d_default",
    "test_averagepool_1d_default", "test_averagepool_2d_ceil", "test_averagepool_2d_default", "test_averagepool_2d_pads",
    "test_averagepool_2d_pads_count_include_pad", "test_averagepool_2d_precomputed_pads",
    "test_averagepool_2d_precomputed_pads_count_include_pad", "test_averagepool_2d_precomputed_same_upper",
    "test_averagepool_2d_precomputed_strides", "test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper",
    "test_averagepool_2d_strides", "test_averagepool_3d_default", "test_globalaveragepool", "test_globalaveragepool_precomputed",
    "test_globalmaxpool", "test_globalmaxpool_precomputed", "test_relu", "test_leakyrelu", "test_leakyrelu_default",
    "test_leakyrelu_example", "test_sigmoid", "test_sigmoid_example", "test_clip", "test_clip_default_inbounds",
    "test_clip_default_max", "test_clip_default_min", "test_clip_example", "test_clip_inbounds", "test_clip_outbounds",
    "test_clip_splitbounds", "test_softmax_axis_0", "test_softmax_axis_1", "test_softmax_axis_2", "test_softmax_default_axis",
    "test_softmax_example", "test_softmax_large_number", "test_softmax_negative_axis", "test_lrn", "test_lrn_default",
    "test_batchnorm_epsilon", "test_batchnorm_example", "test_gemm_alpha", "test_gemm_beta", "test_gemm_default_no_bias",
    "test_gemm_default_scalar_bias", "test_gemm_default_single_elem_vector_bias", "test_gemm_default_vector_bias",
    "test_gemm_default_zero_bias", "test_gemm_transposeB", "test_add", "test_add_bcast", "test_concat_1d_axis_0",
    "test_concat_1d_axis_negative_1", "test_concat_2d_axis_0", "test_concat_2d_axis_1", "test_concat_2d_axis_negative_1",
    "test_concat_2d_axis_negative_2", "test_concat_3d_axis_0", "test_concat_3d_axis_1", "test_concat_3d_axis_2",
    "test_concat_3d_axis_negative_1", "test_concat_3d_axis_negative_2", "test_concat_3d_axis_negative_3",
    "test_flatten_axis0", "test_flatten_axis1", "test_flatten_axis2", "test_flatten_axis3", "test_flatten_default_axis",
    "test_flatten_negative_axis1", "test_flatten_negative_axis2", "test_flatten_negative_axis3", "test_flatten_negative_axis4",
    "test_reshape_extended_dims", "test_reshape_negative_dim", "test_reshape_negative_extended_dims", "test_reshape_one_dim",
    "test_reshape_reduced_dims", "test_reshape_reordered_all_dims", "test_reshape_reordered_last_dims",
    "test_reshape_zero_and_negative_dim", "test_reshape_zero_dim", "test_constant_pad", "test_upsample_nearest",
    "test_resize_upsample_scales_nearest"};

bool have_test_data() { return fs::is_directory(kNodeDir); }

bool swept(const std::string& name) {
  if (name.rfind("test_", 0) != 0) return false;
  for (const std::string& p : kSweptPrefixes)
    if (name.compare(5, p.size(), p) == 0) return true;
  return false;
}

TEST(OnnxConformanceTest, SweepReportsPerFamilyAndNeverMismatches) {
  if (!have_test_data()) GTEST_SKIP() << kNodeDir << " is missing (Debian package libonnx-testdata)";
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kNodeDir))
    if (swept(e.path().filename().string())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());

  struct Tally {
    int pass = 0, fail = 0, unsupported = 0, error = 0;
  };
  std::map<std::string, Tally> by_family;
  Tally total;
  for (const std::string& name : names) {
    const CaseResult r = run_onnx_case((fs::path(kNodeDir) / name).string());
    Tally& t = by_family[case_family(name)];
    switch (r.outcome) {
      case CaseOutcome::pass: ++t.pass, ++total.pass; break;
      case CaseOutcome::fail: ++t.fail, ++total.fail; break;
      case CaseOutcome::unsupported: ++t.unsupported, ++total.unsupported; break;
      case CaseOutcome::error: ++t.error, ++total.error; break;
    }
    if (r.outcome != CaseOutcome::pass) std::cout << "  " << name << ": " << to_string(r.outcome) << " (" << r.detail << ")\n";
    EXPECT_NE(r.outcome, CaseOutcome::fail) << name << ": " << r.detail;
    EXPECT_NE(r.outcome, CaseOutcome::error) << name << ": " << r.detail;
  }
  std::printf("%-20s %5s %5s %12s %6s\n", "family", "pass", "fail", "unsupported", "error");
  for (const auto& [family, t] : by_family)
    std::printf("  %-18s %5d %5d %12d %6d\n", family.c_str(), t.pass, t.fail, t.unsupported, t.error);
  std::printf("total: %d pass, %d fail, %d unsupported, %d error, of %zu cases\n", total.pass, total.fail, total.unsupported,
              total.error, names.size());
  EXPECT_GE(total.pass, static_cast<int>(std::size(kMustPass)));
}

#ifdef EB_HAVE_CONFORMANCE
// Cases the importer maps to a graph that computes something else; the
// reference path (onnx_case.h) declines them as unsupported. Reported to the
// importer's owner; remove an entry once it is fixed.
//  - Resize nearest with half_pixel + nearest_mode ceil is not a pixel repeat
//    (output 1 of a x2 upsample reads input 1, not input 0), but is imported as Upsample.
const std::string kKnownImporterMismatches[] = {"test_resize_upsample_sizes_nearest_ceil_half_pixel"};

// One case end to end: the ONNX importer, then the reference kernels.
conformance::CaseResult run_imported(const std::string& name) {
  const conformance::Execute on_reference = [](const Graph& graph, const std::vector<std::vector<float>>& inputs) {
    return run_graph(graph, inputs);
  };
  return conformance::run_case({name, fs::path(kNodeDir) / name}, on_reference);
}

// A case the importer declines is reported, not failed (that is the
// importer's business); a case it imports must compute the right numbers.
TEST(OnnxConformanceTest, ThroughTheImporterNeverMismatches) {
  if (!have_test_data()) GTEST_SKIP() << kNodeDir << " is missing (Debian package libonnx-testdata)";
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kNodeDir))
    if (swept(e.path().filename().string())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  std::map<std::string, std::map<conformance::Outcome, int>> by_family;
  int pass = 0;
  for (const std::string& name : names) {
    const conformance::CaseResult r = run_imported(name);
    ++by_family[case_family(name)][r.outcome];
    pass += r.outcome == conformance::Outcome::pass;
    if (r.outcome != conformance::Outcome::pass) std::cout << "  " << name << ": " << to_string(r.outcome) << " (" << r.detail << ")\n";
    const bool known = std::find(std::begin(kKnownImporterMismatches), std::end(kKnownImporterMismatches), name) !=
                       std::end(kKnownImporterMismatches);
    if (known && r.outcome == conformance::Outcome::fail) std::cout << "    (a known importer issue, see kKnownImporterMismatches)\n";
    if (!known) {
      EXPECT_NE(r.outcome, conformance::Outcome::fail) << name << ": " << r.detail;
    }
    EXPECT_NE(r.outcome, conformance::Outcome::error) << name << ": " << r.detail;
  }
  std::printf("through the importer:\n%-20s %5s %5s %12s %6s\n", "family", "pass", "fail", "unsupported", "error");
  for (auto& [family, t] : by_family)
    std::printf("  %-18s %5d %5d %12d %6d\n", family.c_str(), t[conformance::Outcome::pass], t[conformance::Outcome::fail],
                t[conformance::Outcome::unsupported], t[conformance::Outcome::error]);
  std::printf("total: %d of %zu cases pass\n", pass, names.size());
}
#endif

class OnnxConformanceCase : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxConformanceCase, Passes) {
  if (!have_test_data()) GTEST_SKIP() << kNodeDir << " is missing (Debian package libonnx-testdata)";
  const CaseResult r = run_onnx_case((fs::path(kNodeDir) / GetParam()).string());
  EXPECT_EQ(r.outcome, CaseOutcome::pass) << to_string(r.outcome) << ": " << r.detail;
}

#ifdef EB_HAVE_CONFORMANCE
// The fixed list must pass end to end through the importer too.
class OnnxImportedCase : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxImportedCase, Passes) {
  if (!have_test_data()) GTEST_SKIP() << kNodeDir << " is missing (Debian package libonnx-testdata)";
  const conformance::CaseResult r = run_imported(GetParam());
  EXPECT_EQ(r.outcome, conformance::Outcome::pass) << to_string(r.outcome) << ": " << r.detail;
}

INSTANTIATE_TEST_SUITE_P(OnnxImported, OnnxImportedCase, ::testing::ValuesIn(kMustPass),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param).substr(5); });
#endif

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxConformanceCase, ::testing::ValuesIn(kMustPass),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param).substr(5); });

}  // namespace
}  // namespace eb::ref::testing
