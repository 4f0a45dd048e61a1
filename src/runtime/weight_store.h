// Memory for the weights kernels prepare (reordered, blocked, packed),
// bump-allocated from large chunks, in one of two kinds:
//
// - ordinary pages, for weights that are read over and over within a
//   kernel (convolutions: each weight serves many output positions);
// - streamed: chunks on 2 MiB boundaries asked (madvise) to be backed by
//   transparent huge pages, for weights read once per inference in one
//   sequential pass (fully connected layers with batch 1), whose speed is
//   the memory's. With 4 KiB pages such a stream takes a page walk every
//   4 KiB and stalls the hardware prefetchers at every page boundary; a
//   read-only stream ran 10-20% faster on huge pages, VGG-S at 32x32 and
//   AlexNet 2-7% (docs/runtime.md). Convolution weights on huge pages
//   changed nothing beyond the noise, and faulting huge pages in costs
//   prepare time (on a VM whose memory the host backs lazily, about 3 ms
//   per MB), so they stay on ordinary pages.
//
// Lifetime: owned by the engine's Program, destroyed after its kernels;
// memory handed out is never freed on its own and never moves. Not
// thread-safe: kernels are created one after another.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace eb::rt {

class WeightStore {
 public:
  // huge_pages false: streamed weights on ordinary pages too (--mode hugepages=off).
  explicit WeightStore(bool huge_pages = true) : streamed_{huge_pages} {}
  WeightStore(const WeightStore&) = delete;
  WeightStore& operator=(const WeightStore&) = delete;

  // `bytes` of uninitialized memory aligned to 64 bytes, living as long as
  // the store: for weights reused within a kernel.
  void* allocate(std::size_t bytes) { return ordinary_.allocate(bytes); }
  // The same for weights streamed once per inference (huge pages).
  void* allocate_streamed(std::size_t bytes) { return streamed_.allocate(bytes); }

  // Bytes handed out so far.
  std::size_t bytes() const { return ordinary_.used + streamed_.used; }

 private:
  struct Free {
    void operator()(std::byte* p) const;
  };
  struct Region {
    bool huge_pages = false;
    std::vector<std::unique_ptr<std::byte, Free>> chunks;
    std::byte* next = nullptr;
    std::size_t left = 0;
    std::size_t used = 0;
    void* allocate(std::size_t bytes);
  };
  Region ordinary_;
  Region streamed_;
};

}  // namespace eb::rt
