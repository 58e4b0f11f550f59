# RUN: %python %s %t
# RUN: qcc --emit=mlir %t/softmax.onnx | FileCheck %s --check-prefix=SOFTMAX
# RUN: qcc --emit=mlir %t/softmax_opset11.onnx | FileCheck %s --check-prefix=SOFTMAX11
# RUN: qcc --emit=mlir %t/softmax_f16.onnx | FileCheck %s --check-prefix=SOFTMAXF16
# RUN: qcc --emit=mlir %t/logsoftmax.onnx | FileCheck %s --check-prefix=LOGSOFTMAX
# RUN: qcc --emit=mlir %t/logsoftmax_opset11.onnx | FileCheck %s --check-prefix=LOGSOFTMAX11
# RUN: qcc --emit=mlir %t/layernorm.onnx | FileCheck %s --check-prefix=LAYERNORM
# RUN: qcc --emit=mlir %t/layernorm_stats.onnx | FileCheck %s --check-prefix=STATS
# RUN: qcc --emit=mlir %t/layernorm_f16.onnx | FileCheck %s --check-prefix=LNF16
# RUN: qcc --emit=mlir %t/batchnorm.onnx | FileCheck %s --check-prefix=BATCHNORM
# RUN: qcc --emit=mlir %t/batchnorm_opset7.onnx | FileCheck %s --check-prefix=BN7
# RUN: qcc --emit=mlir %t/batchnorm_mixed.onnx | FileCheck %s --check-prefix=BNMIXED
# RUN: not qcc --emit=mlir %t/bad_training.onnx 2>&1 | FileCheck %s --check-prefix=BAD
# RUN: not qcc --emit=mlir %t/bad_bn_shape.onnx 2>&1 | FileCheck %s --check-prefix=BADSHAPE
# RUN: not qcc --emit=mlir %t/bad_bn_outputs.onnx 2>&1 | FileCheck %s --check-prefix=BADOUT
# RUN: not qcc --emit=mlir %t/bad_softmax_axis.onnx 2>&1 | FileCheck %s --check-prefix=BADAXIS
# RUN: not qcc --emit=mlir %t/bad_layernorm_scale.onnx 2>&1 | FileCheck %s --check-prefix=BADSCALE
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

# Opset 13+: one axis (default -1). max, exp(x - max), sum, divide.
# SOFTMAX-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
# SOFTMAX-DAG: #[[KEEP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
# SOFTMAX-LABEL: func.func @main_graph
# SOFTMAX: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
# SOFTMAX: linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<2x3x1xf32>)
# SOFTMAX: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEEP]]], iterator_types = ["parallel", "parallel", "reduction"]}
# SOFTMAX: arith.maximumf
# SOFTMAX: %[[EXP:.*]] = linalg.generic {{.*}} ins(%arg0, %[[MAX]] : tensor<2x3x4xf32>, tensor<2x3x1xf32>)
# SOFTMAX: arith.subf
# SOFTMAX: math.exp
# SOFTMAX: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEEP]]], iterator_types = ["parallel", "parallel", "reduction"]}
# SOFTMAX-SAME: ins(%[[EXP]] : tensor<2x3x4xf32>)
# SOFTMAX: arith.addf
# SOFTMAX: linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<2x3x4xf32>, tensor<2x3x1xf32>)
# SOFTMAX: arith.divf
save(single("Softmax", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [2, 3, 4])], opset=13), "softmax.onnx")

# Before opset 13 the input is coerced to 2-D at axis (default 1): the
# reduction runs over every axis from 1 on.
# SOFTMAX11: linalg.fill {{.*}} -> tensor<2x1x1xf32>
# SOFTMAX11: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
# SOFTMAX11: arith.maximumf
# SOFTMAX11: math.exp
# SOFTMAX11: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
# SOFTMAX11: arith.divf
save(single("Softmax", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [2, 3, 4])], opset=11), "softmax_opset11.onnx")

# Halves: the maximum in f16, exponentials and sums in f32, one rounding.
# SOFTMAXF16: arith.maximumf %{{.*}}, %{{.*}} : f16
# SOFTMAXF16: arith.extf %{{.*}} : f16 to f32
# SOFTMAXF16: math.exp %{{.*}} : f32
# SOFTMAXF16: arith.divf %{{.*}}, %{{.*}} : f32
# SOFTMAXF16: arith.truncf %{{.*}} : f32 to f16
save(single("Softmax", [("x", FLOAT16, [2, 4])], [("y", FLOAT16, [2, 4])], {"axis": 0}), "softmax_f16.onnx")

