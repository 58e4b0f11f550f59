//===- LowBitToLinalg.cpp - reference lowering of lowbit ops -----------===//
//
// Takes every qtensor apart into plain tensors (QTensorParts) and rewrites
// the lowbit ops into linalg on those tensors. Weights are decoded inside
// the consuming linalg body (the matmul reads packed bytes directly), so no
// dequantized weight tensor is materialized. This lowering is the correct
// baseline for every format; fast kernels replace it per layer later.
//
//===----------------------------------------------------------------------===//

#include "FactoredMatmul.h"
#include "DecodedGemm.h"
#include "Int8DotMatmul.h"
#include "IntegerMatmul.h"
#include "Int8TileMatmul.h"
#include "LutMatmul.h"
#include "MinifloatEncode.h"
#include "qcc/Passes/KernelSelection.h"
#include "QTensorParts.h"
#include "RangeKernel.h"
#include "StoreEpilogue.h"

#include "qcc/Passes/Passes.h"
#include "qcc/Passes/ResourceBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

namespace qcc {
#define GEN_PASS_DEF_LOWBITTOLINALGPASS
#include "qcc/Passes/Passes.h.inc"
} // namespace qcc

using namespace mlir;
using namespace qcc;
using namespace qcc::lowbit;

namespace {

Value applyEpilogue(OpBuilder &b, MatmulOp op, Value result);

Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type element) {
  return tensor::EmptyOp::create(b, loc, shape, element);
}

/// A linalg.generic producing a tensor of `shape` whose element at the
/// iteration indices is `body(indices)`.
Value buildIndexedTensor(
    OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type element,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *context = b.getContext();
  Value init = emptyTensor(b, loc, shape, element);
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(shape.size(), context)},
      iterators, [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> indices;
        for (size_t i = 0; i < shape.size(); ++i)
          indices.push_back(linalg::IndexOp::create(nb, nl, i));
        linalg::YieldOp::create(nb, nl, body(nb, nl, indices));
      });
  return generic.getResult(0);
}

/// result[i...] = body(input[i...], i...): as buildIndexedTensor, with the
/// input an operand of the generic (identity map), not read in its body, so
/// that linalg's elementwise fusion merges it with the input's producer (a
/// QuantizeLinear joins the loop that computes what it quantizes).
Value buildIndexedElementwise(
    OpBuilder &b, Location loc, Value input, Type element,
    llvm::function_ref<Value(OpBuilder &, Location, Value, ValueRange)> body) {
  MLIRContext *context = b.getContext();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input.getType()).getShape();
  Value init = emptyTensor(b, loc, shape, element);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(shape.size(), context);
  SmallVector<utils::IteratorType> iterators(shape.size(), utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{input}, ValueRange{init},
      ArrayRef<AffineMap>{identity, identity}, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> indices;
        for (size_t i = 0; i < shape.size(); ++i)
          indices.push_back(linalg::IndexOp::create(nb, nl, i));
        linalg::YieldOp::create(nb, nl, body(nb, nl, args[0], indices));
      });
  return generic.getResult(0);
}

Value toElementType(OpBuilder &b, Location loc, Value f32, Type element) {
  if (element.isF32())
    return f32;
  return arith::TruncFOp::create(b, loc, element, f32);
}

/// The signless element type lowering uses for one unpacked code.
Type codeElementType(QTensorType type) {
  Type storage = type.getStorageType();
  if (isa<TernaryType>(storage))
    return IntegerType::get(type.getContext(), 2);
  if (auto intType = dyn_cast<IntegerType>(storage))
    return IntegerType::get(type.getContext(), intType.getWidth());
  return storage;
}

class Lowering {
public:
  explicit Lowering(IRRewriter &rewriter) : rewriter(rewriter) {}

  LogicalResult lower(Operation *op) {
    rewriter.setInsertionPoint(op);
    return TypeSwitch<Operation *, LogicalResult>(op)
        .Case<ConstantOp, AssembleOp, QuantizeOp, DequantizeOp, CodesOp,
              ScalesOp, ZeroPointsOp, MatmulOp, RequantizeOp, PackOp, UnpackOp>(
            [&](auto typed) { return lowerOp(typed); })
        .Default([](Operation *) { return success(); });
  }

private:
  FailureOr<QTensorParts> partsOf(Operation *user, Value qtensor) {
    auto it = parts.find(qtensor);
    if (it != parts.end())
      return it->second;
    return user->emitOpError("reads a qtensor that is not made by a lowbit op "
                             "in this function (function arguments and "
                             "control flow are not lowered)");
  }

  Value constantOf(Location loc, Attribute attr) {
    if (!attr)
      return {};
    return signless(loc, arith::ConstantOp::create(rewriter, loc,
                                                   cast<TypedAttr>(attr)));
  }

