//===- BlockScaling.h - Per-group scaled quantization ----------*- C++ -*-===//
//
// Generic group quantization: a tensor is split into groups of `groupSize`
// consecutive elements (the last group may be shorter); each group has one
// float scale (and for asymmetric integers one zero point), and its elements
// are coded in an element format:
//
//   x ~= scale * decode(code)                   (symmetric)
//   x ~= scale * (int(code) - zeroPoint)        (asymmetric integers)
//
// Scales come from the group's max |x| (or min/max), optionally shrunk by an
// error-optimal clipping search.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_BLOCKSCALING_H
#define QCC_FORMATS_BLOCKSCALING_H

#include "qcc/Formats/Codebook.h"
#include "qcc/Formats/Integer.h"
#include "qcc/Formats/MiniFloat.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace qcc::formats {

/// The element format of a scaled group. Codes are raw bit patterns of
/// bitWidth() bits, ready for packBits.
class ElementCoder {
public:
  enum class Kind : uint8_t { Integer, MiniFloat, Ternary, Codebook };

  static ElementCoder getInteger(IntegerFormat fmt);
  /// Elements are encoded with saturation.
  static ElementCoder getMiniFloat(const MiniFloatFormat &fmt);
  /// Trits {-1, 0, +1} in the 2-bit code (see Ternary.h).
  static ElementCoder getTernary();
  static ElementCoder getCodebook(const Codebook &book);

  Kind getKind() const { return kind; }
  unsigned bitWidth() const;
  /// Largest magnitude of the symmetric grid: amax maps onto it, so
  /// scale = amax / getMaxMagnitude(). Signed integers use 2^(b-1)-1 (1 for
  /// 1 bit) and saturate to [qmin, qmax] as quantizeLinear does.
  double getMaxMagnitude() const;
  /// Code of `v` (already divided by the scale, zero point not yet added).
  uint8_t encode(double v) const;
  /// Value of a code (integers: the signed/unsigned integer value).
  double decode(uint8_t code) const;
  const IntegerFormat &getIntegerFormat() const { return intFmt; }

private:
  ElementCoder(Kind kind) : kind(kind) {}
  Kind kind;
  IntegerFormat intFmt;
  MiniFloatFormat floatFmt = kFloat8E4M3FN;
  std::optional<Codebook> book;
};

/// How group scales are chosen.
struct ScaleOptions {
  /// Integers only: use min/max (range widened to contain 0) with a zero
  /// point instead of symmetric max |x|. Required for unsigned integers.
  bool asymmetric = false;
  /// Number of clipping ratios tried, evenly spaced from 1.0 down to
  /// minClipRatio (1 = plain max-abs / min-max, no search).
  unsigned clipSearchSteps = 1;
  float minClipRatio = 0.5f;
};

/// Result of quantizeGroups.
struct GroupQuantized {
  std::vector<uint8_t> codes;      ///< One raw code per element.
  std::vector<float> scales;       ///< One per group.
  std::vector<int32_t> zeroPoints; ///< One per group (0 when symmetric).
  double squaredError = 0;         ///< Sum over elements of (x - x~)^2.
};

/// Number of groups of `groupSize` covering `n` elements: ceil(n/groupSize).
size_t groupCount(size_t n, size_t groupSize);

/// Quantizes `x[0..n)` in groups. Per group: amax = max |x| (NaN ignored);
/// scale = ratio * amax / coder.getMaxMagnitude() for the ratio (from the
/// clipping grid) with the least squared error; the first (largest) ratio
/// wins ties, so ratio 1 is kept unless another is strictly better, and the
/// search is never worse than plain max-abs. An all-zero group gets scale 1.
/// Asymmetric integers: lo = min(min x, 0), hi = max(max x, 0), scaled by
/// the ratio; scale = (hi - lo) / (qmax - qmin), zeroPoint = saturate(
/// roundHalfToEven(qmin - lo / scale)).
GroupQuantized quantizeGroups(const float *x, size_t n, size_t groupSize,
                              const ElementCoder &coder,
                              const ScaleOptions &options = {});

/// Reconstructs the n values of `q`.
std::vector<float> dequantizeGroups(const GroupQuantized &q, size_t n,
                                    size_t groupSize,
                                    const ElementCoder &coder);

} // namespace qcc::formats

#endif // QCC_FORMATS_BLOCKSCALING_H
