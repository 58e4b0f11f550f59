//===- Tensors.h - ONNX tensor data on the host -----------------*- C++ -*-===//
//
// Decodes ONNX TensorProtos (typed fields, raw_data, external data files)
// into HostTensor: raw little-endian bytes plus type and shape, backed by
// the protobuf, an owned buffer, or a memory-mapped file slice.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_IMPORT_ONNX_TENSORS_H
#define QCC_LIB_IMPORT_ONNX_TENSORS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace onnx {
class GraphProto;
class TensorProto;
} // namespace onnx

namespace qcc::onnx_import {

/// ONNX TensorProto.DataType; the numbering is part of the file format.
enum class DataType : int32_t {
  Undefined = 0,
  Float = 1,
  Uint8 = 2,
  Int8 = 3,
  Uint16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  Uint32 = 12,
  Uint64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  Uint4 = 21,
  Int4 = 22,
  Float4E2M1 = 23,
  Float8E8M0 = 24, // MX block scales: a power of two, no sign
};

std::string dataTypeName(DataType type);
/// Bits per element (4 for the 4-bit types), 0 for unsupported types.
unsigned dataTypeBits(DataType type);
bool isFloatType(DataType type);   // f16, bf16, f32, f64 (not minifloats)
bool isMiniFloatType(DataType type);
bool isIntegerType(DataType type); // any int/uint width, not bool
bool isUnsignedType(DataType type);

/// The MLIR element type of a tensor of `type` as ONNX sees it: ui8 for
/// uint8, f8E4M3FN for FLOAT8E4M3FN, i1 for bool. Null when unsupported.
mlir::Type getOnnxElementType(mlir::MLIRContext *context, DataType type);
/// The element type a tensor has inside imported functions, where integer
/// arithmetic needs signless types: uint8 -> i8.
mlir::Type getSignlessElementType(mlir::MLIRContext *context, DataType type);

/// A tensor whose value is known at compile time.
class HostTensor {
public:
  HostTensor() = default;
  HostTensor(DataType type, llvm::ArrayRef<int64_t> shape,
             llvm::ArrayRef<char> bytes, std::shared_ptr<const void> owner);

  /// Makes an owned tensor from element values (converted to `type`).
  static HostTensor fromInt64(DataType type, llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<int64_t> values);
  static HostTensor fromDouble(DataType type, llvm::ArrayRef<int64_t> shape,
                               llvm::ArrayRef<double> values);

  DataType getType() const { return type; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getNumElements() const;
  /// Raw little-endian bytes; sub-byte types packed low bits first.
  llvm::ArrayRef<char> getBytes() const { return bytes; }

  /// Element values, converted. Integers and bools exactly; floats of every
  /// width through double.
  std::vector<int64_t> toInt64() const;
  std::vector<double> toDouble() const;

  /// The value as an MLIR attribute with the signless element type (uint8
  /// data under i8). Large tensors become dense_resource blobs that point at
  /// this tensor's memory (kept alive by the blob), never text.
  mlir::ElementsAttr toAttribute(mlir::MLIRContext *context,
                                 llvm::StringRef nameHint) const;

  /// The raw bytes as a 1-D INT8 tensor sharing this tensor's memory (the
  /// packed storage of a lowbit.constant).
  HostTensor asBytes() const;

  /// The same data with another shape (same element count).
  HostTensor reshaped(llvm::ArrayRef<int64_t> newShape) const;

private:
  DataType type = DataType::Undefined;
  llvm::SmallVector<int64_t> shape;
  llvm::ArrayRef<char> bytes;
  std::shared_ptr<const void> owner;
};

/// raw_data moved out of a graph's large initializers, each owned alone.
using DetachedRawData =
    llvm::DenseMap<const onnx::TensorProto *, std::shared_ptr<const std::string>>;

/// Where tensor data may come from: external data files are resolved
/// relative to `modelDir` and must stay inside it.
struct TensorSource {
  std::string modelPath;
  std::string modelDir;
  /// Keeps the ModelProto alive while tensors point into its raw_data.
  std::shared_ptr<const void> modelOwner;
  /// The raw_data of large initializers, taken out of the protobuf
  /// (detachLargeRawData): each is freed with the last blob pointing into
  /// it, not with the whole model.
  std::shared_ptr<const DetachedRawData> detached;
};

/// Moves the raw_data of `graph`'s initializers larger than a resource blob's
/// threshold out of the protobuf (compile memory, USERS #10: once a pass has
/// repacked a weight its original bytes can go, while the rest of the model
/// stays). decodeTensor finds them through TensorSource::detached.
std::shared_ptr<const DetachedRawData> detachLargeRawData(onnx::GraphProto &graph);

/// Decodes a TensorProto. Raw data is not copied: the result points into the
/// protobuf (kept alive by `source.modelOwner`), into a string detached from
/// it (`source.detached`, which owns itself) or into a mapped file.
llvm::Expected<HostTensor> decodeTensor(const onnx::TensorProto &proto,
                                        const TensorSource &source);

} // namespace qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_TENSORS_H
