"""Writes DIR/input_N.pb for an encoder layer (hidden_states float32
[2, 16, 384], attention_mask int64 [2, 16] with the second row padded after
10 tokens) and DIR/output_0.pb from ONNX Runtime.

usage: ort_reference.py MODEL.onnx DIR"""
import sys

import numpy as np
import onnxruntime as ort
from onnx import numpy_helper

model, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
x = rng.standard_normal((2, 16, 384)).astype(np.float32)
mask = np.ones((2, 16), np.int64)
mask[1, 10:] = 0
session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
(y,) = session.run(None, {"hidden_states": x, "attention_mask": mask})
for name, array in [("input_0", x), ("input_1", mask), ("output_0", y)]:
    with open(f"{out}/{name}.pb", "wb") as f:
        f.write(numpy_helper.from_array(array).SerializeToString())
