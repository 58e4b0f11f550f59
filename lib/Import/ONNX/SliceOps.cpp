//===- SliceOps.cpp - ONNX slicing, joining and padding -> tensor/linalg --===//
//
// Slices become tensor.extract_slice, joins tensor.concat, constant pads
// tensor.pad; gathers and index-computing pads (reflect, edge, wrap) a
// linalg.generic that reads with tensor.extract. Known inputs fold on the
// host (DataMovement.h).
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "DataMovement.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

#include <algorithm>

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// IR helpers
//===----------------------------------------------------------------------===//

/// Reverses `input` along `dims` (a linalg.generic reading at size-1-i).
Value buildReverse(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> dims) {
  ArrayRef<int64_t> shape = shapeOf(input);
  MLIRContext *context = b.getContext();
  SmallVector<AffineExpr> exprs;
  for (auto [d, size] : llvm::enumerate(shape)) {
    AffineExpr dim = getAffineDimExpr(d, context);
    exprs.push_back(llvm::is_contained(dims, static_cast<int64_t>(d))
                        ? getAffineConstantExpr(size - 1, context) - dim
                        : dim);
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(shape.size(), 0, exprs, context),
      AffineMap::getMultiDimIdentityMap(shape.size(), context)};
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  Value init = createEmptyTensor(b, loc, shape, elementTypeOf(input));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{input},
             ValueRange{init}, maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

/// The elements start[d] + i*step[d], i < size[d], in that order. Negative
/// steps read the same elements with a positive stride, then reverse.
Value buildStridedSlice(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> starts, ArrayRef<int64_t> sizes,
                        ArrayRef<int64_t> steps) {
  SmallVector<int64_t> offsets, strides, reversed;
  for (auto [d, start] : llvm::enumerate(starts)) {
    int64_t size = sizes[d], step = steps[d];
    if (size == 0) {
      offsets.push_back(0);
      strides.push_back(1);
    } else if (step > 0) {
      offsets.push_back(start);
      strides.push_back(step);
    } else {
      offsets.push_back(start + (size - 1) * step);
      strides.push_back(-step);
      if (size > 1)
        reversed.push_back(d);
    }
  }
  bool whole = sizes == shapeOf(input) &&
               llvm::all_of(offsets, [](int64_t o) { return o == 0; }) &&
               llvm::all_of(strides, [](int64_t s) { return s == 1; });
  Value result = input;
  if (!whole) {
    auto type = RankedTensorType::get(sizes, elementTypeOf(input));
    result = tensor::ExtractSliceOp::create(b, loc, type, input, ValueRange{},
                                            ValueRange{}, ValueRange{}, offsets,
                                            sizes, strides);
  }
  return reversed.empty() ? result : buildReverse(b, loc, result, reversed);
}

/// Converts an i32/i64 index element to `index`, wrapping negative values
/// around `size` (ONNX indices count from the end when negative).
Value normalizeIndex(OpBuilder &b, Location loc, Value index, int64_t size) {
  Value asIndex = arith::IndexCastOp::create(b, loc, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, asIndex, zero);
  Value wrapped = arith::AddIOp::create(
      b, loc, asIndex, arith::ConstantIndexOp::create(b, loc, size));
  return arith::SelectOp::create(b, loc, negative, wrapped, asIndex);
}

//===----------------------------------------------------------------------===//
// Concat, Split, Slice
//===----------------------------------------------------------------------===//

LogicalResult convertConcat(NodeImporter &n) {
  unsigned count = n.getNumInputs();
  if (count == 0)
    return n.fail("expected at least one input");
  if (n.getOpset() >= 4 && !n.hasAttr("axis"))
    return n.fail("attribute 'axis' is required");
  SmallVector<int64_t> shape(n.getInputShape(0));
  DataType type = n.getInputType(0);
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getIntAttr("axis", 1), shape.size());
  if (failed(axis))
    return failure();
  shape[*axis] = 0;
  for (unsigned i = 0; i < count; ++i) {
    ArrayRef<int64_t> inShape = n.getInputShape(i);
    if (n.getInputType(i) != type)
      return n.fail("input " + llvm::Twine(i) + " has type " +
                    dataTypeName(n.getInputType(i)) + " but input 0 has " +
                    dataTypeName(type));
    bool matches = inShape.size() == shape.size();
    for (size_t d = 0; matches && d < shape.size(); ++d)
      matches = static_cast<int64_t>(d) == *axis || inShape[d] == shape[d];
    if (!matches)
      return n.fail(
          "input " + llvm::Twine(i) + " has shape " + formatShape(inShape) +
          " but input 0 has " + formatShape(n.getInputShape(0)) +
          " (they may differ only on axis " + llvm::Twine(*axis) + ")");
    shape[*axis] += inShape[*axis];
  }

  // Known inputs (shape vectors) are joined on the host.
  SmallVector<HostData> known;
  for (unsigned i = 0; i < count; ++i)
    if (std::optional<HostData> data = foldableInput(n, i, shape))
      known.push_back(std::move(*data));
  if (known.size() == count) {
    int64_t outer = numElements(ArrayRef<int64_t>(shape).take_front(*axis));
    std::vector<uint64_t> bits;
    for (int64_t o = 0; o < outer; ++o)
      for (const HostData &data : known) {
        int64_t block =
            numElements(ArrayRef<int64_t>(data.shape).drop_front(*axis));
        bits.insert(bits.end(), data.bits.begin() + o * block,
                    data.bits.begin() + (o + 1) * block);
      }
    n.setConstantOutput(0, storeHost(type, shape, bits));
    return success();
  }

  SmallVector<Value> inputs;
  for (unsigned i = 0; i < count; ++i)
    inputs.push_back(n.getInput(i));
  Value result =
      inputs.size() == 1
          ? inputs[0]
          : tensor::ConcatOp::create(n.getBuilder(), n.getLoc(), *axis, inputs)
                .getResult();
  n.setOutput(0, result, type);
  return success();
}

