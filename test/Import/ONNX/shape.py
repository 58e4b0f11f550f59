# RUN: %python %s %t
# RUN: qcc %t/reshape.onnx --emit=mlir | FileCheck %s --check-prefix=RESHAPE
# RUN: qcc %t/reshape_allowzero.onnx --emit=mlir | FileCheck %s --check-prefix=ALLOWZERO
# RUN: qcc %t/transpose.onnx --emit=mlir | FileCheck %s --check-prefix=TRANSPOSE
# RUN: qcc %t/transpose_default.onnx --emit=mlir | FileCheck %s --check-prefix=TRANSPOSE-DEFAULT
# RUN: qcc %t/concat.onnx --emit=mlir | FileCheck %s --check-prefix=CONCAT
# RUN: qcc %t/split_attr.onnx --emit=mlir | FileCheck %s --check-prefix=SPLIT-ATTR
# RUN: qcc %t/split_input.onnx --emit=mlir | FileCheck %s --check-prefix=SPLIT-INPUT
# RUN: qcc %t/split_num.onnx --emit=mlir | FileCheck %s --check-prefix=SPLIT-NUM
# RUN: qcc %t/slice_attr.onnx --emit=mlir | FileCheck %s --check-prefix=SLICE-ATTR
# RUN: qcc %t/slice_neg.onnx --emit=mlir | FileCheck %s --check-prefix=SLICE-NEG
# RUN: qcc %t/gather.onnx --emit=mlir | FileCheck %s --check-prefix=GATHER
# RUN: qcc %t/gather_scalar.onnx --emit=mlir | FileCheck %s --check-prefix=GATHER-SCALAR
# RUN: qcc %t/gather_fold.onnx --emit=mlir | FileCheck %s --check-prefix=GATHER-FOLD
# RUN: qcc %t/squeeze_attr.onnx --emit=mlir | FileCheck %s --check-prefix=SQUEEZE-ATTR
# RUN: qcc %t/squeeze_all.onnx --emit=mlir | FileCheck %s --check-prefix=SQUEEZE-ALL
# RUN: qcc %t/unsqueeze_attr.onnx --emit=mlir | FileCheck %s --check-prefix=UNSQUEEZE-ATTR
# RUN: qcc %t/unsqueeze_input.onnx --emit=mlir | FileCheck %s --check-prefix=UNSQUEEZE-INPUT
# RUN: qcc %t/flatten.onnx --emit=mlir | FileCheck %s --check-prefix=FLATTEN
# RUN: qcc %t/expand.onnx --emit=mlir | FileCheck %s --check-prefix=EXPAND
# RUN: qcc %t/shape.onnx --emit=mlir | FileCheck %s --check-prefix=SHAPE
# RUN: qcc %t/range.onnx --emit=mlir | FileCheck %s --check-prefix=RANGE
# RUN: qcc %t/range_float.onnx --emit=mlir | FileCheck %s --check-prefix=RANGE-FLOAT
# RUN: qcc %t/constantofshape.onnx --emit=mlir | FileCheck %s --check-prefix=CONSTANTOFSHAPE
# RUN: qcc %t/constant.onnx --emit=mlir | FileCheck %s --check-prefix=CONSTANT
# RUN: qcc %t/pad_constant.onnx --emit=mlir | FileCheck %s --check-prefix=PAD-CONSTANT
# RUN: qcc %t/pad_runtime_value.onnx --emit=mlir | FileCheck %s --check-prefix=PAD-VALUE
# RUN: qcc %t/pad_reflect.onnx --emit=mlir | FileCheck %s --check-prefix=PAD-REFLECT
# RUN: qcc %t/pad_edge_axes.onnx --emit=mlir | FileCheck %s --check-prefix=PAD-EDGE
# RUN: qcc %t/pad_attr.onnx --emit=mlir | FileCheck %s --check-prefix=PAD-ATTR
# RUN: qcc %t/fold.onnx --emit=mlir | FileCheck %s --check-prefix=FOLD
# RUN: not qcc %t/bad_reshape_runtime.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-RESHAPE-RUNTIME
# RUN: not qcc %t/bad_reshape_count.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-RESHAPE-COUNT
# RUN: not qcc %t/bad_concat.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-CONCAT
# RUN: not qcc %t/bad_squeeze.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-SQUEEZE
# RUN: not qcc %t/bad_gather.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-GATHER
# RUN: not qcc %t/bad_range.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-RANGE
# RUN: not qcc %t/bad_constant.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-CONSTANT
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

