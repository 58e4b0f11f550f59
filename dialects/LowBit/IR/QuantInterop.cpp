//===- QuantInterop.cpp - lowbit <-> upstream quant types -------------===//

#include "qcc/Dialect/LowBit/IR/QuantInterop.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

using namespace mlir;
using namespace qcc::lowbit;

using EmitErrorFn = llvm::function_ref<InFlightDiagnostic()>;

/// Upstream marks signedness with a flag on a signless integer; lowbit uses
/// iN for signed and uiN for unsigned codes.
static FailureOr<Type> lowbitStorageFor(quant::QuantizedType type,
                                        EmitErrorFn emitError) {
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!storage)
    return emitError() << "quant storage type " << type.getStorageType()
                       << " has no lowbit equivalent";
  unsigned width = storage.getWidth();
  bool isSigned = type.isSigned();
  if (type.getStorageTypeMin() !=
          quant::QuantizedType::getDefaultMinimumForInteger(isSigned, width) ||
      type.getStorageTypeMax() !=
          quant::QuantizedType::getDefaultMaximumForInteger(isSigned, width))
    return emitError() << "narrow storage range [" << type.getStorageTypeMin()
                       << ", " << type.getStorageTypeMax()
                       << "] has no lowbit equivalent";
  return Type(IntegerType::get(type.getContext(), width,
                               isSigned ? IntegerType::Signless
                                        : IntegerType::Unsigned));
}

static DenseElementsAttr f32Tensor(MLIRContext *context,
                                   ArrayRef<int64_t> shape,
                                   ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, Float32Type::get(context));
  return DenseElementsAttr::get(type, values);
}

/// Zero points as a tensor of the storage type, or null when all are zero
/// (a symmetric scheme).
static DenseElementsAttr zeroPointTensor(Type storage, ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> values) {
  if (llvm::all_of(values, [](int64_t v) { return v == 0; }))
    return {};
  unsigned width = storage.getIntOrFloatBitWidth();
  SmallVector<APInt> bits;
  for (int64_t value : values)
    bits.push_back(APInt(width, value, /*isSigned=*/true, /*implicitTrunc=*/true));
  return DenseElementsAttr::get(RankedTensorType::get(shape, storage), bits);
}

FailureOr<QuantizedParts>
qcc::lowbit::fromQuantTensorType(RankedTensorType tensorType,
                                 EmitErrorFn emitError) {
  MLIRContext *context = tensorType.getContext();
  auto quantType = dyn_cast<quant::QuantizedType>(tensorType.getElementType());
  if (!quantType)
    return emitError() << "expected a tensor of quant type, got "
                       << tensorType;
  FailureOr<Type> storage = lowbitStorageFor(quantType, emitError);
  if (failed(storage))
    return failure();
  ArrayRef<int64_t> shape = tensorType.getShape();
  Type f32 = Float32Type::get(context);

  SchemeAttr scheme;
  SmallVector<int64_t> scaleShape;
  SmallVector<float> scales;
  SmallVector<int64_t> zeroPoints;
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(quantType)) {
    scales.push_back(static_cast<float>(uniform.getScale()));
    zeroPoints.push_back(uniform.getZeroPoint());
    scheme = SchemeAttr::get(context, Granularity::per_tensor, std::nullopt,
                             {}, f32, {}, {}, {}, std::nullopt);
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(quantType)) {
    for (double scale : perAxis.getScales())
      scales.push_back(static_cast<float>(scale));
    llvm::append_range(zeroPoints, perAxis.getZeroPoints());
    scaleShape.push_back(scales.size());
    scheme = SchemeAttr::get(context, Granularity::per_axis,
                             int64_t(perAxis.getQuantizedDimension()), {}, f32,
                             {}, {}, {}, std::nullopt);
  } else if (auto subChannel =
                 dyn_cast<quant::UniformQuantizedSubChannelType>(quantType)) {
    SmallVector<int64_t> block(shape.size(), 1);
    for (auto [dim, size] : llvm::zip(subChannel.getQuantizedDimensions(),
                                      subChannel.getBlockSizes()))
      block[dim] = size;
    llvm::append_range(scaleShape, subChannel.getScales().getType().getShape());
    for (APFloat scale : subChannel.getScales().getValues<APFloat>()) {
      bool losesInfo;
      scale.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      scales.push_back(scale.convertToFloat());
    }
    for (APInt zero : subChannel.getZeroPoints().getValues<APInt>())
      zeroPoints.push_back(quantType.isSigned() ? zero.getSExtValue()
                                                : zero.getZExtValue());
    scheme = SchemeAttr::get(context, Granularity::per_block, std::nullopt,
                             block, f32, {}, {}, {}, std::nullopt);
  } else {
    return emitError() << "quant type " << quantType
                       << " has no lowbit equivalent (expected a uniform "
                          "per-tensor, per-axis or sub-channel type)";
  }

  DenseElementsAttr zeroAttr = zeroPointTensor(*storage, scaleShape, zeroPoints);
  if (zeroAttr)
    scheme = SchemeAttr::get(context, scheme.getGranularity(), scheme.getAxis(),
                             scheme.getBlock(), f32, *storage, {}, {},
                             std::nullopt);
  auto type = QTensorType::getChecked(emitError, context, shape, *storage,
                                      scheme, LayoutAttr());
  if (!type)
    return failure();
  return QuantizedParts{type, f32Tensor(context, scaleShape, scales),
                        zeroAttr};
}