/// Output `i` is input 0 restricted to [start, start+size) along `axis`.
void setSliceOutput(NodeImporter &n, unsigned i, int64_t axis, int64_t start,
                    int64_t size) {
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  SmallVector<int64_t> starts(inShape.size(), 0), sizes(inShape),
      steps(inShape.size(), 1);
  starts[axis] = start;
  sizes[axis] = size;
  if (std::optional<HostData> known = foldableInput(n, 0, sizes)) {
    SmallVector<int64_t> strides = stridesOf(inShape);
    n.setConstantOutput(i, foldMove(*known, sizes, [&](ArrayRef<int64_t> idx) {
                          int64_t from = 0;
                          for (auto [d, x] : llvm::enumerate(idx))
                            from += (x + starts[d]) * strides[d];
                          return from;
                        }));
    return;
  }
  n.setOutput(i,
              buildStridedSlice(n.getBuilder(), n.getLoc(), n.getInput(0),
                                starts, sizes, steps),
              n.getInputType(0));
}

/// The sizes of Split's outputs: given, or equal parts (the last one smaller
/// when num_outputs does not divide the axis, from opset 18).
FailureOr<SmallVector<int64_t>> splitSizes(NodeImporter &n, int64_t dim) {
  int64_t outputs = n.getNumOutputs();
  if (n.getOpset() >= 13 && n.hasInput(1)) {
    FailureOr<std::vector<int64_t>> split = n.getConstantInts(1, "split");
    if (failed(split))
      return failure();
    return SmallVector<int64_t>(split->begin(), split->end());
  }
  if (n.getOpset() < 13)
    if (auto split = n.getIntsAttr("split"))
      return *split;
  int64_t parts = outputs;
  if (n.getOpset() >= 18 && n.hasAttr("num_outputs")) {
    parts = n.getIntAttr("num_outputs", outputs);
    if (parts != outputs)
      return n.fail("num_outputs is " + llvm::Twine(parts) +
                    " but the node has " + llvm::Twine(outputs) + " outputs");
  }
  if (parts <= 0)
    return n.fail("expected at least one output");
  if (n.getOpset() < 18 && dim % parts != 0)
    return n.fail("axis of size " + llvm::Twine(dim) + " does not split into " +
                  llvm::Twine(parts) + " equal parts");
  int64_t chunk = (dim + parts - 1) / parts;
  SmallVector<int64_t> sizes;
  for (int64_t i = 0; i < parts; ++i)
    sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  return sizes;
}