  /// arith works on signless integers: ui8 zero points are read as i8 (the
  /// qtensor type still says how to extend them).
  Value signless(Location loc, Value tensor) {
    if (!tensor)
      return tensor;
    auto type = cast<RankedTensorType>(tensor.getType());
    auto intType = dyn_cast<IntegerType>(type.getElementType());
    if (!intType || intType.isSignless())
      return tensor;
    return tensor::BitcastOp::create(
        rewriter, loc,
        type.clone(IntegerType::get(type.getContext(), intType.getWidth())),
        tensor);
  }

  LogicalResult lowerOp(ConstantOp op) {
    LayoutKind layout = op.getType().getLayoutKind();
    if (layout == LayoutKind::lut_planes || layout == LayoutKind::int8_tiles) {
      // lowbit-pack-layout's tiles are read by their kernel alone.
      StringRef reader = layout == LayoutKind::lut_planes ? kKernelLut : kKernelInt8Gemm;
      for (Operation *user : op->getUsers()) {
        auto matmul = dyn_cast<MatmulOp>(user);
        auto kernel = matmul ? matmul->getAttrOfType<StringAttr>(kKernelAttrName) : StringAttr();
        if (!kernel || kernel.getValue() != reader || matmul.getRhs() != op.getResult())
          return op.emitOpError("layout ")
                 << stringifyLayoutKind(layout) << " is read by the " << reader
                 << " kernel only, not by " << user->getName();
      }
    } else if (failed(checkLowerable(op, op.getType()))) {
      return failure();
    }
    Location loc = op.getLoc();
    QTensorParts p;
    p.type = op.getType();
    p.packed = true;
    p.codes = constantOf(loc, op.getStorage());
    p.scales = constantOf(loc, op.getScalesAttr());
    p.zeroPoints = constantOf(loc, op.getZeroPointsAttr());
    p.codebook = constantOf(loc, op.getCodebookAttr());
    if (op.getTensorScale())
      p.tensorScale = arith::ConstantOp::create(rewriter, loc, op.getTensorScaleAttr());
    parts[op] = p;
    producers.push_back(op);
    return success();
  }

  /// Codes tensors use signless element types inside lowered code.
  Value signlessCodes(Location loc, Value codes, QTensorType type) {
    auto tensorType = cast<RankedTensorType>(codes.getType());
    Type element = codeElementType(type);
    if (tensorType.getElementType() == element)
      return codes;
    return tensor::BitcastOp::create(rewriter, loc, tensorType.clone(element),
                                     codes);
  }

  LogicalResult lowerOp(AssembleOp op) {
    QTensorParts p;
    p.type = op.getType();
    p.codes = signlessCodes(op.getLoc(), op.getCodes(), p.type);
    p.scales = op.getScales();
    p.zeroPoints = signless(op.getLoc(), op.getZeroPoints());
    parts[op] = p;
    producers.push_back(op);
    return success();
  }

  LogicalResult lowerOp(QuantizeOp op);
  LogicalResult lowerOp(DequantizeOp op) {
    FailureOr<QTensorParts> p = partsOf(op, op.getInput());
    if (failed(p))
      return failure();
    Type element = op.getType().getElementType();
    // Unpacked codes of the result's shape are the generic's input, so
    // that elementwise fusion (and a transpose moving below) sees them.
    auto codesType = dyn_cast<RankedTensorType>(p->codes.getType());
    Value result =
        !p->packed && codesType && codesType.getShape() == op.getType().getShape()
            ? buildIndexedElementwise(
                  rewriter, op.getLoc(), p->codes, element,
                  [&](OpBuilder &b, Location loc, Value code, ValueRange indices) {
                    Value real = decodeCode(b, loc, *p, widenCode(b, loc, *p, code), indices);
                    return toElementType(b, loc, real, element);
                  })
            : buildIndexedTensor(rewriter, op.getLoc(), op.getType().getShape(), element,
                                 [&](OpBuilder &b, Location loc, ValueRange indices) {
                                   return toElementType(b, loc, decodeReal(b, loc, *p, indices),
                                                        element);
                                 });
    rewriter.replaceOp(op, result);
    return success();
  }

  LogicalResult lowerOp(CodesOp op) {
    FailureOr<QTensorParts> p = partsOf(op, op.getInput());
    if (failed(p))
      return failure();
    Value codes = p->codes;
    if (p->packed) {
      Type element = codeElementType(p->type);
      codes = buildIndexedTensor(
          rewriter, op.getLoc(), p->type.getShape(), element,
          [&](OpBuilder &b, Location loc, ValueRange indices) -> Value {
            Value code = loadCode(b, loc, *p, indices);
            unsigned bits = element.getIntOrFloatBitWidth();
            Value narrow = bits == 32 ? code
                                      : Value(arith::TruncIOp::create(
                                            b, loc, b.getIntegerType(bits), code));
            if (isa<FloatType>(element))
              return arith::BitcastOp::create(b, loc, element, narrow);
            return narrow;
          });
    }
    auto codesType = cast<RankedTensorType>(codes.getType());
    if (codesType != op.getType())
      codes = tensor::BitcastOp::create(rewriter, op.getLoc(), op.getType(), codes);
    rewriter.replaceOp(op, codes);
    return success();
  }

