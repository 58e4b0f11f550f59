//===- Pooling.cpp - ONNX pools -> windowed linalg.generic ----------------===//
//
// MaxPool and AveragePool are one linalg.generic each over a tensor.pad'ed
// input, whose reduction loops take their ranges from a tensor.empty of the
// kernel's shape, as upstream's named pooling ops do; the global pools are
// plain reductions over the spatial axes.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConvPool.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

/// The indexing maps of a pool's generic over the loops (n, c, o..., k...):
/// the padded input [n, c, o*s + k*d...], the kernel-shaped tensor.empty
/// [k...] and the output [n, c, o...].
SmallVector<AffineMap> poolIndexingMaps(MLIRContext *context,
                                        const Window &w) {
  int64_t rank = w.kernel.size();
  int64_t numDims = 2 + 2 * rank;
  AffineExpr n = getAffineDimExpr(0, context), c = getAffineDimExpr(1, context);
  WindowExprs window =
      getWindowExprs(context, w.strides, w.dilations, 2, 2 + rank);
  SmallVector<AffineExpr> inExprs = {n, c}, outExprs = {n, c};
  inExprs.append(window.input);
  outExprs.append(window.output);
  return {AffineMap::get(numDims, 0, inExprs, context),
          AffineMap::get(numDims, 0, window.kernel, context),
          AffineMap::get(numDims, 0, outExprs, context)};
}

/// (n, c, o...) are parallel, the kernel taps (k...) reductions.
SmallVector<utils::IteratorType> poolIteratorTypes(const Window &w) {
  int64_t rank = w.kernel.size();
  SmallVector<utils::IteratorType> iterators(2 + rank,
                                             utils::IteratorType::parallel);
  iterators.append(rank, utils::IteratorType::reduction);
  return iterators;
}

/// out[n, c, o...] = combine over k of padded[n, c, o*s + k*d...], starting
/// from `init`. A tensor.empty of the kernel's shape gives the reduction
/// loops their ranges, as upstream's named pooling ops do.
Value buildWindowReduction(OpBuilder &b, Location loc, Value padded,
                           const Window &w, Value init, BodyFn combine) {
  SmallVector<AffineMap> maps = poolIndexingMaps(b.getContext(), w);
  SmallVector<utils::IteratorType> iterators = poolIteratorTypes(w);
  ArrayRef<int64_t> shape = shapeOf(padded);
  SmallVector<int64_t> outShape = {shape[0], shape[1]};
  outShape.append(w.outSizes);
  Value kernel = createEmptyTensor(b, loc, w.kernel, elementTypeOf(padded));
  Value filled = filledTensor(b, loc, outShape, init);
  return linalg::GenericOp::create(
             b, loc, TypeRange{filled.getType()}, ValueRange{padded, kernel},
             ValueRange{filled}, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl,
                                       combine(nb, nl, {args[0], args[2]}));
             })
      .getResult(0);
}

/// The smallest value of `element`: -inf, INT_MIN or 0.
Value lowestValue(OpBuilder &b, Location loc, Type element, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(element))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/true)));
  unsigned width = element.getIntOrFloatBitWidth();
  APInt lowest =
      isUnsigned ? APInt::getZero(width) : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(element, lowest));
}

Value maxScalars(OpBuilder &b, Location loc, Value x, Value y,
                 bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, y))
                    : Value(arith::MaxSIOp::create(b, loc, x, y));
}

/// Reads a pool's kernel_shape and window attributes for input 0.
FailureOr<Window> readPoolWindow(NodeImporter &n) {
  ArrayRef<int64_t> shape = n.getInputShape(0);
  if (shape.size() < 3)
    return n.fail("the input must have rank 3 or more ([N, C, D1, ...]); "
                  "it has rank " +
                  Twine(shape.size()));
  std::optional<SmallVector<int64_t>> kernel = n.getIntsAttr("kernel_shape");
  if (!kernel)
    return n.fail("kernel_shape is required");
  if (kernel->size() != shape.size() - 2)
    return n.fail("kernel_shape has " + Twine(kernel->size()) +
                  " values; expected " + Twine(shape.size() - 2));
  return readWindow(n, shape.drop_front(2), *kernel,
                    n.getIntAttr("ceil_mode", 0) != 0);
}

SmallVector<int64_t> paddedEnd(const Window &w) {
  SmallVector<int64_t> end;
  for (auto [pad, extra] : llvm::zip(w.padsEnd, w.ceilExtra))
    end.push_back(pad + extra);
  return end;
}

