//===- ConstantOps.cpp - ONNX Constant, ConstantOfShape, Range ------------===//
//
// All three produce values known at compile time: small ones are recorded
// as host tensors (so shape arithmetic keeps folding), large
// ConstantOfShape fills become splat arith.constants.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "DataMovement.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

/// Range and ConstantOfShape outputs are always known; past this they would
/// only blow up compile time.
constexpr int64_t kMaxRangeElements = int64_t(1) << 24;

LogicalResult convertRange(NodeImporter &n) {
  const HostTensor *start = n.getConstantInput(0);
  const HostTensor *limit = n.getConstantInput(1);
  const HostTensor *delta = n.getConstantInput(2);
  if (!start || !limit || !delta)
    return n.fail("start, limit and delta must be known at compile time (the "
                  "output's size depends on them)");
  DataType type = n.getInputType(0);
  if (n.getInputType(1) != type || n.getInputType(2) != type)
    return n.fail("start, limit and delta must have the same type");
  if (start->getNumElements() != 1 || limit->getNumElements() != 1 ||
      delta->getNumElements() != 1)
    return n.fail("start, limit and delta must be scalars");
  int64_t count;
  if (isFloatType(type)) {
    // In the input's precision, as the reference computes the length.
    double s = start->toDouble()[0], l = limit->toDouble()[0],
           d = delta->toDouble()[0];
    if (d == 0)
      return n.fail("delta must not be 0");
    double steps =
        type == DataType::Double
            ? std::ceil((l - s) / d)
            : std::ceil(static_cast<float>(static_cast<float>(l - s) /
                                           static_cast<float>(d)));
    count = static_cast<int64_t>(std::max(steps, 0.0));
    if (count > kMaxRangeElements)
      return n.fail("the output has " + llvm::Twine(count) +
                    " elements; at most " + llvm::Twine(kMaxRangeElements) +
                    " are supported");
    std::vector<double> values(count);
    for (int64_t i = 0; i < count; ++i)
      values[i] = type == DataType::Double
                      ? s + i * d
                      : static_cast<float>(static_cast<float>(s) +
                                           static_cast<float>(i) *
                                               static_cast<float>(d));
    n.setConstantOutput(0, HostTensor::fromDouble(type, {count}, values));
    return success();
  }
  if (!isIntegerType(type))
    return n.fail("type " + dataTypeName(type) + " is not supported");
  int64_t s = start->toInt64()[0], l = limit->toInt64()[0],
          d = delta->toInt64()[0];
  if (d == 0)
    return n.fail("delta must not be 0");
  int64_t distance = l - s;
  count = d > 0 ? (distance > 0 ? (distance + d - 1) / d : 0)
                : (distance < 0 ? (distance + d + 1) / d : 0);
  if (count > kMaxRangeElements)
    return n.fail("the output has " + llvm::Twine(count) +
                  " elements; at most " + llvm::Twine(kMaxRangeElements) +
                  " are supported");
  std::vector<int64_t> values(count);
  for (int64_t i = 0; i < count; ++i)
    values[i] = s + i * d;
  n.setConstantOutput(0, HostTensor::fromInt64(type, {count}, values));
  return success();
}

LogicalResult convertConstantOfShape(NodeImporter &n) {
  FailureOr<std::vector<int64_t>> dims = n.getConstantInts(0, "shape");
  if (failed(dims))
    return failure();
  SmallVector<int64_t> shape(dims->begin(), dims->end());
  if (llvm::any_of(shape, [](int64_t s) { return s < 0; }))
    return n.fail("shape " + formatShape(shape) + " has a negative dimension");
  HostTensor value = HostTensor::fromDouble(DataType::Float, {1}, {0.0});
  if (n.hasAttr("value")) {
    FailureOr<HostTensor> attr = n.getTensorAttr("value");
    if (failed(attr))
      return failure();
    if (attr->getNumElements() != 1)
      return n.fail("'value' must have one element, has " +
                    llvm::Twine(attr->getNumElements()));
    value = *attr;
  }
  std::optional<HostData> element = loadHost(value);
  if (!element)
    return n.fail("value type " + dataTypeName(value.getType()) +
                  " is not supported");
  int64_t count = numElements(shape);
  if (count <= kMaxFoldElements) {
    std::vector<uint64_t> bits(count, element->bits[0]);
    n.setConstantOutput(0, storeHost(value.getType(), shape, bits));
    return success();
  }
  // Large fills are splat constants: one value in the IR, whatever the size.
  auto splat = cast<DenseElementsAttr>(
      value.reshaped({1}).toAttribute(n.getContext(), "value"));
  Value result = arith::ConstantOp::create(
      n.getBuilder(), n.getLoc(),
      splat.resizeSplat(RankedTensorType::get(shape, splat.getElementType())));
  n.setOutput(0, result, value.getType());
  return success();
}

LogicalResult convertConstant(NodeImporter &n) {
  if (n.hasAttr("sparse_value"))
    return n.fail("sparse_value is not supported (sparse tensors are not "
                  "supported; store the constant as a dense 'value')");
  if (n.hasAttr("value_string") || n.hasAttr("value_strings"))
    return n.fail("string constants are not supported");
  if (n.hasAttr("value")) {
    FailureOr<HostTensor> value = n.getTensorAttr("value");
    if (failed(value))
      return failure();
    n.setConstantOutput(0, *value);
    return success();
  }
  if (n.hasAttr("value_float")) {
    n.setConstantOutput(
        0, HostTensor::fromDouble(DataType::Float, {},
                                  {double(n.getFloatAttr("value_float", 0))}));
    return success();
  }
  if (auto floats = n.getFloatsAttr("value_floats")) {
    std::vector<double> values(floats->begin(), floats->end());
    n.setConstantOutput(
        0, HostTensor::fromDouble(
               DataType::Float, {static_cast<int64_t>(values.size())}, values));
    return success();
  }
  if (n.hasAttr("value_int")) {
    n.setConstantOutput(0,
                        HostTensor::fromInt64(DataType::Int64, {},
                                              {n.getIntAttr("value_int", 0)}));
    return success();
  }
  if (auto ints = n.getIntsAttr("value_ints")) {
    n.setConstantOutput(
        0, HostTensor::fromInt64(DataType::Int64,
                                 {static_cast<int64_t>(ints->size())}, *ints));
    return success();
  }
  return n.fail("expected one of the attributes value, value_float, "
                "value_floats, value_int, value_ints");
}

} // namespace

void qcc::onnx_import::addConstantOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  ops.push_back({"", "Range", 11, last, convertRange,
                 "float, int; inputs known at compile time (folded)"});
  ops.push_back({"", "ConstantOfShape", 9, last, convertConstantOfShape,
                 "shape known at compile time"});
  ops.push_back({"", "Constant", 1, last, convertConstant,
                 "value, value_float(s), value_int(s); not sparse or string"});
}
