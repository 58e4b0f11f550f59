//===- Resize.cpp - ONNX Resize -> linalg.generic -------------------------===//
//
// Resize is a linalg.generic over the output that computes each source
// coordinate with arith, in f64 as the ONNX reference does, and reads the
// input with tensor.extract: nearest (any type) or N-linear (float).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConvPool.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

enum class CoordMode {
  HalfPixel,
  HalfPixelSymmetric,
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfHalfPixelForNN,
};
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

/// What Resize does on one axis.
struct ResizeAxis {
  int64_t in = 1, out = 1;
  double scale = 1.0;
  /// out == in and every output position reads its own index.
  bool identity = true;
};

struct ResizePlan {
  bool linear = false;
  CoordMode coord = CoordMode::HalfPixel;
  NearestMode nearest = NearestMode::RoundPreferFloor;
  SmallVector<ResizeAxis> axes;
};

LogicalResult readResizeModes(NodeImporter &n, ResizePlan &plan) {
  std::string mode = n.getStringAttr("mode", "nearest");
  if (mode == "cubic")
    return n.fail("mode 'cubic' is not supported (nearest and linear are)");
  if (mode != "nearest" && mode != "linear")
    return n.fail("unknown mode '" + mode + "'");
  plan.linear = mode == "linear";
  // Opset 10 had neither attribute: asymmetric coordinates, floor.
  if (n.getOpset() < 11) {
    plan.coord = CoordMode::Asymmetric;
    plan.nearest = NearestMode::Floor;
    return success();
  }
  std::string coord =
      n.getStringAttr("coordinate_transformation_mode", "half_pixel");
  if (coord == "tf_crop_and_resize")
    return n.fail("coordinate_transformation_mode 'tf_crop_and_resize' is "
                  "not supported");
  std::optional<CoordMode> coordMode =
      llvm::StringSwitch<std::optional<CoordMode>>(coord)
          .Case("half_pixel", CoordMode::HalfPixel)
          .Case("half_pixel_symmetric", CoordMode::HalfPixelSymmetric)
          .Case("pytorch_half_pixel", CoordMode::PytorchHalfPixel)
          .Case("align_corners", CoordMode::AlignCorners)
          .Case("asymmetric", CoordMode::Asymmetric)
          .Case("tf_half_pixel_for_nn", CoordMode::TfHalfPixelForNN)
          .Default(std::nullopt);
  if (!coordMode)
    return n.fail("unknown coordinate_transformation_mode '" + coord + "'");
  plan.coord = *coordMode;
  std::string nearest = n.getStringAttr("nearest_mode", "round_prefer_floor");
  std::optional<NearestMode> nearestMode =
      llvm::StringSwitch<std::optional<NearestMode>>(nearest)
          .Case("round_prefer_floor", NearestMode::RoundPreferFloor)
          .Case("round_prefer_ceil", NearestMode::RoundPreferCeil)
          .Case("floor", NearestMode::Floor)
          .Case("ceil", NearestMode::Ceil)
          .Default(std::nullopt);
  if (!nearestMode)
    return n.fail("unknown nearest_mode '" + nearest + "'");
  plan.nearest = *nearestMode;
  return success();
}

