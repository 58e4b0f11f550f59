/* A hand-written model library: sum = a + b over f32 [2,3]. Returns 7
 * (a failure inside "generated code") when a[0] is -12345, so tests can
 * reach the runtime's INTERNAL path. */
#include "qcc/model_abi.h"

static const int64_t kShape[2] = {2, 3};
static const qcc_tensor_descriptor kInputs[2] = {
    {"a", QCC_ELEMENT_F32, 2, kShape},
    {"b", QCC_ELEMENT_F32, 2, kShape},
};
static const qcc_tensor_descriptor kOutputs[1] = {
    {"sum", QCC_ELEMENT_F32, 2, kShape},
};

static int32_t run(void *const *buffers) {
  const float *a = (const float *)buffers[0];
  const float *b = (const float *)buffers[1];
  float *sum = (float *)buffers[2];
  if (a[0] == -12345.0f)
    return 7;
  for (int i = 0; i < 6; ++i)
    sum[i] = a[i] + b[i];
  return 0;
}

__attribute__((visibility("default")))
const qcc_model_descriptor qcc_model_descriptor_v1 = {
    QCC_MODEL_ABI_VERSION, 2,     1,       0,        "add",
    "x86_64 generic",      "cpu", kInputs, kOutputs, run};
