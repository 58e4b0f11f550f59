# RUN: %python %s %t
# RUN: qcc %t/add.onnx --emit=mlir | FileCheck %s --check-prefix=ADD
# RUN: qcc %t/div_int.onnx --emit=mlir | FileCheck %s --check-prefix=DIVINT
# RUN: qcc %t/unary.onnx --emit=mlir | FileCheck %s --check-prefix=UNARY
# RUN: qcc %t/cast.onnx --emit=mlir | FileCheck %s --check-prefix=CAST
# RUN: qcc %t/where.onnx --emit=mlir | FileCheck %s --check-prefix=WHERE
# RUN: qcc %t/clip.onnx --emit=mlir | FileCheck %s --check-prefix=CLIP
# RUN: qcc %t/gelu.onnx --emit=mlir | FileCheck %s --check-prefix=GELU
# RUN: qcc %t/fold.onnx --emit=mlir | FileCheck %s --check-prefix=FOLD
# RUN: qcc %t/all.onnx --emit=mlir | FileCheck %s --check-prefix=ALL
# RUN: qcc %t/compare.onnx --emit=mlir | FileCheck %s --check-prefix=CMP
# RUN: qcc %t/pow_int.onnx --emit=mlir | FileCheck %s --check-prefix=POWINT
# RUN: qcc %t/clip6.onnx --emit=mlir | FileCheck %s --check-prefix=CLIP6
# RUN: not qcc %t/bad_gelu.onnx 2>&1 | FileCheck %s --check-prefix=BADGELU
# RUN: not qcc %t/bad_types.onnx 2>&1 | FileCheck %s --check-prefix=BADTYPES
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

# Broadcasting: [2,3] + [3] reads the second input with a (d1) map.
# ADD: #[[BCAST:.*]] = affine_map<(d0, d1) -> (d1)>
# ADD-LABEL: func.func @main_graph
# ADD-SAME: %arg0: tensor<2x3xf32> {onnx.name = "a"}
# ADD-SAME: -> (tensor<2x3xf32> {onnx.name = "c"})
# ADD: linalg.generic {indexing_maps = [#{{.*}}, #[[BCAST]], #{{.*}}]
# ADD: arith.addf
save(single("Add", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3])], [("c", FLOAT, [2, 3])]), "add.onnx")

# Unsigned integers are signless inside the function, with unsigned ops.
# DIVINT-LABEL: func.func @main_graph
# DIVINT-SAME: tensor<4xui8>
# DIVINT: tensor.bitcast %arg0 : tensor<4xui8> to tensor<4xi8>
# DIVINT: arith.divui
# DIVINT: tensor.bitcast %{{.*}} : tensor<4xi8> to tensor<4xui8>
save(single("Div", [("a", UINT8, [4]), ("b", UINT8, [4])], [("c", UINT8, [4])]), "div_int.onnx")

# UNARY: math.sqrt
# UNARY: math.exp
# UNARY: arith.divf
# UNARY: math.tanh
# UNARY: math.erf
# UNARY: arith.maximumf
# UNARY: arith.select
nodes = [
    helper.make_node("Sqrt", ["x"], ["s"]),
    helper.make_node("Sigmoid", ["s"], ["g"]),
    helper.make_node("Tanh", ["g"], ["t"]),
    helper.make_node("Erf", ["t"], ["e"]),
    helper.make_node("Relu", ["e"], ["r"]),
    helper.make_node("LeakyRelu", ["r"], ["y"], alpha=0.1),
]
save(model(nodes, [value_info("x", FLOAT, [8])], [value_info("y", FLOAT, [8])]), "unary.onnx")

# CAST: arith.fptosi %{{.*}} : f32 to i32
save(single("Cast", [("x", FLOAT, [3])], [("y", INT32, [3])], {"to": INT32}), "cast.onnx")

# WHERE: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
save(single("Where", [("c", BOOL, [2, 1]), ("x", FLOAT, [2, 3]), ("y", FLOAT, [3])], [("z", FLOAT, [2, 3])]), "where.onnx")

# Opset 11+: bounds are inputs.
# CLIP: tensor.extract
# CLIP: arith.maximumf
# CLIP: arith.minimumf
save(single("Clip", [("x", FLOAT, [4])], [("y", FLOAT, [4])],
            initializers=[tensor("lo", np.array(-1.0, np.float32)), tensor("hi", np.array(1.0, np.float32))]), "clip.onnx")

