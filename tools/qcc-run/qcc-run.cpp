//===- qcc-run.cpp - run a qcc-compiled model library --------------------===//
//
// Loads a model library through the runtime, feeds it .npy / ONNX .pb
// inputs, compares outputs with expected files, writes outputs, and
// benchmarks. Links only libqcc_runtime.
//
//===----------------------------------------------------------------------===//

#include "TensorFile.h"

#include "qcc/runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace qcc::run;

namespace {

const char *kUsage = R"(usage: qcc-run LIBMODEL.so [options]

Runs a model library made by `qcc -o LIBMODEL.so`.

Inputs (in the model's order unless named):
  --input [NAME=]FILE     an input from a .npy or ONNX TensorProto .pb file;
                          without NAME=, the next input not yet given
  --inputs-dir DIR        DIR/input_0.pb, input_1.pb ... (an ONNX
                          test_data_set_N directory; .npy also accepted)
  --zeros                 fill inputs not given with zeros
Checking:
  --expected [NAME=]FILE  an expected output (.npy or .pb)
  --expected-dir DIR      DIR/output_0.pb, output_1.pb ...
  --rtol R, --atol A      pass when |out - expected| <= A + R * |expected|
                          (defaults 1e-3 and 1e-7 for floats; integers must
                          match exactly unless a tolerance is given; NaN
                          matches NaN)
Output:
  --output-dir DIR        write each output to DIR/NAME.npy (4-bit integers
                          unpacked to int8/uint8, bf16/f8/f4 as float32)
  --print                 print the outputs
  --signature             print the model's inputs and outputs and exit
Running:
  --threads T             threads of the session (default 0 = all cores)
  --device D              cpu (default: the model's device)
  --bench N               after one warm-up run, time N runs and print the
                          median, p10, p90 and min in microseconds
  --help                  this text

Exit status: 0 on success, 1 on any error or mismatch.
)";

struct Named {
  std::string name; // empty: positional
  std::string file;
};

struct Options {
  std::string library;
  std::vector<Named> inputs, expected;
  std::string inputsDir, expectedDir, outputDir, device;
  double rtol = 1e-3, atol = 1e-7;
  bool toleranceGiven = false, print = false, zeros = false, signature = false;
  int threads = 0;
  long bench = 0;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "qcc-run: error: %s\n", message.c_str());
  return 1;
}

int failStatus(const std::string &what, qcc_status status) {
  std::string message = what + ": " + qcc_status_message(status) + " [" +
                        qcc_status_code_name(qcc_status_code(status)) + "]";
  qcc_status_free(status);
  return fail(message);
}

bool parseNumber(const char *text, double &out) {
  char *end;
  out = std::strtod(text, &end);
  return *text && !*end;
}

/// Parses argv; returns -1 to continue, else an exit code.
int parseArgs(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    auto named = [&](std::vector<Named> &list) {
      size_t eq = v.find('=');
      // NAME=FILE unless the whole text is an existing file.
      struct stat st;
      if (eq != std::string::npos && stat(v.c_str(), &st) != 0)
        list.push_back({v.substr(0, eq), v.substr(eq + 1)});
      else
        list.push_back({"", v});
    };
    double number;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--input" && value(v)) {
      named(o.inputs);
    } else if (arg == "--expected" && value(v)) {
      named(o.expected);
    } else if (arg == "--inputs-dir" && value(o.inputsDir)) {
    } else if (arg == "--expected-dir" && value(o.expectedDir)) {
    } else if (arg == "--output-dir" && value(o.outputDir)) {
    } else if (arg == "--device" && value(o.device)) {
    } else if ((arg == "--rtol" || arg == "--atol") && value(v)) {
      if (!parseNumber(v.c_str(), number) || number < 0)
        return fail(arg + " needs a non-negative number, got '" + v + "'");
      (arg == "--rtol" ? o.rtol : o.atol) = number;
      o.toleranceGiven = true;
    } else if (arg == "--threads" && value(v)) {
      if (!parseNumber(v.c_str(), number) || number < 0 ||
          number != std::floor(number))
        return fail("--threads needs a non-negative integer, got '" + v + "'");
      o.threads = int(number);
    } else if (arg == "--bench" && value(v)) {
      if (!parseNumber(v.c_str(), number) || number < 1 ||
          number != std::floor(number))
        return fail("--bench needs a positive integer, got '" + v + "'");
      o.bench = long(number);
    } else if (arg == "--print") {
      o.print = true;
    } else if (arg == "--zeros") {
      o.zeros = true;
    } else if (arg == "--signature") {
      o.signature = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      bool known = arg == "--input" || arg == "--expected" ||
                   arg == "--inputs-dir" || arg == "--expected-dir" ||
                   arg == "--output-dir" || arg == "--device" ||
                   arg == "--rtol" || arg == "--atol" || arg == "--threads" ||
                   arg == "--bench";
      return fail(known ? arg + " needs a value"
                        : "unknown option '" + arg + "' (see --help)");
    } else if (o.library.empty()) {
      o.library = arg;
    } else {
      return fail("unexpected argument '" + arg +
                  "' (one model library; "
                  "inputs go after --input)");
    }
  }
  if (o.library.empty())
    return fail("no model library given (see --help)");
  return -1;
}

