//===- AmxTiles.h - GEMM steps on AMX tile registers ------------*- C++ -*-===//
//
// Used by int8-exact (AMX-INT8, buildAmxByteTiles below), by int8-gemm
// from 64 rows (packAmxRows, buildAmxBlockSums) and by the
// bf16-gemm kernel on CPUs with AMX-BF16 (Sapphire Rapids and later):
// one tdpbf16ps multiplies a 16 x 32 bf16 tile by a 32 x 16 one into 16 x 16
// f32 accumulators (8192 multiply-adds, 16x vdpbf16ps's).
//
// The decoded weight rows are the left tiles as they are (16 rows x 32
// elements, row-major); the activations are the right tiles, which AMX
// reads in pairs along K ("VNNI" order: row p of a tile holds elements
// 2p and 2p + 1 of 16 activation rows). Converting the activations once
// into that order costs M x K moves, against N x K for the weights, so
// the accumulators hold C^T (weight rows x activation rows) and are
// transposed as they are stored: M x N moves, once per output.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_AMXTILES_H
#define QCC_PASSES_AMXTILES_H

#include "mlir/IR/Builders.h"

namespace qcc::lowbit {

/// Rows of an AMX tile, activation rows per group.
constexpr int64_t kAmxRows = 16;
/// bf16 elements of K one tdpbf16ps consumes.
constexpr int64_t kAmxDepth = 32;

/// The [M, K] bf16 buffer `x` in AMX's pair order: a new buffer
/// [ceil(M / 16), K / 2, 32] whose [g, p, 2 i + j] is x[16 g + i, 2 p + j]
/// (zero past row M). K must be a multiple of kAmxDepth.
mlir::Value packAmxActivations(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                               int64_t m, int64_t k);

/// out[16 g + i, outCol + 16 c + n] = sum over k of
///   act[16 g + i, k] * w[k / 32, wRow + 16 c + n, k % 32]
/// for `groups` activation groups from `group` (i < 16, rows below `m`) and
/// `weightTiles` tiles of 16 weight rows (c), the accumulators in tile
/// registers across all of K. `packed` is packAmxActivations' buffer, `w`
/// the decoded bf16 weights tile-major, [K / 32, rows, 32] (each K step's
/// tile a contiguous KiB), `scratch` a [16, 16] f32 buffer for the
/// transposed stores. With `weightK` < k the activations are k / weightK
/// parts along K (activations split into bf16 terms) that each meet the
/// same weights: each weight tile is loaded once a K step for all parts;
/// with `colScales` (an [N] f32 buffer) each output column is multiplied
/// by its scale.
void buildAmxTileBlock(mlir::OpBuilder &b, mlir::Location loc, mlir::Value packed,
                       mlir::Value group, int64_t groups, mlir::Value w, mlir::Value wRow,
                       int64_t weightTiles, mlir::Value out, mlir::Value outCol,
                       mlir::Value scratch, int64_t m, int64_t k, int64_t weightK,
                       mlir::Value colScales, mlir::Value sums = mlir::Value(),
                       mlir::Value kBegin = mlir::Value(), int64_t kLength = 0);

/// With `sums` ([groups, tiles, 16, 16] f32: each accumulator as a tile
/// stores it, [weight row, activation row]) buildAmxTileBlock runs the K
/// slice [kBegin, kBegin + kLength) from and into them, `w` holding that
/// slice of the weights ([kLength / 32, rows, 32]);
/// storeAmxSums then writes out[16 g + i, outCol + 16 t + n] = sums[g, t,
/// n, i] (times colScales[...] when given) for the rows below m.
void storeAmxSums(mlir::OpBuilder &b, mlir::Location loc, mlir::Value sums, int64_t m,
                  int64_t tiles, mlir::Value out, mlir::Value outCol, mlir::Value colScales);

/// Bytes of K one tdpbusd consumes (a tile row of 64 bytes).
constexpr int64_t kAmxStepBytes = 64;

/// The int8-exact tiles on AMX-INT8 (passes/IntegerMatmul.cpp):
///   scratch[16 g + i, 16 t + j] = sum over k of
///     au[row / 16 + g, k / 64, i, k % 64] (unsigned: the activations
///     tile-major, each tile a contiguous KiB) * w[tile + t, k / 4, 4 j + k % 4]
/// (signed), exact in i32, for `groups` groups of 16 rows (`row` a multiple
/// of 16) and `tiles` weight
/// tiles of 16 columns ([N / 16, K / 4, 64], the VNNI tiles' layout, which
/// is AMX's right-hand tile order). K = kPad: a multiple of 64.
void buildAmxByteTiles(mlir::OpBuilder &b, mlir::Location loc, mlir::Value au, mlir::Value w,
                       mlir::Value row, int64_t groups, mlir::Value tile, int64_t tiles,
                       int64_t kPad, mlir::Value scratch);

/// The i8 [M, K] buffer `x` (M a multiple of 16, K of 64) as left-hand
/// tiles: [M / 16, K / 64, 16, 64], each tile a contiguous KiB. Tile loads
/// from the rows as they are stride K: at K = 4096 every row of a tile
/// falls in the same L1 set.
mlir::Value packAmxRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, int64_t m,
                        int64_t k);

/// int8-gemm's sums of one scale block on AMX-INT8 (tdpbsud), for
/// `groups` groups of 16 activation rows from group `group` and `tiles` tiles of 16
/// weight columns:
///   sums[blk, first + g * tiles + t, i, j] = sum over k in [k0, k0 + depth) of
///     acts[group + g, k / 64, i, k % 64] (signed)
///       * codes[t, k / 64, k % 64 / 4, 4 j + k % 4]
/// `acts` the activation bytes tile-major (packAmxRows); `codes` the
/// unsigned code bytes as right-hand tiles, one a 64-element step of K
/// ([tiles, K / 64, 16, 64]: 16 K quads of 16 columns x 4 bytes, the
/// int8_tiles layout's bit fields); `sums` i32 [slots, S, 16, 16], written
/// at slot `blk`. depth a multiple of kAmxStepBytes, or 16 or 32 (a block
/// inside one step: k0 a multiple of depth, narrower tiles); groups x tiles
/// accumulators at most 4 (with their operands, the 8 tile registers).
void buildAmxBlockSums(mlir::OpBuilder &b, mlir::Location loc, mlir::Value acts,
                       mlir::Value group, int64_t groups, mlir::Value k0, int64_t depth,
                       mlir::Value codes, int64_t tiles, mlir::Value sums, mlir::Value blk,
                       mlir::Value first);

} // namespace qcc::lowbit

#endif // QCC_PASSES_AMXTILES_H
