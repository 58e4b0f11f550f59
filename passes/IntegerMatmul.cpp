//===- IntegerMatmul.cpp - exact i32 matmul of int8 codes ---------------===//
//
// sum_k (a - za)(w - zw) for 8-bit codes a (activations, signed or not,
// zero point per tensor or per row) and constant 8-bit codes w (zero point
// per tensor or per column). vpdpbusd multiplies unsigned by signed bytes,
// so both sides are shifted onto those ranges: a = au - ca (au unsigned,
// ca = 128 for signed codes, whose sign bit is flipped), w = ws + cw (ws
// signed, cw = 128 for unsigned codes). Then, with Ka = ca + za per row and
// Cw = cw - zw per column,
//   sum_k (a - za)(w - zw) = D + Cw * A - Ka * S - K * Ka * Cw,
//   D = sum_k au * ws (the byte dot products), A = sum_k au (per row, at run
//   time), S = sum_k ws (per column, at compile time),
// all in i32, exact as ONNX defines the result. The weight is transposed to
// [N, K] and shifted at compile time. With AVX-512 VNNI and rows in fours
// it is also repacked into 16-row tiles and each step broadcasts activation
// quads against them (buildTiledProduct: no horizontal sums). AVX2 without
// VNNI multiplies the same tiles by the activation codes' high and low
// nibbles with vpmaddubsw (exact: vpmaddubsw's i16 pair sums of full-range
// bytes, 2 x 255 x -128, would saturate, as ONNX Runtime's AVX2 u8s8 path
// does; nibbles give at most 2 x 15 x 128). Otherwise each
// step loads one chunk of K per activation row and per weight row and does
// rows x cols byte dots, summed across lanes at the end. Scaled codes on
// both sides (static QDQ) give an f32 result: the i32 sum times x_scale *
// w_scale[n] at the store (OutputScale).
//
//===----------------------------------------------------------------------===//

#include "IntegerMatmul.h"

#include "AmxTiles.h"
#include "KernelSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// An 8-bit integer storage type, or null.
IntegerType byteStorage(QTensorType type) {
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  return storage && storage.getWidth() == 8 ? storage : IntegerType();
}

/// Why a qtensor is not 8-bit codes with zero points (and, when `scaled`,
/// f32 scales) along `axis` or per tensor; nullopt when it is.
std::optional<std::string> codesWhyNot(QTensorType type, int64_t axis, llvm::StringRef side,
                                       bool scaled) {
  SchemeAttr scheme = type.getScheme();
  if (!byteStorage(type))
    return (side + " codes are not 8-bit integers").str();
  if (scheme.hasCodebook() || scheme.getTensorScale())
    return (side + " has a codebook or a tensor scale").str();
  if (!scaled && scheme.getScale())
    return (side + " has scales (not a plain integer product)").str();
  if (scaled && (!scheme.getScale() || !scheme.getScale().isF32()))
    return (side + " has no f32 scales (an f32 result takes scaled codes)").str();
  if (type.getLayoutKind() != LayoutKind::row_major)
    return (side + " is not row_major").str();
  if (scheme.getZeroPoint() && !isa<IntegerType>(scheme.getZeroPoint()))
    return (side + " zero points are not integers").str();
  bool perAxis = scheme.getGranularity() == Granularity::per_axis && scheme.getAxis() == axis;
  if (scheme.getGranularity() != Granularity::per_tensor && !perAxis)
    return (side + " zero points are neither per tensor nor along axis " +
            std::to_string(axis))
        .str();
  return std::nullopt;
}

