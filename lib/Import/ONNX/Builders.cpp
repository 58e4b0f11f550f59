//===- Builders.cpp - linalg/tensor building blocks --------------------===//

#include "Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace qcc::onnx_import;

ArrayRef<int64_t> qcc::onnx_import::shapeOf(Value tensor) {
  return cast<RankedTensorType>(tensor.getType()).getShape();
}

Type qcc::onnx_import::elementTypeOf(Value tensor) {
  return cast<RankedTensorType>(tensor.getType()).getElementType();
}

int64_t qcc::onnx_import::numElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

Value qcc::onnx_import::createEmptyTensor(OpBuilder &b, Location loc,
                                          ArrayRef<int64_t> shape,
                                          Type element) {
  return tensor::EmptyOp::create(b, loc, shape, element);
}

std::optional<SmallVector<int64_t>>
qcc::onnx_import::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    result[i] = da == 1 ? db : da;
  }
  return result;
}

/// The indexing map that reads `inputShape` broadcast into `outShape`.
static AffineMap broadcastMap(MLIRContext *context, ArrayRef<int64_t> inputShape,
                              ArrayRef<int64_t> outShape) {
  size_t offset = outShape.size() - inputShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(inputShape)) {
    if (size == 1 && outShape[i + offset] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(i + offset, context));
  }
  return AffineMap::get(outShape.size(), 0, exprs, context);
}

Value qcc::onnx_import::buildElementwise(OpBuilder &b, Location loc,
                                         ValueRange inputs,
                                         ArrayRef<int64_t> outShape,
                                         Type outElement, BodyFn body) {
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(broadcastMap(context, shapeOf(input), outShape));
  maps.push_back(AffineMap::getMultiDimIdentityMap(outShape.size(), context));
  SmallVector<utils::IteratorType> iterators(outShape.size(),
                                             utils::IteratorType::parallel);
  Value init = createEmptyTensor(b, loc, outShape, outElement);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value qcc::onnx_import::buildReduction(OpBuilder &b, Location loc, Value input,
                                       ArrayRef<int64_t> axes, bool keepDims,
                                       Value init, BodyFn body) {
  MLIRContext *context = b.getContext();
  ArrayRef<int64_t> shape = shapeOf(input);
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (auto [i, size] : llvm::enumerate(shape)) {
    bool reduced = llvm::is_contained(axes, static_cast<int64_t>(i));
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced) {
      outShape.push_back(size);
      outExprs.push_back(getAffineDimExpr(i, context));
    } else if (keepDims) {
      outShape.push_back(1);
      outExprs.push_back(getAffineConstantExpr(0, context));
    }
  }
  Type element = init.getType();
  Value empty = createEmptyTensor(b, loc, outShape, element);
  Value filled = linalg::FillOp::create(b, loc, init, empty).getResult(0);
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(shape.size(), context),
      AffineMap::get(shape.size(), 0, outExprs, context)};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{filled.getType()}, ValueRange{input},
      ValueRange{filled}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args);
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value qcc::onnx_import::buildTranspose(OpBuilder &b, Location loc, Value input,
                                       ArrayRef<int64_t> permutation) {
  ArrayRef<int64_t> shape = shapeOf(input);
  SmallVector<int64_t> outShape;
  for (int64_t dim : permutation)
    outShape.push_back(shape[dim]);
  Value init = createEmptyTensor(b, loc, outShape, elementTypeOf(input));
  return linalg::TransposeOp::create(b, loc, input, init, permutation)
      .getResult()[0];
}

Value qcc::onnx_import::buildReshape(OpBuilder &b, Location loc, Value input,
                                     ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> inShape = shapeOf(input);
  if (inShape == shape)
    return input;
  Type element = elementTypeOf(input);
  // Collapse to rank 1 (or 0), then expand: two static reassociations that
  // any element-count-preserving reshape can be written as.
  Value flat = input;
  int64_t count = numElements(inShape);
  if (inShape.empty()) {
    flat = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, element), input,
        ArrayRef<ReassociationIndices>{});
  } else if (inShape.size() > 1) {
    ReassociationIndices all;
    for (size_t i = 0; i < inShape.size(); ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({count}, element), input,
        ArrayRef<ReassociationIndices>{all});
  }
  if (shape.size() == 1)
    return flat;
  SmallVector<ReassociationIndices> reassociation;
  if (!shape.empty()) {
    ReassociationIndices all;
    for (size_t i = 0; i < shape.size(); ++i)
      all.push_back(i);
    reassociation.push_back(all);
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, element), flat, reassociation);
  }
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({}, element), flat, reassociation);
}

Value qcc::onnx_import::buildBroadcastTo(OpBuilder &b, Location loc,
                                         Value input, ArrayRef<int64_t> shape) {
  if (shapeOf(input) == shape)
    return input;
  return buildElementwise(b, loc, ValueRange{input}, shape,
                          elementTypeOf(input),
                          [](OpBuilder &, Location, ValueRange args) {
                            return args[0];
                          });
}

Value qcc::onnx_import::buildScalar(OpBuilder &b, Location loc, Type type,
                                    double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value qcc::onnx_import::extractScalar(OpBuilder &b, Location loc,
                                      Value tensor) {
  SmallVector<Value> indices;
  for (size_t i = 0; i < shapeOf(tensor).size(); ++i)
    indices.push_back(arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, indices);
}

Value qcc::onnx_import::convertScalar(OpBuilder &b, Location loc, Value value,
                                      DataType from, DataType to) {
  MLIRContext *context = b.getContext();
  Type target = getSignlessElementType(context, to);
  Type source = value.getType();
  if (source == target && from == to)
    return value;
  bool fromFloat = isa<FloatType>(source);
  bool toFloat = isa<FloatType>(target);
  if (to == DataType::Bool) {
    Value zero = buildScalar(b, loc, source, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (fromFloat && toFloat) {
    unsigned fromWidth = source.getIntOrFloatBitWidth();
    unsigned toWidth = target.getIntOrFloatBitWidth();
    if (fromWidth < toWidth)
      return arith::ExtFOp::create(b, loc, target, value);
    if (fromWidth > toWidth)
      return arith::TruncFOp::create(b, loc, target, value);
    // Same width, different format (f16 <-> bf16): through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, target, wide);
  }
  bool fromUnsigned = isUnsignedType(from) || from == DataType::Bool;
  if (!fromFloat && toFloat)
    return fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, target, value))
                        : Value(arith::SIToFPOp::create(b, loc, target, value));
  if (fromFloat && !toFloat)
    return isUnsignedType(to)
               ? Value(arith::FPToUIOp::create(b, loc, target, value))
               : Value(arith::FPToSIOp::create(b, loc, target, value));
  unsigned fromWidth = source.getIntOrFloatBitWidth();
  unsigned toWidth = target.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, target, value))
                        : Value(arith::ExtSIOp::create(b, loc, target, value));
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, target, value);
  return value;
}
