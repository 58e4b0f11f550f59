//===- Allocator.cpp - heap for the temporaries of generated code -------===//
//
// A model's run allocates its temporaries at its start and frees them at its
// end, the same sizes every run. From malloc, blocks above glibc's mmap
// threshold are fresh mappings each time, and every page of them faults in
// again on every run (a quarter of a 3136 x 576 convolution's time went to
// page faults). Below that threshold, freeing a run's temporaries leaves
// more than malloc's trim threshold (128 KiB) free at the heap's top, which
// glibc hands back to the kernel (brk) and takes again on the next run: two
// system calls, fresh page faults and a TLB shootdown interrupting the
// other worker threads every run (a ternary GEMV with K = 14336, 77 KiB of
// tables and 57 KiB of padded activations: 294 -> 230 µs at 2 threads).
// Generated libraries call these functions instead (the driver renames
// their malloc/calloc/free calls): freed blocks of 16 KiB and more wait in
// a cache, up to 1 GiB in all, for the next request of their size (best
// fit, at most twice the size asked for).
//
//===----------------------------------------------------------------------===//

#include "qcc/model_abi.h"
#include "qcc/runtime.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

namespace {

/// Before each block: its usable size. 16 bytes keep malloc's alignment.
struct alignas(16) Header {
  size_t capacity;
};

/// Blocks this size and larger are kept: smaller ones, a few together,
/// stay below malloc's trim threshold.
constexpr size_t kCachedFrom = size_t(16) << 10;
constexpr size_t kCacheLimit = size_t(1) << 30;

struct BlockCache {
  std::mutex mutex;
  std::multimap<size_t, Header *> blocks; // by capacity
  size_t bytes = 0;
};

BlockCache &cache() {
  static BlockCache *instance = new BlockCache; // lives as long as the process
  return *instance;
}

Header *takeCached(size_t size) {
  BlockCache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.blocks.lower_bound(size);
  if (it == c.blocks.end() || it->first / 2 > size)
    return nullptr;
  Header *h = it->second;
  c.bytes -= it->first;
  c.blocks.erase(it);
  return h;
}

} // namespace

extern "C" {

QCC_API void *qcc_runtime_alloc(size_t size) {
  if (size >= kCachedFrom)
    if (Header *h = takeCached(size))
      return h + 1;
  if (size > SIZE_MAX - sizeof(Header))
    return nullptr;
  auto *h = static_cast<Header *>(std::malloc(sizeof(Header) + size));
  if (!h)
    return nullptr;
  h->capacity = size;
  return h + 1;
}

QCC_API void *qcc_runtime_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    return nullptr;
  void *p = qcc_runtime_alloc(count * size);
  if (p)
    std::memset(p, 0, count * size);
  return p;
}

QCC_API void qcc_runtime_free(void *pointer) {
  if (!pointer)
    return;
  Header *h = static_cast<Header *>(pointer) - 1;
  if (h->capacity >= kCachedFrom) {
    BlockCache &c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.bytes + h->capacity <= kCacheLimit) {
      c.blocks.emplace(h->capacity, h);
      c.bytes += h->capacity;
      return;
    }
  }
  std::free(h);
}

} // extern "C"
