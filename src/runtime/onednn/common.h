// Shared pieces of the oneDNN kernels: a kernel made of independent
// primitives (its parts), layout and banding helpers, attributes, weights,
// and the exception boundary (oneDNN's C++ API throws dnnl::error; nothing
// thrown leaves this folder).
//
// Layout: activations of rank 3 to 5 live channels-last (NWC, NHWC, NDHWC).
// With batch 1, a band of rows (first spatial dim) of such a tensor is a
// dense tensor of its own, so a kernel splits into one primitive per band
// of output rows, each reading the input rows it needs (windowed ops get
// the band's share of the padding). The parts run concurrently on the
// engine's threads; the weights are reordered once and shared.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "runtime/kernel.h"

namespace eb::rt::onednn {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

dnnl::memory::dims to_dims(const Shape& shape);
dnnl::memory::dims to_dims(const std::vector<int64_t>& dims);
const Shape& shape_of(const PlanGraph& graph, ValueId id);

// Channels-last for rank 3-5 (batch first, channels innermost), plain otherwise.
Layout channels_last(const std::vector<int64_t>& dims);
inline Layout channels_last(const Shape& shape) { return channels_last(shape.dims()); }
// 16-channel blocks (nChw16c / nCdhw16c / nCw16c) for rank 3-5. With batch
// 1, a run of whole blocks of channels is a dense tensor of its own.
Layout blocked16(const std::vector<int64_t>& dims);
inline Layout blocked16(const Shape& shape) { return blocked16(shape.dims()); }
// Elements between consecutive rows of the first spatial dim of a
// channels-last tensor (= product of the later dims).
int64_t row_pitch(const std::vector<int64_t>& dims);
// `dims` with dims[2] = rows.
std::vector<int64_t> with_rows(std::vector<int64_t> dims, int64_t rows);
// `dims` with dims[1] = channels.
std::vector<int64_t> with_channels(std::vector<int64_t> dims, int64_t channels);

// A 2-D 1x1 convolution, one group, unit strides, no padding (weights
// [M, C, 1, 1]). oneDNN's kernel for 16-channel blocks (jit_1x1) is as fast
// as the channels-last brgconv there; for larger windows or strides it is
// 10-35% slower. The AVX-512 provider reads such an input in place too.
bool pointwise(const ConvAttrs& a, const Shape& w);


// [begin, end) ranges of whole runs of 16 (AVX-512 vectors of floats,
// 16-channel blocks) splitting `count` into `parts` near-equal pieces; the
// last range ends at `count`.
std::vector<std::pair<int64_t, int64_t>> runs_of_16(int64_t count, int parts);

// [begin, end) element ranges splitting a dense buffer of `count` floats
// for an elementwise kernel: whole cache lines, 32K elements at least.
std::vector<std::pair<int64_t, int64_t>> flat_chunks(const KernelRequest& r, int64_t count);

// The input rows a band of output rows of a windowed op (conv, pool) reads
// along one dim, and the padding it sees at either end.
struct Window {
  int64_t in = 0, kernel_extent = 1, stride = 1, pad_l = 0;
};
struct BandRows {
  int64_t in_begin, in_end, pad_l, pad_r;
};
BandRows band_rows(const Window& w, int64_t out_begin, int64_t out_end);

// oneDNN's eltwise for one of our activations: algorithm, alpha, beta.
struct Eltwise {
  dnnl::algorithm algorithm;
  float alpha = 0.0f;
  float beta = 0.0f;
};
Eltwise eltwise_of(OpKind op, const Attrs& attrs);

// Attributes for a node: its post-ops (the first `post_ops` of them), and a
// scratchpad the engine provides.
dnnl::primitive_attr attributes_for(const PlanNode& node, std::size_t post_ops = SIZE_MAX);
// Attributes for a reorder: a scratchpad the engine provides.
dnnl::primitive_attr attr_reorder();

// A kernel of one or more independent parts (row bands, channel chunks),
// each a short sequence of primitives with arguments fixed when bound:
// running one is a few C-API calls on prebuilt argument arrays (the C++
// execute() builds a map). A part may keep temporaries in its own slice
// of the scratch buffer (parts run at the same time).
class PrimitiveKernel final : public Kernel {
 public:
  enum class Source { input, output, scratch, constant };
  struct Arg {
    int id;                     // DNNL_ARG_*
    Source source;
    int index = 0;              // input slot, for Source::input
    Layout layout;              // how the part sees the tensor
    std::ptrdiff_t offset = 0;  // bytes from the tensor's start (input, output) or the part's scratch
    dnnl::memory constant{};    // Source::constant: weights, prepared once
  };
  struct Exec {
    dnnl::primitive primitive;
    std::vector<Arg> args;
    std::string implementation;  // oneDNN's name for it, e.g. brgconv:avx512_core
  };
  struct Part {
    std::vector<Exec> execs;  // run in order
    // Sum post-op on a band: the output region must hold input `seed_input`'s
    // region before the primitive accumulates into it; copied unless they coincide.
    int seed_input = -1;
    std::ptrdiff_t seed_offset = 0;
    std::size_t seed_bytes = 0;
    std::size_t scratch_bytes = 0;  // the part's slice: scratchpads and temporaries
  };

