//===- ThreadPool.cpp - a session's worker threads -----------------------===//

#include "ThreadPool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <system_error>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

using namespace qcc::runtime;

namespace {
thread_local bool tlsInsideParallelRegion = false;

// Chunks per thread: enough to even out uneven chunk costs, few enough that
// the shared counter is not contended.
constexpr int64_t kChunksPerThread = 4;

// How long a thread polls before it sleeps on a condition variable. Waking a
// sleeping thread costs tens of microseconds (more under a hypervisor), as
// much as a whole GEMV layer; a model's layers follow each other closer than
// this, so workers stay awake through a run and sleep between runs.
constexpr std::chrono::microseconds kSpinBeforeSleep{200};

void relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

/// Polls `done` for up to kSpinBeforeSleep; true if it came true.
template <typename Predicate> bool spinUntil(Predicate done) {
  auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleep;
  for (unsigned i = 0;; ++i) {
    if (done())
      return true;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline)
      return false;
    relax();
  }
}
} // namespace

bool qcc::runtime::insideParallelRegion() { return tlsInsideParallelRegion; }

struct ThreadPool::Job {
  int64_t count = 0;
  int64_t chunkSize = 0;
  int64_t numChunks = 0;
  qcc_parallel_body_fn body = nullptr;
  void *context = nullptr;
  std::atomic<int64_t> next{0};
};

ThreadPool::ThreadPool(int32_t numThreads, bool &ok) {
  ok = true;
  try {
    for (int32_t i = 1; i < numThreads; ++i)
      workers.emplace_back([this] { workerLoop(); });
  } catch (const std::system_error &) {
    ok = false;
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping.store(true);
  }
  wake.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

void ThreadPool::runChunks(Job &job) {
  bool wasInside = tlsInsideParallelRegion;
  tlsInsideParallelRegion = true;
  for (;;) {
    int64_t chunk = job.next.fetch_add(1, std::memory_order_relaxed);
    if (chunk >= job.numChunks)
      break;
    int64_t begin = chunk * job.chunkSize;
    int64_t end = std::min(job.count, begin + job.chunkSize);
    job.body(job.context, begin, end);
  }
  tlsInsideParallelRegion = wasInside;
}

void ThreadPool::workerLoop() {
  // Not the current generation: a worker that starts late must still join
  // a loop posted before it ran (generation is 0 until the first loop).
  uint64_t seen = 0;
  for (;;) {
    auto posted = [&] { return stopping.load() || generation.load() != seen; };
    if (!spinUntil(posted)) {
      std::unique_lock<std::mutex> lock(mutex);
      sleepers.fetch_add(1);
      // Checked under the lock after counting itself a sleeper: a caller
      // that posted before it saw no sleeper, and this sees its generation.
      wake.wait(lock, posted);
      sleepers.fetch_sub(1);
    }
    if (stopping.load())
      return;
    seen = generation.load();
    // Counted busy before reading the job (sequentially consistent): a job
    // read here is still posted, and its caller waits for this worker.
    busyWorkers.fetch_add(1);
    if (Job *current = job.load())
      runChunks(*current);
    busyWorkers.fetch_sub(1);
  }
}

void ThreadPool::parallelFor(int64_t count, qcc_parallel_body_fn body,
                             void *context) {
  if (count <= 0)
    return;
  int64_t threads = size();
  if (threads == 1 || count == 1) {
    bool wasInside = tlsInsideParallelRegion;
    tlsInsideParallelRegion = true;
    body(context, 0, count);
    tlsInsideParallelRegion = wasInside;
    return;
  }
  Job current;
  current.count = count;
  current.body = body;
  current.context = context;
  int64_t chunks = std::min(count, threads * kChunksPerThread);
  current.chunkSize = (count + chunks - 1) / chunks;
  current.numChunks = (count + current.chunkSize - 1) / current.chunkSize;
  job.store(&current);
  generation.fetch_add(1);
  if (sleepers.load() > 0) {
    // Taking the lock orders this notify after a sleeper's predicate check.
    { std::lock_guard<std::mutex> lock(mutex); }
    wake.notify_all();
  }
  runChunks(current);
  // Every chunk is claimed: withdraw the job, then wait for the workers
  // still inside it (chunks are short: poll, then yield the core).
  job.store(nullptr);
  if (!spinUntil([&] { return busyWorkers.load() == 0; }))
    while (busyWorkers.load() != 0)
      std::this_thread::yield();
}
