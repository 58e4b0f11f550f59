# RUN: %python %s %t
# RUN: qcc %t/qdq.onnx --emit=mlir | FileCheck %s --check-prefix=QDQ
# RUN: qcc %t/weight_int4.onnx --emit=mlir | FileCheck %s --check-prefix=W4
# RUN: qcc %t/blocked_uint4.onnx --emit=mlir | FileCheck %s --check-prefix=BLOCK
# RUN: qcc %t/fp8.onnx --emit=mlir | FileCheck %s --check-prefix=FP8
# RUN: qcc %t/fp4_int16.onnx --emit=mlir | FileCheck %s --check-prefix=FP4
# RUN: qcc %t/runtime_dq.onnx --emit=mlir | FileCheck %s --check-prefix=RUNTIME
# RUN: qcc %t/dq_int32.onnx --emit=mlir | FileCheck %s --check-prefix=I32
# RUN: qcc %t/dynamic.onnx --emit=mlir | FileCheck %s --check-prefix=DYN
# RUN: qcc %t/matmulinteger.onnx --emit=mlir | FileCheck %s --check-prefix=MMI
# RUN: qcc %t/qlinearmatmul.onnx --emit=mlir | FileCheck %s --check-prefix=QLMM
# RUN: qcc %t/matmulinteger.onnx --emit=lowbit -o /dev/null --report --cpu=x86-64 --features=+avx2,+avx512f,+avx512vnni 2>&1 | FileCheck %s --check-prefix=REPORT
# RUN: qcc %t/qlinearmatmul.onnx --emit=lowbit -o /dev/null --report --cpu=x86-64 --features=-avx,-avx2,-avx512f 2>&1 | FileCheck %s --check-prefix=REPORT-PORTABLE
# RUN: qcc %t/matmulinteger_runtime_b.onnx --emit=lowbit -o /dev/null --report 2>&1 | FileCheck %s --check-prefix=REPORT-SLOW
# A layer on the reference lowering (B arrives at run time) is named as slower than f32.
# REPORT-SLOW: matmulinteger: 2x4 ui8 per_tensor x 4x3 i8 per_tensor -> reference
# REPORT-SLOW-NEXT: warning: matmulinteger runs the reference lowering, slower than an f32 MatMul of the same shape
# REPORT-SLOW: qcc: 1 of 1 quantized matmuls run slower than f32 (see the warnings above)
# The kernel report names integer activations by their qtensor type.
# REPORT: matmulinteger: 2x4 ui8 per_axis zp x 4x3 i8 per_axis zp -> int8-exact (integer codes: exact i32, widening multiply-adds, 4-byte chunks)
# REPORT-PORTABLE: qlinearmatmul: 2x4 i8 per_tensor zp x 4x3 i8 per_tensor zp -> int8-exact (integer codes: exact i32, widening multiply-adds, 4-byte chunks)
# RUN: qcc %t/qlinearmatmul_batched.onnx --emit=mlir | FileCheck %s --check-prefix=BATCHED
# RUN: not qcc %t/bad_block.onnx 2>&1 | FileCheck %s --check-prefix=BADBLOCK
# RUN: not qcc %t/bad_type.onnx 2>&1 | FileCheck %s --check-prefix=BADTYPE
# RUN: not qcc %t/bad_fp8_zero.onnx 2>&1 | FileCheck %s --check-prefix=BADFP8
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

f32 = np.float32

# A QuantizeLinear -> DequantizeLinear pair is one qtensor value.
# QDQ-LABEL: func.func @main_graph
# QDQ: %[[Q:.*]] = lowbit.quantize %arg0 scales(%{{.*}} : tensor<f32>) zero_points(%{{.*}} : tensor<ui8>) : tensor<2x3xf32> -> !lowbit.qtensor<2x3xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
# QDQ-NOT: lowbit.codes
# QDQ: lowbit.dequantize %[[Q]] : {{.*}} -> tensor<2x3xf32>
nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"]),
         helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"])]
save(model(nodes, [value_info("x", FLOAT, [2, 3])], [value_info("y", FLOAT, [2, 3])],
           [tensor("s", np.array(0.5, f32)), tensor("z", np.array(128, np.uint8))]), "qdq.onnx")

