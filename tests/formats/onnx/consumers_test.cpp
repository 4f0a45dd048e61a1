// Third-party consumers of our exports: ONNX Runtime (node + onnxruntime-node)
// and OpenCV DNN 4.6 (in process). Each test skips when its consumer is
// absent. Where both run a model, their outputs must agree: that checks our
// export's meaning, not only its syntax. Consumers' own refusal messages are
// printed (docs/formats.md records them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "formats/onnx/onnx.h"
#include "support.h"
#ifdef EB_HAVE_ZOO
#include "zoo/zoo.h"
#endif
#ifdef EB_HAVE_OPENCV
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#endif

namespace eb::onnx_format {
namespace {

struct Exported {
  std::string label;
  Graph graph;
  std::string path;         // opset 13
  std::string legacy_path;  // opset 10; empty when the graph needs 13
  std::string bytes, legacy_bytes;
  std::string input_file;   // raw float32 input shared by every consumer
};

// Exports every test graph and a few small zoo models once per process.
const std::vector<Exported>& exports() {
  static const std::vector<Exported> all = [] {
    std::vector<onnx_test::NamedGraph> graphs = onnx_test::every_op_graphs();
    for (auto& g : onnx_test::single_op_graphs()) graphs.push_back(std::move(g));
#ifdef EB_HAVE_ZOO
    // Small inputs keep this fast; what matters is each model's structure.
    const std::pair<const char*, int64_t> zoo_models[] = {{"cifarnet", 0}, {"mobilenet_v2", 64}, {"resnet18", 64}};
    for (const auto& [id, size] : zoo_models) {
      zoo::BuildOptions opt;
      opt.input_size = size;
      auto g = zoo::build(id, opt);
      EXPECT_TRUE(g.is_ok()) << id << ": " << g.status().message();
      if (g.is_ok()) graphs.push_back({id, std::move(g).value()});
    }
#endif
    const std::string dir = onnx_test::scratch_dir("consumers");
    std::vector<Exported> out;
    for (auto& [label, graph] : graphs) {
      Exported e;
      e.label = label;
      e.path = dir + "/" + label + ".onnx";
      auto bytes = export_onnx(graph);
      EXPECT_TRUE(bytes.is_ok()) << label << ": " << bytes.status().message();
      if (!bytes.is_ok()) continue;
      e.bytes = std::move(bytes).value();
      onnx_test::write_file(e.path, e.bytes);
      if (auto legacy = export_onnx(graph, {kLegacyExportOpset}); legacy.is_ok()) {
        e.legacy_path = dir + "/" + label + ".opset10.onnx";
        e.legacy_bytes = std::move(legacy).value();
        onnx_test::write_file(e.legacy_path, e.legacy_bytes);
      } else {
        EXPECT_EQ(legacy.status().code(), ErrorCode::unsupported) << legacy.status().message();
      }
      const Shape& in = graph.value(graph.inputs[0]).desc.shape;
      const auto x = onnx_test::random_input(in, 99);
      e.input_file = dir + "/" + label + ".input.bin";
      onnx_test::write_file(e.input_file, std::string(reinterpret_cast<const char*>(x.data()), x.size() * sizeof(float)));
      e.graph = std::move(graph);
      out.push_back(std::move(e));
    }
    return out;
  }();
  return all;
}

std::string ort_prefix(const Exported& e, bool legacy) { return (legacy ? e.legacy_path : e.path) + ".ort"; }

// Runs every export (both opsets) in ONNX Runtime once; results line up
// with exports(), legacy ones are empty where there is no legacy file.
struct OrtRuns {
  std::vector<onnx_test::OrtResult> current, legacy;
};

const OrtRuns& ort_results() {
  static const OrtRuns runs = [] {
    std::vector<onnx_test::OrtJob> jobs;
    for (const Exported& e : exports()) {
      const Shape& in = e.graph.value(e.graph.inputs[0]).desc.shape;
      jobs.push_back({e.path, in, e.input_file, ort_prefix(e, false)});
      if (!e.legacy_path.empty()) jobs.push_back({e.legacy_path, in, e.input_file, ort_prefix(e, true)});
    }
    const auto results = onnx_test::run_ort(jobs, onnx_test::scratch_dir("ort"));
    OrtRuns r;
    std::size_t k = 0;
    for (const Exported& e : exports()) {
      r.current.push_back(k < results.size() ? results[k++] : onnx_test::OrtResult{});
      r.legacy.push_back(!e.legacy_path.empty() && k < results.size() ? results[k++] : onnx_test::OrtResult{});
    }
    return r;
  }();
  return runs;
}

::testing::AssertionResult close_enough(const std::vector<float>& a, const float* b, std::size_t n) {
  if (a.size() != n) return ::testing::AssertionFailure() << "sizes differ: " << a.size() << " vs " << n;
  // Different kernels sum in different orders: allow float noise relative
  // to each element and to the output's overall scale.
  double scale = 0;
  for (float v : a) scale = std::max(scale, static_cast<double>(std::fabs(v)));
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::fabs(a[i] - b[i]) <= 1e-4 * scale + 1e-3 * std::fabs(a[i])))
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << b[i] << " (scale " << scale << ")";
  return ::testing::AssertionSuccess();
}

