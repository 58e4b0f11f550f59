//===- Int8TileMatmul.h - int8 GEMM on 16-row weight tiles -----*- C++ -*-===//
//
// The int8-gemm kernel (passes/Int8TileMatmul.cpp): int8-dot's numbers with
// the weight repacked at compile time into 16-row tiles, so that the scales
// apply once per block per 16 rows; chosen for several activation rows.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_INT8TILEMATMUL_H
#define QCC_PASSES_INT8TILEMATMUL_H

#include "Int8DotMatmul.h"
#include "StoreEpilogue.h"

namespace qcc::lowbit {

/// How 4-bit codes that are not integers become the unsigned bytes the byte
/// dot reads: through a 16-entry table (vpshufb), FP4 E2M1 values doubled
/// (exact: 0, +-1, ..., +-12) or a codebook's entries on an affine grid.
enum class CodeDecode { None, Fp4, Codebook };

struct Int8TilePlan {
  /// The width of a code's field in the tiles; `codeBits` that of the
  /// codes themselves, narrower where 3-bit codes are widened into 4-bit
  /// fields when the weight is repacked (no byte holds whole 3-bit fields).
  unsigned bits = 0;
  unsigned codeBits = 0;
  bool signedCodes = false;
  int64_t block = 0;
  ByteDot dot = ByteDot::Vnni512; // Vnni512/256 or Madd512/256
  /// 3-bit codes kept 3 bits wide in the tiles (AVX-512 VBMI with VNNI):
  /// a 16-row x 8-element step is 48 bytes, each pair of rows' 16 codes in
  /// 6 bytes; a vpermb spreads the pairs one to a 64-bit lane and two
  /// vpmultishiftqb cut the two 4-bit-field vectors' bytes (`bits` stays 4,
  /// the fields' shape).
  bool dense3 = false;
  /// AMX-INT8 (tdpbsud) from 64 activation rows, where M is a multiple of
  /// 16 and blocks are whole 64-byte tile rows: each 64 elements of a
  /// 16-row tile's bit fields become one right-hand tile, the activations
  /// (copied tile-major) the left ones.
  bool amx = false;
  /// 8-bit codes on pmaddubsw (no VNNI): u8 codes times int8 activations
  /// would saturate its i16 pairs, so the codes are read as s8 (code - 128,
  /// the zero point moved with them; signed codes as they are) and the dot
  /// is |w| . sign_bytes(a, w): pairs of at most 2 x 128 x 127.
  bool signedDot = false;
  CodeDecode decode = CodeDecode::None;
};

/// The shortest scale block int8-gemm runs on AMX tiles (one tdpbsud of 16
/// rows x 32 bytes a block); shorter ones stay on vpdpbusd.
constexpr int64_t kInt8AmxMinBlock = 32;

/// The plan for constant `weight` times float `lhs`, or nullopt with the
/// reason in `whyNot`.
std::optional<Int8TilePlan> planInt8Tiles(QTensorType weight, mlir::Type lhsType,
                                          mlir::Type resultType, bool transposed,
                                          const llvm::StringSet<> &features, std::string &whyNot);

/// 16-row tiles a kernel iteration reads for M activation rows and N weight
/// rows with `plan` (those the int8_tiles layout interleaves).
int64_t int8TileColumns(int64_t m, int64_t n, const Int8TilePlan &plan);

/// Row-major packed `codeBits`-bit codes of an [n, k] weight as the bytes
/// of `#lowbit.layout<int8_tiles = [16 cols, 32 / bits]>` (bits-wide fields;
/// codeBits = 0: the same width), or with bits = 3 the dense 3-bit tiles of
/// Int8TilePlan::dense3 (and 16 bytes past the last step, which its 64-byte
/// loads read).
std::vector<char> packInt8Tiles(llvm::ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k,
                                unsigned bits, int64_t cols, unsigned codeBits = 0);
/// The same for bits 1, 2, 4 and 8 into `out` (n x k x bits / 8 bytes,
/// overwritten; codeBits: as there, 0 not allowed).
void packInt8TilesInto(llvm::ArrayRef<uint8_t> rowMajor, int64_t n, int64_t k, unsigned bits,
                       int64_t cols, unsigned codeBits, llvm::MutableArrayRef<char> out);

/// result[rows..., n] = lhs[rows..., :] . weight[n, :] in f32; null if the
/// weight's codes, scales or zero points are not constants.
mlir::Value buildInt8TileMatmul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                                const QTensorParts &weight, const Int8TilePlan &plan,
                                mlir::RankedTensorType resultType,
                                const StoreEpilogue *epilogue = nullptr);

} // namespace qcc::lowbit

#endif // QCC_PASSES_INT8TILEMATMUL_H
