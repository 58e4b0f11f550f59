//===- TensorFile.cpp - .npy and ONNX TensorProto files for qcc-run ------===//

#include "TensorFile.h"

#include "qcc/runtime.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace qcc::run;

int64_t HostTensor::elementCount() const {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

namespace {

std::string checkedByteSize(uint32_t type, const std::vector<int64_t> &shape,
                            int64_t &out) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return "negative dimension " + std::to_string(d);
    if (d != 0 && count > INT64_MAX / d)
      return "shape overflows";
    count *= d;
  }
  out = qcc_element_type_byte_size(type, count);
  if (out < 0)
    return "shape overflows";
  return "";
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

uint32_t npyElementType(char kind, int size) {
  switch (kind) {
  case 'f':
    return size == 2   ? QCC_ELEMENT_F16
           : size == 4 ? QCC_ELEMENT_F32
           : size == 8 ? QCC_ELEMENT_F64
                       : 0;
  case 'i':
    return size == 1   ? QCC_ELEMENT_I8
           : size == 2 ? QCC_ELEMENT_I16
           : size == 4 ? QCC_ELEMENT_I32
           : size == 8 ? QCC_ELEMENT_I64
                       : 0;
  case 'u':
    return size == 1   ? QCC_ELEMENT_U8
           : size == 2 ? QCC_ELEMENT_U16
           : size == 4 ? QCC_ELEMENT_U32
           : size == 8 ? QCC_ELEMENT_U64
                       : 0;
  case 'b':
    return size == 1 ? QCC_ELEMENT_BOOL : 0;
  }
  return 0;
}

/// The value text after `'key':` in the header dict.
std::string headerValue(const std::string &header, const std::string &key,
                        size_t &pos) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return "missing '" + key + "' in the header";
  pos = header.find(':', k);
  if (pos == std::string::npos)
    return "malformed header";
  ++pos;
  while (pos < header.size() && header[pos] == ' ')
    ++pos;
  return "";
}

std::string parseNpyHeader(const std::string &header, uint32_t &type,
                           std::vector<int64_t> &shape) {
  size_t pos;
  if (std::string e = headerValue(header, "descr", pos); !e.empty())
    return e;
  char quote = header[pos];
  size_t end = header.find(quote, pos + 1);
  if ((quote != '\'' && quote != '"') || end == std::string::npos)
    return "unsupported descr (structured dtypes are not supported)";
  std::string descr = header.substr(pos + 1, end - pos - 1);
  if (descr.size() < 3)
    return "unsupported dtype '" + descr + "'";
  char order = descr[0];
  int size = std::atoi(descr.c_str() + 2);
  type = npyElementType(descr[1], size);
  if (!type)
    return "unsupported dtype '" + descr + "'";
  if (order == '>' && size > 1)
    return "big-endian dtype '" + descr + "' is not supported";
  if (order != '<' && order != '|' && order != '=' && order != '>')
    return "unsupported dtype '" + descr + "'";

  if (std::string e = headerValue(header, "fortran_order", pos); !e.empty())
    return e;
  if (header.compare(pos, 4, "True") == 0)
    return "Fortran-order arrays are not supported (save with C order)";

  if (std::string e = headerValue(header, "shape", pos); !e.empty())
    return e;
  if (header[pos] != '(')
    return "malformed shape";
  size_t close = header.find(')', pos);
  if (close == std::string::npos)
    return "malformed shape";
  std::string dims = header.substr(pos + 1, close - pos - 1);
  shape.clear();
  const char *p = dims.c_str();
  while (*p) {
    while (*p == ' ' || *p == ',')
      ++p;
    if (!*p)
      break;
    char *next;
    long long d = std::strtoll(p, &next, 10);
    if (next == p || d < 0)
      return "malformed shape (" + dims + ")";
    shape.push_back(d);
    p = next;
    while (*p == 'L' || *p == ' ')
      ++p;
  }
  return "";
}

//===----------------------------------------------------------------------===//
// protobuf wire format
//===----------------------------------------------------------------------===//

class WireReader {
public:
  WireReader(const uint8_t *p, size_t n) : p(p), end(p + n) {}
  bool done() const { return p >= end; }
  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end)
        return false;
      uint8_t byte = *p++;
      v |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return true;
    }
    return false;
  }
  bool fixed(void *out, size_t n) {
    if (size_t(end - p) < n)
      return false;
    std::memcpy(out, p, n);
    p += n;
    return true;
  }
  bool bytes(const uint8_t *&data, size_t &n) {
    uint64_t len;
    if (!varint(len) || len > uint64_t(end - p))
      return false;
    data = p;
    n = len;
    p += len;
    return true;
  }

