//===- FormatKind.h - Element format descriptors ---------------*- C++ -*-===//
//
// A compact (kind, bit width) descriptor of every element format qcc stores,
// used by the dialect (type parameters), the importer and the runtime to size
// buffers. Scales of block formats are not counted here.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_FORMATKIND_H
#define QCC_FORMATS_FORMATKIND_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace qcc::formats {

class MiniFloatFormat;

enum class FormatKind : uint8_t {
  SignedInt,    ///< two's complement, 1-8 or 16 bits
  UnsignedInt,  ///< 1-8 or 16 bits
  Ternary2,     ///< {-1,0,1} in 2-bit codes
  TernaryBase3, ///< {-1,0,1}, 5 trits per byte (1.6 bits)
  Float8E4M3FN,
  Float8E4M3FNUZ,
  Float8E5M2,
  Float8E5M2FNUZ,
  Float6E2M3FN,
  Float6E3M2FN,
  Float4E2M1FN,
  Float8E8M0FNU,
  NF4,      ///< 4-bit index into kNF4Values
  Codebook, ///< b-bit index into a 2^b-entry table, b = 1..8
};

/// An element format: a kind plus, for integers and codebooks, a width.
struct ElementFormat {
  FormatKind kind = FormatKind::SignedInt;
  /// Bits per code: chosen for SignedInt/UnsignedInt/Codebook, implied by
  /// the kind otherwise (get() fills it in); 0 for TernaryBase3, which is
  /// not bit-packed (see bitsPerElement()).
  unsigned width = 8;

  static ElementFormat get(FormatKind kind);
  static ElementFormat getSignedInt(unsigned bits) {
    return {FormatKind::SignedInt, bits};
  }
  static ElementFormat getUnsignedInt(unsigned bits) {
    return {FormatKind::UnsignedInt, bits};
  }
  static ElementFormat getCodebook(unsigned bits) {
    return {FormatKind::Codebook, bits};
  }

  /// Storage bits per element: the code width, 1.6 for TernaryBase3.
  double bitsPerElement() const;
  /// Bytes of `numElements` packed codes: ceil(N*b/8), ceil(N/5) for
  /// TernaryBase3.
  size_t packedByteCount(size_t numElements) const;
  /// The minifloat of a Float* kind; std::nullopt otherwise.
  std::optional<MiniFloatFormat> getMiniFloat() const;
  /// True when width is legal for the kind.
  bool isValid() const;

  /// Short name: "i4", "u8", "ternary2", "ternary1.6", "f8E4M3FN" (MLIR
  /// spelling for the minifloats), "nf4", "cb3".
  std::string getName() const;
  /// Inverse of getName(); std::nullopt for an unknown or invalid name.
  static std::optional<ElementFormat> parse(const std::string &name);

  bool operator==(const ElementFormat &o) const {
    return kind == o.kind && width == o.width;
  }
  bool operator!=(const ElementFormat &o) const { return !(*this == o); }
};

} // namespace qcc::formats

#endif // QCC_FORMATS_FORMATKIND_H