LogicalResult convertSplit(NodeImporter &n) {
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getIntAttr("axis", 0), inShape.size());
  if (failed(axis))
    return failure();
  int64_t dim = inShape[*axis];
  FailureOr<SmallVector<int64_t>> sizes = splitSizes(n, dim);
  if (failed(sizes))
    return failure();
  int64_t total = 0;
  for (int64_t size : *sizes)
    total += size;
  if (sizes->size() != n.getNumOutputs() ||
      llvm::any_of(*sizes, [](int64_t s) { return s < 0; }) || total != dim)
    return n.fail("split " + formatShape(*sizes) + " does not divide axis " +
                  llvm::Twine(*axis) + " of size " + llvm::Twine(dim) +
                  " into " + llvm::Twine(n.getNumOutputs()) + " outputs");
  int64_t start = 0;
  for (auto [i, size] : llvm::enumerate(*sizes)) {
    setSliceOutput(n, i, *axis, start, size);
    start += size;
  }
  return success();
}

struct SliceParams {
  SmallVector<int64_t> starts, ends, axes, steps;
};

FailureOr<SliceParams> getSliceParams(NodeImporter &n, int64_t rank) {
  SliceParams p;
  if (n.getOpset() < 10) {
    auto starts = n.getIntsAttr("starts"), ends = n.getIntsAttr("ends");
    if (!starts || !ends)
      return n.fail("attributes 'starts' and 'ends' are required");
    p.starts = *starts;
    p.ends = *ends;
    if (auto axes = n.getIntsAttr("axes"))
      p.axes = *axes;
  } else {
    auto read = [&](unsigned i, StringRef what,
                    SmallVector<int64_t> &into) -> LogicalResult {
      if (!n.hasInput(i))
        return success();
      FailureOr<std::vector<int64_t>> values = n.getConstantInts(i, what);
      if (failed(values))
        return failure();
      into.assign(values->begin(), values->end());
      return success();
    };
    if (failed(read(1, "starts", p.starts)) ||
        failed(read(2, "ends", p.ends)) || failed(read(3, "axes", p.axes)) ||
        failed(read(4, "steps", p.steps)))
      return failure();
  }
  size_t count = p.starts.size();
  if (!n.hasAttr("axes") && !n.hasInput(3))
    for (size_t i = 0; i < count; ++i)
      p.axes.push_back(i);
  if (p.steps.empty())
    p.steps.assign(count, 1);
  if (p.ends.size() != count || p.axes.size() != count ||
      p.steps.size() != count)
    return n.fail("starts, ends, axes and steps have different lengths (" +
                  llvm::Twine(count) + ", " + llvm::Twine(p.ends.size()) +
                  ", " + llvm::Twine(p.axes.size()) + ", " +
                  llvm::Twine(p.steps.size()) + ")");
  auto axes = normalizeAxes(n, p.axes, rank);
  if (failed(axes))
    return failure();
  p.axes = *axes;
  return p;
}

