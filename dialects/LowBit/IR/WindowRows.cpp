//===- WindowRows.cpp - a convolution's input windows as matrix rows ----===//

#include "qcc/Dialect/LowBit/IR/WindowRows.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value qcc::lowbit::buildWindowRows(OpBuilder &b, Location loc, Value padded,
                                   ArrayRef<int64_t> kernelSizes, ArrayRef<int64_t> outSizes,
                                   ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  auto inType = cast<RankedTensorType>(padded.getType());
  Type element = inType.getElementType();
  int64_t batch = inType.getShape()[0], channels = inType.getShape()[1];
  size_t k = kernelSizes.size();
  // Loops (n, o1..ok, c, k1..kk), the copy's shape.
  SmallVector<int64_t> shape = {batch};
  shape.append(outSizes.begin(), outSizes.end());
  shape.push_back(channels);
  shape.append(kernelSizes.begin(), kernelSizes.end());
  unsigned loops = shape.size();
  SmallVector<AffineExpr> at = {getAffineDimExpr(0, context), getAffineDimExpr(1 + k, context)};
  for (size_t i = 0; i < k; ++i)
    at.push_back(getAffineDimExpr(1 + i, context) * strides[i] +
                 getAffineDimExpr(2 + k + i, context) * dilations[i]);
  Value init = tensor::EmptyOp::create(b, loc, shape, element);
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, at, context),
                                 AffineMap::getMultiDimIdentityMap(loops, context)};
  SmallVector<utils::IteratorType> parallel(loops, utils::IteratorType::parallel);
  Value windows = linalg::GenericOp::create(
                      b, loc, TypeRange{init.getType()}, ValueRange{padded}, ValueRange{init},
                      maps, parallel,
                      [](OpBuilder &nb, Location nl, ValueRange args) {
                        linalg::YieldOp::create(nb, nl, args[0]);
                      })
                      .getResult(0);
  int64_t rows = batch, depth = channels;
  for (size_t i = 0; i < k; ++i) {
    rows *= outSizes[i];
    depth *= kernelSizes[i];
  }
  SmallVector<ReassociationIndices> split = {{}, {}};
  for (size_t i = 0; i <= k; ++i) {
    split[0].push_back(i);
    split[1].push_back(k + 1 + i);
  }
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({rows, depth}, element), windows, split);
}

Value qcc::lowbit::rowsToChannelsFirst(OpBuilder &b, Location loc, Value rows, int64_t batch,
                                       ArrayRef<int64_t> outSizes) {
  auto type = cast<RankedTensorType>(rows.getType());
  Type element = type.getElementType();
  int64_t channels = type.getShape()[1];
  size_t k = outSizes.size();
  SmallVector<int64_t> spatialShape = {batch};
  spatialShape.append(outSizes.begin(), outSizes.end());
  spatialShape.push_back(channels);
  SmallVector<ReassociationIndices> expand = {{}, {int64_t(k + 1)}};
  for (size_t i = 0; i <= k; ++i)
    expand[0].push_back(i);
  Value spatial = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(spatialShape, element), rows, expand);
  SmallVector<int64_t> outShape = {batch, channels};
  outShape.append(outSizes.begin(), outSizes.end());
  SmallVector<int64_t> permutation = {0, int64_t(k + 1)};
  for (size_t i = 0; i < k; ++i)
    permutation.push_back(1 + i);
  Value init = tensor::EmptyOp::create(b, loc, outShape, element);
  return linalg::TransposeOp::create(b, loc, spatial, init, permutation).getResult()[0];
}
