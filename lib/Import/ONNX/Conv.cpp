//===- Conv.cpp - ONNX Conv -> linalg convolutions ------------------------===//
//
// The convolution that Conv, ConvInteger and QLinearConv share
// (ConvBuilder.h): attributes read and checked once, then an upstream linalg
// named convolution over a tensor.pad'ed input (1-D to 3-D, depthwise, 2-D
// grouped), and a linalg.generic where no named op fits the rank and
// grouping. Conv itself is the float case plus its bias.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "ConvBuilder.h"
#include "ConvPool.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Dialect/LowBit/IR/WindowRows.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;
using namespace qcc::onnx_import;
namespace lowbit = qcc::lowbit;

//===----------------------------------------------------------------------===//
// Geometry
//===----------------------------------------------------------------------===//

FailureOr<ConvGeometry>
qcc::onnx_import::readConvGeometry(NodeImporter &n,
                                   ArrayRef<int64_t> inputShape,
                                   ArrayRef<int64_t> weightShape) {
  if (inputShape.size() < 3)
    return n.fail("the input must have rank 3 or more ([N, C, D1, ...]); "
                  "it has rank " +
                  Twine(inputShape.size()));
  if (weightShape.size() != inputShape.size())
    return n.fail("the weight has rank " + Twine(weightShape.size()) +
                  " but the input has rank " + Twine(inputShape.size()));
  int64_t group = n.getIntAttr("group", 1);
  if (group < 1)
    return n.fail("group must be positive");
  int64_t channels = inputShape[1], outChannels = weightShape[0];
  if (weightShape[1] * group != channels)
    return n.fail("the weight has " + Twine(weightShape[1]) +
                  " input channels per group and group is " + Twine(group) +
                  ", but the input has " + Twine(channels) + " channels");
  if (outChannels % group != 0)
    return n.fail("group " + Twine(group) + " does not divide the weight's " +
                  Twine(outChannels) + " output channels");
  ArrayRef<int64_t> kernel = weightShape.drop_front(2);
  if (std::optional<SmallVector<int64_t>> shape = n.getIntsAttr("kernel_shape");
      shape && ArrayRef<int64_t>(*shape) != kernel)
    return n.fail("kernel_shape does not match the weight's spatial shape");
  FailureOr<Window> w =
      readWindow(n, inputShape.drop_front(2), kernel, /*ceilMode=*/false);
  if (failed(w))
    return failure();
  ConvGeometry geometry;
  geometry.strides = w->strides;
  geometry.dilations = w->dilations;
  geometry.padsBegin = w->padsBegin;
  geometry.padsEnd = w->padsEnd;
  geometry.group = group;
  return geometry;
}

SmallVector<int64_t>
qcc::onnx_import::convOutputSizes(ArrayRef<int64_t> inputShape,
                                  ArrayRef<int64_t> weightShape,
                                  const ConvGeometry &g) {
  SmallVector<int64_t> sizes;
  for (size_t i = 0; i + 2 < inputShape.size(); ++i) {
    int64_t padded = inputShape[i + 2] + g.padsBegin[i] + g.padsEnd[i];
    int64_t eff = effectiveKernel(weightShape[i + 2], g.dilations[i]);
    sizes.push_back((padded - eff) / g.strides[i] + 1);
  }
  return sizes;
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

namespace {

/// Splits dimension `dim` of `value` into (outer, size / outer).
Value splitDim(OpBuilder &b, Location loc, Value value, int64_t dim,
               int64_t outer) {
  ArrayRef<int64_t> shape = shapeOf(value);
  SmallVector<int64_t> newShape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    int64_t first = newShape.size();
    if (i == dim) {
      newShape.append({outer, shape[i] / outer});
      groups.push_back({first, first + 1});
    } else {
      newShape.push_back(shape[i]);
      groups.push_back({first});
    }
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(newShape, elementTypeOf(value)), value,
      groups);
}

/// Merges dimensions `dim` and `dim + 1` of `value`.
Value mergeDims(OpBuilder &b, Location loc, Value value, int64_t dim) {
  ArrayRef<int64_t> shape = shapeOf(value);
  SmallVector<int64_t> newShape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    if (i == dim + 1) {
      newShape.back() *= shape[i];
      groups.back().push_back(i);
      continue;
    }
    newShape.push_back(shape[i]);
    groups.push_back({i});
  }
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get(newShape, elementTypeOf(value)), value,
      groups);
}