  LogicalResult lowerOp(ScalesOp op) {
    FailureOr<QTensorParts> p = partsOf(op, op.getInput());
    if (failed(p))
      return failure();
    rewriter.replaceOp(op, p->scales);
    return success();
  }

  LogicalResult lowerOp(ZeroPointsOp op) {
    FailureOr<QTensorParts> p = partsOf(op, op.getInput());
    if (failed(p))
      return failure();
    Value zeros = p->zeroPoints;
    if (!zeros)
      return op.emitOpError("has no zero points to read");
    if (zeros.getType() != op.getType())
      zeros = tensor::BitcastOp::create(rewriter, op.getLoc(), op.getType(), zeros);
    rewriter.replaceOp(op, zeros);
    return success();
  }

  LogicalResult lowerOp(MatmulOp op);
  LogicalResult lowerMinifloatQuantize(QuantizeOp op, FloatType format);

  /// quantize(dequantize(x)) into the result type, as the op is defined:
  /// both ops are built here and lowered at once.
  LogicalResult lowerOp(RequantizeOp op) {
    Location loc = op.getLoc();
    QTensorType type = op.getType();
    auto real = RankedTensorType::get(type.getShape(), rewriter.getF32Type());
    auto dequantize = DequantizeOp::create(rewriter, loc, real, op.getInput());
    auto quantize = QuantizeOp::create(rewriter, loc, type, dequantize.getResult(),
                                       op.getScales(), op.getZeroPoints(),
                                       /*saturate=*/true);
    if (failed(lower(dequantize)))
      return failure();
    if (failed(lower(quantize)))
      return failure();
    parts[op.getResult()] = parts[quantize.getResult()];
    producers.push_back(op);
    return success();
  }

  LogicalResult lowerOp(PackOp op) {
    if (op.getInput().getType() != op.getType())
      return op.emitOpError("to another layout has no reference lowering yet");
    return forward(op, op.getInput());
  }

  LogicalResult lowerOp(UnpackOp op) {
    if (op.getInput().getType() != op.getType())
      return op.emitOpError("from another layout has no reference lowering yet");
    return forward(op, op.getInput());
  }

  LogicalResult forward(Operation *op, Value input) {
    FailureOr<QTensorParts> p = partsOf(op, input);
    if (failed(p))
      return failure();
    parts[op->getResult(0)] = *p;
    producers.push_back(op);
    return success();
  }

public:
  /// Once its last reader is lowered, a constant weight goes, with the
  /// arith constants made of it that nothing reads, and its blobs where
  /// no op refers to them any more: lut-ternary re-encodes its weights
  /// into a new blob, and keeping every layer's original to the pass's end
  /// held a ternary model's weights twice (compile memory, USERS #10).
  void eraseOnceUnread(ConstantOp constant, qcc::BlobReleaser &releaser) {
    if (!constant->use_empty())
      return;
    SmallVector<DenseResourceElementsAttr> resources = qcc::resourcesOf(constant);
    auto found = parts.find(constant.getResult());
    if (found != parts.end()) {
      const QTensorParts &p = found->second;
      for (Value part : {p.codes, p.scales, p.zeroPoints, p.codebook, p.tensorScale})
        eraseUnusedChain(part, resources);
      parts.erase(found);
    }
    llvm::erase(producers, constant.getOperation());
    rewriter.eraseOp(constant);
    releaser.erased(resources);
  }

  /// Erases the qtensor producers once every reader is rewritten.
  LogicalResult eraseProducers() {
    for (Operation *op : llvm::reverse(producers)) {
      if (!op->use_empty())
        return op->emitOpError("result is still used after lowering by '")
               << (*op->getUsers().begin())->getName() << "'";
      rewriter.eraseOp(op);
    }
    return success();
  }

private:
  /// Erases `value`'s op and the pure ops feeding only it (a constant and
  /// the casts made of it), collecting the blobs they held.
  void eraseUnusedChain(Value value, SmallVectorImpl<DenseResourceElementsAttr> &resources) {
    Operation *op = value ? value.getDefiningOp() : nullptr;
    while (op && op->use_empty() && isPure(op) && op->getNumRegions() == 0) {
      llvm::append_range(resources, qcc::resourcesOf(op));
      Operation *feeder = op->getNumOperands() == 1 ? op->getOperand(0).getDefiningOp() : nullptr;
      rewriter.eraseOp(op);
      op = feeder;
    }
  }

  IRRewriter &rewriter;
  DenseMap<Value, QTensorParts> parts;
  SmallVector<Operation *> producers;
};

//===----------------------------------------------------------------------===//
// Quantize
//===----------------------------------------------------------------------===//

