//===- qcc.cpp - the ahead-of-time compiler driver --------------------===//
//
// qcc model.onnx --emit=mlir: import an ONNX model and print the module.
// (Code generation to objects and shared libraries comes with the CPU
// target; --emit lists only what exists.)
//
//===----------------------------------------------------------------------===//

#include "qcc/Import/ONNX/Importer.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/FileSystem.h"

using namespace llvm;

namespace {
cl::OptionCategory qccCategory("qcc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::cat(qccCategory));
cl::opt<std::string> outputFile("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(qccCategory));
enum class Emit { MLIR };
cl::opt<Emit> emit("emit", cl::desc("What to produce"), cl::init(Emit::MLIR),
                   cl::values(clEnumValN(Emit::MLIR, "mlir",
                                         "the imported module (lowbit + linalg/"
                                         "tensor/arith/math on tensors)")),
                   cl::cat(qccCategory));
cl::list<std::string> shapes("shape",
                             cl::desc("Static shape of a graph input, e.g. "
                                      "--shape input_ids=1x128"),
                             cl::value_desc("NAME=DxDxD"), cl::cat(qccCategory));
cl::list<std::string> dims("dim",
                           cl::desc("Value of a symbolic dimension, e.g. "
                                    "--dim batch=1"),
                           cl::value_desc("NAME=N"), cl::cat(qccCategory));
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

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(qccCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qcc: ahead-of-time compiler for low-bit neural networks\n\n"
      "  qcc model.onnx --emit=mlir [--shape NAME=1x128] [--dim NAME=1]\n"
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

  mlir::DialectRegistry registry;
  qcc::onnx_import::registerImportDialects(registry);
  mlir::MLIRContext context(registry);
  auto module =
      qcc::onnx_import::importModelFile(inputFile, context, options, errs());
  if (!module)
    return 1;

  std::error_code ec;
  ToolOutputFile out(outputFile, ec, sys::fs::OF_None);
  if (ec) {
    errs() << "qcc: cannot write " << outputFile << ": " << ec.message() << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (!largeElements)
    flags.elideLargeResourceString(4096).elideLargeElementsAttrs(64);
  module->print(out.os(), flags);
  out.keep();
  return 0;
}
