//===- FuseDequantConv.cpp - QDQ convolutions as im2col + lowbit.matmul --===//
//
// Conv with a DequantizeLinear weight (QDQ CNNs) imports as
// linalg.conv_{1d_ncw_fcw, 2d_nchw_fchw, 3d_ncdhw_fcdhw}(padded X,
// dequantize(constant W [M, C, K1..Kk])): the dequantized f32 weight would be
// computed on every run. Read as [M, C * K1 * ... * Kk], W is already the
// [N, K] form lowbit.matmul's kernels read (codes row-major, each output
// channel's contiguous), so the constant only changes shape, and the
// convolution becomes one matmul on rows of input windows:
//   cols[(n, o1..ok), (c, k1..kk)] = X[n, c, o * stride + k * dilation]
//   Y[N, M, O...] = transpose((cols x W^T) [N, O..., M]).
// With at least as many channels as the kernel is wide, the columns run
// (k1..kk, c) instead, over X transposed to channels-last, and the
// constant's codes are reordered to match at compile time: the copy then
// moves runs of C elements, not of Kk (3x3 conv, 64 channels: a fifth of
// the layer's time went into the 3-element copies).
// The copy into cols is a linalg.generic with affine maps (no gather); the
// matmul then gets the kernels of the GEMM paths (rows = N * O1 * ... * Ok).
// A per-channel bias added right after (Conv's third input) becomes the
// matmul's bias, so it too is applied before the store.
//
//===----------------------------------------------------------------------===//

#include "FuseDequant.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Dialect/LowBit/IR/WindowRows.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// The strides and dilations of one of the three NC... x FC... convolutions.
struct ConvWindow {
  SmallVector<int64_t> strides, dilations;
};

std::optional<ConvWindow> windowOf(Operation *op) {
  auto read = [](auto conv) {
    ConvWindow w;
    for (int64_t s : conv.getStrides().template getValues<int64_t>())
      w.strides.push_back(s);
    for (int64_t d : conv.getDilations().template getValues<int64_t>())
      w.dilations.push_back(d);
    return w;
  };
  if (auto conv = dyn_cast<linalg::Conv1DNcwFcwOp>(op))
    return read(conv);
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
    return read(conv);
  if (auto conv = dyn_cast<linalg::Conv3DNcdhwFcdhwOp>(op))
    return read(conv);
  return std::nullopt;
}

/// The quantized constant behind a convolution's weight operand.
ConstantOp weightConstantOf(linalg::LinalgOp conv) {
  auto dequantize = conv.getDpsInputs()[1].getDefiningOp<DequantizeOp>();
  return dequantize ? dequantize.getInput().getDefiningOp<ConstantOp>() : ConstantOp();
}

/// `type` with its elements viewed as [M, rest]: the same codes and
/// parameters, for schemes whose grid does not depend on the other axes.
QTensorType asMatrix(QTensorType type) {
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rest = 1;
  for (int64_t d : shape.drop_front())
    rest *= d;
  return QTensorType::get(type.getContext(), {shape[0], rest}, type.getStorageType(),
                          type.getScheme(), type.getLayout());
}

