//===- Int8DotMatmul.cpp - matmul on int8 activations and packed codes --===//
//
// Layout of the work, for a weight row n and an activation row m:
//
//   y[m, n] = sum_b s_w[n, b] s_a[m, b] (sum_{k in b} u[n, k] q[m, k]
//                                        - z[n, b] sum_{k in b} q[m, k])
//
// with u the unsigned code (signed codes are flipped to unsigned by xor-ing
// their sign bit, which adds 2^(bits-1) to code and zero point alike), q the
// activation quantized to int8 with the max-abs scale s_a of its block.
//
// A row of packed codes is read `chunkBytes` (C) bytes at a time; byte i of
// a chunk holds the codes of elements i * P + j (P = 8 / bits codes a byte,
// field j at bit j * bits). Activations are stored reordered so that the
// C activations meeting field j of the C bytes are contiguous: position
// j * C + i of the chunk holds element i * P + j. Then one vector load of
// weights, P shift-and-mask ops and P byte-dot instructions do C * P
// multiply-adds, with no shuffles in the inner loop.
//
//===----------------------------------------------------------------------===//

#include "Int8DotMatmul.h"

#include "KernelSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace qcc::lowbit;

llvm::StringRef qcc::lowbit::stringifyByteDot(ByteDot dot) {
  switch (dot) {
  case ByteDot::Vnni512:
    return "avx512-vnni vpdpbusd zmm";
  case ByteDot::Vnni256:
    return "vnni vpdpbusd ymm";
  case ByteDot::Madd512:
    return "avx512bw vpmaddubsw zmm";
  case ByteDot::Madd256:
    return "avx2 vpmaddubsw ymm";
  case ByteDot::Sdot128:
    return "neon sdot";
  case ByteDot::Portable:
    return "portable vector";
  case ByteDot::FloatFma:
    return "f32 FMAs on decoded codes";
  }
  return "";
}

llvm::StringSet<> qcc::lowbit::targetFeaturesOf(Operation *op) {
  llvm::StringSet<> features;
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  if (!module)
    return features;
  auto attr = module->getAttrOfType<StringAttr>("qcc.target_features");
  if (!attr)
    return features;
  SmallVector<StringRef> parts;
  attr.getValue().split(parts, ',', -1, false);
  for (StringRef part : parts)
    if (part.consume_front("+"))
      features.insert(part.trim());
  return features;
}

namespace {

/// Exponent and mantissa widths and bias of the FP8/FP4 formats the kernel
/// decodes arithmetically; nullopt for others.
struct MinifloatLayout {
  unsigned exponent, mantissa;
  int bias;
  bool ieeeSpecials; // all-ones exponent: Inf/NaN (E5M2); else only S.1111.111 is NaN (E4M3FN)
  bool hasNaN;
};

std::optional<MinifloatLayout> layoutOf(FloatType type) {
  if (isa<Float8E4M3FNType>(type))
    return MinifloatLayout{4, 3, 7, false, true};
  if (isa<Float8E5M2Type>(type))
    return MinifloatLayout{5, 2, 15, true, true};
  if (isa<Float4E2M1FNType>(type))
    return MinifloatLayout{2, 1, 1, false, false};
  return std::nullopt;
}

} // namespace

Value qcc::lowbit::lookupCodebookLanes(OpBuilder &b, Location loc, Value codes,
                                       Value codebookBuffer, StringRef instruction,
                                       int64_t maxLanes) {
  auto bufferType = cast<MemRefType>(codebookBuffer.getType());
  int64_t entries = bufferType.getNumElements();
  Type f32 = b.getF32Type();
  SmallVector<Value> origin(bufferType.getRank(), arith::ConstantIndexOp::create(b, loc, 0));
  Value table = vector::LoadOp::create(
      b, loc, VectorType::get({entries}, bufferType.getElementType()), codebookBuffer, origin);
  if (!bufferType.getElementType().isF32())
    table = arith::ExtFOp::create(b, loc, VectorType::get({entries}, f32), table);
  if (entries < 16) {
    SmallVector<int64_t> repeat;
    for (int64_t i = 0; i < 16; ++i)
      repeat.push_back(i % entries);
    table = vector::ShuffleOp::create(b, loc, table, table, repeat);
  }
  int64_t lanes = cast<VectorType>(codes.getType()).getNumElements();
  if (instruction == "portable" || lanes <= maxLanes)
    return ValueLookupOp::create(b, loc, VectorType::get({lanes}, f32), table, codes,
                                 b.getStringAttr(instruction));
  // AVX2's vpermps takes 8 lanes: a 16-lane vector of codes is two lookups.
  Value result = arith::ConstantOp::create(b, loc, b.getZeroAttr(VectorType::get({lanes}, f32)));
  for (int64_t first = 0; first < lanes; first += maxLanes) {
    Value part = vector::ExtractStridedSliceOp::create(b, loc, codes, ArrayRef<int64_t>{first},
                                                       ArrayRef<int64_t>{maxLanes},
                                                       ArrayRef<int64_t>{1});
    part = ValueLookupOp::create(b, loc, VectorType::get({maxLanes}, f32), table, part,
                                 b.getStringAttr(instruction));
    result = vector::InsertStridedSliceOp::create(b, loc, part, result, ArrayRef<int64_t>{first},
                                                  ArrayRef<int64_t>{1});
  }
  return result;
}

bool qcc::lowbit::isDecodableMinifloat(FloatType type) {
  return layoutOf(type).has_value();
}

float qcc::lowbit::minifloatRescale(FloatType format) {
  return std::ldexp(1.0f, 15 - layoutOf(format)->bias);
}

