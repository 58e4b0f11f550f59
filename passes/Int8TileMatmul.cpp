//===- Int8TileMatmul.cpp - int8 GEMM on 16-row weight tiles -------------===//
//
// The int8-gemm kernel: the same numbers as int8-dot (activations quantized
// to int8 per weight block, byte dot products, scales per block), laid out
// for several activation rows. The weight is repacked at compile time into
// 64-byte vectors of 16 rows: row r in i32 lane r, whose 4 bytes hold codes
// k0 + 4 i + j (byte j, bit field i) for the vector's 32 / bits * 4... i.e.
// every bit field of the vector is a 16 x 4 block of codes, the shape
// vpdpbusd sums. So per vector: one load, a shift-and-mask per field, and
// per activation row one vpdpbusd per field whose signed operand is 4
// activation bytes broadcast to every lane. The accumulators hold 16 weight
// rows each, so the per-block scale is one vector multiply-add per 16 rows
// (int8-dot's lanes are partial sums of one row: a reduction and scalar
// scales per row and block, half its instructions at M = 128).
// 3-bit codes take 4-bit fields, or with AVX-512 VBMI at up to 4 rows stay
// 3 bits wide: 48 bytes a step of 16 rows x 8 elements, each pair of rows'
// 16 codes in 6 bytes that a vpermb moves into a 64-bit lane, from which two
// vpmultishiftqb cut the two fields' bytes.
//
//===----------------------------------------------------------------------===//

#include "Int8TileMatmul.h"

#include "AmxTiles.h"
#include "KernelSupport.h"
#include "LutMatmul.h"

#include "qcc/Formats/BitPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>
#include <array>
#include <cmath>

using namespace mlir;
using namespace qcc::lowbit;
using namespace qcc::lowbit::lut;

namespace {

/// Elements of K one weight vector covers: 4 per bit field.
int64_t kPerVector(unsigned bits) { return 4 * (8 / bits); }

struct Tiles {
  int64_t rows, cols;
};

/// 512-bit registers (32 of them) or 256-bit ones (16, a 16-row
/// accumulator taking two).
bool wideRegisters(ByteDot dot) { return dot == ByteDot::Vnni512 || dot == ByteDot::Madd512; }

/// Activation rows x 16-row weight tiles of one kernel iteration: with
/// 512-bit registers 16 accumulators where M allows, 8 at M = 1 and 2 (one
/// per field parity); with 256-bit ones half that, so that accumulators,
/// weight fields and activations fit the 16 ymm registers.
Tiles tilesFor(int64_t m, int64_t n, ByteDot dot) {
  Tiles t = !wideRegisters(dot) ? (m % 2 == 0 ? Tiles{2, 2} : Tiles{1, 2})
            : m % 8 == 0        ? Tiles{8, 2}
            : m % 4 == 0        ? Tiles{4, 2}
            : m % 2 == 0        ? Tiles{2, 2}
                                : Tiles{1, 4};
  while ((n / kLanes) % t.cols != 0)
    t.cols /= 2;
  return t;
}

/// Int8TilePlan::dense3: elements of K a step covers (two 4-element
/// fields), its bytes per 16-row tile, and the padding after the last step
/// that a 64-byte load of it reads.
constexpr int64_t kDense3StepElements = 8;
constexpr int64_t kDense3StepBytes = kLanes * kDense3StepElements * 3 / 8;
constexpr int64_t kDense3TailBytes = kVectorBytes - kDense3StepBytes;
/// Activation rows up to which 3-bit codes are read dense (planInt8Tiles).
constexpr int64_t kDense3MaxRows = 4;
/// Activation rows from which AMX tiles replace vpdpbusd (planInt8Tiles).
constexpr int64_t kAmxMinRows = 64;
// kInt8AmxMinBlock (Int8TileMatmul.h): blocks of 32 take one tdpbsud of
// 16 x 32 bytes, the sums stored and scaled every 32 elements of K.
// Measured on a Xeon (4096 x 4096, 2 threads, against vpdpbusd): W4 g32
// M = 64 3.08 vs 3.20 ms, M = 128 5.6 vs 6.4-7.5, MXFP4 M = 128 5.8 vs
// 6.6; blocks of 16 (NVFP4) slower, M = 128 12.6 vs 9.0-9.7 ms: the
// scaling binds.

/// Int8TilePlan::dense3's tiles: per 16-row tile and step of 8 elements of
/// K, 48 bytes; rows 2q and 2q + 1 in bytes [6q, 6q + 6), a 48-bit
/// little-endian word whose bits [24 i + 3 (4 p + j), + 3) hold the code of
/// row 2q + p at element 8 s + 4 i + j: what the kernel's two bit-field
/// vectors (i = 0, 1) hold in byte 4 p + j of lane q after the vpermb.
std::vector<char> packDense3Tiles(ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k, int64_t cols) {
  int64_t steps = k / kDense3StepElements;
  Tiling layout{1, cols};
  std::vector<char> out(size_t(n / kLanes) * steps * kDense3StepBytes + kDense3TailBytes, 0);
  std::vector<uint8_t> row(k);
  for (int64_t r0 = 0; r0 < n; ++r0) {
    qcc::formats::unpackBits(rowMajor.data() + size_t(r0) * k * 3 / 8, k, 3, row.data());
    int64_t t = r0 / kLanes, q = (r0 % kLanes) / 2, p = r0 % 2;
    for (int64_t s = 0; s < steps; ++s) {
      char *pair = out.data() + size_t(vectorSlot(layout, steps, t, s)) * kDense3StepBytes + 6 * q;
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 4; ++j) {
          int64_t bit = 24 * i + 3 * (4 * p + j);
          unsigned code = row[s * kDense3StepElements + 4 * i + j] & 7;
          // A field may straddle two bytes.
          pair[bit / 8] = char(uint8_t(pair[bit / 8]) | uint8_t(code << (bit % 8)));
          if (bit % 8 > 5)
            pair[bit / 8 + 1] = char(uint8_t(pair[bit / 8 + 1]) | uint8_t(code >> (8 - bit % 8)));
        }
    }
  }
  return out;
}

} // namespace

