"""Writes DIR/input_0.npy (data: 0, 1, 2, ... as float32 of the model's
first input's static shape) and DIR/input_1.npy (the given int64 indices,
a JSON array), and, when ONNX Runtime accepts them, DIR/output_0.npy with
its output: the layout `qc-run --data` compares against.

usage: index_data.py MODEL.onnx DIR INDICES_JSON"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort

ort.set_default_logger_severity(4)

model, out, indices = sys.argv[1], sys.argv[2], np.array(json.loads(sys.argv[3]), np.int64)
graph = onnx.load(model).graph
shape = [d.dim_value for d in graph.input[0].type.tensor_type.shape.dim]
data = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "input_0.npy"), data)
np.save(os.path.join(out, "input_1.npy"), indices)
session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
try:
    result = session.run(None, {graph.input[0].name: data, graph.input[1].name: indices})[0]
except Exception:  # out of range: ONNX Runtime refuses it too; nothing to compare
    sys.exit(0)
np.save(os.path.join(out, "output_0.npy"), result)
