//===- ShapeOps.cpp - ONNX reshape-like ops -> tensor/linalg --------------===//
//
// Reshape, Squeeze, Unsqueeze and Flatten become tensor.collapse_shape/
// expand_shape, Transpose linalg.transpose, Expand a broadcasting
// linalg.generic; Shape and Size fold to constants (shapes are static).
//
// The small integer subgraphs that compute reshape targets from Shape are
// evaluated on the host (DataMovement.h): data-movement ops whose inputs are
// known produce known outputs, and later Reshape/Expand/Slice nodes read
// their shape inputs with getConstantInts. Slicing, joining, gathering and
// padding are in SliceOps.cpp, constants in ConstantOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "DataMovement.h"

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Reshape, Squeeze, Unsqueeze, Flatten
//===----------------------------------------------------------------------===//

/// Records a reshape of input 0: free on a known tensor (same bytes), else
/// collapse/expand.
LogicalResult reshapeTo(NodeImporter &n, ArrayRef<int64_t> shape) {
  if (const HostTensor *known = n.getConstantInput(0)) {
    n.setConstantOutput(0, known->reshaped(shape));
    return success();
  }
  n.setOutput(0, buildReshape(n.getBuilder(), n.getLoc(), n.getInput(0), shape),
              n.getInputType(0));
  return success();
}

/// The output shape of Reshape: 0 copies the input dimension (unless
/// allowzero), one -1 is inferred.
FailureOr<SmallVector<int64_t>> inferReshape(NodeImporter &n,
                                             ArrayRef<int64_t> inShape,
                                             ArrayRef<int64_t> target,
                                             bool allowZero) {
  SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [i, given] : llvm::enumerate(target)) {
    int64_t size = given;
    if (size == 0 && !allowZero) {
      if (i >= inShape.size())
        return n.fail("shape[" + llvm::Twine(i) +
                      "] is 0 (copy the input dimension) but the input has "
                      "rank " +
                      llvm::Twine(inShape.size()));
      size = inShape[i];
    } else if (size == -1) {
      if (inferred)
        return n.fail("shape " + formatShape(target) + " has more than one -1");
      inferred = i;
      shape.push_back(1);
      continue;
    } else if (size < -1) {
      return n.fail("shape " + formatShape(target) + " has invalid dimension " +
                    llvm::Twine(size));
    }
    shape.push_back(size);
    known *= size;
  }
  int64_t count = numElements(inShape);
  if (inferred) {
    if (known == 0 || count % known != 0)
      return n.fail("cannot reshape " + formatShape(inShape) + " (" +
                    llvm::Twine(count) + " elements) to " +
                    formatShape(target) + ": no size for the -1 fits");
    shape[*inferred] = count / known;
  } else if (known != count) {
    return n.fail("cannot reshape " + formatShape(inShape) + " (" +
                  llvm::Twine(count) + " elements) to " + formatShape(target) +
                  " (" + llvm::Twine(known) + " elements)");
  }
  return shape;
}

LogicalResult convertReshape(NodeImporter &n) {
  FailureOr<std::vector<int64_t>> target = n.getConstantInts(1, "shape");
  if (failed(target))
    return failure();
  bool allowZero = n.getOpset() >= 14 && n.getIntAttr("allowzero", 0) != 0;
  FailureOr<SmallVector<int64_t>> shape =
      inferReshape(n, n.getInputShape(0), *target, allowZero);
  if (failed(shape))
    return failure();
  return reshapeTo(n, *shape);
}

LogicalResult convertSqueeze(NodeImporter &n) {
  auto axes = getAxes(n, 13);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  SmallVector<int64_t> squeezed;
  if (*axes) {
    auto normalized = normalizeAxes(n, **axes, inShape.size());
    if (failed(normalized))
      return failure();
    squeezed = *normalized;
  } else {
    for (auto [d, size] : llvm::enumerate(inShape))
      if (size == 1)
        squeezed.push_back(d);
  }
  SmallVector<int64_t> shape;
  for (auto [d, size] : llvm::enumerate(inShape)) {
    if (!llvm::is_contained(squeezed, static_cast<int64_t>(d))) {
      shape.push_back(size);
    } else if (size != 1) {
      return n.fail("cannot squeeze axis " + llvm::Twine(d) + " of size " +
                    llvm::Twine(size) + " (input shape " +
                    formatShape(inShape) + ")");
    }
  }
  return reshapeTo(n, shape);
}

LogicalResult convertUnsqueeze(NodeImporter &n) {
  auto axes = getAxes(n, 13);
  if (failed(axes))
    return failure();
  if (!*axes)
    return n.fail("axes are required");
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  int64_t rank = inShape.size() + (*axes)->size();
  auto inserted = normalizeAxes(n, **axes, rank);
  if (failed(inserted))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0, next = 0; d < rank; ++d)
    shape.push_back(llvm::is_contained(*inserted, d) ? 1 : inShape[next++]);
  return reshapeTo(n, shape);
}

LogicalResult convertFlatten(NodeImporter &n) {
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  int64_t rank = inShape.size();
  int64_t axis = n.getIntAttr("axis", 1);
  if (axis < -rank || axis > rank)
    return n.fail("axis " + llvm::Twine(axis) + " is out of range for rank " +
                  llvm::Twine(rank));
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> shape = {numElements(inShape.take_front(axis)),
                                numElements(inShape.drop_front(axis))};
  return reshapeTo(n, shape);
}

