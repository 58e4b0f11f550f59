//===- QuantConv.cpp - ONNX ConvInteger and QLinearConv -> linalg ---------===//
//
// Both are computed exactly as ONNX defines them: the codes are widened to
// i32 with their zero points subtracted, convolved with an i32 accumulator
// (ConvBuilder.h), and QLinearConv then adds its i32 bias and requantizes
// with QuantizeLinear's rounding (buildRequantize). Padding reads 0 after the
// shift, i.e. the zero point before it, which is what the spec and its
// reference mean by padding a quantized input.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConvBuilder.h"
#include "ConvPool.h"
#include "QuantBuilders.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Dialect/LowBit/IR/WindowRows.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qcc::onnx_import;
using namespace qcc::lowbit;

namespace {

/// Where a quantized convolution's operands are among the node's inputs
/// (-1: the op has no such input).
struct QuantConvInputs {
  unsigned x, w;
  int xZero, wZero;
};

bool isByteCode(DataType type) {
  return type == DataType::Uint8 || type == DataType::Int8;
}

/// [size, 1, ..., 1] of rank `rank`: a per-channel vector that broadcasts
/// (numpy rules) along dimension 0 of a rank-`rank` tensor.
SmallVector<int64_t> channelShape(int64_t size, size_t rank) {
  SmallVector<int64_t> shape(rank, 1);
  shape[0] = size;
  return shape;
}

/// Checks that input `i` holds one value or (when `perChannel` > 0) a 1-D
/// tensor of one value per output channel.
LogicalResult checkScalarOrPerChannel(NodeImporter &n, unsigned i,
                                      StringRef name, int64_t perChannel) {
  ArrayRef<int64_t> shape = n.getInputShape(i);
  int64_t count = numElements(shape);
  if ((count == 1 && shape.size() <= 1) ||
      (perChannel > 0 && shape.size() == 1 && count == perChannel))
    return success();
  if (perChannel > 0)
    return n.fail(name +
                  " must be a scalar or have one value per output "
                  "channel (" +
                  Twine(perChannel) + ")");
  return n.fail(name + " must be a scalar");
}

/// Checks the codes and zero point at `data`/`zero`: 8-bit codes, a zero
/// point of the same type holding one value or (when `perChannel` > 0) one
/// per channel.
LogicalResult checkCodes(NodeImporter &n, unsigned data, int zero,
                         StringRef dataName, StringRef zeroName,
                         int64_t perChannel) {
  DataType type = n.getInputType(data);
  if (!isByteCode(type))
    return n.fail(dataName + " must be UINT8 or INT8, got " +
                  dataTypeName(type));
  if (zero < 0 || !n.hasInput(zero))
    return success();
  if (n.getInputType(zero) != type)
    return n.fail(zeroName + " type " + dataTypeName(n.getInputType(zero)) +
                  " does not match " + dataName + "'s " + dataTypeName(type));
  return checkScalarOrPerChannel(n, zero, zeroName, perChannel);
}

/// `codes - zeroPoint` widened to i32. A per-channel zero point reads along
/// dimension 0 of the codes (the weight's output channels).
Value widenMinusZero(NodeImporter &n, unsigned data, int zero) {
  Value zeroPoint;
  if (zero >= 0 && n.hasInput(zero)) {
    int64_t count = numElements(n.getInputShape(zero));
    zeroPoint = buildReshape(
        n.getBuilder(), n.getLoc(), n.getInput(zero),
        count == 1 ? SmallVector<int64_t>()
                   : channelShape(count, n.getInputShape(data).size()));
  }
  return buildCodesMinusZero(n, data, zeroPoint);
}

/// A convolution with constant weights as lowbit.matmuls of integer codes
/// (the int8-exact kernel): x's codes padded with its zero point (padding
/// reads zero after the shift), cut into the rows of input windows
/// [N * O..., C * K...] (or [N * O..., K... * C], WindowRows.h) and wrapped
/// with that zero point, times the weight read the same way; the i32 rows
/// back to [N, M, O...]. Grouped (`perMatmul` > 0): one matmul per
/// `perMatmul` groups, on their channels' windows against their
/// block-diagonal weight (blockDiagonalGroupWeights), the products side by
/// side. Null on an import error, or when a grouped weight has no such form.
Value buildIntegerConvAsMatmul(NodeImporter &n, const QuantConvInputs &in,
                               const ConvGeometry &g, int64_t perMatmul) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  ArrayRef<int64_t> xShape = n.getInputShape(in.x), wShape = n.getInputShape(in.w);
  SmallVector<int64_t> outSizes = convOutputSizes(xShape, wShape, g);
  // The weight as [M, Cg * K...]: the same initializer bytes, zero points
  // per tensor or per output channel.
  ArrayRef<int64_t> kernelSizes = wShape.drop_front(2);
  int64_t depth = wShape[1];
  for (int64_t s : kernelSizes)
    depth *= s;
  QTensorInputs weightInputs{static_cast<int>(in.w), -1, in.wZero, 0, 0, {wShape[0], depth}};
  FailureOr<Value> dense = buildQTensor(n, weightInputs);
  if (failed(dense))
    return Value();
  SmallVector<Value> weights = {*dense};
  int64_t channels = wShape[1];
  if (g.group > 1) {
    weights = blockDiagonalGroupWeights(b, *dense, g.group, perMatmul);
    dense->getDefiningOp()->erase();
    if (weights.empty())
      return Value();
    channels *= perMatmul;
  }
  // Columns reordered to (K..., C) when the rows copy channel runs.
  WindowOrder order = orderWindowWeights(b, weights, channels, kernelSizes);

