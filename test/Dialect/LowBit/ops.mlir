// RUN: qcc-opt %s --split-input-file | FileCheck %s
// RUN: qcc-opt %s --split-input-file | qcc-opt --split-input-file | FileCheck %s
// Round trip of every lowbit op.

// CHECK-LABEL: func.func @constant_int4
// CHECK: lowbit.constant storage(dense<[33, 67, 101, -121]> : tensor<4xi8>) scales(dense<5.000000e-01> : tensor<f32>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
func.func @constant_int4() -> !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>> {
  %w = lowbit.constant storage(dense<[33, 67, 101, -121]> : tensor<4xi8>) scales(dense<0.5> : tensor<f32>)
      : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
  return %w : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
}

// -----

// CHECK-LABEL: func.func @constant_zero_points
// CHECK: lowbit.constant storage({{.*}}) scales(dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>) zero_points(dense<[8, 7]> : tensor<2xui4>) : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_axis = 0, scale = f32, zero_point = ui4>>
func.func @constant_zero_points() -> !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_axis = 0, scale = f32, zero_point = ui4>> {
  %w = lowbit.constant storage(dense<"0x21436587"> : tensor<4xui8>)
      scales(dense<[0.5, 0.25]> : tensor<2xf32>) zero_points(dense<[8, 7]> : tensor<2xui4>)
      : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_axis = 0, scale = f32, zero_point = ui4>>
  return %w : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_axis = 0, scale = f32, zero_point = ui4>>
}

// -----

// Large weights live in resource blobs, not in the text of the attribute.
// CHECK-LABEL: func.func @constant_resource
// CHECK: lowbit.constant storage(dense_resource<w0> : tensor<8xi8>) scales(dense<1.000000e+00> : tensor<1x2xf16>)
// CHECK: w0: "0x
func.func @constant_resource() -> !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_block = [4, 2], scale = f16>> {
  %w = lowbit.constant storage(dense_resource<w0> : tensor<8xi8>) scales(dense<1.0> : tensor<1x2xf16>)
      : !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_block = [4, 2], scale = f16>>
  return %w : !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_block = [4, 2], scale = f16>>
}
{-#
  dialect_resources: {
    builtin: {
      w0: "0x010000000123456789ABCDEF"
    }
  }
#-}

// -----

// MX and NVFP4: E8M0 block scales; E4M3 block scales with an f32 tensor scale.
// CHECK-LABEL: func.func @constant_block_scaled
// CHECK: scales(dense<{{.*}}> : tensor<1x1xf8E8M0FNU>) : !lowbit.qtensor<1x32xf4E2M1FN
// CHECK: scales(dense<{{.*}}> : tensor<1x2xf8E4M3FN>) tensor_scale(2.500000e-01) : !lowbit.qtensor<1x32xf4E2M1FN
func.func @constant_block_scaled() {
  %mx = lowbit.constant storage(dense<0> : tensor<16xi8>) scales(dense<2.0> : tensor<1x1xf8E8M0FNU>)
      : !lowbit.qtensor<1x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
  %nv = lowbit.constant storage(dense<0> : tensor<16xi8>) scales(dense<1.5> : tensor<1x2xf8E4M3FN>)
      tensor_scale(0.25)
      : !lowbit.qtensor<1x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 16], scale = f8E4M3FN, tensor_scale = f32>>
  return
}

// -----

// Ternary in both packings, and codebooks per tensor and per row.
// CHECK-LABEL: func.func @constant_ternary_codebook
// CHECK: lowbit.constant storage(dense<0> : tensor<3xi8>) scales({{.*}}) : !lowbit.qtensor<12x!lowbit.ternary
// CHECK: lowbit.constant storage(dense<0> : tensor<4xi8>) : !lowbit.qtensor<2x10x!lowbit.ternary, #lowbit.scheme<per_tensor>, #lowbit.layout<base3>>
// CHECK: codebook(dense<{{.*}}> : tensor<16xf32>)
// CHECK: codebook(dense<{{.*}}> : tensor<2x4xf16>)
func.func @constant_ternary_codebook() {
  %t2 = lowbit.constant storage(dense<0> : tensor<3xi8>) scales(dense<1.0> : tensor<f32>)
      : !lowbit.qtensor<12x!lowbit.ternary, #lowbit.scheme<per_tensor, scale = f32>>
  %t3 = lowbit.constant storage(dense<0> : tensor<4xi8>)
      : !lowbit.qtensor<2x10x!lowbit.ternary, #lowbit.scheme<per_tensor>, #lowbit.layout<base3>>
  %nf4 = lowbit.constant storage(dense<0> : tensor<32xi8>) scales(dense<1.0> : tensor<1x1xf16>)
      codebook(dense<[-1.0, -0.6961928, -0.52507305, -0.3949175, -0.28444138, -0.18477343, -0.091050036, 0.0,
                      0.0795803, 0.1609302, 0.2461123, 0.33791524, 0.44070983, 0.562617, 0.72295684, 1.0]> : tensor<16xf32>)
      : !lowbit.qtensor<1x64xui4, #lowbit.scheme<per_block = [1, 64], scale = f16, codebook = f32>>
  %rows = lowbit.constant storage(dense<0> : tensor<2xi8>)
      codebook(dense<[[0.0, 1.0, 2.0, 3.0], [0.0, -1.0, -2.0, -3.0]]> : tensor<2x4xf16>)
      : !lowbit.qtensor<2x4xui2, #lowbit.scheme<per_tensor, codebook = f16, codebook_axis = 0>>
  return
}