//===----------------------------------------------------------------------===//
// Transpose, Expand
//===----------------------------------------------------------------------===//

LogicalResult convertTranspose(NodeImporter &n) {
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  int64_t rank = inShape.size();
  SmallVector<int64_t> perm;
  if (auto attr = n.getIntsAttr("perm"))
    perm = *attr;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (static_cast<int64_t>(perm.size()) != rank ||
      llvm::any_of(llvm::enumerate(sorted),
                   [](auto e) { return e.value() != int64_t(e.index()); }))
    return n.fail("perm " + formatShape(perm) +
                  " is not a permutation of the input's " + llvm::Twine(rank) +
                  " dimensions");
  SmallVector<int64_t> shape;
  for (int64_t d : perm)
    shape.push_back(inShape[d]);
  if (std::optional<HostData> known = foldableInput(n, 0, shape)) {
    SmallVector<int64_t> strides = stridesOf(inShape);
    n.setConstantOutput(0, foldMove(*known, shape, [&](ArrayRef<int64_t> i) {
                          int64_t from = 0;
                          for (auto [d, p] : llvm::enumerate(perm))
                            from += i[d] * strides[p];
                          return from;
                        }));
    return success();
  }
  Value input = n.getInput(0);
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto e) {
    return e.value() == int64_t(e.index());
  });
  n.setOutput(0,
              identity
                  ? input
                  : buildTranspose(n.getBuilder(), n.getLoc(), input, perm),
              n.getInputType(0));
  return success();
}

/// Flat index into `shape` of an output index, with numpy broadcasting
/// (right-aligned, size-1 dimensions read at 0).
int64_t broadcastIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> outIndex) {
  size_t offset = outIndex.size() - shape.size();
  int64_t from = 0;
  for (auto [d, size] : llvm::enumerate(shape))
    from += (size == 1 ? 0 : outIndex[d + offset]) * strides[d];
  return from;
}

LogicalResult convertExpand(NodeImporter &n) {
  FailureOr<std::vector<int64_t>> target = n.getConstantInts(1, "shape");
  if (failed(target))
    return failure();
  ArrayRef<int64_t> inShape = n.getInputShape(0);
  auto shape = broadcastShapes(inShape, *target);
  if (!shape || llvm::any_of(*target, [](int64_t s) { return s < 0; }))
    return n.fail("input shape " + formatShape(inShape) +
                  " does not broadcast with " + formatShape(*target));
  if (std::optional<HostData> known = foldableInput(n, 0, *shape)) {
    SmallVector<int64_t> strides = stridesOf(inShape);
    n.setConstantOutput(0, foldMove(*known, *shape, [&](ArrayRef<int64_t> i) {
                          return broadcastIndex(inShape, strides, i);
                        }));
    return success();
  }
  n.setOutput(
      0, buildBroadcastTo(n.getBuilder(), n.getLoc(), n.getInput(0), *shape),
      n.getInputType(0));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape, Size
//===----------------------------------------------------------------------===//

LogicalResult convertShape(NodeImporter &n) {
  ArrayRef<int64_t> shape = n.getInputShape(0);
  int64_t rank = shape.size();
  int64_t start = 0, end = rank;
  if (n.getOpset() >= 15) {
    // Out-of-range start/end clamp, as in the spec.
    auto clampAxis = [&](int64_t axis) {
      return std::clamp<int64_t>(axis < 0 ? axis + rank : axis, 0, rank);
    };
    start = clampAxis(n.getIntAttr("start", 0));
    end = clampAxis(n.getIntAttr("end", rank));
  }
  SmallVector<int64_t> dims;
  for (int64_t d = start; d < end; ++d)
    dims.push_back(shape[d]);
  n.setConstantOutput(
      0, HostTensor::fromInt64(DataType::Int64,
                               {static_cast<int64_t>(dims.size())}, dims));
  return success();
}

LogicalResult convertSize(NodeImporter &n) {
  n.setConstantOutput(0,
                      HostTensor::fromInt64(DataType::Int64, {},
                                            {numElements(n.getInputShape(0))}));
  return success();
}

} // namespace

void qcc::onnx_import::addShapeOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  ops.push_back({"", "Reshape", 5, last, convertReshape,
                 "any type; shape known at compile time; allowzero"});
  ops.push_back({"", "Transpose", 1, last, convertTranspose, "any type"});
  ops.push_back({"", "Squeeze", 1, last, convertSqueeze,
                 "any type; axes known at compile time"});
  ops.push_back({"", "Unsqueeze", 1, last, convertUnsqueeze,
                 "any type; axes known at compile time"});
  ops.push_back({"", "Flatten", 1, last, convertFlatten, "any type"});
  ops.push_back({"", "Expand", 8, last, convertExpand,
                 "any type; shape known at compile time"});
  ops.push_back(
      {"", "Shape", 1, last, convertShape, "folded to a constant; start/end"});
  ops.push_back({"", "Size", 1, last, convertSize, "folded to a constant"});
  addSliceOps(ops);
  addConstantOps(ops);
}
