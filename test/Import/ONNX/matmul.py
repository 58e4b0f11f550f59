# RUN: %python %s %t
# RUN: qcc --emit=mlir %t/matmul_2d.onnx | FileCheck %s --check-prefix=MM2D
# RUN: qcc --emit=mlir %t/matmul_shared.onnx | FileCheck %s --check-prefix=SHARED
# RUN: qcc --emit=mlir %t/matmul_batch.onnx | FileCheck %s --check-prefix=BATCH
# RUN: qcc --emit=mlir %t/matmul_bcast.onnx | FileCheck %s --check-prefix=BCAST
# RUN: qcc --emit=mlir %t/matmul_vec.onnx | FileCheck %s --check-prefix=VEC
# RUN: qcc --emit=mlir %t/matmul_dot.onnx | FileCheck %s --check-prefix=DOT
# RUN: qcc --emit=mlir %t/matmul_int.onnx | FileCheck %s --check-prefix=INT
# RUN: qcc --emit=mlir %t/matmul_f16.onnx | FileCheck %s --check-prefix=F16
# RUN: qcc --emit=mlir %t/gemm.onnx | FileCheck %s --check-prefix=GEMM
# RUN: qcc --emit=mlir %t/gemm_trans.onnx | FileCheck %s --check-prefix=TRANS
# RUN: qcc --emit=mlir %t/gemm_no_c.onnx | FileCheck %s --check-prefix=NOC
# RUN: qcc --emit=mlir %t/gemm_opset7.onnx | FileCheck %s --check-prefix=GEMM7
# RUN: not qcc --emit=mlir %t/bad_gemm.onnx 2>&1 | FileCheck %s --check-prefix=BAD
# RUN: not qcc --emit=mlir %t/bad_gemm_c.onnx 2>&1 | FileCheck %s --check-prefix=BADC
# RUN: not qcc --emit=mlir %t/bad_matmul.onnx 2>&1 | FileCheck %s --check-prefix=BADMM
# RUN: not qcc --emit=mlir %t/bad_matmul_batch.onnx 2>&1 | FileCheck %s --check-prefix=BADBATCH
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

# MM2D-LABEL: func.func @main_graph
# MM2D: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
# MM2D: %[[ACC:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
# MM2D: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[ACC]] : tensor<2x4xf32>)
save(single("MatMul", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3, 4])], [("y", FLOAT, [2, 4])]), "matmul_2d.onnx")

# A batched activation times a shared weight: the batch folds into the rows.
# SHARED: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<2x5x3xf32> into tensor<10x3xf32>
# SHARED: linalg.matmul ins(%{{.*}}, %arg1 : tensor<10x3xf32>, tensor<3x4xf32>)
# SHARED: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 5, 4] : tensor<10x4xf32> into tensor<2x5x4xf32>
save(single("MatMul", [("a", FLOAT, [2, 5, 3]), ("b", FLOAT, [3, 4])], [("y", FLOAT, [2, 5, 4])]), "matmul_shared.onnx")

# Equal batch dimensions: one linalg.batch_matmul over the merged batch.
# BATCH: tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x4x5xf32> into tensor<6x4x5xf32>
# BATCH: tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2], [3]] : tensor<2x3x5x6xf32> into tensor<6x5x6xf32>
# BATCH: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<6x4x5xf32>, tensor<6x5x6xf32>) outs(%{{.*}} : tensor<6x4x6xf32>)
# BATCH: tensor.expand_shape {{.*}} into tensor<2x3x4x6xf32>
save(single("MatMul", [("a", FLOAT, [2, 3, 4, 5]), ("b", FLOAT, [2, 3, 5, 6])], [("y", FLOAT, [2, 3, 4, 6])]), "matmul_batch.onnx")

# Broadcast batch dimensions read the size-1 dimension at 0, no copy.
# BCAST-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
# BCAST-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
# BCAST-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
# BCAST: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
# BCAST-SAME: ins(%arg0, %arg1 : tensor<2x1x4x5xf32>, tensor<3x5x6xf32>) outs(%{{.*}} : tensor<2x3x4x6xf32>)
# BCAST: arith.mulf
# BCAST: arith.addf
save(single("MatMul", [("a", FLOAT, [2, 1, 4, 5]), ("b", FLOAT, [3, 5, 6])], [("y", FLOAT, [2, 3, 4, 6])]), "matmul_bcast.onnx")

# numpy 1-D operands: A [K] is a row, the result drops it.
# VEC-LABEL: func.func @main_graph
# VEC-SAME: -> (tensor<4xf32> {onnx.name = "y"})
# VEC: tensor.expand_shape %arg0 {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
# VEC: linalg.matmul ins(%{{.*}}, %arg1 : tensor<1x3xf32>, tensor<3x4xf32>)
save(single("MatMul", [("a", FLOAT, [3]), ("b", FLOAT, [3, 4])], [("y", FLOAT, [4])]), "matmul_vec.onnx")

