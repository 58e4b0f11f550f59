//===- LowBitVerifierTest.cpp - qtensor rules the syntax cannot reach --===//
//
// The textual syntax ties an axis to per_axis and a block to per_block, so
// lit tests cannot build a scheme that breaks those rules; importers and
// passes build schemes through the C++ API, so the rules are checked here.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace qcc::lowbit;

namespace {

class LowBitVerifierTest : public ::testing::Test {
protected:
  LowBitVerifierTest() { context.loadDialect<LowBitDialect>(); }

  /// Verifies a qtensor built from parts; returns the diagnostic text, or
  /// the empty string when the parts are consistent.
  std::string verify(ArrayRef<int64_t> shape, Type storage,
                     SchemeAttr scheme) {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    auto emitError = [&]() { return mlir::emitError(UnknownLoc::get(&context)); };
    if (succeeded(verifyQTensorParts(emitError, shape, storage, scheme,
                                     LayoutAttr())))
      return "";
    return message;
  }

  SchemeAttr scheme(Granularity granularity, std::optional<int64_t> axis,
                    ArrayRef<int64_t> block) {
    return SchemeAttr::get(&context, granularity, axis, block, f32(), {}, {},
                           {}, std::nullopt);
  }

  Type f32() { return Float32Type::get(&context); }
  Type i4() { return IntegerType::get(&context, 4); }

  MLIRContext context;
};

TEST_F(LowBitVerifierTest, PerTensorTakesNoAxisOrBlock) {
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_tensor, 0, {})),
            "per_tensor scheme takes no axis or block");
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_tensor, std::nullopt, {1, 4})),
            "per_tensor scheme takes no axis or block");
}

TEST_F(LowBitVerifierTest, PerAxisNeedsAnAxisAndNoBlock) {
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_axis, std::nullopt, {})),
            "per_axis scheme needs an axis");
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_axis, 0, {1, 4})),
            "per_axis scheme takes no block");
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_axis, -1, {})),
            "scheme axis -1 is out of range for rank 2");
}

TEST_F(LowBitVerifierTest, PerBlockTakesNoAxis) {
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_block, 1, {1, 4})),
            "per_block scheme takes no axis");
}

TEST_F(LowBitVerifierTest, ConsistentPartsPass) {
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_block, std::nullopt, {1, 2})), "");
  EXPECT_EQ(verify({4, 4}, i4(), scheme(Granularity::per_axis, 1, {})), "");
}

TEST_F(LowBitVerifierTest, NullSchemeIsRejected) {
  EXPECT_EQ(verify({4}, i4(), SchemeAttr()), "a qtensor needs a scheme");
}

TEST_F(LowBitVerifierTest, DerivedShapesFollowTheScheme) {
  auto type = QTensorType::get(&context, {64, 256}, i4(),
                               scheme(Granularity::per_block, std::nullopt, {1, 128}),
                               LayoutAttr());
  EXPECT_EQ(type.getScaleShape(), (SmallVector<int64_t>{64, 2}));
  EXPECT_EQ(type.getPackedByteCount(), 64 * 256 / 2);
  auto planes = type.withLayout(LayoutAttr::get(&context, LayoutKind::bit_planes, {}));
  EXPECT_EQ(planes.getPackedByteCount(), 4 * (64 * 256 / 8));
  // Asking for row_major gives back the type without a layout: one spelling.
  EXPECT_EQ(planes.withLayout(LayoutAttr::get(&context, LayoutKind::row_major, {})), type);
}

} // namespace
