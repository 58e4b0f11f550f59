//===- VectorizeMatmul.cpp - f32 linalg.matmul as a register-tiled kernel -===//
//
// The reference lowering of linalg.matmul loops (m, n, k) with k innermost,
// reading B [K, N] down a column: one cache line per multiply-add. Here
// the product becomes vector code that streams B along its rows:
//
//   parallel over blocks of rows x column tiles of W = U x V floats
//     for k-blocks of KB:            (B's [KB x W] tile stays in L1)
//       for row tiles of R rows in the block:
//         acc[r][u] = C[m + r, n0 + u V : +V]   (zeros in the first block
//                                                 when C starts as zeros)
//         for k in the block:
//           b[u] = B[k, n0 + u V : +V]
//           acc[r][u] += broadcast(A[m + r, k]) * b[u]
//         C[...] = epilogue(acc)
//
// with R x U accumulators in registers (16 with AVX-512, 8 with AVX2's 16
// registers), tiles narrowed to divide N where they can. Columns past the
// last whole tile run row-parallel with each sum in a register. A constant
// B is packed tile by tile at compile time (a transpose of one, Gemm's
// transB / PyTorch's Linear layout, transposed first); the elementwise
// generic that alone reads the product (bias, activation) runs at the
// stores when K is one block; a result that only a constant tensor.pad
// reads is stored into the padded buffer's interior (C then [D..., N],
// rows delinearized), the pad replaced by that buffer.
//
//===----------------------------------------------------------------------===//

#include "Int8DotMatmul.h"
#include "StoreEpilogue.h"

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace qcc {
#define GEN_PASS_DEF_VECTORIZEMATMULPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// The f32 values of a constant tensor, or nullopt.
std::optional<std::vector<float>> constantFloats(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements || !elements.getElementType().isF32())
    return std::nullopt;
  std::vector<float> values;
  values.reserve(elements.getNumElements());
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    for (float v : dense.getValues<float>())
      values.push_back(v);
    return values;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  AsmResourceBlob *blob = resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || blob->getData().size() != size_t(elements.getNumElements()) * 4)
    return std::nullopt;
  values.resize(elements.getNumElements());
  std::memcpy(values.data(), blob->getData().data(), values.size() * 4);
  return values;
}

/// A constant B [K, N] as its whole column tiles of `tileCols`, tile by
/// tile ([N / tileCols, K, tileCols]): a tile's rows, which the kernel reads
/// one after another, are then contiguous (in B they are N apart: a 64-byte
/// piece every 4 KiB at N = 1024, 13 GB/s at M = 4). Null when B is not a
/// constant or has no whole tile.
Value packedRhs(OpBuilder &b, Location loc, Value rowMajor, int64_t tileCols) {
  auto type = cast<RankedTensorType>(rowMajor.getType());
  int64_t k = type.getShape()[0], n = type.getShape()[1], tiles = n / tileCols;
  std::optional<std::vector<float>> values = constantFloats(rowMajor);
  if (!values || tiles == 0)
    return Value();
  std::vector<float> packed(size_t(tiles * k * tileCols));
  for (int64_t t = 0; t < tiles; ++t)
    for (int64_t row = 0; row < k; ++row)
      std::memcpy(&packed[size_t((t * k + row) * tileCols)],
                  &(*values)[size_t(row * n + t * tileCols)], size_t(tileCols) * 4);
  auto packedType = RankedTensorType::get({tiles, k, tileCols}, b.getF32Type());
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(packed));
  return arith::ConstantOp::create(
      b, loc, DenseResourceElementsAttr::get(packedType, "qcc_packed_weight", std::move(blob)));
}