LogicalResult convertSlice(NodeImporter &n) {
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  int64_t rank = inShape.size();
  FailureOr<SliceParams> p = getSliceParams(n, rank);
  if (failed(p))
    return failure();
  SmallVector<int64_t> starts(rank, 0), sizes(inShape), steps(rank, 1);
  for (auto [i, axis] : llvm::enumerate(p->axes)) {
    int64_t dim = inShape[axis], step = p->steps[i];
    if (step == 0)
      return n.fail("steps[" + llvm::Twine(i) + "] is 0");
    // The spec's clamping: negative positions count from the end, then
    // starts/ends are clamped to the range a step of this sign can visit.
    int64_t start = p->starts[i], end = p->ends[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, std::max<int64_t>(dim - 1, 0));
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    int64_t distance = end - start;
    int64_t size =
        step > 0 ? (distance + step - 1) / step : (distance + step + 1) / step;
    starts[axis] = start;
    sizes[axis] = std::max<int64_t>(size, 0);
    steps[axis] = step;
  }
  if (std::optional<HostData> known = foldableInput(n, 0, sizes)) {
    SmallVector<int64_t> strides = stridesOf(inShape);
    n.setConstantOutput(0, foldMove(*known, sizes, [&](ArrayRef<int64_t> idx) {
                          int64_t from = 0;
                          for (auto [d, x] : llvm::enumerate(idx))
                            from += (starts[d] + x * steps[d]) * strides[d];
                          return from;
                        }));
    return success();
  }
  n.setOutput(0,
              buildStridedSlice(n.getBuilder(), n.getLoc(), n.getInput(0),
                                starts, sizes, steps),
              n.getInputType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Gather
//===----------------------------------------------------------------------===//

/// out[i.., j.., k..] = data[i.., indices[j..], k..] as a linalg.generic that
/// reads the indices and extracts from the data.
Value buildGather(OpBuilder &b, Location loc, Value data, Value indices,
                  int64_t axis, ArrayRef<int64_t> outShape) {
  MLIRContext *context = b.getContext();
  int64_t indexRank = shapeOf(indices).size();
  int64_t dim = shapeOf(data)[axis];
  SmallVector<AffineExpr> indexExprs;
  for (int64_t j = 0; j < indexRank; ++j)
    indexExprs.push_back(getAffineDimExpr(axis + j, context));
  SmallVector<AffineMap> maps = {
      AffineMap::get(outShape.size(), 0, indexExprs, context),
      AffineMap::getMultiDimIdentityMap(outShape.size(), context)};
  SmallVector<utils::IteratorType> iterators(outShape.size(),
                                             utils::IteratorType::parallel);
  Value init = createEmptyTensor(b, loc, outShape, elementTypeOf(data));
  int64_t dataRank = shapeOf(data).size();
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{indices},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               SmallVector<Value> at;
               for (int64_t d = 0; d < axis; ++d)
                 at.push_back(linalg::IndexOp::create(nb, nl, d));
               at.push_back(normalizeIndex(nb, nl, args[0], dim));
               for (int64_t d = axis + 1; d < dataRank; ++d)
                 at.push_back(
                     linalg::IndexOp::create(nb, nl, d - 1 + indexRank));
               Value element = tensor::ExtractOp::create(nb, nl, data, at);
               linalg::YieldOp::create(nb, nl, element);
             })
      .getResult(0);
}

