#!/usr/bin/python3
"""qcc's first benchmark: single-layer GEMV/GEMM models, qcc against ONNX Runtime.

For each shape (K x N, /work/shared/BENCHMARKS.md), batch M and weight format it
builds one ONNX model (com.microsoft MatMulNBits with accuracy_level 4, or a
float32 MatMul twin), compiles it with `build/bin/qcc model.onnx -o lib.so`,
and times the same .onnx in qcc (`qcc-run lib.so --bench N --threads 2`) and in
ONNX Runtime 1.30 through its Node binding (bench/ort_bench.js, 2 intra-op
threads), alternating the two over several rounds. Per case it prints the
median time of each, the ratio ORT/qcc (> 1: qcc faster), the achieved GB/s
(weight + scale + zero-point bytes per run) and the read bandwidth of the same
number of bytes measured in the same run (bench/read_bandwidth.c, 2 threads),
the compile time, and how far qcc's output is from ORT's and from a numpy
reference computed from the same weights.

Two working-set regimes (BENCHMARKS.md): single layers repeated are
L3-resident when they fit; with --dram (on by default in a full run) every
shape is also run as distinct layers whose weights exceed 2x the L3 size,
timed per layer, next to the read bandwidth of a buffer > 2x L3: square
shapes as a chain (each layer's output the next one's input), the others as
a sum (every layer reads the input; Y is the sum of their outputs).

It is a benchmark, not a test: CI does not run it. Run it through bench/run.
"""
import argparse
import copy
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SHAPES = {  # name: (K, N), K the reduction
    "attn-proj": (4096, 4096),
    "ffn-up": (4096, 14336),
    "ffn-down": (14336, 4096),
    "ffn-up-2": (4096, 11008),
    "ffn-down-2": (11008, 4096),
}
QUICK_SHAPES = {"quick-square": (1024, 1024), "quick-up": (1024, 2816), "quick-down": (2816, 1024)}
# bits, block size, explicit uint4/uint2 zero points (else the default 2^(bits-1))
FORMATS = {
    "w4g128zp": (4, 128, True),
    "w4g32": (4, 32, False),
    "w2g32": (2, 32, False),
    "w2g128": (2, 128, False),
    # 3-bit codes, default zero point 4 (no ORT run: its MatMulNBits takes
    # 2, 4 and 8 bits). The bits are one little-endian stream per row.
    "w3g128": (3, 128, False),
    "w8g128": (8, 128, False),
    # Binary weights: 1-bit codes, +-scale / 2 through float zero points 0.5
    # (MatMulNBits bits=1 is qcc's extension; ONNX Runtime's kernel takes 2-8
    # bits, so W1 has no ORT column).
    "w1g128": (1, 128, False),
    # Ternary (BitNet b1.58-style): 2-bit codes 1..3 around the default zero
    # point 2, one scale a row (every block's scale equal); ORT runs it as W2.
    "t158": "t158",
    "f32": None,  # float32 MatMul twin
    # QDQ: DequantizeLinear(int8 [K, N], per column) -> MatMul. ORT 1.30 runs
    # it on int8 activations too (its output differs from float64 by ~5e-3),
    # so it is checked against ORT like MatMulNBits.
    "qdq8": "qdq8",
    # The same model compiled with --int8-activations: activations quantized
    # per block as ORT's QDQ path does, the int8-gemm kernel.
    "qdq8i8": "qdq8",
    # ONNX Runtime's dynamic int8 quantization: DynamicQuantizeLinear ->
    # MatMulInteger (int8 weights, per tensor) -> scales.
    "dynq8": "dynq8",
    # Static QDQ int8: Q -> DQ on the activations, DQ on int8 weights, MatMul.
    "qdqa8": "qdqa8",
    # FP8 weights: DequantizeLinear(float8 E4M3FN [K, N], per column) -> MatMul
    # (opset 21); qcc decodes the codes in its f32 kernel.
    "fp8": "fp8",
    # FP4 E2M1 weights: DequantizeLinear(float4 [K, N], blocks of K) -> MatMul
    # (opset 23), MXFP4 with E8M0 power-of-two scales per 32, NVFP4-shaped
    # with f32 scales per 16. Compiled with --int8-activations (a QDQ model
    # has no accuracy_level): the int8-gemm kernel decodes the codes through
    # a 16-entry table. ONNX Runtime 1.30's CPU provider has no FP4
    # DequantizeLinear (nor E8M0 scales): no ORT column.
    "mxfp4": "mxfp4",
    "nvfp4": "nvfp4",
    # NF4 (QLoRA / bitsandbytes): com.microsoft MatMulBnb4, absmax per 64.
    # ONNX Runtime runs it (dequantize, then float32 MatMul); qcc with
    # --int8-activations decodes the codebook indices through a 16-entry
    # table onto an int8 grid (int8-gemm).
    "nf4": "nf4",
    # The same NF4 model compiled without flags: f32 activations, each code's
    # value looked up exactly (vpermps) in the f32 kernels.
    "nf4f32": "nf4",
}
# qcc flags per format (others compile with none).
QCC_FLAGS = {"mxfp4": ["--int8-activations"], "nvfp4": ["--int8-activations"],
             "nf4": ["--int8-activations"], "qdq8i8": ["--int8-activations"]}
NF4_VALUES = [-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
              -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
              0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
              0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0]