template <typename ConvOp>
Value buildNamedConv(OpBuilder &b, Location loc, Value input, Value weight,
                     Value init, const ConvGeometry &g) {
  return ConvOp::create(b, loc, TypeRange{init.getType()},
                        ValueRange{input, weight}, ValueRange{init},
                        b.getI64TensorAttr(g.strides),
                        b.getI64TensorAttr(g.dilations))
      ->getResult(0);
}

/// out += widen(in) * widen(w) over the loops of `iterators`, the operands
/// read through `inExprs`, `wExprs` and `outExprs` (a convolution as a
/// linalg.generic; the accumulator is `init`'s element type).
Value buildMultiplyAccumulate(OpBuilder &b, Location loc, Value input, Value weight, Value init,
                              ArrayRef<AffineExpr> inExprs, ArrayRef<AffineExpr> wExprs,
                              ArrayRef<AffineExpr> outExprs,
                              ArrayRef<utils::IteratorType> iterators) {
  MLIRContext *context = b.getContext();
  int64_t numDims = iterators.size();
  SmallVector<AffineMap> maps = {AffineMap::get(numDims, 0, inExprs, context),
                                 AffineMap::get(numDims, 0, wExprs, context),
                                 AffineMap::get(numDims, 0, outExprs, context)};
  Type acc = elementTypeOf(init);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{input, weight},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value product =
                   mulScalars(nb, nl, extendTo(nb, nl, args[0], acc),
                              extendTo(nb, nl, args[1], acc));
               linalg::YieldOp::create(nb, nl,
                                       addScalars(nb, nl, args[2], product));
             })
      .getResult(0);
}

/// out[n, g, m, o...] += in[n, g, c, o*s + k*d...] * w[g, m, c, k...] for
/// any number of spatial axes: the form no named op covers.
Value buildGroupedConvGeneric(OpBuilder &b, Location loc, Value input,
                              Value weight, Value init, const ConvGeometry &g) {
  MLIRContext *context = b.getContext();
  int64_t rank = g.strides.size();
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  AffineExpr n = dim(0), group = dim(1), m = dim(2), c = dim(3 + rank);
  WindowExprs window =
      getWindowExprs(context, g.strides, g.dilations, 3, 4 + rank);
  SmallVector<AffineExpr> inExprs = {n, group, c}, wExprs = {group, m, c},
                          outExprs = {n, group, m};
  inExprs.append(window.input);
  wExprs.append(window.kernel);
  outExprs.append(window.output);
  SmallVector<utils::IteratorType> iterators(3 + rank,
                                             utils::IteratorType::parallel);
  iterators.append(1 + rank, utils::IteratorType::reduction);
  return buildMultiplyAccumulate(b, loc, input, weight, init, inExprs, wExprs,
                                 outExprs, iterators);
}

/// Depthwise convolution with one output channel per input channel, as a
/// linalg.generic whose loops run (n, c, k1..kk, o1..ok): the kernel taps
/// outside the output positions, so the innermost loop walks a row of the
/// output and of the input (contiguous at stride 1) with one weight, which
/// LLVM vectorizes; the named depthwise ops put the taps innermost and
/// their loops load and store one output element per tap. Each output still
/// sums its taps in the same order.
Value buildDepthwiseConv(OpBuilder &b, Location loc, Value input, Value weight,
                         Value init, const ConvGeometry &g) {
  MLIRContext *context = b.getContext();
  int64_t rank = g.strides.size();
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  WindowExprs window = getWindowExprs(context, g.strides, g.dilations,
                                      /*firstOutputDim=*/2 + rank,
                                      /*firstKernelDim=*/2);
  // [C, 1, K...] read as [C, K...].
  Value filter = mergeDims(b, loc, weight, 0);
  SmallVector<AffineExpr> inExprs = {dim(0), dim(1)}, wExprs = {dim(1)},
                          outExprs = {dim(0), dim(1)};
  inExprs.append(window.input);
  wExprs.append(window.kernel);
  outExprs.append(window.output);
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  iterators.append(rank, utils::IteratorType::reduction);
  iterators.append(rank, utils::IteratorType::parallel);
  return buildMultiplyAccumulate(b, loc, input, filter, init, inExprs, wExprs,
                                 outExprs, iterators);
}

} // namespace

