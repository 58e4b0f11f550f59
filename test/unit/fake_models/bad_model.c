/* Malformed model libraries, one per compile definition, for the loader's
 * checks. Without a definition it is a valid one-input model. */
#include "qcc/model_abi.h"

#include <stddef.h>

#ifdef NEGATIVE_DIM
static const int64_t kShape[2] = {2, -3};
#else
static const int64_t kShape[2] = {2, 3};
#endif

#ifdef NULL_NAME
#define INPUT_NAME NULL
#else
#define INPUT_NAME "in"
#endif
#ifdef DUPLICATE_NAME
#define OUTPUT_NAME "in"
#else
#define OUTPUT_NAME "out"
#endif
#ifdef BAD_ELEMENT_TYPE
#define INPUT_TYPE 0x999u
#else
#define INPUT_TYPE QCC_ELEMENT_F32
#endif
#ifdef WRONG_ABI
#define ABI_VERSION 99u
#else
#define ABI_VERSION QCC_MODEL_ABI_VERSION
#endif
#ifdef CUDA_DEVICE
#define DEVICE "cuda"
#else
#define DEVICE "cpu"
#endif

#ifdef AMX_TARGET
/* Compiled for AMX (and a feature the runtime does not know, unchecked). */
#define TARGET "x86_64-unknown-linux-gnu cpu=test +avx2,+not-a-feature,+amx-tile"
#else
#define TARGET "none"
#endif

static const qcc_tensor_descriptor kInputs[1] = {
    {INPUT_NAME, INPUT_TYPE, 2, kShape},
};
static const qcc_tensor_descriptor kOutputs[1] = {
    {OUTPUT_NAME, QCC_ELEMENT_F32, 2, kShape},
};

__attribute__((unused)) static int32_t run(void *const *buffers) { return 0; }

__attribute__((visibility("default")))
const qcc_model_descriptor qcc_model_descriptor_v1 = {
    ABI_VERSION, 1, 1, 0, "bad", TARGET, DEVICE, kInputs, kOutputs,
#ifdef NULL_ENTRY
    NULL
#else
    run
#endif
};
