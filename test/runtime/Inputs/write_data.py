"""Test data for qc-run.test in DIR: data/ (.pb), npy/ (.npy), wrong/ (the
reference off by 1%), badshape/ (y of 4 elements), badfile/ (garbage)."""
import os
import sys

import numpy as np
from onnx import numpy_helper

d = sys.argv[1]
x = np.arange(6, dtype=np.float32).reshape(2, 3) + 1
y = np.array([0.5, -2, 3], dtype=np.float32)
z = x * y


def pb(path, a):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(a).SerializeToString())


for sub in ["data", "npy", "wrong", "badshape", "badfile"]:
    os.makedirs(os.path.join(d, sub), exist_ok=True)
pb(f"{d}/data/input_0.pb", x)
pb(f"{d}/data/input_1.pb", y)
pb(f"{d}/data/output_0.pb", z)
np.save(f"{d}/npy/input_0.npy", x)
np.save(f"{d}/npy/input_1.npy", y)
np.save(f"{d}/npy/output_0.npy", z)
pb(f"{d}/wrong/input_0.pb", x)
pb(f"{d}/wrong/input_1.pb", y)
pb(f"{d}/wrong/output_0.pb", z * 1.01)
pb(f"{d}/badshape/input_0.pb", x)
pb(f"{d}/badshape/input_1.pb", np.ones(4, np.float32))
with open(f"{d}/badfile/input_0.pb", "wb") as f:
    f.write(b"\xff\xff\xff garbage")