FailureOr<RankedTensorType> qcc::lowbit::toQuantTensorType(
    QTensorType type, DenseElementsAttr scales, DenseElementsAttr zeroPoints,
    Type expressedType, EmitErrorFn emitError) {
  MLIRContext *context = type.getContext();
  SchemeAttr scheme = type.getScheme();
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!storage)
    return emitError() << "storage type " << type.getStorageType()
                       << " has no upstream quant equivalent";
  if (scheme.hasCodebook() || scheme.getTensorScale())
    return emitError() << "codebooks and tensor scales have no upstream quant "
                          "equivalent";
  if (!scheme.getScale() || !isa<FloatType>(scales.getElementType()) ||
      !llvm::is_contained({32u, 16u}, scheme.getScale().getIntOrFloatBitWidth()) ||
      isa<Float8E8M0FNUType, Float8E4M3FNType>(scheme.getScale()))
    return emitError() << "scale type " << scheme.getScale()
                       << " has no upstream quant equivalent (expected f32, "
                          "f16 or bf16)";
  if (scheme.getZeroPoint() && !isa<IntegerType>(scheme.getZeroPoint()))
    return emitError() << "float zero points have no upstream quant "
                          "equivalent";

  bool isSigned = !storage.isUnsigned();
  unsigned width = storage.getWidth();
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type quantStorage = IntegerType::get(context, width);
  int64_t minimum =
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, width);
  int64_t maximum =
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, width);

  SmallVector<double> scaleValues;
  for (APFloat scale : scales.getValues<APFloat>())
    scaleValues.push_back(scale.convertToDouble());
  SmallVector<int64_t> zeroValues(scaleValues.size(), 0);
  if (zeroPoints) {
    zeroValues.clear();
    for (APInt zero : zeroPoints.getValues<APInt>())
      zeroValues.push_back(isSigned ? zero.getSExtValue() : zero.getZExtValue());
  }

  Type element;
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    element = quant::UniformQuantizedType::getChecked(
        emitError, flags, quantStorage, expressedType, scaleValues[0],
        zeroValues[0], minimum, maximum);
    break;
  case Granularity::per_axis:
    element = quant::UniformQuantizedPerAxisType::getChecked(
        emitError, flags, quantStorage, expressedType, scaleValues, zeroValues,
        static_cast<int32_t>(*scheme.getAxis()), minimum, maximum);
    break;
  case Granularity::per_block: {
    SmallVector<int32_t> dims;
    SmallVector<int64_t> sizes;
    for (auto [dim, size] : llvm::enumerate(scheme.getBlock())) {
      dims.push_back(static_cast<int32_t>(dim));
      sizes.push_back(size);
    }
    auto scaleType = RankedTensorType::get(type.getScaleShape(), expressedType);
    SmallVector<APFloat> expressedScales;
    for (double value : scaleValues) {
      APFloat scale(value);
      bool losesInfo;
      scale.convert(cast<FloatType>(expressedType).getFloatSemantics(),
                    APFloat::rmNearestTiesToEven, &losesInfo);
      expressedScales.push_back(scale);
    }
    auto zeroType = RankedTensorType::get(type.getScaleShape(), quantStorage);
    SmallVector<APInt> zeroBits;
    for (int64_t value : zeroValues)
      zeroBits.push_back(APInt(width, value, /*isSigned=*/true,
                               /*implicitTrunc=*/true));
    element = quant::UniformQuantizedSubChannelType::getChecked(
        emitError, flags, quantStorage, expressedType,
        DenseElementsAttr::get(scaleType, expressedScales),
        DenseElementsAttr::get(zeroType, zeroBits), dims, sizes, minimum,
        maximum);
    break;
  }
  }
  if (!element)
    return failure();
  return RankedTensorType::get(type.getShape(), element);
}
