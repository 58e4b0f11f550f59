"""MatMulInteger end-to-end cases (quantized.py and amx.py): random 8-bit
codes and zero points, the exact int64 reference."""
import numpy as np

from onnx_builder import INT8, INT32, UINT8, single, tensor


def make_integer_matmul_case(run, rng):
    """integer_matmul_case(name, a_shape, n, a_type, b_type, a_zp, b_zp,
    flags) running through `run` with `rng`."""

    def integer_matmul_case(name, a_shape, n, a_type, b_type, a_zp, b_zp, flags=()):
        k = a_shape[-1]
        lo = {UINT8: 0, INT8: -128}
        dtype = {UINT8: np.uint8, INT8: np.int8}
        a = rng.integers(lo[a_type], lo[a_type] + 256, size=a_shape).astype(dtype[a_type])
        b = rng.integers(lo[b_type], lo[b_type] + 256, size=(k, n)).astype(dtype[b_type])
        rows = a_shape[-2] if len(a_shape) > 1 else 1
        az = {"none": None, "tensor": rng.integers(lo[a_type], lo[a_type] + 256, size=()),
              "row": rng.integers(lo[a_type], lo[a_type] + 256, size=(rows,))}[a_zp]
        bz = {"none": None, "tensor": rng.integers(lo[b_type], lo[b_type] + 256, size=()),
              "col": rng.integers(lo[b_type], lo[b_type] + 256, size=(n,))}[b_zp]
        a64 = a.astype(np.int64) - (0 if az is None else (az[:, None] if a_zp == "row" else az))
        b64 = b.astype(np.int64) - (0 if bz is None else bz)
        ref = a64 @ b64
        inputs, inits = ["a", "b"], [tensor("b", b)]
        inputs.append("az" if az is not None else "")
        if az is not None:
            inits.append(tensor("az", np.array(az, dtype[a_type])))
        if bz is not None:
            inputs.append("bz")
            inits.append(tensor("bz", np.array(bz, dtype[b_type])))
        while inputs[-1] == "":
            inputs.pop()
        m = single("MatMulInteger", [("a", a_type, list(a_shape))], [("y", INT32, list(ref.shape))],
                   node_inputs=inputs, initializers=inits)
        run(name, m, {"a": a}, {"y": ref.astype(np.int32)}, flags=flags)

    return integer_matmul_case