# (x - max) - log(sum(exp(x - max))) over axis 0.
# LOGSOFTMAX-DAG: #[[KEEP0:.*]] = affine_map<(d0, d1) -> (0, d1)>
# LOGSOFTMAX: linalg.generic {indexing_maps = [#{{.*}}, #[[KEEP0]]], iterator_types = ["reduction", "parallel"]}
# LOGSOFTMAX: arith.maximumf
# LOGSOFTMAX: math.exp
# LOGSOFTMAX: arith.addf
# LOGSOFTMAX: linalg.generic {{.*}} ins(%arg0, %{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<1x4xf32>, tensor<1x4xf32>)
# LOGSOFTMAX: arith.subf
# LOGSOFTMAX: math.log
# LOGSOFTMAX: arith.subf
save(single("LogSoftmax", [("x", FLOAT, [3, 4])], [("y", FLOAT, [3, 4])], {"axis": -2}, opset=13), "logsoftmax.onnx")

# LOGSOFTMAX11: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
# LOGSOFTMAX11: math.log
save(single("LogSoftmax", [("x", FLOAT, [3, 4])], [("y", FLOAT, [3, 4])], {"axis": 0}, opset=11), "logsoftmax_opset11.onnx")

# Normalizes over axes [axis, rank): mean, x - mean, mean of squares,
# 1 / sqrt(var + epsilon), then * Scale + B.
# LAYERNORM-DAG: #[[KEEP:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, 0)>
# LAYERNORM-DAG: #[[PARAM:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
# LAYERNORM-LABEL: func.func @main_graph
# LAYERNORM: %[[SUM:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[KEEP]]], iterator_types = ["parallel", "reduction", "reduction"]}
# LAYERNORM: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x1x1xf32>)
# LAYERNORM: arith.constant 1.200000e+01 : f32
# LAYERNORM: arith.divf
# LAYERNORM: %[[D:.*]] = linalg.generic {{.*}} ins(%arg0, %[[MEAN]] : tensor<2x3x4xf32>, tensor<2x1x1xf32>)
# LAYERNORM: arith.subf
# LAYERNORM: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[D]] : tensor<2x3x4xf32>)
# LAYERNORM: arith.mulf
# LAYERNORM: arith.addf
# LAYERNORM: %[[INV:.*]] = linalg.generic {{.*}} ins(%[[SQ]] : tensor<2x1x1xf32>)
# LAYERNORM: arith.constant 1.000000e-03 : f32
# LAYERNORM: math.sqrt
# LAYERNORM: arith.divf
# LAYERNORM: linalg.generic {indexing_maps = [#{{.*}}, #[[KEEP]], #[[PARAM]], #[[PARAM]], #{{.*}}]
# LAYERNORM-SAME: ins(%[[D]], %[[INV]], %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x1x1xf32>, tensor<3x4xf32>, tensor<3x4xf32>)
# LAYERNORM: arith.mulf
# LAYERNORM: arith.mulf
# LAYERNORM: arith.addf
save(single("LayerNormalization", [("x", FLOAT, [2, 3, 4])], [("y", FLOAT, [2, 3, 4])],
            {"axis": 1, "epsilon": 1e-3}, opset=17,
            initializers=[tensor("scale", np.ones([3, 4], np.float32)),
                          tensor("bias", np.zeros([3, 4], np.float32))]), "layernorm.onnx")

# Without B, with the Mean and InvStdDev outputs (shape [2, 1], stash f32).
# STATS-LABEL: func.func @main_graph
# STATS-SAME: -> (tensor<2x3xf32> {onnx.name = "y"}, tensor<2x1xf32> {onnx.name = "mean"}, tensor<2x1xf32> {onnx.name = "inv_std_dev"})
# STATS: %[[MEAN:[0-9]+]] = linalg.generic {{.*}} ins(%{{[0-9]+}} : tensor<2x1xf32>)
# STATS: arith.divf
# STATS: %[[INV:[0-9]+]] = linalg.generic {{.*}} ins(%{{[0-9]+}} : tensor<2x1xf32>)
# STATS: math.sqrt
# STATS: %[[Y:[0-9]+]] = linalg.generic {{.*}} ins(%{{.*}}, %[[INV]], %arg1 : tensor<2x3xf32>, tensor<2x1xf32>, tensor<3xf32>)
# STATS-NOT: arith.addf
# STATS: return %[[Y]], %[[MEAN]], %[[INV]]
save(single("LayerNormalization", [("x", FLOAT, [2, 3]), ("scale", FLOAT, [3])],
            [("y", FLOAT, [2, 3]), ("mean", FLOAT, [2, 1]), ("inv_std_dev", FLOAT, [2, 1])], opset=17),
     "layernorm_stats.onnx")

# f16 input: statistics in stash_type f32, normalized value cast back to f16
# before Scale and B apply.
# LNF16: arith.extf %{{.*}} : f16 to f32
# LNF16: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %arg1, %arg2 : tensor<2x3xf32>, tensor<2x1xf32>, tensor<3xf16>, tensor<3xf16>) outs(%{{.*}} : tensor<2x3xf16>)
# LNF16: arith.mulf %{{.*}}, %{{.*}} : f32
# LNF16: arith.truncf %{{.*}} : f32 to f16
# LNF16: arith.mulf %{{.*}}, %{{.*}} : f16
# LNF16: arith.addf %{{.*}}, %{{.*}} : f16
save(single("LayerNormalization", [("x", FLOAT16, [2, 3]), ("scale", FLOAT16, [3]), ("b", FLOAT16, [3])],
            [("y", FLOAT16, [2, 3])], opset=17), "layernorm_f16.onnx")

