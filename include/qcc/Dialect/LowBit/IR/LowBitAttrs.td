//===- LowBitAttrs.td - lowbit attributes ------------------*- tablegen -*-===//

#ifndef QCC_DIALECT_LOWBIT_IR_LOWBITATTRS_TD
#define QCC_DIALECT_LOWBIT_IR_LOWBITATTRS_TD

include "qcc/Dialect/LowBit/IR/LowBitDialect.td"
include "qcc/Dialect/LowBit/IR/LowBitEnums.td"
include "mlir/IR/AttrTypeBase.td"

class LowBit_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<LowBit_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def LowBit_SchemeAttr : LowBit_Attr<"Scheme", "scheme"> {
  let summary = "Quantization scheme of a qtensor";
  let description = [{
    Says how stored codes map to real values: `real = (code - zero_point) *
    scale [* tensor_scale]`, or `real = codebook[code] * scale` with a
    codebook.

    ```mlir
    #lowbit.scheme<per_tensor, scale = f32, zero_point = i8>
    #lowbit.scheme<per_axis = 1, scale = f32>
    #lowbit.scheme<per_block = [1, 128], scale = f16, zero_point = ui4>
    #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>            // OCP MX
    #lowbit.scheme<per_block = [1, 16], scale = f8E4M3FN, tensor_scale = f32> // NVFP4
    #lowbit.scheme<per_block = [1, 64], scale = f16, codebook = f32>  // NF4-style
    #lowbit.scheme<per_tensor, codebook = f16, codebook_axis = 0>     // one codebook per row
    ```

    Parameters: `granularity` (with `axis` for per_axis and one `block`
    extent per dimension for per_block), `scale` (element type of the
    scales, absent = 1), `zero_point` (integer or float type, absent = 0),
    `tensor_scale` (a second-level per-tensor scale, f32), `codebook` (entry
    type of a 2^bits-entry lookup table) with `codebook_axis` (absent: one
    codebook for the tensor; N: one codebook per index along axis N).
  }];
  let parameters = (ins
    "Granularity":$granularity,
    OptionalParameter<"std::optional<int64_t>">:$axis,
    OptionalArrayRefParameter<"int64_t">:$block,
    OptionalParameter<"::mlir::Type">:$scale,
    OptionalParameter<"::mlir::Type">:$zeroPoint,
    OptionalParameter<"::mlir::Type">:$tensorScale,
    OptionalParameter<"::mlir::Type">:$codebook,
    OptionalParameter<"std::optional<int64_t>">:$codebookAxis
  );
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    bool hasZeroPoint() const { return static_cast<bool>(getZeroPoint()); }
    bool hasCodebook() const { return static_cast<bool>(getCodebook()); }
  }];
}

def LowBit_LayoutAttr : LowBit_Attr<"Layout", "layout"> {
  let summary = "Memory layout of the packed bits of a qtensor";
  let description = [{
    ```mlir
    #lowbit.layout<row_major>
    #lowbit.layout<bit_planes>
    #lowbit.layout<base3>
    #lowbit.layout<tiled = [16, 4]>
    #lowbit.layout<lut_planes = [64, 16]>
    ```
    Import always produces `row_major` (written by leaving the layout out of
    the type); `lowbit-pack-layout` chooses the layout a kernel reads best
    (`lut_planes` for the lut kernel: bit-plane nibbles in 64-byte vectors
    of 16 rows, the given number of rows interleaved, 32 / bits elements of
    K a vector).
  }];
  let parameters = (ins "LayoutKind":$kind,
                        OptionalArrayRefParameter<"int64_t">:$tile);
  let hasCustomAssemblyFormat = 1;
}

#endif // QCC_DIALECT_LOWBIT_IR_LOWBITATTRS_TD
