//===- QuantOps.cpp - ONNX quantized ops -> lowbit ---------------------===//
//
// QuantizeLinear/DequantizeLinear become lowbit.quantize/dequantize on one
// qtensor value; a weight initializer read by DequantizeLinear becomes one
// lowbit.constant whose packed bytes are the initializer's own bytes (ONNX
// packs sub-byte types low bits first, which is lowbit's row_major layout).
// The integer matmuls (MatMulInteger, QLinearMatMul, MatMulNBits) become
// lowbit.matmul; requantization follows QuantizeLinear's definition:
// saturate(round_half_even(acc * multiplier) + zero_point).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeImporter.h"
#include "QuantBuilders.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Formats/BitPacking.h"
#include "qcc/Formats/Codebook.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;
using lowbit::Granularity;
using lowbit::QTensorType;
using lowbit::SchemeAttr;

//===----------------------------------------------------------------------===//
// Shared pieces (QuantBuilders.h)
//===----------------------------------------------------------------------===//

bool qcc::onnx_import::isQuantStorageType(DataType type) {
  switch (type) {
  case DataType::Int8: case DataType::Uint8: case DataType::Int16:
  case DataType::Uint16: case DataType::Int4: case DataType::Uint4:
  case DataType::Float8E4M3FN: case DataType::Float8E4M3FNUZ:
  case DataType::Float8E5M2: case DataType::Float8E5M2FNUZ:
  case DataType::Float4E2M1:
    return true;
  default:
    return false;
  }
}

FailureOr<QTensorType> qcc::onnx_import::makeQTensorType(
    NodeImporter &n, ArrayRef<int64_t> shape, Type storage, SchemeAttr scheme) {
  std::string message;
  {
    ScopedDiagnosticHandler handler(n.getContext(), [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    auto emitError = [&]() { return mlir::emitError(n.getLoc()); };
    if (succeeded(lowbit::verifyQTensorParts(emitError, shape, storage, scheme,
                                             lowbit::LayoutAttr())))
      return QTensorType::get(n.getContext(), shape, storage, scheme,
                              lowbit::LayoutAttr());
  }
  return n.fail(message);
}

FailureOr<QuantLayout> qcc::onnx_import::inferQuantLayout(
    NodeImporter &n, ArrayRef<int64_t> dataShape, ArrayRef<int64_t> paramShape,
    int64_t axis, int64_t blockSize) {
  int64_t rank = dataShape.size();
  QuantLayout layout;
  if (numElements(paramShape) == 1 && paramShape.size() <= 1 && blockSize == 0) {
    layout.granularity = Granularity::per_tensor;
    return layout;
  }
  FailureOr<int64_t> normalized = n.normalizeAxis(axis, rank);
  if (failed(normalized))
    return failure();
  layout.axis = *normalized;
  if (blockSize > 0) {
    int64_t dim = dataShape[layout.axis];
    if (dim % blockSize != 0)
      return n.fail("block_size " + llvm::Twine(blockSize) +
                    " does not divide dimension " + llvm::Twine(layout.axis) +
                    " (size " + llvm::Twine(dim) +
                    "); padded last blocks are not supported");
    SmallVector<int64_t> expected(dataShape);
    expected[layout.axis] = dim / blockSize;
    if (paramShape != ArrayRef<int64_t>(expected))
      return n.fail("blocked scale shape does not match: expected the input "
                    "shape with dimension " +
                    llvm::Twine(layout.axis) + " divided by block_size");
    layout.granularity = Granularity::per_block;
    layout.block.assign(rank, 1);
    layout.block[layout.axis] = blockSize;
    layout.paramShape = expected;
    return layout;
  }
  if (paramShape.size() != 1 || paramShape[0] != dataShape[layout.axis])
    return n.fail("scale of shape [" +
                  llvm::Twine(paramShape.empty() ? 0 : paramShape[0]) +
                  (paramShape.size() > 1 ? ",...]" : "]") +
                  " fits neither per-tensor nor per-axis quantization along "
                  "axis " + llvm::Twine(layout.axis));
  layout.granularity = Granularity::per_axis;
  layout.paramShape = {dataShape[layout.axis]};
  return layout;
}

SchemeAttr qcc::onnx_import::makeScheme(MLIRContext *context,
                                        const QuantLayout &layout, Type scale,
                                        Type zeroPoint) {
  std::optional<int64_t> axis;
  if (layout.granularity == Granularity::per_axis)
    axis = layout.axis;
  return SchemeAttr::get(context, layout.granularity, axis, layout.block, scale,
                         zeroPoint, {}, {}, std::nullopt);
}

Value qcc::onnx_import::castTensorElements(OpBuilder &b, Location loc,
                                           Value tensor, Type element) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == element)
    return tensor;
  return tensor::BitcastOp::create(b, loc, type.clone(element), tensor);
}

