/* A hand-written model library over sub-byte data: from `codes` (u8 [5])
 * and `nibbles` (i4 [5], packed low nibble first) it computes
 * `widened` (i32 [5]) = codes + nibbles and `negated` (i4 [5]) = -nibbles
 * (wrapping, so -(-8) = -8). */
#include "qcc/model_abi.h"

static const int64_t kShape[1] = {5};
static const qcc_tensor_descriptor kInputs[2] = {
    {"codes", QCC_ELEMENT_U8, 1, kShape},
    {"nibbles", QCC_ELEMENT_I4, 1, kShape},
};
static const qcc_tensor_descriptor kOutputs[2] = {
    {"widened", QCC_ELEMENT_I32, 1, kShape},
    {"negated", QCC_ELEMENT_I4, 1, kShape},
};

static int nibble(const uint8_t *packed, int i) {
  int v = (packed[i / 2] >> (i % 2 ? 4 : 0)) & 0xf;
  return v >= 8 ? v - 16 : v;
}

static int32_t run(void *const *buffers) {
  const uint8_t *codes = (const uint8_t *)buffers[0];
  const uint8_t *nibbles = (const uint8_t *)buffers[1];
  int32_t *widened = (int32_t *)buffers[2];
  uint8_t *negated = (uint8_t *)buffers[3];
  for (int i = 0; i < 3; ++i)
    negated[i] = 0;
  for (int i = 0; i < 5; ++i) {
    widened[i] = codes[i] + nibble(nibbles, i);
    negated[i / 2] |=
        (uint8_t)(((-nibble(nibbles, i)) & 0xf) << (i % 2 ? 4 : 0));
  }
  return 0;
}

__attribute__((visibility("default")))
const qcc_model_descriptor qcc_model_descriptor_v1 = {
    QCC_MODEL_ABI_VERSION, 2,     2,       0,        "lowbit",
    "x86_64 generic",      "cpu", kInputs, kOutputs, run};