/// B itself, or B = transpose(W) with W constant folded into a [K, N]
/// constant (the kernel streams B's rows).
Value rowMajorRhs(OpBuilder &b, Location loc, Value rhs) {
  auto transpose = rhs.getDefiningOp<linalg::TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
    return rhs;
  std::optional<std::vector<float>> w = constantFloats(transpose.getInput());
  if (!w)
    return rhs;
  auto type = cast<RankedTensorType>(rhs.getType());
  int64_t k = type.getShape()[0], n = type.getShape()[1];
  std::vector<float> t(w->size());
  for (int64_t row = 0; row < n; ++row)
    for (int64_t col = 0; col < k; ++col)
      t[col * n + row] = (*w)[row * k + col];
  // A resource blob: no text form of the weights, mmap-friendly like the
  // importer's.
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(t));
  auto attr = DenseResourceElementsAttr::get(type, "qcc_transposed_weight", std::move(blob));
  return arith::ConstantOp::create(b, loc, attr);
}

class MatmulKernel {
public:
  /// `rowDims` empty: C is [M, N]. Otherwise C is [D..., N] with rows
  /// D... row-major (M = their product), possibly strided: the interior
  /// of a padded buffer that a convolution's output goes to.
  MatmulKernel(OpBuilder &b, Location loc, int64_t vectorWidth, ArrayRef<int64_t> rowDims = {})
      : b(b), loc(loc), width(vectorWidth), rowDims(rowDims) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// C (memref [M, N], holding the initial values) += A x B. With
  /// `packed` (memref [N / tileCols, K, tileCols], the whole column tiles
  /// of a constant B, tile by tile) the tiles stream it contiguously; B
  /// itself then serves only the columns past the last whole tile.
  /// With `zeroInit` C holds nothing yet and the sums start from zero
  /// (the first k-block's accumulators are zeros, not loads of C).
  /// With `epilogue` (one k-block only) each result vector goes through
  /// it before its store.
  void build(Value a, Value bm, Value c, int64_t m, int64_t n, int64_t k, Value packed = {},
             bool zeroInit = false, const qcc::lowbit::StoreEpilogue *epilogue = nullptr);

  /// K per block: B's [kBlock x tileCols] block stays in L1 (32 KiB)
  /// across row tiles.
  static int64_t kBlockFor(int64_t k, int64_t tileCols) {
    return std::min<int64_t>(k, std::max<int64_t>(16, 8192 / tileCols));
  }

  /// The kernel's shape for M rows and N columns: rows R and columns of a
  /// tile (U x V).
  static std::pair<int64_t, int64_t> tileShape(int64_t m, int64_t n, int64_t width) {
    int64_t rows = m % 4 == 0 ? 4 : m % 2 == 0 ? 2 : 1;
    // 16 accumulators with AVX-512's 32 registers, 8 with AVX2's 16 (16
    // ymm accumulators and the row of B spilled: 3136 x 576 x 64 ran at
    // 30 GFLOP/s); with fewer rows, wider column tiles, so each k reads a
    // longer contiguous piece of B's row (1 KiB at M = 1 with AVX-512).
    int64_t accumulators = width >= 16 ? 16 : 8;
    int64_t units = accumulators / rows;
    if (n % (units * width) != 0) {
      // Narrower tiles that cover N (24 channels: 3 of 8 lanes, not one
      // tile of 16 and 8 columns in the scalar loop), more rows for them.
      int64_t u = units - 1;
      while (u > 0 && n % (u * width) != 0)
        --u;
      if (u > 0) {
        units = u;
        for (int64_t r : {8, 4, 2, 1})
          if (r * units <= accumulators && m % r == 0) {
            rows = r;
            break;
          }
      }
    }
    return {rows, units * width};
  }

private:
  /// C's indices of (row, col).
  SmallVector<Value> cAt(OpBuilder &ob, Value row, Value col) {
    if (rowDims.empty())
      return {row, col};
    SmallVector<Value> at(rowDims.size());
    Value rest = row;
    for (int64_t d = int64_t(rowDims.size()) - 1; d >= 0; --d) {
      Value size = arith::ConstantIndexOp::create(ob, loc, rowDims[d]);
      at[d] = d == 0 ? rest : Value(arith::RemUIOp::create(ob, loc, rest, size));
      if (d > 0)
        rest = arith::DivUIOp::create(ob, loc, rest, size);
    }
    at.push_back(col);
    return at;
  }