/// Scales and zero points computed from the data for a per-tensor scheme:
/// ONNX DynamicQuantizeLinear's formula for asymmetric schemes, max-abs for
/// symmetric ones.
LogicalResult computeDynamicParams(IRRewriter &rewriter, QuantizeOp op,
                                   QTensorParts &p, int64_t qmin, int64_t qmax) {
  Location loc = op.getLoc();
  SchemeAttr scheme = p.type.getScheme();
  if (scheme.getGranularity() != Granularity::per_tensor ||
      !scheme.getScale() || !scheme.getScale().isF32())
    return op.emitOpError("computing scales at run time is only lowered for "
                          "per-tensor f32 scales");
  Value input = op.getInput();
  auto inputType = op.getInput().getType();
  Type f32 = rewriter.getF32Type();
  // max or min of `x` over `dims` (from 0, the init) into `shape`.
  auto reduce = [&](Value x, ArrayRef<int64_t> dims, ArrayRef<int64_t> shape, bool isMax) {
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0.0f));
    Value init = linalg::FillOp::create(rewriter, loc, zero,
                                        emptyTensor(rewriter, loc, shape, f32))
                     .getResult(0);
    return linalg::ReduceOp::create(
               rewriter, loc, ValueRange{x}, ValueRange{init}, dims,
               [&](OpBuilder &b, Location l, ValueRange args) {
                 Value v = args[0];
                 if (!v.getType().isF32())
                   v = arith::ExtFOp::create(b, l, f32, v);
                 Value r = isMax ? Value(arith::MaximumFOp::create(b, l, v, args[1]))
                                 : Value(arith::MinimumFOp::create(b, l, v, args[1]));
                 linalg::YieldOp::create(b, l, r);
               })
        .getResult(0);
  };
  int64_t total = inputType.getNumElements();
  auto extract = [&](Value scalarTensor) -> Value {
    return tensor::ExtractOp::create(rewriter, loc, scalarTensor, ValueRange{});
  };
  auto reduceAll = [&](bool isMax) {
    Value result;
    if (total % 16 == 0 && total >= 256) {
      // The elements as [T / 16, 16]: 16 running extremes side by side (a
      // loop LLVM vectorizes; a reduction to one scalar would load and
      // store its accumulator once per element), then those 16.
      SmallVector<ReassociationIndices> all(1);
      for (int64_t i = 0; i < inputType.getRank(); ++i)
        all[0].push_back(i);
      Value flat = inputType.getRank() == 1
                       ? input
                       : Value(tensor::CollapseShapeOp::create(
                             rewriter, loc,
                             RankedTensorType::get({total}, inputType.getElementType()), input,
                             all));
      Value lanes = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({total / 16, 16}, inputType.getElementType()),
          flat, ArrayRef<ReassociationIndices>{{0, 1}});
      result = reduce(reduce(lanes, {0}, {16}, isMax), {0}, {}, isMax);
    } else {
      SmallVector<int64_t> dims;
      for (int64_t i = 0; i < inputType.getRank(); ++i)
        dims.push_back(i);
      result = reduce(input, dims, {}, isMax);
    }
    return extract(result);
  };
  // Reductions start at 0, so the range always includes 0 (as ONNX asks).
  Value hi, lo;
  if (std::optional<RangeParts> range = buildRangeParts(rewriter, loc, input)) {
    // Large f32 tensors: one parallel pass for both extremes, then their
    // per-chunk vectors and the tail.
    hi = extract(reduce(range->maxima, {0, 1}, {}, true));
    lo = extract(reduce(range->minima, {0, 1}, {}, false));
    if (range->tail) {
      hi = arith::MaximumFOp::create(rewriter, loc, hi, extract(reduce(range->tail, {0}, {}, true)));
      lo = arith::MinimumFOp::create(rewriter, loc, lo, extract(reduce(range->tail, {0}, {}, false)));
    }
  } else {
    hi = reduceAll(true);
    lo = reduceAll(false);
  }
  auto cst = [&](double v) {
    return arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(v));
  };
  Value scale, zero;
  if (scheme.hasZeroPoint()) {
    scale = arith::DivFOp::create(rewriter, loc, arith::SubFOp::create(rewriter, loc, hi, lo),
                                  cst(double(qmax - qmin)));
    Value z = arith::SubFOp::create(rewriter, loc, cst(double(qmin)),
                                    arith::DivFOp::create(rewriter, loc, lo, scale));
    z = math::RoundEvenOp::create(rewriter, loc, z);
    z = arith::MaximumFOp::create(rewriter, loc, cst(double(qmin)),
                                  arith::MinimumFOp::create(rewriter, loc, cst(double(qmax)), z));
    auto zeroType = cast<IntegerType>(scheme.getZeroPoint());
    Type signless = rewriter.getIntegerType(zeroType.getWidth());
    zero = zeroType.isUnsigned() ? Value(arith::FPToUIOp::create(rewriter, loc, signless, z))
                                 : Value(arith::FPToSIOp::create(rewriter, loc, signless, z));
    zero = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, signless), ValueRange{zero});
  } else {
    Value amax = arith::MaximumFOp::create(
        rewriter, loc, hi, arith::NegFOp::create(rewriter, loc, lo));
    scale = arith::DivFOp::create(rewriter, loc, amax, cst(double(qmax)));
  }
  p.scales = tensor::FromElementsOp::create(
      rewriter, loc, RankedTensorType::get({}, f32), ValueRange{scale});
  p.zeroPoints = zero;
  return success();
}

