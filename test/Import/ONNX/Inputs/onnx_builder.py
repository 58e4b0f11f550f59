"""Small ONNX models for the importer's lit tests, built with python3-onnx.

Each lit test is a Python file that calls these helpers to write models
into the folder given as argv[1], then runs qcc on them (RUN lines).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT
FLOAT16 = TensorProto.FLOAT16
DOUBLE = TensorProto.DOUBLE
INT8 = TensorProto.INT8
UINT8 = TensorProto.UINT8
INT16 = TensorProto.INT16
UINT16 = TensorProto.UINT16
INT32 = TensorProto.INT32
INT64 = TensorProto.INT64
BOOL = TensorProto.BOOL
# Types newer than python3-onnx 1.12 knows by name; the file format is an
# int32, so the numbers work (see TOOLCHAIN.md).
FLOAT8E4M3FN = 17
FLOAT8E4M3FNUZ = 18
FLOAT8E5M2 = 19
FLOAT8E5M2FNUZ = 20
UINT4 = 21
INT4 = 22
FLOAT4E2M1 = 23


def out_dir():
    path = sys.argv[1]
    os.makedirs(path, exist_ok=True)
    return path


def value_info(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def tensor(name, array, elem_type=None):
    """An initializer from a numpy array (raw_data)."""
    t = numpy_helper.from_array(np.asarray(array), name)
    if elem_type is not None:
        t.data_type = elem_type
    return t


def raw_tensor(name, elem_type, dims, raw_bytes):
    """An initializer of any type (INT4, FLOAT8...) from raw bytes."""
    t = TensorProto()
    t.name = name
    t.data_type = elem_type
    t.dims.extend(dims)
    t.raw_data = bytes(raw_bytes)
    return t


def model(nodes, inputs, outputs, initializers=(), opset=21,
          extra_opsets=(), name="test"):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset)]
    opsets += [helper.make_opsetid(d, v) for d, v in extra_opsets]
    m = helper.make_model(graph, opset_imports=opsets)
    m.ir_version = 8
    return m


def single(op_type, inputs, outputs, attrs=None, initializers=(), opset=21,
           domain="", extra_opsets=(), node_inputs=None, node_outputs=None):
    """One-node model. inputs/outputs are (name, type, shape) triples;
    initializers are TensorProtos whose names the node also reads."""
    node = helper.make_node(
        op_type,
        node_inputs if node_inputs is not None else
        [i[0] for i in inputs] + [t.name for t in initializers],
        node_outputs if node_outputs is not None else [o[0] for o in outputs],
        name=op_type.lower(), domain=domain, **(attrs or {}))
    return model([node], [value_info(*i) for i in inputs],
                 [value_info(*o) for o in outputs], initializers, opset,
                 extra_opsets)


def save(m, filename):
    path = os.path.join(out_dir(), filename)
    onnx.save(m, path)
    return path
