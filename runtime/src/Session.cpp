//===- Session.cpp - sessions, argument checks, runs, parallel_for -------===//
//
// A session binds a model to a device and a thread pool. Runs check every
// argument against the model's signature before calling the generated
// entry point, which trusts its buffers.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"
#include "ThreadPool.h"

#include <cstring>
#include <thread>

using namespace qcc::runtime;

namespace {

// Enough for any machine we target; more is almost surely a bug.
constexpr int32_t kMaxThreads = 4096;

// The session whose run is executing on this thread, for parallel_for.
thread_local qcc_session *tlsCurrentSession = nullptr;

struct CurrentSessionScope {
  qcc_session *previous;
  explicit CurrentSessionScope(qcc_session *session)
      : previous(tlsCurrentSession) {
    tlsCurrentSession = session;
  }
  ~CurrentSessionScope() { tlsCurrentSession = previous; }
};

qcc_status checkSession(const qcc_session *session) {
  if (!session)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "session is null");
  if (!isLiveHandle(session, HandleKind::Session))
    return makeStatus(QCC_STATUS_FAILED_PRECONDITION,
                      "session handle is not a live session (already freed?)");
  return QCC_OK;
}

qcc_status checkDevice(const qcc_model *model, const char *requested,
                       std::string &out_device) {
  const char *modelDevice = model->descriptor->device;
  std::string device = requested ? requested : modelDevice;
  if (device != "cpu" && device != "cuda")
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "unknown device '%s' (expected 'cpu' or 'cuda')",
                      device.c_str());
  if (device == "cuda")
    return makeStatus(QCC_STATUS_UNAVAILABLE,
                      "device 'cuda' is not available: this runtime has no "
                      "CUDA support yet (use device 'cpu' with a CPU model)");
  if (device != modelDevice)
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "model '%s' was compiled for device '%s' and cannot "
                      "run on '%s'",
                      model->descriptor->model_name, modelDevice,
                      device.c_str());
  out_device = device;
  return QCC_OK;
}

/// Checks one input or output tensor against the model's signature.
qcc_status checkTensor(const qcc_model *model, bool input, size_t index,
                       const qcc_tensor *tensor) {
  const qcc_model_descriptor *d = model->descriptor;
  const qcc_tensor_descriptor &want =
      input ? d->inputs[index] : d->outputs[index];
  const char *kind = input ? "input" : "output";
  if (!tensor)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "%s %zu ('%s') is null",
                      kind, index, want.name);
  if (!isLiveHandle(tensor, HandleKind::Tensor))
    return makeStatus(QCC_STATUS_FAILED_PRECONDITION,
                      "%s %zu ('%s') is not a live tensor (already freed?)",
                      kind, index, want.name);
  if (tensor->elementType != want.element_type)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "%s %zu ('%s') has element type %s, expected %s", kind,
                      index, want.name,
                      qcc_element_type_name(tensor->elementType),
                      qcc_element_type_name(want.element_type));
  if (tensor->shape.size() != want.rank ||
      !std::equal(tensor->shape.begin(), tensor->shape.end(), want.shape))
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "%s %zu ('%s') has shape %s, expected %s", kind, index,
                      want.name,
                      formatShape(static_cast<uint32_t>(tensor->shape.size()),
                                  tensor->shape.data())
                          .c_str(),
                      formatShape(want.rank, want.shape).c_str());
  int64_t needed = input ? model->inputBytes[index] : model->outputBytes[index];
  if (static_cast<int64_t>(tensor->byteSize) < needed)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "%s %zu ('%s') has %zu bytes, expected %lld", kind, index,
                      want.name, tensor->byteSize, (long long)needed);
  return QCC_OK;
}

bool overlaps(const qcc_tensor *a, const qcc_tensor *b) {
  if (a->byteSize == 0 || b->byteSize == 0)
    return false;
  auto *a0 = static_cast<const char *>(a->data);
  auto *b0 = static_cast<const char *>(b->data);
  return a0 < b0 + b->byteSize && b0 < a0 + a->byteSize;
}

qcc_status checkArguments(const qcc_session *session, qcc_tensor *const *inputs,
                          size_t numInputs, qcc_tensor *const *outputs,
                          size_t numOutputs, bool checkOutputs) {
  const qcc_model_descriptor *d = session->model->descriptor;
  if (numInputs != d->num_inputs)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "model '%s' takes %u inputs, got %zu", d->model_name,
                      d->num_inputs, numInputs);
  if (numOutputs != d->num_outputs)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "model '%s' has %u outputs, got %zu", d->model_name,
                      d->num_outputs, numOutputs);
  if (numInputs > 0 && !inputs)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "inputs is null but the model takes %zu inputs",
                      numInputs);
  if (!outputs)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "outputs is null");
  for (size_t i = 0; i < numInputs; ++i)
    if (qcc_status s = checkTensor(session->model, true, i, inputs[i]))
      return s;
  if (!checkOutputs)
    return QCC_OK;
  for (size_t i = 0; i < numOutputs; ++i) {
    if (qcc_status s = checkTensor(session->model, false, i, outputs[i]))
      return s;
    for (size_t j = 0; j < i; ++j)
      if (overlaps(outputs[i], outputs[j]))
        return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                          "output %zu ('%s') overlaps output %zu ('%s')", i,
                          d->outputs[i].name, j, d->outputs[j].name);
    for (size_t j = 0; j < numInputs; ++j)
      if (overlaps(outputs[i], inputs[j]))
        return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                          "output %zu ('%s') overlaps input %zu ('%s')", i,
                          d->outputs[i].name, j, d->inputs[j].name);
  }
  return QCC_OK;
}

