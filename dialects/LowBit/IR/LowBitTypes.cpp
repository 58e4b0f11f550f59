//===- LowBitTypes.cpp - qtensor syntax, queries and consistency rules ===//

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace qcc::lowbit;

//===----------------------------------------------------------------------===//
// Element-type classes
//===----------------------------------------------------------------------===//

bool qcc::lowbit::isSupportedStorageType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type)) {
    unsigned width = intType.getWidth();
    return !intType.isSigned() && ((width >= 1 && width <= 8) || width == 16);
  }
  return isa<TernaryType, Float8E4M3FNType, Float8E5M2Type,
             Float8E4M3FNUZType, Float8E5M2FNUZType, Float6E2M3FNType,
             Float6E3M2FNType, Float4E2M1FNType>(type);
}

bool qcc::lowbit::isSupportedScaleType(Type type) {
  return isa<Float32Type, Float16Type, BFloat16Type, Float8E8M0FNUType,
             Float8E4M3FNType>(type);
}

static bool isPlainFloat(Type type) {
  return isa<Float32Type, Float16Type, BFloat16Type>(type);
}

static bool isMxElementType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.getWidth() == 8 && intType.isSignless();
  return isa<Float8E4M3FNType, Float8E5M2Type, Float6E2M3FNType,
             Float6E3M2FNType, Float4E2M1FNType>(type);
}

//===----------------------------------------------------------------------===//
// The consistency rules
//===----------------------------------------------------------------------===//

using EmitErrorFn = llvm::function_ref<InFlightDiagnostic()>;

static LogicalResult verifyGranularity(EmitErrorFn emitError,
                                       ArrayRef<int64_t> shape,
                                       SchemeAttr scheme) {
  int64_t rank = shape.size();
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    if (scheme.getAxis() || !scheme.getBlock().empty())
      return emitError() << "per_tensor scheme takes no axis or block";
    return success();
  case Granularity::per_axis: {
    if (!scheme.getBlock().empty())
      return emitError() << "per_axis scheme takes no block";
    if (!scheme.getAxis())
      return emitError() << "per_axis scheme needs an axis";
    int64_t axis = *scheme.getAxis();
    if (axis < 0 || axis >= rank)
      return emitError() << "scheme axis " << axis
                         << " is out of range for rank " << rank;
    return success();
  }
  case Granularity::per_block: {
    if (scheme.getAxis())
      return emitError() << "per_block scheme takes no axis";
    ArrayRef<int64_t> block = scheme.getBlock();
    if (static_cast<int64_t>(block.size()) != rank)
      return emitError() << "scheme block has " << block.size()
                         << " extents but the tensor has rank " << rank;
    for (auto [dim, extent] : llvm::enumerate(block)) {
      if (extent < 1)
        return emitError() << "block extent " << extent << " in dimension "
                           << dim << " must be positive";
      if (shape[dim] % extent != 0)
        return emitError() << "block size " << extent
                           << " does not divide dimension " << dim
                           << " (size " << shape[dim] << ")";
    }
    return success();
  }
  }
  llvm_unreachable("unknown granularity");
}

static int64_t blockElementCount(SchemeAttr scheme) {
  int64_t count = 1;
  for (int64_t extent : scheme.getBlock())
    count *= extent;
  return count;
}

