//===- MatMul.cpp - ONNX MatMul and Gemm -> linalg contractions ---------===//
//
// MatMul follows numpy: 1-D operands gain a unit dimension that the result
// drops, batch dimensions broadcast. Plain and shared-weight products become
// linalg.matmul, equal batches linalg.batch_matmul, broadcast batches one
// linalg.generic with a reduction (no operand is copied to broadcast it).
// f16/bf16 products accumulate in f32 and round once.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string result = "[";
  for (auto [i, size] : llvm::enumerate(shape))
    result += (i ? "," : "") + std::to_string(size);
  return result + "]";
}

/// Merges the first `count` dimensions of `value` into one.
Value mergeLeadingDims(OpBuilder &b, Location loc, Value value, int64_t count) {
  ArrayRef<int64_t> shape = shapeOf(value);
  if (count == 1)
    return value;
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < count; ++i)
    groups[0].push_back(i);
  SmallVector<int64_t> merged = {numElements(shape.take_front(count))};
  for (int64_t i = count, e = shape.size(); i < e; ++i) {
    groups.push_back({i});
    merged.push_back(shape[i]);
  }
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get(merged, elementTypeOf(value)), value,
      groups);
}

/// Splits the first dimension of `value` so that it gets `shape` (the
/// inverse of mergeLeadingDims).
Value splitLeadingDim(OpBuilder &b, Location loc, Value value,
                      ArrayRef<int64_t> shape) {
  int64_t count = shape.size() - shapeOf(value).size() + 1;
  if (count == 1)
    return value;
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t i = 0; i < count; ++i)
    groups[0].push_back(i);
  for (int64_t i = count, e = shape.size(); i < e; ++i)
    groups.push_back({i});
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, elementTypeOf(value)), value,
      groups);
}

/// The type a product of `type` accumulates in.
DataType accumulatorType(DataType type) {
  return type == DataType::Float16 || type == DataType::BFloat16
             ? DataType::Float
             : type;
}

LogicalResult checkOperandTypes(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type) && !isIntegerType(type))
    return n.fail("input type " + dataTypeName(type) + " is not supported");
  if (n.getInputType(1) != type)
    return n.fail("B has type " + dataTypeName(n.getInputType(1)) +
                  " but A has " + dataTypeName(type));
  return success();
}

/// A zero-filled accumulator of `shape`.
Value buildZeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                 Type element) {
  Value empty = createEmptyTensor(b, loc, shape, element);
  Value zero = buildScalar(b, loc, element, 0.0);
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// [M, K] x [K, N] -> [M, N] accumulated in `accElement`.
Value buildMatmul2D(OpBuilder &b, Location loc, Value lhs, Value rhs,
                    Type accElement) {
  Value acc =
      buildZeros(b, loc, {shapeOf(lhs)[0], shapeOf(rhs)[1]}, accElement);
  return linalg::MatmulOp::create(b, loc, ValueRange{lhs, rhs}, ValueRange{acc})
      .getResult(0);
}

/// The map reading an operand [batch..., r, c] inside the loops
/// (batch..., m, n, k), broadcasting its batch dimensions: `rowDim` and
/// `colDim` are the loop positions of its last two dimensions.
AffineMap operandMap(MLIRContext *context, ArrayRef<int64_t> shape,
                     ArrayRef<int64_t> batch, unsigned rowDim,
                     unsigned colDim) {
  unsigned numLoops = batch.size() + 3;
  size_t operandBatch = shape.size() - 2;
  size_t offset = batch.size() - operandBatch;
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < operandBatch; ++i)
    exprs.push_back(shape[i] == 1 && batch[i + offset] != 1
                        ? getAffineConstantExpr(0, context)
                        : getAffineDimExpr(i + offset, context));
  exprs.push_back(getAffineDimExpr(rowDim, context));
  exprs.push_back(getAffineDimExpr(colDim, context));
  return AffineMap::get(numLoops, 0, exprs, context);
}

/// Batched product whose batch dimensions broadcast, as one generic over
/// (batch..., m, n, k).
Value buildBroadcastMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                           ArrayRef<int64_t> batch, Type accElement) {
  MLIRContext *context = b.getContext();
  ArrayRef<int64_t> lhsShape = shapeOf(lhs), rhsShape = shapeOf(rhs);
  unsigned m = batch.size(), nDim = m + 1, k = m + 2;
  SmallVector<int64_t> outShape(batch);
  outShape.push_back(lhsShape[lhsShape.size() - 2]);
  outShape.push_back(rhsShape.back());
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i < k; ++i)
    outExprs.push_back(getAffineDimExpr(i, context));
  SmallVector<AffineMap> maps = {operandMap(context, lhsShape, batch, m, k),
                                 operandMap(context, rhsShape, batch, k, nDim),
                                 AffineMap::get(k + 1, 0, outExprs, context)};
  SmallVector<utils::IteratorType> iterators(k, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value acc = buildZeros(b, loc, outShape, accElement);
  bool isFloat = isa<FloatType>(accElement);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{acc.getType()}, ValueRange{lhs, rhs}, ValueRange{acc},
      maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], y = args[1];
        if (x.getType() != accElement) {
          x = arith::ExtFOp::create(nb, nl, accElement, x);
          y = arith::ExtFOp::create(nb, nl, accElement, y);
        }
        Value sum =
            isFloat
                ? Value(arith::AddFOp::create(
                      nb, nl, args[2], arith::MulFOp::create(nb, nl, x, y)))
                : Value(arith::AddIOp::create(
                      nb, nl, args[2], arith::MulIOp::create(nb, nl, x, y)));
        linalg::YieldOp::create(nb, nl, sum);
      });
  return generic.getResult(0);
}