# GELU: math.tanh
save(single("Gelu", [("x", FLOAT, [4])], [("y", FLOAT, [4])], {"approximate": "tanh"}, opset=20), "gelu.onnx")

# Integer shape arithmetic on constants is folded at import.
# FOLD-LABEL: func.func @main_graph
# FOLD: %[[C:.*]] = arith.constant dense<[7, 9]> : tensor<2xi64>
# FOLD-NOT: linalg.generic
# FOLD: return %[[C]]
nodes = [helper.make_node("Add", ["a", "b"], ["s"]), helper.make_node("Mul", ["s", "two"], ["y"]),
         helper.make_node("Sub", ["y", "one"], ["z"])]
save(model(nodes, [], [value_info("z", INT64, [2])],
           [tensor("a", np.array([1, 2], np.int64)), tensor("b", np.array([3, 3], np.int64)),
            tensor("two", np.array(2, np.int64)), tensor("one", np.array(1, np.int64))]), "fold.onnx")

# One model with every float elementwise op of the importer's list, in order.
# ALL: arith.subf
# ALL: arith.mulf
# ALL: arith.divf
# ALL: math.powf
# ALL: arith.divf
# ALL: arith.negf
# ALL: math.exp
# ALL: math.log
# ALL: math.absf
# HardSigmoid: alpha * x + beta, clamped to [0, 1].
# ALL: arith.mulf
# ALL: arith.addf
# ALL: arith.minimumf
# ALL: arith.maximumf
# HardSwish: x * hardsigmoid(x) with alpha 1/6.
# ALL: arith.minimumf
# ALL: arith.maximumf
# ALL: arith.mulf
# ALL: math.erf
# ALL: return
nodes = [
    helper.make_node("Sub", ["x", "c"], ["a1"]),
    helper.make_node("Mul", ["a1", "c"], ["a2"]),
    helper.make_node("Div", ["a2", "c"], ["a3"]),
    helper.make_node("Pow", ["a3", "c"], ["a4"]),
    helper.make_node("Reciprocal", ["a4"], ["a5"]),
    helper.make_node("Neg", ["a5"], ["a6"]),
    helper.make_node("Exp", ["a6"], ["a7"]),
    helper.make_node("Log", ["a7"], ["a8"]),
    helper.make_node("Abs", ["a8"], ["a9"]),
    helper.make_node("HardSigmoid", ["a9"], ["a10"], alpha=0.3, beta=0.4),
    helper.make_node("HardSwish", ["a10"], ["a11"]),
    helper.make_node("Gelu", ["a11"], ["a12"]),
    helper.make_node("Identity", ["a12"], ["y"]),
]
save(model(nodes, [value_info("x", FLOAT, [2, 3]), value_info("c", FLOAT, [3])], [value_info("y", FLOAT, [2, 3])]), "all.onnx")

# CMP: arith.cmpf oeq
# CMP: arith.cmpi slt
# CMP: arith.cmpf ogt
nodes = [helper.make_node("Equal", ["f", "g"], ["e"]), helper.make_node("Less", ["i", "j"], ["l"]),
         helper.make_node("Greater", ["f", "g"], ["gt"])]
save(model(nodes, [value_info("f", FLOAT, [3]), value_info("g", FLOAT, [3]), value_info("i", INT64, [3]), value_info("j", INT64, [3])],
           [value_info("e", BOOL, [3]), value_info("l", BOOL, [3]), value_info("gt", BOOL, [3])]), "compare.onnx")

# Integer powers stay exact.
# POWINT: math.ipowi
save(single("Pow", [("x", INT32, [3]), ("p", INT32, [3])], [("y", INT32, [3])]), "pow_int.onnx")

# Before opset 11 Clip's bounds are attributes.
# CLIP6: arith.constant -1.000000e+00 : f32
# CLIP6: arith.maximumf
save(single("Clip", [("x", FLOAT, [4])], [("y", FLOAT, [4])], {"min": -1.0, "max": 1.0}, opset=10), "clip6.onnx")

# BADGELU: bad_gelu.onnx: node 'gelu' (Gelu): approximate='fast' is not supported (expected none or tanh)
save(single("Gelu", [("x", FLOAT, [4])], [("y", FLOAT, [4])], {"approximate": "fast"}, opset=20), "bad_gelu.onnx")

# BADTYPES: bad_types.onnx: node 'add' (Add): input 1 has type INT32 but input 0 has FLOAT
save(single("Add", [("x", FLOAT, [4]), ("z", INT32, [4])], [("y", FLOAT, [4])]), "bad_types.onnx")
