//===- LowBitDialect.td - the lowbit dialect ---------------*- tablegen -*-===//
//
// The lowbit dialect: tensors whose type carries their bit width, storage
// format and quantization scheme, and the ops that produce and consume them.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD
#define QCC_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD

include "mlir/IR/OpBase.td"

def LowBit_Dialect : Dialect {
  let name = "lowbit";
  let cppNamespace = "::qcc::lowbit";
  let summary = "Low-bit quantized tensors with the format in the type";
  let description = [{
    A quantized tensor is one SSA value of type `!lowbit.qtensor`, whose type
    says everything needed to interpret its bits: the logical shape, the
    storage element type (iN/uiN, builtin minifloats, `!lowbit.ternary`), the
    quantization scheme (granularity, scale and zero-point types, second-level
    tensor scale, codebook) and the memory layout of the packed bits. Scales,
    zero points and codebooks travel with the value; their shapes follow from
    the type, so rewrites see a weight as one value, not five loose tensors.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

#endif // QCC_DIALECT_LOWBIT_IR_LOWBITDIALECT_TD