static LogicalResult verifyScale(EmitErrorFn emitError, Type storageType,
                                 SchemeAttr scheme) {
  Type scale = scheme.getScale();
  if (!scale) {
    // Without scales, the granularity describes the zero points alone
    // (ONNX MatMulInteger's per-row zero points).
    if (scheme.getGranularity() != Granularity::per_tensor &&
        !scheme.getZeroPoint())
      return emitError() << stringifyGranularity(scheme.getGranularity())
                         << " granularity needs a scale or zero point type";
    if (scheme.getTensorScale())
      return emitError() << "tensor scale needs a per_block scale";
    return success();
  }
  if (!isSupportedScaleType(scale))
    return emitError() << "scale type " << scale
                       << " is not supported (expected f32, f16, bf16, "
                          "f8E8M0FNU or f8E4M3FN)";
  if (isa<Float8E8M0FNUType>(scale)) {
    if (scheme.getGranularity() != Granularity::per_block)
      return emitError() << "scale type f8E8M0FNU (OCP MX) needs per_block "
                            "granularity";
    if (blockElementCount(scheme) != 32)
      return emitError() << "scale type f8E8M0FNU (OCP MX) needs blocks of "
                            "32 elements, got "
                         << blockElementCount(scheme);
    if (!isMxElementType(storageType))
      return emitError() << "storage type " << storageType
                         << " is not an OCP MX element type (expected "
                            "f8E4M3FN, f8E5M2, f6E2M3FN, f6E3M2FN, f4E2M1FN "
                            "or i8)";
  }
  if (isa<Float8E4M3FNType>(scale) &&
      scheme.getGranularity() != Granularity::per_block)
    return emitError() << "scale type f8E4M3FN (NVFP4-style) needs per_block "
                          "granularity";
  if (Type tensorScale = scheme.getTensorScale()) {
    if (!tensorScale.isF32())
      return emitError() << "tensor scale type must be f32, got "
                         << tensorScale;
    if (scheme.getGranularity() != Granularity::per_block)
      return emitError() << "tensor scale needs a per_block scale";
  }
  return success();
}

static LogicalResult verifyZeroPoint(EmitErrorFn emitError, Type storageType,
                                     SchemeAttr scheme) {
  Type zeroPoint = scheme.getZeroPoint();
  if (!zeroPoint)
    return success();
  if (scheme.hasCodebook())
    return emitError() << "zero point is not allowed with a codebook";
  if (isa<TernaryType>(storageType))
    return emitError() << "zero point is not allowed with ternary storage";
  if (!isa<IntegerType>(storageType))
    return emitError() << "zero point needs integer storage, got "
                       << storageType;
  if (isa<IntegerType>(zeroPoint)) {
    if (zeroPoint != storageType)
      return emitError() << "zero point type " << zeroPoint
                         << " does not match storage type " << storageType;
    return success();
  }
  if (!isPlainFloat(zeroPoint))
    return emitError() << "zero point type " << zeroPoint
                       << " must be the storage type or f32, f16, bf16";
  return success();
}

static LogicalResult verifyCodebook(EmitErrorFn emitError,
                                    ArrayRef<int64_t> shape, Type storageType,
                                    SchemeAttr scheme) {
  Type codebook = scheme.getCodebook();
  if (!codebook) {
    if (scheme.getCodebookAxis())
      return emitError() << "codebook_axis given without a codebook";
    return success();
  }
  if (!isPlainFloat(codebook))
    return emitError() << "codebook entry type " << codebook
                       << " must be f32, f16 or bf16";
  auto intType = dyn_cast<IntegerType>(storageType);
  if (!intType || !intType.isUnsigned() || intType.getWidth() > 8)
    return emitError() << "codebook indices must be stored as uiN with N in "
                          "1..8, got "
                       << storageType;
  if (std::optional<int64_t> axis = scheme.getCodebookAxis()) {
    int64_t rank = shape.size();
    if (*axis < 0 || *axis >= rank)
      return emitError() << "codebook axis " << *axis
                         << " is out of range for rank " << rank;
  }
  return success();
}