/// A rank-1 constant of `values` (a resource blob, which the driver streams
/// into the weights object).
template <typename T>
Value constantVector(OpBuilder &b, Location loc, ArrayRef<T> values, ArrayRef<int64_t> shape,
                     Type element, StringRef name) {
  auto type = RankedTensorType::get(shape, element);
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(values);
  return arith::ConstantOp::create(b, loc,
                                   DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

/// For f32 results (scaled codes on both sides): the exact i32 sums times
/// x_scale * w_scale[n]; i32 results stay as they are.
struct OutputScale {
  Value xScale;       // memref<f32>, rank 0; null when folded into columnScales
  Value columnScales; // memref<N x f32>; null for i32 results

  /// `v` (i32, a scalar or a vector of the columns from `col`) as stored:
  /// real(v) * (x_scale * w_scale[n]), the product of the scales rounded
  /// to f32 first (at compile time when x_scale is a constant).
  Value apply(OpBuilder &b, Location loc, Value v, Value col) const {
    if (!columnScales)
      return v;
    Type f32 = b.getF32Type();
    auto vector = dyn_cast<VectorType>(v.getType());
    Value w = vector ? Value(vector::LoadOp::create(b, loc, vector.clone(f32), columnScales,
                                                    ValueRange{col}))
                     : Value(memref::LoadOp::create(b, loc, columnScales, ValueRange{col}));
    if (xScale) {
      Value x = memref::LoadOp::create(b, loc, xScale, ValueRange{});
      if (vector)
        x = vector::BroadcastOp::create(b, loc, vector.clone(f32), x);
      w = arith::MulFOp::create(b, loc, x, w);
    }
    Value real = arith::SIToFPOp::create(b, loc, vector ? Type(vector.clone(f32)) : f32, v);
    return arith::MulFOp::create(b, loc, real, w);
  }
};

/// Which terms of the tiles' correction D + Cw A - Ka (S + K Cw) are
/// constants folded at compile time.
struct TileCorrection {
  /// Cw = 0 in every column (signed weights without zero points): no Cw A.
  bool noColumnShift = false;
  /// Ka is one constant (activation zero point per tensor): `sums` holds
  /// Ka (S + K Cw), subtracted as it is.
  bool rowShiftFolded = false;
};

/// The shortest K the int8-exact tiles take AMX for (see planIntegerMatmul).
constexpr int64_t kAmxMinDepthInt8 = 1024;

/// Pieces the tiled product's row blocks and tile groups make together (the
/// pool balances 2 to 16 threads over them), and the fewest row steps a
/// block keeps so that its loop overhead and weight reads stay small.
constexpr int64_t kRowBlockPieces = 64;
constexpr int64_t kMinRowStepsPerBlock = 8;

/// The product on 16-row weight tiles (plan.tiles): per step of 4 codes of
/// K, one 64-byte tile vector per 16 columns and one broadcast activation
/// quad per row, rows x tiles vpdpbusd; lane j of an accumulator is output
/// column 16 t + j, so the corrections are vector arithmetic (`sums` holds
/// S + K * Cw per column, or Ka (S + K * Cw) when `folded` says Ka is a
/// constant; without column shifts Cw * A is left out).
/// With `auLow` (AVX2 without VNNI): au holds the high
/// nibbles of the activation codes and auLow the low ones, so that
/// vpmaddubsw multiplies them by the int8 tiles exactly (pairs of products
/// at most 2 x 15 x 128); the i16 pair sums of 8 steps (32 codes of K) add
/// up before vpmaddwd widens them, the high ones times 16.
void buildTiledProduct(OpBuilder &b, Location loc, Value au, Value w, Value sums, Value shifts,
                       Value rowSums, Value rowShifts, Value out, int64_t m, int64_t n,
                       int64_t kPad, const OutputScale &scale, Value auLow,
                       const StoreEpilogue *epilogue, TileCorrection folded, bool amx) {
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  const IndexArith ix{loc};
  // Split: two i16 pair sums per row and half live through the 8 steps;
  // 2 rows of them (8 ymm) and their 2 x 2 i32 halves fit AVX2's 16.
  bool split = bool(auLow);
  int64_t rows = split ? (m % 2 == 0 ? 2 : 1) : m % 8 == 0 ? 8 : 4;
  // AMX: one or two tiles of 16 rows (2 x 2 accumulators and 2 + 2
  // operand tiles: the 8 tile registers).
  if (amx)
    rows = m % 32 == 0 ? 32 : 16;
  int64_t nTiles = (n + 15) / 16;
  int64_t tiles = !split && nTiles % 2 == 0 ? 2 : 1;
  auto lanes = VectorType::get({16}, i32);
  auto bytes = VectorType::get({64}, i8);
  auto quad = VectorType::get({4}, i8);
  StringAttr vpdpbusd = b.getStringAttr("vpdpbusd");
  StringAttr pmaddwd = b.getStringAttr("pmaddwd");
  // Parallel over blocks of rows and groups of tiles: a convolution's few
  // output channels (16 to 32: one or two tiles) would otherwise leave the
  // pool one or two pieces for thousands of rows. A block reads its rows'
  // activations once for all tiles and the (small) weight again per block.
  int64_t steps = m / rows, groups = nTiles / tiles;
  // (AMX steps are 16-32 rows: the same 64 or more rows a block.)
  int64_t minSteps = amx ? std::max<int64_t>(1, kMinRowStepsPerBlock * 8 / rows)
                         : kMinRowStepsPerBlock;
  int64_t blocks = std::clamp<int64_t>((kRowBlockPieces + groups - 1) / groups, 1,
                                       std::max<int64_t>(1, steps / minSteps));
  int64_t perBlock = (steps + blocks - 1) / blocks;
  blocks = (steps + perBlock - 1) / perBlock;
  scf::ParallelOp::create(
      b, loc, ValueRange{ix.index(b, 0), ix.index(b, 0)}, ValueRange{ix.index(b, blocks), ix.index(b, groups)},
      ValueRange{ix.index(b, 1), ix.index(b, 1)}, [&](OpBuilder &pb, Location, ValueRange ivs) {
        Value firstTile = ix.mul(pb, ivs[1], tiles);
        Value firstStep = ix.mul(pb, ivs[0], perBlock);
        // AMX accumulators reach the corrections through this buffer (a heap
        // one: no stack growth once the body is outlined).
        Value scratch = amx ? Value(memref::AllocOp::create(
                                  pb, loc, MemRefType::get({rows, tiles * 16}, i32)))
                            : Value();
        auto rowLoop = [&](OpBuilder &mb, Value step) {
          Value firstRow = ix.mul(mb, step, rows);
          Value zero = arith::ConstantOp::create(mb, loc, mb.getZeroAttr(lanes));
          SmallVector<Value> init(rows * tiles, zero);
          auto quadAt = [&](OpBuilder &lb, Value buffer, Value row, Value at) -> Value {
            Value codes = vector::LoadOp::create(lb, loc, quad, buffer, ValueRange{row, at});
            Value word = vector::ExtractOp::create(
                lb, loc, vector::BitCastOp::create(lb, loc, VectorType::get({1}, i32), codes), 0);
            return vector::BitCastOp::create(lb, loc, bytes,
                                             vector::BroadcastOp::create(lb, loc, lanes, word));
          };
          auto half = [&](OpBuilder &lb, Value v, int64_t h) -> Value {
            int64_t size = cast<VectorType>(v.getType()).getNumElements() / 2;
            return vector::ExtractStridedSliceOp::create(lb, loc, v, ArrayRef<int64_t>{h * size},
                                                         ArrayRef<int64_t>{size},
                                                         ArrayRef<int64_t>{1});
          };
          // Split: `quads` quads of K from quad `first` (at most 8: the i16
          // pair sums of 8 stay exact), widened and added to `acc`.
          auto splitGroup = [&](OpBuilder &lb, Value first, int64_t quads,
                                ValueRange acc) -> SmallVector<Value> {
            auto pairType = VectorType::get({16}, lb.getI16Type());
            Value zeroPairs = arith::ConstantOp::create(lb, loc, lb.getZeroAttr(pairType));
            Value sixteen = arith::ConstantOp::create(
                lb, loc, DenseElementsAttr::get(pairType, lb.getI16IntegerAttr(16)));
            StringAttr pmaddubsw = lb.getStringAttr("pmaddubsw");
            // [row][half]: pair sums of the high and the low nibbles.
            SmallVector<Value> high(rows * 2, zeroPairs), low(rows * 2, zeroPairs);
            for (int64_t u = 0; u < quads; ++u) {
              Value q = ix.add(lb, first, ix.index(lb, u));
              Value wv =
                  vector::LoadOp::create(lb, loc, bytes, w, ValueRange{firstTile, q, ix.index(lb, 0)});
              // The weight stream ahead (one 64-byte quad vector a line;
              // past a tile's last quad the next tile follows in memory).
              if (m <= kStreamPrefetchMaxRows)
                prefetchStream(lb, loc, w, ValueRange{firstTile, q, ix.index(lb, 0)}, /*dim=*/1);
              Value at = ix.mul(lb, q, 4);
              for (int64_t r = 0; r < rows; ++r) {
                Value row = ix.add(lb, firstRow, ix.index(lb, r));
                Value ah = quadAt(lb, au, row, at), al = quadAt(lb, auLow, row, at);
                for (int64_t h = 0; h < 2; ++h) {
                  high[r * 2 + h] = ByteDotOp::create(lb, loc, pairType, high[r * 2 + h],
                                                      half(lb, ah, h), half(lb, wv, h), pmaddubsw);
                  low[r * 2 + h] = ByteDotOp::create(lb, loc, pairType, low[r * 2 + h],
                                                     half(lb, al, h), half(lb, wv, h), pmaddubsw);
                }
              }
            }
            SmallVector<Value> next(rows);
            for (int64_t r = 0; r < rows; ++r) {
              Value sum = acc[r];
              for (int64_t h = 0; h < 2; ++h) {
                Value part = half(lb, acc[r], h);
                part = PairSumOp::create(lb, loc, part.getType(), part, high[r * 2 + h], sixteen,
                                         pmaddwd);
                part = PairSumOp::create(lb, loc, part.getType(), part, low[r * 2 + h], Value(),
                                         pmaddwd);
                sum = vector::InsertStridedSliceOp::create(lb, loc, part, sum,
                                                           ArrayRef<int64_t>{h * 8},
                                                           ArrayRef<int64_t>{1});
              }
              next[r] = sum;
            }
            return next;
          };
          SmallVector<Value> products;
          if (amx) {
            buildAmxByteTiles(mb, loc, au, w, firstRow, rows / 16, firstTile, tiles, kPad,
                              scratch);
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t t = 0; t < tiles; ++t)
                products.push_back(vector::LoadOp::create(
                    mb, loc, lanes, scratch, ValueRange{ix.index(mb, r), ix.index(mb, t * 16)}));
          } else if (split) {
            // Groups of 8 quads, then the quads left (K = 16 is one group
            // of 4, not 8 with half of them zeros).
            int64_t groups = kPad / 32, left = kPad % 32 / 4;
            products = init;
            if (groups > 0)
              products = buildCountedLoop(mb, loc, groups, init,
                                          [&](OpBuilder &lb, Value g, ValueRange acc) {
                                            return splitGroup(lb, ix.mul(lb, g, 8), 8, acc);
                                          })
                             .getResults();
            if (left > 0)
              products = splitGroup(mb, ix.index(mb, groups * 8), left, products);
          } else {
            products = buildCountedLoop(
                           mb, loc, kPad / 4, init,
                           [&](OpBuilder &lb, Value q, ValueRange acc) -> SmallVector<Value> {
                             SmallVector<Value> wv;
                             for (int64_t t = 0; t < tiles; ++t)
                               wv.push_back(vector::LoadOp::create(
                                   lb, loc, bytes, w,
                                   ValueRange{ix.add(lb, firstTile, ix.index(lb, t)), q, ix.index(lb, 0)}));
                             Value at = ix.mul(lb, q, 4);
                             SmallVector<Value> next(rows * tiles);
                             for (int64_t r = 0; r < rows; ++r) {
                               Value a = quadAt(lb, au, ix.add(lb, firstRow, ix.index(lb, r)), at);
                               for (int64_t t = 0; t < tiles; ++t)
                                 next[r * tiles + t] = ByteDotOp::create(
                                     lb, loc, lanes, acc[r * tiles + t], a, wv[t], vpdpbusd);
                             }
                             return next;
                           })
                           .getResults();
          }
          // D + Cw * A - Ka * (S + K * Cw), 16 columns at a time.
          for (int64_t t = 0; t < tiles; ++t) {
            Value col = ix.mul(mb, ix.add(mb, firstTile, ix.index(mb, t)), 16);
            Value cw = vector::LoadOp::create(mb, loc, lanes, shifts, ValueRange{col});
            // S + K * Cw, per column at compile time.
            Value sPlusKCw = vector::LoadOp::create(mb, loc, lanes, sums, ValueRange{col});
            for (int64_t r = 0; r < rows; ++r) {
              Value row = ix.add(mb, firstRow, ix.index(mb, r));
              Value v = products[r * tiles + t];
              if (!folded.noColumnShift) {
                Value rowSum = vector::BroadcastOp::create(
                    mb, loc, lanes, memref::LoadOp::create(mb, loc, rowSums, ValueRange{row}));
                v = ix.add(mb, v, arith::MulIOp::create(mb, loc, cw, rowSum));
              }
              Value correction = sPlusKCw;
              if (!folded.rowShiftFolded) {
                Value rowShift = vector::BroadcastOp::create(
                    mb, loc, lanes, memref::LoadOp::create(mb, loc, rowShifts, ValueRange{row}));
                correction = arith::MulIOp::create(mb, loc, rowShift, sPlusKCw);
              }
              v = arith::SubIOp::create(mb, loc, v, correction);
              Value stored = scale.apply(mb, loc, v, col);
              if (epilogue && *epilogue)
                stored = applyStoreEpilogue(mb, loc, *epilogue, stored, row, col);
              if (n % 16 == 0) {
                vector::StoreOp::create(mb, loc, stored, out, ValueRange{row, col});
              } else {
                // Columns past N (the padded tile's) are not stored.
                Value left = arith::MinSIOp::create(
                    mb, loc, ix.index(mb, 16), arith::SubIOp::create(mb, loc, ix.index(mb, n), col));
                Value mask = vector::CreateMaskOp::create(
                    mb, loc, VectorType::get({16}, mb.getI1Type()), ValueRange{left});
                vector::MaskedStoreOp::create(mb, loc, out, ValueRange{row, col}, mask, stored);
              }
            }
          }
        };
        // A counted loop (its trip count weighs the piece's work when the
        // loop is outlined); the last block's steps past the end skipped.
        buildCountedLoop(pb, loc, perBlock, {}, [&](OpBuilder &mb, Value i, ValueRange) {
          Value step = ix.add(mb, firstStep, i);
          if (steps % perBlock == 0) {
            rowLoop(mb, step);
          } else {
            Value inside = arith::CmpIOp::create(mb, loc, arith::CmpIPredicate::ult, step,
                                                 ix.index(mb, steps));
            scf::IfOp::create(mb, loc, inside, [&](OpBuilder &ib, Location) {
              rowLoop(ib, step);
              scf::YieldOp::create(ib, loc);
            });
          }
          return SmallVector<Value>{};
        });
      });
}

} // namespace

