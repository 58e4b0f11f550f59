# Initializer encodings: typed fields, raw_data, and external data resolved
# inside the model's folder, checked against the bytes really there.
# RUN: rm -rf %t && %python %s %t
# RUN: qcc %t/typed.onnx --emit=mlir | FileCheck %s --check-prefix=TYPED
# RUN: qcc %t/external.onnx --emit=mlir --print-large-constants | FileCheck %s --check-prefix=EXTERNAL
# RUN: not qcc %t/absolute.onnx 2>&1 | FileCheck %s --check-prefix=ABSOLUTE
# RUN: not qcc %t/dotdot.onnx 2>&1 | FileCheck %s --check-prefix=DOTDOT
# RUN: not qcc %t/symlink.onnx 2>&1 | FileCheck %s --check-prefix=SYMLINK
# RUN: not qcc %t/short.onnx 2>&1 | FileCheck %s --check-prefix=SHORT
# RUN: not qcc %t/past_end.onnx 2>&1 | FileCheck %s --check-prefix=PASTEND
# RUN: not qcc %t/absent.onnx 2>&1 | FileCheck %s --check-prefix=ABSENT
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

d = out_dir()
x = [("x", FLOAT, [2, 2])]
y = [("y", FLOAT, [2, 2])]

# Typed fields: float_data, int64_data, int32_data for small ints and bools.
# TYPED-DAG: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
# TYPED-DAG: arith.constant dense<[7, -8]> : tensor<2xi64>
# TYPED-DAG: arith.constant dense<[true, false]> : tensor<2xi1>
nodes = [helper.make_node("Add", ["x", "w"], ["y"]), helper.make_node("Identity", ["i"], ["yi"]),
         helper.make_node("Identity", ["bo"], ["yb"])]
inits = [helper.make_tensor("w", FLOAT, [2, 2], [1, 2, 3, 4]), helper.make_tensor("i", INT64, [2], [7, -8]),
         helper.make_tensor("bo", BOOL, [2], [True, False])]
save(model(nodes, [value_info(*x[0])], [value_info(*y[0]), value_info("yi", INT64, [2]), value_info("yb", BOOL, [2])],
           inits), "typed.onnx")


def external(name, location, offset=None, length=None, dims=(2, 2)):
    t = TensorProto()
    t.name = "w"
    t.data_type = FLOAT
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    entries = [("location", location)]
    if offset is not None:
        entries.append(("offset", str(offset)))
    if length is not None:
        entries.append(("length", str(length)))
    for k, v in entries:
        e = t.external_data.add()
        e.key, e.value = k, v
    save(single("Add", x, y, initializers=[t]), name)


os.makedirs(os.path.join(d, "weights"), exist_ok=True)
with open(os.path.join(d, "weights", "w.bin"), "wb") as f:
    f.write(b"\0" * 16 + np.array([1, 2, 3, 4], np.float32).tobytes())

# EXTERNAL: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
external("external.onnx", "weights/w.bin", offset=16, length=16)
# ABSOLUTE: absolute.onnx: initializer tensor 'w': external data location '/etc/passwd' is absolute; it must be relative to the model's folder
external("absolute.onnx", "/etc/passwd")
# DOTDOT: dotdot.onnx: initializer tensor 'w': external data location '../outside.bin' escapes the model's folder
external("dotdot.onnx", "../outside.bin")
# SYMLINK: symlink.onnx: initializer tensor 'w': external data location 'link.bin' resolves (through a symlink) outside the model's folder
outside = os.path.join(os.path.dirname(d), os.path.basename(d) + "-outside.bin")
open(outside, "wb").write(b"\0" * 16)
if os.path.lexists(os.path.join(d, "link.bin")):
    os.remove(os.path.join(d, "link.bin"))
os.symlink(outside, os.path.join(d, "link.bin"))
external("symlink.onnx", "link.bin")
# SHORT: short.onnx: initializer tensor 'w': external data holds 8 bytes but FLOAT data of this shape needs 16
external("short.onnx", "weights/w.bin", offset=0, length=8)
# PASTEND: past_end.onnx: initializer tensor 'w': external data range [24, 40) lies past the end of 'weights/w.bin' (32 bytes)
external("past_end.onnx", "weights/w.bin", offset=24, length=16)
# ABSENT: absent.onnx: initializer tensor 'w': external data file 'weights/none.bin' cannot be opened: No such file or directory
external("absent.onnx", "weights/none.bin")
