# Every class of malformed model gets `FILE: [node 'NAME' (Op): ]reason` and
# exit status 1, never a crash.
# RUN: %python %s %t
# RUN: not qcc %t/truncated.onnx 2>&1 | FileCheck %s --check-prefix=TRUNC
# RUN: not qcc %t/not_onnx.onnx 2>&1 | FileCheck %s --check-prefix=TRUNC
# RUN: not qcc %t/missing.onnx 2>&1 | FileCheck %s --check-prefix=MISSING
# RUN: not qcc %t/dangling.onnx 2>&1 | FileCheck %s --check-prefix=DANGLING
# RUN: not qcc %t/cycle.onnx 2>&1 | FileCheck %s --check-prefix=CYCLE
# RUN: not qcc %t/count.onnx 2>&1 | FileCheck %s --check-prefix=COUNT
# RUN: not qcc %t/raw_size.onnx 2>&1 | FileCheck %s --check-prefix=RAWSIZE
# RUN: not qcc %t/unsupported.onnx 2>&1 | FileCheck %s --check-prefix=UNSUP
# RUN: not qcc %t/opset.onnx 2>&1 | FileCheck %s --check-prefix=OPSET
# RUN: not qcc %t/no_opset.onnx 2>&1 | FileCheck %s --check-prefix=NOOPSET
# RUN: not qcc %t/duplicate.onnx 2>&1 | FileCheck %s --check-prefix=DUP
# RUN: not qcc %t/output_missing.onnx 2>&1 | FileCheck %s --check-prefix=NOOUT
# RUN: not qcc %t/string.onnx 2>&1 | FileCheck %s --check-prefix=STRING
# RUN: not qcc %t/broadcast.onnx 2>&1 | FileCheck %s --check-prefix=BCAST
# RUN: not qcc %t/symbolic.onnx 2>&1 | FileCheck %s --check-prefix=SYMBOLIC
# RUN: qcc %t/symbolic.onnx --emit=mlir --dim batch=4 | FileCheck %s --check-prefix=DIM
# RUN: qcc %t/symbolic.onnx --emit=mlir --shape x=2x3 | FileCheck %s --check-prefix=SHAPE
# RUN: not qcc %t/symbolic.onnx --shape y=2x3 2>&1 | FileCheck %s --check-prefix=BADSHAPE
# RUN: not qcc %t/symbolic.onnx --dim batch 2>&1 | FileCheck %s --check-prefix=BADDIM
# RUN: not qcc %t/does_not_exist.onnx 2>&1 | FileCheck %s --check-prefix=NOFILE
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
from onnx_builder import *
from onnx import helper

d = out_dir()
good = single("Relu", [("x", FLOAT, [4])], [("y", FLOAT, [4])])

# TRUNC: {{.*}}.onnx: not a valid ONNX model (the protobuf does not parse: truncated or not an ONNX file)
data = good.SerializeToString()
open(os.path.join(d, "truncated.onnx"), "wb").write(data[: len(data) - 7])
open(os.path.join(d, "not_onnx.onnx"), "wb").write(b"\xff\xff\xff\xff garbage")

# MISSING: missing.onnx: node 'add' (Add): input 'w' is not produced by any node, initializer or graph input
save(single("Add", [("x", FLOAT, [4])], [("y", FLOAT, [4])], node_inputs=["x", "w"]), "missing.onnx")

# DANGLING: dangling.onnx: node 'n2' (Relu): input 'nowhere' is not produced by any node, initializer or graph input
nodes = [helper.make_node("Relu", ["x"], ["a"], name="n1"), helper.make_node("Relu", ["nowhere"], ["y"], name="n2")]
save(model(nodes, [value_info("x", FLOAT, [4])], [value_info("y", FLOAT, [4])]), "dangling.onnx")

