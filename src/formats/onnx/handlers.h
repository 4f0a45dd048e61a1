// The ONNX op handlers: one function per op type (or family), each mapping
// a NodeProto onto graph nodes, a folded constant, or an alias.
#pragma once

#include <string_view>

#include "formats/onnx/node_context.h"

namespace eb::onnx_format {

using Handler = Status (*)(NodeContext&);
// The handler for a default-domain op type, or nullptr.
Handler find_handler(std::string_view op_type);

// import_layers.cpp: convolution, pooling, normalization, activations.
Status import_conv(NodeContext& c);
Status import_pool(NodeContext& c);
Status import_global_pool(NodeContext& c);
Status import_batch_norm(NodeContext& c);
Status import_unary(NodeContext& c);  // Relu, Sigmoid, LeakyRelu
Status import_clip(NodeContext& c);
Status import_softmax(NodeContext& c);
Status import_lrn(NodeContext& c);

// import_tensors.cpp: linear layers, element-wise and data movement.
Status import_gemm(NodeContext& c);
Status import_matmul(NodeContext& c);
Status import_add(NodeContext& c);
Status import_concat(NodeContext& c);
Status import_flatten(NodeContext& c);
Status import_reshape(NodeContext& c);
Status import_pad(NodeContext& c);
Status import_resize(NodeContext& c);  // Resize, Upsample
Status import_dropout(NodeContext& c);

// fold.cpp: ops evaluated at import time, on constants or static shapes.
Status import_constant(NodeContext& c);
Status import_constant_of_shape(NodeContext& c);
Status import_shape(NodeContext& c);
Status import_size(NodeContext& c);
Status import_gather(NodeContext& c);
Status import_unsqueeze(NodeContext& c);
Status import_squeeze(NodeContext& c);
Status import_cast(NodeContext& c);
Status import_slice(NodeContext& c);
Status import_arith(NodeContext& c);  // Mul, Sub, Div on constants
Status import_identity(NodeContext& c);
// Folds `c` when every input is constant; false when something is not.
Result<bool> try_fold_elementwise(NodeContext& c);
Result<bool> try_fold_concat(NodeContext& c, int64_t axis);
// Resolves 0 (copy, unless allowzero) and -1 (infer) in a Reshape target;
// errors when the element counts disagree or overflow.
Result<std::vector<int64_t>> resolve_reshape(const std::vector<int64_t>& in, std::vector<int64_t> target, bool allowzero);

}  // namespace eb::onnx_format
