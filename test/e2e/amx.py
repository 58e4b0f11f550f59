# End to end on AMX, code compiled for sapphirerapids (passes/AmxTiles.cpp):
# - bf16-gemm (MatMulNBits accuracy_level 3, 16+ rows) on tdpbf16ps tiles,
#   against the same bf16 references as the AVX-512 BF16 form: activation
#   groups of 16 rows with and without a partial last group, odd and even
#   numbers of groups and of 16-row weight tiles, 2-, 4- and 8-bit codes,
#   more activation rows than weight rows (all weights decoded first);
# - int8-gemm on tdpbsud tiles (MatMulNBits accuracy_level 4, 64+ rows):
#   1-8-bit codes, 1-4 K steps a block, 1-2 tiles and row groups a step,
#   the largest products, NF4 codes through the decode table, against the
#   same references as the vpdpbusd form;
# - int8-exact on tdpbusd tiles (MatMulInteger, bit-exact; K >= 1024): K of
#   whole 64-byte steps and padded to them, 1-4 groups of rows, 1 or 2
#   column tiles, N padded to a tile, every zero-point form;
# - the quantized suite's integer, QDQ-activation and convolution cases
#   compiled for that CPU (their K is short: the VNNI tiles, AVX-512 code),
#   and its f32-gemm cases (FP8 and int8 QDQ weights, 16+ rows): f32
#   activations split into three bf16 terms on tdpbf16ps, against float64;
#   here, the same split held bit-exact where f32 sums are exact.
# On a machine without AMX: QCC_E2E_PREPARE=1 compiles the cases and
# Inputs/run_prepared.py runs them where AMX is (docs/cpu-target.md).
# REQUIRES: amx
# RUN: rm -rf %t && %python %s %t/amx %qcc_tools_dir | FileCheck %s
# RUN: %python %S/Inputs/cpu_tools.py %t/tools %qcc_tools_dir sapphirerapids
# RUN: env QCC_E2E_FILTER=int8_exact,qdq_int4_blocked_int8_gemm,qdq_activations,qdq_static_conv,convinteger,qlinearconv,_weights_m20,_weights_m33,matmul_m32,matmul_m48,matmul_m64 %python %S/quantized.py %t/q %t/tools | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: e2e: [[N:[0-9]+]] passed, 0 failed
import os
import sys

import numpy as np

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "Import", "ONNX", "Inputs"))
sys.path.insert(0, os.path.join(here, "Inputs"))
from e2e_runner import Runner  # noqa: E402
from nbits_case import make_nbits_case  # noqa: E402
from integer_case import make_integer_matmul_case  # noqa: E402
from bnb4_case import make_bnb4_case  # noqa: E402
from onnx_builder import (INT8, UINT8, FLOAT, FLOAT8E4M3FN, model, raw_tensor,  # noqa: E402
                          tensor, value_info)
from onnx import helper  # noqa: E402

runner = Runner(sys.argv[1], sys.argv[2])
rng = np.random.default_rng(11)
nbits_case = make_nbits_case(runner.run, rng)
integer_matmul_case = make_integer_matmul_case(runner.run, rng)
bnb4_case = make_bnb4_case(runner.run, rng)
amx = ("--cpu=sapphirerapids",)

# bits, block, K, N, zero points, activation shape
for bits, block, k, n, zp, batch in [
        (4, 128, 256, 32, True, (2, 16)),   # 2 groups x 2 weight tiles
        (4, 32, 512, 48, False, (17,)),     # a partial group of 1; 3 tiles
        (8, 64, 256, 16, True, (3, 16)),    # 3 groups; 1 tile; M > N
        (2, 64, 256, 64, False, (40,)),     # 3 groups, the last of 8 rows
        (4, 128, 1024, 64, True, (64,)),    # 32 K steps, 4 groups
        (4, 32, 128, 16, True, (5, 20)),    # M > N: 100 rows, 7 groups
        (4, 128, 4096, 128, True, (64,)),   # K in 2 slices, a block of 4 tile pairs
        (4, 32, 2304, 128, False, (64,)),   # a slice of 2048 and a last one of 256
        (2, 32, 256, 48, True, (20,)),      # blocks of 8 bytes: 2 a decoded chunk
        (4, 16, 512, 32, False, (2, 16)),
        (1, 32, 256, 32, True, (33,))]:     # blocks of 4 bytes
    nbits_case(bits, block, k, n, zp, batch, accuracy_level=3, flags=amx)
# From 128 rows, blocks shorter than 64 elements take bf16-gemm at
# accuracy_level 4 too (lowbit-select-kernels: int8-gemm would rescale its
# sums every block), from 64 rows blocks of 16 (no int8 AMX tiles for them):
# held to the bf16 computation.
nbits_case(4, 32, 256, 32, True, (128,), accuracy_level=4, flags=amx, bf16=True)
nbits_case(2, 32, 512, 48, False, (2, 64), accuracy_level=4, flags=amx, bf16=True)
nbits_case(4, 16, 256, 32, True, (64,), accuracy_level=4, flags=amx, bf16=True)  # from 64 rows
nbits_case(4, 64, 256, 32, False, (384,), accuracy_level=4, flags=amx, bf16=True)  # blocks of 64: from 384 rows

