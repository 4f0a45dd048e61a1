// What the AVX-512 kernels apply to 16 outputs in registers after the
// product and bias, before they store them: the node's post-ops, in order.
#pragma once

#include <algorithm>
#include <span>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace eb::rt::avx512 {

struct Epilogue {
  enum class Kind { sum, relu, leaky_relu };
  Kind kind = Kind::relu;
  float alpha = 0.0f;  // leaky_relu: the slope below zero
};

inline bool has_sum(std::span<const Epilogue> epilogue) {
  return std::any_of(epilogue.begin(), epilogue.end(), [](const Epilogue& e) { return e.kind == Epilogue::Kind::sum; });
}

#if defined(__x86_64__)

// v after `epilogue`; a sum adds the 16 floats at `residual` (under `mask`:
// a last block may hold fewer outputs).
__attribute__((target("avx512f"))) inline __m512 apply(std::span<const Epilogue> epilogue, __m512 v, const float* residual, __mmask16 mask) {
  for (const Epilogue& e : epilogue) {
    switch (e.kind) {
      case Epilogue::Kind::sum: v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, residual)); break;
      // (max_ps through its masked form: GCC 12 warns about the plain one's undefined source)
      case Epilogue::Kind::relu: v = _mm512_mask_max_ps(v, 0xFFFF, v, _mm512_setzero_ps()); break;
      case Epilogue::Kind::leaky_relu: {
        const __mmask16 negative = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
        v = _mm512_mask_mul_ps(v, negative, v, _mm512_set1_ps(e.alpha));
        break;
      }
    }
  }
  return v;
}

#endif

}  // namespace eb::rt::avx512
