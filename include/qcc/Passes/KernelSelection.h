//===- KernelSelection.h - names of the matmul kernels ------------*- C++ -*-===//
//
// lowbit-select-kernels records its choice for each lowbit.matmul in
// discardable attributes; lowbit-to-linalg obeys them and `qcc --report`
// prints them.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_PASSES_KERNELSELECTION_H
#define QCC_PASSES_KERNELSELECTION_H

#include "llvm/ADT/StringRef.h"

namespace qcc::lowbit {

/// The chosen kernel's name (one of the kKernel* values).
inline constexpr llvm::StringLiteral kKernelAttrName = "lowbit.kernel";
/// Why: the facts about format, target and model that decided it.
inline constexpr llvm::StringLiteral kKernelReasonAttrName = "lowbit.kernel_reason";

/// T-MAC-style table lookups on weight bit-planes (1- and 2-bit codes).
inline constexpr llvm::StringLiteral kKernelLut = "lut";
/// The same on ternary weights: base-3 groups of 3 as index + sign.
inline constexpr llvm::StringLiteral kKernelLutTernary = "lut-ternary";
/// Activations quantized to int8 per block, byte dot products.
inline constexpr llvm::StringLiteral kKernelInt8Dot = "int8-dot";
/// int8-dot's numbers on weights repacked into 16-row tiles (several rows).
inline constexpr llvm::StringLiteral kKernelInt8Gemm = "int8-gemm";
/// Weights decoded to bf16 once per tile of rows, vdpbf16ps GEMM (prefill).
inline constexpr llvm::StringLiteral kKernelBf16Gemm = "bf16-gemm";
/// The same with f32 weights and FMAs (prefill at f32 precision).
inline constexpr llvm::StringLiteral kKernelF32Gemm = "f32-gemm";
/// f32 activations, block dot products on codes with factored scales.
inline constexpr llvm::StringLiteral kKernelBlockDot = "f32-block-dot";
/// Integer activations times integer weights (MatMulInteger, QLinearMatMul):
/// exact i32 byte dot products on the codes as they are.
inline constexpr llvm::StringLiteral kKernelInt8Exact = "int8-exact";
/// The reference lowering: every element decoded in the generic's body.
inline constexpr llvm::StringLiteral kKernelReference = "reference";

} // namespace qcc::lowbit

#endif // QCC_PASSES_KERNELSELECTION_H
