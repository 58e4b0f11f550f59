//===- Int8DotMatmul.cpp - matmul on int8 activations and packed codes --===//
//
// Layout of the work, for a weight row n and an activation row m:
//
//   y[m, n] = sum_b s_w[n, b] s_a[m, b] (sum_{k in b} u[n, k] q[m, k]
//                                        - z[n, b] sum_{k in b} q[m, k])
//
// with u the unsigned code (signed codes are flipped to unsigned by xor-ing
// their sign bit, which adds 2^(bits-1) to code and zero point alike), q the
// activation quantized to int8 with the max-abs scale s_a of its block.
//
// A row of packed codes is read `chunkBytes` (C) bytes at a time; byte i of
// a chunk holds the codes of elements i * P + j (P = 8 / bits codes a byte,
// field j at bit j * bits). Activations are stored reordered so that the
// C activations meeting field j of the C bytes are contiguous: position
// j * C + i of the chunk holds element i * P + j. Then one vector load of
// weights, P shift-and-mask ops and P byte-dot instructions do C * P
// multiply-adds, with no shuffles in the inner loop.
//
//===----------------------------------------------------------------------===//

#include "Int8DotMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace qcc::lowbit;

llvm::StringRef qcc::lowbit::stringifyByteDot(ByteDot dot) {
  switch (dot) {
  case ByteDot::Vnni512:
    return "avx512-vnni vpdpbusd zmm";
  case ByteDot::Vnni256:
    return "vnni vpdpbusd ymm";
  case ByteDot::Madd512:
    return "avx512bw vpmaddubsw zmm";
  case ByteDot::Madd256:
    return "avx2 vpmaddubsw ymm";
  case ByteDot::Portable:
    return "portable vector";
  }
  return "";
}

llvm::StringSet<> qcc::lowbit::targetFeaturesOf(Operation *op) {
  llvm::StringSet<> features;
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  if (!module)
    return features;
  auto attr = module->getAttrOfType<StringAttr>("qcc.target_features");
  if (!attr)
    return features;
  SmallVector<StringRef> parts;
  attr.getValue().split(parts, ',', -1, false);
  for (StringRef part : parts)
    if (part.consume_front("+"))
      features.insert(part.trim());
  return features;
}

std::optional<Int8DotPlan>
qcc::lowbit::planInt8Dot(QTensorType type, Type lhsType, Type resultType,
                         bool transposed, const llvm::StringSet<> &features,
                         std::string &whyNot) {
  auto fail = [&](const llvm::Twine &why) -> std::optional<Int8DotPlan> {
    whyNot = why.str();
    return std::nullopt;
  };
  if (!transposed)
    return fail("weights are not stored [N, K]");
  auto lhs = dyn_cast<RankedTensorType>(lhsType);
  if (!lhs || !lhs.hasStaticShape() || !lhs.getElementType().isF32() ||
      lhs.getRank() < 1)
    return fail("activations are not a static f32 tensor");
  auto result = dyn_cast<RankedTensorType>(resultType);
  if (!result || !result.getElementType().isF32())
    return fail("the result is not f32");
  SchemeAttr scheme = type.getScheme();
  auto storage = dyn_cast<IntegerType>(type.getStorageType());
  if (!storage)
    return fail("codes are not integers");
  Int8DotPlan plan;
  plan.bits = storage.getWidth();
  plan.signedCodes = !storage.isUnsigned();
  if (plan.bits != 1 && plan.bits != 2 && plan.bits != 4 && plan.bits != 8)
    return fail(llvm::Twine(plan.bits) + "-bit codes do not tile a byte");
  if (plan.signedCodes && plan.bits == 1)
    return fail("signed 1-bit codes");
  if (scheme.hasCodebook() || scheme.getTensorScale())
    return fail("codebooks and tensor scales decode through tables");
  if (type.getLayoutKind() != LayoutKind::row_major)
    return fail("the layout is not row_major");
  auto scale = dyn_cast_or_null<FloatType>(scheme.getScale());
  if (!scale || scale.getWidth() < 16)
    return fail("scales are not 16- or 32-bit floats");
  if (scheme.getZeroPoint() && !isa<IntegerType>(scheme.getZeroPoint()))
    return fail("zero points are floats");
  int64_t k = type.getShape()[1];
  if (lhs.getShape().back() != k)
    return fail("activations and weights disagree on K");
  switch (scheme.getGranularity()) {
  case Granularity::per_tensor:
    plan.block = k;
    break;
  case Granularity::per_axis:
    if (*scheme.getAxis() != 0)
      return fail("scales are per column of K");
    plan.block = k;
    break;
  case Granularity::per_block:
    if (scheme.getBlock()[0] != 1)
      return fail("scale blocks span several rows");
    plan.block = scheme.getBlock()[1];
    break;
  }
  if (k % plan.block != 0 || (plan.block * plan.bits) % 8 != 0)
    return fail("blocks do not divide K into whole bytes");
  int64_t blockBytes = plan.block * plan.bits / 8;
  auto has = [&](llvm::StringRef f) { return features.contains(f); };
  bool narrow = plan.bits <= 4; // pmaddubsw's i16 pairs cannot overflow
  if (has("avx512vnni") && blockBytes % 64 == 0) {
    plan.dot = ByteDot::Vnni512;
    plan.chunkBytes = 64;
  } else if (((has("avx512vnni") && has("avx512vl")) || has("avxvnni")) &&
             blockBytes % 32 == 0) {
    plan.dot = ByteDot::Vnni256;
    plan.chunkBytes = 32;
  } else if (has("avx512bw") && narrow && blockBytes % 64 == 0) {
    plan.dot = ByteDot::Madd512;
    plan.chunkBytes = 64;
  } else if (has("avx2") && narrow && blockBytes % 32 == 0) {
    plan.dot = ByteDot::Madd256;
    plan.chunkBytes = 32;
  } else {
    plan.dot = ByteDot::Portable;
    for (int64_t c : {64, 32, 16})
      if (blockBytes % c == 0) {
        plan.chunkBytes = c;
        break;
      }
    if (!plan.chunkBytes)
      return fail("a block is " + llvm::Twine(blockBytes) +
                  " bytes, not a multiple of 16");
  }
  return plan;
}

