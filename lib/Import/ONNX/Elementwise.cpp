//===- Elementwise.cpp - ONNX elementwise ops -> linalg.generic --------===//
//
// Binary ops broadcast numpy-style; every op becomes one linalg.generic
// whose body is arith/math on scalars. Integer inputs that are known at
// compile time (shape arithmetic) are folded on the host instead.
//
//===----------------------------------------------------------------------===//

#include "Builders.h"
#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace qcc::onnx_import;

namespace {

/// Host folding is for shape arithmetic: small integer tensors.
constexpr int64_t kMaxFoldElements = 4096;

bool isFoldableInt(const HostTensor *tensor) {
  return tensor && (isIntegerType(tensor->getType()) ||
                    tensor->getType() == DataType::Bool) &&
         tensor->getNumElements() <= kMaxFoldElements;
}

/// Evaluates a broadcasting binary op on host integers.
HostTensor foldBinary(const HostTensor &a, const HostTensor &b,
                      ArrayRef<int64_t> outShape, DataType outType,
                      llvm::function_ref<int64_t(int64_t, int64_t)> fn) {
  std::vector<int64_t> va = a.toInt64(), vb = b.toInt64();
  int64_t count = numElements(outShape);
  std::vector<int64_t> out(count);
  auto index = [&](ArrayRef<int64_t> shape, int64_t flat) {
    // Maps a flat index of outShape to the broadcast flat index of `shape`.
    int64_t result = 0, stride = 1;
    for (int64_t d = outShape.size() - 1, s = shape.size() - 1; d >= 0;
         --d, --s) {
      int64_t coord = flat % outShape[d];
      flat /= outShape[d];
      if (s >= 0) {
        result += (shape[s] == 1 ? 0 : coord) * stride;
        stride *= shape[s];
      }
    }
    return result;
  };
  for (int64_t i = 0; i < count; ++i)
    out[i] = fn(va[index(a.getShape(), i)], vb[index(b.getShape(), i)]);
  return HostTensor::fromInt64(outType, outShape, out);
}

enum class BinaryKind { Add, Sub, Mul, Div, Pow, Equal, Less, Greater,
                        LessOrEqual, GreaterOrEqual, Max, Min, And, Or, Xor };

bool isComparison(BinaryKind kind) {
  return kind == BinaryKind::Equal || kind == BinaryKind::Less ||
         kind == BinaryKind::Greater || kind == BinaryKind::LessOrEqual ||
         kind == BinaryKind::GreaterOrEqual;
}

Value buildBinaryScalar(OpBuilder &b, Location loc, BinaryKind kind, Value x,
                        Value y, bool isUnsigned) {
  bool isFloat = isa<FloatType>(x.getType());
  using CF = arith::CmpFPredicate;
  using CI = arith::CmpIPredicate;
  switch (kind) {
  case BinaryKind::Add:
    return isFloat ? Value(arith::AddFOp::create(b, loc, x, y))
                   : Value(arith::AddIOp::create(b, loc, x, y));
  case BinaryKind::Sub:
    return isFloat ? Value(arith::SubFOp::create(b, loc, x, y))
                   : Value(arith::SubIOp::create(b, loc, x, y));
  case BinaryKind::Mul:
    return isFloat ? Value(arith::MulFOp::create(b, loc, x, y))
                   : Value(arith::MulIOp::create(b, loc, x, y));
  case BinaryKind::Div:
    if (isFloat)
      return arith::DivFOp::create(b, loc, x, y);
    return isUnsigned ? Value(arith::DivUIOp::create(b, loc, x, y))
                      : Value(arith::DivSIOp::create(b, loc, x, y));
  case BinaryKind::Pow:
    return math::PowFOp::create(b, loc, x, y);
  case BinaryKind::Equal:
    return isFloat ? Value(arith::CmpFOp::create(b, loc, CF::OEQ, x, y))
                   : Value(arith::CmpIOp::create(b, loc, CI::eq, x, y));
  case BinaryKind::Less:
    return isFloat ? Value(arith::CmpFOp::create(b, loc, CF::OLT, x, y))
                   : Value(arith::CmpIOp::create(b, loc,
                                                 isUnsigned ? CI::ult : CI::slt, x, y));
  case BinaryKind::Greater:
    return isFloat ? Value(arith::CmpFOp::create(b, loc, CF::OGT, x, y))
                   : Value(arith::CmpIOp::create(b, loc,
                                                 isUnsigned ? CI::ugt : CI::sgt, x, y));
  case BinaryKind::LessOrEqual:
    return isFloat ? Value(arith::CmpFOp::create(b, loc, CF::OLE, x, y))
                   : Value(arith::CmpIOp::create(b, loc,
                                                 isUnsigned ? CI::ule : CI::sle, x, y));
  case BinaryKind::GreaterOrEqual:
    return isFloat ? Value(arith::CmpFOp::create(b, loc, CF::OGE, x, y))
                   : Value(arith::CmpIOp::create(b, loc,
                                                 isUnsigned ? CI::uge : CI::sge, x, y));
  case BinaryKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, y);
    return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, y))
                      : Value(arith::MaxSIOp::create(b, loc, x, y));
  case BinaryKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, x, y);
    return isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, y))
                      : Value(arith::MinSIOp::create(b, loc, x, y));
  case BinaryKind::And:
    return arith::AndIOp::create(b, loc, x, y);
  case BinaryKind::Or:
    return arith::OrIOp::create(b, loc, x, y);
  case BinaryKind::Xor:
    return arith::XOrIOp::create(b, loc, x, y);
  }
  llvm_unreachable("unknown binary kind");
}