/// Files DIR/PREFIX_0.pb (or .npy), PREFIX_1 ... in order.
std::vector<Named> numberedFiles(const std::string &dir,
                                 const std::string &prefix) {
  std::vector<Named> files;
  for (int i = 0;; ++i) {
    struct stat st;
    std::string base = dir + "/" + prefix + "_" + std::to_string(i);
    if (stat((base + ".pb").c_str(), &st) == 0)
      files.push_back({"", base + ".pb"});
    else if (stat((base + ".npy").c_str(), &st) == 0)
      files.push_back({"", base + ".npy"});
    else
      break;
  }
  return files;
}

struct Signature {
  std::vector<qcc_tensor_info> inputs, outputs;
};

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

std::string infoText(const qcc_tensor_info &info) {
  return std::string(info.name) + ": " +
         qcc_element_type_name(info.element_type) + " " +
         shapeText(std::vector<int64_t>(info.shape, info.shape + info.rank));
}

/// Loads files into tensors in signature order; `kind` names them in errors.
int assignFiles(const std::vector<Named> &files,
                const std::vector<qcc_tensor_info> &infos, const char *kind,
                bool fillZeros, std::vector<HostTensor> &out) {
  out.assign(infos.size(), HostTensor());
  std::vector<bool> given(infos.size(), false);
  size_t nextPositional = 0;
  for (const Named &f : files) {
    HostTensor t;
    if (std::string e = readTensorFile(f.file, t); !e.empty())
      return fail(e);
    size_t index = infos.size();
    std::string name = f.name;
    if (name.empty() && !t.name.empty()) // a .pb names its tensor
      for (size_t i = 0; i < infos.size(); ++i)
        if (!given[i] && t.name == infos[i].name)
          name = t.name;
    if (!name.empty()) {
      for (size_t i = 0; i < infos.size(); ++i)
        if (name == infos[i].name)
          index = i;
      if (index == infos.size())
        return fail(std::string("model has no ") + kind + " named '" + name +
                    "' (" + f.file + ")");
    } else {
      while (nextPositional < infos.size() && given[nextPositional])
        ++nextPositional;
      index = nextPositional;
      if (index == infos.size())
        return fail(std::string("too many ") + kind + "s: the model has " +
                    std::to_string(infos.size()) + " (" + f.file + ")");
    }
    if (given[index])
      return fail(std::string(kind) + " '" + infos[index].name +
                  "' is given twice (" + f.file + ")");
    given[index] = true;
    const qcc_tensor_info &info = infos[index];
    std::vector<int64_t> want(info.shape, info.shape + info.rank);
    std::string where = std::string(kind) + " " + std::to_string(index) + " '" +
                        info.name + "' (" + f.file + "): ";
    if (std::string e = conformElementType(t, info.element_type); !e.empty())
      return fail(where + e);
    if (t.shape != want)
      return fail(where + "shape " + shapeText(t.shape) +
                  " does not match the model's " + shapeText(want));
    out[index] = std::move(t);
  }
  for (size_t i = 0; i < infos.size(); ++i) {
    if (given[i])
      continue;
    if (!fillZeros)
      return fail(std::string("missing ") + kind + " " + std::to_string(i) +
                  " (" + infoText(infos[i]) + "); give it with --" +
                  (kind[0] == 'i' ? "input" : "expected") +
                  (kind[0] == 'i' ? " or use --zeros" : ""));
    out[i].elementType = infos[i].element_type;
    out[i].shape.assign(infos[i].shape, infos[i].shape + infos[i].rank);
    out[i].data.assign(size_t(infos[i].byte_size), 0);
  }
  return -1;
}

