//===- Integer.cpp - Integer quantization (ONNX QuantizeLinear) -----------===//

#include "qcc/Formats/Integer.h"

#include "qcc/Formats/BitPacking.h"

#include <cmath>

namespace qcc::formats {

uint32_t IntegerFormat::toRawBits(int32_t value) const {
  uint32_t mask = bitWidth >= 32 ? ~0u : (1u << bitWidth) - 1;
  return static_cast<uint32_t>(value) & mask;
}

int32_t IntegerFormat::fromRawBits(uint32_t raw) const {
  if (isSigned)
    return signExtend(raw, bitWidth);
  return static_cast<int32_t>(raw & ((1u << bitWidth) - 1));
}

double roundHalfToEven(double x) {
  if (!std::isfinite(x))
    return x;
  double lower = std::floor(x);
  double diff = x - lower; // exact: x and floor(x) share the binade or less
  if (diff > 0.5)
    return lower + 1;
  if (diff < 0.5)
    return lower;
  return std::fmod(lower, 2.0) == 0 ? lower : lower + 1;
}

int32_t quantizeLinear(float x, float scale, int32_t zeroPoint,
                       IntegerFormat fmt) {
  float quotient = x / scale;
  int64_t q;
  if (std::isnan(quotient)) {
    q = zeroPoint;
  } else {
    double r = roundHalfToEven(quotient);
    // Clamp in double first so the int64 conversion stays defined.
    if (r > 1e12)
      r = 1e12;
    if (r < -1e12)
      r = -1e12;
    q = static_cast<int64_t>(r) + zeroPoint;
  }
  if (q < fmt.minValue())
    q = fmt.minValue();
  if (q > fmt.maxValue())
    q = fmt.maxValue();
  return static_cast<int32_t>(q);
}

float dequantizeLinear(int32_t q, float scale, int32_t zeroPoint) {
  return static_cast<float>(static_cast<int64_t>(q) - zeroPoint) * scale;
}

void quantizeLinear(const float *x, size_t n, float scale, int32_t zeroPoint,
                    IntegerFormat fmt, int32_t *out) {
  for (size_t i = 0; i < n; ++i)
    out[i] = quantizeLinear(x[i], scale, zeroPoint, fmt);
}

void dequantizeLinear(const int32_t *q, size_t n, float scale,
                      int32_t zeroPoint, float *out) {
  for (size_t i = 0; i < n; ++i)
    out[i] = dequantizeLinear(q[i], scale, zeroPoint);
}

} // namespace qcc::formats
