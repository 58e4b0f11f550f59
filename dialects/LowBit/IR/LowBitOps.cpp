//===- LowBitOps.cpp - lowbit op verifiers ----------------------------===//
//
// The type verifier already guarantees a consistent qtensor type; the op
// verifiers check what travels beside it (packed bytes, scales, zero points,
// codebooks) and how operand and result shapes relate.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace qcc::lowbit;

#define GET_OP_CLASSES
#include "qcc/Dialect/LowBit/IR/LowBitOps.cpp.inc"

/// A shape as "[a, b, c]" for diagnostics.
static std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

/// Checks that a tensor travelling with a qtensor (scales, zero points,
/// codebook) has the shape and element type the qtensor's scheme implies.
static LogicalResult verifyCompanion(Operation *op, StringRef what,
                                     ShapedType actual,
                                     ArrayRef<int64_t> expectedShape,
                                     Type expectedElementType) {
  if (!actual.hasRank() || actual.getShape() != expectedShape)
    return op->emitOpError()
           << what << " have shape "
           << shapeText(actual.hasRank() ? actual.getShape()
                                         : ArrayRef<int64_t>{})
           << " but the scheme needs " << shapeText(expectedShape);
  if (actual.getElementType() != expectedElementType)
    return op->emitOpError() << what << " have element type "
                             << actual.getElementType()
                             << " but the scheme says " << expectedElementType;
  return success();
}

/// Checks presence and form of the scale and zero-point operands or
/// attributes against the scheme of `type`. With `mayBeComputed`, giving
/// neither means both are computed from the data (dynamic quantization).
static LogicalResult verifyScalesAndZeroPoints(Operation *op, QTensorType type,
                                               std::optional<ShapedType> scales,
                                               std::optional<ShapedType> zeros,
                                               bool mayBeComputed) {
  SchemeAttr scheme = type.getScheme();
  if (scales && !scheme.getScale())
    return op->emitOpError("scales given but the scheme has no scale type");
  if (zeros && !scheme.hasZeroPoint())
    return op->emitOpError(
        "zero points given but the scheme has no zero point type");
  bool computed = mayBeComputed && !scales && !zeros;
  if (!computed) {
    if (zeros && !scales && scheme.getScale())
      return op->emitOpError("zero points given without scales");
    if (!scales && scheme.getScale())
      return op->emitOpError("the scheme has scale type ")
             << scheme.getScale() << " but no scales were given";
    if (!zeros && scheme.hasZeroPoint())
      return op->emitOpError("the scheme has zero point type ")
             << scheme.getZeroPoint() << " but no zero points were given";
  }
  if (scales && failed(verifyCompanion(op, "scales", *scales,
                                       type.getScaleShape(),
                                       scheme.getScale())))
    return failure();
  if (zeros && failed(verifyCompanion(op, "zero points", *zeros,
                                      type.getScaleShape(),
                                      scheme.getZeroPoint())))
    return failure();
  return success();
}

static std::optional<ShapedType> shapedTypeOf(Value value) {
  if (!value)
    return std::nullopt;
  return cast<ShapedType>(value.getType());
}

