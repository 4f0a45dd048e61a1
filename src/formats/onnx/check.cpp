#include "formats/onnx/check.h"

#include <exception>
#include <limits>

#include "formats/onnx/onnx.h"
#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"

namespace eb::onnx_format {

Status full_check(onnx::ModelProto& model, bool compare_shapes) {
  onnx::GraphProto& g = *model.mutable_graph();
  // What inference adds or merges is dropped again: the caller's model is
  // what gets serialized.
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> value_info, outputs;
  value_info.Swap(g.mutable_value_info());
  outputs.CopyFrom(g.output());
  if (compare_shapes) g.mutable_value_info()->CopyFrom(value_info);
  else
    for (auto& out : *g.mutable_output())  // rank kept, dims unknown
      for (auto& dim : *out.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim()) dim.clear_dim_value();
  Status status;
  // libonnx reports through exceptions; none may escape our API.
  try {
    onnx::checker::check_model(model);
    const onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), strict);
  } catch (const std::exception& e) {
    status = invalid_argument(std::string("ONNX check failed: ") + e.what());
  }
  g.mutable_value_info()->Swap(&value_info);
  g.mutable_output()->Swap(&outputs);
  return status;
}

Status check_onnx_bytes(std::string_view bytes) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) || !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return invalid_argument("not an ONNX model: protobuf parsing failed");
  return full_check(model);
}

}  // namespace eb::onnx_format
