//===- ElementType.cpp - names and sizes of qcc_element_type -------------===//

#include "Internal.h"

extern "C" {

const char *qcc_element_type_name(uint32_t type) {
  switch (type) {
  case QCC_ELEMENT_I4:
    return "i4";
  case QCC_ELEMENT_I8:
    return "i8";
  case QCC_ELEMENT_I16:
    return "i16";
  case QCC_ELEMENT_I32:
    return "i32";
  case QCC_ELEMENT_I64:
    return "i64";
  case QCC_ELEMENT_U4:
    return "u4";
  case QCC_ELEMENT_U8:
    return "u8";
  case QCC_ELEMENT_U16:
    return "u16";
  case QCC_ELEMENT_U32:
    return "u32";
  case QCC_ELEMENT_U64:
    return "u64";
  case QCC_ELEMENT_F16:
    return "f16";
  case QCC_ELEMENT_F32:
    return "f32";
  case QCC_ELEMENT_F64:
    return "f64";
  case QCC_ELEMENT_BF16:
    return "bf16";
  case QCC_ELEMENT_BOOL:
    return "bool";
  case QCC_ELEMENT_F8E4M3FN:
    return "f8e4m3fn";
  case QCC_ELEMENT_F8E5M2:
    return "f8e5m2";
  case QCC_ELEMENT_F8E4M3FNUZ:
    return "f8e4m3fnuz";
  case QCC_ELEMENT_F8E5M2FNUZ:
    return "f8e5m2fnuz";
  case QCC_ELEMENT_F4E2M1FN:
    return "f4e2m1fn";
  default:
    return "invalid";
  }
}

int qcc_element_type_is_valid(uint32_t type) {
  return type != QCC_ELEMENT_INVALID &&
         std::string(qcc_element_type_name(type)) != "invalid";
}

uint32_t qcc_element_type_bit_width(uint32_t type) {
  return qcc_element_type_is_valid(type) ? (type & 0xffu) : 0;
}

int64_t qcc_element_type_byte_size(uint32_t type, int64_t count) {
  uint32_t bits = qcc_element_type_bit_width(type);
  if (bits == 0 || count < 0)
    return -1;
  if (bits < 8) {
    int64_t perByte = 8 / bits;
    return count / perByte + (count % perByte ? 1 : 0);
  }
  int64_t bytes = bits / 8;
  if (count > INT64_MAX / bytes)
    return -1;
  return count * bytes;
}

} // extern "C"
