# The qcc driver: every --emit kind, cross compilation, the exported
# interface of a library and its C header.
# RUN: rm -rf %t && %python %s %t
# RUN: qcc %t/gemv.onnx -o %t/libgemv.so --progress-after=-1 2>&1 | FileCheck %s --check-prefix=WROTE --implicit-check-not=peak:
# RUN: qcc %t/gemv.onnx -o %t/libprogress.so --header=none --progress-after=0 2>&1 | FileCheck %s --check-prefix=PROGRESS
# RUN: llvm-nm -D --defined-only %t/libgemv.so | FileCheck %s --check-prefix=EXPORTS
# RUN: FileCheck %s --check-prefix=HEADER < %t/libgemv.h
# RUN: qcc %t/gemv.onnx --emit=lowbit | FileCheck %s --check-prefix=LOWBIT
# RUN: qcc %t/gemv.onnx --emit=llvm -O3 | FileCheck %s --check-prefix=LLVM
# RUN: qcc %t/gemv.onnx --emit=obj -o %t/gemv.o && llvm-readelf -h %t/gemv.o | FileCheck %s --check-prefix=HOSTOBJ
# RUN: qcc %t/gemv.onnx --target=aarch64 --emit=obj -o %t/gemv-arm.o && llvm-readelf -h %t/gemv-arm.o | FileCheck %s --check-prefix=ARMOBJ
# RUN: qcc %t/gemv.onnx --target=aarch64 --cpu=neoverse-v1 --emit=asm | FileCheck %s --check-prefix=ARMASM
# RUN: qcc %t/gemv.onnx --target=aarch64 -o %t/libgemv-arm.so --header=none && llvm-readelf -h %t/libgemv-arm.so | FileCheck %s --check-prefix=ARMSO
# RUN: qcc %t/gemv.onnx --target=x86_64 --cpu=x86-64-v2 --emit=asm -O0 | FileCheck %s --check-prefix=X86ASM
# MatMulNBits with f32 activations runs the vector kernel (AVX2: 8-float FMAs).
# RUN: qcc %t/gemv128.onnx --emit=llvm --target=x86_64 --cpu=haswell | FileCheck %s --check-prefix=VECTOR
# The descriptor's target names the CPU and the kernel features the code may
# use; the runtime refuses a library for features the CPU lacks (AMX here,
# where the machine has none) instead of dying of SIGILL in a run.
# RUN: qcc %t/gemv.onnx --emit=llvm --cpu=sapphirerapids | FileCheck %s --check-prefix=FEATURES
# RUN: qcc %t/gemv.onnx -o %t/libgemv-spr.so --header=none --cpu=sapphirerapids
# RUN: %if amx %{ %qcc_tools_dir/qcc-run %t/libgemv-spr.so --signature %} %else %{ not %qcc_tools_dir/qcc-run %t/libgemv-spr.so --signature 2>&1 | FileCheck %s --check-prefix=REFUSED %}
# Compiling twice gives the same bytes.
# RUN: mkdir -p %t/again && qcc %t/gemv.onnx -o %t/again/libgemv.so --header=none && cmp %t/libgemv.so %t/again/libgemv.so
# RUN: not qcc %t/gemv.onnx -O5 2>&1 | FileCheck %s --check-prefix=BADOPT
# RUN: not qcc %t/gemv.onnx --target=nosuch64 --emit=obj -o %t/x.o 2>&1 | FileCheck %s --check-prefix=BADTARGET
# RUN: not qcc %t/int4_io.onnx -o %t/x.so 2>&1 | FileCheck %s --check-prefix=INT4IO
# Weights of 4 KiB and more reach the library through a separate object
# written from the blobs: hidden, in read-only data, not exported; also for
# AArch64. Twice the same bytes as well.
# RUN: qcc %t/big.onnx -o %t/libbig.so --header=none && llvm-readelf -s %t/libbig.so | FileCheck %s --check-prefix=WEIGHTS
# RUN: llvm-nm -D --defined-only %t/libbig.so | FileCheck %s --check-prefix=EXPORTS
# RUN: qcc %t/big.onnx -o %t/again/libbig.so --header=none && cmp %t/libbig.so %t/again/libbig.so
# RUN: qcc %t/big.onnx --target=aarch64 -o %t/libbig-arm.so --header=none && llvm-readelf -s %t/libbig-arm.so | FileCheck %s --check-prefix=WEIGHTS
# Past 1.5 GiB of weights (a 7B-parameter model) x86-64 code cannot reach its
# constant pool across them with 32-bit offsets: the weights go to .lrodata
# (SHF_X86_64_LARGE, placed apart by the linker), reached with 64-bit
# addresses. --large-weights-from takes that path on a small model: the
# same outputs.
# RUN: mkdir -p %t/large && qcc %t/big.onnx -o %t/large/libbig.so --header=none --large-weights-from=4096 && llvm-readelf -S %t/large/libbig.so | FileCheck %s --check-prefix=LARGE
# RUN: %qcc_tools_dir/qcc-run %t/libbig.so --input %t/big_a.npy --print > %t/small.txt && %qcc_tools_dir/qcc-run %t/large/libbig.so --input %t/big_a.npy --print > %t/large.txt && cmp %t/small.txt %t/large.txt
# RUN: llvm-readelf -S %t/libbig.so | FileCheck %s --check-prefix=SMALL
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Import", "ONNX", "Inputs"))
from onnx_builder import *

