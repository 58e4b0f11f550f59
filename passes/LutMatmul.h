//===- LutMatmul.h - T-MAC-style table-lookup matmul ------------*- C++ -*-===//
//
// The lut kernel for MatMulNBits-shaped weights ([N, K] packed 1/2/4-bit
// integer codes, constant, scales per block of K): instead of multiplying
// each weight, it precomputes for every group of 4 activations the 16 sums
// any 4 bits can select, and lets each bit-plane nibble of the weights pick
// one with a byte shuffle (vpermb). A lookup does the work of 4 weight bits,
// so time falls with the bit width: one plane for W1, two for W2.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_LUTMATMUL_H
#define QCC_PASSES_LUTMATMUL_H

#include "Int8DotMatmul.h"
#include "StoreEpilogue.h"

#include <array>

namespace qcc::lowbit {

struct LutPlan {
  unsigned bits = 0;
  bool signedCodes = false;
  /// Elements of K per scale.
  int64_t block = 0;
  /// How the 64 lookups of a vector are summed into 16 i32 lanes (Vnni512,
  /// Madd512 or Portable).
  ByteDot dot = ByteDot::Portable;
  /// vpermb (AVX-512 VBMI), else one lane at a time.
  bool vpermb = false;
  /// Ternary weights (2-bit codes minus zero points all in {-1, 0, 1}, one
  /// scale a row): groups of 3 as a 4-bit index into 14 sums and a sign,
  /// 1.67 bits a weight, instead of 2 bit-planes.
  bool ternary = false;
  /// AVX2 without AVX-512 VBMI, or AArch64 NEON, 1- and 2-bit codes and
  /// ternary groups: 16-row tiles of nibbles looked up in one group's
  /// 16-entry table per 128-bit lane (vpshufb, tbl), pairs of lookups added
  /// into i16 lanes (vpmaddubsw; NEON: widening multiplies and pairwise
  /// adds) (passes/LutPairs.cpp, passes/LutTernaryPairs.cpp).
  bool pshufbPairs = false;
  /// The pairs form's lowbit.table_lookup and i16 lowbit.byte_dot
  /// instructions: "vpshufb" and "pmaddubsw" on x86, "tbl" and "portable"
  /// on AArch64.
  llvm::StringRef pairLookup = "vpshufb", pairDot = "pmaddubsw";
  /// The ternary pairs form's lowbit.blend_bytes (signs from bits):
  /// "vpblendvb" on x86, "portable" on AArch64.
  llvm::StringRef pairBlend = "vpblendvb";
};

/// The plan for ternary weights: `codes`, `scales` and `zeros` (may be
/// null) are the weight's constants. Nullopt with the reason in `whyNot`
/// unless every code minus its zero point is -1, 0 or 1 and each row has
/// one scale.
std::optional<LutPlan> planTernaryLut(QTensorType weight, mlir::ElementsAttr codes,
                                      mlir::ElementsAttr scales, mlir::ElementsAttr zeros,
                                      mlir::Type lhsType, mlir::Type resultType,
                                      bool transposed, const llvm::StringSet<> &features,
                                      std::string &whyNot);

/// The plan for `weight` (which must be a constant: the kernel repacks it)
/// times float `lhs`, or nullopt with the reason in `whyNot`.
std::optional<LutPlan> planLut(QTensorType weight, mlir::Type lhsType, mlir::Type resultType, bool transposed,
                               const llvm::StringSet<> &features, std::string &whyNot);

/// result[rows..., n] = lhs[rows..., :] . weight[n, :] in f32 through the
/// lut kernel; the weight is repacked into bit-plane tiles at compile time.
/// Null if the weight's codes, scales or zero points are not constants.
mlir::Value buildLutMatmul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                           const QTensorParts &weight, const LutPlan &plan,
                           mlir::RankedTensorType resultType,
                           const StoreEpilogue *epilogue = nullptr);

/// The same for plan.pshufbPairs (passes/LutPairs.cpp).
mlir::Value buildLutPairsMatmul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                                const QTensorParts &weight, const LutPlan &plan,
                                mlir::RankedTensorType resultType,
                                const StoreEpilogue *epilogue = nullptr);

/// The same for plan.ternary (passes/LutTernary.cpp).
mlir::Value buildTernaryLutMatmul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                                  const QTensorParts &weight, const LutPlan &plan,
                                  mlir::RankedTensorType resultType,
                                  const StoreEpilogue *epilogue = nullptr);

