//===- ByteDotToLLVM.cpp - lowbit.byte_dot to machine instructions ------===//
//
// Runs after bufferization and buffer deallocation (which need pure ops):
// each lowbit.byte_dot, pair_sum, sign_bytes, blend_bytes, select_bits,
// table_lookup and value_lookup becomes the LLVM intrinsic of its
// instruction at its width, or plain vector code for `portable`.
//
//===----------------------------------------------------------------------===//

#include "qcc/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace qcc {
#define GEN_PASS_DEF_BYTEDOTTOLLVMPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc::lowbit;

namespace {

Value callIntrinsic(OpBuilder &b, Location loc, StringRef name, Type result,
                    ValueRange args) {
  return LLVM::CallIntrinsicOp::create(b, loc, result, b.getStringAttr(name), args)
      ->getResult(0);
}

/// `name` applied piece by piece to vectors wider than its operands: each
/// operand cut into pieces of `pieceLanes[i]` lanes, the results (of
/// `pieceType`) put back in order into a vector of `into`'s type (whose
/// lanes they overwrite).
Value callPerPiece(OpBuilder &b, Location loc, StringRef name, VectorType pieceType, Value into,
                   ArrayRef<Value> operands, ArrayRef<int64_t> pieceLanes) {
  int64_t width = pieceType.getNumElements();
  int64_t pieces = cast<VectorType>(into.getType()).getNumElements() / width;
  Value result = into;
  for (int64_t p = 0; p < pieces; ++p) {
    SmallVector<Value> args;
    for (auto [operand, lanes] : llvm::zip(operands, pieceLanes))
      args.push_back(vector::ExtractStridedSliceOp::create(
          b, loc, operand, ArrayRef<int64_t>{p * lanes}, ArrayRef<int64_t>{lanes},
          ArrayRef<int64_t>{1}));
    Value part = callIntrinsic(b, loc, name, pieceType, args);
    result = vector::InsertStridedSliceOp::create(b, loc, part, result, ArrayRef<int64_t>{p * width},
                                                  ArrayRef<int64_t>{1});
  }
  return result;
}

Value lower(OpBuilder &b, ByteDotOp op) {
  Location loc = op.getLoc();
  Value acc = op.getAcc(), u = op.getUnsignedBytes(), s = op.getSignedBytes();
  int64_t bytes = op.getUnsignedBytes().getType().getNumElements();
  int64_t lanes = op.getAcc().getType().getNumElements();
  StringRef instruction = op.getInstruction();
  if (cast<VectorType>(acc.getType()).getElementType().isInteger(16)) {
    if (instruction == "portable") {
      // i16 products (|u s| <= 255 x 128 fits), adjacent lanes added: LLVM
      // makes umull/smull-style widening multiplies and addp of them.
      auto wide = VectorType::get({bytes}, b.getI16Type());
      Value products =
          arith::MulIOp::create(b, loc, arith::ExtUIOp::create(b, loc, wide, u),
                                arith::ExtSIOp::create(b, loc, wide, s));
      SmallVector<int64_t> even, odd;
      for (int64_t i = 0; i < lanes; ++i) {
        even.push_back(2 * i);
        odd.push_back(2 * i + 1);
      }
      Value pairs = arith::AddIOp::create(
          b, loc, vector::ShuffleOp::create(b, loc, products, products, even),
          vector::ShuffleOp::create(b, loc, products, products, odd));
      return arith::AddIOp::create(b, loc, acc, pairs);
    }
    // Pair sums only (verified: pmaddubsw), added in i16.
    Value p = callIntrinsic(b, loc,
                            bytes == 64 ? "llvm.x86.avx512.pmaddubs.w.512"
                                        : "llvm.x86.avx2.pmadd.ub.sw",
                            acc.getType(), {u, s});
    return arith::AddIOp::create(b, loc, acc, p);
  }
  if (instruction == "sdot") {
    // AArch64 dotprod, per 16-byte lane: 4 i32 lanes of signed x signed
    // byte quads (the unsigned operand's bytes are below 128).
    return callPerPiece(b, loc, "llvm.aarch64.neon.sdot.v4i32.v16i8",
                        VectorType::get({4}, b.getI32Type()), acc, {acc, u, s}, {4, 16, 16});
  }
  if (instruction == "vpdpbusd")
    return callIntrinsic(b, loc,
                         bytes == 64 ? "llvm.x86.avx512.vpdpbusd.512"
                                     : "llvm.x86.avx512.vpdpbusd.256",
                         acc.getType(), {acc, u, s});
  if (instruction == "pmaddubsw") {
    // u8 x s8 pairs summed into i16, then pairs of those into i32.
    auto pairs = VectorType::get({lanes * 2}, b.getI16Type());
    Value p = callIntrinsic(b, loc,
                            bytes == 64 ? "llvm.x86.avx512.pmaddubs.w.512"
                                        : "llvm.x86.avx2.pmadd.ub.sw",
                            pairs, {u, s});
    Value ones = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(pairs, b.getIntegerAttr(b.getI16Type(), 1)));
    Value quads = callIntrinsic(b, loc,
                                bytes == 64 ? "llvm.x86.avx512.pmaddw.d.512"
                                            : "llvm.x86.avx2.pmadd.wd",
                                acc.getType(), {p, ones});
    return arith::AddIOp::create(b, loc, acc, quads);
  }
  Value wideU = arith::ExtUIOp::create(b, loc, acc.getType(), u);
  Value wideS = arith::ExtSIOp::create(b, loc, acc.getType(), s);
  return arith::AddIOp::create(b, loc, acc, arith::MulIOp::create(b, loc, wideU, wideS));
}

