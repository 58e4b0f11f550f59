//===- KernelSupport.cpp - what the matmul kernel builders share --------===//

#include "KernelSupport.h"
#include "Int8DotMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;

std::optional<std::string> qcc::lowbit::matmulOperandsWhyNot(QTensorType weight, Type lhsType,
                                                             Type resultType, bool transposed) {
  if (!transposed)
    return std::string("weights are not stored [N, K]");
  auto lhs = dyn_cast<RankedTensorType>(lhsType);
  if (!lhs || !lhs.hasStaticShape() || !lhs.getElementType().isF32() || lhs.getRank() < 1)
    return std::string("activations are not a static f32 tensor");
  auto result = dyn_cast<RankedTensorType>(resultType);
  if (!result || !result.getElementType().isF32())
    return std::string("the result is not f32");
  if (weight.getRank() != 2 || lhs.getShape().back() != weight.getShape()[1])
    return std::string("activations and weights disagree on K");
  return std::nullopt;
}

std::optional<int64_t> qcc::lowbit::scaleBlockAlongK(SchemeAttr scheme, int64_t k,
                                                     std::string &whyNot) {
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    return k;
  case Granularity::per_axis:
    if (*scheme.getAxis() == 0)
      return k;
    whyNot = "scales are per column of K";
    return std::nullopt;
  case Granularity::per_block:
    if (scheme.getBlock()[0] == 1)
      return scheme.getBlock()[1];
    whyNot = "scale blocks span several rows";
    return std::nullopt;
  }
  return std::nullopt;
}

Value qcc::lowbit::rowsAsMatrix(OpBuilder &b, Location loc, Value lhs) {
  auto type = cast<RankedTensorType>(lhs.getType());
  int64_t k = type.getShape().back();
  auto flat = RankedTensorType::get({type.getNumElements() / k, k}, type.getElementType());
  if (type.getRank() == 2)
    return lhs;
  if (type.getRank() == 1)
    return tensor::ExpandShapeOp::create(b, loc, flat, lhs,
                                         ArrayRef<ReassociationIndices>{{0, 1}});
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    groups[0].push_back(i);
  groups[1].push_back(type.getRank() - 1);
  return tensor::CollapseShapeOp::create(b, loc, flat, lhs, groups);
}

Value qcc::lowbit::matrixAsResult(OpBuilder &b, Location loc, Value out,
                                  RankedTensorType resultType) {
  auto outType = cast<MemRefType>(out.getType());
  Value result = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(outType.getShape(), outType.getElementType()), out,
      /*restrict=*/true, /*writable=*/true);
  if (resultType.getShape() == outType.getShape())
    return result;
  if (resultType.getRank() == 1)
    return tensor::CollapseShapeOp::create(b, loc, resultType, result,
                                           ArrayRef<ReassociationIndices>{{0, 1}});
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i + 1 < resultType.getRank(); ++i)
    groups[0].push_back(i);
  groups[1].push_back(resultType.getRank() - 1);
  return tensor::ExpandShapeOp::create(b, loc, resultType, result, groups);
}

