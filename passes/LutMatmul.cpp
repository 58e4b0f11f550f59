//===- LutMatmul.cpp - T-MAC-style table-lookup matmul ------------------===//
//
// For a weight row n (unsigned codes u = sum_p 2^p bit_p) and an activation
// row m quantized per block b to q in [-31, 31] with scale s_a:
//
//   y[m, n] = sum_b s_a[m, b] (s_w[n, b] sum_{k in b} u[n, k] q[m, k]
//                              - s_w[n, b] z[n, b] sum_{k in b} q[m, k])
//
//   sum_k u q = sum_p 2^p sum_groups T_group[nibble_p]
//
// where a group is 4 consecutive k, nibble_p its 4 bits of plane p, and
// T_group[i] = sum of the group's q whose bit is set in i. The tables are
// built once per activation row; |T| <= 4 * 31 fits a byte, stored offset
// by 128 so that the byte-dot instruction reads it unsigned (the offset is
// an integer constant per block, removed by starting the accumulator at
// minus it).
//
// Tables: 16 entries a group, 4 groups (16 k) a 64-byte vector, which vpermb
// indexes with 6 bits: 2 select the group, 4 are the nibble.
// Weights, repacked at compile time: 16 rows x 64 bytes a vector, row r in
// i32 lane r; its 4 bytes hold 8 nibbles ("slots"), the low nibbles slots
// 0-3 and the high ones 4-7. A vector covers 32 / bits elements of K (8 /
// bits groups); slot l holds plane l % bits of group l / bits. Per vector:
// low = (x & 15) | groupSelect, high = (x >> 4) | groupSelect, one vpermb
// each, and one vpdpbusd each whose signed operand weighs slot l by
// 2^(l % bits), summing a row's 4 lookups into its i32 lane.
//
//===----------------------------------------------------------------------===//

#include "LutMatmul.h"

#include "KernelSupport.h"

#include "qcc/Formats/BitPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace qcc::lowbit;

namespace {

using namespace qcc::lowbit::lut;

/// Elements of K one weight vector covers, and one table vector (4 groups).
int64_t kPerWeightVector(unsigned bits) { return 32 / bits; }
constexpr int64_t kPerTable = 16;
/// Elements of K per step of the inner loop: whole weight and table vectors.
int64_t kPerStep(unsigned bits) { return std::max<int64_t>(kPerTable, kPerWeightVector(bits)); }

} // namespace

Value qcc::lowbit::lut::resourceConstant(OpBuilder &b, Location loc, RankedTensorType type,
                                         StringRef name, ArrayRef<char> data) {
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(uint64_t));
  return arith::ConstantOp::create(b, loc,
                                   DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

std::vector<char> qcc::lowbit::lut::packLutPlanes(ArrayRef<uint8_t> rowMajor, int64_t n,
                                                  int64_t k, unsigned bits, int64_t cols) {
  std::vector<char> tiles(size_t(n) * k * bits / 8);
  packLutPlanesInto(rowMajor, n, k, bits, cols, tiles);
  return tiles;
}

void qcc::lowbit::lut::packLutPlanesInto(ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k,
                                         unsigned bits, int64_t cols, MutableArrayRef<char> tiles) {
  // Tile t of 16 rows, weight vector s (at vectorSlot), byte 4 r + j.
  Tiling layout{1, cols};
  int64_t perVector = kPerWeightVector(bits), vectors = k / perVector;
  assert(tiles.size() == size_t(n / kLanes) * vectors * kVectorBytes && "n x k x bits / 8 bytes");
  std::fill(tiles.begin(), tiles.end(), 0);
  std::vector<uint8_t> row(k);
  for (int64_t r0 = 0; r0 < n; ++r0) {
    qcc::formats::unpackBits(rowMajor.data() + size_t(r0) * k * bits / 8, k, bits, row.data());
    int64_t t = r0 / kLanes, r = r0 % kLanes;
    for (int64_t s = 0; s < vectors; ++s) {
      char *vec = tiles.data() + size_t(vectorSlot(layout, vectors, t, s)) * kVectorBytes;
      for (int64_t slot = 0; slot < 8; ++slot) {
        int64_t group = slot / bits, plane = slot % bits;
        uint8_t nibble = 0;
        for (int64_t i = 0; i < 4; ++i)
          nibble |= uint8_t(((row[s * perVector + group * 4 + i] >> plane) & 1) << i);
        int64_t byte = 4 * r + slot % 4;
        vec[byte] = char(uint8_t(vec[byte]) | (slot < 4 ? nibble : uint8_t(nibble << 4)));
      }
    }
  }
}

Value qcc::lowbit::lut::vectorSlotIndex(OpBuilder &b, Location loc, Value group,
                                        int64_t vectorsPerRow, Value vector, int64_t cols,
                                        int64_t col) {
  auto constant = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  Value row = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, group, constant(vectorsPerRow)), vector);
  return arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, row, constant(cols)),
                               constant(col));
}

