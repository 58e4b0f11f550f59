//===- LowBit.h - the lowbit dialect: types, attributes, ops ----*- C++ -*-===//
//
// Public header of the lowbit dialect. Include this to use the dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_LOWBIT_IR_LOWBIT_H
#define QCC_DIALECT_LOWBIT_IR_LOWBIT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "qcc/Dialect/LowBit/IR/LowBitDialect.h.inc"
#include "qcc/Dialect/LowBit/IR/LowBitEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/LowBit/IR/LowBitAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "qcc/Dialect/LowBit/IR/LowBitTypes.h.inc"

#define GET_OP_CLASSES
#include "qcc/Dialect/LowBit/IR/LowBitOps.h.inc"

namespace qcc::lowbit {

/// True for element types a qtensor may store: iN/uiN (N = 1..8, 16), the
/// builtin minifloats f8E4M3FN, f8E5M2, f8E4M3FNUZ, f8E5M2FNUZ, f6E2M3FN,
/// f6E3M2FN, f4E2M1FN, and !lowbit.ternary.
bool isSupportedStorageType(mlir::Type type);

/// True for element types a scale may have: f32, f16, bf16, f8E8M0FNU,
/// f8E4M3FN.
bool isSupportedScaleType(mlir::Type type);

/// Checks a scheme and layout against a shape and storage type. This is the
/// one place the consistency rules live; the type verifier and the importer
/// both call it.
mlir::LogicalResult
verifyQTensorParts(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                   llvm::ArrayRef<int64_t> shape, mlir::Type storageType,
                   SchemeAttr scheme, LayoutAttr layout);

} // namespace qcc::lowbit

#endif // QCC_DIALECT_LOWBIT_IR_LOWBIT_H