Value lower(OpBuilder &b, PairSumOp op) {
  Location loc = op.getLoc();
  Value acc = op.getAcc(), pairs = op.getPairs();
  auto pairType = cast<VectorType>(pairs.getType());
  Value factors = op.getFactors();
  if (op.getInstruction() == "pmaddwd") {
    if (!factors)
      factors = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(pairType, b.getIntegerAttr(b.getI16Type(), 1)));
    Value sums = callIntrinsic(b, loc,
                               pairType.getNumElements() == 32 ? "llvm.x86.avx512.pmaddw.d.512"
                                                               : "llvm.x86.avx2.pmadd.wd",
                               acc.getType(), {pairs, factors});
    return arith::AddIOp::create(b, loc, acc, sums);
  }
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  SmallVector<int64_t> even, odd;
  for (int64_t i = 0; i < lanes; ++i) {
    even.push_back(2 * i);
    odd.push_back(2 * i + 1);
  }
  auto wide = [&](ArrayRef<int64_t> positions) -> Value {
    Value lanes = arith::ExtSIOp::create(
        b, loc, acc.getType(), vector::ShuffleOp::create(b, loc, pairs, pairs, positions));
    if (!factors)
      return lanes;
    return arith::MulIOp::create(
        b, loc, lanes,
        arith::ExtSIOp::create(b, loc, acc.getType(),
                               vector::ShuffleOp::create(b, loc, factors, factors, positions)));
  };
  return arith::AddIOp::create(b, loc, acc,
                               arith::AddIOp::create(b, loc, wide(even), wide(odd)));
}

/// result[i] = table[indices[i] mod entries] a lane at a time, inserted
/// into `result` (LLVM IR has no shuffle with run-time indices).
Value lookupLaneByLane(OpBuilder &b, Location loc, Value table, Value indices,
                       int64_t entries, Value result) {
  Value mask = arith::ConstantIntOp::create(b, loc, b.getI8Type(), entries - 1);
  int64_t lanes = cast<VectorType>(indices.getType()).getNumElements();
  for (int64_t i = 0; i < lanes; ++i) {
    Value raw = vector::ExtractOp::create(b, loc, indices, i);
    Value index = arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                               arith::AndIOp::create(b, loc, raw, mask));
    Value entry = vector::ExtractOp::create(b, loc, table, OpFoldResult(index));
    result = vector::InsertOp::create(b, loc, entry, result, i);
  }
  return result;
}

