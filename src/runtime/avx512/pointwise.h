// 1x1 convolutions (unit strides, no padding, one group, batch 1) on maps
// of a few pixels, hand-written for AVX-512: the late layers of CNNs, where
// a 5x5 map meets megabytes of weights (the provider gives it maps of one
// tile; larger maps run in several tiles, each reading the weights again,
// and lost to oneDNN on ResNet's 7x7: docs/runtime.md).
//
// There each weight is used by a few dozen pixels only, and the weights
// come from memory on every inference (a network's tens of megabytes pass
// through the caches once per run). oneDNN's 1x1 kernels, tuned for large
// maps, read them at 10-12 GB/s on two threads there (Inception-v4's 5x5
// 1536->256 ran at 30% of the FMA peak). This kernel is the gemv (gemv.h)
// widened to a tile of pixels: weights packed in blocks of 16 output
// channels ([M/16][C][16], the gemv's PackedWeights), read as one stream
// per thread, prefetched ahead; each weight vector feeds one multiply-add
// per pixel of the tile, whose accumulators (up to kMaxTile, one AVX-512
// register each) stay in registers across all input channels.
//
// The kernel reads its input in 16-channel blocks (nChw16c): a tile's
// broadcasts are then fixed offsets from one pointer (read channels-last,
// each pixel's address took a register, and the spills cost 117 against
// 152 GF/s on one core). A channels-last input is copied into blocks
// first, by each part (a 64-byte move per pixel and block: microseconds,
// where a reorder step of its own took 30-40 us in ResNet-50's last
// stage). Output (and residual): channels-last.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "runtime/avx512/gemv.h"

namespace eb::rt::avx512 {

// Pixels per tile at most (one output block at a time): the accumulators
// plus a weight vector and a broadcast fill the 32 vector registers.
inline constexpr int64_t kMaxTile = 28;

// y (channels-last, w.out() channels per pixel) for the output blocks [b0,
// b1) and all `pixels` pixels of x (nChw16c: input channel c of pixel p at
// x[(c / 16 * pixels + p) * 16 + c % 16]): the product plus bias, then the
// epilogue in order (`residual`, channels-last, read for a sum; it may
// alias y). Needs available().
void pointwise(const PackedWeights& w, int64_t b0, int64_t b1, const float* x, int64_t pixels, std::span<const Epilogue> epilogue,
               const float* residual, float* y);

// The engine's kernel: `parts` contiguous ranges of output blocks, each one
// run() of pointwise. Inputs: x (in 16-channel blocks, or channels-last,
// which each part first copies into blocks in its scratch), then the
// residual with a sum.
std::unique_ptr<Kernel> make_pointwise_kernel(std::shared_ptr<const PackedWeights> weights, int64_t pixels, bool channels_last_input,
                                              std::vector<Epilogue> epilogue, int parts);

}  // namespace eb::rt::avx512
