//===- LutTernary.cpp - table-lookup matmul on ternary weights ----------===//
//
// Ternary weights t in {-1, 0, 1} (BitNet b1.58-style; imported as 2-bit
// codes whose zero point is the middle code) times an activation row q
// quantized per 96-element block to [-42, 42] with scale s_a:
//
//   y[m, n] = s_w[n] sum_b s_a[m, b] sum_{k in b} t[n, k] q[m, k]
//
// A group of 3 weights has 27 patterns: 13 pairs p, -p and zero. Each
// group is stored as a 4-bit index of its pattern up to sign (14 values)
// and a sign bit, 5 bits for 3 weights (1.67 bits a weight, against 2 for
// bit-planes), and each lookup does 3 weights (against 2 per 4-bit lookup
// of two bit-planes). The table of a group holds the 14 sums sum_j p_j q_j
// (|sum| <= 126) as signed bytes: a looked-up byte is negated where its
// group's sign bit is set (a masked vpsubb; the pairs form: vpsubb and
// vpblendvb) and the byte dot sums the signed bytes against ones. (Until
// session 23 the tables were offset by 128, unsigned, the sign the signed
// operand of the byte dot, and the offset to remove, 128 times the signs'
// sum per row and block, a third stream of 0.33 bits a weight.)
//
// This file: the parts both forms share (passes/LutTernary.h), and the
// vpermb form (AVX-512 VBMI; elsewhere its lookups go a lane at a time).
// The vpshufb form of AVX2 and NEON is passes/LutTernaryPairs.cpp.
//
// Layout of the vpermb form (compile time): a weight vector covers 16 rows x 24 elements of K
// (8 groups): row r in i32 lane r, byte j of the lane holds the indices of
// groups j (low nibble) and 4 + j (high nibble); two 64-bit sign masks per
// vector, bit 4 r + j for slot j of row r, one for the low nibbles, one for
// the high. A table vector holds 4 groups (entries 16 g + i), so the low
// nibbles read the step's first table vector and the high ones its second,
// each with group-select bits 16 j. K is padded with zero weights to whole
// 96-element blocks.
//
//===----------------------------------------------------------------------===//

#include "LutTernary.h"

#include "KernelSupport.h"

#include "qcc/Formats/BitPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace qcc::lowbit;
using namespace qcc::lowbit::lut;
using namespace qcc::lowbit::ternary;

namespace {

/// Activation codes in [-42, 42]: three of them sum into a signed byte.
constexpr float kQMax = 42.0f;
/// Elements of K a weight vector covers (8 groups of 3); activation blocks
/// of 4 weight vectors.
constexpr int64_t kPerVector = 24;
constexpr int64_t kPatterns = 14;

/// The 14 patterns up to sign: all zero, then every pattern whose first
/// nonzero weight is +1.
std::vector<std::array<int, 3>> patterns() {
  std::vector<std::array<int, 3>> list = {{0, 0, 0}};
  for (int v = 0; v < 27; ++v) {
    std::array<int, 3> p = {v % 3 - 1, v / 3 % 3 - 1, v / 9 - 1};
    int first = p[0] ? p[0] : p[1] ? p[1] : p[2];
    if (first > 0)
      list.push_back(p);
  }
  return list; // 14
}

} // namespace

std::array<std::pair<uint8_t, bool>, 27> qcc::lowbit::ternary::groupCodes() {
  std::vector<std::array<int, 3>> list = patterns();
  std::array<std::pair<uint8_t, bool>, 27> codes{};
  for (int v = 0; v < 27; ++v) {
    int a = v % 3 - 1, b = v / 3 % 3 - 1, c = v / 9 - 1;
    bool negative = (a ? a : b ? b : c) < 0;
    std::array<int, 3> p = negative ? std::array<int, 3>{-a, -b, -c} : std::array<int, 3>{a, b, c};
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i] == p)
        codes[v] = {uint8_t(i), negative};
  }
  return codes;
}

