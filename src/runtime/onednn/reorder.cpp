// Layout conversions inserted by the layout pass (plain <-> channels-last
// at graph boundaries and around kernels that want plain data, and
// channels-last <-> 16-channel blocks around Winograd convolutions). Between
// unblocked layouts a conversion splits into bands of rows, each a strided
// view of both tensors; to or from 16-channel blocks, into chunks of whole
// blocks (dense on the blocked side, a channel slice on the other).
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
    const std::vector<int64_t> d(dims.begin(), dims.end());
    const bool spatial = dims.size() >= 3 && dims.size() <= 5 && dims[0] == 1;
    const bool rows = spatial && unblocked(from) && unblocked(to);
    const bool blocks = spatial && dims[1] % 16 == 0 &&
                        ((from == blocked16(d) && unblocked(to)) || (to == blocked16(d) && unblocked(from)));
    int64_t count = 1;
    for (auto n : dims) count *= n;
    const int64_t pieces = rows ? dims[2] : blocks ? dims[1] / 16 : 1;
    const int parts = rows || blocks ? parts_for(r, 1, pieces, static_cast<double>(count), 1 << 15) : 1;
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    const auto view = [&](const Layout& l, int64_t p0, int64_t p1, std::ptrdiff_t& offset) {
      if (parts == 1) return l;
      if (rows) return band_of(l, p0, p1, offset);
      if (l == blocked16(d)) {  // whole blocks: dense
        std::vector<int64_t> c = d;
        c[1] = (p1 - p0) * 16;
        offset = static_cast<std::ptrdiff_t>(p0 * 16 * (count / dims[1]) * 4);
        return blocked16(c);
      }
      return channel_slice(l, p0 * 16, (p1 - p0) * 16, offset);
    };
    for (const auto& [p0, p1] : split_even(pieces, parts)) {
      std::ptrdiff_t in_off = 0, out_off = 0;
      const Layout src = view(from, p0, p1, in_off);
      const Layout dst = view(to, p0, p1, out_off);
      const dnnl::reorder::primitive_desc pd(r.engine, src, r.engine, dst, attr);
      kernel->add_part(pd, {{DNNL_ARG_FROM, S::input, 0, src, in_off, {}}, {DNNL_ARG_TO, S::output, 0, dst, out_off, {}}});
    }
    return std::unique_ptr<Kernel>(std::move(kernel));
  } catch (const dnnl::error& e) {
    return internal_error(std::string("oneDNN reorder: ") + e.what());
  }
}

}  // namespace eb::rt::onednn
