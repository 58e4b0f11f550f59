# RUN: %python %s %t
# RUN: qcc %t/conv2d.onnx --emit=mlir | FileCheck %s --check-prefix=CONV2D
# RUN: qcc %t/conv1d.onnx --emit=mlir | FileCheck %s --check-prefix=CONV1D
# RUN: qcc %t/conv3d.onnx --emit=mlir | FileCheck %s --check-prefix=CONV3D
# RUN: qcc %t/group.onnx --emit=mlir | FileCheck %s --check-prefix=GROUP
# RUN: qcc %t/depthwise.onnx --emit=mlir | FileCheck %s --check-prefix=DW
# RUN: qcc %t/depthwise_qdq.onnx --emit=mlir | FileCheck %s --check-prefix=DWQ
# RUN: qcc %t/group1d.onnx --emit=mlir | FileCheck %s --check-prefix=GROUP1D
# RUN: qcc %t/conv_f16.onnx --emit=mlir | FileCheck %s --check-prefix=F16
# RUN: qcc %t/maxpool.onnx --emit=mlir | FileCheck %s --check-prefix=MAXPOOL
# RUN: qcc %t/maxpool_ceil.onnx --emit=mlir | FileCheck %s --check-prefix=CEIL
# RUN: qcc %t/maxpool_u8.onnx --emit=mlir | FileCheck %s --check-prefix=MAXU8
# RUN: qcc %t/maxpool_indices.onnx --emit=mlir | FileCheck %s --check-prefix=ARGMAX
# RUN: qcc %t/maxpool_indices_cm.onnx --emit=mlir | FileCheck %s --check-prefix=ARGMAXCM
# RUN: qcc %t/avgpool.onnx --emit=mlir | FileCheck %s --check-prefix=AVG
# RUN: qcc %t/avgpool_incl.onnx --emit=mlir | FileCheck %s --check-prefix=AVGINCL
# RUN: qcc %t/avgpool_dil.onnx --emit=mlir | FileCheck %s --check-prefix=AVGDIL
# RUN: qcc %t/gap.onnx --emit=mlir | FileCheck %s --check-prefix=GAP
# RUN: qcc %t/gmp.onnx --emit=mlir | FileCheck %s --check-prefix=GMP
# RUN: qcc %t/resize_nearest.onnx --emit=mlir | FileCheck %s --check-prefix=NEAREST
# RUN: qcc %t/resize_linear.onnx --emit=mlir | FileCheck %s --check-prefix=LINEAR
# RUN: qcc %t/resize_align.onnx --emit=mlir | FileCheck %s --check-prefix=ALIGN
# RUN: qcc %t/resize_v10.onnx --emit=mlir | FileCheck %s --check-prefix=V10
# RUN: qcc %t/resize_axes.onnx --emit=mlir | FileCheck %s --check-prefix=AXES
# RUN: not qcc %t/bad_cubic.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-CUBIC
# RUN: not qcc %t/bad_conv.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-CONV
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

def w(name, shape, dtype=np.float32):
    return tensor(name, np.ones(shape, dtype))


# Explicit pads become tensor.pad with zeros; bias adds along the channels.
# CONV2D-LABEL: func.func @main_graph
# CONV2D: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
# CONV2D: tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
# Group-1 float convolutions: the padded input's window rows (a copy
# generic, [N * O..., K... * C] over the input transposed to NHWC when the
# channels fill the kernel's width, else [N * O..., C * K...]) times the
# weight read in the same column order (transposed to [columns, M]) in a
# linalg.matmul, back to NCHW.
# CONV2D: linalg.transpose ins(%padded : tensor<1x3x10x10xf32>) outs(%{{.*}} : tensor<1x10x10x3xf32>) permutation = [0, 2, 3, 1]
# CONV2D: linalg.generic
# CONV2D: tensor.collapse_shape %{{.*}} : tensor<1x4x4x3x3x3xf32> into tensor<16x27xf32>
# CONV2D: linalg.transpose ins(%{{.*}} : tensor<4x3x3x3xf32>) outs(%{{.*}} : tensor<4x3x3x3xf32>) permutation = [0, 2, 3, 1]
# CONV2D: linalg.transpose ins(%{{.*}} : tensor<4x27xf32>) outs(%{{.*}} : tensor<27x4xf32>) permutation = [1, 0]
# CONV2D: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x27xf32>, tensor<27x4xf32>)
# CONV2D: linalg.transpose ins(%{{.*}} : tensor<1x4x4x4xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>) permutation = [0, 3, 1, 2]
# CONV2D: tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [4, 1, 1]
# CONV2D: linalg.generic
# CONV2D: arith.addf
save(single("Conv", [("x", FLOAT, [1, 3, 8, 8])], [("y", FLOAT, [1, 4, 4, 4])],
            {"pads": [1, 1, 1, 1], "strides": [2, 2]}, [w("w", [4, 3, 3, 3]), w("b", [4])]), "conv2d.onnx")

