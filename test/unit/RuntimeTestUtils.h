//===- RuntimeTestUtils.h - helpers shared by the runtime's gtests -------===//

#ifndef QCC_TEST_UNIT_RUNTIMETESTUTILS_H
#define QCC_TEST_UNIT_RUNTIMETESTUTILS_H

#include "qcc/runtime.h"

#include "gtest/gtest.h"

#include <string>

namespace qcc_test {

struct TakenStatus {
  qcc_status_code_t code;
  std::string message;
};

/// Reads and frees a status.
inline TakenStatus take(qcc_status status) {
  TakenStatus taken{qcc_status_code(status), qcc_status_message(status)};
  qcc_status_free(status);
  return taken;
}

} // namespace qcc_test

/// Expects `expr` to fail with `code` and a message containing `substring`.
#define EXPECT_STATUS(expr, expectedCode, substring)                           \
  do {                                                                         \
    qcc_test::TakenStatus taken_ = qcc_test::take(expr);                       \
    EXPECT_EQ(qcc_status_code_name(taken_.code),                               \
              std::string(qcc_status_code_name(expectedCode)))                 \
        << taken_.message;                                                     \
    EXPECT_NE(taken_.message.find(substring), std::string::npos)               \
        << "message: " << taken_.message;                                      \
  } while (0)

#define ASSERT_QCC_OK(expr)                                                    \
  do {                                                                         \
    qcc_test::TakenStatus taken_ = qcc_test::take(expr);                       \
    ASSERT_EQ(taken_.code, QCC_STATUS_OK) << taken_.message;                   \
  } while (0)

#endif // QCC_TEST_UNIT_RUNTIMETESTUTILS_H