int64_t qcc::lowbit::int8TileColumns(int64_t m, int64_t n, const Int8TilePlan &plan) {
  // AMX: each tile's vectors in one run (its loops cut one tile at a time
  // into right-hand tiles).
  return plan.amx ? 1 : tilesFor(m, n, plan.dot).cols;
}

std::vector<char> qcc::lowbit::packInt8Tiles(ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k,
                                             unsigned bits, int64_t cols, unsigned codeBits) {
  if (bits == 3)
    return packDense3Tiles(rowMajor, n, k, cols);
  if (codeBits == 0)
    codeBits = bits;
  std::vector<char> out(size_t(n / kLanes) * (k / kPerVector(bits)) * kVectorBytes);
  packInt8TilesInto(rowMajor, n, k, bits, cols, codeBits, out);
  return out;
}

void qcc::lowbit::packInt8TilesInto(ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k,
                                    unsigned bits, int64_t cols, unsigned codeBits,
                                    MutableArrayRef<char> out) {
  int64_t perVector = kPerVector(bits), vectors = k / perVector, fields = 8 / bits;
  Tiling layout{1, cols};
  assert(bits != 3 && out.size() == size_t(n / kLanes) * vectors * kVectorBytes &&
         "n x k x bits / 8 bytes");
  std::fill(out.begin(), out.end(), 0);
  std::vector<uint8_t> row(k);
  for (int64_t r0 = 0; r0 < n; ++r0) {
    qcc::formats::unpackBits(rowMajor.data() + size_t(r0) * k * codeBits / 8, k, codeBits,
                             row.data());
    int64_t t = r0 / kLanes, r = r0 % kLanes;
    for (int64_t s = 0; s < vectors; ++s) {
      char *vec = out.data() + size_t(vectorSlot(layout, vectors, t, s)) * kVectorBytes;
      for (int64_t i = 0; i < fields; ++i)
        for (int64_t j = 0; j < 4; ++j)
          vec[4 * r + j] = char(uint8_t(vec[4 * r + j]) |
                                uint8_t(row[s * perVector + 4 * i + j] << (bits * i)));
    }
  }
}

std::optional<Int8TilePlan> qcc::lowbit::planInt8Tiles(QTensorType type, Type lhsType,
                                                      Type resultType, bool transposed,
                                                      const llvm::StringSet<> &features,
                                                      std::string &whyNot) {
  std::optional<LutPlan> target =
      planTarget(type, lhsType, resultType, transposed, features, whyNot, /*decodedCodes=*/true);
  if (!target)
    return std::nullopt;
  auto fail = [&](const llvm::Twine &why) -> std::optional<Int8TilePlan> {
    whyNot = why.str();
    return std::nullopt;
  };
  if (type.getLayoutKind() != LayoutKind::row_major &&
      type.getLayoutKind() != LayoutKind::int8_tiles)
    return fail("the layout is neither row_major nor int8_tiles");
  SchemeAttr scheme = type.getScheme();
  Int8TilePlan plan;
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (isa<Float4E2M1FNType>(type.getStorageType())) {
    plan.decode = CodeDecode::Fp4;
  } else if (!storage) {
    return fail("codes are neither integers nor FP4 E2M1");
  } else if (scheme.hasCodebook()) {
    if (storage.getWidth() != 4 || scheme.getCodebookAxis())
      return fail("codebooks other than one 16-entry table");
    plan.decode = CodeDecode::Codebook;
  }
  plan.codeBits = storage ? storage.getWidth() : 4;
  plan.signedCodes = storage && !storage.isUnsigned() && plan.decode == CodeDecode::None;
  // 3-bit codes take 4-bit fields (or dense 3-bit steps of the same
  // fields' shape: dense3 below).
  plan.bits = plan.codeBits == 3 ? 4 : plan.codeBits;
  if (plan.bits != 1 && plan.bits != 2 && plan.bits != 4 && plan.bits != 8)
    return fail(llvm::Twine(plan.codeBits) + "-bit codes do not tile a byte");
  int64_t k = type.getShape()[1];
  std::string blockWhy;
  std::optional<int64_t> block = scaleBlockAlongK(type.getScheme(), k, blockWhy);
  if (!block)
    return fail(blockWhy);
  plan.block = *block;
  if (k % plan.block != 0 || plan.block % kPerVector(plan.bits) != 0 ||
      plan.block % std::min<int64_t>(plan.block, 128) != 0)
    return fail("blocks of " + llvm::Twine(plan.block) + " elements are not whole vectors of " +
                llvm::Twine(kPerVector(plan.bits)));
  // pmaddubsw's i16 pair sums would saturate with 8-bit unsigned codes.
  plan.signedDot =
      (target->dot == ByteDot::Madd512 || target->dot == ByteDot::Madd256) && plan.bits == 8;
  if (target->dot == ByteDot::Portable)
    return fail("no AVX2 or AVX-512 byte-dot instruction");
  plan.dot = target->dot;
  // With vpermb and vpmultishiftqb (AVX-512 VBMI) 3-bit codes stay 3 bits:
  // 3/4 of the bytes, 5 instructions to decode 48 bytes where 4-bit fields
  // take 3 for 64. Measured on a Xeon (2 threads, L3-resident, against
  // 4-bit fields' W4 g128 zp): M = 1 1.35x (ffn-up 442 vs 595 us, at 99% of
  // the read bandwidth), M = 4 0.96-1.03x, M = 16 0.93-0.97x (the decode,
  // shared by 8 rows there, binds): up to 4 rows, where DRAM adds the
  // bytes' 4/3 to the 4-bit fields' time.
  int64_t m = cast<ShapedType>(lhsType).getNumElements() / k;
  plan.dense3 = plan.codeBits == 3 && plan.dot == ByteDot::Vnni512 &&
                features.contains("avx512vbmi") && plan.decode == CodeDecode::None &&
                m <= kDense3MaxRows;
  plan.amx = features.contains("amx-int8") && features.contains("amx-tile") &&
             plan.dot == ByteDot::Vnni512 && !plan.dense3 && m >= kAmxMinRows &&
             m % kAmxRows == 0 &&
             (plan.block % kAmxStepBytes == 0 ||
              (kAmxStepBytes % plan.block == 0 && plan.block >= kInt8AmxMinBlock && k % kAmxStepBytes == 0));
  return plan;
}

