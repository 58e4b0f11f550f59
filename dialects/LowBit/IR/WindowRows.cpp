//===- WindowRows.cpp - a convolution's input windows as matrix rows ----===//

#include "qcc/Dialect/LowBit/IR/WindowRows.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Formats/BitPacking.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>
#include <cstring>

using namespace mlir;

namespace {

/// Rows with columns (k1..kk, c): `padded` [N, C, D...] transposed to
/// [N, D..., C], then loops (n, o, k, c) copying runs of C elements.
Value buildChannelsLastRows(OpBuilder &b, Location loc, Value padded,
                            ArrayRef<int64_t> kernelSizes, ArrayRef<int64_t> outSizes,
                            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  auto inType = cast<RankedTensorType>(padded.getType());
  Type element = inType.getElementType();
  ArrayRef<int64_t> inShape = inType.getShape();
  int64_t batch = inShape[0], channels = inShape[1];
  size_t k = kernelSizes.size();
  SmallVector<int64_t> lastShape = {batch}, permutation = {0};
  for (size_t i = 0; i < k; ++i) {
    lastShape.push_back(inShape[2 + i]);
    permutation.push_back(2 + i);
  }
  lastShape.push_back(channels);
  permutation.push_back(1);
  Value lastInit = tensor::EmptyOp::create(b, loc, lastShape, element);
  Value last = linalg::TransposeOp::create(b, loc, padded, lastInit, permutation).getResult()[0];

  int64_t rows = batch, depth = channels;
  for (size_t i = 0; i < k; ++i) {
    rows *= outSizes[i];
    depth *= kernelSizes[i];
  }
  // A 1 x ... x 1 kernel at stride 1 reads every position once, in order:
  // the transposed input already is the rows.
  bool pointwise = llvm::all_of(kernelSizes, [](int64_t s) { return s == 1; }) &&
                   llvm::all_of(strides, [](int64_t s) { return s == 1; }) &&
                   ArrayRef<int64_t>(lastShape).drop_front().drop_back() == outSizes;
  Value windows = last;
  SmallVector<int64_t> shape = {batch};
  if (!pointwise) {
    // Loops (n, o1..ok, k1..kk, c), the copy's shape.
    shape.append(outSizes.begin(), outSizes.end());
    shape.append(kernelSizes.begin(), kernelSizes.end());
    shape.push_back(channels);
    unsigned loops = shape.size();
    SmallVector<AffineExpr> at = {getAffineDimExpr(0, context)};
    for (size_t i = 0; i < k; ++i)
      at.push_back(getAffineDimExpr(1 + i, context) * strides[i] +
                   getAffineDimExpr(1 + k + i, context) * dilations[i]);
    at.push_back(getAffineDimExpr(loops - 1, context));
    Value init = tensor::EmptyOp::create(b, loc, shape, element);
    SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, at, context),
                                   AffineMap::getMultiDimIdentityMap(loops, context)};
    SmallVector<utils::IteratorType> parallel(loops, utils::IteratorType::parallel);
    windows = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, ValueRange{last}, ValueRange{init}, maps,
                  parallel,
                  [](OpBuilder &nb, Location nl, ValueRange args) {
                    linalg::YieldOp::create(nb, nl, args[0]);
                  })
                  .getResult(0);
  } else {
    shape = lastShape;
  }
  SmallVector<ReassociationIndices> split = {{}, {}};
  size_t spatial = pointwise ? k : 2 * k;
  for (size_t i = 0; i <= k; ++i)
    split[0].push_back(i);
  for (size_t i = k + 1; i <= spatial + 1; ++i)
    split[1].push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({rows, depth}, element), windows, split);
}

/// The raw bytes of a dense or resource attribute whose elements are whole
/// bytes; nullopt for anything else.
std::optional<std::vector<uint8_t>> rawBytes(ElementsAttr attr) {
  unsigned bits = attr.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return std::nullopt;
  size_t size = size_t(attr.getNumElements()) * bits / 8;
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return std::nullopt;
    raw = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    raw = blob->getData();
  }
  if (raw.size() != size)
    return std::nullopt;
  return std::vector<uint8_t>(raw.begin(), raw.end());
}

} // namespace

qcc::lowbit::WindowOrder qcc::lowbit::preferredWindowOrder(int64_t channels, ArrayRef<int64_t> kernelSizes) {
  int64_t innermost = kernelSizes.empty() ? 1 : kernelSizes.back();
  return channels >= innermost ? WindowOrder::ChannelsLast : WindowOrder::ChannelsFirst;
}

