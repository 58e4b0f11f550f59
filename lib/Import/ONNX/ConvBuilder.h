//===- ConvBuilder.h - N-d grouped convolution on tensors -------*- C++ -*-===//
//
// The convolution that Conv, ConvInteger and QLinearConv share: ONNX's
// attributes (strides, dilations, pads, auto_pad, group, kernel_shape) read
// and checked once, and one builder that emits upstream linalg named
// convolutions where they fit and a linalg.generic where none does.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_CONVBUILDER_H
#define QCC_LIB_IMPORT_ONNX_CONVBUILDER_H

#include "NodeImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace qcc::onnx_import {

/// Where a convolution's windows lie: one entry per spatial axis.
struct ConvGeometry {
  llvm::SmallVector<int64_t> strides;
  llvm::SmallVector<int64_t> dilations;
  llvm::SmallVector<int64_t> padsBegin;
  llvm::SmallVector<int64_t> padsEnd;
  int64_t group = 1;
};

/// Reads a Conv-like node's kernel_shape, strides, dilations, pads, auto_pad
/// and group, and checks them against `inputShape` [N, C, D1..Dk] and
/// `weightShape` [M, C/group, K1..Kk]. auto_pad is resolved into explicit
/// pads. Fails through `n` with a message naming what does not fit.
mlir::FailureOr<ConvGeometry>
readConvGeometry(NodeImporter &n, llvm::ArrayRef<int64_t> inputShape,
                 llvm::ArrayRef<int64_t> weightShape);

/// The output spatial sizes of a convolution of `inputShape` with
/// `weightShape` under `geometry`.
llvm::SmallVector<int64_t> convOutputSizes(llvm::ArrayRef<int64_t> inputShape,
                                           llvm::ArrayRef<int64_t> weightShape,
                                           const ConvGeometry &geometry);

/// Y[N, M, O1..Ok] = sum over c, k of X[n, g*C/G + c, o*s + k*d - pad] *
/// W[m, c, k], accumulated in `accumulator` (f32 for f16 data, i32 for
/// quantized codes, ...). `input` and `weight` may be narrower than the
/// accumulator: integers are sign-extended and floats extended, so unsigned
/// or zero-pointed codes must be widened (and shifted) by the caller first.
/// Padding reads zero. No bias is added.
mlir::Value buildConvolution(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value input, mlir::Value weight,
                             const ConvGeometry &geometry,
                             mlir::Type accumulator);

/// The permutation [0, 2, ..., rank - 1, 1] that moves the channels of an
/// [N, C, D...] tensor last, and its inverse.
llvm::SmallVector<int64_t> channelsLastPermutation(int64_t rank);
llvm::SmallVector<int64_t> channelsFirstPermutation(int64_t rank);

/// A depthwise convolution (group = C = M, one input channel per group) of
/// 8-bit codes as exact i32 on channels-last data:
///   Y[n, o..., c] = sum over k of (x - zx)[n, o s + k d - pad..., c] * w'[c, 0, k]
/// with `codes` the input's codes as i8 bytes [N, C, D...] (`unsignedCodes`:
/// they hold u8 codes), `zeroByte` its zero point as an i8 scalar (null: 0)
/// and `weight` w' the weight's codes minus their zero points (i32
/// [C, 1, K...]). The codes become signed bytes s (u8 codes xor 0x80, the
/// zero point zs alike), are transposed to [N, D..., C] and padded with zs;
/// the loop reads one byte per tap and subtracts zs * sum(w'[c]) once per
/// output. The result is channels-last, [N, O..., C]: the caller transposes
/// it back (qcc-sink-transposes then cancels that against the next layer's).
mlir::Value buildDepthwiseOnCodeBytes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value codes,
                                      mlir::Value zeroByte, bool unsignedCodes,
                                      mlir::Value weight, const ConvGeometry &geometry);

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_CONVBUILDER_H
