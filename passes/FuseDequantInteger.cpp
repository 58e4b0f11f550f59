//===- FuseDequantInteger.cpp - QDQ int8 matmuls as integer products -----===//
//
// Statically quantized QDQ models (ONNX Runtime's quantize_static) put a
// QuantizeLinear -> DequantizeLinear pair on each matmul's activations and
// a DequantizeLinear on its int8 weights: linalg.matmul(dequantize(q),
// dequantize(W)). Both operands are 8-bit codes on a grid, so the product is
// x_scale * w_scale[n] * sum_k (q - q_zero)(w - w_zero): one lowbit.matmul of
// the two scaled qtensors into f32, which the int8-exact kernel computes as
// an exact i32 sum of code products and one f32 multiply per output, as ONNX
// Runtime runs the same graph (its QDQ MatMul fusion). Closer to the
// real-valued product than f32 sums of dequantized values, and 4x fewer
// bytes per operand; an f32 result, so bias, activations and the next
// QuantizeLinear -> DequantizeLinear pair still join its epilogue.
//
//===----------------------------------------------------------------------===//

#include "FuseDequant.h"
#include "QTensorParts.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// 8-bit integer codes with f32 scales, row-major, no codebook or tensor
/// scale, per tensor or (when `axis` >= 0) per index of `axis`: what the
/// int8-exact kernel takes for an f32 result.
bool isByteGrid(QTensorType type, int64_t axis) {
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  SchemeAttr scheme = type.getScheme();
  if (!storage || storage.getWidth() != 8 || !scheme.getScale() ||
      !scheme.getScale().isF32() || scheme.hasCodebook() || scheme.getTensorScale() ||
      type.getLayoutKind() != LayoutKind::row_major)
    return false;
  if (scheme.getZeroPoint() && !isa<IntegerType>(scheme.getZeroPoint()))
    return false;
  return scheme.getGranularity() == Granularity::per_tensor ||
         (axis >= 0 && scheme.getGranularity() == Granularity::per_axis &&
          scheme.getAxis() == axis);
}

} // namespace

bool qcc::lowbit::isIntegerQdqMatmul(linalg::MatmulOp op) {
  auto dequantize = op.getDpsInputs()[0].getDefiningOp<DequantizeOp>();
  std::optional<std::pair<ConstantOp, bool>> weight = weightOf(op);
  auto result = cast<RankedTensorType>(op.getResultTypes()[0]);
  if (!dequantize || !weight || !result.getElementType().isF32())
    return false;
  auto lhsType = cast<QTensorType>(dequantize.getInput().getType());
  auto [constant, transposed] = *weight;
  return isByteGrid(lhsType, -1) && isByteGrid(constant.getType(), transposed ? 0 : 1) &&
         constant.getScalesAttr() != nullptr;
}

void qcc::lowbit::fuseIntegerQdqMatmul(RewriterBase &rewriter, linalg::MatmulOp op) {
  Location loc = op.getLoc();
  auto dequantize = op.getDpsInputs()[0].getDefiningOp<DequantizeOp>();
  auto [constant, transposed] = *weightOf(op);
  rewriter.setInsertionPoint(op);
  ConstantOp weight = constant;
  if (!transposed) {
    FailureOr<ConstantOp> t = transposeConstant(rewriter, constant);
    if (failed(t))
      return;
    weight = *t;
  }
  // One lowbit.matmul of the two scaled qtensors into f32: the int8-exact
  // kernel sums the code products in i32 and scales each output once.
  Value product = MatmulOp::create(rewriter, loc, op.getResultTypes()[0],
                                   dequantize.getInput(), weight.getResult(), Value(),
                                   /*transpose_rhs=*/true);
  Operation *feeding[] = {op.getDpsInputs()[0].getDefiningOp(),
                          op.getDpsInputs()[1].getDefiningOp(),
                          op.getDpsInits()[0].getDefiningOp()};
  rewriter.replaceOp(op, product);
  eraseDeadFeeders(rewriter, feeding);
}