  scf::ForOp forLoop(OpBuilder &ob, Value lb, Value ub, int64_t step,
                     ValueRange init,
                     llvm::function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
    return scf::ForOp::create(ob, loc, lb, ub, index(step), init,
                              [&](OpBuilder &lb2, Location, Value iv, ValueRange it) {
                                scf::YieldOp::create(lb2, loc, body(lb2, iv, it));
                              });
  }

  OpBuilder &b;
  Location loc;
  int64_t width;
  SmallVector<int64_t> rowDims;
};

void MatmulKernel::build(Value a, Value bm, Value c, int64_t m, int64_t n, int64_t k,
                        Value packed, bool zeroInit,
                        const qcc::lowbit::StoreEpilogue *epilogue) {
  Type f32 = b.getF32Type();
  auto vec = VectorType::get({width}, f32);
  std::pair<int64_t, int64_t> shape = tileShape(m, n, width);
  int64_t rows = shape.first, tileCols = shape.second;
  int64_t units = tileCols / width;
  int64_t kBlock = kBlockFor(k, tileCols);
  int64_t tiles = n / tileCols;
  auto add = [&](OpBuilder &ob, Value x, Value y) -> Value {
    return arith::AddIOp::create(ob, loc, x, y);
  };
  auto mul = [&](OpBuilder &ob, Value x, int64_t y) -> Value {
    return arith::MulIOp::create(ob, loc, x, index(y));
  };

  // Blocks of rows x column tiles in parallel: a conv's 12544 rows by 3
  // column tiles (24 channels) were 3 pieces for 16 threads. A block keeps
  // at least 64 rows (its k-block of B is reused across them).
  int64_t sixtyFourth = ((m + 63) / 64 + rows - 1) / rows * rows;
  int64_t blockRows = std::min(m, std::max<int64_t>(64, sixtyFourth));
  int64_t rowBlocks = (m + blockRows - 1) / blockRows;
  if (tiles > 0)
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0), index(0)}, ValueRange{index(rowBlocks), index(tiles)},
        ValueRange{index(1), index(1)}, [&](OpBuilder &pb, Location, ValueRange ivs) {
          Value tile = ivs[1];
          Value mStart = mul(pb, ivs[0], blockRows);
          Value mEnd = arith::MinSIOp::create(pb, loc, add(pb, mStart, index(blockRows)), index(m));
          Value n0 = mul(pb, tile, tileCols);
          SmallVector<Value> colIndex;
          for (int64_t u = 0; u < units; ++u)
            colIndex.push_back(add(pb, n0, index(u * width)));
          forLoop(pb, index(0), index(k), kBlock, {}, [&](OpBuilder &kb, Value k0, ValueRange) {
            Value kEnd = arith::MinSIOp::create(kb, loc, add(kb, k0, index(kBlock)), index(k));
            forLoop(kb, mStart, mEnd, rows, {}, [&](OpBuilder &mb, Value m0, ValueRange) {
              SmallVector<Value> rowIndex;
              for (int64_t r = 0; r < rows; ++r)
                rowIndex.push_back(add(mb, m0, index(r)));
              auto loadC = [&](OpBuilder &lb) {
                SmallVector<Value> loaded;
                for (int64_t r = 0; r < rows; ++r)
                  for (int64_t u = 0; u < units; ++u)
                    loaded.push_back(vector::LoadOp::create(lb, loc, vec, c,
                                                            cAt(lb, rowIndex[r], colIndex[u])));
                return loaded;
              };
              SmallVector<Value> acc;
              if (!zeroInit) {
                acc = loadC(mb);
              } else if (kBlock >= k) {
                acc.assign(rows * units, arith::ConstantOp::create(mb, loc, mb.getZeroAttr(vec)));
              } else {
                // Zeros for the first k-block, C's partial sums after it.
                Value first = arith::CmpIOp::create(mb, loc, arith::CmpIPredicate::eq, k0, index(0));
                auto choose = scf::IfOp::create(
                    mb, loc, SmallVector<Type>(rows * units, vec), first, /*withElse=*/true);
                OpBuilder tb = choose.getThenBodyBuilder();
                scf::YieldOp::create(
                    tb, loc,
                    SmallVector<Value>(rows * units,
                                       arith::ConstantOp::create(tb, loc, tb.getZeroAttr(vec))));
                OpBuilder eb = choose.getElseBodyBuilder();
                scf::YieldOp::create(eb, loc, loadC(eb));
                acc.assign(choose.getResults().begin(), choose.getResults().end());
              }
              auto kLoop = forLoop(mb, k0, kEnd, 1, acc, [&](OpBuilder &ib, Value kk, ValueRange it) {
                SmallVector<Value> bv;
                for (int64_t u = 0; u < units; ++u)
                  bv.push_back(packed ? vector::LoadOp::create(
                                            ib, loc, vec, packed,
                                            ValueRange{tile, kk, index(u * width)})
                                      : vector::LoadOp::create(ib, loc, vec, bm,
                                                               ValueRange{kk, colIndex[u]}));
                SmallVector<Value> next;
                for (int64_t r = 0; r < rows; ++r) {
                  Value av = vector::BroadcastOp::create(
                      ib, loc, vec, memref::LoadOp::create(ib, loc, a, ValueRange{rowIndex[r], kk}));
                  for (int64_t u = 0; u < units; ++u)
                    next.push_back(vector::FMAOp::create(ib, loc, vec, av, bv[u],
                                                         it[r * units + u]));
                }
                return next;
              });
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t u = 0; u < units; ++u) {
                  Value y = kLoop.getResult(r * units + u);
                  if (epilogue)
                    y = qcc::lowbit::applyStoreEpilogue(mb, loc, *epilogue, y, rowIndex[r],
                                                        colIndex[u]);
                  vector::StoreOp::create(mb, loc, y, c, cAt(mb, rowIndex[r], colIndex[u]));
                }
              return SmallVector<Value>{};
            });
            return SmallVector<Value>{};
          });
        });

  // Columns past the whole tiles (N not a multiple of the vector width):
  // rows in parallel, each column's sum over k in a register.
  if (tiles * tileCols < n)
    scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{index(m)}, ValueRange{index(1)},
        [&](OpBuilder &pb, Location, ValueRange ivs) {
          Value row = ivs[0];
          forLoop(pb, index(tiles * tileCols), index(n), 1, {}, [&](OpBuilder &nb, Value col, ValueRange) {
            Value init = zeroInit ? Value(arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(0.0f)))
                                  : Value(memref::LoadOp::create(nb, loc, c, cAt(nb, row, col)));
            auto sum = forLoop(nb, index(0), index(k), 1, {init}, [&](OpBuilder &kb, Value kk, ValueRange it) {
              Value av = memref::LoadOp::create(kb, loc, a, ValueRange{row, kk});
              Value bv = memref::LoadOp::create(kb, loc, bm, ValueRange{kk, col});
              return SmallVector<Value>{math::FmaOp::create(kb, loc, av, bv, it[0])};
            });
            Value y = sum.getResult(0);
            if (epilogue) {
              // One lane through the vector epilogue.
              auto lane = VectorType::get({1}, f32);
              Value v = vector::BroadcastOp::create(nb, loc, lane, y);
              v = qcc::lowbit::applyStoreEpilogue(nb, loc, *epilogue, v, row, col);
              y = vector::ExtractOp::create(nb, loc, v, 0);
            }
            memref::StoreOp::create(nb, loc, y, c, cAt(nb, row, col));
            return SmallVector<Value>{};
          });
        });
}

Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

