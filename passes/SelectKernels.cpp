//===- SelectKernels.cpp - choose a kernel for each lowbit.matmul -------===//
//
// The cost model of the CPU target, per layer. What it weighs:
// - The model's permission: int8 activations change the numbers (about 1e-2
//   relative), so they are used only where the model allows them (MatMulNBits
//   accuracy_level 4, ONNX Runtime's own switch for the same trade) or the
//   user asks for them (allow-int8-activations).
// - Bytes and instructions: a GEMV/GEMM on packed codes reads each weight byte
//   once whatever the kernel; the int8-dot kernel does 64 multiply-adds per
//   instruction with VNNI (32 with pmaddubsw) against 8-16 for f32 FMAs on
//   decoded codes, so it wins at every batch size M where it may run.
// - Bits: with 1- and 2-bit codes the lut kernel's table lookups do the work
//   of 4 weight bits each (vpermb + vpdpbusd per 4 groups of 4 weights and
//   per bit-plane), so its time falls with the bit width where the byte
//   dots' does not (they spend one byte lane per weight whatever its width).
//   At 4 bits the byte dots do fewer instructions per weight, so int8-dot.
// - What the target has: vpermb and the byte-dot instruction come from the
//   module's `qcc.target_features`.
// Everything else goes to the f32 block-dot kernel when the weight has its
// shape, or to the reference lowering.
//
//===----------------------------------------------------------------------===//

#include "FactoredMatmul.h"
#include "AmxTiles.h"
#include "Int8TileMatmul.h"
#include "LutMatmul.h"
#include "DecodedGemm.h"
#include "Int8DotMatmul.h"
#include "IntegerMatmul.h"

#include "qcc/Passes/KernelSelection.h"
#include "qcc/Passes/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <cstdio>

