/*===- runtime.h - the qcc runtime C API --------------------------*- C -*-===*
 *
 * Loads libraries made by `qcc -o libmodel.so`, queries their signature and
 * runs them. Plain C; no compiler, LLVM, MLIR or protobuf dependency.
 *
 * Conventions
 *  - Names are `qcc_object_verb`. Results come back through `out_*`
 *    parameters; a function that can fail returns a `qcc_status`.
 *  - A `qcc_status` is NULL on success (QCC_OK). Otherwise it is a heap
 *    object holding a code and a message; the caller owns it and releases
 *    it with qcc_status_free. qcc_status_code / qcc_status_message accept
 *    NULL (QCC_STATUS_OK / "OK").
 *  - On failure, `out_*` handles are set to NULL: nothing to free.
 *  - Every handle is freed by its own `*_free`, which accepts NULL.
 *  - Bad arguments never abort: they return a status whose message names
 *    the problem (the input by index and name, the expected and actual
 *    type or shape ...). Handles are checked against a registry of live
 *    objects, so a freed handle passed again is reported as such. What
 *    cannot be detected: a handle whose memory was reused by a new object
 *    of the same kind, and freeing an object while another thread uses it.
 *
 * Ownership and lifetime
 *  - A session retains its model: qcc_model_free may be called while
 *    sessions are alive; the library is unloaded when the last is freed.
 *  - qcc_tensor_info pointers (name, shape) live as long as the model.
 *  - A wrapped tensor borrows the caller's memory; an allocated tensor
 *    owns its memory (64-byte aligned, zero-filled).
 *
 * Thread safety
 *  - Models are immutable: queries and qcc_session_create may run on any
 *    number of threads at once.
 *  - A session runs one call at a time: concurrent qcc_session_run calls
 *    on one session are serialized. Use one session per thread to run in
 *    parallel; each session owns a pool of `num_threads` threads.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QCC_RUNTIME_H
#define QCC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "qcc/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define QCC_API
#else
#define QCC_API __attribute__((visibility("default")))
#endif

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

typedef enum qcc_status_code_e {
  QCC_STATUS_OK = 0,
  QCC_STATUS_INVALID_ARGUMENT = 1,    /* the caller passed something wrong */
  QCC_STATUS_NOT_FOUND = 2,           /* a file or name does not exist */
  QCC_STATUS_FAILED_PRECONDITION = 3, /* a stale/freed handle, wrong state */
  QCC_STATUS_INCOMPATIBLE = 4,        /* not a qcc library, ABI mismatch */
  QCC_STATUS_INTERNAL = 5,            /* the model's code reported failure */
  QCC_STATUS_UNAVAILABLE = 6,         /* a device this build cannot use */
  QCC_STATUS_RESOURCE_EXHAUSTED = 7,  /* out of memory, too many threads */
} qcc_status_code_t;

typedef struct qcc_status_t *qcc_status;
#define QCC_OK ((qcc_status)0)

/* The code of `status`; QCC_STATUS_OK for NULL. */
QCC_API qcc_status_code_t qcc_status_code(qcc_status status);
/* The message, valid until qcc_status_free; "OK" for NULL. */
QCC_API const char *qcc_status_message(qcc_status status);
/* "OK", "INVALID_ARGUMENT", ... */
QCC_API const char *qcc_status_code_name(qcc_status_code_t code);
QCC_API void qcc_status_free(qcc_status status);

/*===----------------------------------------------------------------------===*
 * Element types (declared in model_abi.h)
 *===----------------------------------------------------------------------===*/

/* "f32", "i4", "bf16", "f8e4m3fn" ...; "invalid" for an unknown value. */
QCC_API const char *qcc_element_type_name(uint32_t element_type);
/* Nonzero if `element_type` is one of qcc_element_type's values. */
QCC_API int qcc_element_type_is_valid(uint32_t element_type);
/* Bits per element: 4, 8, 16, 32 or 64; 0 for an unknown type. */
QCC_API uint32_t qcc_element_type_bit_width(uint32_t element_type);
/* Bytes holding `element_count` elements, sub-byte types packed (two i4
 * per byte, rounded up); -1 for an unknown type, a negative count or
 * overflow. */
QCC_API int64_t qcc_element_type_byte_size(uint32_t element_type,
                                           int64_t element_count);

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/

typedef struct qcc_model_t qcc_model;

/* The signature of one input or output. Pointers are owned by the model. */
typedef struct qcc_tensor_info {
  const char *name;
  uint32_t element_type; /* a qcc_element_type */
  uint32_t rank;
  const int64_t *shape;
  int64_t element_count;
  int64_t byte_size;
} qcc_tensor_info;

/* dlopens `path` (RTLD_NOW | RTLD_LOCAL), finds the descriptor and checks
 * its ABI version and contents. NOT_FOUND: no such file; INCOMPATIBLE: not
 * loadable, not a qcc library, other ABI version or a malformed
 * descriptor. */
QCC_API qcc_status qcc_model_load(const char *path, qcc_model **out_model);
/* Releases the caller's reference; sessions keep the model alive. */
QCC_API void qcc_model_free(qcc_model *model);

