//===- FuseEpilogue.cpp - elementwise ops into lowbit.matmul's epilogue --===//
//
// ONNX graphs follow a matmul with Add (bias, residual), an activation and
// Mul; they import as one linalg.generic each. This pass moves such a
// generic into the matmul's `epilogue` region when the matmul's result is
// its only use of it, element by element: the kernels then apply the chain
// to their accumulators before the store (docs/passes.md), instead of
// writing the product and reading it back once per op. QDQ activations
// (QuantizeLinear then DequantizeLinear on the result, per tensor, constant
// scale and zero point) join the same way: the pair rounds each element to
// its grid value, which the epilogue computes in registers.
//
//===----------------------------------------------------------------------===//

#include "QTensorParts.h"
#include "SinkTransposes.h"

#include "qcc/Passes/Passes.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qcc {
#define GEN_PASS_DEF_FUSEEPILOGUEPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// How input `i` of `generic` reads its tensor relative to the result: at
/// the same position (identity map, the result's shape), a row broadcast
/// of an [n] tensor or one scalar (rank 0); nullopt otherwise.
enum class Access { Same, Row, Scalar };
std::optional<Access> accessOf(linalg::GenericOp generic, OpOperand &operand,
                               RankedTensorType result) {
  AffineMap map = generic.getMatchingIndexingMap(&operand);
  auto type = dyn_cast<RankedTensorType>(operand.get().getType());
  if (!type)
    return std::nullopt;
  if (map.isIdentity() && type.getShape() == result.getShape())
    return Access::Same;
  if (type.getRank() == 0 && map.getNumResults() == 0)
    return Access::Scalar;
  unsigned rank = result.getRank();
  if (type.getRank() == 1 && type.getShape()[0] == result.getShape().back() &&
      map.getNumResults() == 1 && map.getResult(0) == getAffineDimExpr(rank - 1, map.getContext()))
    return Access::Row;
  return std::nullopt;
}

/// Whether `generic` converts the f32 or i32 accumulators of `matmul`
/// (an epilogue that does not convert yet) into integer codes of the same
/// shape (QLinearConv's and QLinearMatMul's requantization of their i32
/// product, which the epilogue then ends with), or an i32 product into f32
/// (ConvInteger / MatMulInteger followed by Cast and the scales' Mul, as
/// ONNX Runtime's dynamic quantization writes them). Only on quantized
/// activations: the int8-exact kernel stores converted outputs (the float
/// kernels' stores write their f32 result type).
bool convertsAccumulator(MatmulOp matmul, linalg::GenericOp generic) {
  if (!isa<QTensorType>(matmul.getLhs().getType()))
    return false;
  auto result = cast<RankedTensorType>(matmul.getType());
  auto converted = dyn_cast<RankedTensorType>(generic.getResult(0).getType());
  Type element = converted ? converted.getElementType() : Type();
  if (!converted || converted.getShape() != result.getShape() ||
      result.getElementType() != matmul.getAccumulatorType().getElementType())
    return false;
  bool toCodes = element.isSignlessInteger() && element.getIntOrFloatBitWidth() <= 16 &&
                 (result.getElementType().isF32() || result.getElementType().isInteger(32));
  bool toFloat = element.isF32() && result.getElementType().isInteger(32);
  return toCodes || toFloat;
}

/// Whether `generic` maps `matmul`'s result element by element into a
/// tensor of the same type (or converts it: convertsAccumulator) with
/// a body of arith/math ops only.
bool fusible(MatmulOp matmul, linalg::GenericOp generic) {
  auto result = cast<RankedTensorType>(matmul.getType());
  if (generic.getNumDpsInits() != 1 || generic.getNumResults() != 1 ||
      (generic.getResult(0).getType() != result && !convertsAccumulator(matmul, generic)) ||
      generic.getNumLoops() != unsigned(result.getRank()) ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return false;
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!generic.getMatchingIndexingMap(init).isIdentity() ||
      !generic.getMatchingBlockArgument(init).use_empty())
    return false;
  int uses = 0;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    std::optional<Access> access = accessOf(generic, *input, result);
    if (!access)
      return false;
    if (input->get() == matmul.getResult()) {
      if (*access != Access::Same)
        return false;
      ++uses;
    }
  }
  if (uses != 1)
    return false;
  for (Operation &op : generic.getBody()->without_terminator()) {
    Dialect *dialect = op.getDialect();
    if (!dialect || !isa<arith::ArithDialect, math::MathDialect>(dialect) ||
        op.getNumRegions() != 0)
      return false;
  }
  return true;
}

