#include "verify/check.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>

#include "graph/rng.h"

namespace eb::verify {

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: return "pass";
    case Outcome::mismatch: return "mismatch";
    case Outcome::failed: return "failed";
    case Outcome::unsupported: return "unsupported";
    case Outcome::not_built: return "not_built";
    case Outcome::skipped: return "skipped";
  }
  return "?";
}

std::vector<std::vector<float>> seeded_inputs(const Graph& graph, uint64_t seed) {
  // The runner's stream: the seed xor "input", so that weights drawn from
  // the same seed do not reappear as the input.
  Rng rng(seed ^ 0x696e707574ULL);
  std::vector<std::vector<float>> inputs;
  for (ValueId id : graph.inputs) {
    std::vector<float> data(static_cast<std::size_t>(graph.value(id).desc.shape.numel()));
    for (float& x : data) x = rng.normal();
    inputs.push_back(std::move(data));
  }
  return inputs;
}

namespace {

Outcome outcome_of_error(const Status& st) { return st.code() == ErrorCode::unsupported ? Outcome::unsupported : Outcome::failed; }

BackendCheck check_backend_unguarded(Backend& backend, const Graph& graph, const std::vector<std::vector<float>>& inputs,
                                     const std::vector<std::vector<float>>& reference, const BackendCheckOptions& options) {
  BackendCheck check;
  check.backend = backend.id();
  const Capabilities caps = backend.capabilities();
  check.version = caps.version;
  auto fail = [&](const Status& st, const char* phase) {
    check.outcome = outcome_of_error(st);
    check.message = check.outcome == Outcome::unsupported ? st.message() : std::string(phase) + ": " + st.message();
    return check;
  };

  if (Status st = backend.supports(graph, options.backend_options); !st.is_ok()) return fail(st, "supports");
  auto prepared = backend.prepare(graph, options.backend_options);
  if (!prepared.is_ok()) return fail(prepared.status(), "prepare");
  PreparedModel& model = **prepared;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (Status st = model.set_input(i, inputs[i]); !st.is_ok()) return fail(st, "set_input");

  check.outputs.resize(graph.outputs.size());
  for (std::size_t k = 0; k < graph.outputs.size(); ++k) {
    check.outputs[k].name = graph.value(graph.outputs[k]).name;
    check.outputs[k].shape = graph.value(graph.outputs[k]).desc.shape;
  }
  std::vector<std::vector<float>> first;  // the first invoke's outputs, to spot outputs that change
  std::string changed;
  const int invokes = std::max(1, options.invokes);
  for (int run = 0; run < invokes; ++run) {
    if (Status st = model.invoke(); !st.is_ok()) return fail(st, "invoke");
    for (std::size_t k = 0; k < graph.outputs.size(); ++k) {
      auto out = model.output(k);
      if (!out.is_ok()) return fail(out.status().with_context("output '" + check.outputs[k].name + "'"), "output");
      auto stats = compare(*out, reference[k]);
      if (!stats.is_ok()) {
        check.outcome = Outcome::mismatch;
        check.message = "output '" + check.outputs[k].name + "': " + stats.status().message();
        return check;
      }
      ErrorStats& worst = check.outputs[k].stats;
      if (run == 0 || stats->max_abs_error > worst.max_abs_error) worst = *stats;
      if (run == 0) {
        first.push_back(std::move(out).value());
      } else if (*out != first[k] && changed.empty()) {
        changed = "output '" + check.outputs[k].name + "' changed between invokes 1 and " + std::to_string(run + 1) +
                  " on the same input";
      }
    }
  }
  check.outcome = Outcome::pass;
  std::string worst_name;
  double worst_rel = -1;
  for (OutputCheck& o : check.outputs) {
    o.within_tolerance = within(o.stats, options.tolerance);
    if (!o.within_tolerance) check.outcome = Outcome::mismatch;
    if (o.stats.max_rel_error > worst_rel) {
      worst_rel = o.stats.max_rel_error;
      worst_name = o.name;
    }
  }
  if (check.outcome == Outcome::mismatch) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "output '%s': relative error %.3g beyond the tolerance %.3g", worst_name.c_str(), worst_rel,
                  options.tolerance);
    check.message = buf;
  }
  if (!changed.empty()) check.message += (check.message.empty() ? "" : "; ") + changed;
  return check;
}

}  // namespace

BackendCheck check_backend(Backend& backend, const Graph& graph, const std::vector<std::vector<float>>& inputs,
                           const std::vector<std::vector<float>>& reference, const BackendCheckOptions& options) {
  // Backends return errors as values; a framework's exception that slips
  // through is still this backend's failure, not the end of verification.
  try {
    return check_backend_unguarded(backend, graph, inputs, reference, options);
  } catch (const std::bad_alloc&) {
    return BackendCheck{backend.id(), Outcome::failed, "out of memory", {}, {}};
  } catch (const std::exception& e) {
    return BackendCheck{backend.id(), Outcome::failed, std::string("exception: ") + e.what(), {}, {}};
  }
}

}  // namespace eb::verify
