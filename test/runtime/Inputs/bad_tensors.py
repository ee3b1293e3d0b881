"""Writes hostile tensor files into DIR/<case>/input_0.{npy,pb}: dims that
are negative, not numbers, overflowing, huge, or of too high a rank, each
where qc-run (and calibration) read inputs."""
import os
import struct
import sys

from onnx import TensorProto, helper


def npy(path, shape_text, descr="<f4", payload=b"\0" * 64):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload)


def pb(path, dims):
    t = helper.make_tensor("x", TensorProto.FLOAT, [], [])
    del t.dims[:]
    t.dims.extend(dims)
    t.raw_data = b"\0" * 16
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


out = sys.argv[1]
cases = {
    "npy-negative": lambda p: npy(p + ".npy", "(-1, 3)"),
    "npy-junk": lambda p: npy(p + ".npy", "(abc, 3)"),
    "npy-overflow": lambda p: npy(p + ".npy", "(99999999999999999999, 3)"),
    "npy-huge": lambda p: npy(p + ".npy", "(1099511627776, 1099511627776)"),
    "npy-rank9": lambda p: npy(p + ".npy", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"),
    "npy-noshape": lambda p: npy(p + ".npy", "3"),
    "pb-negative": lambda p: pb(p + ".pb", [-2, 3]),
    "pb-huge": lambda p: pb(p + ".pb", [1 << 40, 1 << 40]),
    "pb-overflow": lambda p: pb(p + ".pb", [1 << 62, 1 << 62]),
    "pb-large": lambda p: pb(p + ".pb", [1 << 30, 3]),
}
for name, write in cases.items():
    os.makedirs(os.path.join(out, name), exist_ok=True)
    write(os.path.join(out, name, "input_0"))