static LogicalResult verifyLayout(EmitErrorFn emitError,
                                  ArrayRef<int64_t> shape, Type storageType,
                                  LayoutAttr layout) {
  if (!layout)
    return success();
  LayoutKind kind = layout.getKind();
  if (kind != LayoutKind::tiled && kind != LayoutKind::lut_planes &&
      kind != LayoutKind::int8_tiles && !layout.getTile().empty())
    return emitError() << "layout " << stringifyLayoutKind(kind)
                       << " takes no tile";
  switch (kind) {
  case LayoutKind::row_major:
    return success();
  case LayoutKind::bit_planes: {
    auto intType = dyn_cast<IntegerType>(storageType);
    if (!(intType && intType.getWidth() <= 8) && !isa<TernaryType>(storageType))
      return emitError() << "layout bit_planes needs integer storage of at "
                            "most 8 bits or ternary storage, got "
                         << storageType;
    return success();
  }
  case LayoutKind::base3:
    if (!isa<TernaryType>(storageType))
      return emitError() << "layout base3 needs !lowbit.ternary storage, got "
                         << storageType;
    return success();
  case LayoutKind::lut_planes:
  case LayoutKind::int8_tiles: {
    // Both: 64-byte vectors of 16 rows x 32 / bits elements of K (4 bytes a
    // row), differing in which code sits where in a row's 4 bytes.
    bool lut = kind == LayoutKind::lut_planes;
    StringRef name = stringifyLayoutKind(kind);
    auto intType = dyn_cast<IntegerType>(storageType);
    unsigned bits = intType ? intType.getWidth() : 0;
    if (bits != 1 && bits != 2 && bits != 4 && (lut || bits != 8))
      return emitError() << "layout " << name << " needs " << (lut ? "1-, 2- or 4" : "1-, 2-, 4- or 8")
                         << "-bit integer storage, got " << storageType;
    ArrayRef<int64_t> tile = layout.getTile();
    if (shape.size() != 2 || tile.size() != 2)
      return emitError() << "layout " << name
                         << " needs a rank-2 tensor and a tile [rows, elements of K]";
    if (tile[0] < 16 || tile[0] % 16 != 0 || shape[0] % tile[0] != 0)
      return emitError() << "layout " << name << ": tile rows " << tile[0]
                         << " must be a multiple of 16 dividing " << shape[0];
    int64_t perVector = 32 / bits;
    if (tile[1] != perVector || shape[1] % tile[1] != 0)
      return emitError() << "layout " << name << ": " << bits << "-bit codes take " << perVector
                         << " elements of K a vector, dividing K = " << shape[1] << "; got "
                         << tile[1];
    return success();
  }
  case LayoutKind::tiled: {
    ArrayRef<int64_t> tile = layout.getTile();
    if (tile.size() != shape.size())
      return emitError() << "layout tile has " << tile.size()
                         << " extents but the tensor has rank "
                         << shape.size();
    for (auto [dim, extent] : llvm::enumerate(tile)) {
      if (extent < 1 || shape[dim] % extent != 0)
        return emitError() << "tile extent " << extent
                           << " does not divide dimension " << dim
                           << " (size " << shape[dim] << ")";
    }
    return success();
  }
  }
  llvm_unreachable("unknown layout kind");
}

LogicalResult qcc::lowbit::verifyQTensorParts(EmitErrorFn emitError,
                                              ArrayRef<int64_t> shape,
                                              Type storageType,
                                              SchemeAttr scheme,
                                              LayoutAttr layout) {
  for (auto [dim, size] : llvm::enumerate(shape))
    if (size < 1)
      return emitError() << "dimension " << dim << " has size " << size
                         << "; a qtensor shape must be static and positive";
  if (!isSupportedStorageType(storageType))
    return emitError() << "storage type " << storageType
                       << " is not a low-bit format (expected iN or uiN with "
                          "N in 1..8 or 16, f8E4M3FN, f8E5M2, f8E4M3FNUZ, "
                          "f8E5M2FNUZ, f6E2M3FN, f6E3M2FN, f4E2M1FN or "
                          "!lowbit.ternary)";
  if (!scheme)
    return emitError() << "a qtensor needs a scheme";
  return failure(failed(verifyGranularity(emitError, shape, scheme)) ||
                 failed(verifyScale(emitError, storageType, scheme)) ||
                 failed(verifyZeroPoint(emitError, storageType, scheme)) ||
                 failed(verifyCodebook(emitError, shape, storageType, scheme)) ||
                 failed(verifyLayout(emitError, shape, storageType, layout)));
}