# CYCLE: cycle.onnx: node 'n1' (Add): is part of a cycle (its inputs depend on its own outputs)
nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="n1"), helper.make_node("Relu", ["a"], ["b"], name="n2"),
         helper.make_node("Relu", ["a"], ["y"], name="n3")]
save(model(nodes, [value_info("x", FLOAT, [4])], [value_info("y", FLOAT, [4])]), "cycle.onnx")

# COUNT: count.onnx: initializer tensor 'w': holds 3 values but its shape needs 4
w = TensorProto()
w.name, w.data_type = "w", FLOAT
w.dims.append(4)
w.float_data.extend([1.0, 2.0, 3.0])
save(single("Add", [("x", FLOAT, [4])], [("y", FLOAT, [4])], initializers=[w]), "count.onnx")

# RAWSIZE: raw_size.onnx: initializer tensor 'w': raw_data holds 12 bytes but FLOAT data of this shape needs 16
save(single("Add", [("x", FLOAT, [4])], [("y", FLOAT, [4])], initializers=[raw_tensor("w", FLOAT, [4], [0] * 12)]), "raw_size.onnx")

# Every unsupported node is listed in one run.
# UNSUP: unsupported.onnx: node 'a' (LpNormalization): unsupported op LpNormalization (opset 21); qcc --list-ops prints the supported ones
# UNSUP: unsupported.onnx: node 'b' (Mystery): unsupported op com.example::Mystery (opset 1)
nodes = [helper.make_node("LpNormalization", ["x"], ["t"], name="a"),
         helper.make_node("Mystery", ["t"], ["y"], name="b", domain="com.example")]
save(model(nodes, [value_info("x", FLOAT, [4])], [value_info("y", FLOAT, [4])], extra_opsets=[("com.example", 1)]), "unsupported.onnx")

# OPSET: opset.onnx: opset 99 is newer than qcc supports (up to 23)
save(single("Relu", [("x", FLOAT, [4])], [("y", FLOAT, [4])], opset=99), "opset.onnx")

# NOOPSET: no_opset.onnx: the model declares no opset for the default ONNX domain
m = single("Relu", [("x", FLOAT, [4])], [("y", FLOAT, [4])])
del m.opset_import[:]
save(m, "no_opset.onnx")

# DUP: duplicate.onnx: node 'n2' (Relu): output 'a' is already defined by another node, initializer or graph input
nodes = [helper.make_node("Relu", ["x"], ["a"], name="n1"), helper.make_node("Relu", ["x"], ["a"], name="n2")]
save(model(nodes, [value_info("x", FLOAT, [4])], [value_info("a", FLOAT, [4])]), "duplicate.onnx")

# NOOUT: output_missing.onnx: graph output 'z' is not produced by any node
save(model([helper.make_node("Relu", ["x"], ["y"])], [value_info("x", FLOAT, [4])], [value_info("z", FLOAT, [4])]), "output_missing.onnx")

# STRING: string.onnx: graph input 'x' has unsupported type STRING
save(single("Identity", [("x", TensorProto.STRING, [4])], [("y", TensorProto.STRING, [4])]), "string.onnx")

# BCAST: broadcast.onnx: node 'add' (Add): input shapes do not broadcast
save(single("Add", [("x", FLOAT, [3]), ("z", FLOAT, [4])], [("y", FLOAT, [4])]), "broadcast.onnx")

# SYMBOLIC: symbolic.onnx: graph input 'x' has symbolic dimension 'batch'; bind it with --dim batch=N or --shape x=...
# DIM: %arg0: tensor<4x3xf32>
# SHAPE: %arg0: tensor<2x3xf32>
# BADSHAPE: symbolic.onnx: --shape names 'y', which is not a graph input
# BADDIM: qcc: --dim expects NAME=VALUE, got 'batch'
save(single("Relu", [("x", FLOAT, ["batch", 3])], [("y", FLOAT, ["batch", 3])]), "symbolic.onnx")

# NOFILE: does_not_exist.onnx: cannot read the model: No such file or directory
