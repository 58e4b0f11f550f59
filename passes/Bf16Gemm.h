//===- Bf16Gemm.h - prefill GEMM on decoded bf16 weights ----------*- C++ -*-===//
//
// For many activation rows (prefill) the per-block epilogue of the int8-dot
// kernel dominates. This kernel decodes a few weight rows at a time to bf16
// with their scales and zero points applied (once, shared by every
// activation row), converts the activations to bf16 once, and runs
// vdpbf16ps (AVX-512 BF16: 32 multiply-adds an instruction, f32
// accumulation) over tiles of 4 activation rows x 4 weight rows. Allowed
// where the model allows bf16 or int8 compute (MatMulNBits accuracy_level 3
// or 4).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_BF16GEMM_H
#define QCC_PASSES_BF16GEMM_H

#include "QTensorParts.h"

#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>

namespace qcc::lowbit {

struct Bf16GemmPlan {
  unsigned bits = 0;
  bool signedCodes = false;
  int64_t block = 0;
};

/// The plan for `weight` ([N, K] when `transposed`) times f32 `lhs`, or
/// nullopt with the reason in `whyNot`.
std::optional<Bf16GemmPlan> planBf16Gemm(QTensorType weight, mlir::Type lhsType,
                                         mlir::Type resultType, bool transposed,
                                         const llvm::StringSet<> &features,
                                         std::string &whyNot);

/// result[rows..., n] = lhs[rows..., :] . weight[n, :] through the kernel;
/// `weight` must be packed.
mlir::Value buildBf16Gemm(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                          const QTensorParts &weight, const Bf16GemmPlan &plan,
                          mlir::RankedTensorType resultType);

} // namespace qcc::lowbit

#endif // QCC_PASSES_BF16GEMM_H
