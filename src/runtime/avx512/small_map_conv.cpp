#include "runtime/avx512/small_map_conv.h"

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
namespace {

constexpr int64_t B = PackedWeights::kBlock;

int64_t round16(int64_t n) { return (n + 15) / 16 * 16; }

}  // namespace

void gather(const ConvWindow& g, const float* x, bool blocked_input, float* cols) {
  const int64_t blocks = (g.channels + 15) / 16, pixels = g.pixels();
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx)
      for (int64_t cb = 0; cb < blocks; ++cb) {
        float* dst = cols + ((ky * g.kernel_w + kx) * blocks + cb) * pixels * 16;
        const int64_t n = std::min<int64_t>(16, g.channels - cb * 16);
        for (int64_t oy = 0; oy < g.out_h; ++oy) {
          const int64_t iy = oy * g.stride_h + ky - g.pad_top;
          for (int64_t ox = 0; ox < g.out_w; ++ox, dst += 16) {
            const int64_t ix = ox * g.stride_w + kx - g.pad_left;
            if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) {
              std::memset(dst, 0, 16 * sizeof(float));
              continue;
            }
            const float* src = blocked_input ? x + ((cb * g.in_h + iy) * g.in_w + ix) * 16 : x + (iy * g.in_w + ix) * g.channels + cb * 16;
            std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
            if (n < 16) std::memset(dst + n, 0, static_cast<std::size_t>(16 - n) * sizeof(float));
          }
        }
      }
}

std::vector<float> gathered_weights(const float* w, int64_t out, const ConvWindow& g) {
  const int64_t taps = g.taps(), padded = round16(g.channels);
  std::vector<float> rows(static_cast<std::size_t>(out * taps * padded), 0.0f);
  for (int64_t o = 0; o < out; ++o)
    for (int64_t c = 0; c < g.channels; ++c)
      for (int64_t t = 0; t < taps; ++t)
        rows[static_cast<std::size_t>((o * taps + t) * padded + c)] = w[(o * g.channels + c) * taps + t];
  return rows;
}

#if defined(__x86_64__)

namespace {

// How far ahead of the multiply-adds the weights are prefetched, as in the
// gemv: 2 KiB.
constexpr int64_t kPrefetchFloats = 2048 / 4;

struct TileArgs {
  const float* weights;    // the first block's packed weights of rows [k0, k1); the next blocks' follow
  int64_t k0, k1, rows;    // this pass's rows [k0, k1) (k0 a multiple of 16) of `rows`
  const float* x;          // the tile's first pixel in the first 16-row block
  int64_t x_block_stride;  // floats between 16-row blocks: 16 * pixels
  const float* partial_in;  // the tile's accumulators so far (16 floats per pixel), or null: from zero
  float* partial_out;       // where to leave them, or null: the last pass (bias, epilogue, store)
  int64_t partial_stride;   // floats between blocks' accumulators
  const float* bias;        // the first block's 16 biases
  std::span<const Epilogue> epilogue;
  const float* residual;  // the tile's first pixel, the first block's first channel; null without a sum
  float* y;               // the tile's first pixel, the first block's first channel
  int64_t out;            // channels per output pixel
  __mmask16 last_mask;    // the last block's real output channels
};

// NB output blocks (16 channels each) of P pixels through rows [k0, k1):
// NB * P accumulators; per row NB weight vectors (prefetched ahead) and P
// broadcasts at fixed offsets from one pointer, each feeding NB
// multiply-adds.
template <int NB, int P>
__attribute__((target("avx512f"))) void tile(const TileArgs& a) {
  __m512 acc[NB][P];
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j)
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p)
      acc[j][p] = a.partial_in ? _mm512_load_ps(a.partial_in + j * a.partial_stride + p * B) : _mm512_setzero_ps();
  const int64_t w_stride = (a.k1 - a.k0) * B;  // between the blocks' weights
  const float* w = a.weights;
  for (int64_t c0 = a.k0; c0 < a.k1; c0 += B) {
    const float* xb = a.x + (c0 / B) * a.x_block_stride;
    const int64_t n = std::min(B, a.rows - c0);
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
  if (a.partial_out) {
#pragma GCC unroll 2
    for (int j = 0; j < NB; ++j)
#pragma GCC unroll 32
      for (int p = 0; p < P; ++p) _mm512_store_ps(a.partial_out + j * a.partial_stride + p * B, acc[j][p]);
    return;
  }
#pragma GCC unroll 2
  for (int j = 0; j < NB; ++j) {
    const __m512 bias = _mm512_loadu_ps(a.bias + j * B);
    const __mmask16 mask = j == NB - 1 ? a.last_mask : static_cast<__mmask16>(0xFFFF);
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p) {
      const __m512 v = apply(a.epilogue, _mm512_add_ps(acc[j][p], bias), a.residual ? a.residual + p * a.out + j * B : nullptr, mask);
      _mm512_mask_storeu_ps(a.y + p * a.out + j * B, mask, v);
    }
  }
}

