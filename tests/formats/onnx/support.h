// Shared helpers of the ONNX tests: graphs that cover every op, a graph
// comparison for round trips, a small ModelProto writer for hand-made import
// cases, and the ONNX Runtime runner (node + onnxruntime-node).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "onnx/onnx_pb.h"

namespace eb::onnx_test {

// Hand-built graphs (GraphBuilder) that together use every op of the IR.
struct NamedGraph {
  std::string label;
  Graph graph;
};
std::vector<NamedGraph> every_op_graphs();
// One small graph per op (and per tricky attribute): consumers' disagreements
// then point at a single op.
std::vector<NamedGraph> single_op_graphs();

// Same ops in the same order with the same attrs, names and shapes, and
// bit-identical weights.
::testing::AssertionResult same_graph(const Graph& a, const Graph& b);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);
std::vector<float> random_input(const Shape& shape, uint64_t seed);

// A terse ModelProto writer for import tests.
class OnnxWriter {
 public:
  explicit OnnxWriter(int64_t opset, int64_t ir_version = 7);
  // dims < 0 are written as a symbolic dim "N".
  OnnxWriter& input(const std::string& name, const std::vector<int64_t>& dims);
  OnnxWriter& output(const std::string& name);
  OnnxWriter& init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data, bool raw = true);
  OnnxWriter& init_i64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& data);
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs,
                        const std::string& name = {});
  onnx::ModelProto& model() { return model_; }
  std::string bytes() const;

 private:
  onnx::ModelProto model_;
};

void attr_i(onnx::NodeProto& n, const std::string& name, int64_t v);
void attr_f(onnx::NodeProto& n, const std::string& name, float v);
void attr_s(onnx::NodeProto& n, const std::string& name, const std::string& v);
void attr_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
void attr_floats(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v);
void attr_tensor_i64(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v);
void attr_tensor_f(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v);

// ONNX Runtime through node. One process runs many jobs, because starting
// node costs more than running a small model.
struct OrtJob {
  std::string model;        // .onnx path
  Shape input_shape;        // of the model's single input
  std::string input_file;   // raw float32; empty: the script draws a seeded input
  std::string output_prefix;  // writes <prefix>_<k>.bin per output; empty: none
};
struct OrtResult {
  bool ok = false;
  std::string error;                       // ONNX Runtime's own message
  std::vector<std::vector<int64_t>> dims;  // per output
};
// nullopt when node or onnxruntime-node is not available (tests then skip).
std::optional<std::string> ort_unavailable_reason();
std::vector<OrtResult> run_ort(const std::vector<OrtJob>& jobs, const std::string& work_dir);
std::vector<float> read_floats(const std::string& path);

// A scratch directory under the test's temp dir, created fresh.
std::string scratch_dir(const std::string& name);

}  // namespace eb::onnx_test