ElementsAttr qcc::onnx_import::integerAttr(const HostTensor &tensor,
                                           ArrayRef<int64_t> shape,
                                           Type element) {
  unsigned width = element.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (int64_t value : tensor.toInt64())
    values.push_back(APInt(width, value, /*isSigned=*/true,
                           /*implicitTrunc=*/true));
  return DenseElementsAttr::get(RankedTensorType::get(shape, element), values);
}

Value qcc::onnx_import::buildRequantize(OpBuilder &b, Location loc,
                                        Value accumulator, Value multiplier,
                                        Value zeroPoint, DataType outType) {
  ArrayRef<int64_t> shape = shapeOf(accumulator);
  Type outElement = getSignlessElementType(b.getContext(), outType);
  unsigned bits = dataTypeBits(outType);
  bool isUnsigned = isUnsignedType(outType);
  double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, bits - 1);
  double hi = isUnsigned ? std::ldexp(1.0, bits) - 1 : std::ldexp(1.0, bits - 1) - 1;
  SmallVector<Value> inputs = {accumulator, multiplier};
  if (zeroPoint)
    inputs.push_back(zeroPoint);
  return buildElementwise(
      b, loc, inputs, shape, outElement,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Type f32 = nb.getF32Type();
        Value acc = arith::SIToFPOp::create(nb, nl, f32, args[0]);
        Value scaled = math::RoundEvenOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, acc, args[1]));
        if (zeroPoint)
          scaled = arith::AddFOp::create(
              nb, nl, scaled,
              convertScalar(nb, nl, args[2], outType, DataType::Float));
        Value clamped = arith::MaximumFOp::create(
            nb, nl, buildScalar(nb, nl, f32, lo),
            arith::MinimumFOp::create(nb, nl, buildScalar(nb, nl, f32, hi),
                                      scaled));
        return convertScalar(nb, nl, clamped, DataType::Float, outType);
      });
}

Value qcc::onnx_import::buildCodesMinusZero(NodeImporter &n, unsigned data,
                                            Value zeroPoint) {
  OpBuilder &b = n.getBuilder();
  DataType type = n.getInputType(data);
  SmallVector<Value> inputs = {n.getInput(data)};
  if (zeroPoint)
    inputs.push_back(zeroPoint);
  return buildElementwise(
      b, n.getLoc(), inputs, n.getInputShape(data), b.getI32Type(),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = convertScalar(nb, nl, args[0], type, DataType::Int32);
        if (args.size() > 1)
          x = arith::SubIOp::create(
              nb, nl, x, convertScalar(nb, nl, args[1], type, DataType::Int32));
        return x;
      });
}

FailureOr<Value> qcc::onnx_import::buildQTensor(NodeImporter &n,
                                                const QTensorInputs &in) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  DataType dataType = n.getInputType(in.data);
  if (!isQuantStorageType(dataType))
    return n.fail("quantized input type " + dataTypeName(dataType) +
                  " is not supported (expected INT8, UINT8, INT16, UINT16, "
                  "INT4, UINT4, FLOAT8 or FLOAT4E2M1)");
  Type storage = getOnnxElementType(context, dataType);
  ArrayRef<int64_t> dataShape =
      in.viewShape.empty() ? n.getInputShape(in.data) : ArrayRef<int64_t>(in.viewShape);
  bool hasScale = in.scale >= 0 && n.hasInput(in.scale);
  bool hasZero = in.zeroPoint >= 0 && n.hasInput(in.zeroPoint);
  bool floatStorage = !isIntegerType(dataType);

  // A float8/float4 zero point must be zero (ONNX); it adds nothing.
  if (hasZero && floatStorage) {
    const HostTensor *zero = n.getConstantInput(in.zeroPoint);
    std::vector<double> values = zero ? zero->toDouble() : std::vector<double>{1};
    if (!zero || llvm::any_of(values, [](double v) { return v != 0.0; }))
      return n.fail("a " + dataTypeName(dataType) +
                    " zero point must be a constant zero");
    hasZero = false;
  }
  if (hasZero && n.getInputType(in.zeroPoint) != dataType)
    return n.fail("zero point type " + dataTypeName(n.getInputType(in.zeroPoint)) +
                  " does not match the quantized type " + dataTypeName(dataType));

  ArrayRef<int64_t> paramShape =
      hasScale ? n.getInputShape(in.scale)
               : (hasZero ? n.getInputShape(in.zeroPoint) : ArrayRef<int64_t>{});
  FailureOr<QuantLayout> layout =
      inferQuantLayout(n, dataShape, paramShape, in.axis, in.blockSize);
  if (failed(layout))
    return failure();
  Type scaleType;
  if (hasScale) {
    scaleType = getSignlessElementType(context, n.getInputType(in.scale));
    // FLOAT8E8M0: the power-of-two block scales of the MX formats.
    if (!isFloatType(n.getInputType(in.scale)) &&
        n.getInputType(in.scale) != DataType::Float8E8M0)
      return n.fail("scale type " + dataTypeName(n.getInputType(in.scale)) +
                    " is not supported (expected a float type or FLOAT8E8M0)");
  }
  SchemeAttr scheme = makeScheme(context, *layout, scaleType,
                                 hasZero ? storage : Type());
  FailureOr<QTensorType> type = makeQTensorType(n, dataShape, storage, scheme);
  if (failed(type))
    return failure();

  // A weight known at compile time becomes one lowbit.constant whose bytes
  // are the initializer's (same packing).
  const HostTensor *data = n.getConstantInput(in.data);
  const HostTensor *scale = hasScale ? n.getConstantInput(in.scale) : nullptr;
  const HostTensor *zero = hasZero ? n.getConstantInput(in.zeroPoint) : nullptr;
  if (data && (!hasScale || scale) && (!hasZero || zero)) {
    std::string name = n.getInputName(in.data).str();
    ElementsAttr storageAttr = data->asBytes().toAttribute(context, name);
    ElementsAttr scaleAttr, zeroAttr;
    if (scale)
      scaleAttr = scale->reshaped(layout->paramShape)
                      .toAttribute(context, name + "_scale");
    if (zero)
      zeroAttr = integerAttr(*zero, layout->paramShape, storage);
    return Value(lowbit::ConstantOp::create(b, loc, *type, storageAttr,
                                            scaleAttr, zeroAttr, FloatAttr(),
                                            ElementsAttr()));
  }

  Value codes = n.getInput(in.data);
  if (!in.viewShape.empty())
    codes = buildReshape(b, loc, codes, in.viewShape);
  codes = castTensorElements(b, loc, codes, storage);
  Value scales, zeros;
  if (hasScale)
    scales = buildReshape(b, loc, n.getInput(in.scale), layout->paramShape);
  if (hasZero)
    zeros = castTensorElements(
        b, loc, buildReshape(b, loc, n.getInput(in.zeroPoint), layout->paramShape),
        storage);
  return Value(lowbit::AssembleOp::create(b, loc, *type, codes, scales, zeros));
}

