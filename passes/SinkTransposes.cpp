//===- SinkTransposes.cpp - transposes moved below elementwise ops -------===//
//
// A convolution's product comes out as rows [N * O..., M] and is transposed
// back to NCHW; in quantized CNNs what follows is elementwise (Clip, the
// next layer's QuantizeLinear, a residual Add) and the next pointwise
// convolution transposes the codes back to NHWC. Moving each transpose below
// the elementwise generics it feeds makes it move the narrowest data (the
// i8 codes after QuantizeLinear instead of f32), and two transposes that
// meet cancel. On tensors, after lowbit-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "SinkTransposes.h"

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc {
#define GEN_PASS_DEF_SINKTRANSPOSESPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// generic(transpose(x), ...) -> transpose(generic'(x, ...)) for an
/// all-parallel generic with an identity output map whose inputs are
/// transposes by one permutation that feed only it (identity maps) or
/// broadcasts (projected permutations, size-1 axes read at 0 included:
/// re-indexed), and whose output is not read.
struct SinkThroughGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (!qcc::isElementwiseWrite(op))
      return failure();
    std::optional<SmallVector<int64_t>> perm;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      auto transpose = input->get().getDefiningOp<linalg::TransposeOp>();
      // (A transpose with other users stays for them: moving it would
      // transpose twice.)
      if (map.isIdentity() && transpose && transpose->hasOneUse()) {
        SmallVector<int64_t> p(transpose.getPermutation());
        if (perm && *perm != p)
          return failure();
        perm = p;
      } else if (!map.isProjectedPermutation(/*allowZeroInResults=*/true)) {
        return failure();
      } else if (map.isIdentity()) {
        return failure(); // a same-shape input that is not transposed
      }
    }
    if (!perm)
      return failure();
    // Loop j of the op runs along dim perm[j] of x: in x's index space,
    // the op's loop j is x's loop perm[j].
    MLIRContext *context = op.getContext();
    unsigned rank = op.getNumLoops();
    SmallVector<AffineExpr> toX(rank);
    for (unsigned j = 0; j < rank; ++j)
      toX[j] = getAffineDimExpr((*perm)[j], context);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    RankedTensorType xType;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      if (map.isIdentity()) {
        Value x = input->get().getDefiningOp<linalg::TransposeOp>().getInput();
        xType = cast<RankedTensorType>(x.getType());
        inputs.push_back(x);
        maps.push_back(AffineMap::getMultiDimIdentityMap(rank, context));
      } else {
        inputs.push_back(input->get());
        maps.push_back(map.replaceDimsAndSymbols(toX, {}, rank, 0));
      }
    }
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, context));
    Location loc = op.getLoc();
    Value empty = tensor::EmptyOp::create(rewriter, loc, xType.getShape(),
                                          resultType.getElementType());
    auto sunk = linalg::GenericOp::create(rewriter, loc, TypeRange{empty.getType()}, inputs,
                                          ValueRange{empty}, maps, op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), sunk.getRegion(), sunk.getRegion().begin());
    Value outInit = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                            resultType.getElementType());
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(op, sunk.getResult(0), outInit, *perm);
    return success();
  }
};

/// bitcast(transpose(x)) -> transpose(bitcast(x)): element by element.
struct SinkThroughBitcast : OpRewritePattern<tensor::BitcastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::BitcastOp op, PatternRewriter &rewriter) const override {
    auto transpose = op.getSource().getDefiningOp<linalg::TransposeOp>();
    // (linalg ops carry signless elements: no transposes of ui8 before
    // qcc-drop-signedness.)
    Type target = cast<RankedTensorType>(op.getType()).getElementType();
    if (!transpose || !transpose->hasOneUse() ||
        (isa<IntegerType>(target) && !target.isSignlessInteger()))
      return failure();
    Value x = transpose.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Type element = cast<RankedTensorType>(op.getType()).getElementType();
    Value bitcast = tensor::BitcastOp::create(rewriter, op.getLoc(), xType.clone(element), x);
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(),
                                         cast<RankedTensorType>(op.getType()).getShape(), element);
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(op, bitcast, init, transpose.getPermutation());
    return success();
  }
};

/// transpose(transpose(x, p), q) -> transpose(x, p . q), or x when that is
/// the identity.
struct FoldTransposePair : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!inner)
      return failure();
    ArrayRef<int64_t> p = inner.getPermutation(), q = op.getPermutation();
    // Result dim i = inner result dim q[i] = x dim p[q[i]].
    SmallVector<int64_t> composed;
    bool identity = true;
    for (size_t i = 0; i < q.size(); ++i) {
      composed.push_back(p[q[i]]);
      identity &= composed.back() == int64_t(i);
    }
    if (identity) {
      rewriter.replaceOp(op, inner.getInput());
      return success();
    }
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(op, inner.getInput(), op.getInit(),
                                                     composed);
    return success();
  }
};

struct SinkTransposesPass final : qcc::impl::SinkTransposesPassBase<SinkTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    qcc::populateSinkTransposesPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

bool qcc::isElementwiseWrite(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() || !op.hasPureTensorSemantics())
    return false;
  OpOperand *init = op.getDpsInitOperand(0);
  return op.getMatchingIndexingMap(init).isIdentity() &&
         op.getMatchingBlockArgument(init).use_empty();
}

void qcc::populateSinkTransposesPatterns(RewritePatternSet &patterns) {
  patterns.add<SinkThroughGeneric, SinkThroughBitcast, FoldTransposePair>(patterns.getContext());
}
