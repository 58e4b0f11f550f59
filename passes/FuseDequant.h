//===- FuseDequant.h - what lowbit-fuse-dequant's rewrites share -*- C++ -*-===//
//
// lowbit-fuse-dequant rewrites matmuls (FuseDequant.cpp) and convolutions
// (FuseDequantConv.cpp) whose weight is dequantize(constant) into
// lowbit.matmul on the constant.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_FUSEDEQUANT_H
#define QCC_PASSES_FUSEDEQUANT_H

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc::lowbit {

/// `constant` ([K, N]) as a [N, K] constant (codes repacked, the grids and
/// the scheme's axis or block transposed), or failure when its format is
/// not one this transposes (codebooks, non-row-major layouts, ternary).
mlir::FailureOr<ConstantOp> transposeConstant(mlir::OpBuilder &b, ConstantOp constant);

/// The quantized constant behind a matmul's B, and whether it is already
/// [N, K]: B = dequantize(W [K, N]) or B = transpose(dequantize(W [N, K])).
std::optional<std::pair<ConstantOp, bool>> weightOf(mlir::linalg::MatmulOp op);

/// Whether `op` multiplies QDQ activations (dequantize of per-tensor 8-bit
/// integer codes) by a dequantized 8-bit integer constant (per tensor or per
/// column): the integer rewrite below applies.
bool isIntegerQdqMatmul(mlir::linalg::MatmulOp op);

/// Such a matmul as the exact i32 product of the codes (one lowbit.matmul
/// the int8-exact kernel runs) scaled by x_scale * w_scale[n] in f32, as
/// ONNX Runtime runs QDQ MatMul (QLinearMatMul without the requantization).
void fuseIntegerQdqMatmul(mlir::RewriterBase &rewriter, mlir::linalg::MatmulOp op);

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
