//===- qcc.cpp - the ahead-of-time compiler driver --------------------===//
//
// qcc model.onnx -o libmodel.so: import an ONNX model, run the graph
// passes and the CPU lowering, and link a shared library that exports the
// model descriptor of runtime/include/qcc/model_abi.h.
//
//===----------------------------------------------------------------------===//

#include "qcc/Driver/Driver.h"
#include "qcc/Driver/Progress.h"
#include "qcc/Import/ONNX/Importer.h"
#include "qcc/Targets/CPU/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Format.h"
#include "llvm/Pass.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace llvm;

namespace {
cl::OptionCategory qccCategory("qcc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::cat(qccCategory));
cl::opt<std::string> outputFile(
    "o", cl::desc("Output file (default: stdout for text, a.so for --emit=so)"),
    cl::value_desc("file"), cl::init(""), cl::cat(qccCategory));
using qcc::driver::EmitKind;
cl::opt<EmitKind> emit(
    "emit", cl::desc("What to produce (default: so)"), cl::init(EmitKind::SO),
    cl::values(
        clEnumValN(EmitKind::MLIR, "mlir",
                   "the imported module (lowbit + linalg/tensor/arith/math)"),
        clEnumValN(EmitKind::LowBit, "lowbit", "after the graph-level passes"),
        clEnumValN(EmitKind::LLVM, "llvm", "optimized LLVM IR"),
        clEnumValN(EmitKind::Asm, "asm", "target assembly"),
        clEnumValN(EmitKind::Obj, "obj", "a relocatable object"),
        clEnumValN(EmitKind::SO, "so",
                   "a shared library exporting the model descriptor")),
    cl::cat(qccCategory));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 2)"),
                           cl::Prefix, cl::init(2), cl::cat(qccCategory));
cl::opt<std::string> targetName(
    "target", cl::desc("Target architecture or triple (x86_64, aarch64, ...); "
                       "default: the host"),
    cl::init(""), cl::cat(qccCategory));
cl::opt<std::string> cpuName("cpu",
                             cl::desc("Target CPU (default: the host CPU, "
                                      "detected)"),
                             cl::init(""), cl::cat(qccCategory));
cl::opt<std::string> featureList(
    "features", cl::desc("Target features, e.g. +avx2,+fma (default: the "
                         "host's, detected)"),
    cl::init(""), cl::cat(qccCategory));
cl::opt<std::string> headerFile(
    "header", cl::desc("With --emit=so: the C header to write (default: the "
                       "library's path with .h; 'none' for no header)"),
    cl::init(""), cl::cat(qccCategory));
cl::opt<bool> printIRAfterAll("print-ir-after-all",
                              cl::desc("Print the IR after every pass"),
                              cl::cat(qccCategory));

// For tests: the large-data path of a 7B-parameter model on a small one.
cl::opt<uint64_t> largeWeightsFrom(
    "large-weights-from",
    cl::desc("x86-64: put the weights in a large-data section reached with "
             "64-bit addresses from this many bytes of weights (default 1.5 GiB)"),
    cl::init(uint64_t(3) << 29), cl::Hidden, cl::cat(qccCategory));
cl::opt<double> progressAfter(
    "progress-after",
    cl::desc("Print each phase of the compile (with the time and peak memory "
             "so far) once it has run this many seconds (default 5; 0: from "
             "the start; negative: never); to stderr"),
    cl::init(5.0), cl::cat(qccCategory));
cl::opt<bool> report("report",
                     cl::desc("Print the kernel chosen for each quantized "
                              "matmul and why, with a warning for each one "
                              "slower than f32 (to stderr)"),
                     cl::cat(qccCategory));
cl::opt<bool> int8Activations(
    "int8-activations",
    cl::desc("Quantize activations to int8 per block for every matmul that "
             "can take it (default: only where the model allows it, "
             "MatMulNBits accuracy_level = 4); about 1e-2 relative error"),
    cl::cat(qccCategory));