/// x / scale at `indices` in f32 (the first step of QuantizeLinear).
Value scaledInput(OpBuilder &b, Location l, Value x, const QTensorParts &params,
                  ValueRange indices) {
  if (!x.getType().isF32())
    x = arith::ExtFOp::create(b, l, b.getF32Type(), x);
  if (Value scale = loadScale(b, l, params, indices))
    x = arith::DivFOp::create(b, l, x, scale);
  return x;
}

LogicalResult Lowering::lowerOp(QuantizeOp op) {
  Location loc = op.getLoc();
  QTensorParts p;
  p.type = op.getType();
  if (auto format = dyn_cast<FloatType>(p.type.getStorageType()))
    return lowerMinifloatQuantize(op, format);
  auto storage = dyn_cast<IntegerType>(p.type.getStorageType());
  if (!storage)
    return op.emitOpError("quantizing to ")
           << p.type.getStorageType() << " has no reference lowering yet";
  unsigned bits = storage.getWidth();
  bool isUnsigned = storage.isUnsigned();
  int64_t qmin = isUnsigned ? 0 : -(int64_t(1) << (bits - 1));
  int64_t qmax = isUnsigned ? (int64_t(1) << bits) - 1 : (int64_t(1) << (bits - 1)) - 1;
  p.scales = op.getScales();
  p.zeroPoints = signless(loc, op.getZeroPoints());
  if (!p.scales && p.type.getScheme().getScale() &&
      failed(computeDynamicParams(rewriter, op, p, qmin, qmax)))
    return failure();

  Type codeType = codeElementType(p.type);
  Value input = op.getInput();
  // code = saturate(round_half_even(x / scale) + zero_point), as ONNX
  // QuantizeLinear; the division in f32.
  QTensorParts params = p; // for loadScale/loadZeroPoint at the indices
  Value codes = buildIndexedElementwise(
      rewriter, loc, input, codeType,
      [&](OpBuilder &b, Location l, Value element, ValueRange indices) -> Value {
        Value x = scaledInput(b, l, element, params, indices);
        Value q = math::RoundEvenOp::create(b, l, x);
        if (Value zero = loadZeroPoint(b, l, params, indices)) {
          Value zf = zero.getType().isF32()
                         ? zero
                         : Value(arith::SIToFPOp::create(b, l, b.getF32Type(), zero));
          q = arith::AddFOp::create(b, l, q, zf);
        }
        // Saturated; NaN quantizes to code 0.
        q = clampCode(b, l, q, qmin, qmax);
        // Bytes straight from f32 (in range after the clamp): LLVM narrows
        // 8 lanes with two saturating packs, where i32 then trunc takes
        // two shuffles and an unpack.
        if (bits == 8)
          return qmin == 0 ? Value(arith::FPToUIOp::create(b, l, codeType, q))
                           : Value(arith::FPToSIOp::create(b, l, codeType, q));
        Value wide = arith::FPToSIOp::create(b, l, b.getI32Type(), q);
        return bits == 32 ? wide
                          : Value(arith::TruncIOp::create(b, l, codeType, wide));
      });
  p.codes = codes;
  parts[op] = p;
  producers.push_back(op);
  return success();
}

