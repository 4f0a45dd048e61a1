// The weight store: aligned, disjoint, stable memory of both kinds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "runtime/weight_store.h"

namespace eb::rt {
namespace {

TEST(WeightStore, AlignedDisjointAndWritable) {
  for (bool huge : {true, false}) {
    WeightStore store(huge);
    std::vector<std::pair<std::byte*, std::size_t>> blocks;
    // Small and odd sizes, one larger than a chunk, both kinds interleaved.
    const std::size_t sizes[] = {1, 63, 64, 65, 4096, 3 << 20, std::size_t{100} << 20, 7, 2 << 20};
    std::size_t total = 0;
    for (std::size_t i = 0; i < std::size(sizes); ++i) {
      const std::size_t n = sizes[i];
      auto* p = static_cast<std::byte*>(i % 2 ? store.allocate_streamed(n) : store.allocate(n));
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << n;
      std::memset(p, static_cast<int>(i + 1), n);
      blocks.emplace_back(p, n);
      total += n;
    }
    EXPECT_GE(store.bytes(), total);
    // Every block still holds its own bytes: none overlapped another.
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const auto [p, n] = blocks[i];
      EXPECT_TRUE(std::all_of(p, p + n, [&](std::byte b) { return b == static_cast<std::byte>(i + 1); })) << "block " << i;
    }
  }
}

}  // namespace
}  // namespace eb::rt
