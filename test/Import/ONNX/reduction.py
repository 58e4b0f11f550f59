# RUN: %python %s %t
# RUN: qcc --emit=mlir %t/sum_attr.onnx | FileCheck %s --check-prefix=SUMATTR
# RUN: qcc --emit=mlir %t/sum_input.onnx | FileCheck %s --check-prefix=SUMINPUT
# RUN: qcc --emit=mlir %t/sum_all.onnx | FileCheck %s --check-prefix=SUMALL
# RUN: qcc --emit=mlir %t/sum_noop.onnx | FileCheck %s --check-prefix=SUMNOOP
# RUN: qcc --emit=mlir %t/mean.onnx | FileCheck %s --check-prefix=MEAN
# RUN: qcc --emit=mlir %t/mean_input.onnx | FileCheck %s --check-prefix=MEAN18
# RUN: qcc --emit=mlir %t/mean_int.onnx | FileCheck %s --check-prefix=MEANINT
# RUN: qcc --emit=mlir %t/max.onnx | FileCheck %s --check-prefix=MAX
# RUN: qcc --emit=mlir %t/max_uint8.onnx | FileCheck %s --check-prefix=MAXU8
# RUN: qcc --emit=mlir %t/max_bool.onnx | FileCheck %s --check-prefix=MAXBOOL
# RUN: qcc --emit=mlir %t/min.onnx | FileCheck %s --check-prefix=MIN
# RUN: qcc --emit=mlir %t/prod.onnx | FileCheck %s --check-prefix=PROD
# RUN: qcc --emit=mlir %t/l1.onnx | FileCheck %s --check-prefix=L1
# RUN: qcc --emit=mlir %t/l2.onnx | FileCheck %s --check-prefix=L2
# RUN: qcc --emit=mlir %t/sum_square_noop.onnx | FileCheck %s --check-prefix=SSQNOOP
# RUN: qcc --emit=mlir %t/log_sum.onnx | FileCheck %s --check-prefix=LOGSUM
# RUN: qcc --emit=mlir %t/log_sum_exp.onnx | FileCheck %s --check-prefix=LSE
# RUN: qcc --emit=mlir %t/sum_f16.onnx | FileCheck %s --check-prefix=SUMF16
# RUN: qcc --emit=mlir %t/fold.onnx | FileCheck %s --check-prefix=FOLD
# RUN: not qcc --emit=mlir %t/bad_axes.onnx 2>&1 | FileCheck %s --check-prefix=BAD
# RUN: not qcc --emit=mlir %t/bad_dynamic_axes.onnx 2>&1 | FileCheck %s --check-prefix=BADDYN
# RUN: not qcc --emit=mlir %t/bad_type.onnx 2>&1 | FileCheck %s --check-prefix=BADTYPE
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

def axes(values):
    return tensor("axes", np.array(values, np.int64))

# Before opset 13 ReduceSum reads axes from an attribute; keepdims=0 drops them.
# SUMATTR-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
# SUMATTR-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d1)>
# SUMATTR-LABEL: func.func @main_graph
# SUMATTR: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
# SUMATTR: linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<3xf32>)
# SUMATTR: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["reduction", "parallel", "reduction"]}
# SUMATTR-SAME: ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<3xf32>)
# SUMATTR: arith.addf
save(single("ReduceSum", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [3])], {"axes": [0, -1], "keepdims": 0},
            opset=11), "sum_attr.onnx")

# From opset 13 the axes are an input (constant); keepdims defaults to 1.
# SUMINPUT-DAG: #[[KEEP:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
# SUMINPUT: linalg.generic {indexing_maps = [#{{.*}}, #[[KEEP]]], iterator_types = ["parallel", "reduction", "parallel"]}
# SUMINPUT-SAME: outs(%{{.*}} : tensor<2x1x4xf32>)
save(single("ReduceSum", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [2, 1, 4])], opset=13,
            initializers=[axes([1])]), "sum_input.onnx")

# No axes input: every axis.
# SUMALL: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
# SUMALL-SAME: outs(%{{.*}} : tensor<1x1xf32>)
save(single("ReduceSum", [("x", FLOAT, [2, 3])], [("y", FLOAT, [1, 1])], opset=13), "sum_all.onnx")

# Empty axes with noop_with_empty_axes=1: the input itself.
# SUMNOOP-LABEL: func.func @main_graph
# SUMNOOP-NOT: linalg.generic
# SUMNOOP: return %arg0
save(single("ReduceSum", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 3])], {"noop_with_empty_axes": 1},
            opset=13, initializers=[tensor("axes", np.array([], np.int64))]), "sum_noop.onnx")

# Mean = sum / count (12 elements per result).
# MEAN: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
# MEAN: arith.addf
# MEAN: linalg.generic
# MEAN: arith.constant 1.200000e+01 : f32
# MEAN: arith.divf
save(single("ReduceMean", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [2])], {"axes": [1, 2], "keepdims": 0},
            opset=13), "mean.onnx")

# MEAN18: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
# MEAN18-SAME: outs(%{{.*}} : tensor<3xf32>)
# MEAN18: arith.constant 2.000000e+00 : f32
# MEAN18: arith.divf
save(single("ReduceMean", [("x", FLOAT, [2, 3])], [("y", FLOAT, [3])], {"keepdims": 0}, opset=18,
            initializers=[axes([-2])]), "mean_input.onnx")

# MEANINT: arith.addi
# MEANINT: arith.divsi
save(single("ReduceMean", [("x", INT32, [2, 3])], [("y", INT32, [2, 1])], {"axes": [1]}, opset=13), "mean_int.onnx")

