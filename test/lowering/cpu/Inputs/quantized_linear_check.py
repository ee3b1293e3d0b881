"""Runs one quantized linear layer through the packed kernels and through the
reference lowering (qc-compile --packed-gemm=false: weights dequantized in IR,
activations rounded to int8 and back in IR) and compares the two.

Both artifacts come from the same quantized IR (the calibration and the
quantizers are deterministic) and see the same input, so they must agree to
float rounding of the sums, whatever the format: the test checks the packing,
the kernels and their lowering, not the accuracy of quantization.

usage: quantized_linear_check.py BIN_DIR WORK_DIR
prints one line per configuration: "<flags>: ok" or "<flags>: FAILED ..."
       quantized_linear_check.py --write-model MODEL.onnx [--write-input DIR]
writes only the one-layer model (and its input), for other tests.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

K, N = 96, 40  # K a multiple of 32 but not of 64; N not a multiple of 16

CONFIGS = [
    ["--quant=w8a16"],
    ["--quant=w4a16", "--group-size=32"],
    ["--quant=w4a16", "--weight-symmetry=symmetric"],
    ["--quant=w8a8"],
    ["--quant=w4a8", "--group-size=32"],
    ["--quant=w8a8", "--weight-symmetry=asymmetric"],
    ["--quant=w8a8", "--per-tensor-activations", "--calib-synthetic=2"],
    ["--quant=w4a16", "--weight-quantizer=gptq", "--calib-synthetic=2", "--act-order=false"],
    ["--quant=w4a8", "-mattr=-avx512f"],            # the AVX2 kernels
    ["--quant=w8a16", "--group-size=32", "-mattr=-avx512f"],
    ["--quant=w4a16", "--group-size=32", "-mcpu=x86-64"],  # the scalar kernel
    ["--quant=w4a4", "--group-size=32"],            # 4-bit activations
    ["--quant=w4a4", "--activation-clip=0.9", "-mattr=-avx512f"],
    ["--quant=w4a4", "--per-tensor-activations", "--calib-synthetic=2", "--activation-clip=search"],
    ["--quant=w8a8", "--activation-clip=0.8", "-mcpu=x86-64"],
]


def write_model(path):
    rng = np.random.default_rng(7)
    w = (rng.standard_normal((K, N)) * 0.1).astype(np.float32)
    b = rng.standard_normal(N).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["h"], name="fc/MatMul"),
         helper.make_node("Add", ["h", "b"], ["y"], name="fc/Add")],
        "one_layer",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq", K])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq", N])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def write_input(directory):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 5, K)).astype(np.float32)
    x[:, :, 7] *= 30.0  # an outlier channel
    x[1, 2, :] = 0.0    # an all-zero row: its dynamic scale must not divide by 0
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main():
    if sys.argv[1] == "--write-model":
        write_model(sys.argv[2])
        if len(sys.argv) > 4 and sys.argv[3] == "--write-input":
            write_input(sys.argv[4])
        return 0
    bindir, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    model = os.path.join(work, "layer.onnx")
    write_model(model)
    data = os.path.join(work, "data")
    write_input(data)
    compile_, qcrun = os.path.join(bindir, "qc-compile"), os.path.join(bindir, "qc-run")
    failed = False
    for i, flags in enumerate(CONFIGS):
        label = " ".join(flags)
        kernel, reference = os.path.join(work, f"k{i}.so"), os.path.join(work, f"r{i}.so")
        expected = os.path.join(work, f"expected{i}")
        os.makedirs(expected, exist_ok=True)
        steps = [
            [compile_, model, "-o", kernel] + flags,
            [compile_, model, "-o", reference, "--packed-gemm=false"] + flags,
            [qcrun, reference, "--data", data, "--save", expected],
        ]
        result = None
        for cmd in steps:
            result = run(cmd)
            if result.returncode != 0:
                break
        if result.returncode == 0:
            os.link(os.path.join(data, "input_0.pb"), os.path.join(expected, "input_0.pb"))
            result = run([qcrun, kernel, "--data", expected, "--atol", "1e-4", "--rtol", "1e-4"])
        status = "ok" if result.returncode == 0 else "FAILED"
        failed |= result.returncode != 0
        print(f"{label}: {status} {result.stdout.strip()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
