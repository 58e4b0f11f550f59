//===- ResourceBlobsTest.cpp - weight blobs freed when nothing reads them -===//
//
// qcc/Passes/ResourceBlobs.h: a blob goes once no op's attribute (inherent
// or discardable) refers to it, and never while one does.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/ResourceBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OwningOpRef.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class ResourceBlobsTest : public ::testing::Test {
protected:
  ResourceBlobsTest() : builder(&context) {
    context.loadDialect<arith::ArithDialect>();
    module = ModuleOp::create(UnknownLoc::get(&context));
    builder.setInsertionPointToEnd(module->getBody());
  }

  DenseResourceElementsAttr blob(StringRef name) {
    std::vector<char> bytes(4096, 7);
    auto type = RankedTensorType::get({4096}, builder.getI8Type());
    return DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<char>(bytes)));
  }

  Operation *constant(DenseResourceElementsAttr value) {
    return arith::ConstantOp::create(builder, builder.getUnknownLoc(), value);
  }

  /// A released entry keeps an empty blob.
  static bool held(DenseResourceElementsAttr value) {
    AsmResourceBlob *blob = value.getRawHandle().getBlob();
    return blob && !blob->getData().empty();
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(ResourceBlobsTest, ReleasesTheBlobsOfAnErasedOpThatNothingElseReads) {
  DenseResourceElementsAttr codes = blob("codes"), scales = blob("scales");
  Operation *old = constant(codes);
  old->setAttr("test.scales", scales); // discardable
  Operation *reader = constant(blob("other"));
  reader->setAttr("test.shared", scales); // still read after `old` goes

  SmallVector<DenseResourceElementsAttr> resources = qcc::resourcesOf(old);
  ASSERT_EQ(resources.size(), 2u);
  qcc::releaseIfUnreferenced(*module, resources); // `old` still there
  EXPECT_TRUE(held(codes));
  EXPECT_TRUE(held(scales));

  old->erase();
  qcc::releaseIfUnreferenced(*module, resources);
  EXPECT_FALSE(held(codes));
  EXPECT_TRUE(held(scales));
}

TEST_F(ResourceBlobsTest, ReleasesEveryUnreferencedBlobOfTheContext) {
  DenseResourceElementsAttr kept = blob("kept"), dropped = blob("dropped");
  constant(kept);
  constant(dropped)->erase();
  qcc::releaseUnreferencedBlobs(*module);
  EXPECT_TRUE(held(kept));
  EXPECT_FALSE(held(dropped));
}

} // namespace
