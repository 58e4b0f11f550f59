//===- Model.cpp - loading a model library and checking its descriptor ---===//
//
// A model is a dlopen'd library plus its validated descriptor. Everything
// the runtime later trusts (counts, element types, shapes, names) is checked
// here once, so a malformed library fails at load, not inside a run.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <dlfcn.h>
#include <set>
#include <string>
#include <sys/stat.h>

using namespace qcc::runtime;

namespace {

// Sanity limits that catch garbage descriptors, far beyond real models.
constexpr uint32_t kMaxTensors = 1u << 16;
constexpr uint32_t kMaxRank = 64;

// Generated libraries resolve qcc_runtime_parallel_for from the global
// scope. If the application loaded this runtime RTLD_LOCAL (e.g. Python's
// ctypes), promote it to global before loading a model.
void promoteRuntimeToGlobalScope() {
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&qcc_runtime_parallel_for), &info) &&
        info.dli_fname) {
      if (void *self =
              dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL))
        (void)self; // keep the reference: the runtime stays loaded anyway
    }
  });
}

qcc_status checkTensorList(const char *kind, uint32_t count,
                           const qcc_tensor_descriptor *tensors,
                           std::set<std::string> &names,
                           std::vector<int64_t> &elements,
                           std::vector<int64_t> &bytes) {
  if (count > 0 && !tensors)
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "invalid model descriptor: %u %ss but a null %s list",
                      count, kind, kind);
  for (uint32_t i = 0; i < count; ++i) {
    const qcc_tensor_descriptor &t = tensors[i];
    if (!t.name || !*t.name)
      return makeStatus(QCC_STATUS_INCOMPATIBLE,
                        "invalid model descriptor: %s %u has no name", kind, i);
    if (!names.insert(t.name).second)
      return makeStatus(QCC_STATUS_INCOMPATIBLE,
                        "invalid model descriptor: %s %u ('%s') reuses a name",
                        kind, i, t.name);
    if (!qcc_element_type_is_valid(t.element_type))
      return makeStatus(
          QCC_STATUS_INCOMPATIBLE,
          "invalid model descriptor: %s %u ('%s') has unknown element type "
          "0x%x",
          kind, i, t.name, t.element_type);
    if (t.rank > kMaxRank)
      return makeStatus(QCC_STATUS_INCOMPATIBLE,
                        "invalid model descriptor: %s %u ('%s') has rank %u "
                        "(at most %u)",
                        kind, i, t.name, t.rank, kMaxRank);
    if (t.rank > 0 && !t.shape)
      return makeStatus(QCC_STATUS_INCOMPATIBLE,
                        "invalid model descriptor: %s %u ('%s') has rank %u "
                        "but a null shape",
                        kind, i, t.name, t.rank);
    for (uint32_t d = 0; d < t.rank; ++d)
      if (t.shape[d] < 0)
        return makeStatus(QCC_STATUS_INCOMPATIBLE,
                          "invalid model descriptor: %s %u ('%s') has "
                          "negative dimension %lld at axis %u",
                          kind, i, t.name, (long long)t.shape[d], d);
    int64_t n = elementCount(t.rank, t.shape);
    int64_t b = qcc_element_type_byte_size(t.element_type, n);
    if (n < 0 || b < 0)
      return makeStatus(QCC_STATUS_INCOMPATIBLE,
                        "invalid model descriptor: %s %u ('%s') shape %s "
                        "overflows",
                        kind, i, t.name, formatShape(t.rank, t.shape).c_str());
    elements.push_back(n);
    bytes.push_back(b);
  }
  return QCC_OK;
}

