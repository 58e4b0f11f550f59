//===- RuntimeParallelTest.cpp - thread pools and concurrent sessions ----===//

#include "RuntimeTestUtils.h"

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace {

constexpr int kN = 1000; // the parallel fake model's length

struct ParallelRun {
  std::vector<float> x = std::vector<float>(kN), y = std::vector<float>(kN);
  std::vector<int32_t> hits = std::vector<int32_t>(kN),
                       worker = std::vector<int32_t>(kN);
  int32_t errors = -1;
};

qcc_status runParallel(qcc_session *session, ParallelRun &r) {
  int64_t n[1] = {kN}, one[1] = {1};
  qcc_tensor *in = nullptr, *out[4] = {};
  qcc_status s =
      qcc_tensor_wrap(QCC_ELEMENT_F32, 1, n, r.x.data(), kN * 4, &in);
  if (!s)
    s = qcc_tensor_wrap(QCC_ELEMENT_F32, 1, n, r.y.data(), kN * 4, &out[0]);
  if (!s)
    s = qcc_tensor_wrap(QCC_ELEMENT_I32, 1, n, r.hits.data(), kN * 4, &out[1]);
  if (!s)
    s = qcc_tensor_wrap(QCC_ELEMENT_I32, 1, n, r.worker.data(), kN * 4,
                        &out[2]);
  if (!s)
    s = qcc_tensor_wrap(QCC_ELEMENT_I32, 1, one, &r.errors, 4, &out[3]);
  if (!s)
    s = qcc_session_run(session, &in, 1, out, 4);
  qcc_tensor_free(in);
  for (qcc_tensor *t : out)
    qcc_tensor_free(t);
  return s;
}

/// The parallel fake model and a session of GetParam() threads.
class RuntimeParallelFor : public ::testing::TestWithParam<int> {
protected:
  void SetUp() override {
    ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_PARALLEL, &model));
    qcc_session_options options;
    qcc_session_options_initialize(&options);
    options.num_threads = GetParam();
    ASSERT_QCC_OK(qcc_session_create(model, &options, &session));
  }
  void TearDown() override {
    qcc_session_free(session);
    qcc_model_free(model);
  }
  qcc_model *model = nullptr;
  qcc_session *session = nullptr;
};

TEST_P(RuntimeParallelFor, CoversEveryIndexOnce) {
  int threads = GetParam();
  EXPECT_EQ(qcc_session_num_threads(session), threads);
  for (int iteration = 0; iteration < 3; ++iteration) {
    ParallelRun r;
    for (int i = 0; i < kN; ++i)
      r.x[i] = float(i + iteration);
    ASSERT_QCC_OK(runParallel(session, r));
    std::set<int32_t> workers;
    for (int i = 0; i < kN; ++i) {
      ASSERT_EQ(r.hits[i], 1) << "index " << i;
      ASSERT_EQ(r.y[i], 2.0f * float(i + iteration));
      workers.insert(r.worker[i]);
    }
    EXPECT_EQ(r.errors, 0) << "nested parallel_for did not run inline";
    EXPECT_LE(int(workers.size()), threads);
    if (threads > 1)
      EXPECT_GT(workers.size(), 1u) << "the pool's workers never ran";
  }
}

