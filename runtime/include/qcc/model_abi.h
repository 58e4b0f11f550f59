/*===- model_abi.h - what a qcc-compiled library exports ----------*- C -*-===*
 *
 * The contract between a library made by `qcc -o libmodel.so` and the
 * runtime that loads it. The runtime owns this header; the compiler
 * includes it to emit matching data. Plain C, no dependencies.
 *
 * A compiled library exports one symbol, QCC_MODEL_DESCRIPTOR_SYMBOL, a
 * `const qcc_model_descriptor`. Its `entry` function runs the model on
 * caller-provided buffers: `buffers` holds the inputs in order, then the
 * outputs, each a pointer to dense row-major data of the declared element
 * type and shape (sub-byte types packed low bits first). The library may
 * call `qcc_runtime_parallel_for` (resolved from the runtime at load time)
 * to spread loops over the calling session's threads.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QCC_MODEL_ABI_H
#define QCC_MODEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of the structures below. */
#define QCC_MODEL_ABI_VERSION 1u
#define QCC_MODEL_DESCRIPTOR_SYMBOL "qcc_model_descriptor_v1"

/* Element types as (kind << 8) | bits, so int4 and fp4 are first-class. */
#define QCC_ELEMENT_TYPE(kind, bits) ((uint32_t)(((kind) << 8) | (bits)))
enum qcc_element_kind {
  QCC_KIND_SINT = 1,     /* two's complement */
  QCC_KIND_UINT = 2,
  QCC_KIND_FLOAT = 3,    /* IEEE binary16/32/64 */
  QCC_KIND_BFLOAT = 4,   /* bfloat16 */
  QCC_KIND_BOOL = 5,     /* one byte, 0 or 1 */
  QCC_KIND_F8E4M3FN = 6,
  QCC_KIND_F8E5M2 = 7,
  QCC_KIND_F8E4M3FNUZ = 8,
  QCC_KIND_F8E5M2FNUZ = 9,
  QCC_KIND_F4E2M1FN = 10,
};
typedef enum qcc_element_type {
  QCC_ELEMENT_INVALID = 0,
  QCC_ELEMENT_I4 = QCC_ELEMENT_TYPE(QCC_KIND_SINT, 4),
  QCC_ELEMENT_I8 = QCC_ELEMENT_TYPE(QCC_KIND_SINT, 8),
  QCC_ELEMENT_I16 = QCC_ELEMENT_TYPE(QCC_KIND_SINT, 16),
  QCC_ELEMENT_I32 = QCC_ELEMENT_TYPE(QCC_KIND_SINT, 32),
  QCC_ELEMENT_I64 = QCC_ELEMENT_TYPE(QCC_KIND_SINT, 64),
  QCC_ELEMENT_U4 = QCC_ELEMENT_TYPE(QCC_KIND_UINT, 4),
  QCC_ELEMENT_U8 = QCC_ELEMENT_TYPE(QCC_KIND_UINT, 8),
  QCC_ELEMENT_U16 = QCC_ELEMENT_TYPE(QCC_KIND_UINT, 16),
  QCC_ELEMENT_U32 = QCC_ELEMENT_TYPE(QCC_KIND_UINT, 32),
  QCC_ELEMENT_U64 = QCC_ELEMENT_TYPE(QCC_KIND_UINT, 64),
  QCC_ELEMENT_F16 = QCC_ELEMENT_TYPE(QCC_KIND_FLOAT, 16),
  QCC_ELEMENT_F32 = QCC_ELEMENT_TYPE(QCC_KIND_FLOAT, 32),
  QCC_ELEMENT_F64 = QCC_ELEMENT_TYPE(QCC_KIND_FLOAT, 64),
  QCC_ELEMENT_BF16 = QCC_ELEMENT_TYPE(QCC_KIND_BFLOAT, 16),
  QCC_ELEMENT_BOOL = QCC_ELEMENT_TYPE(QCC_KIND_BOOL, 8),
  QCC_ELEMENT_F8E4M3FN = QCC_ELEMENT_TYPE(QCC_KIND_F8E4M3FN, 8),
  QCC_ELEMENT_F8E5M2 = QCC_ELEMENT_TYPE(QCC_KIND_F8E5M2, 8),
  QCC_ELEMENT_F8E4M3FNUZ = QCC_ELEMENT_TYPE(QCC_KIND_F8E4M3FNUZ, 8),
  QCC_ELEMENT_F8E5M2FNUZ = QCC_ELEMENT_TYPE(QCC_KIND_F8E5M2FNUZ, 8),
  QCC_ELEMENT_F4E2M1FN = QCC_ELEMENT_TYPE(QCC_KIND_F4E2M1FN, 4),
} qcc_element_type;

typedef struct qcc_tensor_descriptor {
  const char *name;
  uint32_t element_type; /* a qcc_element_type */
  uint32_t rank;
  const int64_t *shape; /* `rank` static dimensions */
} qcc_tensor_descriptor;

/* Runs the model. Returns 0 on success; nonzero only for failures inside
 * the generated code (allocation failure), never for bad arguments: the
 * runtime validates buffers before calling. */
typedef int32_t (*qcc_model_entry_fn)(void *const *buffers);

typedef struct qcc_model_descriptor {
  uint32_t abi_version; /* QCC_MODEL_ABI_VERSION */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t reserved;
  const char *model_name;
  const char *target;   /* e.g. "x86_64 cpu=znver4 +avx512f,..." */
  const char *device;   /* "cpu" today; "cuda" for PTX libraries later */
  const qcc_tensor_descriptor *inputs;
  const qcc_tensor_descriptor *outputs;
  qcc_model_entry_fn entry;
} qcc_model_descriptor;

/* Provided by the runtime to generated code: calls body(context, begin,
 * end) over disjoint ranges covering [0, count), on the threads of the
 * session that is running the model, and returns when all are done. */
typedef void (*qcc_parallel_body_fn)(void *context, int64_t begin, int64_t end);
void qcc_runtime_parallel_for(int64_t count, qcc_parallel_body_fn body,
                              void *context);

/* Provided by the runtime to generated code, which calls them instead of
 * malloc, calloc and free for its temporaries (qcc renames the calls): the
 * same contract, but freed blocks of 16 KiB and more are kept for the next
 * request of about their size, so that a model's runs reuse the memory
 * instead of faulting fresh pages in (or malloc trimming and growing its
 * heap) every time. */
void *qcc_runtime_alloc(size_t size);
void *qcc_runtime_calloc(size_t count, size_t size);
void qcc_runtime_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif /* QCC_MODEL_ABI_H */