qcc_status checkDescriptor(const qcc_model_descriptor *d, qcc_model *model) {
  if (d->abi_version != QCC_MODEL_ABI_VERSION)
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "model ABI version %u is not supported by this runtime "
                      "(ABI version %u); recompile the model with a matching "
                      "qcc",
                      d->abi_version, QCC_MODEL_ABI_VERSION);
  if (!d->model_name || !d->target || !d->device)
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "invalid model descriptor: null %s",
                      !d->model_name ? "model_name"
                      : !d->target   ? "target"
                                     : "device");
  if (!d->entry)
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "invalid model descriptor: null entry function");
  if (d->num_inputs > kMaxTensors || d->num_outputs > kMaxTensors)
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "invalid model descriptor: %u inputs and %u outputs "
                      "(at most %u each)",
                      d->num_inputs, d->num_outputs, kMaxTensors);
  if (d->num_outputs == 0)
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "invalid model descriptor: the model has no outputs");
  std::set<std::string> names;
  if (qcc_status s = checkTensorList("input", d->num_inputs, d->inputs, names,
                                     model->inputElements, model->inputBytes))
    return s;
  return checkTensorList("output", d->num_outputs, d->outputs, names,
                         model->outputElements, model->outputBytes);
}

qcc_status loadModel(const char *path, qcc_model **out_model) {
  struct stat info;
  if (stat(path, &info) != 0)
    return makeStatus(QCC_STATUS_NOT_FOUND,
                      "cannot load model '%s': no such "
                      "file",
                      path);
  if (S_ISDIR(info.st_mode))
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "cannot load model '%s': it is a directory", path);
  promoteRuntimeToGlobalScope();
  // dlopen searches the library path for a name without a slash, not the
  // working directory that stat() just found it in: "lib.so" means
  // "./lib.so" here, as for every other file a user names.
  std::string file = path;
  if (file.find('/') == std::string::npos)
    file = "./" + file;
  void *library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *error = dlerror();
    return makeStatus(QCC_STATUS_INCOMPATIBLE, "cannot load model '%s': %s",
                      path, error ? error : "dlopen failed");
  }
  dlerror();
  auto *descriptor = static_cast<const qcc_model_descriptor *>(
      dlsym(library, QCC_MODEL_DESCRIPTOR_SYMBOL));
  if (!descriptor) {
    dlclose(library);
    return makeStatus(QCC_STATUS_INCOMPATIBLE,
                      "'%s' is not a qcc model library: it does not export "
                      "'%s' (compiled for another ABI version, or not by qcc)",
                      path, QCC_MODEL_DESCRIPTOR_SYMBOL);
  }
  auto model = std::make_unique<qcc_model_t>();
  model->path = path;
  model->library = library;
  model->descriptor = descriptor;
  qcc_status s = checkDescriptor(descriptor, model.get());
  if (!s)
    s = checkTargetFeatures(descriptor->target);
  if (s) {
    dlclose(library);
    std::string message = "'" + model->path + "': " + qcc_status_message(s);
    qcc_status_code_t code = qcc_status_code(s);
    qcc_status_free(s);
    return makeStatus(code, "%s", message.c_str());
  }
  *out_model = model.release();
  registerHandle(*out_model, HandleKind::Model);
  return QCC_OK;
}

/// FAILED_PRECONDITION unless `model` is a live model handle.
qcc_status checkLiveModel(const qcc_model *model) {
  if (isLiveHandle(model, HandleKind::Model))
    return QCC_OK;
  return makeStatus(QCC_STATUS_FAILED_PRECONDITION,
                    model ? "model handle is not a live model (freed?)"
                          : "model is null");
}

qcc_status tensorInfo(const qcc_model *model, const char *kind, uint32_t index,
                      qcc_tensor_info *out_info) {
  if (!out_info)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "out_info is null");
  *out_info = qcc_tensor_info{};
  if (qcc_status s = checkLiveModel(model))
    return s;
  const qcc_model_descriptor *d = model->descriptor;
  bool input = kind[0] == 'i';
  uint32_t count = input ? d->num_inputs : d->num_outputs;
  if (index >= count)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT,
                      "%s index %u is out of range: model '%s' has %u %ss",
                      kind, index, d->model_name, count, kind);
  const qcc_tensor_descriptor &t = input ? d->inputs[index] : d->outputs[index];
  out_info->name = t.name;
  out_info->element_type = t.element_type;
  out_info->rank = t.rank;
  out_info->shape = t.shape;
  out_info->element_count =
      input ? model->inputElements[index] : model->outputElements[index];
  out_info->byte_size =
      input ? model->inputBytes[index] : model->outputBytes[index];
  return QCC_OK;
}

