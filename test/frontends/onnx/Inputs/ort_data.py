"""Writes DIR/input_N.pb with random inputs for every graph input of MODEL
(float32 N(0, 1); int64 uniform in [0, --int-high), or ones for an input
named *mask*; dynamic dims --dim) and DIR/output_N.pb with ONNX Runtime's
outputs, the layout `qc-run --data` compares against.

usage: ort_data.py MODEL.onnx DIR [--seed N] [--dim 2] [--int-high 100]"""
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
ap.add_argument("--dim", type=int, default=2)
ap.add_argument("--int-high", type=int, default=100)
args = ap.parse_args()
rng = np.random.default_rng(args.seed)
graph = onnx.load(args.model).graph
feeds = {}
for value in graph.input:
    dims = [d.dim_value if d.HasField("dim_value") else args.dim
            for d in value.type.tensor_type.shape.dim]
    elem = value.type.tensor_type.elem_type
    if elem == onnx.TensorProto.FLOAT:
        feeds[value.name] = rng.standard_normal(dims).astype(np.float32)
    elif elem == onnx.TensorProto.INT64 and "mask" in value.name:
        feeds[value.name] = np.ones(dims, np.int64)
    elif elem == onnx.TensorProto.INT64:
        feeds[value.name] = rng.integers(0, args.int_high, dims).astype(np.int64)
    else:
        raise SystemExit(f"ort_data.py: input {value.name} is neither float32 nor int64")
session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
outputs = session.run(None, feeds)
os.makedirs(args.out, exist_ok=True)
for kind, arrays in [("input", list(feeds.values())), ("output", outputs)]:
    for i, array in enumerate(arrays):
        with open(os.path.join(args.out, f"{kind}_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array).SerializeToString())
