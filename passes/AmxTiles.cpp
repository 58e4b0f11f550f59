//===- AmxTiles.cpp - GEMM steps on AMX tile registers (bf16, int8) -----===//
//
// Tile registers hold 16 rows of 64 bytes; LLVM configures them (ldtilecfg)
// from the static tile shapes of each function, so every shape here is a
// compile-time constant and the accumulators stay in registers across the
// whole K loop (loop-carried tiles become x86_amx phis).
//
//===----------------------------------------------------------------------===//

#include "AmxTiles.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// 64-byte steps of K a scale block takes straight-line (more: a loop).
constexpr int64_t kAmxUnrolledSteps = 8;

Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// for iv in [lb, ub) step `step`, no carried values.
void forEach(OpBuilder &b, Location loc, Value lb, Value ub, int64_t step,
             llvm::function_ref<void(OpBuilder &, Value)> body) {
  scf::ForOp::create(b, loc, lb, ub, index(b, loc, step), ValueRange{},
                     [&](OpBuilder &lb2, Location, Value iv, ValueRange) {
                       body(lb2, iv);
                       scf::YieldOp::create(lb2, loc);
                     });
}

/// The K loop both kernels share: `groups x tiles` accumulators of
/// `accTile`, zero at first, in tile registers across [0, k) in steps of
/// `step`; each step loads one operand per tile and, for each of `terms`
/// parts of the activations, one per group (`loadTile`, `loadGroup`, from
/// the step's first element of K) and `multiply`s each pair into its
/// accumulator (g major). Returns them.
SmallVector<Value> accumulateTiles(
    OpBuilder &b, Location loc, amx::TileType accTile, int64_t k, int64_t step,
    int64_t groups, int64_t tiles,
    llvm::function_ref<Value(OpBuilder &, Value, int64_t, int64_t)> loadGroup,
    llvm::function_ref<Value(OpBuilder &, Value, int64_t)> loadTile,
    llvm::function_ref<Value(OpBuilder &, Value, Value, Value)> multiply, int64_t terms = 1,
    ArrayRef<Value> start = {}, Value kBegin = Value()) {
  // At most 2 x 2 accumulators with 2 + 2 operand tiles: the 8 registers
  // (with terms, each group's operand reloaded per term).
  // One tilezero each: LLVM copies one shared zero tile through the stack
  // (a tile store and load per accumulator). With `start` the accumulators
  // begin there and K runs over [kBegin, kBegin + k).
  SmallVector<Value> init(start);
  if (init.empty())
    for (int64_t a = 0; a < groups * tiles; ++a)
      init.push_back(amx::TileZeroOp::create(b, loc, accTile));
  Value lb = kBegin ? kBegin : index(b, loc, 0);
  Value ub = kBegin ? Value(arith::AddIOp::create(b, loc, kBegin, index(b, loc, k)))
                    : index(b, loc, k);
  auto kLoop = scf::ForOp::create(
      b, loc, lb, ub, index(b, loc, step), init,
      [&](OpBuilder &kb, Location, Value k0, ValueRange acc) {
        SmallVector<Value> tileOperands;
        for (int64_t t = 0; t < tiles; ++t)
          tileOperands.push_back(loadTile(kb, k0, t));
        SmallVector<Value> next(acc);
        for (int64_t term = 0; term < terms; ++term) {
          SmallVector<Value> groupOperands;
          for (int64_t g = 0; g < groups; ++g)
            groupOperands.push_back(loadGroup(kb, k0, g, term));
          for (int64_t g = 0; g < groups; ++g)
            for (int64_t t = 0; t < tiles; ++t)
              next[g * tiles + t] =
                  multiply(kb, groupOperands[g], tileOperands[t], next[g * tiles + t]);
        }
        scf::YieldOp::create(kb, loc, next);
      });
  return SmallVector<Value>(kLoop.getResults());
}

