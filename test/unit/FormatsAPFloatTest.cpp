//===- FormatsAPFloatTest.cpp - Cross-check minifloats with APFloat -------===//
//
// MLIR's builtin f8/f6/f4 types use llvm::APFloat; constants folded by the
// compiler and values decoded by lib/Formats must agree. APFloat has no
// saturating conversion, and for some inputs it produces results a format
// cannot hold; those cases are compared against our documented policy:
//  * saturate=true: where APFloat overflows to Inf/NaN from a non-NaN input,
//    we give +-max finite (ONNX `saturate`).
//  * Finite-only formats (E2M3FN, E3M2FN, E2M1FN): APFloat keeps a NaN or
//    Inf category it cannot encode (its bit pattern reads +-0); we give +max
//    for NaN and +-max for +-Inf (ONNX Cast table).
//  * E8M0FNU and negative inputs: APFloat's bit pattern merges the sign
//    into the exponent; we encode |x|.
//
//===----------------------------------------------------------------------===//

#include "qcc/Formats/MiniFloat.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

using namespace qcc::formats;

namespace {

struct Pair {
  const char *name;
  MiniFloatFormat fmt;
  const llvm::fltSemantics &semantics;
};

std::vector<Pair> pairs() {
  using llvm::APFloat;
  return {
      {"E4M3FN", kFloat8E4M3FN, APFloat::Float8E4M3FN()},
      {"E4M3FNUZ", kFloat8E4M3FNUZ, APFloat::Float8E4M3FNUZ()},
      {"E5M2", kFloat8E5M2, APFloat::Float8E5M2()},
      {"E5M2FNUZ", kFloat8E5M2FNUZ, APFloat::Float8E5M2FNUZ()},
      {"E2M3FN", kFloat6E2M3FN, APFloat::Float6E2M3FN()},
      {"E3M2FN", kFloat6E3M2FN, APFloat::Float6E3M2FN()},
      {"E2M1FN", kFloat4E2M1FN, APFloat::Float4E2M1FN()},
      {"E8M0FNU", kFloat8E8M0FNU, APFloat::Float8E8M0FNU()},
      // Generic formats that APFloat also knows.
      {"E4M3", MiniFloatFormat::getIEEE(4, 3), APFloat::Float8E4M3()},
      {"E3M4", MiniFloatFormat::getIEEE(3, 4), APFloat::Float8E3M4()},
      {"E4M3B11FNUZ", MiniFloatFormat(4, 3, 11, true, FloatEncoding::FNUZ),
       APFloat::Float8E4M3B11FNUZ()},
  };
}

TEST(FormatsAPFloat, DecodeEveryCode) {
  for (const Pair &p : pairs()) {
    SCOPED_TRACE(p.name);
    unsigned width = p.fmt.bitWidth();
    ASSERT_EQ(width, llvm::APFloat::getSizeInBits(p.semantics));
    for (unsigned code = 0; code < (1u << width); ++code) {
      llvm::APFloat ap(p.semantics, llvm::APInt(width, code));
      double got = p.fmt.decodeToDouble(static_cast<uint8_t>(code));
      // Ask isNaN(): APFloat's convertToDouble of E8M0FNU's NaN reads Inf.
      if (ap.isNaN()) {
        EXPECT_TRUE(std::isnan(got)) << code;
        continue;
      }
      double expected = ap.convertToDouble();
      EXPECT_EQ(got, expected) << code;
      EXPECT_EQ(std::signbit(got), std::signbit(expected)) << code;
    }
  }
}

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

uint32_t toBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

/// Inputs: every code value and its float neighbours, midpoints between
/// consecutive values and their neighbours, max + ulp/2 region, specials,
/// and a strided walk through all float32 bit patterns of the format's range.
std::vector<float> sweepInputs(const MiniFloatFormat &fmt) {
  std::vector<float> xs;
  std::vector<double> values;
  for (unsigned code = 0; code < fmt.numCodes(); ++code) {
    double v = fmt.decodeToDouble(static_cast<uint8_t>(code));
    if (std::isfinite(v) && v >= 0)
      values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  double maxV = values.back();
  values.push_back(
      maxV + std::ldexp(1.0, std::ilogb(maxV) -
                                 static_cast<int>(fmt.getMantissaBits())));
  for (size_t i = 0; i < values.size(); ++i) {
    float v = static_cast<float>(values[i]);
    for (float x : {v, std::nextafter(v, 0.0f), std::nextafter(v, 1e38f)})
      xs.push_back(x);
    if (i + 1 < values.size()) {
      float mid = static_cast<float>((values[i] + values[i + 1]) / 2);
      for (float x :
           {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e38f)})
        xs.push_back(x);
    }
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (float x : {0.0f, inf, std::numeric_limits<float>::quiet_NaN(),
                  std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::denorm_min(),
                  static_cast<float>(fmt.getMinPositive() / 2),
                  static_cast<float>(fmt.getMinPositive() / 4)})
    xs.push_back(x);
  uint32_t lo = toBits(static_cast<float>(fmt.getMinPositive() / 8));
  double top = std::min(maxV * 8,
                        static_cast<double>(std::numeric_limits<float>::max()));
  uint32_t hi = toBits(static_cast<float>(top));
  uint32_t stride = std::max<uint32_t>(1, (hi - lo) / 40000) | 1;
  for (uint64_t bits = lo; bits <= hi; bits += stride)
    xs.push_back(fromBits(static_cast<uint32_t>(bits)));
  size_t n = xs.size();
  for (size_t i = 0; i < n; ++i)
    xs.push_back(-xs[i]);
  return xs;
}

TEST(FormatsAPFloat, EncodeMatchesConvert) {
  for (const Pair &p : pairs()) {
    SCOPED_TRACE(p.name);
    const MiniFloatFormat &fmt = p.fmt;
    const bool finiteOnly = fmt.getEncoding() == FloatEncoding::FiniteOnly;
    const bool isUnsigned = !fmt.isSigned();
    unsigned failures = 0, compared = 0;
    for (float x : sweepInputs(fmt)) {
      if (failures > 10)
        break;
      // Documented differences, checked in FormatsMiniFloatTest instead.
      if (finiteOnly && !std::isfinite(x))
        continue;
      if (isUnsigned && std::signbit(x))
        continue;
      llvm::APFloat ap(x);
      bool losesInfo = false;
      ap.convert(p.semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      auto apCode = static_cast<uint8_t>(ap.bitcastToAPInt().getZExtValue());
      uint8_t nonSat = fmt.encode(x, /*saturate=*/false);
      uint8_t sat = fmt.encode(x, /*saturate=*/true);
      ++compared;
      bool ok = nonSat == apCode;
      if ((ap.isInfinity() || ap.isNaN()) && !std::isnan(x))
        ok &= sat == fmt.getMaxFiniteCode(std::signbit(x));
      else
        ok &= sat == apCode;
      if (!ok) {
        ++failures;
        ADD_FAILURE() << "x=" << x << " (0x" << std::hex << toBits(x)
                      << ") apfloat=0x" << unsigned(apCode) << " ours=0x"
                      << unsigned(nonSat) << "/0x" << unsigned(sat);
      }
    }
    EXPECT_GT(compared, 40000u);
  }
}

} // namespace
