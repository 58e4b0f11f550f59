//===- Driver.h - the compile pipeline: module -> .so -----------*- C++ -*-===//

#ifndef QCC_DRIVER_DRIVER_H
#define QCC_DRIVER_DRIVER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace qcc::driver {

class Progress;

/// How far compilation goes.
enum class EmitKind {
  MLIR,   // the imported module
  LowBit, // after the graph-level passes
  LLVM,   // LLVM IR (optimized)
  Asm,    // target assembly
  Obj,    // relocatable object
  SO,     // the deployable shared library
};

struct CompileOptions {
  /// Target triple or arch ("x86_64", "aarch64", a full triple); empty means
  /// the host.
  std::string target;
  /// CPU name; empty means the host CPU when compiling for the host, else
  /// "generic".
  std::string cpu;
  /// Comma-separated LLVM features (+avx2,...); empty means the host's when
  /// compiling for the host.
  std::string features;
  unsigned optLevel = 2;
  bool printIRAfterAll = false;
  /// With --emit=so: where to write the C header (empty: none).
  std::string headerPath;
  bool timePasses = false;
  /// Print the kernel chosen for each matmul and why (qcc --report).
  bool report = false;
  /// Quantize activations to int8 for every matmul that can take it, not
  /// only where the model allows it (MatMulNBits accuracy_level 4).
  bool int8Activations = false;
  /// Kernel to use wherever it can run (qcc --kernel); empty: cost model.
  std::string kernel;
  /// Told of each phase as it starts (null: nobody).
  Progress *progress = nullptr;
  /// x86-64: weights of this many bytes and more in all go to a large-data
  /// section reached with 64-bit addresses (the small code model's 32-bit
  /// offsets from code to its constant pool break past 2 GiB of weights in
  /// between). Below, today's small-model code.
  uint64_t largeWeightsFromBytes = uint64_t(3) << 29; // 1.5 GiB
};

/// One input or output of the compiled model, as the descriptor lists it.
struct TensorSignature {
  std::string name;
  uint32_t elementType; // qcc_element_type (runtime/include/qcc/model_abi.h)
  llvm::SmallVector<int64_t> shape;
};

struct ModelSignature {
  std::string modelName;
  llvm::SmallVector<TensorSignature> inputs, outputs;
};

/// Reads the signature of the module's `main_graph` function (ONNX names
/// from `onnx.name` attributes, element types before signedness is
/// dropped). Fails with a message on `errs` for types the ABI cannot carry.
mlir::FailureOr<ModelSignature> readSignature(mlir::ModuleOp module,
                                              llvm::raw_ostream &errs);

/// Writes the C header declaring the signature and a direct-call function.
mlir::LogicalResult writeHeader(const ModelSignature &signature,
                                llvm::StringRef path, llvm::raw_ostream &errs);

/// Runs the pipeline as far as `emit` asks and writes the result to
/// `outputPath` ("-" for stdout, text kinds only). Errors go to `errs`.
/// From `llvm` on, the module's weight blobs are released after translation
/// (peak memory): the module is not reusable afterwards.
mlir::LogicalResult compileModule(mlir::ModuleOp module,
                                  const CompileOptions &options, EmitKind emit,
                                  llvm::StringRef outputPath,
                                  llvm::raw_ostream &errs);

} // namespace qcc::driver

#endif // QCC_DRIVER_DRIVER_H
