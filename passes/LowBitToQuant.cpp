//===- LowBitToQuant.cpp - lowbit quantize/dequantize into quant casts ===//
//
// Not a type conversion: upstream quant types hold scale values, which a
// qtensor type does not, so the quant type of each value is built from the
// constant scales of the lowbit.quantize that produces it.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/LowBit/IR/QuantInterop.h"
#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc {
#define GEN_PASS_DEF_LOWBITTOQUANTPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc;
using namespace qcc::lowbit;

namespace {

/// Rewrites one lowbit.quantize and the lowbit.dequantize ops that read it.
LogicalResult convertQuantize(QuantizeOp op, IRRewriter &rewriter) {
  DenseElementsAttr scales, zeroPoints;
  if (!op.getScales() || !matchPattern(op.getScales(), m_Constant(&scales)))
    return op.emitError("scales must be constants to convert to upstream "
                        "quant, which keeps them in the type");
  if (op.getZeroPoints() &&
      !matchPattern(op.getZeroPoints(), m_Constant(&zeroPoints)))
    return op.emitError("zero points must be constants to convert to "
                        "upstream quant");
  for (Operation *user : op->getUsers())
    if (!isa<DequantizeOp>(user))
      return op.emitError("result is used by '")
             << user->getName()
             << "', which has no upstream quant equivalent";

  Type expressed = op.getInput().getType().getElementType();
  FailureOr<RankedTensorType> quantType = toQuantTensorType(
      op.getType(), scales, zeroPoints, expressed,
      [&]() { return op.emitError(); });
  if (failed(quantType))
    return failure();

  rewriter.setInsertionPoint(op);
  auto qcast = quant::QuantizeCastOp::create(rewriter, op.getLoc(), *quantType,
                                            op.getInput());
  for (Operation *user : llvm::make_early_inc_range(op->getUsers())) {
    auto dequantize = cast<DequantizeOp>(user);
    rewriter.setInsertionPoint(dequantize);
    rewriter.replaceOpWithNewOp<quant::DequantizeCastOp>(
        dequantize, dequantize.getType(), qcast.getResult());
  }
  rewriter.eraseOp(op);
  return success();
}

struct LowBitToQuantPass final
    : qcc::impl::LowBitToQuantPassBase<LowBitToQuantPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<QuantizeOp> quantizes;
    getOperation()->walk([&](QuantizeOp op) { quantizes.push_back(op); });
    IRRewriter rewriter(&getContext());
    bool ok = true;
    for (QuantizeOp op : quantizes)
      ok &= succeeded(convertQuantize(op, rewriter));
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