  bool hasXZero = in.xZero >= 0 && n.hasInput(in.xZero);
  Value xZero = hasXZero ? extractScalar(b, loc, buildReshape(b, loc, n.getInput(in.xZero), {}))
                         : Value();
  Value padded = padSpatial(b, loc, n.getInput(in.x), g.padsBegin, g.padsEnd, [&] {
    return xZero ? xZero : buildScalar(b, loc, elementTypeOf(n.getInput(in.x)), 0.0);
  });
  Type storage = getOnnxElementType(context, n.getInputType(in.x));
  SchemeAttr scheme = SchemeAttr::get(context, Granularity::per_tensor, std::nullopt, {},
                                      Type(), hasXZero ? storage : Type(), Type(), Type(),
                                      std::nullopt);
  Value zeros = hasXZero ? castTensorElements(
                               b, loc, buildReshape(b, loc, n.getInput(in.xZero), {}), storage)
                         : Value();
  auto paddedType = cast<RankedTensorType>(padded.getType());
  SmallVector<Value> products;
  for (auto [j, w] : llvm::enumerate(weights)) {
    Value input = padded;
    if (weights.size() > 1) {
      // This matmul's channels [j * channels, (j + 1) * channels).
      SmallVector<OpFoldResult> offsets(paddedType.getRank(), b.getIndexAttr(0)),
          sizes, strides(paddedType.getRank(), b.getIndexAttr(1));
      for (int64_t d : paddedType.getShape())
        sizes.push_back(b.getIndexAttr(d));
      offsets[1] = b.getIndexAttr(int64_t(j) * channels);
      sizes[1] = b.getIndexAttr(channels);
      input = tensor::ExtractSliceOp::create(b, loc, input, offsets, sizes, strides);
    }
    Value rows = buildWindowRows(b, loc, input, kernelSizes, outSizes, g.strides, g.dilations,
                                 order);
    ArrayRef<int64_t> rowsShape = shapeOf(rows);
    auto lhsType = QTensorType::get(context, rowsShape, storage, scheme, LayoutAttr());
    Value lhs = AssembleOp::create(b, loc, lhsType, castTensorElements(b, loc, rows, storage),
                                   Value(), zeros);
    int64_t outChannels = cast<QTensorType>(w.getType()).getShape()[0];
    auto productType = RankedTensorType::get({rowsShape[0], outChannels}, b.getI32Type());
    products.push_back(
        MatmulOp::create(b, loc, productType, lhs, w, Value(), /*transpose_rhs=*/true));
  }
  Value product = concatColumns(b, loc, products);
  return rowsToChannelsFirst(b, loc, product, xShape[0], outSizes);
}

