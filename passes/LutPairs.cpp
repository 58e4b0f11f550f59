//===- LutPairs.cpp - the lut kernel for 2-bit codes on AVX2 -------------===//
//
// T-MAC's table lookups with AVX2's vpshufb, which looks up each 128-bit
// lane in its own 16 bytes (vpermb's 64-byte tables need AVX-512 VBMI):
// a 32-byte weight vector holds 16 rows x 2 bit-planes, byte 2 i + p of
// row i and plane p, its low nibble indexing the table of activation group
// j (4 elements of K), its high nibble that of group j + 1. So per vector:
// a mask and a shift, one vpshufb per group against that group's table
// broadcast to both lanes, and one vpmaddubsw per group that weights the
// planes 1 and 2 and adds them into the row's i16 lane. The i16 sums widen
// to i32 every 128 elements of K (at most 32 groups x 3 x 252: no
// overflow once the table offsets are subtracted up front). 128 weights
// cost 9 instructions here against int8-gemm's 16 for 64.
//
// 1-bit codes have one plane, so a byte pair cannot be two planes of one
// group: there a vector holds 16 rows x 4 groups, the low 128-bit lane
// groups 4s and 4s + 2 (low and high nibbles), the high lane groups 4s + 1
// and 4s + 3, so that the tables of groups 4s, 4s + 1 (and 4s + 2, 4s + 3)
// are one 32-byte load; the two lookups are interleaved byte by byte
// (vpunpcklbw / vpunpckhbw) and vpmaddubsw by ones adds each row's pair
// into i16: 12 instructions per 256 weights. The two lanes' sums of a row
// meet when the i16 sums widen.
//
// 3-bit codes are both: per 16 elements of K, two vectors of planes 0 and
// 1 in W2's form (groups 4s, 4s + 1 and 4s + 2, 4s + 3) and one of plane
// 2 in W1's, whose vpmaddubsw weights it by 4 (3 bits a weight; per 256
// weights 32 vector instructions: 3 loads, 3 shifts, 6 masks, 6 lookups,
// 2 unpacks, 6 vpmaddubsw, 6 adds, and the step's 6 table loads shared
// by the tiles; int8-gemm spends ~40 on 4-bit fields).
//
//===----------------------------------------------------------------------===//

#include "KernelSupport.h"
#include "LutMatmul.h"

#include "qcc/Formats/BitPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace qcc::lowbit;
using namespace qcc::lowbit::lut;

namespace {

constexpr int64_t kPairBytes = 32;  // one ymm: 16 rows x 2 planes (W2) or 2 lanes (W1)

/// Elements of K one step of the loop covers: 2 groups of 4 (W2: one
/// vector), 4 groups (W1: one vector; W3: two of planes 0-1, one of plane 2).
int64_t perStep(unsigned bits) { return bits == 2 ? 8 : 16; }
int64_t vectorsPerStep(unsigned bits) { return bits == 3 ? 3 : 1; }
/// The weight of plane 2 (W3) or of the one plane (W1) in its vpmaddubsw.
int8_t lonePlaneWeight(unsigned bits) { return bits == 3 ? 4 : 1; }
constexpr int64_t kChunk = 128;     // elements of K summed in i16 before widening
constexpr int64_t kGroupBytes = 16; // one group's table

/// Row-major packed 1/2/3-bit codes of an [n, k] weight as pair vectors,
/// `cols` 16-row tiles interleaved vector by vector (vectorSlot); signed
/// codes as unsigned (code + 2^(bits-1)).
std::vector<char> packPairs(ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k, unsigned bits,
                            bool signedCodes, int64_t cols) {
  int64_t per = perStep(bits), perStepVectors = vectorsPerStep(bits);
  int64_t vectors = k / per * perStepVectors;
  std::vector<char> out(size_t(n / kLanes) * vectors * kPairBytes, 0);
  std::vector<uint8_t> row(k);
  Tiling layout{1, cols};
  // The 4 bits of plane p of the group starting at element e0.
  auto nibble = [&](int64_t e0, int64_t p) {
    uint8_t v = 0;
    for (int64_t e = 0; e < 4; ++e)
      v |= uint8_t(((row[e0 + e] >> p) & 1) << e);
    return v;
  };
  for (int64_t r0 = 0; r0 < n; ++r0) {
    qcc::formats::unpackBits(rowMajor.data() + size_t(r0) * k * bits / 8, k, bits, row.data());
    if (signedCodes)
      for (uint8_t &code : row)
        code ^= uint8_t(1 << (bits - 1));
    int64_t t = r0 / kLanes, i = r0 % kLanes;
    for (int64_t s = 0; s < k / per; ++s) {
      auto vec = [&](int64_t v) {
        return out.data() + size_t(vectorSlot(layout, vectors, t, perStepVectors * s + v)) * kPairBytes;
      };
      int64_t e0 = per * s;
      // Planes 0 and 1 of the groups at e and e + 4.
      auto planePairs = [&](char *into, int64_t e) {
        for (int64_t p = 0; p < 2; ++p)
          into[2 * i + p] = char(nibble(e, p) | (nibble(e + 4, p) << 4));
      };
      // Plane p of the 4 groups from e0, two a 128-bit lane.
      auto lonePlane = [&](char *into, int64_t p) {
        into[i] = char(nibble(e0, p) | (nibble(e0 + 8, p) << 4));
        into[kLanes + i] = char(nibble(e0 + 4, p) | (nibble(e0 + 12, p) << 4));
      };
      if (bits == 2) {
        planePairs(vec(0), e0);
      } else if (bits == 1) {
        lonePlane(vec(0), 0);
      } else {
        planePairs(vec(0), e0);
        planePairs(vec(1), e0 + 8);
        lonePlane(vec(2), 2);
      }
    }
  }
  return out;
}

} // namespace

