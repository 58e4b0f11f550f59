//===- NodeImporter.cpp - the op converters' view of a node ------------===//

#include "GraphImporter.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include <algorithm>

using namespace mlir;
using namespace qcc::onnx_import;

NodeImporter::NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
                           int64_t opset)
    : graph(graph), node(node), opset(opset),
      loc(NameLoc::get(
          StringAttr::get(&graph.getContext(),
                          node.name().empty() ? node.output(0) : node.name()),
          FileLineColLoc::get(&graph.getContext(), graph.getSource().modelPath,
                              0, 0))) {}

llvm::StringRef NodeImporter::getOpType() const { return node.op_type(); }
llvm::StringRef NodeImporter::getName() const {
  if (!node.name().empty())
    return node.name();
  return node.output_size() ? llvm::StringRef(node.output(0)) : "<unnamed>";
}
OpBuilder &NodeImporter::getBuilder() { return graph.getBuilder(); }
MLIRContext *NodeImporter::getContext() { return &graph.getContext(); }

LogicalResult NodeImporter::fail(const llvm::Twine &reason) {
  graph.reportError("node '" + getName() + "' (" + getOpType() + "): " + reason);
  return failure();
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank,
                                               llvm::StringRef what) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return fail(what + " " + llvm::Twine(axis) + " is out of range for rank " +
                llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

unsigned NodeImporter::getNumInputs() const { return node.input_size(); }

bool NodeImporter::hasInput(unsigned i) const {
  return static_cast<int>(i) < node.input_size() && !node.input(i).empty();
}

llvm::StringRef NodeImporter::getInputName(unsigned i) const {
  return static_cast<int>(i) < node.input_size() ? llvm::StringRef(node.input(i))
                                                 : llvm::StringRef();
}

const ImportedValue &NodeImporter::getInfo(unsigned i) {
  assert(hasInput(i) && "input must be present");
  ImportedValue *value = graph.lookup(node.input(i));
  assert(value && "sorted nodes see only defined inputs");
  return *value;
}

Value NodeImporter::getInput(unsigned i) {
  assert(hasInput(i) && "input must be present");
  return graph.materialize(node.input(i), *graph.lookup(node.input(i)));
}

const HostTensor *NodeImporter::getConstantInput(unsigned i) {
  if (!hasInput(i))
    return nullptr;
  const ImportedValue &value = getInfo(i);
  return value.constant ? &*value.constant : nullptr;
}

FailureOr<std::vector<int64_t>>
NodeImporter::getConstantInts(unsigned i, llvm::StringRef what) {
  const HostTensor *tensor = getConstantInput(i);
  if (!tensor)
    return fail(what + " must be known at compile time (a constant or a "
                       "foldable shape computation)");
  return tensor->toInt64();
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeImporter::getAttr(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeImporter::getIntAttr(llvm::StringRef name,
                                 int64_t defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->i() : defaultValue;
}

float NodeImporter::getFloatAttr(llvm::StringRef name,
                                 float defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->f() : defaultValue;
}

std::string NodeImporter::getStringAttr(llvm::StringRef name,
                                        llvm::StringRef defaultValue) const {
  const onnx::AttributeProto *attr = getAttr(name);
  return attr ? attr->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::getIntsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<std::vector<float>>
NodeImporter::getFloatsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr)
    return std::nullopt;
  return std::vector<float>(attr->floats().begin(), attr->floats().end());
}

FailureOr<HostTensor> NodeImporter::getTensorAttr(llvm::StringRef name) {
  const onnx::AttributeProto *attr = getAttr(name);
  if (!attr || !attr->has_t())
    return fail("attribute '" + name + "' must be a tensor");
  llvm::Expected<HostTensor> tensor = decodeTensor(attr->t(), graph.getSource());
  if (!tensor)
    return fail(llvm::toString(tensor.takeError()));
  return std::move(*tensor);
}

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

unsigned NodeImporter::getNumOutputs() const { return node.output_size(); }

bool NodeImporter::hasOutput(unsigned i) const {
  return static_cast<int>(i) < node.output_size() && !node.output(i).empty();
}

void NodeImporter::setOutput(unsigned i, Value value, DataType type) {
  if (!hasOutput(i))
    return;
  ImportedValue imported;
  imported.type = type;
  auto shape = cast<RankedTensorType>(value.getType()).getShape();
  imported.shape.assign(shape.begin(), shape.end());
  imported.value = value;
  graph.define(node.output(i), std::move(imported));
}

void NodeImporter::setConstantOutput(unsigned i, HostTensor tensor) {
  if (!hasOutput(i))
    return;
  ImportedValue imported;
  imported.type = tensor.getType();
  imported.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  imported.constant = std::move(tensor);
  graph.define(node.output(i), std::move(imported));
}

void NodeImporter::setQuantizedOutput(unsigned i, Value qtensor,
                                      DataType type, llvm::StringRef scaleName,
                                      llvm::StringRef zeroPointName) {
  if (!hasOutput(i))
    return;
  ImportedValue imported;
  imported.type = type;
  auto shape = cast<qcc::lowbit::QTensorType>(qtensor.getType()).getShape();
  imported.shape.assign(shape.begin(), shape.end());
  imported.quantized = qtensor;
  imported.scaleName = scaleName.str();
  imported.zeroPointName = zeroPointName.str();
  graph.define(node.output(i), std::move(imported));
}
