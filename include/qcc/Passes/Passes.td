//===- Passes.td - qcc's graph-level passes ----------------*- tablegen -*-===//

#ifndef QCC_PASSES_PASSES_TD
#define QCC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowBitFromQuantPass : Pass<"lowbit-from-quant"> {
  let summary = "Convert upstream quant casts and types into lowbit ops";
  let description = [{
    Rewrites `quant.qcast` into `lowbit.quantize` and `quant.dcast` into
    `lowbit.dequantize`, turning `tensor<...x!quant.uniform<...>>` values into
    `!lowbit.qtensor` values whose scales and zero points become
    `arith.constant` operands. Per-tensor, per-axis and sub-channel (blocked)
    uniform types convert; a narrow storage range (e.g. i8 in [-127, 127]) or
    a `quant.scast` has no lowbit equivalent and fails with an error naming
    the op.

    Before:
    ```mlir
    %q = quant.qcast %x : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5:3>>
    %y = quant.dcast %q : tensor<4x!quant.uniform<i8:f32, 0.5:3>> to tensor<4xf32>
    ```
    After:
    ```mlir
    %s = arith.constant dense<5.000000e-01> : tensor<f32>
    %z = arith.constant dense<3> : tensor<i8>
    %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<i8>)
           : tensor<4xf32> -> !lowbit.qtensor<4xi8, #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>>
    %y = lowbit.dequantize %q : !lowbit.qtensor<...> -> tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::qcc::lowbit::LowBitDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowBitToQuantPass : Pass<"lowbit-to-quant"> {
  let summary = "Convert lowbit quantize/dequantize back to upstream quant";
  let description = [{
    The inverse of `lowbit-from-quant` for the schemes upstream `quant` can
    express: integer storage with f32 scales given by constants, per tensor,
    per axis or per block. `lowbit.quantize` becomes `quant.qcast` and
    `lowbit.dequantize` becomes `quant.dcast`. Anything else (minifloat or
    ternary storage, codebooks, tensor scales, computed scales) fails with an
    error naming the op and the reason.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
}

def LowBitToLinalgPass : Pass<"lowbit-to-linalg"> {
  let summary = "Reference lowering of lowbit ops to linalg on plain tensors";
  let description = [{
    Takes each qtensor apart into plain tensors (packed bytes or one code
    per element, scales, zero points, codebook, tensor scale) and rewrites
    the lowbit ops into linalg.generic ops that decode elements in their
    bodies: `lowbit.dequantize` and `lowbit.codes` become generics over the
    output, `lowbit.quantize` computes codes with QuantizeLinear's rounding
    (and DynamicQuantizeLinear's scale formula when no scales are given),
    and `lowbit.matmul` becomes one generic with a reduction over K that
    reads the weight's packed bytes directly (no dequantized weight is
    materialized). Correct for every format; the fast kernels of the CPU
    target replace it layer by layer.

    `lowbit.quantize` into FP8/FP4 storage encodes with correct rounding
    (ties to even) and ONNX's saturation rules; `lowbit.requantize` is
    lowered as quantize(dequantize(x)). A `lowbit.kernel` attribute from
    `lowbit-select-kernels` picks the matmul's kernel (int8-dot: vector code
    on int8 activations; f32-block-dot; reference).

    Not lowered yet, each with an error naming the op: layouts other than
    row_major and base3, run-time scales for minifloat storage, and qtensors
    crossing function boundaries.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::x86vector::X86VectorDialect",
                           "::mlir::amx::AMXDialect"];
}

def FuseDequantPass : Pass<"lowbit-fuse-dequant", "::mlir::ModuleOp"> {
  let summary = "Fold dequantized constant weights into lowbit.matmul";
  let description = [{
    `linalg.matmul(A, lowbit.dequantize(W))` with W a quantized constant
    (QDQ models: DequantizeLinear on an initializer feeding MatMul or Gemm,
    also through Gemm's transB transpose) becomes `lowbit.matmul A, W'
    transpose_rhs` with W' the constant transposed to [N, K] at compile time
    (codes repacked, scale/zero-point grids and the scheme's axis or block
    transposed), so no dequantized weight is computed or stored and the CPU
    kernels (`lowbit-select-kernels`) apply. Needs a zero-filled
    accumulator (what MatMul and Gemm import to) and a float A.
    A group-1 `linalg.conv_{1d_ncw_fcw, 2d_nchw_fchw, 3d_ncdhw_fcdhw}` on
    `lowbit.dequantize(W [M, C, K...])` (QDQ Conv) with per-tensor or
    per-output-channel scales becomes its input windows copied into rows
    [N * O..., C * K...] times W read as [M, C * K...] (one lowbit.matmul,
    a per-channel bias add after it as the matmul's bias), transposed back
    to [N, M, O...].
  }];
  let dependentDialects = ["::qcc::lowbit::LowBitDialect",
                           "::mlir::tensor::TensorDialect"];
}

def FuseEpiloguePass : Pass<"lowbit-fuse-epilogue", "::mlir::ModuleOp"> {
  let summary = "Fold the elementwise ops after a lowbit.matmul into its epilogue";
  let description = [{
    A `linalg.generic` that is the only user of a `lowbit.matmul`'s result
    and maps it element by element (all loops parallel, identity maps for
    the result and the output, other inputs of the result's shape or
    broadcast rows of `[n]`, a body of arith/math ops) joins the matmul's
    `epilogue` region, repeatedly: bias adds, activations (Relu, Sigmoid,
    Tanh, Gelu-like chains), residual adds and scales end up in one op, so
    a kernel applies them to its accumulators before it stores them
    instead of writing the result and reading it back for each op.
  }];
  let dependentDialects = ["::qcc::lowbit::LowBitDialect"];
}

def PackLayoutPass : Pass<"lowbit-pack-layout", "::mlir::ModuleOp"> {
  let summary = "Repack constant weights into the layout their kernel reads";
  let description = [{
    After `lowbit-select-kernels`: each row-major `lowbit.constant` weight of
    a `lowbit.matmul` that runs the `lut` or `int8-gemm` kernel is rewritten
    at compile time into that kernel's tiles, and its type records them:
    `#lowbit.layout<lut_planes = [16 x cols, 32 / bits]>` or
    `#lowbit.layout<int8_tiles = [16 x cols, 32 / bits]>` (cols: the 16-row
    tiles one kernel iteration reads, from the batch rows M). The matmul
    reads the new constant; the old one goes when nothing else reads it.
    The other kernels read row-major codes (int8-dot reorders activations,
    lut-ternary re-encodes weights in its builder).
  }];
  let dependentDialects = ["::qcc::lowbit::LowBitDialect"];
}