Tiling qcc::lowbit::lut::tiling(int64_t m, int64_t n) {
  // Bytes loaded per multiply-add: 2 x 2 loads half the tables of 4 x 1
  // for the same weights (measured at M = 4, K = 11008: 1.3x faster).
  int64_t rows = m % 2 == 0 ? 2 : 1;
  int64_t cols = 4 / rows;
  while ((n / kLanes) % cols != 0)
    cols /= 2;
  return {rows, cols};
}

FailureOr<BlockParams> qcc::lowbit::lut::buildBlockParams(OpBuilder &b, Location loc,
                                                          const QTensorParts &w, bool signedCodes,
                                                          unsigned bits, int64_t block,
                                                          double unit, double zeroShift) {
  int64_t n = w.type.getShape()[0], k = w.type.getShape()[1];
  int64_t blocks = k / block;
  std::optional<std::vector<double>> scales = constantValues(w.scales, true);
  std::optional<std::vector<double>> zeros;
  if (w.zeroPoints) {
    auto zpType = w.type.getScheme().getZeroPoint();
    zeros = constantValues(w.zeroPoints,
                           isa<IntegerType>(zpType) && !cast<IntegerType>(zpType).isUnsigned());
    if (!zeros)
      return failure();
  }
  if (!scales)
    return failure();
  // Signed codes read as unsigned: u = code + 2^(bits-1) (the kernels flip
  // the sign bits), and the zero point moves with them.
  double bias = (signedCodes ? double(int64_t(1) << (bits - 1)) : 0.0) + zeroShift;
  double tensorScale = 1.0;
  if (w.tensorScale) {
    std::optional<std::vector<double>> t = constantValues(w.tensorScale, true);
    if (!t || t->size() != 1)
      return failure();
    tensorScale = (*t)[0];
  }
  auto at = [&](const std::vector<double> &grid, int64_t r, int64_t blk) {
    if (grid.size() == 1)
      return grid[0];
    if (int64_t(grid.size()) == n)
      return grid[r];
    return grid[r * blocks + blk];
  };
  BlockParams p;
  p.uniformZero = (zeros ? at(*zeros, 0, 0) : 0.0) + bias;
  for (int64_t r = 0; r < n && !p.zeroPoints; ++r)
    for (int64_t blk = 0; blk < blocks; ++blk)
      p.zeroPoints |= (zeros ? at(*zeros, r, blk) : 0.0) + bias != p.uniformZero;
  if (p.zeroPoints)
    p.uniformZero = 0.0;
  int64_t perBlock = p.zeroPoints ? 2 : 1;
  std::vector<float> params(size_t(n) * blocks * perBlock);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t blk = 0; blk < blocks; ++blk) {
      double s = at(*scales, r, blk), z = (zeros ? at(*zeros, r, blk) : 0.0) + bias;
      size_t at0 = ((size_t(r / kLanes) * blocks + blk) * perBlock) * kLanes + r % kLanes;
      params[at0] = float(s * unit * tensorScale);
      if (p.zeroPoints)
        params[at0 + kLanes] = float(s * unit * tensorScale * z);
    }
  p.params = resourceConstant(
      b, loc, RankedTensorType::get({int64_t(params.size())}, b.getF32Type()), "qcc_lut_params",
      ArrayRef<char>(reinterpret_cast<const char *>(params.data()), params.size() * sizeof(float)));
  return p;
}