void TernaryRows::row(int64_t r, std::vector<int8_t> &out) const {
  scratch.resize(k);
  std::vector<uint8_t> &codes = scratch;
  qcc::formats::unpackBits(packed.data() + size_t(r) * k * bits / 8, k, bits, codes.data());
  double z = zero[r];
  if (z == std::floor(z) && std::abs(z) <= 128) {
    // An integer zero point (every ternary model's): integer arithmetic,
    // which the compiler vectorizes (through doubles this loop took a
    // fifth of compiling a 300-layer ternary model, run three times a row).
    // Locals, not members: the int8 stores may alias anything, so members
    // would be reloaded every element and the loop stay scalar.
    int zeroCode = int(z), signBit = signedCodes ? 1 << (bits - 1) : 0;
    const uint8_t *from = codes.data();
    int8_t *to = out.data();
    for (int64_t i = 0, n = k; i < n; ++i)
      to[i] = int8_t(((int(from[i]) ^ signBit) - signBit) - zeroCode);
    return;
  }
  for (int64_t i = 0; i < k; ++i) {
    double code = signedCodes ? double(qcc::formats::signExtend(codes[i], bits)) : codes[i];
    out[i] = int8_t(code - zero[r]);
  }
}

namespace {

std::optional<TernaryRows> readTernary(QTensorType type, ElementsAttr codes, ElementsAttr scales,
                                       ElementsAttr zeros, std::string &whyNot) {
  auto fail = [&](const llvm::Twine &why) -> std::optional<TernaryRows> {
    whyNot = why.str();
    return std::nullopt;
  };
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!storage || storage.getWidth() != 2)
    return fail("codes are not 2-bit integers");
  if (type.getLayoutKind() != LayoutKind::row_major)
    return fail("the layout is not row_major");
  SchemeAttr scheme = type.getScheme();
  if (!codes || !scales)
    return fail("codes or scales are not constants");
  TernaryRows t;
  t.n = type.getShape()[0];
  t.k = type.getShape()[1];
  t.signedCodes = !storage.isUnsigned();
  // One scale and zero point a row, first in the raw bytes: most 2-bit
  // weights (blocked scales that vary) fail here before their codes are
  // copied and every scale decoded.
  auto zpType = dyn_cast_if_present<IntegerType>(scheme.getZeroPoint());
  if (!constantRowsMayBeUniform(scales, t.n, /*isSigned=*/true) ||
      (zeros && !constantRowsMayBeUniform(zeros, t.n, zpType && !zpType.isUnsigned())))
    return fail("scales or zero points vary along K");
  std::optional<std::vector<uint8_t>> packed = constantBytes(codes);
  std::optional<std::vector<double>> scaleValues = constantValues(scales, true);
  std::optional<std::vector<double>> zeroValues;
  if (zeros) {
    zeroValues = constantValues(zeros, zpType && !zpType.isUnsigned());
  }
  if (!packed || !scaleValues || (zeros && !zeroValues) ||
      packed->size() != size_t(t.n * t.k * 2 / 8))
    return fail("codes or scales are not constants");
  t.packed = std::move(*packed);
  // One scale and zero point a row: per tensor, per row, or blocks that
  // all agree.
  auto uniform = [&](const std::vector<double> &grid, std::vector<double> &rowValue) {
    rowValue.assign(t.n, grid.empty() ? 0.0 : grid[0]);
    if (grid.size() <= 1)
      return true;
    if (int64_t(grid.size()) % t.n != 0)
      return false;
    int64_t perRow = int64_t(grid.size()) / t.n;
    for (int64_t r = 0; r < t.n; ++r) {
      rowValue[r] = grid[r * perRow];
      for (int64_t i = 1; i < perRow; ++i)
        if (grid[r * perRow + i] != rowValue[r])
          return false;
    }
    return true;
  };
  std::vector<double> rowScale;
  if (!uniform(*scaleValues, rowScale) || !uniform(zeroValues ? *zeroValues : std::vector<double>{},
                                                   t.zero))
    return fail("scales or zero points vary along K");
  t.scale.assign(rowScale.begin(), rowScale.end());
  std::vector<int8_t> values(t.k);
  for (int64_t r = 0; r < t.n; ++r) {
    t.row(r, values);
    for (int8_t v : values)
      if (v < -1 || v > 1)
        return fail("codes minus zero points are not all -1, 0 or 1");
  }
  return t;
}

} // namespace

