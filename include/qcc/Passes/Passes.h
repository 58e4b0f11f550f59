//===- Passes.h - qcc's graph-level passes ----------------------*- C++ -*-===//

#ifndef QCC_PASSES_PASSES_H
#define QCC_PASSES_PASSES_H

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace qcc {

#define GEN_PASS_DECL
#include "qcc/Passes/Passes.h.inc"

/// Registers qcc's passes and named pipelines with the global registry.
void registerPasses();

} // namespace qcc

#endif // QCC_PASSES_PASSES_H
