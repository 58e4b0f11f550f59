//===- FactoredMatmul.cpp - block dot products with factored scales ----===//

#include "FactoredMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qcc::lowbit;

namespace {

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element) {
  return tensor::EmptyOp::create(b, loc, shape, element);
}

/// The GEMV/GEMM shape MatMulNBits weights have: [N, K] integer codes (no
/// codebook, 2/4/8 bits, row_major, packed), scales constant along runs of
/// `block` codes of K (per_block [1, B], per_axis over N, or per_tensor).
/// For these the scale and zero point factor out of each block's dot
/// product: sum_k a_k (q_k - z) s = s (sum_k a_k q_k - z sum_k a_k), so the
/// inner loop is a byte-wise dot product with one multiply per block.
/// Scales or zero points viewed as [N, blocks] (per-row ones as [N, 1],
/// per-tensor ones as [1, 1]); null stays null.
Value asParamGrid(OpBuilder &b, Location loc, Value params, int64_t n,
                  int64_t blocks) {
  if (!params)
    return params;
  auto paramType = cast<RankedTensorType>(params.getType());
  if (paramType.getShape() == ArrayRef<int64_t>{n, blocks})
    return params;
  Value flat = params;
  if (paramType.getRank() == 0)
    flat = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, paramType.getElementType()), params,
        ArrayRef<ReassociationIndices>{});
  int64_t count = cast<RankedTensorType>(flat.getType()).getNumElements();
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({count, 1}, paramType.getElementType()),
      flat, ArrayRef<ReassociationIndices>{{0, 1}});
}

/// The indexing map reading a parameter grid at (n, kb); size-1 grid
/// dimensions broadcast.
AffineMap paramGridMap(MLIRContext *context, Value grid, unsigned numLoops,
                       unsigned nDim, unsigned kbDim) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(grid.getType()).getShape();
  AffineExpr row = shape[0] == 1 ? getAffineConstantExpr(0, context)
                                 : getAffineDimExpr(nDim, context);
  AffineExpr col = shape[1] == 1 ? getAffineConstantExpr(0, context)
                                 : getAffineDimExpr(kbDim, context);
  return AffineMap::get(numLoops, 0, {row, col}, context);
}

/// Code `c` of a packed byte (zero-extended to i32) as f32.
Value unpackCode(OpBuilder &b, Location loc, Value word, int64_t c,
                 unsigned bits, bool isSigned) {
  auto cI32 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  };
  Value code = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, word, cI32(c * bits)),
      cI32((1 << bits) - 1));
  if (isSigned) {
    Value shift = cI32(32 - bits);
    code = arith::ShRSIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, code, shift), shift);
  }
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), code);
}

/// A zero point (integer of the scheme's signedness, or float) as f32.
Value zeroPointToF32(OpBuilder &b, Location loc, Value zero, QTensorType type) {
  Type f32 = b.getF32Type();
  if (isa<FloatType>(zero.getType()))
    return zero.getType().isF32() ? zero
                                  : Value(arith::ExtFOp::create(b, loc, f32, zero));
  if (cast<IntegerType>(type.getScheme().getZeroPoint()).isUnsigned())
    return arith::UIToFPOp::create(b, loc, f32, zero);
  return arith::SIToFPOp::create(b, loc, f32, zero);
}

} // namespace

std::optional<int64_t> qcc::lowbit::factoredBlockSize(const QTensorParts &weight,
                                         bool transposed) {
  if (!weight.packed || weight.tensorScale || !weight.scales)
    return std::nullopt;
  return factoredBlockSize(weight.type, transposed);
}

std::optional<int64_t> qcc::lowbit::factoredBlockSize(QTensorType type,
                                                      bool transposed) {
  SchemeAttr scheme = type.getScheme();
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!transposed || !storage || scheme.hasCodebook() ||
      scheme.getTensorScale() || !scheme.getScale() ||
      type.getLayoutKind() != LayoutKind::row_major)
    return std::nullopt;
  // 8-bit scales (E8M0, E4M3) decode through tables; not this path.
  if (!isa<FloatType>(scheme.getScale()) ||
      scheme.getScale().getIntOrFloatBitWidth() < 16)
    return std::nullopt;
  unsigned bits = storage.getWidth();
  if (bits != 2 && bits != 4 && bits != 8)
    return std::nullopt;
  int64_t k = type.getShape()[1];
  int64_t block = 0;
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    block = k;
    break;
  case Granularity::per_axis:
    if (*scheme.getAxis() != 0)
      return std::nullopt;
    block = k;
    break;
  case Granularity::per_block:
    if (scheme.getBlock()[0] != 1)
      return std::nullopt;
    block = scheme.getBlock()[1];
    break;
  }
  if (block % (8 / bits) != 0)
    return std::nullopt;
  return block;
}

