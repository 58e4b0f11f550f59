//===- Internal.h - shared declarations of the runtime's sources ---------===//
//
// The objects behind the C handles, status construction, and the registry
// of live handles that turns a stale handle into an error instead of a
// use-after-free.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_RUNTIME_SRC_INTERNAL_H
#define QCC_RUNTIME_SRC_INTERNAL_H

#include "qcc/runtime.h"

#include <atomic>
#include <cstdarg>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct qcc_status_t {
  qcc_status_code_t code;
  std::string message;
};

namespace qcc {
namespace runtime {

class ThreadPool;

/// Builds a status with a printf-style message. Never returns NULL for a
/// non-OK code (falls back to a static out-of-memory status).
qcc_status makeStatus(qcc_status_code_t code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/// QCC_OK if this CPU runs code for the features in a model's `target`
/// string (and, for AMX, the OS grants the tile state); else why not.
qcc_status checkTargetFeatures(const char *target);

/// The kinds of handle the registry tracks.
enum class HandleKind { Model, Session, Tensor };

/// Records a live handle (called once constructed).
void registerHandle(const void *handle, HandleKind kind);
/// Forgets a handle; false if it was not live (a double free).
bool unregisterHandle(const void *handle, HandleKind kind);
/// True if `handle` is a live object of `kind`.
bool isLiveHandle(const void *handle, HandleKind kind);

/// "[2,3]" for diagnostics.
std::string formatShape(uint32_t rank, const int64_t *shape);
/// Product of dims, -1 on a negative dimension or overflow.
int64_t elementCount(uint32_t rank, const int64_t *shape);

} // namespace runtime
} // namespace qcc

struct qcc_model_t {
  std::string path;
  void *library = nullptr; // dlopen handle
  const qcc_model_descriptor *descriptor = nullptr;
  // Per input/output: the element count and byte size of the declared shape.
  std::vector<int64_t> inputElements, inputBytes;
  std::vector<int64_t> outputElements, outputBytes;
  // One reference for the caller, one per session.
  std::atomic<int32_t> refCount{1};
  std::atomic<bool> callerReleased{false};
};

/// Drops one reference; unloads the library at zero.
void qccModelRelease(qcc_model *model);

struct qcc_tensor_t {
  uint32_t elementType = 0;
  std::vector<int64_t> shape;
  int64_t elementCount = 0;
  size_t byteSize = 0; // bytes the shape needs
  void *data = nullptr;
  bool ownsData = false;
};

struct qcc_session_t {
  qcc_model *model = nullptr;
  std::string device;
  int32_t numThreads = 1;
  std::unique_ptr<qcc::runtime::ThreadPool> pool;
  std::mutex runMutex; // one run at a time
};

#endif // QCC_RUNTIME_SRC_INTERNAL_H
