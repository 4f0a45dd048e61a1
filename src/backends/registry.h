// The one visible list of backends (no static self-registration).
// To add a backend: a folder under src/backends/ with its factory, and one
// line in registry.cpp (guarded by its EDGEBENCH_HAVE_<NAME> definition when
// the framework is optional at build time).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace eb {

struct BackendEntry {
  std::string id;
  std::string description;
  // Null when the backend was not built (its framework was not found by CMake).
  std::unique_ptr<Backend> (*make)() = nullptr;
  std::string not_built_reason;
};

const std::vector<BackendEntry>& backend_table();

// The entry for `id`, or invalid_argument listing the known ids.
Result<const BackendEntry*> find_backend(const std::string& id);

// Backend ids, in table order ("all" in --backends expands to the built ones).
std::vector<std::string> backend_ids(bool built_only);

}  // namespace eb
