//===- PackLayout.cpp - weights repacked for the kernel that reads them -===//
//
// After lowbit-select-kernels: a constant weight whose matmul runs the lut
// or the int8-gemm kernel is rewritten at compile time into that kernel's
// tiles, and its type says so (#lowbit.layout<lut_planes = [16 cols, 32 /
// bits]> or <int8_tiles = ...>), so that what the kernel reads is visible
// in the IR (`qcc --emit=lowbit`) and the lowering reads the codes as they
// are. The other kernels read the row-major codes the importer makes:
// int8-dot reorders the activations instead of the weights, the decoded
// GEMMs decode rows, and lut-ternary re-encodes its weights (pattern index
// + sign) in its builder.
//
//===----------------------------------------------------------------------===//

#include "Int8TileMatmul.h"
#include "LutMatmul.h"

#include "qcc/Passes/KernelSelection.h"
#include "qcc/Passes/Passes.h"
#include "qcc/Passes/ResourceBlobs.h"

#include "mlir/IR/DialectResourceBlobManager.h"

namespace qcc {
#define GEN_PASS_DEF_PACKLAYOUTPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc::lowbit;

namespace {

/// The twin of a row-major constant read by `matmul` in the layout of
/// `kind` (lut_planes or int8_tiles), or null where it does not apply.
ConstantOp pack(MatmulOp matmul, ConstantOp constant, LayoutKind kind,
                const llvm::StringSet<> &features) {
  QTensorType type = constant.getType();
  Type storage = type.getStorageType();
  // FP4 codes are 4-bit fields like integer ones (int8-gemm decodes them).
  bool fp4 = isa<Float4E2M1FNType>(storage) && kind == LayoutKind::int8_tiles;
  if (!matmul.getTransposeRhs() || type.getLayoutKind() != LayoutKind::row_major ||
      !(isa<IntegerType>(storage) || fp4) || type.getRank() != 2)
    return {};
  unsigned bits = storage.getIntOrFloatBitWidth();
  int64_t n = type.getShape()[0], k = type.getShape()[1];
  bool widthOk = bits == 1 || bits == 2 || bits == 4 || (kind == LayoutKind::int8_tiles && bits == 8);
  if (!widthOk || n % lut::kLanes != 0 || k % (32 / bits) != 0)
    return {};
  auto lhs = cast<ShapedType>(matmul.getLhs().getType());
  int64_t m = lhs.getNumElements() / k;
  int64_t cols = 0;
  if (kind == LayoutKind::lut_planes) {
    // The AVX2 form of the kernel (vpshufb pairs) packs its own vectors.
    std::string whyNot;
    std::optional<LutPlan> plan = planLut(type, matmul.getLhs().getType(), matmul.getType(), true,
                                          features, whyNot);
    if (!plan || plan->pshufbPairs)
      return {};
    cols = lut::tiling(m, n).cols;
  } else {
    // The tiles interleaved are those one iteration of the kernel reads,
    // which depends on the register width its instruction has.
    std::string whyNot;
    std::optional<Int8TilePlan> plan = planInt8Tiles(type, matmul.getLhs().getType(),
                                                     matmul.getType(), true, features, whyNot);
    if (!plan)
      return {};
    cols = int8TileColumns(m, n, *plan);
  }
  // The codes read where they are and packed straight into the new blob:
  // for a 1 GB model each copy of its weights costs a second or more.
  std::optional<std::vector<uint8_t>> copied;
  std::optional<ArrayRef<uint8_t>> rowMajor = constantBytesOrCopy(constant.getStorage(), copied);
  int64_t bytes = type.getPackedByteCount();
  if (!rowMajor || int64_t(rowMajor->size()) != bytes || bytes != n * k * bits / 8)
    return {};
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(bytes, 64);
  if (kind == LayoutKind::lut_planes)
    lut::packLutPlanesInto(*rowMajor, n, k, bits, cols, blob.getMutableData());
  else
    packInt8TilesInto(*rowMajor, n, k, bits, cols, bits, blob.getMutableData());
  MLIRContext *context = constant.getContext();
  auto layout = LayoutAttr::get(context, kind, {lut::kLanes * cols, int64_t(32 / bits)});
  auto packedType = QTensorType::get(context, type.getShape(), storage, type.getScheme(), layout);
  auto bytesType = RankedTensorType::get({bytes}, IntegerType::get(context, 8));
  auto storageAttr = DenseResourceElementsAttr::get(
      bytesType, kind == LayoutKind::lut_planes ? "qcc_lut_planes" : "qcc_int8_tiles",
      std::move(blob));
  OpBuilder b(constant);
  return ConstantOp::create(b, constant.getLoc(), packedType, storageAttr,
                            constant.getScalesAttr(), constant.getZeroPointsAttr(),
                            constant.getTensorScaleAttr(), constant.getCodebookAttr());
}

struct PackLayoutPass final : qcc::impl::PackLayoutPassBase<PackLayoutPass> {
  void runOnOperation() override {
    llvm::StringSet<> features = targetFeaturesOf(getOperation());
    qcc::BlobReleaser releaser(getOperation());
    getOperation()->walk([&](MatmulOp matmul) {
      auto kernel = matmul->getAttrOfType<StringAttr>(kKernelAttrName);
      auto constant = matmul.getRhs().getDefiningOp<ConstantOp>();
      if (!kernel || !constant)
        return;
      ConstantOp packed;
      if (kernel.getValue() == kKernelLut)
        packed = pack(matmul, constant, LayoutKind::lut_planes, features);
      else if (kernel.getValue() == kKernelInt8Gemm)
        packed = pack(matmul, constant, LayoutKind::int8_tiles, features);
      if (!packed)
        return;
      matmul.getRhsMutable().assign(packed);
      if (constant->use_empty()) {
        // The row-major codes go now, not at the pass's end: with them all
        // kept, a model's weights were in memory twice at the peak.
        SmallVector<DenseResourceElementsAttr> old = qcc::resourcesOf(constant);
        constant->erase();
        releaser.erased(old);
      }
    });
  }
};

} // namespace