/// result[rows, n] = sum_kb s[n, kb] (sum_j a[rows, kb B + j] q[n, kb B + j]
///                                     - z[n, kb] sum_j a[rows, kb B + j])
/// as a generic over (rows..., n, kb) reading the scales (and zero points)
/// as operands, with an scf.for over the block's bytes inside.
static Value buildFactoredMatmulRowLoops(OpBuilder &rewriter, Location loc, Value lhs,
                          const QTensorParts &weight, int64_t block,
                          RankedTensorType resultType) {
  MLIRContext *context = rewriter.getContext();
  QTensorType type = weight.type;
  auto storage = cast<IntegerType>(type.getStorageType());
  unsigned bits = storage.getWidth();
  int64_t perByte = 8 / bits, k = type.getShape()[1], n = type.getShape()[0];
  int64_t blocks = k / block;
  ArrayRef<int64_t> lhsShape = cast<RankedTensorType>(lhs.getType()).getShape();
  int64_t rank = lhsShape.size();
  int64_t loops = rank + 1; // rows..., n, kb
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  Value scales = asParamGrid(rewriter, loc, weight.scales, n, blocks);
  Value zeros = asParamGrid(rewriter, loc, weight.zeroPoints, n, blocks);
  auto gridMap = [&](Value grid) {
    return paramGridMap(context, grid, loops, rank - 1, rank);
  };
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank; ++i)
    outExprs.push_back(dim(i));
  SmallVector<Value> inputs = {scales};
  SmallVector<AffineMap> maps = {gridMap(scales)};
  if (zeros) {
    inputs.push_back(zeros);
    maps.push_back(gridMap(zeros));
  }
  // A kb-shaped operand fixes the kb loop's range when the parameters are
  // per tensor or per row (their maps do not mention kb).
  Value kbRange = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{blocks},
                                          rewriter.getI8Type());
  inputs.push_back(kbRange);
  maps.push_back(AffineMap::get(loops, 0, {dim(rank)}, context));
  maps.push_back(AffineMap::get(loops, 0, outExprs, context));
  SmallVector<utils::IteratorType> iterators(loops - 1, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Type f32 = rewriter.getF32Type();
  Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0.0f));
  Value init = linalg::FillOp::create(rewriter, loc, zero,
                                      emptyTensor(rewriter, loc, resultType.getShape(), f32))
                   .getResult(0);
  bool isSigned = !storage.isUnsigned();
  auto fast = arith::FastMathFlagsAttr::get(
      context, arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        SmallVector<Value> idx;
        for (int64_t i = 0; i < loops; ++i)
          idx.push_back(linalg::IndexOp::create(b, l, i));
        Value nIdx = idx[rank - 1], kb = idx[rank];
        auto cIdx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v); };
        // First byte of this (n, kb) block; first activation of the block.
        Value byteBase = arith::AddIOp::create(
            b, l, arith::MulIOp::create(b, l, nIdx, cIdx(k / perByte)),
            arith::MulIOp::create(b, l, kb, cIdx(block / perByte)));
        Value kBase = arith::MulIOp::create(b, l, kb, cIdx(block));
        bool needSum = static_cast<bool>(zeros);
        SmallVector<Value> iterInit = {zero};
        if (needSum)
          iterInit.push_back(zero);
        auto loop = scf::ForOp::create(
            b, l, cIdx(0), cIdx(block / perByte), cIdx(1), iterInit,
            [&](OpBuilder &lb, Location ll, Value j, ValueRange iter) {
              Value byteIndex = arith::AddIOp::create(lb, ll, byteBase, j);
              Value byte = tensor::ExtractOp::create(lb, ll, weight.codes, ValueRange{byteIndex});
              Value word = arith::ExtUIOp::create(lb, ll, lb.getI32Type(), byte);
              Value dot = iter[0];
              Value sum = needSum ? iter[1] : Value();
              Value kFirst = arith::AddIOp::create(
                  lb, ll, kBase, arith::MulIOp::create(lb, ll, j, cIdx(perByte)));
              for (int64_t c = 0; c < perByte; ++c) {
                Value q = unpackCode(lb, ll, word, c, bits, isSigned);
                SmallVector<Value> aIdx(idx.begin(), idx.begin() + rank - 1);
                aIdx.push_back(arith::AddIOp::create(lb, ll, kFirst, cIdx(c)));
                Value a = tensor::ExtractOp::create(lb, ll, lhs, aIdx);
                if (!a.getType().isF32())
                  a = arith::ExtFOp::create(lb, ll, f32, a);
                dot = arith::AddFOp::create(lb, ll, dot,
                                            arith::MulFOp::create(lb, ll, a, q, fast), fast);
                if (needSum)
                  sum = arith::AddFOp::create(lb, ll, sum, a, fast);
              }
              SmallVector<Value> next = {dot};
              if (needSum)
                next.push_back(sum);
              scf::YieldOp::create(lb, ll, next);
            });
        Value partial = loop.getResult(0);
        if (needSum) {
          Value zf = zeroPointToF32(b, l, args[1], type);
          partial = arith::SubFOp::create(
              b, l, partial, arith::MulFOp::create(b, l, zf, loop.getResult(1)));
        }
        Value scale = args[0];
        if (!scale.getType().isF32()) {
          // Scales of 16 bits extend; 8-bit ones (E8M0/E4M3) are excluded
          // by the MatMulNBits-like schemes this path takes.
          scale = arith::ExtFOp::create(b, l, f32, scale);
        }
        Value total = arith::AddFOp::create(b, l, args.back(),
                                            arith::MulFOp::create(b, l, scale, partial), fast);
        linalg::YieldOp::create(b, l, total);
      });
  return generic.getResult(0);
}


