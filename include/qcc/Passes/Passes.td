//===- Passes.td - qcc's graph-level passes ----------------*- tablegen -*-===//

#ifndef QCC_PASSES_PASSES_TD
#define QCC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowBitFromQuantPass : Pass<"lowbit-from-quant"> {
  let summary = "Convert upstream quant casts and types into lowbit ops";
  let description = [{
    Rewrites `quant.qcast` into `lowbit.quantize` and `quant.dcast` into
    `lowbit.dequantize`, turning `tensor<...x!quant.uniform<...>>` values into
    `!lowbit.qtensor` values whose scales and zero points become
    `arith.constant` operands. Per-tensor, per-axis and sub-channel (blocked)
    uniform types convert; a narrow storage range (e.g. i8 in [-127, 127]) or
    a `quant.scast` has no lowbit equivalent and fails with an error naming
    the op.

    Before:
    ```mlir
    %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:3>>
    %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.5:3>> to tensor<4xf32>
    ```
    After:
    ```mlir
    %s = arith.constant dense<5.000000e-01> : tensor<f32>
    %z = arith.constant dense<3> : tensor<i8>
    %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>)
           : tensor<4xf32> -> !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>
    %y = lowbit.dequantize %q : !lowbit.qtensor<...> -> tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::qcc::lowbit::LowBitDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowBitToQuantPass : Pass<"lowbit-to-quant"> {
  let summary = "Convert lowbit quantize/dequantize back to upstream quant";
  let description = [{
    The inverse of `lowbit-from-quant` for the schemes upstream `quant` can
    express: integer storage with f32 scales given by constants, per tensor,
    per axis or per block. `lowbit.quantize` becomes `quant.qcast` and
    `lowbit.dequantize` becomes `quant.dcast`. Anything else (minifloat or
    ternary storage, codebooks, tensor scales, computed scales) fails with an
    error naming the op and the reason.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

#endif // QCC_PASSES_PASSES_TD
