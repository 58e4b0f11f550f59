//===- DecodedGemm.cpp - prefill GEMM on decoded weights ----------------===//
//
//   A' = T(A), reordered per 16-byte chunk as the int8-dot kernel orders
//        activations (field j of byte i meets element i * P + j); T is bf16
//        or f32
//   parallel over tiles of C weight rows:
//     W' = T((code - z) * s) for the C rows, in the same order (a heap
//          buffer of C x K per tile)
//     for tiles of R activation rows:
//       acc[r][c] (16 f32 lanes) += vdpbf16ps(A'[r, k : k + 32], W'[c, ...])
//                                   or A'[r, k : k + 16] * W'[c, ...] (FMA)
//       y[r][c] = sum of acc's lanes
//   With more activation rows than weight rows (convolutions) all of W' is
//   decoded first and blocks of up to 32 activation rows run in parallel,
//   each against every tile of W' (A' would otherwise be streamed once per
//   tile). Without AVX-512 the f32 lanes are 8 (a ymm) and C is 2.
//
// Both operands share the order, so no shuffle runs in the inner loop, and
// each weight row is decoded once for all M activation rows.
//
// f32 on AMX (splitActivations): A' is [M, 3K] bf16, the terms h, m, l of
// each activation (h = bf16(a), m = bf16(a - h), l = bf16(a - h - m)) one
// after another along K; W' holds the unscaled codes (exact in bf16) and
// each weight tile meets the three terms' tiles in turn; the tile sums,
// times the row's scale, are a . w with exact products (8 by 8
// significant bits) summed in f32.
//
//===----------------------------------------------------------------------===//

#include "DecodedGemm.h"
#include "AmxTiles.h"
#include "Int8DotMatmul.h"
#include "KernelSupport.h"
#include "LutMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

#include <algorithm>

using namespace mlir;
using namespace qcc::lowbit;

namespace {
constexpr int64_t kChunkBytes = 16; // weight bytes decoded per step
constexpr int64_t kLanes = 16;      // f32 lanes of a zmm
/// Elements of K the AMX form decodes for all of a tile's rows at a time.
constexpr int64_t kDecodeSliceElems = 256;
/// Tiles of weight rows (pairs of 16-row tiles) AMX decodes as one block
/// from 64 activation rows: 128 rows of 4096 bf16 codes take 1 MiB of L2.
constexpr int64_t kAmxTilesPerBlock = 4;
/// K elements an AMX slice takes where K is longer (a pair of groups'
/// three terms: 384 KiB; a block's codes 512 KiB).
constexpr int64_t kAmxSliceElems = 2048;
/// The most decoded bf16 bytes such a block takes (of a 2 MiB L2).
constexpr int64_t kAmxBlockBytes = 1024 * 1024;
/// Bytes of decoded weights and activations a K chunk of the FMA / vdpbf16ps
/// tiles keeps in L1 (of 48 KiB).
constexpr int64_t kGemmChunkBytes = 32 * 1024;
/// Codes a byteTables step decodes (one vpermb's 64 lanes).
constexpr int64_t kTableCodes = 64;

/// Whether a range of `elems` of K lies inside one scale block of `block`
/// elements or holds whole ones (so that the decode loads its parameters
/// once per block).
bool fitsBlocks(int64_t elems, int64_t block) {
  return elems % block == 0 || block % elems == 0;
}

/// The longest multiple of `unit` from `longest` down to `shortest` that
/// divides K and fitsBlocks; 0 if none does.
int64_t longestKSlice(int64_t k, int64_t longest, int64_t shortest, int64_t unit,
                      int64_t block) {
  for (int64_t candidate = longest / unit * unit; candidate >= shortest; candidate -= unit)
    if (k % candidate == 0 && fitsBlocks(candidate, block))
      return candidate;
  return 0;
}
} // namespace

std::optional<DecodedGemmPlan>
qcc::lowbit::planDecodedGemm(QTensorType weight, Type lhsType, Type resultType,
                          bool transposed, const llvm::StringSet<> &features,
                          std::string &whyNot, bool f32) {
  if (!f32 && (!features.contains("avx512bf16") || !features.contains("avx512f"))) {
    whyNot = "the target has no AVX-512 BF16";
    return std::nullopt;
  }
  // The int8-dot kernel's format rules, with f32 activations.
  std::optional<Int8DotPlan> base =
      planInt8Dot(weight, lhsType, resultType, transposed, features, whyNot,
                  /*floatActivations=*/true);
  if (!base)
    return std::nullopt;
  // A 16-byte chunk decodes whole blocks or lies inside one.
  int64_t blockBytes = base->block * base->bits / 8;
  if (base->block * base->bits % 8 != 0 ||
      (blockBytes % kChunkBytes != 0 && kChunkBytes % blockBytes != 0)) {
    whyNot = "a block of " + std::to_string(base->block) + " " + std::to_string(base->bits) +
             "-bit codes neither divides nor fills 16 bytes";
    return std::nullopt;
  }
  // Rows of whole chunks (the decode, and the activations' reorder, take 16
  // bytes at a time), and of whole steps of the vector tiles' K loop (16 f32
  // or 32 bf16 elements; AMX's 32 below).
  auto shape = weight.getShape();
  int64_t n = transposed ? shape[0] : shape[1], k = transposed ? shape[1] : shape[0];
  int64_t chunkElems = kChunkBytes * 8 / base->bits;
  int64_t lanes = features.contains("avx512f") ? kLanes : kLanes / 2;
  int64_t vectorStep = f32 ? lanes : 2 * lanes;
  if (k % chunkElems != 0 || k % vectorStep != 0) {
    whyNot = "K = " + std::to_string(k) + " is not a multiple of " +
             std::to_string(std::max(chunkElems, vectorStep)) + " elements";
    return std::nullopt;
  }
  DecodedGemmPlan plan{base->bits,      base->signedCodes, base->block, f32,
                       base->minifloat, base->codebook,    base->lookup,
                       base->lookupLanes};
  plan.lanes = lanes;
  // AMX tiles: 32 elements of K a step, 16 weight rows a tile.
  bool amxShape = features.contains("amx-bf16") && features.contains("amx-tile") &&
                  k % kAmxDepth == 0 && n % kAmxRows == 0;
  plan.amx = !f32 && amxShape;
  // f32 on AMX: codes (less zero points) exact in bf16, so not codebook
  // values; the scale applied to whole rows' sums, so one a row.
  if (f32 && amxShape && !plan.codebook && plan.block == k) {
    plan.amx = true;
    plan.splitActivations = true;
    plan.byteTables = plan.minifloat && plan.bits == 8 && features.contains("avx512vbmi") &&
                      k % kTableCodes == 0;
  }
  return plan;
}

