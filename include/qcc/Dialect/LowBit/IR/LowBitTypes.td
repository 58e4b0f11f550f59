//===- LowBitTypes.td - lowbit types -----------------------*- tablegen -*-===//

#ifndef QCC_DIALECT_LOWBIT_IR_LOWBITTYPES_TD
#define QCC_DIALECT_LOWBIT_IR_LOWBITTYPES_TD

include "qcc/Dialect/LowBit/IR/LowBitAttrs.td"
include "mlir/IR/AttrTypeBase.td"

class LowBit_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<LowBit_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def LowBit_TernaryType : LowBit_Type<"Ternary", "ternary"> {
  let summary = "Ternary element {-1, 0, 1}";
  let description = [{
    A storage element type for ternary weights (BitNet b1.58 style). Stored
    as 2-bit two's complement codes in the `row_major` layout, or five trits
    per byte in the `base3` layout.
  }];
}

def LowBit_QTensorType : LowBit_Type<"QTensor", "qtensor"> {
  let summary = "Quantized tensor: shape, storage format, scheme and layout";
  let description = [{
    ```mlir
    !lowbit.qtensor<4096x4096xi4, #lowbit.scheme<per_block = [1, 128], scale = f16>>
    !lowbit.qtensor<64x32xf4E2M1FN, #lowbit.scheme<per_block = [1, 32], scale = f8E8M0FNU>>
    !lowbit.qtensor<128x256x!lowbit.ternary, #lowbit.scheme<per_tensor, scale = f32>, #lowbit.layout<base3>>
    ```
    The shape is static. Scales and zero points have the shape the
    granularity implies: rank 0 for per_tensor, `[dim(axis)]` for per_axis,
    and `dim(i) / block(i)` per dimension for per_block.
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$storageType,
                        "SchemeAttr":$scheme,
                        OptionalParameter<"LayoutAttr">:$layout);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    TypeBuilderWithInferredContext<(ins "::llvm::ArrayRef<int64_t>":$shape,
        "::mlir::Type":$storageType, "SchemeAttr":$scheme), [{
      return $_get(storageType.getContext(), shape, storageType, scheme,
                   LayoutAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    int64_t getRank() const { return getShape().size(); }
    int64_t getNumElements() const;
    /// The layout, with an absent one read as row_major.
    LayoutKind getLayoutKind() const;
    /// Bits per stored element in the logical layout (ternary: 2).
    unsigned getStorageBitWidth() const;
    /// Bytes the packed codes occupy in this type's layout.
    int64_t getPackedByteCount() const;
    /// Shape of the scale (and zero-point) tensor the scheme implies.
    ::llvm::SmallVector<int64_t> getScaleShape() const;
    /// Shape of the codebook tensor, or empty optional without a codebook.
    std::optional<::llvm::SmallVector<int64_t>> getCodebookShape() const;
    /// The same type with another layout (null = row_major).
    QTensorType withLayout(LayoutAttr layout) const;
    /// The same type with another shape and scheme (e.g. after transposing).
    QTensorType withShapeAndScheme(::llvm::ArrayRef<int64_t> shape,
                                   SchemeAttr scheme) const;
  }];
}

#endif // QCC_DIALECT_LOWBIT_IR_LOWBITTYPES_TD
