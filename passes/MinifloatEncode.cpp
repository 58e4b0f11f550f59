//===- MinifloatEncode.cpp - f32 to FP8/FP4 codes in IR -----------------===//
//
// The magnitude codes 0 .. 2^(bits-1) - 1 of these formats are ordered by
// value. At run time a branch-free binary search over a constant table of
// the finite magnitudes finds the largest code whose value is <= |x|; the
// midpoint table (exact in f32: the values have at most 4 significant bits)
// decides rounding up, ties going to the even code. Sign, saturation, NaN
// and infinity are selects around it.
//
//===----------------------------------------------------------------------===//

#include "MinifloatEncode.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/APFloat.h"

#include <limits>

using namespace mlir;

namespace {

struct FormatFacts {
  SmallVector<float> magnitudes; // finite values of codes 0 .. last finite
  SmallVector<float> midpoints;  // between code c and c + 1; inf for the last
  int64_t signBit = 0;
  std::optional<int64_t> nanCode, infCode; // positive codes
  bool negativeZero = true;
};

FormatFacts factsOf(FloatType format) {
  FormatFacts facts;
  unsigned bits = format.getWidth();
  const llvm::fltSemantics &semantics = format.getFloatSemantics();
  facts.signBit = int64_t(1) << (bits - 1);
  for (int64_t code = 0; code < facts.signBit; ++code) {
    APFloat value(semantics, APInt(bits, code));
    if (value.isNaN()) {
      if (!facts.nanCode)
        facts.nanCode = code;
      continue;
    }
    if (value.isInfinity()) {
      facts.infCode = code;
      continue;
    }
    bool losesInfo = false;
    value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
    facts.magnitudes.push_back(value.convertToFloat());
  }
  // FNUZ formats spend the negative-zero code on NaN.
  APFloat negZero(semantics, APInt(bits, facts.signBit));
  if (negZero.isNaN()) {
    facts.negativeZero = false;
    facts.nanCode = facts.signBit;
  }
  for (size_t c = 0; c + 1 < facts.magnitudes.size(); ++c)
    facts.midpoints.push_back(0.5f * (facts.magnitudes[c] + facts.magnitudes[c + 1]));
  facts.midpoints.push_back(std::numeric_limits<float>::infinity());
  return facts;
}

Value table(OpBuilder &b, Location loc, ArrayRef<float> values, size_t size) {
  SmallVector<float> padded(values);
  padded.resize(size, std::numeric_limits<float>::infinity());
  auto type = RankedTensorType::get({int64_t(size)}, b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, ArrayRef<float>(padded)));
}

} // namespace

Value qcc::lowbit::encodeMinifloat(OpBuilder &b, Location loc, Value x,
                                   FloatType format, bool saturate) {
  FormatFacts facts = factsOf(format);
  Type i32 = b.getI32Type();
  auto cI = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, i32, v); };
  auto cF = [&](float v) { return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v)); };
  int64_t last = int64_t(facts.magnitudes.size()) - 1;
  size_t size = llvm::PowerOf2Ceil(facts.magnitudes.size());
  Value values = table(b, loc, facts.magnitudes, size);
  Value midpoints = table(b, loc, facts.midpoints, size);

  Value magnitude = math::AbsFOp::create(b, loc, x);
  // Largest code whose value is <= |x| (the table's padding is +inf).
  Value code = cI(0);
  for (int64_t step = int64_t(size) / 2; step >= 1; step /= 2) {
    Value candidate = arith::AddIOp::create(b, loc, code, cI(step));
    Value index = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), candidate);
    Value value = tensor::ExtractOp::create(b, loc, values, ValueRange{index});
    Value fits = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, value, magnitude);
    code = arith::SelectOp::create(b, loc, fits, candidate, code);
  }
  Value index = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), code);
  Value mid = tensor::ExtractOp::create(b, loc, midpoints, ValueRange{index});
  Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, magnitude, mid);
  Value tie = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, magnitude, mid);
  Value odd = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                    arith::AndIOp::create(b, loc, code, cI(1)), cI(0));
  Value up = arith::OrIOp::create(b, loc, above, arith::AndIOp::create(b, loc, tie, odd));
  code = arith::SelectOp::create(b, loc, up, arith::AddIOp::create(b, loc, code, cI(1)), code);

  // Beyond the largest finite value: |x| above the midpoint between it and
  // the next binade step (the rounding boundary of an unbounded format).
  float top = facts.magnitudes[last];
  float step = last > 0 ? top - facts.magnitudes[last - 1] : top;
  Value overflow;
  if (!saturate) {
    Value boundary = cF(top + 0.5f * step);
    overflow = arith::OrIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, magnitude, boundary),
        arith::AndIOp::create(
            b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, magnitude, boundary),
            arith::ConstantIntOp::create(b, loc, b.getI1Type(), last % 2 == 1)));
  } else {
    overflow = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, magnitude,
                                     cF(std::numeric_limits<float>::infinity()));
  }
  // What overflow becomes: saturating to the largest value (infinities too,
  // except in FNUZ formats, where ONNX makes them NaN), else infinity or NaN.
  int64_t nanCode = facts.nanCode ? *facts.nanCode : last;
  int64_t overflowCode = last;
  if (saturate && !facts.negativeZero)
    overflowCode = nanCode;
  if (!saturate)
    overflowCode = facts.infCode ? *facts.infCode : nanCode;
  code = arith::SelectOp::create(b, loc, overflow, cI(overflowCode), code);

  // Sign: negative inputs set the sign bit, except on codes that are NaN in
  // FNUZ formats (their only NaN is the negative zero's code) and on zero
  // there (no negative zero).
  Value negative = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::slt,
      arith::BitcastOp::create(b, loc, i32, x), cI(0));
  Value signedCode = arith::OrIOp::create(b, loc, code, cI(facts.signBit));
  if (!facts.negativeZero) {
    Value keepPositive = arith::OrIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, code, cI(0)),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, code, cI(nanCode)));
    negative = arith::AndIOp::create(
        b, loc, negative,
        arith::XOrIOp::create(b, loc, keepPositive,
                              arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1)));
  }
  code = arith::SelectOp::create(b, loc, negative, signedCode, code);
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  code = arith::SelectOp::create(b, loc, isNaN, cI(nanCode), code);
  return arith::TruncIOp::create(b, loc, b.getIntegerType(format.getWidth()), code);
}
