// execute_on (run_case.h): a backend as an Execute function.
#include <exception>
#include <new>

#include "conformance/run_case.h"

namespace eb::conformance {
namespace {

Result<std::vector<std::vector<float>>> run_on(Backend& backend, const BackendOptions& options, const Graph& graph,
                                               const std::vector<std::vector<float>>& inputs) {
  EB_RETURN_IF_ERROR(backend.supports(graph, options));
  auto prepared = backend.prepare(graph, options);
  if (!prepared.is_ok()) {
    const Status& st = prepared.status();
    return st.code() == ErrorCode::unsupported ? st : st.with_context("prepare");
  }
  PreparedModel& model = **prepared;
  for (std::size_t i = 0; i < inputs.size(); ++i) EB_RETURN_IF_ERROR(model.set_input(i, inputs[i]).with_context("set_input"));
  EB_RETURN_IF_ERROR(model.invoke().with_context("invoke"));
  std::vector<std::vector<float>> outputs;
  for (std::size_t k = 0; k < graph.outputs.size(); ++k) {
    auto out = model.output(k);
    if (!out.is_ok()) return out.status().with_context("output " + std::to_string(k));
    outputs.push_back(std::move(out).value());
  }
  return outputs;
}

}  // namespace

Execute execute_on(Backend& backend, BackendOptions options) {
  return [&backend, options = std::move(options)](
             const Graph& graph, const std::vector<std::vector<float>>& inputs) -> Result<std::vector<std::vector<float>>> {
    // A framework may throw where edgebench returns a status; one case must not end the run.
    try {
      return run_on(backend, options, graph, inputs);
    } catch (const std::bad_alloc&) {
      return Status(ErrorCode::out_of_memory, backend.id() + " ran out of memory");
    } catch (const std::exception& e) {
      return internal_error(backend.id() + " threw: " + e.what());
    } catch (...) {
      return internal_error(backend.id() + " threw a non-standard exception");
    }
  };
}

}  // namespace eb::conformance
