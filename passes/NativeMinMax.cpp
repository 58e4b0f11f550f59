//===- NativeMinMax.cpp - maxnumf/minnumf straight to LLVM's intrinsics --===//
//
// arith-expand (which the CPU pipeline runs for its bf16/FP8/FP4 conversions)
// also rewrites arith.maxnumf/minnumf into a compare and a select. LLVM's own
// llvm.maxnum/minnum lower better on x86: with one operand that cannot be
// NaN (a quantization clamp's 0 and 255) they are one vmaxps/vminps, whose
// semantics (the second operand where the first is NaN) are maxnum's, where
// the compare-and-select pair takes two instructions per vector. So this
// pass, run just before arith-expand, turns them into the LLVM dialect's
// intrinsics, which the conversion to LLVM keeps as they are.
// maximumf/minimumf (NaN-propagating, Clip's) stay with arith-expand: LLVM
// makes them three instructions, the expansion two.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc {
#define GEN_PASS_DEF_NATIVEMINMAXPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

/// Float scalars and vectors of them: what LLVM's intrinsics take.
bool llvmCompatible(Type type) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.getRank() == 1 && !vector.isScalable() && vector.getElementType().isF32();
  return type.isF32();
}

struct NativeMinMaxPass final : qcc::impl::NativeMinMaxPassBase<NativeMinMaxPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](Operation *op) {
      if (!isa<arith::MaxNumFOp, arith::MinNumFOp>(op) ||
          !llvmCompatible(op->getResult(0).getType()))
        return;
      rewriter.setInsertionPoint(op);
      Value lhs = op->getOperand(0), rhs = op->getOperand(1);
      Value native = isa<arith::MaxNumFOp>(op)
                         ? Value(LLVM::MaxNumOp::create(rewriter, op->getLoc(), lhs, rhs))
                         : Value(LLVM::MinNumOp::create(rewriter, op->getLoc(), lhs, rhs));
      rewriter.replaceOp(op, native);
    });
  }
};

} // namespace
