#include "runtime/kernel.h"

#include <unistd.h>

#include <algorithm>

namespace eb::rt {

std::size_t l2_cache_bytes() {
  static const std::size_t bytes = [] {
    const long l2 = ::sysconf(_SC_LEVEL2_CACHE_SIZE);
    return l2 > 0 ? static_cast<std::size_t>(l2) : std::size_t{1} << 20;
  }();
  return bytes;
}

int parts_for(const KernelRequest& r, int64_t batch, int64_t rows, double work, double min_work) {
  if (batch != 1 || r.split.max_tasks <= 1) return 1;
  int64_t parts = std::min<int64_t>(r.split.max_tasks, rows);
  parts = std::min<int64_t>(parts, static_cast<int64_t>(work / min_work));
  return static_cast<int>(std::max<int64_t>(parts, 1));
}

std::vector<std::pair<int64_t, int64_t>> split_even(int64_t n, int parts) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int p = 0; p < parts; ++p) out.emplace_back(n * p / parts, n * (p + 1) / parts);
  return out;
}

Layout plain_layout(const Shape& shape) {
  dnnl::memory::dims dims(shape.dims().begin(), shape.dims().end());
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * dims[i + 1];
  return Layout(dims, dnnl::memory::data_type::f32, strides);
}

bool is_plain(const Layout& layout) { return layout == plain_layout(Shape(layout.dims())); }

bool KernelRegistry::accepts_post_op(const PlanGraph& graph, const PlanNode& node, const PostOp& op) const {
  for (const auto& p : providers_)
    if (p->supports(graph, node)) return p->accepts_post_op(graph, node, op);
  return false;
}

Result<std::pair<KernelChoice, std::string_view>> KernelRegistry::create(const KernelRequest& request) const {
  Status last = unsupported("no kernel provider supports " + std::string(op_name(request.node.node.op)));
  for (const auto& p : providers_) {
    if (!p->supports(request.graph, request.node)) continue;
    Result<KernelChoice> choice = p->create(request);
    if (choice.is_ok()) return std::pair{std::move(choice).value(), p->name()};
    if (choice.status().code() != ErrorCode::unsupported) return choice.status();
    last = choice.status();
  }
  return last.with_context("node '" + request.node.node.name + "'");
}

Status KernelRegistry::supports(const PlanGraph& graph) const {
  for (const PlanNode& n : graph.nodes) {
    bool any = false;
    for (const auto& p : providers_) any = any || p->supports(graph, n);
    if (!any) return unsupported("node '" + n.node.name + "' (" + std::string(op_name(n.node.op)) + "): no kernel provider");
  }
  return Status::ok();
}

KernelRegistry default_registry(OnednnOptions onednn, bool avx512, Avx512Options avx512_kernels) {
  KernelRegistry r;
  if (avx512) r.add(make_avx512_provider(avx512_kernels));
  r.add(make_onednn_provider(onednn));
  r.add(make_reference_provider());
  return r;
}

}  // namespace eb::rt