//===----------------------------------------------------------------------===//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

namespace {

LogicalResult convertQuantizeLinear(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  DataType inputType = n.getInputType(0);
  if (!isFloatType(inputType))
    return n.fail("input type " + dataTypeName(inputType) +
                  " is not supported (expected a float type)");
  bool hasZero = n.hasInput(2);
  DataType outType = DataType::Uint8;
  if (hasZero)
    outType = n.getInputType(2);
  else if (int64_t dtype = n.getIntAttr("output_dtype", 0))
    outType = static_cast<DataType>(dtype);
  if (!isQuantStorageType(outType))
    return n.fail("output type " + dataTypeName(outType) + " is not supported");
  Type storage = getOnnxElementType(context, outType);
  if (!isFloatType(n.getInputType(1)))
    return n.fail("scale type " + dataTypeName(n.getInputType(1)) +
                  " is not supported (expected a float type)");
  bool floatStorage = !isIntegerType(outType);
  if (hasZero && floatStorage) {
    const HostTensor *zero = n.getConstantInput(2);
    if (!zero || llvm::any_of(zero->toDouble(), [](double v) { return v != 0; }))
      return n.fail("a " + dataTypeName(outType) +
                    " zero point must be a constant zero");
    hasZero = false;
  }

  ArrayRef<int64_t> shape = n.getInputShape(0);
  FailureOr<QuantLayout> layout =
      inferQuantLayout(n, shape, n.getInputShape(1), n.getIntAttr("axis", 1),
                       n.getIntAttr("block_size", 0));
  if (failed(layout))
    return failure();
  Type scaleType = getSignlessElementType(context, n.getInputType(1));
  SchemeAttr scheme =
      makeScheme(context, *layout, scaleType, hasZero ? storage : Type());
  FailureOr<QTensorType> type = makeQTensorType(n, shape, storage, scheme);
  if (failed(type))
    return failure();

  Value scales = buildReshape(b, loc, n.getInput(1), layout->paramShape);
  Value zeros;
  if (hasZero)
    zeros = castTensorElements(
        b, loc, buildReshape(b, loc, n.getInput(2), layout->paramShape), storage);
  bool saturate = n.getIntAttr("saturate", 1) != 0;
  Value q = lowbit::QuantizeOp::create(b, loc, *type, n.getInput(0), scales,
                                       zeros, saturate);
  n.setQuantizedOutput(0, q, outType, n.getInputName(1),
                       hasZero ? n.getInputName(2) : llvm::StringRef());
  return success();
}

/// int32 DequantizeLinear (biases in QDQ models) has no qtensor storage:
/// (x - zero_point) * scale elementwise, the parameters broadcast along axis.
LogicalResult convertDequantizeInt32(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  ArrayRef<int64_t> shape = n.getInputShape(0);
  FailureOr<QuantLayout> layout = inferQuantLayout(
      n, shape, n.getInputShape(1), n.getIntAttr("axis", 1), 0);
  if (failed(layout))
    return failure();
  SmallVector<int64_t> paramShape(shape.size(), 1);
  if (layout->granularity == Granularity::per_axis)
    paramShape[layout->axis] = shape[layout->axis];
  DataType outType = n.getInputType(1);
  SmallVector<Value> inputs = {
      n.getInput(0), buildReshape(b, loc, n.getInput(1), paramShape)};
  if (n.hasInput(2))
    inputs.push_back(buildReshape(b, loc, n.getInput(2), paramShape));
  Value result = buildElementwise(
      b, loc, inputs, shape, getSignlessElementType(n.getContext(), outType),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0];
        if (args.size() > 2)
          x = arith::SubIOp::create(nb, nl, x, args[2]);
        Value xf = convertScalar(nb, nl, x, DataType::Int32, outType);
        return arith::MulFOp::create(nb, nl, xf, args[1]);
      });
  n.setOutput(0, result, outType);
  return success();
}