std::array<SmallVector<int64_t>, 2> qcc::lowbit::lut::pairInterleave() {
  std::array<SmallVector<int64_t>, 2> positions;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t lane = 0; lane < 2; ++lane)
      for (int64_t i = 0; i < 8; ++i) {
        positions[h].push_back(16 * lane + 8 * h + i);
        positions[h].push_back(kPairBytes + 16 * lane + 8 * h + i);
      }
  return positions;
}

Value qcc::lowbit::lut::addLaneHalves(OpBuilder &b, Location loc, Value low, Value high) {
  SmallVector<int64_t> lowLane, highLane;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 8; ++i) {
      lowLane.push_back(16 * h + i);
      highLane.push_back(16 * h + 8 + i);
    }
  return arith::AddIOp::create(b, loc, vector::ShuffleOp::create(b, loc, low, high, lowLane),
                               vector::ShuffleOp::create(b, loc, low, high, highLane));
}

Value qcc::lowbit::buildLutPairsMatmul(OpBuilder &b, Location loc, Value lhs,
                                       const QTensorParts &weight, const LutPlan &plan,
                                       RankedTensorType resultType,
                                       const StoreEpilogue *epilogue) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t k = lhsType.getShape().back();
  int64_t m = lhsType.getNumElements() / k;
  int64_t n = weight.type.getShape()[0];
  int64_t blocks = k / plan.block;
  Type f32 = b.getF32Type(), i8 = b.getI8Type(), i16 = b.getI16Type(), i32 = b.getI32Type();
  unsigned bits = plan.bits;
  std::optional<std::vector<uint8_t>> rowMajor = constantCodeBytes(weight, bits);
  if (!rowMajor)
    return {};
  FailureOr<BlockParams> params =
      buildBlockParams(b, loc, weight, plan.signedCodes, plan.bits, plan.block);
  if (failed(params))
    return {};
  // Two activation rows share each weight vector where M allows; two
  // 16-row tiles an iteration.
  int64_t rows = m % 2 == 0 ? 2 : 1, cols = (n / kLanes) % 2 == 0 ? 2 : 1;
  std::vector<char> packed = packPairs(*rowMajor, n, k, bits, plan.signedCodes, cols);
  Value codes = readOnlyBuffer(
      b, loc,
      resourceConstant(b, loc, RankedTensorType::get({int64_t(packed.size())}, i8),
                       "qcc_lut_pairs", packed));
  BlockParams p = *params;
  p.params = readOnlyBuffer(b, loc, p.params);
  QuantizedRows x = quantizeRows(b, loc, lhs, plan.block, kLutQMax);
  Value aScale = x.scale, aSum = x.sum;
  Value tables = memref::AllocOp::create(b, loc, MemRefType::get({m, 4 * k}, i8));
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, f32));
  buildGroupTables(b, loc, x.codes, tables, m, k);

  const IndexArith ix{loc};
  auto pairType = VectorType::get({kPairBytes}, i8);
  auto sumType = VectorType::get({kLanes}, i16);
  auto dotType = VectorType::get({kLanes}, i32);
  auto groupType = VectorType::get({kGroupBytes}, i8);
  int64_t chunk = std::min(plan.block, kChunk), chunks = plan.block / chunk;
  int64_t per = perStep(bits), perStepVectors = vectorsPerStep(bits);
  int64_t stepsPerChunk = chunk / per, vectorsPerRow = k / per * perStepVectors;
  // Accumulators per (column, row): W2 one of plane pairs, W1 two of lone
  // planes (rows 0-7 and 8-15 apart: they meet when they widen), W3 all
  // three. Every lookup carries the table offset 128: the pairs weigh it
  // 1 + 2 per group, the lone planes add 2 lookups a step into each of
  // their accumulators, times the plane's weight.
  bool planePairs = bits != 1, lonePlanes = bits != 2;
  int64_t accs = (planePairs ? 1 : 0) + (lonePlanes ? 2 : 0);
  int64_t lone = planePairs ? 1 : 0; // the first lone-plane accumulator
  int64_t pairOffset = kTableOffset * 3 * (chunk / 4);
  int64_t loneOffset = kTableOffset * 2 * stepsPerChunk * lonePlaneWeight(bits);
  int64_t tile = rows * cols;
  SmallVector<int8_t> pairWeights, loneWeights(kPairBytes, lonePlaneWeight(bits));
  for (int64_t i = 0; i < kLanes; ++i)
    pairWeights.append({1, 2});
  // Lone planes: the two lookups of a row interleaved within each 128-bit lane.
  std::array<SmallVector<int64_t>, 2> interleave = pairInterleave();
  SmallVector<int64_t> broadcastLanes;
  for (int64_t i = 0; i < kPairBytes; ++i)
    broadcastLanes.push_back(i % kGroupBytes);

  buildTileLoops(b, loc, out, m, n, rows, cols, blocks,
      [&](OpBuilder &bb, Value blk, ValueRange y, const TileIndices &t) {
        Value zeroDots = arith::ConstantOp::create(bb, loc, bb.getZeroAttr(dotType));
        auto chunkLoop = buildCountedLoop(
            bb, loc, chunks, SmallVector<Value>(tile, zeroDots),
            [&](OpBuilder &cb, Value c, ValueRange dots) {
              auto splat16 = [&](int64_t v) -> Value {
                return arith::ConstantOp::create(
                    cb, loc, DenseElementsAttr::get(sumType, cb.getI16IntegerAttr(int16_t(v))));
              };
              SmallVector<Value> init;
              for (int64_t a = 0; a < tile; ++a) {
                if (planePairs)
                  init.push_back(splat16(-pairOffset));
                if (lonePlanes)
                  init.append(2, splat16(-loneOffset));
              }
              Value firstStep = ix.add(cb, ix.mul(cb, blk, plan.block / per), ix.mul(cb, c, stepsPerChunk));
              auto stepLoop = buildCountedLoop(
                  cb, loc, stepsPerChunk, init,
                  [&](OpBuilder &sb, Value st, ValueRange acc) {
                    Value step = ix.add(sb, firstStep, st);
                    // Plane pairs: each group's table in both lanes (W2:
                    // groups 2 step, 2 step + 1; W3: 4 step ... 4 step + 3).
                    // Lone planes: groups 4 step, 4 step + 1 and 4 step + 2,
                    // 4 step + 3, one per lane.
                    int64_t groupsPerStep = per / 4;
                    SmallVector<SmallVector<Value>> pairTable(rows), loneTable(rows);
                    for (int64_t r = 0; r < rows; ++r) {
                      for (int64_t g = 0; planePairs && g < groupsPerStep; ++g) {
                        Value at = ix.mul(sb, ix.add(sb, ix.mul(sb, step, groupsPerStep), ix.index(sb, g)), kGroupBytes);
                        Value group = vector::LoadOp::create(sb, loc, groupType, tables,
                                                             ValueRange{t.rowIndex[r], at});
                        pairTable[r].push_back(
                            vector::ShuffleOp::create(sb, loc, group, group, broadcastLanes));
                      }
                      for (int64_t h = 0; lonePlanes && h < 2; ++h) {
                        Value at = ix.mul(sb, ix.add(sb, ix.mul(sb, step, 4), ix.index(sb, 2 * h)), kGroupBytes);
                        loneTable[r].push_back(vector::LoadOp::create(sb, loc, pairType, tables,
                                                                      ValueRange{t.rowIndex[r], at}));
                      }
                    }
                    Value low4 = byteVector(sb, loc, SmallVector<int8_t>(kPairBytes, 15));
                    Value four = byteVector(sb, loc, SmallVector<int8_t>(kPairBytes, 4));
                    Value pairWeightBytes = planePairs ? byteVector(sb, loc, pairWeights) : Value();
                    Value loneWeightBytes = lonePlanes ? byteVector(sb, loc, loneWeights) : Value();
                    SmallVector<Value> next(acc);
                    for (int64_t col = 0; col < cols; ++col)
                      for (int64_t v = 0; v < perStepVectors; ++v) {
                        Value slot = vectorSlotIndex(
                            sb, loc, t.group, vectorsPerRow,
                            ix.add(sb, ix.mul(sb, step, perStepVectors), ix.index(sb, v)), cols, col);
                        Value w = vector::LoadOp::create(sb, loc, pairType, codes,
                                                         ValueRange{ix.mul(sb, slot, kPairBytes)});
                        // One prefetch a 64-byte line: at even slots where
                        // the columns pair them up.
                        if (cols % 2 != 0 || col % 2 == 0)
                          prefetchStream(sb, loc, codes, ix.mul(sb, slot, kPairBytes));
                        Value nibbles[2] = {arith::AndIOp::create(sb, loc, w, low4),
                                            arith::ShRUIOp::create(sb, loc, w, four)};
                        // W3's third vector (and W1's only one) holds a lone plane.
                        bool lonePlane = bits == 1 || v == 2;
                        for (int64_t r = 0; r < rows; ++r) {
                          Value entries[2];
                          for (int64_t h = 0; h < 2; ++h)
                            entries[h] = TableLookupOp::create(
                                sb, loc, pairType,
                                lonePlane ? loneTable[r][h] : pairTable[r][2 * v + h], nibbles[h],
                                sb.getStringAttr(plan.pairLookup));
                          int64_t a = (col * rows + r) * accs;
                          for (int64_t h = 0; h < 2; ++h) {
                            // Plane pairs as they are; a lone plane's two
                            // lookups of a row side by side first.
                            Value u = lonePlane ? Value(vector::ShuffleOp::create(
                                                      sb, loc, entries[0], entries[1], interleave[h]))
                                                : entries[h];
                            int64_t into = lonePlane ? a + lone + h : a;
                            next[into] = ByteDotOp::create(
                                sb, loc, sumType, next[into], u,
                                lonePlane ? loneWeightBytes : pairWeightBytes,
                                sb.getStringAttr(plan.pairDot));
                          }
                        }
                      }
                    return next;
                  });
              SmallVector<Value> wider(tile);
              for (int64_t a = 0; a < tile; ++a) {
                Value sum = dots[a];
                if (planePairs)
                  sum = ix.add(cb, sum, arith::ExtSIOp::create(cb, loc, dotType,
                                                            stepLoop.getResult(a * accs)));
                if (lonePlanes) {
                  // Rows 0-15 = low lane + high lane of both halves.
                  Value halves = addLaneHalves(cb, loc, stepLoop.getResult(a * accs + lone),
                                               stepLoop.getResult(a * accs + lone + 1));
                  sum = ix.add(cb, sum, arith::ExtSIOp::create(cb, loc, dotType, halves));
                }
                wider[a] = sum;
              }
              return wider;
            });
        // y += s_a (s_w (sum - z sum_q)), 16 weight rows a vector.
        SmallVector<Value> yNext(tile), paramsAt;
        for (int64_t col = 0; col < cols; ++col)
          paramsAt.push_back(blockParamsAt(bb, loc, p, t.tileIndex[col], blocks, blk,
                                           m <= kStreamPrefetchMaxRows));
        for (int64_t r = 0; r < rows; ++r) {
          auto [asVec, negSum, zSum] =
              blockRowFactors(bb, loc, aScale, aSum, t.rowIndex[r], blk, p.uniformZero);
          for (int64_t col = 0; col < cols; ++col) {
            int64_t a = col * rows + r;
            yNext[a] = scaleBlock(bb, loc, p, paramsAt[col], chunkLoop.getResult(a), asVec,
                                  negSum, zSum, y[a]);
          }
        }
        return yNext;
      },
      nullptr, epilogue);
  return matrixAsResult(b, loc, out, resultType);
}
