// RUN: qcc-opt %s --split-input-file --verify-diagnostics
// One case per op verifier rule.

func.func @f() {
  // expected-error @+1 {{storage must be a 1-D tensor of i8 or ui8 bytes, got 'tensor<2x2xi8>'}}
  %0 = lowbit.constant storage(dense<0> : tensor<2x2xi8>) scales(dense<1.0> : tensor<f32>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{storage holds 3 bytes but the type needs 4}}
  %0 = lowbit.constant storage(dense<0> : tensor<3xi8>) scales(dense<1.0> : tensor<f32>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{storage holds 4 bytes but the type needs 2}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) : !lowbit.qtensor<10x!lowbit.ternary, #lowbit.scheme<per_tensor>, #lowbit.layout<base3>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{the scheme has scale type 'f32' but no scales were given}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{scales given but the scheme has no scale type}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<f32>) : !lowbit.qtensor<4xf8E4M3FN, #lowbit.scheme<per_tensor>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{scales have shape [4] but the scheme needs [2]}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<4xf32>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_axis = 0, scale = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{scales have shape [2, 1] but the scheme needs [2, 2]}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<2x1xf16>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_block = [1, 2], scale = f16>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{scales have element type 'f32' but the scheme says 'f16'}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<f32>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f16>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{zero points given but the scheme has no zero point type}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<f32>) zero_points(dense<0> : tensor<i4>) : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{the scheme has zero point type 'ui4' but no zero points were given}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<f32>) : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui4>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{zero points have shape [4] but the scheme needs [2]}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<2xf32>) zero_points(dense<0> : tensor<4xui4>) : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_axis = 0, scale = f32, zero_point = ui4>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{zero points have element type 'i4' but the scheme says 'ui4'}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<f32>) zero_points(dense<0> : tensor<i4>) : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui4>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{tensor_scale given but the scheme has no tensor scale type}}
  %0 = lowbit.constant storage(dense<0> : tensor<16xi8>) scales(dense<1.0> : tensor<1x2xf8E4M3FN>) tensor_scale(1.0) : !lowbit.qtensor<1x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 16], scale = f8E4M3FN>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{the scheme has a tensor scale but none was given}}
  %0 = lowbit.constant storage(dense<0> : tensor<16xi8>) scales(dense<1.0> : tensor<1x2xf8E4M3FN>) : !lowbit.qtensor<1x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 16], scale = f8E4M3FN, tensor_scale = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{codebook given but the scheme has no codebook}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) scales(dense<1.0> : tensor<f32>) codebook(dense<0.0> : tensor<16xf32>) : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{the scheme has a codebook but none was given}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_tensor, codebook = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{codebook has 15 entries, but storage type 'ui4' needs 2^4 = 16}}
  %0 = lowbit.constant storage(dense<0> : tensor<4xi8>) codebook(dense<0.0> : tensor<15xf32>) : !lowbit.qtensor<2x4xui4, #lowbit.scheme<per_tensor, codebook = f32>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{codebook entries have shape [3, 4] but the scheme needs [2, 4]}}
  %0 = lowbit.constant storage(dense<0> : tensor<2xi8>) codebook(dense<0.0> : tensor<3x4xf16>) : !lowbit.qtensor<2x4xui2, #lowbit.scheme<per_tensor, codebook = f16, codebook_axis = 0>>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{codebook entries have element type 'f32' but the scheme says 'f16'}}
  %0 = lowbit.constant storage(dense<0> : tensor<2xi8>) codebook(dense<0.0> : tensor<4xf32>) : !lowbit.qtensor<2x4xui2, #lowbit.scheme<per_tensor, codebook = f16>>
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{input shape [4, 8] does not match result shape [8, 4]}}
  %0 = lowbit.quantize %x : tensor<4x8xf32> -> !lowbit.qtensor<8x4xi8, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{cannot quantize into a codebook scheme; build a lowbit.constant with its codebook instead}}
  %0 = lowbit.quantize %x : tensor<4xf32> -> !lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, codebook = f32>>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %s: tensor<f16>) {
  // expected-error @+1 {{scales have element type 'f16' but the scheme says 'f32'}}
  %0 = lowbit.quantize %x scales(%s : tensor<f16>) : tensor<4xf32> -> !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %z: tensor<ui8>) {
  // expected-error @+1 {{zero points given without scales}}
  %0 = lowbit.quantize %x zero_points(%z : tensor<ui8>) : tensor<4xf32> -> !lowbit.qtensor<4xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{input shape [4] does not match result shape [2, 2]}}
  %0 = lowbit.dequantize %q : !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<2x2xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4xf32>, %w: !lowbit.qtensor<2x4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{rhs must have rank 2, got rank 3}}
  %0 = lowbit.matmul %x, %w : tensor<1x4xf32>, !lowbit.qtensor<2x4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4xi32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{lhs must be a float tensor or a qtensor, got 'tensor<1x4xi32>'}}
  %0 = lowbit.matmul %x, %w : tensor<1x4xi32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: tensor<?x4xf32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{lhs must have a static shape, got 'tensor<?x4xf32>'}}
  %0 = lowbit.matmul %x, %w : tensor<?x4xf32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: tensor<f32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{lhs must have rank 1 or more}}
  %0 = lowbit.matmul %x, %w : tensor<f32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8xf32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{lhs contraction dimension 8 does not match rhs dimension 4}}
  %0 = lowbit.matmul %x, %w : tensor<1x8xf32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: tensor<1x8xf32>, %w: !lowbit.qtensor<4x8xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{result shape [1, 8] does not match expected [1, 4]}}
  %0 = lowbit.matmul %x, %w transpose_rhs : tensor<1x8xf32>, !lowbit.qtensor<4x8xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4xf32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{result element type must be a float type or i32, got 'i8'}}
  %0 = lowbit.matmul %x, %w : tensor<1x4xf32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xi8>
  return
}