void qcc::lowbit::lut::buildTileLoops(OpBuilder &b, Location loc, Value out, int64_t m,
                                     int64_t n, int64_t rows, int64_t cols, int64_t blocks,
                                     TileBlockBody blockBody, TileFinish finish,
                                     const StoreEpilogue *epilogue) {
  const IndexArith ix{loc};
  auto fType = VectorType::get({kLanes}, b.getF32Type());
  scf::ParallelOp::create(
      b, loc, ValueRange{ix.index(b, 0)}, ValueRange{ix.index(b, n / kLanes / cols)},
      ValueRange{ix.index(b, 1)}, [&](OpBuilder &pb, Location, ValueRange ivs) {
        TileIndices t;
        t.group = ivs[0];
        for (int64_t col = 0; col < cols; ++col) {
          t.tileIndex.push_back(ix.add(pb, ix.mul(pb, ivs[0], cols), ix.index(pb, col)));
          t.firstRow.push_back(ix.mul(pb, t.tileIndex[col], kLanes));
        }
        buildCountedLoop(pb, loc, m / rows, {}, [&](OpBuilder &mb, Value mStep, ValueRange) {
          t.rowIndex.clear();
          for (int64_t r = 0; r < rows; ++r)
            t.rowIndex.push_back(ix.add(mb, ix.mul(mb, mStep, rows), ix.index(mb, r)));
          Value zeroF = arith::ConstantOp::create(mb, loc, mb.getZeroAttr(fType));
          SmallVector<Value> yInit(rows * cols, zeroF);
          auto blockLoop = buildCountedLoop(
              mb, loc, blocks, yInit, [&](OpBuilder &bb, Value blk, ValueRange y) {
                return blockBody(bb, blk, y, t);
              });
          for (int64_t col = 0; col < cols; ++col)
            for (int64_t r = 0; r < rows; ++r) {
              Value y = blockLoop.getResult(col * rows + r);
              if (finish)
                y = finish(mb, y, col, t);
              if (epilogue && *epilogue)
                y = applyStoreEpilogue(mb, loc, *epilogue, y, t.rowIndex[r], t.firstRow[col]);
              vector::StoreOp::create(mb, loc, y, out, ValueRange{t.rowIndex[r], t.firstRow[col]});
            }
          return SmallVector<Value>{};
        });
      });
}

std::array<Value, 3> qcc::lowbit::lut::blockRowFactors(OpBuilder &b, Location loc, Value aScale,
                                                      Value aSum, Value row, Value blk,
                                                      double uniformZero) {
  auto fType = VectorType::get({kLanes}, b.getF32Type());
  Value as = memref::LoadOp::create(b, loc, aScale, ValueRange{row, blk});
  Value qs = memref::LoadOp::create(b, loc, aSum, ValueRange{row, blk});
  Value asVec = vector::BroadcastOp::create(b, loc, fType, as);
  Value negSum = vector::BroadcastOp::create(b, loc, fType, arith::NegFOp::create(b, loc, qs));
  Value zSum;
  if (uniformZero != 0.0)
    zSum = vector::BroadcastOp::create(
        b, loc, fType,
        arith::MulFOp::create(b, loc, qs,
                              arith::ConstantOp::create(b, loc,
                                                        b.getF32FloatAttr(float(uniformZero)))));
  return {asVec, negSum, zSum};
}

Value qcc::lowbit::lut::blockParamsAt(OpBuilder &b, Location loc, const BlockParams &p,
                                      Value tileIndex, int64_t blocks, Value blk, bool prefetch) {
  const IndexArith ix{loc};
  int64_t perBlock = p.zeroPoints ? 2 : 1;
  Value at = ix.mul(b, ix.add(b, ix.mul(b, tileIndex, blocks), blk), perBlock * kLanes);
  if (prefetch)
    prefetchStream(b, loc, p.params, at);
  return at;
}

Value qcc::lowbit::lut::scaleBlock(OpBuilder &b, Location loc, const BlockParams &p,
                                   Value paramsAt, Value dots, Value asVec, Value negSum,
                                   Value zSum, Value y) {
  auto fType = VectorType::get({kLanes}, b.getF32Type());
  Value ws = vector::LoadOp::create(b, loc, fType, p.params, ValueRange{paramsAt});
  Value sums = arith::SIToFPOp::create(b, loc, fType, dots);
  if (zSum)
    sums = arith::SubFOp::create(b, loc, sums, zSum);
  Value v = arith::MulFOp::create(b, loc, ws, sums);
  if (p.zeroPoints) {
    Value wzAt = arith::AddIOp::create(b, loc, paramsAt,
                                       arith::ConstantIndexOp::create(b, loc, kLanes));
    Value wz = vector::LoadOp::create(b, loc, fType, p.params, ValueRange{wzAt});
    v = vector::FMAOp::create(b, loc, fType, wz, negSum, v);
  }
  return vector::FMAOp::create(b, loc, fType, v, asVec, y);
}

Tiling qcc::lowbit::lut::tilingFor(int64_t m, QTensorType weight) {
  Tiling t = tiling(m, weight.getShape()[0]);
  // Packed by lowbit-pack-layout: its row tiles are what the codes hold.
  if (weight.getLayoutKind() == LayoutKind::lut_planes)
    t.cols = weight.getLayout().getTile()[0] / kLanes;
  return t;
}