bool qcc::lowbit::minifloatCodesMayBeNaN(Value codes, FloatType format) {
  MinifloatLayout f = *layoutOf(format);
  // E5M2's specials convert as f16's own; only E4M3FN's S.1111.111 needs
  // the patch.
  if (!f.hasNaN || f.ieeeSpecials)
    return false;
  std::optional<ElementsAttr> elements = constantElements(codes);
  if (!elements || elements->getElementType().getIntOrFloatBitWidth() != 8)
    return true;
  // The raw bytes where they are (a layer's are tens of MB: no copy).
  ArrayRef<char> bytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(*elements))
    bytes = dense.getRawData(); // one byte when a splat
  else if (auto resource = dyn_cast<DenseResourceElementsAttr>(*elements))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      bytes = blob->getData();
  if (bytes.empty())
    return true;
  return llvm::any_of(bytes, [](char code) { return (uint8_t(code) & 0x7F) == 0x7F; });
}

/// Lane-wise f32 values of minifloat codes (their raw bits, one a byte).
/// Each of these formats is an f16 with fewer bits: its exponent and
/// mantissa fields moved to the top of f16's fields give its value times
/// 2^(bias - 15) exactly, subnormals included (E5M2 is f16's top byte). So:
/// widen, shift, or in the sign, convert f16 -> f32 (vcvtph2ps), rescale.
/// E4M3FN's NaN code (S.1111.111), which lands on a finite f16, is patched.
Value qcc::lowbit::decodeMinifloatLanes(OpBuilder &b, Location loc, Value codes,
                                        FloatType format, bool rescale, bool patchNaN) {
  MinifloatLayout f = *layoutOf(format);
  auto byteType = cast<VectorType>(codes.getType());
  int64_t lanes = byteType.getNumElements();
  auto i16 = VectorType::get({lanes}, b.getI16Type());
  auto f16 = VectorType::get({lanes}, b.getF16Type());
  auto f32 = VectorType::get({lanes}, b.getF32Type());
  auto splat = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(i16, b.getI16IntegerAttr(v)));
  };
  auto splatF = [&](float v) {
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(f32, b.getF32FloatAttr(v)));
  };
  unsigned bits = 1 + f.exponent + f.mantissa;
  int64_t signBit = int64_t(1) << (bits - 1);
  int64_t shift = 10 - f.mantissa;
  Value half;
  if (bits == 8) {
    // A byte's sign extended fills the bits above it, so one shift puts
    // the exponent and mantissa at f16's and a copy of the sign at bit 15;
    // a mask clears what the shift left between them (vpmovsxbw, vpsllw,
    // vpand: three instructions where zero-extending took five).
    Value word = arith::ShLIOp::create(b, loc, arith::ExtSIOp::create(b, loc, i16, codes),
                                       splat(shift));
    // (E5M2's sign lands at bit 15 by itself.)
    if (shift != 16 - int64_t(bits))
      word = arith::AndIOp::create(
          b, loc, word, splat(int16_t(0x8000 | (((signBit - 1) << shift) & 0xFFFF))));
    half = arith::BitcastOp::create(b, loc, f16, word);
  } else {
    Value c = arith::ExtUIOp::create(b, loc, i16, codes);
    // The mantissa at the top of f16's 10 mantissa bits, the exponent below
    // f16's exponent's top bit(s).
    Value magnitude =
        arith::ShLIOp::create(b, loc, arith::AndIOp::create(b, loc, c, splat(signBit - 1)), splat(shift));
    Value sign = arith::ShLIOp::create(b, loc, arith::AndIOp::create(b, loc, c, splat(signBit)),
                                       splat(16 - bits));
    half = arith::BitcastOp::create(b, loc, f16, arith::OrIOp::create(b, loc, magnitude, sign));
  }
  Value value = arith::ExtFOp::create(b, loc, f32, half);
  if (rescale && f.bias != 15)
    value = arith::MulFOp::create(b, loc, value, splatF(minifloatRescale(format)));
  if (patchNaN && f.hasNaN && !f.ieeeSpecials) {
    Value c = arith::ExtUIOp::create(b, loc, i16, codes);
    Value isNaN = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq, arith::AndIOp::create(b, loc, c, splat(signBit - 1)),
        splat(signBit - 1));
    value = arith::SelectOp::create(b, loc, isNaN,
                                    splatF(std::numeric_limits<float>::quiet_NaN()), value);
  }
  return value;
}