/// A copy of `matmul` before `anchor` whose epilogue runs `matmul`'s, then
/// what `extend` builds on its value (given the block arguments of
/// `extraInputs`, which join the epilogue's inputs) and yields.
MatmulOp extendEpilogue(
    RewriterBase &rewriter, MatmulOp matmul, ValueRange extraInputs, Operation *anchor,
    llvm::function_ref<Value(OpBuilder &, Location, Value, ArrayRef<BlockArgument>)> extend,
    RankedTensorType newType = {}) {
  auto result = cast<RankedTensorType>(matmul.getType());
  // The accumulator the epilogue starts from (the earlier epilogue's).
  Type accumulator = matmul.getEpilogue().empty()
                         ? result.getElementType()
                         : matmul.getEpilogue().front().getArgument(0).getType();
  SmallVector<Value> inputs(matmul.getEpilogueInputs());
  llvm::append_range(inputs, extraInputs);
  rewriter.setInsertionPoint(anchor);
  auto fused = MatmulOp::create(rewriter, matmul.getLoc(), newType ? newType : result,
                                matmul.getLhs(), matmul.getRhs(), matmul.getBias(), inputs,
                                matmul.getTransposeRhsAttr());
  fused->setDiscardableAttrs(matmul->getDiscardableAttrDictionary());
  Block *block = rewriter.createBlock(&fused.getEpilogue());
  Location loc = matmul.getLoc();
  Value element = block->addArgument(accumulator, loc);
  for (Value input : inputs)
    block->addArgument(cast<RankedTensorType>(input.getType()).getElementType(), loc);
  rewriter.setInsertionPointToStart(block);
  // The earlier epilogue first (its arguments map one to one).
  Value value = element;
  if (!matmul.getEpilogue().empty()) {
    Block &old = matmul.getEpilogue().front();
    IRMapping map;
    for (auto [from, to] : llvm::zip(old.getArguments(), block->getArguments()))
      map.map(from, to);
    for (Operation &op : old.without_terminator())
      rewriter.clone(op, map);
    value = map.lookup(cast<YieldOp>(old.getTerminator()).getValues()[0]);
  }
  ArrayRef<BlockArgument> extraArgs =
      block->getArguments().drop_front(1 + matmul.getEpilogueInputs().size());
  YieldOp::create(rewriter, loc, ValueRange{extend(rewriter, loc, value, extraArgs)});
  return fused;
}

/// `matmul` with `generic` folded into its epilogue; replaces `generic`.
MatmulOp fuse(RewriterBase &rewriter, MatmulOp matmul, linalg::GenericOp generic) {
  SmallVector<Value> extraInputs;
  for (OpOperand *input : generic.getDpsInputOperands())
    if (input->get() != matmul.getResult())
      extraInputs.push_back(input->get());
  MatmulOp fused = extendEpilogue(
      rewriter, matmul, extraInputs, generic,
      [&](OpBuilder &b, Location, Value value, ArrayRef<BlockArgument> extraArgs) {
        IRMapping map;
        size_t next = 0;
        for (OpOperand *input : generic.getDpsInputOperands()) {
          BlockArgument arg = generic.getMatchingBlockArgument(input);
          map.map(arg, input->get() == matmul.getResult() ? value : Value(extraArgs[next++]));
        }
        for (Operation &op : generic.getBody()->without_terminator())
          b.clone(op, map);
        auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
        return map.lookupOrDefault(yield.getValues()[0]);
      },
      cast<RankedTensorType>(generic.getResult(0).getType()));
  rewriter.replaceOp(generic, fused.getResult());
  rewriter.eraseOp(matmul);
  return fused;
}

