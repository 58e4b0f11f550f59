//===- RangeKernel.h - a tensor's range for dynamic quantization -*- C++ -*-===//
//
// DynamicQuantizeLinear (and any per-tensor scale computed at run time)
// needs max(0, max x) and min(0, min x) over a whole activation tensor.
// Lowered as linalg reductions these were two serial passes with their
// running extremes in memory (669 us for 401,408 floats); this kernel reads
// the tensor once, in parallel chunks, with vector registers of running
// maxima and minima.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_RANGEKERNEL_H
#define QCC_PASSES_RANGEKERNEL_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace qcc::lowbit {

/// Partial extremes of a tensor: `maxima` and `minima` ([chunks, lanes]
/// f32 tensors, each chunk's lanes starting from 0, so the range includes
/// 0) and `tail`, the elements past the last whole vector (a 1-D tensor,
/// or null when there are none). The extremes of all three are the
/// tensor's. arith.maximumf/minimumf throughout: a NaN anywhere is the
/// result, as the linalg reductions it replaces gave.
struct RangeParts {
  mlir::Value maxima, minima, tail;
};

/// The parts of `input`'s range, or nullopt where the kernel does not
/// apply (not a static f32 tensor, or too small to be worth threads).
std::optional<RangeParts> buildRangeParts(mlir::OpBuilder &b, mlir::Location loc,
                                          mlir::Value input);

} // namespace qcc::lowbit

#endif // QCC_PASSES_RANGEKERNEL_H