cl::opt<std::string> kernel(
    "kernel",
    cl::desc("Use this matmul kernel (lut, lut-ternary, int8-gemm, int8-dot, "
             "bf16-gemm, f32-gemm) wherever it can run, the cost model "
             "elsewhere; the lut and int8 kernels also imply --int8-activations "
             "for those matmuls"),
    cl::value_desc("NAME"), cl::init(""), cl::cat(qccCategory));

cl::list<std::string> shapes("shape",
                             cl::desc("Static shape of a graph input, e.g. "
                                      "--shape input_ids=1x128"),
                             cl::value_desc("NAME=DxDxD"), cl::cat(qccCategory));
cl::list<std::string> dims("dim",
                           cl::desc("Value of a symbolic dimension, e.g. "
                                    "--dim batch=1"),
                           cl::value_desc("NAME=N"), cl::cat(qccCategory));
cl::list<std::string> constInputs(
    "const-input",
    cl::desc("Freeze a graph input to the value in a TensorProto file, e.g. "
             "--const-input pads=pads.pb (shape inputs become foldable)"),
    cl::value_desc("NAME=FILE.pb"), cl::cat(qccCategory));
cl::opt<bool> listOps("list-ops",
                      cl::desc("Print every supported ONNX op with its domain, "
                               "opset range and formats, then exit"),
                      cl::cat(qccCategory));
cl::opt<bool> largeElements(
    "print-large-constants",
    cl::desc("Print weight blobs in full with --emit=mlir (default: elided)"),
    cl::cat(qccCategory));

/// Parses NAME=VALUE; fails with a message naming the flag.
bool splitAssignment(StringRef flag, StringRef text, StringRef &name,
                     StringRef &value) {
  std::tie(name, value) = text.split('=');
  if (name.empty() || value.empty()) {
    errs() << "qcc: --" << flag << " expects NAME=VALUE, got '" << text << "'\n";
    return false;
  }
  return true;
}

bool parseBindings(qcc::onnx_import::ImportOptions &options) {
  for (const std::string &text : shapes) {
    StringRef name, value;
    if (!splitAssignment("shape", text, name, value))
      return false;
    SmallVector<int64_t> shape;
    SmallVector<StringRef> parts;
    value.split(parts, 'x');
    for (StringRef part : parts) {
      int64_t size;
      if (part.getAsInteger(10, size) || size < 0) {
        errs() << "qcc: --shape " << text << ": '" << part
               << "' is not a dimension size\n";
        return false;
      }
      shape.push_back(size);
    }
    options.inputShapes[name] = shape;
  }
  for (const std::string &text : constInputs) {
    StringRef name, value;
    if (!splitAssignment("const-input", text, name, value))
      return false;
    options.constantInputs[name] = value.str();
  }
  for (const std::string &text : dims) {
    StringRef name, value;
    int64_t size;
    if (!splitAssignment("dim", text, name, value))
      return false;
    if (value.getAsInteger(10, size) || size < 0) {
      errs() << "qcc: --dim " << text << ": '" << value
             << "' is not a dimension size\n";
      return false;
    }
    options.dimValues[name] = size;
  }
  return true;
}
} // namespace