/// The single value of a constant scalar tensor (any shape of one element),
/// integers read by the signedness of `value`'s type (the constant itself
/// may be signless behind a bitcast).
std::optional<double> constantScalar(Value value) {
  std::optional<ElementsAttr> elements = constantElements(value);
  if (!elements || elements->getNumElements() != 1)
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(*elements);
  if (!dense)
    return std::nullopt;
  Type element = dense.getElementType();
  if (isa<FloatType>(element))
    return (*dense.getValues<APFloat>().begin()).convertToDouble();
  if (isa<IntegerType>(element)) {
    APInt v = *dense.getValues<APInt>().begin();
    bool isUnsigned = cast<ShapedType>(value.getType()).getElementType().isUnsignedInteger();
    return isUnsigned ? double(v.getZExtValue()) : double(v.getSExtValue());
  }
  return std::nullopt;
}

/// A QuantizeLinear -> DequantizeLinear pair on the matmul's result (QDQ
/// activations): per-tensor integer codes with constant scale and zero
/// point, and every user of the codes a dequantize back to the result's
/// type. The pair maps element by element: x to the nearest grid value.
struct FakeQuant {
  QuantizeOp quantize;
  double scale = 1, zero = 0;
  bool hasZero = false;
  int64_t qmin = 0, qmax = 0;
};

std::optional<FakeQuant> quantizeParamsOf(QuantizeOp quantize, unsigned maxBits);

std::optional<FakeQuant> fakeQuantOf(MatmulOp matmul, Operation *user) {
  auto quantize = dyn_cast<QuantizeOp>(user);
  if (!quantize || quantize.getInput() != matmul.getResult())
    return std::nullopt;
  // Codes up to 16 bits are exact in f32, so the grid arithmetic matches
  // quantize-then-dequantize bit for bit.
  std::optional<FakeQuant> f = quantizeParamsOf(quantize, 16);
  if (!f || quantize.getResult().use_empty())
    return std::nullopt;
  for (Operation *codesUser : quantize.getResult().getUsers()) {
    auto dequantize = dyn_cast<DequantizeOp>(codesUser);
    if (!dequantize || dequantize.getType() != matmul.getType())
      return std::nullopt;
  }
  return f;
}

/// QuantizeLinear's code for `x` on `f`'s grid, as a float:
/// clamp(roundeven(x / scale) + zero, qmin, qmax), NaN to code 0; with the
/// scale and zero point constants it made (zero null without one).
struct GridCode {
  Value code, scale, zero;
};
GridCode gridCode(OpBuilder &b, Location loc, Value x, const FakeQuant &f) {
  auto f32 = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v))).getResult();
  };
  GridCode g;
  g.scale = f32(f.scale);
  Value q = math::RoundEvenOp::create(b, loc, arith::DivFOp::create(b, loc, x, g.scale));
  // (A zero point of 0 adds nothing the clamp and the integer conversion
  // would keep: -0.0 becomes code 0 either way.)
  if (f.hasZero && f.zero != 0) {
    g.zero = f32(f.zero);
    q = arith::AddFOp::create(b, loc, q, g.zero);
  }
  g.code = clampCode(b, loc, q, f.qmin, f.qmax);
  return g;
}

MatmulOp fuseFakeQuant(RewriterBase &rewriter, MatmulOp matmul, FakeQuant f) {
  MatmulOp fused = extendEpilogue(
      rewriter, matmul, {}, f.quantize,
      [&](OpBuilder &b, Location loc, Value x, ArrayRef<BlockArgument>) -> Value {
        GridCode g = gridCode(b, loc, x, f);
        Value q = g.code;
        if (g.zero)
          q = arith::SubFOp::create(b, loc, q, g.zero);
        return arith::MulFOp::create(b, loc, q, g.scale);
      });
  for (Operation *user : llvm::make_early_inc_range(f.quantize.getResult().getUsers()))
    rewriter.replaceOp(user, fused.getResult());
  rewriter.eraseOp(f.quantize);
  rewriter.eraseOp(matmul);
  return fused;
}

