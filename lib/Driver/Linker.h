//===- Linker.h - objects into a shared library ------------------*- C++ -*-===//

#ifndef QCC_LIB_DRIVER_LINKER_H
#define QCC_LIB_DRIVER_LINKER_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

namespace qcc::driver {

/// Links `objectPath` into the shared library `outputPath` with ld.lld
/// (LLVM 22's, found on PATH or in /usr/lib/llvm-22/bin). For the host the
/// library records its libc/libm dependencies; cross-compiled libraries are
/// linked without (their undefined symbols resolve on the target).
/// `weightsObject`, when not empty, is linked in too (WeightsObject.h).
mlir::LogicalResult linkSharedLibrary(llvm::StringRef objectPath,
                                      llvm::StringRef outputPath,
                                      const llvm::Triple &triple, bool forHost,
                                      llvm::raw_ostream &errs,
                                      llvm::StringRef weightsObject = "");

} // namespace qcc::driver

#endif // QCC_LIB_DRIVER_LINKER_H
