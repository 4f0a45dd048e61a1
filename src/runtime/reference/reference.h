// Reference kernels: plain, obviously-correct C++ for every op, the oracle
// that optimized kernels and other backends are checked against. Kept simple
// on purpose; speed is not a goal here. One file per op in this folder.
#pragma once

#include <span>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"
#include "runtime/tensor_view.h"

namespace eb::ref {

// Runs one node. `inputs` lines up with node.inputs (data == nullptr for an
// absent optional input); `output` is preallocated with the inferred shape.
Status run_node(const Node& node, std::span<const ConstTensorView> inputs, TensorView output);

// Runs a whole graph with reference kernels: one buffer per value, no reuse.
// `inputs` lines up with graph.inputs; returns one buffer per graph output.
Result<std::vector<std::vector<float>>> run_graph(const Graph& graph, const std::vector<std::vector<float>>& inputs);

}  // namespace eb::ref