def SelectKernelsPass : Pass<"lowbit-select-kernels", "::mlir::ModuleOp"> {
  let summary = "Choose the CPU kernel of each lowbit.matmul (the cost model)";
  let description = [{
    Records in `lowbit.kernel` which kernel `lowbit-to-linalg` uses for each
    `lowbit.matmul`, and in `lowbit.kernel_reason` why:

    - `lut`: T-MAC-style table lookups for 1- and 2-bit integer codes where
      the target has AVX-512 VBMI (vpermb): activations quantized to
      [-31, 31] per weight block, 16 sums of every 4 of them precomputed per
      row, each bit-plane nibble of the weights (repacked at compile time)
      selects one. Same permission as int8-dot; needs N a multiple of 16 and
      blocks a multiple of 16 (W2) or 32 (W1) elements. On AVX2 without VBMI
      and on AArch64 a vpshufb / tbl pairs form, which also takes 3-bit
      codes (planes 0-1 as W2's pairs, plane 2 as W1's) at one activation
      row, with VBMI only where the module's weights exceed the cache.
    - `lut-ternary`: the same for ternary weights (2-bit codes whose code
      minus zero point is -1, 0 or 1, one scale a row, read from the
      constants) at one activation row: groups of 3 as a 4-bit pattern index
      and a sign (1.67 bits a weight). With vpermb always; on AVX2 (its
      vpshufb pairs form) only where the module's quantized weights exceed
      the target's last-level cache (`qcc.target_cache_bytes` on the
      module, else 32 MiB), since there it is slower with weights in cache.
    - `int8-gemm`: int8-dot's numbers on weights repacked into 16-row tiles
      (activation quads broadcast, one vpdpbusd per 16 rows x 4 elements,
      scales once per block per 16 rows); the int8 default where the CPU
      has an AVX-512 byte dot and N is a multiple of 16. With AMX-INT8, from
      64 activation rows (a multiple of 16) and blocks of whole 64-byte
      steps, its block sums come from tdpbsud tiles (the same numbers).
    - `int8-dot`: activations quantized to int8 per weight block, byte dot
      products (vpdpbusd with AVX-512 VNNI or AVX-VNNI, pmaddubsw with AVX2
      or AVX-512BW, portable vector code elsewhere). Only where the model
      allows int8 activations (MatMulNBits `accuracy_level = 4`) or
      `allow-int8-activations` is set; needs constant [N, K] weights of
      1/2/4/8-bit integer codes with float scales per block of K (int8-gemm
      also 3-bit ones, widened into 4-bit fields or, with AVX-512 VBMI at
      up to 4 rows, read 3 bits wide).
    - `bf16-gemm`: for 16 or more activation rows (prefill) on AVX-512 BF16
      where the model allows bf16 but not int8 compute (`accuracy_level` 3):
      weight rows decoded to bf16 once per tile, vdpbf16ps over 4 x 4 tiles.
    - `f32-gemm`: the same in f32 with FMAs, for 16 or more rows with f32
      activations; with AMX-BF16, where the codes less zero points are exact
      in bf16 and each weight row has one scale (FP8, int8 QDQ per
      channel), on tdpbf16ps tiles with each activation split into three
      bf16 terms (f32 products, f32 sums).
    - `f32-block-dot`: f32 activations, dot products on codes per block with
      the scale and zero point factored out.
    - `reference`: every weight element decoded in the body.

    The target's instructions come from the module's `qcc.target_features`
    attribute (`"+avx2,+avx512vnni,..."`), which `qcc` sets from the target
    machine; `qcc --report` prints the choices.
  }];
  let options = [
    Option<"allowInt8Activations", "allow-int8-activations", "bool",
           /*default=*/"false",
           "Quantize activations to int8 even where the model does not say so">,
    Option<"forceKernel", "force-kernel", "std::string", /*default=*/"\"\"",
           "Use this kernel (lut, lut-ternary, int8-gemm, int8-dot, bf16-gemm, f32-gemm) "
           "wherever it can run; the cost model decides elsewhere">
  ];
  let dependentDialects = ["::qcc::lowbit::LowBitDialect"];
}