LogicalResult convertGather(NodeImporter &n) {
  ArrayRef<int64_t> dataShape = n.getInputShape(0);
  ArrayRef<int64_t> indexShape = n.getInputShape(1);
  DataType indexType = n.getInputType(1);
  if (indexType != DataType::Int32 && indexType != DataType::Int64)
    return n.fail("indices must be INT32 or INT64, got " +
                  dataTypeName(indexType));
  if (dataShape.empty())
    return n.fail("data must have rank at least 1");
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.getIntAttr("axis", 0), dataShape.size());
  if (failed(axis))
    return failure();
  int64_t dim = dataShape[*axis];
  SmallVector<int64_t> shape(dataShape.take_front(*axis));
  shape.append(indexShape.begin(), indexShape.end());
  shape.append(dataShape.begin() + *axis + 1, dataShape.end());

  // Known indices are checked now and wrapped to [0, dim).
  const HostTensor *knownIndices = n.getConstantInput(1);
  std::vector<int64_t> indices;
  if (knownIndices) {
    indices = knownIndices->toInt64();
    for (int64_t &index : indices) {
      if (index < -dim || index >= dim)
        return n.fail("index " + llvm::Twine(index) +
                      " is out of range for axis " + llvm::Twine(*axis) +
                      " of size " + llvm::Twine(dim));
      if (index < 0)
        index += dim;
    }
  }
  if (knownIndices)
    if (std::optional<HostData> data = foldableInput(n, 0, shape)) {
      SmallVector<int64_t> strides = stridesOf(dataShape);
      SmallVector<int64_t> indexStrides = stridesOf(indexShape);
      int64_t q = indexShape.size();
      n.setConstantOutput(0, foldMove(*data, shape, [&](ArrayRef<int64_t> i) {
                            int64_t flat = 0;
                            for (int64_t j = 0; j < q; ++j)
                              flat += i[*axis + j] * indexStrides[j];
                            int64_t from = indices[flat] * strides[*axis];
                            for (int64_t d = 0; d < *axis; ++d)
                              from += i[d] * strides[d];
                            for (int64_t d = *axis + 1;
                                 d < int64_t(dataShape.size()); ++d)
                              from += i[d - 1 + q] * strides[d];
                            return from;
                          }));
      return success();
    }

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value data = n.getInput(0);
  // One known index is a slice with the axis dropped.
  if (knownIndices && indices.size() == 1) {
    SmallVector<int64_t> offsets(dataShape.size(), 0), sizes(dataShape),
        strides(dataShape.size(), 1);
    offsets[*axis] = indices[0];
    sizes[*axis] = 1;
    Value slice = buildStridedSlice(b, loc, data, offsets, sizes, strides);
    n.setOutput(0, buildReshape(b, loc, slice, shape), n.getInputType(0));
    return success();
  }
  n.setOutput(0, buildGather(b, loc, data, n.getInput(1), *axis, shape),
              n.getInputType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Pad
//===----------------------------------------------------------------------===//

enum class PadMode { Constant, Reflect, Edge, Wrap };

/// The source position that padded position `k` (relative to the first
/// element, so negative inside the leading pad) reads, or -1 for the
/// constant. `size` > 0 for the non-constant modes.
int64_t padSource(PadMode mode, int64_t k, int64_t size) {
  if (k >= 0 && k < size)
    return k;
  switch (mode) {
  case PadMode::Constant:
    return -1;
  case PadMode::Edge:
    return std::clamp<int64_t>(k, 0, size - 1);
  case PadMode::Wrap:
    return ((k % size) + size) % size;
  case PadMode::Reflect: {
    if (size == 1)
      return 0;
    int64_t period = 2 * (size - 1);
    int64_t m = ((k % period) + period) % period;
    return m < size ? m : period - m;
  }
  }
  llvm_unreachable("unknown pad mode");
}

/// The same computation on `index` values inside a linalg.generic body.
Value buildPadSource(OpBuilder &b, Location loc, PadMode mode, Value out,
                     int64_t before, int64_t size) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value k = arith::SubIOp::create(b, loc, out, cst(before));
  switch (mode) {
  case PadMode::Constant:
    llvm_unreachable("constant pads are tensor.pad");
  case PadMode::Edge:
    return arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, k, cst(0)), cst(size - 1));
  case PadMode::Wrap: {
    // Shifting by a multiple of the period makes the remainder non-negative.
    int64_t shift = size * ((before + size - 1) / size);
    return arith::RemSIOp::create(
        b, loc, arith::AddIOp::create(b, loc, k, cst(shift)), cst(size));
  }
  case PadMode::Reflect: {
    if (size == 1)
      return cst(0);
    int64_t period = 2 * (size - 1);
    int64_t shift = period * ((before + period - 1) / period);
    Value m = arith::RemSIOp::create(
        b, loc, arith::AddIOp::create(b, loc, k, cst(shift)), cst(period));
    Value inside =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, m, cst(size));
    return arith::SelectOp::create(
        b, loc, inside, m, arith::SubIOp::create(b, loc, cst(period), m));
  }
  }
  llvm_unreachable("unknown pad mode");
}

