//===- LowBitAttrs.cpp - scheme and layout attribute syntax -----------===//
//
// The scheme attribute has optional, keyed fields whose presence depends on
// each other (an axis only for per_axis, a block only for per_block), which
// ODS's declarative formats cannot say; so its syntax is written here.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace qcc::lowbit;

static ParseResult parseIntegerList(AsmParser &parser,
                                    SmallVectorImpl<int64_t> &values) {
  return parser.parseCommaSeparatedList(
      AsmParser::Delimiter::Square, [&]() -> ParseResult {
        int64_t value;
        if (parser.parseInteger(value))
          return failure();
        values.push_back(value);
        return success();
      });
}

static void printIntegerList(AsmPrinter &printer, ArrayRef<int64_t> values) {
  printer << "[";
  llvm::interleaveComma(values, printer);
  printer << "]";
}

//===----------------------------------------------------------------------===//
// SchemeAttr: #lowbit.scheme<GRANULARITY[ = AXIS | BLOCK], key = value, ...>
//===----------------------------------------------------------------------===//

Attribute SchemeAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<Granularity> granularity = symbolizeGranularity(keyword);
  if (!granularity) {
    parser.emitError(loc, "expected granularity per_tensor, per_axis or "
                          "per_block, got '")
        << keyword << "'";
    return {};
  }

  std::optional<int64_t> axis;
  SmallVector<int64_t> block;
  if (*granularity == Granularity::per_axis) {
    int64_t value;
    if (parser.parseEqual() || parser.parseInteger(value))
      return {};
    axis = value;
  } else if (*granularity == Granularity::per_block) {
    if (parser.parseEqual() || parseIntegerList(parser, block))
      return {};
  }

  Type scale, zeroPoint, tensorScale, codebook;
  std::optional<int64_t> codebookAxis;
  llvm::StringSet<> seen;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (!seen.insert(key).second) {
      parser.emitError(keyLoc, "scheme field '") << key << "' given twice";
      return {};
    }
    if (key == "scale") {
      if (parser.parseType(scale))
        return {};
    } else if (key == "zero_point") {
      if (parser.parseType(zeroPoint))
        return {};
    } else if (key == "tensor_scale") {
      if (parser.parseType(tensorScale))
        return {};
    } else if (key == "codebook") {
      if (parser.parseType(codebook))
        return {};
    } else if (key == "codebook_axis") {
      int64_t value;
      if (parser.parseInteger(value))
        return {};
      codebookAxis = value;
    } else {
      parser.emitError(keyLoc, "unknown scheme field '")
          << key
          << "' (expected scale, zero_point, tensor_scale, codebook or "
             "codebook_axis)";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return SchemeAttr::get(parser.getContext(), *granularity, axis, block, scale,
                         zeroPoint, tensorScale, codebook, codebookAxis);
}

void SchemeAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyGranularity(getGranularity());
  if (getGranularity() == Granularity::per_axis && getAxis())
    printer << " = " << *getAxis();
  if (getGranularity() == Granularity::per_block) {
    printer << " = ";
    printIntegerList(printer, getBlock());
  }
  if (getScale())
    printer << ", scale = " << getScale();
  if (getZeroPoint())
    printer << ", zero_point = " << getZeroPoint();
  if (getTensorScale())
    printer << ", tensor_scale = " << getTensorScale();
  if (getCodebook())
    printer << ", codebook = " << getCodebook();
  if (getCodebookAxis())
    printer << ", codebook_axis = " << *getCodebookAxis();
  printer << ">";
}

//===----------------------------------------------------------------------===//
// LayoutAttr: #lowbit.layout<KIND[ = [TILE]]>
//===----------------------------------------------------------------------===//

Attribute LayoutAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  std::optional<LayoutKind> kind = symbolizeLayoutKind(keyword);
  if (!kind) {
    parser.emitError(loc, "unknown layout '")
        << keyword << "' (expected row_major, bit_planes, base3, tiled, lut_planes or int8_tiles)";
    return {};
  }
  SmallVector<int64_t> tile;
  if (succeeded(parser.parseOptionalEqual()) && parseIntegerList(parser, tile))
    return {};
  if (parser.parseGreater())
    return {};
  return LayoutAttr::get(parser.getContext(), *kind, tile);
}

void LayoutAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyLayoutKind(getKind());
  if (!getTile().empty()) {
    printer << " = ";
    printIntegerList(printer, getTile());
  }
  printer << ">";
}
