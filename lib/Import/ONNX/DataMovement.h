//===- DataMovement.h - host folding for the shape op files -----*- C++ -*-===//
//
// Internal to ShapeOps.cpp, SliceOps.cpp and ConstantOps.cpp. Shapes are
// static, so the small integer subgraphs that compute reshape targets are
// evaluated here on the host: a data-movement op whose inputs are known
// records a known output. Also the axes readers those ops share and the
// registration entries addShapeOps (NodeImporter.h) calls.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_DATAMOVEMENT_H
#define QCC_LIB_IMPORT_ONNX_DATAMOVEMENT_H

#include "NodeImporter.h"

#include <optional>
#include <string>
#include <vector>

namespace qcc::onnx_import {

//===----------------------------------------------------------------------===//
// Host-side element movement
//===----------------------------------------------------------------------===//

/// Data movement is evaluated on the host up to this many output elements:
/// enough for shape arithmetic, small enough not to copy weights.
constexpr int64_t kMaxFoldElements = 4096;

/// A known tensor as raw element bits: every data-movement fold is a
/// permutation/selection of these, whatever the element type.
struct HostData {
  DataType type = DataType::Undefined;
  llvm::SmallVector<int64_t> shape;
  std::vector<uint64_t> bits;
};

/// The elements of `tensor` as bits; nullopt for widths that are neither 4
/// nor a whole number of bytes up to 64.
std::optional<HostData> loadHost(const HostTensor &tensor);

/// A host tensor of `type` and `shape` from element bits (4-bit types are
/// packed low nibble first, as ONNX stores them).
HostTensor storeHost(DataType type, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<uint64_t> bits);

/// The bits of `value` stored as one element of `type`.
uint64_t scalarBits(DataType type, double value);

/// Row-major strides of `shape`, in elements.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Calls `fn` with every index of `shape` in row-major order.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  llvm::function_ref<void(llvm::ArrayRef<int64_t>)> fn);

/// A known output of `shape` whose element at each index is
/// source.bits[sourceIndex(index)] (or `fill` where that returns -1).
HostTensor
foldMove(const HostData &source, llvm::ArrayRef<int64_t> shape,
         llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> sourceIndex,
         uint64_t fill = 0);

/// Input `i` as host data when it is known and the output is small enough
/// to evaluate here.
std::optional<HostData> foldableInput(NodeImporter &n, unsigned i,
                                      llvm::ArrayRef<int64_t> outShape);

/// "[2, 3]" for error messages.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// Axes
//===----------------------------------------------------------------------===//

/// Axes from the attribute (before `inputOpset`) or from input `input`;
/// nullopt when neither is given.
mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
getAxes(NodeImporter &n, int64_t inputOpset, unsigned input = 1);

/// Normalizes `axes` against `rank`, rejecting repeats.
mlir::FailureOr<llvm::SmallVector<int64_t>>
normalizeAxes(NodeImporter &n, llvm::ArrayRef<int64_t> axes, int64_t rank);

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

void addSliceOps(std::vector<OpSupport> &ops);    // SliceOps.cpp
void addConstantOps(std::vector<OpSupport> &ops); // ConstantOps.cpp

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_DATAMOVEMENT_H
