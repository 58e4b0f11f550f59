//===- RuntimeTensorFileTest.cpp - qcc-run's .npy and .pb readers --------===//

#include "TensorFile.h"

#include "qcc/runtime.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace qcc::run;

namespace {

std::vector<uint8_t> npyBytes(int version, const std::string &dict,
                              const void *data, size_t size) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(version),
                              0};
  std::string header = dict;
  size_t prefix = version == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  for (int i = 0; i < (version == 1 ? 2 : 4); ++i)
    out.push_back(uint8_t(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  auto *bytes = static_cast<const uint8_t *>(data);
  out.insert(out.end(), bytes, bytes + size);
  return out;
}

std::string writeTemp(const std::string &name, const std::vector<uint8_t> &b) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(b.data()),
             std::streamsize(b.size()));
  return path;
}

TEST(RuntimeNpy, ReadsVersion1Float32) {
  float values[6] = {1, 2, 3, 4, 5, 6.5f};
  std::string path = writeTemp(
      "qcc_f32.npy",
      npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
               values, sizeof(values)));
  HostTensor t;
  ASSERT_EQ(readTensorFile(path, t), "");
  EXPECT_EQ(t.elementType, (uint32_t)QCC_ELEMENT_F32);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(elementAsDouble(t, 5), 6.5);
}

TEST(RuntimeNpy, ReadsVersion2AndEveryDtype) {
  struct Case {
    const char *descr;
    uint32_t type;
    size_t size;
  } cases[] = {{"<f2", QCC_ELEMENT_F16, 2},  {"<f8", QCC_ELEMENT_F64, 8},
               {"|i1", QCC_ELEMENT_I8, 1},   {"|u1", QCC_ELEMENT_U8, 1},
               {"<i2", QCC_ELEMENT_I16, 2},  {"<u2", QCC_ELEMENT_U16, 2},
               {"<i4", QCC_ELEMENT_I32, 4},  {"<u4", QCC_ELEMENT_U32, 4},
               {"<i8", QCC_ELEMENT_I64, 8},  {"<u8", QCC_ELEMENT_U64, 8},
               {"|b1", QCC_ELEMENT_BOOL, 1}, {"<f4", QCC_ELEMENT_F32, 4}};
  for (const Case &c : cases) {
    std::vector<uint8_t> data(3 * c.size, 0);
    data[0] = 1;
    std::string dict = std::string("{'descr': '") + c.descr +
                       "', 'fortran_order': False, 'shape': (3,), }";
    std::vector<uint8_t> bytes = npyBytes(2, dict, data.data(), data.size());
    HostTensor t;
    ASSERT_EQ(parseNpy(bytes.data(), bytes.size(), t), "") << c.descr;
    EXPECT_EQ(t.elementType, c.type) << c.descr;
    EXPECT_EQ(t.shape, (std::vector<int64_t>{3}));
    EXPECT_EQ(t.data.size(), data.size());
  }
}

