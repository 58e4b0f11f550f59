// RUN: qcc-opt %s --qcc-vectorize-matmul --split-input-file | FileCheck %s

// 4 rows: tiles of 4 rows x 4 vectors of 16 (AVX-512), column tiles in
// parallel, B rows streamed: broadcast A[m, k] times B[k, n : n + 16]. The
// init is a fill of zeros and K one block: no fill, the sums start at zero.
// CHECK-LABEL: func.func @gemm
// CHECK: memref.alloc() : memref<4x64xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: vector.load {{.*}} : memref<64x64xf32>, vector<16xf32>
// CHECK: vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK: vector.fma
// CHECK: vector.store
// CHECK-NOT: linalg.matmul
module attributes {qcc.target_features = "+avx2,+avx512f"} {
func.func @gemm(%a: tensor<4x64xf32>, %b: tensor<64x64xf32>) -> tensor<4x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64xf32>) -> tensor<4x64xf32>
  %y = linalg.matmul ins(%a, %b : tensor<4x64xf32>, tensor<64x64xf32>) outs(%init : tensor<4x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
}

// -----

// B = transpose(constant [N, K]) (Gemm transB) becomes a [K, N] constant;
// 3 columns are past any whole tile: rows in parallel, each column's sum
// over k with scalar FMAs in a register.
// CHECK-LABEL: func.func @transb_leftover
// CHECK: arith.constant dense_resource<qcc_transposed_weight> : tensor<2x3xf32>
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args
// CHECK: math.fma
// CHECK: {-#
// CHECK: qcc_transposed_weight: "0x040000000000804000004040000000400000803F0000004000008040"
func.func @transb_leftover(%a: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[4.0, 1.0], [3.0, 2.0], [2.0, 4.0]]> : tensor<3x2xf32>
  %t0 = tensor.empty() : tensor<2x3xf32>
  %t = linalg.transpose ins(%w : tensor<3x2xf32>) outs(%t0 : tensor<2x3xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %y = linalg.matmul ins(%a, %t : tensor<1x2xf32>, tensor<2x3xf32>) outs(%init : tensor<1x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// AVX2 (16 registers): 8 accumulators, tiles of 4 rows x 2 vectors of 8;
// a constant B is packed at compile time into its whole column tiles, tile
// by tile ([N / 16, K, 16]), which the tiles read contiguously; the 4
// columns past them (N = 36, no multiple of 8) read B itself.
// CHECK-LABEL: func.func @packed_avx2
// CHECK-DAG: arith.constant dense_resource<qcc_packed_weight> : tensor<2x8x16xf32>
// CHECK: scf.parallel
// CHECK: vector.load {{.*}} : memref<2x8x16xf32>, vector<8xf32>
// CHECK: vector.load {{.*}} : memref<2x8x16xf32>, vector<8xf32>
// CHECK-COUNT-8: vector.fma
// CHECK-NOT: vector.fma
// CHECK: math.fma
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @packed_avx2(%a: tensor<4x8xf32>) -> tensor<4x36xf32> {
  %w = arith.constant dense<0.5> : tensor<8x36xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x36xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x36xf32>) -> tensor<4x36xf32>
  %y = linalg.matmul ins(%a, %w : tensor<4x8xf32>, tensor<8x36xf32>) outs(%init : tensor<4x36xf32>) -> tensor<4x36xf32>
  return %y : tensor<4x36xf32>
}
}

// -----

// N = 24 (3 vectors of 8, no tile of 16 covers it): tiles of 1 vector and
// 8 rows, so every column runs in the vector tiles; no scalar loop.
// CHECK-LABEL: func.func @narrow_tiles_avx2
// CHECK-DAG: arith.constant dense_resource<qcc_packed_weight> : tensor<3x8x8xf32>
// CHECK: scf.parallel
// CHECK-COUNT-8: vector.fma
// CHECK-NOT: math.fma
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @narrow_tiles_avx2(%a: tensor<16x8xf32>) -> tensor<16x24xf32> {
  %w = arith.constant dense<0.25> : tensor<8x24xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<16x24xf32>) -> tensor<16x24xf32>
  %y = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x24xf32>) outs(%init : tensor<16x24xf32>) -> tensor<16x24xf32>
  return %y : tensor<16x24xf32>
}
}

// -----

// AVX-512 with N = 24: 16 lanes divide no tile of it, so this matmul runs
// on 8-lane vectors (3 tiles of one vector), not the scalar leftover loop.
// CHECK-LABEL: func.func @narrow_n_avx512
// CHECK: scf.parallel
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK-NOT: math.fma
module attributes {qcc.target_features = "+avx2,+avx512f"} {
func.func @narrow_n_avx512(%a: tensor<16x8xf32>) -> tensor<16x24xf32> {
  %w = arith.constant dense<0.25> : tensor<8x24xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<16x24xf32>) -> tensor<16x24xf32>
  %y = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x24xf32>) outs(%init : tensor<16x24xf32>) -> tensor<16x24xf32>
  return %y : tensor<16x24xf32>
}
}

// -----