namespace {

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const Int8DotPlan &plan)
      : b(b), loc(loc), plan(plan), perByte(8 / plan.bits),
        chunkElems(plan.chunkBytes * perByte) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  Value splat(VectorType type, int64_t v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getIntegerAttr(type.getElementType(), v)));
  }
  Value splatF(VectorType type, double v) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getFloatAttr(type.getElementType(), v)));
  }

  Value toBuffer(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    auto memref = MemRefType::get(type.getShape(), type.getElementType());
    return bufferization::ToBufferOp::create(b, loc, memref, tensor,
                                             /*read_only=*/true);
  }

  /// Quantizes x[m, :] per block into xq (reordered), its scale and code sum.
  void buildActivationPrep(Value x, Value xq, Value aScale, Value aSum,
                           int64_t m, int64_t blocks);
  /// The kernel proper over weight rows n in parallel.
  void buildDotLoops(Value xq, Value aScale, Value aSum, const QTensorParts &w,
                     Value codes, Value scales, Value zeros, Value out,
                     int64_t m, int64_t n, int64_t k, int64_t blocks);

private:
  Value byteDot(OpBuilder &ob, Value acc, Value codes, Value acts);
  Value loadParam(OpBuilder &ob, Value params, Value n, Value blockIndex);

  OpBuilder &b;
  Location loc;
  const Int8DotPlan &plan;
  int64_t perByte;
  int64_t chunkElems;
};

