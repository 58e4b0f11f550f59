#!/usr/bin/env python3
"""Imports every ONNX backend node test whose ops are in qcc's scope.

Usage: node_tests.py QCC [--run QCC_RUN] [--data DIR] [--verbose]

A test is in scope when every node in its model is one of the ops the ONNX
importer issue lists (IN_SCOPE) and it is not excluded below for a stated
reason. Prints "imported X of Y in-scope node tests" and every failure;
exits 1 if any in-scope test fails to import. With --run, each test is also
compiled to a shared library and run by qcc-run on test_data_set_0, and its
outputs compared with the expected ones (ONNX's backend tolerances: rtol
1e-3, atol 1e-7; integers exact): "passed X of Y in-scope node tests".
"""
import argparse
import concurrent.futures
import os
import tempfile
import subprocess
import sys

import onnx

IN_SCOPE = {
    # quantized ops
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearMatMul",
    "MatMulInteger", "QLinearConv", "ConvInteger", "MatMulNBits",
    # float ops
    "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Reciprocal", "Neg",
    "Exp", "Log", "Tanh", "Erf", "Sigmoid", "Relu", "LeakyRelu", "Gelu", "Softmax",
    "LogSoftmax", "LayerNormalization", "ReduceMean", "ReduceSum", "ReduceMax",
    "Reshape", "Transpose", "Concat", "Split", "Slice", "Gather", "Squeeze",
    "Unsqueeze", "Flatten", "Expand", "Where", "Equal", "Less", "Greater", "Cast",
    "Constant", "ConstantOfShape", "Shape", "Range", "Identity", "Conv", "MaxPool",
    "AveragePool", "GlobalAveragePool", "BatchNormalization", "Clip", "Pad",
    "HardSigmoid", "HardSwish", "Resize",
}

# Tests of in-scope ops that exercise something outside the scope,
# with the reason. Everything not listed here must import.
EXCLUDED_PREFIXES = {
    "test_cast_STRING": "string tensors are not supported",
    "test_cast_FLOAT_to_STRING": "string tensors are not supported",
    "test_cast_FLOAT_to_FLOAT8": "Cast to float8 is not in scope (QuantizeLinear is)",
    "test_cast_FLOAT16_to_FLOAT8": "Cast to float8 is not in scope (QuantizeLinear is)",
    "test_cast_FLOAT8": "Cast from float8 is not in scope (DequantizeLinear is)",
    "test_cast_no_saturate": "Cast to float8 is not in scope",
    "test_castlike": "CastLike is not in scope",
    "test_batchnorm_epsilon_training_mode": "BatchNormalization training mode: qcc compiles inference graphs",
    "test_batchnorm_example_training_mode": "BatchNormalization training mode: qcc compiles inference graphs",
    "test_cast_FLOAT_to_BFLOAT16": "the ONNX 1.12 expected output truncates; qcc rounds to nearest even as ONNX 1.14+ specifies",
    "test_identity_opt": "optional types are not in scope (tensors only)",
    "test_identity_sequence": "sequence types are not in scope (tensors only)",
    "test_resize_downsample_scales_cubic": "Resize mode cubic is not in scope (nearest/linear are)",
    "test_resize_upsample_scales_cubic": "Resize mode cubic is not in scope",
    "test_resize_downsample_sizes_cubic": "Resize mode cubic is not in scope",
    "test_resize_upsample_sizes_cubic": "Resize mode cubic is not in scope",
    "test_resize_tf_crop_and_resize": "Resize tf_crop_and_resize needs a roi input: not in scope",
    "test_resize_downsample_scales_linear_antialias": "Resize antialias is opset 18: not in scope",
    "test_resize_downsample_sizes_linear_antialias": "Resize antialias is opset 18: not in scope",
    "test_resize_downsample_scales_cubic_antialias": "Resize cubic is not in scope",
    "test_resize_downsample_sizes_cubic_antialias": "Resize cubic is not in scope",
}


def ops_of(model):
    ops = set()
    for node in model.graph.node:
        ops.add(node.op_type if node.domain in ("", "ai.onnx") else node.domain + "::" + node.op_type)
    return ops


SHAPE_LIKE_FLOAT_INPUTS = {"scales", "sizes", "roi", "start", "limit", "delta"}


