// Concatenation along any axis. Inputs all in 16-channel blocks (Winograd
// branches) concatenated along whole blocks stay blocked: the concat is a
// few contiguous copies. Otherwise channels-last, where a concat along
// channels splits into bands of rows (with batch 1, a memcpy per pixel and
// input, or per pixel and 16-channel block of an input that comes in
// blocks), or plain when some input is plain (e.g. reshaped heads).
#include <algorithm>
#include <cstring>

#include "runtime/onednn/common.h"

namespace eb::rt::onednn {
namespace {

// Channel concat into a channels-last output with batch 1: every pixel's
// channels are the inputs' channels of that pixel, one after another, so a
// band of rows is a memcpy per (pixel, input). oneDNN's generic concat
// (simple:any) took 15% longer over Inception-v4's concats. An input in
// 16-channel blocks is read where it lies, a memcpy of one block's 16
// channels per (pixel, block): a reorder of it to channels-last first
// (Inception-v4's Winograd branches) cost a pass over it and a step.
class ChannelsLastConcat final : public Kernel {
 public:
  struct Input {
    int64_t channels = 0;
    bool blocked = false;  // nChw16c (its last block padded to 16 lanes), else channels-last
  };

  ChannelsLastConcat(std::vector<Input> inputs, int64_t rows, int64_t row_pixels, int parts)
      : inputs_(std::move(inputs)), pixels_(rows * row_pixels), row_pixels_(row_pixels), bands_(split_even(rows, parts)) {
    for (const Input& in : inputs_) total_ += in.channels;
  }
  Status bind(std::span<void* const> inputs, void* output, void* /*scratch*/) override {
    if (inputs.size() != inputs_.size()) return internal_error("concat bound to the wrong number of inputs");
    data_.assign(inputs.begin(), inputs.end());
    output_ = static_cast<float*>(output);
    return Status::ok();
  }
  int tasks() const override { return static_cast<int>(bands_.size()); }
  Status run(int task) override {
    const auto [r0, r1] = bands_[static_cast<std::size_t>(task)];
    for (int64_t p = r0 * row_pixels_; p < r1 * row_pixels_; ++p) {
      float* dst = output_ + p * total_;
      for (std::size_t i = 0; i < inputs_.size(); ++i) {
        const int64_t ch = inputs_[i].channels;
        const float* src = static_cast<const float*>(data_[i]);
        if (!inputs_[i].blocked) {
          std::memcpy(dst, src + p * ch, static_cast<std::size_t>(ch) * 4);
        } else {
          for (int64_t c = 0; c < ch; c += 16)  // block c/16 of pixel p
            std::memcpy(dst + c, src + (c / 16 * pixels_ + p) * 16, static_cast<std::size_t>(std::min<int64_t>(16, ch - c)) * 4);
        }
        dst += ch;
      }
    }
    return Status::ok();
  }
  std::string implementation() const override { return "memcpy"; }

 private:
  std::vector<Input> inputs_;
  int64_t total_ = 0, pixels_, row_pixels_;
  std::vector<std::pair<int64_t, int64_t>> bands_;
  std::vector<void*> data_;
  float* output_ = nullptr;
};

}  // namespace

Result<KernelChoice> create_concat(const KernelRequest& r) {
  return guarded("concat", [&]() -> Result<KernelChoice> {
    const Node& n = r.node.node;
    const std::vector<int64_t>& y = shape_of(r.graph, n.outputs[0]).dims();
    int axis = static_cast<int>(n.get<AxisAttrs>().axis);
    if (axis < 0) axis += static_cast<int>(y.size());

    const bool spatial = y.size() >= 3 && y.size() <= 5;
    bool blocked = spatial && axis == 1 && y[0] == 1, last = spatial;
    for (std::size_t i = 0; i < n.inputs.size(); ++i) {
      const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[i]).dims();
      const bool in_blocks = spatial && r.inputs[i] == blocked16(x);
      blocked = blocked && in_blocks && x[1] % 16 == 0;
      last = last && (in_blocks || r.inputs[i] == channels_last(x));
    }
    const auto layout_of = [&](const std::vector<int64_t>& d) {
      return blocked ? blocked16(d) : last ? channels_last(d) : plain_layout(Shape(d));
    };

    const bool banded = last && !blocked && axis == 1;
    const int parts = banded ? parts_for(r, y[0], y[2], static_cast<double>(Shape(y).numel()), 1 << 15) : 1;
    if (banded && y[0] == 1 && r.node.post_ops.empty()) {
      std::vector<ChannelsLastConcat::Input> inputs;
      KernelChoice choice;
      for (std::size_t i = 0; i < n.inputs.size(); ++i) {
        const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[i]).dims();
        const bool in_blocks = r.inputs[i] == blocked16(x);
        inputs.push_back({x[1], in_blocks});
        choice.inputs.push_back(in_blocks ? blocked16(x) : channels_last(x));
      }
      choice.output = channels_last(y);
      choice.kernel = std::make_unique<ChannelsLastConcat>(std::move(inputs), y[2], row_pitch(y) / y[1], parts);
      return choice;
    }
    const dnnl::primitive_attr attr = attributes_for(r.node);
    auto kernel = std::make_unique<PrimitiveKernel>(r);
    using S = PrimitiveKernel::Source;
    for (const auto& [r0, r1] : split_even(banded ? y[2] : 1, parts)) {
      std::vector<Layout> srcs;
      std::vector<PrimitiveKernel::Arg> args;
      for (std::size_t i = 0; i < n.inputs.size(); ++i) {
        const std::vector<int64_t>& x = shape_of(r.graph, n.inputs[i]).dims();
        srcs.push_back(banded ? layout_of(with_rows(x, r1 - r0)) : layout_of(x));
        args.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), S::input, static_cast<int>(i), srcs.back(),
                        banded ? r0 * row_pitch(x) * 4 : 0, {}});
      }
      const Layout dst = banded ? layout_of(with_rows(y, r1 - r0)) : layout_of(y);
      const dnnl::concat::primitive_desc pd(dst, axis, srcs, r.engine, attr);
      args.push_back({DNNL_ARG_DST, S::output, 0, dst, banded ? r0 * row_pitch(y) * 4 : 0, {}});
      kernel->add_part(pd, std::move(args));
    }
    KernelChoice choice;
    for (ValueId id : n.inputs) choice.inputs.push_back(layout_of(shape_of(r.graph, id).dims()));
    choice.output = layout_of(y);
    choice.kernel = std::move(kernel);
    return choice;
  });
}

}  // namespace eb::rt::onednn
