"""qcc's convolution benchmark: quantized Conv layers of a ResNet/MobileNet
shape, qcc against ONNX Runtime on the same .onnx in the same run.

For each case it builds one single-node model, compiles it with qcc, checks
qcc's output against ONNX Runtime's (integer outputs must match exactly,
float ones within 1e-3 of the largest value: ORT may quantize differently),
then alternates `qcc-run --bench` and bench/ort_bench.js for a few rounds
and prints the medians and ORT/qcc (> 1: qcc faster). Run it through
bench/run-conv (2 threads, like bench/run). A benchmark, not a test.
"""
import os
import re
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import side_by_side  # noqa: E402


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def qdq_weight(rng, m, c, k):
    """int8 codes [m, c, k, k] and per-channel scales."""
    q = rng.integers(-128, 128, size=(m, c, k, k)).astype(np.int8)
    return q, (rng.random(m) * 0.01 + 0.005).astype(np.float32)


def case_models(rng):
    """(name, nodes, inits, input name, input shape, input dtype, output shape)."""
    cases = []
    for name, (c, m, h, k, stride) in {"qdq-3x3-64": (64, 64, 56, 3, 1),
                                      "qdq-1x1-256-64": (256, 64, 56, 1, 1),
                                      "qdq-3x3s2-128-256": (128, 256, 28, 3, 2)}.items():
        q, s = qdq_weight(rng, m, c, k)
        pad, out = k // 2, (h + 2 * (k // 2) - k) // stride + 1
        nodes = [helper.make_node("DequantizeLinear", ["Wq", "Ws"], ["W"], axis=0),
                 helper.make_node("Conv", ["X", "W", "B"], ["Y"], strides=[stride] * 2, pads=[pad] * 4)]
        inits = [init("Wq", q), init("Ws", s), init("B", rng.standard_normal(m).astype(np.float32))]
        cases.append((name, nodes, inits, [1, c, h, h], "float32", [1, m, out, out]))
    # Static QDQ: Q -> DQ on the input too.
    c, m, h = 64, 64, 56
    q, s = qdq_weight(rng, m, c, 3)
    nodes = [helper.make_node("QuantizeLinear", ["X", "xs", "xz"], ["Xq"]),
             helper.make_node("DequantizeLinear", ["Xq", "xs", "xz"], ["Xd"]),
             helper.make_node("DequantizeLinear", ["Wq", "Ws"], ["W"], axis=0),
             helper.make_node("Conv", ["Xd", "W", "B"], ["Y"], pads=[1] * 4)]
    inits = [init("xs", np.float32(0.03)), init("xz", np.uint8(128)), init("Wq", q), init("Ws", s),
             init("B", rng.standard_normal(m).astype(np.float32))]
    cases.append(("static-qdq-3x3-64", nodes, inits, [1, c, h, h], "float32", [1, m, h, h]))
    # QLinearConv, dense, grouped (ResNeXt's 32 groups of 4 channels) and
    # depthwise.
    for name, (c, m, group) in {"qlinear-3x3-64": (64, 64, 1), "qlinear-g32-3x3-128": (128, 128, 32),
                                "qlinear-dw-3x3-96": (96, 96, 96)}.items():
        q = rng.integers(-128, 128, size=(m, c // group, 3, 3)).astype(np.int8)
        nodes = [helper.make_node("QLinearConv", ["X", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["Y"],
                                  pads=[1] * 4, group=group)]
        inits = [init("xs", np.float32(0.05)), init("xz", np.uint8(128)), init("w", q),
                 init("ws", (rng.random(m) * 0.01 + 0.01).astype(np.float32)), init("wz", np.zeros(m, np.int8)),
                 init("ys", np.float32(0.5)), init("yz", np.uint8(10))]
        cases.append((name, nodes, inits, [1, c, 56, 56], "uint8", [1, m, 56, 56]))
    return cases


def main():
    args = side_by_side.parse_args(__doc__, "/tmp/qcc-conv-bench")
    rng = np.random.default_rng(5)
    print(f"| case | qcc µs | ORT µs | ORT/qcc | qcc kernel | check |")
    print("|---|---|---|---|---|---|")
    for name, nodes, inits, in_shape, dtype, out_shape in case_models(rng):
        elem = TensorProto.FLOAT if dtype == "float32" else TensorProto.UINT8
        out_elem = elem
        graph = helper.make_graph(nodes, "conv", [helper.make_tensor_value_info("X", elem, in_shape)],
                                  [helper.make_tensor_value_info("Y", out_elem, out_shape)], initializer=inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        d = os.path.join(args.workdir, name)
        os.makedirs(d, exist_ok=True)
        onnx_path, lib = os.path.join(d, "model.onnx"), os.path.join(d, "lib.so")
        with open(onnx_path, "wb") as f:
            f.write(model.SerializeToString())
        r = subprocess.run([os.path.join(args.bin, "qcc"), onnx_path, "-o", lib, "--report"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"| {name} | compile failed: {r.stderr.strip()[-300:]} |")
            continue
        kernel = re.search(r"-> (\S+)", r.stderr)
        kernel = kernel.group(1) if kernel else "-"
        x = (rng.standard_normal(in_shape).astype(np.float32) if dtype == "float32"
             else rng.integers(0, 256, size=in_shape).astype(np.uint8))
        x_npy, x_raw = os.path.join(d, "x.npy"), os.path.join(d, "x.raw")
        np.save(x_npy, x)
        x.tofile(x_raw)
        # Outputs first: qcc's against ORT's.
        subprocess.run([os.path.join(args.bin, "qcc-run"), lib, "--input", f"X={x_npy}", "--output-dir", d],
                       check=True, capture_output=True)
        ort_out = os.path.join(d, "y_ort.raw")
        ort_cmd = [args.node, os.path.join(HERE, "ort_bench.js"), onnx_path, x_raw, ",".join(map(str, in_shape)),
                   str(args.runs), "--threads", str(args.threads), "--dtype", dtype]
        subprocess.run(ort_cmd[:5] + ["1"] + ort_cmd[6:] + ["--output", ort_out], check=True, capture_output=True)
        y = np.load(os.path.join(d, "Y.npy"))
        y_ort = np.fromfile(ort_out, dtype=y.dtype).reshape(y.shape)
        if dtype == "uint8":
            check = "exact" if np.array_equal(y, y_ort) else f"{int(np.abs(y.astype(int) - y_ort).max())} codes off"
        else:
            rel = float(np.abs(y - y_ort).max() / max(np.abs(y_ort).max(), 1e-30))
            check = f"ok {rel:.1e}" if rel < 1e-3 else f"MISMATCH {rel:.1e}"
        q, o = side_by_side.medians(args, lib, x_npy, ort_cmd)
        print(f"| {name} | {q:.0f} | {o:.0f} | {o / q:.2f} | {kernel} | {check} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
