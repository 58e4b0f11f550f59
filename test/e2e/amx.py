# End to end on AMX: bf16-gemm (MatMulNBits accuracy_level 3, 16+ rows)
# compiled for sapphirerapids runs its tdpbf16ps tiles (passes/AmxTiles.cpp)
# against the same bf16 references as the AVX-512 BF16 form: activation
# groups of 16 rows with and without a partial last group, odd and even
# numbers of groups and of 16-row weight tiles, 2-, 4- and 8-bit codes, and
# more activation rows than weight rows (all weights decoded first).
# On a machine without AMX: QCC_E2E_PREPARE=1 compiles the cases and
# Inputs/run_prepared.py runs them where AMX is (docs/cpu-target.md).
# REQUIRES: amx
# RUN: rm -rf %t && %python %s %t %qcc_tools_dir | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: e2e: [[N:[0-9]+]] passed, 0 failed
import os
import sys

import numpy as np

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "Import", "ONNX", "Inputs"))
sys.path.insert(0, os.path.join(here, "Inputs"))
from e2e_runner import Runner  # noqa: E402
from nbits_case import make_nbits_case  # noqa: E402

runner = Runner(sys.argv[1], sys.argv[2])
nbits_case = make_nbits_case(runner.run, np.random.default_rng(11))
amx = ("--cpu=sapphirerapids",)

# bits, block, K, N, zero points, activation shape
for bits, block, k, n, zp, batch in [
        (4, 128, 256, 32, True, (2, 16)),   # 2 groups x 2 weight tiles
        (4, 32, 512, 48, False, (17,)),     # a partial group of 1; 3 tiles
        (8, 64, 256, 16, True, (3, 16)),    # 3 groups; 1 tile; M > N
        (2, 64, 256, 64, False, (40,)),     # 3 groups, the last of 8 rows
        (4, 128, 1024, 64, True, (64,)),    # 32 K steps, 4 groups
        (4, 32, 128, 16, True, (5, 20))]:   # M > N: 100 rows, 7 groups
    nbits_case(bits, block, k, n, zp, batch, accuracy_level=3, flags=amx)
runner.summary()