LogicalResult convertDequantizeLinear(NodeImporter &n) {
  if (n.getInputType(0) == DataType::Int32)
    return convertDequantizeInt32(n);
  if (!n.hasInput(1))
    return n.fail("x_scale is required");
  DataType outType = n.getInputType(1);
  if (int64_t dtype = n.getIntAttr("output_dtype", 0))
    outType = static_cast<DataType>(dtype);
  if (!isFloatType(outType))
    return n.fail("output type " + dataTypeName(outType) + " is not supported");

  // A QuantizeLinear -> DequantizeLinear pair with the same parameters reads
  // the quantizer's qtensor directly: one value, no round trip through codes.
  const ImportedValue &input = n.getInfo(0);
  Value qtensor;
  if (input.quantized && input.scaleName == n.getInputName(1) &&
      input.zeroPointName == (n.hasInput(2) ? n.getInputName(2) : "")) {
    qtensor = input.quantized;
  } else {
    QTensorInputs in;
    in.data = 0;
    in.scale = 1;
    in.zeroPoint = 2;
    in.axis = n.getIntAttr("axis", 1);
    in.blockSize = n.getIntAttr("block_size", 0);
    FailureOr<Value> built = buildQTensor(n, in);
    if (failed(built))
      return failure();
    qtensor = *built;
  }
  auto resultType = RankedTensorType::get(
      n.getInputShape(0), getSignlessElementType(n.getContext(), outType));
  Value result = lowbit::DequantizeOp::create(n.getBuilder(), n.getLoc(),
                                              resultType, qtensor);
  n.setOutput(0, result, outType);
  return success();
}

LogicalResult convertDynamicQuantizeLinear(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  if (n.getInputType(0) != DataType::Float)
    return n.fail("input type " + dataTypeName(n.getInputType(0)) +
                  " is not supported (expected FLOAT)");
  Type u8 = getOnnxElementType(context, DataType::Uint8);
  Type f32 = Float32Type::get(context);
  QuantLayout layout;
  SchemeAttr scheme = makeScheme(context, layout, f32, u8);
  FailureOr<QTensorType> type =
      makeQTensorType(n, n.getInputShape(0), u8, scheme);
  if (failed(type))
    return failure();
  // No scales: lowbit.quantize computes them with DynamicQuantizeLinear's
  // formula (range widened to include 0, scale = (max - min) / 255).
  Value q = lowbit::QuantizeOp::create(b, loc, *type, n.getInput(0), Value(),
                                       Value(), /*saturate=*/true);
  n.setQuantizedOutput(0, q, DataType::Uint8);
  Value scale = lowbit::ScalesOp::create(b, loc, RankedTensorType::get({}, f32), q);
  Value zero = lowbit::ZeroPointsOp::create(b, loc, RankedTensorType::get({}, u8), q);
  n.setOutput(1, scale, DataType::Float);
  n.setOutput(2, castTensorElements(b, loc, zero, IntegerType::get(context, 8)),
              DataType::Uint8);
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulInteger, QLinearMatMul
//===----------------------------------------------------------------------===//

/// The output shape of an ONNX MatMul of `lhs` by a 2-D `rhs`.
SmallVector<int64_t> matmulShape(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  SmallVector<int64_t> shape(lhs.drop_back());
  shape.push_back(rhs[1]);
  return shape;
}

/// `codes - zeroPoint` widened to i32; the zero point (rank 0 or 1) reads
/// along the last dimension when it is a vector.
Value widenMinusZero(NodeImporter &n, unsigned data, int zero) {
  return buildCodesMinusZero(
      n, data, zero >= 0 && n.hasInput(zero) ? n.getInput(zero) : Value());
}

/// Batched B (rank > 2): no qtensor weight to speak of, so the exact i32
/// product is a linalg.batch_matmul of the zero-point-adjusted operands, the
/// batch dimensions broadcast as ONNX MatMul does.
FailureOr<Value> buildBatchedIntegerMatmul(NodeImporter &n, unsigned a,
                                           int aZero, unsigned bIndex,
                                           int bZero) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  ArrayRef<int64_t> aShape = n.getInputShape(a), bShape = n.getInputShape(bIndex);
  if (aShape.size() < 2)
    return n.fail("A of rank 1 with a batched B is not supported");
  for (int zero : {aZero, bZero})
    if (zero >= 0 && n.hasInput(zero) && numElements(n.getInputShape(zero)) != 1)
      return n.fail("with a batched B only scalar zero points are supported");
  auto batch = broadcastShapes(aShape.drop_back(2), bShape.drop_back(2));
  if (!batch || aShape.back() != bShape[bShape.size() - 2])
    return n.fail("A and B shapes do not match for a batched matmul");
  int64_t m = aShape[aShape.size() - 2], k = aShape.back(), cols = bShape.back();
  int64_t batchCount = numElements(*batch);
  auto prepare = [&](unsigned data, int zero, int64_t rows, int64_t columns) {
    Value wide = widenMinusZero(n, data, zero);
    SmallVector<int64_t> full(*batch);
    full.append({rows, columns});
    return buildReshape(b, loc, buildBroadcastTo(b, loc, wide, full),
                        {batchCount, rows, columns});
  };
  Value lhs = prepare(a, aZero, m, k), rhs = prepare(bIndex, bZero, k, cols);
  Value zero = buildScalar(b, loc, b.getI32Type(), 0);
  Value init = linalg::FillOp::create(
                   b, loc, zero,
                   createEmptyTensor(b, loc, {batchCount, m, cols}, b.getI32Type()))
                   .getResult(0);
  Value product = linalg::BatchMatmulOp::create(b, loc, ValueRange{lhs, rhs},
                                                ValueRange{init})
                      .getResult(0);
  SmallVector<int64_t> outShape(*batch);
  outShape.append({m, cols});
  return buildReshape(b, loc, product, outShape);
}