/// The constant per-tensor parameters of `quantize` as the grid
/// arithmetic needs them; nullopt when they are not constants or the codes
/// are not integers of at most `maxBits`.
std::optional<FakeQuant> quantizeParamsOf(QuantizeOp quantize, unsigned maxBits) {
  if (!quantize.getScales() || !quantize.getSaturate())
    return std::nullopt;
  QTensorType type = quantize.getType();
  SchemeAttr scheme = type.getScheme();
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!storage || storage.getWidth() > maxBits ||
      scheme.getGranularity() != Granularity::per_tensor ||
      scheme.hasCodebook() || scheme.getTensorScale() ||
      type.getLayoutKind() != LayoutKind::row_major)
    return std::nullopt;
  FakeQuant f;
  f.quantize = quantize;
  std::optional<double> scale = constantScalar(quantize.getScales());
  if (!scale)
    return std::nullopt;
  f.scale = *scale;
  if (Value zero = quantize.getZeroPoints()) {
    std::optional<double> z = constantScalar(zero);
    if (!z)
      return std::nullopt;
    f.zero = *z;
    f.hasZero = true;
  }
  unsigned bits = storage.getWidth();
  f.qmin = storage.isUnsigned() ? 0 : -(int64_t(1) << (bits - 1));
  f.qmax = storage.isUnsigned() ? (int64_t(1) << bits) - 1 : (int64_t(1) << (bits - 1)) - 1;
  return f;
}

/// `matmul` (quantized activations: the int8-exact kernel, which applies
/// the epilogue at its store) with QuantizeLinear `f` in its epilogue, so
/// it writes the codes: q = clamp(roundeven(x / scale) + zero, qmin, qmax)
/// (NaN to code 0) as a signless integer of the code's width. The quantize
/// becomes lowbit.assemble of those codes with its scale and zero point.
MatmulOp fuseQuantizeToCodes(RewriterBase &rewriter, MatmulOp matmul, FakeQuant f) {
  QTensorType qtype = f.quantize.getType();
  auto storage = cast<IntegerType>(qtype.getStorageType());
  auto signlessCodes = cast<RankedTensorType>(matmul.getType())
                           .clone(IntegerType::get(rewriter.getContext(), storage.getWidth()));
  MatmulOp fused = extendEpilogue(
      rewriter, matmul, {}, f.quantize,
      [&](OpBuilder &b, Location loc, Value x, ArrayRef<BlockArgument>) -> Value {
        Value q = gridCode(b, loc, x, f).code;
        Type code = signlessCodes.getElementType();
        return storage.isUnsigned() ? Value(arith::FPToUIOp::create(b, loc, code, q))
                                    : Value(arith::FPToSIOp::create(b, loc, code, q));
      },
      signlessCodes);
  rewriter.setInsertionPoint(f.quantize);
  Value codes = tensor::BitcastOp::create(
      rewriter, f.quantize.getLoc(), signlessCodes.clone(storage), fused.getResult());
  rewriter.replaceOpWithNewOp<AssembleOp>(f.quantize, qtype, codes, f.quantize.getScales(),
                                          f.quantize.getZeroPoints());
  rewriter.eraseOp(matmul);
  return fused;
}

/// quantize(transpose(x)) -> assemble(transpose(codes(quantize(x)))) for
/// per-tensor schemes: the codes are transposed instead of the floats, and
/// the quantize meets what produced x (a matmul's rows).
struct QuantizeBeforeTranspose : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp op, PatternRewriter &rewriter) const override {
    auto transpose = op.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!transpose || !transpose->hasOneUse() || !quantizeParamsOf(op, 8))
      return failure();
    return quantizeBefore(op, transpose.getInput(), rewriter, [&](Value codes) -> Value {
      auto type = cast<RankedTensorType>(codes.getType());
      SmallVector<int64_t> shape;
      for (int64_t p : transpose.getPermutation())
        shape.push_back(type.getShape()[p]);
      Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), shape, type.getElementType());
      return linalg::TransposeOp::create(rewriter, op.getLoc(), codes, init,
                                         transpose.getPermutation())
          .getResult()[0];
    });
  }

  /// `op` on `input` instead, its codes given to `relayout`, reassembled.
  static LogicalResult quantizeBefore(QuantizeOp op, Value input, PatternRewriter &rewriter,
                                      llvm::function_ref<Value(Value)> relayout) {
    QTensorType type = op.getType();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto innerType = QTensorType::get(op.getContext(), inputType.getShape(),
                                      type.getStorageType(), type.getScheme(), type.getLayout());
    auto inner = QuantizeOp::create(rewriter, op.getLoc(), innerType, input, op.getScales(),
                                    op.getZeroPoints(), op.getSaturateAttr());
    Type storage = type.getStorageType();
    Value codes = CodesOp::create(
        rewriter, op.getLoc(), RankedTensorType::get(inputType.getShape(), storage), inner);
    // Moved as signless bytes (what the linalg ops after lowbit carry).
    auto signless = [&](Value v, Type element) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      return tensor::BitcastOp::create(rewriter, op.getLoc(), t.clone(element), v);
    };
    Type bytes = IntegerType::get(op.getContext(), storage.getIntOrFloatBitWidth());
    Value moved = signless(relayout(signless(codes, bytes)), storage);
    rewriter.replaceOpWithNewOp<AssembleOp>(op, type, moved, op.getScales(), op.getZeroPoints());
    return success();
  }
};