std::optional<IntegerMatmulPlan>
qcc::lowbit::planIntegerMatmul(Type lhsType, QTensorType weight, Type resultType,
                               bool transposed, const llvm::StringSet<> &features,
                               std::string &whyNot) {
  auto fail = [&](const std::string &why) -> std::optional<IntegerMatmulPlan> {
    whyNot = why;
    return std::nullopt;
  };
  auto lhs = dyn_cast<QTensorType>(lhsType);
  auto result = dyn_cast<RankedTensorType>(resultType);
  // i32: the plain product (MatMulInteger); f32: scaled codes on both sides
  // (QDQ activations and weights), the product times x_scale * w_scale[n].
  bool scaled = result && result.getElementType().isF32();
  if (!lhs || !result || (!result.getElementType().isInteger(32) && !scaled))
    return fail("not integer codes into i32 or scaled codes into f32");
  if (scaled && lhs.getScheme().getGranularity() != Granularity::per_tensor)
    return fail("scaled activations are not per tensor");
  int64_t rank = lhs.getShape().size();
  if (rank < 1 || weight.getShape().size() != 2)
    return fail("the weight is not a matrix");
  if (std::optional<std::string> why = codesWhyNot(lhs, rank - 2, "the lhs", scaled))
    return fail(*why);
  if (std::optional<std::string> why = codesWhyNot(weight, transposed ? 0 : 1, "the weight", scaled))
    return fail(*why);
  int64_t k = lhs.getShape().back();
  if (k != weight.getShape()[transposed ? 1 : 0])
    return fail("K differs");
  IntegerMatmulPlan plan;
  plan.lhsSigned = !byteStorage(lhs).isUnsigned();
  plan.rhsSigned = !byteStorage(weight).isUnsigned();
  int64_t m = 1;
  for (int64_t d : lhs.getShape())
    m *= d;
  m /= k;
  // The tiles take any N and K: the weight is padded to whole tiles at
  // compile time (zero codes) and the activations' copies to whole steps
  // (zeros), the last tile's columns stored under a mask.
  if (features.contains("avx512vnni") && m % 4 == 0) {
    plan.dot = ByteDot::Vnni512;
    plan.chunk = 4;
    plan.tiles = true;
    // AMX where its tiles pay, measured on a Xeon host against the VNNI
    // tiles (MatMulInteger u8 x s8, 2 / 16 threads): K = 4096 (128 x 4096
    // x 4096) 1.46 / 1.58x faster; K = 576 (3136 rows, N = 64) 1.04 /
    // 0.80x; K = 16-192 (CNN layers) 0.11-0.86x: with short K each 16 x 16
    // tile is a step or two and its corrections and stores are the work,
    // plus the copy that pads K to 64-byte steps.
    plan.amx = features.contains("amx-int8") && features.contains("amx-tile") && m % 16 == 0 &&
               k >= kAmxMinDepthInt8;
    return plan;
  }
  bool anyVnni = features.contains("avx512vnni") || features.contains("avxvnni");
  if (!anyVnni && features.contains("avx2")) {
    plan.dot = ByteDot::Madd256;
    plan.chunk = 4;
    plan.tiles = true;
    plan.splitCodes = true;
    return plan;
  }
  if (features.contains("avx512vnni") && k % 64 == 0) {
    plan.dot = ByteDot::Vnni512;
    plan.chunk = 64;
  } else if (((features.contains("avx512vnni") && features.contains("avx512vl")) ||
              features.contains("avxvnni")) &&
             k % 32 == 0) {
    plan.dot = ByteDot::Vnni256;
    plan.chunk = 32;
  } else {
    plan.dot = ByteDot::Portable;
    for (int64_t c : {32, 16, 8, 4, 2, 1})
      if (k % c == 0) {
        plan.chunk = c;
        break;
      }
  }
  return plan;
}

