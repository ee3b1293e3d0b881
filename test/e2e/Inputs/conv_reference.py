"""Writes DIR/conv.onnx (two Convs with a dynamic batch: 3x3 padded,
strided and dilated with a bias, then 1x1 without, with a ReLU between) and
DIR/data/{input_0,output_0}.pb at batch 2 from ONNX Runtime.

usage: conv_reference.py DIR"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(3)
inits = [numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w1"),
         numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "b1"),
         numpy_helper.from_array(rng.standard_normal((20, 8, 1, 1)).astype(np.float32), "w2")]
nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["h"], pads=[1, 1, 1, 1], strides=[2, 1],
                          dilations=[1, 2]),
         helper.make_node("Relu", ["h"], ["r"]),
         helper.make_node("Conv", ["r", "w2"], ["y"])]
graph = helper.make_graph(nodes, "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                        ["N", 3, 15, 13])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
onnx.save_model(model, f"{out}/conv.onnx")
x = rng.standard_normal((2, 3, 15, 13)).astype(np.float32)
(y,) = ort.InferenceSession(f"{out}/conv.onnx", providers=["CPUExecutionProvider"]).run(None, {"x": x})
os.makedirs(f"{out}/data", exist_ok=True)
for name, array in [("input_0", x), ("output_0", y)]:
    with open(f"{out}/data/{name}.pb", "wb") as f:
        f.write(numpy_helper.from_array(array).SerializeToString())
