//===- ConvPool.h - shared by Conv, pooling and Resize ----------*- C++ -*-===//
//
// Internal to the sliding-window op files (Conv.cpp, Pooling.cpp,
// Resize.cpp): window geometry read from ONNX attributes, spatial padding,
// scalar helpers for sums kept in a wider type, and each file's
// registration entry, which addConvPoolOps (NodeImporter.h) calls.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_CONVPOOL_H
#define QCC_LIB_IMPORT_ONNX_CONVPOOL_H

#include "NodeImporter.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace qcc::onnx_import {

//===----------------------------------------------------------------------===//
// Window geometry
//===----------------------------------------------------------------------===//

/// A window sliding over the spatial axes: one entry per axis.
struct Window {
  llvm::SmallVector<int64_t> kernel, strides, dilations, padsBegin, padsEnd;
  llvm::SmallVector<int64_t> outSizes;
  /// Padding beyond padsEnd that ceil_mode's last window reaches; it is
  /// read (as the pad value) but never counted as padding.
  llvm::SmallVector<int64_t> ceilExtra;
};

/// The span of a kernel of `kernel` taps `dilation` apart.
int64_t effectiveKernel(int64_t kernel, int64_t dilation);

/// Reads strides, dilations, pads and auto_pad for `kernel` sliding over
/// `spatial`, resolves auto_pad into pads and computes the output sizes
/// (ONNX's formulas, ceil_mode included).
mlir::FailureOr<Window> readWindow(NodeImporter &n,
                                   llvm::ArrayRef<int64_t> spatial,
                                   llvm::ArrayRef<int64_t> kernel,
                                   bool ceilMode);

/// Per spatial axis i of a window, the indexing expressions of the input
/// (o*stride + k*dilation), the kernel (k) and the output (o), where o is
/// loop dimension `firstOutputDim + i` and k is `firstKernelDim + i`.
struct WindowExprs {
  llvm::SmallVector<mlir::AffineExpr> input, kernel, output;
};
WindowExprs getWindowExprs(mlir::MLIRContext *context,
                           llvm::ArrayRef<int64_t> strides,
                           llvm::ArrayRef<int64_t> dilations,
                           unsigned firstOutputDim, unsigned firstKernelDim);

//===----------------------------------------------------------------------===//
// Tensors and scalars
//===----------------------------------------------------------------------===//

/// Pads the spatial axes (2 and up) of an [N, C, ...] tensor with the scalar
/// `makeValue` builds (only built when there is padding).
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<int64_t> begin,
                       llvm::ArrayRef<int64_t> end,
                       llvm::function_ref<mlir::Value()> makeValue);

/// A tensor of `shape` filled with the scalar `fill` (linalg.fill).
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         llvm::ArrayRef<int64_t> shape, mlir::Value fill);

/// Widens a scalar to `type` (sign-extension for integers).
mlir::Value extendTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                     mlir::Type type);

/// x + y and x * y for float or integer scalars.
mlir::Value addScalars(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       mlir::Value y);
mlir::Value mulScalars(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       mlir::Value y);

/// The type sums of `element` are accumulated in: f32 for 16-bit floats.
mlir::Type accumulatorFor(mlir::Type element);

/// Narrows an accumulated float scalar back to the element type.
mlir::Value truncateTo(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, mlir::Type type);

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

void addConvOps(std::vector<OpSupport> &ops);    // Conv.cpp
void addPoolingOps(std::vector<OpSupport> &ops); // Pooling.cpp
void addResizeOps(std::vector<OpSupport> &ops);  // Resize.cpp

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_CONVPOOL_H
