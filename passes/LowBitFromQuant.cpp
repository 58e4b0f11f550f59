//===- LowBitFromQuant.cpp - quant.qcast/dcast into lowbit ops --------===//
//
// A dialect conversion whose type converter maps tensors of upstream quant
// types to qtensors; the scales and zero points that quant kept in the type
// become arith.constant operands of lowbit.quantize.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/LowBit/IR/QuantInterop.h"
#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace qcc {
#define GEN_PASS_DEF_LOWBITFROMQUANTPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc;
using namespace qcc::lowbit;

namespace {

bool isQuantTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<quant::QuantizedType>(tensor.getElementType());
}

class QuantToLowBitTypeConverter final : public TypeConverter {
public:
  QuantToLowBitTypeConverter() {
    addConversion([](Type type) { return type; });
    addConversion([](RankedTensorType type) -> std::optional<Type> {
      if (!isa<quant::QuantizedType>(type.getElementType()))
        return type;
      // Diagnostics are reported by the pre-check in runOnOperation.
      FailureOr<QuantizedParts> parts = fromQuantTensorType(
          type, [&]() { return emitError(UnknownLoc::get(type.getContext())); });
      if (failed(parts))
        return std::nullopt;
      return Type(parts->type);
    });
  }
};

struct QuantizeCastToLowBit final
    : OpConversionPattern<quant::QuantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(quant::QuantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = dyn_cast<RankedTensorType>(op.getResult().getType());
    if (!resultType || !isa<RankedTensorType>(adaptor.getInput().getType()))
      return rewriter.notifyMatchFailure(op, "needs ranked tensors");
    FailureOr<QuantizedParts> parts =
        fromQuantTensorType(resultType, [&]() { return op.emitError(); });
    if (failed(parts))
      return failure();
    Location loc = op.getLoc();
    Value scales = arith::ConstantOp::create(rewriter, loc, parts->scales);
    Value zeroPoints;
    if (parts->zeroPoints)
      zeroPoints = arith::ConstantOp::create(rewriter, loc, parts->zeroPoints);
    rewriter.replaceOpWithNewOp<QuantizeOp>(op, parts->type,
                                            adaptor.getInput(), scales,
                                            zeroPoints, /*saturate=*/true);
    return success();
  }
};

struct DequantizeCastToLowBit final
    : OpConversionPattern<quant::DequantizeCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(quant::DequantizeCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<QTensorType>(adaptor.getInput().getType()))
      return rewriter.notifyMatchFailure(op, "input did not become a qtensor");
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, op.getResult().getType(),
                                              adaptor.getInput());
    return success();
  }
};

struct LowBitFromQuantPass final
    : qcc::impl::LowBitFromQuantPassBase<LowBitFromQuantPass> {
  using Base::Base;

  /// Reports every value that cannot convert, with the op that makes it,
  /// before the conversion runs (whose own failure message is generic).
  LogicalResult checkConvertible(Operation *root) {
    bool ok = true;
    root->walk([&](Operation *op) {
      if (isa<quant::StorageCastOp>(op)) {
        op->emitError("quant.scast has no lowbit equivalent: lowbit keeps "
                      "codes and scales in one value");
        ok = false;
        return;
      }
      for (Value result : op->getResults())
        if (isQuantTensor(result.getType()) &&
            failed(fromQuantTensorType(cast<RankedTensorType>(result.getType()),
                                       [&]() { return op->emitError(); })))
          ok = false;
    });
    return success(ok);
  }

  void runOnOperation() override {
    Operation *root = getOperation();
    if (failed(checkConvertible(root)))
      return signalPassFailure();

    MLIRContext *context = &getContext();
    QuantToLowBitTypeConverter converter;
    RewritePatternSet patterns(context);
    patterns.add<QuantizeCastToLowBit, DequantizeCastToLowBit>(converter,
                                                               context);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*context);
    target.addIllegalDialect<quant::QuantDialect>();
    target.addLegalDialect<LowBitDialect, arith::ArithDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });
    // Upstream folds dcast(qcast(x)) to x; quantization is lossy, so the pair
    // must survive the conversion as it was written.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(root, target, std::move(patterns),
                                      config)))
      signalPassFailure();
  }
};

} // namespace