std::optional<Int8DotPlan>
qcc::lowbit::planInt8Dot(QTensorType type, Type lhsType, Type resultType,
                         bool transposed, const llvm::StringSet<> &features,
                         std::string &whyNot, bool floatActivations) {
  auto fail = [&](const llvm::Twine &why) -> std::optional<Int8DotPlan> {
    whyNot = why.str();
    return std::nullopt;
  };
  if (std::optional<std::string> why =
          matmulOperandsWhyNot(type, lhsType, resultType, transposed))
    return fail(*why);
  SchemeAttr scheme = type.getScheme();
  Int8DotPlan plan;
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (auto minifloat = dyn_cast<FloatType>(type.getStorageType())) {
    // FP8/FP4 codes decode arithmetically to f32 (f32 activations only).
    if (!floatActivations || !isDecodableMinifloat(minifloat))
      return fail("codes are " + llvm::Twine(floatActivations ? "an unsupported float format"
                                                              : "floats, not integers"));
    if (scheme.getZeroPoint())
      return fail("float codes with zero points");
    plan.minifloat = minifloat;
    plan.bits = minifloat.getWidth();
  } else if (!storage) {
    return fail("codes are not integers");
  } else {
    plan.bits = storage.getWidth();
    plan.signedCodes = !storage.isUnsigned();
  }
  if (plan.bits != 1 && plan.bits != 2 && plan.bits != 4 && plan.bits != 8)
    return fail(llvm::Twine(plan.bits) + "-bit codes do not tile a byte");
  if (plan.signedCodes && plan.bits == 1)
    return fail("signed 1-bit codes");
  if (scheme.hasCodebook()) {
    // A 16-entry f32 table per weight (not per row), indices of up to 4
    // bits: f32 activations look the values up exactly (vpermps).
    if (!floatActivations)
      return fail("codebook codes with int8 activations decode through int8-gemm's tables");
    int64_t entries = int64_t(1) << plan.bits;
    if (plan.signedCodes || plan.bits > 4 || scheme.getCodebookAxis() ||
        scheme.getZeroPoint() || !isa<FloatType>(scheme.getCodebook()))
      return fail("codebooks other than one table of " + llvm::Twine(entries) +
                  " float values indexed by unsigned codes of up to 4 bits");
    plan.codebook = true;
    plan.lookup = (features.contains("avx512f") || features.contains("avx2")) ? "vpermps"
                                                                              : "portable";
    plan.lookupLanes = features.contains("avx512f") ? 16 : 8;
  }
  if (scheme.getTensorScale())
    return fail("tensor scales decode through tables");
  if (type.getLayoutKind() != LayoutKind::row_major)
    return fail("the layout is not row_major");
  auto scale = dyn_cast_or_null<FloatType>(scheme.getScale());
  // E8M0 (MX block scales) widens exactly through arith-expand.
  if (!scale || (scale.getWidth() < 16 && !isa<Float8E8M0FNUType>(scale)))
    return fail("scales are not 16- or 32-bit floats or E8M0");
  if (scheme.getZeroPoint() && !isa<IntegerType>(scheme.getZeroPoint()))
    return fail("zero points are floats");
  int64_t k = type.getShape()[1];
  std::string blockWhy;
  std::optional<int64_t> block = scaleBlockAlongK(scheme, k, blockWhy);
  if (!block)
    return fail(blockWhy);
  plan.block = *block;
  if (k % plan.block != 0 || (plan.block * plan.bits) % 8 != 0)
    return fail("blocks do not divide K into whole bytes");
  int64_t blockBytes = plan.block * plan.bits / 8;
  auto has = [&](llvm::StringRef f) { return features.contains(f); };
  bool narrow = plan.bits <= 4; // pmaddubsw's i16 pairs cannot overflow
  // A chunk holds whole blocks or a block whole chunks; with four bytes an
  // i32 lane, a block must fill whole lanes. A chunk of several blocks must
  // also divide the row (W2 g32 with K = 96: 24 bytes, not whole 16-byte
  // chunks, which read into the next row).
  int64_t rowBytes = k * plan.bits / 8;
  auto fits = [&](int64_t chunk, int64_t bytesPerLane) {
    return blockBytes % chunk == 0 ||
           (chunk % blockBytes == 0 && blockBytes % bytesPerLane == 0 && rowBytes % chunk == 0);
  };
  if (floatActivations) {
    // One vector of f32 lanes a chunk: a lane per weight byte.
    int64_t lanes = has("avx512f") ? 16 : 8;
    if (!fits(lanes, 1))
      return fail("a block of " + llvm::Twine(blockBytes) + " bytes does not tile " +
                  llvm::Twine(lanes) + "-lane vectors");
    plan.dot = ByteDot::FloatFma;
    plan.chunkBytes = lanes;
  } else if (has("avx512vnni") && fits(64, 4)) {
    plan.dot = ByteDot::Vnni512;
    plan.chunkBytes = 64;
  } else if (((has("avx512vnni") && has("avx512vl")) || has("avxvnni")) &&
             fits(32, 4)) {
    plan.dot = ByteDot::Vnni256;
    plan.chunkBytes = 32;
  } else if (has("avx512bw") && narrow && fits(64, 4)) {
    plan.dot = ByteDot::Madd512;
    plan.chunkBytes = 64;
  } else if (has("avx2") && narrow && fits(32, 4)) {
    plan.dot = ByteDot::Madd256;
    plan.chunkBytes = 32;
  } else if (has("dotprod") && has("neon") && narrow && fits(32, 4)) {
    // AArch64: sdot multiplies signed by signed bytes; codes below 128
    // are the same bytes either way (a chunk is two q registers).
    plan.dot = ByteDot::Sdot128;
    plan.chunkBytes = 32;
  } else {
    plan.dot = ByteDot::Portable;
    for (int64_t c : {64, 32, 16})
      if (fits(c, 1)) {
        plan.chunkBytes = c;
        break;
      }
    if (!plan.chunkBytes)
      return fail("a block of " + llvm::Twine(blockBytes) +
                  " bytes neither divides nor fills 16-byte vectors");
  }
  // The activations are quantized in vectors of min(block, 128) elements
  // (f32 activations are not quantized).
  if ((!floatActivations && plan.block % std::min<int64_t>(plan.block, 128) != 0) ||
      plan.block % 8 != 0)
    return fail("blocks of " + llvm::Twine(plan.block) +
                " elements are not a multiple of 8");
  return plan;
}