LogicalResult QTensorType::verify(EmitErrorFn emitError,
                                  ArrayRef<int64_t> shape, Type storageType,
                                  SchemeAttr scheme, LayoutAttr layout) {
  return verifyQTensorParts(emitError, shape, storageType, scheme, layout);
}

//===----------------------------------------------------------------------===//
// Syntax: !lowbit.qtensor<SHAPE x STORAGE, #lowbit.scheme<...>[, #lowbit.layout<...>]>
//===----------------------------------------------------------------------===//

Type QTensorType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  SmallVector<int64_t> shape;
  Type storageType;
  SchemeAttr scheme;
  LayoutAttr layout;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(storageType) || parser.parseComma() ||
      parser.parseAttribute(scheme))
    return {};
  if (succeeded(parser.parseOptionalComma()) && parser.parseAttribute(layout))
    return {};
  if (parser.parseGreater())
    return {};
  // row_major is the default layout: one spelling per type.
  if (layout && layout.getKind() == LayoutKind::row_major &&
      layout.getTile().empty())
    layout = {};
  return parser.getChecked<QTensorType>(loc, parser.getContext(),
                                        ArrayRef<int64_t>(shape),
                                        storageType, scheme, layout);
}

void QTensorType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t size : getShape())
    printer << size << "x";
  printer << getStorageType() << ", " << getScheme();
  if (getLayout())
    printer << ", " << getLayout();
  printer << ">";
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

int64_t QTensorType::getNumElements() const {
  int64_t count = 1;
  for (int64_t size : getShape())
    count *= size;
  return count;
}

LayoutKind QTensorType::getLayoutKind() const {
  return getLayout() ? getLayout().getKind() : LayoutKind::row_major;
}

unsigned QTensorType::getStorageBitWidth() const {
  if (isa<TernaryType>(getStorageType()))
    return 2;
  return getStorageType().getIntOrFloatBitWidth();
}

int64_t QTensorType::getPackedByteCount() const {
  int64_t count = getNumElements();
  switch (getLayoutKind()) {
  case LayoutKind::base3:
    return (count + 4) / 5;
  case LayoutKind::bit_planes:
    return getStorageBitWidth() * ((count + 7) / 8);
  case LayoutKind::row_major:
  case LayoutKind::tiled:
  case LayoutKind::lut_planes:
  case LayoutKind::int8_tiles:
    return (count * getStorageBitWidth() + 7) / 8;
  }
  llvm_unreachable("unknown layout kind");
}

SmallVector<int64_t> QTensorType::getScaleShape() const {
  SchemeAttr scheme = getScheme();
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    return {};
  case Granularity::per_axis:
    return {getShape()[*scheme.getAxis()]};
  case Granularity::per_block: {
    SmallVector<int64_t> shape;
    for (auto [size, extent] : llvm::zip(getShape(), scheme.getBlock()))
      shape.push_back(size / extent);
    return shape;
  }
  }
  llvm_unreachable("unknown granularity");
}

std::optional<SmallVector<int64_t>> QTensorType::getCodebookShape() const {
  SchemeAttr scheme = getScheme();
  if (!scheme.hasCodebook())
    return std::nullopt;
  int64_t entries = int64_t(1) << getStorageBitWidth();
  if (std::optional<int64_t> axis = scheme.getCodebookAxis())
    return SmallVector<int64_t>{getShape()[*axis], entries};
  return SmallVector<int64_t>{entries};
}

QTensorType QTensorType::withLayout(LayoutAttr layout) const {
  if (layout && layout.getKind() == LayoutKind::row_major &&
      layout.getTile().empty())
    layout = {};
  return QTensorType::get(getContext(), getShape(), getStorageType(),
                          getScheme(), layout);
}

QTensorType QTensorType::withShapeAndScheme(ArrayRef<int64_t> shape,
                                            SchemeAttr scheme) const {
  return QTensorType::get(getContext(), shape, getStorageType(), scheme,
                          getLayout());
}
