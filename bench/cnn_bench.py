#!/usr/bin/env python3
"""A MobileNetV2-style QDQ network against ONNX Runtime: what a CNN quantized
with ORT's quantize_static (QDQ format) looks like to qcc end to end.

Every activation is QuantizeLinear -> DequantizeLinear (uint8, per tensor),
every weight DequantizeLinear(int8, per output channel); Conv (3x3 stride 2
stem, depthwise 3x3, pointwise 1x1 with 16-144 channels), Clip(0, 6), a
residual Add, GlobalAveragePool, MatMul. Input 1 x 3 x 224 x 224.

qcc's output is checked against a float64 evaluation of the same graph
(numpy, ONNX's rounding: half to even, saturating) at 1e-3 of the largest
output; ORT's distance from it is printed beside (its u8 x s8 path sums in
saturating i16 on AVX2 machines, the likely cause). Medians of alternating rounds.
The float twin (the same network without the QuantizeLinear/DequantizeLinear
pairs, the weights dequantized to float32 initializers) runs the same way:
a quantized model should be faster than its float twin (BENCHMARKS.md).
So does its dynamically quantized twin, the form ONNX Runtime's
quantize_dynamic gives a CNN (BENCHMARKS.md's "whole real models"): each
Conv becomes DynamicQuantizeLinear -> ConvInteger (uint8 weights, zero point
128) -> Cast -> Mul by the activation's and the weight's scales -> Add bias,
the rest float.
    bench/run-cnn [--rounds N] [--runs N] [--threads T]
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import side_by_side  # noqa: E402


def build_model(rng):
    nodes, inits, count = [], [], [0]

    def name(prefix):
        count[0] += 1
        return f"{prefix}{count[0]}"

    def init(array, prefix="c"):
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def qdq(x, scale, zero):
        s, z = init(np.float32(scale)), init(np.uint8(zero))
        q, d = name("q"), name("d")
        nodes.append(helper.make_node("QuantizeLinear", [x, s, z], [q]))
        nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [d]))
        return d

    def conv(x, cin, cout, k, stride=1, group=1, relu=True):
        w = (rng.standard_normal((cout, cin // group, k, k)) * np.sqrt(2.0 / (cin // group * k * k)))
        ws = (np.abs(w).reshape(cout, -1).max(1) / 127).astype(np.float32)
        wq = np.clip(np.rint(w / ws.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
        wd = name("wd")
        nodes.append(helper.make_node("DequantizeLinear", [init(wq, "wq"), init(ws, "ws")], [wd], axis=0))
        y = name("y")
        nodes.append(helper.make_node("Conv", [x, wd, init((rng.standard_normal(cout) * 0.1).astype(np.float32))],
                                      [y], kernel_shape=[k, k], strides=[stride] * 2, pads=[k // 2] * 4,
                                      group=group))
        if not relu:
            return qdq(y, 8 / 255, 128)
        r = name("r")
        nodes.append(helper.make_node("Clip", [y, init(np.float32(0)), init(np.float32(6))], [r]))
        return qdq(r, 6 / 255, 0)

    x = qdq("X", 3 / 255, 128)
    x = conv(x, 3, 32, 3, 2)
    x = conv(conv(x, 32, 32, 3, 1, 32), 32, 16, 1, relu=False)
    x = conv(conv(conv(x, 16, 96, 1), 96, 96, 3, 2, 96), 96, 24, 1, relu=False)
    y = conv(conv(conv(x, 24, 144, 1), 144, 144, 3, 1, 144), 144, 24, 1, relu=False)
    a = name("add")
    nodes.append(helper.make_node("Add", [x, y], [a]))
    x = qdq(a, 8 / 255, 128)
    x = conv(conv(conv(x, 24, 144, 1), 144, 144, 3, 2, 144), 144, 32, 1, relu=False)
    g, f = name("gap"), name("flat")
    nodes.append(helper.make_node("GlobalAveragePool", [x], [g]))
    nodes.append(helper.make_node("Flatten", [g], [f]))
    nodes.append(helper.make_node("MatMul", [f, init((rng.standard_normal((32, 10)) * 0.2).astype(np.float32))],
                                  ["Y"]))
    graph = helper.make_graph(nodes, "mobilenet_qdq", [helper.make_tensor_value_info("X", TensorProto.FLOAT,
                                                                                     [1, 3, 224, 224])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 10])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def float_twin(model):
    """`model` without its activation QuantizeLinear -> DequantizeLinear pairs
    and with its weights' DequantizeLinear folded into float32 initializers."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    alias, nodes, floats = {}, [], {}
    quantized_from = {}
    for node in model.graph.node:
        ins = [alias.get(i, i) for i in node.input]
        if node.op_type == "QuantizeLinear":
            quantized_from[node.output[0]] = ins[0]
        elif node.op_type == "DequantizeLinear" and ins[0] in quantized_from:
            alias[node.output[0]] = quantized_from[ins[0]]
        elif node.op_type == "DequantizeLinear":
            codes, scale = inits[ins[0]].astype(np.float64), inits[ins[1]].astype(np.float64)
            axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
            if scale.ndim == 1:
                shape = [1] * codes.ndim
                shape[axis] = -1
                scale = scale.reshape(shape)
            floats[node.output[0]] = (codes * scale).astype(np.float32)
        else:
            nodes.append(helper.make_node(node.op_type, ins, list(node.output),
                                          **{a.name: helper.get_attribute_value(a) for a in node.attribute}))
    used = {i for n in nodes for i in n.input}
    initializer = [numpy_helper.from_array(v, k) for k, v in {**inits, **floats}.items() if k in used]
    graph = helper.make_graph(nodes, "mobilenet_f32", list(model.graph.input), list(model.graph.output),
                              initializer=initializer)
    twin = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    twin.ir_version = 8
    return twin