/// lowbit.matmul of two integer operands into exact i32 accumulators
/// (zero points subtracted, no scales). The lhs zero point may be per row
/// (axis rank-2), the rhs one per column (axis 1).
FailureOr<Value> buildIntegerMatmul(NodeImporter &n, unsigned a, int aZero,
                                    unsigned bIndex, int bZero) {
  ArrayRef<int64_t> aShape = n.getInputShape(a), bShape = n.getInputShape(bIndex);
  if (bShape.size() > 2)
    return buildBatchedIntegerMatmul(n, a, aZero, bIndex, bZero);
  if (bShape.size() != 2)
    return n.fail("B must have rank 2 or more, got rank " +
                  llvm::Twine(bShape.size()));
  if (aShape.empty() || aShape.back() != bShape[0])
    return n.fail("A's last dimension does not match B's first");
  QTensorInputs lhs{static_cast<int>(a), -1, aZero,
                    static_cast<int64_t>(aShape.size()) - 2, 0};
  if (aShape.size() < 2)
    lhs.axis = 0;
  QTensorInputs rhs{static_cast<int>(bIndex), -1, bZero, 1, 0};
  FailureOr<Value> qa = buildQTensor(n, lhs);
  if (failed(qa))
    return failure();
  FailureOr<Value> qb = buildQTensor(n, rhs);
  if (failed(qb))
    return failure();
  auto resultType = RankedTensorType::get(
      aShape.size() == 1 ? SmallVector<int64_t>{bShape[1]}
                         : matmulShape(aShape, bShape),
      n.getBuilder().getI32Type());
  return Value(lowbit::MatmulOp::create(n.getBuilder(), n.getLoc(), resultType,
                                        *qa, *qb, Value(), false));
}

LogicalResult convertMatMulInteger(NodeImporter &n) {
  FailureOr<Value> acc = buildIntegerMatmul(n, 0, 2, 1, 3);
  if (failed(acc))
    return failure();
  n.setOutput(0, *acc, DataType::Int32);
  return success();
}

LogicalResult convertQLinearMatMul(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  FailureOr<Value> acc = buildIntegerMatmul(n, 0, 2, 3, 5);
  if (failed(acc))
    return failure();
  // multiplier[n] = a_scale * b_scale[n] / y_scale, in f32 as ONNX Runtime.
  int64_t columns = shapeOf(*acc).back();
  Value aScale = extractScalar(b, loc, buildReshape(b, loc, n.getInput(1), {}));
  Value yScale = extractScalar(b, loc, buildReshape(b, loc, n.getInput(6), {}));
  Value bScale = n.getInput(4);
  if (numElements(shapeOf(bScale)) != 1 && numElements(shapeOf(bScale)) != columns)
    return n.fail("b_scale must be a scalar or have one value per column");
  bScale = buildReshape(b, loc, bScale, {numElements(shapeOf(bScale))});
  if (n.getInputType(1) != DataType::Float || n.getInputType(4) != DataType::Float ||
      n.getInputType(6) != DataType::Float)
    return n.fail("scales must be FLOAT");
  Value multiplier = buildElementwise(
      b, loc, ValueRange{bScale}, shapeOf(bScale), b.getF32Type(),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value ab = arith::MulFOp::create(nb, nl, aScale, args[0]);
        return arith::DivFOp::create(nb, nl, ab, yScale);
      });
  DataType outType = n.getInputType(7);
  Value yZero = buildReshape(b, loc, n.getInput(7), {});
  Value result = buildRequantize(b, loc, *acc, multiplier, yZero, outType);
  n.setOutput(0, result, outType);
  return success();
}