Value lower(OpBuilder &b, TableLookupOp op) {
  Location loc = op.getLoc();
  Value table = op.getTable(), indices = op.getIndices();
  auto type = cast<VectorType>(table.getType());
  int64_t bytes = type.getNumElements();
  if (op.getInstruction() == "vpermb") // operands: table, then indices
    return callIntrinsic(b, loc, "llvm.x86.avx512.permvar.qi.512", type, {table, indices});
  if (op.getInstruction() == "vpshufb") // operands: table, then indices
    return callIntrinsic(b, loc,
                         bytes == 64   ? "llvm.x86.avx512.pshuf.b.512"
                         : bytes == 32 ? "llvm.x86.avx2.pshuf.b"
                                       : "llvm.x86.ssse3.pshuf.b.128",
                         type, {table, indices});
  if (op.getInstruction() == "tbl") {
    // One tbl per 16-byte lane (table, then indices), each index masked to
    // its lane's 16 entries.
    Value mask = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, b.getIntegerAttr(type.getElementType(), 15)));
    Value masked = arith::AndIOp::create(b, loc, indices, mask);
    return callPerPiece(b, loc, "llvm.aarch64.neon.tbl1",
                        VectorType::get({16}, type.getElementType()), table, {table, masked},
                        {16, 16});
  }
  return lookupLaneByLane(b, loc, table, indices, bytes, table);
}

Value lower(OpBuilder &b, SignBytesOp op) {
  Location loc = op.getLoc();
  Value values = op.getValues(), signs = op.getSigns();
  auto type = cast<VectorType>(values.getType());
  int64_t bytes = type.getNumElements();
  if (op.getInstruction() == "vpsignb" && bytes == 64)
    // Two ymm instructions on the halves LLVM keeps in two registers.
    return callPerPiece(b, loc, "llvm.x86.avx2.psign.b", VectorType::get({32}, type.getElementType()),
                        values, {values, signs}, {32, 32});
  if (op.getInstruction() == "vpsignb")
    return callIntrinsic(b, loc, bytes == 32 ? "llvm.x86.avx2.psign.b" : "llvm.x86.ssse3.psign.b.128",
                         type, {values, signs});
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, signs, zero);
  Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, signs, zero);
  Value flipped = arith::SelectOp::create(b, loc, negative,
                                          arith::SubIOp::create(b, loc, zero, values), values);
  return arith::SelectOp::create(b, loc, isZero, zero, flipped);
}

Value lower(OpBuilder &b, SelectBitsOp op) {
  Location loc = op.getLoc();
  Value controls = op.getControls(), data = op.getData();
  auto type = cast<VectorType>(data.getType());
  int64_t bytes = type.getNumElements();
  if (op.getInstruction() == "vpmultishiftqb") // operands: controls, then data
    return callIntrinsic(b, loc,
                         bytes == 64   ? "llvm.x86.avx512.pmultishift.qb.512"
                         : bytes == 32 ? "llvm.x86.avx512.pmultishift.qb.256"
                                       : "llvm.x86.avx512.pmultishift.qb.128",
                         type, {controls, data});
  // Each byte's lane repeated into an i64, rotated right by its control.
  Type i64 = b.getI64Type();
  auto lanes = VectorType::get({bytes / 8}, i64), wide = VectorType::get({bytes}, i64);
  SmallVector<int64_t> laneOfByte;
  for (int64_t j = 0; j < bytes; ++j)
    laneOfByte.push_back(j / 8);
  auto splat = [&](int64_t value) -> Value {
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(wide, b.getI64IntegerAttr(value)));
  };
  Value words = vector::BitCastOp::create(b, loc, lanes, data);
  Value repeated = vector::ShuffleOp::create(b, loc, words, words, laneOfByte);
  Value mask = splat(63);
  Value shift = arith::AndIOp::create(b, loc, arith::ExtUIOp::create(b, loc, wide, controls), mask);
  Value sixtyFour = splat(64);
  // x << 64 is poison: the left part is shifted by (64 - s) mod 64, which
  // is 0 where s is (x | x = x).
  Value back = arith::AndIOp::create(b, loc, arith::SubIOp::create(b, loc, sixtyFour, shift), mask);
  Value rotated = arith::OrIOp::create(b, loc, arith::ShRUIOp::create(b, loc, repeated, shift),
                                       arith::ShLIOp::create(b, loc, repeated, back));
  return arith::TruncIOp::create(b, loc, type, rotated);
}