/* Accessors return NULL / 0 for an invalid model. */
QCC_API const char *qcc_model_name(const qcc_model *model);
QCC_API const char *qcc_model_device(const qcc_model *model);
QCC_API const char *qcc_model_target(const qcc_model *model);
QCC_API const char *qcc_model_path(const qcc_model *model);
QCC_API uint32_t qcc_model_input_count(const qcc_model *model);
QCC_API uint32_t qcc_model_output_count(const qcc_model *model);
QCC_API qcc_status qcc_model_input_info(const qcc_model *model, uint32_t index,
                                        qcc_tensor_info *out_info);
QCC_API qcc_status qcc_model_output_info(const qcc_model *model, uint32_t index,
                                         qcc_tensor_info *out_info);
/* Index of the input/output called `name`; NOT_FOUND lists the names. */
QCC_API qcc_status qcc_model_find_input(const qcc_model *model,
                                        const char *name, uint32_t *out_index);
QCC_API qcc_status qcc_model_find_output(const qcc_model *model,
                                         const char *name, uint32_t *out_index);

/*===----------------------------------------------------------------------===*
 * Tensors
 *===----------------------------------------------------------------------===*/

typedef struct qcc_tensor_t qcc_tensor;

/* A view of caller memory, which must outlive the tensor. `byte_size` must
 * cover the shape (qcc_element_type_byte_size); `data` must be aligned to
 * the element size (up to 8 bytes) and may be NULL only for zero bytes.
 * `shape` is copied. */
QCC_API qcc_status qcc_tensor_wrap(uint32_t element_type, uint32_t rank,
                                   const int64_t *shape, void *data,
                                   size_t byte_size, qcc_tensor **out_tensor);
/* A tensor owning zero-filled, 64-byte aligned memory. */
QCC_API qcc_status qcc_tensor_allocate(uint32_t element_type, uint32_t rank,
                                       const int64_t *shape,
                                       qcc_tensor **out_tensor);
QCC_API void qcc_tensor_free(qcc_tensor *tensor);

/* Accessors return 0 / NULL for an invalid tensor. */
QCC_API uint32_t qcc_tensor_element_type(const qcc_tensor *tensor);
QCC_API uint32_t qcc_tensor_rank(const qcc_tensor *tensor);
QCC_API const int64_t *qcc_tensor_shape(const qcc_tensor *tensor);
QCC_API int64_t qcc_tensor_element_count(const qcc_tensor *tensor);
/* Bytes of data the shape needs (not the wrapped buffer's capacity). */
QCC_API size_t qcc_tensor_byte_size(const qcc_tensor *tensor);
QCC_API void *qcc_tensor_data(const qcc_tensor *tensor);

/*===----------------------------------------------------------------------===*
 * Sessions
 *===----------------------------------------------------------------------===*/

typedef struct qcc_session_t qcc_session;

typedef struct qcc_session_options {
  /* "cpu" or "cuda"; NULL means the model's device. "cuda" is UNAVAILABLE
   * in this build (the CUDA device will be loaded through libcuda). */
  const char *device;
  /* Threads running the model, the caller's included; 0 = one per
   * hardware thread. */
  int32_t num_threads;
} qcc_session_options;

/* device = NULL, num_threads = 0. */
QCC_API void qcc_session_options_initialize(qcc_session_options *out_options);

/* `options` may be NULL for the defaults. The session retains `model`. */
QCC_API qcc_status qcc_session_create(qcc_model *model,
                                      const qcc_session_options *options,
                                      qcc_session **out_session);
QCC_API void qcc_session_free(qcc_session *session);

QCC_API qcc_model *qcc_session_model(const qcc_session *session);
QCC_API const char *qcc_session_device(const qcc_session *session);
QCC_API int32_t qcc_session_num_threads(const qcc_session *session);

/* Runs the model on caller tensors: `inputs` and `outputs` in the model's
 * order, with its element types and shapes. Output buffers may not overlap
 * each other or any input. */
QCC_API qcc_status qcc_session_run(qcc_session *session,
                                   qcc_tensor *const *inputs, size_t num_inputs,
                                   qcc_tensor *const *outputs,
                                   size_t num_outputs);
/* Like qcc_session_run but allocates the outputs: on success
 * out_outputs[0 .. num_outputs) hold new tensors the caller frees; on
 * failure they are NULL. */
QCC_API qcc_status qcc_session_run_alloc(qcc_session *session,
                                         qcc_tensor *const *inputs,
                                         size_t num_inputs,
                                         qcc_tensor **out_outputs,
                                         size_t num_outputs);

/* qcc_runtime_parallel_for (model_abi.h) is exported here too: inside a
 * qcc_session_run it runs on that session's threads; elsewhere, or when
 * nested, it runs body(context, 0, count) inline. */

/* The runtime's version string, e.g. "0.1.0 (abi 1)". */
QCC_API const char *qcc_runtime_version(void);

#ifdef __cplusplus
}
#endif

#endif /* QCC_RUNTIME_H */