def ByteDotToLLVMPass : Pass<"lowbit-byte-dot-to-llvm"> {
  let summary = "Lower lowbit.byte_dot and lowbit.table_lookup to x86 or AArch64 intrinsics or vector code";
  let description = [{
    byte_dot: `vpdpbusd` becomes `llvm.x86.avx512.vpdpbusd.{256,512}`,
    `pmaddubsw` becomes pmaddubsw + pmaddwd (`llvm.x86.avx2.*` or
    `llvm.x86.avx512.*`), `portable` becomes extui/extsi/muli/addi (into
    i16: adjacent products added). table_lookup: `vpermb` becomes
    `llvm.x86.avx512.permvar.qi.512`, `vpshufb` `llvm.x86.*.pshuf.b*`,
    `tbl` one `llvm.aarch64.neon.tbl1` per 16-byte lane (indices masked to
    4 bits), `portable` a lane-at-a-time extract/insert. value_lookup: `vpermps`
    becomes `llvm.x86.avx512.permvar.sf.512` (16 lanes) or two
    `llvm.x86.avx2.permps` and a select (8 lanes). sign_bytes: `vpsignb`
    becomes `llvm.x86.*.psign.b*`; blend_bytes: `vpblendvb`
    `llvm.x86.*.pblendvb`; `portable` compares and selects. select_bits:
    `vpmultishiftqb` becomes `llvm.x86.avx512.pmultishift.qb.*`, `portable`
    shifts of each byte's lane widened to i64. Runs after buffer
    deallocation, which rejects the intrinsic calls' unknown side effects.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

def SplitReductionsPass : Pass<"qcc-split-reductions", "::mlir::func::FuncOp"> {
  let summary = "Split innermost reductions into lanes that vectorize";
  let description = [{
    A linalg op that reduces along its innermost loop (Softmax's max and
    sum, LayerNorm's mean, ReduceSum over the last axis) lowers to a loop
    that loads and stores its accumulator in memory once per element. On
    tensors, each such op with one reduction loop (static, a multiple of
    `lanes` and at least 16 of them) becomes MLIR's split reduction with the
    new dimension innermost and parallel: `lanes` running partial results
    side by side (a loop LLVM vectorizes), then one small reduction of those.
    Float sums change their association (within float rounding); max and
    min do not.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", "16", "Partial results side by side">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def VectorizeMatmulPass : Pass<"qcc-vectorize-matmul", "::mlir::ModuleOp"> {
  let summary = "f32 linalg.matmul as a register-tiled vector kernel";
  let description = [{
    Replaces each static f32 `linalg.matmul` with vector code that streams
    B [K, N] along its rows: parallel over tiles of 4 vectors of columns,
    k-blocks of 256 kept in cache, 4 x 4 (AVX-512) accumulators of
    broadcast(A[m, k]) * B[k, n:n+V]; leftover columns in a plain loop nest.
    A B that is the transpose of a constant (Gemm transB) is transposed at
    compile time. The vector width comes from the module's
    `qcc.target_features` (16 with avx512f, else 8). The elementwise
    generic that alone reads the product (directly or through an
    expand_shape of its rows; elementwise chains after it fused into it
    first) runs on each result vector before the store when K is one
    k-block: a float conv's bias and ReLU/Clip never make a second pass.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

def FoldClipIntoQuantizePass : Pass<"qcc-fold-clip-into-quantize"> {
  let summary = "A Clip before a quantization to unsigned codes as the codes' bounds";
  let description = [{
    Rewrites the fused float chain `minnumf(maxnumf(roundeven(minimumf(
    maximumf(x, a), b) / y) [+ z], lo), hi)` (Clip or ReLU, then
    QuantizeLinear's unsigned clamp; scalars or splat vectors, all constants,
    y > 0) into `minnumf(maxnumf(roundeven(x / y) [+ z], lo), hi')` with
    `hi' = min(hi, roundeven(b / y) [+ z])` in f32. Exact: division and
    rounding are monotonic and the bounds integers. Only where the Clip's
    lower bound codes to at most `lo` (so NaN and the lower bound keep code
    `lo`).
  }];
}

def PadBordersPass : Pass<"qcc-pad-borders", "::mlir::func::FuncOp"> {
  let summary = "Static tensor.pad as filled border slabs and the inserted source";
  let description = [{
    tensor.pad bufferizes to a fill of the whole padded buffer and a copy of
    the source into it. Each static pad with a constant value becomes an
    empty tensor, a linalg.fill of each padded dimension's low and high band
    (across the other dimensions), and tensor.insert_slice of the source:
    the interior is written once. Runs before bufferization.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def NativeMinMaxPass : Pass<"qcc-native-minmax"> {
  let summary = "arith.maxnumf/minnumf on f32 as LLVM's maxnum/minnum intrinsics";
  let description = [{
    Runs before `arith-expand`, which would make each a compare and a
    select: LLVM lowers `llvm.intr.maxnum(x, c)` with a non-NaN operand to
    one x86 `vmaxps` (maxnum's NaN rule is that instruction's), so a
    quantization clamp costs one instruction per vector instead of two.
    f32 scalars and fixed vectors only; maximumf/minimumf are left alone.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def DropSignednessPass : Pass<"qcc-drop-signedness", "::mlir::ModuleOp"> {
  let summary = "Make every integer tensor type signless";
  let description = [{
    After `lowbit-to-linalg`, the only unsigned types left are ONNX's
    (`ui8` function arguments, zero-point constants) and the
    `tensor.bitcast` ops that bridge them to signless tensors. Code
    generation needs signless types (the ops already carry signedness), and
    bufferization has no model for `tensor.bitcast`, so this pass rewrites
    every integer tensor type to its signless twin, re-types unsigned dense
    constants, and erases the bitcasts that became no-ops. Run it after every
    qtensor is gone.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def TileCopiesPass : Pass<"qcc-tile-copies", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg copies that change the contiguous axis";
  let description = [{
    A transpose (ONNX Transpose, a convolution's rows of input windows, its
    NCHW result) reads along one axis and writes along another: as plain
    loops every access of the strided side misses the cache. On buffers,
    each all-parallel linalg op whose body only yields its one input and
    whose input and output are contiguous along different loops is tiled
    (scf.parallel over tiles) so a tile covers about `tile` elements along
    both the output's and the input's innermost loops; inside, both sides
    stay in L1. A copy whose sides both run along its last loop (runs of
    contiguous elements, e.g. channels-last window rows) up to 1 KiB long
    becomes an scf.parallel over the other loops moving each run with one
    vector load and store.
  }];
  let options = [
    Option<"tile", "tile", "int64_t", "32",
           "Elements a tile covers along each of the two contiguous axes">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

def SinkTransposesPass : Pass<"qcc-sink-transposes", "::mlir::func::FuncOp"> {
  let summary = "Move transposes below elementwise ops; cancel transposes that meet";
  let description = [{
    On tensors. `linalg.generic` ops that are all parallel, write their
    output without reading it, and read transposes by one permutation that
    feed only them (with identity maps; any other input a broadcast,
    re-indexed) run on the
    transposes' inputs instead, followed by one transpose of their result;
    `tensor.bitcast` of a transpose becomes a transpose of the bitcast; two
    transposes in a row become one, or none when they undo each other. A
    convolution's NCHW result then reaches its Clip and QuantizeLinear still
    as rows, the transpose moves the i8 codes, and the next pointwise
    convolution's transpose back to NHWC cancels it.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def StridedCopiesToLinalgPass : Pass<"qcc-strided-copies-to-linalg"> {
  let summary = "Rewrite memref.copy of strided views as linalg.copy";
  let description = [{
    After bufferization, copies into or out of subviews (from tensor.pad,
    insert_slice, extract_slice) are `memref.copy` ops that LLVM lowering
    turns into calls to `memrefCopy` from MLIR's runner utilities, which a
    deployed library must not depend on. This pass rewrites every copy whose
    source or target is not contiguous into `linalg.copy`, which later
    becomes loops; contiguous copies stay `memref.copy` (a memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def OutlineParallelLoopsPass
    : Pass<"qcc-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Run outermost scf.parallel loops on the runtime's threads";
  let description = [{
    Each outermost `scf.parallel` (static bounds, no reductions) with at
    least `min-work` operations run (nested loops times their trip counts)
    is outlined into a
    private `qcc_parallel_body_N(%begin, %end, %captures...)` that runs a
    range of the flattened iteration space, and replaced by a call to the
    declaration `qcc_parallel_launch_N(%captures..., %count)`. The qcc
    driver defines each launch function in LLVM IR: it packs the captures
    into a struct and calls `qcc_runtime_parallel_for` (model_abi.h), so the
    loop runs on the thread pool of the session that runs the model.
    Constants are rematerialized in the body instead of captured.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Smallest count of operations run (nested loops times their "
           "trip counts) worth splitting across threads">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // QCC_PASSES_PASSES_TD