namespace {

class GemmBuilder {
public:
  GemmBuilder(OpBuilder &b, Location loc, const DecodedGemmPlan &plan)
      : b(b), loc(loc), plan(plan), perByte(8 / plan.bits),
        chunkElems(kChunkBytes * perByte) {}

  /// Whether the GEMM's operands are f32 (FMAs), not bf16.
  bool f32Operands() const { return plan.f32 && !plan.splitActivations; }
  /// The GEMM's operand type: bf16 or f32.
  Type element(OpBuilder &ob) const {
    return f32Operands() ? Type(ob.getF32Type()) : Type(ob.getBF16Type());
  }
  /// `v` (f32 lanes) in the operand type.
  Value narrow(OpBuilder &ob, Value v) {
    if (f32Operands())
      return v;
    auto type = cast<VectorType>(v.getType());
    return arith::TruncFOp::create(ob, loc, type.clone(ob.getBF16Type()), v);
  }

  Value index(int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value add(OpBuilder &ob, Value x, Value y) { return arith::AddIOp::create(ob, loc, x, y); }
  Value mul(OpBuilder &ob, Value x, int64_t y) { return arith::MulIOp::create(ob, loc, x, index(y)); }

  scf::ForOp forLoop(OpBuilder &ob, Value lb, Value ub, int64_t step, ValueRange init,
                     llvm::function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
    return scf::ForOp::create(ob, loc, lb, ub, index(step), init,
                              [&](OpBuilder &lb2, Location, Value iv, ValueRange it) {
                                scf::YieldOp::create(lb2, loc, body(lb2, iv, it));
                              });
  }

  /// A' = bf16(A) in the kernel's order ([M, 3K]: the three terms, with
  /// splitActivations).
  void convertActivations(Value x, Value xb, int64_t m, int64_t k);
  /// colScales[n] = the scale of weight row n (splitActivations).
  void buildColumnScales(Value scales, Value colScales, int64_t n);
  /// Decodes weight row `n` into row `slot` of `wd`.
  void decodeRow(OpBuilder &ob, Value n, Value slot, Value codes, Value scales,
                 Value zeros, bool zpSigned, Value wd, int64_t k);
  /// The bf16 values of 64 FP8 codes (byteTables), in order.
  Value decodeThroughTables(OpBuilder &ob, Value codes);
  /// decodeRow for `bytes` of the row's codes from `firstByte`: inside one
  /// scale block, or whole blocks.
  void decodeRange(OpBuilder &ob, Value n, Value slot, Value codes, Value scales,
                   Value zeros, bool zpSigned, Value wd, int64_t k, Value firstByte,
                   int64_t bytes, Value bufferFirstElem = Value());
  void buildTiles(Value xb, Value codes, Value scales, Value zeros, bool zpSigned,
                  Value out, int64_t m, int64_t n, int64_t k);
  /// buildTiles with AMX tiles: `packed` is packAmxActivations(A').
  void buildAmxTiles(Value packed, Value codes, Value scales, Value zeros, bool zpSigned,
                     Value out, int64_t m, int64_t n, int64_t k);

  /// The codebook's values (plan.codebook), read where rows are decoded.
  Value codebookBuffer;
  /// decodeRow stores AMX's tile-major [K / 32, rows, 32] (buildAmxTiles).
  bool tileMajor = false;
  /// Minifloat codes: whether a NaN code may need its patch.
  bool patchNaN = true;
  /// decodeRange prefetches the row's next range (AMX's slices).
  bool prefetchNextRange = false;
  /// The [N] f32 scales the AMX sums are multiplied by (splitActivations).
  Value colScales;

private:
  Value loadParam(OpBuilder &ob, Value params, Value n, Value blockIndex);

  OpBuilder &b;
  Location loc;
  const DecodedGemmPlan &plan;
  int64_t perByte, chunkElems;
};

void GemmBuilder::convertActivations(Value x, Value xb, int64_t m, int64_t k) {
  auto fvec = VectorType::get({chunkElems}, b.getF32Type());
  SmallVector<int64_t> order(chunkElems);
  for (int64_t j = 0; j < perByte; ++j)
    for (int64_t i = 0; i < kChunkBytes; ++i)
      order[j * kChunkBytes + i] = i * perByte + j;
  // Rows in parallel (the thread pool takes the outermost scf.parallel).
  scf::ParallelOp::create(
      b, loc, ValueRange{index(0)}, ValueRange{index(m)}, ValueRange{index(1)},
      [&](OpBuilder &rb, Location, ValueRange rows) {
        Value row = rows[0];
        forLoop(rb, index(0), index(k), chunkElems, {},
                [&](OpBuilder &cb, Value start, ValueRange) {
                  Value v = vector::LoadOp::create(cb, loc, fvec, x, ValueRange{row, start});
                  if (perByte > 1)
                    v = vector::ShuffleOp::create(cb, loc, v, v, cb.getDenseI64ArrayAttr(order));
                  if (!plan.splitActivations) {
                    vector::StoreOp::create(cb, loc, narrow(cb, v), xb, ValueRange{row, start});
                    return SmallVector<Value>{};
                  }
                  // Each term the bf16 rounding of what the ones before
                  // left (a difference of nearby floats: exact in f32).
                  for (int64_t term = 0; term < 3; ++term) {
                    Value t = narrow(cb, v);
                    vector::StoreOp::create(cb, loc, t, xb,
                                            ValueRange{row, add(cb, start, index(term * k))});
                    if (term < 2)
                      v = arith::SubFOp::create(cb, loc, v, arith::ExtFOp::create(cb, loc, fvec, t));
                  }
                  return SmallVector<Value>{};
                });
      });
}

void GemmBuilder::buildColumnScales(Value scales, Value colScales, int64_t n) {
  // Minifloat codes decode without their power-of-two rescale (as in the
  // int8-dot kernel): it rides on the scale.
  float rescale =
      plan.minifloat && !plan.byteTables ? minifloatRescale(plan.minifloat) : 1.0f;
  forLoop(b, index(0), index(n), 1, {}, [&](OpBuilder &nb, Value row, ValueRange) {
    Value s = loadParam(nb, scales, row, index(0));
    if (!s.getType().isF32())
      s = arith::ExtFOp::create(nb, loc, nb.getF32Type(), s);
    if (rescale != 1.0f)
      s = arith::MulFOp::create(nb, loc, s,
                                arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(rescale)));
    memref::StoreOp::create(nb, loc, s, colScales, ValueRange{row});
    return SmallVector<Value>{};
  });
}

Value GemmBuilder::loadParam(OpBuilder &ob, Value params, Value n, Value blockIndex) {
  auto type = cast<MemRefType>(params.getType());
  SmallVector<Value> indices;
  if (type.getRank() >= 1)
    indices.push_back(type.getShape()[0] == 1 ? index(0) : n);
  if (type.getRank() == 2)
    indices.push_back(blockIndex);
  return memref::LoadOp::create(ob, loc, params, indices);
}

Value GemmBuilder::decodeThroughTables(OpBuilder &ob, Value codes) {
  // Tables of the high and low byte of each magnitude's bf16 value (the
  // 128 codes below the sign bit, 64 a vpermb table); the sign bit is
  // or-ed into the high byte. FP8 values are exact in bf16 (E4M3's
  // subnormals are bf16 normals); NaN and Inf codes map to bf16's own.
  const llvm::fltSemantics &semantics = plan.minifloat.getFloatSemantics();
  SmallVector<int8_t> high[2], low[2];
  for (int64_t code = 0; code < 128; ++code) {
    APFloat value(semantics, APInt(8, code));
    bool lost = false;
    value.convert(APFloat::BFloat(), APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = uint16_t(value.bitcastToAPInt().getZExtValue());
    high[code / 64].push_back(int8_t(bits >> 8));
    low[code / 64].push_back(int8_t(bits & 0xFF));
  }
  auto byteType = cast<VectorType>(codes.getType());
  auto splat = [&](int64_t v) {
    return arith::ConstantOp::create(
        ob, loc, DenseElementsAttr::get(byteType, ob.getIntegerAttr(ob.getI8Type(), v)));
  };
  // vpermb reads an index's low 6 bits; bit 6 picks the table.
  Value upper = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::ne,
                                      arith::AndIOp::create(ob, loc, codes, splat(0x40)), splat(0));
  auto lookup = [&](SmallVector<int8_t> *tables) -> Value {
    Value parts[2];
    for (int64_t t = 0; t < 2; ++t)
      parts[t] = TableLookupOp::create(ob, loc, byteType, lut::byteVector(ob, loc, tables[t]), codes,
                                       ob.getStringAttr("vpermb"));
    return arith::SelectOp::create(ob, loc, upper, parts[1], parts[0]);
  };
  Value hi = arith::OrIOp::create(ob, loc, lookup(high),
                                  arith::AndIOp::create(ob, loc, codes, splat(0x80)));
  Value lo = lookup(low);
  // Little endian: each value's low byte first.
  SmallVector<int64_t> interleave;
  for (int64_t i = 0; i < kTableCodes; ++i)
    interleave.append({i, kTableCodes + i});
  Value bytes = vector::ShuffleOp::create(ob, loc, lo, hi, interleave);
  return vector::BitCastOp::create(
      ob, loc, VectorType::get({kTableCodes}, ob.getBF16Type()), bytes);
}

void GemmBuilder::decodeRow(OpBuilder &ob, Value n, Value slot, Value codes,
                            Value scales, Value zeros, bool zpSigned, Value wd,
                            int64_t k) {
  decodeRange(ob, n, slot, codes, scales, zeros, zpSigned, wd, k, index(0),
              k * plan.bits / 8);
}

void GemmBuilder::decodeRange(OpBuilder &ob, Value n, Value slot, Value codes,
                              Value scales, Value zeros, bool zpSigned, Value wd,
                              int64_t k, Value firstByte, int64_t bytes,
                              Value bufferFirstElem) {
  Type f32 = ob.getF32Type();
  int64_t rowBytes = k * plan.bits / 8, blockBytes = plan.block * plan.bits / 8;
  auto byteType = VectorType::get({kChunkBytes}, ob.getI8Type());
  auto fvec = VectorType::get({kChunkBytes}, f32);
  int64_t signFlip = 0;
  if (plan.signedCodes)
    for (int64_t j = 0; j < perByte; ++j)
      signFlip |= int64_t(1) << (j * plan.bits + plan.bits - 1);
  double zeroBias = plan.signedCodes ? double(int64_t(1) << (plan.bits - 1)) : 0.0;
  auto splat = [&](OpBuilder &cb, int64_t v) {
    return arith::ConstantOp::create(
        cb, loc, DenseElementsAttr::get(byteType, cb.getIntegerAttr(cb.getI8Type(), v)));
  };
  // Decoded element `elem` of the row: wd[slot, elem], or for AMX tiles
  // wd[elem / 32, slot, elem % 32] (each K step's tile rows contiguous:
  // row-major rows K elements apart would sit in one L1 set).
  // (A buffer of a K chunk holds the row's elements from bufferFirstElem.)
  auto store = [&](OpBuilder &cb, Value v, Value elem) {
    if (bufferFirstElem)
      elem = arith::SubIOp::create(cb, loc, elem, bufferFirstElem);
    if (!tileMajor) {
      vector::StoreOp::create(cb, loc, v, wd, ValueRange{slot, elem});
      return;
    }
    Value step = arith::DivUIOp::create(cb, loc, elem, index(kAmxDepth));
    Value within = arith::RemUIOp::create(cb, loc, elem, index(kAmxDepth));
    vector::StoreOp::create(cb, loc, v, wd, ValueRange{step, slot, within});
  };
  // Codes less zero points are exact in bf16 (at most 8 significant bits):
  // the top half of their f32 bits, no rounding.
  auto toOperand = [&](OpBuilder &cb, Value v) -> Value {
    if (!plan.splitActivations)
      return narrow(cb, v);
    auto i32 = VectorType::get({kChunkBytes}, cb.getI32Type());
    auto i16 = VectorType::get({kChunkBytes}, cb.getI16Type());
    Value bits = arith::BitcastOp::create(cb, loc, i32, v);
    Value top = arith::ShRUIOp::create(
        cb, loc, bits,
        arith::ConstantOp::create(cb, loc, DenseElementsAttr::get(i32, cb.getI32IntegerAttr(16))));
    return arith::BitcastOp::create(cb, loc, i16.clone(cb.getBF16Type()),
                                    arith::TruncIOp::create(cb, loc, i16, top));
  };
  Value rowBase = mul(ob, n, rowBytes);
  // Block `blk`'s scale and zero point (with the signed codes' bias), each
  // broadcast to a chunk's lanes.
  auto blockFactors = [&](OpBuilder &bb, Value blk) -> std::pair<Value, Value> {
    Value s = loadParam(bb, scales, n, blk);
    if (!s.getType().isF32())
      s = arith::ExtFOp::create(bb, loc, f32, s);
    Value z = arith::ConstantOp::create(bb, loc, bb.getF32FloatAttr(zeroBias));
    if (zeros) {
      Value zp = loadParam(bb, zeros, n, blk);
      Value wide = zpSigned ? Value(arith::ExtSIOp::create(bb, loc, bb.getI32Type(), zp))
                            : Value(arith::ExtUIOp::create(bb, loc, bb.getI32Type(), zp));
      z = arith::AddFOp::create(bb, loc, z, arith::SIToFPOp::create(bb, loc, f32, wide));
    }
    return {vector::BroadcastOp::create(bb, loc, fvec, s),
            vector::BroadcastOp::create(bb, loc, fvec, z)};
  };
  // The chunks of [first, first + count), lane i of every field scaled by
  // sVec[i] less zVec[i] (lane i holds byte i of the chunk).
  auto decodeChunks = [&](OpBuilder &bb, Value sVec, Value zVec, Value first, int64_t count) {
    if (plan.byteTables) {
      forLoop(bb, index(0), index(count), kTableCodes, {},
              [&](OpBuilder &cb, Value inRange, ValueRange) {
                Value off = add(cb, first, inRange);
                Value word = vector::LoadOp::create(
                    cb, loc, VectorType::get({kTableCodes}, cb.getI8Type()), codes,
                    ValueRange{add(cb, rowBase, off)});
                Value values = decodeThroughTables(cb, word);
                for (int64_t half = 0; half < 2; ++half)
                  store(cb,
                        vector::ExtractStridedSliceOp::create(
                            cb, loc, values, ArrayRef<int64_t>{half * kAmxDepth},
                            ArrayRef<int64_t>{kAmxDepth}, ArrayRef<int64_t>{1}),
                        add(cb, off, index(half * kAmxDepth)));
                return SmallVector<Value>{};
              });
      return;
    }
    forLoop(bb, index(0), index(count), kChunkBytes, {},
            [&](OpBuilder &cb, Value inRange, ValueRange) {
      Value off = add(cb, first, inRange);
      Value word = vector::LoadOp::create(cb, loc, byteType, codes,
                                          ValueRange{add(cb, rowBase, off)});
      if (signFlip)
        word = arith::XOrIOp::create(cb, loc, word, splat(cb, int8_t(signFlip)));
      Value elem = mul(cb, off, perByte);
      for (int64_t j = 0; j < perByte; ++j) {
        Value field = word;
        if (j > 0)
          field = arith::ShRUIOp::create(cb, loc, field, splat(cb, j * plan.bits));
        if (j + 1 < perByte)
          field = arith::AndIOp::create(cb, loc, field, splat(cb, (int64_t(1) << plan.bits) - 1));
        Value code = plan.minifloat ? decodeMinifloatLanes(cb, loc, field, plan.minifloat,
                                                           /*rescale=*/!plan.splitActivations,
                                                           patchNaN)
                     : plan.codebook
                         ? lookupCodebookLanes(cb, loc, field, codebookBuffer, plan.lookup,
                                             plan.lookupLanes)
                         : Value(arith::UIToFPOp::create(cb, loc, fvec, field));
        // Split activations: codes less zero points, exact in bf16; the
        // scale comes after the sums.
        Value real = arith::SubFOp::create(cb, loc, code, zVec);
        if (!plan.splitActivations)
          real = arith::MulFOp::create(cb, loc, real, sVec);
        store(cb, toOperand(cb, real), add(cb, elem, index(j * kChunkBytes)));
      }
      return SmallVector<Value>{};
    });
  };
  if (prefetchNextRange)
    // The row's next range, one prefetch a line: its codes arrive while
    // the tile's other rows decode (the slices of 32 rows 4 KiB apart
    // defeat the hardware's stream detection).
    for (int64_t line = 0; line < bytes; line += 64)
      memref::PrefetchOp::create(ob, loc, codes,
                                 ValueRange{add(ob, add(ob, rowBase, firstByte),
                                                index(bytes + line))},
                                 /*isWrite=*/false, /*localityHint=*/2, /*isDataCache=*/true);
  if (blockBytes < kChunkBytes) {
    // Blocks shorter than a chunk (W2 g32, NVFP4's 16 FP4 codes: 8 bytes):
    // each chunk's lanes take the factors of their bytes' blocks, one
    // broadcast per block merged by lane.
    int64_t perChunk = kChunkBytes / blockBytes;
    forLoop(ob, index(0), index(bytes), kChunkBytes, {},
            [&](OpBuilder &cb, Value inRange, ValueRange) {
              Value first = add(cb, firstByte, inRange);
              Value blk0 = arith::DivUIOp::create(cb, loc, first, index(blockBytes));
              auto [sVec, zVec] = blockFactors(cb, blk0);
              for (int64_t q = 1; q < perChunk; ++q) {
                auto [sq, zq] = blockFactors(cb, add(cb, blk0, index(q)));
                // Lanes [q blockBytes, kChunkBytes) from block q.
                SmallVector<int64_t> mask(kChunkBytes);
                for (int64_t i = 0; i < kChunkBytes; ++i)
                  mask[i] = i < q * blockBytes ? i : kChunkBytes + i;
                sVec = vector::ShuffleOp::create(cb, loc, sVec, sq, mask);
                zVec = vector::ShuffleOp::create(cb, loc, zVec, zq, mask);
              }
              decodeChunks(cb, sVec, zVec, first, kChunkBytes);
              return SmallVector<Value>{};
            });
    return;
  }
  if (bytes <= blockBytes) {
    // Inside one block (callers keep ranges from crossing one).
    auto [sVec, zVec] =
        blockFactors(ob, arith::DivUIOp::create(ob, loc, firstByte, index(blockBytes)));
    decodeChunks(ob, sVec, zVec, firstByte, bytes);
    return;
  }
  // Whole blocks: the factors loaded and broadcast once a block, not per
  // 16-byte chunk.
  Value firstBlock = arith::DivUIOp::create(ob, loc, firstByte, index(blockBytes));
  forLoop(ob, index(0), index(bytes / blockBytes), 1, {},
          [&](OpBuilder &bb, Value i, ValueRange) {
            Value blk = add(bb, firstBlock, i);
            auto [sVec, zVec] = blockFactors(bb, blk);
            decodeChunks(bb, sVec, zVec, mul(bb, blk, blockBytes), blockBytes);
            return SmallVector<Value>{};
          });
}

void GemmBuilder::buildTiles(Value xb, Value codes, Value scales, Value zeros,
                             bool zpSigned, Value out, int64_t m, int64_t n, int64_t k) {
  // rows x cols accumulators plus cols weight vectors and one activation
  // vector within the register file: 4 x 4 zmm of 32, 4 x 2 ymm of 16.
  int64_t rows = m % 4 == 0 ? 4 : m % 2 == 0 ? 2 : 1;
  int64_t cols = plan.lanes == kLanes && n % 4 == 0 ? 4 : n % 2 == 0 ? 2 : 1;
  auto acc = VectorType::get({plan.lanes}, b.getF32Type());
  // Elements of A' and W' one step consumes: bf16 pairs per f32 lane.
  int64_t step = plan.f32 ? plan.lanes : 2 * plan.lanes;
  auto pair = VectorType::get({step}, element(b));
  // out[m0 + r, cols[c]] for `rows` rows from m0, weight c in row
  // wdRows[c] of the decoded buffer `wd`, over wd's columns [kBegin,
  // kBegin + kLength) (A''s from `actBegin` when wd holds a K chunk). With
  // `partial` ([M, rows of W', lanes] f32, W' rows from `partialCol`) the
  // sums are added to the partial sums there instead.
  auto tile = [&](OpBuilder &mb, Value m0, ArrayRef<Value> colIndex, Value wd,
                  ArrayRef<Value> wdRows, Value kBegin, int64_t kLength, Value partial,
                  Value actBegin = Value(), Value partialCol = Value()) {
    SmallVector<Value> rowIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(add(mb, m0, index(r)));
    auto partialColIndex = [&](OpBuilder &ib, int64_t c) -> Value {
      return partialCol ? add(ib, partialCol, index(c)) : index(c);
    };
    Value zero = arith::ConstantOp::create(mb, loc, mb.getZeroAttr(acc));
    SmallVector<Value> init(rows * cols, zero);
    if (partial)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          init[r * cols + c] = vector::LoadOp::create(
              mb, loc, acc, partial, ValueRange{rowIndex[r], partialColIndex(mb, c), index(0)});
    auto kLoop = forLoop(mb, kBegin, add(mb, kBegin, index(kLength)), step, init,
                         [&](OpBuilder &kb, Value kk, ValueRange it) {
      SmallVector<Value> wv;
      for (int64_t c = 0; c < cols; ++c)
        wv.push_back(vector::LoadOp::create(kb, loc, pair, wd, ValueRange{wdRows[c], kk}));
      SmallVector<Value> next(it);
      Value ka = actBegin ? add(kb, actBegin, arith::SubIOp::create(kb, loc, kk, kBegin)) : kk;
      for (int64_t r = 0; r < rows; ++r) {
        Value av = vector::LoadOp::create(kb, loc, pair, xb, ValueRange{rowIndex[r], ka});
        for (int64_t c = 0; c < cols; ++c)
          next[r * cols + c] =
              plan.f32 ? Value(vector::FMAOp::create(kb, loc, acc, av, wv[c], it[r * cols + c]))
                       : Value(x86vector::DotBF16Op::create(kb, loc, acc, it[r * cols + c], av,
                                                            wv[c]));
      }
      return next;
    });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        if (partial) {
          vector::StoreOp::create(mb, loc, kLoop.getResult(r * cols + c), partial,
                                  ValueRange{rowIndex[r], partialColIndex(mb, c), index(0)});
          continue;
        }
        Value total = vector::ReductionOp::create(mb, loc, vector::CombiningKind::ADD,
                                                  kLoop.getResult(r * cols + c),
                                                  arith::FastMathFlags::reassoc);
        memref::StoreOp::create(mb, loc, total, out, ValueRange{rowIndex[r], colIndex[c]});
      }
  };

