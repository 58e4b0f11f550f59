"""MatMulNBits end-to-end cases (quantized.py and amx.py): a random weight
of 1-8 bits, its model, and the reference its kernel must meet."""
import numpy as np

from onnx_builder import FLOAT, single, tensor


def make_nbits_case(run, rng):
    """nbits_case(...) running through `run` (a Runner's) with `rng`."""

    def nbits_case(bits, block, k, n, with_zp, batch, accuracy_level=0, flags=(), kernel=None,
                   extremes=False, bf16=False):
        """MatMulNBits against a float64 reference of the same 1/2/3/4/8-bit weights.

        With accuracy_level 4 qcc's int8-dot kernel quantizes the activations per
        block (max-abs, ties to even, in f32 as ONNX Runtime does) to [-127, 127],
        the lut kernel to [-31, 31] (four of them sum into a table byte); the
        expected output is then that computation's float64 value, within the f32
        rounding bound of its terms, and the float64 reference of the f32 model
        within 3e-2 (int8) or 8e-2 (lut) of its largest magnitude (the price of
        quantized activations). `extremes`: codes only 0 and 2^bits - 1, inputs
        only +-1 (every activation byte +-127), the largest products a byte dot
        can meet. `bf16`: held to bf16-gemm's computation whatever the accuracy
        level (where the cost model picks it over the int8 kernels)."""
        if kernel:
            flags = tuple(flags) + ("--kernel=" + kernel,)
        qmax = 31 if kernel == "lut" else 127
        blocks = k // block
        q = rng.integers(0, 2 ** bits, size=(n, k)).astype(np.uint8)
        if extremes:
            q = (rng.integers(0, 2, size=(n, k)) * (2 ** bits - 1)).astype(np.uint8)
        scales = (rng.random((n, blocks)) * 0.1 + 0.01).astype(np.float32)
        zeros = rng.integers(0, 2 ** bits, size=(n, blocks)).astype(np.uint8) if with_zp else \
            np.full((n, blocks), 2 ** (bits - 1), np.uint8)

        def pack(codes, count):  # LSB-first bit stream per row
            bitsarr = ((codes[..., None] >> np.arange(bits)) & 1).reshape(codes.shape[0], -1)
            padded = np.zeros((codes.shape[0], ((count * bits + 7) // 8) * 8), np.uint8)
            padded[:, : bitsarr.shape[1]] = bitsarr
            return np.packbits(padded.reshape(codes.shape[0], -1, 8), axis=-1, bitorder="little").reshape(codes.shape[0], -1)

        packed = pack(q, k).reshape(n, blocks, block * bits // 8)
        inits = [tensor("B", packed), tensor("scales", scales.reshape(-1))]
        inputs = ["A", "B", "scales"]
        if with_zp:
            inits.append(tensor("zp", pack(zeros, blocks).reshape(-1)))
            inputs.append("zp")
        m = single("MatMulNBits", [("A", FLOAT, list(batch) + [k])], [("Y", FLOAT, list(batch) + [n])],
                   {"K": k, "N": n, "bits": bits, "block_size": block, "accuracy_level": accuracy_level},
                   initializers=inits,
                   domain="com.microsoft", extra_opsets=[("com.microsoft", 1)], node_inputs=inputs)
        w = (q.astype(np.float64) - np.repeat(zeros, block, axis=1)) * np.repeat(scales, block, axis=1)
        a = rng.standard_normal(list(batch) + [k]).astype(np.float32)
        if extremes:
            a = rng.choice(np.array([-1.0, 1.0], np.float32), size=list(batch) + [k])
        ref = a.astype(np.float64) @ w.T
        name = f"matmulnbits_w{bits}_g{block}{'_zp' if with_zp else ''}_b{'x'.join(map(str, batch))}"
        if extremes:
            name += "_extremes"
        if accuracy_level == 3 or bf16:
            # bf16-gemm: weights decoded in f32 then rounded to bf16, activations
            # rounded to bf16, products summed in f32.
            def bf16(x):
                b = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
                b = (b + 0x7FFF + ((b >> 16) & 1)) >> 16 << 16
                return b.astype(np.uint32).view(np.float32)
            w32 = (q.astype(np.float32) - np.repeat(zeros, block, axis=1).astype(np.float32)) * \
                np.repeat(scales, block, axis=1)
            exact = bf16(a).astype(np.float64).reshape(-1, k) @ bf16(w32).astype(np.float64).T
            bound = 8 * 2.0 ** -24 * (np.abs(bf16(a).astype(np.float64).reshape(-1, k)) @
                                      np.abs(bf16(w32).astype(np.float64)).T).max() * np.sqrt(k)
            out_shape = list(batch) + [n]
            name += "_bf16"
            run(name, m, {"A": a}, {"Y": exact.reshape(out_shape).astype(np.float32)},
                rtol=0, atol=bound, flags=flags)
            run(name + "_vs_f64", m, {"A": a}, {"Y": ref.astype(np.float32)},
                rtol=0, atol=3e-2 * np.abs(ref).max(), flags=flags)
            return
        if accuracy_level == 4:
            name += "_int8" + "".join(f.replace("--cpu=", "_").replace("--kernel=", "_") for f in flags)
            rows = a.reshape(-1, blocks, block)
            amax = np.abs(rows).max(axis=2)
            inv = np.where(amax > 0, np.float32(qmax) / np.maximum(amax, np.float32(1e-30)), np.float32(0)).astype(np.float32)
            xq = np.rint(rows * inv[..., None]).astype(np.float64)  # f32 product, ties to even
            a_scale = (amax / np.float32(qmax)).astype(np.float64)
            s = scales.astype(np.float64)[None] * a_scale[:, None, :]  # [rows, n, blocks]
            dots = np.einsum("mbj,nbj->mnb", xq, q.reshape(n, blocks, block).astype(np.float64))
            corr = zeros.astype(np.float64)[None] * xq.sum(axis=2)[:, None, :]
            exact = (s * (dots - corr)).sum(axis=2)
            # f32 products and sums of these terms: a few ulps of their magnitudes.
            bound = 8 * 2.0 ** -24 * (np.abs(s) * (np.abs(dots) + np.abs(corr))).sum(axis=2).max()
            out_shape = list(batch) + [n]
            run(name, m, {"A": a}, {"Y": exact.reshape(out_shape).astype(np.float32)},
                rtol=0, atol=bound, flags=flags)
            run(name + "_vs_f64", m, {"A": a}, {"Y": ref.astype(np.float32)},
                rtol=0, atol=(8e-2 if kernel == "lut" else 3e-2) * np.abs(ref).max(), flags=flags)
            return
        # f32 accumulation over K terms: relative error ~ K * 2^-24.
        run(name, m, {"A": a}, {"Y": ref.astype(np.float32)}, rtol=1e-4, atol=1e-4)

    return nbits_case
