//===- LLVMEmitter.cpp - descriptor, optimization, machine code --------===//

#include "LLVMEmitter.h"

#include "llvm/MC/MCSubtargetInfo.h"

#include "qcc/model_abi.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace qcc::driver;

std::unique_ptr<llvm::TargetMachine>
qcc::driver::createTargetMachine(const CompileOptions &options,
                                 llvm::raw_ostream &errs) {
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();

  std::string hostTriple = llvm::sys::getDefaultTargetTriple();
  std::string tripleName = hostTriple;
  if (!options.target.empty()) {
    // A bare architecture means Linux on it.
    tripleName = options.target.find('-') == std::string::npos
                     ? options.target + "-unknown-linux-gnu"
                     : options.target;
  }
  llvm::Triple triple(llvm::Triple::normalize(tripleName));
  bool forHost = triple.getArch() == llvm::Triple(hostTriple).getArch();

  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    errs << "qcc: unknown target '" << options.target << "': " << error << "\n";
    return nullptr;
  }
  std::string cpu = options.cpu;
  if (cpu.empty())
    cpu = forHost ? llvm::sys::getHostCPUName().str() : "generic";
  std::string features = options.features;
  if (features.empty() && forHost && options.cpu.empty()) {
    // Detected, never assumed: the machines differ (AMX on some, not others).
    llvm::SmallVector<std::string> enabled;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      enabled.push_back((feature.getValue() ? "+" : "-") + feature.getKey().str());
    features = llvm::join(enabled, ",");
  }
  llvm::TargetOptions targetOptions;
  auto machine = std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    errs << "qcc: cannot create a target machine for " << triple.str() << "\n";
  return machine;
}

std::string qcc::driver::describeKernelFeatures(const llvm::TargetMachine &machine) {
  static const char *const x86[] = {"avx2",       "fma",      "avx512f",
                                    "avx512bw",   "avx512vl", "avx512vnni",
                                    "avxvnni",    "avx512bf16", "amx-tile",
                                    "amx-int8",   "amx-bf16",   "avx512vbmi"};
  static const char *const aarch64[] = {"neon", "dotprod", "i8mm", "sve", "bf16"};
  llvm::ArrayRef<const char *> candidates;
  if (machine.getTargetTriple().isX86())
    candidates = x86;
  else if (machine.getTargetTriple().isAArch64())
    candidates = aarch64;
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  llvm::SmallVector<std::string> enabled;
  for (const char *feature : candidates)
    if (info->checkFeatures(std::string("+") + feature))
      enabled.push_back(std::string("+") + feature);
  return llvm::join(enabled, ",");
}

namespace {

/// Builds the descriptor globals with the module's IRBuilder.
class InterfaceBuilder {
public:
  InterfaceBuilder(llvm::Module &module)
      : module(module), context(module.getContext()), builder(context),
        ptrType(llvm::PointerType::getUnqual(context)),
        i32(llvm::Type::getInt32Ty(context)),
        i64(llvm::Type::getInt64Ty(context)) {
    tensorType = llvm::StructType::create(
        context, {ptrType, i32, i32, ptrType}, "qcc_tensor_descriptor");
  }

  llvm::Constant *string(llvm::StringRef text) {
    return builder.CreateGlobalString(text, ".qcc.str", 0, &module);
  }

  llvm::Constant *tensorArray(llvm::ArrayRef<TensorSignature> tensors,
                              llvm::StringRef name) {
    std::vector<llvm::Constant *> elements;
    for (const TensorSignature &tensor : tensors) {
      std::vector<llvm::Constant *> dims;
      for (int64_t dim : tensor.shape)
        dims.push_back(llvm::ConstantInt::get(i64, dim));
      auto *shapeType = llvm::ArrayType::get(i64, dims.size());
      auto *shape = new llvm::GlobalVariable(
          module, shapeType, /*isConstant=*/true, llvm::GlobalValue::PrivateLinkage,
          llvm::ConstantArray::get(shapeType, dims), ".qcc.shape");
      elements.push_back(llvm::ConstantStruct::get(
          tensorType, {string(tensor.name), llvm::ConstantInt::get(i32, tensor.elementType),
                       llvm::ConstantInt::get(i32, tensor.shape.size()), shape}));
    }
    auto *arrayType = llvm::ArrayType::get(tensorType, elements.size());
    return new llvm::GlobalVariable(module, arrayType, true,
                                    llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(arrayType, elements),
                                    name);
  }