  if (m > n) {
    // More activation rows than weight rows (convolutions): every weight
    // row decoded once up front, then blocks of up to 32 activation rows
    // (in L2) meet all of them in turn. Tiles of weight rows outermost
    // would stream all of A once per tile (measured on AVX2, 3136 x 576 x
    // 64: 2x). Not for M <= N: LLM prefill's W' (4096 x 4096, 64 MiB in
    // f32) is better read once; a 196 x 1152 x 256 layer measured even.
    Value wd = memref::AllocOp::create(b, loc, MemRefType::get({n, k}, element(b)));
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{index(n)}, ValueRange{index(1)},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          decodeRow(pb, ivs[0], ivs[0], codes, scales, zeros, zpSigned, wd, k);
        });
    // The largest multiple of R up to 32 that divides M.
    int64_t blockRows = rows;
    for (int64_t candidate = 32 / rows * rows; candidate > rows; candidate -= rows)
      if (m % candidate == 0) {
        blockRows = candidate;
        break;
      }
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{index(m / blockRows)}, ValueRange{index(1)},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          Value firstRow = mul(pb, ivs[0], blockRows);
          forLoop(pb, index(0), index(n), cols, {}, [&](OpBuilder &nb, Value n0, ValueRange) {
            SmallVector<Value> colIndex;
            for (int64_t c = 0; c < cols; ++c)
              colIndex.push_back(add(nb, n0, index(c)));
            forLoop(nb, index(0), index(blockRows), rows, {},
                    [&](OpBuilder &mb, Value r0, ValueRange) {
                      tile(mb, add(mb, firstRow, r0), colIndex, wd, colIndex, index(0), k,
                           Value());
                      return SmallVector<Value>{};
                    });
            return SmallVector<Value>{};
          });
        });
    return;
  }
  // From two row tiles on, blocks of up to 16 weight tiles decoded a K
  // chunk at a time: each row tile's chunk of A' (in L1) meets every
  // tile of the block, the block's decoded chunk (in L2) every row tile,
  // and the sums wait in a partial buffer between chunks. A tile of 4
  // weight rows at a time read all of A' per tile: 2 MiB at 128 x 4096
  // in f32, from L3 for every 4 rows (NF4 ffn-up, M = 128: 111-113 -> 94-97
  // ms; attn-proj 26.5 -> 23.8-24.7).
  int64_t elementBytes = plan.f32 ? 4 : 2;
  int64_t tilesPerBlock = 1, kChunk = k;
  if (m > rows) {
    for (int64_t t : {16, 8, 4, 2})
      if ((n / cols) % t == 0) {
        tilesPerBlock = t;
        break;
      }
    // The chunk: a multiple of the step and of 16 code bytes dividing K,
    // inside a scale block or whole ones, one row tile's A' and one weight
    // tile's W' within kGemmChunkBytes.
    int64_t unit = std::max<int64_t>(step, kChunkBytes * perByte);
    kChunk = longestKSlice(k, kGemmChunkBytes / ((rows + cols) * elementBytes), unit, unit,
                           plan.block);
    if (!kChunk) {
      tilesPerBlock = 1;
      kChunk = k;
    }
  }
  if (tilesPerBlock > 1) {
    int64_t blockRows = cols * tilesPerBlock;
    int64_t chunkBytes = kChunk * plan.bits / 8;
    prefetchNextRange = kChunk < k;
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{index(n / blockRows)}, ValueRange{index(1)},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          // Heap buffers (no stack growth once outlined, as below).
          Value wd = memref::AllocOp::create(
              pb, loc, MemRefType::get({blockRows, kChunk}, element(pb)));
          Value partial = memref::AllocOp::create(
              pb, loc, MemRefType::get({m, blockRows, plan.lanes}, pb.getF32Type()));
          Value firstRow = mul(pb, ivs[0], blockRows);
          Value zero = arith::ConstantOp::create(pb, loc, pb.getZeroAttr(acc));
          forLoop(pb, index(0), index(m), 1, {}, [&](OpBuilder &zb, Value row, ValueRange) {
            forLoop(zb, index(0), index(blockRows), 1, {},
                    [&](OpBuilder &cb, Value col, ValueRange) {
                      vector::StoreOp::create(cb, loc, zero, partial,
                                              ValueRange{row, col, index(0)});
                      return SmallVector<Value>{};
                    });
            return SmallVector<Value>{};
          });
          forLoop(pb, index(0), index(k), kChunk, {}, [&](OpBuilder &kb, Value k0, ValueRange) {
            Value firstByte = mul(kb, k0, plan.bits);
            firstByte = arith::DivUIOp::create(kb, loc, firstByte, index(8));
            forLoop(kb, index(0), index(blockRows), 1, {},
                    [&](OpBuilder &rb, Value c, ValueRange) {
                      decodeRange(rb, add(rb, firstRow, c), c, codes, scales, zeros, zpSigned,
                                  wd, k, firstByte, chunkBytes, k0);
                      return SmallVector<Value>{};
                    });
            forLoop(kb, index(0), index(m), rows, {}, [&](OpBuilder &mb, Value m0, ValueRange) {
              forLoop(mb, index(0), index(blockRows), cols, {},
                      [&](OpBuilder &tb, Value t0, ValueRange) {
                        SmallVector<Value> slots;
                        for (int64_t c = 0; c < cols; ++c)
                          slots.push_back(add(tb, t0, index(c)));
                        tile(tb, m0, {}, wd, slots, index(0), kChunk, partial, k0, t0);
                        return SmallVector<Value>{};
                      });
              return SmallVector<Value>{};
            });
            return SmallVector<Value>{};
          });
          forLoop(pb, index(0), index(m), 1, {}, [&](OpBuilder &rb, Value row, ValueRange) {
            forLoop(rb, index(0), index(blockRows), 1, {},
                    [&](OpBuilder &cb, Value col, ValueRange) {
                      Value sums = vector::LoadOp::create(cb, loc, acc, partial,
                                                          ValueRange{row, col, index(0)});
                      Value total = vector::ReductionOp::create(
                          cb, loc, vector::CombiningKind::ADD, sums, arith::FastMathFlags::reassoc);
                      memref::StoreOp::create(cb, loc, total, out,
                                              ValueRange{row, add(cb, firstRow, col)});
                      return SmallVector<Value>{};
                    });
            return SmallVector<Value>{};
          });
        });
    return;
  }
  scf::ParallelOp::create(
      b, loc, ValueRange{index(0)}, ValueRange{index(n / cols)}, ValueRange{index(1)},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        // The decoded rows: a heap buffer per tile (freed at the end of the
        // iteration by buffer deallocation). Not a stack buffer: once the
        // body is outlined into a loop, an alloca there would grow the
        // stack by C x K per tile.
        Value wd = memref::AllocOp::create(pb, loc, MemRefType::get({cols, k}, element(pb)));
        SmallVector<Value> colIndex, slots;
        for (int64_t c = 0; c < cols; ++c) {
          colIndex.push_back(add(pb, mul(pb, ivs[0], cols), index(c)));
          slots.push_back(index(c));
          decodeRow(pb, colIndex[c], slots[c], codes, scales, zeros, zpSigned, wd, k);
        }
        forLoop(pb, index(0), index(m), rows, {}, [&](OpBuilder &mb, Value m0, ValueRange) {
          tile(mb, m0, colIndex, wd, slots, index(0), k, Value());
          return SmallVector<Value>{};
        });
      });
}