ACCURACY_LEVEL = 4
# ORT's MatMulNBits with accuracy_level 4 quantizes the activations to int8
# blocks before its integer dot products, so it is not a float32 result: qcc
# (float32 accumulation of exact decoded weights) is compared with it loosely.
TOL_ORT_NBITS = 3e-2  # max |qcc - ORT| / max |ORT|
TOL_ORT_F32 = 1e-4
TOL_REF = 1e-4  # max |qcc - numpy| / max |numpy|, numpy float64 from the same weights
# qcc's int8-dot and int8-gemm kernels (chosen for accuracy_level 4, like ORT's) quantize the
# activations to int8 per weight block as ORT does: they are held to the same
# bound against the float64 reference as ORT's own output.
TOL_REF_INT8 = TOL_ORT_NBITS
# bf16-gemm (chosen at accuracy_level 4 too, from 128 rows where the blocks
# are shorter than 64 on AMX) rounds activations and decoded weights to bf16:
# ~2e-3 of the output's largest magnitude on these shapes (int8's 5e-3), held
# to the bound accuracy_level 4 grants.
TOL_REF_BF16 = TOL_ORT_NBITS
# qcc's lut kernel (chosen for 1- and 2-bit codes at accuracy_level 4) quantizes
# activations to [-31, 31] so that four of them sum into a table byte: its
# stated bound, against the reference and against ORT's int8 result alike.
TOL_LUT = 8e-2
# Formats ONNX Runtime's MatMulNBits does not take (bits = 1): no ORT column.
# Formats ONNX Runtime 1.30's CPU provider cannot run: MatMulNBits takes
# bits 2, 4 and 8 only; no FP4 DequantizeLinear.
NO_ORT = {"w1g128", "w3g128", "mxfp4", "nvfp4"}
# Rows of a chain's input the float64 reference follows (all where M is less).
REF_CHAIN_ROWS = 16
# Formats whose layer is more than a MatMul-like node after constant
# DequantizeLinears (no copies of a layer).
NO_COPIES = {"dynq8", "qdqa8"}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------
# Models


