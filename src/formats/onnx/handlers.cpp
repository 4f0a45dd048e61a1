#include "formats/onnx/handlers.h"

namespace eb::onnx_format {
namespace {

struct Entry {
  std::string_view op;
  Handler fn;
};

// One row per supported op type: the one place that lists them.
constexpr Entry kHandlers[] = {
    {"Conv", import_conv},
    {"MaxPool", import_pool},
    {"AveragePool", import_pool},
    {"GlobalAveragePool", import_global_pool},
    {"GlobalMaxPool", import_global_pool},
    {"BatchNormalization", import_batch_norm},
    {"Relu", import_unary},
    {"Sigmoid", import_unary},
    {"LeakyRelu", import_unary},
    {"Clip", import_clip},
    {"Gemm", import_gemm},
    {"MatMul", import_matmul},
    {"Add", import_add},
    {"Concat", import_concat},
    {"Flatten", import_flatten},
    {"Reshape", import_reshape},
    {"Softmax", import_softmax},
    {"LRN", import_lrn},
    {"Pad", import_pad},
    {"Resize", import_resize},
    {"Upsample", import_resize},
    {"Dropout", import_dropout},
    {"Identity", import_identity},
    // Evaluated at import time (fold.cpp).
    {"Constant", import_constant},
    {"ConstantOfShape", import_constant_of_shape},
    {"Shape", import_shape},
    {"Size", import_size},
    {"Gather", import_gather},
    {"Unsqueeze", import_unsqueeze},
    {"Squeeze", import_squeeze},
    {"Cast", import_cast},
    {"Slice", import_slice},
    {"Mul", import_arith},
    {"Sub", import_arith},
    {"Div", import_arith},
};

}  // namespace

Handler find_handler(std::string_view op_type) {
  for (const Entry& e : kHandlers)
    if (e.op == op_type) return e.fn;
  return nullptr;
}

}  // namespace eb::onnx_format
