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

#include <string>
#include <vector>

namespace qcc::driver {

struct ExtractedWeights {
  uint64_t bytes = 0; // 0: no object was written
  /// In a large-data section (x86-64 `.lrodata`, SHF_X86_64_LARGE), which
  /// the linker places apart from code and small data: the code must reach
  /// `symbols` with 64-bit addresses (code model large on each global).
  bool large = false;
  std::vector<std::string> symbols;
};

/// Moves the constant globals of at least `minBytes` into an ELF object at
/// `objectPath` for `triple` (x86-64 or AArch64; other targets: nothing
/// moved). On x86-64, `largeFromBytes` and more of them go to a large-data
/// section: past 2 GiB between the code and its constant pool the small
/// code model's 32-bit offsets do not reach (a 7B-parameter model).
mlir::FailureOr<ExtractedWeights> extractWeights(mlir::ModuleOp module,
                                                 const llvm::Triple &triple,
                                                 llvm::StringRef objectPath,
                                                 uint64_t minBytes, uint64_t largeFromBytes,
                                                 llvm::raw_ostream &errs);

} // namespace qcc::driver

#endif // QCC_LIB_DRIVER_WEIGHTSOBJECT_H