  llvm::Module &module;
  llvm::LLVMContext &context;
  llvm::IRBuilder<> builder;
  llvm::PointerType *ptrType;
  llvm::Type *i32, *i64;
  llvm::StructType *tensorType;
};

} // namespace

/// The entry function: buffers[i] -> main_graph's expanded memref arguments
/// (allocated ptr, aligned ptr, offset, sizes..., strides...), inputs first,
/// then outputs (buffer-results-to-out-params put them last).
static llvm::Function *buildEntry(InterfaceBuilder &ib, llvm::Function *mainGraph,
                                  const ModelSignature &signature,
                                  llvm::raw_ostream &errs) {
  llvm::LLVMContext &context = ib.context;
  auto *type = llvm::FunctionType::get(ib.i32, {ib.ptrType}, false);
  auto *entry = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                       "qcc_model_entry", ib.module);
  auto *block = llvm::BasicBlock::Create(context, "entry", entry);
  llvm::IRBuilder<> b(block);
  std::vector<llvm::Value *> args;
  unsigned index = 0;
  auto addMemref = [&](const TensorSignature &tensor) {
    llvm::Value *slot = b.CreateConstGEP1_64(ib.ptrType, entry->getArg(0), index++);
    llvm::Value *data = b.CreateLoad(ib.ptrType, slot);
    args.push_back(data);
    args.push_back(data);
    args.push_back(llvm::ConstantInt::get(ib.i64, 0));
    for (int64_t dim : tensor.shape)
      args.push_back(llvm::ConstantInt::get(ib.i64, dim));
    int64_t stride = 1;
    std::vector<llvm::Value *> strides;
    for (int64_t dim : llvm::reverse(tensor.shape)) {
      strides.insert(strides.begin(), llvm::ConstantInt::get(ib.i64, stride));
      stride *= dim;
    }
    args.insert(args.end(), strides.begin(), strides.end());
  };
  for (const TensorSignature &tensor : signature.inputs)
    addMemref(tensor);
  for (const TensorSignature &tensor : signature.outputs)
    addMemref(tensor);
  if (mainGraph->arg_size() != args.size()) {
    errs << "qcc: internal error: main_graph takes " << mainGraph->arg_size()
         << " arguments after lowering, the signature implies " << args.size()
         << "\n";
    return nullptr;
  }
  b.CreateCall(mainGraph, args);
  b.CreateRet(llvm::ConstantInt::get(ib.i32, 0));
  return entry;
}

/// Defines each qcc_parallel_launch_N that qcc-outline-parallel-loops
/// declared: pack the arguments into a struct on the stack and hand a
/// trampoline to the runtime's thread pool, which calls the outlined body
/// qcc_parallel_body_N(begin, end, arguments...) on disjoint ranges.
static mlir::LogicalResult defineParallelLaunches(llvm::Module &module,
                                                  llvm::raw_ostream &errs) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  llvm::Type *voidType = llvm::Type::getVoidTy(context);
  llvm::PointerType *ptr = llvm::PointerType::getUnqual(context);
  llvm::FunctionCallee parallelFor = module.getOrInsertFunction(
      "qcc_runtime_parallel_for",
      llvm::FunctionType::get(voidType, {i64, ptr, ptr}, false));
  for (llvm::Function &launch : module) {
    llvm::StringRef name = launch.getName();
    if (!launch.isDeclaration() || !name.consume_front("qcc_parallel_launch_"))
      continue;
    llvm::Function *body = module.getFunction(("qcc_parallel_body_" + name).str());
    if (!body || body->arg_size() != launch.arg_size() + 1) {
      errs << "qcc: internal error: no matching body for " << launch.getName()
           << "\n";
      return mlir::failure();
    }
    llvm::SmallVector<llvm::Type *> fields;
    for (llvm::Argument &arg : launch.args())
      if (arg.getArgNo() + 1 < launch.arg_size())
        fields.push_back(arg.getType());
    auto *contextType = llvm::StructType::get(context, fields);

    auto *trampoline = llvm::Function::Create(
        llvm::FunctionType::get(voidType, {ptr, i64, i64}, false),
        llvm::GlobalValue::InternalLinkage, ("qcc_parallel_trampoline_" + name).str(),
        module);
    {
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", trampoline));
      llvm::SmallVector<llvm::Value *> args = {trampoline->getArg(1),
                                               trampoline->getArg(2)};
      for (unsigned i = 0; i < fields.size(); ++i)
        args.push_back(b.CreateLoad(
            fields[i], b.CreateStructGEP(contextType, trampoline->getArg(0), i)));
      b.CreateCall(body, args);
      b.CreateRetVoid();
    }
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", &launch));
    llvm::Value *packed = b.CreateAlloca(contextType);
    for (unsigned i = 0; i < fields.size(); ++i)
      b.CreateStore(launch.getArg(i), b.CreateStructGEP(contextType, packed, i));
    b.CreateCall(parallelFor, {launch.getArg(launch.arg_size() - 1), trampoline,
                               packed});
    b.CreateRetVoid();
  }
  return mlir::success();
}

