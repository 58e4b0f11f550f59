//===- RuntimeAllocatorTest.cpp - the heap generated code allocates from -===//

#include "qcc/model_abi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <set>

#include <malloc.h>
#include <unistd.h>

namespace {

bool aligned16(const void *p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

TEST(RuntimeAllocator, SmallBlocksComeAndGo) {
  void *p = qcc_runtime_alloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(aligned16(p));
  std::memset(p, 1, 100);
  qcc_runtime_free(p);
  qcc_runtime_free(nullptr); // like free(NULL)
}

TEST(RuntimeAllocator, LargeBlocksAreReusedForTheNextRun) {
  const size_t size = 3u << 20;
  void *first = qcc_runtime_alloc(size);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(aligned16(first));
  std::memset(first, 0x5a, size);
  qcc_runtime_free(first);
  // The same size again (the next run): the kept block.
  void *second = qcc_runtime_alloc(size);
  EXPECT_EQ(second, first);
  qcc_runtime_free(second);
  // A block more than twice the size asked for is not handed out.
  void *small = qcc_runtime_alloc(size / 4);
  EXPECT_NE(small, first);
  qcc_runtime_free(small);
}

TEST(RuntimeAllocator, MidSizeBlocksStayWithTheProcess) {
  // A run's temporaries of 16 KiB .. 128 KiB come from malloc's heap (below
  // its mmap threshold); freed there together, they would leave more than
  // the trim threshold free at the top, and glibc would shrink the heap
  // (brk) only to grow it again on the next run.
#if !defined(__GLIBC__) || defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "sbrk(0) tells glibc's heap top only without a sanitizer's allocator";
#else
  // glibc raises its trim threshold after freeing a mapped block (an
  // earlier test may have): back to the default, where a run's temporaries
  // would be trimmed.
  mallopt(M_TRIM_THRESHOLD, 128 << 10);
  constexpr int kBlocks = 4;
  const size_t size = size_t(96) << 10;
  void *run[kBlocks];
  for (void *&p : run) {
    p = qcc_runtime_alloc(size);
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, size);
  }
  void *top = sbrk(0);
  for (void *p : run)
    qcc_runtime_free(p);
  EXPECT_EQ(sbrk(0), top) << "the heap was trimmed";
  // The next run gets the same blocks back.
  std::set<void *> first(std::begin(run), std::end(run)), second;
  for (void *&p : run) {
    p = qcc_runtime_alloc(size);
    second.insert(p);
  }
  EXPECT_EQ(second, first);
  for (void *p : run)
    qcc_runtime_free(p);
#endif
}

TEST(RuntimeAllocator, CallocZeroesReusedBlocks) {
  const size_t count = 1u << 18, size = 4;
  void *dirty = qcc_runtime_alloc(count * size);
  ASSERT_NE(dirty, nullptr);
  std::memset(dirty, 0xff, count * size);
  qcc_runtime_free(dirty);
  auto *zeros = static_cast<uint8_t *>(qcc_runtime_calloc(count, size));
  ASSERT_NE(zeros, nullptr);
  for (size_t i = 0; i < count * size; i += 4099)
    ASSERT_EQ(zeros[i], 0) << "at byte " << i;
  qcc_runtime_free(zeros);
  // Overflowing count x size fails like calloc.
  EXPECT_EQ(qcc_runtime_calloc(SIZE_MAX / 2, 4), nullptr);
}

} // namespace
