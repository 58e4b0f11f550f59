//===- LowBitDialect.cpp - lowbit dialect registration ----------------===//

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace qcc::lowbit;

#include "qcc/Dialect/LowBit/IR/LowBitDialect.cpp.inc"
#include "qcc/Dialect/LowBit/IR/LowBitEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qcc/Dialect/LowBit/IR/LowBitAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "qcc/Dialect/LowBit/IR/LowBitTypes.cpp.inc"

void LowBitDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qcc/Dialect/LowBit/IR/LowBitAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "qcc/Dialect/LowBit/IR/LowBitTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "qcc/Dialect/LowBit/IR/LowBitOps.cpp.inc"
      >();
}