// -----

// CHECK-LABEL: func.func @quantize_dequantize
// CHECK: lowbit.quantize %arg0 scales(%arg1 : tensor<f32>) zero_points(%arg2 : tensor<ui8>) : tensor<4x8xf32> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
// CHECK: lowbit.quantize %arg0 {saturate = false} : tensor<4x8xf32> -> !lowbit.qtensor<4x8xf8E5M2, #lowbit.scheme<per_axis = 0, scale = f32>>
// CHECK: lowbit.dequantize %{{.*}} : !lowbit.qtensor<4x8xui8, {{.*}}> -> tensor<4x8xf32>
func.func @quantize_dequantize(%x: tensor<4x8xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4x8xf32> {
  %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>)
      : tensor<4x8xf32> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  %f8 = lowbit.quantize %x {saturate = false}
      : tensor<4x8xf32> -> !lowbit.qtensor<4x8xf8E5M2, #lowbit.scheme<per_axis = 0, scale = f32>>
  %y = lowbit.dequantize %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK: lowbit.matmul %arg0, %arg1 : tensor<1x256xf32>, !lowbit.qtensor<256x64xi4, {{.*}}> -> tensor<1x64xf32>
// CHECK: lowbit.matmul %arg0, %arg2 bias(%arg3 : tensor<64xf32>) transpose_rhs : tensor<1x256xf32>, !lowbit.qtensor<64x256xui4, {{.*}}> -> tensor<1x64xf32>
// CHECK: lowbit.matmul %{{.*}}, %arg1 : !lowbit.qtensor<1x256xi8, {{.*}}>, !lowbit.qtensor<256x64xi4, {{.*}}> -> tensor<1x64xi32>
func.func @matmul(%x: tensor<1x256xf32>,
                  %w: !lowbit.qtensor<256x64xi4, #lowbit.scheme<per_axis = 1, scale = f32>>,
                  %wt: !lowbit.qtensor<64x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>>,
                  %b: tensor<64xf32>) {
  %0 = lowbit.matmul %x, %w : tensor<1x256xf32>, !lowbit.qtensor<256x64xi4, #lowbit.scheme<per_axis = 1, scale = f32>> -> tensor<1x64xf32>
  %1 = lowbit.matmul %x, %wt bias(%b : tensor<64xf32>) transpose_rhs
      : tensor<1x256xf32>, !lowbit.qtensor<64x256xui4, #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>> -> tensor<1x64xf32>
  %qx = lowbit.quantize %x : tensor<1x256xf32> -> !lowbit.qtensor<1x256xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
  %2 = lowbit.matmul %qx, %w : !lowbit.qtensor<1x256xi8, #lowbit.scheme<per_axis = 0, scale = f32>>,
      !lowbit.qtensor<256x64xi4, #lowbit.scheme<per_axis = 1, scale = f32>> -> tensor<1x64xi32>
  return
}

// -----

// CHECK-LABEL: func.func @requantize_pack_unpack
// CHECK: lowbit.requantize %arg0 : !lowbit.qtensor<64x64xi8, {{.*}}> -> !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>>
// CHECK: lowbit.pack %{{.*}} : {{.*}} -> !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>, #lowbit.layout<bit_planes>>
// CHECK: lowbit.unpack %{{.*}} : {{.*}}#lowbit.layout<bit_planes>> -> !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>>
func.func @requantize_pack_unpack(%q: !lowbit.qtensor<64x64xi8, #lowbit.scheme<per_tensor, scale = f32>>) {
  %r = lowbit.requantize %q : !lowbit.qtensor<64x64xi8, #lowbit.scheme<per_tensor, scale = f32>>
      -> !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>>
  %p = lowbit.pack %r : !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>>
      -> !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>, #lowbit.layout<bit_planes>>
  %u = lowbit.unpack %p : !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>, #lowbit.layout<bit_planes>>
      -> !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_axis = 0, scale = f32>>
  return
}

// -----

// CHECK-LABEL: func.func @assemble_and_parts
// CHECK: %[[Q:.*]] = lowbit.assemble %arg0 scales(%arg1 : tensor<f32>) zero_points(%arg2 : tensor<ui8>) : tensor<4x8xui8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
// CHECK: lowbit.codes %[[Q]] : {{.*}} -> tensor<4x8xui8>
// CHECK: lowbit.scales %[[Q]] : {{.*}} -> tensor<f32>
// CHECK: lowbit.zero_points %[[Q]] : {{.*}} -> tensor<ui8>
// CHECK: lowbit.assemble %arg0 zero_points(%arg2 : tensor<ui8>) : tensor<4x8xui8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
func.func @assemble_and_parts(%c: tensor<4x8xui8>, %s: tensor<f32>, %z: tensor<ui8>) {
  %q = lowbit.assemble %c scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>)
      : tensor<4x8xui8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  %codes = lowbit.codes %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<4x8xui8>
  %scales = lowbit.scales %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<f32>
  %zeros = lowbit.zero_points %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<ui8>
  %noscale = lowbit.assemble %c zero_points(%z : tensor<ui8>)
      : tensor<4x8xui8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
  return
}