namespace {

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const Int8DotPlan &plan)
      : b(b), loc(loc), plan(plan), perByte(8 / plan.bits),
        chunkElems(plan.chunkBytes * perByte) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  Value splat(VectorType type, int64_t v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getIntegerAttr(type.getElementType(), v)));
  }

  Value toBuffer(Value tensor) { return readOnlyBuffer(b, loc, tensor); }
  /// The codebook's values (plan.codebook), read where codes are decoded.
  Value codebookBuffer;
  /// Minifloat codes: whether a NaN code may need its patch (a scan of
  /// constant codes clears it).
  bool patchNaN = true;

  /// Quantizes x[m, :] per block into xq (reordered), its scale and code sum.
  void buildFloatActivationPrep(Value x, Value xf, Value aScale, Value aSum,
                                int64_t m, int64_t blocks);
  void buildActivationPrep(Value x, Value xq, Value aScale, Value aSum,
                           int64_t m, int64_t blocks);
  /// The kernel proper over weight rows n in parallel.
  void buildDotLoops(Value xq, Value aScale, Value aSum, const QTensorParts &w,
                     Value codes, Value scales, Value zeros, Value corrTable, Value out,
                     int64_t m, int64_t n, int64_t k, int64_t blocks);

private:
  scf::ForOp countedLoop(OpBuilder &ob, int64_t count, ValueRange init, LoopBody body);
  Value byteDot(OpBuilder &ob, Value acc, Value codes, Value acts);
  Value loadParam(OpBuilder &ob, Value params, Value n, Value blockIndex);

  OpBuilder &b;
  Location loc;
  const Int8DotPlan &plan;
  int64_t perByte;
  int64_t chunkElems;
};

void KernelBuilder::buildActivationPrep(Value x, Value xq, Value aScale,
                                        Value aSum, int64_t m, int64_t blocks) {
  if (plan.dot == ByteDot::FloatFma)
    return buildFloatActivationPrep(x, xq, aScale, aSum, m, blocks);
  Type i8 = b.getI8Type();
  int64_t k = blocks * plan.block;
  // Codes in element order first when they need reordering.
  Value codes = perByte > 1
                    ? Value(memref::AllocOp::create(b, loc, MemRefType::get({m, k}, i8)))
                    : xq;
  buildBlockQuantization(b, loc, x, codes, aScale, aSum, m, blocks, plan.block, 127.0f);
  if (perByte == 1)
    return;
  // Position j * C + i of a chunk takes element i * P + j.
  SmallVector<int64_t> order(chunkElems);
  for (int64_t j = 0; j < perByte; ++j)
    for (int64_t i = 0; i < plan.chunkBytes; ++i)
      order[j * plan.chunkBytes + i] = i * perByte + j;
  auto cvec = VectorType::get({chunkElems}, i8);
  countedLoop(b, m, {}, [&](OpBuilder &rb, Value row, ValueRange) {
    countedLoop(rb, k / chunkElems, {}, [&](OpBuilder &cb, Value c, ValueRange) {
      Value start = arith::MulIOp::create(cb, loc, c, index(chunkElems));
      Value v = vector::LoadOp::create(cb, loc, cvec, codes, ValueRange{row, start});
      Value reordered = vector::ShuffleOp::create(cb, loc, v, v, cb.getDenseI64ArrayAttr(order));
      vector::StoreOp::create(cb, loc, reordered, xq, ValueRange{row, start});
      return SmallVector<Value>{};
    });
    return SmallVector<Value>{};
  });
}

/// f32 activations: reordered as the quantized ones are, scale 1, and the
/// sum of each block for the zero-point term.
void KernelBuilder::buildFloatActivationPrep(Value x, Value xf, Value aScale, Value aSum,
                                             int64_t m, int64_t blocks) {
  Type f32 = b.getF32Type();
  int64_t k = blocks * plan.block;
  auto cvec = VectorType::get({chunkElems}, f32);
  SmallVector<int64_t> order(chunkElems);
  for (int64_t j = 0; j < perByte; ++j)
    for (int64_t i = 0; i < plan.chunkBytes; ++i)
      order[j * plan.chunkBytes + i] = i * perByte + j;
  Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  auto fast = arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;
  auto forLoop = [&](OpBuilder &ob, int64_t count, ValueRange init,
                     llvm::function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
    return countedLoop(ob, count, init, body);
  };
  forLoop(b, m, {}, [&](OpBuilder &rb, Value row, ValueRange) {
    forLoop(rb, k / chunkElems, {}, [&](OpBuilder &cb, Value c, ValueRange) {
      Value start = arith::MulIOp::create(cb, loc, c, index(chunkElems));
      Value v = vector::LoadOp::create(cb, loc, cvec, x, ValueRange{row, start});
      if (perByte > 1)
        v = vector::ShuffleOp::create(cb, loc, v, v, cb.getDenseI64ArrayAttr(order));
      vector::StoreOp::create(cb, loc, v, xf, ValueRange{row, start});
      return SmallVector<Value>{};
    });
    forLoop(rb, blocks, {}, [&](OpBuilder &bb, Value blk, ValueRange) {
      memref::StoreOp::create(bb, loc, one, aScale, ValueRange{row, blk});
      Value base = arith::MulIOp::create(bb, loc, blk, index(plan.block));
      Value sum = forLoop(bb, plan.block, {zeroF}, [&](OpBuilder &eb, Value e, ValueRange it) {
                    Value v = memref::LoadOp::create(
                        eb, loc, x, ValueRange{row, arith::AddIOp::create(eb, loc, base, e)});
                    return SmallVector<Value>{arith::AddFOp::create(eb, loc, it[0], v, fast)};
                  }).getResult(0);
      memref::StoreOp::create(bb, loc, sum, aSum, ValueRange{row, blk});
      return SmallVector<Value>{};
    });
    return SmallVector<Value>{};
  });
}

scf::ForOp KernelBuilder::countedLoop(OpBuilder &ob, int64_t count, ValueRange init,
                                      LoopBody body) {
  return buildCountedLoop(ob, loc, count, init, body);
}

