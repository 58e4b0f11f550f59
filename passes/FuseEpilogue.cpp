//===- FuseEpilogue.cpp - elementwise ops into lowbit.matmul's epilogue --===//
//
// ONNX graphs follow a matmul with Add (bias, residual), an activation and
// Mul; they import as one linalg.generic each. This pass moves such a
// generic into the matmul's `epilogue` region when the matmul's result is
// its only use of it, element by element: the kernels then apply the chain
// to their accumulators before the store (docs/passes.md), instead of
// writing the product and reading it back once per op.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc {
#define GEN_PASS_DEF_FUSEEPILOGUEPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// How input `i` of `generic` reads its tensor relative to the result: at
/// the same position (identity map, the result's shape), a row broadcast
/// of an [n] tensor or one scalar (rank 0); nullopt otherwise.
enum class Access { Same, Row, Scalar };
std::optional<Access> accessOf(linalg::GenericOp generic, OpOperand &operand,
                               RankedTensorType result) {
  AffineMap map = generic.getMatchingIndexingMap(&operand);
  auto type = dyn_cast<RankedTensorType>(operand.get().getType());
  if (!type)
    return std::nullopt;
  if (map.isIdentity() && type.getShape() == result.getShape())
    return Access::Same;
  if (type.getRank() == 0 && map.getNumResults() == 0)
    return Access::Scalar;
  unsigned rank = result.getRank();
  if (type.getRank() == 1 && type.getShape()[0] == result.getShape().back() &&
      map.getNumResults() == 1 && map.getResult(0) == getAffineDimExpr(rank - 1, map.getContext()))
    return Access::Row;
  return std::nullopt;
}

/// Whether `generic` maps `matmul`'s result element by element into a
/// tensor of the same type with a body of arith/math ops only.
bool fusible(MatmulOp matmul, linalg::GenericOp generic) {
  auto result = cast<RankedTensorType>(matmul.getType());
  if (generic.getNumDpsInits() != 1 || generic.getNumResults() != 1 ||
      generic.getResult(0).getType() != result ||
      generic.getNumLoops() != unsigned(result.getRank()) ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return false;
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!generic.getMatchingIndexingMap(init).isIdentity() ||
      !generic.getMatchingBlockArgument(init).use_empty())
    return false;
  int uses = 0;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    std::optional<Access> access = accessOf(generic, *input, result);
    if (!access)
      return false;
    if (input->get() == matmul.getResult()) {
      if (*access != Access::Same)
        return false;
      ++uses;
    }
  }
  if (uses != 1)
    return false;
  for (Operation &op : generic.getBody()->without_terminator()) {
    Dialect *dialect = op.getDialect();
    if (!dialect || !isa<arith::ArithDialect, math::MathDialect>(dialect) ||
        op.getNumRegions() != 0)
      return false;
  }
  return true;
}

/// `matmul` with `generic` folded into its epilogue; replaces `generic`.
MatmulOp fuse(RewriterBase &rewriter, MatmulOp matmul, linalg::GenericOp generic) {
  auto result = cast<RankedTensorType>(matmul.getType());
  SmallVector<Value> inputs(matmul.getEpilogueInputs());
  SmallVector<OpOperand *> extra;
  for (OpOperand *input : generic.getDpsInputOperands())
    if (input->get() != matmul.getResult()) {
      extra.push_back(input);
      inputs.push_back(input->get());
    }
  rewriter.setInsertionPoint(generic);
  auto fused = MatmulOp::create(rewriter, matmul.getLoc(), result, matmul.getLhs(),
                                matmul.getRhs(), matmul.getBias(), inputs,
                                matmul.getTransposeRhsAttr());
  fused->setDiscardableAttrs(matmul->getDiscardableAttrDictionary());
  Block *block = rewriter.createBlock(&fused.getEpilogue());
  Location loc = matmul.getLoc();
  Value element = block->addArgument(result.getElementType(), loc);
  for (Value input : inputs)
    block->addArgument(cast<RankedTensorType>(input.getType()).getElementType(), loc);
  rewriter.setInsertionPointToStart(block);
  // The earlier epilogue first (its arguments map one to one), then the
  // generic's body on its value.
  Value value = element;
  if (!matmul.getEpilogue().empty()) {
    Block &old = matmul.getEpilogue().front();
    IRMapping map;
    for (auto [from, to] : llvm::zip(old.getArguments(), block->getArguments()))
      map.map(from, to);
    for (Operation &op : old.without_terminator())
      rewriter.clone(op, map);
    value = map.lookup(cast<YieldOp>(old.getTerminator()).getValues()[0]);
  }
  IRMapping map;
  size_t next = matmul.getEpilogueInputs().size() + 1;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    BlockArgument arg = generic.getMatchingBlockArgument(input);
    map.map(arg, input->get() == matmul.getResult() ? value : block->getArgument(next++));
  }
  for (Operation &op : generic.getBody()->without_terminator())
    rewriter.clone(op, map);
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  YieldOp::create(rewriter, loc, ValueRange{map.lookupOrDefault(yield.getValues()[0])});
  rewriter.replaceOp(generic, fused.getResult());
  rewriter.eraseOp(matmul);
  return fused;
}

struct FuseEpiloguePass final : qcc::impl::FuseEpiloguePassBase<FuseEpiloguePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<MatmulOp> matmuls;
    getOperation()->walk([&](MatmulOp op) { matmuls.push_back(op); });
    for (MatmulOp matmul : matmuls) {
      // Float results only: an i32 accumulator (MatMulInteger) is rescaled
      // and requantized by what follows, not mapped element by element.
      if (!isa<FloatType>(cast<RankedTensorType>(matmul.getType()).getElementType()))
        continue;
      while (matmul.getResult().hasOneUse()) {
        auto generic = dyn_cast<linalg::GenericOp>(*matmul.getResult().getUsers().begin());
        if (!generic || !fusible(matmul, generic))
          break;
        matmul = fuse(rewriter, matmul, generic);
      }
    }
  }
};

} // namespace
