//===- FactoredMatmul.h - block dot products with factored scales -*- C++ -*-===//
//
// For [N, K] integer weights whose scales are constant along blocks of K
// (MatMulNBits), sum_k a_k (q_k - z) s = s (sum_k a_k q_k - z sum_k a_k): the
// inner loop is a byte-wise dot product and the scale and zero point cost one
// multiply per block. Used by lowbit-to-linalg.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_FACTOREDMATMUL_H
#define QCC_PASSES_FACTOREDMATMUL_H

#include "QTensorParts.h"

#include <optional>

namespace qcc::lowbit {

/// The K extent over which `weight`'s scale is constant, when the weight has
/// the shape this lowering handles: transposed ([N, K]), packed row_major
/// integer codes of 2, 4 or 8 bits, no codebook or tensor scale, scales of
/// 16 or 32 bits per block [1, B], per row, or per tensor.
std::optional<int64_t> factoredBlockSize(const QTensorParts &weight,
                                         bool transposed);
/// The same from the type alone, for packed codes with scales.
std::optional<int64_t> factoredBlockSize(QTensorType type, bool transposed);

/// result[rows..., n] = lhs[rows..., :] . weight[n, :] in f32. Up to 8 rows
/// share each decoded weight byte (the rows are a loop in the body); more
/// rows are loop dimensions of the generic.
mlir::Value buildFactoredMatmul(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value lhs, const QTensorParts &weight,
                                int64_t block,
                                mlir::RankedTensorType resultType);

} // namespace qcc::lowbit

#endif // QCC_PASSES_FACTOREDMATMUL_H
