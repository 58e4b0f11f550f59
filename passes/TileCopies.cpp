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

/// The two loops of a 2-D transpose of `op`: `read` runs along the
/// input's last index and only there, `write` along the output's last index
/// and only there; nullopt for anything else.
std::optional<std::pair<unsigned, unsigned>> transposeLoops(linalg::LinalgOp op) {
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  auto lastDim = [](AffineMap map) -> std::optional<unsigned> {
    if (map.getNumResults() == 0)
      return std::nullopt;
    auto dim = dyn_cast<AffineDimExpr>(map.getResults().back());
    if (!dim)
      return std::nullopt;
    for (AffineExpr e : map.getResults().drop_back())
      if (e.isFunctionOfDim(dim.getPosition()))
        return std::nullopt;
    return dim.getPosition();
  };
  std::optional<unsigned> read = lastDim(inMap), write = lastDim(outMap);
  if (!read || !write || *read == *write)
    return std::nullopt;
  // Each side's other indices must not move with the other loop's lane.
  for (AffineExpr e : inMap.getResults().drop_back())
    if (e.isFunctionOfDim(*write) && e != getAffineDimExpr(*write, op.getContext()))
      return std::nullopt;
  for (AffineExpr e : outMap.getResults().drop_back())
    if (e.isFunctionOfDim(*read) && e != getAffineDimExpr(*read, op.getContext()))
      return std::nullopt;
  return std::make_pair(*read, *write);
}

/// An 8 x 8 transpose of 32-bit lanes as the unpack / shuffle / 128-bit
/// permute sequence (24 two-source shuffles) that x86 backends turn into
/// vunpcklps, vshufps and vperm2f128.
SmallVector<Value> transpose8x8(OpBuilder &b, Location loc, ArrayRef<Value> rows) {
  auto shuffle = [&](Value x, Value y, ArrayRef<int64_t> mask) -> Value {
    return vector::ShuffleOp::create(b, loc, x, y, mask);
  };
  SmallVector<Value> t(8), u(8), out(8);
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = shuffle(rows[2 * i], rows[2 * i + 1], {0, 8, 1, 9, 4, 12, 5, 13});
    t[2 * i + 1] = shuffle(rows[2 * i], rows[2 * i + 1], {2, 10, 3, 11, 6, 14, 7, 15});
  }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      Value x = t[4 * i + j], y = t[4 * i + j + 2];
      u[4 * i + 2 * j] = shuffle(x, y, {0, 1, 8, 9, 4, 5, 12, 13});
      u[4 * i + 2 * j + 1] = shuffle(x, y, {2, 3, 10, 11, 6, 7, 14, 15});
    }
  for (int i = 0; i < 4; ++i) {
    out[i] = shuffle(u[i], u[i + 4], {0, 1, 2, 3, 8, 9, 10, 11});
    out[i + 4] = shuffle(u[i], u[i + 4], {4, 5, 6, 7, 12, 13, 14, 15});
  }
  return out;
}

/// `op`, a transpose of 32-bit elements whose two contiguous loops run 8 at
/// a time (transposeLoops), as an scf.parallel over 8 x 8 blocks: 8 vector
/// loads along the input's rows, transpose8x8, 8 vector stores along the
/// output's. As tiled loops each element was one scalar load and store.
void transposeBlocksAsVectors(RewriterBase &rewriter, linalg::LinalgOp op,
                              ArrayRef<int64_t> sizes, unsigned read, unsigned write) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  SmallVector<Value> lower, upper, steps;
  for (auto [l, size] : llvm::enumerate(sizes)) {
    lower.push_back(zero);
    upper.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
    steps.push_back(arith::ConstantIndexOp::create(
        rewriter, loc, l == read || l == write ? 8 : 1));
  }
  Value in = op.getDpsInputOperand(0)->get(), out = op.getDpsInitOperand(0)->get();
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  auto rowType = VectorType::get({8}, cast<MemRefType>(in.getType()).getElementType());
  scf::ParallelOp::create(
      rewriter, loc, lower, upper, steps, [&](OpBuilder &b, Location l, ValueRange ivs) {
        auto indices = [&](AffineMap map, unsigned loop, int64_t offset) {
          SmallVector<Value> dims(ivs);
          if (offset != 0)
            dims[loop] = arith::AddIOp::create(b, l, ivs[loop],
                                               arith::ConstantIndexOp::create(b, l, offset));
          SmallVector<Value> at;
          for (AffineExpr e : map.getResults())
            at.push_back(affine::expandAffineExpr(b, l, e, dims, ValueRange{}));
          return at;
        };
        // Row r of the block: the input at write-loop lane r, along `read`.
        SmallVector<Value> rows;
        for (int64_t r = 0; r < 8; ++r)
          rows.push_back(vector::LoadOp::create(b, l, rowType, in, indices(inMap, write, r)));
        SmallVector<Value> columns = transpose8x8(b, l, rows);
        for (int64_t r = 0; r < 8; ++r)
          vector::StoreOp::create(b, l, columns[r], out, indices(outMap, read, r));
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
      // 32-bit elements moving between two single loops of multiples of 8:
      // 8 x 8 blocks in registers.
      if (cast<MemRefType>(in->get().getType()).getElementTypeBitWidth() == 32)
        if (auto loops = transposeLoops(op))
          if (sizes[loops->first] % 8 == 0 && sizes[loops->second] % 8 == 0) {
            transposeBlocksAsVectors(rewriter, op, sizes, loops->first, loops->second);
            continue;
          }
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
