//===- Importer.h - ONNX models into lowbit + upstream dialects -*- C++ -*-===//
//
// Reads an ONNX ModelProto and builds an MLIR module: one func.func per
// graph, quantized tensors as !lowbit.qtensor values, float ops as linalg,
// tensor, arith and math ops on static-shaped tensors.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_IMPORT_ONNX_IMPORTER_H
#define QCC_IMPORT_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace qcc::onnx_import {

struct ImportOptions {
  /// Full static shapes for graph inputs, by input name (`--shape x=1x128`).
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Values for symbolic dimensions, by dim_param name (`--dim batch=1`).
  llvm::StringMap<int64_t> dimValues;
  /// Graph inputs frozen to the value in a TensorProto (.pb) file, by input
  /// name (`--const-input shape=shape.pb`): they become constants, so shape
  /// inputs of Reshape, Pad, Resize... can be folded at compile time.
  llvm::StringMap<std::string> constantInputs;
  /// Name of the function the main graph becomes.
  std::string functionName = "main_graph";
};

/// Registers the dialects the importer produces.
void registerImportDialects(mlir::DialectRegistry &registry);

/// Imports the model at `path`. On failure prints every error as
/// `PATH: node 'NAME' (OpType): reason` (or `PATH: reason` for errors of the
/// model as a whole) to `errs` and returns null.
mlir::OwningOpRef<mlir::ModuleOp> importModelFile(llvm::StringRef path,
                                                  mlir::MLIRContext &context,
                                                  const ImportOptions &options,
                                                  llvm::raw_ostream &errs);

/// Prints one line per supported op: domain, op type, opset range, formats.
void printSupportedOps(llvm::raw_ostream &os);

} // namespace qcc::onnx_import

#endif // QCC_IMPORT_ONNX_IMPORTER_H
