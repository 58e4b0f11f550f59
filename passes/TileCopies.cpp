//===- TileCopies.cpp - cache-friendly transposes and window copies -----===//
//
// linalg ops that only move elements (linalg.transpose, a generic whose
// body yields its input) lower to loops in the op's iteration order: one
// side is read or written with a stride, and for tensors larger than the
// cache every strided access misses (a 3 MB NCHW -> NHWC transpose ran at
// about 1 GB/s). Tiling the loops that run along the output's and the
// input's contiguous axes keeps a tile of both in L1; the tile loops are
// scf.parallel, so the thread pool splits them as before.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace qcc {
#define GEN_PASS_DEF_TILECOPIESPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// Whether `op` only copies its single input into its single output, over
/// parallel loops of static sizes, on buffers.
bool isCopy(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() || op.getNumLoops() < 2)
    return false;
  if (ShapedType::isDynamicShape(op.getStaticLoopRanges()))
    return false;
  if (isa<linalg::TransposeOp>(op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic)
    return false;
  Block *body = generic.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  return body->getOperations().size() == 1 &&
         yield.getValues()[0] == generic.getMatchingBlockArgument(generic.getDpsInputOperand(0));
}

/// The loops the innermost varying index of `map` runs along: walking
/// `map`'s results from the last, the dims of the first result with a
/// loop of more than one iteration (an im2col read `o * s + k` has two).
llvm::SmallDenseSet<unsigned> innermostLoops(AffineMap map, ArrayRef<int64_t> loopSizes) {
  llvm::SmallDenseSet<unsigned> loops;
  for (AffineExpr result : llvm::reverse(map.getResults())) {
    result.walk([&](AffineExpr e) {
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        if (loopSizes[dim.getPosition()] > 1)
          loops.insert(dim.getPosition());
    });
    if (!loops.empty())
      break;
  }
  return loops;
}

/// Whether the buffer `operand` is contiguous in its last dimension (a
/// strided view's last stride of 1, or an identity layout).
bool unitInnerStride(Value buffer) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) && !strides.empty() &&
         strides.back() == 1;
}

/// A tile of about `target` along a loop of `size`: the whole loop when it
/// is short, else a divisor in [target / 2, target] when there is one (no
/// partial tiles: static inner loops), else `target`.
int64_t tileFor(int64_t size, int64_t target) {
  if (size <= target)
    return size;
  for (int64_t t = target; t >= std::max<int64_t>(1, target / 2); --t)
    if (size % t == 0)
      return t;
  return target;
}

/// The largest run (bytes) copied as one vector: beyond it LLVM's loop
/// vectorizer handles the loop well by itself.
constexpr int64_t kMaxVectorRunBytes = 1024;

/// Whether both sides of `op` run along its last loop alone, as their last
/// index: a copy of contiguous runs (a channels-last window copy). Returns
/// the run's length.
std::optional<int64_t> contiguousRun(linalg::LinalgOp op, ArrayRef<int64_t> sizes) {
  unsigned last = op.getNumLoops() - 1;
  for (OpOperand *operand : {op.getDpsInputOperand(0), op.getDpsInitOperand(0)}) {
    AffineMap map = op.getMatchingIndexingMap(operand);
    if (map.getNumResults() == 0 || map.getResults().back() != getAffineDimExpr(last, op.getContext()))
      return std::nullopt;
    for (AffineExpr e : map.getResults().drop_back())
      if (e.isFunctionOfDim(last))
        return std::nullopt;
  }
  return sizes[last];
}

/// `op` (a copy of runs of `run` elements) as an scf.parallel over its other
/// loops whose body moves one run with a vector load and store. As loops,
/// LLVM unrolls short runs (32 bytes) and then copies them byte by byte:
/// it cannot prove the two buffers apart to vectorize the unrolled code.
void copyRunsAsVectors(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes,
                       int64_t run) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  SmallVector<Value> lower, upper, steps;
  for (int64_t size : sizes.drop_back()) {
    lower.push_back(zero);
    upper.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
    steps.push_back(one);
  }
  Value in = op.getDpsInputOperand(0)->get(), out = op.getDpsInitOperand(0)->get();
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  auto vectorType = VectorType::get({run}, cast<MemRefType>(in.getType()).getElementType());
  scf::ParallelOp::create(
      rewriter, loc, lower, upper, steps,
      [&](OpBuilder &b, Location l, ValueRange ivs) {
        SmallVector<Value> dims(ivs);
        dims.push_back(zero); // the run starts at its loop's 0
        auto indices = [&](AffineMap map) {
          SmallVector<Value> at;
          for (AffineExpr e : map.getResults())
            at.push_back(affine::expandAffineExpr(b, l, e, dims, ValueRange{}));
          return at;
        };
        Value v = vector::LoadOp::create(b, l, vectorType, in, indices(inMap));
        vector::StoreOp::create(b, l, v, out, indices(outMap));
      });
  rewriter.eraseOp(op);
}

struct TileCopiesPass final : qcc::impl::TileCopiesPassBase<TileCopiesPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> copies;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isCopy(op))
        copies.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : copies) {
      SmallVector<int64_t> sizes = op.getStaticLoopRanges();
      OpOperand *in = op.getDpsInputOperand(0);
      OpOperand *out = op.getDpsInitOperand(0);
      if (!unitInnerStride(in->get()) || !unitInnerStride(out->get()))
        continue;
      llvm::SmallDenseSet<unsigned> readLoops =
          innermostLoops(op.getMatchingIndexingMap(in), sizes);
      llvm::SmallDenseSet<unsigned> writeLoops =
          innermostLoops(op.getMatchingIndexingMap(out), sizes);
      // Already in order (a copy along the same loop): nothing to tile;
      // short contiguous runs become vector moves.
      bool sameAxis = llvm::any_of(writeLoops, [&](unsigned l) { return readLoops.contains(l); });
      if (sameAxis) {
        unsigned bits = cast<MemRefType>(in->get().getType()).getElementTypeBitWidth();
        if (std::optional<int64_t> run = contiguousRun(op, sizes))
          if (*run > 1 && bits % 8 == 0 && *run * int64_t(bits / 8) <= kMaxVectorRunBytes)
            copyRunsAsVectors(rewriter, op, sizes, *run);
        continue;
      }
      if (readLoops.empty() || writeLoops.empty())
        continue;
      // Tiles of 1 on every other loop; about `tile` elements along each
      // contiguous side (the loops of an index expression share it).
      SmallVector<int64_t> tileSizes(sizes.size(), 1);
      int64_t elements = 1;
      for (const auto *side : {&readLoops, &writeLoops})
        for (unsigned l : *side) {
          tileSizes[l] = tileFor(sizes[l], tile);
          elements *= tileSizes[l];
        }
      // Too small to pay for the tile loops.
      if (elements == 1)
        continue;
      linalg::LinalgTilingOptions options;
      options.setTileSizes(tileSizes).setLoopType(linalg::LinalgTilingLoopType::ParallelLoops);
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::TiledLinalgOp> tiled = linalg::tileLinalgOp(rewriter, op, options);
      if (failed(tiled))
        continue;
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
