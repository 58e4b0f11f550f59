//===- QTensorParts.cpp - reading elements of a qtensor's parts --------===//

#include "QTensorParts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>
#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace qcc::lowbit;

static Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

static Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), value);
}

/// Row-major flat index of `indices` in `shape`.
static Value linearize(OpBuilder &b, Location loc, ValueRange indices,
                       ArrayRef<int64_t> shape) {
  Value flat = indexConstant(b, loc, 0);
  for (auto [index, size] : llvm::zip(indices, shape)) {
    flat = arith::MulIOp::create(b, loc, flat, indexConstant(b, loc, size));
    flat = arith::AddIOp::create(b, loc, flat, index);
  }
  return flat;
}

/// Byte `index` of a tensor<Bxi8>, zero-extended to i32.
static Value loadByte(OpBuilder &b, Location loc, Value bytes, Value index) {
  Value byte = tensor::ExtractOp::create(b, loc, bytes, ValueRange{index});
  return arith::ExtUIOp::create(b, loc, b.getI32Type(), byte);
}

static bool isSignedCode(Type storage) {
  if (isa<TernaryType>(storage))
    return true;
  auto intType = dyn_cast<IntegerType>(storage);
  return intType && !intType.isUnsigned();
}

/// Sign-extends the low `bits` of an i32.
static Value signExtend(OpBuilder &b, Location loc, Value value,
                        unsigned bits) {
  Value shift = i32Constant(b, loc, 32 - bits);
  return arith::ShRSIOp::create(b, loc,
                                arith::ShLIOp::create(b, loc, value, shift),
                                shift);
}

static Value loadPackedCode(OpBuilder &b, Location loc,
                            const QTensorParts &parts, ValueRange indices) {
  QTensorType type = parts.type;
  Value flat = linearize(b, loc, indices, type.getShape());
  if (type.getLayoutKind() == LayoutKind::base3) {
    // Five trits per byte: t_i = (byte / 3^i) % 3, stored as t + 1.
    Value byteIndex = arith::DivUIOp::create(b, loc, flat, indexConstant(b, loc, 5));
    Value position = arith::RemUIOp::create(b, loc, flat, indexConstant(b, loc, 5));
    Value byte = loadByte(b, loc, parts.codes, byteIndex);
    Value power = i32Constant(b, loc, 1);
    // 3^position by selects: position is in 0..4.
    for (int64_t p = 1, value = 3; p < 5; ++p, value *= 3) {
      Value reached = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                            position, indexConstant(b, loc, p));
      power = arith::SelectOp::create(b, loc, reached, i32Constant(b, loc, value),
                                      power);
    }
    Value trit = arith::RemUIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, byte, power), i32Constant(b, loc, 3));
    return arith::SubIOp::create(b, loc, trit, i32Constant(b, loc, 1));
  }
  unsigned bits = type.getStorageBitWidth();
  Value bitIndex = arith::MulIOp::create(b, loc, flat, indexConstant(b, loc, bits));
  Value byteIndex = arith::ShRUIOp::create(b, loc, bitIndex, indexConstant(b, loc, 3));
  Value shiftIndex = arith::AndIOp::create(b, loc, bitIndex, indexConstant(b, loc, 7));
  Value shift = arith::IndexCastOp::create(b, loc, b.getI32Type(), shiftIndex);
  Value word = loadByte(b, loc, parts.codes, byteIndex);
  // Codes whose width does not divide 8 may straddle two bytes; 16-bit
  // codes always take two.
  if (8 % bits != 0) {
    Value next = arith::AddIOp::create(b, loc, byteIndex, indexConstant(b, loc, 1));
    Value spills = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ugt,
        arith::AddIOp::create(b, loc, shiftIndex, indexConstant(b, loc, bits)),
        indexConstant(b, loc, 8));
    // Read the next byte only when the code spills into it, so the last
    // code of the stream never reads past the end.
    Value safeNext = arith::SelectOp::create(b, loc, spills, next, byteIndex);
    Value high = loadByte(b, loc, parts.codes, safeNext);
    high = arith::SelectOp::create(b, loc, spills, high, i32Constant(b, loc, 0));
    word = arith::OrIOp::create(b, loc, word,
                                arith::ShLIOp::create(b, loc, high, i32Constant(b, loc, 8)));
  }
  Value code = arith::AndIOp::create(b, loc,
                                     arith::ShRUIOp::create(b, loc, word, shift),
                                     i32Constant(b, loc, (1 << bits) - 1));
  return isSignedCode(type.getStorageType()) ? signExtend(b, loc, code, bits)
                                             : code;
}

