//===- Tensors.cpp - decode ONNX tensor data ---------------------------===//

#include "Tensors.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <cstring>

using namespace mlir;
using namespace qcc::onnx_import;

//===----------------------------------------------------------------------===//
// Data types
//===----------------------------------------------------------------------===//

std::string qcc::onnx_import::dataTypeName(DataType type) {
  switch (type) {
  case DataType::Float: return "FLOAT";
  case DataType::Uint8: return "UINT8";
  case DataType::Int8: return "INT8";
  case DataType::Uint16: return "UINT16";
  case DataType::Int16: return "INT16";
  case DataType::Int32: return "INT32";
  case DataType::Int64: return "INT64";
  case DataType::String: return "STRING";
  case DataType::Bool: return "BOOL";
  case DataType::Float16: return "FLOAT16";
  case DataType::Double: return "DOUBLE";
  case DataType::Uint32: return "UINT32";
  case DataType::Uint64: return "UINT64";
  case DataType::Complex64: return "COMPLEX64";
  case DataType::Complex128: return "COMPLEX128";
  case DataType::BFloat16: return "BFLOAT16";
  case DataType::Float8E4M3FN: return "FLOAT8E4M3FN";
  case DataType::Float8E4M3FNUZ: return "FLOAT8E4M3FNUZ";
  case DataType::Float8E5M2: return "FLOAT8E5M2";
  case DataType::Float8E5M2FNUZ: return "FLOAT8E5M2FNUZ";
  case DataType::Uint4: return "UINT4";
  case DataType::Int4: return "INT4";
  case DataType::Float4E2M1: return "FLOAT4E2M1";
  case DataType::Float8E8M0: return "FLOAT8E8M0";
  case DataType::Undefined: break;
  }
  return "type " + std::to_string(static_cast<int32_t>(type));
}

unsigned qcc::onnx_import::dataTypeBits(DataType type) {
  switch (type) {
  case DataType::Uint4: case DataType::Int4: case DataType::Float4E2M1:
    return 4;
  case DataType::Uint8: case DataType::Int8: case DataType::Bool:
  case DataType::Float8E4M3FN: case DataType::Float8E4M3FNUZ:
  case DataType::Float8E5M2: case DataType::Float8E5M2FNUZ:
  case DataType::Float8E8M0:
    return 8;
  case DataType::Uint16: case DataType::Int16: case DataType::Float16:
  case DataType::BFloat16:
    return 16;
  case DataType::Float: case DataType::Int32: case DataType::Uint32:
    return 32;
  case DataType::Int64: case DataType::Uint64: case DataType::Double:
    return 64;
  default:
    return 0;
  }
}

bool qcc::onnx_import::isFloatType(DataType type) {
  return type == DataType::Float || type == DataType::Double ||
         type == DataType::Float16 || type == DataType::BFloat16;
}

bool qcc::onnx_import::isMiniFloatType(DataType type) {
  return type == DataType::Float8E4M3FN || type == DataType::Float8E4M3FNUZ ||
         type == DataType::Float8E5M2 || type == DataType::Float8E5M2FNUZ ||
         type == DataType::Float4E2M1;
}

bool qcc::onnx_import::isUnsignedType(DataType type) {
  return type == DataType::Uint8 || type == DataType::Uint16 ||
         type == DataType::Uint32 || type == DataType::Uint64 ||
         type == DataType::Uint4;
}

bool qcc::onnx_import::isIntegerType(DataType type) {
  return isUnsignedType(type) || type == DataType::Int8 ||
         type == DataType::Int16 || type == DataType::Int32 ||
         type == DataType::Int64 || type == DataType::Int4;
}

static Type miniFloatType(MLIRContext *context, DataType type) {
  switch (type) {
  case DataType::Float8E4M3FN: return Float8E4M3FNType::get(context);
  case DataType::Float8E4M3FNUZ: return Float8E4M3FNUZType::get(context);
  case DataType::Float8E5M2: return Float8E5M2Type::get(context);
  case DataType::Float8E5M2FNUZ: return Float8E5M2FNUZType::get(context);
  case DataType::Float4E2M1: return Float4E2M1FNType::get(context);
  case DataType::Float8E8M0: return Float8E8M0FNUType::get(context);
  default: return {};
  }
}