/// The elementwise linalg.generic that alone reads a matmul's result
/// (directly or through an expand_shape that splits only the rows: a
/// conv's [N*H*W, C] product seen as [N, H, W, C]) and that the kernel can
/// apply before its stores: all-parallel, one f32 output of the product's
/// shape, identity maps for the product and the output, every other input
/// of that shape (identity), a vector along the last dimension or a
/// scalar, and a body of plain arith/math operations.
struct Consumer {
  linalg::GenericOp generic;
  tensor::ExpandShapeOp expand; // or null
  unsigned productOperand = 0;
};

/// The expand_shape that alone reads `v` ([M, N] rows) and splits only its
/// rows (a conv's [N*H*W, C] seen as [N, H, W, C]), its result read once;
/// null otherwise.
tensor::ExpandShapeOp rowSplittingExpand(Value v) {
  if (!v.hasOneUse())
    return {};
  auto expand = dyn_cast<tensor::ExpandShapeOp>(*v.getUsers().begin());
  if (!expand)
    return {};
  SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
  if (groups.size() != 2 || groups.back().size() != 1 || !expand.getResult().hasOneUse())
    return {};
  return expand;
}

std::optional<Consumer> fusableConsumer(linalg::MatmulOp op) {
  Value product = op.getResult(0);
  if (!product.hasOneUse())
    return std::nullopt;
  Consumer consumer;
  if (tensor::ExpandShapeOp expand = rowSplittingExpand(product)) {
    consumer.expand = expand;
    product = expand.getResult();
  } else if (isa<tensor::ExpandShapeOp>(*product.getUsers().begin())) {
    return std::nullopt;
  }
  auto generic = dyn_cast<linalg::GenericOp>(*product.getUsers().begin());
  if (!generic || generic.getNumDpsInits() != 1 || generic.getNumResults() != 1 ||
      generic.getNumReductionLoops() != 0 || generic.getResult(0).getType() != product.getType())
    return std::nullopt;
  auto type = cast<RankedTensorType>(product.getType());
  int64_t rank = type.getRank();
  if (!generic.getMatchingIndexingMap(generic.getDpsInitOperand(0)).isIdentity())
    return std::nullopt;
  int productUses = 0;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    if (input->get() == product) {
      if (!map.isIdentity())
        return std::nullopt;
      consumer.productOperand = input->getOperandNumber();
      ++productUses;
      continue;
    }
    auto inputType = dyn_cast<RankedTensorType>(input->get().getType());
    if (!inputType || !inputType.hasStaticShape())
      return std::nullopt;
    // The kernel reads it where the matmul is.
    if (Operation *def = input->get().getDefiningOp())
      if (def->getBlock() == op->getBlock() && !def->isBeforeInBlock(op))
        return std::nullopt;
    bool full = map.isIdentity() && inputType == type.clone(inputType.getElementType());
    bool lastDim = map.getNumResults() == 1 && map.getResult(0) == getAffineDimExpr(rank - 1, op.getContext()) &&
                   inputType.getShape()[0] == type.getShape()[rank - 1];
    bool scalar = map.getNumResults() == 0 && inputType.getRank() == 0;
    if (!full && !lastDim && !scalar)
      return std::nullopt;
  }
  if (productUses != 1)
    return std::nullopt;
  consumer.generic = generic;
  Block &body = generic.getRegion().front();
  if (!body.getArgument(body.getNumArguments() - 1).use_empty())
    return std::nullopt; // reads its output
  for (Operation &inner : body.without_terminator())
    if (!isa<arith::ArithDialect, math::MathDialect>(inner.getDialect()) || inner.getNumRegions())
      return std::nullopt;
  return consumer;
}