/// ONNX Pow allows mixed types: the result has the base's type. Integer
/// powers of integers are exact (math.ipowi); anything with a float goes
/// through float64.
Value buildPow(OpBuilder &b, Location loc, Value base, DataType baseType,
               Value exponent, DataType exponentType) {
  if (isFloatType(baseType)) {
    if (exponentType != baseType)
      exponent = convertScalar(b, loc, exponent, exponentType, baseType);
    return math::PowFOp::create(b, loc, base, exponent);
  }
  if (isIntegerType(exponentType)) {
    if (exponentType != baseType)
      exponent = convertScalar(b, loc, exponent, exponentType, baseType);
    return math::IPowIOp::create(b, loc, base, exponent);
  }
  Value wideBase = convertScalar(b, loc, base, baseType, DataType::Double);
  Value wideExp = convertScalar(b, loc, exponent, exponentType, DataType::Double);
  Value power = math::PowFOp::create(b, loc, wideBase, wideExp);
  return convertScalar(b, loc, power, DataType::Double, baseType);
}

std::optional<int64_t> foldBinaryInt(BinaryKind kind, int64_t x, int64_t y) {
  switch (kind) {
  case BinaryKind::Add: return x + y;
  case BinaryKind::Sub: return x - y;
  case BinaryKind::Mul: return x * y;
  case BinaryKind::Div: return y == 0 ? std::nullopt : std::optional<int64_t>(x / y);
  case BinaryKind::Equal: return x == y;
  case BinaryKind::Less: return x < y;
  case BinaryKind::Greater: return x > y;
  case BinaryKind::LessOrEqual: return x <= y;
  case BinaryKind::GreaterOrEqual: return x >= y;
  case BinaryKind::Max: return std::max(x, y);
  case BinaryKind::Min: return std::min(x, y);
  case BinaryKind::And: return x && y;
  case BinaryKind::Or: return x || y;
  case BinaryKind::Xor: return (x != 0) != (y != 0);
  case BinaryKind::Pow: return std::nullopt;
  }
  return std::nullopt;
}