/// out[firstRow + i, col0 + n] = acc[n, i] (times colScales[col0 + n]) for
/// i < rows: an accumulator as a tile stores it ([weight row, activation
/// row]) at `prefix` of `buffer`, into out's rows.
void writeAccumulator(OpBuilder &b, Location loc, Value buffer, ValueRange prefix, Value rows,
                      Value firstRow, Value col0, Value out, Value colScales) {
  auto add = [&](OpBuilder &ob, Value x, int64_t y) {
    return arith::AddIOp::create(ob, loc, x, index(ob, loc, y));
  };
  SmallVector<Value> scale;
  if (colScales)
    for (int64_t n = 0; n < kAmxRows; ++n)
      scale.push_back(memref::LoadOp::create(b, loc, colScales, ValueRange{add(b, col0, n)}));
  forEach(b, loc, index(b, loc, 0), rows, 1, [&](OpBuilder &ib, Value i) {
    Value outRow = arith::AddIOp::create(ib, loc, firstRow, i);
    for (int64_t n = 0; n < kAmxRows; ++n) {
      SmallVector<Value> at(prefix);
      at.append({index(ib, loc, n), i});
      Value v = memref::LoadOp::create(ib, loc, buffer, at);
      if (colScales)
        v = arith::MulFOp::create(ib, loc, v, scale[n]);
      memref::StoreOp::create(ib, loc, v, out, ValueRange{outRow, add(ib, col0, n)});
    }
  });
}

} // namespace

Value qcc::lowbit::packAmxActivations(OpBuilder &b, Location loc, Value x, int64_t m,
                                      int64_t k) {
  int64_t groups = (m + kAmxRows - 1) / kAmxRows;
  Type bf16 = b.getBF16Type();
  Value packed = memref::AllocOp::create(
      b, loc, MemRefType::get({groups, k / 2, 2 * kAmxRows}, bf16));
  // One 32-bit pair per move; each activation row is read once,
  // contiguously (rows in parallel: the thread pool takes the outermost
  // scf.parallel).
  auto pairType = VectorType::get({2}, bf16);
  Value zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(pairType));
  scf::ParallelOp::create(
      b, loc, ValueRange{index(b, loc, 0)}, ValueRange{index(b, loc, groups * kAmxRows)},
      ValueRange{index(b, loc, 1)}, [&](OpBuilder &rb, Location, ValueRange ivs) {
        Value row = ivs[0];
        Value group = arith::DivUIOp::create(rb, loc, row, index(rb, loc, kAmxRows));
        Value lane = arith::RemUIOp::create(rb, loc, row, index(rb, loc, kAmxRows));
        Value column = arith::MulIOp::create(rb, loc, lane, index(rb, loc, 2));
        Value inside = arith::CmpIOp::create(rb, loc, arith::CmpIPredicate::ult, row,
                                             index(rb, loc, m));
        // Rows past M (a partial last group) are zeros, so that every
        // group has one tile shape.
        auto copyPairs = [&](OpBuilder &tb, bool zero) {
          forEach(tb, loc, index(tb, loc, 0), index(tb, loc, k / 2), 1,
                  [&](OpBuilder &pb, Value pairIndex) {
                    Value pair = zeros;
                    if (!zero)
                      pair = vector::LoadOp::create(
                          pb, loc, pairType, x,
                          ValueRange{row, arith::MulIOp::create(pb, loc, pairIndex,
                                                                index(pb, loc, 2))});
                    vector::StoreOp::create(pb, loc, pair, packed,
                                            ValueRange{group, pairIndex, column});
                  });
        };
        scf::IfOp::create(
            rb, loc, inside,
            [&](OpBuilder &tb, Location) {
              copyPairs(tb, false);
              scf::YieldOp::create(tb, loc);
            },
            [&](OpBuilder &eb, Location) {
              copyPairs(eb, true);
              scf::YieldOp::create(eb, loc);
            });
      });
  return packed;
}

