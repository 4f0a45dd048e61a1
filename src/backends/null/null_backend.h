// The null backend: prepares and invokes nothing. Timing it measures the
// harness's own per-iteration overhead, which is reported with every run.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace eb {

std::unique_ptr<Backend> make_null_backend();

}  // namespace eb
