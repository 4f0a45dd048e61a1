// How each graph node maps onto torch ops, decided once per node and shared
// by both LibTorch modes: the eager interpreter calls the ops, the TorchScript
// generator writes them as source. No torch headers here (they compile slowly),
// so this part is plain arithmetic and testable on its own.
//
// Where ONNX semantics go beyond what a torch op takes, the plan spells out
// the composition a PyTorch user would write:
//   - asymmetric conv/pool pads: an explicit constant_pad_nd (F.pad) first;
//   - pool pads above half the kernel (ONNX allows pad < kernel, torch only
//     pad <= kernel/2): the same;
//   - AveragePool without count_include_pad over explicit pads: divide the
//     pooled sum by the pooled count of real elements (a constant);
//   - LRN: squares averaged over a channel window with avg_pool2d, as
//     F.local_response_norm does, but with the ONNX window for even sizes;
//   - Upsample with N or C factors: repeat_interleave.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"
#include "graph/graph.h"

namespace eb::torch_lowering {

// Relu, Sigmoid, Add: nothing to decide.
struct PlainPlan {};

struct ConvPlan {
  int spatial = 2;               // 1..3 -> conv1d/2d/3d
  std::vector<int64_t> pre_pad;  // torch pad order (last dim first); empty: none
  std::vector<int64_t> padding, stride, dilation;
  int64_t groups = 1;
  bool bias = false;
};

struct BatchNormPlan {
  double eps = 1e-5;
};

struct ClipPlan {
  double min = 0.0, max = 6.0;
  bool relu6 = false;  // Clip(0, 6): hardtanh, as nn.ReLU6 runs it
};

struct LeakyReluPlan {
  double alpha = 0.01;
};

struct PoolPlan {
  bool max = true;
  int spatial = 2;  // 1..3
  std::vector<int64_t> kernel, stride, padding;
  bool ceil_mode = false;
  bool count_include_pad = false;   // torch flag (true whenever pads are explicit)
  std::vector<int64_t> pre_pad;     // torch pad order; empty: none
  double pad_value = 0.0;           // -inf for max pooling
  bool divide_by_valid_count = false;  // AvgPool excluding pads over explicit pads
  std::vector<int64_t> in_spatial;     // input spatial dims
  std::vector<int64_t> out_spatial;    // the graph's output spatial dims
  bool narrow = false;  // torch's output is longer (ceil_mode over explicit pads): cut to out_spatial
};

struct GlobalPoolPlan {
  bool max = false;
  int spatial = 2;
  bool adaptive = true;       // adaptive_avg_pool{1,2,3}d; else mean over dims
  std::vector<int64_t> dims;  // spatial dims, for amax / mean
};

struct GemmPlan {
  bool bias = false;
};

struct AxisPlan {
  int64_t axis = 1;  // normalized (non-negative)
};

struct ShapePlan {
  bool torch_flatten = false;  // Flatten(axis=1) on rank >= 2: torch.flatten(x, 1)
  std::vector<int64_t> shape;  // otherwise: reshape to this static shape
};

struct LrnPlan {
  int64_t size = 5, front = 2, back = 2;  // channel window [c - front, c + back]
  double alpha = 1e-4, beta = 0.75, bias = 1.0;
  std::vector<int64_t> as4d;   // [N, 1, C, rest]
  std::vector<int64_t> shape;  // the input's own shape
};

struct UpsamplePlan {
  bool native = false;  // upsample_nearest{1,2,3}d to out_size
  int spatial = 2;
  std::vector<int64_t> out_size;
  std::vector<std::pair<int64_t, int64_t>> repeats;  // otherwise (dim, factor): repeat_interleave
};

struct PadPlan {
  std::vector<int64_t> pads;  // torch pad order, trailing zero pairs dropped
  double value = 0.0;
};

using Plan = std::variant<PlainPlan, ConvPlan, BatchNormPlan, ClipPlan, LeakyReluPlan, PoolPlan, GlobalPoolPlan, GemmPlan,
                          AxisPlan, ShapePlan, LrnPlan, UpsamplePlan, PadPlan>;

struct NodePlan {
  int index = 0;  // position in graph.nodes
  OpKind op = OpKind::Relu;
  std::string name;
  std::vector<ValueId> inputs;  // present inputs only (absent optional inputs dropped)
  ValueId output = kNoValue;
  Plan plan;
};

// The plan of one node of a validated graph; unsupported (naming the node and
// op) for what torch cannot express, e.g. a 4-D convolution.
Result<NodePlan> plan_node(const Graph& graph, int index);
// All nodes, in order; the first failure is returned.
Result<std::vector<NodePlan>> plan_graph(const Graph& graph);

// ONNX pads [b0..bn-1, e0..en-1] over the last n dims -> torch (F.pad) order
// [b_{n-1}, e_{n-1}, ..., b0, e0].
std::vector<int64_t> torch_pad_order(const std::vector<int64_t>& onnx_pads);

// Output length of torch's pooling for one dim (ATen's pooling_output_shape, dilation 1).
int64_t torch_pool_out(int64_t in, int64_t kernel, int64_t pad, int64_t stride, bool ceil_mode);

// Latency-breakdown category (OpCategory name) of a torch operator as the
// profiler names it ("aten::conv2d", "prepacked::linear_clamp_run", ...).
const char* category_of_torch_op(std::string_view op);

// A Python float literal that reads back as exactly `v` (inf/nan included).
std::string float_literal(double v);

}  // namespace eb::torch_lowering
