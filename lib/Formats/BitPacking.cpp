//===- BitPacking.cpp - Sub-byte code packing -----------------------------===//

#include "qcc/Formats/BitPacking.h"

#include <cassert>
#include <cstring>

namespace qcc::formats {

size_t packedBitsByteCount(size_t numElements, unsigned bitWidth) {
  return (numElements * bitWidth + 7) / 8;
}

void packBits(const uint8_t *codes, size_t n, unsigned bitWidth, uint8_t *out) {
  assert(bitWidth >= 1 && bitWidth <= 8 && "bit width must be 1..8");
  std::memset(out, 0, packedBitsByteCount(n, bitWidth));
  const unsigned mask = (1u << bitWidth) - 1;
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i, bit += bitWidth) {
    // A code spans at most two bytes; shift it into a 16-bit window.
    unsigned window = (codes[i] & mask) << (bit % 8);
    out[bit / 8] |= static_cast<uint8_t>(window);
    if ((bit % 8) + bitWidth > 8)
      out[bit / 8 + 1] |= static_cast<uint8_t>(window >> 8);
  }
}

void unpackBits(const uint8_t *bytes, size_t n, unsigned bitWidth,
                uint8_t *out) {
  assert(bitWidth >= 1 && bitWidth <= 8 && "bit width must be 1..8");
  const unsigned mask = (1u << bitWidth) - 1;
  size_t bit = 0;
  for (size_t i = 0; i < n; ++i, bit += bitWidth) {
    unsigned window = bytes[bit / 8];
    if ((bit % 8) + bitWidth > 8)
      window |= static_cast<unsigned>(bytes[bit / 8 + 1]) << 8;
    out[i] = static_cast<uint8_t>((window >> (bit % 8)) & mask);
  }
}

std::vector<uint8_t> packBits(const std::vector<uint8_t> &codes,
                              unsigned bitWidth) {
  std::vector<uint8_t> out(packedBitsByteCount(codes.size(), bitWidth));
  packBits(codes.data(), codes.size(), bitWidth, out.data());
  return out;
}

std::vector<uint8_t> unpackBits(const std::vector<uint8_t> &bytes, size_t n,
                                unsigned bitWidth) {
  assert(bytes.size() >= packedBitsByteCount(n, bitWidth) && "short input");
  std::vector<uint8_t> out(n);
  unpackBits(bytes.data(), n, bitWidth, out.data());
  return out;
}

int32_t signExtend(uint32_t raw, unsigned bitWidth) {
  assert(bitWidth >= 1 && bitWidth <= 32 && "bit width must be 1..32");
  if (bitWidth == 32)
    return static_cast<int32_t>(raw);
  uint32_t mask = (1u << bitWidth) - 1;
  uint32_t signBit = 1u << (bitWidth - 1);
  raw &= mask;
  return static_cast<int32_t>(raw ^ signBit) - static_cast<int32_t>(signBit);
}

} // namespace qcc::formats