/// The row-major flat index into the unpadded [N, C, D...] input of the tap
/// a pool's generic body reads, and whether that tap lies inside the input
/// rather than in its padding.
std::pair<Value, Value> tapIndex(OpBuilder &b, Location loc, const Window &w,
                                 ArrayRef<int64_t> inShape) {
  int64_t rank = w.kernel.size();
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value flat = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, linalg::IndexOp::create(b, loc, 0),
                            cst(inShape[1])),
      linalg::IndexOp::create(b, loc, 1));
  Value inside = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  for (int64_t i = 0; i < rank; ++i) {
    Value o = linalg::IndexOp::create(b, loc, 2 + i);
    Value k = linalg::IndexOp::create(b, loc, 2 + rank + i);
    // pos = o * stride + k * dilation - padBegin
    Value pos = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, o, cst(w.strides[i])),
        arith::MulIOp::create(b, loc, k, cst(w.dilations[i])));
    pos = arith::SubIOp::create(b, loc, pos, cst(w.padsBegin[i]));
    int64_t size = inShape[2 + i];
    if (w.padsBegin[i] != 0 || w.padsEnd[i] + w.ceilExtra[i] != 0) {
      Value above =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, pos, cst(0));
      Value below = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                          pos, cst(size));
      inside = arith::AndIOp::create(
          b, loc, inside, arith::AndIOp::create(b, loc, above, below));
    }
    flat = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, flat, cst(size)), pos);
  }
  return {arith::IndexCastOp::create(b, loc, b.getI64Type(), flat), inside};
}

/// MaxPool with its Indices output: one generic that carries the maximum
/// and the row-major flat index of the tap it came from. As in the ONNX
/// reference, the first maximum in row-major order wins and padding never
/// does; the tie-break on the index keeps that independent of loop order.
std::pair<Value, Value> buildArgMaxPool(OpBuilder &b, Location loc,
                                        Value padded, const Window &w,
                                        ArrayRef<int64_t> inShape, Value lowest,
                                        bool isUnsigned) {
  SmallVector<AffineMap> maps = poolIndexingMaps(b.getContext(), w);
  // The indices output is indexed like the values output.
  maps.push_back(maps.back());
  SmallVector<utils::IteratorType> iterators = poolIteratorTypes(w);
  SmallVector<int64_t> outShape = {inShape[0], inShape[1]};
  outShape.append(w.outSizes);
  Value kernel = createEmptyTensor(b, loc, w.kernel, elementTypeOf(padded));
  Value values = filledTensor(b, loc, outShape, lowest);
  Value indices =
      filledTensor(b, loc, outShape,
                   arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(-1)));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{values.getType(), indices.getType()},
      ValueRange{padded, kernel}, ValueRange{values, indices}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], best = args[2], bestIndex = args[3];
        auto [index, inside] = tapIndex(nb, nl, w, inShape);
        Value greater, equal;
        if (isa<FloatType>(x.getType())) {
          greater =
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, x, best);
          equal =
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, x, best);
        } else {
          greater =
              arith::CmpIOp::create(nb, nl,
                                    isUnsigned ? arith::CmpIPredicate::ugt
                                               : arith::CmpIPredicate::sgt,
                                    x, best);
          equal =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, x, best);
        }
        Value earlier = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                              index, bestIndex);
        Value unset = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::slt, bestIndex,
            arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(0)));
        Value wins = arith::OrIOp::create(
            nb, nl, arith::OrIOp::create(nb, nl, unset, greater),
            arith::AndIOp::create(nb, nl, equal, earlier));
        Value take = arith::AndIOp::create(nb, nl, inside, wins);
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{
                arith::SelectOp::create(nb, nl, take, x, best),
                arith::SelectOp::create(nb, nl, take, index, bestIndex)});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

