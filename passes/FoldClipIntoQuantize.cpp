//===- FoldClipIntoQuantize.cpp - a Clip before QuantizeLinear as its bounds -===//
//
// A quantized network's activations are often Clip(x, a, b) (ReLU6, ReLU)
// followed by QuantizeLinear to unsigned codes; after fusion both are one
// chain of float operations per element:
//   c = minimumf(maximumf(x, a), b)      (either may be missing)
//   q = roundeven(c / y) [+ z]
//   code = minnumf(maxnumf(q, lo), hi)
// With y > 0 the division and the rounding are monotonic and the code
// bounds are integers, so the Clip moves into the code bounds:
//   code = minnumf(maxnumf(roundeven(x / y) [+ z], lo), min(hi, roundeven(b / y) [+ z]))
// with the same f32 arithmetic for b / y as at run time: x in [a, b] gives
// the same quotient, x beyond b a code at least that bound, x below a one
// at most roundeven(a / y) + z, which must not exceed lo (so that the lower
// bound, and NaN's code, stay lo). Three instructions fewer per vector of
// outputs in the requantizing stores of a QDQ CNN.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>

namespace qcc {
#define GEN_PASS_DEF_FOLDCLIPINTOQUANTIZEPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// The value of an f32 scalar or splat-vector constant.
std::optional<float> splatF32(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getType().isF32() ? std::optional<float>(f.getValueAsDouble()) : std::nullopt;
  auto dense = dyn_cast<DenseFPElementsAttr>(attr);
  if (!dense || !dense.isSplat() || !dense.getElementType().isF32())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToFloat();
}

/// A constant like `like` (scalar or splat vector) of value `v`.
Value constantLike(PatternRewriter &rewriter, Location loc, Value like, float v) {
  Type type = like.getType();
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(vector, rewriter.getF32FloatAttr(v)));
  return arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(v));
}

struct FoldClip final : OpRewritePattern<arith::MinNumFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::MinNumFOp upper, PatternRewriter &rewriter) const override {
    auto lower = upper.getLhs().getDefiningOp<arith::MaxNumFOp>();
    std::optional<float> hi = splatF32(upper.getRhs());
    if (!lower || !hi)
      return failure();
    std::optional<float> lo = splatF32(lower.getRhs());
    if (!lo)
      return failure();
    // shifted = q [+ z], q = roundeven(c / y)
    Value shifted = lower.getLhs(), q = shifted;
    std::optional<float> zero = 0.0f;
    if (auto add = shifted.getDefiningOp<arith::AddFOp>()) {
      zero = splatF32(add.getRhs());
      q = add.getLhs();
      if (!zero)
        return failure();
    }
    auto round = q.getDefiningOp<math::RoundEvenOp>();
    auto divide = round ? round.getOperand().getDefiningOp<arith::DivFOp>() : arith::DivFOp();
    std::optional<float> y = divide ? splatF32(divide.getRhs()) : std::nullopt;
    if (!y || !(*y > 0.0f) || !std::isfinite(*y))
      return failure();
    // c = minimumf(maximumf(x, a), b), either part optional.
    Value c = divide.getLhs(), x = c;
    std::optional<float> a, b;
    if (auto min = x.getDefiningOp<arith::MinimumFOp>()) {
      if (!(b = splatF32(min.getRhs())))
        return failure();
      x = min.getLhs();
    }
    if (auto max = x.getDefiningOp<arith::MaximumFOp>()) {
      if (!(a = splatF32(max.getRhs())))
        return failure();
      x = max.getLhs();
    }
    if (x == c)
      return failure(); // no Clip
    // The chain is rewritten in place: nothing else may read its links.
    if (!lower->hasOneUse() || !shifted.hasOneUse() || !q.hasOneUse() || !divide->hasOneUse())
      return failure();
    auto code = [&](float bound) {
      return std::nearbyint(bound / *y) + *zero; // f32 as at run time
    };
    if (a && !(code(*a) <= *lo))
      return failure(); // the Clip raises the lower bound (and NaN's code)
    float newHi = b ? std::min(*hi, code(*b)) : *hi;
    rewriter.modifyOpInPlace(divide, [&] { divide.getLhsMutable().assign(x); });
    if (newHi != *hi)
      rewriter.modifyOpInPlace(upper, [&] {
        upper.getRhsMutable().assign(constantLike(rewriter, upper.getLoc(), upper.getRhs(), newHi));
      });
    return success();
  }
};

struct FoldClipIntoQuantizePass final
    : qcc::impl::FoldClipIntoQuantizePassBase<FoldClipIntoQuantizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldClip>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
