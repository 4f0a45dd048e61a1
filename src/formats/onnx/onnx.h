// ONNX import and export for the graph IR.
//
// Export writes opset 13 with every weight as a raw_data initializer (bit
// exact) and runs the ONNX checker plus strict shape inference on the result.
// Import accepts what PyTorch/torchvision exporters produce for
// classification CNNs (opsets 6..18): shape-computing chains are folded away,
// Dropout/Identity disappear, Gemm/MatMul weights are normalized to W[out,in].
// docs/formats.md lists the mapping op by op.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "graph/graph.h"

namespace eb::onnx_format {

// The opset export writes by default; import reads default-domain opsets 1..21.
inline constexpr int kExportOpset = 13;
// The legacy profile, for consumers that predate opset 11: OpenCV DNN 4.6
// cannot read Clip-11+ (bounds as inputs), so ReLU6 models need it there.
inline constexpr int kLegacyExportOpset = 10;

struct ExportOptions {
  // kExportOpset or kLegacyExportOpset. At 10, Clip bounds and Pad pads are
  // attributes, Resize takes scales only, a Gemm without bias gets a zero
  // bias (Gemm-9 requires one), and Softmax must be over the last wide dim.
  int opset = kExportOpset;
};

// Serialized ModelProto bytes; fails with `unsupported` for a graph ONNX
// cannot express and `internal` if the checker rejects our own output.
Result<std::string> export_onnx(const Graph& graph, const ExportOptions& options = {});
Status save_onnx(const Graph& graph, const std::string& path, const ExportOptions& options = {});

struct ImportOptions {
  // Static shapes for inputs whose dims are symbolic beyond the batch dim
  // (the batch dim alone defaults to 1).
  std::map<std::string, Shape> input_shapes;
  // Graph inputs to freeze as constants: input name -> serialized TensorProto
  // (the bytes of an ONNX test's input_N.pb). Lets models whose weights are
  // graph inputs (the ONNX backend tests) import.
  std::map<std::string, std::string> constant_inputs;
};

// `name` becomes the graph's name (the ONNX graph name is only a fallback).
Result<Graph> import_onnx_bytes(std::string_view bytes, std::string name, const ImportOptions& options = {});
// Graph named after the file's stem; not_found when the file is missing.
Result<Graph> load_onnx(const std::string& path, const ImportOptions& options = {});

// Parses `bytes` and runs the full ONNX check (checker + strict shape
// inference); for tests and for `edgebench export` to vouch for a file.
Status check_onnx_bytes(std::string_view bytes);

}  // namespace eb::onnx_format