I64MAX = 2**63 - 1


def ints(name, values):
    return tensor(name, np.array(values, np.int64))


# 0 copies the input dimension, -1 takes the rest.
# RESHAPE-LABEL: func.func @main_graph
# RESHAPE: tensor.collapse_shape %arg0 {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
# RESHAPE: tensor.expand_shape %{{.*}} output_shape [2, 12] : tensor<24xf32> into tensor<2x12xf32>
save(single("Reshape", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [2, 12])],
            initializers=[ints("shape", [0, -1])]), "reshape.onnx")

# allowzero (opset 14): 0 is a dimension of size 0.
# ALLOWZERO: tensor.expand_shape {{.*}} output_shape [3, 0] : tensor<0xf32> into tensor<3x0xf32>
save(single("Reshape", [("x", FLOAT, [0, 3])], [("y", FLOAT, [3, 0])], {"allowzero": 1},
            initializers=[ints("shape", [3, 0])], opset=14), "reshape_allowzero.onnx")

# TRANSPOSE: linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<3x2x4xf32>) permutation = [1, 0, 2]
save(single("Transpose", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [3, 2, 4])], {"perm": [1, 0, 2]}),
     "transpose.onnx")
# TRANSPOSE-DEFAULT: linalg.transpose {{.*}} permutation = [1, 0]
save(single("Transpose", [("x", FLOAT, [2, 3])], [("y", FLOAT, [3, 2])]), "transpose_default.onnx")

# CONCAT: tensor.concat dim(1) %arg0, %arg1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
save(single("Concat", [("a", FLOAT, [2, 3]), ("b", FLOAT, [2, 5])], [("y", FLOAT, [2, 8])], {"axis": -1}),
     "concat.onnx")

# Split sizes: attribute before opset 13, input from 13, num_outputs from 18
# (the last part smaller when the axis does not divide).
# SPLIT-ATTR: tensor.extract_slice %arg0[0, 0] [1, 4] [1, 1]
# SPLIT-ATTR: tensor.extract_slice %arg0[1, 0] [2, 4] [1, 1]
save(single("Split", [("x", FLOAT, [3, 4])], [("a", FLOAT, [1, 4]), ("b", FLOAT, [2, 4])],
            {"split": [1, 2]}, opset=11), "split_attr.onnx")
# SPLIT-INPUT: tensor.extract_slice %arg0[0, 0] [3, 1] [1, 1]
# SPLIT-INPUT: tensor.extract_slice %arg0[0, 1] [3, 3] [1, 1]
save(single("Split", [("x", FLOAT, [3, 4])], [("a", FLOAT, [3, 1]), ("b", FLOAT, [3, 3])], {"axis": 1},
            initializers=[ints("split", [1, 3])], opset=13), "split_input.onnx")
# SPLIT-NUM: tensor.extract_slice %arg0[0] [3] [1]
# SPLIT-NUM: tensor.extract_slice %arg0[3] [3] [1]
# SPLIT-NUM: tensor.extract_slice %arg0[6] [1] [1]
save(single("Split", [("x", FLOAT, [7])], [("a", FLOAT, [3]), ("b", FLOAT, [3]), ("c", FLOAT, [1])],
            {"num_outputs": 3}, opset=18), "split_num.onnx")

# Slice before opset 10: attributes.
# SLICE-ATTR: tensor.extract_slice %arg0[2, 0] [3, 6] [1, 1] : tensor<10x6xf32> to tensor<3x6xf32>
save(single("Slice", [("x", FLOAT, [10, 6])], [("y", FLOAT, [3, 6])],
            {"starts": [2], "ends": [5], "axes": [0]}, opset=9), "slice_attr.onnx")

