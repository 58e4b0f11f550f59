#!/usr/bin/env python3
"""Builds a small Llama-style decoder block with 4-bit MatMulNBits weights.

Usage: make_decoder_block.py OUT_DIR

Writes OUT_DIR/decoder_block.onnx, OUT_DIR/input.npy and
OUT_DIR/reference.npy: the block's output for that input computed in
float64 by numpy from the same (dequantized) 4-bit weights, so the
difference to qcc's output measures the compiler, not the quantization
(expected.npy holds the same values as float32, for qcc-run --expected).

The block: RMSNorm -> Q/K/V projections (MatMulNBits, 4 bits, blocks of 32,
uint4 zero points) -> causal multi-head attention -> output projection ->
residual -> RMSNorm -> SwiGLU MLP (gate/up/down MatMulNBits) -> residual.
(No rotary embedding: it adds ops, not insight, at this size.)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEQ, HIDDEN, HEADS, FFN = 8, 256, 4, 512
HEAD_DIM = HIDDEN // HEADS
BITS, BLOCK = 4, 32
EPS = 1e-5
rng = np.random.default_rng(2026)


def quantize_nbits(w):
    """w: float [K, N] -> MatMulNBits tensors and the dequantized [K, N]."""
    k, n = w.shape
    blocks = k // BLOCK
    wt = w.T.reshape(n, blocks, BLOCK)  # [N, blocks, BLOCK]
    lo, hi = wt.min(axis=2), wt.max(axis=2)
    scale = np.maximum(hi - lo, 1e-8) / 15.0
    zero = np.clip(np.round(-lo / scale), 0, 15).astype(np.uint8)
    q = np.clip(np.round(wt / scale[..., None]) + zero[..., None], 0, 15).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)  # low nibble first
    zp_packed = (zero[:, 0::2] | (zero[:, 1::2] << 4)).astype(np.uint8)
    scale = scale.astype(np.float32)
    deq = (q.astype(np.float64) - zero[..., None]) * scale[..., None].astype(np.float64)
    return packed, scale.reshape(-1), zp_packed.reshape(-1), deq.reshape(n, k).T


def main(out):
    os.makedirs(out, exist_ok=True)
    nodes, inits, weights = [], [], {}

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def nbits(name, x, k, n):
        w = rng.standard_normal((k, n)) / np.sqrt(k)
        packed, scale, zp, deq = quantize_nbits(w)
        weights[name] = deq
        inits.append(numpy_helper.from_array(packed, name + "_B"))
        inits.append(numpy_helper.from_array(scale, name + "_scales"))
        inits.append(numpy_helper.from_array(zp, name + "_zp"))
        nodes.append(helper.make_node(
            "MatMulNBits", [x, name + "_B", name + "_scales", name + "_zp"], [name],
            domain="com.microsoft", K=k, N=n, bits=BITS, block_size=BLOCK,
            accuracy_level=4, name=name))
        return name

    def rmsnorm(name, x):
        gamma = (1.0 + 0.1 * rng.standard_normal(HIDDEN)).astype(np.float32)
        weights[name] = gamma.astype(np.float64)
        nodes.extend([
            helper.make_node("Mul", [x, x], [name + "_sq"]),
            helper.make_node("ReduceMean", [name + "_sq", const(name + "_axes", np.array([-1], np.int64))],
                             [name + "_ms"], keepdims=1),
            helper.make_node("Add", [name + "_ms", const(name + "_eps", np.array(EPS, np.float32))], [name + "_mse"]),
            helper.make_node("Sqrt", [name + "_mse"], [name + "_rms"]),
            helper.make_node("Div", [x, name + "_rms"], [name + "_n"]),
            helper.make_node("Mul", [name + "_n", const(name + "_gamma", gamma)], [name]),
        ])
        return name

    def heads(name, x):
        nodes.extend([
            helper.make_node("Reshape", [x, const(name + "_shape", np.array([SEQ, HEADS, HEAD_DIM], np.int64))], [name + "_r"]),
            helper.make_node("Transpose", [name + "_r"], [name], perm=[1, 0, 2]),
        ])
        return name

    h = rmsnorm("norm1", "x")
    q = heads("qh", nbits("wq", h, HIDDEN, HIDDEN))
    k = heads("kh", nbits("wk", h, HIDDEN, HIDDEN))
    v = heads("vh", nbits("wv", h, HIDDEN, HIDDEN))
    mask = np.triu(np.full((SEQ, SEQ), -1e9, np.float32), k=1)
    nodes.extend([
        helper.make_node("Transpose", [k], ["kt"], perm=[0, 2, 1]),
        helper.make_node("MatMul", [q, "kt"], ["scores"]),
        helper.make_node("Mul", ["scores", const("inv_sqrt_d", np.array(1 / np.sqrt(HEAD_DIM), np.float32))], ["scaled"]),
        helper.make_node("Add", ["scaled", const("mask", mask)], ["masked"]),
        helper.make_node("Softmax", ["masked"], ["probs"], axis=-1),
        helper.make_node("MatMul", ["probs", v], ["ctx"]),
        helper.make_node("Transpose", ["ctx"], ["ctx_t"], perm=[1, 0, 2]),
        helper.make_node("Reshape", ["ctx_t", const("ctx_shape", np.array([SEQ, HIDDEN], np.int64))], ["ctx_flat"]),
    ])
    o = nbits("wo", "ctx_flat", HIDDEN, HIDDEN)
    nodes.append(helper.make_node("Add", ["x", o], ["resid1"]))
    h2 = rmsnorm("norm2", "resid1")
    gate = nbits("wgate", h2, HIDDEN, FFN)
    up = nbits("wup", h2, HIDDEN, FFN)
    nodes.extend([
        helper.make_node("Sigmoid", [gate], ["gate_sig"]),
        helper.make_node("Mul", [gate, "gate_sig"], ["silu"]),
        helper.make_node("Mul", ["silu", up], ["swiglu"]),
    ])
    down = nbits("wdown", "swiglu", FFN, HIDDEN)
    nodes.append(helper.make_node("Add", ["resid1", down], ["y"]))

    graph = helper.make_graph(nodes, "decoder_block",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [SEQ, HIDDEN])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [SEQ, HIDDEN])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21),
                                                     helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    onnx.save(model, os.path.join(out, "decoder_block.onnx"))

    x = rng.standard_normal((SEQ, HIDDEN)).astype(np.float32)
    np.save(os.path.join(out, "input.npy"), x)
    ref = reference(x.astype(np.float64), weights, mask)
    np.save(os.path.join(out, "reference.npy"), ref)
    # The same values in the output's type, for qcc-run --expected.
    np.save(os.path.join(out, "expected.npy"), ref.astype(np.float32))


def reference(x, w, mask):
    def norm(name, t):
        return t / np.sqrt(np.mean(t * t, axis=-1, keepdims=True) + EPS) * w[name]

    def split(t):
        return t.reshape(SEQ, HEADS, HEAD_DIM).transpose(1, 0, 2)

    h = norm("norm1", x)
    q, k, v = split(h @ w["wq"]), split(h @ w["wk"]), split(h @ w["wv"])
    s = q @ k.transpose(0, 2, 1) / np.sqrt(HEAD_DIM) + mask
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    ctx = (p @ v).transpose(1, 0, 2).reshape(SEQ, HIDDEN)
    r = x + ctx @ w["wo"]
    h2 = norm("norm2", r)
    g = h2 @ w["wgate"]
    return r + ((g / (1 + np.exp(-g))) * (h2 @ w["wup"])) @ w["wdown"]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/demo")