private:
  const uint8_t *p, *end;
};

/// Reads a repeated scalar field in packed (wire type 2) or unpacked form;
/// `element(reader)` reads one value.
template <typename Fn>
bool readRepeated(WireReader &r, uint32_t wireType, uint32_t scalarWireType,
                  Fn element) {
  if (wireType == scalarWireType)
    return element(r);
  if (wireType != 2)
    return false;
  const uint8_t *data;
  size_t n;
  if (!r.bytes(data, n))
    return false;
  WireReader packed(data, n);
  while (!packed.done())
    if (!element(packed))
      return false;
  return true;
}

/// Reads a repeated varint field (wire type 0), appending `convert(value)`.
template <typename T, typename Convert>
bool readRepeatedVarints(WireReader &r, uint32_t wireType,
                         std::vector<T> &values, Convert convert) {
  return readRepeated(r, wireType, 0, [&](WireReader &w) {
    uint64_t v;
    if (!w.varint(v))
      return false;
    values.push_back(convert(v));
    return true;
  });
}

/// Reads a repeated float (wire type 5) or double (wire type 1) field.
template <typename T>
bool readRepeatedFixed(WireReader &r, uint32_t wireType,
                       std::vector<T> &values) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "fixed32 or fixed64");
  return readRepeated(r, wireType, sizeof(T) == 4 ? 5 : 1, [&](WireReader &w) {
    T value;
    if (!w.fixed(&value, sizeof(T)))
      return false;
    values.push_back(value);
    return true;
  });
}

uint32_t onnxElementType(int64_t dataType) {
  switch (dataType) {
  case 1:
    return QCC_ELEMENT_F32;
  case 2:
    return QCC_ELEMENT_U8;
  case 3:
    return QCC_ELEMENT_I8;
  case 4:
    return QCC_ELEMENT_U16;
  case 5:
    return QCC_ELEMENT_I16;
  case 6:
    return QCC_ELEMENT_I32;
  case 7:
    return QCC_ELEMENT_I64;
  case 9:
    return QCC_ELEMENT_BOOL;
  case 10:
    return QCC_ELEMENT_F16;
  case 11:
    return QCC_ELEMENT_F64;
  case 12:
    return QCC_ELEMENT_U32;
  case 13:
    return QCC_ELEMENT_U64;
  case 16:
    return QCC_ELEMENT_BF16;
  case 17:
    return QCC_ELEMENT_F8E4M3FN;
  case 18:
    return QCC_ELEMENT_F8E4M3FNUZ;
  case 19:
    return QCC_ELEMENT_F8E5M2;
  case 20:
    return QCC_ELEMENT_F8E5M2FNUZ;
  case 21:
    return QCC_ELEMENT_U4;
  case 22:
    return QCC_ELEMENT_I4;
  case 23:
    return QCC_ELEMENT_F4E2M1FN;
  }
  return 0;
}

void appendLittleEndian(std::vector<uint8_t> &out, uint64_t value,
                        size_t bytes) {
  for (size_t i = 0; i < bytes; ++i)
    out.push_back(uint8_t(value >> (8 * i)));
}

uint64_t readLittleEndian(const uint8_t *p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i)
    v |= uint64_t(p[i]) << (8 * i);
  return v;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public functions
//===----------------------------------------------------------------------===//

std::string qcc::run::parseNpy(const uint8_t *bytes, size_t size,
                               HostTensor &out) {
  static const char magic[] = "\x93NUMPY";
  if (size < 10 || std::memcmp(bytes, magic, 6) != 0)
    return "not a .npy file (bad magic)";
  uint8_t major = bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = readLittleEndian(bytes + 8, 2);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return "truncated .npy header";
    headerLen = readLittleEndian(bytes + 8, 4);
    offset = 12;
  } else {
    return "unsupported .npy format version " + std::to_string(major);
  }
  if (offset + headerLen > size)
    return "truncated .npy header";
  std::string header(reinterpret_cast<const char *>(bytes + offset), headerLen);
  out = HostTensor();
  if (std::string e = parseNpyHeader(header, out.elementType, out.shape);
      !e.empty())
    return e;
  int64_t needed;
  if (std::string e = checkedByteSize(out.elementType, out.shape, needed);
      !e.empty())
    return e;
  size_t dataOffset = offset + headerLen;
  if (size - dataOffset != size_t(needed))
    return "data holds " + std::to_string(size - dataOffset) +
           " bytes, the header's shape needs " + std::to_string(needed);
  out.data.assign(bytes + dataOffset, bytes + size);
  return "";
}

