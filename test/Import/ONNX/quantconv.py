# RUN: %python %s %t
# RUN: qcc %t/convinteger.onnx --emit=mlir | FileCheck %s --check-prefix=CI
# RUN: qcc %t/convinteger_per_channel.onnx --emit=mlir | FileCheck %s --check-prefix=CIPC
# RUN: qcc %t/qlinearconv.onnx --emit=mlir | FileCheck %s --check-prefix=QLC
# RUN: qcc %t/qlinearconv_depthwise.onnx --emit=mlir | FileCheck %s --check-prefix=QLCDW
# RUN: qcc %t/convinteger_grouped.onnx --emit=mlir | FileCheck %s --check-prefix=CIG
# RUN: qcc %t/convinteger_grouped_loop.onnx --emit=mlir | FileCheck %s --check-prefix=CIGL
# RUN: not qcc %t/bad_x_type.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-X
# RUN: not qcc %t/bad_w_zero.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-WZERO
# RUN: not qcc %t/bad_x_zero.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-XZERO
# RUN: not qcc %t/bad_bias.onnx --emit=mlir 2>&1 | FileCheck %s --check-prefix=BAD-BIAS
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *

f32 = np.float32

# ConvInteger with a constant weight: x's codes padded with its zero point
# (so the padding reads 0 after the shift, as ONNX defines it), cut into the
# rows of input windows and wrapped with that zero point; the weight read as
# [M, C * K...]; one integer lowbit.matmul (the int8-exact kernel), its rows
# transposed back to NCHW. One channel, narrower than the kernel: columns
# (c, kh, kw), the weight's own order.
# CI-LABEL: func.func @main_graph
# CI: %[[W:.*]] = lowbit.constant storage(dense<1> : tensor<4xi8>) : !lowbit.qtensor<1x4xui8, #lowbit.scheme<per_tensor>>
# CI: %[[Z:.*]] = tensor.extract %{{.*}}[] : tensor<i8>
# CI: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
# CI: tensor.yield %[[Z]] : i8
# CI: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x5x5xi8>) outs(%{{.*}} : tensor<1x4x4x1x2x2xi8>)
# CI: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2], [3, 4, 5]] : tensor<1x4x4x1x2x2xi8> into tensor<16x4xi8>
# CI: %[[A:.*]] = lowbit.assemble %{{.*}} zero_points(%{{.*}} : tensor<ui8>) : tensor<16x4xui8> -> !lowbit.qtensor<16x4xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
# CI: %[[P:.*]] = lowbit.matmul %[[A]], %[[W]] transpose_rhs {{.*}} -> tensor<16x1xi32>
# CI: tensor.expand_shape %[[P]] {{\[\[}}0, 1, 2], [3]] output_shape [1, 4, 4, 1]
# CI: linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
# CI: return %{{.*}} : tensor<1x1x4x4xi32>
save(single("ConvInteger", [("x", UINT8, [1, 1, 3, 3]), ("xz", UINT8, [])], [("y", INT32, [1, 1, 4, 4])],
            {"pads": [1, 1, 1, 1]}, node_inputs=["x", "w", "xz"],
            initializers=[tensor("w", np.ones((1, 1, 2, 2), np.uint8))]), "convinteger.onnx")

# A per-output-channel weight zero point: per_axis = 0 of the [M, C * K...]
# weight.
# CIPC: lowbit.constant storage(dense<[0, 1, 2, 3, 4, 5]> : tensor<6xi8>) zero_points(dense<[1, -1]> : tensor<2xi8>) : !lowbit.qtensor<2x3xi8, #lowbit.scheme<per_axis = 0, zero_point = i8>>
# CIPC: lowbit.matmul {{.*}} -> tensor<16x2xi32>
# CIPC: linalg.transpose {{.*}} outs(%{{.*}} : tensor<1x2x4x4xi32>)
save(single("ConvInteger", [("x", INT8, [1, 3, 4, 4])], [("y", INT32, [1, 2, 4, 4])],
            node_inputs=["x", "w", "", "wz"],
            initializers=[tensor("w", np.arange(6, dtype=np.int8).reshape(2, 3, 1, 1)),
                          tensor("wz", np.array([1, -1], np.int8))]), "convinteger_per_channel.onnx")

