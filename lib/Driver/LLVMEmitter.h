//===- LLVMEmitter.h - LLVM IR, descriptor, object code ---------*- C++ -*-===//

#ifndef QCC_LIB_DRIVER_LLVMEMITTER_H
#define QCC_LIB_DRIVER_LLVMEMITTER_H

#include "qcc/Driver/Driver.h"

#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace qcc::driver {

/// A TargetMachine for the options (host by default), or null with a
/// message on `errs`.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CompileOptions &options, llvm::raw_ostream &errs);

/// Adds the exported model descriptor and its entry function (which unpacks
/// the caller's buffer array into main_graph's memref arguments) and makes
/// everything else internal.
mlir::LogicalResult addModelInterface(llvm::Module &module,
                                      const ModelSignature &signature,
                                      llvm::StringRef targetDescription,
                                      llvm::raw_ostream &errs);

/// Runs LLVM's default optimization pipeline at `optLevel`.
/// The features of `machine` that kernel selection looks at, as
/// "+avx2,+avx512vnni,..." (enabled ones only): the CPU name implies
/// features that an explicit --features list does not spell out.
std::string describeKernelFeatures(const llvm::TargetMachine &machine);

void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine,
                    unsigned optLevel);

/// Writes an object file or assembly.
mlir::LogicalResult emitMachineCode(llvm::Module &module,
                                    llvm::TargetMachine &machine, bool assembly,
                                    llvm::raw_pwrite_stream &os,
                                    llvm::raw_ostream &errs);

} // namespace qcc::driver

#endif // QCC_LIB_DRIVER_LLVMEMITTER_H