void KernelBuilder::buildActivationPrep(Value x, Value xq, Value aScale,
                                        Value aSum, int64_t m, int64_t blocks) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto fvec = VectorType::get({chunkElems}, f32);
  auto ivec = VectorType::get({chunkElems}, i32);
  auto bvec = VectorType::get({chunkElems}, b.getI8Type());
  int64_t chunks = plan.block / chunkElems;
  // Position j * C + i of a chunk takes element i * P + j.
  SmallVector<int64_t> order(chunkElems);
  for (int64_t j = 0; j < perByte; ++j)
    for (int64_t i = 0; i < plan.chunkBytes; ++i)
      order[j * plan.chunkBytes + i] = i * perByte + j;
  Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value zeroI = arith::ConstantIntOp::create(b, loc, i32, 0);
  Value qmax = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(127.0f));
  scf::ForOp::create(
      b, loc, index(0), index(m), index(1), ValueRange{},
      [&](OpBuilder &rb, Location l, Value row, ValueRange) {
        scf::ForOp::create(
            rb, l, index(0), index(blocks), index(1), ValueRange{},
            [&](OpBuilder &bb, Location bl, Value blk, ValueRange) {
              Value base = arith::MulIOp::create(bb, bl, blk, index(plan.block));
              auto chunkStart = [&](OpBuilder &cb, Value c) {
                return arith::AddIOp::create(
                    cb, bl, base, arith::MulIOp::create(cb, bl, c, index(chunkElems)));
              };
              auto amaxLoop = scf::ForOp::create(
                  bb, bl, index(0), index(chunks), index(1), ValueRange{zeroF},
                  [&](OpBuilder &cb, Location cl, Value c, ValueRange it) {
                    Value v = vector::LoadOp::create(cb, cl, fvec, x,
                                                     ValueRange{row, chunkStart(cb, c)});
                    Value r = vector::ReductionOp::create(
                        cb, cl, vector::CombiningKind::MAXNUMF,
                        math::AbsFOp::create(cb, cl, v));
                    scf::YieldOp::create(cb, cl,
                                         ValueRange{arith::MaxNumFOp::create(cb, cl, it[0], r)});
                  });
              Value amax = amaxLoop.getResult(0);
              Value positive = arith::CmpFOp::create(bb, bl, arith::CmpFPredicate::OGT,
                                                     amax, zeroF);
              Value inv = arith::SelectOp::create(
                  bb, bl, positive, arith::DivFOp::create(bb, bl, qmax, amax), zeroF);
              memref::StoreOp::create(bb, bl, arith::DivFOp::create(bb, bl, amax, qmax),
                                      aScale, ValueRange{row, blk});
              Value invVec = vector::BroadcastOp::create(bb, bl, fvec, inv);
              auto sumLoop = scf::ForOp::create(
                  bb, bl, index(0), index(chunks), index(1), ValueRange{zeroI},
                  [&](OpBuilder &cb, Location cl, Value c, ValueRange it) {
                    Value start = chunkStart(cb, c);
                    Value v = vector::LoadOp::create(cb, cl, fvec, x, ValueRange{row, start});
                    Value scaled = math::RoundEvenOp::create(
                        cb, cl, arith::MulFOp::create(cb, cl, v, invVec));
                    Value q = arith::FPToSIOp::create(cb, cl, ivec, scaled);
                    Value sum = vector::ReductionOp::create(cb, cl, vector::CombiningKind::ADD, q);
                    Value bytes = arith::TruncIOp::create(cb, cl, bvec, q);
                    if (perByte > 1)
                      bytes = vector::ShuffleOp::create(cb, cl, bytes, bytes,
                                                        cb.getDenseI64ArrayAttr(order));
                    vector::StoreOp::create(cb, cl, bytes, xq, ValueRange{row, start});
                    scf::YieldOp::create(cb, cl,
                                         ValueRange{arith::AddIOp::create(cb, cl, it[0], sum)});
                  });
              memref::StoreOp::create(
                  bb, bl, arith::SIToFPOp::create(bb, bl, f32, sumLoop.getResult(0)),
                  aSum, ValueRange{row, blk});
              scf::YieldOp::create(bb, bl);
            });
        scf::YieldOp::create(rb, l);
      });
}

Value KernelBuilder::byteDot(OpBuilder &ob, Value acc, Value codes, Value acts) {
  llvm::StringRef instruction = "portable";
  if (plan.dot == ByteDot::Vnni512 || plan.dot == ByteDot::Vnni256)
    instruction = "vpdpbusd";
  else if (plan.dot == ByteDot::Madd512 || plan.dot == ByteDot::Madd256)
    instruction = "pmaddubsw";
  return ByteDotOp::create(ob, loc, acc.getType(), acc, codes, acts,
                           ob.getStringAttr(instruction));
}

/// A scale or zero point of row n, block `blockIndex` as f32: parameter
/// tensors are rank 0 (per tensor), [N] (per row) or [N, blocks].
Value KernelBuilder::loadParam(OpBuilder &ob, Value params, Value n, Value blockIndex) {
  auto type = cast<MemRefType>(params.getType());
  SmallVector<Value> indices;
  if (type.getRank() >= 1)
    indices.push_back(type.getShape()[0] == 1 ? Value(arith::ConstantIndexOp::create(ob, loc, 0)) : n);
  if (type.getRank() == 2)
    indices.push_back(blockIndex);
  return memref::LoadOp::create(ob, loc, params, indices);
}

