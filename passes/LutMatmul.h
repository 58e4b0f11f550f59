//===- LutMatmul.h - T-MAC-style table-lookup matmul ------------*- C++ -*-===//
//
// The lut kernel for MatMulNBits-shaped weights ([N, K] packed 1/2/4-bit
// integer codes, constant, scales per block of K): instead of multiplying
// each weight, it precomputes for every group of 4 activations the 16 sums
// any 4 bits can select, and lets each bit-plane nibble of the weights pick
// one with a byte shuffle (vpermb). A lookup does the work of 4 weight bits,
// so time falls with the bit width: one plane for W1, two for W2.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_LUTMATMUL_H
#define QCC_PASSES_LUTMATMUL_H

#include "Int8DotMatmul.h"

namespace qcc::lowbit {

struct LutPlan {
  unsigned bits = 0;
  bool signedCodes = false;
  /// Elements of K per scale.
  int64_t block = 0;
  /// How the 64 lookups of a vector are summed into 16 i32 lanes (Vnni512,
  /// Madd512 or Portable).
  ByteDot dot = ByteDot::Portable;
  /// vpermb (AVX-512 VBMI), else one lane at a time.
  bool vpermb = false;
};

/// The plan for `weight` (which must be a constant: the kernel repacks it)
/// times float `lhs`, or nullopt with the reason in `whyNot`.
std::optional<LutPlan> planLut(QTensorType weight, mlir::Type lhsType, mlir::Type resultType, bool transposed,
                               const llvm::StringSet<> &features, std::string &whyNot);

/// result[rows..., n] = lhs[rows..., :] . weight[n, :] in f32 through the
/// lut kernel; the weight is repacked into bit-plane tiles at compile time.
/// Null if the weight's codes, scales or zero points are not constants.
mlir::Value buildLutMatmul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                           const QTensorParts &weight, const LutPlan &plan,
                           mlir::RankedTensorType resultType);

} // namespace qcc::lowbit

#endif // QCC_PASSES_LUTMATMUL_H
