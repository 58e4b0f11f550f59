//===- NodeImporter.h - what an op converter sees of the graph --*- C++ -*-===//
//
// Op converters (one file per op family) turn one ONNX node into MLIR ops
// through this interface: typed access to inputs and attributes, outputs
// recorded by index, errors that name the file, node and op.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_NODEIMPORTER_H
#define QCC_LIB_IMPORT_ONNX_NODEIMPORTER_H

#include "Tensors.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"

#include <optional>

namespace onnx {
class AttributeProto;
class NodeProto;
} // namespace onnx

namespace qcc::onnx_import {

/// Everything known about one ONNX value during import.
struct ImportedValue {
  DataType type = DataType::Undefined;
  llvm::SmallVector<int64_t> shape;
  /// The value as a signless tensor; null until first needed when the value
  /// is a compile-time constant or a qtensor's codes.
  mlir::Value value;
  /// The value when known at compile time (initializers, folded shapes).
  std::optional<HostTensor> constant;
  /// A !lowbit.qtensor holding these codes with their scales, when the value
  /// was made by a quantizing op; DequantizeLinear then reads it directly.
  mlir::Value quantized;
  /// For `quantized`: the ONNX names of the scale and zero-point inputs it
  /// was quantized with, so a DequantizeLinear with the same ones reuses it.
  std::string scaleName, zeroPointName;
};

class GraphImporter;

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
               int64_t opset);

  llvm::StringRef getOpType() const;
  llvm::StringRef getName() const;
  int64_t getOpset() const { return opset; }
  mlir::OpBuilder &getBuilder();
  mlir::Location getLoc() const { return loc; }
  mlir::MLIRContext *getContext();

  //--- Inputs ---------------------------------------------------------------
  unsigned getNumInputs() const;
  /// True when input `i` exists and is not the empty name (ONNX's way of
  /// leaving out an optional input in the middle).
  bool hasInput(unsigned i) const;
  /// The ONNX value name of input `i`.
  llvm::StringRef getInputName(unsigned i) const;
  const ImportedValue &getInfo(unsigned i);
  DataType getInputType(unsigned i) { return getInfo(i).type; }
  llvm::ArrayRef<int64_t> getInputShape(unsigned i) { return getInfo(i).shape; }
  /// The input as a signless tensor, materializing constants and codes.
  mlir::Value getInput(unsigned i);
  /// The input's compile-time value, or null.
  const HostTensor *getConstantInput(unsigned i);
  /// The input's values as integers; fails (naming `what`) when the input is
  /// not known at compile time.
  mlir::FailureOr<std::vector<int64_t>> getConstantInts(unsigned i,
                                                        llvm::StringRef what);

  //--- Attributes -----------------------------------------------------------
  const onnx::AttributeProto *getAttr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return getAttr(name) != nullptr; }
  int64_t getIntAttr(llvm::StringRef name, int64_t defaultValue) const;
  float getFloatAttr(llvm::StringRef name, float defaultValue) const;
  std::string getStringAttr(llvm::StringRef name,
                            llvm::StringRef defaultValue) const;
  std::optional<llvm::SmallVector<int64_t>>
  getIntsAttr(llvm::StringRef name) const;
  std::optional<std::vector<float>> getFloatsAttr(llvm::StringRef name) const;
  /// A tensor-valued attribute (Constant's `value`), decoded.
  mlir::FailureOr<HostTensor> getTensorAttr(llvm::StringRef name);

  //--- Outputs --------------------------------------------------------------
  unsigned getNumOutputs() const;
  bool hasOutput(unsigned i) const;
  /// Records output `i`: a signless tensor whose elements have ONNX `type`.
  void setOutput(unsigned i, mlir::Value value, DataType type);
  /// Records output `i` as known at compile time (materialized on use).
  void setConstantOutput(unsigned i, HostTensor tensor);
  /// Records output `i` as the codes of `qtensor` (materialized on use),
  /// quantized with the inputs named `scaleName` and `zeroPointName`.
  void setQuantizedOutput(unsigned i, mlir::Value qtensor, DataType type,
                          llvm::StringRef scaleName = {},
                          llvm::StringRef zeroPointName = {});

  //--- Errors and helpers ---------------------------------------------------
  /// Records `FILE: node 'NAME' (OpType): reason` and returns failure.
  mlir::LogicalResult fail(const llvm::Twine &reason);
  /// Maps a possibly negative axis into [0, rank), or fails naming `what`.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                         llvm::StringRef what = "axis");

private:
  GraphImporter &graph;
  const onnx::NodeProto &node;
  int64_t opset;
  mlir::Location loc;
};

/// An op converter: builds the MLIR for one node, or fails through
/// NodeImporter::fail.
using ConvertFn = mlir::LogicalResult (*)(NodeImporter &);

struct OpSupport {
  llvm::StringRef domain; // "" for the default ONNX domain
  llvm::StringRef opType;
  int64_t minOpset;
  int64_t maxOpset;
  ConvertFn convert;
  llvm::StringRef note; // formats and limits, for --list-ops
};

/// Each op-family file adds its converters here.
void addElementwiseOps(std::vector<OpSupport> &ops);
void addMatMulOps(std::vector<OpSupport> &ops);
void addNormalizationOps(std::vector<OpSupport> &ops);
void addReductionOps(std::vector<OpSupport> &ops);
void addShapeOps(std::vector<OpSupport> &ops);
void addConvPoolOps(std::vector<OpSupport> &ops);
void addQuantOps(std::vector<OpSupport> &ops);

/// All supported ops, sorted by domain and op type.
llvm::ArrayRef<OpSupport> getSupportedOps();

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_NODEIMPORTER_H