SmallVector<int64_t> qcc::onnx_import::channelsLastPermutation(int64_t rank) {
  SmallVector<int64_t> perm = {0};
  for (int64_t d = 2; d < rank; ++d)
    perm.push_back(d);
  perm.push_back(1);
  return perm;
}

SmallVector<int64_t> qcc::onnx_import::channelsFirstPermutation(int64_t rank) {
  SmallVector<int64_t> perm = {0, rank - 1};
  for (int64_t d = 1; d < rank - 1; ++d)
    perm.push_back(d);
  return perm;
}

namespace {

/// Taps up to which a channels-last depthwise convolution sums its window
/// in the body of one elementwise generic (beyond, a reduction generic).
constexpr int64_t kMaxGatheredTaps = 64;

/// Depthwise convolution on channels-last data: `input` is [N, D..., C]
/// (already padded), `weight` [C, 1, K...], the result [N, O..., C] in
/// `accumulator`. One all-parallel generic over (n, o..., c) whose body
/// reads the window's taps itself (tensor.extract) and sums them: no
/// zero-filled accumulator to read and write back per tap, the channel loop
/// innermost (contiguous in the input, the weight read as [K..., C] and the
/// output at any stride: LLVM vectorizes it), and the per-channel scaling,
/// Clip and QuantizeLinear that follow fuse into it as elementwise ops. In
/// NCHW a stride-2 window reads every other element of a row. Kernels of
/// more than kMaxGatheredTaps taps keep a reduction generic over
/// (n, o..., c, k...) with its zero-filled accumulator.
Value buildDepthwiseChannelsLast(OpBuilder &b, Location loc, Value input, Value weight,
                                 const ConvGeometry &g, Type accumulator) {
  MLIRContext *context = b.getContext();
  int64_t rank = g.strides.size();
  ArrayRef<int64_t> inShape = shapeOf(input), wShape = shapeOf(weight);
  int64_t channels = wShape[0];
  ArrayRef<int64_t> kernel = wShape.drop_front(2);
  // [C, 1, K...] -> [C, K...] -> [K..., C].
  Value filter = mergeDims(b, loc, weight, 0);
  SmallVector<int64_t> filterPerm;
  for (int64_t d = 1; d <= rank; ++d)
    filterPerm.push_back(d);
  filterPerm.push_back(0);
  filter = buildTranspose(b, loc, filter, filterPerm);
  SmallVector<int64_t> outShape = {inShape[0]};
  for (int64_t i = 0; i < rank; ++i)
    outShape.push_back((inShape[1 + i] - g.dilations[i] * (kernel[i] - 1) - 1) / g.strides[i] +
                       1);
  outShape.push_back(channels);
  int64_t taps = 1;
  for (int64_t k : kernel)
    taps *= k;

  if (taps > kMaxGatheredTaps) {
    auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
    WindowExprs window = getWindowExprs(context, g.strides, g.dilations,
                                        /*firstOutputDim=*/1, /*firstKernelDim=*/2 + rank);
    AffineExpr c = dim(1 + rank);
    SmallVector<AffineExpr> inExprs = {dim(0)}, wExprs(window.kernel), outExprs = {dim(0)};
    inExprs.append(window.input);
    inExprs.push_back(c);
    wExprs.push_back(c);
    outExprs.append(window.output);
    outExprs.push_back(c);
    SmallVector<utils::IteratorType> iterators(2 + rank, utils::IteratorType::parallel);
    iterators.append(rank, utils::IteratorType::reduction);
    Value init = filledTensor(b, loc, outShape, buildScalar(b, loc, accumulator, 0.0));
    return buildMultiplyAccumulate(b, loc, input, filter, init, inExprs, wExprs, outExprs,
                                   iterators);
  }

  int64_t loops = outShape.size();
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(loops, context)};
  SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::parallel);
  Value empty = createEmptyTensor(b, loc, outShape, accumulator);
  return linalg::GenericOp::create(
             b, loc, TypeRange{empty.getType()}, ValueRange{}, ValueRange{empty}, maps,
             iterators,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               auto indexConst = [&](int64_t v) -> Value {
                 return arith::ConstantIndexOp::create(nb, nl, v);
               };
               SmallVector<Value> at;
               for (int64_t d = 0; d < loops; ++d)
                 at.push_back(linalg::IndexOp::create(nb, nl, d));
               Value sum = buildScalar(nb, nl, accumulator, 0.0);
               SmallVector<int64_t> tap(rank, 0);
               for (int64_t t = 0; t < taps; ++t) {
                 // tap = t in row-major order over the kernel's axes.
                 for (int64_t i = rank - 1, r = t; i >= 0; --i) {
                   tap[i] = r % kernel[i];
                   r /= kernel[i];
                 }
                 SmallVector<Value> inAt = {at[0]}, wAt;
                 for (int64_t i = 0; i < rank; ++i) {
                   Value o = arith::MulIOp::create(nb, nl, at[1 + i], indexConst(g.strides[i]));
                   inAt.push_back(arith::AddIOp::create(nb, nl, o,
                                                        indexConst(tap[i] * g.dilations[i])));
                   wAt.push_back(indexConst(tap[i]));
                 }
                 inAt.push_back(at[loops - 1]);
                 wAt.push_back(at[loops - 1]);
                 Value x = tensor::ExtractOp::create(nb, nl, input, inAt);
                 Value w = tensor::ExtractOp::create(nb, nl, filter, wAt);
                 sum = addScalars(nb, nl, sum,
                                  mulScalars(nb, nl, extendTo(nb, nl, x, accumulator),
                                             extendTo(nb, nl, w, accumulator)));
               }
               linalg::YieldOp::create(nb, nl, sum);
             })
      .getResult(0);
}

} // namespace

