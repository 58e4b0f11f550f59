//===- QuantInterop.h - lowbit <-> upstream quant types ---------*- C++ -*-===//
//
// Upstream quant types carry their scales inside the type; a qtensor carries
// them beside the value. These functions move between the two forms where
// both can express the same scheme: integer storage with full range,
// per-tensor, per-axis or sub-channel (blocked) scales.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_LOWBIT_IR_QUANTINTEROP_H
#define QCC_DIALECT_LOWBIT_IR_QUANTINTEROP_H

#include "qcc/Dialect/LowBit/IR/LowBit.h"

namespace qcc::lowbit {

/// A qtensor type with the scale and zero-point values that upstream quant
/// kept in its type. `zeroPoints` is null when every zero point is 0.
struct QuantizedParts {
  QTensorType type;
  mlir::DenseElementsAttr scales;
  mlir::DenseElementsAttr zeroPoints;
};

/// Converts `tensor<SHAPE x !quant.uniform...>` into a qtensor type plus its
/// scales (f32) and zero points (storage type). Fails, reporting through
/// `emitError`, for narrow storage ranges and non-uniform quant types.
mlir::FailureOr<QuantizedParts>
fromQuantTensorType(mlir::RankedTensorType type,
                    llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// Converts a qtensor type with known scale and zero-point values back into
/// `tensor<SHAPE x !quant.uniform...>` with `expressedType` as the float
/// type. `zeroPoints` may be null (all zero).
mlir::FailureOr<mlir::RankedTensorType>
toQuantTensorType(QTensorType type, mlir::DenseElementsAttr scales,
                  mlir::DenseElementsAttr zeroPoints, mlir::Type expressedType,
                  llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

} // namespace qcc::lowbit

#endif // QCC_DIALECT_LOWBIT_IR_QUANTINTEROP_H