/// Compares one output; prints the summary line. True if it passes.
bool compare(size_t index, const HostTensor &got, const HostTensor &want,
             const Options &o) {
  bool exact = !isFloatType(got.elementType) && !o.toleranceGiven;
  int64_t count = got.elementCount();
  double maxAbs = 0, maxRel = 0;
  int64_t mismatches = 0, firstBad = -1;
  for (int64_t i = 0; i < count; ++i) {
    bool ok;
    if (exact) {
      int64_t a = elementBits(got, i), b = elementBits(want, i);
      ok = a == b;
      double diff = std::fabs(double(a) - double(b));
      maxAbs = std::max(maxAbs, diff);
      if (b != 0)
        maxRel = std::max(maxRel, diff / std::fabs(double(b)));
    } else {
      double a = elementAsDouble(got, i), b = elementAsDouble(want, i);
      if (std::isnan(a) || std::isnan(b)) {
        ok = std::isnan(a) && std::isnan(b);
      } else if (std::isinf(a) || std::isinf(b)) {
        ok = a == b;
      } else {
        double diff = std::fabs(a - b);
        ok = diff <= o.atol + o.rtol * std::fabs(b);
        maxAbs = std::max(maxAbs, diff);
        if (b != 0)
          maxRel = std::max(maxRel, diff / std::fabs(b));
      }
    }
    if (!ok && mismatches++ == 0)
      firstBad = i;
  }
  std::printf("output %zu '%s': max abs error %.6g, max rel error %.6g", index,
              got.name.c_str(), maxAbs, maxRel);
  if (mismatches == 0) {
    std::printf(": PASS\n");
    return true;
  }
  std::printf(": FAIL (%lld of %lld elements differ; first at flat index "
              "%lld: got %.9g, expected %.9g)\n",
              (long long)mismatches, (long long)count, (long long)firstBad,
              elementAsDouble(got, firstBad), elementAsDouble(want, firstBad));
  return false;
}

void printTensor(const HostTensor &t) {
  std::printf("%s: %s %s =", t.name.c_str(),
              qcc_element_type_name(t.elementType), shapeText(t.shape).c_str());
  int64_t count = t.elementCount(), shown = std::min<int64_t>(count, 256);
  for (int64_t i = 0; i < shown; ++i)
    std::printf(" %.9g", elementAsDouble(t, i));
  if (shown < count)
    std::printf(" ... (%lld more)", (long long)(count - shown));
  std::printf("\n");
}

int runBenchmark(qcc_session *session, std::vector<qcc_tensor *> &in,
                 std::vector<qcc_tensor *> &out, long iterations) {
  std::vector<double> micros;
  for (long i = 0; i <= iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (qcc_status s = qcc_session_run(session, in.data(), in.size(),
                                       out.data(), out.size()))
      return failStatus("run failed", s);
    auto stop = std::chrono::steady_clock::now();
    if (i > 0) // the first run warms up
      micros.push_back(
          std::chrono::duration<double, std::micro>(stop - start).count());
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) {
    return micros[size_t(q * double(micros.size() - 1) + 0.5)];
  };
  std::printf("bench: %ld runs, median %.1f us, p10 %.1f us, p90 %.1f us, "
              "min %.1f us\n",
              iterations, at(0.5), at(0.1), at(0.9), micros.front());
  return 0;
}

