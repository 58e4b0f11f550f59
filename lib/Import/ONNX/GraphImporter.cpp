//===- GraphImporter.cpp - ONNX graph -> func.func ---------------------===//
//
// Order of work: parse, decode initializers, bind input shapes, list every
// unsupported node at once (so a user sees the whole gap in one run), sort
// the nodes, convert them one by one, return the graph outputs.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"

#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <fcntl.h>
#include <cerrno>
#include <system_error>
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>
#include <deque>

using namespace mlir;
using namespace qcc;
using namespace qcc::onnx_import;

/// The newest default-domain opset qcc knows the semantics of.
static constexpr int64_t kMaxDefaultOpset = 23;

static llvm::StringRef normalizeDomain(llvm::StringRef domain) {
  return domain == "ai.onnx" ? llvm::StringRef() : domain;
}

/// The name errors use for a node: its name, or its first output's.
static std::string nodeLabel(const onnx::NodeProto &node) {
  if (!node.name().empty())
    return node.name();
  if (node.output_size() > 0)
    return node.output(0);
  return "<unnamed>";
}

static std::string nodeContext(const onnx::NodeProto &node) {
  return "node '" + nodeLabel(node) + "' (" + node.op_type() + ")";
}

GraphImporter::GraphImporter(MLIRContext &context, const TensorSource &source,
                             const ImportOptions &options,
                             llvm::raw_ostream &errs)
    : context(context), builder(&context), source(source), options(options),
      errs(errs) {}

void GraphImporter::reportError(const llvm::Twine &message) {
  errs << source.modelPath << ": " << message << "\n";
  failedAny = true;
}

ImportedValue *GraphImporter::lookup(llvm::StringRef name) {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

void GraphImporter::define(llvm::StringRef name, ImportedValue value) {
  values[name] = std::move(value);
}

int64_t GraphImporter::opsetOf(llvm::StringRef domain) const {
  auto it = opsets.find(normalizeDomain(domain));
  return it == opsets.end() ? -1 : it->second;
}

Value GraphImporter::materialize(llvm::StringRef name, ImportedValue &value) {
  if (value.value)
    return value.value;
  Location loc = NameLoc::get(builder.getStringAttr(name));
  if (value.constant) {
    value.value = arith::ConstantOp::create(
        builder, loc, cast<TypedAttr>(value.constant->toAttribute(&context, name)));
    return value.value;
  }
  assert(value.quantized && "a value must have a value, constant or qtensor");
  auto qtype = cast<lowbit::QTensorType>(value.quantized.getType());
  auto codesType = RankedTensorType::get(qtype.getShape(), qtype.getStorageType());
  Value codes = lowbit::CodesOp::create(builder, loc, codesType, value.quantized);
  Type signless = getSignlessElementType(&context, value.type);
  if (signless != codesType.getElementType())
    codes = tensor::BitcastOp::create(
        builder, loc, RankedTensorType::get(qtype.getShape(), signless), codes);
  value.value = codes;
  return codes;
}

//===----------------------------------------------------------------------===//
// Graph-level steps
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::importInitializers(const onnx::GraphProto &graph) {
  bool ok = true;
  for (const onnx::TensorProto &proto : graph.initializer()) {
    llvm::Expected<HostTensor> tensor = decodeTensor(proto, source);
    if (!tensor) {
      reportError("initializer " + llvm::toString(tensor.takeError()));
      ok = false;
      continue;
    }
    ImportedValue value;
    value.type = tensor->getType();
    value.shape.assign(tensor->getShape().begin(), tensor->getShape().end());
    value.constant = std::move(*tensor);
    define(proto.name(), std::move(value));
  }
  return success(ok);
}

LogicalResult
GraphImporter::importConstantInputs(const onnx::GraphProto &graph) {
  for (const auto &entry : options.constantInputs) {
    llvm::StringRef name = entry.getKey();
    const std::string &file = entry.getValue();
    const onnx::ValueInfoProto *input = nullptr;
    for (const onnx::ValueInfoProto &candidate : graph.input())
      if (candidate.name() == name && !values.count(name))
        input = &candidate;
    if (!input) {
      reportError("--const-input names '" + name +
                  "', which is not a graph input");
      return failure();
    }
    auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false);
    auto proto = std::make_shared<onnx::TensorProto>();
    if (!buffer || !proto->ParseFromArray((*buffer)->getBufferStart(),
                                          (*buffer)->getBufferSize())) {
      reportError("--const-input " + name + ": '" + file +
                  "' is not a readable TensorProto (.pb) file");
      return failure();
    }
    TensorSource constantSource = source;
    constantSource.modelOwner = proto;
    llvm::Expected<HostTensor> tensor = decodeTensor(*proto, constantSource);
    if (!tensor) {
      reportError("--const-input " + name + ": " +
                  llvm::toString(tensor.takeError()));
      return failure();
    }
    auto declared = static_cast<DataType>(input->type().tensor_type().elem_type());
    if (tensor->getType() != declared) {
      reportError("--const-input " + name + ": the file holds " +
                  dataTypeName(tensor->getType()) + " but the input is " +
                  dataTypeName(declared));
      return failure();
    }
    ImportedValue value;
    value.type = tensor->getType();
    value.shape.assign(tensor->getShape().begin(), tensor->getShape().end());
    value.constant = std::move(*tensor);
    define(name, std::move(value));
  }
  return success();
}

