//===- Normalization.cpp - ONNX Softmax and *Normalization ops ---------===//
//
// Softmax/LogSoftmax (max-subtracted), LayerNormalization (in stash_type
// precision, as its ONNX function body computes it) and inference-mode
// BatchNormalization, as reduction and elementwise linalg.generics.
// Half-precision inputs compute in f32 and round once at the end.
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

/// The type to compute in for a float input: f32 for f16/bf16.
DataType computeTypeFor(DataType type) {
  return type == DataType::Float16 || type == DataType::BFloat16
             ? DataType::Float
             : type;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string result = "[";
  for (auto [i, size] : llvm::enumerate(shape))
    result += (i ? "," : "") + std::to_string(size);
  return result + "]";
}

/// The axes [first, rank).
SmallVector<int64_t> trailingAxes(int64_t first, int64_t rank) {
  SmallVector<int64_t> axes;
  for (int64_t i = first; i < rank; ++i)
    axes.push_back(i);
  return axes;
}

Value maxOverAxes(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> axes) {
  Value init = buildScalar(b, loc, elementTypeOf(input), -INFINITY);
  return buildReduction(b, loc, input, axes, /*keepDims=*/true, init,
                        [](OpBuilder &nb, Location nl, ValueRange args) {
                          return arith::MaximumFOp::create(nb, nl, args[0],
                                                           args[1]);
                        });
}

/// Sums `input` (converted from `type` to `accType`) over `axes`, keeping
/// the reduced dimensions; `square` sums the squares instead.
Value sumOverAxes(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> axes, DataType type, DataType accType,
                  bool square = false) {
  Type accElement = getSignlessElementType(b.getContext(), accType);
  Value init = buildScalar(b, loc, accElement, 0.0);
  return buildReduction(b, loc, input, axes, /*keepDims=*/true, init,
                        [&](OpBuilder &nb, Location nl, ValueRange args) {
                          Value x =
                              convertScalar(nb, nl, args[0], type, accType);
                          if (square)
                            x = arith::MulFOp::create(nb, nl, x, x);
                          return arith::AddFOp::create(nb, nl, x, args[1]);
                        });
}

//===----------------------------------------------------------------------===//
// Softmax, LogSoftmax
//===----------------------------------------------------------------------===//

/// The axes Softmax normalizes over: before opset 13 the input is coerced
/// to 2-D at `axis` (default 1), so every axis from `axis` on; from 13 on
/// the single `axis` (default -1).
FailureOr<SmallVector<int64_t>> getSoftmaxAxes(NodeImporter &n, int64_t rank) {
  bool coerce2D = n.getOpset() < 13;
  FailureOr<int64_t> normalized =
      n.normalizeAxis(n.getIntAttr("axis", coerce2D ? 1 : -1), rank);
  if (failed(normalized))
    return failure();
  if (coerce2D)
    return trailingAxes(*normalized, rank);
  return SmallVector<int64_t>{*normalized};
}

LogicalResult convertSoftmax(NodeImporter &n, bool isLog) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type))
    return n.fail("input type " + dataTypeName(type) +
                  " is not supported (expected a float type)");
  Value input = n.getInput(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  FailureOr<SmallVector<int64_t>> axes = getSoftmaxAxes(n, shape.size());
  if (failed(axes))
    return failure();

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  DataType computeType = computeTypeFor(type);
  Type computeElement = getSignlessElementType(context, computeType);
  Type element = elementTypeOf(input);

  // Subtracting the maximum keeps exp from overflowing; it cancels out.
  Value max = maxOverAxes(b, loc, input, *axes);
  Value exps = buildElementwise(
      b, loc, ValueRange{input, max}, shape, computeElement,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = convertScalar(nb, nl, args[0], type, computeType);
        Value m = convertScalar(nb, nl, args[1], type, computeType);
        return math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, x, m));
      });
  Value sum = sumOverAxes(b, loc, exps, *axes, computeType, computeType);

  Value result;
  if (isLog) {
    // (x - max) - log(sum(exp(x - max)))
    result = buildElementwise(
        b, loc, ValueRange{input, max, sum}, shape, element,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value x = convertScalar(nb, nl, args[0], type, computeType);
          Value m = convertScalar(nb, nl, args[1], type, computeType);
          Value y =
              arith::SubFOp::create(nb, nl, arith::SubFOp::create(nb, nl, x, m),
                                    math::LogOp::create(nb, nl, args[2]));
          return convertScalar(nb, nl, y, computeType, type);
        });
  } else {
    result =
        buildElementwise(b, loc, ValueRange{exps, sum}, shape, element,
                         [&](OpBuilder &nb, Location nl, ValueRange args) {
                           Value y =
                               arith::DivFOp::create(nb, nl, args[0], args[1]);
                           return convertScalar(nb, nl, y, computeType, type);
                         });
  }
  n.setOutput(0, result, type);
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormalization
//===----------------------------------------------------------------------===//