Value qcc::lowbit::loadCode(OpBuilder &b, Location loc,
                            const QTensorParts &parts, ValueRange indices) {
  if (parts.packed)
    return loadPackedCode(b, loc, parts, indices);
  return widenCode(b, loc, parts, tensor::ExtractOp::create(b, loc, parts.codes, indices));
}

Value qcc::lowbit::widenCode(OpBuilder &b, Location loc, const QTensorParts &parts,
                             Value element) {
  Type type = element.getType();
  unsigned bits = type.getIntOrFloatBitWidth();
  if (isa<FloatType>(type))
    element = arith::BitcastOp::create(b, loc, b.getIntegerType(bits), element);
  if (bits == 32)
    return element;
  return isSignedCode(parts.type.getStorageType())
             ? Value(arith::ExtSIOp::create(b, loc, b.getI32Type(), element))
             : Value(arith::ExtUIOp::create(b, loc, b.getI32Type(), element));
}

/// Indices into the scale-shaped tensors for an element at `indices`.
static SmallVector<Value> paramIndices(OpBuilder &b, Location loc,
                                       QTensorType type, ValueRange indices) {
  SchemeAttr scheme = type.getScheme();
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    return {};
  case Granularity::per_axis:
    return {indices[*scheme.getAxis()]};
  case Granularity::per_block: {
    SmallVector<Value> result;
    for (auto [index, extent] : llvm::zip(indices, scheme.getBlock()))
      result.push_back(extent == 1 ? index
                                   : Value(arith::DivUIOp::create(
                                         b, loc, index,
                                         indexConstant(b, loc, extent))));
    return result;
  }
  }
  llvm_unreachable("unknown granularity");
}

/// A 2^bits-entry f32 table decoding every code of a minifloat format.
static Value decodeTable(OpBuilder &b, Location loc, FloatType format) {
  unsigned bits = format.getWidth();
  SmallVector<float> values;
  for (uint64_t code = 0; code < (uint64_t(1) << bits); ++code) {
    APFloat value(format.getFloatSemantics(), APInt(bits, code));
    bool losesInfo;
    value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
    values.push_back(value.convertToFloat());
  }
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, ArrayRef<float>(values)));
}

/// Converts a scalar of a float type to f32 (through a table for 8- and
/// 4-bit formats, which LLVM has no types for).
static Value floatToF32(OpBuilder &b, Location loc, Value value) {
  auto type = cast<FloatType>(value.getType());
  if (type.isF32())
    return value;
  if (type.getWidth() >= 16)
    return arith::ExtFOp::create(b, loc, b.getF32Type(), value);
  Value bitsValue = arith::BitcastOp::create(b, loc, b.getIntegerType(type.getWidth()), value);
  Value index = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), bitsValue);
  return tensor::ExtractOp::create(b, loc, decodeTable(b, loc, type), ValueRange{index});
}

Value qcc::lowbit::loadZeroPoint(OpBuilder &b, Location loc,
                                 const QTensorParts &parts, ValueRange indices) {
  if (!parts.zeroPoints)
    return {};
  Value zero = tensor::ExtractOp::create(
      b, loc, parts.zeroPoints, paramIndices(b, loc, parts.type, indices));
  Type type = zero.getType();
  if (isa<FloatType>(type))
    return floatToF32(b, loc, zero);
  auto zeroType = cast<IntegerType>(parts.type.getScheme().getZeroPoint());
  if (type.getIntOrFloatBitWidth() == 32)
    return zero;
  return zeroType.isUnsigned()
             ? Value(arith::ExtUIOp::create(b, loc, b.getI32Type(), zero))
             : Value(arith::ExtSIOp::create(b, loc, b.getI32Type(), zero));
}

Value qcc::lowbit::loadScale(OpBuilder &b, Location loc,
                             const QTensorParts &parts, ValueRange indices) {
  if (!parts.scales)
    return {};
  Value scale = tensor::ExtractOp::create(
      b, loc, parts.scales, paramIndices(b, loc, parts.type, indices));
  return floatToF32(b, loc, scale);
}

Value qcc::lowbit::decodeReal(OpBuilder &b, Location loc,
                              const QTensorParts &parts, ValueRange indices) {
  return decodeCode(b, loc, parts, loadCode(b, loc, parts, indices), indices);
}

