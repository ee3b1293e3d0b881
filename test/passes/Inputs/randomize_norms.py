"""Gives every norm scale and bias of MODEL.onnx random values (scales
around 1 with a few channels 10x, biases around 0), so that folding them
into the next layers is not an identity.

usage: randomize_norms.py IN.onnx OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
rng = np.random.default_rng(3)
for i, init in enumerate(model.graph.initializer):
    name = init.name
    if not any(key in name for key in ("ln_", "layernorm", "LayerNorm", "norm.weight")):
        continue
    value = numpy_helper.to_array(init)
    if value.ndim != 1:
        continue
    if name.endswith("bias"):
        new = rng.normal(0, 0.1, value.shape)
    else:
        new = rng.normal(1, 0.2, value.shape)
        new[rng.choice(value.size, max(1, value.size // 16), replace=False)] *= 10
    model.graph.initializer[i].CopyFrom(numpy_helper.from_array(new.astype(np.float32), name))
onnx.save(model, sys.argv[2])
