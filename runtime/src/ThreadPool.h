//===- ThreadPool.h - a session's worker threads -------------------------===//
//
// A fixed pool that runs one parallel loop at a time: the calling thread and
// `numThreads - 1` workers take chunks of [0, count) from a shared counter.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_RUNTIME_SRC_THREADPOOL_H
#define QCC_RUNTIME_SRC_THREADPOOL_H

#include "qcc/model_abi.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace qcc {
namespace runtime {

class ThreadPool {
public:
  /// Starts `numThreads - 1` workers (the caller is the last thread).
  /// Returns false in `ok` if a thread could not be started.
  ThreadPool(int32_t numThreads, bool &ok);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Runs body over disjoint ranges covering [0, count); returns when all
  /// are done. One call at a time (the session serializes runs).
  void parallelFor(int64_t count, qcc_parallel_body_fn body, void *context);

  int32_t size() const { return static_cast<int32_t>(workers.size()) + 1; }

private:
  struct Job;
  void workerLoop();
  static void runChunks(Job &job);

  std::vector<std::thread> workers;
  // The hand-off is lock-free: a posted job is `job` plus a new
  // `generation`; a worker counts itself in `busyWorkers` before it reads
  // `job`, and the caller clears `job` before it waits for `busyWorkers` to
  // reach 0, so no worker touches a job (on the caller's stack) after
  // parallelFor returns. The mutex and `wake` serve only workers that fell
  // asleep (`sleepers`): under a hypervisor such as gVisor every contended
  // lock or notify is a slow system call, and 15 workers taking one mutex
  // per loop cost more than a GEMV (measured: 16 threads slower than 2).
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<Job *> job{nullptr};
  std::atomic<uint64_t> generation{0};
  std::atomic<int32_t> busyWorkers{0};
  std::atomic<int32_t> sleepers{0};
  std::atomic<bool> stopping{false};
};

/// True on a thread that is executing a chunk of a parallel loop (nested
/// loops then run inline).
bool insideParallelRegion();

} // namespace runtime
} // namespace qcc

#endif // QCC_RUNTIME_SRC_THREADPOOL_H