std::optional<LutPlan> qcc::lowbit::planTernaryLut(QTensorType type, ElementsAttr codes,
                                                   ElementsAttr scales, ElementsAttr zeros,
                                                   Type lhsType, Type resultType, bool transposed,
                                                   const llvm::StringSet<> &features,
                                                   std::string &whyNot) {
  std::optional<LutPlan> plan =
      lut::planTarget(type, lhsType, resultType, transposed, features, whyNot);
  if (!plan || !readTernary(type, codes, scales, zeros, whyNot))
    return std::nullopt;
  plan->bits = 2;
  plan->ternary = true;
  choosePairsForm(*plan, features);
  plan->block = type.getShape()[1];
  return plan;
}

namespace {

/// lut's tiling, but one activation row a pass takes 8 row tiles where N
/// leaves at least 16 of those groups to share among the threads: each
/// table load then serves 128 rows (measured, Xeon, 2 threads: 4096 x
/// 4096 52.3 -> 49.1 us, 14336 x 4096 289 -> 284 us).
Tiling ternaryTiling(int64_t m, int64_t n) {
  Tiling t = tiling(m, n);
  constexpr int64_t kWideCols = 8, kMinGroups = 16;
  if (t.rows == 1 && (n / kLanes) % kWideCols == 0 && n / kLanes / kWideCols >= kMinGroups)
    t.cols = kWideCols;
  return t;
}

struct TernaryConstants {
  Value codes;   // i8 [N / 16 * K' / 24 * 64]
  Value signs;   // i64 [N / 16 * K' / 24 * 2]
  Value scales;  // f32 [N]
};

TernaryConstants buildConstants(OpBuilder &b, Location loc, const TernaryRows &t,
                                const Tiling &layout) {
  int64_t kp = paddedK(t.k), vectors = kp / kPerVector;
  std::array<std::pair<uint8_t, bool>, 27> codesOf = groupCodes();
  std::vector<char> codes(size_t(t.n / kLanes) * vectors * kVectorBytes, 0);
  std::vector<uint64_t> signs(size_t(t.n / kLanes) * vectors * 2, 0);
  std::vector<int8_t> row(kp, 0);
  for (int64_t r0 = 0; r0 < t.n; ++r0) {
    t.row(r0, row); // the padding stays 0
    int64_t tile = r0 / kLanes, r = r0 % kLanes;
    for (int64_t s = 0; s < vectors; ++s) {
      size_t vec = size_t(vectorSlot(layout, vectors, tile, s));
      for (int64_t slot = 0; slot < 8; ++slot) {
        const int8_t *w = row.data() + s * kPerVector + 3 * slot;
        auto [index, negative] = codesOf[(w[0] + 1) + 3 * (w[1] + 1) + 9 * (w[2] + 1)];
        int64_t byte = 4 * r + slot % 4;
        char &c = codes[vec * kVectorBytes + byte];
        c = char(uint8_t(c) | (slot < 4 ? index : uint8_t(index << 4)));
        if (negative)
          signs[vec * 2 + slot / 4] |= uint64_t(1) << byte;
      }
    }
  }
  TernaryConstants c;
  c.codes = resourceConstant(b, loc, RankedTensorType::get({int64_t(codes.size())}, b.getI8Type()),
                             "qcc_lut_ternary_weights", codes);
  c.signs = resourceConstant(
      b, loc, RankedTensorType::get({int64_t(signs.size())}, b.getI64Type()),
      "qcc_lut_ternary_signs",
      ArrayRef<char>(reinterpret_cast<const char *>(signs.data()), signs.size() * 8));
  c.scales = resourceConstant(
      b, loc, RankedTensorType::get({t.n}, b.getF32Type()), "qcc_lut_ternary_scales",
      ArrayRef<char>(reinterpret_cast<const char *>(t.scale.data()), t.scale.size() * 4));
  return c;
}

class TernaryBuilder {
public:
  TernaryBuilder(OpBuilder &b, Location loc, const LutPlan &plan) : b(b), loc(loc), plan(plan) {}

