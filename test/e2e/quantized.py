# End to end: quantized ONNX models compiled to shared libraries, run by the
# runtime, compared with references this test computes with numpy: integer
# paths bit-exact, float paths within stated tolerances of float64.
# RUN: rm -rf %t && %python %s %t %qcc_tools_dir | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: e2e: [[N:[0-9]+]] passed, 0 failed
import os
import sys
import zlib

import numpy as np

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "Import", "ONNX", "Inputs"))
sys.path.insert(0, os.path.join(here, "Inputs"))
from onnx_builder import *  # noqa: E402
from onnx import helper  # noqa: E402
from e2e_runner import Runner  # noqa: E402
from nbits_case import make_nbits_case  # noqa: E402
from integer_case import make_integer_matmul_case  # noqa: E402
from bnb4_case import make_bnb4_case  # noqa: E402

runner = Runner(sys.argv[1], sys.argv[2])
run = runner.run
rng = np.random.default_rng(7)


nbits_case = make_nbits_case(run, rng)


for bits, block, zp in [(4, 32, True), (4, 128, False), (2, 32, True), (3, 32, True), (8, 64, True)]:
    nbits_case(bits, block, 256, 48, zp, (2,))
# 3-bit codes at accuracy_level 0 (widened to 4 bits by the importer): the
# f32 FMA kernels at 1 and 16 rows.
nbits_case(3, 128, 256, 32, False, (1,))
nbits_case(3, 64, 256, 32, True, (16,))
nbits_case(4, 32, 128, 16, True, (2, 3))
# The int8-dot kernel on the host's byte-dot instruction, on AVX2's pmaddubsw
# (haswell) and in portable vector code (x86-64: SSE2 only).
for bits, block, zp in [(4, 128, True), (4, 32, False), (2, 128, True), (2, 32, True), (8, 64, True)]:
    nbits_case(bits, block, 256, 40, zp, (3,), accuracy_level=4, kernel="int8-dot")
    nbits_case(bits, block, 256, 24, zp, (2, 4), accuracy_level=4, kernel="int8-dot")
# The int8-gemm kernel (16-row weight tiles, AVX-512 byte dots): every tile
# shape (1 x 4, 2 x 2, 4 x 2, 8 x 2 rows x 16-row tiles) and code width.
if "avx512_vnni" in open("/proc/cpuinfo").read() or "avx512bw" in open("/proc/cpuinfo").read():
    for bits, block, zp in [(4, 128, True), (4, 32, False), (2, 32, True), (8, 64, True), (1, 32, False),
                            (3, 64, True)]:
        nbits_case(bits, block, 256, 64, zp, (1,), accuracy_level=4, kernel="int8-gemm")
        nbits_case(bits, block, 256, 32, zp, (8,), accuracy_level=4, kernel="int8-gemm")
    nbits_case(4, 64, 256, 48, True, (2, 3), accuracy_level=4, kernel="int8-gemm")
    nbits_case(2, 128, 512, 32, False, (4,), accuracy_level=4, kernel="int8-gemm")
# The lut kernel (T-MAC tables, vpermb where the CPU has AVX-512 VBMI, else
# lane-at-a-time lookups): W1/W2/W4 bit-planes, 1, 3 and 4 activation rows.
for bits, block, zp in [(2, 32, True), (2, 128, False), (1, 32, True), (1, 64, False), (4, 32, True)]:
    nbits_case(bits, block, 256, 48, zp, (1,), accuracy_level=4, kernel="lut")
    nbits_case(bits, block, 256, 32, zp, (3,), accuracy_level=4, kernel="lut")
    nbits_case(bits, block, 512, 64, zp, (2, 2), accuracy_level=4, kernel="lut")
