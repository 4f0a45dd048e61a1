// Layout conversions inserted by the layout pass (plain <-> channels-last
// at graph boundaries and around kernels that want plain data). Between
// unblocked layouts, a conversion splits into bands of rows: each band is
// a strided view of both tensors.
#include "runtime/onednn/common.h"

namespace eb::rt::onednn {
namespace {

bool unblocked(const Layout& l) {
  return l.data.format_kind == dnnl_blocked && l.data.format_desc.blocking.inner_nblks == 0 && l.data.offset0 == 0;
}

// Rows [r0, r1) of dim 2 of `l`, same strides; `offset` gets the byte offset.
Layout band_of(const Layout& l, int64_t r0, int64_t r1, std::ptrdiff_t& offset) {
  dnnl::memory::dims dims = l.dims();
  dnnl::memory::dims strides(l.data.format_desc.blocking.strides, l.data.format_desc.blocking.strides + l.data.ndims);
  offset = static_cast<std::ptrdiff_t>(r0 * strides[2] * 4);
  dims[2] = r1 - r0;
  return Layout(dims, dt::f32, strides);
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_reorder(const Layout& from, const Layout& to, const KernelRequest& r) {
  try {
    const dnnl::primitive_attr attr = attr_reorder();
    const dnnl::memory::dims dims = from.dims();
    const bool banded = dims.size() >= 3 && dims[0] == 1 && unblocked(from) && unblocked(to);
    int64_t count = 1;
    for (auto d : dims) count *= d;
    const int parts = banded ? parts_for(r, 1, dims[2], static_cast<double>(count), 1 << 15) : 1;
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    for (const auto& [r0, r1] : split_even(banded ? dims[2] : 1, parts)) {
      std::ptrdiff_t in_off = 0, out_off = 0;
      const Layout src = parts > 1 ? band_of(from, r0, r1, in_off) : from;
      const Layout dst = parts > 1 ? band_of(to, r0, r1, out_off) : to;
      const dnnl::reorder::primitive_desc pd(r.engine, src, r.engine, dst, attr);
      kernel->add_part(pd, {{DNNL_ARG_FROM, S::input, 0, src, in_off, {}}, {DNNL_ARG_TO, S::output, 0, dst, out_off, {}}});
    }
    return std::unique_ptr<Kernel>(std::move(kernel));
  } catch (const dnnl::error& e) {
    return internal_error(std::string("oneDNN reorder: ") + e.what());
  }
}

}  // namespace eb::rt::onednn