namespace qcc {
#define GEN_PASS_DEF_SELECTKERNELSPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc;
using namespace qcc::lowbit;

namespace {

/// Activation rows from which decoding weight rows once to bf16 pays for
/// itself (each decoded row is reused by every activation row).
constexpr int64_t kPrefillRows = 16;

/// Activation rows from which int8-gemm's byte dots (AMX tiles where the
/// blocks allow) overtake lut's lookups on AVX-512. Measured (Xeon, 2
/// threads, 4096 x 4096 L3-resident, session 27): W1 g128 lut 1.39 ms at
/// 64 rows against int8-gemm's 1.46-1.58, at 128 rows 3.41 against 2.50
/// (AMX); W2 g32 level up to 64 rows, 6.60 against 6.05 ms at 128; at 512
/// rows lut had taken 22.7 / 34.0 ms where W2 g128 on int8-gemm took 12.4.
constexpr int64_t kLutMaxRows = 128;

/// Activation rows from which bf16-gemm on AMX-BF16 tiles overtakes
/// int8-gemm where the scale blocks are shorter than the 64 bytes of K of
/// an AMX int8 step: int8-gemm rescales its i32 sums every block (32 or 16
/// elements of K), bf16-gemm decodes each weight row once, scales applied,
/// and keeps its sums in tile registers across all of K. Measured (Xeon,
/// 2 threads, 4096 x 4096 L3-resident, session 28): W4 g32 M = 64 3.6 ms
/// against int8-gemm's 3.1, M = 128 5.0 against 5.6, M = 512 16.2 against
/// 24.9; MXFP4 M = 128 5.5 against 5.8, M = 512 16.9-18.4 against 24-27.
/// From 64-element blocks int8-gemm's whole AMX steps stay ahead (W4 g128
/// M = 512 12-13 ms).
constexpr int64_t kBf16OverInt8Rows = 128;
/// From here where int8-gemm has no AMX tiles for the blocks (shorter than
/// kInt8AmxMinBlock: NVFP4's 16):
/// NVFP4 M = 64 4.0-4.2 ms against int8-gemm's 4.7-5.5; at 32 rows 2.9
/// against 2.4-2.5.
constexpr int64_t kBf16OverInt8VnniRows = 64;
/// From here for 4-bit codes in blocks of 64 elements (NF4's, W4 g64),
/// one AMX int8 step a block: int8-gemm rescales its i32 sums every step
/// and, past 256 rows, slows by more than the rows (session 29, 4096 x 4096
/// L3-resident, 2 threads, medians of 20 runs, 2-3 rounds): NF4 M = 256
/// int8-gemm 6.4-6.7 ms, bf16-gemm 6.6-7.1; M = 384 13.1-13.5 against
/// 8.9-9.5; M = 512 16.1 against 11.1 (4096 x 11008: 46.6-47.1 against
/// 32.1-32.3); W4 g64 M = 256 7.9-8.2 against 6.2-6.3, M = 384 11.2-11.7
/// against 11.6-11.8, M = 512 17.1-17.3 against 11.7-12.0. At 128 rows
/// int8-gemm is ahead (NF4 3.3 against 3.8-4.1 ms); blocks of 128 keep it
/// at 512 rows (W4 g128 10.0-10.4 against 15.3-15.5).
constexpr int64_t kBf16OverInt8StepBlockRows = 384;

/// The last-level cache assumed where the module does not say (a cross
/// compile): 32 MiB, an AMD CCD's or a mid-size Intel part's L3.
constexpr int64_t kDefaultCacheBytes = int64_t(32) << 20;

/// Bytes of the module's quantized weight constants: what a run reads.
int64_t weightBytes(ModuleOp module) {
  int64_t bytes = 0;
  module.walk([&](ConstantOp constant) {
    auto type = cast<ShapedType>(constant.getStorage().getType());
    bytes += type.getNumElements() * type.getElementTypeBitWidth() / 8;
  });
  return bytes;
}

/// "64 MiB", "1.5 KiB": sizes in the kernel reasons.
std::string formatBytes(int64_t bytes) {
  // Whole units where exact or at least 10 of them, else one decimal, so
  // that "1.5 KiB exceed the 1 KiB cache" reads true.
  int64_t unit = bytes >= (int64_t(1) << 20) ? int64_t(1) << 20 : int64_t(1) << 10;
  const char *name = unit == (int64_t(1) << 20) ? " MiB" : " KiB";
  if (bytes % unit == 0 || bytes / unit >= 10)
    return std::to_string(bytes / unit) + name;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", double(bytes) / double(unit));
  return text + std::string(name);
}

int64_t cacheBytes(ModuleOp module) {
  if (auto attr = module->getAttrOfType<IntegerAttr>("qcc.target_cache_bytes"))
    return attr.getInt();
  return kDefaultCacheBytes;
}

int64_t rows(MatmulOp op) {
  auto type = cast<ShapedType>(op.getLhs().getType());
  return type.getNumElements() / type.getShape().back();
}

struct SelectKernelsPass final
    : qcc::impl::SelectKernelsPassBase<SelectKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (!forceKernel.empty() && forceKernel != kKernelLut && forceKernel != kKernelLutTernary &&
        forceKernel != kKernelInt8Dot && forceKernel != kKernelInt8Gemm &&
        forceKernel != kKernelBf16Gemm && forceKernel != kKernelF32Gemm) {
      getOperation()->emitError("unknown kernel '")
          << forceKernel << "' (lut, lut-ternary, int8-dot, int8-gemm, bf16-gemm or f32-gemm)";
      return signalPassFailure();
    }
    llvm::StringSet<> features = targetFeaturesOf(getOperation());
    auto module = isa<ModuleOp>(getOperation()) ? cast<ModuleOp>(getOperation())
                                                : getOperation()->getParentOfType<ModuleOp>();
    if (module) {
      modelBytes = weightBytes(module);
      cache = cacheBytes(module);
    }
    getOperation()->walk([&](MatmulOp op) {
      // A choice made earlier (by the driver, or by hand in the IR) stands.
      if (op->hasAttr(kKernelAttrName))
        return;
      auto [kernel, reason] = choose(op, features, forceKernel);
      // Where neither the forced kernel nor what it leaves allowed can run,
      // the cost model's choice, as without --kernel, not the reference
      // lowering (a W3 prefill with --kernel=bf16-gemm took 5.7 s there
      // instead of 11 ms on int8-gemm).
      if (!forceKernel.empty() && kernel == kKernelReference) {
        auto [chosen, why] = choose(op, features, "");
        reason = "--kernel=" + forceKernel + " cannot run here; " + why;
        kernel = chosen;
      }
      Builder b(op);
      op->setAttr(kKernelAttrName, b.getStringAttr(kernel));
      op->setAttr(kKernelReasonAttrName, b.getStringAttr(reason));
    });
  }