qcc_status findTensor(const qcc_model *model, const char *kind,
                      const char *name, uint32_t *out_index) {
  if (!out_index || !name)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "%s is null",
                      !name ? "name" : "out_index");
  if (qcc_status s = checkLiveModel(model))
    return s;
  const qcc_model_descriptor *d = model->descriptor;
  bool input = kind[0] == 'i';
  uint32_t count = input ? d->num_inputs : d->num_outputs;
  const qcc_tensor_descriptor *list = input ? d->inputs : d->outputs;
  std::string known;
  for (uint32_t i = 0; i < count; ++i) {
    if (std::string(list[i].name) == name) {
      *out_index = i;
      return QCC_OK;
    }
    known += (i ? ", '" : "'") + std::string(list[i].name) + "'";
  }
  return makeStatus(QCC_STATUS_NOT_FOUND,
                    "model '%s' has no %s named '%s' (its %ss: %s)",
                    d->model_name, kind, name, kind, known.c_str());
}

} // namespace

void qccModelRelease(qcc_model *model) {
  if (model->refCount.fetch_sub(1) != 1)
    return;
  unregisterHandle(model, HandleKind::Model);
  dlclose(model->library);
  delete model;
}

extern "C" {

qcc_status qcc_model_load(const char *path, qcc_model **out_model) {
  if (!out_model)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "out_model is null");
  *out_model = nullptr;
  if (!path || !*path)
    return makeStatus(QCC_STATUS_INVALID_ARGUMENT, "model path is %s",
                      path ? "empty" : "null");
  return loadModel(path, out_model);
}

void qcc_model_free(qcc_model *model) {
  // A model freed by the caller but retained by sessions stays registered
  // (sessions still use it); `callerReleased` makes a second free a no-op.
  if (!isLiveHandle(model, HandleKind::Model) ||
      model->callerReleased.exchange(true))
    return;
  qccModelRelease(model);
}

#define QCC_MODEL_FIELD(field, fallback)                                       \
  (isLiveHandle(model, HandleKind::Model) ? model->descriptor->field : fallback)

const char *qcc_model_name(const qcc_model *model) {
  return QCC_MODEL_FIELD(model_name, nullptr);
}
const char *qcc_model_device(const qcc_model *model) {
  return QCC_MODEL_FIELD(device, nullptr);
}
const char *qcc_model_target(const qcc_model *model) {
  return QCC_MODEL_FIELD(target, nullptr);
}
uint32_t qcc_model_input_count(const qcc_model *model) {
  return QCC_MODEL_FIELD(num_inputs, 0);
}
uint32_t qcc_model_output_count(const qcc_model *model) {
  return QCC_MODEL_FIELD(num_outputs, 0);
}
const char *qcc_model_path(const qcc_model *model) {
  return isLiveHandle(model, HandleKind::Model) ? model->path.c_str() : nullptr;
}

qcc_status qcc_model_input_info(const qcc_model *model, uint32_t index,
                                qcc_tensor_info *out_info) {
  return tensorInfo(model, "input", index, out_info);
}
qcc_status qcc_model_output_info(const qcc_model *model, uint32_t index,
                                 qcc_tensor_info *out_info) {
  return tensorInfo(model, "output", index, out_info);
}
qcc_status qcc_model_find_input(const qcc_model *model, const char *name,
                                uint32_t *out_index) {
  return findTensor(model, "input", name, out_index);
}
qcc_status qcc_model_find_output(const qcc_model *model, const char *name,
                                 uint32_t *out_index) {
  return findTensor(model, "output", name, out_index);
}

} // extern "C"
