//===- LutTernaryPairs.cpp - the ternary lut kernel on AVX2 ---------------===//
//
// The base-3 groups of passes/LutTernary.h (3 weights a 4-bit pattern
// index and a sign bit) where a shuffle looks up 16 entries per 128-bit
// lane (vpshufb; NEON's tbl): AVX2 machines without VBMI, which otherwise
// read ternary codes as two bit-planes (2 bits a weight, passes/LutPairs.cpp).
//
// A step covers 16 weight rows x 12 elements of K (groups 4s .. 4s + 3):
// one 32-byte index vector, byte i of the low lane holding row i's indices
// of groups 4s (low nibble) and 4s + 2 (high), byte i of the high lane
// those of groups 4s + 1 and 4s + 3. The step's two 32-byte table loads
// hold groups 4s | 4s + 1 and 4s + 2 | 4s + 3, one per lane, so the low
// nibbles look up the first and the high nibbles the second. Interleaving
// the two lookups byte by byte (vpunpcklbw / vpunpckhbw) puts a row's two
// lookups of a lane side by side; the tables hold signed sums, a lookup of
// a negative group is negated (vpsubb from zero, vpblendvb on the sign
// bit), and vpmaddubsw against ones adds the pair into the row's i16 lane.
//
// Signs: every 4 steps share one 32-byte sign vector after their 4 index
// vectors (160 bytes for 768 weights: 1.67 bits a weight, all the kernel
// reads beside one scale a row). Sign q = 2 j + h (step j of the 4, rows
// 8 h .. 8 h + 7) is bit 7 - q of each byte, in the byte order of the
// interleaved lookups: shifting the vector's 16-bit words left by q brings
// each byte's own bit 7 - q to its top (vpsllw), which vpblendvb reads. 18
// instructions a step (192 weights), against 9 per 128 for W2's
// bit-planes: on AVX2 the form reads 0.74x the bytes of W2 g128 for 1.33x
// the instructions a weight. (Until session 23 the tables were unsigned,
// offset by 128, the signs the +-1 operand of vpmaddubsw, and the offset
// 128 times the signs' sum a third stream of i32 per row and block: 0.33
// bits a weight more, 2 in all, for 2 instructions a step fewer.)
//
//===----------------------------------------------------------------------===//

#include "LutTernary.h"

#include "KernelSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qcc::lowbit;
using namespace qcc::lowbit::lut;
using namespace qcc::lowbit::ternary;

namespace {

constexpr int64_t kStepBytes = 32;   // 16 rows x 4 groups' indices
constexpr int64_t kPerStep = 12;     // elements of K a step covers
constexpr int64_t kStepsPerUnit = 4; // steps sharing one sign vector
/// A unit of the weight stream: 4 index vectors, then their sign vector.
constexpr int64_t kUnitBytes = (kStepsPerUnit + 1) * kStepBytes;
constexpr int64_t kUnitsPerBlock = kBlock / kPerStep / kStepsPerUnit;
constexpr int64_t kTableBytes = 64; // a step's 4 group tables

/// Where unit `u` of 16-row tile `t` starts, in bytes: the `cols` tiles
/// a kernel iteration reads interleaved unit by unit, one sequential stream.
int64_t unitOffset(int64_t cols, int64_t unitsPerRow, int64_t t, int64_t u) {
  return (((t / cols) * unitsPerRow + u) * cols + t % cols) * kUnitBytes;
}

/// The weight stream: index and sign vectors, unit by unit.
std::vector<char> packPairs(const TernaryRows &t, int64_t cols) {
  int64_t kp = paddedK(t.k), units = kp / kPerStep / kStepsPerUnit;
  std::array<std::pair<uint8_t, bool>, 27> codesOf = groupCodes();
  std::vector<char> stream(size_t(t.n / kLanes * units * kUnitBytes), 0);
  std::vector<int8_t> row(kp, 0);
  for (int64_t r0 = 0; r0 < t.n; ++r0) {
    t.row(r0, row); // the padding stays 0
    int64_t tile = r0 / kLanes, r = r0 % kLanes, h = r / 8;
    for (int64_t s = 0; s < kp / kPerStep; ++s) {
      int64_t j = s % kStepsPerUnit;
      char *unit = stream.data() + unitOffset(cols, units, tile, s / kStepsPerUnit);
      for (int64_t g = 0; g < 4; ++g) {
        // Group 4 s + g: lane g % 2, low nibble for g < 2.
        int64_t lane = g % 2, high = g / 2;
        const int8_t *w = row.data() + s * kPerStep + 3 * g;
        auto [index, negative] = codesOf[(w[0] + 1) + 3 * (w[1] + 1) + 9 * (w[2] + 1)];
        char &nibbles = unit[j * kStepBytes + 16 * lane + r];
        nibbles = char(uint8_t(nibbles) | uint8_t(index << (4 * high)));
        if (negative) {
          char &sign = unit[kStepsPerUnit * kStepBytes + 16 * lane + 2 * (r % 8) + high];
          sign = char(uint8_t(sign) | uint8_t(1u << (7 - (2 * j + h))));
        }
      }
    }
  }
  return stream;
}

} // namespace