# An INT4 initializer read by DequantizeLinear (per axis) is one
# lowbit.constant; its bytes are the initializer's (low nibble first).
# W4-LABEL: func.func @main_graph
# W4: %[[W:.*]] = lowbit.constant storage(dense<[33, 67, 101, -121, 33, 67, 101, -121]> : tensor<8xi8>) scales(dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>) : !lowbit.qtensor<2x8xi4, #lowbit.scheme<per_axis = 0, scale = f32>>
# W4: lowbit.dequantize %[[W]] : {{.*}} -> tensor<2x8xf32>
save(single("DequantizeLinear", [], [("y", FLOAT, [2, 8])], {"axis": 0},
            initializers=[raw_tensor("w", INT4, [2, 8], [0x21, 0x43, 0x65, 0x87] * 2),
                          tensor("s", np.array([0.5, 0.25], f32))]), "weight_int4.onnx")

# Blocked (opset 21 block_size) uint4 with uint4 zero points.
# BLOCK: lowbit.constant storage({{.*}} : tensor<256xi8>) scales({{.*}} : tensor<8x2xf16>) zero_points({{.*}} : tensor<8x2xui4>) : !lowbit.qtensor<8x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>>
save(single("DequantizeLinear", [], [("y", FLOAT16, [8, 64])], {"axis": 1, "block_size": 32},
            initializers=[raw_tensor("w", UINT4, [8, 64], range(256)),
                          tensor("s", np.full((8, 2), 0.1, np.float16)),
                          raw_tensor("z", UINT4, [8, 2], [0x78] * 8)]), "blocked_uint4.onnx")

# Float8 output type comes from the zero point; saturate=0 is kept.
# FP8: lowbit.quantize %arg0 scales(%{{.*}} : tensor<f32>) {saturate = false} : tensor<4xf32> -> !lowbit.qtensor<4xf8E4M3FN, #lowbit.scheme<per_tensor, scale = f32>>
# FP8: lowbit.codes {{.*}} -> tensor<4xf8E4M3FN>
save(single("QuantizeLinear", [("x", FLOAT, [4])], [("y", FLOAT8E4M3FN, [4])], {"saturate": 0},
            initializers=[tensor("s", np.array(2.0, f32)), raw_tensor("z", FLOAT8E4M3FN, [], [0])]), "fp8.onnx")

# FP4 and INT16 through output_dtype.
# FP4: -> !lowbit.qtensor<2x4xf4E2M1FN, #lowbit.scheme<per_axis = 0, scale = f32>>
# FP4: -> !lowbit.qtensor<2x4xi16, #lowbit.scheme<per_tensor, scale = f32>>
nodes = [helper.make_node("QuantizeLinear", ["x", "s2"], ["q4"], axis=0, output_dtype=FLOAT4E2M1),
         helper.make_node("QuantizeLinear", ["x", "s"], ["q16"], output_dtype=INT16)]
save(model(nodes, [value_info("x", FLOAT, [2, 4])], [value_info("q4", FLOAT4E2M1, [2, 4]), value_info("q16", INT16, [2, 4])],
           [tensor("s", np.array(1.0, f32)), tensor("s2", np.array([1.0, 2.0], f32))], opset=23), "fp4_int16.onnx")

# Codes that arrive at run time are assembled into a qtensor.
# RUNTIME: %[[C:.*]] = tensor.bitcast %{{.*}} : tensor<3x4xi8> to tensor<3x4xui8>
# RUNTIME: lowbit.assemble %[[C]] scales(%{{.*}} : tensor<4xf32>) zero_points(%{{.*}} : tensor<4xui8>) : tensor<3x4xui8> -> !lowbit.qtensor<3x4xui8, #lowbit.scheme<per_axis = 1, scale = f32, zero_point = ui8>>
save(single("DequantizeLinear", [("x", UINT8, [3, 4]), ("s", FLOAT, [4]), ("z", UINT8, [4])], [("y", FLOAT, [3, 4])]), "runtime_dq.onnx")

# INT32 (QDQ biases) has no qtensor storage: plain arithmetic.
# I32-NOT: lowbit.
# I32: arith.subi
# I32: arith.sitofp
# I32: arith.mulf
save(single("DequantizeLinear", [("x", INT32, [4])], [("y", FLOAT, [4])],
            initializers=[tensor("s", np.array(0.5, f32)), tensor("z", np.array(3, np.int32))]), "dq_int32.onnx")

# DYN: %[[Q:.*]] = lowbit.quantize %arg0 : tensor<2x5xf32> -> !lowbit.qtensor<2x5xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
# DYN-DAG: lowbit.scales %[[Q]] : {{.*}} -> tensor<f32>
# DYN-DAG: lowbit.zero_points %[[Q]] : {{.*}} -> tensor<ui8>
# DYN-DAG: lowbit.codes %[[Q]] : {{.*}} -> tensor<2x5xui8>
save(single("DynamicQuantizeLinear", [("x", FLOAT, [2, 5])],
            [("y", UINT8, [2, 5]), ("ys", FLOAT, []), ("yz", UINT8, [])]), "dynamic.onnx")

