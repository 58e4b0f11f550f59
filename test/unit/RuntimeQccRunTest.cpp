//===- RuntimeQccRunTest.cpp - the qcc-run tool and the C example --------===//
//
// Runs the built qcc-run and qcc-runtime-example binaries on the fake "add"
// model with files written here, and checks exit status and output.

#include "TensorFile.h"

#include "qcc/runtime.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <sys/wait.h>

using namespace qcc::run;

namespace {

struct Result {
  int exitCode;
  std::string output;
};

Result runCommand(const std::string &command) {
  Result r{-1, ""};
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return r;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe))
    r.output.append(buffer, n);
  int status = pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string writeF32(const std::string &name, std::vector<float> values) {
  HostTensor t;
  t.elementType = QCC_ELEMENT_F32;
  t.shape = {2, 3};
  t.data.resize(values.size() * 4);
  std::memcpy(t.data.data(), values.data(), t.data.size());
  std::string path = ::testing::TempDir() + "/" + name;
  EXPECT_EQ(writeNpy(path, t), "");
  return path;
}

class RuntimeQccRun : public ::testing::Test {
protected:
  void SetUp() override {
    a = writeF32("qccrun_a.npy", {1, 2, 3, 4, 5, 6});
    b = writeF32("qccrun_b.npy", {10, 20, 30, 40, 50, 60});
    good = writeF32("qccrun_good.npy", {11, 22, 33, 44, 55, 66});
    bad = writeF32("qccrun_bad.npy", {11, 22, 33, 44, 55, 67});
  }
  std::string run(const std::string &args) {
    last =
        runCommand(std::string(QCC_RUN_PATH) + " " + QCC_FAKE_ADD + " " + args);
    return last.output;
  }
  std::string a, b, good, bad;
  Result last;
};

TEST_F(RuntimeQccRun, PassesAndFails) {
  run("--input " + a + " --input b=" + b + " --expected " + good);
  EXPECT_EQ(last.exitCode, 0) << last.output;
  EXPECT_NE(last.output.find("output 0 'sum': max abs error 0"),
            std::string::npos)
      << last.output;
  EXPECT_NE(last.output.find("PASS"), std::string::npos);

  run("--input " + a + " --input " + b + " --expected sum=" + bad);
  EXPECT_EQ(last.exitCode, 1) << last.output;
  EXPECT_NE(last.output.find("FAIL (1 of 6 elements differ; first at flat "
                             "index 5: got 66, expected 67)"),
            std::string::npos)
      << last.output;

  run("--input " + a + " --input " + b + " --expected " + bad + " --atol 1.5");
  EXPECT_EQ(last.exitCode, 0) << last.output;
}

TEST_F(RuntimeQccRun, Errors) {
  run("--input " + a);
  EXPECT_EQ(last.exitCode, 1);
  EXPECT_NE(last.output.find("missing input 1 (b: f32 [2,3])"),
            std::string::npos)
      << last.output;
  run("--input c=" + a);
  EXPECT_NE(last.output.find("model has no input named 'c'"), std::string::npos)
      << last.output;
  run("--input " + a + " --input " + b + " --device cuda");
  EXPECT_EQ(last.exitCode, 1);
  EXPECT_NE(last.output.find("[UNAVAILABLE]"), std::string::npos)
      << last.output;
  run("--bogus");
  EXPECT_NE(last.output.find("unknown option '--bogus'"), std::string::npos);
  last = runCommand(std::string(QCC_RUN_PATH) + " /nonexistent.so");
  EXPECT_EQ(last.exitCode, 1);
  EXPECT_NE(last.output.find("no such file [NOT_FOUND]"), std::string::npos)
      << last.output;
}

TEST_F(RuntimeQccRun, OutputsBenchAndSignature) {
  std::string dir = ::testing::TempDir() + "/qccrun_out";
  run("--input " + a + " --input " + b + " --output-dir " + dir +
      " --print --bench 5 --threads 2");
  EXPECT_EQ(last.exitCode, 0) << last.output;
  EXPECT_NE(last.output.find("sum: f32 [2,3] = 11 22 33 44 55 66"),
            std::string::npos)
      << last.output;
  EXPECT_NE(last.output.find("bench: 5 runs, median"), std::string::npos);
  HostTensor written;
  ASSERT_EQ(readTensorFile(dir + "/sum.npy", written), "");
  EXPECT_EQ(elementAsDouble(written, 5), 66.0);

  run("--signature");
  EXPECT_NE(last.output.find("input 1 b: f32 [2,3]"), std::string::npos)
      << last.output;
  run("--zeros");
  EXPECT_EQ(last.exitCode, 0) << last.output;
  run("--help");
  EXPECT_NE(last.output.find("usage: qcc-run"), std::string::npos);
}

/// A TensorProto (dims, FLOAT, name, raw_data) as an ONNX test data set
/// stores it.
void writeTensorProto(const std::string &path, const std::string &name,
                      std::vector<float> values) {
  std::vector<uint8_t> b = {0x0A, 0x02, 2,    3,
                            0x10, 1,    0x42, uint8_t(name.size())};
  b.insert(b.end(), name.begin(), name.end());
  b.push_back(0x4A);
  b.push_back(uint8_t(values.size() * 4));
  auto *raw = reinterpret_cast<const uint8_t *>(values.data());
  b.insert(b.end(), raw, raw + values.size() * 4);
  FILE *f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
}

TEST_F(RuntimeQccRun, OnnxTestDataSet) {
  std::string dir = ::testing::TempDir() + "/qccrun_test_data_set_0";
  runCommand("mkdir -p " + dir);
  // Named tensors: given in swapped order, matched by name.
  writeTensorProto(dir + "/input_0.pb", "b", {10, 20, 30, 40, 50, 60});
  writeTensorProto(dir + "/input_1.pb", "a", {1, 2, 3, 4, 5, 6});
  writeTensorProto(dir + "/output_0.pb", "sum", {11, 22, 33, 44, 55, 66});
  run("--inputs-dir " + dir + " --expected-dir " + dir);
  EXPECT_EQ(last.exitCode, 0) << last.output;
  EXPECT_NE(last.output.find("PASS"), std::string::npos) << last.output;
  run("--inputs-dir /nonexistent");
  EXPECT_EQ(last.exitCode, 1);
  EXPECT_NE(last.output.find("no input_0.pb or input_0.npy"), std::string::npos)
      << last.output;
}

TEST(RuntimeExample, DocumentationExampleRuns) {
  Result r =
      runCommand(std::string(QCC_RUNTIME_EXAMPLE_PATH) + " " + QCC_FAKE_ADD);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(r.output, "add: sum[0] = 11\n");
  r = runCommand(std::string(QCC_RUNTIME_EXAMPLE_PATH) + " /nonexistent.so");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.output.find("no such file"), std::string::npos);
}

} // namespace