mlir::LogicalResult qcc::driver::addModelInterface(
    llvm::Module &module, const ModelSignature &signature,
    llvm::StringRef targetDescription, llvm::raw_ostream &errs) {
  llvm::Function *mainGraph = module.getFunction("main_graph");
  if (!mainGraph) {
    errs << "qcc: internal error: no main_graph in the LLVM module\n";
    return mlir::failure();
  }
  if (failed(defineParallelLaunches(module, errs)))
    return mlir::failure();
  // Only the descriptor is exported; everything else may be inlined away.
  for (llvm::Function &function : module)
    if (!function.isDeclaration())
      function.setLinkage(llvm::GlobalValue::InternalLinkage);

  InterfaceBuilder ib(module);
  llvm::Function *entry = buildEntry(ib, mainGraph, signature, errs);
  if (!entry)
    return mlir::failure();
  auto *descriptorType = llvm::StructType::create(
      ib.context,
      {ib.i32, ib.i32, ib.i32, ib.i32, ib.ptrType, ib.ptrType, ib.ptrType,
       ib.ptrType, ib.ptrType, ib.ptrType},
      "qcc_model_descriptor");
  llvm::Constant *fields[] = {
      llvm::ConstantInt::get(ib.i32, QCC_MODEL_ABI_VERSION),
      llvm::ConstantInt::get(ib.i32, signature.inputs.size()),
      llvm::ConstantInt::get(ib.i32, signature.outputs.size()),
      llvm::ConstantInt::get(ib.i32, 0),
      ib.string(signature.modelName),
      ib.string(targetDescription),
      ib.string("cpu"),
      ib.tensorArray(signature.inputs, ".qcc.inputs"),
      ib.tensorArray(signature.outputs, ".qcc.outputs"),
      entry};
  auto *descriptor = new llvm::GlobalVariable(
      module, descriptorType, /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantStruct::get(descriptorType, fields),
      QCC_MODEL_DESCRIPTOR_SYMBOL);
  descriptor->setVisibility(llvm::GlobalValue::DefaultVisibility);
  if (llvm::verifyModule(module, &errs)) {
    errs << "qcc: internal error: the LLVM module does not verify\n";
    return mlir::failure();
  }
  return mlir::success();
}

/// Points the generated code's malloc, calloc and free at the runtime's
/// versions (model_abi.h), which keep large freed blocks for the next run.
/// After optimization, so that LLVM has known them as the C allocation
/// functions (noalias results, malloc + memset -> calloc) throughout.
static void routeHeapToRuntime(llvm::Module &module) {
  const std::pair<const char *, const char *> routes[] = {
      {"malloc", "qcc_runtime_alloc"},
      {"calloc", "qcc_runtime_calloc"},
      {"free", "qcc_runtime_free"}};
  for (auto [from, to] : routes) {
    llvm::Function *libc = module.getFunction(from);
    if (!libc || libc->use_empty())
      continue;
    llvm::FunctionCallee runtime = module.getOrInsertFunction(to, libc->getFunctionType());
    libc->replaceAllUsesWith(runtime.getCallee());
  }
}

void qcc::driver::optimizeModule(llvm::Module &module,
                                 llvm::TargetMachine &machine,
                                 unsigned optLevel) {
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple());
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&machine);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm =
      optLevel == 0 ? pb.buildO0DefaultPipeline(level)
                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
  routeHeapToRuntime(module);
}

mlir::LogicalResult qcc::driver::emitMachineCode(llvm::Module &module,
                                                 llvm::TargetMachine &machine,
                                                 bool assembly,
                                                 llvm::raw_pwrite_stream &os,
                                                 llvm::raw_ostream &errs) {
  llvm::legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, os, nullptr,
                                  assembly ? llvm::CodeGenFileType::AssemblyFile
                                           : llvm::CodeGenFileType::ObjectFile)) {
    errs << "qcc: the target cannot emit this file type\n";
    return mlir::failure();
  }
  pm.run(module);
  return mlir::success();
}