Value KernelBuilder::byteDot(OpBuilder &ob, Value acc, Value codes, Value acts) {
  if (plan.dot == ByteDot::FloatFma) {
    auto type = cast<VectorType>(acc.getType());
    // Minifloats decode without their power-of-two rescale, which the
    // weight scales carry (buildDotLoops).
    Value real = plan.minifloat ? decodeMinifloatLanes(ob, loc, codes, plan.minifloat,
                                                       /*rescale=*/false, patchNaN)
                 : plan.codebook
                     ? lookupCodebookLanes(ob, loc, codes, codebookBuffer, plan.lookup,
                                           plan.lookupLanes)
                 : plan.convertsSignedCodes()
                     ? Value(arith::SIToFPOp::create(ob, loc, type, codes))
                     : Value(arith::UIToFPOp::create(ob, loc, type, codes));
    return vector::FMAOp::create(ob, loc, type, real, acts, acc);
  }
  llvm::StringRef instruction = "portable";
  if (plan.dot == ByteDot::Vnni512 || plan.dot == ByteDot::Vnni256)
    instruction = "vpdpbusd";
  else if (plan.dot == ByteDot::Madd512 || plan.dot == ByteDot::Madd256)
    instruction = "pmaddubsw";
  else if (plan.dot == ByteDot::Sdot128)
    instruction = "sdot";
  return ByteDotOp::create(ob, loc, acc.getType(), acc, codes, acts,
                           ob.getStringAttr(instruction));
}

/// A scale or zero point of row n, block `blockIndex` as f32: parameter
/// tensors are rank 0 (per tensor), [N] (per row) or [N, blocks].
Value KernelBuilder::loadParam(OpBuilder &ob, Value params, Value n, Value blockIndex) {
  auto type = cast<MemRefType>(params.getType());
  SmallVector<Value> indices;
  if (type.getRank() >= 1)
    indices.push_back(type.getShape()[0] == 1 ? Value(arith::ConstantIndexOp::create(ob, loc, 0)) : n);
  if (type.getRank() == 2)
    indices.push_back(blockIndex);
  return memref::LoadOp::create(ob, loc, params, indices);
}

