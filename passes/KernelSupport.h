//===- KernelSupport.h - what the matmul kernel builders share -*- C++ -*-===//
//
// - Activations as an [M, K] buffer and the [M, N] result back in the op's
//   shape.
// - Run-time activation quantization: the integer kernels (int8-dot, lut)
//   quantize each activation row per weight block before their dot
//   products: max-abs scale, products in f32, ties to even, as ONNX
//   Runtime's MatMulNBits does at accuracy_level 4. They differ only in the
//   code range: +-127 for byte dot products, +-31 for lookup tables whose
//   entries sum four codes into one byte.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_KERNELSUPPORT_H
#define QCC_PASSES_KERNELSUPPORT_H

#include "qcc/Dialect/LowBit/IR/LowBit.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <optional>
#include <string>
#include "mlir/IR/Builders.h"

namespace qcc::lowbit {

/// The body of a counted loop: builder, induction variable, carried values;
/// returns the next carried values.
using LoopBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Value, mlir::ValueRange)>;

/// Whether a kernel on [N, K] weights (`transposed`) can take these
/// operands: f32 activations of static shape [..., K] and an f32 result.
/// Returns the reason when it cannot, nullopt when it can.
std::optional<std::string> matmulOperandsWhyNot(QTensorType weight, mlir::Type lhsType,
                                                mlir::Type resultType, bool transposed);

/// The elements of K one scale covers in an [N, K] weight with `scheme`
/// (K for per-tensor or per-row scales), or nullopt with the reason.
std::optional<int64_t> scaleBlockAlongK(SchemeAttr scheme, int64_t k, std::string &whyNot);

/// `lhs` (f32, rank >= 1) as an [M, K] tensor: rows are all leading dims.
mlir::Value rowsAsMatrix(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs);

/// The [M, N] f32 buffer `out` as a tensor of `resultType` (same elements).
mlir::Value matrixAsResult(mlir::OpBuilder &b, mlir::Location loc, mlir::Value out,
                           mlir::RankedTensorType resultType);

/// A read-only buffer of a tensor.
mlir::Value readOnlyBuffer(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

/// The index arithmetic the kernels' loop builders spell at every level: a
/// constant, x + y and x * constant, at `loc` on the given level's builder.
struct IndexArith {
  mlir::Location loc;
  mlir::Value index(mlir::OpBuilder &b, int64_t v) const;
  mlir::Value add(mlir::OpBuilder &b, mlir::Value x, mlir::Value y) const;
  mlir::Value mul(mlir::OpBuilder &b, mlir::Value x, int64_t v) const;
};

/// How far ahead of a kernel's weight loads the weight stream is prefetched.
/// Hardware prefetchers stop at 4 KiB pages, so a GEMV streaming its
/// weights from DRAM stalls at each page; a prefetch (into L2: t1, which
/// keeps L3-resident weights resident) one line per 64-byte load, 3 KiB
/// ahead, kept W4 4096 x 4096 at M = 1 at the read bandwidth (Zen 3: chain
/// of 9 layers 1.2x faster, 2% slower when the weights sit in L3; 1-4 KiB
/// within 3% of each other, every other line 0.73x).
constexpr int64_t kStreamPrefetchBytes = 3072;
/// The distance on AVX-512 targets (server cores: the Xeon host's DRAM, 2
/// threads, 700 MB chains, alternated rounds in three calls: 8 KiB 1.00-1.08x
/// W4's 3 KiB and 1.01-1.06x W2's; 16 KiB no better than 3, 1 KiB 0.84-0.88x,
/// none 0.74-0.92x). On the AVX2 Zen 3 8 KiB was no faster from DRAM and 4-6%
/// slower with the weights in L3.
constexpr int64_t kStreamPrefetchBytesAvx512 = 8192;
/// The prefetch distance for the target of the module around `op` (null:
/// kStreamPrefetchBytes).
int64_t streamPrefetchBytes(mlir::Operation *op);
/// Activation rows up to which the weights are a stream (more rows re-read
/// each tile's weights from L1/L2, where the prefetches only cost: the CNN's
/// int8-exact convolutions 1% slower with them).
constexpr int64_t kStreamPrefetchMaxRows = 8;

/// A prefetch of the buffer `stream` (static shape) streamPrefetchBytes
/// past `indices`, the distance added along dimension `dim` (the one the
/// kernel walks; past its extent the address runs on into the next rows,
/// and past the buffer's end the instruction is a no-op: it never faults).
void prefetchStream(mlir::OpBuilder &b, mlir::Location loc, mlir::Value stream,
                    mlir::ValueRange indices, unsigned dim = 0);

/// for i in [0, count) with `init` carried.
mlir::scf::ForOp buildCountedLoop(mlir::OpBuilder &b, mlir::Location loc, int64_t count,
                                  mlir::ValueRange init, LoopBody body);

/// For each row m of `x` (memref [M, K] f32) and block of `block` elements:
/// amax = max |x|, codes[m, k] = roundeven(x[m, k] * (qmax / amax)) as i8
/// (memref [M, K]), scale[m, b] = amax / qmax and sum[m, b] = the sum of the
/// block's codes (memrefs [M, blocks] f32). A block of zeros gets codes 0
/// and scale 0.
void buildBlockQuantization(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                            mlir::Value codes, mlir::Value scale, mlir::Value sum,
                            int64_t m, int64_t blocks, int64_t block, float qmax);

/// The activation side the integer tile kernels (int8-gemm, lut) start
/// with: `lhs` as [M, K] rows quantized per block of `block` elements to
/// [-qmax, qmax] (buildBlockQuantization): codes i8 [M, K], scales and code
/// sums f32 [M, K / block].
struct QuantizedRows {
  mlir::Value codes, scale, sum;
  int64_t m = 0, k = 0, blocks = 0;
};
QuantizedRows quantizeRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                           int64_t block, float qmax);

} // namespace qcc::lowbit

#endif // QCC_PASSES_KERNELSUPPORT_H