/// A depthwise convolution with constant weights (group = C = M, one input
/// channel per group) on the byte codes, channels last
/// (buildDepthwiseOnCodeBytes), back to [N, C, O...]. In NCHW it widened
/// every code to i32 and read a row per tap (the dynamically quantized
/// CNN's depthwise layers, with their i32 transposes, were a third of it).
/// Null when the node is not of that form.
Value buildIntegerDepthwise(NodeImporter &n, const QuantConvInputs &in, const ConvGeometry &g) {
  ArrayRef<int64_t> xShape = n.getInputShape(in.x), wShape = n.getInputShape(in.w);
  if (xShape.size() < 3 || xShape.size() > 5 || g.group != xShape[1] || wShape[0] != xShape[1] ||
      wShape[1] != 1)
    return Value();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Type i8 = b.getI8Type();
  Value codes = castTensorElements(b, loc, n.getInput(in.x), i8);
  Value zeroByte;
  if (in.xZero >= 0 && n.hasInput(in.xZero))
    zeroByte = extractScalar(
        b, loc, castTensorElements(b, loc, buildReshape(b, loc, n.getInput(in.xZero), {}), i8));
  Value acc = buildDepthwiseOnCodeBytes(b, loc, codes, zeroByte,
                                        n.getInputType(in.x) == DataType::Uint8,
                                        widenMinusZero(n, in.w, in.wZero), g);
  return buildTranspose(b, loc, acc, channelsFirstPermutation(xShape.size()));
}

/// The exact i32 convolution of the zero-point-shifted codes.
FailureOr<Value> buildIntegerConv(NodeImporter &n, const QuantConvInputs &in) {
  ArrayRef<int64_t> xShape = n.getInputShape(in.x);
  ArrayRef<int64_t> wShape = n.getInputShape(in.w);
  int64_t outChannels = wShape.empty() ? 0 : wShape[0];
  if (failed(checkCodes(n, in.x, in.xZero, "x", "x_zero_point", 0)) ||
      failed(checkCodes(n, in.w, in.wZero, "w", "w_zero_point", outChannels)))
    return failure();
  FailureOr<ConvGeometry> geometry = readConvGeometry(n, xShape, wShape);
  if (failed(geometry))
    return failure();
  // Constant weights (and zero points): one integer matmul on window rows.
  bool constantWeight = n.getConstantInput(in.w) &&
                        (in.wZero < 0 || !n.hasInput(in.wZero) || n.getConstantInput(in.wZero));
  if (geometry->group == 1 && constantWeight) {
    Value product = buildIntegerConvAsMatmul(n, in, *geometry, 0);
    if (!product)
      return failure();
    return product;
  }
  // Grouped, where a few groups together fill the int8 tiles: one matmul
  // per block of groups, on block-diagonal weights (the zeros cost up to
  // 16x the products, against a plain convolution loop an order of
  // magnitude slower than the tiles).
  if (geometry->group > 1 && constantWeight)
    if (Value product = buildIntegerDepthwise(n, in, *geometry))
      return product;
  if (geometry->group > 1 && constantWeight) {
    int64_t window = 1;
    for (int64_t s : wShape.drop_front(2))
      window *= s;
    if (int64_t perMatmul =
            groupsPerMatmul(geometry->group, outChannels / geometry->group, wShape[1] * window))
      if (Value product = buildIntegerConvAsMatmul(n, in, *geometry, perMatmul))
        return product;
  }
  Value x = widenMinusZero(n, in.x, in.xZero);
  Value w = widenMinusZero(n, in.w, in.wZero);
  return buildConvolution(n.getBuilder(), n.getLoc(), x, w, *geometry,
                          n.getBuilder().getI32Type());
}

LogicalResult convertConvInteger(NodeImporter &n) {
  FailureOr<Value> acc = buildIntegerConv(n, {0, 1, 2, 3});
  if (failed(acc))
    return failure();
  n.setOutput(0, *acc, DataType::Int32);
  return success();
}

