# Compile memory (USERS #10, docs/performance.md "Compile memory"): for each
# way the passes rewrite weights, qcc's own peak memory (its last line's
# "peak memory": qcc's VmHWM, not ld.lld's, whose mapped input and
# output are file pages) grows above a one-layer model's by at most 1.25x
# the larger of the model and the library:
# - 4-bit MatMulNBits on int8-gemm: lowbit-pack-layout repacks into tiles;
# - int8 QDQ weights [K, N]: lowbit-fuse-dequant transposes them;
# - ternary MatMulNBits on lut-ternary: the lowering re-encodes them.
# Each pass frees a layer's old blob as it writes the new one, and the
# importer's initializers are freed one by one (each its own string); with
# the old blobs kept to the end of a pass the growth was ~2x.
# RUN: rm -rf %t && %python %s %t %qcc_tools_dir | FileCheck %s
# CHECK: w4-int8-gemm: ok
# CHECK: qdq8-transposed: ok
# CHECK: ternary-lut: ok
import os
import re
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Import", "ONNX", "Inputs"))
from onnx_builder import out_dir  # noqa: E402

K = N = 4096
BLOCK = 128
GROWTH_BOUND = 1.25


def nbits_layer(i, rng, bits, ternary):
    blocks = K // BLOCK
    if ternary:  # codes 1..3 around the default zero point 2, one scale a row
        q = rng.integers(1, 4, size=(N, blocks * BLOCK), dtype=np.uint8)
        scales = np.repeat(rng.random((N, 1), dtype=np.float32) + 0.5, blocks, axis=1)
    else:
        q = rng.integers(0, 1 << bits, size=(N, blocks * BLOCK), dtype=np.uint8)
        scales = rng.random((N, blocks), dtype=np.float32) + 0.5
    per_byte = 8 // bits
    packed = np.zeros((N, blocks * BLOCK // per_byte), np.uint8)
    for j in range(per_byte):
        packed |= q[:, j::per_byte] << (bits * j)
    inits = [numpy_helper.from_array(packed.reshape(N, blocks, -1), f"B{i}"),
             numpy_helper.from_array(scales.reshape(-1), f"S{i}")]
    node = helper.make_node("MatMulNBits", ["X%d" % i, f"B{i}", f"S{i}"], ["X%d" % (i + 1)],
                            name=f"layer{i}", domain="com.microsoft", K=K, N=N, bits=bits,
                            block_size=BLOCK, accuracy_level=4)
    return [node], inits


def qdq8_layer(i, rng):
    w = rng.integers(-127, 128, size=(K, N), dtype=np.int8)
    scale = (rng.random(N, dtype=np.float32) + 0.5) / 128
    inits = [numpy_helper.from_array(w, f"W{i}"), numpy_helper.from_array(scale, f"S{i}")]
    nodes = [helper.make_node("DequantizeLinear", [f"W{i}", f"S{i}"], [f"D{i}"], name=f"dq{i}", axis=1),
             helper.make_node("MatMul", ["X%d" % i, f"D{i}"], ["X%d" % (i + 1)], name=f"layer{i}")]
    return nodes, inits


def build(kind, layers, path):
    rng = np.random.default_rng(layers)
    nodes, inits = [], []
    for i in range(layers):
        if kind == "qdq8":
            n, t = qdq8_layer(i, rng)
        else:
            n, t = nbits_layer(i, rng, 2 if kind == "ternary" else 4, kind == "ternary")
        nodes += n
        inits += t
    graph = helper.make_graph(nodes, kind, [helper.make_tensor_value_info("X0", TensorProto.FLOAT, [1, K])],
                              [helper.make_tensor_value_info("X%d" % layers, TensorProto.FLOAT, [1, N])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21),
                                                    helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return os.path.getsize(path)


def peak_bytes(qcc, model, library):
    r = subprocess.run([qcc, model, "-o", library, "--header=none"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"qcc {model} failed:\n{r.stderr}")
    found = re.search(r"peak memory ([0-9.]+) (GB|MB)\)", r.stderr)
    if not found:
        sys.exit(f"no peak memory in qcc's output:\n{r.stderr}")
    return float(found.group(1)) * (1e9 if found.group(2) == "GB" else 1e6)


def main():
    out = out_dir()
    qcc = os.path.join(sys.argv[2], "qcc")
    # ~170 MB of weights each: well above the one-layer baseline's ~130 MB.
    cases = [("w4-int8-gemm", "w4", 20), ("qdq8-transposed", "qdq8", 10), ("ternary-lut", "ternary", 40)]
    failed = False
    for name, kind, layers in cases:
        small, large = os.path.join(out, f"{kind}-1.onnx"), os.path.join(out, f"{kind}.onnx")
        build(kind, 1, small)
        model_bytes = build(kind, layers, large)
        base = peak_bytes(qcc, small, os.path.join(out, f"lib{kind}-1.so"))
        library = os.path.join(out, f"lib{kind}.so")
        peak = peak_bytes(qcc, large, library)
        larger = max(model_bytes, os.path.getsize(library))
        growth = (peak - base) / larger
        verdict = "ok" if growth <= GROWTH_BOUND else "FAILED"
        failed |= verdict != "ok"
        print(f"{name}: {verdict} (model {model_bytes / 1e6:.0f} MB, library "
              f"{os.path.getsize(library) / 1e6:.0f} MB, peak {peak / 1e6:.0f} MB, "
              f"one layer {base / 1e6:.0f} MB: growth {growth:.2f}x the larger, bound {GROWTH_BOUND}x)")
        for path in (small, large, library):
            os.remove(path)
    sys.exit(1 if failed else 0)


main()
