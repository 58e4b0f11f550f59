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
Value codeWindowRows(OpBuilder &b, Location loc, QuantizedInput in,
                     ArrayRef<int64_t> kernelSizes, ArrayRef<int64_t> outSizes,
                     const ConvWindow &window, WindowOrder order) {
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
  Value rows = buildWindowRows(b, loc, codes, kernelSizes, outSizes, window.strides,
                               window.dilations, order);
  auto rowsType = cast<RankedTensorType>(rows.getType());
  rows = tensor::BitcastOp::create(b, loc, rowsType.clone(storage), rows);
  Value scale = ScalesOp::create(b, loc, RankedTensorType::get({}, f32), in.q);
  auto qtype = QTensorType::get(b.getContext(), rowsType.getShape(), storage, scheme,
                                type.getLayout());
  return AssembleOp::create(b, loc, qtype, rows, scale, zeros);
}

} // namespace

bool qcc::lowbit::isFusibleDequantConv(Operation *op) {
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
  WindowOrder order = preferredWindowOrder(wShape[1], kernelSizes);
  if (order == WindowOrder::ChannelsLast) {
    Value permuted =
        permuteWeightColumnsToChannelsLast(rewriter, weight, wShape[1], kernelSizes);
    if (permuted) {
      rewriter.eraseOp(weight.getDefiningOp());
      weight = permuted;
    } else {
      order = WindowOrder::ChannelsFirst;
    }
  }
  Value lhs;
  if (std::optional<QuantizedInput> quantized = quantizedInputOf(input, constant.getType()))
    lhs = codeWindowRows(rewriter, loc, *quantized, kernelSizes, outSizes, window, order);
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