/// The same product with the rows inside the body: each weight byte is
/// decoded once for all M rows (M accumulators), so small batches reuse the
/// decode instead of repeating it per row. `lhs` is [M, K].
static Value buildFactoredMatmulRowsInBody(OpBuilder &rewriter, Location loc,
                                           Value lhs, const QTensorParts &weight,
                                           int64_t block) {
  MLIRContext *context = rewriter.getContext();
  QTensorType type = weight.type;
  auto storage = cast<IntegerType>(type.getStorageType());
  unsigned bits = storage.getWidth();
  int64_t perByte = 8 / bits, k = type.getShape()[1], n = type.getShape()[0];
  int64_t blocks = k / block;
  int64_t rows = cast<RankedTensorType>(lhs.getType()).getShape()[0];
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  auto gridMap = [&](Value g) { return paramGridMap(context, g, 2, 0, 1); };
  Value scales = asParamGrid(rewriter, loc, weight.scales, n, blocks);
  Value zeros = asParamGrid(rewriter, loc, weight.zeroPoints, n, blocks);
  SmallVector<Value> inputs = {scales};
  SmallVector<AffineMap> maps = {gridMap(scales)};
  if (zeros) {
    inputs.push_back(zeros);
    maps.push_back(gridMap(zeros));
  }
  inputs.push_back(tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{blocks},
                                           rewriter.getI8Type()));
  maps.push_back(AffineMap::get(2, 0, {dim(1)}, context));
  Type f32 = rewriter.getF32Type();
  Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0.0f));
  Value init = linalg::FillOp::create(rewriter, loc, zero, emptyTensor(rewriter, loc, {n}, f32))
                   .getResult(0);
  SmallVector<Value> outputs(rows, init);
  for (int64_t r = 0; r < rows; ++r)
    maps.push_back(AffineMap::get(2, 0, {dim(0)}, context));
  SmallVector<Type> resultTypes(rows, init.getType());
  bool isSigned = !storage.isUnsigned();
  bool needSum = static_cast<bool>(zeros);
  auto fast = arith::FastMathFlagsAttr::get(
      context, arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, resultTypes, inputs, outputs, maps,
      {utils::IteratorType::parallel, utils::IteratorType::reduction},
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value nIdx = linalg::IndexOp::create(b, l, 0);
        Value kb = linalg::IndexOp::create(b, l, 1);
        auto cIdx = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v); };
        Value byteBase = arith::AddIOp::create(
            b, l, arith::MulIOp::create(b, l, nIdx, cIdx(k / perByte)),
            arith::MulIOp::create(b, l, kb, cIdx(block / perByte)));
        Value kBase = arith::MulIOp::create(b, l, kb, cIdx(block));
        // Iteration values: rows dot products, then rows activation sums.
        SmallVector<Value> iterInit(needSum ? 2 * rows : rows, zero);
        auto loop = scf::ForOp::create(
            b, l, cIdx(0), cIdx(block / perByte), cIdx(1), iterInit,
            [&](OpBuilder &lb, Location ll, Value j, ValueRange iter) {
              Value byte = tensor::ExtractOp::create(
                  lb, ll, weight.codes, ValueRange{arith::AddIOp::create(lb, ll, byteBase, j)});
              Value word = arith::ExtUIOp::create(lb, ll, lb.getI32Type(), byte);
              Value kFirst = arith::AddIOp::create(
                  lb, ll, kBase, arith::MulIOp::create(lb, ll, j, cIdx(perByte)));
              SmallVector<Value> next(iter.begin(), iter.end());
              for (int64_t c = 0; c < perByte; ++c) {
                Value q = unpackCode(lb, ll, word, c, bits, isSigned);
                Value kk = arith::AddIOp::create(lb, ll, kFirst, cIdx(c));
                for (int64_t r = 0; r < rows; ++r) {
                  Value a = tensor::ExtractOp::create(lb, ll, lhs, ValueRange{cIdx(r), kk});
                  if (!a.getType().isF32())
                    a = arith::ExtFOp::create(lb, ll, f32, a);
                  next[r] = arith::AddFOp::create(
                      lb, ll, next[r], arith::MulFOp::create(lb, ll, a, q, fast), fast);
                  if (needSum)
                    next[rows + r] = arith::AddFOp::create(lb, ll, next[rows + r], a, fast);
                }
              }
              scf::YieldOp::create(lb, ll, next);
            });
        Value scale = args[0];
        if (!scale.getType().isF32())
          scale = arith::ExtFOp::create(b, l, f32, scale);
        Value zf;
        if (needSum) {
          zf = zeroPointToF32(b, l, args[1], type);
        }
        unsigned accBase = args.size() - rows;
        SmallVector<Value> totals;
        for (int64_t r = 0; r < rows; ++r) {
          Value partial = loop.getResult(r);
          if (needSum)
            partial = arith::SubFOp::create(
                b, l, partial, arith::MulFOp::create(b, l, zf, loop.getResult(rows + r)));
          totals.push_back(arith::AddFOp::create(
              b, l, args[accBase + r], arith::MulFOp::create(b, l, scale, partial), fast));
        }
        linalg::YieldOp::create(b, l, totals);
      });
  // Stack the per-row results into [M, N].
  Value stacked = emptyTensor(rewriter, loc, {rows, n}, f32);
  for (int64_t r = 0; r < rows; ++r) {
    Value row = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({1, n}, f32), generic.getResult(r),
        ArrayRef<ReassociationIndices>{{0, 1}});
    stacked = tensor::InsertSliceOp::create(
        rewriter, loc, row, stacked, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(r), rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(n)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)});
  }
  return stacked;
}