/// quantize(expand_shape(x)) -> assemble(expand_shape(codes(quantize(x)))).
struct QuantizeBeforeExpand : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp op, PatternRewriter &rewriter) const override {
    auto expand = op.getInput().getDefiningOp<tensor::ExpandShapeOp>();
    if (!expand || !expand->hasOneUse() || !quantizeParamsOf(op, 8))
      return failure();
    return QuantizeBeforeTranspose::quantizeBefore(
        op, expand.getSrc(), rewriter, [&](Value codes) -> Value {
          auto type = cast<RankedTensorType>(codes.getType());
          auto expanded = expand.getResultType().clone(type.getElementType());
          return tensor::ExpandShapeOp::create(rewriter, op.getLoc(), expanded, codes,
                                               expand.getReassociationIndices());
        });
  }
};

/// Whether `map` reads only the last loop (a per-channel vector broadcast
/// over the rest).
bool readsLastLoopOnly(AffineMap map) {
  return map.getNumResults() == 1 &&
         map.getResult(0) == getAffineDimExpr(map.getNumDims() - 1, map.getContext());
}

/// generic(expand_shape(x)) -> expand_shape(generic'(x)) for an
/// elementwise generic (identity maps, other inputs scalars or vectors
/// along the last axis, which the expansion keeps; output not read): it
/// then meets the matmul whose rows x are.
struct GenericBeforeExpand : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (!qcc::isElementwiseWrite(op))
      return failure();
    tensor::ExpandShapeOp expand;
    bool lastAxis = false;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      if (map.getNumResults() == 0)
        continue;
      if (readsLastLoopOnly(map) && map.getNumDims() > 1) {
        lastAxis = true;
        continue;
      }
      auto e = input->get().getDefiningOp<tensor::ExpandShapeOp>();
      if (!map.isIdentity() || !e || !e->hasOneUse() || (expand && e != expand))
        return failure();
      expand = e;
    }
    if (!expand)
      return failure();
    // A vector along the last axis needs that axis a group of its own.
    SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
    if (lastAxis && groups.back().size() != 1)
      return failure();
    auto srcType = expand.getSrcType();
    unsigned rank = srcType.getRank();
    MLIRContext *context = op.getContext();
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      bool scalar = map.getNumResults() == 0;
      bool vector = !scalar && readsLastLoopOnly(map) && map.getNumDims() > 1;
      inputs.push_back(scalar || vector ? input->get() : expand.getSrc());
      maps.push_back(scalar   ? AffineMap::get(rank, 0, {}, context)
                     : vector ? AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, context)},
                                               context)
                              : AffineMap::getMultiDimIdentityMap(rank, context));
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, context));
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    Value empty = tensor::EmptyOp::create(rewriter, op.getLoc(), srcType.getShape(),
                                          resultType.getElementType());
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
    auto flat = linalg::GenericOp::create(rewriter, op.getLoc(), TypeRange{empty.getType()},
                                          inputs, ValueRange{empty}, maps, parallel);
    rewriter.inlineRegionBefore(op.getRegion(), flat.getRegion(), flat.getRegion().begin());
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, resultType, flat.getResult(0),
                                                       expand.getReassociationIndices());
    return success();
  }
};