/// Calls the entry point; arguments are checked.
qcc_status invoke(qcc_session *session, qcc_tensor *const *inputs,
                  size_t numInputs, qcc_tensor *const *outputs,
                  size_t numOutputs) {
  const qcc_model_descriptor *d = session->model->descriptor;
  std::vector<void *> buffers;
  buffers.reserve(numInputs + numOutputs);
  for (size_t i = 0; i < numInputs; ++i)
    buffers.push_back(inputs[i]->data);
  for (size_t i = 0; i < numOutputs; ++i)
    buffers.push_back(outputs[i]->data);
  std::lock_guard<std::mutex> lock(session->runMutex);
  CurrentSessionScope scope(session);
  int32_t result = d->entry(buffers.data());
  if (result != 0)
    return makeStatus(QCC_STATUS_INTERNAL,
                      "model '%s' failed with code %d (inside generated code)",
                      d->model_name, result);
  return QCC_OK;
}

} // namespace

extern "C" {

void qcc_session_options_initialize(qcc_session_options *out_options) {
  if (!out_options)
    return;
  out_options->device = nullptr;
  out_options->num_threads = 0;
}

qcc_status qcc_session_create(qcc_model *model,
                              const qcc_session_options *options,
                              qcc_session **out_session) {
  if (!out_session)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "out_session is null");
  *out_session = nullptr;
  if (!model)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "model is null");
  if (!isLiveHandle(model, HandleKind::Model) || model->callerReleased)
    return makeStatus(QCC_STATUS_FAILED_PRECONDITION,
                      "model handle is not a live model (already freed?)");
  qcc_session_options defaults;
  qcc_session_options_initialize(&defaults);
  if (!options)
    options = &defaults;
  auto session = std::make_unique<qcc_session_t>();
  if (qcc_status s = checkDevice(model, options->device, session->device))
    return s;
  int32_t threads = options->num_threads;
  if (threads < 0 || threads > kMaxThreads)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "num_threads %d is out of range [0, %d] (0 = one per "
                      "hardware thread)",
                      threads, kMaxThreads);
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  bool ok = false;
  session->pool = std::make_unique<ThreadPool>(threads, ok);
  if (!ok)
    return makeStatus(QCC_STATUS_RESOURCE_EXHAUSTED,
                      "cannot start %d threads for the session", threads);
  session->numThreads = threads;
  session->model = model;
  model->refCount.fetch_add(1);
  *out_session = session.release();
  registerHandle(*out_session, HandleKind::Session);
  return QCC_OK;
}

void qcc_session_free(qcc_session *session) {
  if (!session || !unregisterHandle(session, HandleKind::Session))
    return;
  qcc_model *model = session->model;
  {
    // Wait for a run in progress on another thread (a documented misuse,
    // but waiting costs nothing).
    std::lock_guard<std::mutex> lock(session->runMutex);
  }
  delete session;
  qccModelRelease(model);
}

qcc_model *qcc_session_model(const qcc_session *session) {
  return isLiveHandle(session, HandleKind::Session) ? session->model : nullptr;
}
const char *qcc_session_device(const qcc_session *session) {
  return isLiveHandle(session, HandleKind::Session) ? session->device.c_str()
                                                    : nullptr;
}
int32_t qcc_session_num_threads(const qcc_session *session) {
  return isLiveHandle(session, HandleKind::Session) ? session->numThreads : 0;
}

qcc_status qcc_session_run(qcc_session *session, qcc_tensor *const *inputs,
                           size_t num_inputs, qcc_tensor *const *outputs,
                           size_t num_outputs) {
  if (qcc_status s = checkSession(session))
    return s;
  if (qcc_status s = checkArguments(session, inputs, num_inputs, outputs,
                                    num_outputs, /*checkOutputs=*/true))
    return s;
  return invoke(session, inputs, num_inputs, outputs, num_outputs);
}

qcc_status qcc_session_run_alloc(qcc_session *session,
                                 qcc_tensor *const *inputs, size_t num_inputs,
                                 qcc_tensor **out_outputs, size_t num_outputs) {
  if (out_outputs)
    for (size_t i = 0; i < num_outputs; ++i)
      out_outputs[i] = nullptr;
  if (qcc_status s = checkSession(session))
    return s;
  if (!out_outputs)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "out_outputs is null");
  if (qcc_status s = checkArguments(session, inputs, num_inputs, out_outputs,
                                    num_outputs, /*checkOutputs=*/false))
    return s;
  const qcc_model_descriptor *d = session->model->descriptor;
  std::vector<qcc_tensor *> outputs(num_outputs, nullptr);
  auto freeAll = [&] {
    for (qcc_tensor *t : outputs)
      qcc_tensor_free(t);
  };
  for (size_t i = 0; i < num_outputs; ++i) {
    const qcc_tensor_descriptor &t = d->outputs[i];
    if (qcc_status s =
            qcc_tensor_allocate(t.element_type, t.rank, t.shape, &outputs[i])) {
      freeAll();
      return s;
    }
  }
  if (qcc_status s =
          invoke(session, inputs, num_inputs, outputs.data(), num_outputs)) {
    freeAll();
    return s;
  }
  std::copy(outputs.begin(), outputs.end(), out_outputs);
  return QCC_OK;
}

// Declared in model_abi.h, which carries no visibility attribute: export it
// here, since generated libraries resolve it from this library.
QCC_API void qcc_runtime_parallel_for(int64_t count, qcc_parallel_body_fn body,
                                      void *context) {
  if (count <= 0 || !body)
    return;
  qcc_session *session = tlsCurrentSession;
  if (!session || insideParallelRegion()) {
    body(context, 0, count);
    return;
  }
  session->pool->parallelFor(count, body, context);
}

} // extern "C"