using TileFn = void (*)(const TileArgs&);

template <int NB, std::size_t... I>
constexpr std::array<TileFn, sizeof...(I)> tile_table(std::index_sequence<I...>) {
  return {&tile<NB, static_cast<int>(I) + 1>...};
}

// Tiles by blocks at a time: kTilesN[P - 1] runs N blocks of P pixels,
// P up to kMaxTile / N (the accumulators within 28 registers).
constexpr auto kTiles1 = tile_table<1>(std::make_index_sequence<kMaxTile>{});
constexpr auto kTiles2 = tile_table<2>(std::make_index_sequence<kMaxTile / 2>{});

// Blocks at a time on maps of several tiles: two (each broadcast feeds two
// multiply-adds) ran 5-10% faster hot than one in bench/conv_kernels at 7x7
// and 14x14 (one: 388 and 826 us, two: 360 and 746 us), four no better
// than two.
constexpr int64_t kGroupBlocks = 2;

TileFn tile_for(int64_t blocks, int64_t pixels) {
  const auto i = static_cast<std::size_t>(pixels - 1);
  return blocks == 1 ? kTiles1[i] : kTiles2[i];
}

}  // namespace

void pointwise(const PackedWeights& w, int64_t b0, int64_t b1, const float* x, int64_t pixels, std::span<const Epilogue> epilogue,
               const float* residual, float* y, float* partials) {
  const int64_t rows = w.in(), out = w.out(), step = w.chunk_rows(), chunks = w.chunks();
  // A map of one tile: one block at a time, up to 28 pixels, each weight
  // read once. Larger maps: two blocks at a time (up to 14 pixels), the
  // passes keeping the weights in L1 for the other tiles.
  const int64_t most_blocks = pixels <= kMaxTile ? 1 : kGroupBlocks;
  for (int64_t kc = 0; kc < chunks; ++kc) {
    const int64_t k0 = kc * step, k1 = std::min(rows, k0 + step);
    for (int64_t b = b0; b < b1;) {
      const int64_t nb = std::min(most_blocks, b1 - b), max_tile = kMaxTile / nb;
      // Tiles of near-equal size (49 pixels in ones: 25 and 24, not 28 and 21).
      const int64_t tiles = (pixels + max_tile - 1) / max_tile;
      const int64_t n0 = b * B, last = b + nb - 1;
      const auto last_mask = static_cast<__mmask16>((1u << std::min(B, out - last * B)) - 1u);
      for (int64_t t = 0; t < tiles; ++t) {
        const int64_t p0 = pixels * t / tiles, p1 = pixels * (t + 1) / tiles;
        float* partial = chunks == 1 ? nullptr : partials + ((b - b0) * pixels + p0) * B;
        const TileArgs a{w.chunk(kc, b),
                         k0,
                         k1,
                         rows,
                         x + p0 * B,
                         B * pixels,
                         kc == 0 ? nullptr : partial,
                         kc + 1 == chunks ? nullptr : partial,
                         pixels * B,
                         w.bias() + n0,
                         epilogue,
                         residual ? residual + p0 * out + n0 : nullptr,
                         y + p0 * out + n0,
                         out,
                         last_mask};
        tile_for(nb, p1 - p0)(a);
      }
      b += nb;
    }
  }
}