namespace {

/// The 16 unsigned bytes 4-bit codes decode to, with real value
/// (byte - zeroShift) * unit (times the weight's scales).
struct DecodeTable {
  std::array<int8_t, 16> bytes{};
  double unit = 1.0, zeroShift = 0.0;
  /// The largest byte, for the i16 pair-sum bound.
  int64_t maxByte = 0;
};

/// The largest byte a table may hold: vpdpbusd takes any u8; with
/// vpmaddubsw a pair of products must fit in i16 (2 x 127 x 127).
int64_t tableByteLimit(ByteDot dot) {
  return dot == ByteDot::Vnni512 || dot == ByteDot::Vnni256 ? 255 : 127;
}

/// FP4 E2M1 doubled is an integer in [-12, 12], so FP4 decodes exactly:
/// byte = 2 value + 12, unit 1/2. A codebook decodes exactly when its
/// entries are integers within the byte range, else onto an affine grid of
/// `limit` steps from its smallest to its largest entry (NF4 on VNNI: steps
/// of 2/255, at most 0.4% of its range off; documented in cpu-target.md).
FailureOr<DecodeTable> buildDecodeTable(const Int8TilePlan &plan, const QTensorParts &weight) {
  DecodeTable t;
  std::array<double, 16> values;
  if (plan.decode == CodeDecode::Fp4) {
    static constexpr double kE2M1[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
    for (int c = 0; c < 16; ++c)
      values[c] = (c & 8 ? -1.0 : 1.0) * kE2M1[c & 7];
  } else {
    std::optional<std::vector<double>> book = constantValues(weight.codebook, true);
    if (!book || book->size() != 16)
      return failure();
    std::copy(book->begin(), book->end(), values.begin());
  }
  double lo = *std::min_element(values.begin(), values.end());
  double hi = *std::max_element(values.begin(), values.end());
  int64_t limit = tableByteLimit(plan.dot);
  bool integral = llvm::all_of(values, [](double v) { return v == std::round(v); });
  if (plan.decode == CodeDecode::Fp4) {
    t.unit = 0.5;
  } else if (integral && hi - lo <= double(limit)) {
    t.unit = 1.0;
  } else {
    t.unit = hi > lo ? (hi - lo) / double(limit) : 1.0;
  }
  // The grid starts at the smallest entry: byte = round((v - lo) / unit),
  // real value (byte - zeroShift) * unit. zeroShift is the mean of
  // byte - v / unit over the entries, not -lo / unit: then the rounding
  // errors have mean zero, where otherwise every weight would carry the
  // same small offset, the outputs of a layer a shift of one sign, and a
  // chain of layers would amplify it (NF4 at 127 steps, 8 layers of 4096:
  // 0.25 off float64 with -lo / unit, 1e-2 with the mean; numpy model).
  // Exact tables (FP4, integer codebooks) get their exact shift either way.
  double shiftSum = 0.0;
  for (int c = 0; c < 16; ++c) {
    int64_t byte = int64_t(std::round((values[c] - lo) / t.unit));
    if (byte < 0 || byte > limit)
      return failure();
    t.bytes[c] = int8_t(uint8_t(byte));
    t.maxByte = std::max(t.maxByte, byte);
    shiftSum += double(byte) - values[c] / t.unit;
  }
  t.zeroShift = shiftSum / 16.0;
  return t;
}

/// The i16 pair sums of vpmaddubsw for the fields of one vector, added to
/// `pairs` (one i16 vector per register-wide part of the 64-byte vector:
/// two on 256-bit targets): sum_i fields[i] . acts[i] (u8 x s8 quads).
SmallVector<Value> addFieldPairs(OpBuilder &b, Location loc, ByteDot dot, ArrayRef<Value> pairs,
                                 ArrayRef<Value> fields, ArrayRef<Value> acts) {
  int64_t parts = dot == ByteDot::Madd256 ? 2 : 1;
  int64_t partBytes = kVectorBytes / parts;
  auto pairType = VectorType::get({partBytes / 2}, b.getI16Type());
  SmallVector<Value> next(pairs);
  for (int64_t h = 0; h < parts; ++h) {
    auto slice = [&](Value v) -> Value {
      if (parts == 1)
        return v;
      return vector::ExtractStridedSliceOp::create(b, loc, v, ArrayRef<int64_t>{h * partBytes},
                                                   ArrayRef<int64_t>{partBytes},
                                                   ArrayRef<int64_t>{1});
    };
    for (size_t i = 0; i < fields.size(); ++i)
      next[h] = ByteDotOp::create(b, loc, pairType, next[h], slice(fields[i]), slice(acts[i]),
                                  b.getStringAttr("pmaddubsw"));
  }
  return next;
}

/// Zero pair sums for addFieldPairs.
SmallVector<Value> zeroFieldPairs(OpBuilder &b, Location loc, ByteDot dot) {
  int64_t parts = dot == ByteDot::Madd256 ? 2 : 1;
  auto pairType = VectorType::get({kVectorBytes / parts / 2}, b.getI16Type());
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(pairType));
  return SmallVector<Value>(parts, zero);
}

/// acc + the pair sums widened to i32 lanes (one vpmaddwd per part).
Value widenFieldPairs(OpBuilder &b, Location loc, ByteDot dot, Value acc, ArrayRef<Value> pairs) {
  int64_t parts = dot == ByteDot::Madd256 ? 2 : 1;
  int64_t partLanes = kLanes / parts;
  Value sum = acc;
  for (int64_t h = 0; h < parts; ++h) {
    Value part = parts == 1 ? acc
                            : Value(vector::ExtractStridedSliceOp::create(
                                  b, loc, acc, ArrayRef<int64_t>{h * partLanes},
                                  ArrayRef<int64_t>{partLanes}, ArrayRef<int64_t>{1}));
    part = PairSumOp::create(b, loc, part.getType(), part, pairs[h], Value(),
                             b.getStringAttr("pmaddwd"));
    sum = parts == 1 ? part
                     : Value(vector::InsertStridedSliceOp::create(
                           b, loc, part, sum, ArrayRef<int64_t>{h * partLanes},
                           ArrayRef<int64_t>{1}));
  }
  return sum;
}

/// Vectors whose pair sums may add up in i16 before one widening: each
/// vector adds at most fields x 2 x maxByte x 127 to a lane (4-bit codes:
/// 7620, so 4 vectors; 2-bit: 10; 1-bit: 16), and the group divides the
/// vectors of a block (whose sums are scaled together).
int64_t pairGroup(int64_t fields, int64_t maxByte, int64_t vectorsPerBlock) {
  int64_t perVector = fields * 2 * maxByte * 127;
  int64_t group = std::max<int64_t>(1, 32767 / perVector);
  while (vectorsPerBlock % group != 0)
    --group;
  return group;
}

class TileBuilder {
public:
  TileBuilder(OpBuilder &b, Location loc, const Int8TilePlan &plan) : b(b), loc(loc), plan(plan) {}