def dynamic_twin(model):
    """The float twin of `model` with each Conv quantized the way ONNX
    Runtime's quantize_dynamic does it: DynamicQuantizeLinear on the input,
    ConvInteger on uint8 weights (the int8 codes + 128, zero point 128; the
    per-channel scales go to the Mul after), Cast, Mul, Add bias."""
    twin = float_twin(model)
    codes = {}
    for node in model.graph.node:
        if node.op_type == "DequantizeLinear" and node.input[0].startswith("wq"):
            inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
            codes[node.output[0]] = (inits[node.input[0]], inits[node.input[1]])
    nodes, inits, count = [], [t for t in twin.graph.initializer], [0]

    def init(array, prefix):
        count[0] += 1
        inits.append(numpy_helper.from_array(np.asarray(array), f"{prefix}_dq{count[0]}"))
        return inits[-1].name

    for node in twin.graph.node:
        if node.op_type != "Conv":
            nodes.append(node)
            continue
        x, w, b = node.input
        wq, ws = codes[w]
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        n = count[0] + 1
        xq, xs, xz, yi, yf, s, ym = (f"{t}_dq{n}" for t in ("xq", "xs", "xz", "yi", "yf", "s", "ym"))
        nodes.append(helper.make_node("DynamicQuantizeLinear", [x], [xq, xs, xz]))
        wu = init((wq.astype(np.int16) + 128).astype(np.uint8), "wu")
        nodes.append(helper.make_node("ConvInteger", [xq, wu, xz, init(np.uint8(128), "wz")], [yi], **attrs))
        nodes.append(helper.make_node("Cast", [yi], [yf], to=TensorProto.FLOAT))
        nodes.append(helper.make_node("Mul", [xs, init(ws.reshape(-1, 1, 1), "ws")], [s]))
        nodes.append(helper.make_node("Mul", [yf, s], [ym]))
        bias = next(t for t in twin.graph.initializer if t.name == b)
        nodes.append(helper.make_node("Add", [ym, init(numpy_helper.to_array(bias).reshape(-1, 1, 1), "b")],
                                      list(node.output)))
    used = {i for n in nodes for i in n.input}
    graph = helper.make_graph(nodes, "mobilenet_dynamic", list(twin.graph.input), list(twin.graph.output),
                              initializer=[t for t in inits if t.name in used])
    dynamic = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    dynamic.ir_version = 8
    return dynamic


def conv64(x, w, b, strides, pads, group):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    s = strides[0]
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh, ow = (h + pads[0] + pads[2] - kh) // s + 1, (wd + pads[1] + pads[3] - kw) // s + 1
    y, mg = np.zeros((n, m, oh, ow)), m // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg, i:i + s * oh:s, j:j + s * ow:s]
                y[:, g * mg:(g + 1) * mg] += np.einsum("mc,nchw->nmhw", w[g * mg:(g + 1) * mg, :, i, j], patch)
    return y + b.reshape(1, -1, 1, 1)


def reference(model, x):
    """float64 evaluation of the graph's ops, ONNX's rounding for QuantizeLinear."""
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env["X"] = x.astype(np.float64)
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        ins = [env[i] for i in node.input]
        op = node.op_type
        if op == "DynamicQuantizeLinear":
            # ONNX's formula in f32: the range includes 0, zero point rounded half to even.
            v = ins[0].astype(np.float32)
            lo, hi = min(np.float32(0), v.min()), max(np.float32(0), v.max())
            scale = np.float32((hi - lo) / np.float32(255))
            zero = np.float32(np.clip(np.rint(-lo / scale), 0, 255)) if scale != 0 else np.float32(0)
            q = np.clip(np.rint(v / scale) + zero, 0, 255) if scale != 0 else np.full(v.shape, zero)
            env[node.output[1]], env[node.output[2]] = np.float64(scale), np.uint8(zero)
            out = q.astype(np.uint8)
        elif op == "ConvInteger":
            xi = ins[0].astype(np.float64) - float(ins[2])
            wi = ins[1].astype(np.float64) - float(ins[3])
            out = conv64(xi, wi, np.zeros(wi.shape[0]), attrs["strides"], attrs["pads"], attrs.get("group", 1))
        elif op == "Cast":
            out = ins[0].astype(np.float64)
        elif op == "Mul":
            out = ins[0] * ins[1]
        elif op == "QuantizeLinear":
            # The f32 division, as ONNX defines it on f32 inputs.
            q = np.rint(ins[0].astype(np.float32) / np.float32(ins[1])).astype(np.float64) + int(ins[2])
            out = np.clip(q, 0, 255).astype(np.uint8)
        elif op == "DequantizeLinear":
            s = ins[1].astype(np.float64)
            z = ins[2].astype(np.float64) if len(ins) > 2 else 0.0
            if s.ndim == 1:
                s = s.reshape(-1, *([1] * (ins[0].ndim - 1)))
            out = (ins[0].astype(np.float64) - z) * s
        elif op == "Conv":
            out = conv64(ins[0], ins[1], ins[2], attrs["strides"], attrs["pads"], attrs.get("group", 1))
        elif op == "Clip":
            out = np.clip(ins[0], ins[1], ins[2])
        elif op == "Add":
            out = ins[0] + ins[1].astype(np.float64)
        elif op == "GlobalAveragePool":
            out = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            out = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "MatMul":
            out = ins[0] @ ins[1].astype(np.float64)
        else:
            raise SystemExit(f"reference: no {op}")
        env[node.output[0]] = out
    return env["Y"]