Value qcc::onnx_import::buildConvolution(OpBuilder &b, Location loc,
                                         Value input, Value weight,
                                         const ConvGeometry &g,
                                         Type accumulator) {
  ArrayRef<int64_t> inShape = shapeOf(input), wShape = shapeOf(weight);
  size_t rank = inShape.size() - 2;
  int64_t channels = inShape[1], outChannels = wShape[0], group = g.group;
  SmallVector<int64_t> outSizes = convOutputSizes(inShape, wShape, g);
  Value zero = buildScalar(b, loc, accumulator, 0.0);
  if (group == channels && outChannels == channels && rank <= 3 && isa<FloatType>(accumulator) &&
      elementTypeOf(input) == accumulator) {
    // Channels-last (buildDepthwiseChannelsLast); its transposes cancel
    // against the neighbouring convolutions' channels-last rows.
    int64_t fullRank = inShape.size();
    Value last = buildTranspose(b, loc, input, channelsLastPermutation(fullRank));
    SmallVector<int64_t> low = {0}, high = {0};
    low.append(g.padsBegin.begin(), g.padsBegin.end());
    high.append(g.padsEnd.begin(), g.padsEnd.end());
    low.push_back(0);
    high.push_back(0);
    SmallVector<int64_t> paddedShape(shapeOf(last));
    for (int64_t d = 0; d < fullRank; ++d)
      paddedShape[d] += low[d] + high[d];
    Value lastPadded = tensor::PadOp::create(
        b, loc, RankedTensorType::get(paddedShape, accumulator), last,
        getAsIndexOpFoldResult(b.getContext(), low), getAsIndexOpFoldResult(b.getContext(), high),
        zero);
    Value acc = buildDepthwiseChannelsLast(b, loc, lastPadded, weight, g, accumulator);
    return buildTranspose(b, loc, acc, channelsFirstPermutation(fullRank));
  }
  Value padded = padSpatial(b, loc, input, g.padsBegin, g.padsEnd, [&] {
    return buildScalar(b, loc, elementTypeOf(input), 0.0);
  });
  SmallVector<int64_t> outShape = {inShape[0], outChannels};
  outShape.append(outSizes);

  if (group == 1) {
    Value init = filledTensor(b, loc, outShape, zero);
    switch (rank) {
    case 1:
      return buildNamedConv<linalg::Conv1DNcwFcwOp>(b, loc, padded, weight,
                                                    init, g);
    case 2:
      return buildNamedConv<linalg::Conv2DNchwFchwOp>(b, loc, padded, weight,
                                                      init, g);
    case 3:
      return buildNamedConv<linalg::Conv3DNcdhwFcdhwOp>(b, loc, padded, weight,
                                                        init, g);
    default:
      break;
    }
  }
  if (group == channels && outChannels == channels && rank <= 3)
    return buildDepthwiseConv(b, loc, padded, weight,
                              filledTensor(b, loc, outShape, zero), g);

  // Grouped: [N, G, C/G, D...] x [G, M/G, C/G, K...] -> [N, G, M/G, O...].
  Value groupedIn = splitDim(b, loc, padded, 1, group);
  Value groupedW = splitDim(b, loc, weight, 0, group);
  SmallVector<int64_t> groupedShape = {inShape[0], group, outChannels / group};
  groupedShape.append(outSizes);
  Value init = filledTensor(b, loc, groupedShape, zero);
  Value result =
      rank == 2 ? buildNamedConv<linalg::Conv2DNgchwGfchwOp>(b, loc, groupedIn,
                                                             groupedW, init, g)
                : buildGroupedConvGeneric(b, loc, groupedIn, groupedW, init, g);
  return mergeDims(b, loc, result, 1);
}

