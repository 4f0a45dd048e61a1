#include "runtime/avx512/pointwise.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace eb::rt::avx512 {

#if defined(__x86_64__)

namespace {

// How far ahead of the multiply-adds the weights are prefetched, as in the
// gemv: 2 KiB.
constexpr int64_t kPrefetchFloats = 2048 / 4;
constexpr int64_t B = PackedWeights::kBlock;

struct TileArgs {
  const float* weights;  // the first output block's C * 16 packed weights; the next block's follow
  int64_t channels;      // C
  const float* x;        // the tile's first pixel (nChw16c)
  int64_t x_block_stride;
  const float* bias;  // the first block's biases
  std::span<const Epilogue> epilogue;
  const float* residual;  // the tile's first pixel, the first block's first channel; null without a sum
  float* y;               // the tile's first pixel, the first block's first channel
  int64_t out;            // channels per output pixel
  __mmask16 last_mask;    // the last block's real output channels
};

// NB output blocks (16 channels each) of P pixels: NB * P accumulators
// through all input channels, then bias and epilogue. Per input channel:
// NB weight vectors (one stream per block, prefetched ahead) and P
// broadcasts from the input, whose addresses are fixed offsets from one
// pointer (16 floats per pixel in a block).
template <int NB, int P>
__attribute__((target("avx512f"))) void tile(const TileArgs& a) {
  __m512 acc[NB][P];
#pragma GCC unroll 32
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j) acc[j][p] = _mm512_setzero_ps();
  const float* w = a.weights;
  const int64_t w_stride = a.channels * B;  // between blocks
  for (int64_t c0 = 0; c0 < a.channels; c0 += B) {
    const float* xb = a.x + (c0 / B) * a.x_block_stride;
    const int64_t n = std::min(B, a.channels - c0);
    for (int64_t i = 0; i < n; ++i, w += B) {
      __m512 wv[NB];
#pragma GCC unroll 2
      for (int j = 0; j < NB; ++j) {
        _mm_prefetch(reinterpret_cast<const char*>(w + j * w_stride + kPrefetchFloats), _MM_HINT_T0);
        wv[j] = _mm512_load_ps(w + j * w_stride);
      }
#pragma GCC unroll 32
      for (int p = 0; p < P; ++p) {
        const __m512 xv = _mm512_set1_ps(xb[p * B + i]);
#pragma GCC unroll 2
        for (int j = 0; j < NB; ++j) acc[j][p] = _mm512_fmadd_ps(xv, wv[j], acc[j][p]);
      }
    }
  }
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) {
    const __m512 bias = _mm512_loadu_ps(a.bias + j * B);
    const __mmask16 mask = j == NB - 1 ? a.last_mask : static_cast<__mmask16>(0xFFFF);
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p) {
      __m512 v = _mm512_add_ps(acc[j][p], bias);
      for (Epilogue e : a.epilogue) {
        if (e == Epilogue::sum) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, a.residual + p * a.out + j * B));
        if (e == Epilogue::relu) v = _mm512_mask_max_ps(v, 0xFFFF, v, _mm512_setzero_ps());
      }
      _mm512_mask_storeu_ps(a.y + p * a.out + j * B, mask, v);
    }
  }
}

using TileFn = void (*)(const TileArgs&);

template <int NB, std::size_t... I>
constexpr std::array<TileFn, sizeof...(I)> tile_table(std::index_sequence<I...>) {
  return {&tile<NB, static_cast<int>(I) + 1>...};
}

// Pixels per tile at most, by blocks per tile: the accumulators, the
// weight vectors and a broadcast within the 32 vector registers.
constexpr int64_t kMaxTile2 = 14;
static_assert(kMaxTile2 * 2 + 3 <= 32 && kMaxTile + 2 <= 32);

// kTiles1[P - 1]: one block of P pixels; kTiles2[P - 1]: two blocks.
constexpr std::array<TileFn, kMaxTile> kTiles1 = tile_table<1>(std::make_index_sequence<kMaxTile>{});
constexpr std::array<TileFn, kMaxTile2> kTiles2 = tile_table<2>(std::make_index_sequence<kMaxTile2>{});

}  // namespace