//===----------------------------------------------------------------------===//
// com.microsoft MatMulNBits
//===----------------------------------------------------------------------===//

/// A of the weight-only contrib matmuls (MatMulNBits, MatMulBnb4): float or
/// float16, K the last dimension.
LogicalResult checkWeightOnlyActivations(NodeImporter &n, int64_t k) {
  DataType activation = n.getInputType(0);
  if (activation != DataType::Float && activation != DataType::Float16)
    return n.fail("A must be FLOAT or FLOAT16, got " + dataTypeName(activation));
  ArrayRef<int64_t> aShape = n.getInputShape(0);
  if (aShape.empty() || aShape.back() != k)
    return n.fail("A's last dimension must be K=" + llvm::Twine(k));
  return success();
}

LogicalResult convertMatMulNBits(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  int64_t k = n.getIntAttr("K", 0), cols = n.getIntAttr("N", 0);
  int64_t bits = n.getIntAttr("bits", 4), block = n.getIntAttr("block_size", 0);
  // bits = 1 goes beyond ONNX Runtime's 2-8: binary weights (codes 0/1,
  // e.g. with float zero point 0.5 for +-scale) in the same packing.
  if (bits < 1 || bits > 8)
    return n.fail("bits=" + llvm::Twine(bits) + " is not supported (1 to 8)");
  if (block < 16 || (block & (block - 1)) != 0)
    return n.fail("block_size=" + llvm::Twine(block) +
                  " must be a power of two, at least 16");
  if (k <= 0 || cols <= 0)
    return n.fail("attributes K and N must be positive");
  if (k % block != 0)
    return n.fail("K=" + llvm::Twine(k) + " is not a multiple of block_size=" +
                  llvm::Twine(block) + "; padded last blocks are not supported");
  if (n.hasInput(4))
    return n.fail("g_idx (act-order) is not supported; export the model without "
                  "act-order (desc_act=False)");
  if (failed(checkWeightOnlyActivations(n, k)))
    return failure();
  DataType activation = n.getInputType(0);
  ArrayRef<int64_t> aShape = n.getInputShape(0);

  const HostTensor *weights = n.getConstantInput(1);
  const HostTensor *scales = n.getConstantInput(2);
  if (!weights || !scales)
    return n.fail("B and scales must be initializers");
  int64_t blocks = k / block;
  if (weights->getBytes().size() != static_cast<size_t>(cols * k * bits / 8))
    return n.fail("B holds " + llvm::Twine(weights->getBytes().size()) +
                  " bytes but N x K at " + llvm::Twine(bits) + " bits needs " +
                  llvm::Twine(cols * k * bits / 8));
  if (scales->getNumElements() != cols * blocks)
    return n.fail("scales hold " + llvm::Twine(scales->getNumElements()) +
                  " values but N x K/block_size needs " +
                  llvm::Twine(cols * blocks));

  // Below accuracy_level 4 the f32 and bf16 kernels read whole nibbles, so
  // 3-bit codes widen to 4 bits here (4/3 the bytes; the reference lowering
  // was 12-50x slower). At level 4 int8-gemm and lut read them as they are.
  unsigned width = bits == 3 && n.getIntAttr("accuracy_level", 0) != 4 ? 4 : unsigned(bits);
  Type storage = IntegerType::get(context, width, IntegerType::Unsigned);
  Type scaleType = getSignlessElementType(context, scales->getType());
  // Without zero points the codes are centred on 2^(bits-1) (MatMulNBits'
  // default), so a zero point is always part of the scheme.
  const HostTensor *zeros = n.hasInput(3) ? n.getConstantInput(3) : nullptr;
  if (n.hasInput(3) && !zeros)
    return n.fail("zero_points must be an initializer");
  bool floatZeros = zeros && isFloatType(zeros->getType());
  Type zeroType = floatZeros ? scaleType : storage;
  QuantLayout layout;
  layout.granularity = Granularity::per_block;
  layout.block = {1, block};
  layout.paramShape = {cols, blocks};
  SchemeAttr scheme = makeScheme(context, layout, scaleType, zeroType);
  FailureOr<QTensorType> type = makeQTensorType(n, {cols, k}, storage, scheme);
  if (failed(type))
    return failure();

  ElementsAttr zeroAttr;
  auto paramType = [&](Type element) {
    return RankedTensorType::get(layout.paramShape, element);
  };
  if (floatZeros) {
    if (zeros->getNumElements() != cols * blocks)
      return n.fail("float zero_points must have N x K/block_size values");
    zeroAttr = zeros->reshaped(layout.paramShape).toAttribute(context, "zp");
  } else {
    // uint8 zero points: per row, ceil(blocks * bits / 8) bytes of packed
    // codes, low bits first.
    std::vector<uint8_t> codes(zeros ? cols * blocks : 0, uint8_t(1) << (bits - 1));
    if (zeros) {
      int64_t rowBytes = (blocks * bits + 7) / 8;
      if (static_cast<int64_t>(zeros->getBytes().size()) != cols * rowBytes)
        return n.fail("packed zero_points hold " +
                      llvm::Twine(zeros->getBytes().size()) + " bytes, expected " +
                      llvm::Twine(cols * rowBytes));
      auto *bytes = reinterpret_cast<const uint8_t *>(zeros->getBytes().data());
      for (int64_t row = 0; row < cols; ++row)
        formats::unpackBits(bytes + row * rowBytes, blocks, bits,
                            codes.data() + row * blocks);
    }
    if (zeros) {
      SmallVector<APInt> values;
      for (uint8_t code : codes)
        values.push_back(APInt(width, code));
      zeroAttr = DenseElementsAttr::get(paramType(storage), values);
    } else {
      // The default 2^(bits-1): the splat the element-wise form becomes,
      // without an APInt a block (92M of them in a 1 GB W2 g32 model).
      APInt value(width, 1u << (bits - 1));
      zeroAttr = DenseElementsAttr::get(paramType(storage), ArrayRef<APInt>(value));
    }
  }
  HostTensor codeBytes = weights->asBytes();
  if (width != unsigned(bits)) {
    auto widened = std::make_shared<std::vector<char>>(size_t(cols * k * width / 8));
    std::vector<uint8_t> row(k);
    auto *from = reinterpret_cast<const uint8_t *>(weights->getBytes().data());
    for (int64_t r = 0; r < cols; ++r) {
      formats::unpackBits(from + r * k * bits / 8, k, bits, row.data());
      formats::packBits(row.data(), k, width,
                        reinterpret_cast<uint8_t *>(widened->data()) + r * k * width / 8);
    }
    codeBytes = HostTensor(DataType::Int8, {int64_t(widened->size())}, *widened, widened);
  }
  ElementsAttr storageAttr = codeBytes.toAttribute(context, n.getInputName(1));
  ElementsAttr scaleAttr = scales->reshaped(layout.paramShape)
                               .toAttribute(context, n.getInputName(2));
  Value weight = lowbit::ConstantOp::create(b, loc, *type, storageAttr,
                                            scaleAttr, zeroAttr, FloatAttr(),
                                            ElementsAttr());
  Value bias;
  if (n.hasInput(5))
    bias = buildReshape(b, loc, n.getInput(5), {cols});
  SmallVector<int64_t> outShape(aShape.drop_back());
  outShape.push_back(cols);
  auto resultType = RankedTensorType::get(outShape, elementTypeOf(n.getInput(0)));
  auto matmul = lowbit::MatmulOp::create(b, loc, resultType, n.getInput(0),
                                         weight, bias, /*transpose_rhs=*/true);
  // accuracy_level says which compute precision the model allows (4: int8
  // activations); kernels selection reads it later.
  matmul->setAttr("accuracy_level",
                  b.getI64IntegerAttr(n.getIntAttr("accuracy_level", 0)));
  n.setOutput(0, matmul, activation);
  return success();
}

