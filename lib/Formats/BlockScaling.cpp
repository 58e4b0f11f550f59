//===- BlockScaling.cpp - Per-group scaled quantization -------------------===//

#include "qcc/Formats/BlockScaling.h"

#include "qcc/Formats/Ternary.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace qcc::formats {

//===----------------------------------------------------------------------===//
// ElementCoder
//===----------------------------------------------------------------------===//

ElementCoder ElementCoder::getInteger(IntegerFormat fmt) {
  assert(fmt.bitWidth >= 1 && fmt.bitWidth <= 8 && "group codes are <= 8 bits");
  ElementCoder coder(Kind::Integer);
  coder.intFmt = fmt;
  return coder;
}

ElementCoder ElementCoder::getMiniFloat(const MiniFloatFormat &fmt) {
  ElementCoder coder(Kind::MiniFloat);
  coder.floatFmt = fmt;
  return coder;
}

ElementCoder ElementCoder::getTernary() { return ElementCoder(Kind::Ternary); }

ElementCoder ElementCoder::getCodebook(const Codebook &book) {
  assert(book.isValid() && "invalid codebook");
  ElementCoder coder(Kind::Codebook);
  coder.book = book;
  return coder;
}

unsigned ElementCoder::bitWidth() const {
  switch (kind) {
  case Kind::Integer:
    return intFmt.bitWidth;
  case Kind::MiniFloat:
    return floatFmt.bitWidth();
  case Kind::Ternary:
    return 2;
  case Kind::Codebook:
    return book->bitWidth();
  }
  return 0;
}

double ElementCoder::getMaxMagnitude() const {
  switch (kind) {
  case Kind::Integer:
    return std::max(intFmt.maxValue(), 1);
  case Kind::MiniFloat:
    return floatFmt.getMaxFinite();
  case Kind::Ternary:
    return 1;
  case Kind::Codebook:
    return book->getMaxMagnitude();
  }
  return 1;
}

static int32_t roundAndClamp(double v, int32_t lo, int32_t hi) {
  if (std::isnan(v))
    return std::clamp(0, lo, hi);
  double r = roundHalfToEven(v);
  if (r <= lo)
    return lo;
  if (r >= hi)
    return hi;
  return static_cast<int32_t>(r);
}

uint8_t ElementCoder::encode(double v) const {
  switch (kind) {
  case Kind::Integer:
    return static_cast<uint8_t>(intFmt.toRawBits(
        roundAndClamp(v, intFmt.minValue(), intFmt.maxValue())));
  case Kind::MiniFloat:
    return floatFmt.encode(v, /*saturate=*/true);
  case Kind::Ternary:
    return encodeTrit2(roundAndClamp(v, -1, 1));
  case Kind::Codebook:
    return book->encode(static_cast<float>(v));
  }
  return 0;
}

