//===- KernelReport.cpp - qcc --report -----------------------------------===//

#include "KernelReport.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Passes/KernelSelection.h"

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// The ONNX node name a location carries (the importer names ops by node).
std::string nodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = nodeName(inner); !name.empty())
        return name;
  return "";
}

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, "x");
  return text;
}

std::string formatString(QTensorType type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  SchemeAttr scheme = type.getScheme();
  os << shapeString(type.getShape()) << " " << type.getStorageType() << " "
     << stringifyGranularity(scheme.getGranularity());
  if (scheme.getGranularity() == Granularity::per_block)
    os << "[" << shapeString(scheme.getBlock()) << "]";
  if (scheme.getZeroPoint())
    os << " zp";
  if (scheme.hasCodebook())
    os << " codebook";
  return text;
}

} // namespace

void qcc::driver::printKernelReport(ModuleOp module, llvm::raw_ostream &os) {
  std::string features = "(none detected)";
  if (auto attr = module->getAttrOfType<StringAttr>("qcc.target_features"))
    if (!attr.getValue().empty())
      features = attr.getValue().str();
  os << "qcc: kernels (target features " << features << ")\n";
  unsigned count = 0, slow = 0;
  module.walk([&](MatmulOp op) {
    ++count;
    auto kernel = op->getAttrOfType<StringAttr>(kKernelAttrName);
    auto reason = op->getAttrOfType<StringAttr>(kKernelReasonAttrName);
    std::string name = nodeName(op.getLoc());
    // The lhs is a float tensor, or a qtensor (MatMulInteger, QLinearMatMul).
    Type lhsType = op.getLhs().getType();
    os << "  " << (name.empty() ? "<unnamed>" : name) << ": ";
    if (auto quantized = dyn_cast<QTensorType>(lhsType))
      os << formatString(quantized);
    else
      os << "[" << shapeString(cast<ShapedType>(lhsType).getShape()) << "]";
    os << " x "
       << formatString(cast<QTensorType>(op.getRhs().getType())) << " -> "
       << (kernel ? kernel.getValue() : "unselected");
    if (reason)
      os << " (" << reason.getValue() << ")";
    os << "\n";
    // The reference lowering decodes every weight element in scalar code:
    // slower than the same layer in f32, which users should know up front.
    if (kernel && kernel.getValue() == kKernelReference) {
      os << "    warning: " << (name.empty() ? "this layer" : name)
         << " runs the reference lowering, slower than an f32 MatMul of the same shape\n";
      ++slow;
    }
  });
  if (!count)
    os << "  no quantized matmuls\n";
  if (slow)
    os << "qcc: " << slow << " of " << count
       << " quantized matmuls run slower than f32 (see the warnings above)\n";
}
