//===- Reduction.cpp - ONNX Reduce* ops -> linalg.generic reductions ----===//
//
// Every Reduce* op is one reduction linalg.generic: a per-element map
// (square, abs, exp), a combiner (add, mul, max, min) from an identity, then
// a per-result map (divide by the count, sqrt, log). Axes come from an
// attribute before opset 13 (ReduceSum) or 18 (the others), from a constant
// input after. Small integer constants (shape arithmetic) fold on the host.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

/// Host folding is for shape arithmetic: small integer tensors.
constexpr int64_t kMaxFoldElements = 4096;

enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSum,
  LogSumExp
};

/// The first opset in which the op reads its axes from input 1.
int64_t axesInputSince(ReduceKind kind) {
  return kind == ReduceKind::Sum ? 13 : 18;
}

bool isMaxOrMin(ReduceKind kind) {
  return kind == ReduceKind::Max || kind == ReduceKind::Min;
}

/// Max, Min, Sum and Prod of a single element, and Mean of one, are the
/// element itself: a no-op reduction needs no code.
bool isIdentityOnOneElement(ReduceKind kind) {
  return isMaxOrMin(kind) || kind == ReduceKind::Sum ||
         kind == ReduceKind::Mean || kind == ReduceKind::Prod;
}

/// The reduced axes, sorted and unique; nullopt when the op is a no-op
/// (empty axes with noop_with_empty_axes=1).
FailureOr<std::optional<SmallVector<int64_t>>>
getReducedAxes(NodeImporter &n, ReduceKind kind, int64_t rank) {
  SmallVector<int64_t> axes;
  if (n.getOpset() >= axesInputSince(kind)) {
    if (n.hasInput(1)) {
      FailureOr<std::vector<int64_t>> values = n.getConstantInts(1, "axes");
      if (failed(values))
        return failure();
      axes.assign(values->begin(), values->end());
    }
    if (axes.empty() && n.getIntAttr("noop_with_empty_axes", 0) != 0)
      return std::optional<SmallVector<int64_t>>();
  } else if (auto attr = n.getIntsAttr("axes")) {
    axes = *attr;
  }
  // No axes (and no no-op request) means every axis.
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  for (int64_t &axis : axes) {
    FailureOr<int64_t> normalized = n.normalizeAxis(axis, rank, "axes value");
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return std::optional<SmallVector<int64_t>>(axes);
}

SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> axes, bool keepDims) {
  SmallVector<int64_t> result;
  for (auto [i, size] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(size);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Host folding
//===----------------------------------------------------------------------===//

bool canFoldOnHost(ReduceKind kind, const HostTensor *tensor) {
  if (!tensor || tensor->getNumElements() > kMaxFoldElements)
    return false;
  DataType type = tensor->getType();
  // int64 arithmetic models every integer type but uint64's upper half.
  if (!isIntegerType(type) || type == DataType::Uint64)
    return false;
  return kind == ReduceKind::Sum || kind == ReduceKind::Mean ||
         isMaxOrMin(kind) || kind == ReduceKind::Prod ||
         kind == ReduceKind::L1 || kind == ReduceKind::SumSquare;
}

HostTensor foldReduction(ReduceKind kind, const HostTensor &input,
                         ArrayRef<int64_t> axes, bool keepDims) {
  ArrayRef<int64_t> shape = input.getShape();
  SmallVector<int64_t> outShape = reducedShape(shape, axes, /*keepDims=*/true);
  int64_t outCount = numElements(outShape);
  std::vector<int64_t> values = input.toInt64();
  std::vector<int64_t> acc(outCount, kind == ReduceKind::Prod ? 1 : 0);
  std::vector<bool> seen(outCount, false);
  for (int64_t flat = 0, e = values.size(); flat < e; ++flat) {
    // The output index: the input index with reduced coordinates zeroed.
    int64_t rest = flat, out = 0, stride = 1;
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      int64_t coord = rest % shape[d];
      rest /= shape[d];
      out += (outShape[d] == 1 ? 0 : coord) * stride;
      stride *= outShape[d];
    }
    int64_t x = values[flat];
    int64_t &a = acc[out];
    switch (kind) {
    case ReduceKind::Max:
      a = seen[out] ? std::max(a, x) : x;
      break;
    case ReduceKind::Min:
      a = seen[out] ? std::min(a, x) : x;
      break;
    case ReduceKind::Prod:
      a *= x;
      break;
    case ReduceKind::L1:
      a += x < 0 ? -x : x;
      break;
    case ReduceKind::SumSquare:
      a += x * x;
      break;
    default:
      a += x;
      break;
    }
    seen[out] = true;
  }
  if (kind == ReduceKind::Mean) {
    int64_t count = outCount ? values.size() / outCount : 0;
    for (int64_t &a : acc)
      a = count ? a / count : 0;
  }
  return HostTensor::fromInt64(input.getType(),
                               reducedShape(shape, axes, keepDims), acc);
}

//===----------------------------------------------------------------------===//
// IR
//===----------------------------------------------------------------------===//

/// The type the reduction accumulates in: f32 for the sums of f16/bf16
/// (halves lose integers above 2048), f64 for exponentials of integers
/// (as the reference computes them), else the element type.
DataType accumulatorType(ReduceKind kind, DataType type) {
  if (isMaxOrMin(kind))
    return type;
  if (type == DataType::Float16 || type == DataType::BFloat16)
    return DataType::Float;
  if (kind == ReduceKind::LogSumExp && !isFloatType(type))
    return DataType::Double;
  return type;
}

Value intConstant(OpBuilder &b, Location loc, Type type, const APInt &value) {
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

/// The combiner's identity: the result of reducing an empty set.
Value buildInit(OpBuilder &b, Location loc, ReduceKind kind, Type type,
                bool isUnsigned) {
  if (!isMaxOrMin(kind))
    return buildScalar(b, loc, type, kind == ReduceKind::Prod ? 1.0 : 0.0);
  bool isMax = kind == ReduceKind::Max;
  if (isa<FloatType>(type))
    return buildScalar(b, loc, type, isMax ? -INFINITY : INFINITY);
  unsigned width = type.getIntOrFloatBitWidth();
  if (isUnsigned || width == 1)
    return intConstant(b, loc, type,
                       isMax ? APInt::getMinValue(width)
                             : APInt::getMaxValue(width));
  return intConstant(b, loc, type,
                     isMax ? APInt::getSignedMinValue(width)
                           : APInt::getSignedMaxValue(width));
}

/// What one element contributes, already in the accumulator type.
Value buildPre(OpBuilder &b, Location loc, ReduceKind kind, Value x,
               DataType type, DataType accType) {
  x = convertScalar(b, loc, x, type, accType);
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::L1:
    if (isFloat)
      return math::AbsFOp::create(b, loc, x);
    return isUnsignedType(type) ? x : Value(math::AbsIOp::create(b, loc, x));
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
    return isFloat ? Value(arith::MulFOp::create(b, loc, x, x))
                   : Value(arith::MulIOp::create(b, loc, x, x));
  case ReduceKind::LogSumExp:
    return math::ExpOp::create(b, loc, x);
  default:
    return x;
  }
}

Value buildCombine(OpBuilder &b, Location loc, ReduceKind kind, Value x,
                   Value acc, bool isUnsigned) {
  bool isFloat = isa<FloatType>(x.getType());
  // i1 (ReduceMax/Min of BOOL) orders false < true: unsigned.
  isUnsigned |= x.getType().isInteger(1);
  switch (kind) {
  case ReduceKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, acc);
    return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, acc))
                      : Value(arith::MaxSIOp::create(b, loc, x, acc));
  case ReduceKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, x, acc);
    return isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, acc))
                      : Value(arith::MinSIOp::create(b, loc, x, acc));
  case ReduceKind::Prod:
    return isFloat ? Value(arith::MulFOp::create(b, loc, x, acc))
                   : Value(arith::MulIOp::create(b, loc, x, acc));
  default:
    return isFloat ? Value(arith::AddFOp::create(b, loc, x, acc))
                   : Value(arith::AddIOp::create(b, loc, x, acc));
  }
}