/// A binary op on inputs 0 and 1 (or, for Max/Min, folded over all inputs).
LogicalResult convertBinary(NodeImporter &n, BinaryKind kind) {
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  DataType type = n.getInputType(0);
  bool logical = kind == BinaryKind::And || kind == BinaryKind::Or ||
                 kind == BinaryKind::Xor;
  if (logical && type != DataType::Bool)
    return n.fail("inputs must be BOOL, got " + dataTypeName(type));
  if (!logical && !isFloatType(type) && !isIntegerType(type))
    return n.fail("input type " + dataTypeName(type) + " is not supported");
  DataType outType = isComparison(kind) ? DataType::Bool : type;

  unsigned count = n.getNumInputs();
  if (count < 1 || (kind != BinaryKind::Max && kind != BinaryKind::Min && count != 2))
    return n.fail("expected 2 inputs, got " + llvm::Twine(count));
  for (unsigned i = 1; i < count; ++i)
    if (n.getInputType(i) != type && kind != BinaryKind::Pow)
      return n.fail("input " + llvm::Twine(i) + " has type " +
                    dataTypeName(n.getInputType(i)) + " but input 0 has " +
                    dataTypeName(type));

  SmallVector<int64_t> outShape(n.getInputShape(0));
  for (unsigned i = 1; i < count; ++i) {
    auto shape = broadcastShapes(outShape, n.getInputShape(i));
    if (!shape)
      return n.fail("input shapes do not broadcast");
    outShape = *shape;
  }

  // Shape arithmetic on known integers is evaluated now.
  bool foldable = kind != BinaryKind::Pow;
  for (unsigned i = 0; i < count; ++i)
    foldable &= isFoldableInt(n.getConstantInput(i));
  if (foldable) {
    HostTensor acc = *n.getConstantInput(0);
    bool ok = true;
    for (unsigned i = 1; i < count && ok; ++i) {
      auto shape = broadcastShapes(acc.getShape(), n.getInputShape(i));
      acc = foldBinary(acc, *n.getConstantInput(i), *shape, outType,
                       [&](int64_t x, int64_t y) {
                         std::optional<int64_t> r = foldBinaryInt(kind, x, y);
                         ok &= r.has_value();
                         return r.value_or(0);
                       });
    }
    if (ok) {
      n.setConstantOutput(0, acc);
      return success();
    }
  }

  bool isUnsigned = isUnsignedType(type);
  Type outElement = getSignlessElementType(n.getContext(), outType);
  if (count == 1) {
    n.setOutput(0, n.getInput(0), type);
    return success();
  }
  Value result = n.getInput(0);
  for (unsigned i = 1; i < count; ++i) {
    Value rhs = n.getInput(i);
    DataType rhsType = n.getInputType(i);
    auto shape = broadcastShapes(shapeOf(result), shapeOf(rhs));
    result = buildElementwise(
        b, loc, ValueRange{result, rhs}, *shape, outElement,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value y = args[1];
          if (kind == BinaryKind::Pow)
            return buildPow(nb, nl, args[0], type, y, rhsType);
          return buildBinaryScalar(nb, nl, kind, args[0], y, isUnsigned);
        });
  }
  n.setOutput(0, result, outType);
  return success();
}

/// A float-only unary op whose body is `fn(x)`.
LogicalResult convertUnaryFloat(
    NodeImporter &n,
    llvm::function_ref<Value(OpBuilder &, Location, Value)> fn) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type))
    return n.fail("input type " + dataTypeName(type) +
                  " is not supported (expected a float type)");
  Value input = n.getInput(0);
  Value result = buildElementwise(
      n.getBuilder(), n.getLoc(), ValueRange{input}, shapeOf(input),
      elementTypeOf(input),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return fn(b, loc, args[0]);
      });
  n.setOutput(0, result, type);
  return success();
}

Value cst(OpBuilder &b, Location loc, Value like, double value) {
  return buildScalar(b, loc, like.getType(), value);
}