/// Fills plan.axes from the scales or sizes input (and opset 18's axes and
/// keep_aspect_ratio_policy).
LogicalResult readResizeShape(NodeImporter &n, ResizePlan &plan) {
  ArrayRef<int64_t> shape = n.getInputShape(0);
  int64_t rank = shape.size();
  unsigned scalesIndex = n.getOpset() < 11 ? 1 : 2;
  auto given = [&](unsigned i) {
    return n.hasInput(i) && numElements(n.getInputShape(i)) > 0;
  };
  bool hasScales = given(scalesIndex);
  bool hasSizes = n.getOpset() >= 11 && given(3);
  if (hasScales == hasSizes)
    return n.fail("exactly one of scales and sizes must be given");

  SmallVector<int64_t> axes;
  if (std::optional<SmallVector<int64_t>> attr = n.getIntsAttr("axes")) {
    for (int64_t axis : *attr) {
      FailureOr<int64_t> normalized = n.normalizeAxis(axis, rank, "axes");
      if (failed(normalized))
        return failure();
      axes.push_back(*normalized);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  plan.axes.assign(rank, ResizeAxis());
  for (int64_t i = 0; i < rank; ++i)
    plan.axes[i].in = plan.axes[i].out = shape[i];

  StringRef what = hasScales ? "scales" : "sizes";
  const HostTensor *values = n.getConstantInput(hasScales ? scalesIndex : 3);
  if (!values)
    return n.fail(what + " must be known at compile time (a constant input)");
  if (values->getNumElements() != static_cast<int64_t>(axes.size()))
    return n.fail(what + " has " + Twine(values->getNumElements()) +
                  " values; expected " + Twine(axes.size()));
  if (hasScales) {
    std::vector<double> scales = values->toDouble();
    for (auto [axis, scale] : llvm::zip(axes, scales)) {
      if (!(scale > 0))
        return n.fail("scales must be positive");
      ResizeAxis &a = plan.axes[axis];
      a.scale = scale;
      a.out = static_cast<int64_t>(std::floor(a.in * scale));
    }
  } else {
    std::vector<int64_t> sizes = values->toInt64();
    std::string policy = n.getStringAttr("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch" && policy != "not_larger" &&
        policy != "not_smaller")
      return n.fail("unknown keep_aspect_ratio_policy '" + policy + "'");
    std::optional<double> common;
    for (auto [axis, size] : llvm::zip(axes, sizes)) {
      double ratio = static_cast<double>(size) / plan.axes[axis].in;
      if (!common)
        common = ratio;
      else
        common = policy == "not_larger" ? std::min(*common, ratio)
                                        : std::max(*common, ratio);
    }
    for (auto [axis, size] : llvm::zip(axes, sizes)) {
      ResizeAxis &a = plan.axes[axis];
      if (policy == "stretch") {
        a.out = size;
        a.scale = static_cast<double>(size) / a.in;
      } else {
        a.scale = *common;
        a.out = static_cast<int64_t>(std::floor(a.scale * a.in + 0.5));
      }
    }
  }
  for (ResizeAxis &a : plan.axes) {
    if (a.out < 1)
      return n.fail("the output would have an empty axis");
    // Every coordinate mode but tf_half_pixel_for_nn maps x to x when
    // nothing is scaled.
    a.identity = a.out == a.in && a.scale == 1.0 &&
                 plan.coord != CoordMode::TfHalfPixelForNN;
  }
  return success();
}

Value f64Constant(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(value));
}

/// x_original for output index `index` on `axis`, in f64 as the ONNX
/// reference computes it.
Value sourceCoordinate(OpBuilder &b, Location loc, Value index,
                       const ResizeAxis &axis, CoordMode mode) {
  Value x = arith::SIToFPOp::create(
      b, loc, b.getF64Type(),
      arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
  auto cst = [&](double v) { return f64Constant(b, loc, v); };
  // The reference (and the backend tests' expected numbers) take the resized
  // length as scale * in, not the truncated output size: they differ when
  // scales do not divide evenly.
  double resizedLength = axis.scale * axis.in;
  auto halfPixel = [&]() {
    Value shifted = arith::AddFOp::create(b, loc, x, cst(0.5));
    Value scaled = arith::DivFOp::create(b, loc, shifted, cst(axis.scale));
    return arith::SubFOp::create(b, loc, scaled, cst(0.5));
  };
  switch (mode) {
  case CoordMode::HalfPixel:
    return halfPixel();
  case CoordMode::PytorchHalfPixel:
    return resizedLength > 1 ? halfPixel() : cst(0.0);
  case CoordMode::HalfPixelSymmetric: {
    double adjustment = axis.out / resizedLength;
    double offset = axis.in / 2.0 * (1 - adjustment);
    return arith::AddFOp::create(b, loc, cst(offset), halfPixel());
  }
  case CoordMode::AlignCorners:
    if (resizedLength == 1)
      return cst(0.0);
    return arith::DivFOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, cst(axis.in - 1)),
        cst(resizedLength - 1));
  case CoordMode::Asymmetric:
    return arith::DivFOp::create(b, loc, x, cst(axis.scale));
  case CoordMode::TfHalfPixelForNN:
    return arith::DivFOp::create(
        b, loc, arith::AddFOp::create(b, loc, x, cst(0.5)), cst(axis.scale));
  }
  llvm_unreachable("unknown coordinate mode");
}

/// An integral f64 coordinate clamped to [0, in) as an index.
Value clampedIndex(OpBuilder &b, Location loc, Value coordinate, int64_t in) {
  Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), coordinate);
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  Value last = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(in - 1));
  i = arith::MaxSIOp::create(b, loc, i, zero);
  i = arith::MinSIOp::create(b, loc, i, last);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
}

Value nearestIndex(OpBuilder &b, Location loc, Value x, int64_t in,
                   NearestMode mode) {
  Value rounded;
  switch (mode) {
  case NearestMode::RoundPreferFloor: // ties go down: ceil(x - 0.5)
    rounded = math::CeilOp::create(
        b, loc, arith::SubFOp::create(b, loc, x, f64Constant(b, loc, 0.5)));
    break;
  case NearestMode::RoundPreferCeil: // ties go up: floor(x + 0.5)
    rounded = math::FloorOp::create(
        b, loc, arith::AddFOp::create(b, loc, x, f64Constant(b, loc, 0.5)));
    break;
  case NearestMode::Floor:
    rounded = math::FloorOp::create(b, loc, x);
    break;
  case NearestMode::Ceil:
    rounded = math::CeilOp::create(b, loc, x);
    break;
  }
  return clampedIndex(b, loc, rounded, in);
}

