// A linear layer in the QDQ style that quantization tools emit, written with
// upstream quant types: a per-channel int8 activation quantization and a
// blocked (sub-channel) int4 weight. `lowbit-from-quant` turns each quant
// value into one !lowbit.qtensor whose type carries format and scheme.
func.func @linear(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x4xf32> {
  %xq = quant.qcast %x : tensor<1x8xf32> to tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>>
  %xd = quant.dcast %xq : tensor<1x8x!quant.uniform<i8:f32, 0.05:-3>> to tensor<1x8xf32>
  %wq = quant.qcast %w : tensor<8x4xf32> to tensor<8x4x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 0.125, 1.0}, {0.5, 0.5, 0.5, 0.5}}>>
  %wd = quant.dcast %wq : tensor<8x4x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5, 0.25, 0.125, 1.0}, {0.5, 0.5, 0.5, 0.5}}>> to tensor<8x4xf32>
  %init = tensor.empty() : tensor<1x4xf32>
  %zero = arith.constant 0.0 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<1x4xf32>) -> tensor<1x4xf32>
  %y = linalg.matmul ins(%xd, %wd : tensor<1x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
