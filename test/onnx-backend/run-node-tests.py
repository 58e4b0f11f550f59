# Every in-scope ONNX backend node test (libonnx-testdata) compiles to a
# shared library, runs through the runtime and matches its expected outputs
# (ONNX's backend tolerances rtol 1e-3, atol 1e-7; integers exact).
# RUN: %python %S/Inputs/node_tests.py %qcc_tools_dir/qcc --run %qcc_tools_dir/qcc-run | FileCheck %s
# CHECK-NOT: FAILED
# CHECK: passed [[N:[0-9]+]] of [[N]] in-scope node tests end to end
