# End to end on AArch64: code compiled with --target=aarch64 --cpu=neoverse-n1
# runs under qemu-user through a cross-built runtime and qcc-run, against the
# same references as on x86: the quantized suite's lut (NEON tbl lookup pairs
# for W1/W2, table lookups lane by lane for W4), int8-dot (NEON sdot for codes
# of up to 4 bits), ternary, binary, integer
# (exact widening byte products) and dynamic-quantization cases, the float
# matmul/conv kernels, transposes and reductions, and every in-scope ONNX
# backend node test.
# REQUIRES: aarch64-qemu
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/Inputs/aarch64_tools.py %t/tools %qcc_tools_dir %qcc_src_root %clangxx
# RUN: env QCC_E2E_FILTER=_lut,int8-dot,ternary,binary_,dynamic_quant,dynamicquantizelinear,convinteger_depthwise,qlinearconv_depthwise %python %S/quantized.py %t/q %t/tools | FileCheck %s
# RUN: %python %S/float_matmul.py %t/f %t/tools | FileCheck %s
# RUN: %python %S/transposes.py %t/t %t/tools | FileCheck %s
# RUN: %python %S/float_reductions.py %t/r %t/tools | FileCheck %s
# RUN: %python %S/../onnx-backend/Inputs/node_tests.py %t/tools/qcc --run %t/tools/qcc-run | FileCheck %s --check-prefix=NODE
# CHECK-NOT: FAIL
# CHECK: e2e: [[N:[0-9]+]] passed, 0 failed
# NODE-NOT: FAILED
# NODE: passed [[N:[0-9]+]] of [[N]] in-scope node tests end to end