Type qcc::onnx_import::getOnnxElementType(MLIRContext *context, DataType type) {
  if (type == DataType::Bool)
    return IntegerType::get(context, 1);
  if (isIntegerType(type))
    return IntegerType::get(context, dataTypeBits(type),
                            isUnsignedType(type) ? IntegerType::Unsigned
                                                 : IntegerType::Signless);
  return getSignlessElementType(context, type);
}

Type qcc::onnx_import::getSignlessElementType(MLIRContext *context,
                                              DataType type) {
  switch (type) {
  case DataType::Float: return Float32Type::get(context);
  case DataType::Double: return Float64Type::get(context);
  case DataType::Float16: return Float16Type::get(context);
  case DataType::BFloat16: return BFloat16Type::get(context);
  case DataType::Bool: return IntegerType::get(context, 1);
  default:
    break;
  }
  if (isIntegerType(type))
    return IntegerType::get(context, dataTypeBits(type));
  return miniFloatType(context, type);
}

static const llvm::fltSemantics *floatSemantics(DataType type) {
  switch (type) {
  case DataType::Float16: return &llvm::APFloat::IEEEhalf();
  case DataType::BFloat16: return &llvm::APFloat::BFloat();
  case DataType::Float: return &llvm::APFloat::IEEEsingle();
  case DataType::Double: return &llvm::APFloat::IEEEdouble();
  case DataType::Float8E4M3FN: return &llvm::APFloat::Float8E4M3FN();
  case DataType::Float8E4M3FNUZ: return &llvm::APFloat::Float8E4M3FNUZ();
  case DataType::Float8E5M2: return &llvm::APFloat::Float8E5M2();
  case DataType::Float8E5M2FNUZ: return &llvm::APFloat::Float8E5M2FNUZ();
  case DataType::Float4E2M1: return &llvm::APFloat::Float4E2M1FN();
  case DataType::Float8E8M0: return &llvm::APFloat::Float8E8M0FNU();
  default: return nullptr;
  }
}

static int64_t byteCount(DataType type, int64_t elements) {
  return (elements * dataTypeBits(type) + 7) / 8;
}

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

HostTensor::HostTensor(DataType type, llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<char> bytes,
                       std::shared_ptr<const void> owner)
    : type(type), shape(shape), bytes(bytes), owner(std::move(owner)) {}

int64_t HostTensor::getNumElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

/// Reads the raw bits of element `index`.
static uint64_t readBits(llvm::ArrayRef<char> bytes, DataType type,
                         int64_t index) {
  unsigned bits = dataTypeBits(type);
  if (bits == 4) {
    uint8_t byte = static_cast<uint8_t>(bytes[index / 2]);
    return (index % 2 == 0) ? (byte & 0xF) : (byte >> 4);
  }
  uint64_t value = 0;
  std::memcpy(&value, bytes.data() + index * (bits / 8), bits / 8);
  return value;
}

static void writeBits(std::vector<char> &bytes, DataType type, int64_t index,
                      uint64_t value) {
  unsigned bits = dataTypeBits(type);
  if (bits == 4) {
    uint8_t &byte = reinterpret_cast<uint8_t &>(bytes[index / 2]);
    if (index % 2 == 0)
      byte = (byte & 0xF0) | (value & 0xF);
    else
      byte = (byte & 0x0F) | ((value & 0xF) << 4);
    return;
  }
  std::memcpy(bytes.data() + index * (bits / 8), &value, bits / 8);
}

std::vector<int64_t> HostTensor::toInt64() const {
  int64_t count = getNumElements();
  std::vector<int64_t> values(count);
  if (floatSemantics(type)) {
    std::vector<double> doubles = toDouble();
    for (int64_t i = 0; i < count; ++i)
      values[i] = static_cast<int64_t>(doubles[i]);
    return values;
  }
  unsigned bits = dataTypeBits(type);
  for (int64_t i = 0; i < count; ++i) {
    uint64_t raw = readBits(bytes, type, i);
    if (type == DataType::Bool)
      values[i] = raw != 0;
    else if (isUnsignedType(type) || bits == 64)
      values[i] = static_cast<int64_t>(raw);
    else
      values[i] = llvm::SignExtend64(raw, bits);
  }
  return values;
}

