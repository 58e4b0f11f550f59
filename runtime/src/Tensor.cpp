//===- Tensor.cpp - tensors over caller memory or runtime memory ---------===//

#include "Internal.h"

#include <cstdlib>
#include <cstring>

using namespace qcc::runtime;

namespace {

constexpr uint32_t kMaxRank = 64;
constexpr size_t kAllocationAlignment = 64;

/// Checks element type, rank and shape; fills the tensor's fields.
qcc_status describe(uint32_t elementType, uint32_t rank, const int64_t *shape,
                    qcc_tensor_t &tensor) {
  if (!qcc_element_type_is_valid(elementType))
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "unknown element type 0x%x",
                      elementType);
  if (rank > kMaxRank)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "rank %u is larger than the maximum %u", rank, kMaxRank);
  if (rank > 0 && !shape)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "shape is null for rank %u",
                      rank);
  for (uint32_t i = 0; i < rank; ++i)
    if (shape[i] < 0)
      return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                        "shape %s has negative dimension %lld at axis %u",
                        formatShape(rank, shape).c_str(), (long long)shape[i],
                        i);
  int64_t count = elementCount(rank, shape);
  int64_t bytes = qcc_element_type_byte_size(elementType, count);
  if (count < 0 || bytes < 0)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "shape %s of %s overflows",
                      formatShape(rank, shape).c_str(),
                      qcc_element_type_name(elementType));
  tensor.elementType = elementType;
  tensor.shape.assign(shape, shape + rank);
  tensor.elementCount = count;
  tensor.byteSize = static_cast<size_t>(bytes);
  return QCC_OK;
}

qcc_tensor *registered(std::unique_ptr<qcc_tensor_t> tensor) {
  qcc_tensor *raw = tensor.release();
  registerHandle(raw, HandleKind::Tensor);
  return raw;
}

const qcc_tensor *live(const qcc_tensor *tensor) {
  return isLiveHandle(tensor, HandleKind::Tensor) ? tensor : nullptr;
}

} // namespace

extern "C" {

qcc_status qcc_tensor_wrap(uint32_t element_type, uint32_t rank,
                           const int64_t *shape, void *data, size_t byte_size,
                           qcc_tensor **out_tensor) {
  if (!out_tensor)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "out_tensor is null");
  *out_tensor = nullptr;
  auto tensor = std::make_unique<qcc_tensor_t>();
  if (qcc_status s = describe(element_type, rank, shape, *tensor))
    return s;
  if (byte_size < tensor->byteSize)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "buffer of %zu bytes is smaller than the %zu bytes of "
                      "%s %s",
                      byte_size, tensor->byteSize,
                      qcc_element_type_name(element_type),
                      formatShape(rank, shape).c_str());
  if (!data && tensor->byteSize > 0)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "data is null for a tensor of %zu bytes",
                      tensor->byteSize);
  size_t alignment = qcc_element_type_bit_width(element_type) / 8;
  if (alignment > 8)
    alignment = 8;
  if (alignment > 1 && reinterpret_cast<uintptr_t>(data) % alignment != 0)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "data %p of %s is not aligned to %zu bytes", data,
                      qcc_element_type_name(element_type), alignment);
  tensor->data = data;
  *out_tensor = registered(std::move(tensor));
  return QCC_OK;
}

qcc_status qcc_tensor_allocate(uint32_t element_type, uint32_t rank,
                               const int64_t *shape, qcc_tensor **out_tensor) {
  if (!out_tensor)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "out_tensor is null");
  *out_tensor = nullptr;
  auto tensor = std::make_unique<qcc_tensor_t>();
  if (qcc_status s = describe(element_type, rank, shape, *tensor))
    return s;
  // aligned_alloc wants a multiple of the alignment, and a nonzero size.
  size_t rounded = (tensor->byteSize + kAllocationAlignment - 1) /
                   kAllocationAlignment * kAllocationAlignment;
  if (rounded == 0)
    rounded = kAllocationAlignment;
  void *data = std::aligned_alloc(kAllocationAlignment, rounded);
  if (!data)
    return makeStatus(QCC_STATUS_RESOURCE_EXHAUSTED,
                      "cannot allocate %zu bytes for %s %s", rounded,
                      qcc_element_type_name(element_type),
                      formatShape(rank, shape).c_str());
  std::memset(data, 0, rounded);
  tensor->data = data;
  tensor->ownsData = true;
  *out_tensor = registered(std::move(tensor));
  return QCC_OK;
}

void qcc_tensor_free(qcc_tensor *tensor) {
  if (!tensor || !unregisterHandle(tensor, HandleKind::Tensor))
    return;
  if (tensor->ownsData)
    std::free(tensor->data);
  delete tensor;
}

uint32_t qcc_tensor_element_type(const qcc_tensor *tensor) {
  return live(tensor) ? tensor->elementType : 0;
}
uint32_t qcc_tensor_rank(const qcc_tensor *tensor) {
  return live(tensor) ? static_cast<uint32_t>(tensor->shape.size()) : 0;
}
const int64_t *qcc_tensor_shape(const qcc_tensor *tensor) {
  return live(tensor) ? tensor->shape.data() : nullptr;
}
int64_t qcc_tensor_element_count(const qcc_tensor *tensor) {
  return live(tensor) ? tensor->elementCount : 0;
}
size_t qcc_tensor_byte_size(const qcc_tensor *tensor) {
  return live(tensor) ? tensor->byteSize : 0;
}
void *qcc_tensor_data(const qcc_tensor *tensor) {
  return live(tensor) ? tensor->data : nullptr;
}

} // extern "C"
