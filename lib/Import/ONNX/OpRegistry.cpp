//===- OpRegistry.cpp - the table of supported ONNX ops ----------------===//

#include "NodeImporter.h"

#include "qcc/Dialect/LowBit/IR/LowBit.h"
#include "qcc/Import/ONNX/Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/Format.h"

using namespace qcc::onnx_import;

llvm::ArrayRef<OpSupport> qcc::onnx_import::getSupportedOps() {
  static const std::vector<OpSupport> ops = [] {
    std::vector<OpSupport> all;
    addElementwiseOps(all);
    addMatMulOps(all);
    addNormalizationOps(all);
    addReductionOps(all);
    addShapeOps(all);
    addConvPoolOps(all);
    addQuantOps(all);
    std::sort(all.begin(), all.end(),
                     [](const OpSupport &a, const OpSupport &b) {
                       return std::make_tuple(a.domain, a.opType, a.minOpset) <
                              std::make_tuple(b.domain, b.opType, b.minOpset);
                     });
    return all;
  }();
  return ops;
}

void qcc::onnx_import::printSupportedOps(llvm::raw_ostream &os) {
  os << llvm::format("%-14s %-26s %-10s %s\n", "domain", "op", "opsets",
                     "notes");
  for (const OpSupport &op : getSupportedOps()) {
    std::string range =
        std::to_string(op.minOpset) + "-" + std::to_string(op.maxOpset);
    os << llvm::format("%-14s %-26s %-10s ",
                       op.domain.empty() ? "ai.onnx" : op.domain.str().c_str(),
                       op.opType.str().c_str(), range.c_str())
       << op.note << "\n";
  }
}

void qcc::onnx_import::registerImportDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::tensor::TensorDialect, qcc::lowbit::LowBitDialect>();
}