/// Checks that scale input `i` is FLOAT with one value, or (`perChannel` > 0)
/// one per output channel.
LogicalResult checkScale(NodeImporter &n, unsigned i, StringRef name,
                         int64_t perChannel) {
  if (n.getInputType(i) != DataType::Float)
    return n.fail(name + " must be FLOAT, got " +
                  dataTypeName(n.getInputType(i)));
  return checkScalarOrPerChannel(n, i, name, perChannel);
}

LogicalResult convertQLinearConv(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  int64_t outChannels = n.getInputShape(3).empty() ? 0 : n.getInputShape(3)[0];
  DataType outType = n.getInputType(7);
  if (!isByteCode(outType))
    return n.fail("y_zero_point must be UINT8 or INT8, got " +
                  dataTypeName(outType));
  if (numElements(n.getInputShape(7)) != 1)
    return n.fail("y_zero_point must be a scalar");
  if (failed(checkScale(n, 1, "x_scale", 0)) ||
      failed(checkScale(n, 4, "w_scale", outChannels)) ||
      failed(checkScale(n, 6, "y_scale", 0)))
    return failure();
  bool hasBias = n.hasInput(8);
  if (hasBias &&
      (n.getInputType(8) != DataType::Int32 || n.getInputShape(8).size() != 1 ||
       n.getInputShape(8)[0] != outChannels))
    return n.fail("the bias must be a 1-D INT32 tensor of the weight's " +
                  Twine(outChannels) + " output channels");
  FailureOr<Value> acc = buildIntegerConv(n, {0, 3, 2, 5});
  if (failed(acc))
    return failure();

  // The accumulator is [N, M, O...]: per-channel values broadcast as
  // [M, 1, ...].
  size_t channelRank = shapeOf(*acc).size() - 1;
  if (hasBias) {
    Value bias = buildReshape(b, loc, n.getInput(8),
                              channelShape(outChannels, channelRank));
    acc = buildElementwise(
        b, loc, ValueRange{*acc, bias}, shapeOf(*acc), b.getI32Type(),
        [](OpBuilder &nb, Location nl, ValueRange args) {
          return arith::AddIOp::create(nb, nl, args[0], args[1]);
        });
  }
  // multiplier[m] = x_scale * w_scale[m] / y_scale, in f32 as QLinearMatMul.
  Value xScale = extractScalar(b, loc, buildReshape(b, loc, n.getInput(1), {}));
  Value yScale = extractScalar(b, loc, buildReshape(b, loc, n.getInput(6), {}));
  int64_t scales = numElements(n.getInputShape(4));
  Value wScale = buildReshape(b, loc, n.getInput(4),
                              scales == 1 ? SmallVector<int64_t>()
                                          : channelShape(scales, channelRank));
  Value multiplier = buildElementwise(
      b, loc, ValueRange{wScale}, shapeOf(wScale), b.getF32Type(),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value product = arith::MulFOp::create(nb, nl, xScale, args[0]);
        return arith::DivFOp::create(nb, nl, product, yScale);
      });
  Value yZero = buildReshape(b, loc, n.getInput(7), {});
  n.setOutput(0, buildRequantize(b, loc, *acc, multiplier, yZero, outType),
              outType);
  return success();
}

} // namespace

void qcc::onnx_import::addQuantConvOps(std::vector<OpSupport> &ops) {
  ops.push_back({"", "ConvInteger", 10, 23, convertConvInteger,
                 "uint8/int8 x and w; scalar x_zero_point, scalar or "
                 "per-output-channel w_zero_point; exact int32 output; "
                 "Conv's attributes (group, dilations, pads, auto_pad)"});
  ops.push_back({"", "QLinearConv", 10, 23, convertQLinearConv,
                 "uint8/int8; scalar or per-output-channel w_scale and "
                 "w_zero_point; int32 bias; exact int32 accumulation, then "
                 "QuantizeLinear's rounding"});
}