// A conv's product [N*H*W, C] seen as [N, H, W, C] by an expand_shape, then
// bias and ReLU in an elementwise generic: the kernel applies them to each
// result vector before its store (one k-block), the generic and the
// expand_shape are gone and the result is the kernel's buffer expanded.
// CHECK-LABEL: func.func @epilogue_in_store
// CHECK: vector.fma
// CHECK: %[[B:.*]] = vector.load %{{.*}} : memref<24xf32>, vector<8xf32>
// CHECK: %[[S:.*]] = arith.addf %{{.*}}, %[[B]] : vector<8xf32>
// CHECK: %[[R:.*]] = arith.maximumf %[[S]], %{{.*}} : vector<8xf32>
// CHECK: vector.store %[[R]]
// CHECK-NOT: linalg.generic
// CHECK: tensor.expand_shape {{.*}} into tensor<2x8x24xf32>
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @epilogue_in_store(%a: tensor<16x8xf32>, %bias: tensor<24xf32>) -> tensor<2x8x24xf32> {
  %w = arith.constant dense<0.25> : tensor<8x24xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<16x24xf32>) -> tensor<16x24xf32>
  %y = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x24xf32>) outs(%init : tensor<16x24xf32>) -> tensor<16x24xf32>
  %x = tensor.expand_shape %y [[0, 1], [2]] output_shape [2, 8, 24] : tensor<16x24xf32> into tensor<2x8x24xf32>
  %o = tensor.empty() : tensor<2x8x24xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %bias : tensor<2x8x24xf32>, tensor<24xf32>) outs(%o : tensor<2x8x24xf32>) {
  ^bb0(%p: f32, %b: f32, %out: f32):
    %s = arith.addf %p, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8x24xf32>
  return %r : tensor<2x8x24xf32>
}
}

// -----

// The product read twice (the generic and the return): no fusion.
// CHECK-LABEL: func.func @product_used_twice
// CHECK: linalg.generic
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @product_used_twice(%a: tensor<16x8xf32>) -> (tensor<16x24xf32>, tensor<16x24xf32>) {
  %w = arith.constant dense<0.25> : tensor<8x24xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<16x24xf32>) -> tensor<16x24xf32>
  %y = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x24xf32>) outs(%init : tensor<16x24xf32>) -> tensor<16x24xf32>
  %o = tensor.empty() : tensor<16x24xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<16x24xf32>) outs(%o : tensor<16x24xf32>) {
  ^bb0(%p: f32, %out: f32):
    %m = arith.maximumf %p, %zero : f32
    linalg.yield %m : f32
  } -> tensor<16x24xf32>
  return %r, %y : tensor<16x24xf32>, tensor<16x24xf32>
}
}

// -----

// The product (after its bias + ReLU) goes only to a tensor.pad (the next
// depthwise convolution's input): the kernel allocates the padded buffer,
// fills its border slabs with the padding value, and stores into the
// interior, rows delinearized to (h, w); the pad is the buffer.
// CHECK-LABEL: func.func @store_into_padded
// CHECK: %[[P:.*]] = memref.alloc() : memref<4x6x24xf32>
// CHECK: %[[TOP:.*]] = memref.subview %[[P]][0, 0, 0] [1, 6, 24] [1, 1, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]]
// CHECK: %[[IN:.*]] = memref.subview %[[P]][1, 1, 0] [2, 4, 24] [1, 1, 1] : memref<4x6x24xf32> to memref<2x4x24xf32, strided<[144, 24, 1], offset: 168>>
// CHECK: scf.parallel
// CHECK: arith.remui %{{.*}}, %c4{{.*}}
// CHECK: arith.divui %{{.*}}, %c4{{.*}}
// CHECK: vector.store %{{.*}}, %[[IN]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<2x4x24xf32, strided<[144, 24, 1], offset: 168>>, vector<8xf32>
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[P]] restrict writable : memref<4x6x24xf32> to tensor<4x6x24xf32>
// CHECK-NOT: tensor.pad
// CHECK: return %[[T]]
module attributes {qcc.target_features = "+avx2,+fma"} {
func.func @store_into_padded(%a: tensor<8x8xf32>, %bias: tensor<24xf32>) -> tensor<4x6x24xf32> {
  %w = arith.constant dense<0.25> : tensor<8x24xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x24xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x24xf32>) -> tensor<8x24xf32>
  %y = linalg.matmul ins(%a, %w : tensor<8x8xf32>, tensor<8x24xf32>) outs(%init : tensor<8x24xf32>) -> tensor<8x24xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y, %bias : tensor<8x24xf32>, tensor<24xf32>) outs(%e : tensor<8x24xf32>) {
  ^bb0(%p: f32, %b: f32, %out: f32):
    %s = arith.addf %p, %b : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x24xf32>
  %x = tensor.expand_shape %r [[0, 1], [2]] output_shape [2, 4, 24] : tensor<8x24xf32> into tensor<2x4x24xf32>
  %pad = tensor.pad %x low[1, 1, 0] high[1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<2x4x24xf32> to tensor<4x6x24xf32>
  return %pad : tensor<4x6x24xf32>
}
}