FailureOr<SmallVector<int64_t>>
GraphImporter::resolveInputShape(const onnx::ValueInfoProto &input) {
  auto bound = options.inputShapes.find(input.name());
  if (bound != options.inputShapes.end())
    return bound->second;
  const onnx::TypeProto_Tensor &tensor = input.type().tensor_type();
  if (!tensor.has_shape()) {
    reportError("graph input '" + input.name() +
                "' has no shape; give one with --shape " + input.name() +
                "=DIMSxDIMS");
    return failure();
  }
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (dim.has_dim_param()) {
      auto value = options.dimValues.find(dim.dim_param());
      if (value != options.dimValues.end()) {
        shape.push_back(value->second);
        continue;
      }
      reportError("graph input '" + input.name() + "' has symbolic dimension '" +
                  dim.dim_param() + "'; bind it with --dim " + dim.dim_param() +
                  "=N or --shape " + input.name() + "=...");
      return failure();
    }
    reportError("graph input '" + input.name() +
                "' has an unknown dimension; give its shape with --shape " +
                input.name() + "=...");
    return failure();
  }
  return shape;
}

LogicalResult GraphImporter::checkSupported(const onnx::GraphProto &graph) {
  ArrayRef<OpSupport> ops = getSupportedOps();
  bool ok = true;
  for (const onnx::NodeProto &node : graph.node()) {
    llvm::StringRef domain = normalizeDomain(node.domain());
    int64_t opset = opsetOf(domain);
    bool known = false, inRange = false;
    int64_t lo = INT64_MAX, hi = 0;
    for (const OpSupport &op : ops) {
      if (op.domain != domain || op.opType != node.op_type())
        continue;
      known = true;
      lo = std::min(lo, op.minOpset);
      hi = std::max(hi, op.maxOpset);
      inRange |= opset >= op.minOpset && opset <= op.maxOpset;
    }
    std::string qualified =
        domain.empty() ? node.op_type() : (domain + "::" + node.op_type()).str();
    if (!known) {
      reportError(nodeContext(node) + ": unsupported op " + qualified +
                  " (opset " + std::to_string(opset) +
                  "); qcc --list-ops prints the supported ones");
      ok = false;
    } else if (opset < 0) {
      reportError(nodeContext(node) + ": the model declares no opset for domain '" +
                  domain + "'");
      ok = false;
    } else if (!inRange) {
      reportError(nodeContext(node) + ": " + qualified + " at opset " +
                  std::to_string(opset) + " is not supported (qcc supports opsets " +
                  std::to_string(lo) + " to " + std::to_string(hi) + ")");
      ok = false;
    }
  }
  return success(ok);
}