//===----------------------------------------------------------------------===//
// com.microsoft MatMulBnb4 (bitsandbytes NF4 / FP4)
//===----------------------------------------------------------------------===//

/// bitsandbytes' 4-bit code values (the ones ONNX Runtime's MatMulBnb4
/// decodes with), by quant_type: 0 = its FP4 (not OCP E2M1: max 1, a
/// subnormal 1/192), 1 = NF4 (QLoRA's normal-float quantiles).
constexpr float kBnbFp4Values[16] = {0.0f,         5.208333333e-03f,  0.66666667f,  1.0f,
                                     0.33333333f,  0.5f,              0.16666667f,  0.25f,
                                     -0.0f,        -5.208333333e-03f, -0.66666667f, -1.0f,
                                     -0.33333333f, -0.5f,             -0.16666667f, -0.25f};

LogicalResult convertMatMulBnb4(NodeImporter &n) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  MLIRContext *context = n.getContext();
  int64_t k = n.getIntAttr("K", 0), cols = n.getIntAttr("N", 0);
  int64_t block = n.getIntAttr("block_size", 0), quantType = n.getIntAttr("quant_type", -1);
  if (quantType != 0 && quantType != 1)
    return n.fail("quant_type=" + llvm::Twine(quantType) + " is not 0 (FP4) or 1 (NF4)");
  if (block < 16 || (block & (block - 1)) != 0)
    return n.fail("block_size=" + llvm::Twine(block) + " must be a power of two, at least 16");
  if (k <= 0 || cols <= 0)
    return n.fail("attributes K and N must be positive");
  // Blocks run over the flattened [N, K] weight; they are blocks of rows
  // only when K is a multiple of the block.
  if (k % block != 0)
    return n.fail("K=" + llvm::Twine(k) + " is not a multiple of block_size=" +
                  llvm::Twine(block) + "; blocks spanning two rows are not supported");
  if (n.getIntAttr("training_mode", 0) != 0 || n.getIntAttr("transB", 1) != 1)
    return n.fail("training_mode=1 and transB=0 are not supported");
  if (failed(checkWeightOnlyActivations(n, k)))
    return failure();
  DataType activation = n.getInputType(0);
  ArrayRef<int64_t> aShape = n.getInputShape(0);
  const HostTensor *weights = n.getConstantInput(1);
  const HostTensor *absmax = n.getConstantInput(2);
  if (!weights || !absmax)
    return n.fail("B and absmax must be initializers");
  if (n.getInputType(1) != DataType::Uint8)
    return n.fail("B must be UINT8, got " + dataTypeName(n.getInputType(1)));
  int64_t blocks = k / block;
  if (weights->getBytes().size() != static_cast<size_t>(cols * k / 2))
    return n.fail("B holds " + llvm::Twine(weights->getBytes().size()) +
                  " bytes but N x K at 4 bits needs " + llvm::Twine(cols * k / 2));
  if (absmax->getNumElements() != cols * blocks)
    return n.fail("absmax holds " + llvm::Twine(absmax->getNumElements()) +
                  " values but N x K/block_size needs " + llvm::Twine(cols * blocks));
  if (!isFloatType(absmax->getType()))
    return n.fail("absmax must be a float tensor");

  // [N, K] indices into the codebook, one absmax scale per block of K.
  Type storage = IntegerType::get(context, 4, IntegerType::Unsigned);
  Type scaleType = getSignlessElementType(context, absmax->getType());
  Type f32 = b.getF32Type();
  QuantLayout layout;
  layout.granularity = Granularity::per_block;
  layout.block = {1, block};
  layout.paramShape = {cols, blocks};
  SchemeAttr scheme = SchemeAttr::get(context, Granularity::per_block, std::nullopt,
                                      layout.block, scaleType, Type(), Type(), f32, std::nullopt);
  FailureOr<QTensorType> type = makeQTensorType(n, {cols, k}, storage, scheme);
  if (failed(type))
    return failure();
  // bitsandbytes packs the first of two codes in the high nibble; qcc (as
  // ONNX INT4) in the low one.
  std::vector<uint8_t> swapped(weights->getBytes().size());
  auto *bytes = reinterpret_cast<const uint8_t *>(weights->getBytes().data());
  for (size_t i = 0; i < swapped.size(); ++i)
    swapped[i] = uint8_t((bytes[i] >> 4) | (bytes[i] << 4));
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<uint8_t>(swapped));
  ElementsAttr storageAttr = DenseResourceElementsAttr::get(
      RankedTensorType::get({int64_t(swapped.size())}, b.getI8Type()), n.getInputName(1),
      std::move(blob));
  ElementsAttr scaleAttr =
      absmax->reshaped(layout.paramShape).toAttribute(context, n.getInputName(2));
  auto codebookType = RankedTensorType::get({16}, f32);
  ElementsAttr codebook =
      quantType == 1
          ? DenseElementsAttr::get(codebookType, ArrayRef<float>(formats::kNF4Values))
          : DenseElementsAttr::get(codebookType, ArrayRef<float>(kBnbFp4Values));
  Value weight = lowbit::ConstantOp::create(b, loc, *type, storageAttr, scaleAttr,
                                            ElementsAttr(), FloatAttr(), codebook);
  SmallVector<int64_t> outShape(aShape.drop_back());
  outShape.push_back(cols);
  auto resultType = RankedTensorType::get(outShape, elementTypeOf(n.getInput(0)));
  auto matmul = lowbit::MatmulOp::create(b, loc, resultType, n.getInput(0), weight, Value(),
                                         /*transpose_rhs=*/true);
  n.setOutput(0, matmul, activation);
  return success();
}

} // namespace