/// Rows up to this count share each decoded byte inside the body.
static constexpr int64_t kMaxRowsInBody = 8;

Value qcc::lowbit::buildFactoredMatmul(OpBuilder &b, Location loc, Value lhs,
                                       const QTensorParts &weight, int64_t block,
                                       RankedTensorType resultType) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t rows = 1;
  for (int64_t size : lhsType.getShape().drop_back())
    rows *= size;
  if (rows < 2 || rows > kMaxRowsInBody)
    return buildFactoredMatmulRowLoops(b, loc, lhs, weight, block, resultType);
  int64_t k = lhsType.getShape().back();
  int64_t rank = lhsType.getRank();
  Value flat = lhs;
  if (rank > 2) {
    ReassociationIndices leading;
    for (int64_t i = 0; i + 1 < rank; ++i)
      leading.push_back(i);
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({rows, k}, lhsType.getElementType()), lhs,
        ArrayRef<ReassociationIndices>{leading, {rank - 1}});
  }
  Value result = buildFactoredMatmulRowsInBody(b, loc, flat, weight, block);
  if (rank == 2)
    return result;
  ReassociationIndices leading;
  for (int64_t i = 0; i + 1 < rank; ++i)
    leading.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, resultType.clone(b.getF32Type()), result,
      ArrayRef<ReassociationIndices>{leading, {rank - 1}});
}