  void buildDotLoops(Value x, Value aScale, Value aSum, Value codes, const BlockParams &p,
                     const std::optional<DecodeTable> &table, Value out, int64_t m, int64_t n,
                     int64_t k, int64_t cols, const StoreEpilogue *epilogue);

private:
  /// Int8TilePlan::amx's loops: up to 32 activation rows x 32 weight rows
  /// a step, each block's sums in tile registers; `fieldsOf` cuts a weight
  /// vector's bit fields into the unsigned code bytes the byte dot reads.
  void buildAmxLoops(Value x, Value aScale, Value aSum, Value codes, const BlockParams &p,
                     Value out, int64_t m, int64_t n, int64_t k, int64_t cols,
                     const StoreEpilogue *epilogue,
                     llvm::function_ref<SmallVector<Value>(OpBuilder &, Value)> fieldsOf);

  OpBuilder &b;
  Location loc;
  const Int8TilePlan &plan;
};

void TileBuilder::buildDotLoops(Value x, Value aScale, Value aSum, Value codes,
                                const BlockParams &p, const std::optional<DecodeTable> &table,
                                Value out, int64_t m, int64_t n, int64_t k, int64_t tileCols,
                                const StoreEpilogue *epilogue) {
  Type i32 = b.getI32Type(), i8 = b.getI8Type();
  unsigned bits = plan.bits;
  int64_t blocks = k / plan.block, perVector = kPerVector(bits), fields = 8 / bits;
  int64_t vectorsPerRow = k / perVector, vectorsPerBlock = plan.block / perVector;
  auto byteType = VectorType::get({kVectorBytes}, i8);
  auto accType = VectorType::get({kLanes}, i32);
  Tiles tiles = tilesFor(m, n, plan.dot);
  int64_t rows = tiles.rows, cols = tileCols;
  // One accumulator per (tile, row), two (even and odd fields) at small M
  // so that enough vpdpbusd chains are in flight.
  // Without VNNI the fields' pair sums add up in i16 over a group of
  // vectors and widen once per group (pairGroup): one chain per
  // accumulator is enough there. Decoded codes: their bytes bound the
  // pair sums instead of the width.
  int64_t maxByte = table ? table->maxByte : (int64_t(1) << plan.codeBits) - 1;
  bool pairSums = (plan.dot == ByteDot::Madd512 || plan.dot == ByteDot::Madd256) &&
                  2 * fields * maxByte * 127 <= 32767;
  int64_t group = pairSums ? pairGroup(fields, maxByte, vectorsPerBlock) : 1;
  int64_t halves = rows * cols <= 4 && fields > 1 && !pairSums ? 2 : 1;
  // sumQuads' view of the byte-dot instruction.
  LutPlan dotPlan;
  dotPlan.dot = plan.dot;
  // Flips signed codes to unsigned ones, or unsigned 8-bit codes to the
  // signed ones of signedDot.
  SmallVector<int8_t> signFlip;
  if (plan.signedCodes != plan.signedDot && !plan.dense3)
    for (int64_t byte = 0; byte < kVectorBytes; ++byte) {
      int64_t mask = 0;
      for (int64_t i = 0; i < fields; ++i)
        mask |= int64_t(1) << (bits * i + plan.codeBits - 1);
      signFlip.push_back(int8_t(mask));
    }
  // Dense 3-bit steps: bytes per slot, the vpermb that gives 64-bit lane q
  // the 6 bytes of rows 2q and 2q + 1, and the bit offsets of field i's
  // codes in the lane (packDense3Tiles).
  int64_t slotBytes = plan.dense3 ? kDense3StepBytes : kVectorBytes;
  int8_t fieldMask = int8_t((1 << (plan.dense3 ? 3 : bits)) - 1);
  SmallVector<int8_t> dense3SignFlip(kVectorBytes, 4);
  SmallVector<int64_t> dense3Gather;
  SmallVector<SmallVector<int8_t>> dense3Controls(plan.dense3 ? fields : 0);
  if (plan.dense3)
    for (int64_t q = 0; q < kLanes / 2; ++q)
      for (int64_t byte = 0; byte < 8; ++byte) {
        dense3Gather.push_back(6 * q + std::min<int64_t>(byte, 5));
        for (int64_t i = 0; i < fields; ++i)
          dense3Controls[i].push_back(int8_t(24 * i + 3 * byte));
      }
  const IndexArith ix{loc};
  auto forLoop = [&](OpBuilder &ob, int64_t count, ValueRange init, LoopBody body) {
    return buildCountedLoop(ob, loc, count, init, body);
  };

  // The 16-entry table in every 16-byte lane; vpshufb at the width of
  // the byte dot (two ymm lookups for a 64-byte vector on 256-bit targets).
  SmallVector<int8_t> tableBytes;
  if (table)
    for (int64_t lane = 0; lane < kVectorBytes / 16; ++lane)
      tableBytes.append(table->bytes.begin(), table->bytes.end());
  auto decodeField = [&](OpBuilder &ob, Value field) -> Value {
    Value lut = byteVector(ob, loc, tableBytes);
    if (wideRegisters(plan.dot))
      return TableLookupOp::create(ob, loc, field.getType(), lut, field,
                                   ob.getStringAttr("vpshufb"));
    Value result = field;
    for (int64_t h = 0; h < 2; ++h) {
      auto half = [&](Value v) -> Value {
        return vector::ExtractStridedSliceOp::create(ob, loc, v, ArrayRef<int64_t>{h * 32},
                                                     ArrayRef<int64_t>{32}, ArrayRef<int64_t>{1});
      };
      Value part = half(field);
      part = TableLookupOp::create(ob, loc, part.getType(), half(lut), part,
                                   ob.getStringAttr("vpshufb"));
      result = vector::InsertStridedSliceOp::create(ob, loc, part, result,
                                                    ArrayRef<int64_t>{h * 32}, ArrayRef<int64_t>{1});
    }
    return result;
  };

  // The unsigned code bytes of each bit field of weight vector w (after
  // the sign flip).
  auto cutFields = [&](OpBuilder &ob, Value w) {
    Value mask = byteVector(ob, loc, SmallVector<int8_t>(kVectorBytes, fieldMask));
    SmallVector<Value> field(fields);
    for (int64_t i = 0; i < fields; ++i) {
      field[i] = w;
      if (i > 0)
        field[i] = arith::ShRUIOp::create(
            ob, loc, field[i],
            byteVector(ob, loc, SmallVector<int8_t>(kVectorBytes, int8_t(bits * i))));
      if (i + 1 < fields)
        field[i] = arith::AndIOp::create(ob, loc, field[i], mask);
      if (table)
        field[i] = decodeField(ob, field[i]);
    }
    return field;
  };
  if (plan.amx) {
    buildAmxLoops(x, aScale, aSum, codes, p, out, m, n, k, tileCols, epilogue,
                  [&](OpBuilder &ob, Value w) -> SmallVector<Value> {
                    if (plan.signedCodes)
                      w = arith::XOrIOp::create(ob, loc, w, byteVector(ob, loc, signFlip));
                    return cutFields(ob, w);
                  });
    return;
  }

  int64_t tile = rows * cols;
  buildTileLoops(b, loc, out, m, n, rows, cols, blocks,
      [&](OpBuilder &bb, Value blk, ValueRange y, const TileIndices &t) {
            const SmallVector<Value> &rowIndex = t.rowIndex, &tileIndex = t.tileIndex;
            Value zero = arith::ConstantOp::create(bb, loc, bb.getZeroAttr(accType));
            SmallVector<Value> accInit(tile * halves, zero);
            Value firstVector = ix.mul(bb, blk, vectorsPerBlock);
            auto stepLoop = forLoop(bb, vectorsPerBlock / group, accInit, [&](OpBuilder &sb,
                                                                              Value st,
                                                                              ValueRange acc) {
             SmallVector<Value> next(acc);
             SmallVector<SmallVector<Value>> pairs(
                 pairSums ? tile : 0, pairSums ? zeroFieldPairs(sb, loc, plan.dot)
                                               : SmallVector<Value>());
             for (int64_t u = 0; u < group; ++u) {
              Value v = ix.add(sb, firstVector, ix.add(sb, ix.mul(sb, st, group), ix.index(sb, u)));
              Value kBase = ix.mul(sb, v, perVector);
              // The 4 activation bytes of field i, broadcast to every lane.
              SmallVector<SmallVector<Value>> acts(rows);
              auto quad = VectorType::get({4}, i8);
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t i = 0; i < fields; ++i) {
                  Value bytes4 = vector::LoadOp::create(
                      sb, loc, quad, x, ValueRange{rowIndex[r], ix.add(sb, kBase, ix.index(sb, 4 * i))});
                  Value word = vector::BitCastOp::create(sb, loc, VectorType::get({1}, i32), bytes4);
                  Value lanes = vector::BroadcastOp::create(sb, loc, accType,
                                                            vector::ExtractOp::create(sb, loc, word, 0));
                  acts[r].push_back(vector::BitCastOp::create(sb, loc, byteType, lanes));
                }
              Value mask = byteVector(sb, loc, SmallVector<int8_t>(kVectorBytes, fieldMask));
              for (int64_t col = 0; col < cols; ++col) {
                Value slot = vectorSlotIndex(sb, loc, t.group, vectorsPerRow, v, cols, col);
                Value offset = ix.mul(sb, slot, slotBytes);
                Value w = vector::LoadOp::create(sb, loc, byteType, codes, ValueRange{offset});
                // Prefetched at every M (other kernels: up to
                // kStreamPrefetchMaxRows): each tile group's first row step
                // reads its weights from memory, later ones from L2, and one
                // prefetch a vector is little beside rows x fields byte dots.
                // Without it a W4 ffn-up layer from DRAM at M = 16 took 3089
                // us, with it 2455 (its L3-resident time ~1750): the
                // stream's latency had added to the dots'.
                prefetchStream(sb, loc, codes, offset);
                if (plan.dense3) {
                  // Each pair of rows' 6 bytes into its 64-bit lane, then
                  // the two fields' bytes cut from the lanes (and the sign
                  // of signed codes flipped: code + 4 unsigned).
                  w = vector::ShuffleOp::create(sb, loc, w, w, dense3Gather);
                  for (int64_t i = 0; i < fields; ++i) {
                    Value cut = SelectBitsOp::create(sb, loc, byteType,
                                                     byteVector(sb, loc, dense3Controls[i]), w,
                                                     sb.getStringAttr("vpmultishiftqb"));
                    Value field = arith::AndIOp::create(sb, loc, cut, mask);
                    if (plan.signedCodes)
                      field = arith::XOrIOp::create(sb, loc, field,
                                                    byteVector(sb, loc, dense3SignFlip));
                    for (int64_t r = 0; r < rows; ++r) {
                      int64_t a = (col * rows + r) * halves + i % halves;
                      next[a] = sumQuads(sb, loc, dotPlan, next[a], field, acts[r][i]);
                    }
                  }
                  continue;
                }
                if (plan.signedCodes != plan.signedDot)
                  w = arith::XOrIOp::create(sb, loc, w, byteVector(sb, loc, signFlip));
                if (plan.signedDot) {
                  // s8 codes: |w| is the unsigned operand, the activations
                  // take w's signs (quantized to [-127, 127], so no lane
                  // wraps).
                  Value magnitude = math::AbsIOp::create(sb, loc, w);
                  StringRef sign = plan.dot == ByteDot::Madd256 ? "vpsignb" : "portable";
                  for (int64_t r = 0; r < rows; ++r) {
                    int64_t a = (col * rows + r) * halves;
                    Value signedActs = SignBytesOp::create(sb, loc, w.getType(), acts[r][0], w,
                                                           sb.getStringAttr(sign));
                    next[a] = sumQuads(sb, loc, dotPlan, next[a], magnitude, signedActs);
                  }
                  continue;
                }
                SmallVector<Value> field = cutFields(sb, w);
                for (int64_t r = 0; r < rows; ++r) {
                  if (pairSums) {
                    int64_t a = (col * rows + r) * halves;
                    pairs[a] = addFieldPairs(sb, loc, plan.dot, pairs[a], field, acts[r]);
                    continue;
                  }
                  for (int64_t i = 0; i < fields; ++i) {
                    int64_t a = (col * rows + r) * halves + i % halves;
                    next[a] = sumQuads(sb, loc, dotPlan, next[a], field[i], acts[r][i]);
                  }
                }
              }
             }
             for (size_t a = 0; a < pairs.size(); ++a)
               next[a] = widenFieldPairs(sb, loc, plan.dot, next[a], pairs[a]);
             return next;
            });
            // y += s_a (s_w (sum - z sum_q)), 16 weight rows a vector.
            SmallVector<Value> yNext(tile), paramsAt;
            for (int64_t col = 0; col < cols; ++col)
              paramsAt.push_back(blockParamsAt(bb, loc, p, tileIndex[col], blocks, blk,
                                               /*prefetch=*/true));
            for (int64_t r = 0; r < rows; ++r) {
              auto [asVec, negSum, zSum] =
                  blockRowFactors(bb, loc, aScale, aSum, rowIndex[r], blk, p.uniformZero);
              for (int64_t col = 0; col < cols; ++col) {
                int64_t a = (col * rows + r) * halves;
                Value dots = stepLoop.getResult(a);
                if (halves == 2)
                  dots = ix.add(bb, dots, stepLoop.getResult(a + 1));
                yNext[col * rows + r] = scaleBlock(bb, loc, p, paramsAt[col], dots, asVec, negSum,
                                                   zSum, y[col * rows + r]);
              }
            }
            return yNext;
      }, nullptr, epilogue);
}