# CONV1D-NOT: tensor.pad
# CONV1D: tensor.collapse_shape %{{.*}} : tensor<1x6x2x3xf32> into tensor<6x6xf32>
# CONV1D: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<6x6xf32>, tensor<6x4xf32>)
# CONV1D: linalg.transpose ins(%{{.*}} : tensor<1x6x4xf32>) outs(%{{.*}} : tensor<1x4x6xf32>) permutation = [0, 2, 1]
save(single("Conv", [("x", FLOAT, [1, 2, 10])], [("y", FLOAT, [1, 4, 6])],
            {"dilations": [2]}, [w("w", [4, 2, 3])]), "conv1d.onnx")

# SAME_UPPER puts the odd padding at the end.
# CONV3D: tensor.pad %arg0 low[0, 0, 0, 0, 0] high[0, 0, 1, 1, 1]
# CONV3D: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<64x16xf32>, tensor<16x2xf32>)
# CONV3D: linalg.transpose ins(%{{.*}} : tensor<1x4x4x4x2xf32>) outs(%{{.*}} : tensor<1x2x4x4x4xf32>) permutation = [0, 4, 1, 2, 3]
save(single("Conv", [("x", FLOAT, [1, 2, 4, 4, 4])], [("y", FLOAT, [1, 2, 4, 4, 4])],
            {"auto_pad": "SAME_UPPER"}, [w("w", [2, 2, 2, 2, 2])]), "conv3d.onnx")

# Groups: channels split into [G, C/G], the named grouped convolution, merged back.
# GROUP: tensor.expand_shape %arg0 {{\[\[}}0], [1, 2], [3], [4]] output_shape [1, 2, 2, 6, 6]
# GROUP: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
# GROUP: linalg.conv_2d_ngchw_gfchw
# GROUP-SAME: -> tensor<1x2x3x4x4xf32>
# GROUP: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
save(single("Conv", [("x", FLOAT, [1, 4, 6, 6])], [("y", FLOAT, [1, 6, 4, 4])],
            {"group": 2}, [w("w", [6, 2, 3, 3])]), "group.onnx")

# Depthwise (group = channels = outputs); SAME_LOWER pads at the beginning.
# On channels-last data: the input transposed to NHWC and padded there, one
# all-parallel generic over (n, oh, ow, c) summing the taps it reads
# (tensor.extract) with the weight read as [kh, kw, c], back to NCHW.
# DW: linalg.transpose ins(%arg0 : tensor<1x4x6x6xf32>) outs(%{{.*}} : tensor<1x6x6x4xf32>) permutation = [0, 2, 3, 1]
# DW: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 0, 0, 0]
# DW: tensor.collapse_shape %{{.*}} : tensor<4x1x2x2xf32> into tensor<4x2x2xf32>
# DW: linalg.transpose ins(%{{.*}} : tensor<4x2x2xf32>) outs(%{{.*}} : tensor<2x2x4xf32>) permutation = [1, 2, 0]
# DW: linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x6x6x4xf32>)
# DW-COUNT-4: tensor.extract %padded{{.*}} : tensor<1x7x7x4xf32>
# DW: } -> tensor<1x6x6x4xf32>
# DW: linalg.transpose ins(%{{.*}} : tensor<1x6x6x4xf32>) outs(%{{.*}} : tensor<1x4x6x6xf32>) permutation = [0, 3, 1, 2]
save(single("Conv", [("x", FLOAT, [1, 4, 6, 6])], [("y", FLOAT, [1, 4, 6, 6])],
            {"group": 4, "auto_pad": "SAME_LOWER", "kernel_shape": [2, 2]}, [w("w", [4, 1, 2, 2])]), "depthwise.onnx")