# Inference mode: per-channel parameters [C] read as [C, 1, 1].
# BATCHNORM-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
# BATCHNORM-LABEL: func.func @main_graph
# BATCHNORM: tensor.expand_shape %arg1 {{\[\[}}0, 1, 2]] output_shape [3, 1, 1] : tensor<3xf32> into tensor<3x1x1xf32>
# BATCHNORM: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.*}}]
# BATCHNORM-SAME: outs(%{{.*}} : tensor<2x3x4x5xf32>)
# BATCHNORM: arith.constant 9.99999974E-6 : f32
# BATCHNORM: arith.addf
# BATCHNORM: math.sqrt
# BATCHNORM: arith.subf
# BATCHNORM: arith.divf
# BATCHNORM: arith.mulf
# BATCHNORM: arith.addf
bn_inputs = [("x", FLOAT, [2, 3, 4, 5]), ("s", FLOAT, [3]), ("bias", FLOAT, [3]), ("mean", FLOAT, [3]),
             ("var", FLOAT, [3])]
save(single("BatchNormalization", bn_inputs, [("y", FLOAT, [2, 3, 4, 5])], opset=15), "batchnorm.onnx")

# Opset 7, spatial=0: parameters are per activation, [C, D1, D2].
# BN7-DAG: #[[ACT:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2, d3)>
# BN7-NOT: tensor.expand_shape
# BN7: linalg.generic {indexing_maps = [#{{.*}}, #[[ACT]], #[[ACT]], #[[ACT]], #[[ACT]], #{{.*}}]
# BN7: arith.constant 0.00999999977 : f32
bn7_inputs = [("x", FLOAT, [2, 3, 4, 5])] + [(name, FLOAT, [3, 4, 5]) for name in ("s", "bias", "mean", "var")]
save(single("BatchNormalization", bn7_inputs, [("y", FLOAT, [2, 3, 4, 5])], {"spatial": 0, "epsilon": 0.01},
            opset=7), "batchnorm_opset7.onnx")

# Opset 15: f16 X with f32 statistics computes in f32.
# BNMIXED: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x3xf16>, tensor<2x1xf16>, tensor<2x1xf16>, tensor<2x1xf32>, tensor<2x1xf32>)
# BNMIXED: arith.extf %{{.*}} : f16 to f32
# BNMIXED: math.sqrt %{{.*}} : f32
# BNMIXED: arith.truncf %{{.*}} : f32 to f16
save(single("BatchNormalization", [("x", FLOAT16, [1, 2, 3]), ("s", FLOAT16, [2]), ("bias", FLOAT16, [2]),
                                   ("mean", FLOAT, [2]), ("var", FLOAT, [2])], [("y", FLOAT16, [1, 2, 3])], opset=15),
     "batchnorm_mixed.onnx")

# BAD: bad_training.onnx: node 'batchnormalization' (BatchNormalization): training_mode=1 is not supported (inference only)
save(single("BatchNormalization", bn_inputs, [("y", FLOAT, [2, 3, 4, 5])], {"training_mode": 1}, opset=15),
     "bad_training.onnx")

# BADSHAPE: bad_bn_shape.onnx: node 'batchnormalization' (BatchNormalization): input_mean has shape [4] but X's channels need [3]
save(single("BatchNormalization", bn_inputs[:3] + [("mean", FLOAT, [4]), ("var", FLOAT, [3])],
            [("y", FLOAT, [2, 3, 4, 5])], opset=15), "bad_bn_shape.onnx")

# Opset 9 outputs 1-4 are training statistics.
# BADOUT: bad_bn_outputs.onnx: node 'batchnormalization' (BatchNormalization): output 1 (running or saved statistics) exists only in training mode, which is not supported
save(single("BatchNormalization", bn_inputs, [("y", FLOAT, [2, 3, 4, 5]), ("m", FLOAT, [3])], opset=9),
     "bad_bn_outputs.onnx")

# BADAXIS: bad_softmax_axis.onnx: node 'softmax' (Softmax): axis 2 is out of range for rank 2
save(single("Softmax", [("x", FLOAT, [3, 4])], [("y", FLOAT, [3, 4])], {"axis": 2}), "bad_softmax_axis.onnx")

# BADSCALE: bad_layernorm_scale.onnx: node 'layernormalization' (LayerNormalization): Scale of shape [4] does not broadcast to X's shape [2,3]
save(single("LayerNormalization", [("x", FLOAT, [2, 3]), ("scale", FLOAT, [4])], [("y", FLOAT, [2, 3])], opset=17),
     "bad_layernorm_scale.onnx")
