//===- BitPacking.cpp - Sub-byte code packing -----------------------------===//

#include "qcc/Formats/BitPacking.h"

#include <cassert>
#include <cstring>

namespace qcc::formats {

size_t packedBitsByteCount(size_t numElements, unsigned bitWidth) {
  return (numElements * bitWidth + 7) / 8;
}

namespace {

// Widths that divide 8: whole bytes of 8 / W codes with a fixed inner loop
// the compiler vectorizes (the general loop's per-code branches cost
// seconds on the billions of codes of a large model's weights).
template <unsigned W> void packWholeBytes(const uint8_t *codes, size_t bytes, uint8_t *out) {
  constexpr unsigned perByte = 8 / W, mask = (1u << W) - 1;
  for (size_t j = 0; j < bytes; ++j) {
    unsigned byte = 0;
    for (unsigned i = 0; i < perByte; ++i)
      byte |= (codes[j * perByte + i] & mask) << (W * i);
    out[j] = static_cast<uint8_t>(byte);
  }
}

template <unsigned W> void unpackWholeBytes(const uint8_t *bytes, size_t count, uint8_t *out) {
  constexpr unsigned perByte = 8 / W, mask = (1u << W) - 1;
  for (size_t j = 0; j < count; ++j)
    for (unsigned i = 0; i < perByte; ++i)
      out[j * perByte + i] = static_cast<uint8_t>((bytes[j] >> (W * i)) & mask);
}

/// The whole bytes the fast paths above did (0 for other widths).
size_t packFast(const uint8_t *codes, size_t n, unsigned bitWidth, uint8_t *out) {
  if (bitWidth == 0 || 8 % bitWidth != 0)
    return 0;
  size_t bytes = n * bitWidth / 8;
  switch (bitWidth) {
  case 1: packWholeBytes<1>(codes, bytes, out); break;
  case 2: packWholeBytes<2>(codes, bytes, out); break;
  case 4: packWholeBytes<4>(codes, bytes, out); break;
  default: std::memcpy(out, codes, bytes); break;
  }
  return bytes;
}

size_t unpackFast(const uint8_t *bytes, size_t n, unsigned bitWidth, uint8_t *out) {
  if (bitWidth == 0 || 8 % bitWidth != 0)
    return 0;
  size_t count = n * bitWidth / 8;
  switch (bitWidth) {
  case 1: unpackWholeBytes<1>(bytes, count, out); break;
  case 2: unpackWholeBytes<2>(bytes, count, out); break;
  case 4: unpackWholeBytes<4>(bytes, count, out); break;
  default: std::memcpy(out, bytes, count); break;
  }
  return count;
}

} // namespace

void packBits(const uint8_t *codes, size_t n, unsigned bitWidth, uint8_t *out) {
  assert(bitWidth >= 1 && bitWidth <= 8 && "bit width must be 1..8");
  std::memset(out, 0, packedBitsByteCount(n, bitWidth));
  const unsigned mask = (1u << bitWidth) - 1;
  size_t done = packFast(codes, n, bitWidth, out);
  size_t bit = done * 8;
  for (size_t i = done * 8 / bitWidth; i < n; ++i, bit += bitWidth) {
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
  size_t done = unpackFast(bytes, n, bitWidth, out);
  size_t bit = done * 8;
  for (size_t i = done * 8 / bitWidth; i < n; ++i, bit += bitWidth) {
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