# Depthwise on static QDQ data (the input dequantizes uint8 codes, the
# weight int8 per channel): the same loop on the codes as signed bytes
# (xor 0x80), padded with the zero point's code (also xor 0x80), the weight
# minus its zero point in i32, then (acc - zs * S[c]) * x_scale * w_scale[c].
# DWQ-LABEL: func.func @main_graph
# DWQ: lowbit.codes %{{.*}} -> tensor<1x4x6x6xui8>
# DWQ: arith.xori
# DWQ: linalg.transpose ins(%{{.*}} : tensor<1x4x6x6xi8>) outs(%{{.*}} : tensor<1x6x6x4xi8>) permutation = [0, 2, 3, 1]
# DWQ: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 0, 0, 0]
# DWQ: tensor.yield %{{.*}} : i8
# DWQ: linalg.transpose ins(%{{.*}} : tensor<4x2x2xi32>) outs(%{{.*}} : tensor<2x2x4xi32>) permutation = [1, 2, 0]
# DWQ: linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x6x6x4xi32>)
# DWQ-COUNT-4: tensor.extract %padded[{{.*}}] : tensor<1x7x7x4xi8>
# DWQ: tensor.extract %{{.*}} : tensor<2x2x4xi32>
# DWQ: arith.extsi %{{.*}} : i8 to i32
# DWQ: arith.muli
# DWQ: } -> tensor<1x6x6x4xi32>
# DWQ: arith.sitofp
# DWQ: linalg.transpose ins(%{{.*}} : tensor<1x6x6x4xf32>) outs(%{{.*}} : tensor<1x4x6x6xf32>) permutation = [0, 3, 1, 2]
# DWQ-NOT: lowbit.dequantize %{{.*}} -> tensor<1x4x6x6xf32>
dq_nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
            helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
            helper.make_node("DequantizeLinear", ["wq", "ws"], ["wd"], axis=0),
            helper.make_node("Conv", ["xd", "wd"], ["y"], group=4, auto_pad="SAME_LOWER",
                             kernel_shape=[2, 2])]
save(model(dq_nodes, [value_info("x", FLOAT, [1, 4, 6, 6])], [value_info("y", FLOAT, [1, 4, 6, 6])],
           [tensor("xs", np.array(0.05, np.float32)), tensor("xz", np.array(120, np.uint8)),
            tensor("wq", np.arange(16, dtype=np.int8).reshape(4, 1, 2, 2)),
            tensor("ws", np.array([0.1, 0.2, 0.3, 0.4], np.float32))]), "depthwise_qdq.onnx")

# No named op covers grouped 1-D convolutions: a generic over [N, G, M/G, O] x [C/G, K].
# GROUP1D: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 3 + d5)>
# GROUP1D: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
# GROUP1D: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
# GROUP1D: tensor.pad %arg0 low[0, 0, 0] high[0, 0, 1]
# GROUP1D: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
# GROUP1D: arith.mulf
# GROUP1D: arith.addf
# GROUP1D: tensor.collapse_shape %{{.*}} : tensor<1x2x2x3xf32> into tensor<1x4x3xf32>
save(single("Conv", [("x", FLOAT, [1, 4, 8])], [("y", FLOAT, [1, 4, 3])],
            {"group": 2, "strides": [3], "pads": [0, 1]}, [w("w", [4, 2, 3])]), "group1d.onnx")

# f16 accumulates in f32.
# F16: linalg.conv_2d_nchw_fchw
# F16-SAME: ins(%arg0, %{{.*}} : tensor<1x2x4x4xf16>, tensor<2x2x3x3xf16>) outs(%{{.*}} : tensor<1x2x2x2xf32>)
# F16: arith.truncf %{{.*}} : f32 to f16
save(single("Conv", [("x", FLOAT16, [1, 2, 4, 4])], [("y", FLOAT16, [1, 2, 2, 2])],
            {"auto_pad": "VALID", "kernel_shape": [3, 3]}, [w("w", [2, 2, 3, 3], np.float16)]), "conv_f16.onnx")


# Max pool pads with -inf and reduces a window generic over a kernel-shaped operand.
# MAXPOOL: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
# MAXPOOL: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
# MAXPOOL: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
# MAXPOOL: tensor.yield %[[NEGINF]]
# MAXPOOL: tensor.empty() : tensor<3x3xf32>
# MAXPOOL: linalg.fill ins(%[[NEGINF]] : f32)
# MAXPOOL: linalg.generic {indexing_maps = [#[[WIN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
# MAXPOOL: arith.maximumf
# MAXPOOL: -> tensor<1x3x3x3xf32>
save(single("MaxPool", [("x", FLOAT, [1, 3, 5, 5])], [("y", FLOAT, [1, 3, 3, 3])],
            {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "strides": [2, 2]}), "maxpool.onnx")

