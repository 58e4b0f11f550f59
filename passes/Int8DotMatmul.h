//===- Int8DotMatmul.h - matmul on int8 activations and packed codes -*- C++ -*-===//
//
// The int8-dot kernel for MatMulNBits-shaped weights ([N, K] packed 1/2/4/8-bit
// integer codes, scales per block of K) when the model allows int8 compute
// (MatMulNBits accuracy_level 4): each activation row is quantized to int8 per
// weight block once, reordered so that one vector of packed weight bytes meets
// one vector of activations per bit field, and the block dot products run on
// byte-dot instructions (vpdpbusd with AVX-512 VNNI / AVX-VNNI, pmaddubsw +
// pmaddwd with AVX2 or AVX-512BW, portable vector code elsewhere). Scales and
// zero points apply once per block in f32.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_INT8DOTMATMUL_H
#define QCC_PASSES_INT8DOTMATMUL_H

#include "QTensorParts.h"

#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>

namespace qcc::lowbit {

/// The instruction that accumulates byte dot products.
enum class ByteDot {
  Vnni512,   // vpdpbusd zmm (AVX-512 VNNI)
  Vnni256,   // vpdpbusd ymm (AVX-512 VNNI + VL, or AVX-VNNI)
  Madd512,   // vpmaddubsw + vpmaddwd zmm (AVX-512BW), codes of <= 4 bits
  Madd256,   // vpmaddubsw + vpmaddwd ymm (AVX2), codes of <= 4 bits
  Sdot128,   // sdot on 16-byte lanes (AArch64 dotprod), codes of <= 7 bits read as signed
  Portable,  // extend, multiply, add: whatever the target's vectorizer makes
  FloatFma,  // f32 activations: codes converted to f32, FMAs (no int8)
};

llvm::StringRef stringifyByteDot(ByteDot dot);

/// How the kernel reads one weight: the code width, the scale block, and the
/// bytes of a row one dot instruction group consumes (16, 32 or 64).
struct Int8DotPlan {
  unsigned bits = 0;
  bool signedCodes = false;
  int64_t block = 0;
  int64_t chunkBytes = 0;
  ByteDot dot = ByteDot::Portable;
  /// FP8/FP4 codes (f32 activations only): decoded by decodeMinifloatLanes.
  mlir::FloatType minifloat;
  /// Codebook indices (f32 activations only: NF4, learned tables): each
  /// code's value looked up in the 16-entry table by lowbit.value_lookup
  /// with `lookup` ("vpermps" or "portable"), then scaled as integer codes.
  bool codebook = false;
  llvm::StringRef lookup = "portable";
  /// Lanes one vpermps looks up: 16 with AVX-512, 8 with AVX2 only.
  int64_t lookupLanes = 16;

  /// Whole-byte signed integer codes in f32 FMAs convert as they are
  /// (vpmovsxbd + vcvtdq2ps) instead of being read unsigned (sign bit
  /// flipped, 128 added to the zero point): one instruction less per 8
  /// weights.
  bool convertsSignedCodes() const {
    return dot == ByteDot::FloatFma && signedCodes && bits == 8 && !minifloat && !codebook;
  }
  /// Signed codes read as unsigned: each field's sign bit flipped, 2^(bits-1)
  /// added to the zero point.
  bool flipsSigns() const { return signedCodes && !convertsSignedCodes(); }
};

/// The f32 values `codebook` (a [2^bits] tensor of floats) gives a vector
/// of codes (one a byte, below 2^bits): lowbit.value_lookup on the table
/// widened to 16 entries. The table is read from `codebookBuffer` where it
/// is called, so kernels load it inside their parallel bodies. Vectors
/// wider than `maxLanes` (the instruction's width) are looked up in parts.
mlir::Value lookupCodebookLanes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value codes,
                                mlir::Value codebookBuffer, llvm::StringRef instruction,
                                int64_t maxLanes);

/// Whether decodeMinifloatLanes handles `type` (f8E4M3FN, f8E5M2, f4E2M1FN).
bool isDecodableMinifloat(mlir::FloatType type);

/// The f32 values of a vector of minifloat codes (raw bits, one a byte).
/// Without `rescale` they come out divided by minifloatRescale(format) (the
/// caller folds the factor into its scales: one multiply less a vector);
/// without `patchNaN` E4M3FN's NaN codes decode to a finite value (only for
/// codes minifloatCodesMayBeNaN has cleared).
mlir::Value decodeMinifloatLanes(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::Value codes, mlir::FloatType format,
                                 bool rescale = true, bool patchNaN = true);

/// The power of two decodeMinifloatLanes multiplies by after converting
/// through f16 (2^(15 - bias): 256 for E4M3FN, 1 for E5M2, 16384 for E2M1).
float minifloatRescale(mlir::FloatType format);

/// Whether `codes` (raw minifloat bytes) may hold a NaN code the decode
/// would have to patch: false for formats without one, and for constants
/// that hold none (the kernel then skips the compare and select).
bool minifloatCodesMayBeNaN(mlir::Value codes, mlir::FloatType format);

/// The target features a module was compiled for: the `qcc.target_features`
/// string attribute ("+avx2,+avx512vnni,...") on the enclosing module, which
/// the driver sets from the target machine. Empty when absent.
llvm::StringSet<> targetFeaturesOf(mlir::Operation *op);

/// The plan for `weight` times float `lhs` (`transposed`: weight is [N, K]),
/// or nullopt with the reason in `whyNot`. With `floatActivations` the
/// activations stay f32 (ByteDot::FloatFma: same layout and loops, codes
/// converted to f32 and multiplied in FMAs; exact up to f32 rounding).
std::optional<Int8DotPlan> planInt8Dot(QTensorType weight, mlir::Type lhsType,
                                       mlir::Type resultType, bool transposed,
                                       const llvm::StringSet<> &features,
                                       std::string &whyNot,
                                       bool floatActivations = false);

/// result[rows..., n] = lhs[rows..., :] . weight[n, :] in f32 through the
/// int8-dot kernel. `weight` must be packed.
mlir::Value buildInt8DotMatmul(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value lhs, const QTensorParts &weight,
                               const Int8DotPlan &plan,
                               mlir::RankedTensorType resultType);

} // namespace qcc::lowbit

#endif // QCC_PASSES_INT8DOTMATMUL_H
