// RUN: qcc-opt %s --lowbit-fuse-epilogue --split-input-file | FileCheck %s
// RUN: qcc-opt %s --lowbit-fuse-epilogue --lowbit-to-linalg --split-input-file | FileCheck %s --check-prefix=LOWER

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#scalar = affine_map<(d0, d1) -> ()>
!w = !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>>

// bias (row broadcast), Relu, residual add (same shape) and a scalar scale
// become one epilogue, in order; the generics are gone.
// CHECK-LABEL: func.func @chain
// CHECK: %[[Y:.*]] = lowbit.matmul %arg0, %{{.*}} epilogue(%arg1, %arg2, %arg3 : tensor<16xf32>, tensor<2x16xf32>, tensor<f32>) transpose_rhs
// CHECK-NEXT: ^bb0(%[[E:.*]]: f32, %[[B:.*]]: f32, %[[R:.*]]: f32, %[[S:.*]]: f32):
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[E]], %[[B]] : f32
// CHECK: %[[M:.*]] = arith.maximumf %[[A]], %{{.*}} : f32
// CHECK-NEXT: %[[P:.*]] = arith.addf %[[M]], %[[R]] : f32
// CHECK-NEXT: %[[Q:.*]] = arith.mulf %[[P]], %[[S]] : f32
// CHECK-NEXT: lowbit.yield %[[Q]] : f32
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
// The lowering applies it as one elementwise generic after the kernel.
// LOWER-LABEL: func.func @chain
// LOWER: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}, #{{.*}}, #{{.*}}]
// LOWER: arith.addf
// LOWER: arith.maximumf
// LOWER: arith.addf
// LOWER: arith.mulf
// LOWER: linalg.yield
func.func @chain(%x: tensor<2x32xf32>, %bias: tensor<16xf32>, %res: tensor<2x16xf32>, %s: tensor<f32>) -> tensor<2x16xf32> {
  %w = lowbit.constant storage(dense<17> : tensor<256xi8>) scales(dense<0.5> : tensor<16x1xf32>) : !w
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !w -> tensor<2x16xf32>
  %e = tensor.empty() : tensor<2x16xf32>
  %1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %bias : tensor<2x16xf32>, tensor<16xf32>) outs(%e : tensor<2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x16xf32>
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%1 : tensor<2x16xf32>) outs(%e : tensor<2x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %v = arith.maximumf %a, %zero : f32
    linalg.yield %v : f32
  } -> tensor<2x16xf32>
  %3 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%2, %res : tensor<2x16xf32>, tensor<2x16xf32>) outs(%e : tensor<2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x16xf32>
  %4 = linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel"]}
      ins(%3, %s : tensor<2x16xf32>, tensor<f32>) outs(%e : tensor<2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.mulf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x16xf32>
  return %4 : tensor<2x16xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#first = affine_map<(d0, d1) -> (d0)>
!w = !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>>

// Not fused: a result with two users (the product is needed as it is), a
// reduction, a generic that reads the result transposed-broadcast by
// column, and one that reads its output.
// CHECK-LABEL: func.func @not_fusible
// CHECK: %[[Y:.*]] = lowbit.matmul %arg0, %{{.*}} transpose_rhs : tensor<2x32xf32>
// CHECK-NOT: epilogue
// CHECK: linalg.generic
// CHECK: %[[Z:.*]] = lowbit.matmul %arg0, %{{.*}} transpose_rhs : tensor<2x32xf32>
// CHECK: linalg.generic {{.*}}"parallel", "reduction"
// CHECK: %[[V:.*]] = lowbit.matmul %arg0, %{{.*}} transpose_rhs : tensor<2x32xf32>
// CHECK: linalg.generic
func.func @not_fusible(%x: tensor<2x32xf32>, %col: tensor<2xf32>) -> (tensor<2x16xf32>, tensor<2x16xf32>, tensor<2xf32>, tensor<2x16xf32>) {
  %w = lowbit.constant storage(dense<17> : tensor<256xi8>) scales(dense<0.5> : tensor<16x1xf32>) : !w
  %e = tensor.empty() : tensor<2x16xf32>
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !w -> tensor<2x16xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<2x16xf32>) outs(%e : tensor<2x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.negf %a : f32
    linalg.yield %v : f32
  } -> tensor<2x16xf32>
  %z = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !w -> tensor<2x16xf32>
  %zero = arith.constant 0.0 : f32
  %acc = tensor.empty() : tensor<2xf32>
  %2 = linalg.generic {indexing_maps = [#id, #first], iterator_types = ["parallel", "reduction"]}
      ins(%z : tensor<2x16xf32>) outs(%acc : tensor<2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.addf %a, %o : f32
    linalg.yield %v : f32
  } -> tensor<2xf32>
  %v = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !w -> tensor<2x16xf32>
  %3 = linalg.generic {indexing_maps = [#id, #first, #id], iterator_types = ["parallel", "parallel"]}
      ins(%v, %col : tensor<2x16xf32>, tensor<2xf32>) outs(%e : tensor<2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x16xf32>
  return %y, %1, %2, %3 : tensor<2x16xf32>, tensor<2x16xf32>, tensor<2xf32>, tensor<2x16xf32>
}

// -----

// QDQ activations: a per-tensor QuantizeLinear -> DequantizeLinear pair on
// the result (after a bias add) becomes grid arithmetic in the epilogue, the
// same as the pair's lowering: divide, round half to even, add the zero
// point, clamp to [0, 255] (maxnumf first: NaN to code 0), subtract the
// zero point, scale.
!w = !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>>
!a = !lowbit.qtensor<2x16xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @fake_quant
// CHECK: %[[Y:.*]] = lowbit.matmul %arg0, %{{.*}} epilogue(%arg1 : tensor<16xf32>) transpose_rhs
// CHECK-NEXT: ^bb0(%[[E:.*]]: f32, %[[B:.*]]: f32):
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[E]], %[[B]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[D:.*]] = arith.divf %[[A]], %[[S]] : f32
// CHECK-NEXT: %[[R:.*]] = math.roundeven %[[D]] : f32
// CHECK-NEXT: %[[Z:.*]] = arith.constant 1.280000e+02 : f32
// CHECK-NEXT: %[[P:.*]] = arith.addf %[[R]], %[[Z]] : f32
// CHECK-NEXT: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[MAX:.*]] = arith.maxnumf %[[P]], %[[LO]] : f32
// CHECK-NEXT: %[[HI:.*]] = arith.constant 2.550000e+02 : f32
// CHECK-NEXT: %[[Q:.*]] = arith.minnumf %[[MAX]], %[[HI]] : f32
// CHECK-NEXT: %[[C:.*]] = arith.subf %[[Q]], %[[Z]] : f32
// CHECK-NEXT: %[[V:.*]] = arith.mulf %[[C]], %[[S]] : f32
// CHECK-NEXT: lowbit.yield %[[V]] : f32
// CHECK-NOT: lowbit.quantize
// CHECK-NOT: lowbit.dequantize
// CHECK: return %[[Y]]
func.func @fake_quant(%x: tensor<2x32xf32>, %bias: tensor<16xf32>) -> tensor<2x16xf32> {
  %w = lowbit.constant storage(dense<17> : tensor<256xi8>) scales(dense<0.5> : tensor<16x1xf32>) : !w
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !w -> tensor<2x16xf32>
  %e = tensor.empty() : tensor<2x16xf32>
  %1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y, %bias : tensor<2x16xf32>, tensor<16xf32>) outs(%e : tensor<2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x16xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %z = arith.constant dense<128> : tensor<ui8>
  %q = lowbit.quantize %1 scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>) : tensor<2x16xf32> -> !a
  %d = lowbit.dequantize %q : !a -> tensor<2x16xf32>
  return %d : tensor<2x16xf32>
}

// -----

// Not fused: the codes are used other than by a dequantize (an int8 graph
// output), or the scale is computed at run time.
!w = !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_block = [1, 32], scale = f32>>
!a = !lowbit.qtensor<2x16xi8, #lowbit.scheme<per_tensor, scale = f32>>
// CHECK-LABEL: func.func @codes_escape
// CHECK: lowbit.matmul
// CHECK-NOT: epilogue
// CHECK: lowbit.quantize
// CHECK: lowbit.dequantize
func.func @codes_escape(%x: tensor<2x32xf32>) -> (tensor<2x16xf32>, tensor<2x16xi8>) {
  %w = lowbit.constant storage(dense<17> : tensor<256xi8>) scales(dense<0.5> : tensor<16x1xf32>) : !w
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !w -> tensor<2x16xf32>
  %s = arith.constant dense<0.25> : tensor<f32>
  %q = lowbit.quantize %y scales(%s : tensor<f32>) : tensor<2x16xf32> -> !a
  %d = lowbit.dequantize %q : !a -> tensor<2x16xf32>
  %c = lowbit.codes %q : !a -> tensor<2x16xi8>
  return %d, %c : tensor<2x16xf32>, tensor<2x16xi8>
}

// CHECK-LABEL: func.func @runtime_scale
// CHECK: lowbit.matmul
// CHECK-NOT: epilogue
// CHECK: lowbit.quantize
func.func @runtime_scale(%x: tensor<2x32xf32>, %s: tensor<f32>) -> tensor<2x16xf32> {
  %w = lowbit.constant storage(dense<17> : tensor<256xi8>) scales(dense<0.5> : tensor<16x1xf32>) : !w
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !w -> tensor<2x16xf32>
  %q = lowbit.quantize %y scales(%s : tensor<f32>) : tensor<2x16xf32> -> !a
  %d = lowbit.dequantize %q : !a -> tensor<2x16xf32>
  return %d : tensor<2x16xf32>
}

// -----

// Quantized activations times an int8 weight (the int8-exact kernel's
// product, scaled into f32), reaching a per-tensor QuantizeLinear through
// the expand_shape and NCHW transpose of a convolution and a Clip: the
// transpose and the expand move below (the codes are transposed instead),
// the Clip and the QuantizeLinear join the epilogue, which then converts
// f32 to the codes (signless i8 from the f32 accumulator), and the
// quantize becomes an assemble of them. Lowered without a kernel choice,
// the epilogue runs as the loop after the product, into i8.
!x = !lowbit.qtensor<6x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
!w = !lowbit.qtensor<4x8xi8, #lowbit.scheme<per_axis = 0, scale = f32>>
!q = !lowbit.qtensor<1x4x2x3xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
// CHECK-LABEL: func.func @codes_out
// CHECK: %[[Y:.*]] = lowbit.matmul %{{.*}}, %{{.*}} transpose_rhs : !lowbit.qtensor<6x8xui8, {{.*}}>, {{.*}} -> tensor<6x4xi8> {
// CHECK: ^bb0(%[[ACC:.*]]: f32):
// CHECK: arith.maximumf
// CHECK: math.roundeven
// CHECK: %[[CODE:.*]] = arith.fptoui %{{.*}} : f32 to i8
// CHECK: lowbit.yield %[[CODE]] : i8
// CHECK: %[[U:.*]] = tensor.bitcast %[[Y]] : tensor<6x4xi8> to tensor<6x4xui8>
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 2, 3, 4] : tensor<6x4xi8> into tensor<1x2x3x4xi8>
// CHECK: linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
// CHECK: %[[A:.*]] = lowbit.assemble %{{.*}} scales(%{{.*}} : tensor<f32>) zero_points(%{{.*}} : tensor<ui8>) : tensor<1x4x2x3xui8> -> !lowbit.qtensor<1x4x2x3xui8
// CHECK: lowbit.codes %[[A]]
// LOWER-LABEL: func.func @codes_out
// LOWER: linalg.generic {{.*}} outs(%{{.*}} : tensor<6x4xi8>)
// LOWER: arith.fptoui %{{.*}} : f32 to i8
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @codes_out(%xc: tensor<6x8xui8>) -> tensor<1x4x2x3xui8> {
  %sx = arith.constant dense<0.1> : tensor<f32>
  %zx8 = arith.constant dense<7> : tensor<i8>
  %zx = tensor.bitcast %zx8 : tensor<i8> to tensor<ui8>
  %x = lowbit.assemble %xc scales(%sx : tensor<f32>) zero_points(%zx : tensor<ui8>) : tensor<6x8xui8> -> !x
  %w = lowbit.constant storage(dense<3> : tensor<32xi8>) scales(dense<0.5> : tensor<4xf32>) : !w
  %y = lowbit.matmul %x, %w transpose_rhs : !x, !w -> tensor<6x4xf32>
  %e = tensor.expand_shape %y [[0, 1, 2], [3]] output_shape [1, 2, 3, 4] : tensor<6x4xf32> into tensor<1x2x3x4xf32>
  %t0 = tensor.empty() : tensor<1x4x2x3xf32>
  %t = linalg.transpose ins(%e : tensor<1x2x3x4xf32>) outs(%t0 : tensor<1x4x2x3xf32>) permutation = [0, 3, 1, 2]
  %zero = arith.constant 0.0 : f32
  %c = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : tensor<1x4x2x3xf32>) outs(%t0 : tensor<1x4x2x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x2x3xf32>
  %s = arith.constant dense<0.05> : tensor<f32>
  %z8 = arith.constant dense<3> : tensor<i8>
  %z = tensor.bitcast %z8 : tensor<i8> to tensor<ui8>
  %q = lowbit.quantize %c scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>) : tensor<1x4x2x3xf32> -> !q
  %codes = lowbit.codes %q : !q -> tensor<1x4x2x3xui8>
  return %codes : tensor<1x4x2x3xui8>
}

// -----

// QLinearConv's i32 product (integer codes times an int8 weight, no
// scales), through its expand_shape and NCHW transpose, then its i32 bias
// and its requantization to codes, both with per-channel vectors shaped
// [C, 1, 1] as ONNX broadcasts them on NCHW: the transpose and the expand
// move below, the vectors become [C] rows, and both generics join the
// epilogue, which converts the i32 accumulator to the codes.
!xi = !lowbit.qtensor<6x8xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!wi = !lowbit.qtensor<4x8xi8, #lowbit.scheme<per_tensor>>
// CHECK-LABEL: func.func @requantize_i32
// CHECK: %[[Y:.*]] = lowbit.matmul %{{.*}}, %{{.*}} epilogue(%{{.*}}, %{{.*}} : tensor<4xi32>, tensor<4xf32>) transpose_rhs : {{.*}} -> tensor<6x4xi8> {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: i32, %[[B:.*]]: i32, %[[M:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[ACC]], %[[B]] : i32
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[S]] : i32 to f32
// CHECK: %[[CODE:.*]] = arith.fptoui %{{.*}} : f32 to i8
// CHECK-NEXT: lowbit.yield %[[CODE]] : i8
// CHECK: tensor.expand_shape %[[Y]] {{.*}} : tensor<6x4xi8> into tensor<1x2x3x4xi8>
// CHECK: linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
// LOWER-LABEL: func.func @requantize_i32
// LOWER: arith.addi
// LOWER: arith.fptoui %{{.*}} : f32 to i8
#id4i = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @requantize_i32(%xc: tensor<6x8xui8>, %bias: tensor<4x1x1xi32>, %mult: tensor<4x1x1xf32>) -> tensor<1x4x2x3xi8> {
  %zx8 = arith.constant dense<7> : tensor<i8>
  %zx = tensor.bitcast %zx8 : tensor<i8> to tensor<ui8>
  %x = lowbit.assemble %xc zero_points(%zx : tensor<ui8>) : tensor<6x8xui8> -> !xi
  %w = lowbit.constant storage(dense<3> : tensor<32xi8>) : !wi
  %y = lowbit.matmul %x, %w transpose_rhs : !xi, !wi -> tensor<6x4xi32>
  %e = tensor.expand_shape %y [[0, 1, 2], [3]] output_shape [1, 2, 3, 4] : tensor<6x4xi32> into tensor<1x2x3x4xi32>
  %t0 = tensor.empty() : tensor<1x4x2x3xi32>
  %t = linalg.transpose ins(%e : tensor<1x2x3x4xi32>) outs(%t0 : tensor<1x4x2x3xi32>) permutation = [0, 3, 1, 2]
  %b = linalg.generic {indexing_maps = [#id4i, #ch, #id4i], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t, %bias : tensor<1x4x2x3xi32>, tensor<4x1x1xi32>) outs(%t0 : tensor<1x4x2x3xi32>) {
  ^bb0(%v: i32, %c: i32, %o: i32):
    %s = arith.addi %v, %c : i32
    linalg.yield %s : i32
  } -> tensor<1x4x2x3xi32>
  %q0 = tensor.empty() : tensor<1x4x2x3xi8>
  %q = linalg.generic {indexing_maps = [#id4i, #ch, #id4i], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b, %mult : tensor<1x4x2x3xi32>, tensor<4x1x1xf32>) outs(%q0 : tensor<1x4x2x3xi8>) {
  ^bb0(%v: i32, %m: f32, %o: i8):
    %f = arith.sitofp %v : i32 to f32
    %r = arith.mulf %f, %m : f32
    %n = math.roundeven %r : f32
    %lo = arith.constant 0.0 : f32
    %hi = arith.constant 255.0 : f32
    %c1 = arith.maximumf %n, %lo : f32
    %c2 = arith.minimumf %c1, %hi : f32
    %u = arith.fptoui %c2 : f32 to i8
    linalg.yield %u : i8
  } -> tensor<1x4x2x3xi8>
  return %q : tensor<1x4x2x3xi8>
}

// -----

// ONNX Runtime's dynamic quantization: the i32 product, Cast to f32, times
// the run-time scale (x_scale * w_scale, a scalar tensor), plus a bias row.
// All three join the epilogue, which converts the i32 accumulator to f32.
!xd = !lowbit.qtensor<6x8xui8, #lowbit.scheme<per_tensor, zero_point = ui8>>
!wd = !lowbit.qtensor<4x8xi8, #lowbit.scheme<per_tensor>>
// CHECK-LABEL: func.func @dequantize_i32
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} epilogue(%{{.*}}, %{{.*}} : tensor<f32>, tensor<4xf32>) transpose_rhs : {{.*}} -> tensor<6x4xf32> {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: i32, %[[S:.*]]: f32, %[[B:.*]]: f32):
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[ACC]] : i32 to f32
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[F]], %[[S]] : f32
// CHECK-NEXT: %[[A:.*]] = arith.addf %[[M]], %[[B]] : f32
// CHECK-NEXT: lowbit.yield %[[A]] : f32
// CHECK-NOT: linalg.generic
// LOWER-LABEL: func.func @dequantize_i32
// LOWER: arith.sitofp
// LOWER: arith.mulf
// LOWER: arith.addf
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d1)>
#scalar2 = affine_map<(d0, d1) -> ()>
func.func @dequantize_i32(%xc: tensor<6x8xui8>, %s: tensor<f32>, %bias: tensor<4xf32>) -> tensor<6x4xf32> {
  %zx8 = arith.constant dense<7> : tensor<i8>
  %zx = tensor.bitcast %zx8 : tensor<i8> to tensor<ui8>
  %x = lowbit.assemble %xc zero_points(%zx : tensor<ui8>) : tensor<6x8xui8> -> !xd
  %w = lowbit.constant storage(dense<3> : tensor<32xi8>) : !wd
  %y = lowbit.matmul %x, %w transpose_rhs : !xd, !wd -> tensor<6x4xi32>
  %f0 = tensor.empty() : tensor<6x4xf32>
  %f = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<6x4xi32>) outs(%f0 : tensor<6x4xf32>) {
  ^bb0(%v: i32, %o: f32):
    %c = arith.sitofp %v : i32 to f32
    linalg.yield %c : f32
  } -> tensor<6x4xf32>
  %m = linalg.generic {indexing_maps = [#id2, #scalar2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%f, %s : tensor<6x4xf32>, tensor<f32>) outs(%f0 : tensor<6x4xf32>) {
  ^bb0(%v: f32, %k: f32, %o: f32):
    %r = arith.mulf %v, %k : f32
    linalg.yield %r : f32
  } -> tensor<6x4xf32>
  %a = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%m, %bias : tensor<6x4xf32>, tensor<4xf32>) outs(%f0 : tensor<6x4xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %r = arith.addf %v, %b : f32
    linalg.yield %r : f32
  } -> tensor<6x4xf32>
  return %a : tensor<6x4xf32>
}