/// The result from the accumulator, converted to the output type. `count`
/// is the number of elements each result reduces (for Mean).
Value buildPost(OpBuilder &b, Location loc, ReduceKind kind, Value acc,
                DataType accType, DataType outType, int64_t count) {
  bool isFloat = isa<FloatType>(acc.getType());
  switch (kind) {
  case ReduceKind::Mean: {
    Value divisor = buildScalar(b, loc, acc.getType(), count);
    if (isFloat)
      acc = arith::DivFOp::create(b, loc, acc, divisor);
    else if (count != 0)
      acc = isUnsignedType(accType)
                ? Value(arith::DivUIOp::create(b, loc, acc, divisor))
                : Value(arith::DivSIOp::create(b, loc, acc, divisor));
    break;
  }
  case ReduceKind::L2:
  case ReduceKind::LogSum:
  case ReduceKind::LogSumExp: {
    // Integer results go through f64 and truncate, like the reference's
    // numpy computation followed by astype.
    DataType floatType = isFloat ? accType : DataType::Double;
    acc = convertScalar(b, loc, acc, accType, floatType);
    acc = kind == ReduceKind::L2 ? Value(math::SqrtOp::create(b, loc, acc))
                                 : Value(math::LogOp::create(b, loc, acc));
    accType = floatType;
    break;
  }
  default:
    break;
  }
  return convertScalar(b, loc, acc, accType, outType);
}

