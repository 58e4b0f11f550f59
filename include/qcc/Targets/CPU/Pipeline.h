//===- Pipeline.h - the CPU lowering pipeline -------------------*- C++ -*-===//

#ifndef QCC_TARGETS_CPU_PIPELINE_H
#define QCC_TARGETS_CPU_PIPELINE_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

namespace qcc::cpu {

/// Graph level (lowbit + linalg on tensors) to the LLVM dialect: the
/// reference lowbit lowering, signless types, bufferization with outputs as
/// caller buffers, loops, and the LLVM conversions. Registered for qcc-opt
/// as `qcc-cpu-to-llvm`; the qcc driver runs the same passes.
void buildCPUToLLVMPipeline(mlir::OpPassManager &pm);

/// Registers the dialects, interface models (bufferization, conversion to
/// LLVM) and translations the pipeline needs in a context.
void registerCPUPipelineDialects(mlir::DialectRegistry &registry);

/// Registers the named pipelines with the global registry (for qcc-opt).
void registerCPUPipelines();

} // namespace qcc::cpu

#endif // QCC_TARGETS_CPU_PIPELINE_H