  /// tables[m, 64 v + 16 g + i] = sum_j pattern_i[j] q[m, 12 v + 3 g + j]
  /// (signed bytes: |sum| <= 126).
  void buildTables(Value codes, Value tables, int64_t m, int64_t kp);
  void buildDotLoops(Value tables, Value aScale, const TernaryConstants &c, Value out, int64_t m,
                     int64_t n, int64_t kp, const StoreEpilogue *epilogue);

private:
  Value index(OpBuilder &ob, int64_t v) { return arith::ConstantIndexOp::create(ob, loc, v); }

  OpBuilder &b;
  Location loc;
  const LutPlan &plan;
};

void TernaryBuilder::buildTables(Value codes, Value tables, int64_t m, int64_t kp) {
  std::vector<std::array<int, 3>> list = patterns();
  auto q16 = VectorType::get({16}, b.getI8Type());
  // Lane 16 g + i takes code 3 g + j, kept where pattern i has +1 at j
  // (added) or -1 (subtracted).
  SmallVector<SmallVector<int64_t>> spread(3);
  SmallVector<SmallVector<int8_t>> plus(3), minus(3);
  for (int64_t j = 0; j < 3; ++j)
    for (int64_t g = 0; g < 4; ++g)
      for (int64_t i = 0; i < 16; ++i) {
        int w = i < kPatterns ? list[i][j] : 0;
        spread[j].push_back(3 * g + j);
        plus[j].push_back(w > 0 ? int8_t(-1) : int8_t(0));
        minus[j].push_back(w < 0 ? int8_t(-1) : int8_t(0));
      }
  // Codes are read 16 at a time from position 12 v: the buffer has 4
  // bytes of slack at its end.
  buildCountedLoop(b, loc, m, {}, [&](OpBuilder &rb, Value row, ValueRange) {
    buildCountedLoop(rb, loc, kp / kPerTable, {}, [&](OpBuilder &vb, Value v, ValueRange) {
      Value q = vector::LoadOp::create(
          vb, loc, q16, codes,
          ValueRange{row, arith::MulIOp::create(vb, loc, v, index(vb, kPerTable))});
      Value table = byteVector(vb, loc, SmallVector<int8_t>(kVectorBytes, 0));
      for (int64_t j = 0; j < 3; ++j) {
        Value lanes = vector::ShuffleOp::create(vb, loc, q, q, spread[j]);
        table = arith::AddIOp::create(
            vb, loc, table, arith::AndIOp::create(vb, loc, lanes, byteVector(vb, loc, plus[j])));
        table = arith::SubIOp::create(
            vb, loc, table, arith::AndIOp::create(vb, loc, lanes, byteVector(vb, loc, minus[j])));
      }
      vector::StoreOp::create(
          vb, loc, table, tables,
          ValueRange{row, arith::MulIOp::create(vb, loc, v, index(vb, kVectorBytes))});
      return SmallVector<Value>{};
    });
    return SmallVector<Value>{};
  });
}

void TernaryBuilder::buildDotLoops(Value tables, Value aScale, const TernaryConstants &c,
                                   Value out, int64_t m, int64_t n, int64_t kp,
                                   const StoreEpilogue *epilogue) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), i8 = b.getI8Type(), i64 = b.getI64Type();
  int64_t blocks = kp / kBlock, perBlock = kBlock / kPerVector, vectorsPerRow = kp / kPerVector;
  auto byteType = VectorType::get({kVectorBytes}, i8);
  auto maskWord = VectorType::get({1}, i64);
  auto maskType = VectorType::get({kVectorBytes}, b.getI1Type());
  auto accType = VectorType::get({kLanes}, i32);
  auto fType = VectorType::get({kLanes}, f32);
  Tiling tiles = ternaryTiling(m, n);
  int64_t rows = tiles.rows, cols = tiles.cols;
  SmallVector<int8_t> select;
  for (int64_t lane = 0; lane < kLanes; ++lane)
    for (int64_t j = 0; j < 4; ++j)
      select.push_back(int8_t(16 * j));
  const IndexArith ix{loc};
  auto forLoop = [&](OpBuilder &ob, int64_t count, ValueRange init, LoopBody body) {
    return buildCountedLoop(ob, loc, count, init, body);
  };

  int64_t tile = rows * cols;
  // The row scale applies once, to the final sums.
  auto finish = [&](OpBuilder &mb, Value yv, int64_t col, const TileIndices &t) -> Value {
    Value ws = vector::LoadOp::create(mb, loc, fType, c.scales, ValueRange{t.firstRow[col]});
    return arith::MulFOp::create(mb, loc, yv, ws);
  };
  buildTileLoops(b, loc, out, m, n, rows, cols, blocks,
      [&](OpBuilder &bb, Value blk, ValueRange y, const TileIndices &t) {
            const SmallVector<Value> &rowIndex = t.rowIndex;
            Value zero = arith::ConstantOp::create(bb, loc, bb.getZeroAttr(accType));
            SmallVector<Value> accInit(2 * tile, zero);
            Value firstVector = ix.mul(bb, blk, perBlock);
            auto vectorLoop = forLoop(bb, perBlock, accInit, [&](OpBuilder &sb, Value st,
                                                                 ValueRange acc) {
              Value v = ix.add(sb, firstVector, st);
              SmallVector<std::array<Value, 2>> table(rows);
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t h = 0; h < 2; ++h)
                  table[r][h] = vector::LoadOp::create(
                      sb, loc, byteType, tables,
                      ValueRange{rowIndex[r], ix.mul(sb, ix.add(sb, ix.mul(sb, v, 2), ix.index(sb, h)),
                                                  kVectorBytes)});
              Value low4 = byteVector(sb, loc, SmallVector<int8_t>(kVectorBytes, 15));
              Value four = byteVector(sb, loc, SmallVector<int8_t>(kVectorBytes, 4));
              Value sel = byteVector(sb, loc, select);
              Value ones = byteVector(sb, loc, SmallVector<int8_t>(kVectorBytes, 1));
              Value noBytes = byteVector(sb, loc, SmallVector<int8_t>(kVectorBytes, 0));
              SmallVector<Value> next(acc);
              for (int64_t col = 0; col < cols; ++col) {
                Value vec = vectorSlotIndex(sb, loc, t.group, vectorsPerRow, v, cols, col);
                Value x = vector::LoadOp::create(sb, loc, byteType, c.codes,
                                                 ValueRange{ix.mul(sb, vec, kVectorBytes)});
                prefetchStream(sb, loc, c.codes, ix.mul(sb, vec, kVectorBytes));
                std::array<Value, 2> indices = {
                    arith::OrIOp::create(sb, loc, arith::AndIOp::create(sb, loc, x, low4), sel),
                    arith::OrIOp::create(sb, loc, arith::ShRUIOp::create(sb, loc, x, four), sel)};
                std::array<Value, 2> negative;
                for (int64_t h = 0; h < 2; ++h) {
                  Value word = vector::LoadOp::create(sb, loc, maskWord, c.signs,
                                                      ValueRange{ix.add(sb, ix.mul(sb, vec, 2), ix.index(sb, h))});
                  negative[h] = vector::BitCastOp::create(sb, loc, maskType, word);
                }
                // A negative group's sum is negated in its byte (a masked
                // vpsubb on the sign bits as they are stored) and the byte
                // dot adds the signed bytes against ones: no per-block
                // offset to subtract, so no offset stream beside the codes.
                for (int64_t r = 0; r < rows; ++r)
                  for (int64_t h = 0; h < 2; ++h) {
                    Value u = lookup(sb, loc, plan, table[r][h], indices[h]);
                    Value signedSum = arith::SelectOp::create(
                        sb, loc, negative[h], arith::SubIOp::create(sb, loc, noBytes, u), u);
                    int64_t a = (col * rows + r) * 2 + h;
                    next[a] = sumQuads(sb, loc, plan, next[a], ones, signedSum);
                  }
              }
              return next;
            });
            SmallVector<Value> yNext(tile);
            for (int64_t r = 0; r < rows; ++r) {
              Value as = vector::BroadcastOp::create(
                  bb, loc, fType, memref::LoadOp::create(bb, loc, aScale, ValueRange{rowIndex[r], blk}));
              for (int64_t col = 0; col < cols; ++col) {
                int64_t a = col * rows + r;
                Value dots = ix.add(bb, vectorLoop.getResult(2 * a), vectorLoop.getResult(2 * a + 1));
                yNext[a] = vector::FMAOp::create(
                    bb, loc, fType, arith::SIToFPOp::create(bb, loc, fType, dots), as, y[a]);
              }
            }
            return yNext;
      }, finish, epilogue);
}

} // namespace

