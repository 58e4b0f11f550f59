//===- SinkTransposes.h - transposes moved below elementwise ops -*- C++ -*-===//
//
// The patterns of qcc-sink-transposes, for lowbit-fuse-epilogue too: it
// moves a convolution's transpose below the Clip and QuantizeLinear that
// follow before folding them into the matmul.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_SINKTRANSPOSES_H
#define QCC_PASSES_SINKTRANSPOSES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc {

/// generic(transpose(x)) -> transpose(generic'(x)) for all-parallel
/// elementwise generics, bitcast(transpose(x)) -> transpose(bitcast(x)),
/// transpose(transpose(x)) -> one transpose or x.
void populateSinkTransposesPatterns(mlir::RewritePatternSet &patterns);

/// Whether `op` maps elements one to one on tensors: all loops parallel,
/// one output with an identity map whose old value it does not read.
bool isElementwiseWrite(mlir::linalg::GenericOp op);

} // namespace qcc

#endif // QCC_PASSES_SINKTRANSPOSES_H
