#include "runtime/onednn/common.h"

#include <algorithm>

namespace eb::rt::onednn {

dnnl::memory::dims to_dims(const Shape& shape) { return dnnl::memory::dims(shape.dims().begin(), shape.dims().end()); }
dnnl::memory::dims to_dims(const std::vector<int64_t>& dims) { return dnnl::memory::dims(dims.begin(), dims.end()); }

const Shape& shape_of(const PlanGraph& graph, ValueId id) { return graph.value(id).desc.shape; }

Layout channels_last(const std::vector<int64_t>& dims) {
  switch (dims.size()) {
    case 3: return Layout(to_dims(dims), dt::f32, tag::acb);
    case 4: return Layout(to_dims(dims), dt::f32, tag::acdb);
    case 5: return Layout(to_dims(dims), dt::f32, tag::acdeb);
    default: return plain_layout(Shape(dims));
  }
}

Layout blocked16(const std::vector<int64_t>& dims) {
  switch (dims.size()) {
    case 3: return Layout(to_dims(dims), dt::f32, tag::aBc16b);
    case 4: return Layout(to_dims(dims), dt::f32, tag::aBcd16b);
    case 5: return Layout(to_dims(dims), dt::f32, tag::aBcde16b);
    default: return plain_layout(Shape(dims));
  }
}

int64_t row_pitch(const std::vector<int64_t>& dims) {
  int64_t p = dims.size() > 1 ? dims[1] : 1;
  for (std::size_t i = 3; i < dims.size(); ++i) p *= dims[i];
  return p;
}

std::vector<int64_t> with_rows(std::vector<int64_t> dims, int64_t rows) {
  dims[2] = rows;
  return dims;
}

std::vector<int64_t> with_channels(std::vector<int64_t> dims, int64_t channels) {
  dims[1] = channels;
  return dims;
}

bool pointwise(const ConvAttrs& a, const Shape& w) {
  const auto all = [](const std::vector<int64_t>& v, int64_t e) { return std::all_of(v.begin(), v.end(), [e](int64_t x) { return x == e; }); };
  return w.rank() == 4 && w[2] == 1 && w[3] == 1 && a.group == 1 && all(a.strides, 1) && all(a.pads, 0);
}

std::vector<std::pair<int64_t, int64_t>> runs_of_16(int64_t count, int parts) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (auto [a, b] : split_even((count + 15) / 16, parts)) out.emplace_back(a * 16, std::min(b * 16, count));
  return out;
}

std::vector<std::pair<int64_t, int64_t>> flat_chunks(const KernelRequest& r, int64_t count) {
  return runs_of_16(count, parts_for(r, 1, (count + 15) / 16, static_cast<double>(count), 1 << 15));
}

void seed_residual(const KernelRequest& r, PrimitiveKernel::Part& part, std::ptrdiff_t offset, std::size_t bytes) {
  if (!r.node.has_sum()) return;
  part.seed_input = 1;
  part.seed_offset = offset;
  part.seed_bytes = bytes;
}

BandRows band_rows(const Window& w, int64_t out_begin, int64_t out_end) {
  const int64_t first = out_begin * w.stride - w.pad_l;
  const int64_t last = (out_end - 1) * w.stride - w.pad_l + w.kernel_extent;  // exclusive
  BandRows b;
  b.in_begin = std::max<int64_t>(first, 0);
  b.in_end = std::min(last, w.in);
  b.pad_l = b.in_begin - first;
  b.pad_r = last - b.in_end;
  return b;
}

Eltwise eltwise_of(OpKind op, const Attrs& attrs) {
  switch (op) {
    case OpKind::Relu: return {dnnl::algorithm::eltwise_relu, 0.0f, 0.0f};
    case OpKind::LeakyRelu: return {dnnl::algorithm::eltwise_relu, std::get<LeakyReluAttrs>(attrs).alpha, 0.0f};
    case OpKind::Clip: {
      const auto& c = std::get<ClipAttrs>(attrs);
      return {dnnl::algorithm::eltwise_clip, c.min, c.max};
    }
    case OpKind::Sigmoid: return {dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f};
    default: return {dnnl::algorithm::eltwise_linear, 1.0f, 0.0f};
  }
}

dnnl::primitive_attr attributes_for(const PlanNode& node, std::size_t post_ops) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  post_ops = std::min(post_ops, node.post_ops.size());
  if (post_ops > 0) {
    dnnl::post_ops po;
    for (std::size_t i = 0; i < post_ops; ++i) {
      const PostOp& p = node.post_ops[i];
      if (p.kind == PostOp::Kind::sum) {
        po.append_sum(1.0f);
      } else {
        const Eltwise e = eltwise_of(p.op, p.attrs);
        po.append_eltwise(1.0f, e.algorithm, e.alpha, e.beta);
      }
    }
    attr.set_post_ops(po);
  }
  return attr;
}

dnnl::primitive_attr attr_reorder() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

namespace {
constexpr std::size_t kScratchAlign = 64;
std::size_t aligned(std::size_t n) { return (n + kScratchAlign - 1) / kScratchAlign * kScratchAlign; }
}  // namespace