/// The [M] bias of a generic that only adds a [M, 1, ..., 1] tensor,
/// broadcast along the channel axis, to `convResult` (Conv's import of its
/// bias input); null otherwise.
Value channelBiasOf(linalg::GenericOp generic, Value convResult) {
  if (generic.getNumDpsInputs() != 2 || generic.getNumResults() != 1 ||
      generic.getResult(0).getType() != convResult.getType() ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return Value();
  OpOperand *conv = generic.getDpsInputOperand(0);
  OpOperand *bias = generic.getDpsInputOperand(1);
  if (conv->get() != convResult)
    std::swap(conv, bias);
  if (conv->get() != convResult || !generic.getMatchingIndexingMap(conv).isIdentity() ||
      !generic.getMatchingIndexingMap(generic.getDpsInitOperand(0)).isIdentity())
    return Value();
  AffineMap map = generic.getMatchingIndexingMap(bias);
  auto biasType = dyn_cast<RankedTensorType>(bias->get().getType());
  if (!biasType || biasType.getElementType() != getElementTypeOrSelf(convResult.getType()) ||
      map.getNumResults() == 0 || map.getResult(0) != getAffineDimExpr(1, map.getContext()))
    return Value();
  for (AffineExpr e : map.getResults().drop_front()) {
    auto c = dyn_cast<AffineConstantExpr>(e);
    if (!c || c.getValue() != 0)
      return Value();
  }
  for (int64_t d : biasType.getShape().drop_front())
    if (d != 1)
      return Value();
  Block *body = generic.getBody();
  if (body->getOperations().size() != 2)
    return Value();
  auto add = dyn_cast<arith::AddFOp>(body->front());
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Value a = generic.getMatchingBlockArgument(conv), b = generic.getMatchingBlockArgument(bias);
  if (!add || yield.getValues()[0] != add.getResult() ||
      !((add.getLhs() == a && add.getRhs() == b) || (add.getLhs() == b && add.getRhs() == a)))
    return Value();
  return bias->get();
}

/// QDQ activations under a convolution: its input is dequantize(q) of
/// per-tensor 8-bit integer codes with f32 scales, or that padded with 0.0.
/// With 8-bit integer weights the convolution then runs on the codes.
struct QuantizedInput {
  TypedValue<QTensorType> q;
  tensor::PadOp pad; // null: no padding
};

bool isScaledByteCodes(QTensorType type) {
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  SchemeAttr scheme = type.getScheme();
  return storage && storage.getWidth() == 8 && scheme.getScale() && scheme.getScale().isF32() &&
         !scheme.hasCodebook() && !scheme.getTensorScale() &&
         (!scheme.getZeroPoint() || isa<IntegerType>(scheme.getZeroPoint())) &&
         type.getLayoutKind() == LayoutKind::row_major;
}

std::optional<QuantizedInput> quantizedInputOf(Value input, QTensorType weight) {
  QuantizedInput in;
  if (auto pad = input.getDefiningOp<tensor::PadOp>()) {
    Value value = pad.getConstantPaddingValue();
    if (!value || !matchPattern(value, m_AnyZeroFloat()))
      return std::nullopt;
    in.pad = pad;
    input = pad.getSource();
  }
  auto dequantize = input.getDefiningOp<DequantizeOp>();
  if (!dequantize || !isScaledByteCodes(weight))
    return std::nullopt;
  auto q = dequantize.getInput();
  QTensorType type = q.getType();
  if (!isScaledByteCodes(type) || type.getScheme().getGranularity() != Granularity::per_tensor)
    return std::nullopt;
  in.q = q;
  return in;
}

/// The windows of `in`'s codes as a scaled qtensor [N * O..., C * K...]: the
/// codes padded with their zero point (a padded 0.0 is the zero point's
/// code), cut into rows, wrapped with the same scale and zero point.
SmallVector<Value> codeWindowRows(OpBuilder &b, Location loc, QuantizedInput in,
                                  ArrayRef<int64_t> kernelSizes, ArrayRef<int64_t> outSizes,
                                  const ConvWindow &window, WindowOrder order,
                                  int64_t blocks = 1) {
  QTensorType type = in.q.getType();
  SchemeAttr scheme = type.getScheme();
  Type storage = type.getStorageType(), i8 = b.getI8Type(), f32 = b.getF32Type();
  auto signless = [&](Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    return tensor::BitcastOp::create(b, loc, t.clone(i8), v).getResult();
  };
  Value codes = signless(CodesOp::create(b, loc, RankedTensorType::get(type.getShape(), storage),
                                         in.q));
  Value zeros;
  if (Type zeroType = scheme.getZeroPoint())
    zeros = ZeroPointsOp::create(b, loc, RankedTensorType::get({}, zeroType), in.q);
  if (in.pad) {
    Value fill = zeros ? Value(tensor::ExtractOp::create(b, loc, signless(zeros), ValueRange{}))
                       : Value(arith::ConstantIntOp::create(b, loc, i8, 0));
    auto paddedType = cast<RankedTensorType>(in.pad.getType()).clone(i8);
    codes = tensor::PadOp::create(b, loc, paddedType, codes, in.pad.getMixedLowPad(),
                                  in.pad.getMixedHighPad(), fill);
  }
  Value scale = ScalesOp::create(b, loc, RankedTensorType::get({}, f32), in.q);
  auto codesType = cast<RankedTensorType>(codes.getType());
  int64_t perBlock = codesType.getShape()[1] / blocks;
  SmallVector<Value> result;
  for (int64_t j = 0; j < blocks; ++j) {
    Value input = codes;
    if (blocks > 1) {
      // Block j's channels [j * perBlock, (j + 1) * perBlock).
      SmallVector<OpFoldResult> offsets(codesType.getRank(), b.getIndexAttr(0)), sizes,
          strides(codesType.getRank(), b.getIndexAttr(1));
      for (int64_t d : codesType.getShape())
        sizes.push_back(b.getIndexAttr(d));
      offsets[1] = b.getIndexAttr(j * perBlock);
      sizes[1] = b.getIndexAttr(perBlock);
      input = tensor::ExtractSliceOp::create(b, loc, codes, offsets, sizes, strides);
    }
    Value rows = buildWindowRows(b, loc, input, kernelSizes, outSizes, window.strides,
                                 window.dilations, order);
    auto rowsType = cast<RankedTensorType>(rows.getType());
    rows = tensor::BitcastOp::create(b, loc, rowsType.clone(storage), rows);
    auto qtype = QTensorType::get(b.getContext(), rowsType.getShape(), storage, scheme,
                                  type.getLayout());
    result.push_back(AssembleOp::create(b, loc, qtype, rows, scale, zeros));
  }
  return result;
}

/// A grouped 2-D convolution as Conv imports it: linalg.conv_2d_ngchw_gfchw
/// on expand_shape(X [N, C, H, W]) and expand_shape(dequantize(W [M, Cg,
/// KH, KW])), its result collapsed back to [N, M, OH, OW] by its only user.
struct GroupedConv {
  linalg::Conv2DNgchwGfchwOp conv;
  Value input;                      // X [N, C, H, W], maybe padded
  ConstantOp weight;                // W [M, Cg, KH, KW]
  tensor::CollapseShapeOp collapse; // the [N, M, OH, OW] result
  int64_t groups = 1;
};

std::optional<GroupedConv> groupedConvOf(Operation *op) {
  auto conv = dyn_cast<linalg::Conv2DNgchwGfchwOp>(op);
  if (!conv || !conv.hasPureTensorSemantics() || !isZeroFill(conv.getDpsInits()[0]) ||
      !conv->getResult(0).hasOneUse())
    return std::nullopt;
  auto inputExpand = conv.getDpsInputs()[0].getDefiningOp<tensor::ExpandShapeOp>();
  auto weightExpand = conv.getDpsInputs()[1].getDefiningOp<tensor::ExpandShapeOp>();
  auto collapse = dyn_cast<tensor::CollapseShapeOp>(*conv->getResult(0).getUsers().begin());
  if (!inputExpand || !weightExpand || !collapse || collapse.getResultType().getRank() != 4)
    return std::nullopt;
  auto dequantize = weightExpand.getSrc().getDefiningOp<DequantizeOp>();
  ConstantOp constant = dequantize ? dequantize.getInput().getDefiningOp<ConstantOp>() : ConstantOp();
  if (!constant || constant.getType().getShape().size() != 4)
    return std::nullopt;
  GroupedConv g;
  g.conv = conv;
  g.input = inputExpand.getSrc();
  g.weight = constant;
  g.collapse = collapse;
  g.groups = cast<RankedTensorType>(conv.getDpsInputs()[0].getType()).getShape()[1];
  auto input = dyn_cast<RankedTensorType>(g.input.getType());
  if (!input || input.getRank() != 4 || !input.hasStaticShape() || !input.getElementType().isF32())
    return std::nullopt;
  return g;
}

/// Groups per matmul for a grouped convolution that runs on codes (QDQ
/// activations, 8-bit integer weights per tensor or per output channel,
/// parameters as dense attributes); 0 when it stays a convolution.
int64_t groupedCodesPerMatmul(GroupedConv g) {
  QTensorType type = g.weight.getType();
  SchemeAttr scheme = type.getScheme();
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  bool perRow = scheme.getGranularity() == Granularity::per_tensor ||
                (scheme.getGranularity() == Granularity::per_axis && scheme.getAxis() == 0);
  auto dense = [](ElementsAttr a) { return !a || isa<DenseElementsAttr>(a); };
  if (!storage || storage.getWidth() != 8 || !perRow || scheme.hasCodebook() ||
      type.getLayoutKind() != LayoutKind::row_major || !dense(g.weight.getScalesAttr()) ||
      !dense(g.weight.getZeroPointsAttr()) || !quantizedInputOf(g.input, type))
    return 0;
  ArrayRef<int64_t> w = type.getShape();
  return groupsPerMatmul(g.groups, w[0] / g.groups, w[1] * w[2] * w[3]);
}

/// The grouped convolution `g` on codes as one int8-exact matmul per
/// `perMatmul` groups (their channels' window rows times their
/// block-diagonal weight), the products side by side, back to NCHW.
void fuseGroupedCodesConv(RewriterBase &rewriter, GroupedConv g, int64_t perMatmul) {
  Location loc = g.conv.getLoc();
  ConvWindow window;
  for (int64_t v : g.conv.getStrides().getValues<int64_t>())
    window.strides.push_back(v);
  for (int64_t v : g.conv.getDilations().getValues<int64_t>())
    window.dilations.push_back(v);
  ArrayRef<int64_t> wShape = g.weight.getType().getShape();
  ArrayRef<int64_t> outShape = g.collapse.getResultType().getShape();
  SmallVector<int64_t> kernelSizes(wShape.drop_front(2)), outSizes(outShape.drop_front(2));
  // Conv's bias, when the collapse's only user adds it per channel; the
  // matmuls then go where the add is (after the bias is defined).
  Value channelBias;
  linalg::GenericOp biasAdd;
  Value result = g.collapse.getResult();
  if (result.hasOneUse())
    if (auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin()))
      if ((channelBias = channelBiasOf(generic, result)))
        biasAdd = generic;
  if (biasAdd)
    rewriter.setInsertionPoint(biasAdd);
  else
    rewriter.setInsertionPoint(g.collapse);
  Value bias;
  if (channelBias) {
    auto biasType = cast<RankedTensorType>(channelBias.getType());
    ReassociationIndices all;
    for (int64_t i = 0; i < biasType.getRank(); ++i)
      all.push_back(i);
    bias = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({wShape[0]}, biasType.getElementType()),
        channelBias, ArrayRef<ReassociationIndices>{all});
  }
  Value matrix = ConstantOp::create(rewriter, g.weight.getLoc(), asMatrix(g.weight.getType()),
                                    g.weight.getStorage(), g.weight.getScalesAttr(),
                                    g.weight.getZeroPointsAttr(), g.weight.getTensorScaleAttr(),
                                    ElementsAttr());
  SmallVector<Value> weights = blockDiagonalGroupWeights(rewriter, matrix, g.groups, perMatmul);
  rewriter.eraseOp(matrix.getDefiningOp());
  WindowOrder order = orderWindowWeights(rewriter, weights, perMatmul * wShape[1], kernelSizes);
  QuantizedInput in = *quantizedInputOf(g.input, g.weight.getType());
  SmallVector<Value> lhs = codeWindowRows(rewriter, loc, in, kernelSizes, outSizes, window, order,
                                          int64_t(weights.size()));
  int64_t rows = cast<QTensorType>(lhs.front().getType()).getShape()[0];
  int64_t perProduct = wShape[0] / int64_t(weights.size());
  SmallVector<Value> products;
  for (auto [j, w] : llvm::enumerate(weights)) {
    Value blockBias;
    if (bias)
      blockBias = tensor::ExtractSliceOp::create(
          rewriter, loc, bias, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(j * perProduct)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(perProduct)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)});
    auto type = RankedTensorType::get({rows, perProduct}, rewriter.getF32Type());
    products.push_back(
        MatmulOp::create(rewriter, loc, type, lhs[j], w, blockBias, /*transpose_rhs=*/true));
  }
  Value nchw = rowsToChannelsFirst(rewriter, loc, concatColumns(rewriter, loc, products),
                                   outShape[0], outSizes);
  Operation *feeding[] = {g.conv.getDpsInputs()[0].getDefiningOp(),
                          g.conv.getDpsInputs()[1].getDefiningOp(),
                          g.conv.getDpsInits()[0].getDefiningOp()};
  if (biasAdd)
    rewriter.replaceOp(biasAdd, nchw);
  else
    rewriter.replaceOp(g.collapse, nchw);
  if (g.collapse->use_empty())
    rewriter.eraseOp(g.collapse);
  rewriter.eraseOp(g.conv);
  eraseDeadFeeders(rewriter, feeding);
}

} // namespace