void qcc::onnx_import::addQuantOps(std::vector<OpSupport> &ops) {
  ops.push_back({"", "QuantizeLinear", 10, 23, convertQuantizeLinear,
                 "per tensor/axis/block; int8/uint8/int16/uint16/int4/uint4, "
                 "float8 E4M3FN/E5M2 (+FNUZ), float4 E2M1; saturate"});
  ops.push_back({"", "DequantizeLinear", 10, 23, convertDequantizeLinear,
                 "as QuantizeLinear, plus int32; initializer weights become "
                 "lowbit.constant"});
  ops.push_back({"", "DynamicQuantizeLinear", 11, 23,
                 convertDynamicQuantizeLinear, "float -> uint8"});
  ops.push_back({"", "MatMulInteger", 10, 23, convertMatMulInteger,
                 "int8/uint8; per-row/column zero points (2-D B), batched B"});
  ops.push_back({"", "QLinearMatMul", 10, 23, convertQLinearMatMul,
                 "int8/uint8; per-column b_scale; batched B"});
  ops.push_back({"com.microsoft", "MatMulNBits", 1, 1, convertMatMulNBits,
                 "bits 1-8, block_size >= 16, packed or float zero points; "
                 "no g_idx"});
  ops.push_back({"com.microsoft", "MatMulBnb4", 1, 1, convertMatMulBnb4,
                 "NF4 and bitsandbytes FP4 codebooks, absmax per block of K; "
                 "K a multiple of block_size"});
  addQuantConvOps(ops);
}