Value qcc::lowbit::lut::byteVector(OpBuilder &b, Location loc, ArrayRef<int8_t> values) {
  auto type = VectorType::get({int64_t(values.size())}, b.getI8Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

Value qcc::lowbit::lut::lookup(OpBuilder &b, Location loc, const LutPlan &plan, Value table,
                               Value indices) {
  return TableLookupOp::create(b, loc, table.getType(), table, indices,
                               b.getStringAttr(plan.vpermb ? "vpermb" : "portable"));
}

Value qcc::lowbit::lut::sumQuads(OpBuilder &b, Location loc, const LutPlan &plan, Value acc,
                                 Value entries, Value weights) {
  if (plan.dot == ByteDot::Vnni512)
    return ByteDotOp::create(b, loc, acc.getType(), acc, entries, weights,
                             b.getStringAttr("vpdpbusd"));
  if (plan.dot == ByteDot::Madd512)
    return ByteDotOp::create(b, loc, acc.getType(), acc, entries, weights,
                             b.getStringAttr("pmaddubsw"));
  if (plan.dot == ByteDot::Vnni256 || plan.dot == ByteDot::Madd256) {
    // 256-bit machines: the 16-row vector as two ymm halves of 8 rows,
    // which LLVM keeps in two registers (no shuffles are emitted for the
    // slices of a split 512-bit value).
    StringRef instruction = plan.dot == ByteDot::Vnni256 ? "vpdpbusd" : "pmaddubsw";
    auto halfBytes = VectorType::get({kVectorBytes / 2}, b.getI8Type());
    auto halfLanes = VectorType::get({kLanes / 2}, b.getI32Type());
    Value sum = acc;
    for (int64_t h = 0; h < 2; ++h) {
      auto slice = [&](Value v, VectorType, int64_t size) -> Value {
        return vector::ExtractStridedSliceOp::create(b, loc, v, ArrayRef<int64_t>{h * size},
                                                     ArrayRef<int64_t>{size}, ArrayRef<int64_t>{1});
      };
      Value part = ByteDotOp::create(b, loc, halfLanes, slice(acc, halfLanes, kLanes / 2),
                                     slice(entries, halfBytes, kVectorBytes / 2),
                                     slice(weights, halfBytes, kVectorBytes / 2),
                                     b.getStringAttr(instruction));
      sum = vector::InsertStridedSliceOp::create(b, loc, part, sum, ArrayRef<int64_t>{h * kLanes / 2},
                                                 ArrayRef<int64_t>{1});
    }
    return sum;
  }
  // Bytes j, j + 4, ... of the quads: one multiply-add per quad position.
  auto lanes = VectorType::get({kLanes}, b.getI32Type());
  Value sum = acc;
  for (int64_t j = 0; j < 4; ++j) {
    SmallVector<int64_t> position;
    for (int64_t lane = 0; lane < kLanes; ++lane)
      position.push_back(4 * lane + j);
    Value e = vector::ShuffleOp::create(b, loc, entries, entries, position);
    Value w = vector::ShuffleOp::create(b, loc, weights, weights, position);
    sum = arith::AddIOp::create(
        b, loc, sum,
        arith::MulIOp::create(b, loc, arith::ExtUIOp::create(b, loc, lanes, e),
                              arith::ExtSIOp::create(b, loc, lanes, w)));
  }
  return sum;
}

std::optional<LutPlan> qcc::lowbit::lut::planTarget(QTensorType type, Type lhsType,
                                                   Type resultType, bool transposed,
                                                   const llvm::StringSet<> &features,
                                                   std::string &whyNot, bool decodedCodes) {
  auto fail = [&](const llvm::Twine &why) -> std::optional<LutPlan> {
    whyNot = why.str();
    return std::nullopt;
  };
  if (std::optional<std::string> why =
          matmulOperandsWhyNot(type, lhsType, resultType, transposed))
    return fail(*why);
  int64_t n = type.getShape()[0];
  if (n % kLanes != 0)
    return fail("N = " + llvm::Twine(n) + " is not a multiple of " + llvm::Twine(kLanes));
  SchemeAttr scheme = type.getScheme();
  if (!decodedCodes && (scheme.hasCodebook() || scheme.getTensorScale()))
    return fail("codebooks and tensor scales");
  LayoutKind layout = type.getLayoutKind();
  if (layout != LayoutKind::row_major && layout != LayoutKind::lut_planes &&
      layout != LayoutKind::int8_tiles)
    return fail("the layout is not one a tile kernel reads");
  if (!isa_and_nonnull<FloatType>(scheme.getScale()))
    return fail("no float scales");
  LutPlan plan;
  auto has = [&](llvm::StringRef f) { return features.contains(f); };
  plan.vpermb = has("avx512vbmi");
  // Entries are at most 252 and slot weights at most 8: pmaddubsw's i16
  // pair sums (<= 3024) cannot saturate.
  bool avxVnni = has("avxvnni") || (has("avx512vnni") && has("avx512vl"));
  plan.dot = has("avx512vnni") ? ByteDot::Vnni512
             : has("avx512bw") ? ByteDot::Madd512
             : avxVnni         ? ByteDot::Vnni256
             : has("avx2")     ? ByteDot::Madd256
                               : ByteDot::Portable;
  return plan;
}

std::optional<LutPlan> qcc::lowbit::planLut(QTensorType type, Type lhsType,
                                            Type resultType, bool transposed,
                                            const llvm::StringSet<> &features,
                                            std::string &whyNot) {
  std::optional<LutPlan> plan =
      lut::planTarget(type, lhsType, resultType, transposed, features, whyNot);
  if (!plan)
    return std::nullopt;
  auto fail = [&](const llvm::Twine &why) -> std::optional<LutPlan> {
    whyNot = why.str();
    return std::nullopt;
  };
  if (type.getLayoutKind() == LayoutKind::int8_tiles)
    return fail("the layout is int8_tiles");
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!storage)
    return fail("codes are not integers");
  plan->bits = storage.getWidth();
  plan->signedCodes = !storage.isUnsigned();
  if (plan->bits < 1 || plan->bits > 4)
    return fail(llvm::Twine(plan->bits) + "-bit codes (1 to 4 bit-planes)");
  int64_t k = type.getShape()[1];
  std::string blockWhy;
  std::optional<int64_t> block = scaleBlockAlongK(type.getScheme(), k, blockWhy);
  if (!block)
    return fail(blockWhy);
  plan->block = *block;
  int64_t step = kPerStep(plan->bits);
  if (k % plan->block != 0 || plan->block % step != 0)
    return fail("blocks of " + llvm::Twine(plan->block) + " are not a multiple of " +
                llvm::Twine(step) + " elements");
  // The quantization prologue's vectors.
  if (plan->block % std::min<int64_t>(plan->block, 128) != 0)
    return fail("blocks of " + llvm::Twine(plan->block) + " elements");
  // Without VBMI but with AVX2, 1- and 2-bit codes take the vpshufb form
  // (passes/LutPairs.cpp). So do 3-bit codes everywhere: 3 planes do not
  // divide vpermb's 8 nibble slots a lane.
  if (plan->bits <= 3 && type.getLayoutKind() == LayoutKind::row_major)
    choosePairsForm(*plan, features);
  if (plan->bits == 3 && !plan->pshufbPairs) {
    if (!features.contains("avx2") || type.getLayoutKind() != LayoutKind::row_major)
      return fail("3-bit codes need the pairs form (AVX2 or NEON) on row-major codes");
    plan->pshufbPairs = true;
  }
  return plan;
}

void qcc::lowbit::lut::choosePairsForm(LutPlan &plan, const llvm::StringSet<> &features) {
  // One 16-entry table per 128-bit lane: vpshufb where AVX-512 VBMI's
  // vpermb (64 entries) is missing; AArch64's tbl looks up the same way
  // (NEON is part of every AArch64 target).
  bool x86Pairs = !plan.vpermb && features.contains("avx2") &&
                  (plan.dot == ByteDot::Madd256 || plan.dot == ByteDot::Vnni256);
  bool neonPairs = features.contains("neon");
  plan.pshufbPairs = x86Pairs || neonPairs;
  if (plan.pshufbPairs && !x86Pairs) {
    plan.pairLookup = "tbl";
    plan.pairDot = "portable";
    plan.pairBlend = "portable";
  }
}

namespace {

/// Compile-time parts: the repacked codes and the per-block parameters of
/// each tile of 16 rows, [N / 16, blocks, P, 16] f32 with P = 2 (s_w, then
/// s_w * z) or 1 (s_w, where every z is the same): a 16-row vector load each, and
/// one sequential stream beside the codes' as the kernel walks a tile's
/// blocks.
struct LutConstants {
  Value codes; // i8 [N / 16 * K / kPerWeightVector * 64]
  BlockParams p;
};

FailureOr<LutConstants> buildConstants(OpBuilder &b, Location loc, const QTensorParts &w,
                                       const LutPlan &plan, const Tiling &layout) {
  int64_t n = w.type.getShape()[0], k = w.type.getShape()[1];
  unsigned bits = plan.bits;
  // Codes already in the kernel's layout (lowbit-pack-layout) are used as
  // they are, their blob shared; row-major ones are repacked here.
  bool prepacked = w.type.getLayoutKind() == LayoutKind::lut_planes;
  std::optional<std::vector<uint8_t>> rowMajor;
  if (prepacked ? !constantCodesHaveBytes(w, n * k * bits / 8)
                : !(rowMajor = constantCodeBytes(w, bits)))
    return failure();
  FailureOr<BlockParams> params =
      buildBlockParams(b, loc, w, plan.signedCodes, bits, plan.block);
  if (failed(params))
    return failure();
  LutConstants c;
  c.p = *params;
  if (prepacked) {
    c.codes = codesAsBytesConstant(b, loc, w, n * k * bits / 8, "qcc_lut_weights");
  } else {
    std::vector<char> tiles = packLutPlanes(*rowMajor, n, k, bits, layout.cols);
    c.codes = resourceConstant(b, loc, RankedTensorType::get({int64_t(tiles.size())}, b.getI8Type()),
                               "qcc_lut_weights", tiles);
  }
  if (!c.codes)
    return failure();
  return c;
}

class LutBuilder {
public:
  LutBuilder(OpBuilder &b, Location loc, const LutPlan &plan) : b(b), loc(loc), plan(plan) {}

  /// tables[m, 64 v + 16 g + i] = 128 + sum of the codes of group 4 v + g
  /// whose bit is set in i.
  void buildTables(Value codes, Value tables, int64_t m, int64_t k);
  void buildDotLoops(QTensorType weightType, Value tables, Value aScale, Value aSum,
                     const LutConstants &c, Value out,
                     int64_t m, int64_t n, int64_t k, const StoreEpilogue *epilogue);

private:
  Value bytes(OpBuilder &ob, ArrayRef<int8_t> values) { return byteVector(ob, loc, values); }
  Value lookup(OpBuilder &ob, Value table, Value indices) {
    return lut::lookup(ob, loc, plan, table, indices);
  }
  Value sumQuads(OpBuilder &ob, Value acc, Value entries, Value weights) {
    return lut::sumQuads(ob, loc, plan, acc, entries, weights);
  }

  OpBuilder &b;
  Location loc;
  const LutPlan &plan;
};

void LutBuilder::buildTables(Value codes, Value tables, int64_t m, int64_t k) {
  lut::buildGroupTables(b, loc, codes, tables, m, k);
}

} // namespace

void qcc::lowbit::lut::buildGroupTables(OpBuilder &b, Location loc, Value codes, Value tables,
                                        int64_t m, int64_t k) {
  const IndexArith ix{loc};
  auto bytes = [&](OpBuilder &ob, ArrayRef<int8_t> values) { return byteVector(ob, loc, values); };
  auto q16 = VectorType::get({kPerTable}, b.getI8Type());
  // Lane 16 g + i of the table vector takes code 4 g + j where bit j of i
  // is set.
  SmallVector<SmallVector<int64_t>> spread(4);
  SmallVector<SmallVector<int8_t>> selected(4);
  for (int64_t j = 0; j < 4; ++j)
    for (int64_t g = 0; g < 4; ++g)
      for (int64_t i = 0; i < 16; ++i) {
        spread[j].push_back(4 * g + j);
        selected[j].push_back((i >> j) & 1 ? int8_t(-1) : int8_t(0));
      }
  buildCountedLoop(b, loc, m, {}, [&](OpBuilder &rb, Value row, ValueRange) {
    buildCountedLoop(rb, loc, k / kPerTable, {}, [&](OpBuilder &vb, Value v, ValueRange) {
      Value q = vector::LoadOp::create(
          vb, loc, q16, codes, ValueRange{row, arith::MulIOp::create(vb, loc, v, ix.index(vb, kPerTable))});
      Value table = bytes(vb, SmallVector<int8_t>(kVectorBytes, int8_t(kTableOffset)));
      for (int64_t j = 0; j < 4; ++j) {
        Value lanes = vector::ShuffleOp::create(vb, loc, q, q, spread[j]);
        table = arith::AddIOp::create(vb, loc, table,
                                      arith::AndIOp::create(vb, loc, lanes, bytes(vb, selected[j])));
      }
      vector::StoreOp::create(vb, loc, table, tables,
                              ValueRange{row, arith::MulIOp::create(vb, loc, v, ix.index(vb, kVectorBytes))});
      return SmallVector<Value>{};
    });
    return SmallVector<Value>{};
  });
}

namespace {

void LutBuilder::buildDotLoops(QTensorType weightType, Value tables, Value aScale, Value aSum,
                               const LutConstants &c,
                               Value out, int64_t m, int64_t n, int64_t k,
                               const StoreEpilogue *epilogue) {
  Type i32 = b.getI32Type(), i8 = b.getI8Type();
  unsigned bits = plan.bits;
  int64_t blocks = k / plan.block;
  int64_t perVector = kPerWeightVector(bits), step = kPerStep(bits);
  int64_t vectorsPerStep = step / perVector, tablesPerStep = step / kPerTable;
  int64_t vectorsPerRow = k / perVector;
  auto byteType = VectorType::get({kVectorBytes}, i8);
  auto accType = VectorType::get({kLanes}, i32);
  Tiling tiles = tilingFor(m, weightType);
  int64_t rows = tiles.rows, cols = tiles.cols;
  // Signed codes: the top plane's nibbles flipped (u = code + 2^(bits-1)).
  SmallVector<int8_t> signFlip;
  if (plan.signedCodes)
    for (int64_t lane = 0; lane < kLanes; ++lane)
      for (int64_t j = 0; j < 4; ++j)
        signFlip.push_back(int8_t((j % bits == bits - 1 ? 0x0F : 0) |
                                  ((4 + j) % bits == bits - 1 ? 0xF0 : 0)));
  // Per weight vector i of a step: the table vector and group-select bits of
  // its low and high slots, and the slot weights 2^plane.
  struct VectorSlots {
    int64_t lowTable, highTable;
    SmallVector<int8_t> lowSelect, highSelect, lowWeight, highWeight;
  };
  std::vector<VectorSlots> slots(vectorsPerStep);
  for (int64_t i = 0; i < vectorsPerStep; ++i)
    for (int64_t half = 0; half < 2; ++half)
      for (int64_t lane = 0; lane < kLanes; ++lane)
        for (int64_t j = 0; j < 4; ++j) {
          int64_t slot = 4 * half + j;
          int64_t group = i * (8 / bits) + slot / bits; // of the step's 4 * tablesPerStep
          int8_t select = int8_t(16 * (group % 4)), weight = int8_t(1 << (slot % bits));
          (half ? slots[i].highTable : slots[i].lowTable) = group / 4;
          (half ? slots[i].highSelect : slots[i].lowSelect).push_back(select);
          (half ? slots[i].highWeight : slots[i].lowWeight).push_back(weight);
        }
  // sum over a block of sum_slots 2^plane * 128.
  int64_t offset = kTableOffset * ((int64_t(1) << bits) - 1) * (plan.block / 4);

  const IndexArith ix{loc};
  auto forLoop = [&](OpBuilder &ob, int64_t count, ValueRange init, LoopBody body) {
    return buildCountedLoop(ob, loc, count, init, body);
  };

  int64_t tile = rows * cols;
  buildTileLoops(b, loc, out, m, n, rows, cols, blocks,
      [&](OpBuilder &bb, Value blk, ValueRange y, const TileIndices &t) {
            const SmallVector<Value> &rowIndex = t.rowIndex, &tileIndex = t.tileIndex;
            Value start = arith::ConstantOp::create(
                bb, loc, DenseElementsAttr::get(accType, bb.getI32IntegerAttr(int32_t(-offset))));
            Value zero = arith::ConstantOp::create(bb, loc, bb.getZeroAttr(accType));
            // Accumulator (col * rows + r) * 2 + half.
            SmallVector<Value> accInit;
            for (int64_t a = 0; a < tile; ++a) {
              accInit.push_back(start);
              accInit.push_back(zero);
            }
            Value blockStep = ix.mul(bb, blk, plan.block / step);
            auto stepLoop = forLoop(bb, plan.block / step, accInit, [&](OpBuilder &sb, Value st,
                                                                        ValueRange acc) {
              Value globalStep = ix.add(sb, blockStep, st);
              Value firstTable = ix.mul(sb, globalStep, tablesPerStep);
              SmallVector<SmallVector<Value>> table(rows);
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t t = 0; t < tablesPerStep; ++t)
                  table[r].push_back(vector::LoadOp::create(
                      sb, loc, byteType, tables,
                      ValueRange{rowIndex[r],
                                 ix.mul(sb, ix.add(sb, firstTable, ix.index(sb, t)), kVectorBytes)}));
              SmallVector<Value> next(acc);
              Value low4 = bytes(sb, SmallVector<int8_t>(kVectorBytes, 15));
              Value four = bytes(sb, SmallVector<int8_t>(kVectorBytes, 4));
              for (int64_t col = 0; col < cols; ++col)
                for (int64_t i = 0; i < vectorsPerStep; ++i) {
                  Value vectorIndex = vectorSlotIndex(
                      sb, loc, t.group, vectorsPerRow,
                      ix.add(sb, ix.mul(sb, globalStep, vectorsPerStep), ix.index(sb, i)), cols, col);
                  Value x = vector::LoadOp::create(sb, loc, byteType, c.codes,
                                                   ValueRange{ix.mul(sb, vectorIndex, kVectorBytes)});
                  prefetchStream(sb, loc, c.codes, ix.mul(sb, vectorIndex, kVectorBytes));
                  if (plan.signedCodes)
                    x = arith::XOrIOp::create(sb, loc, x, bytes(sb, signFlip));
                  Value low = arith::OrIOp::create(sb, loc, arith::AndIOp::create(sb, loc, x, low4),
                                                   bytes(sb, slots[i].lowSelect));
                  Value high = arith::OrIOp::create(sb, loc, arith::ShRUIOp::create(sb, loc, x, four),
                                                    bytes(sb, slots[i].highSelect));
                  Value lowWeight = bytes(sb, slots[i].lowWeight);
                  Value highWeight = bytes(sb, slots[i].highWeight);
                  for (int64_t r = 0; r < rows; ++r) {
                    int64_t a = (col * rows + r) * 2;
                    next[a] = sumQuads(sb, next[a], lookup(sb, table[r][slots[i].lowTable], low),
                                       lowWeight);
                    next[a + 1] = sumQuads(
                        sb, next[a + 1], lookup(sb, table[r][slots[i].highTable], high), highWeight);
                  }
                }
              return next;
            });
            // y += s_a (s_w (sum - z sum_q)), 16 weight rows a vector.
            SmallVector<Value> yNext(tile), paramsAt;
            for (int64_t col = 0; col < cols; ++col)
              paramsAt.push_back(blockParamsAt(bb, loc, c.p, tileIndex[col], blocks, blk,
                                               m <= kStreamPrefetchMaxRows));
            for (int64_t r = 0; r < rows; ++r) {
              auto [asVec, negSum, zSum] =
                  blockRowFactors(bb, loc, aScale, aSum, rowIndex[r], blk, c.p.uniformZero);
              for (int64_t col = 0; col < cols; ++col) {
                int64_t a = col * rows + r;
                Value dots = ix.add(bb, stepLoop.getResult(2 * a), stepLoop.getResult(2 * a + 1));
                yNext[a] = scaleBlock(bb, loc, c.p, paramsAt[col], dots, asVec, negSum, zSum, y[a]);
              }
            }
            return yNext;
      }, nullptr, epilogue);
}

} // namespace