# A per-row zero point of A and a per-column one of B (a constant weight).
# MMI: lowbit.assemble %{{.*}} zero_points(%{{.*}} : tensor<2xui8>) : tensor<2x4xui8> -> !lowbit.qtensor<2x4xui8, #lowbit.scheme<per_axis = 0, zero_point = ui8>>
# MMI: lowbit.constant storage({{.*}} : tensor<12xi8>) zero_points(dense<[1, 2, 3]> : tensor<3xi8>) : !lowbit.qtensor<4x3xi8, #lowbit.scheme<per_axis = 1, zero_point = i8>>
# MMI: lowbit.matmul {{.*}} -> tensor<2x3xi32>
save(single("MatMulInteger", [("a", UINT8, [2, 4]), ("az", UINT8, [2])], [("y", INT32, [2, 3])],
            node_inputs=["a", "b", "az", "bz"],
            initializers=[tensor("b", np.arange(12, dtype=np.int8).reshape(4, 3)), tensor("bz", np.array([1, 2, 3], np.int8))]), "matmulinteger.onnx")

# QLinearMatMul: exact i32 accumulation, then QuantizeLinear's rounding.
# QLMM: lowbit.matmul {{.*}} -> tensor<2x3xi32>
# QLMM: arith.mulf
# QLMM: arith.divf
# QLMM: math.roundeven
# QLMM: arith.fptosi %{{.*}} : f32 to i8
save(single("MatMulInteger", [("a", UINT8, [2, 4]), ("b", INT8, [4, 3])], [("y", INT32, [2, 3])],
            node_inputs=["a", "b"]), "matmulinteger_runtime_b.onnx")
save(single("QLinearMatMul", [("a", INT8, [2, 4])], [("y", INT8, [2, 3])],
            node_inputs=["a", "as", "az", "b", "bs", "bz", "ys", "yz"],
            initializers=[tensor("as", np.array(0.1, f32)), tensor("az", np.array(0, np.int8)),
                          tensor("b", np.ones((4, 3), np.int8)), tensor("bs", np.array([0.1, 0.2, 0.3], f32)),
                          tensor("bz", np.array(0, np.int8)), tensor("ys", np.array(0.05, f32)),
                          tensor("yz", np.array(-1, np.int8))]), "qlinearmatmul.onnx")

# A batched B is multiplied exactly in i32 by linalg.batch_matmul.
# BATCHED: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x2x4xi32>, tensor<2x4x3xi32>)
# BATCHED: math.roundeven
save(single("QLinearMatMul", [("a", UINT8, [2, 2, 4]), ("b", UINT8, [2, 4, 3])], [("y", UINT8, [2, 2, 3])],
            node_inputs=["a", "as", "az", "b", "bs", "bz", "ys", "yz"],
            initializers=[tensor("as", np.array(0.1, f32)), tensor("az", np.array(3, np.uint8)),
                          tensor("bs", np.array(0.1, f32)), tensor("bz", np.array(5, np.uint8)),
                          tensor("ys", np.array(0.05, f32)), tensor("yz", np.array(7, np.uint8))]),
     "qlinearmatmul_batched.onnx")

# BADBLOCK: bad_block.onnx: node 'dequantizelinear' (DequantizeLinear): block_size 32 does not divide dimension 1 (size 48); padded last blocks are not supported
save(single("DequantizeLinear", [], [("y", FLOAT, [2, 48])], {"axis": 1, "block_size": 32},
            initializers=[raw_tensor("w", INT4, [2, 48], [0] * 48), tensor("s", np.ones((2, 2), f32))]), "bad_block.onnx")

# BADTYPE: bad_type.onnx: node 'quantizelinear' (QuantizeLinear): output type INT32 is not supported
save(single("QuantizeLinear", [("x", FLOAT, [4])], [("y", INT32, [4])],
            initializers=[tensor("s", np.array(1.0, f32)), tensor("z", np.array(0, np.int32))]), "bad_type.onnx")

# BADFP8: bad_fp8_zero.onnx: node 'quantizelinear' (QuantizeLinear): a FLOAT8E5M2 zero point must be a constant zero
save(single("QuantizeLinear", [("x", FLOAT, [4])], [("y", FLOAT8E5M2, [4])],
            initializers=[tensor("s", np.array(1.0, f32)), raw_tensor("z", FLOAT8E5M2, [], [0x3C])]), "bad_fp8_zero.onnx")