# QLinearConv: the exact i32 convolution (one integer matmul on window
# rows), the i32 bias along the channel axis, then QuantizeLinear's rounding
# with multiplier[m] = x_scale * w_scale[m] / y_scale, shaped [M, 1, 1] to
# broadcast along NCHW's channel axis.
# Three channels, at least the kernel's width: window columns (kh, kw, c)
# copied from x transposed to NHWC, and the weight's codes reordered to
# match at compile time (row 0: w[0, c, kh, kw] = 4c + 2kh + kw).
# QLC-LABEL: func.func @main_graph
# QLC: lowbit.constant storage(dense_resource<qcc_channels_last_weight> : tensor<24xi8>)
# QLC: linalg.transpose ins(%{{.*}} : tensor<1x3x4x4xi8>) outs(%{{.*}} : tensor<1x4x4x3xi8>) permutation = [0, 2, 3, 1]
# QLC: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x2x2x2x3xi8>)
# QLC: lowbit.matmul {{.*}} : !lowbit.qtensor<4x12xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>, !lowbit.qtensor<2x12xi8, #lowbit.scheme<per_axis = 0, zero_point = i8>> -> tensor<4x2xi32>
# QLC: linalg.transpose {{.*}} outs(%{{.*}} : tensor<1x2x2x2xi32>)
# QLC: tensor.expand_shape %{{.*}} output_shape [2, 1, 1] : tensor<2xi32> into tensor<2x1x1xi32>
# QLC: arith.addi
# QLC: tensor.expand_shape %{{.*}} output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
# QLC: arith.mulf
# QLC: arith.divf
# QLC: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x2x2xi32>, tensor<2x1x1xf32>, tensor<i8>) outs(%{{.*}} : tensor<1x2x2x2xi8>)
# QLC: math.roundeven
# QLC: arith.fptoui %{{.*}} : f32 to i8
# QLC: qcc_channels_last_weight: "0x0100000000040801050902060A03070B0C10140D11150E12160F1317"
save(single("QLinearConv", [("x", UINT8, [1, 3, 4, 4])], [("y", UINT8, [1, 2, 2, 2])],
            {"strides": [2, 2], "kernel_shape": [2, 2]},
            node_inputs=["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
            initializers=[tensor("xs", np.array(0.02, f32)), tensor("xz", np.array(128, np.uint8)),
                          tensor("w", np.arange(24, dtype=np.int8).reshape(2, 3, 2, 2)),
                          tensor("ws", np.array([0.1, 0.2], f32)),
                          tensor("wz", np.array([0, 0], np.int8)), tensor("ys", np.array(0.5, f32)),
                          tensor("yz", np.array(10, np.uint8)), tensor("b", np.array([5, -5], np.int32))]),
     "qlinearconv.onnx")

# Depthwise (group = channels) int8 with scalar scales: on channels-last
# codes, one all-parallel loop reading the taps' bytes, zs * sum(w') taken
# off once per output, then back to NCHW for the requantization.
# QLCDW: linalg.transpose ins(%arg0 : tensor<1x4x5x5xi8>) outs({{.*}} : tensor<1x5x5x4xi8>) permutation = [0, 2, 3, 1]
# QLCDW: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs({{.*}} : tensor<1x3x3x4xi32>)
# QLCDW: tensor.extract %padded
# QLCDW: arith.extsi {{.*}} : i8 to i32
# QLCDW: ins({{.*}} : tensor<1x3x3x4xi32>, tensor<4xi32>)
# QLCDW: arith.subi
# QLCDW: linalg.transpose ins({{.*}} : tensor<1x3x3x4xi32>) outs({{.*}} : tensor<1x4x3x3xi32>) permutation = [0, 3, 1, 2]
# QLCDW: math.roundeven
# QLCDW: arith.fptosi %{{.*}} : f32 to i8
save(single("QLinearConv", [("x", INT8, [1, 4, 5, 5])], [("y", INT8, [1, 4, 3, 3])],
            {"group": 4},
            node_inputs=["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"],
            initializers=[tensor("xs", np.array(0.02, f32)), tensor("xz", np.array(0, np.int8)),
                          tensor("w", np.ones((4, 1, 3, 3), np.int8)), tensor("ws", np.array(0.1, f32)),
                          tensor("wz", np.array(0, np.int8)), tensor("ys", np.array(0.5, f32)),
                          tensor("yz", np.array(-3, np.int8))]), "qlinearconv_depthwise.onnx")

# Grouped: 8 groups of 2 channels -> 4 outputs, 2x2 kernel. Four groups fill
# a 16-output int8 tile with K = 4 * 2 * 4 = 32, so two matmuls, each on its
# 8 channels' windows against a block-diagonal [16, 32] weight (other
# groups' columns hold the row's zero point), side by side in the product.
# CIG-LABEL: func.func @main_graph
# CIG: lowbit.constant storage(dense_resource<qcc_channels_last_weight> : tensor<512xi8>) zero_points(dense<[0, 1, {{.*}}, 15]> : tensor<16xi8>) : !lowbit.qtensor<16x32xi8, #lowbit.scheme<per_axis = 0, zero_point = i8>>
# CIG: lowbit.constant storage(dense_resource<qcc_channels_last_weight_1> : tensor<512xi8>) zero_points(dense<[16, 17, {{.*}}, 31]> : tensor<16xi8>)
# CIG: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 8, 4, 4] [1, 1, 1, 1]
# CIG: lowbit.matmul {{.*}} -> tensor<9x16xi32>
# CIG: tensor.extract_slice %{{.*}}[0, 8, 0, 0] [1, 8, 4, 4] [1, 1, 1, 1]
# CIG: lowbit.matmul {{.*}} -> tensor<9x16xi32>
# CIG: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [9, 16] [1, 1] : tensor<9x16xi32> into tensor<9x32xi32>
# CIG: tensor.insert_slice %{{.*}} into %{{.*}}[0, 16] [9, 16] [1, 1] : tensor<9x16xi32> into tensor<9x32xi32>
# CIG: linalg.transpose {{.*}} outs(%{{.*}} : tensor<1x32x3x3xi32>)
# Row 0 (group 0, zero point 0) in (kh, kw, c) order over the block's 8
# channels: w[0, c, kh, kw] = 4c + 2kh + kw in channels 0-1, 0 elsewhere;
# row 1 (zero point 1) begins 8, 12, then 1s.
# CIG: qcc_channels_last_weight: "0x010000000004000000000000010500000000000002060000000000000307000000000000080C010101010101
save(single("ConvInteger", [("x", INT8, [1, 16, 4, 4])], [("y", INT32, [1, 32, 3, 3])],
            {"group": 8}, node_inputs=["x", "w", "", "wz"],
            initializers=[tensor("w", np.arange(256).astype(np.int8).reshape(32, 2, 2, 2)),
                          tensor("wz", np.arange(32).astype(np.int8))]), "convinteger_grouped.onnx")

# Groups whose outputs never fill a 16-wide tile (2 groups of 3): the
# grouped integer convolution (linalg's named op).
# CIGL-LABEL: func.func @main_graph
# CIGL-NOT: lowbit.matmul
# CIGL: linalg.conv_2d_ngchw_gfchw
save(single("ConvInteger", [("x", UINT8, [1, 4, 4, 4])], [("y", INT32, [1, 6, 3, 3])],
            {"group": 2}, initializers=[tensor("w", np.ones((6, 2, 2, 2), np.uint8))]),
     "convinteger_grouped_loop.onnx")

# BAD-X: bad_x_type.onnx: node 'convinteger' (ConvInteger): x must be UINT8 or INT8, got INT16
save(single("ConvInteger", [("x", INT16, [1, 1, 3, 3])], [("y", INT32, [1, 1, 2, 2])],
            initializers=[tensor("w", np.ones((1, 1, 2, 2), np.uint8))]), "bad_x_type.onnx")

# BAD-WZERO: bad_w_zero.onnx: node 'convinteger' (ConvInteger): w_zero_point must be a scalar or have one value per output channel (2)
save(single("ConvInteger", [("x", UINT8, [1, 1, 3, 3])], [("y", INT32, [1, 2, 2, 2])],
            node_inputs=["x", "w", "", "wz"],
            initializers=[tensor("w", np.ones((2, 1, 2, 2), np.uint8)), tensor("wz", np.array([1, 2, 3], np.uint8))]),
     "bad_w_zero.onnx")

# BAD-XZERO: bad_x_zero.onnx: node 'convinteger' (ConvInteger): x_zero_point must be a scalar
save(single("ConvInteger", [("x", UINT8, [1, 2, 3, 3])], [("y", INT32, [1, 1, 2, 2])],
            node_inputs=["x", "w", "xz"],
            initializers=[tensor("w", np.ones((1, 2, 2, 2), np.uint8)), tensor("xz", np.array([1, 2], np.uint8))]),
     "bad_x_zero.onnx")

# BAD-BIAS: bad_bias.onnx: node 'qlinearconv' (QLinearConv): the bias must be a 1-D INT32 tensor of the weight's 2 output channels
save(single("QLinearConv", [("x", UINT8, [1, 1, 3, 3])], [("y", UINT8, [1, 2, 2, 2])],
            node_inputs=["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
            initializers=[tensor("xs", np.array(0.02, f32)), tensor("xz", np.array(128, np.uint8)),
                          tensor("w", np.ones((2, 1, 2, 2), np.uint8)), tensor("ws", np.array(0.1, f32)),
                          tensor("wz", np.array(0, np.uint8)), tensor("ys", np.array(0.5, f32)),
                          tensor("yz", np.array(10, np.uint8)), tensor("b", np.array([5, -5], np.float32))]),
     "bad_bias.onnx")