void KernelBuilder::buildDotLoops(Value xq, Value aScale, Value aSum,
                                  const QTensorParts &w, Value codes,
                                  Value scales, Value zeros, Value corrTable, Value out,
                                  int64_t m, int64_t n, int64_t k, int64_t blocks) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), i8 = b.getI8Type();
  int64_t chunk = plan.chunkBytes;
  bool floatActs = plan.dot == ByteDot::FloatFma;
  int64_t lanes = (plan.dot == ByteDot::Portable || floatActs) ? chunk : chunk / 4;
  auto accType = VectorType::get({lanes}, floatActs ? Type(f32) : Type(i32));
  auto actType = VectorType::get({chunk}, floatActs ? Type(f32) : Type(i8));
  auto faccType = VectorType::get({lanes}, f32);
  auto byteType = VectorType::get({chunk}, i8);
  int64_t rowBytes = k * plan.bits / 8, blockBytes = plan.block * plan.bits / 8;
  // A group is one block of whole chunks, or one chunk of whole blocks.
  int64_t blocksPerChunk = std::max<int64_t>(1, chunk / blockBytes);
  int64_t chunksPerBlock = std::max<int64_t>(1, blockBytes / chunk);
  int64_t groups = blocks / blocksPerChunk;
  int64_t groupBytes = std::max(chunk, blockBytes);
  int64_t lanesPerBlock = lanes / blocksPerChunk;
  // A tile of `cols` weight rows x `rows` activation rows: each decoded
  // weight chunk meets `rows` activation vectors, each activation vector
  // `cols` weight chunks, so loads per multiply-add fall with both.
  int64_t rows = m % 4 == 0 ? 4 : m % 2 == 0 ? 2 : 1;
  int64_t cols = (rows > 1 && n % 2 == 0) ? 2 : 1;
  int64_t tile = rows * cols;
  // Groups in flight: with a smaller tile, more independent accumulators
  // (one chain of dependent FMAs per block would set the pace otherwise).
  int64_t unroll = std::max<int64_t>(1, 4 / tile);
  while (groups % unroll != 0)
    unroll /= 2;
  int64_t split = 1;
  if (tile <= 2 && chunksPerBlock % 4 == 0)
    split = 4;
  else if (tile <= 4 && chunksPerBlock % 2 == 0)
    split = 2;
  // Unsigned view of signed codes: flip each field's sign bit.
  bool flipsSigns = plan.flipsSigns();
  int64_t signFlip = 0;
  if (flipsSigns)
    for (int64_t j = 0; j < perByte; ++j)
      signFlip |= int64_t(1) << (j * plan.bits + plan.bits - 1);
  int64_t zeroBias = flipsSigns ? (int64_t(1) << (plan.bits - 1)) : 0;
  bool zpSigned = zeros && !cast<IntegerType>(w.type.getScheme().getZeroPoint()).isUnsigned();
  // The zero-point correction per block inside the loop, unless the
  // compiler folded scale x zero point into a table (constant weights).
  bool needCorrection = (zeros || flipsSigns) && !corrTable;
  bool prefetch = floatActs && m < 4;
  // Minifloats decode without their power-of-two rescale (byteDot): the
  // weight scales carry it.
  float weightRescale = plan.minifloat ? minifloatRescale(plan.minifloat) : 1.0f;
  auto fast = arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;

  auto forLoop = [&](OpBuilder &ob, Value lb, Value ub, ValueRange init,
                     llvm::function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
    return scf::ForOp::create(ob, loc, lb, ub, index(1), init,
                              [&](OpBuilder &lb2, Location, Value iv, ValueRange it) {
                                scf::YieldOp::create(lb2, loc, body(lb2, iv, it));
                              });
  };
  auto add = [&](OpBuilder &ob, Value a, Value c) -> Value {
    return arith::AddIOp::create(ob, loc, a, c);
  };
  auto mul = [&](OpBuilder &ob, Value a, int64_t c) -> Value {
    return arith::MulIOp::create(ob, loc, a, index(c));
  };

  // A loop over `count` iterations run `copies` at a time, each copy on its
  // own set of loop-carried values (independent accumulator chains), the
  // sets added up afterwards. The body also gets its copy's number.
  using CopyBody = llvm::function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange, int64_t)>;
  auto copiesLoop = [&](OpBuilder &ob, int64_t count, int64_t copies, ValueRange init,
                        CopyBody body, bool integer) {
    int64_t width = init.size();
    SmallVector<Value> all;
    for (int64_t t = 0; t < copies; ++t)
      all.append(init.begin(), init.end());
    auto loop = forLoop(ob, index(0), index(count / copies), all,
                        [&](OpBuilder &lb, Value step, ValueRange it) {
                          SmallVector<Value> next;
                          for (int64_t t = 0; t < copies; ++t)
                            next.append(body(lb, add(lb, mul(lb, step, copies), index(t)),
                                             it.slice(t * width, width), t));
                          return next;
                        });
    SmallVector<Value> sums(loop.getResults().take_front(width));
    for (int64_t t = 1; t < copies; ++t)
      for (int64_t i = 0; i < width; ++i) {
        Value part = loop.getResult(t * width + i);
        sums[i] = integer ? Value(arith::AddIOp::create(ob, loc, sums[i], part))
                          : Value(arith::AddFOp::create(ob, loc, sums[i], part));
      }
    return sums;
  };

  // Accumulator i * rows + r belongs to weight row i, activation row r;
  // the loop carries `tile` f32 vectors, then `tile` scalar corrections.
  scf::ParallelOp::create(
      b, loc, ValueRange{index(0)}, ValueRange{index(n / cols)}, ValueRange{index(1)},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        SmallVector<Value> colIndex, rowBase;
        for (int64_t i = 0; i < cols; ++i) {
          colIndex.push_back(add(pb, mul(pb, ivs[0], cols), index(i)));
          rowBase.push_back(mul(pb, colIndex[i], rowBytes));
        }
        forLoop(pb, index(0), index(m / rows), {}, [&](OpBuilder &mb, Value step, ValueRange) {
          Value firstRow = mul(mb, step, rows);
          SmallVector<Value> rowIndex;
          for (int64_t r = 0; r < rows; ++r)
            rowIndex.push_back(add(mb, firstRow, index(r)));
          SmallVector<Value> init;
          Value zeroAcc = arith::ConstantOp::create(mb, loc, mb.getZeroAttr(faccType));
          Value zeroF = arith::ConstantOp::create(mb, loc, mb.getF32FloatAttr(0.0f));
          init.append(tile, zeroAcc);
          init.append(tile, zeroF);
          // One group's dot products folded into the accumulators `it`.
          auto groupBody = [&](OpBuilder &gb, Value g, ValueRange it,
                               int64_t) -> SmallVector<Value> {
            Value groupOffset = mul(gb, g, groupBytes);
            Value groupElem = mul(gb, g, groupBytes * perByte);
            Value zeroI = arith::ConstantOp::create(gb, loc, gb.getZeroAttr(accType));
            SmallVector<Value> dotInit(tile, zeroI);
            auto chunkBody = [&](OpBuilder &cb, Value c, ValueRange acc,
                                 int64_t copy) -> SmallVector<Value> {
              Value chunkOffset = add(cb, groupOffset, mul(cb, c, chunk));
              Value elemOff = add(cb, groupElem, mul(cb, c, chunkElems));
              // fields[i][j]: field j of weight row i's chunk.
              SmallVector<SmallVector<Value>> fields(cols);
              for (int64_t i = 0; i < cols; ++i) {
                Value at = add(cb, rowBase[i], chunkOffset);
                Value word = vector::LoadOp::create(cb, loc, byteType, codes, ValueRange{at});
                // f32 FMAs at one or two rows stream the weights: one
                // prefetch a 64-byte line, `split` chunks a loop step (FP8
                // ffn-up at M = 1, L3-resident: 2.1-2.2 -> 1.6-1.7 ms). At
                // 4 rows the FMAs bind and the prefetches cost 2-9% (FP8,
                // int8 and NF4 codes, ffn-up).
                if (prefetch && (copy * chunk) % 64 == 0)
                  prefetchStream(cb, loc, codes, ValueRange{at});
                if (signFlip)
                  word = arith::XOrIOp::create(cb, loc, word, splat(byteType, int8_t(signFlip)));
                for (int64_t j = 0; j < perByte; ++j) {
                  Value field = word;
                  if (j > 0)
                    field = arith::ShRUIOp::create(cb, loc, field, splat(byteType, j * plan.bits));
                  if (j + 1 < perByte)
                    field = arith::AndIOp::create(cb, loc, field,
                                                  splat(byteType, (int64_t(1) << plan.bits) - 1));
                  fields[i].push_back(field);
                }
              }
              SmallVector<Value> sums(acc);
              for (int64_t j = 0; j < perByte; ++j) {
                Value actOff = add(cb, elemOff, index(j * chunk));
                for (int64_t r = 0; r < rows; ++r) {
                  Value acts = vector::LoadOp::create(cb, loc, actType, xq,
                                                      ValueRange{rowIndex[r], actOff});
                  for (int64_t i = 0; i < cols; ++i)
                    sums[i * rows + r] = byteDot(cb, sums[i * rows + r], fields[i][j], acts);
                }
              }
              return sums;
            };
            // Long blocks (a scale per row: K bytes) run `split` chunks
            // into separate accumulators, so the dot chain is not one
            // dependency chain.
            SmallVector<Value> chunkSums =
                copiesLoop(gb, chunksPerBlock, split, dotInit, chunkBody, !floatActs);
            SmallVector<Value> blockIndex;
            for (int64_t q = 0; q < blocksPerChunk; ++q)
              blockIndex.push_back(add(gb, mul(gb, g, blocksPerChunk), index(q)));
            // Scales (and zero points) of the group's blocks, per weight row.
            SmallVector<SmallVector<Value>> weightScale(cols), zeroPoint(cols);
            for (int64_t i = 0; i < cols; ++i)
              for (int64_t q = 0; q < blocksPerChunk; ++q) {
                Value ws = loadParam(gb, scales, colIndex[i], blockIndex[q]);
                if (!ws.getType().isF32())
                  ws = arith::ExtFOp::create(gb, loc, f32, ws);
                if (weightRescale != 1.0f)
                  ws = arith::MulFOp::create(
                      gb, loc, ws,
                      arith::ConstantOp::create(gb, loc, gb.getF32FloatAttr(weightRescale)));
                weightScale[i].push_back(ws);
                if (!needCorrection)
                  continue;
                Value z = arith::ConstantOp::create(gb, loc, gb.getF32FloatAttr(zeroBias));
                if (zeros) {
                  Value zp = loadParam(gb, zeros, colIndex[i], blockIndex[q]);
                  Value zpI = zpSigned ? Value(arith::ExtSIOp::create(gb, loc, i32, zp))
                                       : Value(arith::ExtUIOp::create(gb, loc, i32, zp));
                  z = arith::AddFOp::create(gb, loc, z, arith::SIToFPOp::create(gb, loc, f32, zpI));
                }
                zeroPoint[i].push_back(z);
              }
            // Several blocks a chunk: their scales as one short vector per
            // weight row and per activation row, multiplied once and spread
            // over the lanes by a shuffle (no per-lane scalar work).
            bool vectorScales = blocksPerChunk > 1 && !needCorrection &&
                                cast<MemRefType>(scales.getType()).getRank() == 2 &&
                                cast<MemRefType>(scales.getType()).getShape()[0] == n;
            SmallVector<Value> weightScaleVec;
            SmallVector<int64_t> spread;
            auto shortF32 = VectorType::get({blocksPerChunk}, f32);
            if (vectorScales) {
              Type scaleElement = cast<MemRefType>(scales.getType()).getElementType();
              for (int64_t i = 0; i < cols; ++i) {
                Value v = vector::LoadOp::create(
                    gb, loc, VectorType::get({blocksPerChunk}, scaleElement), scales,
                    ValueRange{colIndex[i], blockIndex[0]});
                if (!scaleElement.isF32())
                  v = arith::ExtFOp::create(gb, loc, shortF32, v);
                if (weightRescale != 1.0f)
                  v = arith::MulFOp::create(
                      gb, loc, v,
                      arith::ConstantOp::create(
                          gb, loc,
                          DenseElementsAttr::get(shortF32, gb.getF32FloatAttr(weightRescale))));
                weightScaleVec.push_back(v);
              }
              for (int64_t q = 0; q < blocksPerChunk; ++q)
                spread.append(lanesPerBlock, q);
            }
            SmallVector<Value> next(2 * tile);
            for (int64_t r = 0; r < rows; ++r) {
              if (vectorScales) {
                Value actScaleVec = vector::LoadOp::create(gb, loc, shortF32, aScale,
                                                           ValueRange{rowIndex[r], blockIndex[0]});
                for (int64_t i = 0; i < cols; ++i) {
                  int64_t a = i * rows + r;
                  Value sv = arith::MulFOp::create(gb, loc, weightScaleVec[i], actScaleVec);
                  Value scaleVec = vector::ShuffleOp::create(gb, loc, sv, sv,
                                                             gb.getDenseI64ArrayAttr(spread));
                  Value dots = floatActs ? chunkSums[a]
                                        : Value(arith::SIToFPOp::create(
                                              gb, loc, faccType, chunkSums[a]));
                  next[a] = vector::FMAOp::create(gb, loc, faccType, dots, scaleVec, it[a]);
                  next[tile + a] = it[tile + a];
                }
                continue;
              }
              SmallVector<Value> actScale, actSum;
              for (int64_t q = 0; q < blocksPerChunk; ++q) {
                actScale.push_back(memref::LoadOp::create(gb, loc, aScale,
                                                          ValueRange{rowIndex[r], blockIndex[q]}));
                if (needCorrection)
                  actSum.push_back(memref::LoadOp::create(gb, loc, aSum,
                                                          ValueRange{rowIndex[r], blockIndex[q]}));
              }
              for (int64_t i = 0; i < cols; ++i) {
                int64_t a = i * rows + r;
                SmallVector<Value> laneScales;
                Value corr = it[tile + a];
                for (int64_t q = 0; q < blocksPerChunk; ++q) {
                  Value sq = arith::MulFOp::create(gb, loc, weightScale[i][q], actScale[q]);
                  laneScales.append(lanesPerBlock, sq);
                  if (needCorrection)
                    corr = math::FmaOp::create(
                        gb, loc, arith::MulFOp::create(gb, loc, sq, zeroPoint[i][q]), actSum[q],
                        corr);
                }
                Value scaleVec =
                    blocksPerChunk == 1
                        ? Value(vector::BroadcastOp::create(gb, loc, faccType, laneScales[0]))
                        : Value(vector::FromElementsOp::create(gb, loc, faccType, laneScales));
                Value dots = floatActs ? chunkSums[a]
                                        : Value(arith::SIToFPOp::create(
                                              gb, loc, faccType, chunkSums[a]));
                next[a] = vector::FMAOp::create(gb, loc, faccType, dots, scaleVec, it[a]);
                next[tile + a] = corr;
              }
            }
            return next;
          };
          SmallVector<Value> sums = copiesLoop(mb, groups, unroll, init, groupBody,
                                               /*integer=*/false);
          for (int64_t i = 0; i < cols; ++i)
            for (int64_t r = 0; r < rows; ++r) {
              int64_t a = i * rows + r;
              if (corrTable) {
                // sum_b c[n, b] s_a[m, b] sum_x[m, b], reassociable so LLVM
                // vectorizes it.
                sums[tile + a] =
                    forLoop(mb, index(0), index(blocks), {sums[tile + a]},
                            [&](OpBuilder &cb, Value blk, ValueRange it) {
                              Value c = memref::LoadOp::create(cb, loc, corrTable,
                                                               ValueRange{colIndex[i], blk});
                              Value as = memref::LoadOp::create(cb, loc, aScale,
                                                                ValueRange{rowIndex[r], blk});
                              Value xs = memref::LoadOp::create(cb, loc, aSum,
                                                                ValueRange{rowIndex[r], blk});
                              Value t = arith::MulFOp::create(
                                  cb, loc, arith::MulFOp::create(cb, loc, c, as, fast), xs, fast);
                              return SmallVector<Value>{
                                  arith::AddFOp::create(cb, loc, it[0], t, fast)};
                            })
                        .getResult(0);
              }
              Value total = vector::ReductionOp::create(mb, loc, vector::CombiningKind::ADD,
                                                        sums[a], arith::FastMathFlags::reassoc);
              Value y = arith::SubFOp::create(mb, loc, total, sums[tile + a]);
              memref::StoreOp::create(mb, loc, y, out, ValueRange{rowIndex[r], colIndex[i]});
            }
          return SmallVector<Value>{};
        });
      });
}

