//===- TensorFile.h - .npy and ONNX TensorProto files for qcc-run --------===//
//
// Reads NumPy .npy files and ONNX TensorProto (.pb) files without protobuf,
// writes .npy, and decodes elements of every qcc element type to double for
// comparisons. Errors come back as a non-empty string.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_TOOLS_QCCRUN_TENSORFILE_H
#define QCC_TOOLS_QCCRUN_TENSORFILE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qcc {
namespace run {

/// A tensor in host memory, data laid out as the runtime expects (dense,
/// row-major, sub-byte types packed low bits first).
struct HostTensor {
  std::string name; // from a TensorProto; empty for .npy
  uint32_t elementType = 0;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  int64_t elementCount() const;
};

/// Parses a .npy file's bytes (format 1.0, 2.0, 3.0; little-endian or
/// byte-sized, C order; f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1).
std::string parseNpy(const uint8_t *bytes, size_t size, HostTensor &out);
/// Parses a serialized onnx.TensorProto.
std::string parseTensorProto(const uint8_t *bytes, size_t size,
                             HostTensor &out);
/// Reads `path`: .pb as TensorProto, anything else by its magic (.npy).
std::string readTensorFile(const std::string &path, HostTensor &out);

/// Serializes as .npy: 4-bit integers unpacked to i1/u1, bf16/f8/f4 decoded
/// to f4, everything else with its own dtype.
std::vector<uint8_t> serializeNpy(const HostTensor &tensor);
std::string writeNpy(const std::string &path, const HostTensor &tensor);

/// Makes `tensor` hold `elementType`: unchanged when equal; one element per
/// byte (i1/u1) is packed into i4/u4/f4e2m1fn, range-checked; same-width
/// integers carry raw bits of bf16 / f8 types. Otherwise an error.
std::string conformElementType(HostTensor &tensor, uint32_t elementType);

/// Element `index` decoded to double (floats of every width, integers).
double elementAsDouble(const HostTensor &tensor, int64_t index);
/// Element `index` as its raw bit pattern (4-bit values unpacked,
/// sign-extended for i4), for exact integer comparison.
int64_t elementBits(const HostTensor &tensor, int64_t index);
/// True for the float kinds (f16/32/64, bf16, f8, f4).
bool isFloatType(uint32_t elementType);

/// Decodes a small float of `bits` total width in the given format.
double decodeFloat(uint32_t elementType, uint64_t bits);

} // namespace run
} // namespace qcc

#endif // QCC_TOOLS_QCCRUN_TENSORFILE_H
