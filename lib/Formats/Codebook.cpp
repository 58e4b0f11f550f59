//===- Codebook.cpp - Lookup-table formats (NF4, learned codebooks) -------===//

#include "qcc/Formats/Codebook.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace qcc::formats {

// bitsandbytes' NF4 table (functional.py, get_4bit_type("nf4")), which
// QLoRA defines as quantiles of N(0,1) normalized to [-1, 1] with an exact 0.
const float kNF4Values[16] = {
    -1.0f,
    -0.6961928009986877f,
    -0.5250730514526367f,
    -0.39491748809814453f,
    -0.28444138169288635f,
    -0.18477343022823334f,
    -0.09105003625154495f,
    0.0f,
    0.07958029955625534f,
    0.16093020141124725f,
    0.24611230194568634f,
    0.33791524171829224f,
    0.44070982933044434f,
    0.5626170039176941f,
    0.7229568362236023f,
    1.0f,
};

Codebook::Codebook(std::vector<float> values) : entries(std::move(values)) {
  size_t size = entries.size();
  bool powerOfTwo = size >= 2 && size <= 256 && (size & (size - 1)) == 0;
  bool finite = true;
  for (float v : entries)
    finite &= std::isfinite(v);
  if (!powerOfTwo || !finite)
    return;
  while ((size_t(1) << bits) < size)
    ++bits;
}

Codebook Codebook::getNF4() {
  return Codebook(std::vector<float>(kNF4Values, kNF4Values + 16));
}

float Codebook::getMaxMagnitude() const {
  float result = 0;
  for (float v : entries)
    result = std::fmax(result, std::fabs(v));
  return result;
}

uint8_t Codebook::encode(float x) const {
  assert(isValid() && "encoding with an invalid codebook");
  if (std::isinf(x)) { // the extreme entry in x's direction
    size_t best = 0;
    for (size_t i = 1; i < entries.size(); ++i)
      if (x > 0 ? entries[i] > entries[best] : entries[i] < entries[best])
        best = i;
    return static_cast<uint8_t>(best);
  }
  // Distances in double are exact for floats of nearby magnitude, so exact
  // ties are seen as ties and the strict '<' keeps the lower index.
  double target = std::isnan(x) ? 0.0 : static_cast<double>(x);
  size_t best = 0;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < entries.size(); ++i) {
    double d = std::fabs(static_cast<double>(entries[i]) - target);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return static_cast<uint8_t>(best);
}

void Codebook::encode(const float *x, size_t n, uint8_t *out) const {
  for (size_t i = 0; i < n; ++i)
    out[i] = encode(x[i]);
}

void Codebook::decode(const uint8_t *codes, size_t n, float *out) const {
  for (size_t i = 0; i < n; ++i)
    out[i] = decode(codes[i]);
}

void encodePerRow(const float *x, size_t rows, size_t cols,
                  const std::vector<Codebook> &books, uint8_t *codes) {
  assert(books.size() == rows && "one codebook per row");
  for (size_t r = 0; r < rows; ++r)
    books[r].encode(x + r * cols, cols, codes + r * cols);
}

void decodePerRow(const uint8_t *codes, size_t rows, size_t cols,
                  const std::vector<Codebook> &books, float *out) {
  assert(books.size() == rows && "one codebook per row");
  for (size_t r = 0; r < rows; ++r)
    books[r].decode(codes + r * cols, cols, out + r * cols);
}

void quantizeNF4(const float *x, size_t n, size_t blockSize, uint8_t *codes,
                 float *absmax) {
  assert(blockSize > 0 && "block size must be positive");
  static const Codebook nf4 = Codebook::getNF4();
  for (size_t begin = 0, block = 0; begin < n; begin += blockSize, ++block) {
    size_t end = std::min(n, begin + blockSize);
    float amax = 0;
    for (size_t i = begin; i < end; ++i)
      amax = std::fmax(amax, std::fabs(x[i])); // fmax ignores NaN
    absmax[block] = amax;
    for (size_t i = begin; i < end; ++i)
      codes[i] = nf4.encode(amax == 0 ? 0.0f : x[i] / amax);
  }
}

void dequantizeNF4(const uint8_t *codes, size_t n, size_t blockSize,
                   const float *absmax, float *out) {
  for (size_t i = 0; i < n; ++i)
    out[i] = kNF4Values[codes[i] & 0xF] * absmax[i / blockSize];
}

} // namespace qcc::formats