/// lhs [..., M, K] x rhs [..., K, N] (both rank >= 2) with numpy batch
/// broadcasting, accumulated in `accElement`.
FailureOr<Value> buildBatchedMatmul(NodeImporter &n, Value lhs, Value rhs,
                                    Type accElement) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  ArrayRef<int64_t> lhsShape = shapeOf(lhs), rhsShape = shapeOf(rhs);
  int64_t m = lhsShape[lhsShape.size() - 2], k = lhsShape.back();
  int64_t n2 = rhsShape.back();
  if (rhsShape[rhsShape.size() - 2] != k)
    return n.fail("A of shape " + formatShape(n.getInputShape(0)) +
                  " and B of shape " + formatShape(n.getInputShape(1)) +
                  " differ in the contracted dimension (" + llvm::Twine(k) +
                  " vs " + llvm::Twine(rhsShape[rhsShape.size() - 2]) + ")");
  ArrayRef<int64_t> lhsBatch = lhsShape.drop_back(2);
  ArrayRef<int64_t> rhsBatch = rhsShape.drop_back(2);
  auto batch = broadcastShapes(lhsBatch, rhsBatch);
  if (!batch)
    return n.fail("batch dimensions of A " + formatShape(lhsBatch) + " and B " +
                  formatShape(rhsBatch) + " do not broadcast");
  SmallVector<int64_t> outShape(*batch);
  outShape.append({m, n2});

  if (rhsBatch.empty()) {
    // A shared right operand: fold A's batch into its rows.
    Value flat = mergeLeadingDims(b, loc, lhs, lhsShape.size() - 1);
    Value product = buildMatmul2D(b, loc, flat, rhs, accElement);
    return splitLeadingDim(b, loc, product, outShape);
  }
  if (lhsBatch == rhsBatch) {
    Value lhs3 = mergeLeadingDims(b, loc, lhs, lhsBatch.size());
    Value rhs3 = mergeLeadingDims(b, loc, rhs, rhsBatch.size());
    Value acc = buildZeros(b, loc, {numElements(lhsBatch), m, n2}, accElement);
    Value product = linalg::BatchMatmulOp::create(
                        b, loc, ValueRange{lhs3, rhs3}, ValueRange{acc})
                        .getResult(0);
    return splitLeadingDim(b, loc, product, outShape);
  }
  return buildBroadcastMatmul(b, loc, lhs, rhs, *batch, accElement);
}

/// Rounds an f32 accumulator back to the f16/bf16 result type.
Value roundToType(OpBuilder &b, Location loc, Value acc, DataType accType,
                  DataType type) {
  if (accType == type)
    return acc;
  return buildElementwise(b, loc, ValueRange{acc}, shapeOf(acc),
                          getSignlessElementType(b.getContext(), type),
                          [&](OpBuilder &nb, Location nl, ValueRange args) {
                            return convertScalar(nb, nl, args[0], accType,
                                                 type);
                          });
}

LogicalResult convertMatMul(NodeImporter &n) {
  if (failed(checkOperandTypes(n)))
    return failure();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  DataType type = n.getInputType(0);
  Value lhs = n.getInput(0), rhs = n.getInput(1);
  if (shapeOf(lhs).empty() || shapeOf(rhs).empty())
    return n.fail("operands must have rank 1 or more");
  // numpy: a 1-D A is a row [1, K], a 1-D B a column [K, 1]; the unit
  // dimensions are dropped from the result.
  bool lhsVector = shapeOf(lhs).size() == 1;
  bool rhsVector = shapeOf(rhs).size() == 1;
  if (lhsVector)
    lhs = buildReshape(b, loc, lhs, {1, shapeOf(lhs)[0]});
  if (rhsVector)
    rhs = buildReshape(b, loc, rhs, {shapeOf(rhs)[0], 1});

  DataType accType = accumulatorType(type);
  FailureOr<Value> product = buildBatchedMatmul(
      n, lhs, rhs, getSignlessElementType(n.getContext(), accType));
  if (failed(product))
    return failure();
  SmallVector<int64_t> outShape(shapeOf(*product).drop_back(2));
  if (!lhsVector)
    outShape.push_back(shapeOf(lhs)[shapeOf(lhs).size() - 2]);
  if (!rhsVector)
    outShape.push_back(shapeOf(rhs).back());
  Value result = buildReshape(b, loc, *product, outShape);
  n.setOutput(0, roundToType(b, loc, result, accType, type), type);
  return success();
}