def pack_bits(codes, bits):
    """uint8 codes [..., L] -> bytes [..., ceil(L*bits/8)], low bits first (MatMulNBits)."""
    if 8 % bits:  # 3, 5, 6, 7 bits: one little-endian bit stream along L
        stream = ((codes[..., None] >> np.arange(bits, dtype=np.uint8)) & 1).reshape(codes.shape[:-1] + (-1,))
        pad = -stream.shape[-1] % 8
        if pad:
            stream = np.concatenate([stream, np.zeros(stream.shape[:-1] + (pad,), np.uint8)], -1)
        return np.packbits(stream, axis=-1, bitorder="little")
    per = 8 // bits
    length = codes.shape[-1]
    padded = -(-length // per) * per
    if padded != length:
        codes = np.concatenate([codes, np.zeros(codes.shape[:-1] + (padded - length,), np.uint8)], -1)
    c = codes.reshape(codes.shape[:-1] + (padded // per, per))
    out = np.zeros(c.shape[:-1], np.uint8)
    for i in range(per):
        out |= (c[..., i] & ((1 << bits) - 1)) << (bits * i)
    return out


class Layer:
    """One layer's initializers, node and float32 weights [K, N] for the reference."""

    def __init__(self, fmt, k, n, rng, index):
        self.inits, self.bytes = [], 0
        self.fmt, self.k, self.n, self.index = fmt, k, n, index
        spec = FORMATS[fmt]
        self.extra_nodes = []
        if spec == "fp8":
            # Random finite E4M3FN codes (0x7F / 0xFF are NaN).
            codes = rng.integers(0, 256, size=(k, n), dtype=np.uint16)
            codes = np.where((codes & 0x7F) == 0x7F, codes - 1, codes).astype(np.uint8)
            sign = np.where(codes & 0x80, -1.0, 1.0)
            e = (codes >> 3) & 0xF
            mant = (codes & 7).astype(np.float64)
            val = sign * np.where(e == 0, mant / 8 * 2.0 ** -6, (1 + mant / 8) * 2.0 ** (e.astype(np.float64) - 7))
            scales = (np.float32(1.0) / np.float32(math.sqrt(k) * 100.0) *
                      (rng.random(n, dtype=np.float32) * 0.5 + 0.75)).astype(np.float32)
            wq = TensorProto()  # onnx 1.12's helpers predate float8 (type 17)
            wq.name, wq.data_type, wq.raw_data = f"Wq{index}", 17, codes.tobytes()
            wq.dims.extend([k, n])
            self.inits += [wq, numpy_helper.from_array(scales, f"Ws{index}")]
            self.bytes = codes.nbytes + scales.nbytes
            self.weight = (val * scales[None, :]).astype(np.float32)
            self.extra_nodes = [helper.make_node("DequantizeLinear", [f"Wq{index}", f"Ws{index}"],
                                                 [f"W{index}"], axis=1, name=f"dq{index}")]
            self.node_inputs, self.op, self.attrs, self.domain = [f"W{index}"], "MatMul", {}, ""
            return
        if spec == "nf4":
            block = 64
            codes = rng.integers(0, 16, size=(n, k), dtype=np.uint8)  # [N, K]
            flat = codes.reshape(-1)
            packed = ((flat[0::2] << 4) | flat[1::2]).astype(np.uint8)  # first code high
            target = 1.0 / (0.53 * math.sqrt(k))  # rms of NF4's values ~0.53
            absmax = (target * (rng.random(n * k // block) * 0.5 + 0.75)).astype(np.float32)
            self.inits += [numpy_helper.from_array(packed, f"B{index}"),
                           numpy_helper.from_array(absmax, f"absmax{index}")]
            self.bytes = packed.nbytes + absmax.nbytes
            w = np.array(NF4_VALUES, np.float32)[codes] * np.repeat(absmax, block).reshape(n, k)
            self.weight = np.ascontiguousarray(w.T)  # [K, N]
            self.node_inputs = [f"B{index}", f"absmax{index}"]
            self.op, self.domain = "MatMulBnb4", "com.microsoft"
            self.attrs = {"K": k, "N": n, "block_size": block, "quant_type": 1}
            return
        if spec in ("mxfp4", "nvfp4"):
            mx = spec == "mxfp4"
            block = 32 if mx else 16
            codes = rng.integers(0, 16, size=(k, n), dtype=np.uint8)
            flat = codes.reshape(-1)
            values = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6], np.float64)
            val = np.where(codes & 8, -1.0, 1.0) * values[codes & 7]  # rms ~2.9
            wq = TensorProto()  # onnx 1.12's helpers predate float4 (type 23)
            wq.name, wq.data_type = f"Wq{index}", 23
            wq.raw_data = (flat[0::2] | (flat[1::2] << 4)).astype(np.uint8).tobytes()
            wq.dims.extend([k, n])
            target = 1.0 / (2.9 * math.sqrt(k))  # outputs ~ unit for unit inputs
            if mx:
                e = (np.round(np.log2(target)) + 127 + rng.integers(-1, 2, size=(k // block, n))).astype(np.uint8)
                scales = 2.0 ** (e.astype(np.float64) - 127)
                ws = TensorProto()
                ws.name, ws.data_type, ws.raw_data = f"Ws{index}", 24, e.tobytes()  # FLOAT8E8M0
                ws.dims.extend([k // block, n])
                attrs = {"axis": 0, "block_size": block, "output_dtype": TensorProto.FLOAT}
                self.bytes = codes.size // 2 + e.nbytes
            else:
                sf = (target * (rng.random((k // block, n)) * 0.5 + 0.75)).astype(np.float32)
                scales = sf.astype(np.float64)
                ws = numpy_helper.from_array(sf, f"Ws{index}")
                attrs = {"axis": 0, "block_size": block}
                self.bytes = codes.size // 2 + sf.nbytes
            self.inits += [wq, ws]
            self.weight = (val * np.repeat(scales, block, axis=0)).astype(np.float32)
            self.extra_nodes = [helper.make_node("DequantizeLinear", [f"Wq{index}", f"Ws{index}"],
                                                 [f"W{index}"], name=f"dq{index}", **attrs)]
            self.node_inputs, self.op, self.attrs, self.domain = [f"W{index}"], "MatMul", {}, ""
            return
        if spec == "dynq8":
            # ONNX Runtime's dynamic quantization (quantize_dynamic): the
            # activations quantized to uint8 per tensor at run time
            # (DynamicQuantizeLinear), MatMulInteger on int8 weights, then
            # the two scales. qcc runs the integer product exactly
            # (int8-exact), as ORT does.
            q = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
            ws = np.float32(1.0 / math.sqrt(k * (255.0 ** 2) / 12.0))
            self.inits += [numpy_helper.from_array(q, f"Wq{index}"),
                           numpy_helper.from_array(np.array(ws, np.float32), f"Ws{index}")]
            self.bytes = q.nbytes + 4
            self.weight = q.astype(np.float32) * ws

            def nodes_for(x, y, i=index):
                return [helper.make_node("DynamicQuantizeLinear", [x], [f"xq{i}", f"xs{i}", f"xz{i}"],
                                         name=f"dql{i}"),
                        helper.make_node("MatMulInteger", [f"xq{i}", f"Wq{i}", f"xz{i}"], [f"acc{i}"],
                                         name=f"layer{i}"),
                        helper.make_node("Cast", [f"acc{i}"], [f"accf{i}"], to=TensorProto.FLOAT,
                                         name=f"cast{i}"),
                        helper.make_node("Mul", [f"xs{i}", f"Ws{i}"], [f"s{i}"], name=f"scale{i}"),
                        helper.make_node("Mul", [f"accf{i}", f"s{i}"], [y], name=f"out{i}")]
            self.nodes_for = nodes_for
            return
        if spec == "qdqa8":
            # Static QDQ (quantize_static's format): QuantizeLinear ->
            # DequantizeLinear on the activations (uint8, per tensor, a fixed
            # scale for N(0, 1) inputs), DequantizeLinear on int8 weights
            # (per column), MatMul. qcc: the integer product of the codes
            # (int8-exact), as ORT's QDQ fusion.
            q = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
            scales = ((rng.random(n, dtype=np.float32) * 0.5 + 0.75) /
                      np.float32(math.sqrt(k * (255.0 ** 2) / 12.0))).astype(np.float32)
            xs, xz = np.float32(8.0 / 255.0), np.uint8(128)
            self.inits += [numpy_helper.from_array(q, f"Wq{index}"),
                           numpy_helper.from_array(scales, f"Ws{index}"),
                           numpy_helper.from_array(np.array(xs, np.float32), f"xs{index}"),
                           numpy_helper.from_array(np.array(xz, np.uint8), f"xz{index}")]
            self.bytes = q.nbytes + scales.nbytes
            self.weight = q.astype(np.float32) * scales[None, :]

            def nodes_for(x, y, i=index):
                return [helper.make_node("QuantizeLinear", [x, f"xs{i}", f"xz{i}"], [f"xq{i}"], name=f"q{i}"),
                        helper.make_node("DequantizeLinear", [f"xq{i}", f"xs{i}", f"xz{i}"], [f"xd{i}"],
                                         name=f"dqx{i}"),
                        helper.make_node("DequantizeLinear", [f"Wq{i}", f"Ws{i}"], [f"W{i}"], axis=1,
                                         name=f"dq{i}"),
                        helper.make_node("MatMul", [f"xd{i}", f"W{i}"], [y], name=f"layer{i}")]
            self.nodes_for = nodes_for
            return
        if spec == "qdq8":
            q = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
            scales = ((rng.random(n, dtype=np.float32) * 0.5 + 0.75) /
                      np.float32(math.sqrt(k * (255.0 ** 2) / 12.0))).astype(np.float32)
            zeros = np.zeros(n, np.int8)
            self.inits += [numpy_helper.from_array(q, f"Wq{index}"),
                           numpy_helper.from_array(scales, f"Ws{index}"),
                           numpy_helper.from_array(zeros, f"Wz{index}")]
            self.bytes = q.nbytes + scales.nbytes + zeros.nbytes
            self.weight = q.astype(np.float32) * scales[None, :]
            self.extra_nodes = [helper.make_node("DequantizeLinear", [f"Wq{index}", f"Ws{index}", f"Wz{index}"],
                                                 [f"W{index}"], axis=1, name=f"dq{index}")]
            self.node_inputs, self.op, self.attrs, self.domain = [f"W{index}"], "MatMul", {}, ""
            return
        if spec is None:
            w = (rng.standard_normal((k, n), dtype=np.float32) / np.float32(math.sqrt(k))).astype(np.float32)
            self.inits.append(numpy_helper.from_array(w, f"W{index}"))
            self.bytes = w.nbytes
            self.weight = w
            self.node_inputs, self.op, self.attrs, self.domain = [f"W{index}"], "MatMul", {}, ""
            return
        ternary = spec == "t158"
        bits, block, with_zp = (2, 128, False) if ternary else spec
        blocks = k // block
        if ternary:
            q = rng.integers(1, 4, size=(n, blocks, block), dtype=np.uint8)
            base = 1.0 / math.sqrt(k * 2.0 / 3.0)
            scales = np.repeat((rng.random((n, 1), dtype=np.float32) * 0.5 + 0.75) * np.float32(base),
                               blocks, axis=1)
        else:
            q = rng.integers(0, 1 << bits, size=(n, blocks, block), dtype=np.uint8)
            # Binary weights are +-scale / 2 (float zero point 0.5), not
            # {-1, 0} (the default 2^(bits-1)): zero-mean like the others.
            var = 0.25 if bits == 1 else ((1 << bits) ** 2 - 1) / 12.0  # of a uniform code
            base = 1.0 / math.sqrt(k * var)  # outputs ~ unit for unit inputs
            scales = (rng.random((n, blocks), dtype=np.float32) * 0.5 + 0.75) * np.float32(base)
        if with_zp:
            zeros = rng.integers(0, 1 << bits, size=(n, blocks), dtype=np.uint8)
        elif bits == 1:
            zeros = np.full((n, blocks), 0.5, np.float32)
        else:
            zeros = np.full((n, blocks), 1 << (bits - 1), np.uint8)
        packed = pack_bits(q, bits)  # [N, blocks, block*bits/8]
        self.inits.append(numpy_helper.from_array(packed, f"B{index}"))
        self.inits.append(numpy_helper.from_array(scales.reshape(-1), f"scales{index}"))
        self.bytes = packed.nbytes + scales.nbytes
        self.node_inputs = [f"B{index}", f"scales{index}"]
        if bits == 1 and not with_zp:
            self.inits.append(numpy_helper.from_array(zeros.reshape(-1), f"zp{index}"))
            self.bytes += zeros.nbytes
            self.node_inputs.append(f"zp{index}")
        if with_zp:
            zp = pack_bits(zeros, bits).reshape(-1)  # [N * ceil(blocks*bits/8)]
            self.inits.append(numpy_helper.from_array(zp, f"zp{index}"))
            self.bytes += zp.nbytes
            self.node_inputs.append(f"zp{index}")
        w = (q.astype(np.float32) - zeros[..., None].astype(np.float32)) * scales[..., None]
        self.weight = np.ascontiguousarray(w.reshape(n, k).T)  # [K, N]
        self.op, self.domain = "MatMulNBits", "com.microsoft"
        self.attrs = {"K": k, "N": n, "bits": bits, "block_size": block, "accuracy_level": ACCURACY_LEVEL}

    def bound_gain(self, steps=12):
        """For a chain (K == N): divides a MatMulNBits or MatMulBnb4 layer's scales by its
        weight's gain on the vector it amplifies most (power iteration), so
        that activations stay near 1 through a chain. A zero point off the
        codes' mean (W2's default 2 for codes 0..3) gives each layer a rank-one
        gain of about K times the mean weight: ~29 at K = 4096, which a chain
        of 100 layers takes past float64's range. NF4's 16 values average
        0.086, not 0: a gain of ~10 a layer (MatMulBnb4: its absmax scales)."""
        scale_names = {"MatMulNBits": f"scales{self.index}", "MatMulBnb4": f"absmax{self.index}"}
        if self.op not in scale_names:
            return
        v = np.ones(self.k, np.float32) / np.float32(math.sqrt(self.k))
        gains = []
        for _ in range(steps):
            u = v @ self.weight
            gains.append(float(np.linalg.norm(u)))
            v = u / np.float32(gains[-1])
        gain = math.exp(sum(map(math.log, gains[-4:])) / 4)  # a complex pair's gain oscillates
        name = scale_names[self.op]
        for i, init in enumerate(self.inits):
            if init.name == name:
                scales = numpy_helper.to_array(init) / np.float32(gain)
                self.inits[i] = numpy_helper.from_array(scales.astype(np.float32), name)
        self.weight = (self.weight / np.float32(gain)).astype(np.float32)


def copy_shift(fmt, index):
    """How many output columns copy `index` of a layer is rotated by: its
    index, doubled for FP4 (two codes a byte along N: an even rotation moves
    whole bytes)."""
    return 2 * index if FORMATS[fmt] in ("mxfp4", "nvfp4") else index


def copy_layer(first, index, roll=False):
    """`first` (index 0) again under index `index`'s names: the same bytes,
    which a DRAM chain of copies keeps at distinct addresses. For the
    single-node formats (MatMulNBits, MatMulBnb4, MatMul) and the two-node
    QDQ ones (DequantizeLinear -> MatMul: fp8, qdq8, mxfp4, nvfp4). With
    roll=True the weight's N columns are rotated by copy_shift (output
    column j is the first layer's column j - shift): the same values,
    other bytes, which ONNX Runtime cannot share (given identical
    initializers it keeps one copy, and its layers read from cache: 675
    against 1795 µs a W4 ffn-up layer from DRAM)."""
    if getattr(first, "nodes_for", None):
        raise ValueError(f"format {first.fmt}: copies need a MatMul-like layer")
    shift = copy_shift(first.fmt, index)

    def rolled(init):
        """The initializer with its N columns rotated by `shift`: a QDQ
        layer's [K, N] codes and [N] or [K / block, N] scales along their
        last axis (raw float8 / float4 / E8M0 bytes too), the packed
        MatMulNBits / MatMulBnb4 ones' leading N."""
        if init.data_type in (17, 23, 24):  # raw bytes numpy_helper cannot read here
            row_bytes = len(init.raw_data) // init.dims[0]
            per_byte = 2 if init.data_type == 23 else 1
            raw = np.frombuffer(init.raw_data, np.uint8).reshape(init.dims[0], row_bytes)
            clone = TensorProto()
            clone.CopyFrom(init)
            clone.raw_data = np.ascontiguousarray(np.roll(raw, shift // per_byte, axis=1)).tobytes()
            return clone
        values = numpy_helper.to_array(init)
        if first.op == "MatMul":
            values = np.roll(values, shift, axis=-1)
        else:
            values = np.roll(values.reshape(first.n, -1), shift, axis=0).reshape(values.shape)
        return numpy_helper.from_array(np.ascontiguousarray(values), init.name)

    def renamed(name):
        assert name.endswith("0"), name
        return name[:-1] + str(index)

    layer = copy.copy(first)
    layer.index, layer.inits = index, []
    for init in first.inits:
        clone = TensorProto()
        clone.CopyFrom(rolled(init) if roll else init)
        clone.name = renamed(init.name)
        layer.inits.append(clone)
    layer.node_inputs = [renamed(name) for name in first.node_inputs]
    layer.extra_nodes = []
    for node in first.extra_nodes:
        clone = copy.deepcopy(node)
        clone.name = renamed(node.name)
        clone.input[:] = [renamed(name) for name in node.input]
        clone.output[:] = [renamed(name) for name in node.output]
        layer.extra_nodes.append(clone)
    return layer


def build_model(fmt, k, n, m, layers, seed, copies=False, form="chain", roll=None):
    """`layers` layers A[M,K] -> Y[M,N]: with form "chain" (K == N when
    layers > 1) each layer's output is the next one's input; with form "sum"
    (any K, N) every layer reads A and Y is the sum of their outputs, an Add
    a layer (a residual stream: the shape of the non-square FFN layers in a
    working set past the L3). The layers are distinct, or with copies=True
    the first one repeated under new names (the same bytes at distinct
    addresses: as DRAM-bound as distinct layers, and its library compresses
    to one layer's size for carrying to another machine). The copies are
    rotated along N (copy_layer) where roll is true, by default in a sum:
    ONNX Runtime shares identical initializers."""
    assert form in ("chain", "sum")
    rng = np.random.default_rng(seed)
    # The input from its own stream, first, so that the float64 reference
    # follows the chain layer by layer: a chain past 2x a 480 MiB L3 has
    # 352 W1 layers, whose decoded float32 weights (64 MiB each) would not
    # fit in memory all at once.
    a = np.random.default_rng([seed, 1]).standard_normal((m, k), dtype=np.float32)
    chain = form == "chain"
    roll = not chain if roll is None else roll
    # A chain's reference follows its first 16 rows (each layer a float64
    # matmul: at M = 128 a 106-layer chain took minutes in numpy).
    ref = a[:REF_CHAIN_ROWS].astype(np.float64) if chain else np.zeros((m, n))
    nodes, inits, ls = [], [], []
    for i in range(layers):
        if copies and i > 0:
            layer = copy_layer(ls[0], i, roll=roll)
        else:
            layer = Layer(fmt, k, n, rng, i)
            if layers > 1 and chain:
                layer.bound_gain()
        if chain:
            x = "A" if i == 0 else f"X{i}"
            y = "Y" if i == layers - 1 else f"X{i + 1}"
        else:  # P_i = A W_i; S_0 = P_0, S_i = S_(i-1) + P_i; Y = S_(L-1)
            x = "A"
            y = "Y" if layers == 1 else f"P{i}"
        if getattr(layer, "nodes_for", None):
            nodes += layer.nodes_for(x, y)
        else:
            nodes += layer.extra_nodes
            nodes.append(helper.make_node(layer.op, [x] + layer.node_inputs, [y], name=f"layer{i}",
                                          domain=layer.domain, **layer.attrs))
        if not chain and i > 0:
            total = "Y" if i == layers - 1 else f"S{i}"
            nodes.append(helper.make_node("Add", ["P0" if i == 1 else f"S{i - 1}", y], [total], name=f"sum{i}"))
        inits += layer.inits
        ls.append(layer)
        shift = copy_shift(fmt, i) if copies and roll and i > 0 else 0
        if chain:
            # Copies share the first layer's weight: converted once (106
            # conversions of a 4096 x 4096 weight took minutes at M = 128).
            if i == 0 or not copies:
                w64 = layer.weight.astype(np.float64)
            ref = np.roll(ref @ w64, shift, axis=1)
        elif copies and i > 0:
            ref += np.roll(product, shift, axis=1)  # the first layer's, its columns rotated
        else:
            product = a.astype(np.float64) @ layer.weight.astype(np.float64)
            ref += product
        if i > 0:
            layer.weight = None  # done with (layer 0's stays: copies are made of it)
    graph = helper.make_graph(nodes, "bench",
                              [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])],
                              initializer=inits)
    opset = 23 if fmt in ("mxfp4", "nvfp4") else 21 if fmt == "fp8" else 17
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                    helper.make_opsetid("com.microsoft", 1)],
                              producer_name="qcc-bench")
    model.ir_version = 9 if opset >= 23 else 8
    return model, a, ref, sum(layer.bytes for layer in ls)


# ----------------------------------------------------------------------------
# Running


class Bench:
    def __init__(self, args):
        self.args = args
        self.qcc = os.path.join(args.bin, "qcc")
        self.qcc_run = os.path.join(args.bin, "qcc-run")
        self.work = args.workdir
        os.makedirs(self.work, exist_ok=True)
        self.rb = os.path.join(self.work, "read_bandwidth")
        cmd = [args.cc, "-O3", "-march=native", "-fopenmp", os.path.join(HERE, "read_bandwidth.c"), "-o", self.rb]
        subprocess.run(cmd, check=True)

    def bandwidth(self, nbytes, samples=11):
        r = subprocess.run([self.rb, str(int(nbytes)), str(self.args.threads), str(samples)],
                           check=True, capture_output=True, text=True)
        return float(r.stdout.strip())

    def compile(self, onnx_path, lib, flags=()):
        t0 = time.monotonic()
        r = subprocess.run([self.qcc, onnx_path, "-o", lib, "--report", *flags], capture_output=True, text=True)
        wall = time.monotonic() - t0
        if r.returncode != 0:
            raise RuntimeError("qcc failed: " + (r.stdout + r.stderr).strip()[-2000:])
        found = re.search(r"wrote .* in ([0-9.]+) s", r.stderr + r.stdout)
        kernel = re.search(r"-> ([a-z0-9-]+)", r.stderr)
        return (float(found.group(1)) if found else wall), (kernel.group(1) if kernel else "-")

    def run_qcc(self, lib, a_npy, runs, output_dir=None):
        cmd = [self.qcc_run, lib, "--input", f"A={a_npy}", "--bench", str(runs),
               "--threads", str(self.args.threads)]
        if output_dir:
            cmd += ["--output-dir", output_dir]
        r = subprocess.run(cmd, capture_output=True, text=True)
        found = re.search(r"median ([0-9.]+) us", r.stdout)
        if r.returncode != 0 or not found:
            raise RuntimeError("qcc-run failed: " + (r.stdout + r.stderr).strip()[-2000:])
        return float(found.group(1))

    def run_ort(self, onnx_path, a_f32, dims, runs, output=None, budget_s=None, warmup=2):
        cmd = [self.args.node, os.path.join(HERE, "ort_bench.js"), onnx_path, a_f32,
               ",".join(map(str, dims)), str(runs), "--threads", str(self.args.threads),
               "--warmup", "1" if output else str(warmup)]
        if budget_s:
            cmd += ["--budget-s", str(budget_s)]
        if output:
            cmd += ["--output", output]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("ort_bench.js failed: " + (r.stdout + r.stderr).strip()[-2000:])
        return json.loads(r.stdout.strip().splitlines()[-1])["median_us"]

    def case(self, shape, k, n, m, fmt, layers, regime, seed, form="chain"):
        args = self.args
        tag = f"{shape}_m{m}_{fmt}" + (f"_x{layers}{form}" if layers > 1 else "")
        d = os.path.join(self.work, tag)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        onnx_path, lib = os.path.join(d, "model.onnx"), os.path.join(d, "lib.so")
        a_npy, a_f32 = os.path.join(d, "a.npy"), os.path.join(d, "a.f32")
        t0 = time.monotonic()
        # A DRAM case's layers are copies of its first one with their
        # columns rotated (distinct bytes: as DRAM-bound, built in seconds
        # rather than minutes) where the layer is MatMul-like.
        copies = layers > 1 and not args.dram_distinct and fmt not in NO_COPIES
        model, a, ref, wbytes = build_model(fmt, k, n, m, layers, seed, copies=copies, form=form, roll=True)
        onnx.save(model, onnx_path)
        del model
        t_built = time.monotonic() - t0
        np.save(a_npy, a)
        a.tofile(a_f32)
        row = {"shape": shape, "K": k, "N": n, "M": m, "format": fmt, "layers": layers,
               "regime": regime, "form": form, "weight_bytes": wbytes / layers}
        row["compile_s"], row["kernel"] = self.compile(onnx_path, lib, QCC_FLAGS.get(fmt, ()))
        if layers > 1:
            log(f"  {tag}: model built in {t_built:.0f} s, compiled in {row['compile_s']:.0f} s")

        # Probe: one timed qcc run (after qcc-run's warm-up run) and ten of ORT
        # (fewer once they take 5x --target-s: a DRAM case of ORT's float
        # fallback runs seconds), which also give the outputs to compare.
        q_t = self.run_qcc(lib, a_npy, 1, output_dir=d)
        y_q = np.load(os.path.join(d, "Y.npy")).astype(np.float64)
        ref = ref.astype(np.float64)
        has_ort = fmt not in NO_ORT
        if has_ort:
            o_t = self.run_ort(onnx_path, a_f32, [m, k], 10, output=os.path.join(d, "y_ort.f32"),
                               budget_s=5 * args.target_s)
            y_o = np.fromfile(os.path.join(d, "y_ort.f32"), np.float32).reshape(m, n).astype(np.float64)
        else:
            o_t, y_o = float("nan"), y_q  # no ORT column: its checks are NaN below
        row["diff_ort"] = float(np.max(np.abs(y_q - y_o)))
        row["rel_ort"] = row["diff_ort"] / max(float(np.max(np.abs(y_o))), 1e-30)
        r = ref.shape[0]  # a chain's reference has its first REF_CHAIN_ROWS rows
        row["rel_ref"] = float(np.max(np.abs(y_q[:r] - ref))) / max(float(np.max(np.abs(ref))), 1e-30)
        row["rel_ort_ref"] = float(np.max(np.abs(y_o[:r] - ref))) / max(float(np.max(np.abs(ref))), 1e-30)
        tol_ort = TOL_ORT_F32 if fmt == "f32" else TOL_ORT_NBITS
        tol_ref = TOL_LUT if row["kernel"].startswith("lut") else \
            TOL_REF_INT8 if row["kernel"] in ("int8-dot", "int8-gemm", "int8-exact") else \
            TOL_REF_BF16 if row["kernel"] == "bf16-gemm" else TOL_REF
        if row["kernel"].startswith("lut"):
            tol_ort = TOL_LUT
        # A chain's layers add independent errors of the same size: the
        # bound grows as sqrt(layers) (the float32 twin's stays per layer).
        # A sum's signal grows with its errors: the bound stays per layer.
        if layers > 1 and form == "chain" and fmt != "f32":
            tol_ref *= math.sqrt(layers)
            tol_ort *= math.sqrt(layers)
        if not has_ort:
            row["diff_ort"] = row["rel_ort"] = row["rel_ort_ref"] = float("nan")
        # ORT itself off the float64 reference (its AVX2 u8 x s8 path sums
        # pairs of products in saturating i16): then qcc is held to the
        # reference alone, and the row says so.
        row["ort_off"] = bool(has_ort and row["rel_ort_ref"] > tol_ref)
        row["ok"] = bool((not has_ort or row["ort_off"] or row["rel_ort"] <= tol_ort) and
                         row["rel_ref"] <= tol_ref)

        # The probe's timed runs are the first samples; then alternating rounds
        # (ORT first in odd ones), each measurement lasting about --target-s,
        # as many as --case-budget-s of qcc time allows (the slow naive cases
        # may have the probe only).
        n_q = max(1, min(args.max_runs, int(args.target_s * 1e6 / max(q_t, 1.0))))
        n_o = max(1, min(args.max_runs, int(args.target_s * 1e6 / max(o_t, 1.0)))) if has_ort else 0
        per_round = q_t * 1e-6 * (n_q + 1)
        extra = min(args.rounds - 1, int(args.case_budget_s / per_round))
        q_med, o_med = [q_t], [o_t]
        # The roofline of the same bytes, measured in every round (L3-resident
        # when they fit), so that it sees the machine as qcc and ORT do.
        bw = [self.bandwidth(wbytes)]
        for r in range(extra):
            order = ("ort", "qcc") if r % 2 == 0 else ("qcc", "ort")
            for who in order:
                if who == "ort" and not has_ort:
                    continue
                if who == "qcc":
                    q_med.append(self.run_qcc(lib, a_npy, n_q))
                else:
                    # One warm-up run where a run lasts more than --target-s.
                    o_med.append(self.run_ort(onnx_path, a_f32, [m, k], n_o,
                                              warmup=1 if o_t > args.target_s * 1e6 else 2))
            bw.append(self.bandwidth(wbytes))
        row["qcc_us"] = float(np.median(q_med)) / layers
        row["ort_us"] = float(np.median(o_med)) / layers
        row["qcc_rounds_us"] = [t / layers for t in q_med]
        row["ort_rounds_us"] = [t / layers for t in o_med]
        row["qcc_runs"], row["ort_runs"], row["rounds"] = n_q, n_o, extra + 1
        row["read_gbs_rounds"] = bw
        row["read_gbs"] = float(np.median(bw))
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
        return row


def l3_bytes():
    try:
        text = open("/sys/devices/system/cpu/cpu0/cache/index3/size").read().strip()
        unit = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1].upper(), 1)
        return int(text.rstrip("KMGkmg")) * unit
    except (OSError, ValueError):
        return 32 << 20


def cpu_summary():
    model, flags = "?", set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name") and model == "?":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    keep = sorted(f for f in flags if f.startswith(("avx", "amx")) or f in ("fma", "f16c", "gfni"))
    return model, keep


def fmt_row(r):
    mb = r["weight_bytes"] / 1e6
    q_gbs = r["weight_bytes"] / (r["qcc_us"] * 1e-6) / 1e9
    o_gbs = r["weight_bytes"] / (r["ort_us"] * 1e-6) / 1e9
    shape = r["shape"] + (f" x{r['layers']} {r.get('form', 'chain')} (DRAM)" if r["regime"] == "dram" else "")

    def num(v, spec):  # "n/a" where ORT has no kernel for the format
        return "n/a" if math.isnan(v) else format(v, spec)
    return (f"| {shape} | {r['M']} | {r['format']} | {mb:.1f} | {r['qcc_us']:.0f} | {num(r['ort_us'], '.0f')} | "
            f"{num(r['ort_us'] / r['qcc_us'], '.3f')} | {q_gbs:.2f} | {num(o_gbs, '.2f')} | {r['read_gbs']:.1f} | "
            f"{100 * q_gbs / r['read_gbs']:.1f}% | {num(100 * o_gbs / r['read_gbs'], '.1f')}% | "
            f"{r.get('kernel', '-')} | {r['compile_s']:.1f} | {num(r['rel_ort'], '.1e')} | {r['rel_ref']:.1e} | {verdict(r)} |")


def verdict(r):
    if not r["ok"]:
        return "MISMATCH"
    return f"ok (ORT {r['rel_ort_ref']:.1e} off ref)" if r.get("ort_off") else "ok"


HEADER = ("| shape | M | format | weight MB | qcc µs | ORT µs | ORT/qcc | qcc GB/s | ORT GB/s | read GB/s | "
          "qcc % bw | ORT % bw | qcc kernel | compile s | qcc vs ORT | qcc vs ref | check |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small shapes, M 1 and 4, 2 rounds: a smoke run (~1 min)")
    p.add_argument("--shapes", help="comma-separated: " + ",".join(list(SHAPES) + list(QUICK_SHAPES)))
    p.add_argument("--formats", help="comma-separated: " + ",".join(FORMATS))
    p.add_argument("--m", help="comma-separated batch sizes (default 1,4,16,128; --quick 1,4)")
    p.add_argument("--rounds", type=int, help="qcc/ORT samples per case, the first from the probe that "
                   "also checks the outputs, the others alternating (default 3; --quick 2)")
    p.add_argument("--target-s", type=float, help="seconds per measurement; sets runs per round (default 0.4; --quick 0.3)")
    p.add_argument("--max-runs", type=int, default=200, help="most timed runs per measurement")
    p.add_argument("--case-budget-s", type=float, default=4.0,
                   help="qcc seconds per case beyond the probe; slow cases get fewer rounds")
    p.add_argument("--max-run-s", type=float, default=3.0,
                   help="skip a case whose qcc run would take longer (estimated from the same shape and "
                   "format at a smaller M, linear in M)")
    p.add_argument("--dram", choices=["on", "off", "only"], help="also (only: just) time each shape as "
                   "distinct layers whose weights exceed 2x L3 (DRAM-streaming, per layer; default on, off "
                   "with --quick): a chain where K == N, else a sum of layers reading the same input")
    p.add_argument("--dram-m", default="1", help="batch sizes of the DRAM cases (default 1)")
    p.add_argument("--dram-form", choices=["auto", "chain", "sum"], default="auto",
                   help="the DRAM cases' form (auto: chain where K == N, sum elsewhere)")
    p.add_argument("--dram-distinct", action="store_true",
                   help="a DRAM case's layers all built anew (default: copies of the first one, its columns rotated, "
                        "where the layer is MatMul-like: all formats but dynq8 and qdqa8)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"), help="where qcc and qcc-run are")
    p.add_argument("--node", default="node")
    p.add_argument("--cc", default="cc")
    p.add_argument("--workdir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "qcc-bench"))
    p.add_argument("--keep", action="store_true", help="keep each case's .onnx, .so and outputs")
    p.add_argument("--json", help="also write the rows to this file")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    all_shapes = dict(SHAPES, **QUICK_SHAPES)
    shapes = args.shapes.split(",") if args.shapes else list(QUICK_SHAPES if args.quick else SHAPES)
    formats = args.formats.split(",") if args.formats else list(FORMATS)
    ms = [int(x) for x in (args.m or ("1,4" if args.quick else "1,4,16,128")).split(",")]
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.target_s = args.target_s or (0.3 if args.quick else 0.4)
    dram = args.dram or ("off" if args.quick else "on")
    for s in shapes:
        if s not in all_shapes:
            p.error(f"unknown shape {s}")
    for f in formats:
        if f not in FORMATS:
            p.error(f"unknown format {f}")
    if not os.path.exists(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        p.error("ONNX Runtime is missing: cd bench && npm install --ignore-scripts")

    bench = Bench(args)
    l3 = l3_bytes()
    model, flags = cpu_summary()
    dram_buffer = max(1 << 30, int(2.5 * l3))
    bench.dram_gbs = bench.bandwidth(dram_buffer, samples=7)
    print(f"# qcc bench: {model}; {os.cpu_count()} CPUs; L3 {l3 >> 20} MiB; {args.threads} threads")
    print(f"# flags: {' '.join(flags)}")
    print(f"# read bandwidth, {args.threads} threads: {bench.dram_gbs:.1f} GB/s on {dram_buffer >> 20} MiB (DRAM); "
          f"per case below on the case's own bytes (L3-resident when they fit in {l3 >> 20} MiB)")
    print(f"# ORT/qcc > 1: qcc faster. GB/s = (weight + scale + zero-point bytes) / time. "
          f"qcc vs ORT / vs ref: max |diff| / max |reference|; ORT's MatMulNBits accuracy_level {ACCURACY_LEVEL} "
          f"quantizes activations to int8, so qcc vs ORT passes at <= {TOL_ORT_NBITS:g} (f32: {TOL_ORT_F32:g}), "
          f"qcc vs numpy reference at <= {TOL_REF:g} (int8-dot and int8-gemm kernels, which quantize activations as ORT does: "
          f"<= {TOL_REF_INT8:g}; lut kernels, 6-bit activations: <= {TOL_LUT:g} against both); "
          f"DRAM chains of L quantized layers: bounds x sqrt(L) (sums: as one layer)")
    print(HEADER, flush=True)

    cases = []
    for s in shapes if dram != "only" else []:
        k, n = all_shapes[s]
        for m in ms:
            for f in formats:
                cases.append((s, k, n, m, f, 1, "l3", "chain"))
    for s in shapes if dram != "off" else []:
        k, n = all_shapes[s]
        form = args.dram_form if args.dram_form != "auto" else "chain" if k == n else "sum"
        if form == "chain" and k != n:
            p.error(f"{s}: a chain needs K == N")
        for m in [int(x) for x in args.dram_m.split(",")]:
            for f in formats:
                per_layer = Layer.bytes_estimate(f, k, n)
                layers = max(2, math.ceil(2.2 * l3 / per_layer))
                cases.append((s, k, n, m, f, layers, "dram", form))

    rows, skipped, failed, t_start, measured = [], [], [], time.monotonic(), {}
    for i, (s, k, n, m, f, layers, regime, form) in enumerate(cases):
        t0 = time.monotonic()
        key = (s, f, layers)
        if key in measured:
            m0, t_m0 = measured[key]
            estimate = t_m0 * 1e-6 * m / m0
            if estimate > args.max_run_s:
                log(f"[{i + 1}/{len(cases)}] {s} M={m} {f}: skipped, about {estimate:.0f} s per qcc run")
                print(f"| {s} | {m} | {f} | {_bytes_estimate(f, k, n) / 1e6:.1f} | skipped: about "
                      f"{estimate:.0f} s per qcc run (--max-run-s {args.max_run_s:g}) |", flush=True)
                skipped.append((s, m, f))
                continue
        try:
            row = bench.case(s, k, n, m, f, layers, regime, args.seed + i, form)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            log(f"[{i + 1}/{len(cases)}] {s} M={m} {f}: FAILED: {e}")
            print(f"| {s} | {m} | {f} | FAILED: {str(e).splitlines()[0][:120]} |", flush=True)
            failed.append((s, m, f))
            continue
        rows.append(row)
        measured[key] = (m, row["qcc_us"] * layers)
        print(fmt_row(row), flush=True)
        log(f"[{i + 1}/{len(cases)}] {s} M={m} {f} x{layers}: {time.monotonic() - t0:.1f} s "
            f"(qcc {row['rounds']}x{row['qcc_runs']} runs, ORT {row['rounds']}x{row['ort_runs']}; "
            f"total {time.monotonic() - t_start:.0f} s)")
    bench.dram_gbs_end = bench.bandwidth(dram_buffer, samples=7)
    print(f"# read bandwidth on {dram_buffer >> 20} MiB at the end: {bench.dram_gbs_end:.1f} GB/s; "
          f"total {time.monotonic() - t_start:.0f} s")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"cpu": model, "flags": flags, "l3_bytes": l3, "threads": args.threads,
                       "dram_gbs": [bench.dram_gbs, bench.dram_gbs_end], "rows": rows,
                       "skipped": skipped, "failed": failed}, out, indent=1)
    return 0 if all(r["ok"] for r in rows) and not failed else 1


def _bytes_estimate(fmt, k, n):
    spec = FORMATS[fmt]
    if spec is None:
        return 4 * k * n
    if spec in ("qdq8", "fp8", "dynq8", "qdqa8"):  # 8-bit codes, per-column or tensor scales
        return k * n + 5 * n
    if spec == "t158":
        return n * k * 2 // 8 + 4 * n * (k // 128)
    if spec == "mxfp4":
        return k * n // 2 + k * n // 32
    if spec == "nf4":
        return k * n // 2 + 4 * k * n // 64
    if spec == "nvfp4":
        return k * n // 2 + 4 * k * n // 16
    bits, block, zp = spec
    blocks = k // block
    return n * k * bits // 8 + 4 * n * blocks + (n * -(-blocks * bits // 8) if zp else 0) + \
        (4 * n * blocks if bits == 1 else 0)


Layer.bytes_estimate = staticmethod(_bytes_estimate)

if __name__ == "__main__":
    sys.exit(main())