FailureOr<std::vector<const onnx::NodeProto *>>
GraphImporter::sortNodes(const onnx::GraphProto &graph) {
  int numNodes = graph.node_size();
  llvm::StringMap<int> producer;
  for (int i = 0; i < numNodes; ++i)
    for (const std::string &output : graph.node(i).output()) {
      if (output.empty())
        continue;
      if (values.count(output) || !producer.try_emplace(output, i).second) {
        reportError(nodeContext(graph.node(i)) + ": output '" + output +
                    "' is already defined by another node, initializer or "
                    "graph input");
        return failure();
      }
    }

  std::vector<int> pending(numNodes, 0);
  std::vector<std::vector<int>> users(numNodes);
  for (int i = 0; i < numNodes; ++i) {
    for (const std::string &input : graph.node(i).input()) {
      if (input.empty() || values.count(input))
        continue;
      auto it = producer.find(input);
      if (it == producer.end()) {
        reportError(nodeContext(graph.node(i)) + ": input '" + input +
                    "' is not produced by any node, initializer or graph "
                    "input");
        return failure();
      }
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < numNodes; ++i)
    if (pending[i] == 0)
      ready.push_back(i);
  std::vector<const onnx::NodeProto *> order;
  while (!ready.empty()) {
    int i = ready.front();
    ready.pop_front();
    order.push_back(&graph.node(i));
    for (int user : users[i])
      if (--pending[user] == 0)
        ready.push_back(user);
  }
  if (static_cast<int>(order.size()) != numNodes) {
    for (int i = 0; i < numNodes; ++i)
      if (pending[i] > 0) {
        reportError(nodeContext(graph.node(i)) +
                    ": is part of a cycle (its inputs depend on its own "
                    "outputs)");
        break;
      }
    return failure();
  }
  return order;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node) {
  llvm::StringRef domain = normalizeDomain(node.domain());
  int64_t opset = opsetOf(domain);
  for (const OpSupport &op : getSupportedOps()) {
    if (op.domain != domain || op.opType != node.op_type() ||
        opset < op.minOpset || opset > op.maxOpset)
      continue;
    NodeImporter importer(*this, node, opset);
    if (failed(op.convert(importer)))
      return failure();
    for (int i = 0; i < node.output_size(); ++i)
      if (!node.output(i).empty() && !lookup(node.output(i))) {
        reportError(nodeContext(node) + ": output " + std::to_string(i) +
                    " ('" + node.output(i) +
                    "') is not supported by qcc's converter");
        return failure();
      }
    return success();
  }
  llvm_unreachable("checkSupported admitted an op with no converter");
}

LogicalResult GraphImporter::importModel(const onnx::ModelProto &model,
                                         ModuleOp module) {
  for (const auto &opset : model.opset_import())
    opsets[normalizeDomain(opset.domain())] = opset.version();
  if (!opsets.count("")) {
    reportError("the model declares no opset for the default ONNX domain");
    return failure();
  }
  if (opsets[""] > kMaxDefaultOpset) {
    reportError("opset " + std::to_string(opsets[""]) +
                " is newer than qcc supports (up to " +
                std::to_string(kMaxDefaultOpset) + ")");
    return failure();
  }
  const onnx::GraphProto &graph = model.graph();
  if (failed(importInitializers(graph)) || failed(importConstantInputs(graph)))
    return failure();

  for (const auto &binding : options.inputShapes) {
    llvm::StringRef name = binding.getKey();
    if (llvm::none_of(graph.input(), [&](const onnx::ValueInfoProto &input) {
          return input.name() == name && !values.count(name);
        })) {
      reportError("--shape names '" + name + "', which is not a graph input");
      return failure();
    }
  }

  // Graph inputs that are also initializers are constants with a default
  // (IR version < 4 models list every weight as an input).
  SmallVector<const onnx::ValueInfoProto *> inputs;
  SmallVector<Type> argTypes;
  SmallVector<SmallVector<int64_t>> argShapes;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (values.count(input.name()))
      continue;
    if (!input.type().has_tensor_type()) {
      reportError("graph input '" + input.name() +
                  "' is not a tensor (sequences, maps and optionals are not "
                  "supported)");
      continue;
    }
    auto type = static_cast<DataType>(input.type().tensor_type().elem_type());
    Type element = getOnnxElementType(&context, type);
    if (!element) {
      reportError("graph input '" + input.name() + "' has unsupported type " +
                  dataTypeName(type));
      continue;
    }
    FailureOr<SmallVector<int64_t>> shape = resolveInputShape(input);
    if (failed(shape))
      continue;
    inputs.push_back(&input);
    argTypes.push_back(RankedTensorType::get(*shape, element));
    argShapes.push_back(*shape);
  }
  if (failedAny || failed(checkSupported(graph)))
    return failure();

  Location loc = FileLineColLoc::get(&context, source.modelPath, 0, 0);
  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, loc, options.functionName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, input] : llvm::enumerate(inputs)) {
    auto type = static_cast<DataType>(input->type().tensor_type().elem_type());
    Value arg = entry->getArgument(i);
    Type signless = getSignlessElementType(&context, type);
    if (signless != cast<RankedTensorType>(arg.getType()).getElementType())
      arg = tensor::BitcastOp::create(
          builder, loc, RankedTensorType::get(argShapes[i], signless), arg);
    ImportedValue value;
    value.type = type;
    value.shape = argShapes[i];
    value.value = arg;
    define(input->name(), std::move(value));
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(input->name()));
  }

  FailureOr<std::vector<const onnx::NodeProto *>> order = sortNodes(graph);
  if (failed(order))
    return failure();
  for (const onnx::NodeProto *node : *order)
    if (failed(importNode(*node)))
      return failure();

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    ImportedValue *value = lookup(output.name());
    if (!value) {
      reportError("graph output '" + output.name() +
                  "' is not produced by any node");
      return failure();
    }
    auto declared =
        static_cast<DataType>(output.type().tensor_type().elem_type());
    if (declared != DataType::Undefined && declared != value->type) {
      reportError("graph output '" + output.name() + "' is declared " +
                  dataTypeName(declared) + " but computes " +
                  dataTypeName(value->type));
      return failure();
    }
    Value result = materialize(output.name(), *value);
    Type onnxType = getOnnxElementType(&context, value->type);
    if (onnxType != cast<RankedTensorType>(result.getType()).getElementType())
      result = tensor::BitcastOp::create(
          builder, loc, RankedTensorType::get(value->shape, onnxType), result);
    results.push_back(result);
  }
  func::ReturnOp::create(builder, loc, results);
  func.setFunctionType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(output.name()));
  return success(!failedAny);
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp>
qcc::onnx_import::importModelFile(llvm::StringRef path, MLIRContext &context,
                                  const ImportOptions &options,
                                  llvm::raw_ostream &errs) {
  // Parsed through a small buffer, not a mapping of the whole file: the
  // protobuf holds its own copy of every byte, and a mapping would double
  // the peak memory of a large model (USERS #10).
  int fd = ::open(path.str().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    errs << path << ": cannot read the model: "
         << std::error_code(errno, std::generic_category()).message() << "\n";
    return nullptr;
  }
  auto model = std::make_shared<onnx::ModelProto>();
  bool parsed = false;
  {
    google::protobuf::io::FileInputStream stream(fd);
    stream.SetCloseOnDelete(true);
    google::protobuf::io::CodedInputStream coded(&stream);
    coded.SetTotalBytesLimit(INT_MAX);
    parsed = model->ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
    if (stream.GetErrno() != 0) {
      errs << path << ": cannot read the model: "
           << std::error_code(stream.GetErrno(), std::generic_category()).message() << "\n";
      return nullptr;
    }
  }
  if (!parsed) {
    errs << path
         << ": not a valid ONNX model (the protobuf does not parse: truncated "
            "or not an ONNX file)\n";
    return nullptr;
  }
  if (!model->has_graph()) {
    errs << path << ": the model has no graph\n";
    return nullptr;
  }

  TensorSource source;
  source.modelPath = path.str();
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  source.modelDir = dir.empty() ? "." : std::string(dir);
  source.modelOwner = model;
  source.detached = detachLargeRawData(*model->mutable_graph());

  context.loadDialect<func::FuncDialect, arith::ArithDialect,
                      linalg::LinalgDialect, math::MathDialect,
                      tensor::TensorDialect, lowbit::LowBitDialect>();
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&context, path, 0, 0));
  Builder b(&context);
  std::string name = model->graph().name();
  if (!name.empty())
    (*module)->setAttr("qcc.model_name", b.getStringAttr(name));
  (*module)->setAttr("qcc.source", b.getStringAttr(llvm::sys::path::filename(path)));

  GraphImporter importer(context, source, options, errs);
  if (failed(importer.importModel(*model, *module)))
    return nullptr;
  if (failed(mlir::verify(*module))) {
    errs << path << ": internal error: the imported module does not verify\n";
    return nullptr;
  }
  return module;
}