/// Checks that input `i` (Scale or B) broadcasts to `shape` without
/// growing it.
LogicalResult checkBroadcastsTo(NodeImporter &n, unsigned i,
                                ArrayRef<int64_t> shape, StringRef what) {
  auto broadcast = broadcastShapes(shape, n.getInputShape(i));
  if (!broadcast || *broadcast != shape)
    return n.fail(what + " of shape " + formatShape(n.getInputShape(i)) +
                  " does not broadcast to X's shape " + formatShape(shape));
  return success();
}

/// LayerNormalization's statistics over `axes`, in stash_type precision.
struct LayerNormStats {
  Value centered;  // D = Cast(X) - Mean
  Value mean;      // reduced dimensions kept as 1
  Value invStdDev; // 1 / sqrt(ReduceMean(D * D) + epsilon)
};

LayerNormStats buildLayerNormStats(OpBuilder &b, Location loc, Value x,
                                   DataType type, ArrayRef<int64_t> axes,
                                   DataType stashType, double epsilon) {
  Type stashElement = getSignlessElementType(b.getContext(), stashType);
  int64_t count = 1;
  for (int64_t a : axes)
    count *= shapeOf(x)[a];
  auto meanOf = [&](Value sum) {
    return buildElementwise(b, loc, ValueRange{sum}, shapeOf(sum), stashElement,
                            [&](OpBuilder &nb, Location nl, ValueRange args) {
                              return arith::DivFOp::create(
                                  nb, nl, args[0],
                                  buildScalar(nb, nl, stashElement, count));
                            });
  };
  LayerNormStats stats;
  stats.mean = meanOf(sumOverAxes(b, loc, x, axes, type, stashType));
  stats.centered = buildElementwise(
      b, loc, ValueRange{x, stats.mean}, shapeOf(x), stashElement,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value wide = convertScalar(nb, nl, args[0], type, stashType);
        return arith::SubFOp::create(nb, nl, wide, args[1]);
      });
  Value sumSquares =
      sumOverAxes(b, loc, stats.centered, axes, stashType, stashType, true);
  stats.invStdDev = buildElementwise(
      b, loc, ValueRange{sumSquares}, shapeOf(sumSquares), stashElement,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value var = arith::DivFOp::create(
            nb, nl, args[0], buildScalar(nb, nl, stashElement, count));
        Value stdDev = math::SqrtOp::create(
            nb, nl,
            arith::AddFOp::create(nb, nl, var,
                                  buildScalar(nb, nl, stashElement, epsilon)));
        return arith::DivFOp::create(
            nb, nl, buildScalar(nb, nl, stashElement, 1.0), stdDev);
      });
  return stats;
}

LogicalResult convertLayerNormalization(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type))
    return n.fail("input type " + dataTypeName(type) +
                  " is not supported (expected a float type)");
  auto stashType = static_cast<DataType>(n.getIntAttr("stash_type", 1));
  if (!isFloatType(stashType))
    return n.fail("stash_type " + dataTypeName(stashType) +
                  " is not supported (expected a float type)");
  ArrayRef<int64_t> shape = n.getInputShape(0);
  int64_t rank = shape.size();
  FailureOr<int64_t> axis = n.normalizeAxis(n.getIntAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  if (failed(checkBroadcastsTo(n, 1, shape, "Scale")) ||
      (n.hasInput(2) && failed(checkBroadcastsTo(n, 2, shape, "B"))))
    return failure();
  for (unsigned i : {1u, 2u})
    if (n.hasInput(i) && n.getInputType(i) != type)
      return n.fail("input " + llvm::Twine(i) + " has type " +
                    dataTypeName(n.getInputType(i)) + " but X has " +
                    dataTypeName(type));

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value x = n.getInput(0);
  LayerNormStats stats =
      buildLayerNormStats(b, loc, x, type, trailingAxes(*axis, rank), stashType,
                          n.getFloatAttr("epsilon", 1e-5f));

  // Y = Cast(D * InvStdDev, T) * Scale + B.
  SmallVector<Value> operands = {stats.centered, stats.invStdDev,
                                 n.getInput(1)};
  if (n.hasInput(2))
    operands.push_back(n.getInput(2));
  Value y = buildElementwise(
      b, loc, operands, shape, elementTypeOf(x),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value normalized = arith::MulFOp::create(nb, nl, args[0], args[1]);
        normalized = convertScalar(nb, nl, normalized, stashType, type);
        Value scaled = arith::MulFOp::create(nb, nl, normalized, args[2]);
        if (args.size() > 3)
          scaled = arith::AddFOp::create(nb, nl, scaled, args[3]);
        return scaled;
      });
  n.setOutput(0, y, type);
  n.setOutput(1, stats.mean, stashType);
  n.setOutput(2, stats.invStdDev, stashType);
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormalization
//===----------------------------------------------------------------------===//