def ternary_case(k, n, batch, explicit_zp, flags=()):
    """Ternary weights (BitNet b1.58-style) as MatMulNBits 2-bit codes whose
    zero point is the middle code, one scale a row (the blocks' scales all
    equal): the lut kernel's base-3 path. Activations quantized per
    96-element block (K padded with zeros) to [-42, 42]; the expected output
    is that computation's float64 value within the f32 rounding bound, and
    the f32 model's float64 value within 8e-2 of its largest magnitude."""
    block = 32
    blocks = k // block
    t = rng.integers(-1, 2, size=(n, k))
    zero = 1 if explicit_zp else 2
    q = (t + zero).astype(np.uint8)
    row_scale = (rng.random(n) * 0.1 + 0.01).astype(np.float32)
    scales = np.repeat(row_scale[:, None], blocks, axis=1)
    bitsarr = ((q[..., None] >> np.arange(2)) & 1).reshape(n, -1)
    packed = np.packbits(bitsarr.reshape(n, -1, 8), axis=-1, bitorder="little").reshape(n, blocks, block // 4)
    inits = [tensor("B", packed), tensor("scales", scales.reshape(-1))]
    inputs = ["A", "B", "scales"]
    if explicit_zp:
        zp = np.full((n, blocks), zero, np.uint8)
        zb = ((zp[..., None] >> np.arange(2)) & 1).reshape(n, -1)
        zb = np.concatenate([zb, np.zeros((n, (-zb.shape[1]) % 8), np.uint8)], axis=1)
        inits.append(tensor("zp", np.packbits(zb.reshape(n, -1, 8), axis=-1, bitorder="little").reshape(-1)))
        inputs.append("zp")
    m = single("MatMulNBits", [("A", FLOAT, list(batch) + [k])], [("Y", FLOAT, list(batch) + [n])],
               {"K": k, "N": n, "bits": 2, "block_size": block, "accuracy_level": 4},
               initializers=inits, domain="com.microsoft", extra_opsets=[("com.microsoft", 1)],
               node_inputs=inputs)
    a = rng.standard_normal(list(batch) + [k]).astype(np.float32)
    ref = a.astype(np.float64) @ (t * row_scale[:, None].astype(np.float64)).T
    kp = -(-k // 96) * 96
    rows = np.zeros((a.size // k, kp), np.float32)
    rows[:, :k] = a.reshape(-1, k)
    rows = rows.reshape(-1, kp // 96, 96)
    amax = np.abs(rows).max(axis=2)
    inv = np.where(amax > 0, np.float32(42) / np.maximum(amax, np.float32(1e-30)), np.float32(0)).astype(np.float32)
    xq = np.rint(rows * inv[..., None]).astype(np.float64)
    a_scale = (amax / np.float32(42)).astype(np.float64)
    tp = np.zeros((n, kp))
    tp[:, :k] = t
    dots = np.einsum("mbj,nbj->mnb", xq, tp.reshape(n, kp // 96, 96))
    terms = a_scale[:, None, :] * dots
    exact = row_scale.astype(np.float64)[None] * terms.sum(axis=2)
    bound = 8 * 2.0 ** -24 * (np.abs(terms).sum(axis=2) * row_scale[None]).max()
    out_shape = list(batch) + [n]
    name = f"ternary_k{k}_b{'x'.join(map(str, batch))}{'_zp' if explicit_zp else ''}" + \
        "".join(f.replace("--cpu=", "_") for f in flags)
    run(name, m, {"A": a}, {"Y": exact.reshape(out_shape).astype(np.float32)}, rtol=0, atol=bound,
        flags=("--kernel=lut-ternary",) + tuple(flags))
    run(name + "_vs_f64", m, {"A": a}, {"Y": ref.reshape(out_shape).astype(np.float32)},
        rtol=0, atol=8e-2 * np.abs(ref).max(), flags=("--kernel=lut-ternary",) + tuple(flags))


def binary_case(k, n, batch, block):
    """Binary weights +-scale/2: MatMulNBits bits=1 (qcc's extension) with
    float zero points 0.5, through the lut kernel: the float64 value of its
    own computation (activations to [-31, 31] per block) within f32
    rounding."""
    blocks = k // block
    q = rng.integers(0, 2, size=(n, k)).astype(np.uint8)
    scales = (rng.random((n, blocks)) * 0.1 + 0.01).astype(np.float32)
    bits = np.concatenate([q, np.zeros((n, (-k) % 8), np.uint8)], axis=1)
    packed = np.packbits(bits.reshape(n, -1, 8), axis=-1, bitorder="little").reshape(n, blocks, block // 8)
    zp = np.full((n, blocks), 0.5, np.float32)
    m = single("MatMulNBits", [("A", FLOAT, list(batch) + [k])], [("Y", FLOAT, list(batch) + [n])],
               {"K": k, "N": n, "bits": 1, "block_size": block, "accuracy_level": 4},
               initializers=[tensor("B", packed), tensor("scales", scales.reshape(-1)),
                             tensor("zp", zp.reshape(-1))],
               domain="com.microsoft", extra_opsets=[("com.microsoft", 1)],
               node_inputs=["A", "B", "scales", "zp"])
    a = rng.standard_normal(list(batch) + [k]).astype(np.float32)
    rows = a.reshape(-1, blocks, block)
    amax = np.abs(rows).max(axis=2)
    inv = np.where(amax > 0, np.float32(31) / np.maximum(amax, np.float32(1e-30)), np.float32(0)).astype(np.float32)
    xq = np.rint(rows * inv[..., None]).astype(np.float64)
    a_scale = (amax / np.float32(31)).astype(np.float64)
    uq = np.einsum("mbj,nbj->mnb", xq, q.reshape(n, blocks, block).astype(np.float64))
    half_sum = 0.5 * xq.sum(axis=2)[:, None, :]
    s = a_scale[:, None, :] * scales.astype(np.float64)[None]
    terms = s * (uq - half_sum)
    # f32 rounding of the kernel's terms: s_w * sum(u q) and s_w z * sum(q).
    bound = 8 * 2.0 ** -24 * (s * (np.abs(uq) + np.abs(half_sum))).sum(axis=2).max()
    run(f"binary_k{k}_g{block}_b{'x'.join(map(str, batch))}_lut", m, {"A": a},
        {"Y": terms.sum(axis=2).reshape(list(batch) + [n]).astype(np.float32)}, rtol=0, atol=bound,
        flags=("--kernel=lut",))


binary_case(256, 32, (1,), 64)
binary_case(256, 48, (2,), 32)
ternary_case(256, 32, (1,), True)
ternary_case(288, 48, (3,), False)
ternary_case(512, 64, (2, 2), True)
# N = 2048: 16 groups of 8 row tiles, the vpermb form's widest pass (one
# activation row a pass: M = 1 and odd M).
ternary_case(192, 2048, (1,), False)
ternary_case(192, 2048, (3,), True)
ternary_case(256, 16, (2,), True, flags=("--cpu=x86-64",))
# AVX2 without VBMI: the vpshufb pairs form (passes/LutTernaryPairs.cpp),
# odd and even M, one and two 16-row tiles an iteration, K padded or not.
ternary_case(288, 48, (3,), False, flags=("--cpu=haswell",))
ternary_case(512, 64, (2, 2), True, flags=("--cpu=haswell",))
ternary_case(960, 64, (1,), False, flags=("--cpu=haswell",))


def nan_case(kernel, bits=2, k=256, n=32, block=32):
    """A NaN among the activations makes its row's outputs NaN in the
    kernels that quantize activations per block (the block's max |x| as a
    bit pattern is NaN's; a maxnum reduction skipped it and the row came out
    finite and wrong). The other row stays finite."""
    blocks = k // block
    q = rng.integers(0, 1 << bits, size=(n, k)).astype(np.uint8)
    packed = np.zeros((n, blocks, block * bits // 8), np.uint8)
    for i in range(8 // bits):
        packed |= (q.reshape(n, blocks, -1, 8 // bits)[..., i] << (bits * i)).astype(np.uint8)
    scales = (rng.random((n, blocks)) * 0.1 + 0.01).astype(np.float32)
    m = single("MatMulNBits", [("A", FLOAT, [2, k])], [("Y", FLOAT, [2, n])],
               {"K": k, "N": n, "bits": bits, "block_size": block, "accuracy_level": 4},
               initializers=[tensor("B", packed), tensor("scales", scales.reshape(-1))],
               domain="com.microsoft", extra_opsets=[("com.microsoft", 1)],
               node_inputs=["A", "B", "scales"])
    a = rng.standard_normal((2, k)).astype(np.float32)
    a[0, 37] = np.nan
    w = (q.astype(np.float64) - 2 ** (bits - 1)) * np.repeat(scales, block, axis=1)
    expected = (a.astype(np.float64) @ w.T).astype(np.float32)
    expected[0] = np.nan
    run(f"nan_row_w{bits}_{kernel}", m, {"A": a}, {"Y": expected}, rtol=0,
        atol=8e-2 * np.abs(expected[1]).max(), flags=(f"--kernel={kernel}",))


for kernel in ["int8-dot", "lut"] + (["int8-gemm"] if "avx512bw" in open("/proc/cpuinfo").read() else []):
    nan_case(kernel)


# f32-gemm (f32 activations, 16+ rows): weights decoded to f32 once per tile.
nbits_case(4, 128, 256, 24, True, (4, 8))
nbits_case(8, 64, 256, 40, False, (16,))
nbits_case(2, 64, 256, 24, True, (2, 9))
# Rows shorter than whole 16-byte decode chunks (W2 g32 with K = 96: 24
# bytes a row; W1 g32 with K = 32: 4 bytes): not f32-gemm's (it decodes and
# reorders whole chunks), the block-dot kernel's.
nbits_case(2, 32, 96, 16, True, (16,))
nbits_case(1, 32, 32, 16, False, (20,))

# bf16-gemm (accuracy_level 3, 16+ rows; where the CPU has AVX-512 BF16).
if "avx512_bf16" in open("/proc/cpuinfo").read():
    # Blocks shorter than a decoded 16-byte chunk (W2 g32, W4 g16, W1 g32:
    # 2 or 4 blocks a chunk, each lane scaled by its byte's block).
    for bits, block, zp in [(4, 128, True), (8, 64, False), (2, 64, True), (2, 32, True),
                            (4, 16, False), (1, 32, True)]:
        nbits_case(bits, block, 256, 24, zp, (4, 8), accuracy_level=3)
# 3-bit codes kept 3 bits wide in int8-gemm's tiles (vpermb + vpmultishiftqb,
# AVX-512 VBMI with VNNI): every tile shape (1 x 4, 2 x 2, 4 x 2, 8 x 2), 3
# tiles, blocks of 32 to 256, with and without zero points, every code 0 or 7.
cpuinfo = open("/proc/cpuinfo").read()
if "avx512vbmi" in cpuinfo and "avx512_vnni" in cpuinfo:
    nbits_case(3, 32, 256, 64, True, (1,), accuracy_level=4, kernel="int8-gemm")
    nbits_case(3, 128, 512, 48, False, (2, 2), accuracy_level=4, kernel="int8-gemm")
    nbits_case(3, 256, 512, 32, True, (4,), accuracy_level=4, kernel="int8-gemm")
    nbits_case(3, 64, 256, 64, False, (8,), accuracy_level=4, kernel="int8-gemm")
    nbits_case(3, 32, 128, 48, True, (3,), accuracy_level=4, kernel="int8-gemm", extremes=True)
# 8-bit codes on AVX2's pmaddubsw (no VNNI): read as s8, |w| times the
# activations with w's signs; 1, 2x2 and 3 rows, every code 0 or 255.
nbits_case(8, 64, 256, 48, True, (1,), accuracy_level=4, flags=("--cpu=haswell",), kernel="int8-gemm")
nbits_case(8, 128, 256, 32, False, (2, 2), accuracy_level=4, flags=("--cpu=haswell",), kernel="int8-gemm")
nbits_case(8, 32, 128, 16, True, (3,), accuracy_level=4, flags=("--cpu=haswell",), kernel="int8-gemm",
           extremes=True)
# 3-bit codes: int8-gemm widens them into 4-bit fields; 1, 2x2 and 3 rows,
# with and without zero points, every code 0 or 7.
nbits_case(3, 32, 256, 48, True, (1,), accuracy_level=4, flags=("--cpu=haswell",), kernel="int8-gemm")
nbits_case(3, 128, 256, 32, False, (2, 2), accuracy_level=4, flags=("--cpu=haswell",), kernel="int8-gemm")
nbits_case(3, 64, 128, 16, True, (3,), accuracy_level=4, flags=("--cpu=haswell",), kernel="int8-gemm",
           extremes=True)
for cpu in ["haswell", "x86-64"]:
    nbits_case(4, 128, 256, 40, True, (2, 2), accuracy_level=4, flags=("--cpu=" + cpu,))
    nbits_case(2, 64, 256, 40, False, (1,), accuracy_level=4, flags=("--cpu=" + cpu,))
    nbits_case(2, 32, 256, 32, True, (2,), accuracy_level=4, flags=("--cpu=" + cpu,), kernel="lut")
# The AVX2 form of lut (vpshufb pairs) on every machine: blocks of 256 (two
# i16 chunks of 128 per block), an odd number of 16-row tiles, 1 and 2x2
# activation rows.
nbits_case(2, 256, 512, 48, True, (1,), accuracy_level=4, flags=("--cpu=haswell",), kernel="lut")
nbits_case(2, 64, 256, 64, False, (2, 2), accuracy_level=4, flags=("--cpu=haswell",), kernel="lut")
# W1 in that form: 16 rows x 4 groups a vector, the two lanes' sums of a row
# meeting when they widen; blocks of 256 (two i16 chunks), 3 tiles, 1 and 3 rows.
nbits_case(1, 256, 512, 48, True, (1,), accuracy_level=4, flags=("--cpu=haswell",), kernel="lut")
nbits_case(1, 32, 256, 32, False, (3,), accuracy_level=4, flags=("--cpu=haswell",), kernel="lut")
# W3 in that form: per 16 elements two W2 vectors (planes 0-1) and a W1 one
# (plane 2, weighed 4); blocks of 32, 128 and 256 (two i16 chunks), 3 tiles,
# 1, 2x2 and 3 rows, every code 0 or 7 (AVX2's default for 3-bit codes at
# accuracy_level 4: lowbit-select-kernels.mlir).
nbits_case(3, 32, 256, 48, True, (1,), accuracy_level=4, flags=("--cpu=haswell",), kernel="lut")
nbits_case(3, 128, 256, 32, False, (2, 2), accuracy_level=4, flags=("--cpu=haswell",), kernel="lut")
nbits_case(3, 256, 512, 48, True, (3,), accuracy_level=4, flags=("--cpu=haswell",), kernel="lut",
           extremes=True)

# QuantizeLinear: ties to even and saturation, bit-exact.
x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1000.0, -1000.0, 0.24, 3.49, -2.51], np.float32)
for dtype, np_type, zero in [(UINT8, np.uint8, 128), (INT8, np.int8, -3), (INT16, np.int16, 7)]:
    info = np.iinfo(np_type)
    scale = np.float32(0.5)
    ref = np.clip(np.rint(x / scale) + zero, info.min, info.max).astype(np_type)
    m = single("QuantizeLinear", [("x", FLOAT, [10])], [("y", dtype, [10])],
               initializers=[tensor("s", np.array(scale, np.float32)), tensor("z", np.array(zero, np_type))])
    run(f"quantize_{np.dtype(np_type).name}", m, {"x": x}, {"y": ref})

# NaN quantizes to code 0 and infinities saturate, for unsigned codes (the
# clamp drops NaN itself) and signed ones (a NaN select), zero point or not.
x = np.array([np.nan, np.inf, -np.inf, -0.0, 0.2, -0.2, 7.0, -7.0], np.float32)
for dtype, np_type, zero in [(UINT8, np.uint8, 0), (UINT8, np.uint8, 3), (INT8, np.int8, 5)]:
    info = np.iinfo(np_type)
    with np.errstate(invalid="ignore"):
        q = np.clip(np.rint(x / np.float32(0.5)) + zero, info.min, info.max)
    ref = np.where(np.isnan(q), 0, q).astype(np_type)
    m = single("QuantizeLinear", [("x", FLOAT, [8])], [("y", dtype, [8])],
               initializers=[tensor("s", np.array(0.5, np.float32)), tensor("z", np.array(zero, np_type))])
    run(f"quantize_nan_inf_{np.dtype(np_type).name}_zp{zero}", m, {"x": x}, {"y": ref})

# DequantizeLinear of packed int4 blocked weights with uint4... and int4 per axis: exact.
codes = rng.integers(-8, 8, size=(4, 64)).astype(np.int8)
nib = (codes & 0xF).astype(np.uint8).reshape(-1)
raw = (nib[0::2] | (nib[1::2] << 4)).astype(np.uint8)
scales = (2.0 ** rng.integers(-4, 2, size=(4, 2))).astype(np.float32)
m = single("DequantizeLinear", [], [("y", FLOAT, [4, 64])], {"axis": 1, "block_size": 32},
           initializers=[raw_tensor("w", INT4, [4, 64], raw.tolist()), tensor("s", scales)])
run("dequantize_int4_blocked", m, {}, {"y": (codes * np.repeat(scales, 32, axis=1)).astype(np.float32)})

# FP8 and FP4 decode through tables: exact.
fp8 = np.arange(256, dtype=np.uint8)
def e4m3(c):
    s = -1.0 if c & 0x80 else 1.0
    e, m_ = (c >> 3) & 0xF, c & 7
    if e == 15 and m_ == 7:
        return np.nan
    return s * (m_ / 8.0 * 2.0 ** -6 if e == 0 else (1 + m_ / 8.0) * 2.0 ** (e - 7))
m = single("DequantizeLinear", [], [("y", FLOAT, [256])],
           initializers=[raw_tensor("w", FLOAT8E4M3FN, [256], fp8.tolist()), tensor("s", np.array(2.0, np.float32))])
run("dequantize_fp8_e4m3fn", m, {}, {"y": np.array([2.0 * e4m3(int(c)) for c in fp8], np.float32)})

fp4_values = [0, 0.5, 1, 1.5, 2, 3, 4, 6]
raw4 = [(i & 0xF) | (((i + 1) & 0xF) << 4) for i in range(0, 16, 2)]
ref4 = np.array([(-1 if c & 8 else 1) * fp4_values[c & 7] for c in range(16)], np.float32) * 0.5
m = single("DequantizeLinear", [], [("y", FLOAT, [16])],
           initializers=[raw_tensor("w", FLOAT4E2M1, [16], raw4), tensor("s", np.array(0.5, np.float32))], opset=23)
run("dequantize_fp4_e2m1", m, {}, {"y": ref4})

# QDQ weights (DequantizeLinear on an initializer, then MatMul or Gemm):
# lowbit-fuse-dequant makes one lowbit.matmul on the transposed quantized
# constant; against float64 from the same dequantized weights.
def qdq_case(name, k, n, m, weight_type, block=0, gemm_transb=False, kernel=None, flags=(),
             with_zp=True):
    """QDQ weights (DequantizeLinear on an initializer, then MatMul or Gemm)
    against float64. With `kernel` (lut or int8-gemm) that kernel is forced
    (signed int4 codes: their sign bits flipped in the kernel) and held to
    the float64 value of its own computation (activations per block of K to
    [-31, 31] for lut, [-127, 127] for int8-gemm)."""
    if weight_type == INT8:
        q = rng.integers(-128, 128, size=(k, n)).astype(np.int8)
    else:  # INT4, packed two a byte
        q = rng.integers(-8, 8, size=(k, n)).astype(np.int8)
    grid = (k // block, n) if block else (n,)
    scales = (rng.random(grid) * 0.02 + 0.005).astype(np.float32)
    zeros = rng.integers(-3, 4, size=grid).astype(np.int8)
    if not with_zp:
        zeros[...] = 0
    stored = q.T.copy() if gemm_transb else q  # Gemm transB stores [N, K]
    axis = (0 if gemm_transb else 1) if not block else (1 if gemm_transb else 0)
    s_stored = scales.T.copy() if (gemm_transb and block) else scales
    z_stored = zeros.T.copy() if (gemm_transb and block) else zeros
    if weight_type == INT8:
        inits = [tensor("Wq", stored), tensor("Zq", z_stored)]
    else:
        nib = (stored & 0xF).astype(np.uint8).reshape(-1)
        zn = (z_stored & 0xF).astype(np.uint8).reshape(-1)
        zn = np.concatenate([zn, np.zeros(len(zn) % 2, np.uint8)])
        inits = [raw_tensor("Wq", INT4, list(stored.shape), (nib[0::2] | (nib[1::2] << 4)).tolist()),
                 raw_tensor("Zq", INT4, list(z_stored.shape), (zn[0::2] | (zn[1::2] << 4)).tolist())]
    inits.append(tensor("Sq", s_stored))
    attrs = {"axis": axis}
    if block:
        attrs["block_size"] = block
    if not with_zp:
        inits = [i for i in inits if i.name != "Zq"]
    dq = helper.make_node("DequantizeLinear", ["Wq", "Sq"] + (["Zq"] if with_zp else []), ["W"], **attrs)
    mm = (helper.make_node("Gemm", ["A", "W"], ["Y"], transB=1) if gemm_transb
          else helper.make_node("MatMul", ["A", "W"], ["Y"]))
    mdl = model([dq, mm], [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])], inits)
    rows = np.repeat(np.arange(k // block), block) if block else None
    s_full = scales[rows] if block else scales[None, :]
    z_full = zeros[rows] if block else zeros[None, :]
    w = (q.astype(np.float64) - z_full) * s_full
    a = rng.standard_normal((m, k)).astype(np.float32)
    if kernel:
        qmax = 31 if kernel == "lut" else 127
        b = block or k
        rows_q = a.reshape(m, k // b, b)
        amax = np.abs(rows_q).max(axis=2)
        inv = np.where(amax > 0, np.float32(qmax) / np.maximum(amax, np.float32(1e-30)), np.float32(0)).astype(np.float32)
        xq = np.rint(rows_q * inv[..., None]).astype(np.float64)
        a_scale = (amax / np.float32(qmax)).astype(np.float64)
        codes = (q.astype(np.float64) - z_full).T.reshape(n, k // b, b)  # [n, blocks, b]
        s_nb = np.broadcast_to(s_full, (k, n))[::b].T.astype(np.float64)  # [n, blocks]
        terms = a_scale[:, None, :] * s_nb[None] * np.einsum("mbj,nbj->mnb", xq, codes)
        bound = 8 * 2.0 ** -24 * np.abs(terms).sum(axis=2).max()
        run(name, mdl, {"A": a}, {"Y": terms.sum(axis=2).astype(np.float32)}, rtol=0, atol=bound,
            flags=("--kernel=" + kernel,) + tuple(flags))
        return
    # f32 sums of K products in 8 or 16 lanes: the rounding error of K / 8
    # sequential adds grows as their square root (the probabilistic bound,
    # lambda sqrt(n) u sum|terms|, lambda = 1); below K ~ 1000 the fixed
    # 1e-4 is the larger.
    bound = np.sqrt(k / 8 + 4) * 2.0 ** -24 * (np.abs(a.astype(np.float64)) @ np.abs(w)).max()
    run(name, mdl, {"A": a}, {"Y": (a.astype(np.float64) @ w).astype(np.float32)}, rtol=1e-4,
        atol=max(1e-4, bound))


qdq_case("qdq_int8_per_channel_matmul", 128, 48, 3, INT8)
# f32-gemm (16+ rows): codes less zero points exact in bf16 on AMX.
qdq_case("qdq_int8_per_channel_matmul_m32", 256, 48, 32, INT8)
qdq_case("qdq_int8_symmetric_matmul_m48", 128, 32, 48, INT8, with_zp=False)
# 64 rows, K = 4096: on AMX K in two slices, the sums kept between them.
qdq_case("qdq_int8_per_channel_matmul_m64_k4096", 4096, 128, 64, INT8)
# Blocked scales keep the f32 FMA tiles: K chunks of whole blocks.
qdq_case("qdq_int4_blocked_matmul_m24_k2048", 2048, 32, 24, INT4, block=32)
qdq_case("qdq_int8_per_channel_gemm_transb", 96, 40, 2, INT8, gemm_transb=True)
# Symmetric int8 (no zero point): codes converted as they are, no correction.
qdq_case("qdq_int8_symmetric_matmul", 256, 32, 1, INT8, with_zp=False)
qdq_case("qdq_int4_blocked_matmul", 128, 24, 2, INT4, block=32)
qdq_case("qdq_int4_blocked_gemm_transb", 64, 16, 1, INT4, block=16, gemm_transb=True)
qdq_case("qdq_int4_blocked_lut", 128, 32, 2, INT4, block=32, kernel="lut")
qdq_case("qdq_int4_per_channel_lut", 64, 48, 1, INT4, kernel="lut")
qdq_case("qdq_int4_blocked_int8_gemm", 128, 32, 4, INT4, block=32, kernel="int8-gemm")
# 64 rows, blocks of 64: AMX tiles where the CPU has them (amx.py compiles it
# for sapphirerapids), signed codes flipped before the tiles are written.
qdq_case("qdq_int4_blocked_int8_gemm_m64", 128, 32, 64, INT4, block=64, kernel="int8-gemm")
qdq_case("qdq_int8_per_channel_int8_gemm", 64, 48, 1, INT8, kernel="int8-gemm")
# Signed 8-bit codes on AVX2's pmaddubsw: used as they are (no sign flip).
qdq_case("qdq_int8_per_channel_int8_gemm_avx2", 64, 48, 2, INT8, kernel="int8-gemm",
         flags=("--cpu=haswell",))


# FP4 E2M1 weights through int8-gemm (--int8-activations): codes decoded by
# a 16-entry vpshufb table to 2 x value + 12 (exact), activations to int8
# per block, so the result is held to the float64 value of that integer
# computation within f32 rounding, and to 3e-2 of the float64 reference.
# MXFP4 (E8M0 power-of-two scales per 32) and NVFP4-shaped blocks of 16
# with f32 scales; M = 1 and 4 (two register tilings).
def fp4_case(name, k, n, m, block, mx):
    codes = rng.integers(0, 16, size=(k, n)).astype(np.uint8)
    flat = codes.reshape(-1)
    packed = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).tolist()
    if mx:
        e = rng.integers(118, 126, size=(k // block, n)).astype(np.uint8)
        scales = 2.0 ** (e.astype(np.float64) - 127)
        s_init = raw_tensor("Sq", 24, [k // block, n], e.reshape(-1).tolist())  # FLOAT8E8M0
        attrs = {"axis": 0, "block_size": block, "output_dtype": FLOAT}
    else:
        sf = (rng.random((k // block, n)) * 0.02 + 0.002).astype(np.float32)
        scales = sf.astype(np.float64)
        s_init = tensor("Sq", sf)
        attrs = {"axis": 0, "block_size": block}
    dq = helper.make_node("DequantizeLinear", ["Wq", "Sq"], ["W"], **attrs)
    mm = helper.make_node("MatMul", ["A", "W"], ["Y"])
    mdl = model([dq, mm], [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                [raw_tensor("Wq", FLOAT4E2M1, [k, n], packed), s_init], opset=23)
    values = np.array([(-1 if c & 8 else 1) * fp4_values[c & 7] for c in range(16)], np.float64)
    v = values[codes]  # [k, n]
    a = rng.standard_normal((m, k)).astype(np.float32)
    rows_q = a.reshape(m, k // block, block)
    amax = np.abs(rows_q).max(axis=2)
    inv = np.where(amax > 0, np.float32(127) / np.maximum(amax, np.float32(1e-30)), np.float32(0)).astype(np.float32)
    xq = np.rint(rows_q * inv[..., None]).astype(np.float64)
    a_scale = (amax / np.float32(127)).astype(np.float64)
    terms = a_scale[:, :, None] * np.einsum("mbj,bjn->mbn", xq, v.reshape(k // block, block, n)) * scales[None]
    exact = terms.sum(axis=1)
    bound = 8 * 2.0 ** -24 * np.abs(terms).sum(axis=1).max()
    reference = a.astype(np.float64) @ (v * np.repeat(scales, block, axis=0))
    assert np.abs(exact - reference).max() <= 3e-2 * np.abs(reference).max()
    run(name, mdl, {"A": a}, {"Y": exact.astype(np.float32)}, rtol=0, atol=bound,
        flags=("--int8-activations", "--kernel=int8-gemm"))


fp4_case("mxfp4_int8_gemm_m1", 256, 64, 1, 32, mx=True)
fp4_case("mxfp4_int8_gemm_m4", 128, 32, 4, 32, mx=True)
fp4_case("nvfp4_blocks_int8_gemm_m1", 128, 48, 1, 16, mx=False)
fp4_case("nvfp4_blocks_int8_gemm_m2", 64, 32, 2, 16, mx=False)


# lowbit-fuse-epilogue: MatMulNBits, then Add (bias [N]), Relu, Add (a
# residual input), Mul (0.5) fold into the matmul's epilogue. At
# accuracy_level 0 against float64 of the whole chain; at 4 on int8-gemm,
# against the float64 value of its integer product followed by the chain
# (f32 rounding of the product's terms, plus 4 roundings of the result by
# the epilogue's ops).
def epilogue_case(name, k, n, m, accuracy_level, node_bias=False):
    block = 32
    q = rng.integers(0, 16, size=(n, k)).astype(np.uint8)
    scales = (rng.random((n, k // block)) * 0.1 + 0.01).astype(np.float32)
    flat = q.reshape(-1)
    packed = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).reshape(n, k // block, block // 2)
    bias = rng.standard_normal(n).astype(np.float32)
    # With node_bias the bias is MatMulNBits' own input (lowbit.matmul's
    # bias operand), else a graph Add.
    mm_inputs = ["A", "B", "S", "", "", "bias"] if node_bias else ["A", "B", "S"]
    nodes = [helper.make_node("MatMulNBits", mm_inputs, ["Y1" if node_bias else "Y0"],
                              domain="com.microsoft", K=k, N=n,
                              bits=4, block_size=block, accuracy_level=accuracy_level)]
    if not node_bias:
        nodes.append(helper.make_node("Add", ["Y0", "bias"], ["Y1"]))
    nodes += [
             helper.make_node("Relu", ["Y1"], ["Y2"]),
             helper.make_node("Add", ["Y2", "R"], ["Y3"]),
             helper.make_node("Mul", ["Y3", "half"], ["Y"])]
    mdl = model(nodes, [value_info("A", FLOAT, [m, k]), value_info("R", FLOAT, [m, n])],
                [value_info("Y", FLOAT, [m, n])],
                [tensor("B", packed), tensor("S", scales.reshape(-1)), tensor("bias", bias),
                 tensor("half", np.array(0.5, np.float32))], opset=17, extra_opsets=[("com.microsoft", 1)])
    a = rng.standard_normal((m, k)).astype(np.float32)
    r = rng.standard_normal((m, n)).astype(np.float32)
    codes = q.astype(np.float64) - 8
    s = scales.astype(np.float64)

    def chain(y):
        return (np.maximum(y + bias, 0) + r) * 0.5

    if accuracy_level == 0:
        w = codes * np.repeat(s, block, axis=1)
        run(name, mdl, {"A": a, "R": r}, {"Y": chain(a.astype(np.float64) @ w.T).astype(np.float32)},
            rtol=1e-4, atol=1e-4)
        return
    rows_q = a.reshape(m, k // block, block)
    amax = np.abs(rows_q).max(axis=2)
    inv = np.where(amax > 0, np.float32(127) / np.maximum(amax, np.float32(1e-30)), np.float32(0)).astype(np.float32)
    xq = np.rint(rows_q * inv[..., None]).astype(np.float64)
    a_scale = (amax / np.float32(127)).astype(np.float64)
    terms = a_scale[:, None, :] * s[None] * np.einsum("mbj,nbj->mnb", xq, codes.reshape(n, k // block, block))
    expected = chain(terms.sum(axis=2))
    bound = 8 * 2.0 ** -24 * np.abs(terms).sum(axis=2).max() + 4 * 2.0 ** -24 * np.abs(expected).max()
    run(name, mdl, {"A": a, "R": r}, {"Y": expected.astype(np.float32)}, rtol=0, atol=bound,
        flags=("--kernel=int8-gemm",))


epilogue_case("epilogue_bias_relu_residual_scale", 128, 32, 2, 0)
epilogue_case("epilogue_int8_gemm", 256, 48, 1, 4)
epilogue_case("epilogue_node_bias_int8_gemm", 128, 32, 4, 4, node_bias=True)

# QDQ activations: QuantizeLinear -> DequantizeLinear on the input and on the
# matmul's result (after its bias), per tensor with uint8 codes. The matmul of
# the input's codes by the int8 weight codes runs as exact i32 sums scaled
# once (lowbit-fuse-dequant, int8-exact), and the pair on the result in the
# matmul's epilogue (lowbit-fuse-epilogue). Inputs are
# chosen so every product and sum is exact in f32 (integer activations with
# a 127 in every block of 32, so int8-gemm's activation scale is 1; weight
# scales powers of two), so the rounding onto the output grid (a scale that
# is not a power of two, about 10% of the values saturating) is compared
# bit for bit with numpy's float32 arithmetic of the same formula.
def qdq_activation_case(name, k, n, m, kernel=None):
    # Its own generator, seeded by the name: cases added before it must not
    # change data chosen to saturate at both ends.
    gen = np.random.default_rng(zlib.crc32(name.encode()))
    a = gen.integers(-127, 128, size=(m, k)).astype(np.float32)
    a[:, ::32] = 127
    q = gen.integers(-128, 128, size=(k, n)).astype(np.int8)
    w_scales = (2.0 ** -gen.integers(3, 6, size=n)).astype(np.float32)
    bias = (gen.integers(-64, 64, size=n) / 16).astype(np.float32)
    y = (a.astype(np.float64) @ (q.astype(np.float64) * w_scales) + bias).astype(np.float32)
    assert np.abs(a).sum(axis=1).max() * 128 / 8 < 2 ** 19  # multiples of 2^-5 under 2^19: exact
    s = np.float32(np.percentile(np.abs(y), 90) / 127.5)
    z = np.uint8(131)
    codes = np.clip(np.rint(y / s) + np.float32(z), 0, 255).astype(np.float32)
    expected = ((codes - np.float32(z)) * s).astype(np.float32)
    assert (codes == 0).any() and (codes == 255).any()
    nodes = [helper.make_node("QuantizeLinear", ["A", "one", "z128"], ["Aq"]),
             helper.make_node("DequantizeLinear", ["Aq", "one", "z128"], ["Ad"]),
             helper.make_node("DequantizeLinear", ["Wq", "Ws"], ["W"], axis=1),
             helper.make_node("MatMul", ["Ad", "W"], ["Y0"]),
             helper.make_node("Add", ["Y0", "bias"], ["Y1"]),
             helper.make_node("QuantizeLinear", ["Y1", "s", "z"], ["Yq"]),
             helper.make_node("DequantizeLinear", ["Yq", "s", "z"], ["Y"])]
    mdl = model(nodes, [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                [tensor("Wq", q), tensor("Ws", w_scales), tensor("bias", bias),
                 tensor("one", np.array(1.0, np.float32)), tensor("z128", np.array(128, np.uint8)),
                 tensor("s", np.array(s, np.float32)), tensor("z", np.array(z, np.uint8))])
    flags = ("--kernel=" + kernel,) if kernel else ()
    run(name, mdl, {"A": a}, {"Y": expected}, flags=flags)


qdq_activation_case("qdq_activations_epilogue", 128, 48, 3)
qdq_activation_case("qdq_activations_epilogue_int8_gemm", 128, 32, 2, kernel="int8-gemm")
qdq_activation_case("qdq_activations_int8_exact_tiles", 192, 64, 8)

# QDQ convolutions: DequantizeLinear weights (int8/uint8/int4, per tensor or
# per output channel, with and without zero points) into Conv, which
# lowbit-fuse-dequant turns into input windows times the codes read as
# [M, C * K...] (one lowbit.matmul, bias included); 1-D, 2-D, 3-D, strides,
# dilations, pads. A grouped Conv keeps the convolution (not fused) and must
# stay right. Against float64 of the dequantized weights.
def conv_reference(x, w, bias, strides, dilations, pads, group=1):
    k = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + k]) for i in range(k)])
    out = [(x.shape[2 + i] - dilations[i] * (w.shape[2 + i] - 1) - 1) // strides[i] + 1 for i in range(k)]
    m, cg = w.shape[0], w.shape[1]
    y = np.zeros([x.shape[0], m] + out)
    for g in range(group):
        xs, ws = x[:, g * cg:(g + 1) * cg], w[g * (m // group):(g + 1) * (m // group)]
        for pos in np.ndindex(*w.shape[2:]):
            window = xs[(slice(None), slice(None)) + tuple(
                slice(pos[i] * dilations[i], pos[i] * dilations[i] + strides[i] * (out[i] - 1) + 1, strides[i])
                for i in range(k))]
            y[:, g * (m // group):(g + 1) * (m // group)] += np.einsum(
                "nc...,mc->nm...", window, ws[(slice(None), slice(None)) + pos])
    if bias is not None:
        y += bias.reshape([1, m] + [1] * k)
    return y


def qdq_conv_case(name, x_shape, w_shape, weight_type, per_channel, with_zp, strides, dilations, pads,
                  bias=True, group=1):
    k = len(x_shape) - 2
    m = w_shape[0]
    lo, hi = {INT8: (-128, 128), UINT8: (0, 256), INT4: (-8, 8)}[weight_type]
    q = rng.integers(lo, hi, size=w_shape)
    grid = (m,) if per_channel else ()
    scales = (rng.random(grid) * 0.02 + 0.005).astype(np.float32)
    zeros = rng.integers(lo // 4, hi // 4 + (lo == 0) * 64, size=grid) if with_zp else np.zeros(grid, np.int64)
    zb = [1] * (len(w_shape) - 1)
    w = (q - zeros.reshape((-1, *zb) if per_channel else ())) * scales.astype(np.float64).reshape(
        (-1, *zb) if per_channel else ())
    if weight_type == INT4:
        nib = (q & 0xF).astype(np.uint8).reshape(-1)
        inits = [raw_tensor("Wq", INT4, list(w_shape), (nib[0::2] | (nib[1::2] << 4)).tolist())]
        zn = (np.atleast_1d(zeros) & 0xF).astype(np.uint8)
        zn = np.concatenate([zn, np.zeros(len(zn) % 2, np.uint8)])
        z_init = raw_tensor("Zq", INT4, list(grid), (zn[0::2] | (zn[1::2] << 4)).tolist())
    else:
        dtype = np.int8 if weight_type == INT8 else np.uint8
        inits = [tensor("Wq", q.astype(dtype))]
        z_init = tensor("Zq", np.array(zeros, dtype))
    inits.append(tensor("Sq", np.array(scales, np.float32)))
    dq_inputs = ["Wq", "Sq"]
    if with_zp:
        inits.append(z_init)
        dq_inputs.append("Zq")
    conv_inputs = ["X", "W"]
    b = None
    if bias:
        b = rng.standard_normal(m).astype(np.float32)
        inits.append(tensor("B", b))
        conv_inputs.append("B")
    x = rng.standard_normal(x_shape).astype(np.float32)
    expected = conv_reference(x.astype(np.float64), w, b, strides, dilations, pads, group)
    nodes = [helper.make_node("DequantizeLinear", dq_inputs, ["W"], **({"axis": 0} if per_channel else {})),
             helper.make_node("Conv", conv_inputs, ["Y"], strides=strides, dilations=dilations, pads=pads,
                              group=group)]
    mdl = model(nodes, [value_info("X", FLOAT, list(x_shape))],
                [value_info("Y", FLOAT, list(expected.shape))], inits)
    run(name, mdl, {"X": x}, {"Y": expected.astype(np.float32)}, rtol=1e-4, atol=1e-4)


qdq_conv_case("qdq_conv2d_int8_per_channel_stride2", (2, 4, 9, 9), (8, 4, 3, 3), INT8, True, False,
              [2, 2], [1, 1], [1, 1, 1, 1])
qdq_conv_case("qdq_conv2d_uint8_per_tensor_1x1", (1, 16, 6, 5), (24, 16, 1, 1), UINT8, False, True,
              [1, 1], [1, 1], [0, 0, 0, 0], bias=False)
qdq_conv_case("qdq_conv2d_int4_per_channel_zp", (1, 8, 7, 7), (16, 8, 3, 3), INT4, True, True,
              [1, 1], [1, 1], [1, 1, 1, 1])
# More window rows than output channels (64 x 144 x 6): f32-gemm decodes
# every weight row first and walks blocks of 32 rows against all of them.
qdq_conv_case("qdq_conv2d_rows_blocked", (1, 16, 8, 8), (6, 16, 3, 3), INT8, True, False,
              [1, 1], [1, 1], [1, 1, 1, 1])
qdq_conv_case("qdq_conv1d_dilated", (2, 6, 20), (5, 6, 3), INT8, True, True, [1], [2], [2, 1])
qdq_conv_case("qdq_conv3d", (1, 3, 5, 6, 4), (4, 3, 2, 3, 2), INT8, False, False, [1, 2, 1], [1, 1, 1],
              [0, 1, 0, 0, 1, 1])
qdq_conv_case("qdq_conv2d_grouped_unfused", (1, 8, 6, 6), (8, 4, 3, 3), INT8, True, False,
              [1, 1], [1, 1], [1, 1, 1, 1], group=2)
# Depthwise (group = channels): the taps-outside loop order of the generic.
qdq_conv_case("qdq_conv2d_depthwise", (2, 8, 9, 9), (8, 1, 3, 3), INT8, True, False,
              [1, 1], [1, 1], [1, 1, 1, 1], group=8)
qdq_conv_case("qdq_conv2d_depthwise_stride2_dilated", (1, 6, 11, 10), (6, 1, 3, 3), INT8, False, True,
              [2, 2], [2, 1], [2, 1, 2, 1], group=6)

bnb4_case = make_bnb4_case(run, rng)

bnb4_case("matmulbnb4_nf4", 128, 24, 2, 64, 1, int8=False)
bnb4_case("matmulbnb4_fp4", 64, 16, 1, 32, 0, int8=False)
# The exact f32 path on the three table lookups: AVX-512 (one vpermps of 16
# lanes, on this machine when it has AVX-512), AVX2 (8 lanes: two vpermps
# and a blend) and portable (no AVX), and the decoded f32 GEMM (32 rows).
bnb4_case("matmulbnb4_nf4_f32_avx2", 128, 32, 3, 64, 1, int8=False,
          flags=("--cpu=haswell", "--features=+avx2,+fma"))
bnb4_case("matmulbnb4_nf4_f32_portable", 64, 16, 2, 32, 1, int8=False,
          flags=("--cpu=x86-64", "--features=-avx,-avx2,-avx512f"))
bnb4_case("matmulbnb4_fp4_f32_gemm", 256, 32, 32, 64, 0, int8=False)
# The decoded GEMM decodes 16 codes a vector: two 8-lane vpermps on AVX2.
bnb4_case("matmulbnb4_nf4_f32_gemm_avx2", 128, 32, 32, 64, 1, int8=False,
          flags=("--cpu=haswell", "--features=+avx2,+fma"))
# Blocks of weight tiles decoded a K chunk at a time (K = 2048: two chunks
# of 1024), the sums carried between chunks; AVX-512 and AVX2 (odd row
# tiles of 2).
bnb4_case("matmulbnb4_nf4_f32_gemm_k_chunks", 2048, 64, 20, 64, 1, int8=False)
bnb4_case("matmulbnb4_nf4_f32_gemm_k_chunks_avx2", 2048, 48, 18, 64, 1, int8=False,
          flags=("--cpu=haswell", "--features=+avx2,+fma"))
bnb4_case("matmulbnb4_nf4_int8_gemm_m1", 256, 32, 1, 64, 1, int8=True)
bnb4_case("matmulbnb4_fp4_int8_gemm_m4", 128, 48, 4, 32, 0, int8=True)
# A large f32-gemm layer: 256 tiles, each decoding 4 rows of 4096 weights
# into its own buffer.
qdq_case("qdq_int8_prefill_large", 4096, 1024, 16, INT8)

# QuantizeLinear into FP8/FP4 storage (then DequantizeLinear back): correctly
# rounded, ties to even, saturation and NaN/Inf rules of ONNX, bit-exact
# against a brute-force nearest-value search over every code.
MINIFLOATS = {  # name: (onnx type, exponent bits, mantissa bits, bias, kind)
    "e4m3fn": (FLOAT8E4M3FN, 4, 3, 7, "fn"), "e4m3fnuz": (FLOAT8E4M3FNUZ, 4, 3, 8, "fnuz"),
    "e5m2": (FLOAT8E5M2, 5, 2, 15, "ieee"), "e5m2fnuz": (FLOAT8E5M2FNUZ, 5, 2, 16, "fnuz"),
    "e2m1": (FLOAT4E2M1, 2, 1, 1, "none"),
}


def minifloat_decode(code, e_bits, m_bits, bias, kind):
    bits = 1 + e_bits + m_bits
    sign_bit = 1 << (bits - 1)
    if kind == "fnuz" and code == sign_bit:
        return np.nan
    s = -1.0 if code & sign_bit else 1.0
    e, m_ = (code >> m_bits) & ((1 << e_bits) - 1), code & ((1 << m_bits) - 1)
    if kind == "fn" and e == (1 << e_bits) - 1 and m_ == (1 << m_bits) - 1:
        return np.nan
    if kind == "ieee" and e == (1 << e_bits) - 1:
        return s * np.inf if m_ == 0 else np.nan
    if e == 0:
        return s * m_ / (1 << m_bits) * 2.0 ** (1 - bias)
    return s * (1 + m_ / (1 << m_bits)) * 2.0 ** (e - bias)


def minifloat_quantize(y, fmt, saturate):
    _, e_bits, m_bits, bias, kind = MINIFLOATS[fmt]
    bits = 1 + e_bits + m_bits
    sign_bit = 1 << (bits - 1)
    values = [minifloat_decode(c, e_bits, m_bits, bias, kind) for c in range(sign_bit)]
    finite = [c for c in range(sign_bit) if np.isfinite(values[c])]
    last = finite[-1]
    nan_code = {"fn": sign_bit - 1, "fnuz": sign_bit, "ieee": sign_bit - 1, "none": last}[kind]
    inf_code = sign_bit - 4 if kind == "ieee" else None
    if np.isnan(y):
        return nan_code
    a = abs(float(y))
    top, step = values[last], values[last] - values[last - 1]
    if saturate:
        code = (nan_code if kind == "fnuz" else last) if np.isinf(a) else None
    else:
        boundary = top + step / 2
        over = a > boundary or (a == boundary and last % 2 == 1)
        code = (inf_code if inf_code is not None else nan_code) if over else None
    if code is None:
        best = min(finite, key=lambda c: (abs(values[c] - a), c % 2))
        code = min(best, last)
    negative = np.signbit(y)
    if kind == "fnuz" and code in (0, nan_code):
        negative = False
    return code | (sign_bit if negative else 0)


def minifloat_case(fmt, saturate):
    onnx_type, e_bits, m_bits, bias, kind = MINIFLOATS[fmt]
    sign_bit = 1 << (e_bits + m_bits)
    values = [minifloat_decode(c, e_bits, m_bits, bias, kind) for c in range(sign_bit)]
    finite = sorted(v for v in values if np.isfinite(v))
    mids = [(a + b) / 2 for a, b in zip(finite, finite[1:])]  # ties
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, finite[-1], finite[-1] * 1.1, finite[-1] * 3,
               finite[1] / 3, -finite[1] * 0.7]
    scale = np.float32(0.5)
    xs = np.concatenate([np.array(mids + [-m for m in mids] + special, np.float64) * 0.5,
                         rng.standard_normal(200) * finite[-1] / 8]).astype(np.float32)
    y = xs / scale  # f32, as the model divides
    codes = [minifloat_quantize(v, fmt, saturate) for v in y]
    ref = np.array([minifloat_decode(c, e_bits, m_bits, bias, kind) for c in codes], np.float32) * scale
    zero_raw = [0]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], saturate=int(saturate)),
             helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"])]
    n = len(xs)
    mdl = model(nodes, [value_info("x", FLOAT, [n])], [value_info("y", FLOAT, [n])],
                [tensor("s", np.array(scale, np.float32)), raw_tensor("z", onnx_type, [], zero_raw)],
                opset=23 if fmt == "e2m1" else 21)
    run(f"quantize_{fmt}{'' if saturate else '_nosat'}", mdl, {"x": xs}, {"y": ref})


# FP8/FP4 weights (DequantizeLinear of an FP8 initializer per column, or FP4
# per tensor, then MatMul): fused into lowbit.matmul and decoded
# arithmetically in the f32 vector kernel; against float64. With `nan_column`
# one weight of that column is E4M3FN's NaN code (the kernel keeps its NaN
# patch only for weights that hold one): that output column is NaN.
def minifloat_weight_case(fmt, k, n, m, nan_column=None):
    onnx_type, e_bits, m_bits, bias, kind = MINIFLOATS[fmt]
    bits = 1 + e_bits + m_bits
    values = [minifloat_decode(c, e_bits, m_bits, bias, kind) for c in range(1 << bits)]
    finite = [c for c in range(1 << bits) if np.isfinite(values[c])]
    codes = rng.choice(finite, size=(k, n)).astype(np.uint8)
    if nan_column is not None:
        codes[k // 3, nan_column] = 0xFF  # S.1111.111
    per_column = bits == 8
    scales = (rng.random(n) * 0.02 + 0.01).astype(np.float32) if per_column else np.array(0.05, np.float32)
    if bits == 8:
        raw = codes.reshape(-1).tolist()
    else:
        flat = codes.reshape(-1)
        raw = (flat[0::2] | (flat[1::2] << 4)).tolist()
    attrs = {"axis": 1} if per_column else {}
    dq = helper.make_node("DequantizeLinear", ["Wq", "Sq"], ["W"], **attrs)
    mm = helper.make_node("MatMul", ["A", "W"], ["Y"])
    mdl = model([dq, mm], [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                [raw_tensor("Wq", onnx_type, [k, n], raw), tensor("Sq", scales)],
                opset=23 if bits == 4 else 21)
    w = np.array([values[c] for c in codes.reshape(-1)], np.float64).reshape(k, n) * \
        (scales[None, :] if per_column else float(scales))
    a = rng.standard_normal((m, k)).astype(np.float32)
    suffix = "" if nan_column is None else "_nan_weight"
    # f32 sums of K products: a few ulps of the terms' magnitudes. Codes drawn
    # over the whole FP8 range leave outputs that cancel to 1e-5 of their
    # terms (E5M2 reaches 57344), where 1e-4 of the output does not bound
    # the rounding of the terms.
    bound = 8 * 2.0 ** -24 * np.sqrt(k) * (np.abs(a.astype(np.float64)) @ np.abs(w)).max()
    run(f"matmul_{fmt}_weights_m{m}{suffix}", mdl, {"A": a},
        {"Y": (a.astype(np.float64) @ w).astype(np.float32)}, rtol=1e-4, atol=max(1e-4, bound))


for fmt in ["e4m3fn", "e5m2", "e2m1"]:
    minifloat_weight_case(fmt, 128, 32, 3)
minifloat_weight_case("e4m3fn", 128, 32, 3, nan_column=5)
minifloat_weight_case("e4m3fn", 128, 32, 20)  # f32-gemm
# With AMX (amx.py compiles these for sapphirerapids) f32-gemm splits the
# activations into three bf16 terms against the codes exact in bf16.
minifloat_weight_case("e5m2", 256, 48, 33)
minifloat_weight_case("e4m3fn", 128, 32, 20, nan_column=3)


# MXFP4: FP4 E2M1 weights with FLOAT8E8M0 (power-of-two) scales per block of
# 32 along K, as DequantizeLinear (opset 23) then MatMul.
def mxfp4_case(k, n, m):
    _, e_bits, m_bits, bias, kind = MINIFLOATS["e2m1"]
    values = [minifloat_decode(c, e_bits, m_bits, bias, kind) for c in range(16)]
    codes = rng.integers(0, 16, size=(k, n)).astype(np.uint8)
    exps = rng.integers(120, 130, size=(k // 32, n)).astype(np.uint8)  # 2^-7 .. 2^2
    flat = codes.reshape(-1)
    raw = (flat[0::2] | (flat[1::2] << 4)).tolist()
    dq = helper.make_node("DequantizeLinear", ["Wq", "Sq"], ["W"], axis=0, block_size=32,
                          output_dtype=FLOAT)
    mm = helper.make_node("MatMul", ["A", "W"], ["Y"])
    mdl = model([dq, mm], [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                [raw_tensor("Wq", FLOAT4E2M1, [k, n], raw),
                 raw_tensor("Sq", 24, [k // 32, n], exps.reshape(-1).tolist())], opset=23)
    scale = np.repeat(2.0 ** (exps.astype(np.float64) - 127), 32, axis=0)
    w = np.array([values[c] for c in flat], np.float64).reshape(k, n) * scale
    a = rng.standard_normal((m, k)).astype(np.float32)
    run("matmul_mxfp4_weights", mdl, {"A": a}, {"Y": (a.astype(np.float64) @ w).astype(np.float32)},
        rtol=1e-4, atol=1e-4)


mxfp4_case(128, 32, 2)

for fmt in MINIFLOATS:
    minifloat_case(fmt, True)
for fmt in ["e4m3fn", "e5m2"]:
    minifloat_case(fmt, False)

# MatMulInteger and QLinearMatMul: exact integer arithmetic.
a = rng.integers(0, 256, size=(3, 16)).astype(np.uint8)
b = rng.integers(-128, 128, size=(16, 5)).astype(np.int8)
az = np.array([3, 100, 255], np.uint8)
bz = rng.integers(-5, 5, size=5).astype(np.int8)
ref = (a.astype(np.int32) - az[:, None]) @ (b.astype(np.int32) - bz[None, :])
m = single("MatMulInteger", [("a", UINT8, [3, 16]), ("az", UINT8, [3])], [("y", INT32, [3, 5])],
           node_inputs=["a", "b", "az", "bz"], initializers=[tensor("b", b), tensor("bz", bz)])
run("matmulinteger", m, {"a": a, "az": az}, {"y": ref.astype(np.int32)})

a_s, b_s, y_s = np.float32(0.02), np.array([0.01, 0.03, 0.02, 0.05, 0.04], np.float32), np.float32(0.5)
acc = (a.astype(np.int32) - 7) @ (b.astype(np.int32) - 0)
mult = (a_s * b_s / y_s).astype(np.float32)
y = np.clip(np.rint(acc.astype(np.float32) * mult) + 9, 0, 255).astype(np.uint8)
m = single("QLinearMatMul", [("a", UINT8, [3, 16])], [("y", UINT8, [3, 5])],
           node_inputs=["a", "as", "az", "b", "bs", "bz", "ys", "yz"],
           initializers=[tensor("as", np.array(a_s)), tensor("az", np.array(7, np.uint8)), tensor("b", b),
                         tensor("bs", b_s), tensor("bz", np.array(0, np.int8)), tensor("ys", np.array(y_s)),
                         tensor("yz", np.array(9, np.uint8))])
run("qlinearmatmul", m, {"a": a}, {"y": y})

# The int8-exact kernel (constant B): every signedness of A and B, zero
# points per tensor, per row of A (also along the rows of a batched A) and
# per column of B, K on the 64-byte (vpdpbusd zmm), 32-byte (ymm) and
# portable paths, a tile of 4 rows and one of 1; bit-exact against numpy.
integer_matmul_case = make_integer_matmul_case(run, rng)


integer_matmul_case("int8_exact_u8_i8_zmm", (1, 256), 48, UINT8, INT8, "tensor", "none")
integer_matmul_case("int8_exact_u8_u8_col_zp_rows4", (8, 128), 40, UINT8, UINT8, "tensor", "col")
integer_matmul_case("int8_exact_i8_i8_row_zp_ymm", (4, 96), 24, INT8, INT8, "row", "tensor")
integer_matmul_case("int8_exact_i8_u8_batched", (2, 3, 64), 20, INT8, UINT8, "row", "col")
# Several rows on AVX-512 VNNI: 16-row weight tiles, activation quads
# broadcast (8-row and 4-row tiles, one and two weight tiles a step).
integer_matmul_case("int8_exact_tiles_rows8", (16, 192), 64, INT8, UINT8, "row", "col")
integer_matmul_case("int8_exact_tiles_rows4", (2, 2, 100), 48, UINT8, INT8, "tensor", "tensor")
integer_matmul_case("int8_exact_u8_i8_portable", (3, 48), 12, UINT8, INT8, "tensor", "col",
                    flags=("--cpu=x86-64", "--features=-avx,-avx2,-avx512f"))
integer_matmul_case("int8_exact_u8_i8_avx2", (2, 128), 16, UINT8, INT8, "row", "col",
                    flags=("--cpu=haswell", "--features=+avx2,+fma"))
# AVX2 without VNNI: the activation codes' nibbles times the int8 tiles by
# vpmaddubsw (full-range codes, where whole bytes' pair sums would saturate:
# 255 x -128 x 2), 4 and 2 rows a step.
integer_matmul_case("int8_exact_avx2_tiles_u8_i8", (8, 96), 32, UINT8, INT8, "tensor", "col",
                    flags=("--cpu=haswell", "--features=+avx2,+fma"))
integer_matmul_case("int8_exact_avx2_tiles_i8_u8", (2, 2, 130), 16, INT8, UINT8, "row", "tensor",
                    flags=("--cpu=haswell", "--features=+avx2,+fma"))
# The same at 1 and 3 rows (u8_i8_avx2 above too), 8 steps of i16 pair
# sums a widening.
integer_matmul_case("int8_exact_avx2_split_i8_u8_m1", (1, 256), 32, INT8, UINT8, "none", "col",
                    flags=("--cpu=haswell", "--features=+avx2,+fma"))
integer_matmul_case("int8_exact_avx2_split_u8_i8_m3", (3, 64), 48, UINT8, INT8, "tensor", "tensor",
                    flags=("--cpu=haswell", "--features=+avx2,+fma"))
# Rows in parallel blocks (100 rows: 50 steps of 2, blocks of 9 steps, the
# last one short) with one tile of 16 columns, and K = 16: one group of 4
# quads, not 8 with zeros; on VNNI 25 steps of 4 rows, blocks of 8.
integer_matmul_case("int8_exact_avx2_row_blocks_k16", (100, 16), 16, UINT8, INT8, "tensor", "col",
                    flags=("--cpu=haswell", "--features=+avx2,+fma"))
integer_matmul_case("int8_exact_row_blocks_k44", (100, 44), 16, UINT8, INT8, "tensor", "col")

# Static QDQ convolutions: QuantizeLinear -> DequantizeLinear on the input
# (uint8, per tensor) and int8 weights: the convolution runs on the codes
# (padding with the zero point's code, int8-exact, scaled once per output).
# Against float64 of the dequantized operands; the input's codes come from
# the same f32 formula as qcc's QuantizeLinear.
def qdq_static_conv_case(name, x_shape, w_shape, strides, pads, bias, group=1, flags=()):
    m = w_shape[0]
    x = rng.standard_normal(x_shape).astype(np.float32)
    xs, xz = np.float32(0.03), np.uint8(120)
    xq = np.clip(np.rint(x / xs) + np.float32(xz), 0, 255)
    xd = (xq.astype(np.float64) - float(xz)) * float(xs)
    q = rng.integers(-128, 128, size=w_shape).astype(np.int8)
    ws = (rng.random(m) * 0.01 + 0.005).astype(np.float32)
    w = q.astype(np.float64) * ws.astype(np.float64).reshape(-1, *([1] * (len(w_shape) - 1)))
    b = rng.standard_normal(m).astype(np.float32) if bias else None
    expected = conv_reference(xd, w, b, strides, [1] * (len(x_shape) - 2), pads, group)
    conv_inputs = ["Xd", "W"] + (["B"] if bias else [])
    nodes = [helper.make_node("QuantizeLinear", ["X", "xs", "xz"], ["Xq"]),
             helper.make_node("DequantizeLinear", ["Xq", "xs", "xz"], ["Xd"]),
             helper.make_node("DequantizeLinear", ["Wq", "Ws"], ["W"], axis=0),
             helper.make_node("Conv", conv_inputs, ["Y"], strides=strides, pads=pads, group=group)]
    inits = [tensor("xs", np.array(xs)), tensor("xz", np.array(xz, np.uint8)), tensor("Wq", q),
             tensor("Ws", ws)] + ([tensor("B", b)] if bias else [])
    mdl = model(nodes, [value_info("X", FLOAT, list(x_shape))],
                [value_info("Y", FLOAT, list(expected.shape))], inits)
    run(name, mdl, {"X": x}, {"Y": expected.astype(np.float32)}, rtol=1e-4, atol=1e-4, flags=flags)


qdq_static_conv_case("qdq_static_conv_padded", (1, 8, 9, 9), (16, 8, 3, 3), [1, 1], [1, 1, 1, 1], True)
qdq_static_conv_case("qdq_static_conv_stride2", (2, 16, 8, 8), (32, 16, 3, 3), [2, 2], [1, 0, 1, 0], False)
# Grouped (ResNeXt-style 8 groups of 4 -> 4 at 3x3, with bias; 8 groups of
# 2 -> 4 at 2x2 in two matmuls of 4 groups, AVX2 pinned): one int8-exact
# matmul per block of groups on a block-diagonal weight.
qdq_static_conv_case("qdq_static_conv_grouped", (1, 32, 7, 7), (32, 4, 3, 3), [1, 1], [1, 1, 1, 1], True,
                     group=8)
# Depthwise on the codes (the importer: the integer depthwise loop over the
# shifted codes padded with the zero point's code, then the scales).
qdq_static_conv_case("qdq_static_conv_depthwise", (1, 16, 9, 9), (16, 1, 3, 3), [1, 1], [1, 1, 1, 1], True,
                     group=16)
qdq_static_conv_case("qdq_static_conv_depthwise_stride2", (2, 8, 10, 9), (8, 1, 3, 3), [2, 2], [1, 0, 1, 1],
                     False, group=8)
qdq_static_conv_case("qdq_static_conv_grouped_two_blocks", (2, 16, 6, 5), (32, 2, 2, 2), [1, 1],
                     [0, 1, 0, 1], True, group=8, flags=("--cpu=haswell", "--features=+avx2,+fma"))

# Two static QDQ convolutions in a row, Clip and QuantizeLinear between
# them (a CNN's layers): the first conv's matmul writes the uint8 codes the
# second reads (QuantizeLinear in its epilogue, at the int8-exact store;
# the transposes between them cancel). Against float64 of the graph with
# ONNX's rounding (x / scale in f32, half to even), 1e-4.
def qdq_static_conv_chain_case(name, x_shape, c1, c2, flags=()):
    c0 = x_shape[1]
    x = rng.standard_normal(x_shape).astype(np.float32)
    xs, xz, ys, yz = np.float32(0.03), np.uint8(120), np.float32(6 / 255), np.uint8(0)

    def quantize(v, s, z):
        return np.clip(np.rint(v.astype(np.float32) / s).astype(np.float64) + float(z), 0, 255)

    def weight(m, c, k):
        q = rng.integers(-127, 128, size=(m, c, k, k)).astype(np.int8)
        s = (rng.random(m) * 0.01 + 0.005).astype(np.float32)
        return q, s, q.astype(np.float64) * s.astype(np.float64).reshape(-1, 1, 1, 1)

    q1, s1, w1 = weight(c1, c0, 3)
    q2, s2, w2 = weight(c2, c1, 1)
    b1 = rng.standard_normal(c1).astype(np.float32)
    xd = (quantize(x, xs, xz) - float(xz)) * float(xs)
    y1 = np.clip(conv_reference(xd, w1, b1, [1, 1], [1, 1], [1, 1, 1, 1]), 0, 6)
    yd = (quantize(y1, ys, yz) - float(yz)) * float(ys)
    expected = conv_reference(yd, w2, None, [1, 1], [1, 1], [0, 0, 0, 0])
    nodes = [helper.make_node("QuantizeLinear", ["X", "xs", "xz"], ["Xq"]),
             helper.make_node("DequantizeLinear", ["Xq", "xs", "xz"], ["Xd"]),
             helper.make_node("DequantizeLinear", ["W1q", "W1s"], ["W1"], axis=0),
             helper.make_node("Conv", ["Xd", "W1", "B1"], ["Y1"], pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["Y1", "lo", "hi"], ["R1"]),
             helper.make_node("QuantizeLinear", ["R1", "ys", "yz"], ["R1q"]),
             helper.make_node("DequantizeLinear", ["R1q", "ys", "yz"], ["R1d"]),
             helper.make_node("DequantizeLinear", ["W2q", "W2s"], ["W2"], axis=0),
             helper.make_node("Conv", ["R1d", "W2"], ["Y"])]
    inits = [tensor("xs", np.array(xs)), tensor("xz", np.array(xz, np.uint8)), tensor("W1q", q1),
             tensor("W1s", s1), tensor("B1", b1), tensor("lo", np.array(0, np.float32)),
             tensor("hi", np.array(6, np.float32)), tensor("ys", np.array(ys)),
             tensor("yz", np.array(yz, np.uint8)), tensor("W2q", q2), tensor("W2s", s2)]
    mdl = model(nodes, [value_info("X", FLOAT, list(x_shape))],
                [value_info("Y", FLOAT, list(expected.shape))], inits)
    run(name, mdl, {"X": x}, {"Y": expected.astype(np.float32)}, rtol=1e-4, atol=1e-4, flags=flags)


qdq_static_conv_chain_case("qdq_static_conv_chain", (1, 8, 10, 9), 24, 16)
qdq_static_conv_chain_case("qdq_static_conv_chain_avx2", (2, 16, 6, 7), 32, 8,
                           flags=("--cpu=haswell", "--features=+avx2,+fma"))


# Clip (or Relu) then QuantizeLinear to uint8: qcc-fold-clip-into-quantize
# moves the Clip into the codes' bounds where its lower bound codes to at
# most 0; bit-exact against ONNX's arithmetic (clip, x / scale in f32, half
# to even, + zero point, saturate; NaN to code 0 as qcc documents), on
# values at and around the clip bounds, rounding ties, +-Inf and NaN.
def clip_quantize_case(name, lo, hi, ys, yz, relu=False):
    ys, n = np.float32(ys), 64
    x = (rng.standard_normal(n) * 4).astype(np.float32)
    edges = [v for v in (lo, hi) if v is not None]
    special = [np.inf, -np.inf, np.nan] + [e + d for e in edges for d in (-1e-6, 0.0, 1e-6, 0.5, -0.5)]
    special += [float(ys) * (k + 0.5) for k in range(-3, 4)]  # ties after the division
    x[: len(special)] = np.array(special, np.float32)
    c = x.copy()
    if lo is not None:
        c = np.maximum(c, np.float32(lo))
    if hi is not None:
        c = np.minimum(c, np.float32(hi))
    q = np.rint(c / ys).astype(np.float64) + float(yz)
    expected = np.where(np.isnan(q), 0, np.clip(q, 0, 255)).astype(np.uint8)
    inits = [tensor("ys", np.array(ys)), tensor("yz", np.array(yz, np.uint8))]
    if relu:
        clip = helper.make_node("Relu", ["X"], ["C"])
    else:
        names = []
        for label, v in (("lo", lo), ("hi", hi)):
            if v is None:
                names.append("")
            else:
                names.append(label)
                inits.append(tensor(label, np.array(v, np.float32)))
        clip = helper.make_node("Clip", ["X"] + names, ["C"])
    nodes = [clip, helper.make_node("QuantizeLinear", ["C", "ys", "yz"], ["Y"])]
    mdl = model(nodes, [value_info("X", FLOAT, [n])], [value_info("Y", UINT8, [n])], inits)
    run(name, mdl, {"X": x}, {"Y": expected})


clip_quantize_case("clip6_quantize", 0.0, 6.0, 6 / 255, 0)       # ReLU6: upper code 255
clip_quantize_case("clip_quantize_upper_code", -3.0, 2.5, 0.02, 100)  # upper bound code 225
clip_quantize_case("clip_quantize_raised_lower", -1.0, 1.0, 0.01, 128)  # lower code 28: not folded
clip_quantize_case("clip_min_only_quantize", 0.0, None, 0.05, 3)  # lower code 3 > 0: not folded
clip_quantize_case("clip_max_only_quantize", None, 1.7, 0.013, 0)  # upper bound only
clip_quantize_case("relu_quantize", None, None, 0.03, 0, relu=True)

# Integer convolutions with constant weights (ConvInteger, QLinearConv):
# x's codes padded with its zero point, cut into window rows, one int8-exact
# matmul against the weight read as [M, C * K...], then (QLinearConv) bias
# and requantization; bit-exact against numpy's integer convolution.
def integer_conv_case(name, x_shape, w_shape, x_type, w_type, strides, dilations, pads,
                      w_zp_per_channel, qlinear, flags=(), group=1):
    lo = {UINT8: 0, INT8: -128}
    dtype = {UINT8: np.uint8, INT8: np.int8}
    m = w_shape[0]
    x = rng.integers(lo[x_type], lo[x_type] + 256, size=x_shape).astype(dtype[x_type])
    w = rng.integers(lo[w_type], lo[w_type] + 256, size=w_shape).astype(dtype[w_type])
    xz = np.array(rng.integers(lo[x_type], lo[x_type] + 256), dtype[x_type])
    wz = np.array(rng.integers(lo[w_type] // 8 + 100 * (w_type == UINT8), lo[w_type] // 8 + 120 * (w_type == UINT8) + 16,
                               size=(m,) if w_zp_per_channel else ()), dtype[w_type])
    zb = [1] * (len(w_shape) - 1)
    acc = conv_reference(x.astype(np.float64) - float(xz),
                         w.astype(np.float64) - (wz.astype(np.float64).reshape(-1, *zb)
                                                 if w_zp_per_channel else float(wz)),
                         None, strides, dilations, pads, group).astype(np.int64)
    attrs = dict(strides=strides, dilations=dilations, pads=pads, group=group)
    if not qlinear:
        node = helper.make_node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], **attrs)
        mdl = model([node], [value_info("x", x_type, list(x_shape))],
                    [value_info("y", INT32, list(acc.shape))],
                    [tensor("w", w), tensor("xz", xz), tensor("wz", wz)], opset=17)
        run(name, mdl, {"x": x}, {"y": acc.astype(np.int32)}, flags=flags)
        return
    xs, ys = np.float32(0.05), np.float32(0.7)
    ws = (rng.random(m) * 0.02 + 0.01).astype(np.float32)
    bias = rng.integers(-2000, 2000, size=m).astype(np.int32)
    total = (acc + bias.reshape(1, -1, *([1] * (len(x_shape) - 2)))).astype(np.int32)
    mult = (xs * ws / ys).astype(np.float32).reshape(1, -1, *([1] * (len(x_shape) - 2)))
    yz = 17
    y = np.clip(np.rint(total.astype(np.float32) * mult) + yz, 0, 255).astype(np.uint8)
    node = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                            **attrs)
    mdl = model([node], [value_info("x", x_type, list(x_shape))], [value_info("y", UINT8, list(y.shape))],
                [tensor("xs", np.array(xs)), tensor("xz", xz), tensor("w", w), tensor("ws", ws),
                 tensor("wz", wz), tensor("ys", np.array(ys)), tensor("yz", np.array(yz, np.uint8)),
                 tensor("b", bias)], opset=17)
    run(name, mdl, {"x": x}, {"y": y}, flags=flags)


integer_conv_case("convinteger_u8_padded", (1, 4, 7, 7), (6, 4, 3, 3), UINT8, UINT8, [1, 1], [1, 1],
                  [1, 1, 1, 1], True, False)
integer_conv_case("qlinearconv_i8_stride2_k64", (2, 16, 9, 9), (32, 16, 2, 2), INT8, INT8, [2, 2], [1, 1],
                  [1, 0, 0, 1], False, True)
integer_conv_case("qlinearconv_u8_1x1", (1, 64, 5, 6), (16, 64, 1, 1), UINT8, INT8, [1, 1], [1, 1],
                  [0, 0, 0, 0], True, True)
integer_conv_case("qlinearconv_depthwise", (1, 16, 10, 10), (16, 1, 3, 3), UINT8, INT8, [1, 1], [1, 1],
                  [1, 1, 1, 1], True, True, group=16)
integer_conv_case("convinteger_1d_dilated", (2, 8, 30), (5, 8, 4), INT8, UINT8, [1], [3], [2, 2], True,
                  False, flags=("--cpu=haswell", "--features=+avx2,+fma"))
integer_conv_case("qlinearconv_avx2_tiles", (1, 8, 6, 6), (32, 8, 3, 3), UINT8, INT8, [1, 1], [1, 1],
                  [1, 1, 1, 1], True, True, flags=("--cpu=haswell", "--features=+avx2,+fma"))
# The requantization (bias, multiplier, zero point) in the tiles' store
# (AVX2 tiles, 2 x 40 rows in row blocks, 24 channels: a masked last tile)
# and, with no vector instructions, as the loop after the product.
integer_conv_case("qlinearconv_requant_in_store", (2, 16, 8, 10), (24, 16, 3, 3), UINT8, INT8, [1, 1],
                  [1, 1], [1, 1, 1, 1], False, True, flags=("--cpu=haswell", "--features=+avx2,+fma"))
integer_conv_case("qlinearconv_requant_portable", (1, 8, 5, 5), (16, 8, 3, 3), INT8, INT8, [1, 1], [1, 1],
                  [1, 1, 1, 1], True, True, flags=("--cpu=x86-64", "--features=-avx,-avx2,-avx512f"))
# Grouped: blocks of groups as matmuls on block-diagonal weights, per-channel
# zero points filling the other groups' columns. 8 groups of 4 -> 4 channels
# at 3x3: 4 groups would make 16 outputs but K = 144, not a multiple of 32,
# so all 8 in one matmul; 8 groups of 2 -> 4 at 2x2: two matmuls of 4
# groups (AVX2 pinned); 3 groups of 2 -> 3: no block fills a tile, the
# convolution loop.
integer_conv_case("qlinearconv_grouped", (1, 32, 7, 7), (32, 4, 3, 3), UINT8, INT8, [1, 1], [1, 1],
                  [1, 1, 1, 1], True, True, group=8)
integer_conv_case("convinteger_grouped_two_blocks", (2, 16, 6, 5), (32, 2, 2, 2), INT8, UINT8, [1, 1],
                  [1, 1], [0, 1, 0, 1], True, False, group=8,
                  flags=("--cpu=haswell", "--features=+avx2,+fma"))
integer_conv_case("qlinearconv_grouped_loop", (1, 6, 5, 5), (9, 2, 3, 3), UINT8, INT8, [2, 2], [1, 1],
                  [1, 1, 1, 1], False, True, group=3)
# Depthwise ConvInteger / QLinearConv (group = C = M) on channels-last codes:
# u8 codes flipped to signed bytes and padded with the zero point; per-channel
# weight zero points; stride 2 with uneven pads; a dilated 1-D one on int8;
# a 3-D one; QLinearConv's requantization after it.
integer_conv_case("convinteger_depthwise_s2", (2, 24, 11, 9), (24, 1, 3, 3), UINT8, UINT8, [2, 2], [1, 1],
                  [1, 0, 1, 1], True, False, group=24)
integer_conv_case("convinteger_depthwise_1d_dilated", (1, 40, 33), (40, 1, 5), INT8, INT8, [1], [2], [4, 3],
                  False, False, group=40)
integer_conv_case("convinteger_depthwise_3d", (1, 8, 5, 6, 7), (8, 1, 3, 2, 3), UINT8, INT8, [1, 1, 1],
                  [1, 1, 1], [1, 0, 1, 1, 1, 1], True, False, group=8)
integer_conv_case("qlinearconv_depthwise_i8_s2", (1, 32, 12, 12), (32, 1, 3, 3), INT8, INT8, [2, 2], [1, 1],
                  [1, 1, 1, 1], True, True, group=32)

# ONNX Runtime's dynamic quantization of a float MatMul: DynamicQuantizeLinear
# on the activations, MatMulInteger with int8 weights, then the scales:
# the codes, the i32 product and the f32 scaling all bit-exact.
def dynamic_quant_case(name, m, k, n, flags=()):
    x = rng.standard_normal((m, k)).astype(np.float32)
    w = rng.integers(-128, 128, size=(k, n)).astype(np.int8)
    ws = np.float32(0.0123)
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    xs = np.float32((np.float32(hi) - np.float32(lo)) / np.float32(255))
    xz = np.uint8(np.clip(np.rint(np.float32(0) - np.float32(lo) / xs), 0, 255))
    xq = np.clip(np.rint(x / xs) + xz, 0, 255).astype(np.uint8)
    acc = (xq.astype(np.int64) - int(xz)) @ w.astype(np.int64)
    y = acc.astype(np.int32).astype(np.float32) * np.float32(xs * ws)
    nodes = [helper.make_node("DynamicQuantizeLinear", ["X"], ["xq", "xs", "xz"]),
             helper.make_node("MatMulInteger", ["xq", "W", "xz"], ["acc"]),
             helper.make_node("Cast", ["acc"], ["accf"], to=FLOAT),
             helper.make_node("Mul", ["xs", "ws"], ["s"]),
             helper.make_node("Mul", ["accf", "s"], ["Y"])]
    mdl = model(nodes, [value_info("X", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                [tensor("W", w), tensor("ws", np.array(ws, np.float32))], opset=17)
    run(name, mdl, {"X": x}, {"Y": y.astype(np.float32)}, flags=flags)


dynamic_quant_case("dynamic_quant_matmul_m1", 1, 512, 64)
dynamic_quant_case("dynamic_quant_matmul_m8", 8, 256, 32)
# The Cast and the scales' Mul join the i32 product's epilogue (f32 stores
# from the AVX2 tiles; without vector instructions, the loop after it).
dynamic_quant_case("dynamic_quant_matmul_avx2", 20, 96, 40, flags=("--cpu=haswell", "--features=+avx2,+fma"))
dynamic_quant_case("dynamic_quant_matmul_portable", 5, 64, 24,
                   flags=("--cpu=x86-64", "--features=-avx,-avx2,-avx512f"))

# DynamicQuantizeLinear: ONNX's formula, exact.
def dynamic_quantize_case(name, x):
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((np.float32(hi) - np.float32(lo)) / np.float32(255))
    zp = np.uint8(np.clip(np.rint(np.float32(0) - np.float32(lo) / scale), 0, 255))
    yq = np.clip(np.rint(x / scale) + zp, 0, 255).astype(np.uint8)
    shape = list(x.shape)
    m = single("DynamicQuantizeLinear", [("x", FLOAT, shape)],
               [("y", UINT8, shape), ("ys", FLOAT, []), ("yz", UINT8, [])])
    run(name, m, {"x": x}, {"y": yq, "ys": np.array(scale, np.float32), "yz": np.array(zp, np.uint8)})


dynamic_quantize_case("dynamicquantizelinear", (rng.standard_normal((4, 8)) * 3).astype(np.float32))
# Large tensors take the parallel range kernel: 4 chunks of 547 vectors of
# 32 over 2187 whole vectors (the last chunk overlaps the third) and a
# tail of 17 elements. Each extreme placed where one part alone sees it.
for where_max, where_min in [(70000, 69983), (69984 - 1, 3 * 547 * 32), (0, 547 * 32 - 1)]:
    x = rng.uniform(-1, 1, size=(1, 70001)).astype(np.float32)
    x[0, where_max], x[0, where_min] = 5.5, -2.25
    dynamic_quantize_case(f"dynamicquantizelinear_range_{where_max}_{where_min}", x)
# All positive (the range's low end is the 0 it must include), 4-D.
dynamic_quantize_case("dynamicquantizelinear_positive_nchw",
                      rng.uniform(0.5, 3, size=(1, 24, 40, 40)).astype(np.float32))

runner.summary()