Value clamp01(OpBuilder &b, Location loc, Value x) {
  Value zero = cst(b, loc, x, 0.0), one = cst(b, loc, x, 1.0);
  return arith::MaximumFOp::create(b, loc, zero,
                                   arith::MinimumFOp::create(b, loc, one, x));
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = cst(b, loc, x, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
}

LogicalResult convertNeg(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (const HostTensor *c = n.getConstantInput(0); isFoldableInt(c)) {
    std::vector<int64_t> values = c->toInt64();
    for (int64_t &v : values)
      v = -v;
    n.setConstantOutput(0, HostTensor::fromInt64(type, c->getShape(), values));
    return success();
  }
  if (isFloatType(type))
    return convertUnaryFloat(n, [](OpBuilder &b, Location loc, Value x) {
      return arith::NegFOp::create(b, loc, x);
    });
  if (!isIntegerType(type) || isUnsignedType(type))
    return n.fail("input type " + dataTypeName(type) + " is not supported");
  Value input = n.getInput(0);
  Value result = buildElementwise(
      n.getBuilder(), n.getLoc(), ValueRange{input}, shapeOf(input),
      elementTypeOf(input), [](OpBuilder &b, Location loc, ValueRange args) {
        return arith::SubIOp::create(b, loc, cst(b, loc, args[0], 0), args[0]);
      });
  n.setOutput(0, result, type);
  return success();
}

LogicalResult convertAbs(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (isFloatType(type))
    return convertUnaryFloat(n, [](OpBuilder &b, Location loc, Value x) {
      return math::AbsFOp::create(b, loc, x);
    });
  if (!isIntegerType(type))
    return n.fail("input type " + dataTypeName(type) + " is not supported");
  Value input = n.getInput(0);
  bool isUnsigned = isUnsignedType(type);
  Value result = buildElementwise(
      n.getBuilder(), n.getLoc(), ValueRange{input}, shapeOf(input),
      elementTypeOf(input), [&](OpBuilder &b, Location loc, ValueRange args) {
        if (isUnsigned)
          return args[0];
        return Value(math::AbsIOp::create(b, loc, args[0]));
      });
  n.setOutput(0, result, type);
  return success();
}

LogicalResult convertNot(NodeImporter &n) {
  if (n.getInputType(0) != DataType::Bool)
    return n.fail("input must be BOOL");
  Value input = n.getInput(0);
  Value result = buildElementwise(
      n.getBuilder(), n.getLoc(), ValueRange{input}, shapeOf(input),
      elementTypeOf(input), [](OpBuilder &b, Location loc, ValueRange args) {
        return arith::XOrIOp::create(b, loc, args[0], cst(b, loc, args[0], 1));
      });
  n.setOutput(0, result, DataType::Bool);
  return success();
}

LogicalResult convertGelu(NodeImporter &n) {
  std::string approximate = n.getStringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return n.fail("approximate='" + approximate +
                  "' is not supported (expected none or tanh)");
  bool useTanh = approximate == "tanh";
  return convertUnaryFloat(n, [&](OpBuilder &b, Location loc, Value x) {
    Value half = cst(b, loc, x, 0.5), one = cst(b, loc, x, 1.0);
    Value inner;
    if (useTanh) {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Value x3 = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
      Value poly = arith::AddFOp::create(
          b, loc, x, arith::MulFOp::create(b, loc, cst(b, loc, x, 0.044715), x3));
      inner = math::TanhOp::create(
          b, loc, arith::MulFOp::create(b, loc, cst(b, loc, x, std::sqrt(2.0 / M_PI)), poly));
    } else {
      // 0.5 x (1 + erf(x / sqrt(2)))
      inner = math::ErfOp::create(
          b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, x, M_SQRT1_2)));
    }
    return arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, half, x),
        arith::AddFOp::create(b, loc, one, inner));
  });
}

LogicalResult convertClip(NodeImporter &n) {
  DataType type = n.getInputType(0);
  if (!isFloatType(type) && !isIntegerType(type))
    return n.fail("input type " + dataTypeName(type) + " is not supported");
  OpBuilder &b = n.getBuilder();
  Location loc = n.getLoc();
  Value input = n.getInput(0);
  Type element = elementTypeOf(input);
  // Before opset 11 the bounds are attributes; from 11 on optional inputs.
  Value lo, hi;
  if (n.getOpset() < 11) {
    lo = buildScalar(b, loc, element, n.getFloatAttr("min", -INFINITY));
    hi = buildScalar(b, loc, element, n.getFloatAttr("max", INFINITY));
  } else {
    if (n.hasInput(1))
      lo = extractScalar(b, loc, n.getInput(1));
    if (n.hasInput(2))
      hi = extractScalar(b, loc, n.getInput(2));
  }
  BinaryKind maxKind = BinaryKind::Max, minKind = BinaryKind::Min;
  bool isUnsigned = isUnsignedType(type);
  Value result = buildElementwise(
      b, loc, ValueRange{input}, shapeOf(input), element,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0];
        if (lo)
          x = buildBinaryScalar(nb, nl, maxKind, x, lo, isUnsigned);
        if (hi)
          x = buildBinaryScalar(nb, nl, minKind, x, hi, isUnsigned);
        return x;
      });
  n.setOutput(0, result, type);
  return success();
}

