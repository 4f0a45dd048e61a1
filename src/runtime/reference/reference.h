// Reference kernels: plain, obviously-correct C++ for every op, the oracle
// that optimized kernels and other backends are checked against. Kept simple
// on purpose; speed is secondary, but conv loops run over contiguous memory
// so that the compiler vectorizes them: verification runs the whole zoo
// (VGG16, C3D, ...) through run_graph. One file per op in this folder.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"
#include "runtime/tensor_view.h"

namespace eb::ref {

// Runs one node. `inputs` lines up with node.inputs (data == nullptr for an
// absent optional input); `output` is preallocated with the inferred shape
// and must not overlap an input. The attrs, the inputs and the output shape
// are checked against the op table first; errors name the node.
Status run_node(const Node& node, std::span<const ConstTensorView> inputs, TensorView output);

// Runs a whole graph with reference kernels: one buffer per value, no reuse
// (a buffer is freed once its last consumer has run). Shapes are re-inferred
// from the graph's inputs (Graph::validate_and_infer on a copy). `inputs`
// lines up with graph.inputs, each holding exactly numel f32 values; returns
// one buffer per graph output. Errors name the graph, node and tensor.
Result<std::vector<std::vector<float>>> run_graph(const Graph& graph, const std::vector<std::vector<float>>& inputs);

}  // namespace eb::ref
