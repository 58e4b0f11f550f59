/* A hand-written model library that spreads its loop with
 * qcc_runtime_parallel_for, which it does not link: the symbol resolves
 * from the already-loaded runtime at dlopen time.
 *   y       f32 [N] = 2 * x
 *   hits    i32 [N] = times index i was visited (must be 1)
 *   worker  i32 [N] = a small id of the thread that visited i
 *   errors  i32 [1] = nested parallel_for calls that did not run inline on
 *                     the calling thread over the whole range
 * When the loop is split, the chunk at 0 waits (up to a second) until a
 * second thread has entered a chunk, so a test can count on the pool's
 * workers taking part even on a loaded machine. */
#include "qcc/model_abi.h"

#include <time.h>

#define N 1000

static const int64_t kShape[1] = {N};
static const int64_t kOne[1] = {1};
static const qcc_tensor_descriptor kInputs[1] = {
    {"x", QCC_ELEMENT_F32, 1, kShape},
};
static const qcc_tensor_descriptor kOutputs[4] = {
    {"y", QCC_ELEMENT_F32, 1, kShape},
    {"hits", QCC_ELEMENT_I32, 1, kShape},
    {"worker", QCC_ELEMENT_I32, 1, kShape},
    {"errors", QCC_ELEMENT_I32, 1, kOne},
};

static int32_t nextThreadId = 0;
static _Thread_local int32_t threadId = -1;

static int32_t currentThreadId(void) {
  if (threadId < 0)
    threadId = __atomic_fetch_add(&nextThreadId, 1, __ATOMIC_RELAXED);
  return threadId;
}

struct Context {
  void *const *buffers;
  int64_t expectedCount; /* for the nested call */
  int32_t caller;
  int32_t firstThread;        /* the first thread to enter a chunk */
  int32_t otherThreadEntered; /* another thread entered one */
};

static void inner(void *opaque, int64_t begin, int64_t end) {
  struct Context *c = (struct Context *)opaque;
  int32_t *errors = (int32_t *)c->buffers[4];
  if (begin != 0 || end != c->expectedCount || currentThreadId() != c->caller)
    __atomic_fetch_add(errors, 1, __ATOMIC_RELAXED);
}

static void body(void *opaque, int64_t begin, int64_t end) {
  struct Context *c = (struct Context *)opaque;
  const float *x = (const float *)c->buffers[0];
  float *y = (float *)c->buffers[1];
  int32_t *hits = (int32_t *)c->buffers[2];
  int32_t *worker = (int32_t *)c->buffers[3];
  int32_t id = currentThreadId();
  int32_t first = -1;
  if (!__atomic_compare_exchange_n(&c->firstThread, &first, id, 0,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) &&
      first != id)
    __atomic_store_n(&c->otherThreadEntered, 1, __ATOMIC_RELEASE);
  if (begin == 0 && end < N)
    for (int waited = 0;
         waited < 10000 &&
         !__atomic_load_n(&c->otherThreadEntered, __ATOMIC_ACQUIRE);
         ++waited) {
      struct timespec pause = {0, 100000}; /* 0.1 ms */
      nanosleep(&pause, 0);
    }
  for (int64_t i = begin; i < end; ++i) {
    y[i] = 2 * x[i];
    __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
    worker[i] = id;
  }
  struct Context nested = {c->buffers, end - begin, id, -1, 0};
  qcc_runtime_parallel_for(end - begin, inner, &nested);
}

static int32_t run(void *const *buffers) {
  int32_t *hits = (int32_t *)buffers[2];
  for (int i = 0; i < N; ++i)
    hits[i] = 0;
  *(int32_t *)buffers[4] = 0;
  struct Context c = {buffers, 0, currentThreadId(), -1, 0};
  qcc_runtime_parallel_for(N, body, &c);
  return 0;
}

__attribute__((visibility("default")))
const qcc_model_descriptor qcc_model_descriptor_v1 = {
    QCC_MODEL_ABI_VERSION, 1,     4,       0,        "parallel",
    "x86_64 generic",      "cpu", kInputs, kOutputs, run};