# ceil_mode: the last window reaches one past the input.
# CEIL: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
# CEIL: -> tensor<1x1x2x2xf32>
save(single("MaxPool", [("x", FLOAT, [1, 1, 4, 4])], [("y", FLOAT, [1, 1, 2, 2])],
            {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}), "maxpool_ceil.onnx")

# MAXU8: arith.constant 0 : i8
# MAXU8: arith.maxui
save(single("MaxPool", [("x", UINT8, [1, 1, 5, 5])], [("y", UINT8, [1, 1, 5, 5])],
            {"kernel_shape": [5, 5], "pads": [2, 2, 2, 2]}), "maxpool_u8.onnx")

# The Indices output: one generic carries the maximum and the row-major flat
# index of its tap; padding never wins and ties keep the first tap.
# ARGMAX: linalg.fill ins(%{{.*}} : i64)
# ARGMAX: %[[R:.*]]:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
# ARGMAX: arith.cmpf ogt
# ARGMAX: arith.select
# ARGMAX: return %[[R]]#0, %[[R]]#1
save(single("MaxPool", [("x", FLOAT, [1, 2, 4, 4])], [("y", FLOAT, [1, 2, 2, 2]), ("i", INT64, [1, 2, 2, 2])],
            {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 0, 0]}), "maxpool_indices.onnx")

# storage_order 1 renumbers the spatial axes column-major afterwards.
# ARGMAXCM: %[[R:.*]]:2 = linalg.generic
# ARGMAXCM: %[[CM:.*]] = linalg.generic {{.*}} ins(%[[R]]#1 : tensor<1x1x2x2xi64>)
# ARGMAXCM: arith.remsi
# ARGMAXCM: arith.divsi
# ARGMAXCM: return %{{.*}}, %[[CM]] : tensor<1x1x2x2xui8>, tensor<1x1x2x2xi64>
save(single("MaxPool", [("x", UINT8, [1, 1, 4, 4])], [("y", UINT8, [1, 1, 2, 2]), ("i", INT64, [1, 1, 2, 2])],
            {"kernel_shape": [2, 2], "strides": [2, 2], "storage_order": 1}), "maxpool_indices_cm.onnx")

# AveragePool without count_include_pad divides each window by the taps that
# fall inside the input: per-axis count tables, [5, 1] and [5].
# AVG: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
# AVG: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
# AVG: arith.addf
# AVG: arith.constant dense<{{\[\[}}2.000000e+00], [3.000000e+00], [3.000000e+00], [3.000000e+00], [2.000000e+00]]> : tensor<5x1xf32>
# AVG: arith.constant dense<[2.000000e+00, 3.000000e+00, 3.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<5xf32>
# AVG: arith.mulf
# AVG: arith.divf
save(single("AveragePool", [("x", FLOAT, [1, 3, 5, 5])], [("y", FLOAT, [1, 3, 5, 5])],
            {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}), "avgpool.onnx")

# count_include_pad: every window counts 9 taps.
# AVGINCL-NOT: tensor<5xf32>
# AVGINCL: arith.constant 9.000000e+00 : f32
# AVGINCL: arith.divf
save(single("AveragePool", [("x", FLOAT, [1, 3, 5, 5])], [("y", FLOAT, [1, 3, 5, 5])],
            {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 1}), "avgpool_incl.onnx")

# Opset 19 dilations: the window reads every other element.
# AVGDIL: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 + d3 * 2)>
# AVGDIL: linalg.generic {indexing_maps = [#[[WIN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
# AVGDIL: arith.constant 2.000000e+00 : f32
# AVGDIL: -> tensor<1x1x2xf32>
save(single("AveragePool", [("x", FLOAT, [1, 1, 4])], [("y", FLOAT, [1, 1, 2])],
            {"kernel_shape": [2], "dilations": [2]}, opset=19), "avgpool_dil.onnx")

# GAP: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
# GAP: arith.addf
# GAP: arith.constant 2.500000e+01 : f32
# GAP: arith.divf
# GAP: -> tensor<1x3x1x1xf32>
save(single("GlobalAveragePool", [("x", FLOAT, [1, 3, 5, 5])], [("y", FLOAT, [1, 3, 1, 1])]), "gap.onnx")

