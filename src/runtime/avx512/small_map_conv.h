// Convolutions on maps of a few pixels with megabytes of weights,
// hand-written for AVX-512: the late layers of CNNs, where a 5x5 or 7x7
// map meets the largest layers (Inception-v4's 1536-channel 1x1s at 5x5,
// Tiny YOLO's and YOLOv3's 3x3 512->1024 and 1024->1024 at 7x7: 19-38 MB).
//
// There each weight is used by a few dozen pixels only, and the weights
// come from memory on every inference (a network's tens of megabytes pass
// through the caches once per run). oneDNN's kernels, made for larger
// maps, read them at 8-13 GB/s on two threads there (Tiny YOLO's 3x3
// 1024->1024 at 7x7 took 4.6 ms for 38 MB). This kernel is the gemv
// (gemv.h) widened to a tile of pixels: the convolution as a product of
// the weights, packed in blocks of 16 output channels ([M/16][K][16], the
// gemv's PackedWeights), with the input matrix of K rows (input channel
// and window tap) by P pixels. Each weight vector feeds one multiply-add
// per pixel of a tile, whose accumulators (up to kMaxTile, one AVX-512
// register each) stay in registers; the weights are read as one stream
// per thread, prefetched ahead. On maps of more than one tile the rows go
// in passes of kChunkRows (16 KiB of a block's weights), each pass through
// all the part's blocks and every tile: the first tile reads a block's
// chunk of weights from memory, the others from L1, the pass's rows of the
// input matrix stay in cache across the blocks (a whole gathered matrix,
// 1.8 MB for a 3x3 on 1024 channels at 7x7, does not: read once per block
// it made Tiny YOLO's 1024->1024 13-25% slower than oneDNN's), and the
// accumulators wait in a buffer between passes; there two blocks go
// together (tiles of up to 14 pixels), each broadcast feeding two
// multiply-adds. The weights are packed chunk-major for that order
// (PackedWeights' chunk_rows).
//
// The input matrix is read in 16-row blocks (x[(k / 16 * P + p) * 16 +
// k % 16]): a tile's broadcasts are then fixed offsets from one pointer
// (read channels-last, each pixel's address took a register, and the
// spills cost 117 against 152 GF/s on one core). A 1x1 convolution with
// unit strides on an input in 16-channel blocks (nChw16c) is that matrix
// already; anything else is gathered into it first by each part (im2col
// with 64-byte moves: a window tap of 16 channels of one pixel at a time,
// zeros for the padding): microseconds against the milliseconds of the
// product. Output (and residual): channels-last.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "runtime/avx512/gemv.h"

namespace eb::rt::avx512 {

// Pixels per tile at most: the accumulators plus a weight vector and a
// broadcast within the 32 vector registers.
inline constexpr int64_t kMaxTile = 28;
// Rows of the input matrix per pass on maps of several tiles: 16 KiB of a
// block's weights, which stay in a 48 KiB L1 through the pass.
inline constexpr int64_t kChunkRows = 256;
// The PackedWeights chunk_rows pointwise() wants for a map of `pixels`:
// one chunk (a single pass) for a map of one tile.
inline int64_t chunk_rows_for(int64_t pixels, int64_t rows) { return pixels > kMaxTile ? kChunkRows : rows; }

// y (channels-last, w.out() channels per pixel) for the output blocks [b0,
// b1): the product of the weights (w.in() rows, packed with chunk_rows
// kChunkRows on maps of more than kMaxTile pixels, else in one chunk) and
// the input matrix `x` (in 16-row blocks, `pixels` columns), plus bias,
// then the epilogue in order (`residual`, channels-last, read for a sum;
// it may alias y). `partials`: (b1 - b0) * pixels * 16 floats, 64-byte
// aligned, for weights in several chunks (else unused). Needs available().
void pointwise(const PackedWeights& w, int64_t b0, int64_t b1, const float* x, int64_t pixels, std::span<const Epilogue> epilogue,
               const float* residual, float* y, float* partials);

// A 2-D convolution's geometry (batch 1, one group, no dilation).
struct ConvWindow {
  int64_t channels = 0;  // input channels
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;

  int64_t taps() const { return kernel_h * kernel_w; }
  int64_t pixels() const { return out_h * out_w; }
  // Rows of the gathered input matrix: per tap, the channels rounded up to 16.
  int64_t rows() const { return taps() * ((channels + 15) / 16 * 16); }
};

// Gathers the input matrix of `window` from its input x (in 16-channel
// blocks, nChw16c, or channels-last): row (tap, channel) tap-major, zeros
// for the padding and for the channels past the last in its block. `cols`:
// window.rows() * window.pixels() floats.
void gather(const ConvWindow& window, const float* x, bool blocked_input, float* cols);

// Weights [M, C, kh, kw] (ONNX) as rows of the gathered input matrix:
// [M, taps, C rounded up to 16], zeros for the padding channels.
std::vector<float> gathered_weights(const float* w, int64_t out, const ConvWindow& window);

// The engine's kernel: `parts` contiguous ranges of output blocks, each one
// run(). `direct`: a 1x1 with unit strides and no padding on an input in
// 16-channel blocks, read in place (weights [M, C]); else each part
// gathers the input matrix in its scratch (weights from
// gathered_weights()). Inputs: x, then the residual with a sum.
std::unique_ptr<Kernel> make_conv_kernel(std::shared_ptr<const PackedWeights> weights, const ConvWindow& window, bool direct,
                                         bool blocked_input, std::vector<Epilogue> epilogue, int parts);

}  // namespace eb::rt::avx512