void PrimitiveKernel::add_exec(Part& part, const dnnl::primitive_desc_base& pd, std::vector<Arg> args) {
  Exec exec;
  exec.primitive = dnnl::primitive(pd.get());
  exec.implementation = pd.impl_info_str();
  const Layout scratch = pd.scratchpad_desc();
  if (scratch.get_size() > 0) args.push_back({DNNL_ARG_SCRATCHPAD, Source::scratch, 0, scratch, reserve(part, scratch.get_size()), {}});
  exec.args = std::move(args);
  part.execs.push_back(std::move(exec));
}

std::ptrdiff_t PrimitiveKernel::reserve(Part& part, std::size_t bytes) {
  const std::size_t offset = part.scratch_bytes;
  part.scratch_bytes += aligned(bytes);
  return static_cast<std::ptrdiff_t>(offset);
}

std::size_t PrimitiveKernel::scratch_bytes() const {
  std::size_t total = 0;
  for (const Part& p : parts_) total += p.scratch_bytes;
  return total;
}

Status PrimitiveKernel::bind(std::span<void* const> inputs, void* output, void* scratch) {
  bound_.assign(parts_.size(), Bound{});
  std::byte* part_scratch = static_cast<std::byte*>(scratch);
  try {
    for (std::size_t p = 0; p < parts_.size(); ++p) {
      const Part& part = parts_[p];
      Bound& b = bound_[p];
      for (const Exec& exec : part.execs) {
        auto& args = b.args.emplace_back();
        for (const Arg& a : exec.args) {
          dnnl::memory m;
          switch (a.source) {
            case Source::input:
              if (a.index < 0 || static_cast<std::size_t>(a.index) >= inputs.size()) return internal_error("kernel input slot out of range");
              m = dnnl::memory(a.layout, engine_, static_cast<std::byte*>(inputs[a.index]) + a.offset);
              break;
            case Source::output: m = dnnl::memory(a.layout, engine_, static_cast<std::byte*>(output) + a.offset); break;
            case Source::scratch: m = dnnl::memory(a.layout, engine_, part_scratch + a.offset); break;
            case Source::constant: m = a.constant; break;
          }
          b.memories.push_back(m);
          args.push_back(dnnl_exec_arg_t{a.id, m.get()});
        }
      }
      if (part.seed_input >= 0) {
        b.seed_src = static_cast<const std::byte*>(inputs[part.seed_input]) + part.seed_offset;
        b.seed_dst = static_cast<std::byte*>(output) + part.seed_offset;
      }
      if (part.scratch_bytes) part_scratch += part.scratch_bytes;
    }
  } catch (const dnnl::error& e) {
    return internal_error(std::string("binding oneDNN memory: ") + e.what());
  }
  return Status::ok();
}

Status PrimitiveKernel::run(int task) {
  const Part& part = parts_[static_cast<std::size_t>(task)];
  Bound& b = bound_[static_cast<std::size_t>(task)];
  if (b.seed_src && b.seed_src != b.seed_dst) std::memcpy(b.seed_dst, b.seed_src, part.seed_bytes);
  for (std::size_t e = 0; e < part.execs.size(); ++e) {
    const auto& args = b.args[e];
    const dnnl_status_t st =
        dnnl_primitive_execute(part.execs[e].primitive.get(), stream_.get(), static_cast<int>(args.size()), args.data());
    if (st != dnnl_success) return internal_error("oneDNN primitive failed with status " + std::to_string(static_cast<int>(st)));
  }
  return Status::ok();
}

std::string PrimitiveKernel::implementation() const {
  // The distinct names, in order.
  std::string names;
  for (const Part& p : parts_)
    for (const Exec& e : p.execs)
      if (names.find(e.implementation) == std::string::npos) names += (names.empty() ? "" : ",") + e.implementation;
  return names;
}

Layout channel_slice(const Layout& full, int64_t c0, int64_t count, std::ptrdiff_t& offset) {
  dnnl::memory::dims dims = full.dims();
  const auto& blocking = full.data.format_desc.blocking;
  dnnl::memory::dims strides(blocking.strides, blocking.strides + full.data.ndims);
  offset = static_cast<std::ptrdiff_t>(c0 * strides[1] * 4);
  dims[1] = count;
  return Layout(dims, dt::f32, strides);
}

dnnl::memory prepare_weights(const float* data, const Layout& plain, const Layout& wanted, const KernelRequest& r) {
  dnnl::memory src(plain, r.engine, const_cast<float*>(data));  // read only: the reorder's source
  dnnl::memory dst(wanted, r.engine, r.weights.allocate(wanted.get_size()));
  dnnl::stream stream = r.stream;  // a handle: same stream, non-const for wait()
  dnnl::reorder(src, dst).execute(stream, src, dst);
  stream.wait();
  return dst;
}

dnnl::memory WeightCache::get(const Layout& wanted) {
  for (const auto& [layout, mem] : done_)
    if (layout == wanted) return mem;
  done_.emplace_back(wanted, prepare_weights(data_, plain_, wanted, r_));
  return done_.back().second;
}

bool prefer_implementation(dnnl::convolution_forward::primitive_desc& pd, const std::string& name) {
  dnnl::convolution_forward::primitive_desc next = pd;
  do {
    if (std::string(next.impl_info_str()).find(name) != std::string::npos) {
      pd = next;
      return true;
    }
  } while (next.next_impl());
  return false;
}

}  // namespace eb::rt::onednn