/// Edge/reflect/wrap: every output element reads a computed position.
Value buildIndexedPad(OpBuilder &b, Location loc, PadMode mode, Value input,
                      ArrayRef<int64_t> before, ArrayRef<int64_t> outShape) {
  ArrayRef<int64_t> inShape = shapeOf(input);
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(outShape.size(), context)};
  SmallVector<utils::IteratorType> iterators(outShape.size(),
                                             utils::IteratorType::parallel);
  Value init = createEmptyTensor(b, loc, outShape, elementTypeOf(input));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
             maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange) {
               SmallVector<Value> at;
               for (auto [d, size] : llvm::enumerate(inShape)) {
                 Value index = linalg::IndexOp::create(nb, nl, d);
                 if (outShape[d] != size)
                   index = buildPadSource(nb, nl, mode, index, before[d], size);
                 at.push_back(index);
               }
               Value element = tensor::ExtractOp::create(nb, nl, input, at);
               linalg::YieldOp::create(nb, nl, element);
             })
      .getResult(0);
}

struct PadParams {
  PadMode mode = PadMode::Constant;
  SmallVector<int64_t> before, after;
};

FailureOr<PadParams> getPadParams(NodeImporter &n, int64_t rank) {
  PadParams p;
  std::string mode = n.getStringAttr("mode", "constant");
  if (mode == "constant")
    p.mode = PadMode::Constant;
  else if (mode == "reflect")
    p.mode = PadMode::Reflect;
  else if (mode == "edge")
    p.mode = PadMode::Edge;
  else if (mode == "wrap")
    p.mode = PadMode::Wrap;
  else
    return n.fail("mode '" + mode +
                  "' is not supported (expected constant, reflect, edge or "
                  "wrap)");
  SmallVector<int64_t> pads;
  if (n.getOpset() < 11) {
    auto attr = n.getIntsAttr("pads");
    if (!attr)
      return n.fail("attribute 'pads' is required");
    pads = *attr;
  } else {
    FailureOr<std::vector<int64_t>> values = n.getConstantInts(1, "pads");
    if (failed(values))
      return failure();
    pads.assign(values->begin(), values->end());
  }
  SmallVector<int64_t> axes;
  auto given = getAxes(n, 18, 3);
  if (failed(given))
    return failure();
  if (n.getOpset() >= 18 && *given) {
    auto normalized = normalizeAxes(n, **given, rank);
    if (failed(normalized))
      return failure();
    axes = *normalized;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  if (pads.size() != 2 * axes.size())
    return n.fail("pads has " + llvm::Twine(pads.size()) +
                  " values; expected " + llvm::Twine(2 * axes.size()) +
                  " (begin and end for each of " + llvm::Twine(axes.size()) +
                  " axes)");
  p.before.assign(rank, 0);
  p.after.assign(rank, 0);
  for (auto [i, axis] : llvm::enumerate(axes)) {
    p.before[axis] = pads[i];
    p.after[axis] = pads[i + axes.size()];
  }
  return p;
}

/// The constant-mode padding value as a scalar of `element`: the attribute
/// (before opset 11), input 2 when known, or input 2 read at run time.
Value getPadValue(NodeImporter &n, Type element) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  if (n.getOpset() < 11)
    return buildScalar(b, loc, element, n.getFloatAttr("value", 0.0f));
  if (!n.hasInput(2))
    return buildScalar(b, loc, element, 0.0);
  if (const HostTensor *known = n.getConstantInput(2)) {
    if (isa<FloatType>(element))
      return buildScalar(b, loc, element, known->toDouble()[0]);
    return arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(element, known->toInt64()[0]));
  }
  return extractScalar(b, loc, n.getInput(2));
}