Value qcc::lowbit::decodeCode(OpBuilder &b, Location loc, const QTensorParts &parts, Value code,
                              ValueRange indices) {
  QTensorType type = parts.type;
  SchemeAttr scheme = type.getScheme();
  Type storage = type.getStorageType();
  Value real;
  if (scheme.hasCodebook()) {
    SmallVector<Value> at;
    if (std::optional<int64_t> axis = scheme.getCodebookAxis())
      at.push_back(indices[*axis]);
    at.push_back(arith::IndexCastUIOp::create(b, loc, b.getIndexType(), code));
    real = floatToF32(b, loc, tensor::ExtractOp::create(b, loc, parts.codebook, at));
  } else if (auto format = dyn_cast<FloatType>(storage)) {
    Value index = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), code);
    real = tensor::ExtractOp::create(b, loc, decodeTable(b, loc, format), ValueRange{index});
  } else {
    Value zero = loadZeroPoint(b, loc, parts, indices);
    if (zero && zero.getType().isInteger(32))
      code = arith::SubIOp::create(b, loc, code, zero);
    real = arith::SIToFPOp::create(b, loc, b.getF32Type(), code);
    if (zero && zero.getType().isF32())
      real = arith::SubFOp::create(b, loc, real, zero);
  }
  if (Value scale = loadScale(b, loc, parts, indices))
    real = arith::MulFOp::create(b, loc, real, scale);
  if (parts.tensorScale)
    real = arith::MulFOp::create(b, loc, real, parts.tensorScale);
  return real;
}

LogicalResult qcc::lowbit::checkLowerable(Operation *op, QTensorType type) {
  LayoutKind kind = type.getLayoutKind();
  if (kind != LayoutKind::row_major && kind != LayoutKind::base3)
    return op->emitOpError("layout ")
           << stringifyLayoutKind(kind)
           << " has no reference lowering yet; unpack to row_major first";
  return success();
}

/// The values of a constant tensor (through signless bitcasts) as doubles,
/// integers extended by `isSigned`; nullopt if it is not a constant.
std::optional<ElementsAttr> qcc::lowbit::constantElements(Value value) {
  while (value && value.getDefiningOp<tensor::BitcastOp>())
    value = value.getDefiningOp<tensor::BitcastOp>().getSource();
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto elements = dyn_cast<ElementsAttr>(attr))
    return elements;
  return std::nullopt;
}

std::optional<std::vector<double>> qcc::lowbit::constantValues(Value value, bool isSigned) {
  std::optional<ElementsAttr> elements = constantElements(value);
  if (!elements)
    return std::nullopt;
  return constantValues(*elements, isSigned);
}

namespace {

/// An element of `type` from its bits as a double (integers extended by
/// `isSigned`).
double decodeBits(Type type, const APInt &raw, bool isSigned) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    APFloat f(floatType.getFloatSemantics(), raw);
    bool lost = false;
    f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return f.convertToDouble();
  }
  return isSigned ? double(raw.getSExtValue()) : double(raw.getZExtValue());
}

/// One little-endian element of `type` at `data` as a double.
double decodeElement(Type type, const char *data, bool isSigned) {
  if (type.isF32()) { // most scales: without APFloat's conversion
    float value;
    std::memcpy(&value, data, sizeof value);
    return value;
  }
  unsigned bits = type.getIntOrFloatBitWidth();
  uint64_t word = 0;
  std::memcpy(&word, data, bits / 8);
  return decodeBits(type, APInt(bits, word), isSigned);
}

} // namespace

std::optional<ArrayRef<char>> qcc::lowbit::constantBytesInPlace(ElementsAttr elements) {
  unsigned bits = elements.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0 || bits > 64)
    return std::nullopt;
  size_t size = size_t(elements.getNumElements()) * bits / 8;
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(Attribute(elements))) {
    if (dense.isSplat())
      return std::nullopt;
    raw = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(Attribute(elements))) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    raw = blob->getData();
  }
  if (raw.size() != size)
    return std::nullopt;
  return raw;
}

bool qcc::lowbit::constantRowsMayBeUniform(ElementsAttr elements, int64_t rows, bool isSigned) {
  std::optional<ArrayRef<char>> raw = constantBytesInPlace(elements);
  int64_t count = elements.getNumElements();
  if (!raw || rows <= 0 || count % rows != 0)
    return true;
  Type type = elements.getElementType();
  size_t width = type.getIntOrFloatBitWidth() / 8;
  int64_t perRow = count / rows;
  for (int64_t r = 0; r < rows; ++r) {
    const char *first = raw->data() + r * perRow * width;
    for (int64_t i = 1; i < perRow; ++i) {
      const char *other = first + i * width;
      if (std::memcmp(first, other, width) != 0 &&
          decodeElement(type, first, isSigned) != decodeElement(type, other, isSigned))
        return false;
    }
  }
  return true;
}

