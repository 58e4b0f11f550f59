//===- Progress.h - what a long compile is doing ---------------*- C++ -*-===//
//
// USERS #8: a compile that takes longer than a few seconds says what it is
// doing. Quiet for the first seconds (most models compile in less), then
// one line for the phase under way and one for each phase that follows,
// with the time and qcc's peak memory so far.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DRIVER_PROGRESS_H
#define QCC_DRIVER_PROGRESS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace qcc::driver {

class Progress {
public:
  /// Prints to `os` once `quietSeconds` have passed (never with a negative
  /// value or one past a day).
  explicit Progress(llvm::raw_ostream &os, double quietSeconds = 5.0);
  ~Progress();
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  /// The phase starting now, e.g. "importing model.onnx (1.1 GB)".
  void phase(llvm::StringRef description);
  /// No more phases: after this nothing prints from another thread (for
  /// the last line, written by the caller).
  void finish();
  double elapsedSeconds() const;

private:
  void print(); // with `mutex` held
  void watch(double quietSeconds);

  llvm::raw_ostream &os;
  std::chrono::steady_clock::time_point start;
  std::mutex mutex;
  std::condition_variable wake;
  std::string current;
  bool loud = false, done = false;
  std::thread watcher;
};

/// qcc's own peak resident memory so far in bytes (its children, the
/// linker, not counted); 0 where the system does not say.
uint64_t peakResidentBytes();

/// "1.23 GB", "456 MB": bytes for people.
std::string formatBytes(uint64_t bytes);

} // namespace qcc::driver

#endif // QCC_DRIVER_PROGRESS_H