/// code = encode(x / scale) in an FP8/FP4 format (no zero points: ONNX
/// allows only a constant zero, which the importer drops).
LogicalResult Lowering::lowerMinifloatQuantize(QuantizeOp op, FloatType format) {
  Location loc = op.getLoc();
  QTensorParts p;
  p.type = op.getType();
  p.scales = op.getScales();
  if (!p.scales && p.type.getScheme().getScale())
    return op.emitOpError("computing scales at run time for ")
           << format << " storage has no reference lowering yet";
  if (op.getZeroPoints())
    return op.emitOpError("zero points with ") << format << " storage are not supported";
  Value input = op.getInput();
  bool saturate = op.getSaturate();
  QTensorParts params = p;
  p.codes = buildIndexedElementwise(
      rewriter, loc, input, format,
      [&](OpBuilder &b, Location l, Value element, ValueRange indices) -> Value {
        Value x = scaledInput(b, l, element, params, indices);
        Value code = encodeMinifloat(b, l, x, format, saturate);
        return arith::BitcastOp::create(b, l, format, code);
      });
  parts[op] = p;
  producers.push_back(op);
  return success();
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

/// One term of the dot product at (row indices..., n, k): the lhs element
/// times the weight element, as i32 on codes (integer result) or f32.
Value matmulTerm(OpBuilder &b, Location l, const std::optional<QTensorParts> &lhs,
                 Value lhsFloat, const QTensorParts &weight,
                 ArrayRef<Value> rowIndices, Value n, Value k, bool transposed,
                 bool integer) {
  SmallVector<Value> wIdx = transposed ? SmallVector<Value>{n, k}
                                       : SmallVector<Value>{k, n};
  SmallVector<Value> aIdx(rowIndices);
  aIdx.push_back(k);
  if (integer) {
    Value a = loadCode(b, l, *lhs, aIdx);
    if (Value za = loadZeroPoint(b, l, *lhs, aIdx))
      a = arith::SubIOp::create(b, l, a, za);
    Value w = loadCode(b, l, weight, wIdx);
    if (Value zw = loadZeroPoint(b, l, weight, wIdx))
      w = arith::SubIOp::create(b, l, w, zw);
    return arith::MulIOp::create(b, l, a, w);
  }
  Value a = lhs ? decodeReal(b, l, *lhs, aIdx) : lhsFloat;
  if (!a.getType().isF32())
    a = arith::ExtFOp::create(b, l, b.getF32Type(), a);
  return arith::MulFOp::create(b, l, a, decodeReal(b, l, weight, wIdx));
}

LogicalResult Lowering::lowerOp(MatmulOp op) {
  Location loc = op.getLoc();
  MLIRContext *context = rewriter.getContext();
  FailureOr<QTensorParts> rhs = partsOf(op, op.getRhs());
  if (failed(rhs))
    return failure();
  std::optional<QTensorParts> lhsParts;
  ArrayRef<int64_t> lhsShape;
  if (auto lhsType = dyn_cast<QTensorType>(op.getLhs().getType())) {
    FailureOr<QTensorParts> lhs = partsOf(op, op.getLhs());
    if (failed(lhs))
      return failure();
    lhsParts = *lhs;
    lhsShape = lhsType.getShape();
  } else {
    lhsShape = cast<RankedTensorType>(op.getLhs().getType()).getShape();
  }
  bool transposed = op.getTransposeRhs();
  // The kernels compute the accumulator's type: the result's, unless the
  // epilogue converts (a QuantizeLinear writing codes), which then maps it
  // to the result's at the store or in the loop after.
  RankedTensorType finalType = op.getType();
  RankedTensorType resultType = op.getAccumulatorType();
  Type element = resultType.getElementType();
  bool integer = element.isInteger(32);
  int64_t rank = lhsShape.size();
  int64_t k = lhsShape.back();
  QTensorParts weight = *rhs;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  // Accumulate in f32 (or exact i32), convert to the result type at the end.
  Type accType = integer ? Type(rewriter.getI32Type()) : Type(rewriter.getF32Type());
  auto finish = [&](OpBuilder &b, Location l, Value acc) -> Value {
    return integer ? acc : toElementType(b, l, acc, element);
  };
  Value result;
  // The tile kernels apply the bias and epilogue to their vectors before
  // they store them (set when one of them ran); the others leave them to
  // the elementwise loops below.
  StoreEpilogue storeEpilogue;
  // lowbit-select-kernels' choice, when it ran; without it the fastest
  // float kernel that applies.
  StringRef kernel;
  if (auto chosen = op->getAttrOfType<StringAttr>(kKernelAttrName))
    kernel = chosen.getValue();
  if ((kernel == kKernelBf16Gemm || kernel == kKernelF32Gemm) && weight.packed && !lhsParts &&
      !integer) {
    std::string whyNot;
    std::optional<DecodedGemmPlan> plan =
        planDecodedGemm(weight.type, op.getLhs().getType(), resultType, transposed,
                        targetFeaturesOf(op), whyNot, /*f32=*/kernel == kKernelF32Gemm);
    if (!plan)
      return op.emitOpError("was selected for the ")
             << kernel << " kernel, which cannot run it: " << whyNot;
    result = buildDecodedGemm(rewriter, loc, op.getLhs(), weight, *plan, resultType);
  }
  if (kernel == kKernelLut || kernel == kKernelLutTernary) {
    std::string whyNot = "the weight's codes, scales and zero points are not constants (the "
                         "kernel repacks them at compile time)";
    if (lhsParts || integer)
      whyNot = "the activations are already quantized";
    std::optional<LutPlan> plan;
    auto constant = [](Value v) {
      return v ? constantElements(v).value_or(ElementsAttr()) : ElementsAttr();
    };
    bool ternary = kernel == kKernelLutTernary;
    if (weight.packed && !lhsParts && !integer)
      plan = ternary ? planTernaryLut(weight.type, constant(weight.codes),
                                      constant(weight.scales), constant(weight.zeroPoints),
                                      op.getLhs().getType(), resultType, transposed,
                                      targetFeaturesOf(op), whyNot)
                     : planLut(weight.type, op.getLhs().getType(), resultType, transposed,
                               targetFeaturesOf(op), whyNot);
    if (plan) {
      storeEpilogue = prepareStoreEpilogue(rewriter, loc, op);
      result = ternary ? buildTernaryLutMatmul(rewriter, loc, op.getLhs(), weight, *plan,
                                               resultType, &storeEpilogue)
                       : buildLutMatmul(rewriter, loc, op.getLhs(), weight, *plan, resultType,
                                        &storeEpilogue);
    }
    if (!result)
      return op.emitOpError("was selected for the ")
             << kernel << " kernel, which cannot run it: " << whyNot;
  }
  if (kernel == kKernelInt8Exact) {
    std::string whyNot = "the weight's codes and zero points are not constants";
    std::optional<IntegerMatmulPlan> plan;
    if (lhsParts && weight.packed)
      plan = planIntegerMatmul(op.getLhs().getType(), weight.type, resultType, transposed,
                               targetFeaturesOf(op), whyNot);
    if (plan) {
      if (appliesStoreEpilogue(*plan, resultType))
        storeEpilogue = prepareStoreEpilogue(rewriter, loc, op);
      FailureOr<Value> product = buildIntegerMatmul(rewriter, loc, *lhsParts, weight, *plan,
                                                    resultType, transposed, &storeEpilogue,
                                                    finalType);
      if (succeeded(product))
        result = *product;
    }
    if (!result)
      return op.emitOpError("was selected for the int8-exact kernel, which cannot run it: ")
             << whyNot;
  }
  if (kernel == kKernelInt8Gemm) {
    std::string whyNot = "the weight's codes, scales and zero points are not constants (the "
                         "kernel repacks them at compile time)";
    if (lhsParts || integer)
      whyNot = "the activations are already quantized";
    std::optional<Int8TilePlan> plan;
    if (weight.packed && !lhsParts && !integer)
      plan = planInt8Tiles(weight.type, op.getLhs().getType(), resultType, transposed,
                           targetFeaturesOf(op), whyNot);
    if (plan) {
      storeEpilogue = prepareStoreEpilogue(rewriter, loc, op);
      result = buildInt8TileMatmul(rewriter, loc, op.getLhs(), weight, *plan, resultType,
                                   &storeEpilogue);
    }
    if (!result)
      return op.emitOpError("was selected for the int8-gemm kernel, which cannot run it: ")
             << whyNot;
  }
  std::optional<Int8DotPlan> int8Plan;
  if (kernel == kKernelInt8Dot && weight.packed && !lhsParts && !integer) {
    std::string whyNot;
    int8Plan = planInt8Dot(weight.type, op.getLhs().getType(), resultType,
                           transposed, targetFeaturesOf(op), whyNot);
    if (!int8Plan)
      return op.emitOpError("was selected for the int8-dot kernel, which "
                            "cannot run it: ")
             << whyNot;
  }
  // f32 activations on packed codes: the same vector kernel with f32 FMAs
  // where its layout applies, else the factored block dot products.
  if (!result && !int8Plan && weight.packed && !lhsParts && !integer &&
      kernel != kKernelReference && kernel != kKernelInt8Dot) {
    std::string whyNot;
    int8Plan = planInt8Dot(weight.type, op.getLhs().getType(), resultType, transposed,
                           targetFeaturesOf(op), whyNot, /*floatActivations=*/true);
  }
  std::optional<int64_t> factored;
  if (!result && !int8Plan && !lhsParts && !integer && kernel != kKernelReference)
    factored = factoredBlockSize(weight, transposed);
  if (result) {
    // bf16-gemm above.
  } else if (int8Plan) {
    result = buildInt8DotMatmul(rewriter, loc, op.getLhs(), weight, *int8Plan,
                                resultType);
  } else if (factored) {
    result = buildFactoredMatmul(rewriter, loc, op.getLhs(), weight, *factored,
                                 resultType);
    if (!element.isF32())
      result = buildIndexedTensor(
          rewriter, loc, resultType.getShape(), element,
          [&](OpBuilder &b, Location l, ValueRange indices) {
            return finish(b, l, tensor::ExtractOp::create(b, l, result, indices));
          });
  } else if (!lhsParts) {
    // Float activations: a generic over (rows..., n, k) with k a reduction,
    // the weight decoded in the body from its packed bytes.
    int64_t loops = rank + 1;
    SmallVector<AffineExpr> outExprs, lhsExprs;
    for (int64_t i = 0; i < rank - 1; ++i) {
      outExprs.push_back(dim(i));
      lhsExprs.push_back(dim(i));
    }
    outExprs.push_back(dim(rank - 1));
    lhsExprs.push_back(dim(rank));
    SmallVector<utils::IteratorType> iterators(loops - 1, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0.0f));
    Value init = linalg::FillOp::create(
                     rewriter, loc, zero,
                     emptyTensor(rewriter, loc, resultType.getShape(), accType))
                     .getResult(0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{op.getLhs()},
        ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::get(loops, 0, lhsExprs, context),
                            AffineMap::get(loops, 0, outExprs, context)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < loops; ++i)
            idx.push_back(linalg::IndexOp::create(b, l, i));
          Value term = matmulTerm(b, l, std::nullopt, args[0], weight,
                                  ArrayRef<Value>(idx).take_front(rank - 1),
                                  idx[rank - 1], idx[rank], transposed, false);
          Value sum = arith::AddFOp::create(b, l, args[1], term);
          linalg::YieldOp::create(b, l, sum);
        });
    result = generic.getResult(0);
    if (!element.isF32())
      result = buildIndexedTensor(
          rewriter, loc, resultType.getShape(), element,
          [&](OpBuilder &b, Location l, ValueRange indices) {
            return finish(b, l, tensor::ExtractOp::create(b, l, result, indices));
          });
  } else {
    // Quantized activations: both operands are decoded from codes, so the
    // reduction is a loop inside the body (no operand spans k).
    result = buildIndexedTensor(
        rewriter, loc, resultType.getShape(), element,
        [&](OpBuilder &b, Location l, ValueRange indices) -> Value {
          Value zero = integer ? Value(arith::ConstantIntOp::create(b, l, accType, 0))
                               : Value(arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f)));
          Value lb = arith::ConstantIndexOp::create(b, l, 0);
          Value ub = arith::ConstantIndexOp::create(b, l, k);
          Value step = arith::ConstantIndexOp::create(b, l, 1);
          auto loop = scf::ForOp::create(
              b, l, lb, ub, step, ValueRange{zero},
              [&](OpBuilder &lb2, Location ll, Value kk, ValueRange iter) {
                SmallVector<Value> rows(indices.drop_back());
                Value term = matmulTerm(lb2, ll, lhsParts, Value(), weight,
                                        rows, indices.back(), kk,
                                        transposed, integer);
                Value sum = integer ? Value(arith::AddIOp::create(lb2, ll, iter[0], term))
                                    : Value(arith::AddFOp::create(lb2, ll, iter[0], term));
                scf::YieldOp::create(lb2, ll, sum);
              });
          return finish(b, l, loop.getResult(0));
        });
  }
  bool appliedInKernel = result && bool(storeEpilogue);
  if (Value bias = op.getBias(); bias && !appliedInKernel) {
    SmallVector<AffineExpr> biasExprs = {dim(rank - 1)};
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    auto add = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{result, bias},
        ValueRange{emptyTensor(rewriter, loc, resultType.getShape(), element)},
        ArrayRef<AffineMap>{identity, AffineMap::get(rank, 0, biasExprs, context), identity},
        parallel, [&](OpBuilder &b, Location l, ValueRange args) {
          Value s = integer ? Value(arith::AddIOp::create(b, l, args[0], args[1]))
                            : Value(arith::AddFOp::create(b, l, args[0], args[1]));
          linalg::YieldOp::create(b, l, s);
        });
    result = add.getResult(0);
  }
  if (!op.getEpilogue().empty() && !appliedInKernel)
    result = applyEpilogue(rewriter, op, result);
  rewriter.replaceOp(op, result);
  return success();
}