namespace {

/// Whether `type` holds 8-bit integer codes, row-major, with f32 scales
/// per tensor or (when `perChannel`) along axis 0, integer zero points or
/// none, and nothing else (codebook, tensor scale).
bool isScaledByteCodes(lowbit::QTensorType type, bool perChannel) {
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  lowbit::SchemeAttr scheme = type.getScheme();
  bool grid = scheme.getGranularity() == lowbit::Granularity::per_tensor ||
              (perChannel && scheme.getGranularity() == lowbit::Granularity::per_axis &&
               scheme.getAxis() == 0);
  return storage && storage.getWidth() == 8 && grid && scheme.getScale() &&
         scheme.getScale().isF32() && !scheme.hasCodebook() && !scheme.getTensorScale() &&
         (!scheme.getZeroPoint() || isa<IntegerType>(scheme.getZeroPoint())) &&
         type.getLayoutKind() == lowbit::LayoutKind::row_major;
}

/// `q`'s codes minus their zero points as i32 (the zero points broadcast
/// along axis 0 when there is one per channel).
Value codesMinusZero(OpBuilder &b, Location loc, TypedValue<lowbit::QTensorType> q) {
  lowbit::QTensorType type = q.getType();
  auto storage = cast<IntegerType>(type.getStorageType());
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  ArrayRef<int64_t> shape = type.getShape();
  auto signless = [&](Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    return tensor::BitcastOp::create(b, loc, t.clone(i8), v).getResult();
  };
  SmallVector<Value> inputs = {
      signless(lowbit::CodesOp::create(b, loc, RankedTensorType::get(shape, storage), q))};
  if (Type zeroType = type.getScheme().getZeroPoint()) {
    bool perChannel = type.getScheme().getGranularity() == lowbit::Granularity::per_axis;
    SmallVector<int64_t> zeroShape;
    if (perChannel)
      zeroShape.push_back(shape[0]);
    Value zeros = signless(lowbit::ZeroPointsOp::create(
        b, loc, RankedTensorType::get(zeroShape, zeroType), q));
    if (perChannel) {
      // [C] -> [C, 1, ...] broadcasts along axis 0.
      SmallVector<int64_t> broadcast(shape.size(), 1);
      broadcast[0] = shape[0];
      zeros = buildReshape(b, loc, zeros, broadcast);
    }
    inputs.push_back(zeros);
  }
  bool isUnsigned = storage.isUnsigned();
  return buildElementwise(b, loc, inputs, shape, i32,
                          [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                            auto widen = [&](Value v) -> Value {
                              return isUnsigned ? Value(arith::ExtUIOp::create(nb, nl, i32, v))
                                                : Value(arith::ExtSIOp::create(nb, nl, i32, v));
                            };
                            Value x = widen(args[0]);
                            return args.size() > 1 ? arith::SubIOp::create(nb, nl, x, widen(args[1]))
                                                   : x;
                          });
}

} // namespace