TEST(OnnxConsumers, OnnxRuntimeRunsEveryExport) {
  if (auto why = onnx_test::ort_unavailable_reason()) GTEST_SKIP() << *why;
  const OrtRuns& runs = ort_results();
  ASSERT_EQ(runs.current.size(), exports().size());
  int legacy = 0;
  for (std::size_t i = 0; i < exports().size(); ++i) {
    const Exported& e = exports()[i];
    SCOPED_TRACE(e.label);
    ASSERT_TRUE(runs.current[i].ok) << "ONNX Runtime: " << runs.current[i].error;
    ASSERT_EQ(runs.current[i].dims.size(), e.graph.outputs.size());
    for (std::size_t k = 0; k < e.graph.outputs.size(); ++k)
      EXPECT_EQ(runs.current[i].dims[k], e.graph.value(e.graph.outputs[k]).desc.shape.dims()) << "output " << k;
    if (e.legacy_path.empty()) continue;
    ++legacy;
    // The opset-10 file must compute the same thing.
    ASSERT_TRUE(runs.legacy[i].ok) << "ONNX Runtime, opset 10: " << runs.legacy[i].error;
    for (std::size_t k = 0; k < e.graph.outputs.size(); ++k) {
      const auto a = onnx_test::read_floats(ort_prefix(e, false) + "_" + std::to_string(k) + ".bin");
      const auto b = onnx_test::read_floats(ort_prefix(e, true) + "_" + std::to_string(k) + ".bin");
      EXPECT_TRUE(close_enough(a, b.data(), b.size())) << "opset 10 and 13 disagree on output " << k;
    }
  }
  EXPECT_GE(legacy, 4);
}

#ifdef EB_HAVE_OPENCV
// Why OpenCV DNN 4.6 may refuse a graph; docs/formats.md quotes its messages.
std::string expected_opencv_refusal(const Graph& g, bool legacy) {
  for (const Node& n : g.nodes) {
    if (n.op == OpKind::Clip && !legacy) return "Clip-11+ (bounds as inputs)";
    if (n.op == OpKind::GlobalAvgPool && g.value(n.inputs[0]).desc.shape.rank() == 5) return "3-D GlobalAveragePool";
  }
  return {};
}

// Where OpenCV DNN 4.6 computes something else than ONNX Runtime (and the
// IR): it decides AveragePool's count_include_pad from the producer's name
// ("pytorch" or not), ignoring the attribute; with ceil_mode it keeps a last
// pooling window that starts in the end padding (one more output).
std::string expected_opencv_deviation(const Graph& g) {
  for (const Node& n : g.nodes) {
    if (n.op != OpKind::AvgPool && n.op != OpKind::MaxPool) continue;
    const auto& a = n.get<PoolAttrs>();
    const Shape& x = g.value(n.inputs[0]).desc.shape;
    const Shape& y = g.value(n.outputs[0]).desc.shape;
    const std::size_t dims = a.kernel.size();
    for (std::size_t i = 0; i < dims; ++i) {
      if (n.op == OpKind::AvgPool && a.count_include_pad && (a.pads[i] > 0 || a.pads[dims + i] > 0))
        return "AveragePool count_include_pad=1 with padding";
      const int64_t padded = x[2 + i] + a.pads[i] + a.pads[dims + i] - a.kernel[i];
      if (a.ceil_mode && (padded + a.strides[i] - 1) / a.strides[i] + 1 != y[2 + i])
        return "ceil_mode pooling whose last window starts in the padding";
    }
  }
  return {};
}

// Loads and runs one file in OpenCV; returns its error message, if any.
std::string run_opencv(const Exported& e, const std::string& bytes, std::vector<cv::Mat>& outs) {
  const Graph& g = e.graph;
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    const Shape& in = g.value(g.inputs[0]).desc.shape;
    std::vector<int> dims(in.dims().begin(), in.dims().end());
    auto x = onnx_test::read_floats(e.input_file);
    cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F, x.data());
    net.setInput(blob, g.value(g.inputs[0]).name);
    std::vector<std::string> names;
    for (ValueId o : g.outputs) names.push_back(g.value(o).name);
    net.forward(outs, names);
  } catch (const cv::Exception& ex) {
    return ex.what();
  }
  return {};
}