/// The constant-padded tensor a matmul's result alone goes to: a
/// convolution's [N*H*W, C] rows seen as [N, H, W, C] (an expand_shape that
/// splits the rows, or the consumer's own expanded shape) padded along the
/// rows' dimensions for the next (depthwise) convolution. The kernel then
/// stores into the padded buffer's interior and only the borders get the
/// padding value, instead of writing its own buffer that the pad copies.
struct PaddedDestination {
  tensor::PadOp pad;
  tensor::ExpandShapeOp expand; // or null (the consumer is already expanded)
  SmallVector<int64_t> rowDims; // the padded source's dimensions but the last
  TypedAttr value;              // the padding value
};

std::optional<PaddedDestination> paddedDestination(Value result) {
  PaddedDestination d;
  if (!result.hasOneUse())
    return std::nullopt;
  if ((d.expand = rowSplittingExpand(result)))
    result = d.expand.getResult();
  auto pad = dyn_cast<tensor::PadOp>(*result.getUsers().begin());
  if (!pad || !pad.getConstantPaddingValue() || !pad.getResultType().hasStaticShape())
    return std::nullopt;
  int64_t rank = pad.getResultType().getRank();
  for (ArrayRef<int64_t> sizes : {pad.getStaticLow(), pad.getStaticHigh()})
    if (llvm::any_of(sizes, ShapedType::isDynamic) || sizes[rank - 1] != 0)
      return std::nullopt;
  if (!matchPattern(pad.getConstantPaddingValue(), m_Constant(&d.value)))
    return std::nullopt;
  d.pad = pad;
  d.rowDims.assign(pad.getSourceType().getShape().begin(),
                   pad.getSourceType().getShape().end() - 1);
  return d;
}

