//===- DropSignedness.cpp - signless integer tensors everywhere --------===//
//
// The importer keeps ONNX's unsigned element types (ui8, ui4) at function
// boundaries and on zero points, bridged by tensor.bitcast. Code generation
// wants signless types only (arith and LLVM have no signedness; the ops
// already say it), and bufferization has no model for tensor.bitcast. So
// every integer tensor type becomes signless and the bitcasts disappear.
// The ONNX types stay recorded in the driver's model descriptor.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

namespace qcc {
#define GEN_PASS_DEF_DROPSIGNEDNESSPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

Type signlessType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return type;
  auto element = dyn_cast<IntegerType>(tensor.getElementType());
  if (!element || element.isSignless())
    return type;
  return tensor.clone(IntegerType::get(type.getContext(), element.getWidth()));
}

struct DropSignednessPass final
    : qcc::impl::DropSignednessPassBase<DropSignednessPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool ok = true;
    module.walk([&](Operation *op) {
      if (auto func = dyn_cast<func::FuncOp>(op)) {
        FunctionType type = func.getFunctionType();
        SmallVector<Type> inputs, results;
        for (Type t : type.getInputs())
          inputs.push_back(signlessType(t));
        for (Type t : type.getResults())
          results.push_back(signlessType(t));
        func.setFunctionType(FunctionType::get(op->getContext(), inputs, results));
        for (BlockArgument arg : func.getArguments())
          arg.setType(signlessType(arg.getType()));
        return;
      }
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        Type type = signlessType(constant.getType());
        if (type == constant.getType())
          return;
        auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
        if (!dense) {
          op->emitOpError("unsigned constant that is not a dense attribute");
          ok = false;
          return;
        }
        constant.setValueAttr(
            dense.bitcast(cast<RankedTensorType>(type).getElementType()));
        constant.getResult().setType(type);
        return;
      }
      for (Value result : op->getResults())
        result.setType(signlessType(result.getType()));
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            arg.setType(signlessType(arg.getType()));
    });
    if (!ok)
      return signalPassFailure();
    // Bitcasts between an integer type and its signless twin are now no-ops.
    module.walk([&](tensor::BitcastOp op) {
      if (op.getSource().getType() == op.getType()) {
        op.getResult().replaceAllUsesWith(op.getSource());
        op.erase();
      }
    });
  }
};

} // namespace
