//===- QuantBuilders.h - qtensors from ONNX quantization inputs -*- C++ -*-===//
//
// Shared by the quantized matmul and convolution converters.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_QUANTBUILDERS_H
#define QCC_LIB_IMPORT_ONNX_QUANTBUILDERS_H

#include "NodeImporter.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"

namespace qcc::onnx_import {

/// Types a qtensor can store that ONNX quantized ops produce.
bool isQuantStorageType(DataType type);

/// Granularity, axis and block implied by a scale/zero-point shape.
struct QuantLayout {
  lowbit::Granularity granularity = lowbit::Granularity::per_tensor;
  int64_t axis = 0;
  llvm::SmallVector<int64_t> block;
  /// Shape the scales and zero points take in the qtensor's scheme.
  llvm::SmallVector<int64_t> paramShape;
};

/// Reads ONNX's conventions: a single value is per tensor; with block_size,
/// the parameter tensor has the data's rank with dimension `axis` divided by
/// the block; otherwise a 1-D tensor along `axis`.
mlir::FailureOr<QuantLayout> inferQuantLayout(NodeImporter &n,
                                              llvm::ArrayRef<int64_t> dataShape,
                                              llvm::ArrayRef<int64_t> paramShape,
                                              int64_t axis, int64_t blockSize);

lowbit::SchemeAttr makeScheme(mlir::MLIRContext *context,
                              const QuantLayout &layout, mlir::Type scale,
                              mlir::Type zeroPoint);

/// Checks the parts with the dialect's rules; a broken rule becomes the
/// node's error.
mlir::FailureOr<lowbit::QTensorType>
makeQTensorType(NodeImporter &n, llvm::ArrayRef<int64_t> shape,
                mlir::Type storage, lowbit::SchemeAttr scheme);

/// Which node inputs make up one quantized operand (-1: absent).
struct QTensorInputs {
  int data = 0;
  int scale = -1;
  int zeroPoint = -1;
  int64_t axis = 1;
  int64_t blockSize = 0;
  /// The qtensor's shape when it differs from the data's (the same
  /// elements in the same order, e.g. a convolution weight [M, C, K...]
  /// read as [M, C * K...]); empty: the data's shape.
  llvm::SmallVector<int64_t> viewShape = {};
};

/// A qtensor for the given inputs: a lowbit.constant when everything is
/// known at compile time, else lowbit.assemble of the run-time codes.
mlir::FailureOr<mlir::Value> buildQTensor(NodeImporter &n,
                                          const QTensorInputs &inputs);

/// Reinterprets a tensor's elements (i8 <-> ui8) with tensor.bitcast.
mlir::Value castTensorElements(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value tensor, mlir::Type element);

/// An integer attribute of `element` type (ui4, i8 ...) from host values.
mlir::ElementsAttr integerAttr(const HostTensor &tensor,
                               llvm::ArrayRef<int64_t> shape,
                               mlir::Type element);

/// `codes - zeroPoint` widened to i32, for the codes at node input `data`;
/// `zeroPoint` (null: none) broadcasts against them.
mlir::Value buildCodesMinusZero(NodeImporter &n, unsigned data,
                                mlir::Value zeroPoint);

/// saturate(round_half_even(float(acc) * multiplier) + zero_point) into
/// `outType` codes; `multiplier` (f32) broadcasts against the accumulator's
/// trailing dimension(s); `zeroPoint` is a rank-0 tensor or null.
mlir::Value buildRequantize(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value accumulator, mlir::Value multiplier,
                            mlir::Value zeroPoint, DataType outType);

/// ConvInteger and QLinearConv (QuantConv.cpp).
void addQuantConvOps(std::vector<OpSupport> &ops);

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_QUANTBUILDERS_H
