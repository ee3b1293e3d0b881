"""Checks that the imported qc.linear weight is the transpose of the ONNX
MatMul initializer: reads the dense_resource blob from the MLIR text.

usage: check_transposed.py MODEL.onnx MODEL.mlir INITIALIZER"""
import re
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model_path, mlir_path, name = sys.argv[1:4]
b = {t.name: numpy_helper.to_array(t) for t in onnx.load(model_path).graph.initializer}[name]
text = open(mlir_path).read()
weight = re.search(r"qc\.linear %\w+, %(\w+)", text).group(1)
blob = re.search(r"%" + weight + r" = arith\.constant dense_resource<([\w.]+)>", text).group(1)
hexdata = re.search(blob + r': "0x([0-9A-F]+)"', text).group(1)
raw = bytes.fromhex(hexdata)[4:]  # the first 4 bytes are the blob's alignment
w = np.frombuffer(raw, dtype=np.float32).reshape(b.shape[1], b.shape[0])
if not np.array_equal(w, b.T):
    sys.exit(f"weight {blob} is not the transpose of {name}")