Value qcc::lowbit::buildLutMatmul(OpBuilder &b, Location loc, Value lhs,
                                  const QTensorParts &weight, const LutPlan &plan,
                                  RankedTensorType resultType, const StoreEpilogue *epilogue) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t k = lhsType.getShape().back();
  int64_t m = lhsType.getNumElements() / k;
  int64_t n = weight.type.getShape()[0];
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  if (plan.pshufbPairs)
    return buildLutPairsMatmul(b, loc, lhs, weight, plan, resultType, epilogue);
  FailureOr<LutConstants> constants = buildConstants(b, loc, weight, plan, tilingFor(m, weight.type));
  if (failed(constants))
    return {};
  LutConstants c = *constants;
  c.codes = readOnlyBuffer(b, loc, c.codes);
  c.p.params = readOnlyBuffer(b, loc, c.p.params);
  QuantizedRows x = quantizeRows(b, loc, lhs, plan.block, kLutQMax);
  Value tables = memref::AllocOp::create(
      b, loc, MemRefType::get({m, k / kPerTable * kVectorBytes}, i8));
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, f32));
  LutBuilder lb(b, loc, plan);
  lb.buildTables(x.codes, tables, m, k);
  lb.buildDotLoops(weight.type, tables, x.scale, x.sum, c, out, m, n, k, epilogue);
  return matrixAsResult(b, loc, out, resultType);
}
