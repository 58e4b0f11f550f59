// Every ```mlir example in docs/dialect.md parses, verifies (or fails with
// the error its expected-error comment names) and prints.
// RUN: %python %S/Inputs/extract-mlir-examples.py %qcc_src_root/docs/dialect.md > %t.mlir
// RUN: qcc-opt --split-input-file --verify-diagnostics %t.mlir | FileCheck %s
// CHECK: lowbit.
