# RUN: %python %s %t
# RUN: qcc %t/w4_zp.onnx --emit=mlir | FileCheck %s --check-prefix=W4
# RUN: qcc %t/w2_default_zp.onnx --emit=mlir | FileCheck %s --check-prefix=W2
# RUN: qcc %t/w3_float_zp_bias.onnx --emit=mlir | FileCheck %s --check-prefix=W3
# RUN: qcc %t/w3_level0.onnx --emit=mlir | FileCheck %s --check-prefix=W3L0
# RUN: qcc %t/w8.onnx --emit=mlir | FileCheck %s --check-prefix=W8
# RUN: not qcc %t/g_idx.onnx 2>&1 | FileCheck %s --check-prefix=GIDX
# RUN: not qcc %t/padded.onnx 2>&1 | FileCheck %s --check-prefix=PADDED
# RUN: not qcc %t/bits9.onnx 2>&1 | FileCheck %s --check-prefix=BITS
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *

MS = [("com.microsoft", 1)]


def nbits(name, k, n, bits, block, zp=None, float_zp=False, bias=False, g_idx=False, batch=(1,), level=4):
    blocks = k // block
    blob = block * bits // 8
    rng = np.random.default_rng(0)
    inits = [raw_tensor("B", UINT8, [n, blocks, blob], rng.integers(0, 256, n * blocks * blob).tolist()),
             tensor("scales", rng.random(n * blocks).astype(np.float32))]
    inputs = ["A", "B", "scales"]
    if zp is not None or float_zp:
        if float_zp:
            inits.append(tensor("zp", rng.random(n * blocks).astype(np.float32)))
        else:
            inits.append(raw_tensor("zp", UINT8, [len(zp)], zp))
        inputs.append("zp")
    elif g_idx or bias:
        inputs.append("")
    if g_idx:
        inits.append(tensor("g_idx", np.zeros(k, np.int32)))
        inputs.append("g_idx")
    elif bias:
        inputs.append("")
    if bias:
        inits.append(tensor("bias", np.ones(n, np.float32)))
        inputs.append("bias")
    attrs = {"K": k, "N": n, "bits": bits, "block_size": block, "accuracy_level": level}
    m = single("MatMulNBits", [("A", FLOAT, list(batch) + [k])], [("Y", FLOAT, list(batch) + [n])], attrs,
               initializers=inits, domain="com.microsoft", extra_opsets=MS, node_inputs=inputs)
    save(m, name)


# W4-LABEL: func.func @main_graph
# W4: %[[W:.*]] = lowbit.constant storage({{.*}} : tensor<256xi8>) scales({{.*}} : tensor<8x2xf32>) zero_points(dense<{{\[\[}}1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14], [15, 0]]> : tensor<8x2xui4>) : !lowbit.qtensor<8x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f32, zero_point = ui4>>
# W4: lowbit.matmul %arg0, %[[W]] transpose_rhs {accuracy_level = 4 : i64} : tensor<1x64xf32>, {{.*}} -> tensor<1x8xf32>
nbits("w4_zp.onnx", 64, 8, 4, 32, zp=[0x21, 0x43, 0x65, 0x87, 0xA9, 0xCB, 0xED, 0x0F])

# Without zero points the codes centre on 2^(bits-1).
# W2: zero_points(dense<2> : tensor<4x1xui2>) : !lowbit.qtensor<4x64xui2, #lowbit.scheme<per_block = [1, 64], scale = f32, zero_point = ui2>>
# W2: lowbit.matmul {{.*}} -> tensor<2x3x4xf32>
nbits("w2_default_zp.onnx", 64, 4, 2, 64, batch=(2, 3))

# W3: zero_points({{.*}} : tensor<4x2xf32>) : !lowbit.qtensor<4x64xui3, #lowbit.scheme<per_block = [1, 32], scale = f32, zero_point = f32>>
# W3: lowbit.matmul %arg0, %{{.*}} bias(%{{.*}} : tensor<4xf32>) transpose_rhs
nbits("w3_float_zp_bias.onnx", 64, 4, 3, 32, float_zp=True, bias=True)

# Below accuracy_level 4, 3-bit codes widen to 4 bits (the f32 and bf16
# kernels read nibbles): the zero points' values stay, packed 3 bits a code
# (row 0: 1 | 2 << 3, row 1: 3 | 4 << 3).
# W3L0: lowbit.constant storage({{.*}} : tensor<64xi8>) scales({{.*}} : tensor<2x2xf32>) zero_points(dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xui4>) : !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f32, zero_point = ui4>>
# W3L0: lowbit.matmul {{.*}} {accuracy_level = 0 : i64}
nbits("w3_level0.onnx", 64, 2, 3, 32, zp=[1 | 2 << 3, 3 | 4 << 3], level=0)

# W8: !lowbit.qtensor<2x128xui8, #lowbit.scheme<per_block = [1, 128], scale = f32, zero_point = ui8>>
nbits("w8.onnx", 128, 2, 8, 128, zp=[128, 127])

# GIDX: g_idx.onnx: node 'matmulnbits' (MatMulNBits): g_idx (act-order) is not supported; export the model without act-order (desc_act=False)
nbits("g_idx.onnx", 64, 4, 4, 32, g_idx=True)

# PADDED: node 'matmulnbits' (MatMulNBits): K=48 is not a multiple of block_size=32; padded last blocks are not supported
m = single("MatMulNBits", [("A", FLOAT, [1, 48])], [("Y", FLOAT, [1, 2])], {"K": 48, "N": 2, "bits": 4, "block_size": 32},
           initializers=[raw_tensor("B", UINT8, [2, 2, 16], [0] * 64), tensor("scales", np.ones(4, np.float32))],
           domain="com.microsoft", extra_opsets=MS)
save(m, "padded.onnx")

# BITS: node 'matmulnbits' (MatMulNBits): bits=9 is not supported (1 to 8)
m = single("MatMulNBits", [("A", FLOAT, [1, 32])], [("Y", FLOAT, [1, 2])], {"K": 32, "N": 2, "bits": 9, "block_size": 32},
           initializers=[raw_tensor("B", UINT8, [2, 1, 36], [0] * 72), tensor("scales", np.ones(2, np.float32))],
           domain="com.microsoft", extra_opsets=MS)
save(m, "bits9.onnx")