void pointwise(const PackedWeights& w, int64_t b0, int64_t b1, const float* x, int64_t pixels, std::span<const Epilogue> epilogue,
               const float* residual, float* y) {
  const int64_t out = w.out();
  for (int64_t b = b0; b < b1;) {
    // One block of up to kMaxTile pixels reads its weights once, from
    // memory. On larger maps, where tiles read them again anyway (from
    // L2), two blocks at a time: each broadcast feeds two multiply-adds.
    const int nb = pixels > kMaxTile && b + 1 < b1 ? 2 : 1;
    const int64_t max_tile = nb == 2 ? kMaxTile2 : kMaxTile;
    // Tiles of near-equal size (25 pixels in twos: 13 and 12, not 14 and 11).
    const int64_t tiles = (pixels + max_tile - 1) / max_tile;
    const int64_t n0 = b * B, last_rows = std::min(B, out - (b + nb - 1) * B);
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t p0 = pixels * t / tiles, p1 = pixels * (t + 1) / tiles;
      const TileArgs a{w.block(b),
                       w.in(),
                       x + p0 * B,
                       B * pixels,
                       w.bias() + n0,
                       epilogue,
                       residual ? residual + p0 * out + n0 : nullptr,
                       y + p0 * out + n0,
                       out,
                       static_cast<__mmask16>((1u << last_rows) - 1u)};
      const std::size_t size = static_cast<std::size_t>(p1 - p0 - 1);
      (nb == 2 ? kTiles2[size] : kTiles1[size])(a);
    }
    b += nb;
  }
}

#else

void pointwise(const PackedWeights&, int64_t, int64_t, const float*, int64_t, std::span<const Epilogue>, const float*, float*) {}

#endif

namespace {

// Copies a channels-last input (pixel p's channels at x[p * channels]) into
// 16-channel blocks: one 64-byte move per pixel and whole block (the last
// block's missing channels are never read).
void to_blocks(const float* x, int64_t channels, int64_t pixels, float* blocks) {
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t c0 = 0; c0 < channels; c0 += 16)
      std::memcpy(blocks + (c0 / 16 * pixels + p) * 16, x + p * channels + c0, static_cast<std::size_t>(std::min<int64_t>(16, channels - c0)) * 4);
}

class PointwiseKernel final : public Kernel {
 public:
  PointwiseKernel(std::shared_ptr<const PackedWeights> weights, int64_t pixels, bool channels_last_input, std::vector<Epilogue> epilogue,
                  int parts)
      : weights_(std::move(weights)),
        pixels_(pixels),
        channels_last_input_(channels_last_input),
        epilogue_(std::move(epilogue)),
        ranges_(split_even(weights_->blocks(), parts)) {}

  // A channels-last input: each part its own copy in blocks (a few microseconds, every part reads it all).
  std::size_t scratch_bytes() const override { return channels_last_input_ ? ranges_.size() * part_scratch_bytes() : 0; }

  Status bind(std::span<void* const> inputs, void* output, void* scratch) override {
    const bool sum = std::find(epilogue_.begin(), epilogue_.end(), Epilogue::sum) != epilogue_.end();
    if (inputs.size() != (sum ? 2u : 1u)) return internal_error("pointwise conv bound to " + std::to_string(inputs.size()) + " inputs");
    if (channels_last_input_ && !scratch) return internal_error("pointwise conv bound without its scratch");
    x_ = static_cast<const float*>(inputs[0]);
    residual_ = sum ? static_cast<const float*>(inputs[1]) : nullptr;
    y_ = static_cast<float*>(output);
    scratch_ = static_cast<std::byte*>(scratch);
    return Status::ok();
  }
  int tasks() const override { return static_cast<int>(ranges_.size()); }
  Status run(int task) override {
    const auto [b0, b1] = ranges_[static_cast<std::size_t>(task)];
    const float* x = x_;
    if (channels_last_input_) {
      float* blocks = reinterpret_cast<float*>(scratch_ + static_cast<std::size_t>(task) * part_scratch_bytes());
      to_blocks(x_, weights_->in(), pixels_, blocks);
      x = blocks;
    }
    pointwise(*weights_, b0, b1, x, pixels_, epilogue_, residual_, y_);
    return Status::ok();
  }
  std::string implementation() const override { return "pointwise:avx512"; }

 private:
  std::size_t part_scratch_bytes() const {
    const std::size_t bytes = static_cast<std::size_t>((weights_->in() + 15) / 16 * 16 * pixels_) * sizeof(float);
    return (bytes + 63) / 64 * 64;  // each part's copy on its own cache lines
  }

  std::shared_ptr<const PackedWeights> weights_;
  int64_t pixels_;
  bool channels_last_input_;
  std::vector<Epilogue> epilogue_;
  std::vector<std::pair<int64_t, int64_t>> ranges_;
  const float* x_ = nullptr;
  const float* residual_ = nullptr;
  float* y_ = nullptr;
  std::byte* scratch_ = nullptr;
};

}  // namespace

std::unique_ptr<Kernel> make_pointwise_kernel(std::shared_ptr<const PackedWeights> weights, int64_t pixels, bool channels_last_input,
                                              std::vector<Epilogue> epilogue, int parts) {
  return std::make_unique<PointwiseKernel>(std::move(weights), pixels, channels_last_input, std::move(epilogue), std::max(parts, 1));
}

}  // namespace eb::rt::avx512
