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

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_CONVBUILDER_H