def frozen_inputs(model_path):
    """--const-input flags for the shape-like graph inputs of a node test."""
    m = onnx.load(model_path, load_external_data=False)
    initializers = {t.name for t in m.graph.initializer}
    data_dir = os.path.join(os.path.dirname(model_path), "test_data_set_0")
    flags = []
    inputs = [i for i in m.graph.input if i.name not in initializers]
    for index, info in enumerate(inputs):
        elem = info.type.tensor_type.elem_type
        is_float = elem in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16)
        if is_float and info.name not in SHAPE_LIKE_FLOAT_INPUTS:
            continue
        pb = os.path.join(data_dir, f"input_{index}.pb")
        if os.path.exists(pb):
            flags += ["--const-input", f"{info.name}={pb}"]
    return flags


def exclusion(name):
    for prefix, reason in EXCLUDED_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    return None


def check(name, path, args, workdir):
    """Returns (imported, frozen, passed, failure message)."""
    base = [args.qcc, path]
    result = subprocess.run(base + ["--emit=mlir", "-o", os.devnull],
                            capture_output=True, text=True, timeout=300)
    flags = []
    if result.returncode != 0 and "must be known at compile time" in result.stderr:
        # A static compiler needs shape inputs (pads, shape, axes, scales)
        # at compile time: freeze them to the values of test_data_set_0.
        flags = frozen_inputs(path)
        result = subprocess.run(base + flags + ["--emit=mlir", "-o", os.devnull],
                                capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return False, bool(flags), False, first_line(result.stderr)
    if not args.run:
        return True, bool(flags), False, None
    library = os.path.join(workdir, name + ".so")
    result = subprocess.run(base + flags + ["-o", library], capture_output=True,
                            text=True, timeout=600)
    if result.returncode != 0:
        return True, bool(flags), False, "compile: " + first_line(result.stderr)
    data = os.path.join(os.path.dirname(path), "test_data_set_0")
    frozen_names = {flags[i + 1].split("=", 1)[0] for i in range(0, len(flags), 2)}
    run = [args.run, library, "--expected-dir", data]
    for index, info in enumerate(graph_inputs(path)):
        if info not in frozen_names:
            run += ["--input", f"{info}={os.path.join(data, f'input_{index}.pb')}"]
    result = subprocess.run(run, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        lines = [l for l in (result.stdout + result.stderr).splitlines() if "FAIL" in l or "error" in l.lower()]
        return True, bool(flags), False, "run: " + (lines[0] if lines else first_line(result.stderr))
    return True, bool(flags), True, None


def first_line(text):
    return (text.strip().splitlines() or ["(no message)"])[0]


def graph_inputs(model_path):
    m = onnx.load(model_path, load_external_data=False)
    initializers = {t.name for t in m.graph.initializer}
    return [i.name for i in m.graph.input if i.name not in initializers]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("qcc")
    parser.add_argument("--run", metavar="QCC_RUN",
                        help="also compile and run each test with this qcc-run")
    parser.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    tests, excluded = [], 0
    for name in sorted(os.listdir(args.data)):
        path = os.path.join(args.data, name, "model.onnx")
        if not os.path.exists(path):
            continue
        try:
            ops = ops_of(onnx.load(path, load_external_data=False))
        except Exception:  # a model python-onnx 1.12 cannot read
            continue
        if not ops or not ops <= IN_SCOPE:
            continue
        if exclusion(name):
            excluded += 1
            if args.verbose:
                print(f"excluded {name}: {exclusion(name)}")
            continue
        tests.append((name, path))

    imported = frozen = passed = 0
    failures = []
    with tempfile.TemporaryDirectory() as workdir, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = pool.map(lambda t: (t[0],) + check(t[0], t[1], args, workdir), tests)
        for name, ok, was_frozen, ran, message in results:
            imported += ok
            frozen += ok and was_frozen
            passed += ran
            if message:
                failures.append(f"{name}: {message}")
    for failure in failures:
        print("FAILED " + failure)
    print(f"imported {imported} of {len(tests)} in-scope node tests "
          f"({frozen} with shape inputs frozen from test_data_set_0; "
          f"{excluded} excluded as out of scope)")
    if args.run:
        print(f"passed {passed} of {len(tests)} in-scope node tests end to end")
        return 0 if passed == len(tests) else 1
    return 0 if imported == len(tests) else 1


if __name__ == "__main__":
    sys.exit(main())
