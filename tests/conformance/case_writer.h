// Hand-made ONNX backend-test cases for the conformance tests: a one-node
// model.onnx and test_data_set_N/{input,output}_K.pb written with the ONNX
// protobuf classes, so that pass, fail, unsupported and error can be checked
// without Debian's libonnx-testdata (and with exactly known numbers).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace eb::conformance::fixtures {

namespace fs = std::filesystem;

struct TensorSpec {
  std::string name;
  std::vector<int64_t> dims;
};

inline void write_bytes(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// One node of `op` from `inputs` (all graph inputs, FLOAT) to `output`, at opset 13.
inline void write_model(const fs::path& case_dir, const std::string& op, const std::vector<TensorSpec>& inputs, const TensorSpec& output) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name(op + "_case");
  auto declare = [](onnx::ValueInfoProto* v, const TensorSpec& t) {
    v->set_name(t.name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : t.dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  };
  onnx::NodeProto* node = g->add_node();
  node->set_op_type(op);
  node->set_name(op + "_0");
  for (const TensorSpec& in : inputs) {
    node->add_input(in.name);
    declare(g->add_input(), in);
  }
  node->add_output(output.name);
  declare(g->add_output(), output);
  write_bytes(case_dir / "model.onnx", model.SerializeAsString());
}

inline void write_tensor(const fs::path& path, const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  write_bytes(path, t.SerializeAsString());
}

inline const std::vector<float> kReluInput = {-1.5f, 0.0f, 2.0f, -0.25f, 3.5f, 1.0f};
inline const std::vector<float> kReluOutput = {0.0f, 0.0f, 2.0f, 0.0f, 3.5f, 1.0f};

// Relu on a 2x3 tensor: passes on any backend that runs Relu.
inline void write_relu_case(const fs::path& dir) {
  write_model(dir, "Relu", {{"x", {2, 3}}}, {"y", {2, 3}});
  write_tensor(dir / "test_data_set_0" / "input_0.pb", "x", {2, 3}, kReluInput);
  write_tensor(dir / "test_data_set_0" / "output_0.pb", "y", {2, 3}, kReluOutput);
}

// Conv of a 1x1x3x3 image with a 1x1x2x2 kernel given as the second graph
// input (as ONNX's node tests give weights): it must be frozen, not fed.
inline void write_conv_case(const fs::path& dir) {
  write_model(dir, "Conv", {{"x", {1, 1, 3, 3}}, {"w", {1, 1, 2, 2}}}, {"y", {1, 1, 2, 2}});
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> w = {1, 0, 0, -1};  // y[i][j] = x[i][j] - x[i+1][j+1] = -4 everywhere
  write_tensor(dir / "test_data_set_0" / "input_0.pb", "x", {1, 1, 3, 3}, x);
  write_tensor(dir / "test_data_set_0" / "input_1.pb", "w", {1, 1, 2, 2}, w);
  write_tensor(dir / "test_data_set_0" / "output_0.pb", "y", {1, 1, 2, 2}, {-4, -4, -4, -4});
}

// Add of two graph inputs: both are activations, both fed.
inline void write_add_case(const fs::path& dir) {
  write_model(dir, "Add", {{"a", {2, 2}}, {"b", {2, 2}}}, {"c", {2, 2}});
  write_tensor(dir / "test_data_set_0" / "input_0.pb", "a", {2, 2}, {1, 2, 3, 4});
  write_tensor(dir / "test_data_set_0" / "input_1.pb", "b", {2, 2}, {10, 20, 30, 40});
  write_tensor(dir / "test_data_set_0" / "output_0.pb", "c", {2, 2}, {11, 22, 33, 44});
}

// An op type no ONNX opset defines: the importer must decline it.
inline void write_unknown_op_case(const fs::path& dir) {
  write_model(dir, "NoSuchOpAnywhere", {{"x", {2, 3}}}, {"y", {2, 3}});
  write_tensor(dir / "test_data_set_0" / "input_0.pb", "x", {2, 3}, kReluInput);
  write_tensor(dir / "test_data_set_0" / "output_0.pb", "y", {2, 3}, kReluOutput);
}

// Changes element `index` of a FLOAT tensor file to `value`.
inline void corrupt_element(const fs::path& pb, std::size_t index, float value) {
  onnx::TensorProto t;
  t.ParseFromString(read_bytes(pb));
  if (t.has_raw_data()) {
    std::string raw = t.raw_data();
    std::memcpy(raw.data() + index * sizeof(float), &value, sizeof value);
    t.set_raw_data(raw);
  } else {
    t.set_float_data(static_cast<int>(index), value);
  }
  write_bytes(pb, t.SerializeAsString());
}

// Keeps the first half of a file (a download cut short).
inline void truncate_to_half(const fs::path& file) {
  const std::string bytes = read_bytes(file);
  write_bytes(file, bytes.substr(0, bytes.size() / 2));
}

}  // namespace eb::conformance::fixtures
