//===- Codebook.h - Lookup-table formats (NF4, learned codebooks) -*- C++
//-*-===//
//
// A b-bit codebook format stores indices into a table of 2^b float values.
// Encoding picks the nearest entry (ties to the lower index); decoding is a
// table lookup.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_CODEBOOK_H
#define QCC_FORMATS_CODEBOOK_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qcc::formats {

/// The 16 NormalFloat-4 values of QLoRA (Dettmers et al. 2023), as stored in
/// bitsandbytes, ascending: index 7 is 0, index 0 is -1, index 15 is +1.
extern const float kNF4Values[16];

/// A table of 2^b finite floats, b = 1..8, in any order.
class Codebook {
public:
  /// `entries.size()` must be a power of two between 2 and 256 and the
  /// entries finite; otherwise the codebook is invalid (isValid() false).
  explicit Codebook(std::vector<float> entries);

  /// The NF4 codebook (kNF4Values).
  static Codebook getNF4();

  bool isValid() const { return bits != 0; }
  /// b, the index width in bits.
  unsigned bitWidth() const { return bits; }
  size_t size() const { return entries.size(); }
  const std::vector<float> &getEntries() const { return entries; }
  /// Largest |entry|.
  float getMaxMagnitude() const;

  /// Index of the entry nearest to `x` (distance computed exactly); on a tie
  /// the lower index wins. NaN encodes to the entry of smallest magnitude
  /// (lowest such index); +-Inf to the largest/smallest entry.
  uint8_t encode(float x) const;
  /// Entry `index` (taken modulo size()).
  float decode(uint8_t index) const {
    return entries[index & (entries.size() - 1)];
  }

  void encode(const float *x, size_t n, uint8_t *out) const;
  void decode(const uint8_t *codes, size_t n, float *out) const;

private:
  std::vector<float> entries;
  unsigned bits = 0;
};

/// Encodes a row-major `rows x cols` matrix where row r uses books[r]
/// (books.size() == rows, one codebook per row). Codes are indices.
void encodePerRow(const float *x, size_t rows, size_t cols,
                  const std::vector<Codebook> &books, uint8_t *codes);
/// Inverse of encodePerRow.
void decodePerRow(const uint8_t *codes, size_t rows, size_t cols,
                  const std::vector<Codebook> &books, float *out);

/// NF4 block quantization as in QLoRA: for each block of `blockSize` values
/// (the last may be shorter), absmax = max |x|, code = nf4(x / absmax).
/// Writes n codes and ceil(n / blockSize) absmax values. An all-zero block
/// has absmax 0 and codes of 0.0 (index 7). NaNs are ignored for absmax.
void quantizeNF4(const float *x, size_t n, size_t blockSize, uint8_t *codes,
                 float *absmax);
/// x = kNF4Values[code] * absmax[block].
void dequantizeNF4(const uint8_t *codes, size_t n, size_t blockSize,
                   const float *absmax, float *out);

} // namespace qcc::formats

#endif // QCC_FORMATS_CODEBOOK_H
