//===- Ternary.cpp - Ternary {-1, 0, +1} weights --------------------------===//

#include "qcc/Formats/Ternary.h"

#include "qcc/Formats/BitPacking.h"
#include "qcc/Formats/Integer.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace qcc::formats {

static int sign(int t) { return (t > 0) - (t < 0); }

uint8_t encodeTrit2(int t) { return static_cast<uint8_t>(sign(t) & 0x3); }

int8_t decodeTrit2(uint8_t code) {
  switch (code & 0x3) {
  case 0x1:
    return 1;
  case 0x3:
    return -1;
  default: // 0b00, and the invalid 0b10
    return 0;
  }
}

size_t ternary2ByteCount(size_t n) { return packedBitsByteCount(n, 2); }

void packTernary2(const int8_t *trits, size_t n, uint8_t *out) {
  std::memset(out, 0, ternary2ByteCount(n));
  for (size_t i = 0; i < n; ++i)
    out[i / 4] |= static_cast<uint8_t>(encodeTrit2(trits[i]) << (2 * (i % 4)));
}

void unpackTernary2(const uint8_t *bytes, size_t n, int8_t *out) {
  for (size_t i = 0; i < n; ++i)
    out[i] = decodeTrit2(static_cast<uint8_t>(bytes[i / 4] >> (2 * (i % 4))));
}

size_t ternaryBase3ByteCount(size_t n) {
  return (n + kTritsPerBase3Byte - 1) / kTritsPerBase3Byte;
}

void packTernaryBase3(const int8_t *trits, size_t n, uint8_t *out) {
  for (size_t b = 0, e = ternaryBase3ByteCount(n); b < e; ++b) {
    unsigned value = 0, weight = 1;
    for (unsigned i = 0; i < kTritsPerBase3Byte; ++i, weight *= 3) {
      size_t idx = b * kTritsPerBase3Byte + i;
      int t = idx < n ? sign(trits[idx]) : 0; // pad with trit 0
      value += static_cast<unsigned>(t + 1) * weight;
    }
    out[b] = static_cast<uint8_t>(value);
  }
}

void unpackTernaryBase3(const uint8_t *bytes, size_t n, int8_t *out) {
  for (size_t i = 0; i < n; i += kTritsPerBase3Byte) {
    unsigned value = bytes[i / kTritsPerBase3Byte];
    bool valid = value <= kMaxBase3Byte;
    for (size_t j = i; j < n && j < i + kTritsPerBase3Byte; ++j) {
      out[j] = valid ? static_cast<int8_t>(static_cast<int>(value % 3) - 1) : 0;
      value /= 3;
    }
  }
}

size_t countInvalidBase3Bytes(const uint8_t *bytes, size_t numBytes) {
  size_t count = 0;
  for (size_t i = 0; i < numBytes; ++i)
    count += bytes[i] > kMaxBase3Byte;
  return count;
}

float quantizeTernaryAbsMean(const float *x, size_t n, int8_t *trits) {
  double sum = 0;
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i]))
      continue;
    sum += std::fabs(static_cast<double>(x[i]));
    ++count;
  }
  float scale = count ? static_cast<float>(sum / count) : 0.0f;
  for (size_t i = 0; i < n; ++i) {
    if (scale == 0 || std::isnan(x[i]) || !std::isfinite(scale)) {
      trits[i] = 0;
      continue;
    }
    double t = roundHalfToEven(static_cast<double>(x[i]) / scale);
    trits[i] = static_cast<int8_t>(t > 1 ? 1 : (t < -1 ? -1 : t));
  }
  return scale;
}

} // namespace qcc::formats