# Inputs, a negative step from the end (rows 9, 7, 5, 3: read with stride 2
# from row 3, then reversed), an INT64_MAX end and a negative axis.
# SLICE-NEG: #[[REV:.*]] = affine_map<(d0, d1) -> (-d0 + 3, d1)>
# SLICE-NEG: tensor.extract_slice %arg0[3, 1] [4, 5] [2, 1] : tensor<10x6xf32> to tensor<4x5xf32>
# SLICE-NEG: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}]
save(single("Slice", [("x", FLOAT, [10, 6])], [("y", FLOAT, [4, 5])],
            initializers=[ints("starts", [-1, 1]), ints("ends", [-9, I64MAX]), ints("axes", [0, -1]),
                          ints("steps", [-2, 1])], opset=13), "slice_neg.onnx")

# Runtime indices of rank 2 on axis 1: a generic over the output that reads
# the index, wraps negatives and extracts.
# GATHER: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
# GATHER: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}]{{.*}} ins(%arg1 : tensor<2x3xi64>) outs(%{{.*}} : tensor<5x2x3xf32>)
# GATHER: arith.index_cast
# GATHER: arith.select
# GATHER: tensor.extract %arg0[%{{.*}}, %{{.*}}] : tensor<5x4xf32>
save(single("Gather", [("x", FLOAT, [5, 4]), ("i", INT64, [2, 3])], [("y", FLOAT, [5, 2, 3])], {"axis": 1}),
     "gather.onnx")
# One known (negative) index is a slice.
# GATHER-SCALAR: tensor.extract_slice %arg0[0, 3] [5, 1] [1, 1]
# GATHER-SCALAR-NOT: linalg.generic
save(single("Gather", [("x", FLOAT, [5, 4])], [("y", FLOAT, [5])], {"axis": 1},
            initializers=[tensor("i", np.array(-1, np.int64))]), "gather_scalar.onnx")
# GATHER-FOLD: arith.constant dense<{{\[}}[10, 30], [30, 20]]> : tensor<2x2xi64>
# GATHER-FOLD-NOT: linalg
save(single("Gather", [], [("y", INT64, [2, 2])],
            initializers=[ints("x", [10, 20, 30]), tensor("i", np.array([[0, -1], [2, 1]], np.int32))]),
     "gather_fold.onnx")

# SQUEEZE-ATTR: tensor.expand_shape {{.*}} into tensor<3x1xf32>
save(single("Squeeze", [("x", FLOAT, [1, 3, 1])], [("y", FLOAT, [3, 1])], {"axes": [0]}, opset=11),
     "squeeze_attr.onnx")
# No axes: every size-1 dimension goes.
# SQUEEZE-ALL: tensor.collapse_shape %arg0 {{.*}} into tensor<3xf32>
save(single("Squeeze", [("x", FLOAT, [1, 3, 1])], [("y", FLOAT, [3])], opset=13), "squeeze_all.onnx")
# UNSQUEEZE-ATTR: tensor.expand_shape %arg0 {{.*}} into tensor<1x3x1xf32>
save(single("Unsqueeze", [("x", FLOAT, [3])], [("y", FLOAT, [1, 3, 1])], {"axes": [0, 2]}, opset=11),
     "unsqueeze_attr.onnx")
# UNSQUEEZE-INPUT: tensor.expand_shape %arg0 {{.*}} into tensor<3x1xf32>
save(single("Unsqueeze", [("x", FLOAT, [3])], [("y", FLOAT, [3, 1])],
            initializers=[ints("axes", [-1])], opset=13), "unsqueeze_input.onnx")
# FLATTEN: tensor.expand_shape {{.*}} into tensor<6x4xf32>
save(single("Flatten", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [6, 4])], {"axis": -1}), "flatten.onnx")

# Bidirectional broadcast: [3, 1] with [2, 1, 4] is [2, 3, 4].
# EXPAND: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
# EXPAND: linalg.generic {indexing_maps = [#[[B]], #{{.*}}]{{.*}} ins(%arg0 : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
save(single("Expand", [("x", FLOAT, [3, 1])], [("y", FLOAT, [2, 3, 4])],
            initializers=[ints("shape", [2, 1, 4])]), "expand.onnx")

# Shape (with start/end, opset 15) and Size are constants.
# SHAPE: arith.constant dense<[3, 4]> : tensor<2xi64>
# SHAPE: arith.constant dense<120> : tensor<i64>
nodes = [helper.make_node("Shape", ["x"], ["s"], start=1, end=-1), helper.make_node("Size", ["x"], ["n"])]
save(model(nodes, [value_info("x", FLOAT, [2, 3, 4, 5])], [value_info("s", INT64, [2]), value_info("n", INT64, [])]),
     "shape.onnx")

