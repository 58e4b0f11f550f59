//===- LutTernary.h - what the two ternary lut forms share -------*- C++ -*-===//
//
// Ternary weights as groups of 3: a 4-bit index of the group's pattern up
// to sign (14 values) and a sign bit, looked up in per-group tables of the
// 14 sums of 3 activation codes (signed bytes), negated by the sign bit.
// passes/LutTernary.cpp holds the vpermb form (64-byte tables, AVX-512
// VBMI) and the parts both forms use; passes/LutTernaryPairs.cpp the
// vpshufb form (one group's table per 128-bit lane: AVX2, NEON's tbl).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_LUTTERNARY_H
#define QCC_PASSES_LUTTERNARY_H

#include "LutMatmul.h"

#include <array>
#include <vector>

namespace qcc::lowbit::ternary {

/// Elements of K a 64-byte table vector covers (4 groups of 3), and an
/// activation block (one activation scale, i32 sums widened once).
constexpr int64_t kPerTable = 12;
constexpr int64_t kBlock = 96;

/// K padded with zero weights to whole blocks.
inline int64_t paddedK(int64_t k) { return (k + kBlock - 1) / kBlock * kBlock; }

/// Index (0..13) and sign (true: negative) of every group of 3 ternary
/// weights (a, b, c), at (a + 1) + 3 (b + 1) + 9 (c + 1).
std::array<std::pair<uint8_t, bool>, 27> groupCodes();

/// The weight's constants read once: per row, ternary values and a scale.
struct TernaryRows {
  int64_t n = 0, k = 0;
  std::vector<uint8_t> packed; // the 2-bit codes as stored
  unsigned bits = 2;
  bool signedCodes = false;
  std::vector<double> zero;  // per row
  std::vector<float> scale;  // per row
  mutable std::vector<uint8_t> scratch; // one row's codes, reused by row()

  /// t[k] of row r into `out` (K values; entries past K left as they are).
  void row(int64_t r, std::vector<int8_t> &out) const;
};

/// The dot loops of the vpshufb form: out[m, n] = s_w[n] sum_blocks
/// s_a[m, blk] (sum of the block's lookups), from `tables` (i8 [M, K' / 12
/// * 64], entries 64 v + 16 g + i as buildTables writes them) and the
/// activation scales `aScale` (f32 [M, K' / 96]); the weight is packed here.
void buildPairsDotLoops(mlir::OpBuilder &b, mlir::Location loc, const TernaryRows &rows,
                        const LutPlan &plan, mlir::Value tables, mlir::Value aScale,
                        mlir::Value out, int64_t m, const StoreEpilogue *epilogue);

} // namespace qcc::lowbit::ternary

#endif // QCC_PASSES_LUTTERNARY_H