  explicit PrimitiveKernel(const KernelRequest& r) : engine_(r.engine), stream_(r.stream) {}

  Part& new_part() { return parts_.emplace_back(); }
  // Appends a primitive to a part; its scratchpad gets room in the part's slice.
  void add_exec(Part& part, const dnnl::primitive_desc_base& pd, std::vector<Arg> args);
  // Room for a temporary in the part's scratch slice; returns its offset.
  std::ptrdiff_t reserve(Part& part, std::size_t bytes);
  // A part of a single primitive.
  Part& add_part(const dnnl::primitive_desc_base& pd, std::vector<Arg> args) {
    Part& p = new_part();
    add_exec(p, pd, std::move(args));
    return p;
  }

  std::size_t scratch_bytes() const override;
  Status bind(std::span<void* const> inputs, void* output, void* scratch) override;
  int tasks() const override { return static_cast<int>(parts_.size()); }
  Status run(int task) override;
  std::string implementation() const override;

 private:
  struct Bound {
    std::vector<dnnl::memory> memories;            // keeps the bound memory objects alive
    std::vector<std::vector<dnnl_exec_arg_t>> args;  // per exec
    const std::byte* seed_src = nullptr;
    std::byte* seed_dst = nullptr;
  };
  dnnl::engine engine_;
  dnnl::stream stream_;
  std::vector<Part> parts_;
  std::vector<Bound> bound_;
};

// A part whose primitive accumulates a sum post-op into the output region
// [offset, offset + bytes): seeds it from input 1 (the residual) when the
// node has a sum, else nothing.
void seed_residual(const KernelRequest& r, PrimitiveKernel::Part& part, std::ptrdiff_t offset, std::size_t bytes);

// The same tensor seen through channels [c0, c0 + count) only: a strided
// view (dims with C = count, the full tensor's strides); `offset` gets the
// byte offset of channel c0.
Layout channel_slice(const Layout& full, int64_t c0, int64_t count, std::ptrdiff_t& offset);

// Plain weights copied into the layouts parts want, one reorder per
// distinct layout (bands of a conv usually agree).
class WeightCache {
 public:
  WeightCache(const KernelRequest& r, const float* data, Layout plain) : r_(r), data_(data), plain_(std::move(plain)) {}
  dnnl::memory get(const Layout& wanted);

 private:
  const KernelRequest& r_;
  const float* data_;
  Layout plain_;
  std::vector<std::pair<Layout, dnnl::memory>> done_;
};

// Copies plain weights into memory laid out as `wanted` (a reorder, once),
// in the engine's weight store.
dnnl::memory prepare_weights(const float* data, const Layout& plain, const Layout& wanted, const KernelRequest& r);

// `pd` moved on to the implementation whose name contains `name`, if oneDNN
// has one for the case (true); else as it was (false). oneDNN offers its
// implementations in a fixed order and takes the first that accepts the
// case; this picks a later one (Winograd F(4x4,3x3), bench/conv_kernels).
bool prefer_implementation(dnnl::convolution_forward::primitive_desc& pd, const std::string& name);

// Runs `create`, turning a oneDNN error into `unsupported` so that the next
// provider gets the node.
template <typename F>
Result<KernelChoice> guarded(const char* what, F&& create) {
  try {
    return create();
  } catch (const dnnl::error& e) {
    return unsupported(std::string("oneDNN ") + what + ": " + e.what());
  } catch (const std::exception& e) {
    return unsupported(std::string("oneDNN ") + what + ": " + e.what());
  }
}

// One function per op family, each in its own file.
Result<KernelChoice> create_conv(const KernelRequest& r, const OnednnOptions& options);
Result<KernelChoice> create_pool(const KernelRequest& r);
Result<KernelChoice> create_inner_product(const KernelRequest& r);
Result<KernelChoice> create_eltwise(const KernelRequest& r);
Result<KernelChoice> create_batch_norm(const KernelRequest& r);
Result<KernelChoice> create_lrn(const KernelRequest& r);
Result<KernelChoice> create_softmax(const KernelRequest& r);
Result<KernelChoice> create_concat(const KernelRequest& r);
Result<KernelChoice> create_binary_add(const KernelRequest& r);
Result<KernelChoice> create_resampling(const KernelRequest& r);
Result<KernelChoice> create_view(const KernelRequest& r);

// A layout conversion between two descriptors of the same dims, in row
// bands when both are unblocked.
// Only the request's engine, stream and split are used.
Result<std::unique_ptr<Kernel>> create_reorder(const Layout& from, const Layout& to, const KernelRequest& r);

}  // namespace eb::rt::onednn