static std::optional<ShapedType> shapedTypeOf(std::optional<ElementsAttr> attr) {
  if (!attr)
    return std::nullopt;
  return attr->getShapedType();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  QTensorType type = getType();
  ShapedType storage = getStorage().getShapedType();
  auto byteType = dyn_cast<IntegerType>(storage.getElementType());
  if (!storage.hasRank() || storage.getRank() != 1 || !byteType ||
      byteType.getWidth() != 8)
    return emitOpError("storage must be a 1-D tensor of i8 or ui8 bytes, got ")
           << storage;
  if (storage.getDimSize(0) != type.getPackedByteCount())
    return emitOpError("storage holds ")
           << storage.getDimSize(0) << " bytes but the type needs "
           << type.getPackedByteCount();

  if (failed(verifyScalesAndZeroPoints(*this, type, shapedTypeOf(getScales()),
                                       shapedTypeOf(getZeroPoints()),
                                       /*mayBeComputed=*/false)))
    return failure();

  SchemeAttr scheme = type.getScheme();
  if (getTensorScale() && !scheme.getTensorScale())
    return emitOpError(
        "tensor_scale given but the scheme has no tensor scale type");
  if (!getTensorScale() && scheme.getTensorScale())
    return emitOpError("the scheme has a tensor scale but none was given");

  std::optional<SmallVector<int64_t>> codebookShape = type.getCodebookShape();
  if (getCodebook() && !codebookShape)
    return emitOpError("codebook given but the scheme has no codebook");
  if (!getCodebook() && codebookShape)
    return emitOpError("the scheme has a codebook but none was given");
  if (codebookShape) {
    ShapedType codebook = getCodebook()->getShapedType();
    int64_t entries = codebookShape->back();
    if (codebook.hasRank() && codebook.getRank() >= 1 &&
        codebook.getShape().back() != entries)
      return emitOpError("codebook has ")
             << codebook.getShape().back() << " entries, but storage type "
             << type.getStorageType() << " needs 2^"
             << type.getStorageBitWidth() << " = " << entries;
    if (failed(verifyCompanion(*this, "codebook entries", codebook,
                               *codebookShape, scheme.getCodebook())))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp, DequantizeOp, RequantizeOp
//===----------------------------------------------------------------------===//

static LogicalResult verifySameShape(Operation *op, ArrayRef<int64_t> input,
                                     ArrayRef<int64_t> result) {
  if (input != result)
    return op->emitOpError("input shape ")
           << shapeText(input) << " does not match result shape "
           << shapeText(result);
  return success();
}

LogicalResult QuantizeOp::verify() {
  QTensorType type = getType();
  if (failed(verifySameShape(*this, getInput().getType().getShape(),
                             type.getShape())))
    return failure();
  if (type.getScheme().hasCodebook())
    return emitOpError("cannot quantize into a codebook scheme; build a "
                       "lowbit.constant with its codebook instead");
  return verifyScalesAndZeroPoints(*this, type, shapedTypeOf(getScales()),
                                   shapedTypeOf(getZeroPoints()),
                                   /*mayBeComputed=*/true);
}

LogicalResult DequantizeOp::verify() {
  return verifySameShape(*this, getInput().getType().getShape(),
                         getType().getShape());
}

LogicalResult RequantizeOp::verify() {
  QTensorType type = getType();
  if (failed(verifySameShape(*this, getInput().getType().getShape(),
                             type.getShape())))
    return failure();
  if (type.getScheme().hasCodebook())
    return emitOpError("cannot requantize into a codebook scheme");
  return verifyScalesAndZeroPoints(*this, type, shapedTypeOf(getScales()),
                                   shapedTypeOf(getZeroPoints()),
                                   /*mayBeComputed=*/true);
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

/// The epilogue's inputs have the result's shape or [n]; its block takes
/// one accumulator element (of the result's type, or f32 / i32 when the
/// epilogue converts) and one element of each input, and yields one result
/// element.
static LogicalResult verifyEpilogue(MatmulOp op, RankedTensorType result) {
  Region &region = op.getEpilogue();
  if (region.empty()) {
    if (!op.getEpilogueInputs().empty())
      return op.emitOpError("epilogue inputs without an epilogue region");
    return success();
  }
  Type element = result.getElementType();
  int64_t n = result.getShape().back();
  for (auto [i, input] : llvm::enumerate(op.getEpilogueInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getShape() != result.getShape() && type.getShape() != ArrayRef<int64_t>{n} &&
        type.getRank() != 0)
      return op.emitOpError("epilogue input ")
             << i << " has shape " << shapeText(type.getShape()) << "; expected "
             << shapeText(result.getShape()) << ", [" << n << "] or a scalar";
  }
  Block &block = region.front();
  if (block.getNumArguments() != op.getEpilogueInputs().size() + 1)
    return op.emitOpError("epilogue block takes ")
           << block.getNumArguments() << " arguments; expected "
           << op.getEpilogueInputs().size() + 1 << " (the element, then one per input)";
  // The first argument is the accumulator: the result element type, or f32
  // / i32 when the epilogue converts (a requantizing epilogue writes codes).
  Type accumulator = block.getArgument(0).getType();
  if (accumulator != element && !accumulator.isF32() && !accumulator.isInteger(32))
    return op.emitOpError("epilogue's first argument is ")
           << accumulator << "; expected the result element type " << element
           << " or an f32 / i32 accumulator";
  for (auto [i, input] : llvm::enumerate(op.getEpilogueInputs()))
    if (block.getArgument(i + 1).getType() !=
        cast<RankedTensorType>(input.getType()).getElementType())
      return op.emitOpError("epilogue argument ")
             << i + 1 << " does not have the element type of its input";
  auto yield = dyn_cast<YieldOp>(block.getTerminator());
  if (!yield || yield.getValues().size() != 1 || yield.getValues()[0].getType() != element)
    return op.emitOpError("epilogue must yield one ") << element;
  return success();
}

LogicalResult MatmulOp::verify() {
  QTensorType rhs = getRhs().getType();
  if (rhs.getRank() != 2)
    return emitOpError("rhs must have rank 2, got rank ") << rhs.getRank();
  int64_t rhsK = rhs.getShape()[getTransposeRhs() ? 1 : 0];
  int64_t n = rhs.getShape()[getTransposeRhs() ? 0 : 1];

  ArrayRef<int64_t> lhsShape;
  bool lhsQuantized = false;
  if (auto lhs = dyn_cast<QTensorType>(getLhs().getType())) {
    lhsShape = lhs.getShape();
    lhsQuantized = true;
  } else if (auto lhs = dyn_cast<RankedTensorType>(getLhs().getType())) {
    if (!isa<FloatType>(lhs.getElementType()))
      return emitOpError("lhs must be a float tensor or a qtensor, got ")
             << lhs;
    if (!lhs.hasStaticShape())
      return emitOpError("lhs must have a static shape, got ") << lhs;
    lhsShape = lhs.getShape();
  } else {
    return emitOpError("lhs must be a float tensor or a qtensor, got ")
           << getLhs().getType();
  }
  if (lhsShape.empty())
    return emitOpError("lhs must have rank 1 or more");
  if (lhsShape.back() != rhsK)
    return emitOpError("lhs contraction dimension ")
           << lhsShape.back() << " does not match rhs dimension " << rhsK;

  RankedTensorType result = getType();
  SmallVector<int64_t> expected(lhsShape.drop_back());
  expected.push_back(n);
  if (result.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape ")
           << shapeText(result.getShape()) << " does not match expected "
           << shapeText(expected);
  // The accumulator's element type: the result's, or what a converting
  // epilogue (integer codes out, or an i32 product scaled into f32) takes.
  Type resultElement = result.getElementType();
  if (!getEpilogue().empty() && getEpilogue().front().getNumArguments() > 0) {
    Type accumulator = getEpilogue().front().getArgument(0).getType();
    if (accumulator != resultElement) {
      bool toCodes = resultElement.isSignlessInteger() && accumulator.isIntOrFloat();
      bool toFloat = resultElement.isF32() && accumulator.isSignlessInteger(32);
      if (!toCodes && !toFloat)
        return emitOpError("an epilogue from ")
               << accumulator << " must yield signless integer codes (or f32 from i32), got "
               << resultElement;
      resultElement = accumulator;
    }
  }
  bool intResult = resultElement.isSignlessInteger(32);
  if (!isa<FloatType>(resultElement) && !intResult)
    return emitOpError("result element type must be a float type or i32, got ")
           << resultElement;
  if (intResult && !lhsQuantized)
    return emitOpError("an i32 result needs a quantized lhs");

  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getShape() != ArrayRef<int64_t>{n})
      return emitOpError("bias must have shape [")
             << n << "], got " << shapeText(biasType.getShape());
    if (biasType.getElementType() != resultElement)
      return emitOpError("bias element type ")
             << biasType.getElementType()
             << " does not match result element type " << resultElement;
  }
  return verifyEpilogue(*this, result);
}

//===----------------------------------------------------------------------===//
// AssembleOp, CodesOp, ScalesOp, ZeroPointsOp
//===----------------------------------------------------------------------===//

/// The element type a tensor of unpacked codes of `type` has.
static LogicalResult verifyCodesTensor(Operation *op, QTensorType type,
                                       RankedTensorType codes) {
  if (codes.getShape() != type.getShape())
    return op->emitOpError("codes shape ")
           << shapeText(codes.getShape()) << " does not match qtensor shape "
           << shapeText(type.getShape());
  if (codes.getElementType() != type.getStorageType())
    return op->emitOpError("codes element type ")
           << codes.getElementType() << " does not match storage type "
           << type.getStorageType();
  return success();
}

LogicalResult AssembleOp::verify() {
  QTensorType type = getType();
  if (failed(verifyCodesTensor(*this, type, getCodes().getType())))
    return failure();
  SchemeAttr scheme = type.getScheme();
  if (scheme.hasCodebook() || scheme.getTensorScale())
    return emitOpError("cannot assemble a qtensor with a codebook or tensor "
                       "scale; build a lowbit.constant instead");
  return verifyScalesAndZeroPoints(*this, type, shapedTypeOf(getScales()),
                                   shapedTypeOf(getZeroPoints()),
                                   /*mayBeComputed=*/false);
}

LogicalResult CodesOp::verify() {
  return verifyCodesTensor(*this, getInput().getType(), getType());
}

LogicalResult ScalesOp::verify() {
  QTensorType type = getInput().getType();
  if (!type.getScheme().getScale())
    return emitOpError("the scheme has no scales");
  return verifyCompanion(*this, "scales", getType(), type.getScaleShape(),
                         type.getScheme().getScale());
}

LogicalResult ZeroPointsOp::verify() {
  QTensorType type = getInput().getType();
  if (!type.getScheme().hasZeroPoint())
    return emitOpError("the scheme has no zero points");
  return verifyCompanion(*this, "zero points", getType(), type.getScaleShape(),
                         type.getScheme().getZeroPoint());
}

//===----------------------------------------------------------------------===//
// PackOp, UnpackOp
//===----------------------------------------------------------------------===//

/// Pack and unpack change the layout and nothing else.
static LogicalResult verifyLayoutChangeOnly(Operation *op, QTensorType input,
                                            QTensorType result) {
  if (input.getShape() != result.getShape())
    return op->emitOpError("changes only the layout, but the shape changes "
                           "from ")
           << shapeText(input.getShape()) << " to "
           << shapeText(result.getShape());
  if (input.getStorageType() != result.getStorageType())
    return op->emitOpError("changes only the layout, but the storage type "
                           "changes from ")
           << input.getStorageType() << " to " << result.getStorageType();
  if (input.getScheme() != result.getScheme())
    return op->emitOpError("changes only the layout, but the scheme changes "
                           "from ")
           << input.getScheme() << " to " << result.getScheme();
  return success();
}

LogicalResult PackOp::verify() {
  return verifyLayoutChangeOnly(*this, getInput().getType(), getType());
}

LogicalResult UnpackOp::verify() {
  if (getType().getLayoutKind() != LayoutKind::row_major)
    return emitOpError("result must have the row_major layout, got ")
           << getType().getLayout();
  return verifyLayoutChangeOnly(*this, getInput().getType(), getType());
}

//===----------------------------------------------------------------------===//
// ByteDotOp
//===----------------------------------------------------------------------===//

LogicalResult ByteDotOp::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t bytes = getUnsignedBytes().getType().getNumElements();
  StringRef instruction = getInstruction();
  if (getAcc().getType().getElementType().isInteger(16)) {
    if (instruction != "pmaddubsw" && instruction != "portable")
      return emitOpError("i16 accumulators: pmaddubsw or portable, got '") << instruction << "'";
    if (bytes != 2 * lanes || (instruction == "pmaddubsw" && bytes != 32 && bytes != 64))
      return emitOpError(instruction)
             << " into i16: two bytes per lane" << (instruction == "pmaddubsw" ? ", 32 or 64 bytes" : "")
             << ", got " << bytes << " bytes for " << lanes << " lanes";
    return success();
  }
  if (instruction == "portable") {
    if (bytes != lanes)
      return emitOpError("portable: one byte per lane, got ")
             << bytes << " bytes for " << lanes << " lanes";
    return success();
  }
  if (instruction == "sdot") {
    if (bytes != 4 * lanes || bytes % 16 != 0)
      return emitOpError("sdot: whole 16-byte vectors, four bytes per lane, got ")
             << bytes << " bytes for " << lanes << " lanes";
    return success();
  }
  if (instruction != "vpdpbusd" && instruction != "pmaddubsw")
    return emitOpError("unknown instruction '")
           << instruction << "' (vpdpbusd, pmaddubsw, sdot or portable)";
  if (bytes != 4 * lanes || (bytes != 32 && bytes != 64))
    return emitOpError(instruction)
           << ": 32 or 64 bytes, four per lane, got " << bytes << " bytes for "
           << lanes << " lanes";
  return success();
}

LogicalResult PairSumOp::verify() {
  int64_t lanes = getAcc().getType().getNumElements();
  int64_t pairs = getPairs().getType().getNumElements();
  if (pairs != 2 * lanes)
    return emitOpError("two i16 lanes per i32 lane, got ") << pairs << " for " << lanes;
  StringRef instruction = getInstruction();
  if (instruction == "portable")
    return success();
  if (instruction != "pmaddwd")
    return emitOpError("unknown instruction '") << instruction << "' (pmaddwd or portable)";
  if (pairs != 16 && pairs != 32)
    return emitOpError("pmaddwd: 16 or 32 i16 lanes, got ") << pairs;
  return success();
}

LogicalResult TableLookupOp::verify() {
  int64_t bytes = getTable().getType().getNumElements();
  if (!llvm::isPowerOf2_64(bytes))
    return emitOpError("table of ") << bytes << " bytes: not a power of two";
  StringRef instruction = getInstruction();
  if (instruction == "portable")
    return success();
  if (instruction == "vpshufb" || instruction == "tbl") {
    if (bytes != 16 && bytes != 32 && bytes != 64)
      return emitOpError(instruction) << ": 16, 32 or 64 bytes, got " << bytes;
    return success();
  }
  if (instruction != "vpermb")
    return emitOpError("unknown instruction '") << instruction
                                                << "' (vpermb, vpshufb, tbl or portable)";
  if (bytes != 64)
    return emitOpError("vpermb: a 64-byte table, got ") << bytes << " bytes";
  return success();
}

LogicalResult SignBytesOp::verify() {
  int64_t bytes = getValues().getType().getNumElements();
  StringRef instruction = getInstruction();
  if (instruction == "portable")
    return success();
  if (instruction != "vpsignb")
    return emitOpError("unknown instruction '") << instruction << "' (vpsignb or portable)";
  if (bytes != 16 && bytes != 32 && bytes != 64)
    return emitOpError("vpsignb: 16, 32 or 64 bytes, got ") << bytes;
  return success();
}

LogicalResult SelectBitsOp::verify() {
  int64_t bytes = getData().getType().getNumElements();
  if (bytes % 8 != 0)
    return emitOpError("whole 64-bit lanes: ") << bytes << " bytes";
  StringRef instruction = getInstruction();
  if (instruction == "portable")
    return success();
  if (instruction != "vpmultishiftqb")
    return emitOpError("unknown instruction '") << instruction << "' (vpmultishiftqb or portable)";
  if (bytes != 16 && bytes != 32 && bytes != 64)
    return emitOpError("vpmultishiftqb: 16, 32 or 64 bytes, got ") << bytes;
  return success();
}

LogicalResult BlendBytesOp::verify() {
  int64_t bytes = getOtherwise().getType().getNumElements();
  StringRef instruction = getInstruction();
  if (instruction == "portable")
    return success();
  if (instruction != "vpblendvb")
    return emitOpError("unknown instruction '") << instruction << "' (vpblendvb or portable)";
  if (bytes != 16 && bytes != 32)
    return emitOpError("vpblendvb: 16 or 32 bytes, got ") << bytes;
  return success();
}

LogicalResult ValueLookupOp::verify() {
  int64_t entries = getTable().getType().getNumElements();
  int64_t lanes = getIndices().getType().getNumElements();
  if (entries != 16)
    return emitOpError("a table of 16 values, got ") << entries;
  if (getResult().getType().getNumElements() != lanes)
    return emitOpError("one result lane per index lane: ")
           << lanes << " indices, " << getResult().getType().getNumElements() << " results";
  StringRef instruction = getInstruction();
  if (instruction == "portable")
    return success();
  if (instruction != "vpermps")
    return emitOpError("unknown instruction '") << instruction << "' (vpermps or portable)";
  if (lanes != 8 && lanes != 16)
    return emitOpError("vpermps: 8 or 16 lanes, got ") << lanes;
  return success();
}
