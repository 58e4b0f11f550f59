//===- StoreEpilogue.h - a matmul's epilogue applied before the store -*- C++ -*-===//
//
// The tile kernels (int8-gemm, lut, lut-ternary) hold 16 output columns of
// one row in a vector when they store it: there they add the matmul's bias
// and run its epilogue region (lowbit-fuse-epilogue) on the vector, so the
// product is never written and read back for them.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_STOREEPILOGUE_H
#define QCC_PASSES_STOREEPILOGUE_H

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/IR/Builders.h"

namespace qcc::lowbit {

struct StoreEpilogue {
  mlir::Value bias;                       // memref [N], or null
  mlir::Region *region = nullptr;         // the epilogue, or null
  llvm::SmallVector<mlir::Value> inputs;  // per other region input: memref [M, N], [N] or []
  /// The region argument that receives the product (lowbit.matmul's
  /// epilogue: 0; a consuming linalg.generic: its operand's position).
  /// The others take `inputs` in order; arguments past them are unused.
  unsigned productArgument = 0;
  explicit operator bool() const { return bias || region; }
};

/// The bias and epilogue of `op` with its inputs as read-only buffers
/// (inputs of the result's shape as [M, N]); empty when `op` has neither.
StoreEpilogue prepareStoreEpilogue(mlir::OpBuilder &b, mlir::Location loc, MatmulOp op);

/// `y` (vector of f32 lanes: columns firstCol.. of activation row `row`)
/// with the bias added and the epilogue region applied lane by lane: its
/// arith/math ops are re-created on vectors, scalars broadcast.
mlir::Value applyStoreEpilogue(mlir::OpBuilder &b, mlir::Location loc, const StoreEpilogue &e,
                               mlir::Value y, mlir::Value row, mlir::Value firstCol);

} // namespace qcc::lowbit

#endif // QCC_PASSES_STOREEPILOGUE_H