namespace lut {
/// Weight rows a vector of i32 lanes covers, and bytes of one vector.
constexpr int64_t kLanes = 16;
constexpr int64_t kVectorBytes = 64;
/// The offset that makes a table entry an unsigned byte.
constexpr int64_t kTableOffset = 128;

/// A constant tensor in a resource blob (not uniqued context storage), so
/// that the driver can stream it to the weights object and free it.
mlir::Value resourceConstant(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType type, llvm::StringRef name,
                             llvm::ArrayRef<char> data);

/// acc[i] + sum_{j < 4} entries[4 i + j] * weights[4 i + j] (u8 x s8) with
/// the plan's byte-dot instruction.
mlir::Value sumQuads(mlir::OpBuilder &b, mlir::Location loc, const LutPlan &plan,
                     mlir::Value acc, mlir::Value entries, mlir::Value weights);

/// table[indices mod 64] with vpermb or lane at a time.
mlir::Value lookup(mlir::OpBuilder &b, mlir::Location loc, const LutPlan &plan,
                   mlir::Value table, mlir::Value indices);

/// The checks and target facts the lut kernels share (shapes, types, N a
/// multiple of 16, vpermb and the byte-dot instruction); bits and blocks
/// are left to the caller. Codebooks and tensor scales only with
/// `decodedCodes` (a kernel that maps codes through a table first).
std::optional<LutPlan> planTarget(QTensorType weight, mlir::Type lhsType, mlir::Type resultType,
                                  bool transposed, const llvm::StringSet<> &features,
                                  std::string &whyNot, bool decodedCodes = false);

/// Sets plan.pshufbPairs (with its lookup and byte-dot instructions) where
/// the target looks up 16 entries per 128-bit lane and has no vpermb:
/// AVX2 without VBMI, AArch64 NEON.
void choosePairsForm(LutPlan &plan, const llvm::StringSet<> &features);

/// The pairs forms' lookups of 16 rows x 2 groups per 128-bit lane (W1,
/// ternary): the shuffle positions that interleave two 32-byte lookup
/// vectors byte by byte within each lane, [0] for rows 0-7, [1] for rows
/// 8-15, so that vpmaddubsw adds a row's two lookups into one i16 lane.
std::array<llvm::SmallVector<int64_t>, 2> pairInterleave();

/// The i16 sums of 16 rows from the pairs forms' two halves: `low` holds
/// rows 0-7 of the low 128-bit lane's groups in lanes 0-7 and of the high
/// lane's in 8-15, `high` the same for rows 8-15.
mlir::Value addLaneHalves(mlir::OpBuilder &b, mlir::Location loc, mlir::Value low,
                          mlir::Value high);

/// The register tile for M activation rows and N weight rows: `rows`
/// activation rows x `cols` 16-row weight tiles (8 independent vpdpbusd
/// chains with a low and a high accumulator each).
struct Tiling {
  int64_t rows, cols;
};
Tiling tiling(int64_t m, int64_t n);
/// The same, with the row tiles a lut_planes layout already fixed.
Tiling tilingFor(int64_t m, QTensorType weight);

/// Row-major packed 1/2/4-bit codes of an [n, k] weight in the lut_planes
/// layout with `cols` 16-row tiles interleaved (the bytes of
/// `#lowbit.layout<lut_planes = [16 cols, 32 / bits]>`).
std::vector<char> packLutPlanes(llvm::ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k,
                                unsigned bits, int64_t cols);
/// The same into `tiles` (n x k x bits / 8 bytes, overwritten).
void packLutPlanesInto(llvm::ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k, unsigned bits,
                       int64_t cols, llvm::MutableArrayRef<char> tiles);

/// Where the weight vector `s` of 16-row tile `t` is stored, in vectors:
/// the `cols` tiles a kernel iteration reads are interleaved vector by
/// vector, so that it reads one sequential stream.
inline int64_t vectorSlot(const Tiling &tiling, int64_t vectorsPerRow, int64_t t, int64_t s) {
  return ((t / tiling.cols) * vectorsPerRow + s) * tiling.cols + t % tiling.cols;
}

/// vectorSlot in IR, as a kernel walks the layout: vector `vector` of the
/// tile group `group` (t / cols), tile column `col` (t % cols).
mlir::Value vectorSlotIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value group,
                            int64_t vectorsPerRow, mlir::Value vector, int64_t cols, int64_t col);

