// Batch-1 fully connected layers (Gemm: y = W x + b, W [out, in]) as a
// matrix-vector product streamed from memory, hand-written for AVX-512.
//
// With batch 1 each weight is read once per inference and used in one
// multiply-add: the layer runs at the speed its weights come from memory
// (VGG's fc6 and fc7 are 400 MB and 64 MB, far beyond any cache). The
// kernel reads them as one sequential stream per thread:
//
// - packed in blocks of 16 outputs: [out/16][in][16], so that each weight
//   read is a whole cache line feeding one vector multiply-add with a
//   broadcast input, and a thread's share is one contiguous range;
// - on 2 MiB pages where the kernel allows it (the engine's WeightStore):
//   a page walk every 2 MiB instead of every 4 KiB;
// - prefetched 2 KiB ahead: the hardware prefetchers stop at each 4 KiB
//   page boundary and restart only after misses there.
//
// On a 2-vCPU Xeon VM a read-only stream with both measured 33-35 GB/s on
// two threads against 25-28 GB/s with neither (bench/fc_kernels shows the
// kernel beside oneDNN's inner product).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/avx512/epilogue.h"
#include "runtime/kernel.h"
#include "runtime/weight_store.h"

namespace eb::rt::avx512 {

// Whether this CPU runs AVX-512F (the kernels here need nothing more).
bool available();

// W [out, in] (row-major, as Gemm holds it) packed for the kernels, in
// memory from `store` (which must outlive it); immutable once made, shared
// by the parts. Blocks of 16 outputs, each block's weights of input k at
// [k * 16]; the inputs in chunks of `chunk_rows` (default: all in one),
// chunk-major: [in / chunk_rows][out / 16][chunk_rows][16], so that a
// kernel going through all blocks one chunk of inputs at a time reads one
// stream (with one chunk: [out / 16][in][16]).
class PackedWeights {
 public:
  static constexpr int64_t kBlock = 16;  // outputs per block: one AVX-512 vector of floats

  // `bias` may be empty (no bias) or hold `out` floats.
  PackedWeights(const float* w, int64_t out, int64_t in, std::span<const float> bias, WeightStore& store, int64_t chunk_rows = 0);

  int64_t in() const { return in_; }
  int64_t out() const { return out_; }
  int64_t blocks() const { return (out_ + kBlock - 1) / kBlock; }
  int64_t chunk_rows() const { return chunk_rows_; }
  int64_t chunks() const { return (in_ + chunk_rows_ - 1) / chunk_rows_; }
  // Inputs [kc * chunk_rows, ...) of block b: min(chunk_rows, rest) * 16 floats.
  const float* chunk(int64_t kc, int64_t b) const {
    const int64_t k0 = kc * chunk_rows_;
    return data_ + k0 * blocks() * kBlock + b * std::min(chunk_rows_, in_ - k0) * kBlock;
  }
  // Block b's weights, all inputs (one chunk).
  const float* block(int64_t b) const { return chunk(0, b); }
  // blocks() * 16 floats, zero past `out` (and all zero without a bias).
  const float* bias() const { return bias_.data(); }

 private:
  int64_t out_, in_, chunk_rows_;
  float* data_;  // blocks() * in * 16 floats, 64-byte aligned
  std::vector<float> bias_;
};

// y[n] for the outputs of blocks [b0, b1): the product plus bias, then the
// epilogue in order (`residual` read for a sum; it may alias y). Needs
// available().
void gemv(const PackedWeights& w, int64_t b0, int64_t b1, const float* x, std::span<const Epilogue> epilogue, const float* residual,
          float* y);

// The engine's kernel: `parts` contiguous ranges of blocks (one per thread
// usually), each one run() of gemv. Inputs: x, then the residual with a sum.
std::unique_ptr<Kernel> make_gemv_kernel(std::shared_ptr<const PackedWeights> weights, std::vector<Epilogue> epilogue, int parts);

}  // namespace eb::rt::avx512