# RANGE: arith.constant dense<[10, 7]> : tensor<2xi32>
save(single("Range", [], [("y", INT32, [2])], initializers=[
    tensor("a", np.array(10, np.int32)), tensor("b", np.array(4, np.int32)), tensor("c", np.array(-3, np.int32))]),
    "range.onnx")
# RANGE-FLOAT: arith.constant dense<[1.000000e+00, 1.500000e+00, 2.000000e+00, 2.500000e+00]> : tensor<4xf32>
save(single("Range", [], [("y", FLOAT, [4])], initializers=[
    tensor("a", np.array(1, np.float32)), tensor("b", np.array(3, np.float32)), tensor("c", np.array(0.5, np.float32))]),
    "range_float.onnx")

# Small fills are known tensors; large ones splat constants.
# CONSTANTOFSHAPE-DAG: arith.constant dense<7> : tensor<2x2xi32>
# CONSTANTOFSHAPE-DAG: arith.constant dense<0.000000e+00> : tensor<100x100xf32>
nodes = [helper.make_node("ConstantOfShape", ["s"], ["y"], value=helper.make_tensor("v", INT32, [1], [7])),
         helper.make_node("ConstantOfShape", ["big"], ["z"])]
save(model(nodes, [], [value_info("y", INT32, [2, 2]), value_info("z", FLOAT, [100, 100])],
           [ints("s", [2, 2]), ints("big", [100, 100])]), "constantofshape.onnx")

# CONSTANT: arith.constant dense<1.500000e+00> : tensor<f32>
# CONSTANT: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
# CONSTANT: arith.constant dense<3> : tensor<i64>
# CONSTANT: arith.constant dense<[4, 5]> : tensor<2xi64>
# CONSTANT: arith.constant dense<[-1, 1]> : tensor<2xi8>
nodes = [helper.make_node("Constant", [], ["a"], value_float=1.5),
         helper.make_node("Constant", [], ["b"], value_floats=[1.0, 2.0]),
         helper.make_node("Constant", [], ["c"], value_int=3),
         helper.make_node("Constant", [], ["d"], value_ints=[4, 5]),
         helper.make_node("Constant", [], ["e"], value=helper.make_tensor("t", INT8, [2], [-1, 1]))]
save(model(nodes, [], [value_info("a", FLOAT, []), value_info("b", FLOAT, [2]), value_info("c", INT64, []),
                       value_info("d", INT64, [2]), value_info("e", INT8, [2])]), "constant.onnx")

# PAD-CONSTANT: %[[V:.*]] = arith.constant 2.500000e+00 : f32
# PAD-CONSTANT: tensor.pad %arg0 low[0, 1] high[1, 3]
# PAD-CONSTANT: tensor.yield %[[V]] : f32
# PAD-CONSTANT: } : tensor<2x3xf32> to tensor<3x7xf32>
save(single("Pad", [("x", FLOAT, [2, 3])], [("y", FLOAT, [3, 7])],
            initializers=[ints("pads", [0, 1, 1, 3]), tensor("v", np.array(2.5, np.float32))]), "pad_constant.onnx")
# A runtime padding value; a negative pad crops first.
# PAD-VALUE: %[[CROP:.*]] = tensor.extract_slice %arg0[0, 0] [2, 2] [1, 1]
# PAD-VALUE: %[[V:.*]] = tensor.extract %arg1[] : tensor<f32>
# PAD-VALUE: tensor.pad %[[CROP]] low[0, 1] high[0, 0]
# PAD-VALUE: tensor.yield %[[V]] : f32
save(single("Pad", [("x", FLOAT, [2, 3]), ("v", FLOAT, [])], [("y", FLOAT, [2, 3])],
            node_inputs=["x", "pads", "v"], initializers=[ints("pads", [0, 1, 0, -1])]), "pad_runtime_value.onnx")
# Reflect on axis 1 by 2: position k-2 reflected with period 4.
# PAD-REFLECT: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x7xf32>)
# PAD-REFLECT: arith.remsi
# PAD-REFLECT: arith.select
# PAD-REFLECT: tensor.extract %arg0
save(single("Pad", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 7])], {"mode": "reflect"},
            initializers=[ints("pads", [0, 2, 0, 2])]), "pad_reflect.onnx")