LogicalResult convertPad(NodeImporter &n) {
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  int64_t rank = inShape.size();
  FailureOr<PadParams> p = getPadParams(n, rank);
  if (failed(p))
    return failure();
  // Negative pads crop; crop first, then pad the rest.
  SmallVector<int64_t> cropStart(rank), cropSize(rank), ones(rank, 1);
  SmallVector<int64_t> low(rank), high(rank), outShape(rank);
  for (int64_t d = 0; d < rank; ++d) {
    cropStart[d] = std::max<int64_t>(-p->before[d], 0);
    cropSize[d] =
        inShape[d] - cropStart[d] - std::max<int64_t>(-p->after[d], 0);
    low[d] = std::max<int64_t>(p->before[d], 0);
    high[d] = std::max<int64_t>(p->after[d], 0);
    if (cropSize[d] < 0)
      return n.fail("pads crop more than axis " + llvm::Twine(d) + " of size " +
                    llvm::Twine(inShape[d]) + " holds");
    if (p->mode != PadMode::Constant && cropSize[d] == 0 && low[d] + high[d])
      return n.fail("cannot pad empty axis " + llvm::Twine(d) + " in mode '" +
                    n.getStringAttr("mode", "constant") + "'");
    outShape[d] = cropSize[d] + low[d] + high[d];
  }

  // Known data with a known pad value folds.
  const HostTensor *knownValue =
      n.getOpset() >= 11 && n.hasInput(2) ? n.getConstantInput(2) : nullptr;
  bool valueKnown = n.getOpset() < 11 || !n.hasInput(2) || knownValue;
  if (std::optional<HostData> known = foldableInput(n, 0, outShape);
      known && valueKnown) {
    double value = n.getOpset() < 11 ? n.getFloatAttr("value", 0.0f)
                   : knownValue      ? knownValue->toDouble()[0]
                                     : 0.0;
    SmallVector<int64_t> strides = stridesOf(inShape);
    n.setConstantOutput(0, foldMove(
                               *known, outShape,
                               [&](ArrayRef<int64_t> idx) {
                                 int64_t from = 0;
                                 for (auto [d, x] : llvm::enumerate(idx)) {
                                   int64_t k = padSource(p->mode, x - low[d],
                                                         cropSize[d]);
                                   if (k < 0)
                                     return int64_t(-1);
                                   from += (k + cropStart[d]) * strides[d];
                                 }
                                 return from;
                               },
                               scalarBits(known->type, value)));
    return success();
  }

  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value input = n.getInput(0);
  if (ArrayRef<int64_t>(cropSize) != inShape)
    input = buildStridedSlice(b, loc, input, cropStart, cropSize, ones);
  Value result = input;
  if (ArrayRef<int64_t>(outShape) == ArrayRef<int64_t>(cropSize)) {
    // Nothing left to pad.
  } else if (p->mode == PadMode::Constant) {
    Type element = elementTypeOf(input);
    Value value = getPadValue(n, element);
    auto type = RankedTensorType::get(outShape, element);
    result = tensor::PadOp::create(
        b, loc, type, input, getAsIndexOpFoldResult(b.getContext(), low),
        getAsIndexOpFoldResult(b.getContext(), high), value);
  } else {
    result = buildIndexedPad(b, loc, p->mode, input, low, outShape);
  }
  n.setOutput(0, result, n.getInputType(0));
  return success();
}

} // namespace

void qcc::onnx_import::addSliceOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  ops.push_back({"", "Concat", 4, last, convertConcat, "any type"});
  ops.push_back({"", "Split", 2, last, convertSplit,
                 "any type; split known at compile time; num_outputs"});
  ops.push_back({"", "Slice", 1, last, convertSlice,
                 "any type; starts/ends/axes/steps known at compile time"});
  ops.push_back({"", "Gather", 1, last, convertGather,
                 "any type; int32/int64 indices of any rank"});
  ops.push_back({"", "Pad", 2, last, convertPad,
                 "constant, reflect, edge, wrap; pads known at compile time"});
}