bool qcc::lowbit::isFusibleDequantConv(Operation *op) {
  if (std::optional<GroupedConv> grouped = groupedConvOf(op))
    return groupedCodesPerMatmul(*grouped) > 0;
  if (!windowOf(op))
    return false;
  auto conv = cast<linalg::LinalgOp>(op);
  if (!conv.hasPureTensorSemantics() || !isZeroFill(conv.getDpsInits()[0]))
    return false;
  ConstantOp constant = weightConstantOf(conv);
  if (!constant)
    return false;
  auto input = dyn_cast<RankedTensorType>(conv.getDpsInputs()[0].getType());
  auto result = cast<RankedTensorType>(op->getResultTypes()[0]);
  if (!input || !input.getElementType().isF32() || !result.getElementType().isF32() ||
      !input.hasStaticShape())
    return false;
  // Per tensor or per output channel: a grid that does not depend on the
  // axes the [M, C * K...] view merges. Codes packed row-major in one
  // element type (not codebooks, whose tables may hang on another axis).
  QTensorType type = constant.getType();
  SchemeAttr scheme = type.getScheme();
  bool perChannel = scheme.getGranularity() == Granularity::per_axis && scheme.getAxis() == 0;
  return (scheme.getGranularity() == Granularity::per_tensor || perChannel) &&
         !scheme.hasCodebook() && type.getLayoutKind() == LayoutKind::row_major &&
         type.getStorageType().isIntOrFloat();
}