std::string qcc::run::parseTensorProto(const uint8_t *bytes, size_t size,
                                       HostTensor &out) {
  out = HostTensor();
  WireReader r(bytes, size);
  int64_t dataType = 0;
  bool hasRaw = false, external = false;
  std::vector<uint8_t> raw;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<int64_t> ints; // int32_data, int64_data
  std::vector<uint64_t> uints;
  int typedField = 0;
  while (!r.done()) {
    uint64_t tag;
    if (!r.varint(tag))
      return "malformed TensorProto (truncated field tag)";
    uint32_t field = uint32_t(tag >> 3), wire = uint32_t(tag & 7);
    bool ok = true;
    switch (field) {
    case 1: // dims
      ok = readRepeatedVarints(r, wire, out.shape,
                               [](uint64_t v) { return int64_t(v); });
      break;
    case 2: { // data_type
      uint64_t v = 0;
      ok = wire == 0 && r.varint(v);
      dataType = int64_t(v);
      break;
    }
    case 4: // float_data
      typedField = 4;
      ok = readRepeatedFixed(r, wire, floats);
      break;
    case 5: // int32_data
    case 7: // int64_data
      typedField = int(field);
      ok = readRepeatedVarints(r, wire, ints, [&](uint64_t v) {
        return field == 5 ? int64_t(int32_t(uint32_t(v))) : int64_t(v);
      });
      break;
    case 6:
      return "string tensors (string_data) are not supported";
    case 8: { // name
      const uint8_t *data;
      size_t n;
      ok = wire == 2 && r.bytes(data, n);
      if (ok)
        out.name.assign(reinterpret_cast<const char *>(data), n);
      break;
    }
    case 9: { // raw_data
      const uint8_t *data;
      size_t n;
      ok = wire == 2 && r.bytes(data, n);
      if (ok)
        raw.assign(data, data + n);
      hasRaw = true;
      break;
    }
    case 10: // double_data
      typedField = 10;
      ok = readRepeatedFixed(r, wire, doubles);
      break;
    case 11: // uint64_data
      typedField = 11;
      ok = readRepeatedVarints(r, wire, uints, [](uint64_t v) { return v; });
      break;
    case 3:
      return "segmented tensors (segment) are not supported";
    case 14: { // data_location
      uint64_t v = 0;
      ok = wire == 0 && r.varint(v);
      external = v == 1;
      break;
    }
    default: { // doc_string, external_data, metadata ...: skipped
      uint64_t v;
      const uint8_t *data;
      size_t n;
      uint8_t scratch[8];
      ok = wire == 0   ? r.varint(v)
           : wire == 1 ? r.fixed(scratch, 8)
           : wire == 2 ? r.bytes(data, n)
           : wire == 5 ? r.fixed(scratch, 4)
                       : false;
      break;
    }
    }
    if (!ok)
      return "malformed TensorProto (field " + std::to_string(field) +
             ", wire type " + std::to_string(wire) + ")";
  }
  if (external)
    return "tensors with external data (data_location = EXTERNAL) are not "
           "supported";
  out.elementType = onnxElementType(dataType);
  if (!out.elementType)
    return "unsupported TensorProto data_type " + std::to_string(dataType);
  int64_t needed;
  if (std::string e = checkedByteSize(out.elementType, out.shape, needed);
      !e.empty())
    return e;
  int64_t count = out.elementCount();
  uint32_t bits = qcc_element_type_bit_width(out.elementType);
  if (hasRaw) {
    if (int64_t(raw.size()) != needed)
      return "raw_data holds " + std::to_string(raw.size()) +
             " bytes, the shape needs " + std::to_string(needed);
    out.data = std::move(raw);
    return "";
  }
  // Typed fields: one value per element, except 4-bit types whose int32
  // values each hold a byte of two packed elements.
  int64_t values = bits == 4 ? needed : count;
  auto mismatch = [&](size_t got) {
    return "TensorProto holds " + std::to_string(got) +
           " values, the shape "
           "needs " +
           std::to_string(values);
  };
  // float_data and double_data already hold the elements' bytes.
  auto copyFixed = [&](const auto &typed, uint32_t type,
                       const char *name) -> std::string {
    if (out.elementType != type)
      return std::string(name) + " with data_type " + std::to_string(dataType);
    if (int64_t(typed.size()) != values)
      return mismatch(typed.size());
    out.data.resize(typed.size() * sizeof(typed[0]));
    std::memcpy(out.data.data(), typed.data(), out.data.size());
    return "";
  };
  if (count == 0 && typedField == 0)
    return "";
  switch (typedField) {
  case 4:
    return copyFixed(floats, QCC_ELEMENT_F32, "float_data");
  case 10:
    return copyFixed(doubles, QCC_ELEMENT_F64, "double_data");
  case 5:
  case 7:
    if ((typedField == 7) != (out.elementType == QCC_ELEMENT_I64) ||
        (isFloatType(out.elementType) && bits > 16))
      return std::string(typedField == 5 ? "int32_data" : "int64_data") +
             " with data_type " + std::to_string(dataType);
    if (int64_t(ints.size()) != values)
      return mismatch(ints.size());
    for (int64_t v : ints)
      appendLittleEndian(out.data, uint64_t(v), bits == 4 ? 1 : bits / 8);
    return "";
  case 11:
    if (out.elementType != QCC_ELEMENT_U32 &&
        out.elementType != QCC_ELEMENT_U64)
      return "uint64_data with data_type " + std::to_string(dataType);
    if (int64_t(uints.size()) != values)
      return mismatch(uints.size());
    for (uint64_t v : uints)
      appendLittleEndian(out.data, v, bits / 8);
    return "";
  }
  return "TensorProto has no data for its " + std::to_string(count) +
         " elements";
}