Value qcc::lowbit::permuteWeightColumnsToChannelsLast(OpBuilder &b, Value weight,
                                                      int64_t channels,
                                                      ArrayRef<int64_t> kernelSizes) {
  auto constant = weight.getDefiningOp<ConstantOp>();
  if (!constant)
    return Value();
  QTensorType type = constant.getType();
  SchemeAttr scheme = type.getScheme();
  bool perRow = scheme.getGranularity() == Granularity::per_tensor ||
                (scheme.getGranularity() == Granularity::per_axis && scheme.getAxis() == 0);
  bool codebookPerRow = !scheme.hasCodebook() || !scheme.getCodebookAxis() ||
                        *scheme.getCodebookAxis() == 0;
  if (!perRow || !codebookPerRow || type.getLayoutKind() != LayoutKind::row_major ||
      type.getShape().size() != 2 || !type.getStorageType().isIntOrFloat())
    return Value();
  int64_t window = 1;
  for (int64_t s : kernelSizes)
    window *= s;
  int64_t rows = type.getShape()[0], cols = type.getShape()[1];
  if (cols != channels * window)
    return Value();
  unsigned bits = type.getStorageType().getIntOrFloatBitWidth();
  if (bits > 8 && bits % 8 != 0)
    return Value();
  auto copyWith = [&](ElementsAttr storage) {
    return ConstantOp::create(b, constant.getLoc(), type, storage, constant.getScalesAttr(),
                              constant.getZeroPointsAttr(), constant.getTensorScaleAttr(),
                              constant.getCodebookAttr())
        .getResult();
  };
  // One window position, or every code the same: any order is this order.
  auto dense = dyn_cast<DenseElementsAttr>(constant.getStorage());
  if (window == 1 || (dense && dense.isSplat()))
    return copyWith(constant.getStorage());
  std::optional<std::vector<uint8_t>> packed = rawBytes(constant.getStorage());
  if (!packed)
    return Value();
  size_t count = size_t(rows * cols), width = bits > 8 ? bits / 8 : 1;
  std::vector<uint8_t> codes;
  if (bits < 8) {
    if (packed->size() != qcc::formats::packedBitsByteCount(count, bits))
      return Value();
    codes = qcc::formats::unpackBits(*packed, count, bits);
  } else {
    if (packed->size() != count * width)
      return Value();
    codes = std::move(*packed);
  }
  // Column c * window + w moves to w * channels + c.
  std::vector<uint8_t> moved(codes.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t w = 0; w < window; ++w)
        std::memcpy(moved.data() + (r * cols + w * channels + c) * width,
                    codes.data() + (r * cols + c * window + w) * width, width);
  if (bits < 8)
    moved = qcc::formats::packBits(moved, bits);
  auto storageType = RankedTensorType::get({int64_t(moved.size())}, b.getI8Type());
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<uint8_t>(moved));
  return copyWith(DenseResourceElementsAttr::get(storageType, "qcc_channels_last_weight",
                                                 std::move(blob)));
}