# WROTE: qcc: wrote {{.*}}libgemv.so in {{[0-9.]+}} s (peak memory {{[0-9.]+}} {{MB|GB}})
# --progress-after=-1: never a phase line; 0: every phase as it starts
# (the default, 5 s, would make the first check depend on the machine's speed).
# PROGRESS: qcc: {{[0-9.]+}} s, {{[0-9.]+}} {{MB|GB}} peak: importing {{.*}}gemv.onnx ({{[0-9.]+}} {{MB|GB}})
# PROGRESS-NEXT: peak: graph passes: fusing dequantization, choosing kernels, packing weights
# PROGRESS-NEXT: peak: lowering to the LLVM dialect
# PROGRESS-NEXT: peak: writing the weights object
# PROGRESS-NEXT: peak: translating to LLVM IR and optimizing
# PROGRESS-NEXT: peak: generating machine code
# PROGRESS-NEXT: peak: linking {{.*}}libprogress.so
# PROGRESS-NEXT: qcc: wrote {{.*}}libprogress.so in
# Only the descriptor is exported.
# EXPORTS: qcc_model_descriptor_v1
# EXPORTS-NOT: main_graph
# HEADER: #define TEST_NUM_INPUTS 1
# HEADER: #define TEST_INPUT_0_NAME "A"
# HEADER: #define TEST_INPUT_0_ELEMENT_TYPE 800u
# HEADER: #define TEST_OUTPUT_0_ELEMENT_COUNT 16
# HEADER: static inline int32_t test_run(void *const *buffers)
# LOWBIT: lowbit.matmul
# LLVM: @qcc_model_descriptor_v1 = {{.*}}constant
# HOSTOBJ: Machine: Advanced Micro Devices X86-64
# ARMOBJ: Machine: AArch64
# ARMASM: ret
# ARMSO: Type: DYN
# ARMSO: Machine: AArch64
# X86ASM: main_graph
# FEATURES: c"x86_64-{{[a-z]+}}-linux-gnu cpu=sapphirerapids +avx2,+fma,+avx512f,{{.*}},+amx-tile,+amx-int8,+amx-bf16
# REFUSED: qcc-run: {{.*}}libgemv-spr.so': compiled for CPU features this CPU lacks ({{.*}}amx-tile, amx-int8, amx-bf16{{.*}}): recompile with qcc for this machine (no --cpu) or a --cpu it has
# BADOPT: qcc: -O5 is not an optimization level (0-3)
# BADTARGET: qcc: unknown target 'nosuch64'
# INT4IO: qcc: input 'x' has element type i4, which compiled libraries cannot take at their boundary yet
k, n = 64, 16
save(single("MatMulNBits", [("A", FLOAT, [1, k])], [("Y", FLOAT, [1, n])],
            {"K": k, "N": n, "bits": 4, "block_size": 32},
            initializers=[raw_tensor("B", UINT8, [n, 2, 16], [0x21] * (n * 32)),
                          tensor("scales", np.ones(n * 2, np.float32))],
            domain="com.microsoft", extra_opsets=[("com.microsoft", 1)]), "gemv.onnx")
# VECTOR: call <8 x float> @llvm.fmuladd.v8f32
# Temporaries come from the runtime's heap (kept between runs), not libc's.
# VECTOR-NOT: @malloc(
# VECTOR-DAG: declare {{.*}}ptr @qcc_runtime_alloc(i64
# VECTOR-DAG: declare void @qcc_runtime_free(ptr
k2, n2 = 256, 8
save(single("MatMulNBits", [("A", FLOAT, [1, k2])], [("Y", FLOAT, [1, n2])],
            {"K": k2, "N": n2, "bits": 4, "block_size": 128},
            initializers=[raw_tensor("B", UINT8, [n2, 2, 64], [0x21] * (n2 * 128)),
                          tensor("scales", np.ones(n2 * 2, np.float32))],
            domain="com.microsoft", extra_opsets=[("com.microsoft", 1)]), "gemv128.onnx")
save(single("Identity", [("x", INT4, [4])], [("y", INT4, [4])]), "int4_io.onnx")
# WEIGHTS: 16384 OBJECT LOCAL HIDDEN {{.*}} __constant_16384xi8
# LARGE: .lrodata PROGBITS {{.*}} Al
# SMALL-NOT: .lrodata
k3, n3 = 512, 64
save(single("MatMulNBits", [("A", FLOAT, [1, k3])], [("Y", FLOAT, [1, n3])],
            {"K": k3, "N": n3, "bits": 4, "block_size": 128},
            initializers=[raw_tensor("B", UINT8, [n3, 4, 64], [0x21] * (n3 * 256)),
                          tensor("scales", np.ones(n3 * 4, np.float32))],
            domain="com.microsoft", extra_opsets=[("com.microsoft", 1)]), "big.onnx")
np.save(os.path.join(out_dir(), "big_a.npy"), np.linspace(-1, 1, k3, dtype=np.float32).reshape(1, k3))