std::optional<std::vector<double>> qcc::lowbit::constantValues(ElementsAttr elements,
                                                               bool isSigned) {
  Attribute attr = elements;
  Type type = elements.getElementType();
  unsigned bits = type.getIntOrFloatBitWidth();
  auto decode = [&](const APInt &raw) { return decodeBits(type, raw, isSigned); };
  std::vector<double> values;
  values.reserve(elements.getNumElements());
  if (std::optional<ArrayRef<char>> raw = constantBytesInPlace(elements)) {
    for (int64_t i = 0; i < elements.getNumElements(); ++i)
      values.push_back(decodeElement(type, raw->data() + i * (bits / 8), isSigned));
    return values;
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat()) { // default zero points: one value, not an APInt an element
      double value = isa<FloatType>(type) ? decode(dense.getSplatValue<APFloat>().bitcastToAPInt())
                                          : decode(dense.getSplatValue<APInt>());
      values.assign(elements.getNumElements(), value);
      return values;
    }
    if (isa<FloatType>(type))
      for (APFloat f : dense.getValues<APFloat>())
        values.push_back(decode(f.bitcastToAPInt()));
    else
      for (APInt raw : dense.getValues<APInt>())
        values.push_back(decode(raw));
    return values;
  }
  return std::nullopt; // a resource without its blob, or of sub-byte elements
}


/// The raw little-endian bytes of a dense or resource ElementsAttr whose
/// element width is a whole number of bytes (or of packed i8 storage).
std::optional<std::vector<uint8_t>> qcc::lowbit::constantBytes(ElementsAttr attr) {
  unsigned bits = attr.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return std::nullopt;
  size_t size = size_t(attr.getNumElements()) * bits / 8;
  std::vector<uint8_t> bytes(size);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      for (size_t i = 0; i < size; i += bits / 8)
        std::memcpy(bytes.data() + i, raw.data(), bits / 8);
      return bytes;
    }
    if (raw.size() != size)
      return std::nullopt;
    std::memcpy(bytes.data(), raw.data(), size);
    return bytes;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  AsmResourceBlob *blob = resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || blob->getData().size() != size)
    return std::nullopt;
  std::memcpy(bytes.data(), blob->getData().data(), size);
  return bytes;
}

std::optional<ArrayRef<uint8_t>>
qcc::lowbit::constantBytesOrCopy(ElementsAttr attr, std::optional<std::vector<uint8_t>> &copy) {
  if (std::optional<ArrayRef<char>> raw = constantBytesInPlace(attr))
    return ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(raw->data()), raw->size());
  if ((copy = constantBytes(attr)))
    return ArrayRef<uint8_t>(*copy);
  return std::nullopt;
}

bool qcc::lowbit::constantCodesHaveBytes(const QTensorParts &w, int64_t bytes) {
  std::optional<ElementsAttr> codes = constantElements(w.codes);
  if (!codes || !codes->getElementType().isIntOrFloat())
    return false;
  unsigned bits = codes->getElementType().getIntOrFloatBitWidth();
  return bits % 8 == 0 && codes->getNumElements() * int64_t(bits / 8) == bytes;
}

Value qcc::lowbit::codesAsBytesConstant(OpBuilder &b, Location loc, const QTensorParts &w,
                                        int64_t bytes, StringRef name) {
  std::optional<ElementsAttr> codes = constantElements(w.codes);
  if (!codes)
    return {};
  auto type = RankedTensorType::get({bytes}, b.getI8Type());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(Attribute(*codes))) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (blob && int64_t(blob->getData().size()) == bytes)
      return arith::ConstantOp::create(
          b, loc, DenseResourceElementsAttr::get(type, resource.getRawHandle()));
  }
  std::optional<std::vector<uint8_t>> copy = constantBytes(*codes);
  if (!copy || int64_t(copy->size()) != bytes)
    return {};
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(copy->data()), copy->size()), alignof(uint64_t));
  return arith::ConstantOp::create(b, loc, DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

std::optional<std::vector<uint8_t>> qcc::lowbit::constantCodeBytes(const QTensorParts &w,
                                                                  unsigned bits) {
  std::optional<ElementsAttr> codes = constantElements(w.codes);
  if (!codes)
    return std::nullopt;
  std::optional<std::vector<uint8_t>> bytes = constantBytes(*codes);
  int64_t n = w.type.getShape()[0], k = w.type.getShape()[1];
  if (!bytes || int64_t(bytes->size()) != n * k * bits / 8)
    return std::nullopt;
  return bytes;
}

Value qcc::lowbit::clampCode(OpBuilder &b, Location loc, Value q, int64_t qmin, int64_t qmax) {
  auto f32 = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v)));
  };
  if (qmin == 0)
    return arith::MinNumFOp::create(b, loc, arith::MaxNumFOp::create(b, loc, q, f32(0)),
                                    f32(double(qmax)));
  q = arith::MaximumFOp::create(b, loc, f32(double(qmin)),
                                arith::MinimumFOp::create(b, loc, f32(double(qmax)), q));
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, q, q);
  return arith::SelectOp::create(b, loc, isNaN, f32(0), q);
}
