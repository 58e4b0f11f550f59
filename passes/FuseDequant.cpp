//===- FuseDequant.cpp - dequantized constant weights into lowbit.matmul -===//
//
// QDQ models (DequantizeLinear on an initializer, then MatMul or Gemm)
// import as linalg.matmul(A, lowbit.dequantize(lowbit.constant W)): the
// dequantized f32 weight would be computed on every run and read at 4 bytes
// a weight. This pass rewrites the pair into one lowbit.matmul on the
// quantized constant, so lowering decodes codes in registers and the CPU
// kernels (f32 block dots, int8-dot) apply. The constant is transposed at
// compile time to [N, K] (codes repacked, scale and zero-point grids and the
// scheme's axis or block transposed): the kernels read rows of K.
// Convolutions on dequantized constants: FuseDequantConv.cpp.
//
//===----------------------------------------------------------------------===//

#include "FuseDequant.h"
#include "QTensorParts.h"

#include "qcc/Formats/BitPacking.h"

#include "qcc/Passes/Passes.h"
#include "qcc/Passes/ResourceBlobs.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <cstring>

namespace qcc {
#define GEN_PASS_DEF_FUSEDEQUANTPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// out[c x rows + r] = in[r x cols + c] for elements of `width` bytes, in
/// blocks of 64 x 64: row by row the writes land `rows` elements apart, a
/// cache line each (FP8 / FP4 codes of a 1 GB model took seconds).
void transposeElements(const uint8_t *in, uint8_t *out, int64_t rows, int64_t cols, size_t width) {
  constexpr int64_t kBlock = 64;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
      int64_t r1 = std::min(rows, r0 + kBlock), c1 = std::min(cols, c0 + kBlock);
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) {
          if (width == 1)
            out[c * rows + r] = in[r * cols + c];
          else
            std::memcpy(out + (c * rows + r) * width, in + (r * cols + c) * width, width);
        }
    }
}

/// The same for 4-bit codes two a byte (low nibble first), rows and cols
/// even: each output byte gathers one column's codes of two rows, without
/// unpacking to a byte a code and packing again.
void transposeNibbles(const uint8_t *in, uint8_t *out, int64_t rows, int64_t cols) {
  constexpr int64_t kBlock = 64;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock) {
      int64_t r1 = std::min(rows, r0 + kBlock), c1 = std::min(cols, c0 + kBlock);
      for (int64_t c = c0; c < c1; ++c) {
        unsigned shift = unsigned(c % 2) * 4;
        for (int64_t r = r0; r < r1; r += 2) {
          unsigned low = (in[(r * cols + c) / 2] >> shift) & 15;
          unsigned high = (in[((r + 1) * cols + c) / 2] >> shift) & 15;
          out[(c * rows + r) / 2] = uint8_t(low | high << 4);
        }
      }
    }
}

/// A [rows, cols] parameter grid transposed to [cols, rows], same element
/// type; rank-0/1 grids are returned as they are.
FailureOr<ElementsAttr> transposeGrid(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  if (type.getRank() < 2)
    return attr;
  int64_t rows = type.getShape()[0], cols = type.getShape()[1];
  auto newType = RankedTensorType::get({cols, rows}, type.getElementType());
  std::optional<ArrayRef<char>> bytes = constantBytesInPlace(attr);
  size_t width = bytes ? type.getElementType().getIntOrFloatBitWidth() / 8 : 0;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return ElementsAttr(dense.reshape(newType));
    // A dense grid stays dense, of whole-byte elements through its bytes
    // (MXFP4's E8M0 scales: 1.8M a layer, an attribute an element before).
    if (bytes) {
      std::vector<char> out(bytes->size());
      transposeElements(reinterpret_cast<const uint8_t *>(bytes->data()),
                        reinterpret_cast<uint8_t *>(out.data()), rows, cols, width);
      return ElementsAttr(DenseElementsAttr::getFromRawBuffer(newType, out));
    }
    SmallVector<Attribute> values(dense.getValues<Attribute>());
    SmallVector<Attribute> out(values.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        out[c * rows + r] = values[r * cols + c];
    return ElementsAttr(DenseElementsAttr::get(newType, out));
  }
  if (!bytes)
    return failure();
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(bytes->size(), alignof(uint8_t));
  transposeElements(reinterpret_cast<const uint8_t *>(bytes->data()),
                    reinterpret_cast<uint8_t *>(blob.getMutableData().data()), rows, cols, width);
  return ElementsAttr(DenseResourceElementsAttr::get(newType, "qcc_transposed_params",
                                                     std::move(blob)));
}

} // namespace