/// Row-major flat indices into [N, C, D1..Dk] renumbered for storage_order
/// 1: c * D1*..*Dk + d1 + d2 * D1 + ... (the spatial axes column-major).
Value toColumnMajor(OpBuilder &b, Location loc, Value indices,
                    ArrayRef<int64_t> inShape) {
  ArrayRef<int64_t> spatial = inShape.drop_front(2);
  return buildElementwise(
      b, loc, ValueRange{indices}, shapeOf(indices), b.getI64Type(),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto cst = [&](int64_t v) {
          return arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(v));
        };
        Value rest = args[0];
        SmallVector<Value> positions(spatial.size());
        for (int64_t i = spatial.size() - 1; i >= 0; --i) {
          positions[i] = arith::RemSIOp::create(nb, nl, rest, cst(spatial[i]));
          rest = arith::DivSIOp::create(nb, nl, rest, cst(spatial[i]));
        }
        // `rest` is now n * C + c.
        Value result =
            arith::MulIOp::create(nb, nl, rest, cst(numElements(spatial)));
        int64_t stride = 1;
        for (auto [i, position] : llvm::enumerate(positions)) {
          Value term =
              stride == 1
                  ? position
                  : Value(arith::MulIOp::create(nb, nl, position, cst(stride)));
          result = arith::AddIOp::create(nb, nl, result, term);
          stride *= spatial[i];
        }
        return result;
      });
}

LogicalResult convertMaxPool(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type) && type != DataType::Int8 && type != DataType::Uint8)
    return n.fail("MaxPool on " + dataTypeName(type) +
                  " tensors is not supported (float, int8, uint8)");
  int64_t storageOrder = n.getIntAttr("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return n.fail("storage_order must be 0 (row major) or 1 (column major), "
                  "got " +
                  Twine(storageOrder));
  FailureOr<Window> w = readPoolWindow(n);
  if (failed(w))
    return failure();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value input = n.getInput(0);
  bool isUnsigned = isUnsignedType(type);
  // Padding is -inf (or the type's minimum) so that it never wins.
  Value lowest = lowestValue(b, loc, elementTypeOf(input), isUnsigned);
  Value padded = padSpatial(b, loc, input, w->padsBegin, paddedEnd(*w),
                            [&] { return lowest; });
  if (n.hasOutput(1)) {
    ArrayRef<int64_t> inShape = n.getInputShape(0);
    auto [values, indices] =
        buildArgMaxPool(b, loc, padded, *w, inShape, lowest, isUnsigned);
    if (storageOrder == 1)
      indices = toColumnMajor(b, loc, indices, inShape);
    n.setOutput(0, values, type);
    n.setOutput(1, indices, DataType::Int64);
    return success();
  }
  Value result = buildWindowReduction(
      b, loc, padded, *w, lowest,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        return maxScalars(nb, nl, args[0], args[1], isUnsigned);
      });
  n.setOutput(0, result, type);
  return success();
}

/// How many taps of each output position's window fall inside the counted
/// range of axis `i`: the input, or the input and its explicit pads.
SmallVector<double> windowCounts(const Window &w, size_t i, int64_t in,
                                 bool countPads) {
  int64_t lo = countPads ? -w.padsBegin[i] : 0;
  int64_t hi = countPads ? in + w.padsEnd[i] : in;
  SmallVector<double> counts;
  for (int64_t o = 0; o < w.outSizes[i]; ++o) {
    int64_t taps = 0;
    for (int64_t k = 0; k < w.kernel[i]; ++k) {
      int64_t pos = o * w.strides[i] - w.padsBegin[i] + k * w.dilations[i];
      taps += pos >= lo && pos < hi;
    }
    counts.push_back(taps);
  }
  return counts;
}

/// sum / count, where count is the product of per-axis window counts: one
/// scalar when every window counts the same, else small per-axis tables.
Value divideByCounts(OpBuilder &b, Location loc, Value sum,
                     ArrayRef<SmallVector<double>> counts, Type element) {
  Type acc = elementTypeOf(sum);
  ArrayRef<int64_t> shape = shapeOf(sum);
  size_t rank = counts.size();
  SmallVector<Value> operands = {sum};
  double uniform = 1.0;
  for (auto [i, table] : llvm::enumerate(counts)) {
    if (llvm::all_equal(table)) {
      uniform *= table.front();
      continue;
    }
    // Shaped [O_i, 1, ...] so that it broadcasts along axis 2 + i.
    SmallVector<int64_t> tableShape(rank - i, 1);
    tableShape[0] = table.size();
    SmallVector<Attribute> values;
    for (double count : table)
      values.push_back(b.getFloatAttr(acc, count));
    auto attr =
        DenseElementsAttr::get(RankedTensorType::get(tableShape, acc), values);
    operands.push_back(arith::ConstantOp::create(b, loc, attr));
  }
  return buildElementwise(
      b, loc, operands, shape, element,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value divisor;
        if (uniform != 1.0 || args.size() == 1)
          divisor = buildScalar(nb, nl, acc, uniform);
        for (Value table : args.drop_front())
          divisor = divisor
                        ? Value(arith::MulFOp::create(nb, nl, divisor, table))
                        : table;
        Value mean = arith::DivFOp::create(nb, nl, args[0], divisor);
        return truncateTo(nb, nl, mean, element);
      });
}

