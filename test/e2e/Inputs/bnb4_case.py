"""com.microsoft MatMulBnb4 end-to-end cases (quantized.py and amx.py):
bitsandbytes NF4 / FP4 codebooks, absmax per block of the [N, K] weight,
first code of a byte in its high nibble.

Default (f32 activations): against float64 of the decoded weights. With
int8 activations (--int8-activations --kernel=int8-gemm) on a pinned CPU,
int8-gemm maps the 16 entries onto an affine grid from the smallest to the
largest (byte = round((v - lo) / unit), value (byte - z) unit with z making
the rounding errors zero-mean: 127 steps for an AVX2 CPU without VNNI,
haswell, 255 with VNNI, e.g. sapphirerapids) and quantizes activations to
int8, so it is held to the float64 value of that integer computation within
f32 rounding. With bf16 (int8 allowed, the cost model choosing bf16-gemm):
held to the bf16 computation within f32 rounding."""
import numpy as np
from onnx import helper

from onnx_builder import FLOAT, model, tensor, value_info

NF4_VALUES = np.array([-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
                       -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
                       0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
                       0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                       0.7229568362236023, 1.0], np.float32).astype(np.float64)
BNB_FP4_VALUES = np.array([0, 5.208333333e-03, 0.66666667, 1, 0.33333333, 0.5, 0.16666667, 0.25,
                           -0.0, -5.208333333e-03, -0.66666667, -1, -0.33333333, -0.5, -0.16666667,
                           -0.25], np.float32).astype(np.float64)

# The pinned CPU of the int8 cases and its grid's steps.
INT8_CPUS = {"haswell": (127, ("--cpu=haswell", "--features=+avx2,+fma")),
             "sapphirerapids": (255, ("--cpu=sapphirerapids",))}


def make_bnb4_case(run, rng):
    """bnb4_case(...) running through `run` (a Runner's) with `rng`."""

    def bnb4_case(name, k, n, m, block, quant_type, int8, flags=(), int8_cpu="haswell",
                  bf16=False):
        codes = rng.integers(0, 16, size=(n, k)).astype(np.uint8)
        flat = codes.reshape(-1)
        packed = ((flat[0::2] << 4) | flat[1::2]).astype(np.uint8)
        absmax = (rng.random(n * k // block) * 0.05 + 0.01).astype(np.float32)
        node = helper.make_node("MatMulBnb4", ["A", "B", "absmax"], ["Y"], domain="com.microsoft",
                                K=k, N=n, block_size=block, quant_type=quant_type)
        mdl = model([node], [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                    [tensor("B", packed), tensor("absmax", absmax)], opset=17,
                    extra_opsets=[("com.microsoft", 1)])
        table = NF4_VALUES if quant_type == 1 else BNB_FP4_VALUES
        s = absmax.astype(np.float64).reshape(n, k // block)
        a = rng.standard_normal((m, k)).astype(np.float32)
        if bf16:
            # bf16-gemm (int8 allowed; the cost model's choice from 384 rows
            # on AMX-BF16): entries times absmax in f32, rounded to bf16,
            # activations rounded to bf16, products summed in f32.
            def to_bf16(x):
                b = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
                b = (b + 0x7FFF + ((b >> 16) & 1)) >> 16 << 16
                return b.astype(np.uint32).view(np.float32).astype(np.float64)
            w32 = table.astype(np.float32)[codes] * np.repeat(absmax.reshape(n, k // block), block, axis=1)
            a16, w16 = to_bf16(a), to_bf16(w32)
            bound = 8 * 2.0 ** -24 * (np.abs(a16) @ np.abs(w16).T).max() * np.sqrt(k)
            run(name, mdl, {"A": a}, {"Y": (a16 @ w16.T).astype(np.float32)}, rtol=0, atol=bound,
                flags=("--int8-activations",) + tuple(flags))
            return
        if not int8:
            w = table[codes] * np.repeat(s, block, axis=1)
            run(name, mdl, {"A": a}, {"Y": (a.astype(np.float64) @ w.T).astype(np.float32)},
                rtol=1e-4, atol=1e-4, flags=flags)
            return
        steps, cpu_flags = INT8_CPUS[int8_cpu]
        lo, hi = table.min(), table.max()
        unit = (hi - lo) / steps
        grid = np.floor((table - lo) / unit + 0.5)  # round half away (all >= 0)
        zshift = np.mean(grid - table / unit)  # zero-mean rounding error
        rows_q = a.reshape(m, k // block, block)
        amax = np.abs(rows_q).max(axis=2)
        inv = np.where(amax > 0, np.float32(127) / np.maximum(amax, np.float32(1e-30)),
                       np.float32(0)).astype(np.float32)
        xq = np.rint(rows_q * inv[..., None]).astype(np.float64)
        a_scale = (amax / np.float32(127)).astype(np.float64)
        u = (grid[codes] - zshift).reshape(n, k // block, block)
        terms = a_scale[:, None, :] * (s * unit)[None] * np.einsum("mbj,nbj->mnb", xq, u)
        bound = 8 * 2.0 ** -24 * np.abs(terms).sum(axis=2).max()
        run(name, mdl, {"A": a}, {"Y": terms.sum(axis=2).astype(np.float32)}, rtol=0, atol=bound,
            flags=("--int8-activations", "--kernel=int8-gemm") + cpu_flags)

    return bnb4_case