/// Per-block weight parameters of each 16-row tile, [N / 16, blocks, P, 16]
/// f32 with P = 2 (s_w, then s_w z) or P = 1 (s_w, where one zero point z,
/// `uniformZero`, serves the whole weight): one 16-row vector load each, one
/// sequential stream as a kernel walks a tile's blocks. Signed codes count
/// as unsigned (code + 2^(bits-1), the zero point moved with them).
/// Codes mapped through a table before the byte dot (int8-gemm's FP4 and
/// codebook weights) read as u = code-value / `unit` + `zeroShift`: the
/// scales are multiplied by `unit` and the zero points moved by
/// `zeroShift`.
struct BlockParams {
  mlir::Value params;
  bool zeroPoints = false;
  double uniformZero = 0.0;
};
mlir::FailureOr<BlockParams> buildBlockParams(mlir::OpBuilder &b, mlir::Location loc,
                                              const QTensorParts &w, bool signedCodes,
                                              unsigned bits, int64_t block, double unit = 1.0,
                                              double zeroShift = 0.0);

/// The loop nest the 16-row tile kernels share: scf.parallel over groups of
/// `cols` 16-row weight tiles; in each, steps of `rows` activation rows;
/// in each, a loop over the `blocks` scale blocks of K carrying one f32
/// vector per (tile col, activation row r), index col * rows + r, which
/// `blockBody` updates; `finish` (optional) maps each final vector before
/// it is stored to out[row, first weight row of the tile ...+16], then the
/// matmul's bias and epilogue (`epilogue`, optional) apply.
struct TileIndices {
  mlir::Value group;                         // the parallel iteration
  llvm::SmallVector<mlir::Value> tileIndex;  // per col: the 16-row tile
  llvm::SmallVector<mlir::Value> firstRow;   // per col: its first weight row
  llvm::SmallVector<mlir::Value> rowIndex;   // per r: the activation row
};
using TileBlockBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Value blk, mlir::ValueRange y, const TileIndices &)>;
using TileFinish = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Value y, int64_t col,
                                                  const TileIndices &)>;
void buildTileLoops(mlir::OpBuilder &b, mlir::Location loc, mlir::Value out, int64_t m,
                    int64_t n, int64_t rows, int64_t cols, int64_t blocks,
                    TileBlockBody blockBody, TileFinish finish = nullptr,
                    const StoreEpilogue *epilogue = nullptr);

/// Where tile `tileIndex`'s parameters for block `blk` start in p.params.
/// With `prefetch` (a weight stream: M <= kStreamPrefetchMaxRows) the
/// parameter stream is prefetched streamPrefetchBytes ahead as well: it is
/// a second sequential stream whose 4 KiB page ends the hardware prefetcher
/// stops at, like the codes'.
mlir::Value blockParamsAt(mlir::OpBuilder &b, mlir::Location loc, const BlockParams &p,
                          mlir::Value tileIndex, int64_t blocks, mlir::Value blk, bool prefetch);

/// y + s_a (s_w (sums - z sum_q)) for one block, 16 weight rows: `dots` the
/// block's i32 sums, s_w (and s_w z where p.zeroPoints) loaded from the
/// parameter stream at `paramsAt`; `asVec`, `negSum` (-sum_q) and `zSum` (z
/// sum_q for p.uniformZero, else null) broadcast per activation row.
mlir::Value scaleBlock(mlir::OpBuilder &b, mlir::Location loc, const BlockParams &p,
                       mlir::Value paramsAt, mlir::Value dots, mlir::Value asVec,
                       mlir::Value negSum, mlir::Value zSum, mlir::Value y);

/// asVec, negSum and zSum of scaleBlock for activation row `row`, block `blk`.
std::array<mlir::Value, 3> blockRowFactors(mlir::OpBuilder &b, mlir::Location loc,
                                           mlir::Value aScale, mlir::Value aSum, mlir::Value row,
                                           mlir::Value blk, double uniformZero);

/// For each activation row of `codes` (i8 [M, K], within +-31) and group g
/// of 4 elements: tables[m, 16 g + i] = 128 + the sum of the group's codes
/// whose bit is set in i (i8 [M, 4 K]).
void buildGroupTables(mlir::OpBuilder &b, mlir::Location loc, mlir::Value codes,
                      mlir::Value tables, int64_t m, int64_t k);

/// Activations are quantized to [-kLutQMax, kLutQMax] for the lut kernels:
/// four of them sum into a table byte.
constexpr float kLutQMax = 31.0f;

/// A constant byte vector.
mlir::Value byteVector(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<int8_t> values);
} // namespace lut

} // namespace qcc::lowbit

#endif // QCC_PASSES_LUTMATMUL_H
