//===- FuseDequant.h - what lowbit-fuse-dequant's rewrites share -*- C++ -*-===//
//
// lowbit-fuse-dequant rewrites matmuls (FuseDequant.cpp) and convolutions
// (FuseDequantConv.cpp) whose weight is dequantize(constant) into
// lowbit.matmul on the constant.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_FUSEDEQUANT_H
#define QCC_PASSES_FUSEDEQUANT_H

#include "mlir/IR/PatternMatch.h"

namespace qcc::lowbit {

/// Whether `init` is a fill of zero (the op then needs no accumulator).
bool isZeroFill(mlir::Value init);

/// Erases the ops of `feeding` that are pure and now unused, then what fed
/// only them, transitively.
void eraseDeadFeeders(mlir::RewriterBase &rewriter,
                      llvm::ArrayRef<mlir::Operation *> feeding);

/// Whether `op` is a group-1 linalg convolution (1-D, 2-D or 3-D, NC... by
/// FC...) of a float input with dequantize(constant) weights that
/// fuseDequantConv rewrites.
bool isFusibleDequantConv(mlir::Operation *op);

/// Rewrites such a convolution as im2col rows times the constant read as
/// [M, C * K1 * ... * Kk] (one lowbit.matmul), transposed back to
/// [N, M, O1, ..., Ok]; a channel bias added right after joins the matmul.
void fuseDequantConv(mlir::RewriterBase &rewriter, mlir::Operation *conv);

} // namespace qcc::lowbit

#endif // QCC_PASSES_FUSEDEQUANT_H