/// A buffer of the pad's result type with its borders filled with the
/// padding value, and its interior (the pad's source's place, left to the
/// caller).
std::pair<Value, Value> paddedBuffer(OpBuilder &b, Location loc, const PaddedDestination &d) {
  tensor::PadOp pad = d.pad;
  RankedTensorType type = pad.getResultType();
  Value buffer = memref::AllocOp::create(b, loc, MemRefType::get(type.getShape(), type.getElementType()));
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh(), shape = type.getShape();
  int64_t rank = type.getRank();
  SmallVector<int64_t> ones(rank, 1);
  // The padding value again where the kernel is built (the pad's may be
  // defined in its region).
  Value value = arith::ConstantOp::create(b, loc, d.value);
  for (int64_t d = 0; d < rank; ++d)
    for (auto [offset, size] : {std::pair<int64_t, int64_t>{0, low[d]},
                                std::pair<int64_t, int64_t>{shape[d] - high[d], high[d]}}) {
      if (size == 0)
        continue;
      SmallVector<int64_t> offsets(rank, 0), sizes(shape);
      offsets[d] = offset;
      sizes[d] = size;
      Value slab = memref::SubViewOp::create(b, loc, buffer, offsets, sizes, ones);
      linalg::FillOp::create(b, loc, value, slab);
    }
  Value interior = memref::SubViewOp::create(b, loc, buffer, low, pad.getSourceType().getShape(), ones);
  return {buffer, interior};
}

/// Whether `v` is a linalg.matmul's product, directly or through an
/// expand_shape.
bool isMatmulProduct(Value v) {
  if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>())
    v = expand.getSrc();
  return v.getDefiningOp<linalg::MatmulOp>() != nullptr;
}

/// Elementwise generics after a matmul's first consumer fused into it (a
/// conv's bias add, then its ReLU or Clip), so that fusableConsumer finds
/// the whole chain as one generic. Only there: fusing every elementwise
/// chain this early (before the convolutions' window rows are built into
/// copies) made a float CNN 22x slower.
void fuseMatmulEpilogues(Operation *root) {
  RewritePatternSet patterns(root->getContext());
  linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *fused) {
    auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
    return producer && llvm::any_of(producer.getDpsInputs(), isMatmulProduct);
  });
  (void)applyPatternsGreedily(root, std::move(patterns));
}

