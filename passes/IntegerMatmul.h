//===- IntegerMatmul.h - exact i32 matmul of int8 codes ---------*- C++ -*-===//
//
// The int8-exact kernel: ONNX MatMulInteger and QLinearMatMul multiply
// 8-bit codes that the graph already quantized (DynamicQuantizeLinear,
// QuantizeLinear) by constant 8-bit weights into exact i32 sums of
// (a - a_zero)(w - w_zero).
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_INTEGERMATMUL_H
#define QCC_PASSES_INTEGERMATMUL_H

#include "Int8DotMatmul.h"
#include "QTensorParts.h"
#include "StoreEpilogue.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>

namespace qcc::lowbit {

struct IntegerMatmulPlan {
  /// Vnni512 / Vnni256 (vpdpbusd) or Portable (widening multiply-adds:
  /// vpmaddubsw's i16 pair sums would saturate on 8-bit codes).
  ByteDot dot = ByteDot::Portable;
  /// Bytes of K one dot instruction consumes per row.
  int64_t chunk = 0;
  bool lhsSigned = false, rhsSigned = false;
  /// Several activation rows on AVX-512 VNNI: the weight repacked into
  /// 16-row tiles (lane r of a 64-byte vector holds 4 consecutive codes of
  /// row r), activation quads broadcast, no horizontal sums.
  bool tiles = false;
  /// The tiles on AVX2 without VNNI (with `tiles`):
  /// activation codes split into high and low nibbles, each multiplied by
  /// the int8 tiles with vpmaddubsw (exact: pairs of products fit in i16),
  /// the weight kept at one byte a code.
  bool splitCodes = false;
  /// The tiles on AMX-INT8 (with `tiles`): 16 activation rows x 64 bytes
  /// of K times 16 tile columns a tdpbusd (16 x 16 x 64), i32 accumulators
  /// in tile registers across K, through a scratch into the same
  /// corrections and stores. M a multiple of 16, K of at least 1024 (where
  /// it measured faster than the VNNI tiles).
  bool amx = false;
};

/// The plan for integer codes `lhsType` (a qtensor of 8-bit codes, zero
/// points per tensor or per row, no scales) times the 8-bit `weight` (per
/// tensor or per column zero points, no scales; [N, K] when `transposed`)
/// into i32, or nullopt with the reason in `whyNot`.
std::optional<IntegerMatmulPlan> planIntegerMatmul(mlir::Type lhsType, QTensorType weight,
                                                   mlir::Type resultType, bool transposed,
                                                   const llvm::StringSet<> &features,
                                                   std::string &whyNot);

/// The exact i32 product (result of `resultType`); the weight's codes and
/// zero points must be constants (they are transposed and folded into
/// column sums at compile time). Fails when they are not. With `epilogue`
/// (scaled results on tiles only: `appliesStoreEpilogue`) the bias and
/// epilogue run on each vector before the store and the result has
/// `finalType` (the epilogue's element type).
mlir::FailureOr<mlir::Value> buildIntegerMatmul(mlir::OpBuilder &b, mlir::Location loc,
                                                const QTensorParts &lhs,
                                                const QTensorParts &weight,
                                                const IntegerMatmulPlan &plan,
                                                mlir::RankedTensorType resultType,
                                                bool transposed,
                                                const StoreEpilogue *epilogue = nullptr,
                                                mlir::RankedTensorType finalType = {});

/// Whether buildIntegerMatmul applies a store epilogue for this plan and
/// accumulator type (the tiles, f32 scaled codes or i32 integer sums).
bool appliesStoreEpilogue(const IntegerMatmulPlan &plan, mlir::RankedTensorType resultType);

} // namespace qcc::lowbit

#endif // QCC_PASSES_INTEGERMATMUL_H