/// Reads a per-channel parameter so that it broadcasts against X
/// [N, C, D1...]: [C] becomes [C, 1, ...]; with spatial=0 (opset 7) the
/// parameter is per activation, [C, D1, ...], and broadcasts as it is.
FailureOr<Value> getChannelParam(NodeImporter &n, unsigned i, StringRef name,
                                 bool spatial) {
  ArrayRef<int64_t> xShape = n.getInputShape(0);
  ArrayRef<int64_t> perActivation = xShape.drop_front();
  ArrayRef<int64_t> expected = spatial ? xShape.slice(1, 1) : perActivation;
  if (n.getInputShape(i) != expected)
    return n.fail(name + " has shape " + formatShape(n.getInputShape(i)) +
                  " but X's channels need " + formatShape(expected));
  Value param = n.getInput(i);
  if (!spatial)
    return param;
  SmallVector<int64_t> channelShape(xShape.size() - 1, 1);
  channelShape[0] = xShape[1];
  return buildReshape(n.getBuilder(), n.getLoc(), param, channelShape);
}

LogicalResult convertBatchNormalization(NodeImporter &n) {
  if (n.getIntAttr("training_mode", 0) != 0)
    return n.fail("training_mode=1 is not supported (inference only)");
  for (unsigned i = 1; i < n.getNumOutputs(); ++i)
    if (n.hasOutput(i))
      return n.fail("output " + llvm::Twine(i) +
                    " (running or saved statistics) exists only in training "
                    "mode, which is not supported");
  DataType type = n.getInputType(0);
  if (!isFloatType(type))
    return n.fail("input type " + dataTypeName(type) +
                  " is not supported (expected a float type)");
  if (n.getInputShape(0).size() < 2)
    return n.fail("X must have rank 2 or more (N x C x ...)");

  // The statistics may have other float types than X (opset 15): compute in
  // the widest of them, at least f32.
  DataType computeType = computeTypeFor(type);
  for (unsigned i = 1; i < 5; ++i) {
    DataType paramType = n.getInputType(i);
    if (!isFloatType(paramType))
      return n.fail("input " + llvm::Twine(i) + " has type " +
                    dataTypeName(paramType) + " (expected a float type)");
    if (paramType == DataType::Double)
      computeType = DataType::Double;
  }

  bool spatial = n.getOpset() >= 9 || n.getIntAttr("spatial", 1) != 0;
  SmallVector<Value> operands = {n.getInput(0)};
  SmallVector<DataType> types = {type};
  const char *names[] = {"X", "scale", "B", "input_mean", "input_var"};
  for (unsigned i = 1; i < 5; ++i) {
    FailureOr<Value> param = getChannelParam(n, i, names[i], spatial);
    if (failed(param))
      return failure();
    operands.push_back(*param);
    types.push_back(n.getInputType(i));
  }

  double epsilon = n.getFloatAttr("epsilon", 1e-5f);
  Value y = buildElementwise(
      n.getBuilder(), n.getLoc(), operands, n.getInputShape(0),
      elementTypeOf(operands[0]),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        SmallVector<Value> v;
        for (auto [arg, argType] : llvm::zip(args, types))
          v.push_back(convertScalar(b, loc, arg, argType, computeType));
        Type element = v[0].getType();
        // (x - mean) / sqrt(var + epsilon) * scale + B
        Value stdDev = math::SqrtOp::create(
            b, loc,
            arith::AddFOp::create(b, loc, v[4],
                                  buildScalar(b, loc, element, epsilon)));
        Value normalized = arith::DivFOp::create(
            b, loc, arith::SubFOp::create(b, loc, v[0], v[3]), stdDev);
        Value result = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, normalized, v[1]), v[2]);
        return convertScalar(b, loc, result, computeType, type);
      });
  n.setOutput(0, y, type);
  return success();
}

} // namespace

void qcc::onnx_import::addNormalizationOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  ops.push_back({"", "Softmax", 1, last,
                 [](NodeImporter &n) { return convertSoftmax(n, false); },
                 "float; 2-D coercion before opset 13, single axis after"});
  ops.push_back({"", "LogSoftmax", 1, last,
                 [](NodeImporter &n) { return convertSoftmax(n, true); },
                 "float; 2-D coercion before opset 13, single axis after"});
  ops.push_back({"", "LayerNormalization", 17, last, convertLayerNormalization,
                 "float; optional B; Mean/InvStdDev outputs in stash_type"});
  ops.push_back({"", "BatchNormalization", 7, last, convertBatchNormalization,
                 "float; inference mode only (training_mode=0)"});
}