struct VectorizeMatmulPass final
    : qcc::impl::VectorizeMatmulPassBase<VectorizeMatmulPass> {
  void runOnOperation() override {
    fuseMatmulEpilogues(getOperation());
    llvm::StringSet<> features = qcc::lowbit::targetFeaturesOf(getOperation());
    int64_t widest = features.contains("avx512f") ? 16 : 8;
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation()->walk([&](linalg::MatmulOp op) {
      if (!op.hasUserDefinedMaps() && op.hasPureTensorSemantics() &&
          llvm::all_of(op->getOperands(), [](Value v) {
            auto type = dyn_cast<RankedTensorType>(v.getType());
            return type && type.hasStaticShape() && type.getElementType().isF32();
          }))
        matmuls.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::MatmulOp op : matmuls) {
      rewriter.setInsertionPoint(op);
      Location loc = op.getLoc();
      Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
      Value init = op.getDpsInits()[0];
      auto outType = cast<RankedTensorType>(init.getType());
      int64_t m = outType.getShape()[0], n = outType.getShape()[1];
      int64_t k = cast<RankedTensorType>(lhs.getType()).getShape()[1];
      // 8 lanes where 16 do not divide N (24 channels on AVX-512 would
      // otherwise all run in the scalar leftover loop).
      int64_t width = widest == 16 && n % 16 != 0 && n % 8 == 0 ? 8 : widest;
      Value a = toBuffer(rewriter, loc, lhs);
      Value rowMajor = rowMajorRhs(rewriter, loc, rhs);
      Value bm = toBuffer(rewriter, loc, rowMajor);
      int64_t tileCols = MatmulKernel::tileShape(m, n, width).second;
      Value packed = packedRhs(rewriter, loc, rowMajor, tileCols);
      if (packed)
        packed = toBuffer(rewriter, loc, packed);
      // The consumer's bias, activation... applied at the stores (one
      // k-block: the stores are the final sums), not in a second pass over
      // the product.
      std::optional<Consumer> consumer;
      if (MatmulKernel::kBlockFor(k, tileCols) >= k)
        consumer = fusableConsumer(op);
      // A fill of +0 is not written: the kernel starts its sums from zero
      // (a memset of every output, serial, was a quarter of a float CNN).
      auto fill = init.getDefiningOp<linalg::FillOp>();
      APFloat zero(0.0f);
      bool zeroInit = fill && matchPattern(fill.getDpsInputs()[0], m_ConstantFloat(&zero)) &&
                      zero.isPosZero();
      // C: the padded buffer the result goes to (its interior), or its own.
      std::optional<PaddedDestination> destination;
      if (fill)
        destination = paddedDestination(consumer ? consumer->generic.getResult(0) : op.getResult(0));
      Value c, padded;
      SmallVector<int64_t> rowDims;
      if (destination) {
        std::tie(padded, c) = paddedBuffer(rewriter, loc, *destination);
        rowDims = destination->rowDims;
      } else {
        c = memref::AllocOp::create(rewriter, loc,
                                    MemRefType::get(outType.getShape(), rewriter.getF32Type()));
      }
      if (fill && !zeroInit)
        linalg::FillOp::create(rewriter, loc, fill.getDpsInputs()[0], c);
      else if (!fill)
        memref::CopyOp::create(rewriter, loc, toBuffer(rewriter, loc, init), c);
      qcc::lowbit::StoreEpilogue epilogue;
      if (consumer) {
        linalg::GenericOp generic = consumer->generic;
        epilogue.region = &generic.getRegion();
        epilogue.productArgument = consumer->productOperand;
        for (OpOperand *input : generic.getDpsInputOperands()) {
          if (input->getOperandNumber() == consumer->productOperand)
            continue;
          Value v = input->get();
          if (consumer->expand && cast<RankedTensorType>(v.getType()).getRank() > 1)
            v = tensor::CollapseShapeOp::create(rewriter, loc, v,
                                                consumer->expand.getReassociationIndices());
          epilogue.inputs.push_back(toBuffer(rewriter, loc, v));
        }
      }
      MatmulKernel(rewriter, loc, width, rowDims)
          .build(a, bm, c, m, n, k, packed, zeroInit, consumer ? &epilogue : nullptr);
      if (destination) {
        // The pad's result is the buffer; the chain up to it goes.
        Value result = bufferization::ToTensorOp::create(
            rewriter, loc, destination->pad.getResultType(), padded, /*restrict=*/true,
            /*writable=*/true);
        rewriter.replaceOp(destination->pad, result);
        if (destination->expand)
          rewriter.eraseOp(destination->expand);
        if (consumer) {
          rewriter.eraseOp(consumer->generic);
          if (consumer->expand)
            rewriter.eraseOp(consumer->expand);
        }
        rewriter.eraseOp(op);
        continue;
      }
      Value result = bufferization::ToTensorOp::create(rewriter, loc, outType, c,
                                                       /*restrict=*/true, /*writable=*/true);
      if (!consumer) {
        rewriter.replaceOp(op, result);
        continue;
      }
      if (consumer->expand)
        result = tensor::ExpandShapeOp::create(rewriter, loc, consumer->expand.getResultType(),
                                               result, consumer->expand.getReassociationIndices());
      rewriter.replaceOp(consumer->generic, result);
      if (consumer->expand)
        rewriter.eraseOp(consumer->expand);
      rewriter.eraseOp(op);
    }
  }
};

} // namespace
