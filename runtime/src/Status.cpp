//===- Status.cpp - status objects, the handle registry, helpers ---------===//

#include "Internal.h"

#include <cstdio>
#include <new>
#include <unordered_map>

using namespace qcc::runtime;

namespace {
// Returned when a status itself cannot be allocated; never freed.
qcc_status_t outOfMemoryStatus{QCC_STATUS_RESOURCE_EXHAUSTED,
                               "out of memory while reporting an error"};
} // namespace

qcc_status qcc::runtime::makeStatus(qcc_status_code_t code, const char *format,
                                    ...) {
  if (code == QCC_STATUS_OK)
    return QCC_OK;
  char buffer[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  auto *status = new (std::nothrow) qcc_status_t{code, std::string()};
  if (!status)
    return &outOfMemoryStatus;
  status->message = buffer;
  return status;
}

extern "C" {

qcc_status_code_t qcc_status_code(qcc_status status) {
  return status ? status->code : QCC_STATUS_OK;
}

const char *qcc_status_message(qcc_status status) {
  return status ? status->message.c_str() : "OK";
}

const char *qcc_status_code_name(qcc_status_code_t code) {
  switch (code) {
  case QCC_STATUS_OK:
    return "OK";
  case QCC_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case QCC_STATUS_NOT_FOUND:
    return "NOT_FOUND";
  case QCC_STATUS_FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case QCC_STATUS_INCOMPATIBLE:
    return "INCOMPATIBLE";
  case QCC_STATUS_INTERNAL:
    return "INTERNAL";
  case QCC_STATUS_UNAVAILABLE:
    return "UNAVAILABLE";
  case QCC_STATUS_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  }
  return "UNKNOWN";
}

void qcc_status_free(qcc_status status) {
  if (status && status != &outOfMemoryStatus)
    delete status;
}

const char *qcc_runtime_version(void) { return "0.1.0 (abi 1)"; }

} // extern "C"

//===----------------------------------------------------------------------===//
// Handle registry
//===----------------------------------------------------------------------===//

namespace {
struct Registry {
  std::mutex mutex;
  std::unordered_map<const void *, HandleKind> live;
};
Registry &registry() {
  // Leaked on purpose: handles may be freed from static destructors.
  static Registry *instance = new Registry();
  return *instance;
}
} // namespace

void qcc::runtime::registerHandle(const void *handle, HandleKind kind) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.live[handle] = kind;
}

bool qcc::runtime::unregisterHandle(const void *handle, HandleKind kind) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.live.find(handle);
  if (it == r.live.end() || it->second != kind)
    return false;
  r.live.erase(it);
  return true;
}

bool qcc::runtime::isLiveHandle(const void *handle, HandleKind kind) {
  if (!handle)
    return false;
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.live.find(handle);
  return it != r.live.end() && it->second == kind;
}

std::string qcc::runtime::formatShape(uint32_t rank, const int64_t *shape) {
  std::string text = "[";
  for (uint32_t i = 0; i < rank; ++i) {
    if (i)
      text += ",";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

int64_t qcc::runtime::elementCount(uint32_t rank, const int64_t *shape) {
  int64_t count = 1;
  for (uint32_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return -1;
    if (shape[i] != 0 && count > INT64_MAX / shape[i])
      return -1;
    count *= shape[i];
  }
  return count;
}
