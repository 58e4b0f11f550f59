# RUN: %python %s %t
# RUN: qcc %t/nf4.onnx --emit=mlir | FileCheck %s --check-prefix=NF4
# RUN: qcc %t/fp4_f16.onnx --emit=mlir | FileCheck %s --check-prefix=FP4
# RUN: not qcc %t/spanning.onnx 2>&1 | FileCheck %s --check-prefix=SPAN
# RUN: not qcc %t/quant_type.onnx 2>&1 | FileCheck %s --check-prefix=QTYPE
# RUN: not qcc %t/short.onnx 2>&1 | FileCheck %s --check-prefix=SHORT
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *

MS = [("com.microsoft", 1)]


def bnb4(name, k, n, block, quant_type, absmax_type=np.float32, b_bytes=None, blocks=None):
    b_bytes = n * k // 2 if b_bytes is None else b_bytes
    blocks = n * k // block if blocks is None else blocks
    # Byte i holds codes 2i (high nibble) and 2i + 1 (low): 0x12 = codes 1, 2.
    inits = [raw_tensor("B", UINT8, [b_bytes], [0x12] * b_bytes),
             tensor("absmax", (np.arange(blocks) + 1).astype(absmax_type))]
    attrs = {"K": k, "N": n, "block_size": block, "quant_type": quant_type}
    m = single("MatMulBnb4", [("A", FLOAT, [1, k])], [("Y", FLOAT, [1, n])], attrs,
               initializers=inits, domain="com.microsoft", extra_opsets=MS, opset=17)
    save(m, name)


# The [N, K] codes with the nibbles swapped into qcc's order (first code low:
# 0x21), absmax as per-block scales of K, NF4's 16 values as the codebook.
# NF4-LABEL: func.func @main_graph
# NF4: %[[W:.*]] = lowbit.constant storage(dense_resource<B> : tensor<64xi8>) scales(dense<{{\[\[}}1.000000e+00, 2.000000e+00], {{.*}} : tensor<4x2xf32>) codebook(dense<[-1.000000e+00, -0.6961928, {{.*}}, 1.000000e+00]> : tensor<16xf32>) : !lowbit.qtensor<4x32xui4, #lowbit.scheme<per_block = [1, 16], scale = f32, codebook = f32>>
# NF4: lowbit.matmul %arg0, %[[W]] transpose_rhs : tensor<1x32xf32>, {{.*}} -> tensor<1x4xf32>
# NF4: B: "0x01000000{{(21)+}}"
bnb4("nf4.onnx", 32, 4, 16, 1)

# bitsandbytes' FP4 (max 1, subnormal 1/192), f16 absmax.
# FP4: codebook(dense<[0.000000e+00, 0.00520833349, 0.666666686, 1.000000e+00, {{.*}}]> : tensor<16xf32>) : !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, codebook = f32>>
bnb4("fp4_f16.onnx", 64, 2, 32, 0, absmax_type=np.float16)

# SPAN: node 'matmulbnb4' (MatMulBnb4): K=48 is not a multiple of block_size=32; blocks spanning two rows are not supported
bnb4("spanning.onnx", 48, 2, 32, 1, blocks=3)
# QTYPE: node 'matmulbnb4' (MatMulBnb4): quant_type=2 is not 0 (FP4) or 1 (NF4)
bnb4("quant_type.onnx", 32, 2, 16, 2)
# SHORT: node 'matmulbnb4' (MatMulBnb4): B holds 31 bytes but N x K at 4 bits needs 32
bnb4("short.onnx", 32, 2, 16, 1, b_bytes=31)
