// RUN: qcc-opt %s --split-input-file --lowbit-from-quant --verify-diagnostics

func.func @narrow(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{narrow storage range [-127, 127] has no lowbit equivalent}}
  %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %y = quant.dcast %q : tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>> to tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @storage_cast(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xi8> {
  // expected-error @+1 {{quant.scast has no lowbit equivalent: lowbit keeps codes and scales in one value}}
  %s = quant.scast %x : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xi8>
  return %s : tensor<4xi8>
}