Value qcc::lowbit::IndexArith::index(OpBuilder &b, int64_t v) const {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value qcc::lowbit::IndexArith::add(OpBuilder &b, Value x, Value y) const {
  return arith::AddIOp::create(b, loc, x, y);
}

Value qcc::lowbit::IndexArith::mul(OpBuilder &b, Value x, int64_t v) const {
  return arith::MulIOp::create(b, loc, x, index(b, v));
}

Value qcc::lowbit::readOnlyBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

int64_t qcc::lowbit::streamPrefetchBytes(Operation *op) {
  return op && targetFeaturesOf(op).contains("avx512f") ? kStreamPrefetchBytesAvx512
                                                        : kStreamPrefetchBytes;
}

void qcc::lowbit::prefetchStream(OpBuilder &b, Location loc, Value stream, ValueRange indices,
                                 unsigned dim) {
  auto type = cast<MemRefType>(stream.getType());
  // Bytes one step along `dim` spans.
  int64_t stepBytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  for (int64_t d = dim + 1; d < type.getRank(); ++d)
    stepBytes *= type.getDimSize(d);
  // The loop being built may not be in the module yet; the buffer is.
  Operation *anchor = stream.getDefiningOp() ? stream.getDefiningOp()
                                             : stream.getParentBlock()->getParentOp();
  SmallVector<Value> ahead(indices);
  ahead[dim] = arith::AddIOp::create(
      b, loc, ahead[dim],
      arith::ConstantIndexOp::create(
          b, loc,
          std::max<int64_t>(1, streamPrefetchBytes(anchor) / stepBytes)));
  memref::PrefetchOp::create(b, loc, stream, ahead, /*isWrite=*/false,
                             /*localityHint=*/2, /*isDataCache=*/true);
}

scf::ForOp qcc::lowbit::buildCountedLoop(OpBuilder &b, Location loc, int64_t count,
                                         ValueRange init, LoopBody body) {
  return scf::ForOp::create(b, loc, arith::ConstantIndexOp::create(b, loc, 0),
                            arith::ConstantIndexOp::create(b, loc, count),
                            arith::ConstantIndexOp::create(b, loc, 1), init,
                            [&](OpBuilder &lb, Location, Value iv, ValueRange it) {
                              scf::YieldOp::create(lb, loc, body(lb, iv, it));
                            });
}

void qcc::lowbit::buildBlockQuantization(OpBuilder &b, Location loc, Value x, Value codes,
                                         Value scale, Value sum, int64_t m, int64_t blocks,
                                         int64_t block, float qmax) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), i8 = b.getI8Type();
  // Vectors of `width` elements: a block, or a part of one.
  int64_t width = std::min<int64_t>(block, 128);
  int64_t parts = block / width;
  auto fvec = VectorType::get({width}, f32);
  auto ivec = VectorType::get({width}, i32);
  auto bvec = VectorType::get({width}, i8);
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value zeroI = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value qmaxF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(qmax));
  auto index = [&](OpBuilder &ob, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ob, loc, v);
  };
  buildCountedLoop(b, loc, m, {}, [&](OpBuilder &rb, Value row, ValueRange) {
    buildCountedLoop(rb, loc, blocks, {}, [&](OpBuilder &bb, Value blk, ValueRange) {
      Value base = arith::MulIOp::create(bb, loc, blk, index(bb, block));
      auto partStart = [&](OpBuilder &cb, Value c) -> Value {
        return arith::AddIOp::create(cb, loc, base,
                                     arith::MulIOp::create(cb, loc, c, index(cb, width)));
      };
      // The largest |x| as the largest bit pattern of |x|: for floats with
      // the sign bit clear the integer order is the float order (NaN's
      // patterns above infinity's, so a NaN input makes the block's scale
      // NaN and the output NaN, as a float matmul would; a maxnum
      // reduction skipped the NaN, whose code then converted to 0: a
      // silently wrong output). An unsigned max reduces as a tree of
      // vpmaxud where maxnum's NaN rules made LLVM emit a scalar chain of
      // compares and blends (no measurable time at M = 1, 2 threads).
      Value amaxBits =
          buildCountedLoop(bb, loc, parts, {zeroI}, [&](OpBuilder &cb, Value c, ValueRange it) {
            Value v = vector::LoadOp::create(cb, loc, fvec, x, ValueRange{row, partStart(cb, c)});
            Value bits = vector::BitCastOp::create(cb, loc, ivec, math::AbsFOp::create(cb, loc, v));
            Value r = vector::ReductionOp::create(cb, loc, vector::CombiningKind::MAXUI, bits);
            return SmallVector<Value>{arith::MaxUIOp::create(cb, loc, it[0], r)};
          }).getResult(0);
      Value amax = arith::BitcastOp::create(bb, loc, f32, amaxBits);
      Value positive = arith::CmpFOp::create(bb, loc, arith::CmpFPredicate::OGT, amax, zeroF);
      Value inv = arith::SelectOp::create(bb, loc, positive,
                                          arith::DivFOp::create(bb, loc, qmaxF, amax), zeroF);
      memref::StoreOp::create(bb, loc, arith::DivFOp::create(bb, loc, amax, qmaxF), scale,
                              ValueRange{row, blk});
      Value invVec = vector::BroadcastOp::create(bb, loc, fvec, inv);
      Value total =
          buildCountedLoop(bb, loc, parts, {zeroI}, [&](OpBuilder &cb, Value c, ValueRange it) {
            Value start = partStart(cb, c);
            Value v = vector::LoadOp::create(cb, loc, fvec, x, ValueRange{row, start});
            Value scaled =
                math::RoundEvenOp::create(cb, loc, arith::MulFOp::create(cb, loc, v, invVec));
            Value q = arith::FPToSIOp::create(cb, loc, ivec, scaled);
            vector::StoreOp::create(cb, loc, arith::TruncIOp::create(cb, loc, bvec, q), codes,
                                    ValueRange{row, start});
            Value partSum = vector::ReductionOp::create(cb, loc, vector::CombiningKind::ADD, q);
            return SmallVector<Value>{arith::AddIOp::create(cb, loc, it[0], partSum)};
          }).getResult(0);
      memref::StoreOp::create(bb, loc, arith::SIToFPOp::create(bb, loc, f32, total), sum,
                              ValueRange{row, blk});
      return SmallVector<Value>{};
    });
    return SmallVector<Value>{};
  });
}

qcc::lowbit::QuantizedRows qcc::lowbit::quantizeRows(OpBuilder &b, Location loc, Value lhs, int64_t block,
                                        float qmax) {
  auto type = cast<RankedTensorType>(lhs.getType());
  QuantizedRows q;
  q.k = type.getShape().back();
  q.m = type.getNumElements() / q.k;
  q.blocks = q.k / block;
  Type f32 = b.getF32Type();
  Value x = readOnlyBuffer(b, loc, rowsAsMatrix(b, loc, lhs));
  q.codes = memref::AllocOp::create(b, loc, MemRefType::get({q.m, q.k}, b.getI8Type()));
  q.scale = memref::AllocOp::create(b, loc, MemRefType::get({q.m, q.blocks}, f32));
  q.sum = memref::AllocOp::create(b, loc, MemRefType::get({q.m, q.blocks}, f32));
  buildBlockQuantization(b, loc, x, q.codes, q.scale, q.sum, q.m, q.blocks, block, qmax);
  return q;
}