//===----------------------------------------------------------------------===//
// Gemm
//===----------------------------------------------------------------------===//

/// Checks Gemm's operand shapes: A' [M, K], B' [K, N], C broadcasting to
/// [M, N].
LogicalResult checkGemmShapes(NodeImporter &n, bool transA, bool transB) {
  ArrayRef<int64_t> aShape = n.getInputShape(0), bShape = n.getInputShape(1);
  if (aShape.size() != 2 || bShape.size() != 2)
    return n.fail("A and B must be 2-D, got " + formatShape(aShape) + " and " +
                  formatShape(bShape));
  int64_t m = aShape[transA ? 1 : 0], k = aShape[transA ? 0 : 1];
  int64_t kB = bShape[transB ? 1 : 0], cols = bShape[transB ? 0 : 1];
  if (k != kB)
    return n.fail("A' is " + llvm::Twine(m) + "x" + llvm::Twine(k) +
                  " but B' is " + llvm::Twine(kB) + "x" + llvm::Twine(cols) +
                  " (transA=" + llvm::Twine(transA) +
                  ", transB=" + llvm::Twine(transB) + ")");
  if (!n.hasInput(2))
    return success();
  if (n.getInputType(2) != n.getInputType(0))
    return n.fail("C has type " + dataTypeName(n.getInputType(2)) +
                  " but A has " + dataTypeName(n.getInputType(0)));
  SmallVector<int64_t> yShape = {m, cols};
  auto broadcast = broadcastShapes(n.getInputShape(2), yShape);
  if (n.getInputShape(2).size() > 2 || !broadcast || *broadcast != yShape)
    return n.fail("C of shape " + formatShape(n.getInputShape(2)) +
                  " does not broadcast to " + formatShape(yShape));
  return success();
}

/// Y = alpha * A' B' + beta * C, where A' and B' are A and B transposed
/// when transA/transB are set and C broadcasts to [M, N] (unidirectionally).
LogicalResult convertGemm(NodeImporter &n) {
  bool transA = n.getIntAttr("transA", 0) != 0;
  bool transB = n.getIntAttr("transB", 0) != 0;
  if (failed(checkOperandTypes(n)) ||
      failed(checkGemmShapes(n, transA, transB)))
    return failure();
  DataType type = n.getInputType(0);
  bool hasC = n.hasInput(2);
  double alpha = n.getFloatAttr("alpha", 1.0f);
  double beta = n.getFloatAttr("beta", 1.0f);
  bool isFloat = isFloatType(type);
  if (!isFloat && (alpha != std::trunc(alpha) || beta != std::trunc(beta)))
    return n.fail("integer Gemm needs integral alpha and beta");

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value lhs = n.getInput(0), rhs = n.getInput(1);
  if (transA)
    lhs = buildTranspose(b, loc, lhs, {1, 0});
  if (transB)
    rhs = buildTranspose(b, loc, rhs, {1, 0});
  DataType accType = accumulatorType(type);
  Type accElement = getSignlessElementType(n.getContext(), accType);
  Value product = buildMatmul2D(b, loc, lhs, rhs, accElement);
  if (alpha == 1.0 && !hasC) {
    n.setOutput(0, roundToType(b, loc, product, accType, type), type);
    return success();
  }

  SmallVector<Value> operands = {product};
  if (hasC)
    operands.push_back(n.getInput(2));
  Value y = buildElementwise(
      b, loc, operands, shapeOf(product),
      getSignlessElementType(n.getContext(), type),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto mul = [&](Value x, double factor) -> Value {
          if (factor == 1.0)
            return x;
          Value f = buildScalar(nb, nl, accElement, factor);
          return isFloat ? Value(arith::MulFOp::create(nb, nl, x, f))
                         : Value(arith::MulIOp::create(nb, nl, x, f));
        };
        Value acc = mul(args[0], alpha);
        if (args.size() > 1) {
          Value c = mul(convertScalar(nb, nl, args[1], type, accType), beta);
          acc = isFloat ? Value(arith::AddFOp::create(nb, nl, acc, c))
                        : Value(arith::AddIOp::create(nb, nl, acc, c));
        }
        return convertScalar(nb, nl, acc, accType, type);
      });
  n.setOutput(0, y, type);
  return success();
}

} // namespace

void qcc::onnx_import::addMatMulOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  ops.push_back({"", "MatMul", 1, last, convertMatMul,
                 "float, int; numpy 1-D and batch broadcasting"});
  ops.push_back({"", "Gemm", 7, last, convertGemm,
                 "float, int; transA/transB, alpha/beta, optional C"});
}
