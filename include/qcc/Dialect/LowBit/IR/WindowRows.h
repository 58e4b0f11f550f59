//===- WindowRows.h - a convolution's input windows as matrix rows -*- C++ -*-===//
//
// Convolutions run as one lowbit.matmul on the rows of input windows (the
// importer for integer convolutions, lowbit-fuse-dequant for QDQ ones); this
// is the one builder of those rows.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_DIALECT_LOWBIT_IR_WINDOWROWS_H
#define QCC_DIALECT_LOWBIT_IR_WINDOWROWS_H

#include "mlir/IR/Builders.h"

namespace qcc::lowbit {

/// The windows a convolution of `padded` [N, C, D1..Dk] with a kernel of
/// `kernelSizes` [K1..Kk] reads, one row each: [N * O1 * ... * Ok,
/// C * K1 * ... * Kk] with row (n, o) and column (c, k) holding
/// padded[n, c, o * stride + k * dilation]. A copy linalg.generic with affine
/// maps (no gather) and a collapse_shape; any element type.
mlir::Value buildWindowRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value padded,
                            llvm::ArrayRef<int64_t> kernelSizes,
                            llvm::ArrayRef<int64_t> outSizes,
                            llvm::ArrayRef<int64_t> strides,
                            llvm::ArrayRef<int64_t> dilations);

/// `rows` [N * O1 * ... * Ok, M] (a matmul of window rows) as the
/// convolution's [N, M, O1..Ok]: an expand_shape and a linalg.transpose.
mlir::Value rowsToChannelsFirst(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows,
                                int64_t batch, llvm::ArrayRef<int64_t> outSizes);

} // namespace qcc::lowbit

#endif // QCC_DIALECT_LOWBIT_IR_WINDOWROWS_H