bool qcc::lowbit::appliesStoreEpilogue(const IntegerMatmulPlan &plan,
                                       RankedTensorType resultType) {
  return plan.tiles &&
         (resultType.getElementType().isF32() || resultType.getElementType().isInteger(32));
}

FailureOr<Value> qcc::lowbit::buildIntegerMatmul(OpBuilder &b, Location loc,
                                                 const QTensorParts &lhs,
                                                 const QTensorParts &weight,
                                                 const IntegerMatmulPlan &plan,
                                                 RankedTensorType resultType, bool transposed,
                                                 const StoreEpilogue *epilogue,
                                                 RankedTensorType finalType) {
  if (!epilogue || !*epilogue || !appliesStoreEpilogue(plan, resultType))
    epilogue = nullptr;
  if (!finalType || !epilogue)
    finalType = resultType;
  if (lhs.packed)
    return failure();
  ArrayRef<int64_t> lhsShape = lhs.type.getShape();
  int64_t k = lhsShape.back();
  int64_t m = 1;
  for (int64_t d : lhsShape)
    m *= d;
  m /= k;
  int64_t n = weight.type.getShape()[transposed ? 0 : 1];

  // Compile time: ws [N, K] (signed, shifted), S[n] = sum ws, Cw[n] = cw - zw.
  std::optional<std::vector<uint8_t>> bytes = constantCodeBytes(weight, 8);
  if (!bytes || int64_t(bytes->size()) != n * k)
    return failure();
  std::vector<double> weightZeros(1, 0.0);
  if (weight.zeroPoints) {
    bool zeroSigned = !cast<IntegerType>(weight.type.getScheme().getZeroPoint()).isUnsigned();
    std::optional<std::vector<double>> z = constantValues(weight.zeroPoints, zeroSigned);
    if (!z || (z->size() != 1 && int64_t(z->size()) != n))
      return failure();
    weightZeros = *z;
  }
  std::vector<int8_t> shifted(n * k);
  std::vector<int32_t> columnSums(n), columnShifts(n);
  int32_t cw = plan.rhsSigned ? 0 : 128;
  for (int64_t col = 0; col < n; ++col) {
    int32_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      uint8_t raw = transposed ? (*bytes)[col * k + kk] : (*bytes)[kk * n + col];
      int32_t value = plan.rhsSigned ? int32_t(int8_t(raw)) : int32_t(raw) - 128;
      shifted[col * k + kk] = int8_t(value);
      sum += value;
    }
    columnSums[col] = sum;
    columnShifts[col] = cw - int32_t(weightZeros[weightZeros.size() == 1 ? 0 : col]);
  }
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  bool scaled = resultType.getElementType().isF32();
  OutputScale outputScale;
  TileCorrection folded;
  if (scaled) {
    std::optional<std::vector<double>> ws = constantValues(weight.scales, /*isSigned=*/true);
    if (!ws || (ws->size() != 1 && int64_t(ws->size()) != n) || !lhs.scales)
      return failure();
    // Padded to whole tiles (the tiles load 16 at a time).
    int64_t scaleCount = plan.tiles ? (n + 15) / 16 * 16 : n;
    std::vector<float> columnScales(scaleCount, 0.0f);
    // A constant x_scale multiplies in now, rounded to f32 as the kernel
    // would (one f32 product): one multiplication less per stored vector.
    std::optional<std::vector<double>> xs = constantValues(lhs.scales, /*isSigned=*/true);
    bool foldX = xs && xs->size() == 1;
    for (int64_t col = 0; col < n; ++col) {
      float w = float((*ws)[ws->size() == 1 ? 0 : col]);
      columnScales[col] = foldX ? float((*xs)[0]) * w : w;
    }
    outputScale.columnScales = readOnlyBuffer(
        b, loc,
        constantVector<float>(b, loc, columnScales, {scaleCount}, f32, "qcc_int8_exact_scales"));
    if (!foldX) {
      Value x = lhs.scales;
      if (cast<RankedTensorType>(x.getType()).getRank() != 0)
        x = tensor::CollapseShapeOp::create(b, loc, RankedTensorType::get({}, f32), x,
                                            ArrayRef<ReassociationIndices>{});
      outputScale.xScale = readOnlyBuffer(b, loc, x);
    }
  }
  // Tiles: N padded to whole 16-column tiles, K to whole quads, with zero
  // codes; the per-column data padded along.
  int64_t nPad = plan.tiles ? (n + 15) / 16 * 16 : n;
  int64_t kPad = plan.tiles ? (k + 3) / 4 * 4 : k;
  // AMX steps through K 64 bytes at a time (one tile shape a function:
  // LLVM configures the tile registers once).
  if (plan.amx)
    kPad = (k + kAmxStepBytes - 1) / kAmxStepBytes * kAmxStepBytes;
  if (plan.tiles) {
    // [N / 16][K / 4][16 rows][4 codes]: one 64-byte vector per tile and quad.
    std::vector<int8_t> tiled(nPad * kPad, 0);
    for (int64_t col = 0; col < n; ++col)
      for (int64_t kk = 0; kk < k; ++kk)
        tiled[((col / 16) * (kPad / 4) + kk / 4) * 64 + (col % 16) * 4 + kk % 4] =
            shifted[col * k + kk];
    shifted = std::move(tiled);
    // The tiles read S + K * Cw as one constant (their correction's
    // second term, Ka * (S + K * Cw)).
    for (int64_t col = 0; col < n; ++col)
      columnSums[col] += int32_t(k) * columnShifts[col];
    columnSums.resize(nPad, 0);
    columnShifts.resize(nPad, 0);
    folded.noColumnShift = llvm::all_of(columnShifts, [](int32_t c) { return c == 0; });
    // Ka = (128 for signed codes) + za, one constant with a constant zero
    // point per tensor: Ka (S + K Cw) per column now (i32 wrapping as the
    // kernel's arithmetic).
    std::optional<int32_t> rowShift;
    if (!lhs.zeroPoints) {
      rowShift = plan.lhsSigned ? 128 : 0;
    } else {
      bool zeroSigned = !cast<IntegerType>(lhs.type.getScheme().getZeroPoint()).isUnsigned();
      std::optional<std::vector<double>> za = constantValues(lhs.zeroPoints, zeroSigned);
      if (za && za->size() == 1)
        rowShift = (plan.lhsSigned ? 128 : 0) + int32_t((*za)[0]);
    }
    if (rowShift) {
      folded.rowShiftFolded = true;
      for (int32_t &sum : columnSums)
        sum = int32_t(uint32_t(*rowShift) * uint32_t(sum));
    }
  }
  Value w = readOnlyBuffer(
      b, loc,
      constantVector<int8_t>(b, loc, shifted,
                             plan.tiles ? ArrayRef<int64_t>{nPad / 16, kPad / 4, 64}
                                        : ArrayRef<int64_t>{n, k},
                             i8, "qcc_int8_exact_w"));
  Value sums = readOnlyBuffer(
      b, loc, constantVector<int32_t>(b, loc, columnSums, {nPad}, i32, "qcc_int8_exact_sums"));
  Value shifts = readOnlyBuffer(
      b, loc,
      constantVector<int32_t>(b, loc, columnShifts, {nPad}, i32, "qcc_int8_exact_shifts"));

  const IndexArith ix{loc};
  auto i32Const = [&](OpBuilder &ob, int64_t v) -> Value {
    return arith::ConstantIntOp::create(ob, loc, ob.getI32Type(), v);
  };

  // Run time, per row: au (signed codes with their sign bit flipped), A[m]
  // = sum_k au and Ka[m] = ca + za.
  Value a = readOnlyBuffer(b, loc, rowsAsMatrix(b, loc, lhs.codes));
  // (The split tiles read only the nibbles, taken from the flipped codes.)
  // The VNNI tiles read a copy of signed codes (flipped) or where K is not
  // whole quads (zeros after K).
  // AMX reads a tile-major copy, [M / 16, K / 64, 16, 64]: each tile a
  // contiguous KiB (rows K bytes apart would share one L1 set when K is a
  // multiple of 4096).
  bool storeFlipped = (plan.lhsSigned || kPad != k || plan.amx) && !plan.splitCodes;
  Value au = plan.amx ? Value(memref::AllocOp::create(
                            b, loc,
                            MemRefType::get({m / 16, kPad / kAmxStepBytes, 16, kAmxStepBytes},
                                            i8)))
             : storeFlipped
                 ? Value(memref::AllocOp::create(b, loc, MemRefType::get({m, kPad}, i8)))
                 : a;
  // Where the copy keeps activation element [row, at].
  auto copyIndex = [&](OpBuilder &ob, Value row, Value at) -> SmallVector<Value> {
    if (!plan.amx)
      return {row, at};
    auto div = [&](Value x, int64_t d) -> Value {
      return arith::DivUIOp::create(ob, loc, x, arith::ConstantIndexOp::create(ob, loc, d));
    };
    auto rem = [&](Value x, int64_t d) -> Value {
      return arith::RemUIOp::create(ob, loc, x, arith::ConstantIndexOp::create(ob, loc, d));
    };
    return {div(row, 16), div(at, kAmxStepBytes), rem(row, 16), rem(at, kAmxStepBytes)};
  };
  // The split tiles read each activation code as its two nibbles.
  Value auHigh = plan.splitCodes ? Value(memref::AllocOp::create(
                                       b, loc, MemRefType::get({m, kPad}, i8)))
                                 : Value();
  Value auLow = plan.splitCodes ? Value(memref::AllocOp::create(
                                      b, loc, MemRefType::get({m, kPad}, i8)))
                                : Value();
  Value rowSums = memref::AllocOp::create(b, loc, MemRefType::get({m}, i32));
  Value rowShifts = memref::AllocOp::create(b, loc, MemRefType::get({m}, i32));
  Value zeros = lhs.zeroPoints ? readOnlyBuffer(b, loc, lhs.zeroPoints) : Value();
  bool lhsZeroSigned =
      lhs.zeroPoints && !cast<IntegerType>(lhs.type.getScheme().getZeroPoint()).isUnsigned();
  // Per-row zero points run along the rows of one batch: index m mod rows.
  int64_t zeroRows = zeros ? cast<MemRefType>(zeros.getType()).getNumElements() : 1;
  // The per-row pass reads 64 bytes at a time where K allows.
  // (Chunks that divide K where one of 8 or more does, else the widest
  // that fits and one narrower chunk for the rest.)
  int64_t prepChunk = std::min<int64_t>(k, 8);
  for (int64_t c : {64, 32, 16, 8})
    if (k % c == 0) {
      prepChunk = c;
      break;
    }
  if (k % prepChunk != 0)
    for (int64_t c : {64, 32, 16, 8})
      if (c <= k) {
        prepChunk = c;
        break;
      }
  int64_t prepTail = k % prepChunk;
  auto bytesType = VectorType::get({plan.chunk}, i8);
  scf::ParallelOp::create(
      b, loc, ValueRange{ix.index(b, 0)}, ValueRange{ix.index(b, m)}, ValueRange{ix.index(b, 1)},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        Value row = ivs[0];
        // `width` codes of the row from `at`: copies stored, their sum added
        // to `acc` (i32 lanes).
        auto prepChunkAt = [&](OpBuilder &lb, Value at, int64_t width, Value acc) -> Value {
          auto prepType = VectorType::get({width}, i8);
          auto splat = [&](int64_t value) -> Value {
            return arith::ConstantOp::create(
                lb, loc, DenseElementsAttr::get(prepType, lb.getIntegerAttr(i8, value)));
          };
          Value v = vector::LoadOp::create(lb, loc, prepType, a, ValueRange{row, at});
          if (plan.lhsSigned)
            v = arith::XOrIOp::create(lb, loc, v, splat(0x80));
          if (storeFlipped)
            vector::StoreOp::create(lb, loc, v, au, copyIndex(lb, row, at));
          if (auHigh) {
            vector::StoreOp::create(lb, loc, arith::ShRUIOp::create(lb, loc, v, splat(4)), auHigh,
                                    ValueRange{row, at});
            vector::StoreOp::create(lb, loc, arith::AndIOp::create(lb, loc, v, splat(15)), auLow,
                                    ValueRange{row, at});
          }
          Value wide = arith::ExtUIOp::create(lb, loc, VectorType::get({width}, i32), v);
          return arith::AddIOp::create(lb, loc, acc, wide);
        };
        auto zeroLanes = [&](int64_t width) -> Value {
          return arith::ConstantOp::create(pb, loc,
                                           pb.getZeroAttr(VectorType::get({width}, i32)));
        };
        auto loop = buildCountedLoop(
            pb, loc, k / prepChunk, ValueRange{zeroLanes(prepChunk)},
            [&](OpBuilder &lb, Value step, ValueRange acc) -> SmallVector<Value> {
              return {prepChunkAt(lb, ix.mul(lb, step, prepChunk), prepChunk, acc[0])};
            });
        // Zeros after K in the copies the tiles read whole steps of.
        if (kPad != k) {
          Value zeroByte = arith::ConstantIntOp::create(pb, loc, i8, 0);
          for (Value copy : {storeFlipped ? au : Value(), auHigh, auLow})
            if (copy)
              for (int64_t kk = k; kk < kPad; ++kk)
                memref::StoreOp::create(pb, loc, zeroByte, copy,
                                        copy == au ? copyIndex(pb, row, ix.index(pb, kk))
                                                   : SmallVector<Value>{row, ix.index(pb, kk)});
        }
        Value sum = vector::ReductionOp::create(pb, loc, vector::CombiningKind::ADD,
                                                loop.getResult(0));
        if (prepTail != 0) {
          Value tail = prepChunkAt(pb, ix.index(pb, k - prepTail), prepTail, zeroLanes(prepTail));
          sum = ix.add(pb, sum,
                    vector::ReductionOp::create(pb, loc, vector::CombiningKind::ADD, tail));
        }
        memref::StoreOp::create(pb, loc, sum, rowSums, ValueRange{row});
        Value shift = i32Const(pb, plan.lhsSigned ? 128 : 0);
        if (zeros) {
          SmallVector<Value> at;
          if (cast<MemRefType>(zeros.getType()).getRank() == 1)
            at.push_back(zeroRows == 1 ? ix.index(pb, 0)
                                       : Value(arith::RemUIOp::create(pb, loc, row,
                                                                      ix.index(pb, zeroRows))));
          Value z = memref::LoadOp::create(pb, loc, zeros, at);
          z = lhsZeroSigned ? Value(arith::ExtSIOp::create(pb, loc, i32, z))
                            : Value(arith::ExtUIOp::create(pb, loc, i32, z));
          shift = ix.add(pb, shift, z);
        }
        memref::StoreOp::create(pb, loc, shift, rowShifts, ValueRange{row});
      });

  Value out = memref::AllocOp::create(
      b, loc, MemRefType::get({m, n}, epilogue ? finalType.getElementType() : scaled ? f32 : i32));
  if (plan.tiles) {
    buildTiledProduct(b, loc, plan.splitCodes ? auHigh : au, w, sums, shifts, rowSums,
                      rowShifts, out, m, n, kPad, outputScale, auLow, epilogue, folded,
                      plan.amx);
    return matrixAsResult(b, loc, out, finalType);
  }
  // The product: tiles of rows x cols outputs, one accumulator vector each.
  int64_t rows = m % 4 == 0 ? 4 : m % 2 == 0 ? 2 : 1;
  int64_t cols = rows == 1 ? (n % 8 == 0 ? 8 : n % 4 == 0 ? 4 : n % 2 == 0 ? 2 : 1)
                           : (n % 4 == 0 ? 4 : n % 2 == 0 ? 2 : 1);
  bool vnni = plan.dot != ByteDot::Portable;
  int64_t lanes = vnni ? plan.chunk / 4 : plan.chunk;
  auto accType = VectorType::get({lanes}, i32);
  StringAttr instruction = b.getStringAttr(vnni ? "vpdpbusd" : "portable");
  scf::ParallelOp::create(
      b, loc, ValueRange{ix.index(b, 0)}, ValueRange{ix.index(b, n / cols)}, ValueRange{ix.index(b, 1)},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        Value firstCol = ix.mul(pb, ivs[0], cols);
        buildCountedLoop(pb, loc, m / rows, {}, [&](OpBuilder &mb, Value step, ValueRange) {
          Value firstRow = ix.mul(mb, step, rows);
          Value zero = arith::ConstantOp::create(mb, loc, mb.getZeroAttr(accType));
          SmallVector<Value> init(rows * cols, zero);
          auto loop = buildCountedLoop(
              mb, loc, k / plan.chunk, init,
              [&](OpBuilder &lb, Value kStep, ValueRange acc) -> SmallVector<Value> {
                Value at = ix.mul(lb, kStep, plan.chunk);
                SmallVector<Value> av, wv;
                for (int64_t r = 0; r < rows; ++r)
                  av.push_back(vector::LoadOp::create(lb, loc, bytesType, au,
                                                      ValueRange{ix.add(lb, firstRow, ix.index(lb, r)), at}));
                for (int64_t c = 0; c < cols; ++c)
                  wv.push_back(vector::LoadOp::create(lb, loc, bytesType, w,
                                                      ValueRange{ix.add(lb, firstCol, ix.index(lb, c)), at}));
                SmallVector<Value> next;
                for (int64_t r = 0; r < rows; ++r)
                  for (int64_t c = 0; c < cols; ++c)
                    next.push_back(ByteDotOp::create(lb, loc, accType, acc[r * cols + c], av[r],
                                                     wv[c], instruction));
                return next;
              });
          // D + Cw * A - Ka * S - K * Ka * Cw per output.
          for (int64_t c = 0; c < cols; ++c) {
            Value col = ix.add(mb, firstCol, ix.index(mb, c));
            Value columnShift = memref::LoadOp::create(mb, loc, shifts, ValueRange{col});
            Value columnSum = memref::LoadOp::create(mb, loc, sums, ValueRange{col});
            for (int64_t r = 0; r < rows; ++r) {
              Value row = ix.add(mb, firstRow, ix.index(mb, r));
              Value d = vector::ReductionOp::create(mb, loc, vector::CombiningKind::ADD,
                                                    loop.getResult(r * cols + c));
              Value rowSum = memref::LoadOp::create(mb, loc, rowSums, ValueRange{row});
              Value rowShift = memref::LoadOp::create(mb, loc, rowShifts, ValueRange{row});
              Value v = ix.add(mb, d, arith::MulIOp::create(mb, loc, columnShift, rowSum));
              Value rowTimesK = arith::MulIOp::create(mb, loc, rowShift, i32Const(mb, k));
              // Ka * (S + K * Cw), subtracted.
              Value corr = arith::MulIOp::create(
                  mb, loc, rowShift, columnSum);
              corr = ix.add(mb, corr, arith::MulIOp::create(mb, loc, rowTimesK, columnShift));
              v = arith::SubIOp::create(mb, loc, v, corr);
              memref::StoreOp::create(mb, loc, outputScale.apply(mb, loc, v, col), out,
                                      ValueRange{row, col});
            }
          }
          return SmallVector<Value>{};
        });
      });
  return matrixAsResult(b, loc, out, resultType);
}
