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

/// The column order of window rows. Channels-first (c, k1..kk) is the
/// order of a weight [M, C, K...] read as [M, C * K...]; its copy moves
/// runs of Kk elements. Channels-last (k1..kk, c) copies runs of C
/// contiguous elements from the input transposed to [N, D..., C] (one small
/// transpose, then a copy that vectorizes), and needs the weight's columns
/// in the same order (permuteWeightColumnsToChannelsLast).
enum class WindowOrder { ChannelsFirst, ChannelsLast };

/// The windows a convolution of `padded` [N, C, D1..Dk] with a kernel of
/// `kernelSizes` [K1..Kk] reads, one row each: [N * O1 * ... * Ok,
/// C * K1 * ... * Kk] with row (n, o) and column (c, k) holding
/// padded[n, c, o * stride + k * dilation] (columns (k, c) with `order`
/// ChannelsLast). A copy linalg.generic with affine maps (no gather) and a
/// collapse_shape; any element type.
mlir::Value buildWindowRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value padded,
                            llvm::ArrayRef<int64_t> kernelSizes,
                            llvm::ArrayRef<int64_t> outSizes,
                            llvm::ArrayRef<int64_t> strides,
                            llvm::ArrayRef<int64_t> dilations,
                            WindowOrder order = WindowOrder::ChannelsFirst);

/// The order that copies the longer contiguous runs: channels-last when
/// there are at least as many channels as the kernel's innermost size.
WindowOrder preferredWindowOrder(int64_t channels, llvm::ArrayRef<int64_t> kernelSizes);

/// `weight`, a lowbit.constant [M, C * K1 * ... * Kk] with columns (c, k),
/// as a constant with columns (k, c) (codes moved, parameters kept); null
/// when `weight` is not a constant or its parameters vary along the columns
/// (blocks, codebooks on another axis, packed layouts): the caller then
/// keeps channels-first rows.
mlir::Value permuteWeightColumnsToChannelsLast(mlir::OpBuilder &b, mlir::Value weight,
                                               int64_t channels,
                                               llvm::ArrayRef<int64_t> kernelSizes);

/// `rows` [N * O1 * ... * Ok, M] (a matmul of window rows) as the
/// convolution's [N, M, O1..Ok]: an expand_shape and a linalg.transpose.
mlir::Value rowsToChannelsFirst(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows,
                                int64_t batch, llvm::ArrayRef<int64_t> outSizes);

/// The window order for `weights` (lowbit.constants [Mb, channels *
/// window], one per matmul): channels-last when preferred and every weight
/// permutes (they are then replaced in place, the originals erased), else
/// channels-first with the weights as they were.
WindowOrder orderWindowWeights(mlir::OpBuilder &b, llvm::SmallVectorImpl<mlir::Value> &weights,
                               int64_t channels, llvm::ArrayRef<int64_t> kernelSizes);

/// `products` ([R, Mb] each) side by side as one [R, sum Mb] tensor
/// (insert_slice into an empty tensor); a single product as it is.
mlir::Value concatColumns(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange products);

/// How many groups of a grouped convolution (`groups` groups of `outPerGroup`
/// output channels, `depthPerGroup` = C / groups * window columns each) to
/// run as one matmul: the fewest s dividing `groups` for which s groups make
/// whole int8 weight tiles (16 output channels, K a multiple of 32, the
/// strictest of the x86 kernels) without more than 16x the products; 0 when
/// none does.
int64_t groupsPerMatmul(int64_t groups, int64_t outPerGroup, int64_t depthPerGroup);

/// `weight`, a lowbit.constant [M, Cg * window] of 8-bit codes (a grouped
/// convolution's weight, per-tensor or per-row parameters), as
/// groups / `perMatmul` block-diagonal constants [perMatmul * Mg, perMatmul
/// * Cg * window]: constant j holds groups j * perMatmul ..., output channel
/// o of group g with its codes in the columns of g's channels and its zero
/// point elsewhere (zero after the shift: those products add nothing). Empty
/// when `weight` is not such a constant.
llvm::SmallVector<mlir::Value> blockDiagonalGroupWeights(mlir::OpBuilder &b, mlir::Value weight,
                                                         int64_t groups, int64_t perMatmul);

} // namespace qcc::lowbit

#endif // QCC_DIALECT_LOWBIT_IR_WINDOWROWS_H