void qcc::lowbit::ternary::buildPairsDotLoops(OpBuilder &b, Location loc, const TernaryRows &t,
                                              const LutPlan &plan, Value tables, Value aScale,
                                              Value out, int64_t m,
                                              const StoreEpilogue *epilogue) {
  Type f32 = b.getF32Type(), i8 = b.getI8Type(), i16 = b.getI16Type(), i32 = b.getI32Type();
  int64_t n = t.n, kp = paddedK(t.k), blocks = kp / kBlock;
  int64_t units = kp / kPerStep / kStepsPerUnit;
  // Two activation rows share each weight vector where M allows; two
  // 16-row tiles an iteration.
  int64_t rows = m % 2 == 0 ? 2 : 1, cols = (n / kLanes) % 2 == 0 ? 2 : 1;
  std::vector<char> packed = packPairs(t, cols);
  Value stream = readOnlyBuffer(
      b, loc,
      resourceConstant(b, loc, RankedTensorType::get({int64_t(packed.size())}, i8),
                       "qcc_lut_ternary_pairs", packed));
  Value scales = readOnlyBuffer(
      b, loc,
      resourceConstant(b, loc, RankedTensorType::get({n}, f32), "qcc_lut_ternary_scales",
                       ArrayRef<char>(reinterpret_cast<const char *>(t.scale.data()),
                                      t.scale.size() * 4)));

  const IndexArith ix{loc};
  auto byteType = VectorType::get({kStepBytes}, i8);
  auto wordType = VectorType::get({kStepBytes / 2}, i16);
  auto sumType = VectorType::get({kLanes}, i16);
  auto dotType = VectorType::get({kLanes}, i32);
  auto fType = VectorType::get({kLanes}, f32);
  // The two lookups of a lane interleaved: rows 0-7 (h = 0) or 8-15.
  std::array<SmallVector<int64_t>, 2> interleave = pairInterleave();
  int64_t tile = rows * cols;

  auto finish = [&](OpBuilder &mb, Value yv, int64_t col, const TileIndices &ti) -> Value {
    Value ws = vector::LoadOp::create(mb, loc, fType, scales, ValueRange{ti.firstRow[col]});
    return arith::MulFOp::create(mb, loc, yv, ws);
  };
  buildTileLoops(b, loc, out, m, n, rows, cols, blocks,
      [&](OpBuilder &bb, Value blk, ValueRange y, const TileIndices &ti) {
        Value zeroSums = arith::ConstantOp::create(bb, loc, bb.getZeroAttr(sumType));
        // Per (col, r): the i16 sums of rows 0-7 and of rows 8-15.
        auto unitLoop = buildCountedLoop(
            bb, loc, kUnitsPerBlock, SmallVector<Value>(2 * tile, zeroSums),
            [&](OpBuilder &ub, Value ui, ValueRange acc) {
              Value unit = ix.add(ub, ix.mul(ub, blk, kUnitsPerBlock), ui);
              Value low4 = byteVector(ub, loc, SmallVector<int8_t>(kStepBytes, 15));
              Value four = byteVector(ub, loc, SmallVector<int8_t>(kStepBytes, 4));
              Value ones = byteVector(ub, loc, SmallVector<int8_t>(kStepBytes, 1));
              Value noBytes = byteVector(ub, loc, SmallVector<int8_t>(kStepBytes, 0));
              SmallVector<Value> at(cols), signWords(cols);
              for (int64_t col = 0; col < cols; ++col) {
                at[col] = ix.mul(ub, ix.add(ub, ix.mul(ub, ix.add(ub, ix.mul(ub, ti.group, units), unit), cols),
                                      ix.index(ub, col)),
                              kUnitBytes);
                Value signs = vector::LoadOp::create(
                    ub, loc, byteType, stream,
                    ValueRange{ix.add(ub, at[col], ix.index(ub, kStepsPerUnit * kStepBytes))});
                signWords[col] = vector::BitCastOp::create(ub, loc, wordType, signs);
              }
              SmallVector<Value> next(acc);
              for (int64_t j = 0; j < kStepsPerUnit; ++j) {
                Value step = ix.add(ub, ix.mul(ub, unit, kStepsPerUnit), ix.index(ub, j));
                SmallVector<std::array<Value, 2>> table(rows);
                for (int64_t r = 0; r < rows; ++r)
                  for (int64_t half = 0; half < 2; ++half)
                    table[r][half] = vector::LoadOp::create(
                        ub, loc, byteType, tables,
                        ValueRange{ti.rowIndex[r],
                                   ix.add(ub, ix.mul(ub, step, kTableBytes), ix.index(ub, 32 * half))});
                for (int64_t col = 0; col < cols; ++col) {
                  Value vecAt = ix.add(ub, at[col], ix.index(ub, j * kStepBytes));
                  Value x = vector::LoadOp::create(ub, loc, byteType, stream, ValueRange{vecAt});
                  // One prefetch a 64-byte line of the 160-byte unit.
                  if (j % 2 == 0)
                    prefetchStream(ub, loc, stream, vecAt);
                  if (j == kStepsPerUnit - 1)
                    prefetchStream(ub, loc, stream, ix.add(ub, vecAt, ix.index(ub, kStepBytes)));
                  Value nibbles[2] = {arith::AndIOp::create(ub, loc, x, low4),
                                      arith::ShRUIOp::create(ub, loc, x, four)};
                  Value sign[2]; // the sign bit at each byte's top
                  for (int64_t h = 0; h < 2; ++h) {
                    int64_t q = 2 * j + h;
                    Value words = signWords[col];
                    if (q != 0)
                      words = arith::ShLIOp::create(
                          ub, loc, words,
                          arith::ConstantOp::create(
                              ub, loc, DenseElementsAttr::get(wordType, ub.getI16IntegerAttr(q))));
                    sign[h] = vector::BitCastOp::create(ub, loc, byteType, words);
                  }
                  for (int64_t r = 0; r < rows; ++r) {
                    Value entries[2];
                    for (int64_t half = 0; half < 2; ++half)
                      entries[half] = TableLookupOp::create(ub, loc, byteType, table[r][half],
                                                            nibbles[half],
                                                            ub.getStringAttr(plan.pairLookup));
                    for (int64_t h = 0; h < 2; ++h) {
                      Value u = vector::ShuffleOp::create(ub, loc, entries[0], entries[1],
                                                          interleave[h]);
                      Value signedSums = BlendBytesOp::create(
                          ub, loc, byteType, u, arith::SubIOp::create(ub, loc, noBytes, u), sign[h],
                          ub.getStringAttr(plan.pairBlend));
                      int64_t a = 2 * (col * rows + r) + h;
                      next[a] = ByteDotOp::create(ub, loc, sumType, next[a], ones, signedSums,
                                                  ub.getStringAttr(plan.pairDot));
                    }
                  }
                }
              }
              return next;
            });
        SmallVector<Value> yNext(tile);
        for (int64_t r = 0; r < rows; ++r) {
          Value as = vector::BroadcastOp::create(
              bb, loc, fType,
              memref::LoadOp::create(bb, loc, aScale, ValueRange{ti.rowIndex[r], blk}));
          for (int64_t col = 0; col < cols; ++col) {
            int64_t a = col * rows + r;
            Value sums =
                addLaneHalves(bb, loc, unitLoop.getResult(2 * a), unitLoop.getResult(2 * a + 1));
            Value dots = arith::ExtSIOp::create(bb, loc, dotType, sums);
            yNext[a] = vector::FMAOp::create(bb, loc, fType,
                                             arith::SIToFPOp::create(bb, loc, fType, dots), as,
                                             y[a]);
          }
        }
        return yNext;
      },
      finish, epilogue);
}
