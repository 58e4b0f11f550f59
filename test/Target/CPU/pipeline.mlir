// The CPU pipeline takes lowbit + linalg on tensors to the LLVM dialect,
// with the outputs as caller-provided buffers.
// RUN: qcc-opt %s --qcc-cpu-to-llvm | FileCheck %s

// CHECK-NOT: lowbit.
// CHECK-NOT: linalg.
// CHECK: llvm.func @main_graph(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64)
// CHECK-NOT: -> !llvm.struct
func.func @main_graph(%x: tensor<1x64xf32>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<64xi8>) scales(dense<1.0> : tensor<2x2xf16>) zero_points(dense<8> : tensor<2x2xui4>)
      : !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<1x64xf32>, !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
