// The convolution kernels' shared pieces, internal to the oneDNN provider:
// conv.cpp builds the channels-last kernels (row bands, channel chunks) and
// chooses among all kinds; conv_blocked.cpp builds the kernels that read and
// write 16-channel blocks (Winograd, blocked channel chunks, depthwise by
// blocks).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/onednn/common.h"

namespace eb::rt::onednn::convolution {

// One convolution node, as every kernel kind needs it.
struct Conv {
  const KernelRequest& r;
  const Node& n;
  std::vector<int64_t> x, y;  // input and output dims
  Shape w;                    // ONNX weights [M, C/G, k...]
  int64_t group;
  dnnl::memory::dims strides, dilates, pad_l, pad_r;
  ValueId bias;
  dnnl::primitive_attr attr;
  double macs;

  dnnl::convolution_forward::primitive_desc pd(const Layout& src, const Layout& wts, const Layout& bias_md, const Layout& dst,
                                               const dnnl::memory::dims& pl, const dnnl::memory::dims& pr) const {
    const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src, wts, bias_md,
                                            dst, strides, dilates, pl, pr);
    return dnnl::convolution_forward::primitive_desc(d, attr, r.engine);
  }
  const float* weights() const { return r.graph.value(n.inputs[1]).data->data(); }
  const float* bias_data() const { return r.graph.value(bias).data->data(); }
  // The bias of `m` output channels (none without a bias).
  Layout bias_md(int64_t m) const { return bias != kNoValue ? Layout({m}, dt::f32, tag::a) : Layout(); }
  // Appends `pd` to `part` for the output channels [c0, c0 + m) whose plain
  // weights have dims `chunk_weights` ([m, ...]): those weights and bias
  // prepared once, `src` and `dst` as given. Filters past the node's last
  // (m rounded up to whole blocks) get zero weights and bias.
  void add_chunk_exec(PrimitiveKernel& kernel, PrimitiveKernel::Part& part, const dnnl::convolution_forward::primitive_desc& pd,
                      PrimitiveKernel::Arg src, PrimitiveKernel::Arg dst, int64_t c0, const dnnl::memory::dims& chunk_weights) const;
};


// Channel chunks rather than row bands (conv.cpp).
bool split_channels(const Conv& c);
// How many channel chunks: one per thread (conv.cpp).
int chunk_parts(const Conv& c);
// Depthwise 2-D with batch 1 (conv.cpp); pointwise() is in common.h.
bool depthwise(const Shape& x, const Shape& w, int64_t group);

// 16-channel blocks (conv_blocked.cpp). The add_* functions throw
// dnnl::error when oneDNN has no fast kernel for the case.
// Whether Winograd pays; some layers only in F(4x4,3x3) (allow_4x3).
bool winograd_candidate(const Conv& c, bool allow_4x3);
bool stays_blocked(const Conv& c);
// F(4x4,3x3) where it pays if allow_4x3, else F(2x2,3x3) (oneDNN's first);
// throws dnnl::error where only F(4x4,3x3) pays and oneDNN has none.
void add_winograd_chunks(const Conv& c, PrimitiveKernel& kernel, bool allow_4x3);
bool blocked_chunks_pay(const Conv& c);
void add_blocked_chunks(const Conv& c, PrimitiveKernel& kernel);
void add_depthwise_blocks(const Conv& c, PrimitiveKernel& kernel);

}  // namespace eb::rt::onednn::convolution