double ElementCoder::decode(uint8_t code) const {
  switch (kind) {
  case Kind::Integer:
    return intFmt.fromRawBits(code);
  case Kind::MiniFloat:
    return floatFmt.decodeToDouble(code);
  case Kind::Ternary:
    return decodeTrit2(code);
  case Kind::Codebook:
    return book->decode(code);
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// Group quantization
//===----------------------------------------------------------------------===//

size_t groupCount(size_t n, size_t groupSize) {
  return (n + groupSize - 1) / groupSize;
}

namespace {
/// Scale and zero point of one group, with the codes they give.
struct GroupChoice {
  float scale = 1;
  int32_t zeroPoint = 0;
};
} // namespace

static float reconstruct(const ElementCoder &coder, uint8_t code,
                         GroupChoice choice) {
  double q = coder.decode(code);
  return static_cast<float>((q - choice.zeroPoint) * choice.scale);
}

static void encodeGroup(const float *x, size_t len, const ElementCoder &coder,
                        GroupChoice choice, uint8_t *codes) {
  const IntegerFormat &fmt = coder.getIntegerFormat();
  for (size_t i = 0; i < len; ++i) {
    double v = static_cast<double>(x[i]) / choice.scale;
    if (coder.getKind() != ElementCoder::Kind::Integer) {
      codes[i] = coder.encode(v);
      continue;
    }
    // Integers add the zero point; NaN quantizes to it (as quantizeLinear).
    int32_t q = std::isnan(v)
                    ? choice.zeroPoint
                    : roundAndClamp(roundHalfToEven(v) + choice.zeroPoint,
                                    fmt.minValue(), fmt.maxValue());
    codes[i] = static_cast<uint8_t>(fmt.toRawBits(q));
  }
}

static double groupError(const float *x, size_t len, const ElementCoder &coder,
                         GroupChoice choice, const uint8_t *codes) {
  double error = 0;
  for (size_t i = 0; i < len; ++i) {
    if (!std::isfinite(x[i]))
      continue;
    double d = static_cast<double>(x[i]) - reconstruct(coder, codes[i], choice);
    error += d * d;
  }
  return error;
}

/// Scale (and zero point) for clipping ratio `ratio` of the group range.
static GroupChoice chooseScale(float lo, float hi, double ratio,
                               const ElementCoder &coder, bool asymmetric) {
  GroupChoice choice;
  if (!asymmetric) {
    double amax = std::max(std::fabs(lo), std::fabs(hi)) * ratio;
    if (amax > 0)
      choice.scale = static_cast<float>(amax / coder.getMaxMagnitude());
    return choice;
  }
  const IntegerFormat &fmt = coder.getIntegerFormat();
  double l = std::min(lo, 0.0f) * ratio, h = std::max(hi, 0.0f) * ratio;
  if (h > l)
    choice.scale =
        static_cast<float>((h - l) / (fmt.maxValue() - fmt.minValue()));
  choice.zeroPoint = roundAndClamp(fmt.minValue() - l / choice.scale,
                                   fmt.minValue(), fmt.maxValue());
  return choice;
}

GroupQuantized quantizeGroups(const float *x, size_t n, size_t groupSize,
                              const ElementCoder &coder,
                              const ScaleOptions &options) {
  assert(groupSize > 0 && "group size must be positive");
  assert(
      (!options.asymmetric || coder.getKind() == ElementCoder::Kind::Integer) &&
      "asymmetric scaling needs an integer format");
  GroupQuantized result;
  result.codes.resize(n);
  std::vector<uint8_t> trial(groupSize);
  const unsigned steps = std::max(options.clipSearchSteps, 1u);
  for (size_t begin = 0; begin < n; begin += groupSize) {
    size_t len = std::min(groupSize, n - begin);
    const float *group = x + begin;
    float lo = 0, hi = 0;
    for (size_t i = 0; i < len; ++i) {
      if (!std::isfinite(group[i]))
        continue;
      lo = std::min(lo, group[i]);
      hi = std::max(hi, group[i]);
    }
    GroupChoice best;
    double bestError = std::numeric_limits<double>::infinity();
    for (unsigned k = 0; k < steps; ++k) {
      double ratio = steps == 1
                         ? 1.0
                         : 1.0 - k * (1.0 - options.minClipRatio) / (steps - 1);
      GroupChoice choice =
          chooseScale(lo, hi, ratio, coder, options.asymmetric);
      encodeGroup(group, len, coder, choice, trial.data());
      double error = groupError(group, len, coder, choice, trial.data());
      if (error < bestError || k == 0) {
        bestError = error;
        best = choice;
        std::copy(trial.begin(), trial.begin() + len,
                  result.codes.begin() + begin);
      }
    }
    result.scales.push_back(best.scale);
    result.zeroPoints.push_back(best.zeroPoint);
    result.squaredError += bestError;
  }
  return result;
}

std::vector<float> dequantizeGroups(const GroupQuantized &q, size_t n,
                                    size_t groupSize,
                                    const ElementCoder &coder) {
  std::vector<float> out(n);
  for (size_t i = 0; i < n; ++i) {
    size_t g = i / groupSize;
    out[i] = reconstruct(coder, q.codes[i], {q.scales[g], q.zeroPoints[g]});
  }
  return out;
}

} // namespace qcc::formats
