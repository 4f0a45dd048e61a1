#include "runtime/weight_store.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace eb::rt {
namespace {

constexpr std::size_t kAlign = 64;
constexpr std::size_t kHugePage = std::size_t{2} << 20;
// Chunks are reserved, not touched: a chunk's unused tail costs address
// space only. Large enough that most networks' weights take one or a few.
constexpr std::size_t kChunk = std::size_t{64} << 20;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

void WeightStore::Free::operator()(std::byte* p) const { std::free(p); }

void* WeightStore::Region::allocate(std::size_t bytes) {
  bytes = round_up(std::max<std::size_t>(bytes, 1), kAlign);
  if (bytes > left) {
    const std::size_t size = std::max(kChunk, round_up(bytes, kHugePage));
    void* p = std::aligned_alloc(huge_pages ? kHugePage : kAlign, size);
    if (!p) throw std::bad_alloc();
    // A hint, before any page is touched; without transparent huge pages
    // (or with them off) it fails or does nothing and the pages stay small.
    if (huge_pages) ::madvise(p, size, MADV_HUGEPAGE);
    chunks.emplace_back(static_cast<std::byte*>(p));
    next = static_cast<std::byte*>(p);
    left = size;
  }
  void* out = next;
  next += bytes;
  left -= bytes;
  used += bytes;
  return out;
}

}  // namespace eb::rt
