// RUN: qcc-opt %s --split-input-file --lowbit-to-linalg | FileCheck %s

// A packed int4 constant is read byte by byte in the body: no unpacked or
// dequantized weight tensor appears.
// CHECK-LABEL: func.func @dequantize_int4
// CHECK: %[[BYTES:.*]] = arith.constant dense<[33, 67, 101, -121]> : tensor<4xi8>
// CHECK: linalg.generic
// CHECK: tensor.extract %[[BYTES]]
// CHECK: arith.shrsi
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK-NOT: lowbit.
func.func @dequantize_int4() -> tensor<2x4xf32> {
  %w = lowbit.constant storage(dense<[33, 67, 101, -121]> : tensor<4xi8>) scales(dense<[0.5, 0.25]> : tensor<2xf32>)
      : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_axis = 0, scale = f32>>
  %y = lowbit.dequantize %w : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Unpacked 8-bit codes of the result's shape: the generic takes them as its
// input (identity map), so elementwise fusion and transposes see through it.
// CHECK-LABEL: func.func @dequantize_u8_codes
// CHECK: %[[CODES:.*]] = tensor.bitcast %arg0 : tensor<2x3xui8> to tensor<2x3xi8>
// CHECK: linalg.generic {{.*}} ins(%[[CODES]] : tensor<2x3xi8>)
// CHECK: ^bb0(%[[C:.*]]: i8, %{{.*}}: f32):
// CHECK: arith.extui %[[C]] : i8 to i32
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dequantize_u8_codes(%c: tensor<2x3xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<2x3xf32> {
  %q = lowbit.assemble %c scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>)
      : tensor<2x3xui8> -> !lowbit.qtensor<2x3xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<2x3xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// The weight of a matmul is decoded inside the reduction.
// CHECK-LABEL: func.func @gemm_kn
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%arg0 : tensor<2x64xf32>)
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm_kn(%x: tensor<2x64xf32>) -> tensor<2x4xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<128xi8>) scales(dense<1.0> : tensor<4xf32>)
      : !lowbit.qtensor<64x4xi4, #lowbit.scheme<per_axis = 1, scale = f32>>
  %y = lowbit.matmul %x, %w : tensor<2x64xf32>, !lowbit.qtensor<64x4xi4, #lowbit.scheme<per_axis = 1, scale = f32>> -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// [N, K] weights with scales constant along blocks of K (MatMulNBits), f16
// activations (the vector kernel of Int8DotMatmul takes f32 ones): the
// scale and zero point factor out of each block's dot product, which loops
// over the block's bytes; the scales are an operand of the generic.
// CHECK-LABEL: func.func @gemv_blocked
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x2xf16>, tensor<2x2xi4>, tensor<2xi8>)
// CHECK: scf.for
// CHECK: arith.shrui
// CHECK: arith.mulf {{.*}} fastmath<reassoc,contract>
// CHECK: scf.yield
// CHECK: arith.subf
// CHECK: arith.extf
// CHECK: arith.mulf
func.func @gemv_blocked(%x: tensor<1x64xf16>) -> tensor<1x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<64xi8>) scales(dense<1.0> : tensor<2x2xf16>) zero_points(dense<8> : tensor<2x2xui4>)
      : !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<1x64xf16>, !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A few rows (here 2, f16) share each decoded byte: one accumulator per row, the
// rows stacked into the result afterwards.
// CHECK-LABEL: func.func @gemm_rows
// CHECK: %{{.*}}:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: scf.for {{.*}} iter_args
// CHECK: tensor.insert_slice {{.*}}[0, 0] [1, 2] [1, 1]
// CHECK: tensor.insert_slice {{.*}}[1, 0] [1, 2] [1, 1]
func.func @gemm_rows(%x: tensor<2x64xf16>) -> tensor<2x2xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<64xi8>) scales(dense<1.0> : tensor<2x2xf16>) zero_points(dense<8> : tensor<2x2xui4>)
      : !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>>
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x64xf16>, !lowbit.qtensor<2x64xui4, #lowbit.scheme<per_block = [1, 32], scale = f16, zero_point = ui4>> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Minifloats decode through a table of all their codes.
// CHECK-LABEL: func.func @fp4
// CHECK: arith.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00
func.func @fp4() -> tensor<1x32xf32> {
  %w = lowbit.constant storage(dense<0> : tensor<16xi8>) scales(dense<2.0> : tensor<1x1xf8E8M0FNU>)
      : !lowbit.qtensor<1x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
  %y = lowbit.dequantize %w : !lowbit.qtensor<1x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>> -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}

// -----