std::string qcc::run::readTensorFile(const std::string &path, HostTensor &out) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return path + ": cannot open file";
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  bool npy =
      bytes.size() >= 6 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0;
  bool pb = path.size() >= 3 && path.compare(path.size() - 3, 3, ".pb") == 0;
  std::string error = npy || !pb
                          ? parseNpy(bytes.data(), bytes.size(), out)
                          : parseTensorProto(bytes.data(), bytes.size(), out);
  return error.empty() ? "" : path + ": " + error;
}

bool qcc::run::isFloatType(uint32_t type) {
  uint32_t kind = type >> 8;
  return kind == QCC_KIND_FLOAT || kind == QCC_KIND_BFLOAT ||
         kind >= QCC_KIND_F8E4M3FN;
}

double qcc::run::decodeFloat(uint32_t type, uint64_t bits) {
  if (type == QCC_ELEMENT_F32) {
    float f;
    uint32_t b = uint32_t(bits);
    std::memcpy(&f, &b, 4);
    return f;
  }
  if (type == QCC_ELEMENT_F64) {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  if (type == QCC_ELEMENT_BF16)
    return decodeFloat(QCC_ELEMENT_F32, bits << 16);
  // Small formats: exponent/mantissa widths, bias, and NaN/Inf rules.
  int e, m, bias;
  enum { IEEE, FN, FNUZ, NONE } rule;
  switch (type) {
  case QCC_ELEMENT_F16:
    e = 5, m = 10, bias = 15, rule = IEEE;
    break;
  case QCC_ELEMENT_F8E5M2:
    e = 5, m = 2, bias = 15, rule = IEEE;
    break;
  case QCC_ELEMENT_F8E4M3FN:
    e = 4, m = 3, bias = 7, rule = FN;
    break;
  case QCC_ELEMENT_F8E4M3FNUZ:
    e = 4, m = 3, bias = 8, rule = FNUZ;
    break;
  case QCC_ELEMENT_F8E5M2FNUZ:
    e = 5, m = 2, bias = 16, rule = FNUZ;
    break;
  case QCC_ELEMENT_F4E2M1FN:
    e = 2, m = 1, bias = 1, rule = NONE;
    break;
  default:
    return NAN;
  }
  uint64_t sign = (bits >> (e + m)) & 1;
  uint64_t exp = (bits >> m) & ((1u << e) - 1);
  uint64_t man = bits & ((1u << m) - 1);
  uint64_t maxExp = (1u << e) - 1;
  if (rule == FNUZ && sign && exp == 0 && man == 0)
    return NAN;
  if (rule == IEEE && exp == maxExp)
    return man ? NAN : (sign ? -INFINITY : INFINITY);
  if (rule == FN && exp == maxExp && man == uint64_t((1u << m) - 1))
    return NAN;
  double value = exp == 0
                     ? std::ldexp(double(man), 1 - bias - m)
                     : std::ldexp(double(man | (1u << m)), int(exp) - bias - m);
  return sign ? -value : value;
}

int64_t qcc::run::elementBits(const HostTensor &t, int64_t index) {
  uint32_t bits = qcc_element_type_bit_width(t.elementType);
  if (bits == 4) {
    uint8_t nibble = (t.data[size_t(index / 2)] >> (index % 2 ? 4 : 0)) & 0xf;
    if (t.elementType == QCC_ELEMENT_I4 && (nibble & 8))
      return int64_t(nibble) - 16;
    return nibble;
  }
  size_t bytes = bits / 8;
  uint64_t raw = readLittleEndian(t.data.data() + size_t(index) * bytes, bytes);
  if ((t.elementType >> 8) == QCC_KIND_SINT && bits < 64 &&
      (raw >> (bits - 1)) & 1)
    raw |= ~uint64_t(0) << bits;
  return int64_t(raw);
}

double qcc::run::elementAsDouble(const HostTensor &t, int64_t index) {
  int64_t bits = elementBits(t, index);
  if (isFloatType(t.elementType)) {
    uint32_t width = qcc_element_type_bit_width(t.elementType);
    uint64_t mask = width == 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
    return decodeFloat(t.elementType, uint64_t(bits) & mask);
  }
  if (t.elementType == QCC_ELEMENT_U64)
    return double(uint64_t(bits));
  return double(bits);
}

std::string qcc::run::conformElementType(HostTensor &t, uint32_t type) {
  if (t.elementType == type)
    return "";
  uint32_t have = qcc_element_type_bit_width(t.elementType);
  uint32_t want = qcc_element_type_bit_width(type);
  std::string mismatch =
      std::string("element type ") + qcc_element_type_name(t.elementType) +
      " does not match the expected " + qcc_element_type_name(type);
  bool haveInt = (t.elementType >> 8) == QCC_KIND_SINT ||
                 (t.elementType >> 8) == QCC_KIND_UINT;
  if (!haveInt || have == 0)
    return mismatch;
  if (want == 4 && have == 8) {
    // One element per byte, packed two per byte, low nibble first.
    bool isSigned = type == QCC_ELEMENT_I4;
    bool sourceSigned = t.elementType == QCC_ELEMENT_I8;
    int64_t count = t.elementCount();
    std::vector<uint8_t> packed(size_t((count + 1) / 2), 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t v = sourceSigned ? int64_t(int8_t(t.data[size_t(i)]))
                               : int64_t(t.data[size_t(i)]);
      bool inRange = isSigned ? (v >= -8 && v <= 7) : (v >= 0 && v <= 15);
      if (type == QCC_ELEMENT_F4E2M1FN)
        inRange = v >= 0 && v <= 15; // raw codes
      if (!inRange)
        return "element " + std::to_string(i) + " = " + std::to_string(v) +
               " does not fit in " + qcc_element_type_name(type);
      packed[size_t(i / 2)] |= uint8_t((v & 0xf) << (i % 2 ? 4 : 0));
    }
    t.data = std::move(packed);
    t.elementType = type;
    return "";
  }
  // Raw bit patterns of types NumPy lacks (bf16, f8).
  bool noNumpyDtype = (type >> 8) == QCC_KIND_BFLOAT ||
                      ((type >> 8) >= QCC_KIND_F8E4M3FN && want == 8);
  if (noNumpyDtype && have == want) {
    t.elementType = type;
    return "";
  }
  return mismatch;
}

std::vector<uint8_t> qcc::run::serializeNpy(const HostTensor &t) {
  std::string descr;
  std::vector<uint8_t> payload;
  int64_t count = t.elementCount();
  uint32_t bits = qcc_element_type_bit_width(t.elementType);
  uint32_t kind = t.elementType >> 8;
  if (kind == QCC_KIND_BFLOAT || kind >= QCC_KIND_F8E4M3FN) {
    descr = "<f4";
    for (int64_t i = 0; i < count; ++i) {
      float f = float(elementAsDouble(t, i));
      uint32_t b;
      std::memcpy(&b, &f, 4);
      appendLittleEndian(payload, b, 4);
    }
  } else if (bits == 4) {
    descr = t.elementType == QCC_ELEMENT_I4 ? "|i1" : "|u1";
    for (int64_t i = 0; i < count; ++i)
      payload.push_back(uint8_t(elementBits(t, i)));
  } else {
    char code = kind == QCC_KIND_FLOAT  ? 'f'
                : kind == QCC_KIND_SINT ? 'i'
                : kind == QCC_KIND_UINT ? 'u'
                                        : 'b';
    descr =
        std::string(bits == 8 ? "|" : "<") + code + std::to_string(bits / 8);
    payload = t.data;
  }
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  shape += t.shape.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts on a 64-byte boundary; end with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  appendLittleEndian(out, header.size(), 2);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::string qcc::run::writeNpy(const std::string &path,
                               const HostTensor &tensor) {
  std::vector<uint8_t> bytes = serializeNpy(tensor);
  std::ofstream file(path, std::ios::binary);
  if (!file.write(reinterpret_cast<const char *>(bytes.data()),
                  std::streamsize(bytes.size())))
    return path + ": cannot write file";
  return "";
}
