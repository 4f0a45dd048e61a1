// The "native" backend: edgebench's own CPU runtime (runtime/engine.h),
// oneDNN kernels with reference fallbacks, FP32.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace eb {

std::unique_ptr<Backend> make_native_backend();

}  // namespace eb