# MAX: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
# MAX: linalg.fill ins(%[[NEGINF]] : f32)
# MAX: arith.maximumf
save(single("ReduceMax", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 1])], {"axes": [1]}, opset=13), "max.onnx")

# Unsigned: identity 0, unsigned comparison.
# MAXU8: %[[ZERO:.*]] = arith.constant 0 : i8
# MAXU8: linalg.fill ins(%[[ZERO]] : i8)
# MAXU8: arith.maxui
save(single("ReduceMax", [("x", UINT8, [2, 3])], [("y", UINT8, [2, 1])], opset=18, initializers=[axes([1])]),
     "max_uint8.onnx")

# Opset 20: BOOL (any true).
# MAXBOOL: %[[FALSE:.*]] = arith.constant false
# MAXBOOL: linalg.fill ins(%[[FALSE]] : i1)
# MAXBOOL: arith.maxui %{{.*}}, %{{.*}} : i1
save(single("ReduceMax", [("x", BOOL, [2, 3])], [("y", BOOL, [2])], {"keepdims": 0}, opset=20,
            initializers=[axes([1])]), "max_bool.onnx")

# MIN: %[[MAXINT:.*]] = arith.constant 2147483647 : i32
# MIN: linalg.fill ins(%[[MAXINT]] : i32)
# MIN: arith.minsi
save(single("ReduceMin", [("x", INT32, [2, 3])], [("y", INT32, [1, 1])], opset=13), "min.onnx")

# PROD: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
# PROD: linalg.fill ins(%[[ONE]] : f32)
# PROD: arith.mulf
save(single("ReduceProd", [("x", FLOAT, [2, 3])], [("y", FLOAT, [1, 3])], {"axes": [0]}, opset=13), "prod.onnx")

# L1: math.absf
# L1: arith.addf
save(single("ReduceL1", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 1])], {"axes": [1]}, opset=13), "l1.onnx")

# L2: arith.mulf
# L2: arith.addf
# L2: linalg.generic
# L2: math.sqrt
save(single("ReduceL2", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 1])], opset=18, initializers=[axes([1])]),
     "l2.onnx")

# A no-op ReduceSumSquare still squares each element (numpy sum over no axes).
# SSQNOOP: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
# SSQNOOP-SAME: outs(%{{.*}} : tensor<2x3xf32>)
# SSQNOOP: arith.mulf
# SSQNOOP: arith.addf
save(single("ReduceSumSquare", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 3])], {"noop_with_empty_axes": 1},
            opset=18), "sum_square_noop.onnx")

# LOGSUM: arith.addf
# LOGSUM: math.log
save(single("ReduceLogSum", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 1])], {"axes": [1]}, opset=13),
     "log_sum.onnx")

# LSE: math.exp
# LSE: arith.addf
# LSE: math.log
save(single("ReduceLogSumExp", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 1])], {"axes": [1]}, opset=13),
     "log_sum_exp.onnx")

# Half sums accumulate in f32 and round once.
# SUMF16: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2xf32>)
# SUMF16: arith.extf %{{.*}} : f16 to f32
# SUMF16: arith.addf %{{.*}}, %{{.*}} : f32
# SUMF16: arith.truncf %{{.*}} : f32 to f16
save(single("ReduceSum", [("x", FLOAT16, [2, 3])], [("y", FLOAT16, [2])], {"keepdims": 0}, opset=13,
            initializers=[axes([1])]), "sum_f16.onnx")

# Shape arithmetic on integer constants folds: prod([2, 3, 4]) = 24, and
# sum of [[1, 2], [3, 4]] over axis 0 = [4, 6].
# FOLD-LABEL: func.func @main_graph
# FOLD-NOT: linalg.generic
# FOLD-DAG: %[[P:.*]] = arith.constant dense<24> : tensor<1xi64>
# FOLD-DAG: %[[S:.*]] = arith.constant dense<[4, 6]> : tensor<2xi64>
# FOLD: return %[[P]], %[[S]]
nodes = [helper.make_node("ReduceProd", ["dims"], ["p"], keepdims=1),
         helper.make_node("ReduceSum", ["m", "axes"], ["s"], keepdims=0)]
save(model(nodes, [], [value_info("p", INT64, [1]), value_info("s", INT64, [2])],
           [tensor("dims", np.array([2, 3, 4], np.int64)), tensor("m", np.array([[1, 2], [3, 4]], np.int64)),
            axes([0])], opset=13), "fold.onnx")

# BAD: bad_axes.onnx: node 'reducemean' (ReduceMean): axes value 2 is out of range for rank 2
save(single("ReduceMean", [("x", FLOAT, [2, 3])], [("y", FLOAT, [2, 3])], {"axes": [2]}, opset=13), "bad_axes.onnx")

# BADDYN: bad_dynamic_axes.onnx: node 'reducesum' (ReduceSum): axes must be known at compile time (a constant or a foldable shape computation)
save(single("ReduceSum", [("x", FLOAT, [2, 3]), ("axes", INT64, [1])], [("y", FLOAT, [2, 1])], opset=13),
     "bad_dynamic_axes.onnx")

# BADTYPE: bad_type.onnx: node 'reducesum' (ReduceSum): input type BOOL is not supported
save(single("ReduceSum", [("x", BOOL, [2, 3])], [("y", BOOL, [2, 1])], {"axes": [1]}, opset=11), "bad_type.onnx")