TEST(OnnxConsumers, OpenCvDnnLoadsAndRunsExports) {
  // Its refusals are expected and printed below, not logged as errors.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  const bool have_ort = !onnx_test::ort_unavailable_reason().has_value();
  int ran = 0;
  for (std::size_t i = 0; i < exports().size(); ++i) {
    const Exported& e = exports()[i];
    for (const bool legacy : {false, true}) {
      if (legacy && e.legacy_path.empty()) continue;
      SCOPED_TRACE(e.label + (legacy ? " (opset 10)" : " (opset 13)"));
      std::vector<cv::Mat> outs;
      const std::string error = run_opencv(e, legacy ? e.legacy_bytes : e.bytes, outs);
      const std::string expected = expected_opencv_refusal(e.graph, legacy);
      if (!error.empty()) {
        std::cout << "[ OpenCV   ] " << e.label << (legacy ? " opset 10" : " opset 13") << " refused: " << error << "\n";
        if (expected.empty()) ADD_FAILURE() << "OpenCV DNN failed: " << error;
        continue;
      }
      if (!expected.empty()) std::cout << "[ OpenCV   ] " << e.label << " now runs despite " << expected << "\n";
      ++ran;
      ASSERT_EQ(outs.size(), e.graph.outputs.size());
      const auto& ort = ort_results().current;
      const std::string deviation = expected_opencv_deviation(e.graph);
      for (std::size_t k = 0; k < outs.size(); ++k) {
        const bool same_size = static_cast<int64_t>(outs[k].total()) == e.graph.value(e.graph.outputs[k]).desc.shape.numel();
        bool agree = same_size;
        if (same_size && have_ort && ort[i].ok) {
          const auto want = onnx_test::read_floats(ort_prefix(e, false) + "_" + std::to_string(k) + ".bin");
          agree = close_enough(want, outs[k].ptr<float>(), outs[k].total());
        }
        if (!deviation.empty()) {
          std::cout << "[ OpenCV   ] " << e.label << ": " << deviation << ": " << (agree ? "agrees anyway" : "differs, as known") << "\n";
        } else {
          EXPECT_TRUE(same_size) << "OpenCV's output " << k << " has " << outs[k].total() << " elements";
          EXPECT_TRUE(agree) << "OpenCV and ONNX Runtime disagree on output " << k;
        }
      }
    }
  }
  EXPECT_GT(ran, 0);
}
#else
TEST(OnnxConsumers, OpenCvDnnLoadsAndRunsExports) { GTEST_SKIP() << "built without OpenCV"; }
#endif

#ifdef EB_HAVE_ZOO
// Opt-in (EB_ONNX_SLOW=1): every zoo model at full size (zero weights: this
// checks loading and running, not values) in both consumers, one at a time.
TEST(OnnxConsumers, AllZooModelsAtFullSize) {
  if (!std::getenv("EB_ONNX_SLOW")) GTEST_SKIP() << "set EB_ONNX_SLOW=1 to run every zoo model in the consumers";
  const bool have_ort = !onnx_test::ort_unavailable_reason().has_value();
#ifdef EB_HAVE_OPENCV
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
#endif
  const std::string dir = onnx_test::scratch_dir("zoo_full");
  for (const zoo::ModelEntry& m : zoo::models()) {
    SCOPED_TRACE(std::string(m.id));
    zoo::BuildOptions opt;
    opt.weights = WeightInit::zeros;
    auto g = zoo::build(m.id, opt);
    ASSERT_TRUE(g.is_ok()) << g.status().message();
    for (const int opset : {kExportOpset, kLegacyExportOpset}) {
      Exported e;
      e.label = std::string(m.id);
      e.path = dir + "/" + e.label + ".onnx";
      auto bytes = export_onnx(g.value(), {opset});
      if (!bytes.is_ok()) {
        std::cout << "[ zoo      ] " << m.id << " opset " << opset << ": " << bytes.status().message() << "\n";
        continue;
      }
      e.bytes = std::move(bytes).value();
      onnx_test::write_file(e.path, e.bytes);
      const Shape& in = g->value(g->inputs[0]).desc.shape;
      const auto x = onnx_test::random_input(in, 5);
      e.input_file = dir + "/input.bin";
      onnx_test::write_file(e.input_file, std::string(reinterpret_cast<const char*>(x.data()), x.size() * sizeof(float)));
      e.graph = g.value();
      std::string ort = "not run";
      if (have_ort) {
        const auto r = onnx_test::run_ort({{e.path, in, e.input_file, {}}}, dir);
        ort = r.empty() || !r[0].ok ? "FAILED " + (r.empty() ? std::string() : r[0].error) : "ok";
        EXPECT_EQ(ort, "ok");
      }
      std::string cv = "not built";
#ifdef EB_HAVE_OPENCV
      std::vector<cv::Mat> outs;
      const std::string error = run_opencv(e, e.bytes, outs);
      cv = error.empty() ? "ok" : "refused: " + error.substr(0, error.find('\n', error.find("parse error")));
#endif
      std::cout << "[ zoo      ] " << m.id << " opset " << opset << ": ONNX Runtime " << ort << "; OpenCV " << cv << "\n" << std::flush;
      std::filesystem::remove(e.path);
    }
  }
}
#endif

}  // namespace
}  // namespace eb::onnx_format
