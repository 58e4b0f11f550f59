//===- GraphImporter.h - one ONNX graph into one func.func ------*- C++ -*-===//

#ifndef QCC_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
#define QCC_LIB_IMPORT_ONNX_GRAPHIMPORTER_H

#include "NodeImporter.h"

#include "qcc/Import/ONNX/Importer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

namespace qcc::onnx_import {

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &context, const TensorSource &source,
                const ImportOptions &options, llvm::raw_ostream &errs);

  /// Builds `module`'s function for `model`'s main graph. Prints every error
  /// found and returns failure when there is any.
  mlir::LogicalResult importModel(const onnx::ModelProto &model,
                                  mlir::ModuleOp module);

  //--- Used by NodeImporter -------------------------------------------------
  mlir::OpBuilder &getBuilder() { return builder; }
  mlir::MLIRContext &getContext() { return context; }
  const TensorSource &getSource() const { return source; }
  ImportedValue *lookup(llvm::StringRef name);
  void define(llvm::StringRef name, ImportedValue value);
  /// The value as a signless tensor, creating the constant or codes op the
  /// first time it is needed.
  mlir::Value materialize(llvm::StringRef name, ImportedValue &value);
  /// Prints one error line and remembers that the import failed.
  void reportError(const llvm::Twine &message);

private:
  mlir::LogicalResult importInitializers(const onnx::GraphProto &graph);
  mlir::LogicalResult importConstantInputs(const onnx::GraphProto &graph);
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  resolveInputShape(const onnx::ValueInfoProto &input);
  mlir::LogicalResult checkSupported(const onnx::GraphProto &graph);
  mlir::FailureOr<std::vector<const onnx::NodeProto *>>
  sortNodes(const onnx::GraphProto &graph);
  mlir::LogicalResult importNode(const onnx::NodeProto &node);
  int64_t opsetOf(llvm::StringRef domain) const;

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  TensorSource source;
  const ImportOptions &options;
  llvm::raw_ostream &errs;
  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<int64_t> opsets;
  bool failedAny = false;
};

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
