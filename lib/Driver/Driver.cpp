//===- Driver.cpp - import -> passes -> LLVM -> object -> .so ----------===//

#include "qcc/Driver/Driver.h"

#include "LLVMEmitter.h"
#include "WeightsObject.h"
#include "Linker.h"

#include "HostCache.h"
#include "KernelReport.h"

#include "qcc/Driver/Progress.h"
#include "qcc/Passes/Passes.h"
#include "qcc/Passes/ResourceBlobs.h"
#include "qcc/Targets/CPU/Pipeline.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace qcc::driver;

/// After each pass of a pipeline over the whole module, the blobs no
/// attribute refers to any more released (the row-major codes a pass
/// repacked or transposed, and with the last of an import's blobs its
/// initializer's bytes), so that no two passes' copies of the weights add
/// up. The passes that rewrite weights also release each old blob as they
/// go (qcc/Passes/ResourceBlobs.h).
struct ReleaseUnusedBlobs final : PassInstrumentation {
  void runAfterPass(Pass *, Operation *op) override {
    if (auto module = dyn_cast<ModuleOp>(op); module && !module->getParentOp())
      qcc::releaseUnreferencedBlobs(module);
  }
};

static void configure(PassManager &pm, const CompileOptions &options) {
  if (options.printIRAfterAll) {
    pm.getContext()->disableMultithreading();
    pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                        [](Pass *, Operation *) { return true; },
                        /*printModuleScope=*/true,
                        /*printAfterOnlyOnChange=*/false);
  }
  if (options.timePasses)
    pm.enableTiming();
  pm.addInstrumentation(std::make_unique<ReleaseUnusedBlobs>());
}