LogicalResult convertAveragePool(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type))
    return n.fail("AveragePool on " + dataTypeName(type) +
                  " tensors is not supported (float types only)");
  FailureOr<Window> w = readPoolWindow(n);
  if (failed(w))
    return failure();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value input = n.getInput(0);
  Type element = elementTypeOf(input);
  Type acc = accumulatorFor(element);
  Value padded = padSpatial(b, loc, input, w->padsBegin, paddedEnd(*w),
                            [&] { return buildScalar(b, loc, element, 0.0); });
  Value sum = buildWindowReduction(
      b, loc, padded, *w, buildScalar(b, loc, acc, 0.0),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        return arith::AddFOp::create(nb, nl, extendTo(nb, nl, args[0], acc),
                                     args[1]);
      });
  bool countPads = n.getIntAttr("count_include_pad", 0) != 0;
  SmallVector<SmallVector<double>> counts;
  for (auto [i, in] : llvm::enumerate(n.getInputShape(0).drop_front(2)))
    counts.push_back(windowCounts(*w, i, in, countPads));
  n.setOutput(0, divideByCounts(b, loc, sum, counts, element), type);
  return success();
}

SmallVector<int64_t> spatialAxes(size_t rank) {
  SmallVector<int64_t> axes;
  for (size_t i = 2; i < rank; ++i)
    axes.push_back(i);
  return axes;
}

/// A global pool's input is a float tensor of rank 3 or more.
LogicalResult checkGlobalPoolInput(NodeImporter &n, StringRef opName) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type))
    return n.fail(opName + " on " + dataTypeName(type) +
                  " tensors is not supported (float types only)");
  if (n.getInputShape(0).size() < 3)
    return n.fail("the input must have rank 3 or more ([N, C, D1, ...])");
  return success();
}

LogicalResult convertGlobalAveragePool(NodeImporter &n) {
  DataType type = n.getInputType(0);
  ArrayRef<int64_t> shape = n.getInputShape(0);
  if (failed(checkGlobalPoolInput(n, "GlobalAveragePool")))
    return failure();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value input = n.getInput(0);
  Type element = elementTypeOf(input);
  Type acc = accumulatorFor(element);
  Value sum =
      buildReduction(b, loc, input, spatialAxes(shape.size()),
                     /*keepDims=*/true, buildScalar(b, loc, acc, 0.0),
                     [&](OpBuilder &nb, Location nl, ValueRange args) {
                       return arith::AddFOp::create(
                           nb, nl, extendTo(nb, nl, args[0], acc), args[1]);
                     });
  SmallVector<double> count = {
      static_cast<double>(numElements(shape.drop_front(2)))};
  n.setOutput(0, divideByCounts(b, loc, sum, {count}, element), type);
  return success();
}

LogicalResult convertGlobalMaxPool(NodeImporter &n) {
  DataType type = n.getInputType(0);
  ArrayRef<int64_t> shape = n.getInputShape(0);
  if (failed(checkGlobalPoolInput(n, "GlobalMaxPool")))
    return failure();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value input = n.getInput(0);
  Value result = buildReduction(
      b, loc, input, spatialAxes(shape.size()), /*keepDims=*/true,
      lowestValue(b, loc, elementTypeOf(input), /*isUnsigned=*/false),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        return maxScalars(nb, nl, args[0], args[1], /*isUnsigned=*/false);
      });
  n.setOutput(0, result, type);
  return success();
}

} // namespace

void qcc::onnx_import::addPoolingOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  ops.push_back({"", "MaxPool", 1, last, convertMaxPool,
                 "float, int8, uint8; any rank; ceil_mode, dilations, "
                 "auto_pad; Indices output (storage_order 0/1)"});
  ops.push_back({"", "AveragePool", 7, last, convertAveragePool,
                 "float; any rank; count_include_pad, ceil_mode, dilations, "
                 "auto_pad"});
  ops.push_back(
      {"", "GlobalAveragePool", 1, last, convertGlobalAveragePool, "float"});
  ops.push_back({"", "GlobalMaxPool", 1, last, convertGlobalMaxPool, "float"});
}
