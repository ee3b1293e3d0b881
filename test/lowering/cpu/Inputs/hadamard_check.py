"""qc.hadamard against an independent NumPy construction of the same
matrices (passes/quantizers/Hadamard.h documents them): Sylvester's 2^k,
Paley's construction I for 12 (q = 11) and 20 (q = 19), Kronecker products
with the base factor outer. Each case is compiled twice with qc-compile,
the fast kernel (default) and the reference (--packed-gemm=false: a product
with the whole matrix), and both run with qc-run against y = (x * signs) H
/ sqrt(n) computed here in float64.

usage: hadamard_check.py BINDIR WORKDIR
"""
import os
import subprocess
import sys

import numpy as np
from onnx import numpy_helper


def sylvester(p):
    h = np.ones((1, 1))
    while h.shape[0] < p:
        h = np.block([[h, h], [h, -h]])
    return h


def paley1(q):
    squares = {(a * a) % q for a in range(1, q)}
    chi = lambda a: 0 if a % q == 0 else (1 if a % q in squares else -1)
    jac = np.array([[chi(j - i) for j in range(q)] for i in range(q)], dtype=float)
    s = np.zeros((q + 1, q + 1))
    s[0, 1:] = 1
    s[1:, 0] = -1
    s[1:, 1:] = jac
    return np.eye(q + 1) + s


BASES = {1: np.ones((1, 1)), 12: paley1(11), 20: paley1(19)}
# (n, base, with signs)
CASES = [(64, 1, False), (96, 12, False), (160, 20, True), (1536, 12, True), (8, 1, True),
         (48, 12, True), (4096, 1, True)]


def main():
    bindir, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(5)
    failed = False
    for n, base, with_signs in CASES:
        hb = BASES[base]
        assert np.allclose(hb @ hb.T, base * np.eye(base))
        h = np.kron(hb, sylvester(n // base))
        signs = rng.choice([-1, 1], n) if with_signs else np.ones(n, dtype=int)
        attr = f"size = {n} : i64, base = {base} : i64"
        if with_signs:
            attr += ", signs = array<i8: " + ", ".join(str(int(s)) for s in signs) + ">"
        name = f"h{n}"
        mlir = os.path.join(work, name + ".mlir")
        with open(mlir, "w") as f:
            f.write(f"func.func @main(%x: tensor<?x3x{n}xf32>) -> tensor<?x3x{n}xf32> {{\n"
                    f"  %y = qc.hadamard %x {{{attr}}} : (tensor<?x3x{n}xf32>) -> tensor<?x3x{n}xf32>\n"
                    f"  return %y : tensor<?x3x{n}xf32>\n}}\n")
        x = rng.standard_normal((2, 3, n)).astype(np.float32)
        x[0, 1, 5] = 40.0  # an outlier, spread over every channel
        want = ((x.astype(np.float64) * signs) @ h / np.sqrt(n)).astype(np.float32)
        data = os.path.join(work, name + "-data")
        os.makedirs(data, exist_ok=True)
        for i, (t, kind) in enumerate([(x, "input"), (want, "output")]):
            with open(os.path.join(data, f"{kind}_0.pb"), "wb") as f:
                f.write(numpy_helper.from_array(t, "t").SerializeToString())
        for label, flags in [("kernel", []), ("reference", ["--packed-gemm=false"])]:
            so = os.path.join(work, f"{name}-{label}.so")
            steps = [[os.path.join(bindir, "qc-compile"), mlir, "-o", so] + flags,
                     [os.path.join(bindir, "qc-run"), so, "--data", data, "--atol", "2e-5",
                      "--rtol", "1e-5"]]
            for cmd in steps:
                r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if r.returncode != 0:
                    break
            ok = r.returncode == 0
            failed |= not ok
            print(f"n={n} base={base} signs={with_signs} {label}: {'ok' if ok else 'FAILED'} "
                  f"{r.stdout.strip()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
