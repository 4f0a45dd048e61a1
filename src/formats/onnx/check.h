// The full ONNX check: onnx::checker plus strict, type-checking shape
// inference (what Python's check_model(full_check=True) runs).
#pragma once

#include "common/status.h"
#include "onnx/onnx_pb.h"

namespace eb::onnx_format {

// invalid_argument with the checker's own message when the model fails.
// Inference runs in place because copying a model means copying every
// weight; the model is left as it came. infer_shapes = false runs the
// checker alone, for graphs where ONNX 1.12's shape rules are known to
// differ from the IR's (see export.cpp).
Status full_check(onnx::ModelProto& model, bool infer_shapes = true);

}  // namespace eb::onnx_format
