//===- DecodedGemm.h - prefill GEMM on decoded weights -----------*- C++ -*-===//
//
// For many activation rows (prefill) decoding the codes in every row tile
// costs more than the multiply-adds. This kernel decodes a few weight rows
// at a time (scales and zero points applied, once, shared by every
// activation row) and runs a GEMM over tiles of 4 activation rows x 4
// weight rows: in bf16 with vdpbf16ps (AVX-512 BF16: 32 multiply-adds an
// instruction, f32 accumulation) where the model allows bf16 compute
// (MatMulNBits accuracy_level 3), or in f32 with FMAs (exact up to f32
// rounding) where it asks for f32 -- on AMX-BF16 tiles through activations
// split into three bf16 terms where the weights are exact in bf16 and
// scaled per row (splitActivations).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_DECODEDGEMM_H
#define QCC_PASSES_DECODEDGEMM_H

#include "QTensorParts.h"

#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>

namespace qcc::lowbit {

struct DecodedGemmPlan {
  unsigned bits = 0;
  bool signedCodes = false;
  int64_t block = 0;
  /// f32 operands and FMAs instead of bf16 and vdpbf16ps.
  bool f32 = false;
  /// FP8/FP4 codes (see Int8DotMatmul.h), null for integers.
  mlir::FloatType minifloat;
  /// Codebook indices, looked up with `lookup` (see Int8DotMatmul.h).
  bool codebook = false;
  llvm::StringRef lookup = "portable";
  int64_t lookupLanes = 16;
  /// f32 lanes of an accumulator: 16 (a zmm) with AVX-512, else 8 (a ymm:
  /// 4 x 4 tiles of two ymm each would not fit AVX2's 16 registers).
  int64_t lanes = 16;
  /// AMX-BF16 tiles (tdpbf16ps, passes/AmxTiles.h) instead of vdpbf16ps:
  /// bf16 operands on a target with AMX, K a multiple of 32 and N of 16.
  bool amx = false;
  /// f32 accuracy on AMX-BF16 tiles (with `f32` and `amx`): each f32
  /// activation split into three bf16 terms (h + m + l: 24 significant
  /// bits) that meet the same bf16 weights, which hold codes minus zero
  /// points unscaled (exact: at most 8 significant bits); the products are
  /// exact and summed in f32, and each weight row's one scale multiplies
  /// its sums. Codes other than codebook indices, one scale per row.
  bool splitActivations = false;
  /// FP8 codes (with splitActivations) decoded straight to bf16 through
  /// byte tables: the high and low byte of each code's bf16 value, two
  /// 64-entry vpermb lookups each (AVX-512 VBMI), 64 codes at a time.
  bool byteTables = false;
};

/// The plan for `weight` ([N, K] when `transposed`) times f32 `lhs`, or
/// nullopt with the reason in `whyNot`.
std::optional<DecodedGemmPlan> planDecodedGemm(QTensorType weight, mlir::Type lhsType,
                                         mlir::Type resultType, bool transposed,
                                         const llvm::StringSet<> &features,
                                         std::string &whyNot, bool f32);

/// result[rows..., n] = lhs[rows..., :] . weight[n, :] through the kernel;
/// `weight` must be packed.
mlir::Value buildDecodedGemm(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                          const QTensorParts &weight, const DecodedGemmPlan &plan,
                          mlir::RankedTensorType resultType);

} // namespace qcc::lowbit

#endif // QCC_PASSES_DECODEDGEMM_H