void qcc::lowbit::buildAmxTileBlock(OpBuilder &b, Location loc, Value packed, Value group,
                                    int64_t groups, Value w, Value wRow, int64_t weightTiles,
                                    Value out, Value outCol, Value scratch, int64_t m,
                                    int64_t k, int64_t weightK, Value colScales, Value sums,
                                    Value kBegin, int64_t kLength) {
  Type bf16 = b.getBF16Type(), f32 = b.getF32Type();
  auto operandTile = amx::TileType::get({kAmxRows, kAmxDepth}, bf16);
  auto accTile = amx::TileType::get({kAmxRows, kAmxRows}, f32);
  auto add = [&](OpBuilder &ob, Value x, int64_t y) {
    return arith::AddIOp::create(ob, loc, x, index(ob, loc, y));
  };
  // The weight rows are the left operands: the accumulators hold
  // [weight row, activation row].
  // With `sums`: the accumulators from there, back there after a K slice.
  Value firstTile;
  SmallVector<Value> start;
  if (sums) {
    firstTile = arith::DivUIOp::create(b, loc, wRow, index(b, loc, kAmxRows));
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t c = 0; c < weightTiles; ++c)
        start.push_back(amx::TileLoadOp::create(
            b, loc, accTile, sums,
            ValueRange{add(b, group, g), add(b, firstTile, c), index(b, loc, 0),
                       index(b, loc, 0)}));
  }
  // Each weight tile loaded once for the activations' parts (terms).
  SmallVector<Value> acc = accumulateTiles(
      b, loc, accTile, sums ? kLength : weightK, kAmxDepth, groups, weightTiles,
      [&](OpBuilder &kb, Value kk, int64_t g, int64_t term) -> Value {
        Value pairRow = arith::DivUIOp::create(kb, loc, add(kb, kk, term * weightK),
                                               index(kb, loc, 2));
        return amx::TileLoadOp::create(kb, loc, operandTile, packed,
                                       ValueRange{add(kb, group, g), pairRow, index(kb, loc, 0)});
      },
      [&](OpBuilder &kb, Value kk, int64_t c) -> Value {
        // (With `sums`, w holds the K slice.)
        Value at = sums ? Value(arith::SubIOp::create(kb, loc, kk, kBegin)) : kk;
        Value step = arith::DivUIOp::create(kb, loc, at, index(kb, loc, kAmxDepth));
        return amx::TileLoadOp::create(
            kb, loc, operandTile, w,
            ValueRange{step, add(kb, wRow, c * kAmxRows), index(kb, loc, 0)});
      },
      [&](OpBuilder &kb, Value acts, Value weights, Value sum) -> Value {
        return amx::TileMulFOp::create(kb, loc, accTile, weights, acts, sum);
      },
      /*terms=*/k / weightK, start, sums ? kBegin : Value());
  if (sums) {
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t c = 0; c < weightTiles; ++c)
        amx::TileStoreOp::create(b, loc, sums,
                                 ValueRange{add(b, group, g), add(b, firstTile, c),
                                            index(b, loc, 0), index(b, loc, 0)},
                                 acc[g * weightTiles + c]);
    return;
  }
  // Each accumulator holds [weight row, activation row]: through `scratch`
  // into out's rows (the activation rows that exist).
  for (int64_t g = 0; g < groups; ++g) {
    Value firstRow = arith::MulIOp::create(b, loc, add(b, group, g), index(b, loc, kAmxRows));
    Value rows = arith::MinUIOp::create(
        b, loc, index(b, loc, kAmxRows),
        arith::SubIOp::create(b, loc, index(b, loc, m), firstRow));
    for (int64_t c = 0; c < weightTiles; ++c) {
      amx::TileStoreOp::create(b, loc, scratch, ValueRange{index(b, loc, 0), index(b, loc, 0)},
                               acc[g * weightTiles + c]);
      writeAccumulator(b, loc, scratch, {}, rows, firstRow, add(b, outCol, c * kAmxRows), out,
                       colScales);
    }
  }
}

void qcc::lowbit::storeAmxSums(OpBuilder &b, Location loc, Value sums, int64_t m,
                               int64_t tiles, Value out, Value outCol, Value colScales) {
  int64_t groups = (m + kAmxRows - 1) / kAmxRows;
  forEach(b, loc, index(b, loc, 0), index(b, loc, groups), 1, [&](OpBuilder &gb, Value g) {
    Value firstRow = arith::MulIOp::create(gb, loc, g, index(gb, loc, kAmxRows));
    Value rows = arith::MinUIOp::create(
        gb, loc, index(gb, loc, kAmxRows),
        arith::SubIOp::create(gb, loc, index(gb, loc, m), firstRow));
    forEach(gb, loc, index(gb, loc, 0), index(gb, loc, tiles), 1, [&](OpBuilder &tb, Value t) {
      Value col0 = arith::AddIOp::create(
          tb, loc, outCol, arith::MulIOp::create(tb, loc, t, index(tb, loc, kAmxRows)));
      writeAccumulator(tb, loc, sums, {g, t}, rows, firstRow, col0, out, colScales);
    });
  });
}