FailureOr<ConstantOp> qcc::lowbit::transposeConstant(OpBuilder &b, ConstantOp constant) {
  QTensorType type = constant.getType();
  SchemeAttr scheme = type.getScheme();
  if (type.getLayoutKind() != LayoutKind::row_major || scheme.hasCodebook() ||
      type.getShape().size() != 2 || !type.getStorageType().isIntOrFloat())
    return failure();
  unsigned bits = type.getStorageType().getIntOrFloatBitWidth();
  if (bits > 8)
    return failure();
  int64_t k = type.getShape()[0], n = type.getShape()[1];
  // The codes read in place and written straight into the new blob.
  std::optional<std::vector<uint8_t>> copied;
  std::optional<ArrayRef<uint8_t>> packed = constantBytesOrCopy(constant.getStorage(), copied);
  size_t bytes = qcc::formats::packedBitsByteCount(size_t(k * n), bits);
  if (!packed || packed->size() != bytes)
    return failure();
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(bytes, alignof(uint8_t));
  auto *out = reinterpret_cast<uint8_t *>(blob.getMutableData().data());
  if (bits == 8) {
    transposeElements(packed->data(), out, k, n, 1);
  } else if (bits == 4 && k % 2 == 0 && n % 2 == 0) {
    transposeNibbles(packed->data(), out, k, n);
  } else {
    std::vector<uint8_t> codes(size_t(k * n)), transposed(size_t(k * n));
    qcc::formats::unpackBits(packed->data(), codes.size(), bits, codes.data());
    transposeElements(codes.data(), transposed.data(), k, n, 1);
    qcc::formats::packBits(transposed.data(), transposed.size(), bits, out);
  }
  auto storageType = RankedTensorType::get({int64_t(bytes)}, b.getI8Type());
  ElementsAttr storage =
      DenseResourceElementsAttr::get(storageType, "qcc_transposed_codes", std::move(blob));

  std::optional<int64_t> axis = scheme.getAxis();
  SmallVector<int64_t> block(scheme.getBlock());
  if (axis)
    axis = 1 - *axis;
  if (block.size() == 2)
    std::swap(block[0], block[1]);
  auto newScheme = SchemeAttr::get(b.getContext(), scheme.getGranularity(), axis, block,
                                   scheme.getScale(), scheme.getZeroPoint(),
                                   scheme.getTensorScale(), scheme.getCodebook(),
                                   scheme.getCodebookAxis());
  auto newType = QTensorType::get(b.getContext(), {n, k}, type.getStorageType(), newScheme,
                                  type.getLayout());
  ElementsAttr scales, zeros;
  if (ElementsAttr s = constant.getScalesAttr()) {
    FailureOr<ElementsAttr> t = transposeGrid(s);
    if (failed(t))
      return failure();
    scales = *t;
  }
  if (ElementsAttr z = constant.getZeroPointsAttr()) {
    FailureOr<ElementsAttr> t = transposeGrid(z);
    if (failed(t))
      return failure();
    zeros = *t;
  }
  return ConstantOp::create(b, constant.getLoc(), newType, storage, scales, zeros,
                            constant.getTensorScaleAttr(), ElementsAttr());
}

