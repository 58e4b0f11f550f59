//===- RangeKernel.cpp - a tensor's range for dynamic quantization ------===//
//
//   parallel over chunks p of the flattened tensor:
//     hi = lo = 0 (vectors of 32 lanes: 4 ymm / 2 zmm registers each, so
//                  consecutive maxima do not wait on each other)
//     for each vector v of the chunk:       hi = maximum(hi, v),
//                                           lo = minimum(lo, v)
//     maxima[p] = hi, minima[p] = lo
//
// The caller reduces the [chunks, 32] parts and the tail to scalars.
//
//===----------------------------------------------------------------------===//

#include "RangeKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace qcc::lowbit {

namespace {
constexpr int64_t kLanes = 32;
// Below this many elements one serial linalg reduction is cheaper than a
// parallel region.
constexpr int64_t kMinElements = 1 << 14;
// Elements per chunk at least (a thread's share should outweigh its
// hand-off), and at most this many chunks (the combine is serial).
constexpr int64_t kMinChunkElements = 1 << 14;
constexpr int64_t kMaxChunks = 64;
} // namespace

std::optional<RangeParts> buildRangeParts(OpBuilder &b, Location loc, Value input) {
  // A range is the same for any order of the elements: read what a
  // transpose or reshape reads, so the transpose keeps its one use and
  // qcc-sink-transposes can move it below the quantization (the NCHW f32
  // copy of a conv's NHWC product, and the codes' copy back, go).
  while (Operation *producer = input.getDefiningOp()) {
    if (auto transpose = dyn_cast<linalg::TransposeOp>(producer))
      input = transpose.getInput();
    else if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(producer))
      input = producer->getOperand(0);
    else
      break;
  }
  auto type = dyn_cast<RankedTensorType>(input.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  int64_t total = type.getNumElements();
  if (total < kMinElements)
    return std::nullopt;
  int64_t vectors = total / kLanes;
  int64_t chunks = std::clamp<int64_t>(total / kMinChunkElements, 1, kMaxChunks);
  int64_t chunkVectors = (vectors + chunks - 1) / chunks;
  chunks = (vectors + chunkVectors - 1) / chunkVectors;

  Type f32 = b.getF32Type();
  auto index = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, loc, v); };
  Value flat = input;
  if (type.getRank() != 1) {
    SmallVector<ReassociationIndices> all(1);
    for (int64_t i = 0; i < type.getRank(); ++i)
      all[0].push_back(i);
    flat = tensor::CollapseShapeOp::create(b, loc, RankedTensorType::get({total}, f32), input, all);
  }
  Value buffer = bufferization::ToBufferOp::create(b, loc, MemRefType::get({total}, f32), flat,
                                                   /*read_only=*/true);
  auto partsType = MemRefType::get({chunks, kLanes}, f32);
  Value maxima = memref::AllocOp::create(b, loc, partsType);
  Value minima = memref::AllocOp::create(b, loc, partsType);
  auto vec = VectorType::get({kLanes}, f32);
  Value zeros = arith::ConstantOp::create(b, loc, b.getZeroAttr(vec));
  int64_t chunkElements = chunkVectors * kLanes, wholeElements = vectors * kLanes;
  scf::ParallelOp::create(
      b, loc, ValueRange{index(0)}, ValueRange{index(chunks)}, ValueRange{index(1)},
      [&](OpBuilder &pb, Location, ValueRange ivs) {
        // Every chunk is whole: the last one ends at the last whole vector
        // and overlaps the one before (maximum and minimum do not mind
        // seeing an element twice). The loop's trip count stays a constant,
        // which the parallel outliner weighs.
        Value start = arith::MinSIOp::create(
            pb, loc, arith::MulIOp::create(pb, loc, ivs[0], index(chunkElements)),
            index(wholeElements - chunkElements));
        auto loop = scf::ForOp::create(
            pb, loc, index(0), index(chunkElements), index(kLanes), ValueRange{zeros, zeros},
            [&](OpBuilder &lb, Location, Value j, ValueRange extremes) {
              Value i = arith::AddIOp::create(lb, loc, start, j);
              Value v = vector::LoadOp::create(lb, loc, vec, buffer, ValueRange{i});
              Value hi = arith::MaximumFOp::create(lb, loc, extremes[0], v);
              Value lo = arith::MinimumFOp::create(lb, loc, extremes[1], v);
              scf::YieldOp::create(lb, loc, ValueRange{hi, lo});
            });
        vector::StoreOp::create(pb, loc, loop.getResult(0), maxima, ValueRange{ivs[0], index(0)});
        vector::StoreOp::create(pb, loc, loop.getResult(1), minima, ValueRange{ivs[0], index(0)});
      });
  auto partsTensor = RankedTensorType::get({chunks, kLanes}, f32);
  RangeParts parts;
  parts.maxima = bufferization::ToTensorOp::create(b, loc, partsTensor, maxima,
                                                   /*restrict=*/true, /*writable=*/true);
  parts.minima = bufferization::ToTensorOp::create(b, loc, partsTensor, minima,
                                                   /*restrict=*/true, /*writable=*/true);
  if (wholeElements < total)
    parts.tail = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({total - wholeElements}, f32), flat,
        ValueRange{}, ValueRange{}, ValueRange{}, b.getDenseI64ArrayAttr({wholeElements}),
        b.getDenseI64ArrayAttr({total - wholeElements}), b.getDenseI64ArrayAttr({1}));
  return parts;
}

} // namespace qcc::lowbit
