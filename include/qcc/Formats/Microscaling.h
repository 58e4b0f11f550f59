//===- Microscaling.h - OCP MX and NVFP4 block formats ---------*- C++ -*-===//
//
// OCP Microscaling (MX) v1.0: blocks of 32 elements share one E8M0 scale
// X = 2^(floor(log2(amax)) - emax_elem); elements are x / X encoded with
// saturation (round to nearest even) in FP8 E4M3/E5M2, FP6 E2M3/E3M2, FP4
// E2M1 or INT8 (two's complement with an implicit 2^-6: value = code / 64).
//
// NVFP4: blocks of 16 E2M1 elements, one E4M3FN scale per block and one f32
// scale per tensor: x ~= e2m1 * e4m3(blockScale) * tensorScale.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_FORMATS_MICROSCALING_H
#define QCC_FORMATS_MICROSCALING_H

#include "qcc/Formats/MiniFloat.h"

#include <cstddef>
#include <cstdint>

namespace qcc::formats {

/// OCP MX element types.
enum class MXElementType : uint8_t {
  FP8E4M3,
  FP8E5M2,
  FP6E2M3,
  FP6E3M2,
  FP4E2M1,
  INT8
};

/// Elements per MX block.
constexpr size_t kMXBlockSize = 32;
/// Elements per NVFP4 block.
constexpr size_t kNVFP4BlockSize = 16;

/// Bits per MX element (8, 6 or 4).
unsigned getMXElementBits(MXElementType type);
/// emax_elem of the OCP spec: exponent of the largest power of two of the
/// element type (E4M3 8, E5M2 15, E2M3 2, E3M2 4, E2M1 2, INT8 0).
int getMXElementMaxExponent(MXElementType type);
/// The minifloat of a float element type (INT8 has none: returns E8M0FNU as
/// a sentinel; do not call for INT8).
MiniFloatFormat getMXElementFormat(MXElementType type);

/// Shared scale of a block, as an unbiased exponent: floor(log2(amax)) -
/// emax_elem clamped to [-127, 127]; amax == 0 (or no elements) gives -127,
/// the smallest scale. The E8M0 code is the result + 127.
int computeMXSharedExponent(float amax, MXElementType type);

/// Quantizes one block of n <= 32 values: writes n element codes (raw bits,
/// INT8 as two's complement bytes) and returns the E8M0 scale code. If the
/// block holds a NaN or Inf, the scale is NaN (0xFF) and codes are 0, so the
/// whole block decodes to NaN. INT8 elements round to nearest even and
/// saturate to [-127, 127] (the spec's -128 code is never produced but
/// decodes to -2).
uint8_t quantizeMXBlock(const float *x, size_t n, MXElementType type,
                        uint8_t *codes);
/// Decodes one block: out[i] = elem(codes[i]) * 2^(scaleCode - 127); a NaN
/// scale gives NaN for every element.
void dequantizeMXBlock(const uint8_t *codes, size_t n, uint8_t scaleCode,
                       MXElementType type, float *out);

/// Whole tensor of n values in blocks of 32 (last one shorter): n codes and
/// ceil(n/32) scale codes.
void quantizeMX(const float *x, size_t n, MXElementType type, uint8_t *codes,
                uint8_t *scales);
void dequantizeMX(const uint8_t *codes, size_t n, const uint8_t *scales,
                  MXElementType type, float *out);

/// NVFP4 tensor scale: global amax / (448 * 6); 1 when amax is 0 (NaN and
/// Inf are ignored).
float computeNVFP4TensorScale(const float *x, size_t n);

/// Quantizes n values: per block of 16, blockScale = e4m3fn(saturating RNE
/// of block_amax / 6 / tensorScale); elements e2m1(x / (decode(blockScale) *
/// tensorScale)) (quotient in double). A block whose decoded scale is 0
/// gets all-zero element codes. Writes n element codes and ceil(n/16)
/// E4M3FN scale codes.
void quantizeNVFP4(const float *x, size_t n, float tensorScale, uint8_t *codes,
                   uint8_t *blockScales);
/// x = e2m1(code) * e4m3fn(blockScale) * tensorScale.
void dequantizeNVFP4(const uint8_t *codes, size_t n, const uint8_t *blockScales,
                     float tensorScale, float *out);

} // namespace qcc::formats

#endif // QCC_FORMATS_MICROSCALING_H
