// The libtorch backend: runs a graph with PyTorch's C++ library, from the
// graph's own weights, in one of two modes (BackendOptions::mode):
//   "eager"  (default) an interpreter calling torch ops node by node under
//            InferenceMode, as a PyTorch user's forward() runs;
//   "script" a TorchScript module generated from the graph, frozen and
//            optimized for inference, run by the JIT executor.
// No torch headers here: they are confined to libtorch_backend.cpp.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace eb {

std::unique_ptr<Backend> make_libtorch_backend();

}  // namespace eb
