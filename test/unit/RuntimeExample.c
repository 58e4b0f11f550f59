/* The example of docs/runtime.md: loads a model, runs it once on caller
 * buffers, prints the first output element. The tests run it on the fake
 * "add" model: ./qcc-runtime-example libadd.so */
#include <qcc/runtime.h>
#include <stdio.h>

static int check(qcc_status status) {
  if (!status) return 0;
  fprintf(stderr, "error: %s\n", qcc_status_message(status));
  qcc_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  qcc_model *model = NULL;
  qcc_session *session = NULL;
  qcc_tensor *in[2] = {NULL, NULL}, *out = NULL;
  float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {10, 20, 30, 40, 50, 60}, sum[6];
  int64_t shape[2] = {2, 3};
  int rc = argc < 2 || check(qcc_model_load(argv[1], &model)) ||
           check(qcc_session_create(model, NULL, &session)) ||
           check(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, a, sizeof a, &in[0])) ||
           check(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, b, sizeof b, &in[1])) ||
           check(qcc_tensor_wrap(QCC_ELEMENT_F32, 2, shape, sum, sizeof sum, &out)) ||
           check(qcc_session_run(session, in, 2, &out, 1));
  if (!rc) printf("%s: sum[0] = %g\n", qcc_model_name(model), sum[0]);
  qcc_tensor_free(in[0]); qcc_tensor_free(in[1]); qcc_tensor_free(out);
  qcc_session_free(session);
  qcc_model_free(model);
  return rc;
}