Value qcc::onnx_import::buildDepthwiseOnCodeBytes(OpBuilder &b, Location loc, Value codes,
                                                  Value zeroByte, bool unsignedCodes, Value weight,
                                                  const ConvGeometry &g) {
  Type i32 = b.getI32Type(), i8 = b.getI8Type();
  ArrayRef<int64_t> inShape = shapeOf(codes), wShape = shapeOf(weight);
  // s: the codes as signed bytes (u8 codes a = s + 128), and zs the zero
  // point shifted alike.
  Value flip = arith::ConstantIntOp::create(b, loc, i8, 0x80);
  if (unsignedCodes)
    codes = buildElementwise(b, loc, {codes}, inShape, i8,
                             [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                               return arith::XOrIOp::create(
                                   nb, nl, args[0], arith::ConstantIntOp::create(nb, nl, i8, 0x80));
                             });
  Value zsByte = zeroByte ? zeroByte : Value(arith::ConstantIntOp::create(b, loc, i8, 0));
  if (unsignedCodes)
    zsByte = arith::XOrIOp::create(b, loc, zsByte, flip);
  Value zs = arith::ExtSIOp::create(b, loc, i32, zsByte);
  // Channels last, then the spatial axes (1 to rank - 2) padded with zs.
  int64_t rank = inShape.size();
  Value lastCodes = buildTranspose(b, loc, codes, channelsLastPermutation(rank));
  SmallVector<int64_t> low = {0}, high = {0}, paddedShape(shapeOf(lastCodes));
  low.append(g.padsBegin.begin(), g.padsBegin.end());
  high.append(g.padsEnd.begin(), g.padsEnd.end());
  low.push_back(0);
  high.push_back(0);
  for (int64_t d = 0; d < rank; ++d)
    paddedShape[d] += low[d] + high[d];
  Value padded = tensor::PadOp::create(b, loc, RankedTensorType::get(paddedShape, i8), lastCodes,
                                       getAsIndexOpFoldResult(b.getContext(), low),
                                       getAsIndexOpFoldResult(b.getContext(), high), zsByte);

  // S[c] = sum of w' over the taps.
  SmallVector<int64_t> taps;
  for (int64_t axis = 1; axis < int64_t(wShape.size()); ++axis)
    taps.push_back(axis);
  Value sums = buildReduction(b, loc, weight, taps, /*keepDims=*/false,
                              arith::ConstantIntOp::create(b, loc, i32, 0),
                              [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                                return arith::AddIOp::create(nb, nl, args[0], args[1]);
                              });

  Value acc = buildDepthwiseChannelsLast(b, loc, padded, weight, g, i32);
  // acc - zs S[c], S along the channels (last).
  return buildElementwise(b, loc, {acc, sums}, shapeOf(acc), i32,
                          [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                            return arith::SubIOp::create(
                                nb, nl, args[0], arith::MulIOp::create(nb, nl, zs, args[1]));
                          });
}

