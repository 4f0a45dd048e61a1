#include "formats/onnx/check.h"

#include <exception>
#include <limits>

#include "formats/onnx/onnx.h"
#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"

namespace eb::onnx_format {

Status full_check(onnx::ModelProto& model, bool infer_shapes) {
  onnx::GraphProto& g = *model.mutable_graph();
  // Inference adds value_info; what the caller serializes must not change.
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> value_info;
  value_info.CopyFrom(g.value_info());
  Status status;
  // libonnx reports through exceptions; none may escape our API.
  try {
    onnx::checker::check_model(model);
    if (infer_shapes) {
      const onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1);
      onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), strict);
    }
  } catch (const std::exception& e) {
    status = invalid_argument(std::string("ONNX check failed: ") + e.what());
  }
  g.mutable_value_info()->Swap(&value_info);
  return status;
}

Status check_onnx_bytes(std::string_view bytes) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return invalid_argument("not an ONNX model: protobuf parsing failed");
  return full_check(model);
}

}  // namespace eb::onnx_format