/// c[n, b] = s_w[n, b] (z[n, b] + 2^(bits-1) for signed codes) as an f32
/// constant [N, blocks], when scales and zero points are constants: the
/// zero-point term then costs one multiply-add per block outside the
/// kernel's inner loop. Null otherwise.
Value foldZeroPointCorrection(OpBuilder &b, Location loc, const QTensorParts &w,
                              const Int8DotPlan &plan, int64_t n, int64_t blocks) {
  std::optional<std::vector<double>> scales = constantValues(w.scales, true);
  if (!scales)
    return {};
  std::optional<std::vector<double>> zeros;
  if (w.zeroPoints) {
    zeros = constantValues(w.zeroPoints,
                           !cast<IntegerType>(w.type.getScheme().getZeroPoint()).isUnsigned());
    if (!zeros)
      return {};
  }
  auto at = [&](const std::vector<double> &grid, int64_t row, int64_t blk) {
    if (grid.size() == 1)
      return grid[0];
    if (int64_t(grid.size()) == n)
      return grid[row];
    return grid[row * blocks + blk];
  };
  double bias = plan.flipsSigns() ? double(int64_t(1) << (plan.bits - 1)) : 0.0;
  std::vector<float> table(n * blocks);
  for (int64_t row = 0; row < n; ++row)
    for (int64_t blk = 0; blk < blocks; ++blk)
      table[row * blocks + blk] = float(
          at(*scales, row, blk) * ((zeros ? at(*zeros, row, blk) : 0.0) + bias));
  auto type = RankedTensorType::get({n, blocks}, b.getF32Type());
  // A resource blob (not uniqued context storage) so that the driver can
  // stream it to the weights object and free it.
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(table));
  return arith::ConstantOp::create(
      b, loc, DenseResourceElementsAttr::get(type, "qcc_zero_point_correction", std::move(blob)));
}

} // namespace