#else

void pointwise(const PackedWeights&, int64_t, int64_t, const float*, int64_t, std::span<const Epilogue>, const float*, float*, float*) {}

#endif

namespace {

class ConvKernel final : public Kernel {
 public:
  ConvKernel(std::shared_ptr<const PackedWeights> weights, const ConvWindow& window, bool direct, bool blocked_input,
             std::vector<Epilogue> epilogue, int parts)
      : weights_(std::move(weights)),
        window_(window),
        direct_(direct),
        blocked_input_(blocked_input),
        epilogue_(std::move(epilogue)),
        ranges_(split_even(weights_->blocks(), parts)),
        cols_floats_(direct ? 0 : static_cast<std::size_t>(window.rows() * window.pixels())),
        part_floats_(cols_floats_ + partial_floats()) {}

  // Per part: its gathered input matrix (unless read in place) and its
  // blocks' accumulators between passes (weights in several chunks).
  std::size_t scratch_bytes() const override { return ranges_.size() * part_floats_ * sizeof(float); }

  Status bind(std::span<void* const> inputs, void* output, void* scratch) override {
    const bool sum = has_sum(epilogue_);
    if (inputs.size() != (sum ? 2u : 1u)) return internal_error("AVX-512 conv bound to " + std::to_string(inputs.size()) + " inputs");
    if (scratch_bytes() > 0 && !scratch) return internal_error("AVX-512 conv bound without its scratch");
    x_ = static_cast<const float*>(inputs[0]);
    residual_ = sum ? static_cast<const float*>(inputs[1]) : nullptr;
    y_ = static_cast<float*>(output);
    scratch_ = static_cast<float*>(scratch);
    return Status::ok();
  }
  int tasks() const override { return static_cast<int>(ranges_.size()); }
  Status run(int task) override {
    const auto [b0, b1] = ranges_[static_cast<std::size_t>(task)];
    float* mine = scratch_ ? scratch_ + static_cast<std::size_t>(task) * part_floats_ : nullptr;
    const float* x = x_;
    if (!direct_) {
      gather(window_, x_, blocked_input_, mine);
      x = mine;
    }
    pointwise(*weights_, b0, b1, x, window_.pixels(), epilogue_, residual_, y_, mine ? mine + cols_floats_ : nullptr);
    return Status::ok();
  }
  std::string implementation() const override { return direct_ || window_.taps() == 1 ? "pointwise:avx512" : "im2col:avx512"; }

 private:
  // The largest part's accumulators between passes (none with one chunk).
  std::size_t partial_floats() const {
    if (weights_->chunks() == 1) return 0;
    int64_t most = 0;
    for (const auto& [b0, b1] : ranges_) most = std::max(most, b1 - b0);
    return static_cast<std::size_t>(most * window_.pixels() * 16);
  }

  std::shared_ptr<const PackedWeights> weights_;
  ConvWindow window_;
  bool direct_, blocked_input_;
  std::vector<Epilogue> epilogue_;
  std::vector<std::pair<int64_t, int64_t>> ranges_;
  // Each a multiple of 16 floats: every part's pieces on their own cache lines.
  std::size_t cols_floats_;  // a part's gathered input matrix (none read in place)
  std::size_t part_floats_;  // a part's scratch
  const float* x_ = nullptr;
  const float* residual_ = nullptr;
  float* y_ = nullptr;
  float* scratch_ = nullptr;
};

}  // namespace

std::unique_ptr<Kernel> make_conv_kernel(std::shared_ptr<const PackedWeights> weights, const ConvWindow& window, bool direct,
                                         bool blocked_input, std::vector<Epilogue> epilogue, int parts) {
  return std::make_unique<ConvKernel>(std::move(weights), window, direct, blocked_input, std::move(epilogue), std::max(parts, 1));
}

}  // namespace eb::rt::avx512
