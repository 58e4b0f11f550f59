//===- SplitReductions.cpp - innermost reductions as vector lanes -------===//
//
// Lowered to loops, a reduction along the innermost loop keeps its running
// value in the output buffer: one load and one store per element, a chain
// the CPU cannot overlap (Softmax over 128 x 4096 took 1.9 ms). MLIR's
// split reduction with the new dimension parallel and innermost keeps
// `lanes` partial results side by side instead; LLVM vectorizes that loop,
// and a second, short reduction combines the lanes.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace qcc {
#define GEN_PASS_DEF_SPLITREDUCTIONSPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// The size of `op`'s one reduction loop when it is the innermost loop, a
/// static multiple of `lanes` and worth splitting; nullopt otherwise.
std::optional<int64_t> splittableSize(linalg::LinalgOp op, int64_t lanes) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op.getNumLoops() < 1)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.back() != utils::IteratorType::reduction)
    return std::nullopt;
  // Ops that read their own indices (ArgMax-like) keep their loop.
  bool readsIndex = false;
  op->walk([&](linalg::IndexOp) { readsIndex = true; });
  if (readsIndex)
    return std::nullopt;
  // Plain dimensions everywhere (a [M, 1] keepdims output reads (d0, 0):
  // the unit dimensions are folded away first).
  if (!llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return std::nullopt;
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!element.isF32() && !element.isInteger(32))
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  int64_t size = sizes.back();
  if (ShapedType::isDynamic(size) || size % lanes != 0 || size < 16 * lanes)
    return std::nullopt;
  return size;
}

struct SplitReductionsPass final : qcc::impl::SplitReductionsPassBase<SplitReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isa<linalg::GenericOp, linalg::ReduceOp>(op.getOperation()) &&
          splittableSize(op, lanes))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      auto output = cast<RankedTensorType>(op.getDpsInits()[0].getType());
      rewriter.setInsertionPoint(op);
      // The lanes become the last dimension of the partial results.
      linalg::ControlSplitReductionFn control = [&](linalg::LinalgOp) {
        return linalg::SplitReductionOptions{lanes, unsigned(output.getRank()),
                                             /*innerParallel=*/true};
      };
      // Failure (a body whose combiner is not one known op) leaves the op.
      (void)linalg::splitReduction(rewriter, op, control);
    }
  }
};

} // namespace