void qcc::lowbit::fuseDequantConv(RewriterBase &rewriter, Operation *op) {
  if (std::optional<GroupedConv> grouped = groupedConvOf(op)) {
    fuseGroupedCodesConv(rewriter, *grouped, groupedCodesPerMatmul(*grouped));
    return;
  }
  auto conv = cast<linalg::LinalgOp>(op);
  ConvWindow window = *windowOf(op);
  Location loc = op->getLoc();
  Value input = conv.getDpsInputs()[0];
  ConstantOp constant = weightConstantOf(conv);
  ArrayRef<int64_t> inShape = cast<RankedTensorType>(input.getType()).getShape();
  auto resultType = cast<RankedTensorType>(op->getResultTypes()[0]);
  ArrayRef<int64_t> outShape = resultType.getShape();
  ArrayRef<int64_t> wShape = constant.getType().getShape();
  int64_t batch = inShape[0], outChannels = wShape[0];
  ArrayRef<int64_t> outSizes = outShape.drop_front(2);
  rewriter.setInsertionPoint(op);
  // The weight as [M, C * K...]: the same storage and parameters; its
  // columns reordered to (K..., C) when the rows copy channel runs.
  ArrayRef<int64_t> kernelSizes = wShape.drop_front(2);
  Value weight = ConstantOp::create(rewriter, constant.getLoc(), asMatrix(constant.getType()),
                                    constant.getStorage(), constant.getScalesAttr(),
                                    constant.getZeroPointsAttr(), constant.getTensorScaleAttr(),
                                    ElementsAttr());
  SmallVector<Value> weights = {weight};
  WindowOrder order = orderWindowWeights(rewriter, weights, wShape[1], kernelSizes);
  weight = weights.front();
  Value lhs;
  if (std::optional<QuantizedInput> quantized = quantizedInputOf(input, constant.getType()))
    lhs = codeWindowRows(rewriter, loc, *quantized, kernelSizes, outSizes, window, order).front();
  else
    lhs = buildWindowRows(rewriter, loc, input, kernelSizes, outSizes, window.strides,
                          window.dilations, order);
  int64_t rows = isa<QTensorType>(lhs.getType())
                     ? cast<QTensorType>(lhs.getType()).getShape()[0]
                     : cast<RankedTensorType>(lhs.getType()).getShape()[0];

  // Conv's bias, when the only user adds it per channel.
  Value bias;
  linalg::GenericOp biasAdd;
  Value convResult = op->getResult(0);
  if (convResult.hasOneUse())
    if (auto generic = dyn_cast<linalg::GenericOp>(*convResult.getUsers().begin()))
      if (Value channelBias = channelBiasOf(generic, convResult)) {
        biasAdd = generic;
        auto biasType = cast<RankedTensorType>(channelBias.getType());
        ReassociationIndices all;
        for (int64_t i = 0; i < biasType.getRank(); ++i)
          all.push_back(i);
        bias = tensor::CollapseShapeOp::create(
            rewriter, loc, RankedTensorType::get({outChannels}, biasType.getElementType()),
            channelBias, ArrayRef<ReassociationIndices>{all});
      }

  auto productType = RankedTensorType::get({rows, outChannels}, resultType.getElementType());
  Value product = MatmulOp::create(rewriter, loc, productType, lhs, weight, bias,
                                   /*transpose_rhs=*/true)
                      .getResult();
  // [N * O..., M] -> [N, M, O...].
  Value result = rowsToChannelsFirst(rewriter, loc, product, batch, outSizes);

  Operation *feeding[] = {conv.getDpsInputs()[1].getDefiningOp(),
                          conv.getDpsInits()[0].getDefiningOp()};
  if (biasAdd) {
    rewriter.replaceOp(biasAdd, result);
    rewriter.eraseOp(op);
  } else {
    rewriter.replaceOp(op, result);
  }
  eraseDeadFeeders(rewriter, feeding);
}