def run_model(args, model, x, name, d):
    """Compiles `model`, checks qcc and ORT against its float64 evaluation and
    times both; returns the table row and whether qcc's output passed."""
    onnx_path, lib = os.path.join(d, f"{name}.onnx"), os.path.join(d, f"{name}.so")
    onnx.save(model, onnx_path)
    x_npy, x_raw = os.path.join(d, "x.npy"), os.path.join(d, "x.raw")
    r = subprocess.run([os.path.join(args.bin, "qcc"), onnx_path, "-o", lib], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"compile failed: {r.stderr.strip()[-500:]}")
        return None, False
    out_dir = os.path.join(d, name)
    os.makedirs(out_dir, exist_ok=True)
    subprocess.run([os.path.join(args.bin, "qcc-run"), lib, "--input", f"X={x_npy}", "--output-dir", out_dir],
                   check=True, capture_output=True)
    ort_out = os.path.join(d, f"{name}_y_ort.raw")
    ort_cmd = [args.node, os.path.join(HERE, "ort_bench.js"), onnx_path, x_raw, "1,3,224,224", str(args.runs),
               "--threads", str(args.threads)]
    subprocess.run(ort_cmd[:5] + ["1"] + ort_cmd[6:] + ["--output", ort_out], check=True, capture_output=True)
    ref = reference(model, x)
    y = np.load(os.path.join(out_dir, "Y.npy"))
    y_ort = np.fromfile(ort_out, dtype=np.float32).reshape(y.shape)
    scale = max(float(np.abs(ref).max()), 1e-30)
    qcc_err, ort_err = float(np.abs(y - ref).max()) / scale, float(np.abs(y_ort - ref).max()) / scale
    check = "ok" if qcc_err <= 1e-3 else "MISMATCH"
    q, o = side_by_side.medians(args, lib, x_npy, ort_cmd)
    return (q, o, qcc_err, ort_err, check), check == "ok"


def main():
    args = side_by_side.parse_args(__doc__, "/tmp/qcc-cnn-bench")
    rng = np.random.default_rng(7)
    model = build_model(rng)
    onnx.checker.check_model(model)
    twin = float_twin(model)
    onnx.checker.check_model(twin)
    dynamic = dynamic_twin(model)
    onnx.checker.check_model(dynamic)
    d = args.workdir
    x = rng.standard_normal((1, 3, 224, 224)).astype(np.float32)
    np.save(os.path.join(d, "x.npy"), x)
    x.tofile(os.path.join(d, "x.raw"))
    rows, ok = [], True
    for label, m, name in [("MobileNetV2-style QDQ 224x224", model, "model"),
                           ("the same, float32 twin", twin, "twin"),
                           ("the same, dynamically quantized (ConvInteger)", dynamic, "dynamic")]:
        row, passed = run_model(args, m, x, name, d)
        ok &= passed
        rows.append((label, row))
    print("| model | qcc µs | ORT µs | ORT/qcc | qcc vs float64 | ORT vs float64 | check |")
    print("|---|---|---|---|---|---|---|")
    for label, row in rows:
        if row is None:
            print(f"| {label} | - | - | - | - | - | compile failed |")
            continue
        q, o, qcc_err, ort_err, check = row
        print(f"| {label} | {q:.0f} | {o:.0f} | {o / q:.2f} | {qcc_err:.1e} | {ort_err:.1e} | {check} |")
    if all(row is not None for _, row in rows):
        (q_q, q_o, *_), (t_q, t_o, *_), (d_q, d_o, *_) = (row for _, row in rows)
        print(f"QDQ over float32 twin: qcc {t_q / q_q:.2f}x faster, ORT {t_o / q_o:.2f}x")
        print(f"dynamically quantized over float32 twin: qcc {t_q / d_q:.2f}x faster, ORT {t_o / d_o:.2f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