namespace {

/// A depthwise Conv of static QDQ activations (the input dequantizes
/// per-tensor 8-bit codes) and an 8-bit integer constant weight, as exact
/// integer arithmetic on the codes: with s the codes as signed bytes (u8
/// codes shifted by -128: a = s + 128) and zs the zero point shifted alike,
///   sum (a - za) w' = sum s w' - zs S[c],   w' = w - zw, S[c] = sum w',
/// where the input is padded with zs (ONNX pads the dequantized input with
/// 0.0, the zero point's code), so the depthwise loop reads one byte per
/// element and widens it in its body; then times x_scale * w_scale[c] into
/// f32. On the dequantized data it read and padded f32. The loop runs on
/// channels-last codes (buildDepthwiseChannelsLast) between two transposes
/// that cancel against the pointwise convolutions' around it. Null when
/// the operands are not of that form.
Value buildDepthwiseOnCodes(NodeImporter &n, const ConvGeometry &g) {
  ArrayRef<int64_t> inShape = n.getInputShape(0), wShape = n.getInputShape(1);
  if (inShape.size() < 3 || g.group != inShape[1] || wShape[0] != inShape[1] || wShape[1] != 1)
    return Value();
  auto inputDequantize = n.getInput(0).getDefiningOp<lowbit::DequantizeOp>();
  auto weightDequantize = n.getInput(1).getDefiningOp<lowbit::DequantizeOp>();
  if (!inputDequantize || !weightDequantize ||
      !weightDequantize.getInput().getDefiningOp<lowbit::ConstantOp>())
    return Value();
  TypedValue<lowbit::QTensorType> x = inputDequantize.getInput();
  TypedValue<lowbit::QTensorType> w = weightDequantize.getInput();
  if (!isScaledByteCodes(x.getType(), /*perChannel=*/false) ||
      !isScaledByteCodes(w.getType(), /*perChannel=*/true) ||
      x.getType().getShape() != inShape || w.getType().getShape() != wShape)
    return Value();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  int64_t channels = wShape[0];
  auto xStorage = cast<IntegerType>(x.getType().getStorageType());
  Value codes = tensor::BitcastOp::create(
      b, loc, RankedTensorType::get(inShape, i8),
      lowbit::CodesOp::create(b, loc, RankedTensorType::get(inShape, xStorage), x));
  Value zaByte;
  if (Type zeroType = x.getType().getScheme().getZeroPoint())
    zaByte = extractScalar(
        b, loc,
        tensor::BitcastOp::create(
            b, loc, RankedTensorType::get({}, i8),
            lowbit::ZeroPointsOp::create(b, loc, RankedTensorType::get({}, zeroType), x)));
  int64_t rank = inShape.size();
  Value acc = buildDepthwiseOnCodeBytes(b, loc, codes, zaByte, xStorage.isUnsigned(),
                                        codesMinusZero(b, loc, w), g);

  // acc * x_scale * w_scale[c], [C, 1, ...] along the channels.
  Value xScale = lowbit::ScalesOp::create(b, loc, RankedTensorType::get({}, f32), x);
  bool perChannel = w.getType().getScheme().getGranularity() == lowbit::Granularity::per_axis;
  Value wScale = lowbit::ScalesOp::create(
      b, loc,
      RankedTensorType::get(perChannel ? ArrayRef<int64_t>{channels} : ArrayRef<int64_t>{}, f32),
      w);
  Value multiplier = buildElementwise(
      b, loc, {xScale, wScale}, {channels}, f32,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MulFOp::create(nb, nl, args[0], args[1]);
      });
  // [C] broadcasts along the channels, last; the result goes back to
  // [N, C, O...] (qcc-sink-transposes moves that transpose below what
  // follows, where the next layer's transpose to channels-last cancels it).
  Value scaled = buildElementwise(
      b, loc, {acc, multiplier}, shapeOf(acc), f32,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MulFOp::create(nb, nl, arith::SIToFPOp::create(nb, nl, f32, args[0]), args[1]);
      });
  return buildTranspose(b, loc, scaled, channelsFirstPermutation(rank));
}