void KernelBuilder::buildDotLoops(Value xq, Value aScale, Value aSum,
                                  const QTensorParts &w, Value codes,
                                  Value scales, Value zeros, Value out,
                                  int64_t m, int64_t n, int64_t k, int64_t blocks) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), i8 = b.getI8Type();
  bool x86 = plan.dot != ByteDot::Portable;
  int64_t lanes = x86 ? plan.chunkBytes / 4 : plan.chunkBytes;
  auto accType = VectorType::get({lanes}, i32);
  auto faccType = VectorType::get({lanes}, f32);
  auto byteType = VectorType::get({plan.chunkBytes}, i8);
  int64_t rowBytes = k * plan.bits / 8, blockBytes = plan.block * plan.bits / 8;
  int64_t chunks = blockBytes / plan.chunkBytes;
  // Unsigned view of signed codes: flip each field's sign bit.
  int64_t signFlip = 0;
  if (plan.signedCodes)
    for (int64_t j = 0; j < perByte; ++j)
      signFlip |= int64_t(1) << (j * plan.bits + plan.bits - 1);
  int64_t zeroBias = plan.signedCodes ? (int64_t(1) << (plan.bits - 1)) : 0;
  bool zpSigned = zeros && !cast<IntegerType>(w.type.getScheme().getZeroPoint()).isUnsigned();
  bool needCorrection = zeros || plan.signedCodes;
  scf::ParallelOp::create(
      b, loc, ValueRange{index(0)}, ValueRange{index(n)}, ValueRange{index(1)},
      [&](OpBuilder &pb, Location l, ValueRange ivs) {
        Value col = ivs[0];
        auto idx = [&](OpBuilder &ob, int64_t v) {
          return arith::ConstantIndexOp::create(ob, l, v);
        };
        Value rowBase = arith::MulIOp::create(pb, l, col, idx(pb, rowBytes));
        scf::ForOp::create(
            pb, l, idx(pb, 0), idx(pb, m), idx(pb, 1), ValueRange{},
            [&](OpBuilder &mb, Location ml, Value row, ValueRange) {
              Value zeroAcc = arith::ConstantOp::create(mb, ml, mb.getZeroAttr(faccType));
              Value zeroF = arith::ConstantOp::create(mb, ml, mb.getF32FloatAttr(0.0f));
              auto blockLoop = scf::ForOp::create(
                  mb, ml, idx(mb, 0), idx(mb, blocks), idx(mb, 1),
                  ValueRange{zeroAcc, zeroF},
                  [&](OpBuilder &bb, Location bl, Value blk, ValueRange it) {
                    Value blockByte = arith::AddIOp::create(
                        bb, bl, rowBase, arith::MulIOp::create(bb, bl, blk, idx(bb, blockBytes)));
                    Value blockElem = arith::MulIOp::create(bb, bl, blk, idx(bb, plan.block));
                    Value zeroI = arith::ConstantOp::create(bb, bl, bb.getZeroAttr(accType));
                    auto chunkLoop = scf::ForOp::create(
                        bb, bl, idx(bb, 0), idx(bb, chunks), idx(bb, 1), ValueRange{zeroI},
                        [&](OpBuilder &cb, Location cl, Value c, ValueRange acc) {
                          Value byteOff = arith::AddIOp::create(
                              cb, cl, blockByte,
                              arith::MulIOp::create(cb, cl, c, idx(cb, plan.chunkBytes)));
                          Value elemOff = arith::AddIOp::create(
                              cb, cl, blockElem,
                              arith::MulIOp::create(cb, cl, c, idx(cb, chunkElems)));
                          Value word = vector::LoadOp::create(cb, cl, byteType, codes,
                                                              ValueRange{byteOff});
                          if (signFlip)
                            word = arith::XOrIOp::create(cb, cl, word,
                                                         splat(byteType, int8_t(signFlip)));
                          Value sum = acc[0];
                          for (int64_t j = 0; j < perByte; ++j) {
                            Value field = word;
                            if (j > 0)
                              field = arith::ShRUIOp::create(
                                  cb, cl, field, splat(byteType, j * plan.bits));
                            if (j + 1 < perByte)
                              field = arith::AndIOp::create(
                                  cb, cl, field,
                                  splat(byteType, (int64_t(1) << plan.bits) - 1));
                            Value actOff = arith::AddIOp::create(
                                cb, cl, elemOff, idx(cb, j * plan.chunkBytes));
                            Value acts = vector::LoadOp::create(cb, cl, byteType, xq,
                                                                ValueRange{row, actOff});
                            sum = byteDot(cb, sum, field, acts);
                          }
                          scf::YieldOp::create(cb, cl, ValueRange{sum});
                        });
                    Value ws = loadParam(bb, scales, col, blk);
                    if (!ws.getType().isF32())
                      ws = arith::ExtFOp::create(bb, bl, f32, ws);
                    Value as = memref::LoadOp::create(bb, bl, aScale, ValueRange{row, blk});
                    Value s = arith::MulFOp::create(bb, bl, ws, as);
                    Value dots = arith::SIToFPOp::create(bb, bl, faccType, chunkLoop.getResult(0));
                    Value facc = vector::FMAOp::create(
                        bb, bl, faccType, dots, vector::BroadcastOp::create(bb, bl, faccType, s), it[0]);
                    Value corr = it[1];
                    if (needCorrection) {
                      Value z = arith::ConstantOp::create(bb, bl, bb.getF32FloatAttr(zeroBias));
                      if (zeros) {
                        Value zp = loadParam(bb, zeros, col, blk);
                        Value zpI = zpSigned
                                        ? Value(arith::ExtSIOp::create(bb, bl, i32, zp))
                                        : Value(arith::ExtUIOp::create(bb, bl, i32, zp));
                        z = arith::AddFOp::create(bb, bl, z,
                                                  arith::SIToFPOp::create(bb, bl, f32, zpI));
                      }
                      Value sums = memref::LoadOp::create(bb, bl, aSum, ValueRange{row, blk});
                      corr = math::FmaOp::create(
                          bb, bl, arith::MulFOp::create(bb, bl, s, z), sums, corr);
                    }
                    scf::YieldOp::create(bb, bl, ValueRange{facc, corr});
                  });
              Value total = vector::ReductionOp::create(
                  mb, ml, vector::CombiningKind::ADD, blockLoop.getResult(0),
                  arith::FastMathFlags::reassoc);
              Value y = arith::SubFOp::create(mb, ml, total, blockLoop.getResult(1));
              memref::StoreOp::create(mb, ml, y, out, ValueRange{row, col});
              scf::YieldOp::create(mb, ml);
            });
      });
}

} // namespace