# Edge with axes (opset 18): the clamped row index.
# PAD-EDGE: linalg.generic {{.*}} outs(%{{.*}} : tensor<4x3xf32>)
# PAD-EDGE: arith.maxsi
# PAD-EDGE: arith.minsi
# PAD-EDGE: tensor.extract %arg0
save(single("Pad", [("x", FLOAT, [2, 3])], [("y", FLOAT, [4, 3])], {"mode": "edge"},
            initializers=[ints("pads", [1, 1]), ints("axes", [0])], node_inputs=["x", "pads", "", "axes"],
            opset=18), "pad_edge_axes.onnx")
# Before opset 11: pads and value are attributes.
# PAD-ATTR: arith.constant 1.000000e+00 : f32
# PAD-ATTR: tensor.pad %arg0 low[0, 1] high[0, 0]
save(single("Pad", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 4])], {"pads": [0, 1, 0, 0], "value": 1.0}, opset=2),
     "pad_attr.onnx")

# A reshape target computed from a runtime input's shape is folded at import:
# the reshape is static and no op computes the shape.
# FOLD-LABEL: func.func @main_graph
# FOLD-NOT: linalg
# FOLD-NOT: arith.constant
# FOLD: tensor.collapse_shape %arg0
# FOLD-NEXT: tensor.expand_shape %{{.*}} output_shape [2, 12] : tensor<24xf32> into tensor<2x12xf32>
# FOLD-NOT: linalg
nodes = [helper.make_node("Shape", ["x"], ["s"]),
         helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
         helper.make_node("Unsqueeze", ["b", "axes"], ["b1"]),
         helper.make_node("Concat", ["b1", "minus1"], ["target"], axis=0),
         helper.make_node("Reshape", ["x", "target"], ["y"])]
save(model(nodes, [value_info("x", FLOAT, [2, 3, 4])], [value_info("y", FLOAT, [2, 12])],
           [ints("zero", 0), ints("axes", [0]), ints("minus1", [-1])]), "fold.onnx")

# BAD-RESHAPE-RUNTIME: node 'reshape' (Reshape): shape must be known at compile time (a constant or a foldable shape computation)
save(single("Reshape", [("x", FLOAT, [2, 3]), ("s", INT64, [2])], [("y", FLOAT, [3, 2])]),
     "bad_reshape_runtime.onnx")
# BAD-RESHAPE-COUNT: node 'reshape' (Reshape): cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)
save(single("Reshape", [("x", FLOAT, [2, 3])], [("y", FLOAT, [4, 2])], initializers=[ints("s", [4, 2])]),
     "bad_reshape_count.onnx")
# BAD-CONCAT: node 'concat' (Concat): input 1 has shape [3, 3] but input 0 has [2, 3] (they may differ only on axis 1)
save(single("Concat", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3, 3])], [("y", FLOAT, [2, 6])], {"axis": 1}),
     "bad_concat.onnx")
# BAD-SQUEEZE: node 'squeeze' (Squeeze): cannot squeeze axis 0 of size 2 (input shape [2, 3])
save(single("Squeeze", [("x", FLOAT, [2, 3])], [("y", FLOAT, [3])], initializers=[ints("axes", [0])]),
     "bad_squeeze.onnx")
# BAD-GATHER: node 'gather' (Gather): index 5 is out of range for axis 0 of size 5
save(single("Gather", [("x", FLOAT, [5, 4])], [("y", FLOAT, [4])], initializers=[ints("i", 5)]), "bad_gather.onnx")
# BAD-RANGE: node 'range' (Range): start, limit and delta must be known at compile time (the output's size depends on them)
save(single("Range", [("a", INT64, []), ("b", INT64, []), ("c", INT64, [])], [("y", INT64, [3])]), "bad_range.onnx")
# BAD-CONSTANT: node 'y' (Constant): sparse_value is not supported (sparse tensors are not supported; store the constant as a dense 'value')
sparse = helper.make_sparse_tensor(helper.make_tensor("v", FLOAT, [1], [1.0]),
                                   helper.make_tensor("i", INT64, [1], [0]), [4])
save(model([helper.make_node("Constant", [], ["y"], sparse_value=sparse)], [], [value_info("y", FLOAT, [4])]),
     "bad_constant.onnx")
