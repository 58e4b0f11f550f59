//===- qcc-opt.cpp - mlir-opt with the lowbit dialect and qcc's passes ===//
//
// Research driver: every upstream dialect and pass plus lowbit and qcc's own
// passes and named pipelines, so a pipeline that runs here runs the same in
// the qcc driver.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Passes/Passes.h"
#include "qcc/Targets/CPU/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  qcc::registerPasses();
  qcc::cpu::registerCPUPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<qcc::lowbit::LowBitDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qcc-opt: the lowbit dialect and qcc's passes\n", registry));
}