/// Compile memory (USERS #10): the passes free each layer's old weight
/// blob as they write its new one, but glibc's malloc raises its mmap
/// threshold to the size of the chunks freed (up to 32 MiB), so later
/// layers' blobs of a different size come from the heap and the freed
/// ones stay resident: a 1.1 GB MXFP4 model peaked at 2.2 GB instead of
/// 1.5. A fixed threshold keeps every large buffer a mapping of its own,
/// returned to the system when freed.
static void returnLargeBuffersToTheSystem() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  returnLargeBuffersToTheSystem();
  // LLVM owns -time-passes; qcc shows it and times its MLIR passes with it.
  if (cl::Option *option = cl::getRegisteredOptions().lookup("time-passes"))
    option->addCategory(qccCategory);
  cl::HideUnrelatedOptions(qccCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcc: ahead-of-time compiler for low-bit neural networks\n\n"
      "  qcc model.onnx -o libmodel.so [-O2] [--target=x86_64|aarch64] "
      "[--cpu=NAME] [--features=+avx2,...]\n"
      "  qcc model.onnx --emit=mlir|lowbit|llvm|asm|obj|so [-o FILE]\n"
      "  options for models with symbolic or shape inputs: --shape NAME=1x128,\n"
      "  --dim NAME=1, --const-input NAME=FILE.pb\n"
      "  timing and debugging: --time-passes (MLIR and LLVM passes), "
      "--print-ir-after-all\n"
      "  qcc --list-ops\n");

  if (listOps) {
    qcc::onnx_import::printSupportedOps(outs());
    return 0;
  }
  if (inputFile.empty()) {
    errs() << "qcc: no input model (run qcc --help)\n";
    return 1;
  }
  qcc::onnx_import::ImportOptions options;
  if (!parseBindings(options))
    return 1;

  if (optLevel > 3) {
    errs() << "qcc: -O" << optLevel << " is not an optimization level (0-3)\n";
    return 1;
  }
  qcc::driver::Progress progress(errs(), progressAfter);
  {
    uint64_t size = 0;
    std::string what = "importing " + inputFile;
    if (!sys::fs::file_size(inputFile, size))
      what += " (" + qcc::driver::formatBytes(size) + ")";
    progress.phase(what);
  }
  mlir::DialectRegistry registry;
  qcc::onnx_import::registerImportDialects(registry);
  qcc::cpu::registerCPUPipelineDialects(registry);
  mlir::MLIRContext context(registry);
  auto module =
      qcc::onnx_import::importModelFile(inputFile, context, options, errs());
  if (!module)
    return 1;

  bool binary = emit == EmitKind::Obj || emit == EmitKind::SO;
  std::string output = outputFile;
  if (output.empty())
    output = emit == EmitKind::SO ? "a.so" : (binary ? "a.o" : "-");
  if (binary && output == "-") {
    errs() << "qcc: --emit=" << (emit == EmitKind::SO ? "so" : "obj")
           << " needs an output file (-o)\n";
    return 1;
  }
  qcc::driver::CompileOptions compile;
  compile.target = targetName;
  compile.cpu = cpuName;
  compile.features = featureList;
  compile.optLevel = optLevel;
  compile.printIRAfterAll = printIRAfterAll;
  compile.report = report;
  compile.int8Activations = int8Activations;
  compile.kernel = kernel;
  compile.progress = &progress;
  compile.largeWeightsFromBytes = largeWeightsFrom;
  if (emit == EmitKind::SO && headerFile != "none") {
    SmallString<256> header(headerFile.empty() ? output : headerFile);
    if (headerFile.empty())
      sys::path::replace_extension(header, ".h");
    compile.headerPath = std::string(header);
  }
  compile.timePasses = TimePassesIsEnabled;
  if (emit == EmitKind::MLIR) {
    // The imported module, with weight blobs elided unless asked for.
    std::error_code ec;
    ToolOutputFile out(output, ec, sys::fs::OF_Text);
    if (ec) {
      errs() << "qcc: cannot write " << output << ": " << ec.message() << "\n";
      return 1;
    }
    mlir::OpPrintingFlags flags;
    if (!largeElements)
      flags.elideLargeResourceString(4096).elideLargeElementsAttrs(64);
    module->print(out.os(), flags);
    out.keep();
    return 0;
  }
  if (failed(qcc::driver::compileModule(*module, compile, emit, output, errs())))
    return 1;
  progress.finish();
  if (binary)
    errs() << "qcc: wrote " << output << " in "
           << format("%.2f", progress.elapsedSeconds()) << " s (peak memory "
           << qcc::driver::formatBytes(qcc::driver::peakResidentBytes()) << ")\n";
  return 0;
}
