//===- ConvPool.cpp - window geometry shared by Conv, pools, Resize -------===//
//
// Sliding-window ops on NC[D]HW tensors, one file each: Conv.cpp (upstream
// linalg named convolutions over a tensor.pad'ed input), Pooling.cpp (one
// windowed linalg.generic per pool) and Resize.cpp. This file holds what
// they share (ConvPool.h): ONNX's window formulas (auto_pad, ceil_mode)
// computed exactly, spatial padding, and the registration entry.
//
//===----------------------------------------------------------------------===//

#include "ConvPool.h"
#include "Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace qcc::onnx_import;

//===----------------------------------------------------------------------===//
// Window geometry
//===----------------------------------------------------------------------===//

int64_t qcc::onnx_import::effectiveKernel(int64_t kernel, int64_t dilation) {
  return (kernel - 1) * dilation + 1;
}

namespace {

/// An ints attribute with `count` values, or `count` copies of `fallback`.
FailureOr<SmallVector<int64_t>> readInts(NodeImporter &n, StringRef name,
                                         size_t count, int64_t fallback) {
  std::optional<SmallVector<int64_t>> values = n.getIntsAttr(name);
  if (!values)
    return SmallVector<int64_t>(count, fallback);
  if (values->size() != count)
    return n.fail(name + " has " + Twine(values->size()) +
                  " values; expected " + Twine(count));
  return *values;
}

} // namespace

FailureOr<Window> qcc::onnx_import::readWindow(NodeImporter &n,
                                               ArrayRef<int64_t> spatial,
                                               ArrayRef<int64_t> kernel,
                                               bool ceilMode) {
  size_t rank = spatial.size();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  FailureOr<SmallVector<int64_t>> strides = readInts(n, "strides", rank, 1);
  FailureOr<SmallVector<int64_t>> dilations = readInts(n, "dilations", rank, 1);
  FailureOr<SmallVector<int64_t>> pads = readInts(n, "pads", 2 * rank, 0);
  if (failed(strides) || failed(dilations) || failed(pads))
    return failure();
  if (llvm::any_of(*strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(*dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return n.fail("kernel_shape, strides and dilations must be positive");
  if (llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
    return n.fail("pads must not be negative");
  std::string autoPad = n.getStringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return n.fail("unknown auto_pad '" + autoPad + "'");
  w.strides = *strides;
  w.dilations = *dilations;
  for (size_t i = 0; i < rank; ++i) {
    int64_t in = spatial[i], s = w.strides[i];
    int64_t eff = effectiveKernel(kernel[i], w.dilations[i]);
    int64_t begin = (*pads)[i], end = (*pads)[i + rank];
    if (autoPad == "VALID")
      begin = end = 0;
    int64_t out;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      // The output covers ceil(in / stride) windows; the padding they need
      // goes to the end (UPPER) or the beginning (LOWER) when odd.
      out = llvm::divideCeil(in, s);
      int64_t total = std::max<int64_t>(0, (out - 1) * s + eff - in);
      int64_t small = total / 2;
      begin = autoPad == "SAME_UPPER" ? small : total - small;
      end = total - begin;
    } else {
      int64_t span = in + begin + end - eff;
      if (span < 0)
        return n.fail("the window (" + Twine(eff) +
                      " elements with dilation) is larger than the padded "
                      "input (" +
                      Twine(in + begin + end) + ") on spatial axis " +
                      Twine(i));
      out = (ceilMode ? llvm::divideCeil(span, s) : span / s) + 1;
      // ceil_mode drops a last window that would start in the end padding.
      if (ceilMode && (out - 1) * s >= in + begin)
        --out;
    }
    w.padsBegin.push_back(begin);
    w.padsEnd.push_back(end);
    w.outSizes.push_back(out);
    w.ceilExtra.push_back(
        std::max<int64_t>(0, (out - 1) * s + eff - (in + begin + end)));
  }
  return w;
}

WindowExprs qcc::onnx_import::getWindowExprs(MLIRContext *context,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations,
                                             unsigned firstOutputDim,
                                             unsigned firstKernelDim) {
  WindowExprs exprs;
  for (unsigned i = 0, e = strides.size(); i < e; ++i) {
    AffineExpr o = getAffineDimExpr(firstOutputDim + i, context);
    AffineExpr k = getAffineDimExpr(firstKernelDim + i, context);
    exprs.input.push_back(o * strides[i] + k * dilations[i]);
    exprs.kernel.push_back(k);
    exprs.output.push_back(o);
  }
  return exprs;
}

//===----------------------------------------------------------------------===//
// Tensors and scalars
//===----------------------------------------------------------------------===//

namespace {

bool hasPadding(ArrayRef<int64_t> begin, ArrayRef<int64_t> end) {
  return llvm::any_of(begin, [](int64_t p) { return p != 0; }) ||
         llvm::any_of(end, [](int64_t p) { return p != 0; });
}

} // namespace

Value qcc::onnx_import::padSpatial(OpBuilder &b, Location loc, Value input,
                                   ArrayRef<int64_t> begin,
                                   ArrayRef<int64_t> end,
                                   llvm::function_ref<Value()> makeValue) {
  if (!hasPadding(begin, end))
    return input;
  SmallVector<int64_t> low = {0, 0}, high = {0, 0};
  low.append(begin.begin(), begin.end());
  high.append(end.begin(), end.end());
  SmallVector<int64_t> shape(shapeOf(input));
  for (size_t i = 0; i < shape.size(); ++i)
    shape[i] += low[i] + high[i];
  MLIRContext *context = b.getContext();
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get(shape, elementTypeOf(input)), input,
      getAsIndexOpFoldResult(context, low),
      getAsIndexOpFoldResult(context, high), makeValue());
}

Value qcc::onnx_import::filledTensor(OpBuilder &b, Location loc,
                                     ArrayRef<int64_t> shape, Value fill) {
  Value empty = createEmptyTensor(b, loc, shape, fill.getType());
  return linalg::FillOp::create(b, loc, fill, empty).getResult(0);
}

Value qcc::onnx_import::extendTo(OpBuilder &b, Location loc, Value value,
                                 Type type) {
  if (value.getType() == type)
    return value;
  if (isa<FloatType>(type))
    return arith::ExtFOp::create(b, loc, type, value);
  return arith::ExtSIOp::create(b, loc, type, value);
}

Value qcc::onnx_import::addScalars(OpBuilder &b, Location loc, Value x,
                                   Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value qcc::onnx_import::mulScalars(OpBuilder &b, Location loc, Value x,
                                   Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Type qcc::onnx_import::accumulatorFor(Type element) {
  if (element.isF16() || element.isBF16())
    return Float32Type::get(element.getContext());
  return element;
}

Value qcc::onnx_import::truncateTo(OpBuilder &b, Location loc, Value value,
                                   Type type) {
  if (value.getType() == type)
    return value;
  return arith::TruncFOp::create(b, loc, type, value);
}

void qcc::onnx_import::addConvPoolOps(std::vector<OpSupport> &ops) {
  addConvOps(ops);
  addPoolingOps(ops);
  addResizeOps(ops);
}