Value qcc::lowbit::buildInt8DotMatmul(OpBuilder &b, Location loc, Value lhs,
                                      const QTensorParts &weight,
                                      const Int8DotPlan &plan,
                                      RankedTensorType resultType) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t k = lhsType.getShape().back();
  int64_t m = lhsType.getNumElements() / k;
  int64_t n = weight.type.getShape()[0];
  int64_t blocks = k / plan.block;
  Type f32 = b.getF32Type();
  KernelBuilder kb(b, loc, plan);

  // Rows of the activation as one [M, K] matrix.
  Value x2 = lhs;
  if (lhsType.getRank() != 2) {
    auto flat = RankedTensorType::get({m, k}, f32);
    SmallVector<ReassociationIndices> groups(2);
    if (lhsType.getRank() == 1) {
      groups = {{0, 1}};
      x2 = tensor::ExpandShapeOp::create(b, loc, flat, lhs, groups);
    } else {
      for (int64_t i = 0; i + 1 < lhsType.getRank(); ++i)
        groups[0].push_back(i);
      groups[1].push_back(lhsType.getRank() - 1);
      x2 = tensor::CollapseShapeOp::create(b, loc, flat, lhs, groups);
    }
  }
  Value x = kb.toBuffer(x2);
  Value codes = kb.toBuffer(weight.codes);
  Value scales = kb.toBuffer(weight.scales);
  Value zeros = weight.zeroPoints ? kb.toBuffer(weight.zeroPoints) : Value();

  Value xq = memref::AllocOp::create(b, loc, MemRefType::get({m, k}, b.getI8Type()));
  Value aScale = memref::AllocOp::create(b, loc, MemRefType::get({m, blocks}, f32));
  Value aSum = memref::AllocOp::create(b, loc, MemRefType::get({m, blocks}, f32));
  Value out = memref::AllocOp::create(b, loc, MemRefType::get({m, n}, f32));
  kb.buildActivationPrep(x, xq, aScale, aSum, m, blocks);
  kb.buildDotLoops(xq, aScale, aSum, weight, codes, scales, zeros, out, m, n, k, blocks);

  Value result = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get({m, n}, f32), out, /*restrict=*/true,
      /*writable=*/true);
  if (resultType.getShape() == ArrayRef<int64_t>{m, n})
    return result;
  SmallVector<ReassociationIndices> groups(2);
  if (resultType.getRank() == 1)
    return tensor::CollapseShapeOp::create(b, loc, resultType, result,
                                           ArrayRef<ReassociationIndices>{{0, 1}});
  for (int64_t i = 0; i + 1 < resultType.getRank(); ++i)
    groups[0].push_back(i);
  groups[1].push_back(resultType.getRank() - 1);
  return tensor::ExpandShapeOp::create(b, loc, resultType, result, groups);
}