bool isTypeSupported(ReduceKind kind, DataType type) {
  if (type == DataType::Bool)
    return isMaxOrMin(kind);
  return isFloatType(type) || isIntegerType(type);
}

LogicalResult convertReduce(NodeImporter &n, ReduceKind kind) {
  DataType type = n.getInputType(0);
  if (!isTypeSupported(kind, type))
    return n.fail("input type " + dataTypeName(type) + " is not supported");
  ArrayRef<int64_t> shape = n.getInputShape(0);
  bool keepDims = n.getIntAttr("keepdims", 1) != 0;
  FailureOr<std::optional<SmallVector<int64_t>>> reduced =
      getReducedAxes(n, kind, shape.size());
  if (failed(reduced))
    return failure();
  bool noop = !reduced->has_value();
  if (noop && isIdentityOnOneElement(kind)) {
    if (const HostTensor *c = n.getConstantInput(0))
      n.setConstantOutput(0, *c);
    else
      n.setOutput(0, n.getInput(0), type);
    return success();
  }
  // A no-op reduction still maps each element (ReduceSumSquare squares):
  // it reduces over no axes.
  SmallVector<int64_t> axes = noop ? SmallVector<int64_t>() : **reduced;

  if (const HostTensor *c = n.getConstantInput(0); canFoldOnHost(kind, c)) {
    n.setConstantOutput(0, foldReduction(kind, *c, axes, keepDims));
    return success();
  }

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  bool isUnsigned = isUnsignedType(type);
  DataType accType = accumulatorType(kind, type);
  Type accElement = getSignlessElementType(context, accType);
  Value init = buildInit(b, loc, kind, accElement, isUnsigned);
  Value acc = buildReduction(
      b, loc, n.getInput(0), axes, keepDims, init,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = buildPre(nb, nl, kind, args[0], type, accType);
        return buildCombine(nb, nl, kind, x, args[1], isUnsigned);
      });

  int64_t count = 1;
  for (int64_t axis : axes)
    count *= shape[axis];
  bool needsPost = kind == ReduceKind::Mean || kind == ReduceKind::L2 ||
                   kind == ReduceKind::LogSum ||
                   kind == ReduceKind::LogSumExp || accType != type;
  if (!needsPost) {
    n.setOutput(0, acc, type);
    return success();
  }
  Value result = buildElementwise(
      b, loc, ValueRange{acc}, shapeOf(acc),
      getSignlessElementType(context, type),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        return buildPost(nb, nl, kind, args[0], accType, type, count);
      });
  n.setOutput(0, result, type);
  return success();
}

template <ReduceKind kind> LogicalResult reduce(NodeImporter &n) {
  return convertReduce(n, kind);
}

} // namespace

void qcc::onnx_import::addReductionOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  ops.push_back({"", "ReduceSum", 1, last, reduce<ReduceKind::Sum>,
                 "float, int; axes attribute (<13) or constant input"});
  ops.push_back({"", "ReduceMean", 1, last, reduce<ReduceKind::Mean>,
                 "float, int; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceMax", 1, last, reduce<ReduceKind::Max>,
                 "float, int, bool; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceMin", 1, last, reduce<ReduceKind::Min>,
                 "float, int, bool; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceProd", 1, last, reduce<ReduceKind::Prod>,
                 "float, int; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceL1", 1, last, reduce<ReduceKind::L1>,
                 "float, int; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceL2", 1, last, reduce<ReduceKind::L2>,
                 "float, int; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceSumSquare", 1, last, reduce<ReduceKind::SumSquare>,
                 "float, int; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceLogSum", 1, last, reduce<ReduceKind::LogSum>,
                 "float, int; axes attribute (<18) or constant input"});
  ops.push_back({"", "ReduceLogSumExp", 1, last, reduce<ReduceKind::LogSumExp>,
                 "float, int; axes attribute (<18) or constant input"});
}