# GMP: arith.constant 0xFF800000 : f32
# GMP: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
# GMP: arith.maximumf
# GMP: -> tensor<1x3x1x1xf32>
save(single("GlobalMaxPool", [("x", FLOAT, [1, 3, 5, 5])], [("y", FLOAT, [1, 3, 1, 1])]), "gmp.onnx")

# Resize nearest: a generic over the output that computes each source index
# (asymmetric: x / scale; floor) and reads the input with tensor.extract.
# NEAREST: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x6xf32>)
# NEAREST: arith.constant 2.000000e+00 : f64
# NEAREST: math.floor
# NEAREST: arith.constant 3.000000e+00 : f64
# NEAREST: math.floor
# NEAREST: tensor.extract %arg0[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x1x2x2xf32>
save(single("Resize", [("x", FLOAT, [1, 1, 2, 2])], [("y", FLOAT, [1, 1, 4, 6])],
            {"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"},
            [tensor("scales", np.array([1, 1, 2, 3], np.float32))], node_inputs=["x", "", "scales"], opset=13),
     "resize_nearest.onnx")

# Linear with sizes (half_pixel, scale 3/4): bilinear weights from the
# fractional source coordinate, four taps.
# LINEAR: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x3x3xf32>)
# LINEAR: arith.constant 7.500000e-01 : f64
# LINEAR: math.floor
# LINEAR-COUNT-4: tensor.extract %arg0
save(single("Resize", [("x", FLOAT, [1, 1, 4, 4])], [("y", FLOAT, [1, 1, 3, 3])], {"mode": "linear"},
            [tensor("sizes", np.array([1, 1, 3, 3], np.int64))], node_inputs=["x", "", "", "sizes"], opset=13),
     "resize_linear.onnx")

# align_corners: x * (in - 1) / (out - 1).
# ALIGN: arith.constant 1.000000e+00 : f64
# ALIGN: arith.mulf
# ALIGN: arith.constant 3.000000e+00 : f64
# ALIGN: arith.divf
save(single("Resize", [("x", FLOAT, [1, 1, 2, 2])], [("y", FLOAT, [1, 1, 4, 4])],
            {"mode": "linear", "coordinate_transformation_mode": "align_corners"},
            [tensor("scales", np.array([1, 1, 2, 2], np.float32))], node_inputs=["x", "", "scales"], opset=13),
     "resize_align.onnx")

# Opset 10: scales is input 1; asymmetric coordinates, floor.
# V10: arith.constant 2.000000e+00 : f64
# V10: arith.divf
# V10: math.floor
# V10: tensor.extract %arg0
save(single("Resize", [("x", FLOAT, [1, 1, 2, 2])], [("y", FLOAT, [1, 1, 4, 4])], {"mode": "nearest"},
            [tensor("scales", np.array([1, 1, 2, 2], np.float32))], opset=10),
     "resize_v10.onnx")

# Opset 18 axes and not_larger: sizes [3, 4] on [4, 8] keep the aspect ratio
# at scale 1/2; round_prefer_ceil rounds with floor(x + 0.5).
# AXES: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2x4xi8>)
# AXES: arith.constant 5.000000e-01 : f64
# AXES: math.floor
# AXES: tensor.extract %arg0{{.*}} : tensor<1x1x4x8xi8>
save(single("Resize", [("x", INT8, [1, 1, 4, 8])], [("y", INT8, [1, 1, 2, 4])],
            {"axes": [2, 3], "keep_aspect_ratio_policy": "not_larger", "nearest_mode": "round_prefer_ceil"},
            [tensor("sizes", np.array([3, 4], np.int64))], node_inputs=["x", "", "", "sizes"], opset=18),
     "resize_axes.onnx")


# BAD-CUBIC: bad_cubic.onnx: node 'resize' (Resize): mode 'cubic' is not supported (nearest and linear are)
save(single("Resize", [("x", FLOAT, [1, 1, 2, 2])], [("y", FLOAT, [1, 1, 4, 4])], {"mode": "cubic"},
            [tensor("scales", np.array([1, 1, 2, 2], np.float32))], node_inputs=["x", "", "scales"], opset=13),
     "bad_cubic.onnx")

# BAD-CONV: bad_conv.onnx: node 'conv' (Conv): the weight has 3 input channels per group and group is 1, but the input has 4 channels
save(single("Conv", [("x", FLOAT, [1, 4, 6, 6])], [("y", FLOAT, [1, 2, 4, 4])], {}, [w("w", [2, 3, 3, 3])]),
     "bad_conv.onnx")