Value qcc::lowbit::buildWindowRows(OpBuilder &b, Location loc, Value padded,
                                   ArrayRef<int64_t> kernelSizes, ArrayRef<int64_t> outSizes,
                                   ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                                   WindowOrder order) {
  if (order == WindowOrder::ChannelsLast)
    return buildChannelsLastRows(b, loc, padded, kernelSizes, outSizes, strides, dilations);
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

int64_t qcc::lowbit::groupsPerMatmul(int64_t groups, int64_t outPerGroup, int64_t depthPerGroup) {
  for (int64_t s = 1; s <= std::min<int64_t>(groups, 16); ++s)
    if (groups % s == 0 && (s * outPerGroup) % 16 == 0 && (s * depthPerGroup) % 32 == 0)
      return s;
  return 0;
}

SmallVector<Value> qcc::lowbit::blockDiagonalGroupWeights(OpBuilder &b, Value weight,
                                                          int64_t groups, int64_t perMatmul) {
  auto constant = weight.getDefiningOp<ConstantOp>();
  if (!constant || groups % perMatmul != 0)
    return {};
  QTensorType type = constant.getType();
  SchemeAttr scheme = type.getScheme();
  bool perRow = scheme.getGranularity() == Granularity::per_tensor ||
                (scheme.getGranularity() == Granularity::per_axis && scheme.getAxis() == 0);
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!perRow || !storage || storage.getWidth() != 8 || scheme.hasCodebook() ||
      type.getLayoutKind() != LayoutKind::row_major || type.getShape().size() != 2)
    return {};
  int64_t rows = type.getShape()[0], depth = type.getShape()[1];
  if (rows % groups != 0)
    return {};
  std::vector<uint8_t> codes;
  auto dense = dyn_cast<DenseElementsAttr>(constant.getStorage());
  if (dense && dense.isSplat()) {
    codes.assign(size_t(rows * depth), uint8_t(*dense.getRawData().begin()));
  } else if (std::optional<std::vector<uint8_t>> raw = rawBytes(constant.getStorage())) {
    codes = std::move(*raw);
  } else {
    return {};
  }
  if (int64_t(codes.size()) != rows * depth)
    return {};
  // Each row's zero point, as the byte that fills the other groups' columns.
  std::vector<uint8_t> fill(size_t(rows), 0);
  ElementsAttr zeros = constant.getZeroPointsAttr();
  if (zeros) {
    auto z = dyn_cast<DenseElementsAttr>(zeros);
    if (!z)
      return {};
    SmallVector<APInt> values(z.getValues<APInt>());
    for (int64_t r = 0; r < rows; ++r)
      fill[r] = uint8_t(values[values.size() == 1 ? 0 : r].getZExtValue());
  }
  // A per-row grid [rows] sliced to [from, from + count).
  auto sliceRows = [&](ElementsAttr attr, int64_t from, int64_t count) -> ElementsAttr {
    if (!attr || scheme.getGranularity() == Granularity::per_tensor)
      return attr;
    auto d = cast<DenseElementsAttr>(attr);
    SmallVector<Attribute> values(d.getValues<Attribute>());
    auto sliced = RankedTensorType::get({count}, d.getElementType());
    return DenseElementsAttr::get(sliced, ArrayRef<Attribute>(values).slice(from, count));
  };
  if (constant.getScalesAttr() && scheme.getGranularity() != Granularity::per_tensor &&
      !isa<DenseElementsAttr>(constant.getScalesAttr()))
    return {};
  int64_t perGroup = rows / groups, outRows = perMatmul * perGroup, outDepth = perMatmul * depth;
  SmallVector<Value> weights;
  for (int64_t j = 0; j < groups / perMatmul; ++j) {
    std::vector<uint8_t> block(size_t(outRows * outDepth));
    for (int64_t r = 0; r < outRows; ++r) {
      int64_t row = j * outRows + r, local = r / perGroup;
      uint8_t *out = block.data() + r * outDepth;
      std::fill(out, out + outDepth, fill[row]);
      std::memcpy(out + local * depth, codes.data() + row * depth, size_t(depth));
    }
    auto storageType = RankedTensorType::get({int64_t(block.size())}, b.getI8Type());
    auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<uint8_t>(block));
    auto blockType = QTensorType::get(b.getContext(), {outRows, outDepth}, storage, scheme,
                                      type.getLayout());
    weights.push_back(ConstantOp::create(
        b, constant.getLoc(), blockType,
        DenseResourceElementsAttr::get(storageType, "qcc_group_weight", std::move(blob)),
        sliceRows(constant.getScalesAttr(), j * outRows, outRows),
        sliceRows(zeros, j * outRows, outRows), constant.getTensorScaleAttr(),
        constant.getCodebookAttr()));
  }
  return weights;
}

qcc::lowbit::WindowOrder qcc::lowbit::orderWindowWeights(OpBuilder &b, SmallVectorImpl<Value> &weights,
                                                         int64_t channels,
                                                         ArrayRef<int64_t> kernelSizes) {
  if (preferredWindowOrder(channels, kernelSizes) != WindowOrder::ChannelsLast)
    return WindowOrder::ChannelsFirst;
  SmallVector<Value> permuted;
  for (Value w : weights)
    permuted.push_back(permuteWeightColumnsToChannelsLast(b, w, channels, kernelSizes));
  bool all = llvm::all_of(permuted, [](Value p) { return bool(p); });
  for (Value stale : all ? ArrayRef<Value>(weights) : ArrayRef<Value>(permuted))
    if (stale && stale.use_empty())
      stale.getDefiningOp()->erase();
  if (!all)
    return WindowOrder::ChannelsFirst;
  weights.assign(permuted.begin(), permuted.end());
  return WindowOrder::ChannelsLast;
}

Value qcc::lowbit::concatColumns(OpBuilder &b, Location loc, ValueRange products) {
  if (products.size() == 1)
    return products.front();
  auto first = cast<RankedTensorType>(products.front().getType());
  int64_t rows = first.getShape()[0], columns = 0;
  for (Value p : products)
    columns += cast<RankedTensorType>(p.getType()).getShape()[1];
  Value all = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows, columns},
                                      first.getElementType());
  int64_t at = 0;
  for (Value p : products) {
    int64_t width = cast<RankedTensorType>(p.getType()).getShape()[1];
    all = tensor::InsertSliceOp::create(
        b, loc, p, all, ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(at)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(rows), b.getIndexAttr(width)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    at += width;
  }
  return all;
}
