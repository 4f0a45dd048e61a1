// Graph passes of the native engine, one file each. Each rewrites a
// PlanGraph in place and returns how many rewrites it made. They keep
// every node's output value (and so the names of graph outputs): a folded or
// fused node hands its output value to the node that absorbs it.
#pragma once

#include <functional>

#include "runtime/plan_graph.h"

namespace eb::rt {

// BatchNorm following a Conv (or a Gemm) whose result nothing else reads:
// scales the weights and shifts the bias per output channel, drops the BN.
int fold_batchnorm(PlanGraph& graph);

// A zero-valued, spatial-only Pad whose only reader is a Conv becomes the
// conv's own padding.
int fold_pad(PlanGraph& graph);

// An AvgPool (ignoring padding) read only by a 1x1 Conv that reduces
// channels runs after the conv instead, on fewer channels.
int commute_pool_conv(PlanGraph& graph);

// Whether a node's kernel can apply a post-op (asked before fusing it).
using PostOpFilter = std::function<bool(const PlanGraph&, const PlanNode&, const PostOp&)>;

// Relu / Clip / LeakyRelu / Sigmoid following a node become eltwise post-ops.
int fuse_activations(PlanGraph& graph, const PostOpFilter& accepts);

// Add(a, b) where one operand is produced by a node that accepts a sum
// post-op and is read by nothing else: that node adds the other operand
// (its residual) to its own result; the Add disappears.
int fuse_residual_add(PlanGraph& graph, const PostOpFilter& accepts);

struct PassCounts {
  int folded_batchnorm = 0;
  int folded_pad = 0;
  int commuted_pools = 0;
  int fused_activations = 0;
  int fused_residual_adds = 0;
};

// The graph-level passes in their order.
PassCounts run_graph_passes(PlanGraph& graph, const PostOpFilter& accepts, bool fold = true, bool fuse = true);

}  // namespace eb::rt