Value lower(OpBuilder &b, BlendBytesOp op) {
  Location loc = op.getLoc();
  Value otherwise = op.getOtherwise(), negative = op.getNegative(), mask = op.getMask();
  auto type = cast<VectorType>(mask.getType());
  if (op.getInstruction() == "vpblendvb") // operands: a, b, mask (b where the mask's top bit is set)
    return callIntrinsic(b, loc,
                         type.getNumElements() == 32 ? "llvm.x86.avx2.pblendvb"
                                                     : "llvm.x86.sse41.pblendvb",
                         type, {otherwise, negative, mask});
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  Value top = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, mask, zero);
  return arith::SelectOp::create(b, loc, top, negative, otherwise);
}

Value lower(OpBuilder &b, ValueLookupOp op) {
  Location loc = op.getLoc();
  Value table = op.getTable(), indices = op.getIndices();
  auto resultType = op.getResult().getType();
  int64_t lanes = resultType.getNumElements();
  if (op.getInstruction() == "vpermps") {
    auto i32s = VectorType::get({lanes}, b.getI32Type());
    Value wide = arith::ExtUIOp::create(b, loc, i32s, indices);
    if (lanes == 16) // operands: table, then indices (low 4 bits)
      return callIntrinsic(b, loc, "llvm.x86.avx512.permvar.sf.512", resultType, {table, wide});
    // AVX2: vpermps reads 3 index bits; bit 3 picks the table's half.
    auto half = [&](int64_t first) -> Value {
      Value part = vector::ExtractStridedSliceOp::create(b, loc, table, ArrayRef<int64_t>{first},
                                                         ArrayRef<int64_t>{8},
                                                         ArrayRef<int64_t>{1});
      return callIntrinsic(b, loc, "llvm.x86.avx2.permps", resultType, {part, wide});
    };
    Value eight = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(i32s, b.getI32IntegerAttr(8)));
    Value high = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                       arith::AndIOp::create(b, loc, wide, eight),
                                       arith::ConstantOp::create(b, loc, b.getZeroAttr(i32s)));
    return arith::SelectOp::create(b, loc, high, half(8), half(0));
  }
  return lookupLaneByLane(b, loc, table, indices, 16,
                          arith::ConstantOp::create(b, loc, b.getZeroAttr(resultType)));
}

struct ByteDotToLLVMPass final
    : qcc::impl::ByteDotToLLVMPassBase<ByteDotToLLVMPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](ByteDotOp op) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lower(rewriter, op));
    });
    getOperation()->walk([&](PairSumOp op) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lower(rewriter, op));
    });
    getOperation()->walk([&](TableLookupOp op) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lower(rewriter, op));
    });
    getOperation()->walk([&](SignBytesOp op) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lower(rewriter, op));
    });
    getOperation()->walk([&](SelectBitsOp op) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lower(rewriter, op));
    });
    getOperation()->walk([&](BlendBytesOp op) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lower(rewriter, op));
    });
    getOperation()->walk([&](ValueLookupOp op) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, lower(rewriter, op));
    });
  }
};

} // namespace
