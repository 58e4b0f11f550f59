# End to end: f32 MatMul and Gemm through the register-tiled vector kernel
# (qcc-vectorize-matmul): whole column tiles, leftover columns, row tiles of
# 4, 2 and 1, k-blocks, and Gemm's transB weights transposed at compile time;
# a bias and ReLU after the MatMul applied at the kernel's stores (vector
# tiles and the scalar leftover columns); a pointwise Conv whose output the
# next (depthwise) Conv pads, stored straight into the padded buffer;
# against float64 references (f32 accumulation over K terms: rtol 1e-4).
# RUN: rm -rf %t && %python %s %t %qcc_tools_dir | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: e2e: 12 passed, 0 failed
import os
import sys

import numpy as np

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "Import", "ONNX", "Inputs"))
sys.path.insert(0, os.path.join(here, "Inputs"))
from onnx_builder import *  # noqa: E402
from e2e_runner import Runner  # noqa: E402

runner = Runner(sys.argv[1], sys.argv[2])
rng = np.random.default_rng(11)


def run(name, model_proto, inputs, expected):
    runner.run(name, model_proto, inputs, {k: v.astype(np.float32) for k, v in expected.items()},
               rtol=1e-4, atol=1e-4)


def matmul_case(m, k, n):
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    mdl = single("MatMul", [("A", FLOAT, [m, k])], [("Y", FLOAT, [m, n])], initializers=[tensor("W", w)])
    run(f"matmul_{m}x{k}x{n}", mdl, {"A": a}, {"Y": a.astype(np.float64) @ w.astype(np.float64)})


def matmul_bias_relu_case(m, k, n):
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["A", "W"], ["P"]),
             helper.make_node("Add", ["P", "B"], ["S"]),
             helper.make_node("Relu", ["S"], ["Y"])]
    mdl = model(nodes, [value_info("A", FLOAT, [m, k])], [value_info("Y", FLOAT, [m, n])],
                [tensor("W", w), tensor("B", bias)])
    ref = np.maximum(a.astype(np.float64) @ w.astype(np.float64) + bias.astype(np.float64), 0)
    run(f"matmul_bias_relu_{m}x{k}x{n}", mdl, {"A": a}, {"Y": ref})


def gemm_transb_case(m, k, n):
    a = rng.standard_normal((m, k)).astype(np.float32)
    w = (rng.standard_normal((n, k)) / np.sqrt(k)).astype(np.float32)  # [N, K] like nn.Linear
    c = rng.standard_normal(n).astype(np.float32)
    mdl = single("Gemm", [("A", FLOAT, [m, k])], [("Y", FLOAT, [m, n])], {"transB": 1, "beta": 0.5},
                 initializers=[tensor("W", w), tensor("C", c)])
    ref = a.astype(np.float64) @ w.astype(np.float64).T + 0.5 * c.astype(np.float64)
    run(f"gemm_transb_{m}x{k}x{n}", mdl, {"A": a}, {"Y": ref})


def conv64(x, w, b, pad, group):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y, mg = np.zeros((n, m, oh, ow)), m // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg, i:i + oh, j:j + ow]
                y[:, g * mg:(g + 1) * mg] += np.einsum("mc,nchw->nmhw", w[g * mg:(g + 1) * mg, :, i, j], patch)
    return y + b.reshape(1, -1, 1, 1)


def pointwise_then_depthwise_case(n, c, m, h, w, activation):
    """Conv 1x1 (+ bias, activation) whose output a depthwise 3x3 Conv pads:
    the matmul kernel stores into the padded buffer's interior, rows
    delinearized to (n, h, w)."""
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    w1 = (rng.standard_normal((m, c, 1, 1)) / np.sqrt(c)).astype(np.float32)
    b1 = rng.standard_normal(m).astype(np.float32)
    w2 = rng.standard_normal((m, 1, 3, 3)).astype(np.float32) / 3
    b2 = rng.standard_normal(m).astype(np.float32)
    nodes = [helper.make_node("Conv", ["X", "W1", "B1"], ["P"])]
    inits = [tensor("W1", w1), tensor("B1", b1), tensor("W2", w2), tensor("B2", b2)]
    p = conv64(x.astype(np.float64), w1.astype(np.float64), b1.astype(np.float64), 0, 1)
    if activation == "relu":
        nodes.append(helper.make_node("Relu", ["P"], ["A"]))
        p = np.maximum(p, 0)
    elif activation == "clip":
        inits += [tensor("lo", np.array(0, np.float32)), tensor("hi", np.array(6, np.float32))]
        nodes.append(helper.make_node("Clip", ["P", "lo", "hi"], ["A"]))
        p = np.clip(p, 0, 6)
    else:
        nodes.append(helper.make_node("Identity", ["P"], ["A"]))
    nodes.append(helper.make_node("Conv", ["A", "W2", "B2"], ["Y"], pads=[1, 1, 1, 1], group=m))
    y = conv64(p, w2.astype(np.float64), b2.astype(np.float64), 1, m)
    mdl = model(nodes, [value_info("X", FLOAT, [n, c, h, w])], [value_info("Y", FLOAT, list(y.shape))], inits)
    run(f"pointwise_{activation}_depthwise_{n}x{c}x{h}x{w}_to_{m}", mdl, {"X": x}, {"Y": y})


# Column tiles are 16 / rows vectors wide (AVX-512: 64, 128 or 256 floats).
matmul_case(4, 300, 200)   # 4-row tiles: 3 tiles of 64 + 8 leftover; k-blocks of 128
matmul_case(6, 520, 130)   # 2-row tiles: 1 tile of 128 + 2; k-blocks of 64, a short last one
matmul_case(3, 200, 600)   # 1-row tiles: 2 tiles of 256 + 88
matmul_case(1, 1000, 7)    # leftover columns only
gemm_transb_case(2, 96, 160)
gemm_transb_case(5, 33, 256)
# Bias + ReLU at the stores (K within one k-block): 24 columns as vector
# tiles (8 or 16 lanes), 20 with 4 leftover columns through the one-lane form.
matmul_bias_relu_case(36, 16, 24)
matmul_bias_relu_case(8, 40, 20)
# Into a padded buffer: 7 x 7 rows (tiles of 1 row), 20 channels (4 leftover
# columns); two images of 6 x 10 (tiles of 4 rows across image rows), 32
# channels; without an activation (the matmul's own result padded).
pointwise_then_depthwise_case(1, 12, 20, 7, 7, "relu")
pointwise_then_depthwise_case(2, 8, 32, 6, 10, "clip")
pointwise_then_depthwise_case(1, 16, 24, 8, 8, "none")
pointwise_then_depthwise_case(1, 16, 24, 9, 5, "relu")
runner.summary()