std::vector<double> HostTensor::toDouble() const {
  int64_t count = getNumElements();
  std::vector<double> values(count);
  if (const llvm::fltSemantics *semantics = floatSemantics(type)) {
    unsigned bits = dataTypeBits(type);
    for (int64_t i = 0; i < count; ++i) {
      llvm::APFloat value(*semantics, llvm::APInt(bits, readBits(bytes, type, i)));
      bool losesInfo;
      value.convert(llvm::APFloat::IEEEdouble(),
                    llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      values[i] = value.convertToDouble();
    }
    return values;
  }
  std::vector<int64_t> ints = toInt64();
  for (int64_t i = 0; i < count; ++i)
    values[i] = type == DataType::Uint64
                    ? static_cast<double>(static_cast<uint64_t>(ints[i]))
                    : static_cast<double>(ints[i]);
  return values;
}

static HostTensor makeOwned(DataType type, llvm::ArrayRef<int64_t> shape,
                            std::vector<char> data) {
  auto owned = std::make_shared<std::vector<char>>(std::move(data));
  llvm::ArrayRef<char> bytes(owned->data(), owned->size());
  return HostTensor(type, shape, bytes, owned);
}

HostTensor HostTensor::fromInt64(DataType type, llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> values) {
  if (floatSemantics(type)) {
    std::vector<double> doubles(values.begin(), values.end());
    return fromDouble(type, shape, doubles);
  }
  std::vector<char> data(byteCount(type, values.size()), 0);
  for (auto [i, value] : llvm::enumerate(values))
    writeBits(data, type, i,
              type == DataType::Bool ? (value != 0) : static_cast<uint64_t>(value));
  return makeOwned(type, shape, std::move(data));
}

HostTensor HostTensor::fromDouble(DataType type, llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<double> values) {
  const llvm::fltSemantics *semantics = floatSemantics(type);
  if (!semantics) {
    std::vector<int64_t> ints;
    for (double value : values)
      ints.push_back(type == DataType::Bool ? (value != 0.0)
                                            : static_cast<int64_t>(value));
    return fromInt64(type, shape, ints);
  }
  std::vector<char> data(byteCount(type, values.size()), 0);
  for (auto [i, value] : llvm::enumerate(values)) {
    llvm::APFloat converted(value);
    bool losesInfo;
    converted.convert(*semantics, llvm::APFloat::rmNearestTiesToEven,
                      &losesInfo);
    writeBits(data, type, i, converted.bitcastToAPInt().getZExtValue());
  }
  return makeOwned(type, shape, std::move(data));
}

HostTensor HostTensor::asBytes() const {
  return HostTensor(DataType::Int8, {static_cast<int64_t>(bytes.size())}, bytes,
                    owner);
}

HostTensor HostTensor::reshaped(llvm::ArrayRef<int64_t> newShape) const {
  HostTensor result = *this;
  result.shape.assign(newShape.begin(), newShape.end());
  return result;
}

/// Tensors above this size become resource blobs instead of dense text.
static constexpr size_t kResourceThresholdBytes = 4096;

ElementsAttr HostTensor::toAttribute(MLIRContext *context,
                                     llvm::StringRef nameHint) const {
  Type element = getSignlessElementType(context, type);
  auto tensorType = RankedTensorType::get(shape, element);
  unsigned bits = dataTypeBits(type);
  if (type == DataType::Bool) {
    llvm::SmallVector<bool> values;
    for (int64_t value : toInt64())
      values.push_back(value != 0);
    return DenseElementsAttr::get(tensorType, values);
  }
  if (bits == 4) {
    llvm::SmallVector<llvm::APInt> values;
    for (int64_t i = 0, e = getNumElements(); i < e; ++i)
      values.push_back(llvm::APInt(4, readBits(bytes, type, i)));
    return DenseElementsAttr::get(tensorType, values);
  }
  if (bytes.size() > kResourceThresholdBytes) {
    // The blob points at this tensor's memory (protobuf string, owned
    // vector or mapped file); the deleter keeps that memory alive.
    std::shared_ptr<const void> keepAlive = owner;
    AsmResourceBlob blob = UnmanagedAsmResourceBlob::allocateWithAlign(
        bytes, /*align=*/1,
        [keepAlive](void *, size_t, size_t) mutable { keepAlive.reset(); });
    return DenseResourceElementsAttr::get(tensorType, nameHint,
                                          std::move(blob));
  }
  return DenseElementsAttr::getFromRawBuffer(tensorType, bytes);
}

//===----------------------------------------------------------------------===//
// Decoding TensorProto
//===----------------------------------------------------------------------===//

static llvm::Error tensorError(const onnx::TensorProto &proto,
                               const llvm::Twine &reason) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "tensor '" + proto.name() + "': " + reason);
}