TEST(RuntimeNpy, ScalarShape) {
  double v = 2.5;
  auto bytes = npyBytes(
      1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", &v, 8);
  HostTensor t;
  ASSERT_EQ(parseNpy(bytes.data(), bytes.size(), t), "");
  EXPECT_TRUE(t.shape.empty());
  EXPECT_EQ(elementAsDouble(t, 0), 2.5);
}

TEST(RuntimeNpy, Errors) {
  float v[2] = {};
  HostTensor t;
  auto fortran = npyBytes(
      1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", v, 8);
  EXPECT_NE(parseNpy(fortran.data(), fortran.size(), t).find("Fortran"),
            std::string::npos);
  auto big = npyBytes(
      1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", v, 8);
  EXPECT_NE(parseNpy(big.data(), big.size(), t).find("big-endian"),
            std::string::npos);
  auto complex = npyBytes(
      1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", v, 8);
  EXPECT_NE(parseNpy(complex.data(), complex.size(), t).find("unsupported"),
            std::string::npos);
  auto short_ = npyBytes(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", v, 8);
  EXPECT_NE(parseNpy(short_.data(), short_.size(), t)
                .find("data holds 8 bytes, the header's shape needs 12"),
            std::string::npos);
  uint8_t junk[16] = {1, 2, 3};
  EXPECT_NE(parseNpy(junk, sizeof(junk), t).find("bad magic"),
            std::string::npos);
  EXPECT_NE(readTensorFile("/nonexistent.npy", t).find("cannot open"),
            std::string::npos);
}

TEST(RuntimeNpy, WriteReadRoundTrip) {
  HostTensor t;
  t.elementType = QCC_ELEMENT_I4;
  t.shape = {3};
  t.data = {0xE1, 0x07}; // 1, -2, 7
  std::vector<uint8_t> bytes = serializeNpy(t);
  HostTensor back;
  ASSERT_EQ(parseNpy(bytes.data(), bytes.size(), back), "");
  EXPECT_EQ(back.elementType, (uint32_t)QCC_ELEMENT_I8); // unpacked
  EXPECT_EQ(back.data, (std::vector<uint8_t>{1, 0xFE, 7}));
  ASSERT_EQ(conformElementType(back, QCC_ELEMENT_I4), "");
  EXPECT_EQ(back.data, t.data);
  HostTensor wide;
  wide.elementType = QCC_ELEMENT_I8;
  wide.shape = {1};
  wide.data = {100};
  EXPECT_NE(conformElementType(wide, QCC_ELEMENT_I4).find("does not fit in i4"),
            std::string::npos);
  EXPECT_NE(conformElementType(wide, QCC_ELEMENT_F32).find("does not match"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

struct ProtoWriter {
  std::vector<uint8_t> bytes;
  void varint(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      bytes.push_back(b | (v ? 0x80 : 0));
    } while (v);
  }
  void tag(int field, int wire) { varint(uint64_t(field) << 3 | wire); }
  void field(int f, uint64_t v) {
    tag(f, 0);
    varint(v);
  }
  void lengthDelimited(int f, const void *data, size_t n) {
    tag(f, 2);
    varint(n);
    auto *p = static_cast<const uint8_t *>(data);
    bytes.insert(bytes.end(), p, p + n);
  }
  void packedVarints(int f, const std::vector<int64_t> &values) {
    ProtoWriter inner;
    for (int64_t v : values)
      inner.varint(uint64_t(v));
    lengthDelimited(f, inner.bytes.data(), inner.bytes.size());
  }
};

TEST(RuntimeTensorProto, RawData) {
  ProtoWriter w;
  w.packedVarints(1, {2, 3});
  w.field(2, 1); // FLOAT
  w.lengthDelimited(8, "x", 1);
  float values[6] = {1, 2, 3, 4, 5, 6};
  w.lengthDelimited(9, values, sizeof(values));
  w.lengthDelimited(12, "doc", 3); // skipped
  HostTensor t;
  ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
  EXPECT_EQ(t.name, "x");
  EXPECT_EQ(t.elementType, (uint32_t)QCC_ELEMENT_F32);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(elementAsDouble(t, 4), 5.0);
}

TEST(RuntimeTensorProto, TypedFields) {
  { // float_data, packed
    ProtoWriter w;
    w.packedVarints(1, {2});
    w.field(2, 1);
    float f[2] = {1.5f, -2};
    w.lengthDelimited(4, f, 8);
    HostTensor t;
    ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
    EXPECT_EQ(elementAsDouble(t, 1), -2.0);
  }
  { // int32_data for INT8, unpacked (one tag per value), negative values
    ProtoWriter w;
    w.field(1, 3); // dims unpacked
    w.field(2, 3); // INT8
    for (int64_t v : {-1, 5, -128})
      w.field(5, uint64_t(v));
    HostTensor t;
    ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
    EXPECT_EQ(t.elementType, (uint32_t)QCC_ELEMENT_I8);
    EXPECT_EQ(elementBits(t, 0), -1);
    EXPECT_EQ(elementBits(t, 2), -128);
  }
  { // int64_data
    ProtoWriter w;
    w.packedVarints(1, {2});
    w.field(2, 7);
    w.packedVarints(7, {-5, int64_t(1) << 40});
    HostTensor t;
    ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
    EXPECT_EQ(elementBits(t, 0), -5);
    EXPECT_EQ(elementBits(t, 1), int64_t(1) << 40);
  }
  { // double_data
    ProtoWriter w;
    w.packedVarints(1, {1});
    w.field(2, 11);
    double d = 0.25;
    w.lengthDelimited(10, &d, 8);
    HostTensor t;
    ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
    EXPECT_EQ(elementAsDouble(t, 0), 0.25);
  }
  { // uint64_data for UINT32
    ProtoWriter w;
    w.packedVarints(1, {2});
    w.field(2, 12);
    w.packedVarints(11, {7, 4000000000});
    HostTensor t;
    ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
    EXPECT_EQ(t.data.size(), 8u);
    EXPECT_EQ(elementAsDouble(t, 1), 4000000000.0);
  }
  { // INT4 in int32_data: one packed byte per value
    ProtoWriter w;
    w.packedVarints(1, {3});
    w.field(2, 22);
    w.packedVarints(5, {0xE1, 0x07});
    HostTensor t;
    ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
    EXPECT_EQ(t.elementType, (uint32_t)QCC_ELEMENT_I4);
    EXPECT_EQ(elementBits(t, 1), -2);
    EXPECT_EQ(elementBits(t, 2), 7);
  }
  { // FLOAT16 in int32_data
    ProtoWriter w;
    w.packedVarints(1, {1});
    w.field(2, 10);
    w.packedVarints(5, {0x3C00}); // 1.0
    HostTensor t;
    ASSERT_EQ(parseTensorProto(w.bytes.data(), w.bytes.size(), t), "");
    EXPECT_EQ(elementAsDouble(t, 0), 1.0);
  }
}

TEST(RuntimeTensorProto, Errors) {
  HostTensor t;
  {
    ProtoWriter w;
    w.field(2, 8); // STRING
    w.lengthDelimited(6, "abc", 3);
    EXPECT_NE(parseTensorProto(w.bytes.data(), w.bytes.size(), t)
                  .find("string tensors"),
              std::string::npos);
  }
  {
    ProtoWriter w;
    w.field(2, 1);
    w.field(14, 1); // EXTERNAL
    EXPECT_NE(parseTensorProto(w.bytes.data(), w.bytes.size(), t)
                  .find("external data"),
              std::string::npos);
  }
  {
    ProtoWriter w;
    w.packedVarints(1, {4});
    w.field(2, 1);
    float f[3] = {};
    w.lengthDelimited(9, f, sizeof(f));
    EXPECT_NE(parseTensorProto(w.bytes.data(), w.bytes.size(), t)
                  .find("raw_data holds 12 bytes, the shape needs 16"),
              std::string::npos);
  }
  {
    ProtoWriter w;
    w.field(2, 14); // COMPLEX64
    EXPECT_NE(parseTensorProto(w.bytes.data(), w.bytes.size(), t)
                  .find("unsupported TensorProto data_type 14"),
              std::string::npos);
  }
  {
    ProtoWriter w;
    w.packedVarints(1, {2});
    w.field(2, 1);
    w.tag(9, 2);
    w.varint(100); // length beyond the end
    EXPECT_NE(parseTensorProto(w.bytes.data(), w.bytes.size(), t)
                  .find("malformed TensorProto"),
              std::string::npos);
  }
  {
    ProtoWriter w;
    w.packedVarints(1, {2});
    w.field(2, 6);
    w.packedVarints(5, {1});
    EXPECT_NE(parseTensorProto(w.bytes.data(), w.bytes.size(), t)
                  .find("holds 1 values, the shape needs 2"),
              std::string::npos);
  }
}

TEST(RuntimeTensorFile, DecodesSmallFloats) {
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F16, 0xC000), -2.0);
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F16, 0x0001), std::ldexp(1.0, -24));
  EXPECT_TRUE(std::isinf(decodeFloat(QCC_ELEMENT_F16, 0x7C00)));
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_BF16, 0x3F80), 1.0);
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F8E4M3FN, 0x7E), 448.0);
  EXPECT_TRUE(std::isnan(decodeFloat(QCC_ELEMENT_F8E4M3FN, 0x7F)));
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F8E5M2, 0x7B), 57344.0);
  EXPECT_TRUE(std::isnan(decodeFloat(QCC_ELEMENT_F8E4M3FNUZ, 0x80)));
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F8E4M3FNUZ, 0x7F), 240.0);
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F8E5M2FNUZ, 0x7F), 57344.0);
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F4E2M1FN, 0x7), 6.0);
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F4E2M1FN, 0x1), 0.5);
  EXPECT_EQ(decodeFloat(QCC_ELEMENT_F4E2M1FN, 0xF), -6.0);
}

} // namespace