static std::unique_ptr<llvm::ToolOutputFile>
openOutput(llvm::StringRef path, bool binary, llvm::raw_ostream &errs) {
  std::error_code ec;
  auto file = std::make_unique<llvm::ToolOutputFile>(
      path, ec, binary ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
  if (ec) {
    errs << "qcc: cannot write " << path << ": " << ec.message() << "\n";
    return nullptr;
  }
  return file;
}

/// Writes the module as text (the mlir and lowbit emit kinds).
static LogicalResult printModule(ModuleOp module, llvm::StringRef path,
                                 llvm::raw_ostream &errs) {
  auto out = openOutput(path, false, errs);
  if (!out)
    return failure();
  module.print(out->os());
  out->keep();
  return success();
}

/// Constants from this size on go to the weights object.
constexpr uint64_t kWeightObjectMinBytes = 4096;

/// Once translated, the weights live in the LLVM module: release the MLIR
/// resource blobs (and with the last of them the ONNX protobuf they point
/// into) so that the two copies do not coexist while LLVM optimizes and
/// emits code. The module's constants read as empty afterwards.
static void releaseResourceBlobs(ModuleOp module) {
  module.walk([](Operation *op) {
    for (DenseResourceElementsAttr resource : qcc::resourcesOf(op))
      if (auto *entry = resource.getRawHandle().getResource())
        entry->setBlob(AsmResourceBlob());
  });
}

LogicalResult qcc::driver::compileModule(ModuleOp module,
                                         const CompileOptions &options,
                                         EmitKind emit, llvm::StringRef outputPath,
                                         llvm::raw_ostream &errs) {
  if (emit == EmitKind::MLIR)
    return printModule(module, outputPath, errs);
  FailureOr<ModelSignature> signature = readSignature(module, errs);
  if (emit != EmitKind::LowBit && failed(signature))
    return failure();

  // The target first: kernel selection reads its features.
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(options, errs);
  if (!machine)
    return failure();
  module->setAttr("qcc.target_features",
                  StringAttr::get(module->getContext(),
                                  describeKernelFeatures(*machine)));
  // The host's cache, where the code is for the host CPU (no --cpu, no
  // --features, the host's architecture).
  bool hostCPU = options.cpu.empty() && options.features.empty() &&
                 machine->getTargetTriple().getArch() ==
                     llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
  if (hostCPU)
    if (std::optional<int64_t> cache = hostLastLevelCacheBytes())
      module->setAttr("qcc.target_cache_bytes",
                      IntegerAttr::get(IntegerType::get(module->getContext(), 64), *cache));

  auto phase = [&](const llvm::Twine &description) {
    if (options.progress)
      options.progress->phase(description.str());
  };
  // Graph-level passes, then the kernel of each matmul.
  phase("graph passes: fusing dequantization, choosing kernels, packing weights");
  PassManager graph(module->getContext());
  configure(graph, options);
  graph.addPass(createCanonicalizerPass());
  graph.addPass(createCSEPass());
  qcc::SelectKernelsPassOptions selection;
  selection.allowInt8Activations = options.int8Activations;
  selection.forceKernel = options.kernel;
  graph.addPass(qcc::createFuseDequantPass());
  graph.addPass(createCanonicalizerPass());
  graph.addPass(qcc::createFuseEpiloguePass());
  graph.addPass(qcc::createSelectKernelsPass(selection));
  graph.addPass(qcc::createPackLayoutPass());
  if (failed(graph.run(module)))
    return failure();
  if (options.report)
    printKernelReport(module, errs);
  if (emit == EmitKind::LowBit)
    return printModule(module, outputPath, errs);

  phase("lowering to the LLVM dialect");
  PassManager lowering(module->getContext());
  configure(lowering, options);
  qcc::cpu::buildCPUToLLVMPipeline(lowering);
  if (failed(lowering.run(module)))
    return failure();

  // A shared library takes its weights from an object written straight
  // from the blobs (compile memory): the LLVM module then holds none.
  llvm::SmallString<128> weightsPath;
  llvm::FileRemover removeWeights;
  ExtractedWeights weights;
  if (emit == EmitKind::SO) {
    if (llvm::sys::fs::createTemporaryFile("qcc-weights", "o", weightsPath)) {
      errs << "qcc: cannot create a temporary object file\n";
      return failure();
    }
    removeWeights.setFile(weightsPath);
    phase("writing the weights object");
    FailureOr<ExtractedWeights> moved =
        extractWeights(module, machine->getTargetTriple(), weightsPath, kWeightObjectMinBytes,
                       options.largeWeightsFromBytes, errs);
    if (failed(moved))
      return failure();
    weights = std::move(*moved);
  }

  phase("translating to LLVM IR and optimizing");
  registerBuiltinDialectTranslation(*module->getContext());
  registerLLVMDialectTranslation(*module->getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, signature->modelName);
  if (!llvmModule) {
    errs << "qcc: translation to LLVM IR failed\n";
    return failure();
  }
  releaseResourceBlobs(module);
  // Weights in the large-data section: 64-bit addresses to reach them.
  if (weights.large)
    for (const std::string &name : weights.symbols) {
      llvm::GlobalVariable *global = llvmModule->getGlobalVariable(name, true);
      if (!global) {
        errs << "qcc: internal error: weight '" << name << "' is missing from the LLVM module\n";
        return failure();
      }
      global->setCodeModel(llvm::CodeModel::Large);
    }
  // The kernel features go with it: the runtime refuses a library whose
  // features the CPU lacks (instead of SIGILL) and enables AMX's state.
  std::string targetDescription = machine->getTargetTriple().str() + " cpu=" +
                                  machine->getTargetCPU().str() + " " +
                                  describeKernelFeatures(*machine);
  if (failed(addModelInterface(*llvmModule, *signature, targetDescription, errs)))
    return failure();
  optimizeModule(*llvmModule, *machine, options.optLevel);

  if (emit == EmitKind::LLVM) {
    auto out = openOutput(outputPath, false, errs);
    if (!out)
      return failure();
    llvmModule->print(out->os(), nullptr);
    out->keep();
    return success();
  }
  phase("generating machine code");
  if (emit == EmitKind::Asm || emit == EmitKind::Obj) {
    auto out = openOutput(outputPath, emit == EmitKind::Obj, errs);
    if (!out || failed(emitMachineCode(*llvmModule, *machine, emit == EmitKind::Asm,
                                       out->os(), errs)))
      return failure();
    out->keep();
    return success();
  }

  // A shared library: object to a temporary file, then ld.lld.
  llvm::SmallString<128> objectPath;
  if (llvm::sys::fs::createTemporaryFile("qcc", "o", objectPath)) {
    errs << "qcc: cannot create a temporary object file\n";
    return failure();
  }
  llvm::FileRemover removeObject(objectPath);
  {
    auto out = openOutput(objectPath, true, errs);
    if (!out || failed(emitMachineCode(*llvmModule, *machine, false, out->os(), errs)))
      return failure();
    out->keep();
  }
  llvmModule.reset(); // its constants are in the object now
  phase("linking " + outputPath);
  llvm::Triple host(llvm::sys::getDefaultTargetTriple());
  bool forHost = machine->getTargetTriple().getArch() == host.getArch();
  if (failed(linkSharedLibrary(objectPath, outputPath, machine->getTargetTriple(),
                               forHost, errs,
                               weights.bytes > 0 ? weightsPath.str() : llvm::StringRef())))
    return failure();
  if (!options.headerPath.empty())
    return writeHeader(*signature, options.headerPath, errs);
  return success();
}
