# Every in-scope ONNX backend node test (libonnx-testdata) imports.
# RUN: %python %S/Inputs/node_tests.py %qcc_tools_dir/qcc | FileCheck %s
# CHECK: imported [[N:[0-9]+]] of [[N]] in-scope node tests