void qcc::lowbit::buildAmxByteTiles(OpBuilder &b, Location loc, Value au, Value w, Value row,
                                    int64_t groups, Value tile, int64_t tiles, int64_t kPad,
                                    Value scratch) {
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  int64_t step = kAmxStepBytes;
  auto lhsTile = amx::TileType::get({kAmxRows, step}, i8);
  auto rhsTile = amx::TileType::get({step / 4, 64}, i8);
  auto accTile = amx::TileType::get({kAmxRows, kAmxRows}, i32);
  auto add = [&](OpBuilder &ob, Value x, int64_t y) {
    return arith::AddIOp::create(ob, loc, x, index(ob, loc, y));
  };
  Value group = arith::DivUIOp::create(b, loc, row, index(b, loc, kAmxRows));
  SmallVector<Value> acc = accumulateTiles(
      b, loc, accTile, kPad, step, groups, tiles,
      [&](OpBuilder &kb, Value k0, int64_t g, int64_t) -> Value {
        Value kStep = arith::DivUIOp::create(kb, loc, k0, index(kb, loc, kAmxStepBytes));
        return amx::TileLoadOp::create(
            kb, loc, lhsTile, au,
            ValueRange{add(kb, group, g), kStep, index(kb, loc, 0), index(kb, loc, 0)});
      },
      [&](OpBuilder &kb, Value k0, int64_t t) -> Value {
        Value quad = arith::DivUIOp::create(kb, loc, k0, index(kb, loc, 4));
        return amx::TileLoadOp::create(kb, loc, rhsTile, w,
                                       ValueRange{add(kb, tile, t), quad, index(kb, loc, 0)});
      },
      [&](OpBuilder &kb, Value acts, Value weights, Value sum) -> Value {
        // tdpbusd: unsigned activation bytes, signed weights.
        return amx::TileMulIOp::create(kb, loc, accTile, acts, weights, sum,
                                       /*isZextLhs=*/true, /*isZextRhs=*/false);
      });
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t t = 0; t < tiles; ++t)
      amx::TileStoreOp::create(b, loc, scratch,
                               ValueRange{index(b, loc, g * kAmxRows), index(b, loc, t * 16)},
                               acc[g * tiles + t]);
}

Value qcc::lowbit::packAmxRows(OpBuilder &b, Location loc, Value x, int64_t m, int64_t k) {
  Type i8 = b.getI8Type();
  int64_t steps = k / kAmxStepBytes;
  Value tiles = memref::AllocOp::create(
      b, loc, MemRefType::get({m / kAmxRows, steps, kAmxRows, kAmxStepBytes}, i8));
  auto rowBytes = VectorType::get({kAmxStepBytes}, i8);
  scf::ParallelOp::create(
      b, loc, ValueRange{index(b, loc, 0)}, ValueRange{index(b, loc, m)},
      ValueRange{index(b, loc, 1)}, [&](OpBuilder &rb, Location, ValueRange ivs) {
        Value row = ivs[0];
        Value group = arith::DivUIOp::create(rb, loc, row, index(rb, loc, kAmxRows));
        Value lane = arith::RemUIOp::create(rb, loc, row, index(rb, loc, kAmxRows));
        forEach(rb, loc, index(rb, loc, 0), index(rb, loc, steps), 1,
                [&](OpBuilder &sb, Value step) {
                  Value at = arith::MulIOp::create(sb, loc, step, index(sb, loc, kAmxStepBytes));
                  Value v = vector::LoadOp::create(sb, loc, rowBytes, x, ValueRange{row, at});
                  vector::StoreOp::create(sb, loc, v, tiles,
                                          ValueRange{group, step, lane, index(sb, loc, 0)});
                });
      });
  return tiles;
}

