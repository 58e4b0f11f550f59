//===- StoreEpilogue.cpp - a matmul's epilogue applied before the store --===//

#include "StoreEpilogue.h"

#include "KernelSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace qcc::lowbit;

StoreEpilogue qcc::lowbit::prepareStoreEpilogue(OpBuilder &b, Location loc, MatmulOp op) {
  StoreEpilogue e;
  if (Value bias = op.getBias())
    e.bias = readOnlyBuffer(b, loc, bias);
  if (op.getEpilogue().empty())
    return e;
  e.region = &op.getEpilogue();
  for (Value input : op.getEpilogueInputs()) {
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    e.inputs.push_back(readOnlyBuffer(b, loc, rank >= 2 ? rowsAsMatrix(b, loc, input) : input));
  }
  return e;
}

Value qcc::lowbit::applyStoreEpilogue(OpBuilder &b, Location loc, const StoreEpilogue &e,
                                      Value y, Value row, Value firstCol) {
  auto type = cast<VectorType>(y.getType());
  auto lanesOf = [&](Type element) { return VectorType::get(type.getShape(), element); };
  if (e.bias)
    y = arith::AddFOp::create(b, loc, y,
                              vector::LoadOp::create(b, loc, type, e.bias, ValueRange{firstCol}));
  if (!e.region)
    return y;
  Block &body = e.region->front();
  IRMapping map;
  map.map(body.getArgument(e.productArgument), y);
  for (auto [i, input] : llvm::enumerate(e.inputs)) {
    unsigned argument = i < e.productArgument ? i : i + 1;
    auto memref = cast<MemRefType>(input.getType());
    VectorType lanes = lanesOf(memref.getElementType());
    Value v;
    if (memref.getRank() == 0)
      v = vector::BroadcastOp::create(b, loc, lanes, memref::LoadOp::create(b, loc, input));
    else if (memref.getRank() == 1)
      v = vector::LoadOp::create(b, loc, lanes, input, ValueRange{firstCol});
    else
      v = vector::LoadOp::create(b, loc, lanes, input, ValueRange{row, firstCol});
    map.map(body.getArgument(argument), v);
  }
  // A scalar operand (a constant in the region or captured from above)
  // meets vectors broadcast.
  auto vectorOf = [&](Value v) -> Value {
    Value mapped = map.lookupOrDefault(v);
    if (isa<VectorType>(mapped.getType()))
      return mapped;
    return vector::BroadcastOp::create(b, loc, lanesOf(mapped.getType()), mapped);
  };
  for (Operation &op : body.without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>()) {
      b.clone(op, map);
      continue;
    }
    OperationState state(loc, op.getName());
    for (Value operand : op.getOperands())
      state.addOperands(vectorOf(operand));
    for (Type result : op.getResultTypes())
      state.addTypes(lanesOf(result));
    state.propertiesAttr = op.getPropertiesAsAttribute();
    state.addAttributes(op.getDiscardableAttrDictionary().getValue());
    Operation *vectorized = b.create(state);
    map.map(op.getResults(), vectorized->getResults());
  }
  return vectorOf(body.getTerminator()->getOperand(0));
}