# Two vectors: a dot product of rank 0.
# DOT-LABEL: func.func @main_graph
# DOT-SAME: -> (tensor<f32> {onnx.name = "y"})
# DOT: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x3xf32>, tensor<3x1xf32>)
# DOT: tensor.collapse_shape {{.*}} into tensor<f32>
save(single("MatMul", [("a", FLOAT, [3]), ("b", FLOAT, [3])], [("y", FLOAT, [])]), "matmul_dot.onnx")

# INT: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xi32>, tensor<3x2xi32>) outs(%{{.*}} : tensor<2x2xi32>)
save(single("MatMul", [("a", INT32, [2, 3]), ("b", INT32, [3, 2])], [("y", INT32, [2, 2])]), "matmul_int.onnx")

# Halves accumulate in f32 and round once.
# F16: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf16>, tensor<3x2xf16>) outs(%{{.*}} : tensor<2x2xf32>)
# F16: arith.truncf %{{.*}} : f32 to f16
save(single("MatMul", [("a", FLOAT16, [2, 3]), ("b", FLOAT16, [3, 2])], [("y", FLOAT16, [2, 2])]), "matmul_f16.onnx")

# Y = alpha A B + beta C with C [N] broadcast over the rows.
# GEMM-DAG: #[[BIAS:.*]] = affine_map<(d0, d1) -> (d1)>
# GEMM: %[[P:.*]] = linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3x4xf32>)
# GEMM: linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS]], #{{.*}}]{{.*}} ins(%[[P]], %arg2 : tensor<2x4xf32>, tensor<4xf32>)
# GEMM: arith.constant 5.000000e-01 : f32
# GEMM: arith.mulf
# GEMM: arith.constant 2.000000e+00 : f32
# GEMM: arith.mulf
# GEMM: arith.addf
save(single("Gemm", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3, 4]), ("c", FLOAT, [4])], [("y", FLOAT, [2, 4])],
            {"alpha": 0.5, "beta": 2.0}), "gemm.onnx")

# TRANS: %[[AT:.*]] = linalg.transpose ins(%arg0 : tensor<3x2xf32>) outs(%{{.*}} : tensor<2x3xf32>) permutation = [1, 0]
# TRANS: %[[BT:.*]] = linalg.transpose ins(%arg1 : tensor<4x3xf32>) outs(%{{.*}} : tensor<3x4xf32>) permutation = [1, 0]
# TRANS: linalg.matmul ins(%[[AT]], %[[BT]] : tensor<2x3xf32>, tensor<3x4xf32>)
# TRANS: arith.addf
save(single("Gemm", [("a", FLOAT, [3, 2]), ("b", FLOAT, [4, 3]), ("c", FLOAT, [2, 1])], [("y", FLOAT, [2, 4])],
            {"transA": 1, "transB": 1}), "gemm_trans.onnx")

# Without C (opset 11+) and alpha 1 the product is the result.
# NOC: %[[P:.*]] = linalg.matmul
# NOC-NOT: linalg.generic
# NOC: return %[[P]]
save(single("Gemm", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3, 4])], [("y", FLOAT, [2, 4])]), "gemm_no_c.onnx")

# Opset 7: C is required and broadcasts unidirectionally (here a scalar).
# GEMM7: linalg.matmul
# GEMM7: linalg.generic
# GEMM7-SAME: ins(%{{.*}}, %arg2 : tensor<2x4xf32>, tensor<f32>)
# GEMM7: arith.addf
save(single("Gemm", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3, 4]), ("c", FLOAT, [])], [("y", FLOAT, [2, 4])],
            opset=7), "gemm_opset7.onnx")

# BAD: bad_gemm.onnx: node 'gemm' (Gemm): A' is 2x3 but B' is 4x3 (transA=0, transB=1)
save(single("Gemm", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3, 4])], [("y", FLOAT, [2, 3])], {"transB": 1}), "bad_gemm.onnx")

# BADC: bad_gemm_c.onnx: node 'gemm' (Gemm): C of shape [3,4] does not broadcast to [2,4]
save(single("Gemm", [("a", FLOAT, [2, 3]), ("b", FLOAT, [3, 4]), ("c", FLOAT, [3, 4])], [("y", FLOAT, [2, 4])]),
     "bad_gemm_c.onnx")

# BADMM: bad_matmul.onnx: node 'matmul' (MatMul): A of shape [2,3] and B of shape [4,5] differ in the contracted dimension (3 vs 4)
save(single("MatMul", [("a", FLOAT, [2, 3]), ("b", FLOAT, [4, 5])], [("y", FLOAT, [2, 5])]), "bad_matmul.onnx")

# BADBATCH: bad_matmul_batch.onnx: node 'matmul' (MatMul): batch dimensions of A [2] and B [3] do not broadcast
save(single("MatMul", [("a", FLOAT, [2, 2, 3]), ("b", FLOAT, [3, 3, 5])], [("y", FLOAT, [2, 2, 5])]), "bad_matmul_batch.onnx")