void qcc::lowbit::buildAmxBlockSums(OpBuilder &b, Location loc, Value acts, Value group,
                                   int64_t groups, Value k0, int64_t depth, Value codes,
                                   int64_t tiles, Value sums, Value blk, Value first) {
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  // A block shorter than a tile row (int8-gemm's blocks of 32: W4 / W2 g32,
  // MXFP4) is one tdpbsud on narrower tiles: `depth` bytes of each
  // activation row, depth / 4 quad rows of the codes' 64-element step.
  int64_t stepBytes = std::min(depth, kAmxStepBytes);
  auto actTile = amx::TileType::get({kAmxRows, stepBytes}, i8);
  auto codeTile = amx::TileType::get({stepBytes / 4, kAmxStepBytes}, i8);
  auto accTile = amx::TileType::get({kAmxRows, kAmxRows}, i32);
  Value zero = index(b, loc, 0);
  auto stepOf = [&](OpBuilder &kb, Value kk) -> Value {
    return arith::DivUIOp::create(kb, loc, arith::AddIOp::create(kb, loc, k0, kk),
                                  index(kb, loc, kAmxStepBytes));
  };
  // Where in its 64-element step a narrow block starts (0 for whole steps).
  auto offsetOf = [&](OpBuilder &kb, Value kk, int64_t divisor) -> Value {
    if (stepBytes == kAmxStepBytes)
      return zero;
    Value at = arith::RemUIOp::create(kb, loc, arith::AddIOp::create(kb, loc, k0, kk),
                                      index(kb, loc, kAmxStepBytes));
    return arith::DivUIOp::create(kb, loc, at, index(kb, loc, divisor));
  };
  auto loadActs = [&](OpBuilder &kb, Value kk, int64_t g) -> Value {
    Value tileRow = arith::AddIOp::create(kb, loc, group, index(kb, loc, g));
    return amx::TileLoadOp::create(kb, loc, actTile, acts,
                                   ValueRange{tileRow, stepOf(kb, kk), zero, offsetOf(kb, kk, 1)});
  };
  auto loadCodes = [&](OpBuilder &kb, Value kk, int64_t t) -> Value {
    return amx::TileLoadOp::create(kb, loc, codeTile, codes,
                                   ValueRange{index(kb, loc, t), stepOf(kb, kk), offsetOf(kb, kk, 4), zero});
  };
  auto multiply = [&](OpBuilder &kb, Value left, Value right, Value sum) -> Value {
    // tdpbsud: signed activation bytes, unsigned codes.
    return amx::TileMulIOp::create(kb, loc, accTile, left, right, sum,
                                   /*isZextLhs=*/false, /*isZextRhs=*/true);
  };
  SmallVector<Value> acc;
  if (depth / stepBytes <= kAmxUnrolledSteps) {
    // Blocks of a few steps straight-line (no loop of 1-4 iterations).
    for (int64_t a = 0; a < groups * tiles; ++a)
      acc.push_back(amx::TileZeroOp::create(b, loc, accTile));
    for (int64_t kk = 0; kk < depth; kk += stepBytes) {
      SmallVector<Value> left, right;
      for (int64_t g = 0; g < groups; ++g)
        left.push_back(loadActs(b, index(b, loc, kk), g));
      for (int64_t t = 0; t < tiles; ++t)
        right.push_back(loadCodes(b, index(b, loc, kk), t));
      for (int64_t g = 0; g < groups; ++g)
        for (int64_t t = 0; t < tiles; ++t)
          acc[g * tiles + t] = multiply(b, left[g], right[t], acc[g * tiles + t]);
    }
  } else {
    acc = accumulateTiles(
        b, loc, accTile, depth, kAmxStepBytes, groups, tiles,
        [&](OpBuilder &kb, Value k0, int64_t g, int64_t) { return loadActs(kb, k0, g); },
        loadCodes, multiply);
  }
  for (int64_t a = 0; a < groups * tiles; ++a)
    amx::TileStoreOp::create(
        b, loc, sums,
        ValueRange{blk, arith::AddIOp::create(b, loc, first, index(b, loc, a)), zero, zero},
        acc[a]);
}