/// Resolves an external data location inside the model's folder.
static llvm::Expected<std::string>
resolveExternalPath(const onnx::TensorProto &proto, llvm::StringRef location,
                    const TensorSource &source) {
  namespace path = llvm::sys::path;
  if (location.empty())
    return tensorError(proto, "external data has no location");
  if (path::is_absolute(location))
    return tensorError(proto, "external data location '" + location +
                                  "' is absolute; it must be relative to the "
                                  "model's folder");
  for (auto it = path::begin(location), e = path::end(location); it != e; ++it)
    if (*it == "..")
      return tensorError(proto, "external data location '" + location +
                                    "' escapes the model's folder");
  llvm::SmallString<256> full(source.modelDir);
  path::append(full, location);
  llvm::SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(source.modelDir, realDir))
    return tensorError(proto, "cannot resolve the model's folder '" +
                                  source.modelDir + "'");
  if (std::error_code ec = llvm::sys::fs::real_path(full, realFile))
    return tensorError(proto, "external data file '" + location +
                                  "' cannot be opened: " + ec.message());
  if (!llvm::StringRef(realFile).starts_with(llvm::Twine(realDir, "/").str()))
    return tensorError(proto, "external data location '" + location +
                                  "' resolves (through a symlink) outside the "
                                  "model's folder");
  return std::string(realFile);
}

static llvm::Expected<HostTensor>
decodeExternal(const onnx::TensorProto &proto, DataType type,
               llvm::ArrayRef<int64_t> shape, int64_t expectedBytes,
               const TensorSource &source) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : proto.external_data()) {
    long long value = 0;
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (llvm::StringRef(entry.value()).getAsInteger(10, value) || value < 0)
        return tensorError(proto, "external data " + entry.key() + " '" +
                                      entry.value() +
                                      "' is not a non-negative integer");
      (entry.key() == "offset" ? offset : length) = value;
    }
  }
  llvm::Expected<std::string> file = resolveExternalPath(proto, location, source);
  if (!file)
    return file.takeError();
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(*file, fileSize))
    return tensorError(proto, "cannot read the size of '" + location + "'");
  if (length < 0)
    length = static_cast<int64_t>(fileSize) - offset;
  if (length != expectedBytes)
    return tensorError(proto, "external data holds " + llvm::Twine(length) +
                                  " bytes but " + dataTypeName(type) +
                                  " data of this shape needs " +
                                  llvm::Twine(expectedBytes));
  if (static_cast<uint64_t>(offset + length) > fileSize)
    return tensorError(proto, "external data range [" + llvm::Twine(offset) +
                                  ", " + llvm::Twine(offset + length) +
                                  ") lies past the end of '" + location +
                                  "' (" + llvm::Twine(fileSize) + " bytes)");
  if (length == 0)
    return HostTensor(type, shape, {}, nullptr);
  // Mapped, not read: a multi-gigabyte weight file costs address space only.
  auto buffer = llvm::MemoryBuffer::getFileSlice(*file, length, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return tensorError(proto, "cannot map '" + location +
                                  "': " + buffer.getError().message());
  std::shared_ptr<llvm::MemoryBuffer> owner(std::move(*buffer));
  llvm::ArrayRef<char> bytes(owner->getBufferStart(), owner->getBufferSize());
  return HostTensor(type, shape, bytes, owner);
}