/// The two neighbours of a coordinate and their weights.
struct LinearTaps {
  Value lo, hi, loWeight, hiWeight;
};

LinearTaps linearTaps(OpBuilder &b, Location loc, Value x, int64_t in,
                      Type compute) {
  Value floor = math::FloorOp::create(b, loc, x);
  Value hiWeight = arith::SubFOp::create(b, loc, x, floor);
  Value loWeight =
      arith::SubFOp::create(b, loc, f64Constant(b, loc, 1.0), hiWeight);
  Value next = arith::AddFOp::create(b, loc, floor, f64Constant(b, loc, 1.0));
  auto narrow = [&](Value w) -> Value {
    return compute.isF64() ? w : arith::TruncFOp::create(b, loc, compute, w);
  };
  return {clampedIndex(b, loc, floor, in), clampedIndex(b, loc, next, in),
          narrow(loWeight), narrow(hiWeight)};
}

/// The body of the Resize generic: reads `input` around the source of the
/// current output position.
Value buildResizeBody(OpBuilder &b, Location loc, Value input,
                      const ResizePlan &plan) {
  int64_t rank = plan.axes.size();
  SmallVector<Value> indices(rank);
  SmallVector<int64_t> interpolated;
  SmallVector<LinearTaps> taps;
  Type element = elementTypeOf(input);
  Type compute = accumulatorFor(element);
  for (int64_t d = 0; d < rank; ++d) {
    const ResizeAxis &axis = plan.axes[d];
    Value index = linalg::IndexOp::create(b, loc, d);
    if (axis.identity) {
      indices[d] = index;
      continue;
    }
    Value x = sourceCoordinate(b, loc, index, axis, plan.coord);
    if (!plan.linear) {
      indices[d] = nearestIndex(b, loc, x, axis.in, plan.nearest);
      continue;
    }
    interpolated.push_back(d);
    taps.push_back(linearTaps(b, loc, x, axis.in, compute));
  }
  if (interpolated.empty())
    return tensor::ExtractOp::create(b, loc, input, indices);

  // N-linear: the weighted sum over the 2^k corners around the source.
  Value sum;
  for (unsigned corner = 0; corner < (1u << interpolated.size()); ++corner) {
    Value weight;
    for (auto [bit, d] : llvm::enumerate(interpolated)) {
      bool high = corner & (1u << bit);
      indices[d] = high ? taps[bit].hi : taps[bit].lo;
      Value w = high ? taps[bit].hiWeight : taps[bit].loWeight;
      weight = weight ? Value(arith::MulFOp::create(b, loc, weight, w)) : w;
    }
    Value value = extendTo(
        b, loc, tensor::ExtractOp::create(b, loc, input, indices), compute);
    Value term = arith::MulFOp::create(b, loc, weight, value);
    sum = sum ? Value(arith::AddFOp::create(b, loc, sum, term)) : term;
  }
  return truncateTo(b, loc, sum, element);
}

LogicalResult convertResize(NodeImporter &n) {
  ResizePlan plan;
  if (failed(readResizeModes(n, plan)) || failed(readResizeShape(n, plan)))
    return failure();
  DataType type = n.getInputType(0);
  if (plan.linear && !isFloatType(type))
    return n.fail("mode 'linear' on " + dataTypeName(type) +
                  " tensors is not supported (float types only)");
  // Antialiasing only changes linear downsampling.
  if (plan.linear && n.getIntAttr("antialias", 0) != 0 &&
      llvm::any_of(plan.axes, [](const ResizeAxis &a) { return a.scale < 1; }))
    return n.fail("antialias is not supported");

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value input = n.getInput(0);
  SmallVector<int64_t> outShape;
  for (const ResizeAxis &axis : plan.axes)
    outShape.push_back(axis.out);
  Value init = createEmptyTensor(b, loc, outShape, elementTypeOf(input));
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(outShape.size(), b.getContext())};
  SmallVector<utils::IteratorType> iterators(outShape.size(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange) {
        linalg::YieldOp::create(nb, nl, buildResizeBody(nb, nl, input, plan));
      });
  n.setOutput(0, generic.getResult(0), type);
  return success();
}

} // namespace

void qcc::onnx_import::addResizeOps(std::vector<OpSupport> &ops) {
  ops.push_back({"", "Resize", 10, 23, convertResize,
                 "nearest (any type), linear (float); constant scales or "
                 "sizes; axes, keep_aspect_ratio_policy; no cubic, "
                 "antialias, tf_crop_and_resize"});
}