/// `result` mapped element by element through `op`'s epilogue region, as
/// one linalg.generic (inputs of the result's shape read at the same
/// position, [n] ones broadcast over rows); LLVM sees it right after the
/// kernel's loops.
Value applyEpilogue(OpBuilder &b, MatmulOp op, Value result) {
  Location loc = op.getLoc();
  MLIRContext *context = op.getContext();
  // The result's type: the epilogue may convert the accumulator.
  RankedTensorType type = op.getType();
  unsigned rank = type.getRank();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  AffineMap row = AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, context)}, context);
  SmallVector<Value> inputs{result};
  SmallVector<AffineMap> maps{identity};
  for (Value input : op.getEpilogueInputs()) {
    inputs.push_back(input);
    int64_t inputRank = cast<RankedTensorType>(input.getType()).getRank();
    maps.push_back(inputRank == rank ? identity
                   : inputRank == 1  ? row
                                     : AffineMap::get(rank, 0, {}, context));
  }
  maps.push_back(identity);
  SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
  Block &body = op.getEpilogue().front();
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs,
      ValueRange{tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType())}, maps,
      parallel, [&](OpBuilder &nb, Location, ValueRange args) {
        IRMapping map;
        for (auto [from, to] : llvm::zip(body.getArguments(), args))
          map.map(from, to);
        for (Operation &inner : body.without_terminator())
          nb.clone(inner, map);
        linalg::YieldOp::create(
            nb, loc, map.lookupOrDefault(cast<YieldOp>(body.getTerminator()).getValues()[0]));
      });
  return generic.getResult(0);
}

struct LowBitToLinalgPass final
    : qcc::impl::LowBitToLinalgPassBase<LowBitToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    Lowering lowering(rewriter);
    SmallVector<Operation *> ops;
    qcc::BlobReleaser releaser(getOperation());
    getOperation()->walk([&](Operation *op) {
      // Epilogue terminators go with their matmul.
      if (isa<LowBitDialect>(op->getDialect()) && !isa<YieldOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      auto matmul = dyn_cast<MatmulOp>(op);
      ConstantOp weight = matmul ? matmul.getRhs().getDefiningOp<ConstantOp>() : ConstantOp();
      if (failed(lowering.lower(op)))
        return signalPassFailure();
      if (weight)
        lowering.eraseOnceUnread(weight, releaser);
    }
    if (failed(lowering.eraseProducers()))
      return signalPassFailure();
  }
};

} // namespace
