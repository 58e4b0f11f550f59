//===- Builders.h - linalg/tensor building blocks for converters -*- C++ -*-===//
//
// Helpers that several op families share: numpy broadcasting as
// linalg.generic, reductions, reshapes, transposes, ONNX Cast semantics.
// All shapes are static.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_BUILDERS_H
#define QCC_LIB_IMPORT_ONNX_BUILDERS_H

#include "Tensors.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace qcc::onnx_import {

using BodyFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                              mlir::ValueRange)>;

/// A tensor.empty of the given shape and element type.
mlir::Value createEmptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                              llvm::ArrayRef<int64_t> shape,
                              mlir::Type element);

/// The numpy broadcast of two shapes, or nullopt when they do not broadcast.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// result[i...] = body(inputs broadcast to outShape at [i...]), as one
/// linalg.generic. Inputs may have lower rank (right-aligned) and size-1
/// dimensions that broadcast.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::ValueRange inputs,
                             llvm::ArrayRef<int64_t> outShape,
                             mlir::Type outElement, BodyFn body);

/// Reduces `input` over `axes` (sorted, normalized) starting from the scalar
/// `init`: acc = body(b, loc, {element, acc}). Keeps reduced dimensions as
/// size 1 when `keepDims`.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           bool keepDims, mlir::Value init, BodyFn body);

/// linalg.transpose with `permutation` (result dim i = input dim perm[i]).
mlir::Value buildTranspose(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input,
                           llvm::ArrayRef<int64_t> permutation);

/// Reshapes (same element count) through tensor.collapse_shape/expand_shape.
mlir::Value buildReshape(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, llvm::ArrayRef<int64_t> shape);

/// Broadcasts `input` to `shape` (numpy rules).
mlir::Value buildBroadcastTo(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value input, llvm::ArrayRef<int64_t> shape);

/// A scalar constant of `type` (float or integer) holding `value`.
mlir::Value buildScalar(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type, double value);

/// Converts one scalar between ONNX types with Cast's semantics: float to
/// int truncates toward zero, int to int wraps, bool is value != 0. The
/// signless MLIR types do not say signedness; the ONNX types do.
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, DataType from, DataType to);

/// A rank-0 tensor read as a scalar (tensor.extract).
mlir::Value extractScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value tensor);

llvm::ArrayRef<int64_t> shapeOf(mlir::Value tensor);
mlir::Type elementTypeOf(mlir::Value tensor);
int64_t numElements(llvm::ArrayRef<int64_t> shape);

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_BUILDERS_H