LogicalResult convertWhere(NodeImporter &n) {
  if (n.getInputType(0) != DataType::Bool)
    return n.fail("condition must be BOOL");
  DataType type = n.getInputType(1);
  if (n.getInputType(2) != type)
    return n.fail("X and Y have different types");
  auto shape = broadcastShapes(n.getInputShape(0), n.getInputShape(1));
  if (shape)
    shape = broadcastShapes(*shape, n.getInputShape(2));
  if (!shape)
    return n.fail("input shapes do not broadcast");
  const HostTensor *c = n.getConstantInput(0), *x = n.getConstantInput(1),
                   *y = n.getConstantInput(2);
  if (isFoldableInt(c) && isFoldableInt(x) && isFoldableInt(y)) {
    HostTensor picked = foldBinary(*c, *x, *shape, type,
                                   [](int64_t cond, int64_t v) { return cond ? v : 0; });
    HostTensor mask = foldBinary(*c, *y, *shape, type,
                                 [](int64_t cond, int64_t v) { return cond ? 0 : v; });
    std::vector<int64_t> a = picked.toInt64(), m = mask.toInt64();
    for (size_t i = 0; i < a.size(); ++i)
      a[i] += m[i];
    n.setConstantOutput(0, HostTensor::fromInt64(type, *shape, a));
    return success();
  }
  Value result = buildElementwise(
      n.getBuilder(), n.getLoc(),
      ValueRange{n.getInput(0), n.getInput(1), n.getInput(2)}, *shape,
      getSignlessElementType(n.getContext(), type),
      [](OpBuilder &b, Location loc, ValueRange args) {
        return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
      });
  n.setOutput(0, result, type);
  return success();
}

LogicalResult convertCast(NodeImporter &n) {
  auto to = static_cast<DataType>(n.getIntAttr("to", 0));
  DataType from = n.getInputType(0);
  if (!getSignlessElementType(n.getContext(), to))
    return n.fail("cast to " + dataTypeName(to) + " is not supported");
  if (isMiniFloatType(to) || isMiniFloatType(from))
    return n.fail("casts to and from " + dataTypeName(isMiniFloatType(to) ? to : from) +
                  " are not supported yet; use QuantizeLinear/DequantizeLinear");
  if (const HostTensor *c = n.getConstantInput(0);
      c && c->getNumElements() <= kMaxFoldElements &&
      (isIntegerType(from) || from == DataType::Bool) &&
      (isIntegerType(to) || to == DataType::Bool || isFloatType(to))) {
    std::vector<int64_t> values = c->toInt64();
    n.setConstantOutput(0, HostTensor::fromInt64(to, c->getShape(), values));
    return success();
  }
  Value input = n.getInput(0);
  if (from == to) {
    n.setOutput(0, input, to);
    return success();
  }
  Value result = buildElementwise(
      n.getBuilder(), n.getLoc(), ValueRange{input}, shapeOf(input),
      getSignlessElementType(n.getContext(), to),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        return convertScalar(b, loc, args[0], from, to);
      });
  n.setOutput(0, result, to);
  return success();
}

LogicalResult convertIdentity(NodeImporter &n) {
  if (const HostTensor *c = n.getConstantInput(0)) {
    n.setConstantOutput(0, *c);
    return success();
  }
  n.setOutput(0, n.getInput(0), n.getInputType(0));
  return success();
}

template <BinaryKind kind>
LogicalResult binary(NodeImporter &n) {
  return convertBinary(n, kind);
}

} // namespace