void GemmBuilder::buildAmxTiles(Value packed, Value codes, Value scales, Value zeros,
                                bool zpSigned, Value out, int64_t m, int64_t n, int64_t k) {
  // 2 x 2 accumulator tiles where the shape allows (each operand tile
  // loaded once for two tdpbf16ps).
  int64_t groups = (m + kAmxRows - 1) / kAmxRows;
  int64_t groupStep = groups % 2 == 0 ? 2 : 1;
  int64_t weightTiles = (n / kAmxRows) % 2 == 0 ? 2 : 1;
  int64_t tileRows = weightTiles * kAmxRows;
  // The three terms of split activations, one after another along K.
  int64_t activationK = plan.splitActivations ? 3 * k : k;
  auto scratchType = MemRefType::get({kAmxRows, kAmxRows}, b.getF32Type());
  if (m > n) {
    // As buildTiles: all of W' first, then blocks of activation groups.
    Value wd = memref::AllocOp::create(
        b, loc, MemRefType::get({k / kAmxDepth, n, kAmxDepth}, element(b)));
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{index(n)}, ValueRange{index(1)},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          decodeRow(pb, ivs[0], ivs[0], codes, scales, zeros, zpSigned, wd, k);
        });
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{index(groups / groupStep)}, ValueRange{index(1)},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          Value scratch = memref::AllocOp::create(pb, loc, scratchType);
          Value group = mul(pb, ivs[0], groupStep);
          forLoop(pb, index(0), index(n), tileRows, {}, [&](OpBuilder &nb, Value n0, ValueRange) {
            buildAmxTileBlock(nb, loc, packed, group, groupStep, wd, n0, weightTiles, out, n0,
                              scratch, m, activationK, k, colScales);
            return SmallVector<Value>{};
          });
        });
    return;
  }
  // From 64 rows (4 groups) a block of several tiles' rows is decoded at
  // a time and each pair of groups meets all of them in turn: A' (1.5-3
  // MiB at 128 rows) is then streamed from L3 once per block rather than
  // once per tile (FP8 ffn-up, M = 128: 27.0 -> 24.7 ms), as long as the
  // block stays in L2 (K = 14336, 4 tiles' 3.5 MiB: 3-4% slower than 1).
  int64_t tilesPerBlock = 1;
  if (m >= 4 * kAmxRows)
    for (int64_t t = kAmxTilesPerBlock; t > 1 && tilesPerBlock == 1; t /= 2)
      if ((n / tileRows) % t == 0 && t * tileRows * k * 2 <= kAmxBlockBytes)
        tilesPerBlock = t;
  int64_t blockRows = tileRows * tilesPerBlock;
  // Every pair of activation groups against every tile of a block's
  // decoded rows `wd` (with `sums`: the K slice of kLength from k0).
  auto multiplyBlock = [&](OpBuilder &ob, Value wd, Value firstRow, Value scratch, Value sums,
                           Value k0, int64_t kLength) {
    forLoop(ob, index(0), index(groups), groupStep, {},
            [&](OpBuilder &gb, Value group, ValueRange) {
              forLoop(gb, index(0), index(blockRows), tileRows, {},
                      [&](OpBuilder &tb, Value row0, ValueRange) {
                        buildAmxTileBlock(tb, loc, packed, group, groupStep, wd, row0,
                                          weightTiles, out, add(tb, firstRow, row0), scratch, m,
                                          activationK, k, colScales, sums, k0, kLength);
                        return SmallVector<Value>{};
                      });
              return SmallVector<Value>{};
            });
  };
  // Long K (from 64 rows): a pair of groups' activations would pass L2
  // (three terms of 2 x 16 rows x 14336 bf16: 2.6 MiB), so every tile
  // would stream them from L3. Instead K in slices, a block of 4 tiles
  // decoded a slice at a time, the accumulators kept in `sums` between
  // slices (FP8 ffn-down, M = 128: 37.2-37.4 -> 27.8-28.2 ms). A slice is
  // the longest multiple of 256 up to 2048 that divides K: K = 11008 (43
  // x 256) takes 256 (ffn-down-2: 27.5-27.9 -> 25.1-25.2 ms).
  // Where no long slice divides K, slices of kAmxSliceElems and a shorter
  // last one: K = 11008 as 5 x 2048 + 768, not 43 x 256, whose short
  // slices loaded and stored the accumulators 8x as often and decoded in
  // short bursts (ffn-down-2, 11008 x 4096, against 256-element slices:
  // W4 g32 M = 128 9.5-9.6 vs 10.2 ms, NVFP4 10.7-10.9 vs 11.5-11.9,
  // MXFP4 M = 512 29.8-31.4 vs 34.3-38.1, FP8 f32-gemm M = 128 20.3-20.8
  // vs 23.2-24.9).
  int64_t kSlice = 0, kTail = 0;
  if (m >= 4 * kAmxRows && k > kAmxSliceElems && (n / tileRows) % kAmxTilesPerBlock == 0 &&
      fitsBlocks(kDecodeSliceElems, plan.block)) {
    kSlice = longestKSlice(k, kAmxSliceElems, kAmxSliceElems, kDecodeSliceElems, plan.block);
    int64_t tail = k % kAmxSliceElems;
    // A range inside the row's one block fits too (per-row scales).
    auto fits = [&](int64_t elems) { return plan.block == k || fitsBlocks(elems, plan.block); };
    if (!kSlice && tail % kDecodeSliceElems == 0 && fits(kAmxSliceElems) && fits(tail)) {
      kSlice = kAmxSliceElems;
      kTail = tail;
    }
    if (!kSlice)
      kSlice = longestKSlice(k, kAmxSliceElems, kDecodeSliceElems, kDecodeSliceElems, plan.block);
  }
  if (kSlice) {
    blockRows = tileRows * kAmxTilesPerBlock;
    int64_t decodeBytes = kDecodeSliceElems * plan.bits / 8;
    prefetchNextRange = true;
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{index(n / blockRows)}, ValueRange{index(1)},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          Value wd = memref::AllocOp::create(
              pb, loc, MemRefType::get({kSlice / kAmxDepth, blockRows, kAmxDepth}, element(pb)));
          Value sums = memref::AllocOp::create(
              pb, loc,
              MemRefType::get({groups, blockRows / kAmxRows, kAmxRows, kAmxRows}, pb.getF32Type()));
          Value firstRow = mul(pb, ivs[0], blockRows);
          auto zeros16 = VectorType::get({kAmxRows}, pb.getF32Type());
          Value zero = arith::ConstantOp::create(pb, loc, pb.getZeroAttr(zeros16));
          forLoop(pb, index(0), index(groups), 1, {}, [&](OpBuilder &gb, Value g, ValueRange) {
            forLoop(gb, index(0), index(blockRows), 1, {}, [&](OpBuilder &rb, Value r, ValueRange) {
              Value t = arith::DivUIOp::create(rb, loc, r, index(kAmxRows));
              Value i = arith::RemUIOp::create(rb, loc, r, index(kAmxRows));
              vector::StoreOp::create(rb, loc, zero, sums, ValueRange{g, t, i, index(0)});
              return SmallVector<Value>{};
            });
            return SmallVector<Value>{};
          });
          // The slice [k0, k0 + length): decoded for the block's rows, then
          // every group's sums.
          auto slice = [&](OpBuilder &kb, Value k0, int64_t length) {
            Value sliceByte =
                arith::DivUIOp::create(kb, loc, mul(kb, k0, plan.bits), index(8));
            forLoop(kb, index(0), index(length * plan.bits / 8), decodeBytes, {},
                    [&](OpBuilder &sb, Value within, ValueRange) {
                      forLoop(sb, index(0), index(blockRows), 1, {},
                              [&](OpBuilder &rb, Value c, ValueRange) {
                                decodeRange(rb, add(rb, firstRow, c), c, codes, scales, zeros,
                                            zpSigned, wd, k, add(rb, sliceByte, within),
                                            decodeBytes, k0);
                                return SmallVector<Value>{};
                              });
                      return SmallVector<Value>{};
                    });
            multiplyBlock(kb, wd, firstRow, /*scratch=*/Value(), sums, k0, length);
          };
          forLoop(pb, index(0), index(k - kTail), kSlice, {},
                  [&](OpBuilder &kb, Value k0, ValueRange) {
                    slice(kb, k0, kSlice);
                    return SmallVector<Value>{};
                  });
          if (kTail)
            slice(pb, index(k - kTail), kTail);
          storeAmxSums(pb, loc, sums, m, blockRows / kAmxRows, out, firstRow, colScales);
        });
    return;
  }
  scf::ParallelOp::create(
      b, loc, ValueRange{index(0)}, ValueRange{index(n / blockRows)}, ValueRange{index(1)},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        // Heap buffers, as in buildTiles (no stack growth once outlined).
        Value wd = memref::AllocOp::create(
            pb, loc, MemRefType::get({k / kAmxDepth, blockRows, kAmxDepth}, element(pb)));
        Value scratch = memref::AllocOp::create(pb, loc, scratchType);
        Value firstRow = mul(pb, ivs[0], blockRows);
        // K in slices, the tile's rows within each: the stores of a slice
        // (its steps' rows, contiguous) fill whole lines in L1; row by row
        // over all of K they went 2 KiB apart into two L1 sets (FP8
        // ffn-up, M = 16: 13-16 -> 7.6-7.8 ms).
        int64_t rowBytes = k * plan.bits / 8;
        int64_t sliceBytes = k % kDecodeSliceElems == 0 && fitsBlocks(kDecodeSliceElems, plan.block)
                                 ? kDecodeSliceElems * plan.bits / 8
                                 : rowBytes;
        prefetchNextRange = sliceBytes < rowBytes;
        forLoop(pb, index(0), index(rowBytes), sliceBytes, {},
                [&](OpBuilder &sb, Value first, ValueRange) {
                  forLoop(sb, index(0), index(blockRows), 1, {},
                          [&](OpBuilder &rb, Value c, ValueRange) {
                            decodeRange(rb, add(rb, firstRow, c), c, codes, scales, zeros,
                                        zpSigned, wd, k, first, sliceBytes);
                            return SmallVector<Value>{};
                          });
                  return SmallVector<Value>{};
                });
        multiplyBlock(pb, wd, firstRow, scratch, /*sums=*/Value(), /*k0=*/Value(), 0);
      });
}

} // namespace

