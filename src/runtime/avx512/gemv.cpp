#include "runtime/avx512/gemv.h"

#include <algorithm>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace eb::rt::avx512 {
namespace {

// How far ahead of the multiply-adds the weights are prefetched: 2 KiB
// (32 cache lines) read fastest in a two-thread stream; 4 KiB was slower.
constexpr int64_t kPrefetchFloats = 2048 / 4;

}  // namespace

PackedWeights::PackedWeights(const float* w, int64_t out, int64_t in, std::span<const float> bias, WeightStore& store, int64_t chunk_rows)
    : out_(out),
      in_(in),
      chunk_rows_(chunk_rows > 0 && chunk_rows < in ? chunk_rows : std::max<int64_t>(in, 1)),
      data_(static_cast<float*>(store.allocate_streamed(static_cast<std::size_t>(blocks() * in * kBlock) * sizeof(float)))) {
  for (int64_t kc = 0; kc < chunks(); ++kc)
    for (int64_t b = 0; b < blocks(); ++b) {
      float* dst = const_cast<float*>(chunk(kc, b));
      const int64_t k0 = kc * chunk_rows_, k1 = std::min(in, k0 + chunk_rows_);
      const int64_t rows = std::min(kBlock, out - b * kBlock);
      for (int64_t k = k0; k < k1; ++k, dst += kBlock) {
        for (int64_t j = 0; j < rows; ++j) dst[j] = w[(b * kBlock + j) * in + k];
        for (int64_t j = rows; j < kBlock; ++j) dst[j] = 0.0f;  // the last block's missing outputs
      }
    }
  bias_.assign(static_cast<std::size_t>(blocks() * kBlock), 0.0f);
  std::copy(bias.begin(), bias.end(), bias_.begin());
}

#if defined(__x86_64__)

bool available() { return __builtin_cpu_supports("avx512f"); }

__attribute__((target("avx512f"))) void gemv(const PackedWeights& w, int64_t b0, int64_t b1, const float* x,
                                             std::span<const Epilogue> epilogue, const float* residual, float* y) {
  const int64_t in = w.in(), in4 = in / 4 * 4;
  constexpr int64_t B = PackedWeights::kBlock;
  for (int64_t b = b0; b < b1; ++b) {
    const float* p = w.block(b);
    // Four accumulators: a multiply-add's latency is four of its issue slots.
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int64_t k = 0; k < in4; k += 4, p += 4 * B) {
      _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchFloats), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchFloats + B), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchFloats + 2 * B), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchFloats + 3 * B), _MM_HINT_T0);
      a0 = _mm512_fmadd_ps(_mm512_load_ps(p), _mm512_set1_ps(x[k]), a0);
      a1 = _mm512_fmadd_ps(_mm512_load_ps(p + B), _mm512_set1_ps(x[k + 1]), a1);
      a2 = _mm512_fmadd_ps(_mm512_load_ps(p + 2 * B), _mm512_set1_ps(x[k + 2]), a2);
      a3 = _mm512_fmadd_ps(_mm512_load_ps(p + 3 * B), _mm512_set1_ps(x[k + 3]), a3);
    }
    for (int64_t k = in4; k < in; ++k, p += B) a0 = _mm512_fmadd_ps(_mm512_load_ps(p), _mm512_set1_ps(x[k]), a0);
    __m512 v = _mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3));
    v = _mm512_add_ps(v, _mm512_loadu_ps(w.bias() + b * B));
    // The last block may hold fewer than 16 outputs: masked loads and store.
    const int64_t n0 = b * B, rows = std::min(B, w.out() - n0);
    const __mmask16 mask = static_cast<__mmask16>((1u << rows) - 1u);
    v = apply(epilogue, v, residual ? residual + n0 : nullptr, mask);
    _mm512_mask_storeu_ps(y + n0, mask, v);
  }
}

#else

bool available() { return false; }
void gemv(const PackedWeights&, int64_t, int64_t, const float*, std::span<const Epilogue>, const float*, float*) {}

#endif

namespace {

class GemvKernel final : public Kernel {
 public:
  GemvKernel(std::shared_ptr<const PackedWeights> weights, std::vector<Epilogue> epilogue, int parts)
      : weights_(std::move(weights)), epilogue_(std::move(epilogue)), ranges_(split_even(weights_->blocks(), parts)) {}

  Status bind(std::span<void* const> inputs, void* output, void* /*scratch*/) override {
    const bool sum = has_sum(epilogue_);
    if (inputs.size() != (sum ? 2u : 1u)) return internal_error("gemv bound to " + std::to_string(inputs.size()) + " inputs");
    x_ = static_cast<const float*>(inputs[0]);
    residual_ = sum ? static_cast<const float*>(inputs[1]) : nullptr;
    y_ = static_cast<float*>(output);
    return Status::ok();
  }
  int tasks() const override { return static_cast<int>(ranges_.size()); }
  Status run(int task) override {
    const auto [b0, b1] = ranges_[static_cast<std::size_t>(task)];
    gemv(*weights_, b0, b1, x_, epilogue_, residual_, y_);
    return Status::ok();
  }
  std::string implementation() const override { return "gemv:avx512"; }

 private:
  std::shared_ptr<const PackedWeights> weights_;
  std::vector<Epilogue> epilogue_;
  std::vector<std::pair<int64_t, int64_t>> ranges_;
  const float* x_ = nullptr;
  const float* residual_ = nullptr;
  float* y_ = nullptr;
};

}  // namespace

std::unique_ptr<Kernel> make_gemv_kernel(std::shared_ptr<const PackedWeights> weights, std::vector<Epilogue> epilogue, int parts) {
  return std::make_unique<GemvKernel>(std::move(weights), std::move(epilogue), std::max(parts, 1));
}

}  // namespace eb::rt::avx512
