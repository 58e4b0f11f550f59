//===- OutlineParallelLoops.cpp - scf.parallel onto the runtime's pool --===//
//
// Each outermost scf.parallel whose work is worth a thread hop becomes a
// call to a launch function the driver defines in LLVM IR:
//
//   scf.parallel (%i, %j) = ... { body }
//     ==>
//   func.call @qcc_parallel_launch_N(%captures..., %count)
//   func.func private @qcc_parallel_body_N(%begin, %end, %captures...) {
//     scf.for %flat = %begin to %end { %i, %j = delinearize(%flat); body }
//   }
//
// Only the leading dimensions that make enough pieces for the pool are
// flattened; the others stay an inner loop nest in each piece, so an
// elementwise loop over a large tensor does not divide per element.
//
// The launch function packs the captures into a struct and calls
// qcc_runtime_parallel_for(count, trampoline, &struct), whose trampoline
// unpacks them and calls the body on a [begin, end) range. Memrefs cross
// the call as their expanded descriptors, so body and launch agree on the
// field list by construction.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace qcc {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPSPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;

namespace {

std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lb), u = getConstantIntValue(ub),
                         s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

/// Operations one execution of `op`'s regions runs, loops counted by their
/// trip counts (1 where unknown): a proxy for the work of one parallel
/// iteration. Operations, not loop iterations, so that a kernel whose inner
/// loop is unrolled into a few hundred instructions weighs what it costs.
int64_t innerWork(Operation *op) {
  int64_t total = 0;
  for (Region &region : op->getRegions())
    for (Block &block : region)
      for (Operation &nested : block) {
        if (nested.getNumRegions() == 0) {
          total += 1;
          continue;
        }
        int64_t factor = 1;
        if (auto loop = dyn_cast<scf::ForOp>(nested))
          factor = tripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())
                       .value_or(1);
        if (auto loop = dyn_cast<scf::ParallelOp>(nested))
          for (auto [lb, ub, step] :
               llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
            factor *= tripCount(lb, ub, step).value_or(1);
        total += factor * innerWork(&nested);
      }
  return std::max<int64_t>(total, 1);
}

/// Pieces of a parallel loop the pool hands out: enough to balance two to a
/// few dozen threads, few enough that each piece's delinearization is
/// nothing against its work.
constexpr int64_t kPieces = 256;

struct OutlineParallelLoopsPass final
    : qcc::impl::OutlineParallelLoopsPassBase<OutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    module.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() && loop.getNumResults() == 0)
        loops.push_back(loop);
    });
    unsigned counter = 0;
    for (scf::ParallelOp loop : loops)
      outline(module, loop, counter);
  }

  void outline(ModuleOp module, scf::ParallelOp loop, unsigned &counter) {
    SmallVector<int64_t> trips, lowers, steps;
    int64_t total = 1;
    for (auto [lb, ub, step] : llvm::zip(loop.getLowerBound(),
                                         loop.getUpperBound(), loop.getStep())) {
      std::optional<int64_t> trip = tripCount(lb, ub, step);
      if (!trip)
        return;
      trips.push_back(*trip);
      lowers.push_back(*getConstantIntValue(lb));
      steps.push_back(*getConstantIntValue(step));
      total *= *trip;
    }
    if (total < 2 || total * innerWork(loop) < minWork)
      return;

    // Constants are cheaper to rematerialize in the body than to capture.
    SetVector<Value> captured;
    getUsedValuesDefinedAbove(loop.getRegion(), captured);
    SmallVector<Value> captures;
    for (Value value : captured)
      if (!matchPattern(value, m_Constant()))
        captures.push_back(value);

    MLIRContext *context = module.getContext();
    OpBuilder b(context);
    Location loc = loop.getLoc();
    Type index = b.getIndexType();
    std::string suffix = std::to_string(counter++);
    SmallVector<Type> captureTypes;
    for (Value value : captures)
      captureTypes.push_back(value.getType());

    // The body: [begin, end) of the flattened iteration space.
    b.setInsertionPointToEnd(module.getBody());
    SmallVector<Type> bodyInputs = {index, index};
    bodyInputs.append(captureTypes);
    auto body = func::FuncOp::create(b, loc, "qcc_parallel_body_" + suffix,
                                     b.getFunctionType(bodyInputs, {}));
    body.setPrivate();
    Block *entry = body.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (auto [value, arg] : llvm::zip(captures, entry->getArguments().drop_front(2)))
      mapping.map(value, arg);
    for (Value value : captured)
      if (!mapping.contains(value))
        mapping.map(value, b.clone(*value.getDefiningOp())->getResult(0));
    // Only the leading dimensions that give the pool enough pieces are
    // flattened (and delinearized, a division per dimension, once per
    // piece); the rest stay a loop nest inside each piece.
    size_t flat = 0;
    int64_t pieces = 1;
    while (flat < trips.size() && pieces < kPieces)
      pieces *= trips[flat++];
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto flatLoop = scf::ForOp::create(b, loc, entry->getArgument(0),
                                       entry->getArgument(1), one);
    b.setInsertionPointToStart(flatLoop.getBody());
    Value rest = flatLoop.getInductionVar();
    SmallVector<Value> ivs(trips.size());
    for (int64_t d = flat - 1; d >= 0; --d) {
      Value trip = arith::ConstantIndexOp::create(b, loc, trips[d]);
      Value coordinate = d == 0 ? rest : Value(arith::RemUIOp::create(b, loc, rest, trip));
      if (d != 0)
        rest = arith::DivUIOp::create(b, loc, rest, trip);
      Value scaled = arith::MulIOp::create(
          b, loc, coordinate, arith::ConstantIndexOp::create(b, loc, steps[d]));
      ivs[d] = arith::AddIOp::create(
          b, loc, scaled, arith::ConstantIndexOp::create(b, loc, lowers[d]));
    }
    auto cloneBody = [&](OpBuilder &ib) {
      for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
        mapping.map(iv, value);
      for (Operation &op : loop.getBody()->without_terminator())
        ib.clone(op, mapping);
    };
    if (flat == trips.size()) {
      cloneBody(b);
    } else {
      SmallVector<Value> lbs, ubs, stepValues;
      for (size_t d = flat; d < trips.size(); ++d) {
        lbs.push_back(arith::ConstantIndexOp::create(b, loc, lowers[d]));
        ubs.push_back(arith::ConstantIndexOp::create(b, loc, lowers[d] + trips[d] * steps[d]));
        stepValues.push_back(arith::ConstantIndexOp::create(b, loc, steps[d]));
      }
      scf::ParallelOp::create(b, loc, lbs, ubs, stepValues,
                              [&](OpBuilder &ib, Location, ValueRange inner) {
                                for (size_t d = flat; d < trips.size(); ++d)
                                  ivs[d] = inner[d - flat];
                                cloneBody(ib);
                              });
    }
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b, loc);

    // The launch declaration, defined by the driver in LLVM IR.
    b.setInsertionPointToEnd(module.getBody());
    SmallVector<Type> launchInputs(captureTypes);
    launchInputs.push_back(index);
    auto launch = func::FuncOp::create(b, loc, "qcc_parallel_launch_" + suffix,
                                       b.getFunctionType(launchInputs, {}));
    launch.setPrivate();

    b.setInsertionPoint(loop);
    SmallVector<Value> operands(captures);
    operands.push_back(arith::ConstantIndexOp::create(b, loc, pieces));
    func::CallOp::create(b, loc, launch, operands);
    loop.erase();
  }
};

} // namespace
