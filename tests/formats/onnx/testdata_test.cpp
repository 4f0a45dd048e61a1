// Real third-party files: the ONNX backend tests that Debian ships in
// libonnx-testdata (model.onnx + test_data_set_0/{input,output}_N.pb).
// Every model is imported with all inputs but the first frozen as constants
// (the backend tests feed weights as inputs). Each import must either succeed
// with the expected output shapes or fail with an unsupported/invalid error
// naming something; a list of cases we support must import. Where ONNX
// Runtime is present, each imported model is exported again and run on the
// test's input: its output must match the test's expected output, which
// checks that import kept the model's meaning.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "formats/onnx/onnx.h"
#include "support.h"

namespace eb::onnx_format {
namespace {
namespace fs = std::filesystem;

struct Case {
  std::string id;  // "node/test_relu"
  fs::path dir;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    const fs::path root = fs::path(EB_ONNX_TESTDATA) / suite;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    for (const auto& d : fs::directory_iterator(root))
      if (fs::exists(d.path() / "model.onnx")) out.push_back({std::string(suite) + "/" + d.path().filename().string(), d.path()});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  return out;
}

std::vector<std::string> data_files(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> files;
  for (int k = 0;; ++k) {
    const fs::path p = dir / "test_data_set_0" / (prefix + "_" + std::to_string(k) + ".pb");
    if (!fs::exists(p)) break;
    files.push_back(p.string());
  }
  return files;
}

std::vector<float> tensor_floats(const onnx::TensorProto& t) {
  if (t.has_raw_data()) {
    std::vector<float> v(t.raw_data().size() / sizeof(float));
    std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(float));
    return v;
  }
  return {t.float_data().begin(), t.float_data().end()};
}

struct Imported {
  Case c;
  Graph graph;
  std::string expected_output;  // output_0.pb path
};

struct Survey {
  std::map<std::string, std::pair<int, int>> per_suite;  // imported, total
  std::vector<Imported> imported;
  std::map<std::string, std::string> failures;  // id -> message
};

const Survey& survey() {
  static const Survey s = []() -> Survey {
    Survey s;
    for (const Case& c : cases()) {
      const std::string suite = c.id.substr(0, c.id.find('/'));
      ++s.per_suite[suite].second;
      onnx::ModelProto model;
      const std::string bytes = onnx_test::read_file((c.dir / "model.onnx").string());
      if (!model.ParseFromString(bytes)) {
        s.failures[c.id] = "unparsable";
        continue;
      }
      std::set<std::string> inits;
      for (const auto& t : model.graph().initializer()) inits.insert(t.name());
      std::vector<std::string> inputs;
      for (const auto& in : model.graph().input())
        if (!inits.count(in.name())) inputs.push_back(in.name());
      const auto input_files = data_files(c.dir, "input");
      const auto output_files = data_files(c.dir, "output");
      ImportOptions opt;
      for (std::size_t k = 1; k < inputs.size() && k < input_files.size(); ++k)
        opt.constant_inputs[inputs[k]] = onnx_test::read_file(input_files[k]);
      auto g = import_onnx_bytes(bytes, c.dir.filename().string(), opt);
      if (!g.is_ok()) {
        const ErrorCode code = g.status().code();
        EXPECT_TRUE(code == ErrorCode::unsupported || code == ErrorCode::invalid_argument)
            << c.id << ": " << to_string(code) << ": " << g.status().message();
        s.failures[c.id] = g.status().message();
        continue;
      }
      // The expected outputs' shapes must be ours.
      EXPECT_EQ(output_files.size(), g->outputs.size()) << c.id;
      for (std::size_t k = 0; k < output_files.size() && k < g->outputs.size(); ++k) {
        onnx::TensorProto t;
        EXPECT_TRUE(t.ParseFromString(onnx_test::read_file(output_files[k]))) << c.id;
        EXPECT_EQ(std::vector<int64_t>(t.dims().begin(), t.dims().end()), g->value(g->outputs[k]).desc.shape.dims())
            << c.id << " output " << k;
      }
      ++s.per_suite[suite].first;
      s.imported.push_back({c, std::move(g).value(), output_files.empty() ? std::string() : output_files[0]});
    }
    return s;
  }();
  return s;
}

TEST(OnnxTestData, ImportsTheSupportedShareOfTheBackendTests) {
  if (cases().empty()) GTEST_SKIP() << "libonnx-testdata is not installed (" << EB_ONNX_TESTDATA << ")";
  const Survey& s = survey();
  int total = 0, ok = 0;
  for (const auto& [suite, counts] : s.per_suite) {
    std::cout << "[ testdata ] " << suite << ": " << counts.first << " of " << counts.second << " import\n";
    ok += counts.first;
    total += counts.second;
  }
  std::cout << "[ testdata ] total: " << ok << " of " << total << " import\n";
  if (std::getenv("EB_ONNX_TESTDATA_VERBOSE"))
    for (const auto& [id, why] : s.failures) std::cout << "[ refused  ] " << id << ": " << why << "\n";

  // Cases within the supported op set: each must import.
  const char* must[] = {
      "node/test_relu", "node/test_sigmoid", "node/test_leakyrelu", "node/test_leakyrelu_default",
      "node/test_add_bcast", "node/test_basic_conv_with_padding", "node/test_conv_with_autopad_same",
      "node/test_conv_with_strides_and_asymmetric_padding", "node/test_maxpool_2d_ceil", "node/test_maxpool_2d_same_lower",
      "node/test_maxpool_3d_default", "node/test_averagepool_2d_pads_count_include_pad", "node/test_averagepool_2d_same_upper",
      "node/test_globalaveragepool", "node/test_globalmaxpool", "node/test_batchnorm_example", "node/test_batchnorm_epsilon",
      "node/test_gemm_default_scalar_bias", "node/test_gemm_transposeB",
      "node/test_matmul_2d", "node/test_clip", "node/test_clip_default_min", "node/test_concat_3d_axis_negative_1",
      "node/test_flatten_axis0", "node/test_flatten_negative_axis1", "node/test_reshape_negative_extended_dims",
      "node/test_reshape_zero_and_negative_dim", "node/test_softmax_axis_0", "node/test_softmax_example", "node/test_lrn",
      "node/test_lrn_default", "node/test_constant_pad", "node/test_resize_upsample_scales_nearest",
      "node/test_upsample_nearest", "node/test_dropout_default",
      "node/test_identity", "node/test_unsqueeze_axis_0",
      "pytorch-converted/test_Conv2d", "pytorch-converted/test_Conv3d_dilated_strided", "pytorch-converted/test_Conv1d_groups",
      "pytorch-converted/test_Linear", "pytorch-converted/test_AvgPool3d_stride",
      "pytorch-converted/test_BatchNorm2d_eval", "pytorch-converted/test_Softmax", "pytorch-converted/test_ZeroPad2d",
      "pytorch-operator/test_operator_view", "pytorch-operator/test_operator_concat2", "pytorch-operator/test_operator_conv",
      "pytorch-operator/test_operator_maxpool", "pytorch-operator/test_operator_clip"};
  std::set<std::string> imported;
  for (const Imported& i : s.imported) imported.insert(i.c.id);
  for (const char* id : must) {
    if (!fs::exists(fs::path(EB_ONNX_TESTDATA) / fs::path(id).parent_path() / fs::path(id).filename())) continue;
    auto it = s.failures.find(id);
    EXPECT_TRUE(imported.count(id)) << id << ": " << (it == s.failures.end() ? "missing" : it->second);
  }
  EXPECT_GE(ok, 150);
}

// Re-export each imported model and run it in ONNX Runtime on the test's own
// input: the result must be the test's expected output.
TEST(OnnxTestData, ImportedModelsComputeTheExpectedOutputsInOnnxRuntime) {
  if (cases().empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  if (auto why = onnx_test::ort_unavailable_reason()) GTEST_SKIP() << *why;
  const Survey& s = survey();
  const std::string dir = onnx_test::scratch_dir("testdata");
  std::vector<onnx_test::OrtJob> jobs;
  std::vector<const Imported*> checked;
  for (const Imported& i : s.imported) {
    const Graph& g = i.graph;
    if (g.inputs.size() != 1 || i.expected_output.empty()) continue;
    const std::string stem = dir + "/" + i.c.dir.parent_path().filename().string() + "_" + i.c.dir.filename().string();
    if (Status st = save_onnx(g, stem + ".onnx"); !st.is_ok()) {
      ADD_FAILURE() << i.c.id << ": re-export failed: " << st.message();
      continue;
    }
    onnx::TensorProto in;
    ASSERT_TRUE(in.ParseFromString(onnx_test::read_file(data_files(i.c.dir, "input")[0])));
    const auto x = tensor_floats(in);
    onnx_test::write_file(stem + ".in", std::string(reinterpret_cast<const char*>(x.data()), x.size() * sizeof(float)));
    jobs.push_back({stem + ".onnx", g.value(g.inputs[0]).desc.shape, stem + ".in", stem + ".out"});
    checked.push_back(&i);
  }
  const auto results = onnx_test::run_ort(jobs, dir);
  ASSERT_EQ(results.size(), jobs.size());
  int agree = 0;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    const std::string& id = checked[k]->c.id;
    if (!results[k].ok) {
      ADD_FAILURE() << id << ": ONNX Runtime refused our re-export: " << results[k].error;
      continue;
    }
    onnx::TensorProto want;
    ASSERT_TRUE(want.ParseFromString(onnx_test::read_file(checked[k]->expected_output)));
    const auto expected = tensor_floats(want);
    const auto got = onnx_test::read_floats(jobs[k].output_prefix + "_0.bin");
    ASSERT_EQ(got.size(), expected.size()) << id;
    double scale = 0;
    for (float v : expected) scale = std::max(scale, static_cast<double>(std::fabs(v)));
    bool same = true;
    for (std::size_t e = 0; e < got.size() && same; ++e) {
      same = std::fabs(got[e] - expected[e]) <= 1e-4 * scale + 1e-3 * std::fabs(expected[e]) + 1e-6;
      EXPECT_TRUE(same) << id << ": element " << e << " is " << got[e] << ", expected " << expected[e];
    }
    agree += same;
  }
  std::cout << "[ testdata ] " << agree << " of " << jobs.size() << " imported models reproduce their expected output in ONNX Runtime\n";
}

}  // namespace
}  // namespace eb::onnx_format
