#!/usr/bin/env python3
"""Imports every ONNX backend node test whose ops are in qcc's scope.

Usage: node_tests.py QCC [--data DIR] [--verbose]

A test is in scope when every node in its model is one of the ops the ONNX
importer issue lists (IN_SCOPE) and it is not excluded below for a stated
reason. Prints "imported X of Y in-scope node tests" and every failure;
exits 1 if any in-scope test fails to import.
"""
import argparse
import os
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


def exclusion(name):
    for prefix, reason in EXCLUDED_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("qcc")
    parser.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    in_scope, imported, failures, excluded = 0, 0, [], 0
    for name in sorted(os.listdir(args.data)):
        path = os.path.join(args.data, name, "model.onnx")
        if not os.path.exists(path):
            continue
        try:
            ops = ops_of(onnx.load(path, load_external_data=False))
        except Exception as e:  # a model python-onnx 1.12 cannot read
            continue
        if not ops or not ops <= IN_SCOPE:
            continue
        if exclusion(name):
            excluded += 1
            if args.verbose:
                print(f"excluded {name}: {exclusion(name)}")
            continue
        in_scope += 1
        result = subprocess.run([args.qcc, path, "-o", os.devnull],
                                capture_output=True, text=True, timeout=120)
        if result.returncode == 0:
            imported += 1
        else:
            first = (result.stderr.strip().splitlines() or ["(no message)"])[0]
            failures.append(f"{name}: {first}")
    for failure in failures:
        print("FAILED " + failure)
    print(f"imported {imported} of {in_scope} in-scope node tests "
          f"({excluded} excluded as out of scope)")
    return 0 if imported == in_scope else 1


if __name__ == "__main__":
    sys.exit(main())