Value qcc::lowbit::buildInt8DotMatmul(OpBuilder &b, Location loc, Value lhs,
                                      const QTensorParts &weight,
                                      const Int8DotPlan &plan,
                                      RankedTensorType resultType) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t k = lhsType.getShape().back();
  int64_t m = lhsType.getNumElements() / k;
  int64_t n = weight.type.getShape()[0];
  int64_t blocks = k / plan.block;
  Type f32 = b.getF32Type();
  KernelBuilder kb(b, loc, plan);

  Value x2 = rowsAsMatrix(b, loc, lhs);
  Value x = kb.toBuffer(x2);
  Value codes = kb.toBuffer(weight.codes);
  Value scales = kb.toBuffer(weight.scales);
  Value zeros = weight.zeroPoints ? kb.toBuffer(weight.zeroPoints) : Value();
  Value corrTable;
  if (weight.zeroPoints || plan.flipsSigns())
    if (Value table = foldZeroPointCorrection(b, loc, weight, plan, n, blocks))
      corrTable = kb.toBuffer(table);

  if (plan.codebook)
    kb.codebookBuffer = kb.toBuffer(weight.codebook);
  if (plan.minifloat)
    kb.patchNaN = minifloatCodesMayBeNaN(weight.codes, plan.minifloat);
  Type actElement = plan.dot == ByteDot::FloatFma ? Type(f32) : Type(b.getI8Type());
  Value xq = memref::AllocOp::create(b, loc, MemRefType::get({m, k}, actElement));
  Value aScale = memref::AllocOp::create(b, loc, MemRefType::get({m, blocks}, f32));
  Value aSum = memref::AllocOp::create(b, loc, MemRefType::get({m, blocks}, f32));
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, f32));
  kb.buildActivationPrep(x, xq, aScale, aSum, m, blocks);
  kb.buildDotLoops(xq, aScale, aSum, weight, codes, scales, zeros, corrTable, out, m,
                   n, k, blocks);

  return matrixAsResult(b, loc, out, resultType);
}
