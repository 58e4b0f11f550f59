//===- Pipeline.cpp - graph-level IR to the LLVM dialect on CPUs --------===//

#include "qcc/Targets/CPU/Pipeline.h"

#include "qcc/Passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void qcc::cpu::buildCPUToLLVMPipeline(OpPassManager &pm) {
  // Graph level: each matmul's kernel (kept where the driver or the IR chose
  // already), then qtensors become plain tensors, then signless ones.
  pm.addPass(qcc::createFuseDequantPass());
  pm.addPass(qcc::createFuseEpiloguePass());
  pm.addPass(qcc::createSelectKernelsPass());
  pm.addPass(qcc::createPackLayoutPass());
  pm.addPass(qcc::createLowBitToLinalgPass());
  pm.addPass(qcc::createDropSignednessPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(qcc::createSinkTransposesPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(qcc::createVectorizeMatmulPass());
  pm.addNestedPass<func::FuncOp>(createLinalgElementwiseOpFusionPass());
  // A Clip fused before QuantizeLinear becomes the codes' bounds.
  pm.addNestedPass<func::FuncOp>(qcc::createFoldClipIntoQuantizePass());
  // Unit dimensions (keepdims reductions) folded away, so that innermost
  // reductions have plain maps and split into vector lanes.
  pm.addNestedPass<func::FuncOp>(createLinalgFoldUnitExtentDimsPass());
  pm.addNestedPass<func::FuncOp>(qcc::createSplitReductionsPass());
  // Padded tensors: fill the borders, insert the source (not fill + copy).
  pm.addNestedPass<func::FuncOp>(qcc::createPadBordersPass());
  // An op whose result is inserted into a larger tensor (a padded
  // activation's interior) writes there directly instead of a copy.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());

  // Tensors to buffers; outputs become arguments the caller provides.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  // main_graph is the model's entry: its outputs are the caller's buffers.
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);

  // Loops, then LLVM.
  pm.addPass(qcc::createByteDotToLLVMPass());
  pm.addPass(qcc::createStridedCopiesToLinalgPass());
  pm.addNestedPass<func::FuncOp>(qcc::createTileCopiesPass());
  // Parallel dimensions become scf.parallel; the outermost heavy ones run on
  // the runtime's thread pool.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(qcc::createOutlineParallelLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // The kernels' vector code (int8-dot) and what LLVM's vectorizer gets.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true; // vdpbf16ps of the bf16-gemm kernel
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // bf16/f8E8M0/f4E2M1 conversions as integer code: LLVM would call
  // compiler-rt helpers (__truncsfbf2) that a plain libc process lacks.
  // maxnumf/minnumf (quantization clamps) as one vmaxps/vminps, before
  // arith-expand would make them a compare and a select.
  pm.addPass(qcc::createNativeMinMaxPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  expand.includeF8E8M0 = true;
  expand.includeF4E2M1 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void qcc::cpu::registerCPUPipelineDialects(DialectRegistry &registry) {
  // The pipeline walks through most upstream dialects (bufferization, scf,
  // memref, cf, LLVM) and needs their external interface models; with
  // libMLIR.so linked, registering all of them costs nothing at startup
  // (dialects load lazily).
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

void qcc::cpu::registerCPUPipelines() {
  PassPipelineRegistration<>(
      "qcc-cpu-to-llvm",
      "qcc's CPU lowering: lowbit-to-linalg, bufferization with outputs as "
      "arguments, loops, LLVM dialect",
      [](OpPassManager &pm) { buildCPUToLLVMPipeline(pm); });
}