int runModel(const Options &o, qcc_model *model, const Signature &sig) {
  std::vector<Named> inputFiles = o.inputs, expectedFiles = o.expected;
  if (!o.inputsDir.empty()) {
    std::vector<Named> found = numberedFiles(o.inputsDir, "input");
    if (found.empty() && !sig.inputs.empty())
      return fail("no input_0.pb or input_0.npy in '" + o.inputsDir + "'");
    inputFiles.insert(inputFiles.end(), found.begin(), found.end());
  }
  if (!o.expectedDir.empty()) {
    std::vector<Named> found = numberedFiles(o.expectedDir, "output");
    if (found.empty())
      return fail("no output_0.pb or output_0.npy in '" + o.expectedDir + "'");
    expectedFiles.insert(expectedFiles.end(), found.begin(), found.end());
  }
  std::vector<HostTensor> inputs, expected, outputs(sig.outputs.size());
  if (int rc = assignFiles(inputFiles, sig.inputs, "input", o.zeros, inputs);
      rc >= 0)
    return rc;
  if (!expectedFiles.empty())
    if (int rc =
            assignFiles(expectedFiles, sig.outputs, "output", false, expected);
        rc >= 0)
      return rc;

  qcc_session_options options;
  qcc_session_options_initialize(&options);
  options.num_threads = o.threads;
  if (!o.device.empty())
    options.device = o.device.c_str();
  qcc_session *session = nullptr;
  if (qcc_status s = qcc_session_create(model, &options, &session))
    return failStatus("cannot create a session", s);

  std::vector<qcc_tensor *> in, out;
  int rc = 0;
  auto wrap = [&](HostTensor &t, std::vector<qcc_tensor *> &list) {
    qcc_tensor *tensor = nullptr;
    qcc_status s =
        qcc_tensor_wrap(t.elementType, uint32_t(t.shape.size()), t.shape.data(),
                        t.data.data(), t.data.size(), &tensor);
    list.push_back(tensor);
    return s;
  };
  for (size_t i = 0; i < sig.outputs.size() && rc == 0; ++i) {
    outputs[i].name = sig.outputs[i].name;
    outputs[i].elementType = sig.outputs[i].element_type;
    outputs[i].shape.assign(sig.outputs[i].shape,
                            sig.outputs[i].shape + sig.outputs[i].rank);
    outputs[i].data.assign(size_t(sig.outputs[i].byte_size), 0);
  }
  for (HostTensor &t : inputs)
    if (qcc_status s = wrap(t, in); s && rc == 0)
      rc = failStatus("bad input", s);
  for (HostTensor &t : outputs)
    if (qcc_status s = wrap(t, out); s && rc == 0)
      rc = failStatus("bad output buffer", s);
  if (rc == 0) {
    if (o.bench > 0)
      rc = runBenchmark(session, in, out, o.bench);
    else if (qcc_status s = qcc_session_run(session, in.data(), in.size(),
                                            out.data(), out.size()))
      rc = failStatus("run failed", s);
  }
  for (qcc_tensor *t : in)
    qcc_tensor_free(t);
  for (qcc_tensor *t : out)
    qcc_tensor_free(t);
  qcc_session_free(session);
  if (rc != 0)
    return rc;

  if (o.print)
    for (const HostTensor &t : outputs)
      printTensor(t);
  if (!o.outputDir.empty()) {
    mkdir(o.outputDir.c_str(), 0777);
    for (const HostTensor &t : outputs)
      if (std::string e = writeNpy(o.outputDir + "/" + t.name + ".npy", t);
          !e.empty())
        return fail(e);
  }
  bool allPass = true;
  for (size_t i = 0; i < expected.size(); ++i)
    allPass &= compare(i, outputs[i], expected[i], o);
  if (!expected.empty())
    std::printf("%s\n", allPass ? "PASS" : "FAIL");
  return allPass ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (int rc = parseArgs(argc, argv, o); rc >= 0)
    return rc;
  qcc_model *model = nullptr;
  if (qcc_status s = qcc_model_load(o.library.c_str(), &model))
    return failStatus("cannot load model", s);
  Signature sig;
  for (uint32_t i = 0; i < qcc_model_input_count(model); ++i) {
    sig.inputs.emplace_back();
    qcc_status_free(qcc_model_input_info(model, i, &sig.inputs.back()));
  }
  for (uint32_t i = 0; i < qcc_model_output_count(model); ++i) {
    sig.outputs.emplace_back();
    qcc_status_free(qcc_model_output_info(model, i, &sig.outputs.back()));
  }
  int rc = 0;
  if (o.signature) {
    std::printf("model %s (device %s, target %s)\n", qcc_model_name(model),
                qcc_model_device(model), qcc_model_target(model));
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      std::printf("input %zu %s\n", i, infoText(sig.inputs[i]).c_str());
    for (size_t i = 0; i < sig.outputs.size(); ++i)
      std::printf("output %zu %s\n", i, infoText(sig.outputs[i]).c_str());
  } else {
    rc = runModel(o, model, sig);
  }
  qcc_model_free(model);
  return rc;
}
