#include "backends/registry.h"

#include "backends/null/null_backend.h"
#ifdef EDGEBENCH_HAVE_NATIVE
#include "backends/native/native_backend.h"
#endif

namespace eb {

const std::vector<BackendEntry>& backend_table() {
  static const std::vector<BackendEntry> table = {
#ifdef EDGEBENCH_HAVE_NATIVE
      {"native", "edgebench's own CPU runtime (oneDNN kernels, reference fallback)", make_native_backend, ""},
#else
      {"native", "edgebench's own CPU runtime", nullptr, "oneDNN (libdnnl-dev) not found at build time"},
#endif
      {"null", "does nothing: measures the harness's own overhead", make_null_backend, ""},
  };
  return table;
}

Result<const BackendEntry*> find_backend(const std::string& id) {
  std::string known;
  for (const BackendEntry& e : backend_table()) {
    if (e.id == id) return &e;
    known += (known.empty() ? "" : ", ") + e.id;
  }
  return invalid_argument("unknown backend '" + id + "'; known backends: " + known);
}

std::vector<std::string> backend_ids(bool built_only) {
  std::vector<std::string> ids;
  for (const BackendEntry& e : backend_table())
    if (!built_only || e.make) ids.push_back(e.id);
  return ids;
}

}  // namespace eb
