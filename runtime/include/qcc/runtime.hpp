//===- runtime.hpp - header-only C++ wrapper of the qcc runtime -*- C++ -*-===//
//
// RAII owners of the C handles and an expected-like Result<T>; no
// exceptions, so it builds with -fno-exceptions.
//
//   auto model = qcc::Model::load("libmodel.so");
//   if (!model.ok()) { puts(model.status().message()); return 1; }
//   auto session = qcc::Session::create(*model);
//   ...
//   qcc::Status s = session->run({&a, &b}, {&sum});
//
//===----------------------------------------------------------------------===//

#ifndef QCC_RUNTIME_HPP
#define QCC_RUNTIME_HPP

#include "qcc/runtime.h"

#include <initializer_list>
#include <utility>
#include <vector>

namespace qcc {

/// Owns a qcc_status; ok() when it holds none.
class Status {
public:
  Status() = default;
  explicit Status(qcc_status status) : status_(status) {}
  Status(Status &&other) noexcept : status_(other.release()) {}
  Status &operator=(Status &&other) noexcept {
    if (this != &other) {
      qcc_status_free(status_);
      status_ = other.release();
    }
    return *this;
  }
  Status(const Status &) = delete;
  Status &operator=(const Status &) = delete;
  ~Status() { qcc_status_free(status_); }

  bool ok() const { return status_ == QCC_OK; }
  qcc_status_code_t code() const { return qcc_status_code(status_); }
  const char *message() const { return qcc_status_message(status_); }
  qcc_status release() { return std::exchange(status_, QCC_OK); }

private:
  qcc_status status_ = QCC_OK;
};

/// A value or the status explaining why there is none.
template <typename T> class Result {
public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {}

  bool ok() const { return status_.ok(); }
  const Status &status() const { return status_; }
  Status takeStatus() { return std::move(status_); }
  T &value() { return value_; }
  const T &value() const { return value_; }
  T &operator*() { return value_; }
  T *operator->() { return &value_; }
  const T *operator->() const { return &value_; }

private:
  Status status_;
  T value_{};
};

namespace detail {
/// Move-only owner of a handle freed by `Free`.
template <typename H, void (*Free)(H *)> class Handle {
public:
  Handle() = default;
  explicit Handle(H *handle) : handle_(handle) {}
  Handle(Handle &&other) noexcept : handle_(other.release()) {}
  Handle &operator=(Handle &&other) noexcept {
    if (this != &other) {
      Free(handle_);
      handle_ = other.release();
    }
    return *this;
  }
  ~Handle() { Free(handle_); }
  H *get() const { return handle_; }
  H *release() { return std::exchange(handle_, nullptr); }
  explicit operator bool() const { return handle_ != nullptr; }

private:
  H *handle_ = nullptr;
};
} // namespace detail

class Tensor : public detail::Handle<qcc_tensor, qcc_tensor_free> {
public:
  using Handle::Handle;

  static Result<Tensor> wrap(uint32_t type, std::vector<int64_t> shape,
                             void *data, size_t byteSize) {
    qcc_tensor *t = nullptr;
    if (qcc_status s = qcc_tensor_wrap(type, uint32_t(shape.size()),
                                       shape.data(), data, byteSize, &t))
      return Status(s);
    return Tensor(t);
  }
  static Result<Tensor> allocate(uint32_t type, std::vector<int64_t> shape) {
    qcc_tensor *t = nullptr;
    if (qcc_status s =
            qcc_tensor_allocate(type, uint32_t(shape.size()), shape.data(), &t))
      return Status(s);
    return Tensor(t);
  }

  uint32_t elementType() const { return qcc_tensor_element_type(get()); }
  std::vector<int64_t> shape() const {
    const int64_t *s = qcc_tensor_shape(get());
    return s ? std::vector<int64_t>(s, s + qcc_tensor_rank(get()))
             : std::vector<int64_t>();
  }
  int64_t elementCount() const { return qcc_tensor_element_count(get()); }
  size_t byteSize() const { return qcc_tensor_byte_size(get()); }
  template <typename T = void> T *data() const {
    return static_cast<T *>(qcc_tensor_data(get()));
  }
};

class Model : public detail::Handle<qcc_model, qcc_model_free> {
public:
  using Handle::Handle;

  static Result<Model> load(const char *path) {
    qcc_model *m = nullptr;
    if (qcc_status s = qcc_model_load(path, &m))
      return Status(s);
    return Model(m);
  }

  const char *name() const { return qcc_model_name(get()); }
  const char *device() const { return qcc_model_device(get()); }
  const char *target() const { return qcc_model_target(get()); }
  uint32_t inputCount() const { return qcc_model_input_count(get()); }
  uint32_t outputCount() const { return qcc_model_output_count(get()); }
  Result<qcc_tensor_info> input(uint32_t index) const {
    qcc_tensor_info info;
    if (qcc_status s = qcc_model_input_info(get(), index, &info))
      return Status(s);
    return info;
  }
  Result<qcc_tensor_info> output(uint32_t index) const {
    qcc_tensor_info info;
    if (qcc_status s = qcc_model_output_info(get(), index, &info))
      return Status(s);
    return info;
  }
};

class Session : public detail::Handle<qcc_session, qcc_session_free> {
public:
  using Handle::Handle;

  static Result<Session> create(const Model &model,
                                const char *device = nullptr,
                                int32_t numThreads = 0) {
    qcc_session_options options;
    qcc_session_options_initialize(&options);
    options.device = device;
    options.num_threads = numThreads;
    qcc_session *s = nullptr;
    if (qcc_status st = qcc_session_create(model.get(), &options, &s))
      return Status(st);
    return Session(s);
  }

  int32_t numThreads() const { return qcc_session_num_threads(get()); }

  /// Runs on caller tensors, in the model's input and output order.
  Status run(std::initializer_list<const Tensor *> inputs,
             std::initializer_list<const Tensor *> outputs) {
    std::vector<qcc_tensor *> in, out;
    for (const Tensor *t : inputs)
      in.push_back(t ? t->get() : nullptr);
    for (const Tensor *t : outputs)
      out.push_back(t ? t->get() : nullptr);
    return Status(
        qcc_session_run(get(), in.data(), in.size(), out.data(), out.size()));
  }

  /// Runs and returns runtime-allocated outputs.
  Result<std::vector<Tensor>>
  run(std::initializer_list<const Tensor *> inputs) {
    std::vector<qcc_tensor *> in;
    for (const Tensor *t : inputs)
      in.push_back(t ? t->get() : nullptr);
    uint32_t count = qcc_model_output_count(qcc_session_model(get()));
    std::vector<qcc_tensor *> raw(count, nullptr);
    if (qcc_status s = qcc_session_run_alloc(get(), in.data(), in.size(),
                                             raw.data(), raw.size()))
      return Status(s);
    std::vector<Tensor> outputs;
    for (qcc_tensor *t : raw)
      outputs.emplace_back(t);
    return outputs;
  }
};

} // namespace qcc

#endif // QCC_RUNTIME_HPP
