//===- ModelSignature.cpp - main_graph's inputs and outputs ------------===//

#include "qcc/Driver/Driver.h"

#include "qcc/model_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace qcc::driver;

/// The ABI's element type for an ONNX-typed tensor element, or INVALID.
static uint32_t abiElementType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type)) {
    unsigned width = intType.getWidth();
    if (width == 1)
      return QCC_ELEMENT_BOOL;
    uint32_t kind = intType.isUnsigned() ? QCC_KIND_UINT : QCC_KIND_SINT;
    if (width == 8 || width == 16 || width == 32 || width == 64)
      return QCC_ELEMENT_TYPE(kind, width);
    return QCC_ELEMENT_INVALID;
  }
  if (type.isF16())
    return QCC_ELEMENT_F16;
  if (type.isF32())
    return QCC_ELEMENT_F32;
  if (type.isF64())
    return QCC_ELEMENT_F64;
  if (type.isBF16())
    return QCC_ELEMENT_BF16;
  if (isa<Float8E4M3FNType>(type))
    return QCC_ELEMENT_F8E4M3FN;
  if (isa<Float8E5M2Type>(type))
    return QCC_ELEMENT_F8E5M2;
  if (isa<Float8E4M3FNUZType>(type))
    return QCC_ELEMENT_F8E4M3FNUZ;
  if (isa<Float8E5M2FNUZType>(type))
    return QCC_ELEMENT_F8E5M2FNUZ;
  return QCC_ELEMENT_INVALID;
}

static FailureOr<TensorSignature> describe(Type type, StringAttr name,
                                           llvm::StringRef what, unsigned index,
                                           llvm::raw_ostream &errs) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::string label = name ? name.str() : (what + " " + llvm::Twine(index)).str();
  if (!tensor || !tensor.hasStaticShape()) {
    errs << "qcc: " << what << " '" << label << "' must be a static tensor, got "
         << type << "\n";
    return failure();
  }
  uint32_t element = abiElementType(tensor.getElementType());
  if (element == QCC_ELEMENT_INVALID) {
    errs << "qcc: " << what << " '" << label << "' has element type "
         << tensor.getElementType()
         << ", which compiled libraries cannot take at their boundary yet "
            "(4-bit and 2-bit tensors are supported inside the model only)\n";
    return failure();
  }
  TensorSignature signature;
  signature.name = label;
  signature.elementType = element;
  signature.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return signature;
}

FailureOr<ModelSignature> qcc::driver::readSignature(ModuleOp module,
                                                     llvm::raw_ostream &errs) {
  auto func = module.lookupSymbol<func::FuncOp>("main_graph");
  if (!func) {
    errs << "qcc: the module has no func.func @main_graph\n";
    return failure();
  }
  ModelSignature signature;
  if (auto name = module->getAttrOfType<StringAttr>("qcc.model_name"))
    signature.modelName = name.str();
  else
    signature.modelName = "model";
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    FailureOr<TensorSignature> input = describe(
        type.getInput(i), func.getArgAttrOfType<StringAttr>(i, "onnx.name"),
        "input", i, errs);
    if (failed(input))
      return failure();
    signature.inputs.push_back(*input);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    FailureOr<TensorSignature> output = describe(
        type.getResult(i), func.getResultAttrOfType<StringAttr>(i, "onnx.name"),
        "output", i, errs);
    if (failed(output))
      return failure();
    signature.outputs.push_back(*output);
  }
  return signature;
}
