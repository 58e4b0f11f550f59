# End to end: reductions along the innermost axis, which the CPU pipeline
# splits into 16 vector lanes (qcc-split-reductions, after unit dimensions
# are folded away): Softmax, LayerNormalization, ReduceSum/Max/Mean with and
# without keepdims, sizes that split (multiples of 16, >= 256) and one that
# does not; against float64 references (f32 sums in another order: rtol 1e-4).
# RUN: rm -rf %t && %python %s %t %qcc_tools_dir | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: e2e: 7 passed, 0 failed
import os
import sys

import numpy as np

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "Import", "ONNX", "Inputs"))
sys.path.insert(0, os.path.join(here, "Inputs"))
from onnx_builder import *  # noqa: E402
from e2e_runner import Runner  # noqa: E402

runner = Runner(sys.argv[1], sys.argv[2])
rng = np.random.default_rng(13)


def run(name, model_proto, inputs, expected):
    runner.run(name, model_proto, inputs, {k: v.astype(np.float32) for k, v in expected.items()},
               rtol=1e-4, atol=1e-5)


x = rng.standard_normal((4, 1024)).astype(np.float32) * 3
e = np.exp(x.astype(np.float64) - x.max(axis=-1, keepdims=True))
run("softmax_4x1024", single("Softmax", [("x", FLOAT, [4, 1024])], [("y", FLOAT, [4, 1024])], {"axis": -1}),
    {"x": x}, {"y": e / e.sum(axis=-1, keepdims=True)})

x = rng.standard_normal((3, 512)).astype(np.float32) + 2
g = rng.standard_normal(512).astype(np.float32)
b = rng.standard_normal(512).astype(np.float32)
x64 = x.astype(np.float64)
norm = (x64 - x64.mean(-1, keepdims=True)) / np.sqrt(x64.var(-1, keepdims=True) + 1e-5)
run("layernorm_3x512", single("LayerNormalization", [("x", FLOAT, [3, 512])], [("y", FLOAT, [3, 512])],
                              {"axis": -1}, [tensor("g", g), tensor("b", b)], opset=17),
    {"x": x}, {"y": norm * g + b})

x = rng.standard_normal((5, 768)).astype(np.float32)
run("reducesum_5x768", single("ReduceSum", [("x", FLOAT, [5, 768])], [("y", FLOAT, [5])], {"keepdims": 0},
                              [tensor("axes", np.array([-1], np.int64))], opset=17),
    {"x": x}, {"y": x.astype(np.float64).sum(-1)})

x = rng.standard_normal((2, 3, 256)).astype(np.float32)
run("reducemax_2x3x256_keepdims", single("ReduceMax", [("x", FLOAT, [2, 3, 256])], [("y", FLOAT, [2, 3, 1])],
                                         {"axes": [-1], "keepdims": 1}, opset=17),
    {"x": x}, {"y": x.max(-1, keepdims=True)})

x = rng.standard_normal(4096).astype(np.float32)
run("reducemean_4096", single("ReduceMean", [("x", FLOAT, [4096])], [("y", FLOAT, [])], {"keepdims": 0}, opset=17),
    {"x": x}, {"y": np.array(x.astype(np.float64).mean())})

x = rng.standard_normal((3, 100)).astype(np.float32)
run("reducesum_unsplit_3x100", single("ReduceSum", [("x", FLOAT, [3, 100])], [("y", FLOAT, [3, 1])], {},
                                      [tensor("axes", np.array([1], np.int64))], opset=17),
    {"x": x}, {"y": x.astype(np.float64).sum(-1, keepdims=True)})

x = rng.standard_normal((8, 2048)).astype(np.float32)
run("reducemin_8x2048", single("ReduceMin", [("x", FLOAT, [8, 2048])], [("y", FLOAT, [8, 1])],
                               {"axes": [1]}, opset=17),
    {"x": x}, {"y": x.min(-1, keepdims=True)})

runner.summary()