  /// The module's quantized weight bytes and the target's last-level cache.
  int64_t modelBytes = 0, cache = kDefaultCacheBytes;

  /// The kernel for `op` and why; with `forced` (--kernel) that one where
  /// it can run.
  std::pair<std::string, std::string> choose(MatmulOp op, const llvm::StringSet<> &features,
                                             StringRef forced) {
    auto weightType = cast<QTensorType>(op.getRhs().getType());
    bool packed = isa_and_nonnull<ConstantOp>(op.getRhs().getDefiningOp());
    bool floatLhs = !isa<QTensorType>(op.getLhs().getType());
    bool transposed = op.getTransposeRhs();
    std::string int8Why;
    int64_t level = 0;
    if (auto attr = op->getAttrOfType<IntegerAttr>("accuracy_level"))
      level = attr.getInt();
    // accuracy_level: 3 allows bf16 compute, 4 also int8 (MatMulNBits).
    // A forced integer kernel brings its own permission.
    bool forcedInt8 = forced == kKernelLut || forced == kKernelLutTernary ||
                      forced == kKernelInt8Dot || forced == kKernelInt8Gemm;
    bool allowBf16 = level >= 3 || allowInt8Activations || !forced.empty();
    bool allowInt8 = level == 4 || allowInt8Activations || forcedInt8;
    std::string permission = !forced.empty() ? "--kernel=" + forced.str()
                             : level >= 3         ? "accuracy_level " + std::to_string(level)
                                                  : "allow-int8-activations";
    if (!floatLhs) {
      // Integer codes times integer weights: exact byte dot products.
      std::string exactWhy = "the weight is not a constant";
      if (packed)
        if (std::optional<IntegerMatmulPlan> plan =
                planIntegerMatmul(op.getLhs().getType(), weightType, op.getAccumulatorType(), transposed,
                                  features, exactWhy))
          return {kKernelInt8Exact.str(),
                  "integer codes: exact i32, " +
                      std::string(plan->amx ? "AMX tdpbusd on 16x16 tiles, 64 bytes of K a "
                                              "step, "
                                  : plan->splitCodes ? "16-row weight tiles, activation nibbles "
                                                       "broadcast, "
                                  : plan->tiles     ? "16-row weight tiles, activation quads "
                                                    "broadcast, "
                                                    : "") +
                      (plan->amx          ? std::string("i32 accumulators in tile registers")
                       : plan->splitCodes ? std::string("vpmaddubsw")
                       : plan->dot == ByteDot::Portable ? std::string("widening multiply-adds")
                                                        : stringifyByteDot(plan->dot).str()) +
                      (plan->tiles ? std::string()
                                   : ", " + std::to_string(plan->chunk) + "-byte chunks")};
      int8Why = "activations are already quantized (int8-exact: " + exactWhy + ")";
    } else if (!packed) {
      int8Why = "weights are not constant packed codes";
    } else if (!allowBf16) {
      int8Why = "accuracy_level " + std::to_string(level) + " keeps f32 activations";
    } else {
      std::string gemmWhy;
      // Measured on Zen 5: vdpbf16ps retires one 32-MAC instruction a cycle
      // where vpdpbusd does more with 64, so the int8 kernels stay ahead
      // even at 128 rows (int8-dot 6.0, bf16-gemm 8.9 ms on 4096 x 4096);
      // bf16-gemm serves the models that allow bf16 but not int8.
      bool bf16Only = (!allowInt8 || forced == kKernelBf16Gemm) && forced != kKernelF32Gemm &&
                      (rows(op) >= kPrefillRows || forced == kKernelBf16Gemm);
      // Where int8 is allowed too, bf16 (the more accurate) on AMX tiles
      // for short blocks at prefill sizes.
      bool bf16OverInt8 = allowInt8 && forced.empty() && rows(op) >= kBf16OverInt8VnniRows;
      if (bf16Only || bf16OverInt8) {
        std::string bf16Why;
        std::optional<DecodedGemmPlan> gemm =
            planDecodedGemm(weightType, op.getLhs().getType(), op.getAccumulatorType(), transposed,
                            features, bf16Why, /*f32=*/false);
        bool shortBlocks = gemm && gemm->amx && gemm->block < kAmxStepBytes;
        bool stepBlocks = gemm && gemm->amx && gemm->block == kAmxStepBytes &&
                          weightType.getStorageBitWidth() == 4 &&
                          rows(op) >= kBf16OverInt8StepBlockRows;
        // Below 128 rows only blocks int8-gemm cannot take on AMX, of 3 bits
        // and more (1 and 2 bits: lut's rows, not measured against bf16).
        if (shortBlocks && !bf16Only && rows(op) < kBf16OverInt8Rows)
          shortBlocks = gemm->block < kInt8AmxMinBlock && weightType.getStorageBitWidth() > 2;
        if (gemm && (bf16Only || shortBlocks || stepBlocks))
          return {kKernelBf16Gemm.str(),
                  permission + "; " + std::to_string(rows(op)) +
                      " rows: weights decoded to bf16 once, " +
                      (gemm->amx ? "AMX tdpbf16ps on 16x16 tiles" : "vdpbf16ps 4x4 tiles") +
                      (bf16Only ? std::string()
                                : "; int8-gemm would rescale its sums every " +
                                      std::to_string(gemm->block) + " elements of K")};
        if (bf16Only)
          gemmWhy = "; bf16-gemm: " + bf16Why;
      }
      std::string lutWhy;
      std::optional<LutPlan> lut;
      bool lutAllowed = allowInt8 && (forced.empty() || forced == kKernelLut ||
                                       forced == kKernelLutTernary);
      if (lutAllowed && weightType.getStorageBitWidth() == 2) {
        auto constant = op.getRhs().getDefiningOp<ConstantOp>();
        std::string ternaryWhy;
        std::optional<LutPlan> ternary = planTernaryLut(
            weightType, constant.getStorage(), constant.getScalesAttr(),
            constant.getZeroPointsAttr(), op.getLhs().getType(), op.getAccumulatorType(), transposed,
            features, ternaryWhy);
        // Measured: the base-3 path wins at one activation row (fewer bytes,
        // 3 weights a lookup); with more rows its extra sign work and 1.5x
        // the table loads per weight make it slower than bit-planes
        // (K = 11008, M = 4: 524 vs 280 us), which read ternary codes as
        // plain 2-bit ones. Its AVX2 pairs form spends 1.33x the bit-planes'
        // instructions a weight for 0.74x the bytes (since session 23; it
        // was 1.19x for 0.89x with its offset stream, measured on Zen 3,
        // 4096 x 4096, M = 1, 2 threads: 0.80x their speed with the weights
        // in L3, 1.07x on a chain streaming from DRAM; the offset's removal
        // made it 1.18x faster on such a chain, 4-7% slower in L3), so
        // there it runs where the model's weights exceed the cache.
        bool streaming = modelBytes > cache;
        bool x86Pairs = ternary && ternary->pshufbPairs && ternary->pairLookup == "vpshufb";
        bool pays = rows(op) == 1 && ternary &&
                    ((ternary->vpermb && ternary->dot != ByteDot::Portable) ||
                     (x86Pairs && streaming));
        if (ternary && (forced == kKernelLutTernary ||
                        (pays && (forced.empty() || forced == kKernelLut))))
          return {kKernelLutTernary.str(),
                  permission + "; ternary codes (code - zero point in {-1, 0, 1}, one scale a "
                               "row): groups of 3 as a 4-bit index and a sign (1.67 bits), " +
                      (ternary->pshufbPairs
                           ? ternary->pairLookup.str() + " per 128-bit lane + " +
                                 ternary->pairDot.str() + " i16 pairs" +
                                 (x86Pairs && streaming && forced.empty()
                                      ? "; the model's " + formatBytes(modelBytes) +
                                            " of weights exceed the " + formatBytes(cache) +
                                            " cache: bytes bind"
                                      : std::string())
                           : std::string(ternary->vpermb ? "vpermb" : "portable lookups") +
                                 " + " + stringifyByteDot(ternary->dot).str())};
      }
      if (lutAllowed)
        lut = planLut(weightType, op.getLhs().getType(), op.getAccumulatorType(), transposed, features,
                      lutWhy);
      // Measured on Zen 5 (docs/performance.md): against int8-gemm's byte
      // dots on 16-row tiles, lut is 2x faster at 1 bit and 1.25x at 2 bits
      // with 32-element blocks, the same speed at 2 bits with larger blocks
      // (K = 4096/14336, M = 1-16), so there int8-gemm keeps its 4x smaller
      // activation error (int8 against lut's 6 bits).
      // On AVX2 without VBMI (Zen 3), 1- and 2-bit codes through vpshufb
      // pairs measured 1.4-2.3x int8-gemm at every block size (4096 x 4096
      // W2 g128 M = 1: 99 vs 141 us; g32 M = 4: 491 vs 828 us; W1 g128
      // M = 1: 74 vs 122 us, M = 4: 312 vs 723 us).
      // On AArch64 (NEON tbl pairs) the alternative is int8-dot's portable
      // widening code: the lookups do 4 weights' work each.
      // 3-bit codes through the pairs form against int8-gemm's 4-bit fields
      // (W3 g128 4096 x 4096, M = 1, 2 threads): on the Zen 3 (AVX2) the
      // same speed with the weights in L3 (192 vs 193 us), 1.38x on a chain
      // of 14 layers from DRAM (408 vs 563 us a layer: 3 bits read, not 4);
      // on a Xeon with VBMI and VNNI, where int8-gemm has zmm registers,
      // 0.83x in L3 (247 vs 206 us) and 1.20x from DRAM (361 vs 432) in
      // session 21; once int8-gemm prefetched its parameter stream and 8 KiB
      // ahead (session 22), 0.93x from DRAM too (a 163-layer chain on a
      // Xeon of the same kind: 340 vs 315 us a layer), so there int8-gemm
      // keeps 3-bit codes. With more
      // activation rows the pairs form's three vectors per 16 elements cost
      // more than int8-gemm's nibbles (Zen 3, M = 4 / 16 / 128: 664 / 2794 /
      // 22780 vs 583 / 2599 / 16468 us): one row only.
      bool w3Vnni = lut && lut->bits == 3 && lut->vpermb;
      bool w3Pays = rows(op) == 1 && !w3Vnni;
      bool lutPays = lut && ((lut->dot != ByteDot::Portable && lut->vpermb &&
                              rows(op) < kLutMaxRows &&
                              (lut->bits == 1 || (lut->bits == 2 && lut->block <= 32))) ||
                             (lut->pshufbPairs && (lut->bits != 3 || w3Pays)));
      if (lut && (lutPays || forced == kKernelLut))
        return {kKernelLut.str(),
                permission + "; " + std::to_string(lut->bits) + "-bit codes: " +
                    std::to_string(lut->bits) + " bit-plane lookup(s) per 4 weights, " +
                    (lut->pshufbPairs ? lut->pairLookup.str() + ", lookup pairs"
                     : lut->vpermb    ? "vpermb"
                                      : "portable lookups") +
                    // The pairs form sums with 256-bit pmaddubsw (x86) or
                    // vector code (AArch64), whatever the target's widest dot.
                    " + " + (!lut->pshufbPairs           ? stringifyByteDot(lut->dot).str()
                             : lut->pairDot == "pmaddubsw" ? std::string("avx2 vpmaddubsw ymm")
                                                           : std::string("i16 pair sums (vector code)"))};
      // Why not lut, where it might have paid (1- to 3-bit codes).
      if (weightType.getStorageBitWidth() <= 3 && lutAllowed) {
        if (lut)
          gemmWhy += std::string("; lut: ") +
                     (lut->bits == 3 && rows(op) != 1  ? "3-bit codes in its pairs form pay at one activation row"
                      : lut->bits == 3                 ? "3-bit codes in its 256-bit pairs form, slower than zmm byte dots (in cache and from DRAM)"
                      : !lut->vpermb                   ? "no AVX-512 VBMI"
                      : lut->dot == ByteDot::Portable ? "no AVX-512 byte-dot instruction"
                      : rows(op) >= kLutMaxRows
                          ? "from " + std::to_string(kLutMaxRows) + " rows slower than byte dots"
                          : "no faster at blocks of " +
                                                            std::to_string(lut->block) +
                                                            ", 6-bit activations");
        else if (!lutWhy.empty())
          gemmWhy += "; lut: " + lutWhy;
      }
      // int8-gemm: measured 1.2x int8-dot at M = 1 and 2x at M = 4-128
      // (W4 g128 4096 x 4096: 61 vs 75 us, 97 vs 202 us, 3.0 vs 6.3 ms).
      if (allowInt8 && (forced.empty() || forced == kKernelInt8Gemm)) {
        std::string tileWhy;
        if (std::optional<Int8TilePlan> tiles = planInt8Tiles(
                weightType, op.getLhs().getType(), op.getAccumulatorType(), transposed, features, tileWhy))
          return {kKernelInt8Gemm.str(),
                  permission + "; 16-row weight tiles, " +
                      (tiles->amx ? "AMX tdpbsud on 16 activation rows x " +
                                        std::to_string(std::min<int64_t>(tiles->block, kAmxStepBytes)) +
                                        " bytes of K, "
                                  : "activation quads broadcast, ") +
                      (tiles->dense3                           ? "3-bit codes read dense (vpermb, vpmultishiftqb), "
                       : tiles->decode == CodeDecode::Fp4      ? "FP4 codes decoded by vpshufb, "
                       : tiles->decode == CodeDecode::Codebook ? "codebook indices decoded by "
                                                                 "vpshufb, "
                                                               : "") +
                      (tiles->amx ? std::string("i32 block sums in tile registers")
                                  : stringifyByteDot(tiles->dot).str()) +
                      gemmWhy};
        gemmWhy += "; int8-gemm: " + tileWhy;
      }
      if (!allowInt8) {
        int8Why = "accuracy_level 3 allows bf16, not int8" + gemmWhy;
      } else if (forced == kKernelF32Gemm) {
        int8Why = "--kernel=f32-gemm";
      } else if (std::optional<Int8DotPlan> plan =
                     planInt8Dot(weightType, op.getLhs().getType(), op.getAccumulatorType(),
                                 transposed, features, int8Why)) {
        return {kKernelInt8Dot.str(),
                permission + "; " + stringifyByteDot(plan->dot).str() + ", " +
                    std::to_string(plan->chunkBytes) + "-byte chunks" + gemmWhy};
      }
    }
    if (floatLhs && packed && !op.getAccumulatorType().getElementType().isInteger(32)) {
      std::string floatWhy;
      if (rows(op) >= kPrefillRows || forced == kKernelF32Gemm)
        if (std::optional<DecodedGemmPlan> gemm =
                planDecodedGemm(weightType, op.getLhs().getType(), op.getAccumulatorType(), transposed,
                                features, floatWhy, /*f32=*/true))
          return {kKernelF32Gemm.str(),
                  "int8-dot: " + int8Why + "; " + std::to_string(rows(op)) +
                      (gemm->splitActivations
                           ? " rows: codes decoded to bf16 once (exact), activations split "
                             "into 3 bf16 terms, AMX tdpbf16ps on 16x16 tiles, f32 sums "
                             "scaled per row"
                           : std::string(" rows: weights decoded to f32 once, FMA ") +
                                 (gemm->lanes == 16 ? "4x4 tiles of zmm" : "4x2 tiles of ymm"))};
      if (std::optional<Int8DotPlan> plan =
              planInt8Dot(weightType, op.getLhs().getType(), op.getAccumulatorType(), transposed,
                          features, floatWhy, /*floatActivations=*/true))
        return {kKernelBlockDot.str(),
                "int8-dot: " + int8Why + "; " + stringifyByteDot(plan->dot).str() +
                    (plan->codebook ? " (codebook values by " + plan->lookup.str() + ")" : "") +
                    ", " + std::to_string(plan->chunkBytes) + "-byte chunks"};
      if (factoredBlockSize(weightType, transposed))
        return {kKernelBlockDot.str(), "int8-dot: " + int8Why + "; loops LLVM vectorizes"};
    }
    return {kKernelReference.str(),
            "int8-dot: " + int8Why + "; no block-dot shape"};
  }
};

} // namespace
