//===- QTensorParts.h - a qtensor as plain tensors --------------*- C++ -*-===//
//
// Lowering takes a qtensor apart into the tensors it stands for: the codes
// (packed bytes from a lowbit.constant, or one code per element from a
// quantize/assemble), the scales, zero points, codebook and tensor scale.
// The helpers here build the scalar IR that reads one element's code and
// real value from those parts at given indices, inside linalg bodies.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_QTENSORPARTS_H
#define QCC_PASSES_QTENSORPARTS_H

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Builders.h"

#include <optional>
#include <vector>

namespace qcc::lowbit {

struct QTensorParts {
  QTensorType type;
  /// tensor<Bxi8> of packed bytes in `type`'s layout when `packed`; else a
  /// tensor of the qtensor's shape with one code per element (storage type,
  /// signless for integers: i4 for i4/ui4).
  mlir::Value codes;
  bool packed = false;
  mlir::Value scales;     // scale-shaped, scheme's scale type (may be null)
  mlir::Value zeroPoints; // scale-shaped, scheme's zero-point type (may be null)
  mlir::Value codebook;   // [2^b] or [rows, 2^b] (may be null)
  mlir::Value tensorScale; // f32 scalar (may be null)
};

/// The code of the element at `indices` as an i32: sign-extended for
/// signed integers and ternary, zero-extended otherwise (the raw bit
/// pattern for minifloats).
mlir::Value loadCode(mlir::OpBuilder &b, mlir::Location loc,
                     const QTensorParts &parts, mlir::ValueRange indices);

/// The zero point that applies at `indices` as an i32 (integer zero points)
/// or f32 (float ones); null without zero points.
mlir::Value loadZeroPoint(mlir::OpBuilder &b, mlir::Location loc,
                          const QTensorParts &parts, mlir::ValueRange indices);

/// The scale that applies at `indices` as f32, null without scales.
mlir::Value loadScale(mlir::OpBuilder &b, mlir::Location loc,
                      const QTensorParts &parts, mlir::ValueRange indices);

/// The real value of the element at `indices`, as f32.
mlir::Value decodeReal(mlir::OpBuilder &b, mlir::Location loc,
                       const QTensorParts &parts, mlir::ValueRange indices);

/// An unpacked code element (as read from `parts.codes`) as the i32 that
/// loadCode returns.
mlir::Value widenCode(mlir::OpBuilder &b, mlir::Location loc, const QTensorParts &parts,
                      mlir::Value element);

/// decodeReal of `code` (loadCode's i32) at `indices`.
mlir::Value decodeCode(mlir::OpBuilder &b, mlir::Location loc, const QTensorParts &parts,
                       mlir::Value code, mlir::ValueRange indices);

/// QuantizeLinear's saturation of a rounded f32 code `q` (a scalar) to [qmin, qmax],
/// NaN to code 0. With qmin = 0 (unsigned codes) as min(max(q, 0), qmax)
/// with the NaN-dropping maxnumf/minnumf: NaN gives the 0 operand, so the
/// clamp is two instructions (maxps keeps its second operand on NaN) where
/// the NaN-propagating maximumf/minimumf and a NaN select take six.
mlir::Value clampCode(mlir::OpBuilder &b, mlir::Location loc, mlir::Value q, int64_t qmin,
                      int64_t qmax);

/// The values of a constant tensor (through signless bitcasts) as doubles,
/// integers extended by `isSigned`; nullopt if it is not a constant.
std::optional<std::vector<double>> constantValues(mlir::Value value, bool isSigned);
std::optional<std::vector<double>> constantValues(mlir::ElementsAttr elements, bool isSigned);

/// False where some row of a constant (its elements as `rows` equal runs)
/// holds two different values, found in its raw bytes, decoding only the
/// elements that differ from their row's first; true otherwise (also where
/// the bytes cannot be read). A test before constantValues decodes every
/// element of a large grid (92M scales of a 1 GB model of W2 g32) only to
/// find its first row varies.
bool constantRowsMayBeUniform(mlir::ElementsAttr elements, int64_t rows, bool isSigned);

/// The ElementsAttr behind a constant tensor (through signless bitcasts).
std::optional<mlir::ElementsAttr> constantElements(mlir::Value value);

/// The raw little-endian bytes of a dense or resource ElementsAttr whose
/// element width is a whole number of bytes (or of packed i8 storage).
std::optional<std::vector<uint8_t>> constantBytes(mlir::ElementsAttr attr);

/// The raw little-endian bytes of a non-splat dense or resource ElementsAttr
/// of whole-byte elements, in place (no copy); nullopt otherwise.
std::optional<llvm::ArrayRef<char>> constantBytesInPlace(mlir::ElementsAttr attr);

/// The raw bytes of `attr` where they are (constantBytesInPlace), else a
/// copy kept in `copy` (a splat); nullopt where neither can be read.
std::optional<llvm::ArrayRef<uint8_t>> constantBytesOrCopy(mlir::ElementsAttr attr,
                                                         std::optional<std::vector<uint8_t>> &copy);

/// `w`'s constant codes as an i8 [bytes] arith.constant for a kernel that
/// reads them as they are (lowbit-pack-layout's tiles): the codes' resource
/// blob under the flat type, shared rather than copied (a 1 GB model's
/// weights were copied three times here); a copy where the codes are not a
/// resource. Null where they are not a constant of `bytes` bytes.
/// Whether `w`'s codes are a constant of exactly `bytes` bytes (what
/// codesAsBytesConstant needs), checked before a kernel builds anything.
bool constantCodesHaveBytes(const QTensorParts &w, int64_t bytes);

mlir::Value codesAsBytesConstant(mlir::OpBuilder &b, mlir::Location loc, const QTensorParts &w,
                                 int64_t bytes, llvm::StringRef name);

/// The bytes of `w`'s constant codes when they are exactly n x k x bits / 8
/// of them ([n, k] weight, `bits` per code, any of the packed layouts);
/// nullopt otherwise. What the tile kernels repack at compile time.
std::optional<std::vector<uint8_t>> constantCodeBytes(const QTensorParts &w, unsigned bits);

/// Whether lowering can read this qtensor's layout; fails with a reason.
mlir::LogicalResult checkLowerable(mlir::Operation *op, QTensorType type);

} // namespace qcc::lowbit

#endif // QCC_PASSES_QTENSORPARTS_H