void TileBuilder::buildAmxLoops(Value x, Value aScale, Value aSum, Value codes,
                                const BlockParams &p, Value out, int64_t m, int64_t n, int64_t k,
                                int64_t cols, const StoreEpilogue *epilogue,
                                llvm::function_ref<SmallVector<Value>(OpBuilder &, Value)> fieldsOf) {
  Type i32 = b.getI32Type(), i8 = b.getI8Type(), f32 = b.getF32Type();
  int64_t blocks = k / plan.block, perVector = kPerVector(plan.bits), fields = 8 / plan.bits;
  int64_t vectorsPerRow = k / perVector, vectorsPerStep = kAmxStepBytes / perVector;
  int64_t steps = k / kAmxStepBytes;
  auto byteType = VectorType::get({kVectorBytes}, i8);
  auto sumType = VectorType::get({kLanes}, i32);
  auto fType = VectorType::get({kLanes}, f32);
  const IndexArith ix{loc};
  // Up to 2 x 2 accumulators (32 activation rows x 32 weight rows), so
  // that 4 tdpbsud chains are in flight: the tile registers are not
  // renamed, and one accumulator a block serialized each tdpbsud behind the
  // last one and the store (W4 ffn-up M = 128 16.3 ms, vpdpbusd's time).
  Value acts = packAmxRows(b, loc, x, m, k);
  int64_t tiles = (n / kLanes) % 2 == 0 ? 2 : 1;
  int64_t groups = m % (2 * kAmxRows) == 0 ? 2 : 1;
  // Three phases per `tiles` weight tiles, each reading what the one
  // before wrote long before (tile loads and stores do not forward from
  // the store buffer: decoding, multiplying and scaling block by block
  // measured slower than vpdpbusd, W4 ffn-up M = 16 2160 vs 1962 us). Of
  // the 10-11.5 ms at M = 128 (W4 ffn-up) phase 1 and the activations
  // take ~2.7, phase 3 ~2.7:
  // 1. the tiles' codes, all of K, as right-hand tiles (once for all rows);
  // 2. per `groups` x 16 activation rows, each block's i32 sums;
  // 3. the scales, block by block, into the f32 outputs (a block behind 2).
  scf::ParallelOp::create(
      b, loc, ValueRange{ix.index(b, 0)}, ValueRange{ix.index(b, n / kLanes / tiles)},
      ValueRange{ix.index(b, 1)}, [&](OpBuilder &pb, Location, ValueRange ivs) {
        SmallVector<Value> tileIndex, firstRow;
        for (int64_t t = 0; t < tiles; ++t) {
          tileIndex.push_back(ix.add(pb, ix.mul(pb, ivs[0], tiles), ix.index(pb, t)));
          firstRow.push_back(ix.mul(pb, tileIndex[t], kLanes));
        }
        // Heap buffers (freed after the iteration): no stack growth once the
        // body is outlined.
        Value codeTiles = memref::AllocOp::create(
            pb, loc, MemRefType::get({tiles, steps, kAmxRows, kAmxStepBytes}, i8));
        // The layout interleaves `cols` tiles vector by vector: tile t is
        // column `col` of group `group`.
        SmallVector<Value> layoutGroup, layoutCol;
        for (int64_t t = 0; t < tiles; ++t) {
          layoutGroup.push_back(arith::DivUIOp::create(pb, loc, tileIndex[t], ix.index(pb, cols)));
          layoutCol.push_back(arith::RemUIOp::create(pb, loc, tileIndex[t], ix.index(pb, cols)));
        }
        buildCountedLoop(pb, loc, steps, {}, [&](OpBuilder &sb, Value step, ValueRange) {
          for (int64_t t = 0; t < tiles; ++t) {
            for (int64_t u = 0; u < vectorsPerStep; ++u) {
              Value v = ix.add(sb, ix.mul(sb, step, vectorsPerStep), ix.index(sb, u));
              Value slot = ix.add(sb, vectorSlotIndex(sb, loc, layoutGroup[t], vectorsPerRow, v, cols, 0),
                                  layoutCol[t]);
              Value offset = ix.mul(sb, slot, kVectorBytes);
              Value w = vector::LoadOp::create(sb, loc, byteType, codes, ValueRange{offset});
              prefetchStream(sb, loc, codes, offset);
              SmallVector<Value> field = fieldsOf(sb, w);
              for (int64_t i = 0; i < fields; ++i)
                vector::StoreOp::create(sb, loc, field[i], codeTiles,
                                        ValueRange{ix.index(sb, t), step,
                                                   ix.index(sb, u * fields + i), ix.index(sb, 0)});
            }
          }
          return SmallVector<Value>{};
        });
        // Phases 2 and 3 interleaved, one block apart: block b's sums go to
        // one of two slots while block b - 1's (stored a block's tdpbsud
        // before) are scaled into `ys` (the f32 outputs of the rows and
        // tiles, 4 KiB at most): the vector work overlaps the tile unit's,
        // and sums and outputs stay in L1 (12 KiB where keeping every
        // block's sums for a later pass took blocks x 4 KiB; the same
        // time, W4 ffn-up M = 128 10-11.5 ms either way).
        int64_t accs = groups * tiles;
        Value sums = memref::AllocOp::create(
            pb, loc, MemRefType::get({2, accs, kAmxRows, kAmxRows}, i32));
        Value ys = memref::AllocOp::create(pb, loc, MemRefType::get({accs, kAmxRows, kLanes}, f32));
        Value zeroF = arith::ConstantOp::create(pb, loc, pb.getZeroAttr(fType));
        int64_t rowStep = groups * kAmxRows;
        buildCountedLoop(pb, loc, m / rowStep, {}, [&](OpBuilder &gb, Value g, ValueRange) {
          Value row0 = ix.mul(gb, g, rowStep);
          auto slotOf = [&](OpBuilder &ob, Value blk) -> Value {
            return arith::RemUIOp::create(ob, loc, blk, ix.index(ob, 2));
          };
          auto multiply = [&](OpBuilder &ob, Value blk) {
            buildAmxBlockSums(ob, loc, acts, ix.mul(ob, g, groups), groups,
                              ix.mul(ob, blk, plan.block), plan.block, codeTiles, tiles, sums,
                              slotOf(ob, blk), ix.index(ob, 0));
          };
          // ys[a, r] += s_a (s_w (sum - z sum_q)), as the vpdpbusd form:
          // the same i32 sums, 16 weight rows per activation row.
          auto scale = [&](OpBuilder &ob, Value blk) {
            Value slot = slotOf(ob, blk), zero = ix.index(ob, 0);
            SmallVector<Value> paramsAt;
            for (int64_t t = 0; t < tiles; ++t)
              paramsAt.push_back(
                  blockParamsAt(ob, loc, p, tileIndex[t], blocks, blk, /*prefetch=*/false));
            // A loop over the 16 rows of each group: unrolled, the 64
            // scalings a block took a layer's compile to 0.56 s (0.44-0.48
            // with the loop, vpdpbusd's 0.36; the same speed).
            buildCountedLoop(ob, loc, kAmxRows, {}, [&](OpBuilder &rb, Value lane, ValueRange) {
              for (int64_t q = 0; q < groups; ++q) {
                Value row = ix.add(rb, row0, ix.add(rb, lane, ix.index(rb, q * kAmxRows)));
                auto [asVec, negSum, zSum] =
                    blockRowFactors(rb, loc, aScale, aSum, row, blk, p.uniformZero);
                for (int64_t t = 0; t < tiles; ++t) {
                  Value a = ix.index(rb, q * tiles + t);
                  Value dots =
                      vector::LoadOp::create(rb, loc, sumType, sums, ValueRange{slot, a, lane, zero});
                  Value y = vector::LoadOp::create(rb, loc, fType, ys, ValueRange{a, lane, zero});
                  y = scaleBlock(rb, loc, p, paramsAt[t], dots, asVec, negSum, zSum, y);
                  vector::StoreOp::create(rb, loc, y, ys, ValueRange{a, lane, zero});
                }
              }
              return SmallVector<Value>{};
            });
          };
          for (int64_t a = 0; a < accs; ++a)
            for (int64_t r = 0; r < kAmxRows; ++r)
              vector::StoreOp::create(gb, loc, zeroF, ys,
                                      ValueRange{ix.index(gb, a), ix.index(gb, r), ix.index(gb, 0)});
          // One loop of blocks + 1 steps, each body emitted once (a peeled
          // first multiply and last scaling doubled the scaling's code).
          buildCountedLoop(gb, loc, blocks + 1, {}, [&](OpBuilder &bb, Value blk, ValueRange) {
            Value more = arith::CmpIOp::create(bb, loc, arith::CmpIPredicate::ult, blk,
                                               ix.index(bb, blocks));
            scf::IfOp::create(bb, loc, more, [&](OpBuilder &tb, Location) {
              multiply(tb, blk);
              scf::YieldOp::create(tb, loc);
            });
            Value started = arith::CmpIOp::create(bb, loc, arith::CmpIPredicate::ne, blk,
                                                  ix.index(bb, 0));
            scf::IfOp::create(bb, loc, started, [&](OpBuilder &tb, Location) {
              scale(tb, arith::SubIOp::create(tb, loc, blk, ix.index(tb, 1)));
              scf::YieldOp::create(tb, loc);
            });
            return SmallVector<Value>{};
          });
          for (int64_t a = 0; a < accs; ++a) {
            int64_t t = a % tiles;
            for (int64_t r = 0; r < kAmxRows; ++r) {
              Value row = ix.add(gb, row0, ix.index(gb, (a / tiles) * kAmxRows + r));
              Value y = vector::LoadOp::create(
                  gb, loc, fType, ys, ValueRange{ix.index(gb, a), ix.index(gb, r), ix.index(gb, 0)});
              if (epilogue && *epilogue)
                y = applyStoreEpilogue(gb, loc, *epilogue, y, row, firstRow[t]);
              vector::StoreOp::create(gb, loc, y, out, ValueRange{row, firstRow[t]});
            }
          }
          return SmallVector<Value>{};
        });
      });
}

} // namespace

