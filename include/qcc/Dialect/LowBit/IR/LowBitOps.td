//===- LowBitOps.td - lowbit operations --------------------*- tablegen -*-===//

#ifndef QCC_DIALECT_LOWBIT_IR_LOWBITOPS_TD
#define QCC_DIALECT_LOWBIT_IR_LOWBITOPS_TD

include "qcc/Dialect/LowBit/IR/LowBitTypes.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class LowBit_Op<string mnemonic, list<Trait> traits = []>
    : Op<LowBit_Dialect, mnemonic, traits>;

def LowBit_FloatTensor : RankedTensorOf<[AnyFloat]>;

def LowBit_ConstantOp : LowBit_Op<"constant", [Pure]> {
  let summary = "A quantized constant: packed codes plus their scales";
  let description = [{
    Holds a weight as packed bytes in the layout of the result type, with the
    scales, zero points, tensor scale and codebook its scheme calls for.
    Large weights use `dense_resource` blobs so they are never printed as
    text and can be memory-mapped.

    ```mlir
    %w = lowbit.constant storage(dense<[33, 67, 101, -121]> : tensor<4xi8>)
           scales(dense<0.5> : tensor<f32>)
           : !lowbit.qtensor<2x4xi4, #lowbit.scheme<per_tensor, scale = f32>>
    ```
  }];
  let arguments = (ins ElementsAttr:$storage,
                       OptionalAttr<ElementsAttr>:$scales,
                       OptionalAttr<ElementsAttr>:$zero_points,
                       OptionalAttr<F32Attr>:$tensor_scale,
                       OptionalAttr<ElementsAttr>:$codebook);
  let results = (outs LowBit_QTensorType:$result);
  let assemblyFormat = [{
    `storage` `(` $storage `)`
    (`scales` `(` $scales^ `)`)?
    (`zero_points` `(` $zero_points^ `)`)?
    (`tensor_scale` `(` $tensor_scale^ `)`)?
    (`codebook` `(` $codebook^ `)`)?
    attr-dict `:` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def LowBit_QuantizeOp : LowBit_Op<"quantize", [Pure, AttrSizedOperandSegments]> {
  let summary = "Quantize a float tensor into a qtensor";
  let description = [{
    `code = saturate(round_half_even(x / scale) + zero_point)` for integer
    storage, correctly rounded encoding for minifloats (saturating when
    `saturate` is set, as ONNX QuantizeLinear). Without `scales` the scales
    (and zero points, if the scheme has them) are computed from the data:
    max-abs for symmetric schemes, min/max for asymmetric ones.

    ```mlir
    %q = lowbit.quantize %x scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>)
           : tensor<4x8xf32> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
    ```
  }];
  let arguments = (ins LowBit_FloatTensor:$input,
                       Optional<AnyRankedTensor>:$scales,
                       Optional<AnyRankedTensor>:$zero_points,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs LowBit_QTensorType:$result);
  let assemblyFormat = [{
    $input (`scales` `(` $scales^ `:` type($scales) `)`)?
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    attr-dict `:` type($input) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def LowBit_DequantizeOp : LowBit_Op<"dequantize", [Pure]> {
  let summary = "Expand a qtensor into a float tensor";
  let description = [{
    `real = (code - zero_point) * scale [* tensor_scale]`, or
    `codebook[code] * scale` for codebook schemes.

    ```mlir
    %x = lowbit.dequantize %q : !lowbit.qtensor<4x8xi4, #lowbit.scheme<per_tensor, scale = f32>> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins LowBit_QTensorType:$input);
  let results = (outs LowBit_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def LowBit_MatmulOp : LowBit_Op<"matmul", [Pure, AttrSizedOperandSegments]> {
  let summary = "Matrix product with a quantized right-hand side";
  let description = [{
    `result[..., m, n] = sum_k lhs[..., m, k] * rhs[k, n] (+ bias[n])`, with
    `rhs` read as `[n, k]` when `transpose_rhs` is set (the layout of ONNX
    MatMulNBits and of GEMV-friendly weights). `lhs` is a float tensor or a
    qtensor (integer activations); `rhs` is a rank-2 qtensor. The weights
    are never materialized in float: lowering decodes them in registers.
    With two integer qtensors and an `i32` result, the product is exact
    integer arithmetic on zero-point-adjusted codes,
    `sum_k (a[m, k] - za) * (b[k, n] - zb)`, scales not applied (ONNX
    MatMulInteger, and the accumulator of QLinearMatMul).

    An optional `epilogue` region maps each result element after the bias:
    its block takes the element, then one element of each
    `epilogue_inputs` tensor at the same position (a tensor of the result's
    shape, one of shape `[n]` broadcast over rows, or a rank-0 scalar), and
    yields the final
    element with `lowbit.yield` (an activation, a residual add, a scale:
    what `lowbit-fuse-epilogue` folds in from the elementwise ops after the
    matmul, so the kernel's output is not written and read back). An
    epilogue may convert: its first argument is then the f32 or i32
    accumulator (what the result would be without it; the bias has its
    type) and it yields signless integer codes, the result's element type
    (a QuantizeLinear of the product, written as codes).

    ```mlir
    %y = lowbit.matmul %x, %w transpose_rhs : tensor<1x4096xf32>,
           !lowbit.qtensor<1024x4096xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
           -> tensor<1x1024xf32>
    %z = lowbit.matmul %x, %w epilogue(%residual : tensor<1x1024xf32>) transpose_rhs
           : tensor<1x4096xf32>,
           !lowbit.qtensor<1024x4096xui4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
           -> tensor<1x1024xf32> {
    ^bb0(%acc: f32, %r: f32):
      %zero = arith.constant 0.0 : f32
      %relu = arith.maximumf %acc, %zero : f32
      %sum = arith.addf %relu, %r : f32
      lowbit.yield %sum : f32
    }
    ```
  }];
  let arguments = (ins AnyType:$lhs, LowBit_QTensorType:$rhs,
                       Optional<AnyRankedTensor>:$bias,
                       Variadic<AnyRankedTensor>:$epilogue_inputs,
                       UnitAttr:$transpose_rhs);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region MaxSizedRegion<1>:$epilogue);
  let extraClassDeclaration = [{
    /// The product's type before a converting epilogue: the result's shape
    /// with the epilogue's first argument type (the result's type when
    /// there is no epilogue). Kernels compute this; the epilogue maps it.
    ::mlir::RankedTensorType getAccumulatorType() {
      auto type = ::llvm::cast<::mlir::RankedTensorType>(getResult().getType());
      if (getEpilogue().empty() || getEpilogue().front().getNumArguments() == 0)
        return type;
      return type.clone(getEpilogue().front().getArgument(0).getType());
    }
  }];
  let assemblyFormat = [{
    $lhs `,` $rhs (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`epilogue` `(` $epilogue_inputs^ `:` type($epilogue_inputs) `)`)?
    (`transpose_rhs` $transpose_rhs^)?
    attr-dict `:` qualified(type($lhs)) `,` qualified(type($rhs)) `->` type($result)
    ($epilogue^)?
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$lhs, "::mlir::Value":$rhs,
                   "::mlir::Value":$bias, "bool":$transposeRhs), [{
      build($_builder, $_state, result, lhs, rhs, bias, ::mlir::ValueRange(), transposeRhs);
    }]>
  ];
  let hasVerifier = 1;
}

def LowBit_YieldOp : LowBit_Op<"yield", [Pure, Terminator, HasParent<"MatmulOp">]> {
  let summary = "The value an epilogue region gives its result element";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

def LowBit_RequantizeOp : LowBit_Op<"requantize", [Pure, AttrSizedOperandSegments]> {
  let summary = "Change the format or scheme of a qtensor";
  let description = [{
    Equivalent to `quantize(dequantize(input))` into the result type, with
    the new scales given as operands or computed from the data.

    ```mlir
    %r = lowbit.requantize %q : !lowbit.qtensor<8xi8, #lowbit.scheme<per_tensor, scale = f32>>
           -> !lowbit.qtensor<8xi4, #lowbit.scheme<per_tensor, scale = f32>>
    ```
  }];
  let arguments = (ins LowBit_QTensorType:$input,
                       Optional<AnyRankedTensor>:$scales,
                       Optional<AnyRankedTensor>:$zero_points);
  let results = (outs LowBit_QTensorType:$result);
  let assemblyFormat = [{
    $input (`scales` `(` $scales^ `:` type($scales) `)`)?
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    attr-dict `:` qualified(type($input)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def LowBit_AssembleOp : LowBit_Op<"assemble", [Pure, AttrSizedOperandSegments]> {
  let summary = "Make a qtensor from a tensor of codes and its scales";
  let description = [{
    Wraps codes that arrive at run time (a graph input of ONNX
    DequantizeLinear, say) into a qtensor. `codes` has the qtensor's shape
    and its storage type as element type, one code per element (unpacked);
    `scales` and `zero_points` are exactly what the scheme calls for.

    ```mlir
    %q = lowbit.assemble %codes scales(%s : tensor<f32>) zero_points(%z : tensor<ui8>)
           : tensor<4x8xui8> -> !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$codes,
                       Optional<AnyRankedTensor>:$scales,
                       Optional<AnyRankedTensor>:$zero_points);
  let results = (outs LowBit_QTensorType:$result);
  let assemblyFormat = [{
    $codes (`scales` `(` $scales^ `:` type($scales) `)`)?
    (`zero_points` `(` $zero_points^ `:` type($zero_points) `)`)?
    attr-dict `:` type($codes) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def LowBit_CodesOp : LowBit_Op<"codes", [Pure]> {
  let summary = "The codes of a qtensor as a tensor of its storage type";
  let description = [{
    One code per element, unpacked, in the logical shape: what ONNX
    QuantizeLinear returns.

    ```mlir
    %c = lowbit.codes %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<4x8xui8>
    ```
  }];
  let arguments = (ins LowBit_QTensorType:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def LowBit_ScalesOp : LowBit_Op<"scales", [Pure]> {
  let summary = "The scales of a qtensor";
  let description = [{
    For scales computed at run time (ONNX DynamicQuantizeLinear's y_scale).
    ```mlir
    %s = lowbit.scales %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<f32>
    ```
  }];
  let arguments = (ins LowBit_QTensorType:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def LowBit_ZeroPointsOp : LowBit_Op<"zero_points", [Pure]> {
  let summary = "The zero points of a qtensor";
  let description = [{
    ```mlir
    %z = lowbit.zero_points %q : !lowbit.qtensor<4x8xui8, #lowbit.scheme<per_tensor, scale = f32, zero_point = ui8>> -> tensor<ui8>
    ```
  }];
  let arguments = (ins LowBit_QTensorType:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def LowBit_PackOp : LowBit_Op<"pack", [Pure]> {
  let summary = "Rearrange the packed bits of a qtensor into another layout";
  let description = [{
    The values are unchanged; only the memory layout differs, so the result
    type equals the input type except for its layout.

    ```mlir
    %p = lowbit.pack %q : !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_tensor, scale = f32>>
           -> !lowbit.qtensor<64x64xi2, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<bit_planes>>
    ```
  }];
  let arguments = (ins LowBit_QTensorType:$input);
  let results = (outs LowBit_QTensorType:$result);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def LowBit_UnpackOp : LowBit_Op<"unpack", [Pure]> {
  let summary = "Bring a qtensor back to the logical row-major layout";
  let arguments = (ins LowBit_QTensorType:$input);
  let results = (outs LowBit_QTensorType:$result);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def LowBit_ByteDotOp : LowBit_Op<"byte_dot", [Pure,
    AllTypesMatch<["acc", "result"]>,
    AllTypesMatch<["unsigned_bytes", "signed_bytes"]>]> {
  let summary = "Unsigned-by-signed byte dot products into i32 lanes";
  let description = [{
    A kernel building block (the int8-dot matmul emits it):
    `result[i] = acc[i] + sum_{j < R} zext(u[i R + j]) * sext(s[i R + j])`
    with `R = len(u) / len(acc)`. `instruction` names the machine instruction
    `lowbit-byte-dot-to-llvm` emits: `vpdpbusd` (AVX-512 VNNI / AVX-VNNI,
    R = 4, 32 or 64 bytes), `pmaddubsw` (pmaddubsw + pmaddwd, AVX2 /
    AVX-512BW, R = 4; exact only while pairs of products fit in i16, i.e.
    unsigned bytes below 128), `sdot` (AArch64 dotprod, R = 4, whole
    16-byte vectors; signed by signed: exact for unsigned bytes below 128)
    or `portable` (extend, multiply, add; R = 1).
    With an `i16` accumulator, `pmaddubsw` alone (R = 2): the pair sums
    added to i16 lanes, exact while they and the running sums fit in i16
    (kernels sum several bit fields this way and widen once with
    `lowbit.pair_sum`); `portable` with an `i16` accumulator is the same sum
    as vector code (i16 products, adjacent lanes added: AArch64 NEON), with
    i16 wrap-around where pmaddubsw would saturate. It is an op rather than an LLVM intrinsic call so
    that it is pure to bufferization and buffer deallocation.

    ```mlir
    %r = lowbit.byte_dot "vpdpbusd" %acc, %u, %s : vector<64xi8> -> vector<16xi32>
    %p = lowbit.byte_dot "pmaddubsw" %acc16, %u2, %s2 : vector<32xi8> -> vector<16xi16>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32, I16]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$unsigned_bytes,
                       VectorOfRankAndType<[1], [I8]>:$signed_bytes,
                       StrAttr:$instruction);
  let results = (outs VectorOfRankAndType<[1], [I32, I16]>:$result);
  let assemblyFormat = [{
    $instruction $acc `,` $unsigned_bytes `,` $signed_bytes attr-dict `:`
    type($unsigned_bytes) `->` type($acc)
  }];
  let hasVerifier = 1;
}

def LowBit_PairSumOp : LowBit_Op<"pair_sum", [Pure,
    AllTypesMatch<["acc", "result"]>,
    OptionalTypesMatchWith<"factors have the type of pairs", "pairs", "factors", "$_self">]> {
  let summary = "Adjacent i16 lanes summed into i32 lanes";
  let description = [{
    A kernel building block: `result[i] = acc[i] + sext(pairs[2 i]) +
    sext(pairs[2 i + 1])`, the widening step after i16 byte dots
    (`lowbit.byte_dot "pmaddubsw"` with an i16 accumulator). With `times`
    `factors`, each pair lane is multiplied by its factor lane first:
    `acc[i] + p[2 i] f[2 i] + p[2 i + 1] f[2 i + 1]`, all in i32 (exact
    products of i16 lanes; the int8-exact kernel's AVX2 form).
    `instruction`: `pmaddwd` (a multiply-add, by ones without factors;
    AVX2 / AVX-512BW; 16 or 32 pairs) or `portable`.

    ```mlir
    %r = lowbit.pair_sum "pmaddwd" %acc, %pairs : vector<16xi16> -> vector<8xi32>
    %p = lowbit.pair_sum "pmaddwd" %acc, %a times %w : vector<16xi16> -> vector<8xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I16]>:$pairs,
                       Optional<VectorOfRankAndType<[1], [I16]>>:$factors,
                       StrAttr:$instruction);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $instruction $acc `,` $pairs (`times` $factors^)? attr-dict `:` type($pairs) `->` type($acc)
  }];
  let hasVerifier = 1;
}

def LowBit_TableLookupOp : LowBit_Op<"table_lookup", [Pure,
    AllTypesMatch<["table", "indices", "result"]>]> {
  let summary = "Byte table lookup: one table entry per index lane";
  let description = [{
    A kernel building block (the LUT matmul emits it):
    `result[i] = table[indices[i] mod N]` for `N`-byte vectors, `N` a power
    of two (the index's high bits are ignored, so packed codes need no
    masking above the table's width). `instruction` names what
    `lowbit-byte-dot-to-llvm` emits: `vpermb` (AVX-512 VBMI, N = 64, one
    instruction), `vpshufb` (SSSE3 / AVX2 / AVX-512BW, N = 16, 32 or 64:
    each 16-byte lane looks up in its own 16 table bytes, `result[i] =
    table[16 floor(i / 16) + indices[i] mod 16]`, for indices below 128;
    kernels replicate one 16-entry table in every lane), `tbl` (AArch64
    NEON, N = 16, 32 or 64: the same 16-byte lanes, `result[i] =
    table[16 floor(i / 16) + indices[i] mod 16]` for any index: the index
    is masked to 4 bits, as tbl returns 0 past its 16 bytes) or `portable`
    (a lane at a time, any N, the `mod N` form). It is an op
    rather than an LLVM intrinsic call so that it is pure to bufferization
    and buffer deallocation.

    ```mlir
    %r = lowbit.table_lookup "vpermb" %table, %indices : vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$table,
                       VectorOfRankAndType<[1], [I8]>:$indices,
                       StrAttr:$instruction);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = [{
    $instruction $table `,` $indices attr-dict `:` type($table)
  }];
  let hasVerifier = 1;
}

def LowBit_ValueLookupOp : LowBit_Op<"value_lookup", [Pure]> {
  let summary = "f32 table lookup: a 16-entry table of values, one per index lane";
  let description = [{
    A kernel building block (f32 kernels on codebook weights emit it, NF4
    say): `result[i] = table[indices[i] mod 16]`, the table 16 f32 values.
    `instruction` names what `lowbit-byte-dot-to-llvm` emits: `vpermps`
    (16 lanes: one AVX-512F vpermps; 8 lanes: AVX2, one vpermps on each
    half of the table and a blend on index bit 3) or `portable` (a lane at
    a time, any lane count). Pure, like `table_lookup`, so bufferization
    and buffer deallocation see through it.

    ```mlir
    %r = lowbit.value_lookup "vpermps" %table, %codes : vector<16xf32>, vector<16xi8> -> vector<16xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [F32]>:$table,
                       VectorOfRankAndType<[1], [I8]>:$indices,
                       StrAttr:$instruction);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$result);
  let assemblyFormat = [{
    $instruction $table `,` $indices attr-dict `:` type($table) `,` type($indices) `->` type($result)
  }];
  let hasVerifier = 1;
}

def LowBit_SignBytesOp : LowBit_Op<"sign_bytes", [Pure,
    AllTypesMatch<["values", "signs", "result"]>]> {
  let summary = "Bytes negated, zeroed or kept by the sign of other bytes";
  let description = [{
    A kernel building block: `result[i] = signs[i] < 0 ? -values[i] :
    signs[i] == 0 ? 0 : values[i]` on i8 lanes (-(-128) wraps to -128).
    With it a signed-by-signed byte dot runs on pmaddubsw, whose first
    operand is unsigned: `|w| . sign_bytes(a, w)` equals `w . a`, and stays
    exact in i16 pairs while `a` has no -128 lanes (2 x 128 x 127 fits).
    `instruction`: `vpsignb` (SSSE3 / AVX2: 16 or 32 bytes, 64 as two
    32-byte halves; AVX-512 has no such instruction) or `portable`
    (compares and selects, any width).

    ```mlir
    %r = lowbit.sign_bytes "vpsignb" %a, %w : vector<32xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$values,
                       VectorOfRankAndType<[1], [I8]>:$signs,
                       StrAttr:$instruction);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = [{
    $instruction $values `,` $signs attr-dict `:` type($values)
  }];
  let hasVerifier = 1;
}

def LowBit_SelectBitsOp : LowBit_Op<"select_bits", [Pure,
    AllTypesMatch<["controls", "data", "result"]>]> {
  let summary = "Bytes cut from each 64-bit lane at per-byte bit offsets";
  let description = [{
    A kernel building block (int8-gemm's dense 3-bit codes): for each
    64-bit lane `q` of `data` and each of its bytes `j`, `result` byte
    `8 q + j` holds the 8 bits of lane `q` that start at bit
    `controls[8 q + j] mod 64`, wrapping past bit 63 (bit `t` of the byte
    is bit `(c + t) mod 64` of the lane). So fields of any width that lie
    anywhere in a lane come out one a byte, ready for a mask.
    `instruction`: `vpmultishiftqb` (AVX-512 VBMI: 16, 32 or 64 bytes, one
    instruction) or `portable` (shifts of each lane widened to 64 bits, any
    width that is a multiple of 8 bytes).

    ```mlir
    %r = lowbit.select_bits "vpmultishiftqb" %controls, %data : vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$controls,
                       VectorOfRankAndType<[1], [I8]>:$data,
                       StrAttr:$instruction);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = [{
    $instruction $controls `,` $data attr-dict `:` type($data)
  }];
  let hasVerifier = 1;
}

def LowBit_BlendBytesOp : LowBit_Op<"blend_bytes", [Pure,
    AllTypesMatch<["otherwise", "negative", "mask", "result"]>]> {
  let summary = "Bytes picked from one of two vectors by the top bit of a third";
  let description = [{
    A kernel building block: `result[i] = mask[i] < 0 ? negative[i] :
    otherwise[i]` on i8 lanes: only each mask byte's top bit counts, so a
    vector of packed bits shifted left brings one bit a byte into play (the
    ternary lut kernel's signs: a looked-up sum or its negation, picked by
    one bit each).
    `instruction`: `vpblendvb` (SSE4.1 / AVX2: 16 or 32 bytes) or `portable`
    (a compare and a select; on x86 LLVM makes that a compare and an or
    where the two choices are constants, one instruction more).

    ```mlir
    %r = lowbit.blend_bytes "vpblendvb" %sum, %negated, %bits : vector<32xi8>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$otherwise,
                       VectorOfRankAndType<[1], [I8]>:$negative,
                       VectorOfRankAndType<[1], [I8]>:$mask,
                       StrAttr:$instruction);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = [{
    $instruction $otherwise `,` $negative `,` $mask attr-dict `:` type($otherwise)
  }];
  let hasVerifier = 1;
}

#endif // QCC_DIALECT_LOWBIT_IR_LOWBITOPS_TD
