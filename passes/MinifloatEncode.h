//===- MinifloatEncode.h - f32 to FP8/FP4 codes in IR -------------*- C++ -*-===//
//
// QuantizeLinear into float8 (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ) and float4
// (E2M1) storage: correctly rounded (to nearest, ties to even) encoding built
// from the format's own value table (APFloat at compile time), so every
// format LLVM has no type for is handled by one algorithm.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_MINIFLOATENCODE_H
#define QCC_PASSES_MINIFLOATENCODE_H

#include "mlir/IR/Builders.h"

namespace qcc::lowbit {

/// The code of f32 scalar `x` in `format` (an integer of the format's
/// width). With `saturate`, magnitudes beyond the largest finite value
/// (infinities included) become it, except that formats without a negative
/// zero (FNUZ) map infinities to NaN, as ONNX specifies; without it they
/// become infinity where the format has one, else NaN. NaN stays NaN (the
/// largest value for formats without NaN, E2M1).
mlir::Value encodeMinifloat(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                            mlir::FloatType format, bool saturate);

} // namespace qcc::lowbit

#endif // QCC_PASSES_MINIFLOATENCODE_H