// Loops posted back to back (workers still polling) and after pauses longer
// than the pool's polling (workers asleep on the condition variable): every
// index once each time, whichever way the workers learned of the loop.
TEST_P(RuntimeParallelFor, BackToBackAndAfterSleeping) {
  for (int iteration = 0; iteration < 120; ++iteration) {
    if (iteration % 30 == 29)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ParallelRun r;
    for (int i = 0; i < kN; ++i)
      r.x[i] = float(i - iteration);
    ASSERT_QCC_OK(runParallel(session, r));
    for (int i = 0; i < kN; ++i) {
      ASSERT_EQ(r.hits[i], 1) << "iteration " << iteration << ", index " << i;
      ASSERT_EQ(r.y[i], 2.0f * float(i - iteration));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, RuntimeParallelFor,
                         ::testing::Values(1, 2, 3, 4, 8));

struct Counter {
  std::atomic<int64_t> total{0};
  std::atomic<int> calls{0};
};

void countBody(void *context, int64_t begin, int64_t end) {
  auto *c = static_cast<Counter *>(context);
  c->total += end - begin;
  c->calls++;
}

TEST(RuntimeParallelForOutsideRun, RunsInline) {
  Counter c;
  qcc_runtime_parallel_for(100, countBody, &c);
  EXPECT_EQ(c.total, 100);
  EXPECT_EQ(c.calls, 1);
  qcc_runtime_parallel_for(0, countBody, &c);
  qcc_runtime_parallel_for(-5, countBody, &c);
  qcc_runtime_parallel_for(10, nullptr, &c);
  EXPECT_EQ(c.calls, 1);
}

TEST(RuntimeConcurrency, ManyThreadsSeparateSessionsOneModel) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_ADD, &model));
  constexpr int kThreads = 8, kRuns = 500;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      qcc_session_options options;
      qcc_session_options_initialize(&options);
      options.num_threads = 2;
      qcc_session *session = nullptr;
      if (qcc_status s = qcc_session_create(model, &options, &session)) {
        qcc_status_free(s);
        failures++;
        return;
      }
      int64_t shape[2] = {2, 3};
      for (int run = 0; run < kRuns; ++run) {
        float a[6], b[6], sum[6];
        for (int i = 0; i < 6; ++i) {
          a[i] = float(t * 1000 + run);
          b[i] = float(i);
        }
        qcc_tensor *in[2] = {}, *out = nullptr;
        qcc_status_free(
            qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, a, 24, &in[0]));
        qcc_status_free(
            qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, b, 24, &in[1]));
        qcc_status_free(
            qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, sum, 24, &out));
        if (qcc_status s = qcc_session_run(session, in, 2, &out, 1)) {
          qcc_status_free(s);
          failures++;
        } else {
          for (int i = 0; i < 6; ++i)
            if (sum[i] != a[i] + b[i])
              failures++;
        }
        qcc_tensor_free(in[0]);
        qcc_tensor_free(in[1]);
        qcc_tensor_free(out);
      }
      qcc_session_free(session);
    });
  }
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failures, 0);
  qcc_model_free(model);
}

TEST(RuntimeConcurrency, ParallelModelFromManyThreads) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_PARALLEL, &model));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      qcc_session_options options;
      qcc_session_options_initialize(&options);
      options.num_threads = 1 + t % 3;
      qcc_session *session = nullptr;
      if (qcc_status s = qcc_session_create(model, &options, &session)) {
        qcc_status_free(s);
        failures++;
        return;
      }
      for (int run = 0; run < 5; ++run) {
        ParallelRun r;
        for (int i = 0; i < kN; ++i)
          r.x[i] = float(i * (t + 1));
        if (qcc_status s = runParallel(session, r)) {
          qcc_status_free(s);
          failures++;
          continue;
        }
        for (int i = 0; i < kN; ++i)
          if (r.hits[i] != 1 || r.y[i] != 2.0f * r.x[i])
            failures++;
        if (r.errors != 0)
          failures++;
      }
      qcc_session_free(session);
    });
  }
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failures, 0);
  qcc_model_free(model);
}

TEST(RuntimeConcurrency, OneSessionSharedByThreadsIsSerialized) {
  qcc_model *model = nullptr;
  ASSERT_QCC_OK(qcc_model_load(QCC_FAKE_PARALLEL, &model));
  qcc_session_options options;
  qcc_session_options_initialize(&options);
  options.num_threads = 3;
  qcc_session *session = nullptr;
  ASSERT_QCC_OK(qcc_session_create(model, &options, &session));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int run = 0; run < 3; ++run) {
        ParallelRun r;
        if (qcc_status s = runParallel(session, r)) {
          qcc_status_free(s);
          failures++;
        }
        for (int i = 0; i < kN; ++i)
          if (r.hits[i] != 1)
            failures++;
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failures, 0);
  qcc_session_free(session);
  qcc_model_free(model);
}

} // namespace
