//===- Microscaling.cpp - OCP MX and NVFP4 block formats ------------------===//

#include "qcc/Formats/Microscaling.h"

#include "qcc/Formats/BitPacking.h"
#include "qcc/Formats/Integer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace qcc::formats {

unsigned getMXElementBits(MXElementType type) {
  switch (type) {
  case MXElementType::FP8E4M3:
  case MXElementType::FP8E5M2:
  case MXElementType::INT8:
    return 8;
  case MXElementType::FP6E2M3:
  case MXElementType::FP6E3M2:
    return 6;
  case MXElementType::FP4E2M1:
    return 4;
  }
  return 8;
}

int getMXElementMaxExponent(MXElementType type) {
  switch (type) {
  case MXElementType::FP8E4M3:
    return 8;
  case MXElementType::FP8E5M2:
    return 15;
  case MXElementType::FP6E2M3:
    return 2;
  case MXElementType::FP6E3M2:
    return 4;
  case MXElementType::FP4E2M1:
    return 2;
  case MXElementType::INT8:
    return 0;
  }
  return 0;
}

MiniFloatFormat getMXElementFormat(MXElementType type) {
  switch (type) {
  case MXElementType::FP8E4M3:
    return kFloat8E4M3FN;
  case MXElementType::FP8E5M2:
    return kFloat8E5M2;
  case MXElementType::FP6E2M3:
    return kFloat6E2M3FN;
  case MXElementType::FP6E3M2:
    return kFloat6E3M2FN;
  case MXElementType::FP4E2M1:
    return kFloat4E2M1FN;
  case MXElementType::INT8:
    break;
  }
  return kFloat8E8M0FNU;
}

int computeMXSharedExponent(float amax, MXElementType type) {
  if (!(amax > 0))
    return -127;
  // floor(log2(amax)) exactly: amax = f * 2^e with f in [0.5, 1).
  int e;
  std::frexp(amax, &e);
  return std::clamp(e - 1 - getMXElementMaxExponent(type), -127, 127);
}

/// MXINT8 elements: two's complement with an implicit 2^-6.
constexpr double kMXInt8Unit = 1.0 / 64;

uint8_t quantizeMXBlock(const float *x, size_t n, MXElementType type,
                        uint8_t *codes) {
  assert(n <= kMXBlockSize && "an MX block holds at most 32 elements");
  float amax = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) {
      std::fill(codes, codes + n, 0);
      return 0xFF; // NaN scale: the block decodes to NaN
    }
    amax = std::max(amax, std::fabs(x[i]));
  }
  int sharedExp = computeMXSharedExponent(amax, type);
  MiniFloatFormat fmt = getMXElementFormat(type);
  for (size_t i = 0; i < n; ++i) {
    double v = std::ldexp(static_cast<double>(x[i]), -sharedExp); // exact
    if (type == MXElementType::INT8) {
      double q = std::clamp(roundHalfToEven(v / kMXInt8Unit), -127.0, 127.0);
      codes[i] = static_cast<uint8_t>(static_cast<int>(q) & 0xFF);
    } else {
      codes[i] = fmt.encode(v, /*saturate=*/true);
    }
  }
  return static_cast<uint8_t>(sharedExp + 127);
}

void dequantizeMXBlock(const uint8_t *codes, size_t n, uint8_t scaleCode,
                       MXElementType type, float *out) {
  if (scaleCode == 0xFF) {
    std::fill(out, out + n, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  MiniFloatFormat fmt = getMXElementFormat(type);
  int sharedExp = static_cast<int>(scaleCode) - 127;
  for (size_t i = 0; i < n; ++i) {
    double v = type == MXElementType::INT8
                   ? signExtend(codes[i], 8) * kMXInt8Unit
                   : fmt.decodeToDouble(codes[i]);
    out[i] = static_cast<float>(std::ldexp(v, sharedExp));
  }
}

void quantizeMX(const float *x, size_t n, MXElementType type, uint8_t *codes,
                uint8_t *scales) {
  for (size_t begin = 0; begin < n; begin += kMXBlockSize)
    scales[begin / kMXBlockSize] = quantizeMXBlock(
        x + begin, std::min(kMXBlockSize, n - begin), type, codes + begin);
}

void dequantizeMX(const uint8_t *codes, size_t n, const uint8_t *scales,
                  MXElementType type, float *out) {
  for (size_t begin = 0; begin < n; begin += kMXBlockSize)
    dequantizeMXBlock(codes + begin, std::min(kMXBlockSize, n - begin),
                      scales[begin / kMXBlockSize], type, out + begin);
}

//===----------------------------------------------------------------------===//
// NVFP4
//===----------------------------------------------------------------------===//

/// Largest E4M3FN (448) times largest E2M1 (6).
constexpr float kNVFP4ScaleRange = 448.0f * 6.0f;

float computeNVFP4TensorScale(const float *x, size_t n) {
  float amax = 0;
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(x[i]))
      amax = std::max(amax, std::fabs(x[i]));
  return amax == 0 ? 1.0f : amax / kNVFP4ScaleRange;
}

void quantizeNVFP4(const float *x, size_t n, float tensorScale, uint8_t *codes,
                   uint8_t *blockScales) {
  for (size_t begin = 0; begin < n; begin += kNVFP4BlockSize) {
    size_t end = std::min(n, begin + kNVFP4BlockSize);
    float amax = 0;
    for (size_t i = begin; i < end; ++i)
      if (std::isfinite(x[i]))
        amax = std::max(amax, std::fabs(x[i]));
    uint8_t scaleCode = kFloat8E4M3FN.encode(
        static_cast<double>(amax) / 6.0 / tensorScale, /*saturate=*/true);
    blockScales[begin / kNVFP4BlockSize] = scaleCode;
    double denominator = kFloat8E4M3FN.decodeToDouble(scaleCode) *
                         static_cast<double>(tensorScale);
    for (size_t i = begin; i < end; ++i)
      codes[i] = denominator == 0 || std::isnan(denominator)
                     ? 0
                     : kFloat4E2M1FN.encode(x[i] / denominator);
  }
}

void dequantizeNVFP4(const uint8_t *codes, size_t n, const uint8_t *blockScales,
                     float tensorScale, float *out) {
  for (size_t i = 0; i < n; ++i) {
    double scale =
        kFloat8E4M3FN.decodeToDouble(blockScales[i / kNVFP4BlockSize]);
    out[i] = static_cast<float>(kFloat4E2M1FN.decodeToDouble(codes[i]) * scale *
                                static_cast<double>(tensorScale));
  }
}

} // namespace qcc::formats