Value qcc::lowbit::buildDecodedGemm(OpBuilder &b, Location loc, Value lhs,
                                 const QTensorParts &weight, const DecodedGemmPlan &plan,
                                 RankedTensorType resultType) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t k = lhsType.getShape().back();
  int64_t m = lhsType.getNumElements() / k;
  int64_t n = weight.type.getShape()[0];
  Type f32 = b.getF32Type();
  Value x2 = rowsAsMatrix(b, loc, lhs);
  GemmBuilder gb(b, loc, plan);
  Value x = readOnlyBuffer(b, loc, x2);
  Value codes = readOnlyBuffer(b, loc, weight.codes);
  Value scales = readOnlyBuffer(b, loc, weight.scales);
  Value zeros = weight.zeroPoints ? readOnlyBuffer(b, loc, weight.zeroPoints) : Value();
  if (plan.codebook)
    gb.codebookBuffer = readOnlyBuffer(b, loc, weight.codebook);
  bool zpSigned = weight.zeroPoints &&
                  !cast<IntegerType>(weight.type.getScheme().getZeroPoint()).isUnsigned();
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, f32));
  // f32 activations against byte-wide codes are read as they are; else
  // converted to bf16 and/or reordered to the codes' nibble order once.
  Value xb = x;
  int64_t terms = plan.splitActivations ? 3 : 1;
  if (!plan.f32 || plan.bits != 8 || plan.splitActivations) {
    xb = memref::AllocOp::create(b, loc, MemRefType::get({m, terms * k}, gb.element(b)));
    gb.convertActivations(x, xb, m, k);
  }
  if (plan.minifloat)
    gb.patchNaN = minifloatCodesMayBeNaN(weight.codes, plan.minifloat);
  if (plan.splitActivations) {
    gb.colScales = memref::AllocOp::create(b, loc, MemRefType::get({n}, f32));
    gb.buildColumnScales(scales, gb.colScales, n);
  }
  gb.tileMajor = plan.amx;
  if (plan.amx)
    gb.buildAmxTiles(packAmxActivations(b, loc, xb, m, terms * k), codes, scales, zeros,
                     zpSigned, out, m, n, k);
  else
    gb.buildTiles(xb, codes, scales, zeros, zpSigned, out, m, n, k);
  return matrixAsResult(b, loc, out, resultType);
}
