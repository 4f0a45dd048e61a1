// TorchScript source for a graph: a `forward` method calling torch ops on
// module attributes, which the libtorch backend compiles with
// Module::define(), then freezes and optimizes for inference. Plain text
// generation, no torch headers.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "backends/libtorch/lowering.h"
#include "common/status.h"
#include "graph/graph.h"

namespace eb::torch_lowering {

struct ScriptSource {
  std::string text;  // "def forward(self, v0):\n    ...\n    return (v7,)\n"
  // Module attributes the source reads, to be registered before define():
  std::vector<std::pair<std::string, ValueId>> parameters;  // weights, biases, BN scale/shift, other initializers
  std::vector<std::pair<std::string, ValueId>> buffers;     // BN running statistics
  std::vector<std::pair<std::string, int>> divisors;        // per-node constants (PoolPlan::divide_by_valid_count), by node index
  // The graph node (index) each source line (0-based) computes, -1 for none:
  // the JIT keeps source ranges through freezing, so profiles can name nodes.
  std::vector<int> line_node;
};

// Names used in the source: activations and inputs "v<id>", initializers
// "self.p<id>", pooling divisors "self.d<node index>".
std::string script_value_name(const Graph& graph, ValueId id);

// Always returns a tuple, one element per graph output.
Result<ScriptSource> generate_torchscript(const Graph& graph, const std::vector<NodePlan>& plans);

}  // namespace eb::torch_lowering
