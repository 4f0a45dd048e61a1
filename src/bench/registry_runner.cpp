// The parts of the runner that look backends up in the registry: apart from
// runner.cpp (library eb_harness_backends) because the registry links every
// built framework, which tests of the harness itself do without.
#include <exception>
#include <memory>
#include <string>

#include "backends/registry.h"
#include "bench/runner.h"

namespace eb::bench {
namespace {

Capabilities unbuilt() {
  Capabilities caps;
  caps.built = false;
  return caps;
}

RunOutcome failed_before_start(const RunSpec& spec, RunStatus status, std::string message) {
  RunOutcome out;
  out.record = identity_record(spec, unbuilt());
  out.record.status = status;
  out.record.error = std::move(message);
  return out;
}

}  // namespace

RunRecord identity_record(const RunSpec& spec) {
  Capabilities caps;
  caps.built = false;
  auto entry = find_backend(spec.backend);
  if (entry.is_ok() && (*entry)->make) caps = (*entry)->make()->capabilities();
  return identity_record(spec, caps);
}

RunOutcome run_one(const RunSpec& spec, Clock& clock) {
  auto entry = find_backend(spec.backend);
  if (!entry.is_ok()) return failed_before_start(spec, RunStatus::failed, entry.status().message());
  if (!(*entry)->make) {
    return failed_before_start(spec, RunStatus::not_built,
                               "backend '" + spec.backend + "' was not built: " + (*entry)->not_built_reason);
  }
  std::unique_ptr<Backend> backend;
  try {
    backend = (*entry)->make();
  } catch (const std::exception& e) {
    return failed_before_start(spec, RunStatus::failed, "creating backend '" + spec.backend + "': " + e.what());
  }
  return run_on_backend(spec, *backend, clock);
}

}  // namespace eb::bench