// -----

func.func @f(%x: tensor<1x4xf32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{an i32 result needs a quantized lhs}}
  %0 = lowbit.matmul %x, %w : tensor<1x4xf32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xi32>
  return
}

// -----

func.func @f(%x: tensor<1x4xf32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{bias must have shape [4], got [1, 4]}}
  %0 = lowbit.matmul %x, %w bias(%b : tensor<1x4xf32>) : tensor<1x4xf32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4xf32>, %w: !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>>, %b: tensor<4xf16>) {
  // expected-error @+1 {{bias element type 'f16' does not match result element type 'f32'}}
  %0 = lowbit.matmul %x, %w bias(%b : tensor<4xf16>) : tensor<1x4xf32>, !lowbit.qtensor<4x4xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{input shape [4] does not match result shape [8]}}
  %0 = lowbit.requantize %q : !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>> -> !lowbit.qtensor<8xi4, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{cannot requantize into a codebook scheme}}
  %0 = lowbit.requantize %q : !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32>> -> !lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, codebook = f32>>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{changes only the layout, but the shape changes from [8] to [2, 4]}}
  %0 = lowbit.pack %q : !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>> -> !lowbit.qtensor<2x4xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{changes only the layout, but the storage type changes from 'i2' to 'i3'}}
  %0 = lowbit.pack %q : !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>> -> !lowbit.qtensor<8xi3, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{changes only the layout, but the scheme changes from #lowbit.scheme<per_tensor, scale = f32> to #lowbit.scheme<per_tensor, scale = f16>}}
  %0 = lowbit.pack %q : !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>> -> !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f16>, #lowbit.layout<bit_planes>>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{result must have the row_major layout, got #lowbit.layout<bit_planes>}}
  %0 = lowbit.unpack %q : !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>> -> !lowbit.qtensor<8xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>
  return
}

// -----

func.func @f(%c: tensor<4x4xui8>, %s: tensor<f32>) {
  // expected-error @+1 {{codes shape [4, 4] does not match qtensor shape [4, 8]}}
  %0 = lowbit.assemble %c scales(%s : tensor<f32>) : tensor<4x4xui8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f(%c: tensor<4x8xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{codes element type 'i8' does not match storage type 'ui8'}}
  %0 = lowbit.assemble %c scales(%s : tensor<f32>) : tensor<4x8xi8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f(%c: tensor<4x8xui8>) {
  // expected-error @+1 {{the scheme has scale type 'f32' but no scales were given}}
  %0 = lowbit.assemble %c : tensor<4x8xui8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32>>
  return
}

// -----

func.func @f(%c: tensor<4xui4>) {
  // expected-error @+1 {{cannot assemble a qtensor with a codebook or tensor scale; build a lowbit.constant instead}}
  %0 = lowbit.assemble %c : tensor<4xui4> -> !lowbit.qtensor<4xui4, #lowbit.scheme<per_tensor, codebook = f32>>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{codes element type 'i8' does not match storage type 'ui8'}}
  %0 = lowbit.codes %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<4x8xi8>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<4x8xf8E4M3FN, #lowbit.scheme<per_tensor>>) {
  // expected-error @+1 {{the scheme has no scales}}
  %0 = lowbit.scales %q : !lowbit.qtensor<4x8xf8E4M3FN, #lowbit.scheme<per_tensor>> -> tensor<f32>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_axis = 0, scale = f32>>) {
  // expected-error @+1 {{scales have shape [] but the scheme needs [4]}}
  %0 = lowbit.scales %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_axis = 0, scale = f32>> -> tensor<f32>
  return
}

// -----

func.func @f(%q: !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32>>) {
  // expected-error @+1 {{the scheme has no zero points}}
  %0 = lowbit.zero_points %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<ui8>
  return
}

// -----

func.func @epilogue_input_shape(%x: tensor<2x32xf32>, %w: !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>>, %r: tensor<2xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{epilogue input 0 has shape [2]; expected [2, 16], [16] or a scalar}}
  %y = lowbit.matmul %x, %w epilogue(%r : tensor<2xf32>) transpose_rhs : tensor<2x32xf32>, !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<2x16xf32> {
  ^bb0(%a: f32, %b: f32):
    lowbit.yield %a : f32
  }
  return %y : tensor<2x16xf32>
}

// -----

func.func @epilogue_arguments(%x: tensor<2x32xf32>, %w: !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>>) -> tensor<2x16xf32> {
  // expected-error @+1 {{epilogue block takes 2 arguments; expected 1 (the element, then one per input)}}
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<2x16xf32> {
  ^bb0(%a: f32, %b: f32):
    lowbit.yield %a : f32
  }
  return %y : tensor<2x16xf32>
}

// -----

func.func @epilogue_yield(%x: tensor<2x32xf32>, %w: !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>>) -> tensor<2x16xf32> {
  // expected-error @+1 {{epilogue must yield one 'f32'}}
  %y = lowbit.matmul %x, %w transpose_rhs : tensor<2x32xf32>, !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<2x16xf32> {
  ^bb0(%a: f32):
    %i = arith.fptosi %a : f32 to i32
    lowbit.yield %i : i32
  }
  return %y : tensor<2x16xf32>
}

// -----

func.func @epilogue_inputs_without_region(%x: tensor<2x32xf32>, %w: !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>>, %r: tensor<16xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{epilogue inputs without an epilogue region}}
  %y = lowbit.matmul %x, %w epilogue(%r : tensor<16xf32>) transpose_rhs : tensor<2x32xf32>, !lowbit.qtensor<16x32xui4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}