void qcc::onnx_import::addElementwiseOps(std::vector<OpSupport> &ops) {
  constexpr int64_t last = 23;
  auto unary = [](auto fn) { return fn; };
  (void)unary;
  ops.push_back({"", "Add", 7, last, binary<BinaryKind::Add>, "float, int; broadcasting"});
  ops.push_back({"", "Sub", 7, last, binary<BinaryKind::Sub>, "float, int; broadcasting"});
  ops.push_back({"", "Mul", 7, last, binary<BinaryKind::Mul>, "float, int; broadcasting"});
  ops.push_back({"", "Div", 7, last, binary<BinaryKind::Div>, "float, int; broadcasting"});
  ops.push_back({"", "Pow", 7, last, binary<BinaryKind::Pow>, "float, int; mixed base/exponent types"});
  ops.push_back({"", "Equal", 7, last, binary<BinaryKind::Equal>, "float, int"});
  ops.push_back({"", "Less", 7, last, binary<BinaryKind::Less>, "float, int"});
  ops.push_back({"", "Greater", 7, last, binary<BinaryKind::Greater>, "float, int"});
  ops.push_back({"", "LessOrEqual", 12, last, binary<BinaryKind::LessOrEqual>, "float, int"});
  ops.push_back({"", "GreaterOrEqual", 12, last, binary<BinaryKind::GreaterOrEqual>, "float, int"});
  ops.push_back({"", "Max", 8, last, binary<BinaryKind::Max>, "float, int; variadic"});
  ops.push_back({"", "Min", 8, last, binary<BinaryKind::Min>, "float, int; variadic"});
  ops.push_back({"", "And", 7, last, binary<BinaryKind::And>, "bool"});
  ops.push_back({"", "Or", 7, last, binary<BinaryKind::Or>, "bool"});
  ops.push_back({"", "Xor", 7, last, binary<BinaryKind::Xor>, "bool"});
  ops.push_back({"", "Not", 1, last, convertNot, "bool"});
  ops.push_back({"", "Neg", 6, last, convertNeg, "float, signed int"});
  ops.push_back({"", "Abs", 6, last, convertAbs, "float, int"});
  ops.push_back({"", "Sqrt", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) { return math::SqrtOp::create(b, l, x); });
  }, "float"});
  ops.push_back({"", "Reciprocal", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) {
      return arith::DivFOp::create(b, l, cst(b, l, x, 1.0), x); });
  }, "float"});
  ops.push_back({"", "Exp", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) { return math::ExpOp::create(b, l, x); });
  }, "float"});
  ops.push_back({"", "Log", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) { return math::LogOp::create(b, l, x); });
  }, "float"});
  ops.push_back({"", "Tanh", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) { return math::TanhOp::create(b, l, x); });
  }, "float"});
  ops.push_back({"", "Erf", 9, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) { return math::ErfOp::create(b, l, x); });
  }, "float"});
  ops.push_back({"", "Floor", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) { return math::FloorOp::create(b, l, x); });
  }, "float"});
  ops.push_back({"", "Ceil", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) { return math::CeilOp::create(b, l, x); });
  }, "float"});
  ops.push_back({"", "Sigmoid", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, sigmoid);
  }, "float"});
  ops.push_back({"", "Relu", 6, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) {
      return arith::MaximumFOp::create(b, l, x, cst(b, l, x, 0.0)); });
  }, "float"});
  ops.push_back({"", "LeakyRelu", 6, last, [](NodeImporter &n) {
    double alpha = n.getFloatAttr("alpha", 0.01f);
    return convertUnaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
      Value zero = cst(b, l, x, 0.0);
      Value negative = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
      Value scaled = arith::MulFOp::create(b, l, x, cst(b, l, x, alpha));
      return arith::SelectOp::create(b, l, negative, scaled, x); });
  }, "float"});
  ops.push_back({"", "HardSigmoid", 6, last, [](NodeImporter &n) {
    double alpha = n.getFloatAttr("alpha", 0.2f), beta = n.getFloatAttr("beta", 0.5f);
    return convertUnaryFloat(n, [&](OpBuilder &b, Location l, Value x) {
      Value y = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, x, alpha)),
                                      cst(b, l, x, beta));
      return clamp01(b, l, y); });
  }, "float"});
  ops.push_back({"", "HardSwish", 14, last, [](NodeImporter &n) {
    return convertUnaryFloat(n, [](OpBuilder &b, Location l, Value x) {
      Value y = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, x, cst(b, l, x, 1.0 / 6.0)),
                                      cst(b, l, x, 0.5));
      return arith::MulFOp::create(b, l, x, clamp01(b, l, y)); });
  }, "float"});
  ops.push_back({"", "Gelu", 20, last, convertGelu, "float; approximate none/tanh"});
  ops.push_back({"", "Clip", 6, last, convertClip, "float, int"});
  ops.push_back({"", "Where", 9, last, convertWhere, "any type"});
  ops.push_back({"", "Cast", 6, last, convertCast, "float, int, bool (not float8/float4)"});
  ops.push_back({"", "Identity", 1, last, convertIdentity, "tensors"});
}