std::optional<std::pair<ConstantOp, bool>> qcc::lowbit::weightOf(linalg::MatmulOp op) {
  Value rhs = op.getDpsInputs()[1];
  bool transposed = false;
  if (auto transpose = rhs.getDefiningOp<linalg::TransposeOp>()) {
    if (transpose.getPermutation() != ArrayRef<int64_t>{1, 0})
      return std::nullopt;
    rhs = transpose.getInput();
    transposed = true;
  }
  auto dequantize = rhs.getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return std::nullopt;
  auto constant = dequantize.getInput().getDefiningOp<ConstantOp>();
  if (!constant || constant.getType().getShape().size() != 2)
    return std::nullopt;
  return std::make_pair(constant, transposed);
}

bool qcc::lowbit::isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getDpsInputs()[0], m_AnyZeroFloat());
}

void qcc::lowbit::eraseDeadFeeders(RewriterBase &rewriter, ArrayRef<Operation *> feeding) {
  SmallVector<Operation *> worklist(feeding);
  while (!worklist.empty()) {
    Operation *dead = worklist.pop_back_val();
    if (!dead || !dead->use_empty() || !isPure(dead))
      continue;
    for (Value operand : dead->getOperands())
      worklist.push_back(operand.getDefiningOp());
    rewriter.eraseOp(dead);
  }
}

namespace {

struct FuseDequantPass final : qcc::impl::FuseDequantPassBase<FuseDequantPass> {
  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> candidates;
    getOperation()->walk([&](linalg::MatmulOp op) {
      if (op.hasUserDefinedMaps() || !op.hasPureTensorSemantics())
        return;
      if (!weightOf(op) || !isZeroFill(op.getDpsInits()[0]))
        return;
      auto lhs = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
      auto result = cast<RankedTensorType>(op.getResultTypes()[0]);
      if (!lhs || !isa<FloatType>(lhs.getElementType()) ||
          !isa<FloatType>(result.getElementType()))
        return;
      candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    qcc::BlobReleaser releaser(getOperation());
    for (linalg::MatmulOp op : candidates) {
      // QDQ activations and int8 weights: the integer product.
      if (isIntegerQdqMatmul(op)) {
        fuseIntegerQdqMatmul(rewriter, op);
        continue;
      }
      auto [constant, isTransposed] = *weightOf(op);
      rewriter.setInsertionPoint(op);
      // [N, K] already (Gemm transB: B = transpose(dequantize(W))), or
      // transposed here.
      Value weight = constant.getResult();
      SmallVector<DenseResourceElementsAttr> rowMajor;
      if (!isTransposed) {
        FailureOr<ConstantOp> transposed = transposeConstant(rewriter, constant);
        if (failed(transposed))
          continue;
        weight = transposed->getResult();
        rowMajor = qcc::resourcesOf(constant);
      }
      auto matmul = MatmulOp::create(rewriter, op.getLoc(), op.getResultTypes()[0],
                                     op.getDpsInputs()[0], weight, Value(),
                                     /*transpose_rhs=*/true);
      Operation *feeding[] = {op.getDpsInputs()[1].getDefiningOp(),
                              op.getDpsInits()[0].getDefiningOp()};
      rewriter.replaceOp(op, matmul.getResult());
      // What fed only this matmul goes: transpose, dequantize, the [K, N]
      // constant, the zero fill.
      eraseDeadFeeders(rewriter, feeding);
      // The [K, N] codes and scales go now where nothing else reads them,
      // not at the pass's end (compile memory: one layer twice, not all).
      releaser.erased(rowMajor);
    }
    SmallVector<Operation *> convs;
    getOperation()->walk([&](Operation *op) {
      if (isFusibleDequantConv(op))
        convs.push_back(op);
    });
    for (Operation *conv : convs)
      fuseDequantConv(rewriter, conv);
  }
};

} // namespace
