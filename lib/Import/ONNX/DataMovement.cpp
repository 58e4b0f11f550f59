//===- DataMovement.cpp - host folding shared by the shape op files -------===//
//
// See DataMovement.h.
//
//===----------------------------------------------------------------------===//

#include "DataMovement.h"
#include "Builders.h"

#include <cstring>

using namespace mlir;
using namespace qcc::onnx_import;

std::optional<HostData> qcc::onnx_import::loadHost(const HostTensor &tensor) {
  unsigned width = dataTypeBits(tensor.getType());
  if (width == 0 || (width != 4 && width % 8 != 0) || width > 64)
    return std::nullopt;
  HostData data;
  data.type = tensor.getType();
  data.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  int64_t count = tensor.getNumElements();
  data.bits.resize(count);
  ArrayRef<char> bytes = tensor.getBytes();
  for (int64_t i = 0; i < count; ++i) {
    if (width == 4) {
      auto byte = static_cast<uint8_t>(bytes[i / 2]);
      data.bits[i] = i % 2 == 0 ? (byte & 0xF) : (byte >> 4);
      continue;
    }
    uint64_t value = 0;
    std::memcpy(&value, bytes.data() + i * (width / 8), width / 8);
    data.bits[i] = value;
  }
  return data;
}

HostTensor qcc::onnx_import::storeHost(DataType type, ArrayRef<int64_t> shape,
                                       ArrayRef<uint64_t> bits) {
  unsigned width = dataTypeBits(type);
  auto owned =
      std::make_shared<std::vector<char>>((bits.size() * width + 7) / 8, 0);
  for (auto [i, value] : llvm::enumerate(bits)) {
    if (width == 4) {
      auto &byte = reinterpret_cast<uint8_t &>((*owned)[i / 2]);
      byte |= (value & 0xF) << (i % 2 == 0 ? 0 : 4);
      continue;
    }
    std::memcpy(owned->data() + i * (width / 8), &value, width / 8);
  }
  ArrayRef<char> bytes(owned->data(), owned->size());
  return HostTensor(type, shape, bytes, owned);
}

uint64_t qcc::onnx_import::scalarBits(DataType type, double value) {
  std::optional<HostData> data =
      loadHost(HostTensor::fromDouble(type, {}, {value}));
  return data ? data->bits[0] : 0;
}

SmallVector<int64_t> qcc::onnx_import::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

void qcc::onnx_import::forEachIndex(
    ArrayRef<int64_t> shape, llvm::function_ref<void(ArrayRef<int64_t>)> fn) {
  if (numElements(shape) == 0)
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    int64_t d = static_cast<int64_t>(shape.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

HostTensor qcc::onnx_import::foldMove(
    const HostData &source, ArrayRef<int64_t> shape,
    llvm::function_ref<int64_t(ArrayRef<int64_t>)> sourceIndex, uint64_t fill) {
  std::vector<uint64_t> bits;
  bits.reserve(numElements(shape));
  forEachIndex(shape, [&](ArrayRef<int64_t> index) {
    int64_t from = sourceIndex(index);
    bits.push_back(from < 0 ? fill : source.bits[from]);
  });
  return storeHost(source.type, shape, bits);
}

std::optional<HostData>
qcc::onnx_import::foldableInput(NodeImporter &n, unsigned i,
                                ArrayRef<int64_t> outShape) {
  const HostTensor *tensor = n.getConstantInput(i);
  if (!tensor || numElements(outShape) > kMaxFoldElements ||
      tensor->getNumElements() > kMaxFoldElements * 16)
    return std::nullopt;
  return loadHost(*tensor);
}

std::string qcc::onnx_import::formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, size] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(size);
  return text + "]";
}

FailureOr<std::optional<SmallVector<int64_t>>>
qcc::onnx_import::getAxes(NodeImporter &n, int64_t inputOpset, unsigned input) {
  if (n.getOpset() < inputOpset)
    return n.getIntsAttr("axes");
  if (!n.hasInput(input))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<std::vector<int64_t>> axes = n.getConstantInts(input, "axes");
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(
      SmallVector<int64_t>(axes->begin(), axes->end()));
}

FailureOr<SmallVector<int64_t>>
qcc::onnx_import::normalizeAxes(NodeImporter &n, ArrayRef<int64_t> axes,
                                int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = n.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    if (llvm::is_contained(result, *normalized))
      return n.fail("axis " + llvm::Twine(axis) + " is repeated");
    result.push_back(*normalized);
  }
  return result;
}
