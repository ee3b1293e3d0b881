"""Writes DIR/input_N.pb with random inputs for every graph input of MODEL
(float32 N(0, 1); dynamic dims 2) and DIR/output_N.pb with ONNX Runtime's
outputs, the layout `qc-run --data` compares against.

usage: ort_data.py MODEL.onnx DIR [--seed N]"""
import argparse
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

ap = argparse.ArgumentParser()
ap.add_argument("model")
ap.add_argument("out")
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()
rng = np.random.default_rng(args.seed)
graph = onnx.load(args.model).graph
feeds = {}
for value in graph.input:
    dims = [d.dim_value if d.HasField("dim_value") else 2 for d in value.type.tensor_type.shape.dim]
    if value.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
        raise SystemExit(f"ort_data.py: input {value.name} is not float32")
    feeds[value.name] = rng.standard_normal(dims).astype(np.float32)
session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
outputs = session.run(None, feeds)
os.makedirs(args.out, exist_ok=True)
for kind, arrays in [("input", list(feeds.values())), ("output", outputs)]:
    for i, array in enumerate(arrays):
        with open(os.path.join(args.out, f"{kind}_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array).SerializeToString())
