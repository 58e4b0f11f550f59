//===- WeightsObject.h - weights straight from blobs into an object -*- C++ -*-===//
//
// Compile memory (USERS #10): a weight copied into LLVM IR, then into the
// assembler's section buffers, costs twice its size on top of the MLIR
// blob it came from. Instead the large constant globals of the LLVM-dialect
// module are written straight from their blobs into a small ELF relocatable
// object of their own (one .rodata section, one hidden symbol each) and
// become external declarations in the module, which then holds no weight.
// The linker joins both objects.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_DRIVER_WEIGHTSOBJECT_H
#define QCC_LIB_DRIVER_WEIGHTSOBJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

namespace qcc::driver {

/// Moves the constant globals of at least `minBytes` into an ELF object at
/// `objectPath` for `triple` (x86-64 or AArch64; other targets: nothing
/// moved). Returns the bytes moved (0: no object was written).
mlir::FailureOr<uint64_t> extractWeights(mlir::ModuleOp module,
                                         const llvm::Triple &triple,
                                         llvm::StringRef objectPath,
                                         uint64_t minBytes,
                                         llvm::raw_ostream &errs);

} // namespace qcc::driver

#endif // QCC_LIB_DRIVER_WEIGHTSOBJECT_H