Value qcc::lowbit::buildTernaryLutMatmul(OpBuilder &b, Location loc, Value lhs,
                                         const QTensorParts &weight, const LutPlan &plan,
                                         RankedTensorType resultType,
                                         const StoreEpilogue *epilogue) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t k = lhsType.getShape().back();
  int64_t m = lhsType.getNumElements() / k;
  int64_t n = weight.type.getShape()[0];
  int64_t kp = paddedK(k);
  std::string whyNot;
  auto attr = [](Value v) { return v ? constantElements(v).value_or(ElementsAttr()) : ElementsAttr(); };
  std::optional<TernaryRows> rows = readTernary(weight.type, attr(weight.codes),
                                                attr(weight.scales), attr(weight.zeroPoints), whyNot);
  if (!rows)
    return {};
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  // The vpermb form's weight constants (the pairs form packs its own).
  TernaryConstants c;
  if (!plan.pshufbPairs) {
    c = buildConstants(b, loc, *rows, ternaryTiling(m, n));
    c.codes = readOnlyBuffer(b, loc, c.codes);
    c.signs = readOnlyBuffer(b, loc, c.signs);
    c.scales = readOnlyBuffer(b, loc, c.scales);
  }
  Value x = readOnlyBuffer(b, loc, rowsAsMatrix(b, loc, lhs));
  // Activations padded with zeros to whole blocks.
  Value padded = x;
  if (kp != k) {
    padded = memref::AllocOp::create(b, loc, MemRefType::get({m, kp}, f32));
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    buildCountedLoop(b, loc, m, {}, [&](OpBuilder &rb, Value row, ValueRange) {
      buildCountedLoop(rb, loc, kp, {}, [&](OpBuilder &eb, Value e, ValueRange) {
        Value inside = arith::CmpIOp::create(eb, loc, arith::CmpIPredicate::ult, e,
                                             arith::ConstantIndexOp::create(eb, loc, k));
        auto branch = scf::IfOp::create(eb, loc, TypeRange{f32}, inside, true, true);
        OpBuilder tb = branch.getThenBodyBuilder();
        scf::YieldOp::create(tb, loc, ValueRange{memref::LoadOp::create(tb, loc, x, ValueRange{row, e})});
        OpBuilder fb = branch.getElseBodyBuilder();
        scf::YieldOp::create(fb, loc, ValueRange{zero});
        memref::StoreOp::create(eb, loc, branch.getResult(0), padded, ValueRange{row, e});
        return SmallVector<Value>{};
      });
      return SmallVector<Value>{};
    });
  }
  // 4 bytes of slack: the table loop reads 16 codes from each 12.
  Value codes = memref::AllocOp::create(b, loc, MemRefType::get({m, kp + 4}, i8));
  Value aScale = memref::AllocOp::create(b, loc, MemRefType::get({m, kp / kBlock}, f32));
  Value aSum = memref::AllocOp::create(b, loc, MemRefType::get({m, kp / kBlock}, f32));
  Value tables =
      memref::AllocOp::create(b, loc, MemRefType::get({m, kp / kPerTable * kVectorBytes}, i8));
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, f32));
  buildBlockQuantization(b, loc, padded, codes, aScale, aSum, m, kp / kBlock, kBlock, kQMax);
  TernaryBuilder tb(b, loc, plan);
  tb.buildTables(codes, tables, m, kp);
  if (plan.pshufbPairs)
    buildPairsDotLoops(b, loc, *rows, plan, tables, aScale, out, m, epilogue);
  else
    tb.buildDotLoops(tables, aScale, c, out, m, n, kp, epilogue);
  return matrixAsResult(b, loc, out, resultType);
}