/// A broadcast input shaped [C, 1, ..., 1] and read at (d_i, 0, ..., 0)
/// (ONNX's per-channel vectors on NCHW, once the transposes moved) becomes
/// a [C] vector read at (d_i): the form the epilogue takes.
struct DropUnitBroadcastDims : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (!qcc::isElementwiseWrite(op))
      return failure();
    bool changed = false;
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      auto type = cast<RankedTensorType>(input->get().getType());
      SmallVector<AffineExpr> kept;
      SmallVector<int64_t> shape;
      bool unitZeros = map.getNumResults() > 1;
      for (auto [i, expr] : llvm::enumerate(map.getResults())) {
        auto zero = dyn_cast<AffineConstantExpr>(expr);
        if (zero && zero.getValue() == 0 && type.getShape()[i] == 1)
          continue;
        if (!isa<AffineDimExpr>(expr))
          unitZeros = false;
        kept.push_back(expr);
        shape.push_back(type.getShape()[i]);
      }
      if (!unitZeros || kept.size() != 1 || kept.size() == map.getNumResults()) {
        inputs.push_back(input->get());
        maps.push_back(map);
        continue;
      }
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i < type.getRank(); ++i)
        groups[0].push_back(i);
      inputs.push_back(tensor::CollapseShapeOp::create(
          rewriter, op.getLoc(), RankedTensorType::get(shape, type.getElementType()),
          input->get(), groups));
      maps.push_back(AffineMap::get(map.getNumDims(), 0, kept, op.getContext()));
      changed = true;
    }
    if (!changed)
      return failure();
    maps.push_back(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
    auto replacement = linalg::GenericOp::create(
        rewriter, op.getLoc(), op.getResultTypes(), inputs, op.getDpsInits(), maps,
        op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), replacement.getRegion(),
                                replacement.getRegion().begin());
    rewriter.replaceOp(op, replacement.getResults());
    return success();
  }
};

struct FuseEpiloguePass final : qcc::impl::FuseEpiloguePassBase<FuseEpiloguePass> {
  void runOnOperation() override {
    // A convolution's product reaches its Clip and QuantizeLinear through an
    // expand_shape and a transpose to NCHW: those move below them first.
    {
      RewritePatternSet patterns(&getContext());
      qcc::populateSinkTransposesPatterns(patterns);
      patterns.add<QuantizeBeforeTranspose, QuantizeBeforeExpand, GenericBeforeExpand,
                   DropUnitBroadcastDims>(&getContext());
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    SmallVector<MatmulOp> matmuls;
    getOperation()->walk([&](MatmulOp op) { matmuls.push_back(op); });
    for (MatmulOp matmul : matmuls) {
      // Float results, and i32 sums (QLinearConv, QLinearMatMul) for the
      // generics that follow them: an i32 bias, the requantization to codes.
      Type element = cast<RankedTensorType>(matmul.getType()).getElementType();
      if (!isa<FloatType>(element) && !element.isInteger(32))
        continue;
      while (matmul.getResult().hasOneUse()) {
        Operation *user = *matmul.getResult().getUsers().begin();
        if (std::optional<FakeQuant> fakeQuant = fakeQuantOf(matmul, user)) {
          matmul = fuseFakeQuant(rewriter, matmul, *fakeQuant);
          continue;
        }
        // The codes themselves, where the int8-exact kernel stores them:
        // quantized activations times a quantized weight.
        if (auto quantize = dyn_cast<QuantizeOp>(user);
            quantize && isa<QTensorType>(matmul.getLhs().getType()) &&
            quantize.getInput() == matmul.getResult())
          if (std::optional<FakeQuant> f = quantizeParamsOf(quantize, 8)) {
            fuseQuantizeToCodes(rewriter, matmul, *f);
            break;
          }
        auto generic = dyn_cast<linalg::GenericOp>(user);
        if (!generic || !fusible(matmul, generic))
          break;
        matmul = fuse(rewriter, matmul, generic);
      }
    }
  }
};

} // namespace