/// A group-1 float convolution of a float (not dequantized) weight as the
/// input's window rows times the weight read as [M, C * K...]: a matmul,
/// which the CPU target runs on register tiles (linalg's convolution loops
/// ran a MobileNetV2-style float network 11x slower than ONNX Runtime). A
/// dequantized weight keeps the convolution for lowbit-fuse-dequant, which
/// builds its own rows. Null where that does not apply.
Value buildFloatConvAsMatmul(NodeImporter &n, const ConvGeometry &g, Type element) {
  ArrayRef<int64_t> inShape = n.getInputShape(0), wShape = n.getInputShape(1);
  if (g.group != 1 || !element.isF32() || n.getInput(1).getDefiningOp<lowbit::DequantizeOp>() ||
      n.getInput(0).getDefiningOp<lowbit::DequantizeOp>())
    return Value();
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value padded = padSpatial(b, loc, n.getInput(0), g.padsBegin, g.padsEnd,
                            [&] { return buildScalar(b, loc, element, 0.0); });
  SmallVector<int64_t> kernelSizes(wShape.drop_front(2));
  SmallVector<int64_t> outSizes = convOutputSizes(inShape, wShape, g);
  // Channels-last rows where the channels fill the kernel's width (runs of
  // C in the copy; a 1 x 1 kernel's rows are then the NHWC transpose, which
  // cancels against the previous layer's), the weight's columns (k..., c)
  // to match.
  lowbit::WindowOrder order = lowbit::preferredWindowOrder(inShape[1], kernelSizes);
  Value rows = lowbit::buildWindowRows(b, loc, padded, kernelSizes, outSizes, g.strides,
                                       g.dilations, order);
  int64_t rowCount = shapeOf(rows)[0], depth = shapeOf(rows)[1], outChannels = wShape[0];
  Value weight = n.getInput(1);
  if (order == lowbit::WindowOrder::ChannelsLast) {
    // [M, C, K...] -> [M, K..., C].
    SmallVector<int64_t> perm = {0};
    for (size_t d = 2; d < wShape.size(); ++d)
      perm.push_back(d);
    perm.push_back(1);
    weight = buildTranspose(b, loc, weight, perm);
  }
  weight = buildTranspose(b, loc, buildReshape(b, loc, weight, {outChannels, depth}), {1, 0});
  Value init = filledTensor(b, loc, {rowCount, outChannels}, buildScalar(b, loc, element, 0.0));
  Value product =
      linalg::MatmulOp::create(b, loc, TypeRange{init.getType()}, ValueRange{rows, weight},
                               ValueRange{init})
          .getResult(0);
  return lowbit::rowsToChannelsFirst(b, loc, product, inShape[0], outSizes);
}

LogicalResult convertConv(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type))
    return n.fail("Conv on " + dataTypeName(type) +
                  " tensors is not supported (float types only; integer "
                  "convolutions are ConvInteger and QLinearConv)");
  if (n.getInputType(1) != type)
    return n.fail("the weight is " + dataTypeName(n.getInputType(1)) +
                  " but the input is " + dataTypeName(type));
  ArrayRef<int64_t> inShape = n.getInputShape(0), wShape = n.getInputShape(1);
  FailureOr<ConvGeometry> geometry = readConvGeometry(n, inShape, wShape);
  if (failed(geometry))
    return failure();
  bool hasBias = n.hasInput(2);
  if (hasBias &&
      (n.getInputShape(2).size() != 1 || n.getInputShape(2)[0] != wShape[0] ||
       n.getInputType(2) != type))
    return n.fail("the bias must be a 1-D " + dataTypeName(type) +
                  " tensor of the weight's " + Twine(wShape[0]) +
                  " output channels");

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Type element = getSignlessElementType(n.getContext(), type);
  Type acc = accumulatorFor(element);
  Value result;
  if (element.isF32())
    result = buildDepthwiseOnCodes(n, *geometry);
  if (!result)
    result = buildFloatConvAsMatmul(n, *geometry, element);
  if (!result)
    result = buildConvolution(b, loc, n.getInput(0), n.getInput(1), *geometry, acc);
  if (!hasBias && acc == element) {
    n.setOutput(0, result, type);
    return success();
  }
  SmallVector<Value> operands = {result};
  if (hasBias) {
    // [M] -> [M, 1, ...] broadcasts along the channel axis.
    SmallVector<int64_t> biasShape(inShape.size() - 1, 1);
    biasShape[0] = wShape[0];
    operands.push_back(buildReshape(b, loc, n.getInput(2), biasShape));
  }
  Value out =
      buildElementwise(b, loc, operands, shapeOf(result), element,
                       [&](OpBuilder &nb, Location nl, ValueRange args) {
                         Value sum = args[0];
                         if (args.size() > 1)
                           sum = arith::AddFOp::create(
                               nb, nl, sum, extendTo(nb, nl, args[1], acc));
                         return truncateTo(nb, nl, sum, element);
                       });
  n.setOutput(0, out, type);
  return success();
}

} // namespace

void qcc::onnx_import::addConvOps(std::vector<OpSupport> &ops) {
  ops.push_back({"", "Conv", 1, 23, convertConv,
                 "float; 1-D/2-D/3-D (any rank), group, depthwise, dilations, "
                 "strides, pads, auto_pad, bias"});
}