# int8-gemm on tdpbsud tiles (MatMulNBits accuracy_level 4, 64 rows and
# more in multiples of 16, blocks of whole 64-byte steps or of 32 bytes,
# one tdpbsud on half-width tiles): every field
# width, 1-4 steps a block, one or two tiles and groups of 16 rows a step
# (odd counts of either), zero points or not, the largest products; held to
# the same float64 value of the integer computation as the vpdpbusd form.
for bits, block, k, n, zp, batch, extremes in [
        (4, 128, 512, 64, True, (64,), False),      # 2 steps a block, 2 x 2
        (4, 64, 256, 48, False, (2, 48), False),    # 3 pairs of groups; 3 tiles
        (2, 256, 512, 32, True, (80,), False),      # 4 steps a block, 5 groups
        (1, 64, 256, 32, False, (64,), False),
        (8, 64, 256, 16, True, (4, 16), False),     # 1 tile; M > N
        (3, 128, 256, 32, True, (64,), False),      # 3-bit codes in 4-bit fields
        (4, 64, 128, 32, True, (64,), True),        # every activation byte +-127
        (4, 32, 256, 32, True, (64,), False),       # blocks of 32: half-width tiles
        (2, 32, 512, 48, False, (96,), False),      # 3 tiles, 3 groups
        (4, 32, 128, 32, True, (64,), True)]:
    nbits_case(bits, block, k, n, zp, batch, accuracy_level=4, flags=amx, kernel="int8-gemm",
               extremes=extremes)
# NF4 codes decoded by vpshufb before they are written as tiles (VNNI's grid
# of 255 steps).
bnb4_case("matmulbnb4_nf4_int8_gemm_amx", 256, 32, 64, 64, 1, int8=True, int8_cpu="sapphirerapids")
# From 384 rows, where int8 is allowed, the cost model takes bf16-gemm for
# codebook weights (lowbit-select-kernels): held to the bf16 computation.
bnb4_case("matmulbnb4_nf4_bf16_gemm_384_rows", 256, 32, 384, 64, 1, int8=False, bf16=True,
          flags=amx)

# rows x K, N: groups of 16 rows (2 a step where they pair), 64-byte K
# steps (AMX from K = 1024; shorter K takes the VNNI tiles).
integer_matmul_case("amx_int8_exact_k1024", (32, 1024), 32, UINT8, INT8, "tensor", "none",
                    flags=amx)
integer_matmul_case("amx_int8_exact_k1100_padded", (16, 1100), 16, UINT8, INT8, "none", "col",
                    flags=amx)
integer_matmul_case("amx_int8_exact_k1040_3_groups", (48, 1040), 40, INT8, UINT8, "row", "col",
                    flags=amx)
integer_matmul_case("amx_int8_exact_batched_k1536", (2, 16, 1536), 24, INT8, INT8, "row", "tensor",
                    flags=amx)
integer_matmul_case("amx_int8_exact_k2048_u8_u8", (64, 2048), 64, UINT8, UINT8, "tensor", "col",
                    flags=amx)


# f32-gemm on tdpbf16ps with the activations split into three bf16 terms,
# exact: four activations a row of 22 significant bits (on a 2^-22 grid,
# |a| < 1/2: two bf16 terms hold 17 or 18 of them), the others zero; FP8
# weights +-1 and a power-of-two scale per column, so every product and
# partial sum is exact in f32. A term lost or rounded shows as a
# difference (held to 0).
def split_exact_case(name, m, k, n):
    a = np.zeros((m, k), np.float32)
    for row in range(m):
        at = rng.choice(k, size=4, replace=False)
        a[row, at] = rng.integers(-(2 ** 21), 2 ** 21, size=4) * 2.0 ** -22
    signs = rng.integers(0, 2, size=(k, n))
    codes = np.where(signs == 1, 0xB8, 0x38).astype(np.uint8)  # E4M3FN -1 / +1
    scales = (2.0 ** -rng.integers(0, 4, size=n)).astype(np.float32)
    w = np.where(signs == 1, -1.0, 1.0) * scales[None, :]
    dq = helper.make_node("DequantizeLinear", ["Wq", "Sq"], ["W"], axis=1)
    mm = helper.make_node("MatMul", ["A", "W"], ["Y"])
    mdl = model([dq, mm], [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                [raw_tensor("Wq", FLOAT8E4M3FN, [k, n], codes.reshape(-1).tolist()),
                 tensor("Sq", scales)], opset=21)
    expected = a.astype(np.float64) @ w
    assert np.array_equal(expected.astype(np.float32).astype(np.float64), expected)
    runner.run(name, mdl, {"A": a}, {"Y": expected.astype(np.float32)}, rtol=0, atol=0, flags=amx)


split_exact_case("f32_gemm_split_exact_m20", 20, 64, 32)   # a partial second group
split_exact_case("f32_gemm_split_exact_m32", 32, 64, 48)   # 2 groups; 3 weight tiles
# From 64 rows with K past 2048: K in slices of 2048, a block of 4 tile
# pairs decoded a slice at a time, the sums kept between slices.
split_exact_case("f32_gemm_split_exact_k_slices", 64, 4096, 128)
split_exact_case("f32_gemm_split_exact_k_tail", 64, 2816, 128)  # 2048, then a last slice of 768
runner.summary()