// Integer activations times integer weights: exact i32 accumulation.
// CHECK-LABEL: func.func @integer_matmul
// CHECK: scf.for
// CHECK: arith.muli
// CHECK: arith.addi
func.func @integer_matmul(%a: tensor<2x4xui8>, %za: tensor<ui8>) -> tensor<2x3xi32> {
  %qa = lowbit.assemble %a zero_points(%za : tensor<ui8>) : tensor<2x4xui8> -> !lowbit.qtensor<2x4xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
  %w = lowbit.constant storage(dense<1> : tensor<12xi8>) : !lowbit.qtensor<4x3xi8, #lowbit.scheme<per_tensor>>
  %y = lowbit.matmul %qa, %w : !lowbit.qtensor<2x4xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>, !lowbit.qtensor<4x3xi8, #lowbit.scheme<per_tensor>> -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// Quantize: round half to even, add the zero point, saturate (unsigned
// codes: maxnumf drops NaN to code 0, then minnumf; signed ones below:
// maximumf/minimumf and a NaN select); bytes converted straight from f32.
// CHECK-LABEL: func.func @quantize
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<4xf32>)
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: arith.fptoui {{.*}} : f32 to i8
func.func @quantize(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xui8> {
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>)
      : tensor<4xf32> -> !lowbit.qtensor<4xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  %c = lowbit.codes %q : !lowbit.qtensor<4xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<4xui8>
  return %c : tensor<4xui8>
}

// -----

// requantize = quantize(dequantize(x)): the i8 codes are decoded (code x 0.5)
// and encoded again with the new scale into i4 (round half to even,
// saturated to [-8, 7]).
// CHECK-LABEL: func.func @requantize
// CHECK: linalg.generic
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.cmpf uno
// CHECK: arith.select
// CHECK: arith.trunci {{.*}} : i32 to i4
// CHECK-NOT: lowbit.requantize
func.func @requantize(%x: tensor<8xf32>) -> tensor<8xf32> {
  %s = arith.constant dense<0.5> : tensor<f32>
  %s2 = arith.constant dense<2.0> : tensor<f32>
  %q = lowbit.quantize %x scales(%s : tensor<f32>) : tensor<8xf32> -> !lowbit.qtensor<8xi8, #lowbit.scheme<per_tensor, scale = f32>>
  %r = lowbit.requantize %q scales(%s2 : tensor<f32>) : !lowbit.qtensor<8xi8, #lowbit.scheme<per_tensor, scale = f32>> -> !lowbit.qtensor<8xi4, #lowbit.scheme<per_tensor, scale = f32>>
  %y = lowbit.dequantize %r : !lowbit.qtensor<8xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Scales computed at run time over a large f32 tensor: one parallel pass
// over chunks of whole 32-lane vectors keeps both extremes in registers
// (from 0), the last chunk shifted back to end at the last whole vector;
// then the chunks' lanes and the 17-element tail reduce to scalars.
// CHECK-LABEL: func.func @dynamic_range_large
// CHECK: %[[FLAT:.*]] = bufferization.to_buffer %arg0 read_only : tensor<70001xf32> to memref<70001xf32>
// CHECK: %[[MAX:.*]] = memref.alloc() : memref<4x32xf32>
// CHECK: %[[MIN:.*]] = memref.alloc() : memref<4x32xf32>
// CHECK: scf.parallel (%[[P:.*]]) = (%c0) to (%c4) step (%c1)
// CHECK: arith.minsi %{{.*}}, %c52480
// CHECK: scf.for {{.*}} = %c0{{.*}} to %c17504{{.*}} step %c32 iter_args
// CHECK: vector.load %[[FLAT]]
// CHECK: arith.maximumf {{.*}} : vector<32xf32>
// CHECK: arith.minimumf {{.*}} : vector<32xf32>
// CHECK: vector.store {{.*}}, %[[MAX]][%[[P]], %c0{{.*}}]
// CHECK: vector.store {{.*}}, %[[MIN]][%[[P]], %c0{{.*}}]
// CHECK: tensor.extract_slice %arg0[69984] [17] [1]
// CHECK: linalg.reduce
func.func @dynamic_range_large(%x: tensor<70001xf32>) -> tensor<70001xui8> {
  %q = lowbit.quantize %x : tensor<70001xf32> -> !lowbit.qtensor<70001xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  %c = lowbit.codes %q : !lowbit.qtensor<70001xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<70001xui8>
  return %c : tensor<70001xui8>
}

// -----

// Small tensors keep the serial linalg reductions.
// CHECK-LABEL: func.func @dynamic_range_small
// CHECK-NOT: scf.parallel
// CHECK: linalg.reduce
func.func @dynamic_range_small(%x: tensor<4x8xf32>) -> tensor<4x8xui8> {
  %q = lowbit.quantize %x : tensor<4x8xf32> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  %c = lowbit.codes %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<4x8xui8>
  return %c : tensor<4x8xui8>
}
