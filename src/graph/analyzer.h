// Model analysis: parameters, buffers, MACs, bytes, per layer and in total.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace eb {

struct LayerInfo {
  std::string name;
  OpKind op;
  Shape output;
  int64_t params = 0;   // trainable: weights, biases, BN scale and shift
  int64_t buffers = 0;  // BN running mean and variance
  int64_t macs = 0;
  int64_t weight_bytes = 0;
  int64_t output_bytes = 0;
};

struct ModelInfo {
  std::string name;
  std::vector<Shape> inputs;
  std::vector<Shape> outputs;
  int64_t params = 0;
  int64_t buffers = 0;
  int64_t macs = 0;
  int64_t flops() const { return 2 * macs; }
  int64_t weight_bytes = 0;
  int64_t activation_bytes_total = 0;  // every activation, inputs included
  int64_t activation_bytes_peak = 0;   // most bytes alive at once, nodes run in order
  // FLOPs per parameter, the study's Figure 1 proxy for compute intensity.
  double flop_per_param() const { return params ? static_cast<double>(flops()) / static_cast<double>(params) : 0.0; }
  std::vector<LayerInfo> layers;
};

ModelInfo analyze(const Graph& graph);

}  // namespace eb
