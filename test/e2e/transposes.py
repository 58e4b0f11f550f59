# End to end: Transpose, which qcc-tile-copies lowers three ways: 32-bit
# elements whose two contiguous axes are multiples of 8 as 8 x 8 register
# blocks (vector loads, shuffles, vector stores), other shapes and element
# types as cache tiles, and copies along the same axis as vector runs.
# Bit copies, so compared exactly.
# RUN: rm -rf %t && %python %s %t %qcc_tools_dir | FileCheck %s
# CHECK-NOT: FAIL
# CHECK: e2e: 6 passed, 0 failed
import os
import sys

import numpy as np

here = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(here, "..", "Import", "ONNX", "Inputs"))
sys.path.insert(0, os.path.join(here, "Inputs"))
from onnx_builder import *  # noqa: E402
from e2e_runner import Runner  # noqa: E402

runner = Runner(sys.argv[1], sys.argv[2])
rng = np.random.default_rng(29)


def case(name, shape, perm, elem, dtype):
    x = (rng.standard_normal(shape) * 100).astype(dtype)
    y = np.transpose(x, perm)
    runner.run(name, single("Transpose", [("x", elem, list(shape))], [("y", elem, list(y.shape))],
                            {"perm": list(perm)}),
               {"x": x}, {"y": y}, rtol=0, atol=0)


case("nhwc_to_nchw_f32_blocks", (1, 8, 16, 24), (0, 3, 1, 2), FLOAT, np.float32)
case("matrix_i32_blocks", (2, 16, 40), (0, 2, 1), INT32, np.int32)
case("nchw_to_nhwc_f32_blocks", (2, 32, 8, 16), (0, 2, 3, 1), FLOAT, np.float32)
case("odd_f32_tiles", (3, 10, 12), (0, 2, 1), FLOAT, np.float32)
case("nchw_to_nhwc_i8_tiles", (1, 64, 9, 10), (0, 2, 3, 1), INT8, np.int8)
case("middle_axes_f32", (4, 8, 8, 5), (0, 2, 1, 3), FLOAT, np.float32)

runner.summary()
