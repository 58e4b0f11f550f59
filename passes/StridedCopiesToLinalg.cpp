//===- StridedCopiesToLinalg.cpp - memref.copy of views as linalg ------===//
//
// Bufferizing tensor.pad, insert_slice and extract_slice leaves memref.copy
// ops on strided views. LLVM lowering turns those into calls to
// `memrefCopy`, a function of MLIR's C runner library that a deployed .so
// cannot count on. As linalg.copy they become plain loops instead; copies
// between contiguous buffers stay memref.copy (lowered to memcpy).
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc {
#define GEN_PASS_DEF_STRIDEDCOPIESTOLINALGPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

bool isContiguous(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getLayout().isIdentity();
}

struct StridedCopiesToLinalgPass final
    : qcc::impl::StridedCopiesToLinalgPassBase<StridedCopiesToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](memref::CopyOp copy) {
      if (isContiguous(copy.getSource().getType()) &&
          isContiguous(copy.getTarget().getType()))
        return;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};

} // namespace