/// Copies the typed repeated field that holds this tensor's values.
static llvm::Expected<std::vector<char>>
decodeTypedFields(const onnx::TensorProto &proto, DataType type,
                  int64_t elements) {
  std::vector<char> data(byteCount(type, elements), 0);
  auto checkCount = [&](int64_t count) -> llvm::Error {
    if (count != elements)
      return tensorError(proto, "holds " + llvm::Twine(count) +
                                    " values but its shape needs " +
                                    llvm::Twine(elements));
    return llvm::Error::success();
  };
  switch (type) {
  case DataType::Float:
    if (auto err = checkCount(proto.float_data_size())) return std::move(err);
    std::memcpy(data.data(), proto.float_data().data(), data.size());
    return data;
  case DataType::Double:
    if (auto err = checkCount(proto.double_data_size())) return std::move(err);
    std::memcpy(data.data(), proto.double_data().data(), data.size());
    return data;
  case DataType::Int64:
    if (auto err = checkCount(proto.int64_data_size())) return std::move(err);
    std::memcpy(data.data(), proto.int64_data().data(), data.size());
    return data;
  case DataType::Uint32:
  case DataType::Uint64:
    if (auto err = checkCount(proto.uint64_data_size())) return std::move(err);
    for (int64_t i = 0; i < elements; ++i)
      writeBits(data, type, i, proto.uint64_data(i));
    return data;
  case DataType::Uint4:
  case DataType::Int4:
  case DataType::Float4E2M1: {
    // Two 4-bit values per int32_data entry, low nibble first.
    if (proto.int32_data_size() != (elements + 1) / 2)
      return tensorError(proto, "holds " +
                                    llvm::Twine(proto.int32_data_size()) +
                                    " packed int32 entries but its shape "
                                    "needs " +
                                    llvm::Twine((elements + 1) / 2));
    for (int64_t i = 0; i < (elements + 1) / 2; ++i)
      data[i] = static_cast<char>(proto.int32_data(i) & 0xFF);
    return data;
  }
  default:
    // INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16, FLOAT8*:
    // one value (or bit pattern) per int32_data entry.
    if (auto err = checkCount(proto.int32_data_size())) return std::move(err);
    for (int64_t i = 0; i < elements; ++i)
      writeBits(data, type, i, static_cast<uint32_t>(proto.int32_data(i)));
    return data;
  }
}

std::shared_ptr<const qcc::onnx_import::DetachedRawData>
qcc::onnx_import::detachLargeRawData(onnx::GraphProto &graph) {
  auto detached = std::make_shared<DetachedRawData>();
  for (onnx::TensorProto &proto : *graph.mutable_initializer()) {
    if (!proto.has_raw_data() || proto.raw_data().size() <= kResourceThresholdBytes)
      continue;
    // Swapped, not copied; the field keeps its presence bit (and reads as
    // empty), so only decodeTensor with this table reads the bytes.
    auto raw = std::make_shared<std::string>();
    raw->swap(*proto.mutable_raw_data());
    detached->try_emplace(&proto, std::move(raw));
  }
  return detached;
}

llvm::Expected<HostTensor>
qcc::onnx_import::decodeTensor(const onnx::TensorProto &proto,
                               const TensorSource &source) {
  auto type = static_cast<DataType>(proto.data_type());
  if (dataTypeBits(type) == 0)
    return tensorError(proto, "data type " + dataTypeName(type) +
                                  " is not supported");
  llvm::SmallVector<int64_t> shape;
  int64_t elements = 1;
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      return tensorError(proto, "has negative dimension " + llvm::Twine(dim));
    shape.push_back(dim);
    elements *= dim;
  }
  int64_t expectedBytes = byteCount(type, elements);

  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return decodeExternal(proto, type, shape, expectedBytes, source);

  // Raw data points into the protobuf, which `source.modelOwner` keeps
  // alive, or into a string detached from it, which owns itself.
  const std::string *raw = proto.has_raw_data() ? &proto.raw_data() : nullptr;
  std::shared_ptr<const void> owner = source.modelOwner;
  if (source.detached)
    if (auto found = source.detached->find(&proto); found != source.detached->end()) {
      raw = found->second.get();
      owner = found->second;
    }
  if (raw) {
    if (static_cast<int64_t>(raw->size()) != expectedBytes)
      return tensorError(proto, "raw_data holds " + llvm::Twine(raw->size()) +
                                    " bytes but " + dataTypeName(type) +
                                    " data of this shape needs " +
                                    llvm::Twine(expectedBytes));
    return HostTensor(type, shape, llvm::ArrayRef<char>(raw->data(), raw->size()),
                      std::move(owner));
  }
  llvm::Expected<std::vector<char>> data =
      decodeTypedFields(proto, type, elements);
  if (!data)
    return data.takeError();
  return makeOwned(type, shape, std::move(*data));
}
