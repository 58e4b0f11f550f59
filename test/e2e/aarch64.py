# End to end on AArch64: the quantized suite's lut (NEON tbl lookup pairs for
# W1/W2, table lookups lane by lane for W4), ternary, binary, integer (exact
# widening byte products) and dynamic-quantization cases compiled with
# --target=aarch64 --cpu=neoverse-n1 and run under qemu-user by a cross-built
# runtime and qcc-run, against the same references as on x86.
# REQUIRES: aarch64-qemu
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/Inputs/aarch64_tools.py %t/tools %qcc_tools_dir %qcc_src_root %clangxx
# RUN: env QCC_E2E_FILTER=_lut,ternary,binary_,dynamic_quant,dynamicquantizelinear,convinteger_depthwise,qlinearconv_depthwise %python %S/quantized.py %t/out %t/tools | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: e2e: [[N:[0-9]+]] passed, 0 failed