Value qcc::lowbit::buildInt8TileMatmul(OpBuilder &b, Location loc, Value lhs,
                                       const QTensorParts &weight, const Int8TilePlan &plan,
                                       RankedTensorType resultType,
                                       const StoreEpilogue *epilogue) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t k = lhsType.getShape().back();
  int64_t m = lhsType.getNumElements() / k;
  int64_t n = weight.type.getShape()[0];
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  // Codes already in the kernel's layout (lowbit-pack-layout) are used as
  // they are, their blob shared, with the tiles a vector interleaves;
  // row-major ones are repacked here.
  bool prepacked = weight.type.getLayoutKind() == LayoutKind::int8_tiles;
  std::optional<std::vector<uint8_t>> rowMajor;
  if (prepacked ? !constantCodesHaveBytes(weight, n * k * plan.codeBits / 8)
                : !(rowMajor = constantCodeBytes(weight, plan.codeBits)))
    return {};
  std::optional<DecodeTable> table;
  if (plan.decode != CodeDecode::None) {
    FailureOr<DecodeTable> built = buildDecodeTable(plan, weight);
    if (failed(built))
      return {};
    table = *built;
  }
  FailureOr<BlockParams> params =
      buildBlockParams(b, loc, weight, plan.signedCodes && !plan.signedDot, plan.codeBits, plan.block,
                       table ? table->unit : 1.0,
                       table                                    ? table->zeroShift
                       : plan.signedDot && !plan.signedCodes ? -128.0
                                                             : 0.0);
  if (failed(params))
    return {};
  int64_t cols = prepacked ? weight.type.getLayout().getTile()[0] / kLanes
                           : int8TileColumns(m, n, plan);
  Value codesConstant;
  if (prepacked) {
    codesConstant =
        codesAsBytesConstant(b, loc, weight, n * k * plan.codeBits / 8, "qcc_int8_tiles");
  } else {
    std::vector<char> tiles =
        packInt8Tiles(*rowMajor, n, k, plan.dense3 ? 3 : plan.bits, cols, plan.codeBits);
    codesConstant = resourceConstant(b, loc, RankedTensorType::get({int64_t(tiles.size())}, i8),
                                     "qcc_int8_tiles", tiles);
  }
  if (!codesConstant)
    return {};
  Value codes = readOnlyBuffer(b, loc, codesConstant);
  BlockParams p = *params;
  p.params = readOnlyBuffer(b, loc, p.params);
  QuantizedRows x = quantizeRows(b, loc, lhs, plan.block, 127.0f);
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, f32));
  TileBuilder tb(b, loc, plan);
  tb.buildDotLoops(x.codes, x.scale, x.sum, codes, p, table, out, m, n, k, cols, epilogue);
  return matrixAsResult(b, loc, out, resultType);
}
