//===- KernelReport.h - qcc --report ------------------------------*- C++ -*-===//

#ifndef QCC_DRIVER_KERNELREPORT_H
#define QCC_DRIVER_KERNELREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace qcc::driver {

/// One line per lowbit.matmul: the ONNX node, activation shape, weight
/// format, and the kernel lowbit-select-kernels chose with its reason.
void printKernelReport(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace qcc::driver

#endif // QCC_DRIVER_KERNELREPORT_H
