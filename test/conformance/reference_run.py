"""Runs the imported ONNX backend-test models on their test data through
qc's float reference path and compares the outputs with the expected ones.

Each model's inputs are bound to test_data_set_0 with --freeze-input, the
imported IR is lowered with qc-lower-to-linalg and upstream passes to the
LLVM dialect, and mlir-runner executes it and prints the outputs. This
checks the importer's conversions numerically; it is not the compiled
artifact path (qc-compile -target=cpu), which does not exist yet.

usage: reference_run.py BIN_DIR --imported import-status.txt
                        [--status reference-status.txt [--update]] [--only RE] [--jobs N]
--status compares each model's result with the checked-in list (exit 1 on a
change); --update rewrites it.
Outputs of types printMemref cannot print (bool, 8/16-bit) are not compared.
Tolerance: the ONNX backend tests' rtol=1e-3, atol=1e-7 (atol 1e-5 for float
outputs, whose summation order differs from the reference)."""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

from status_file import compare_or_update

import numpy as np
import onnx
from onnx import numpy_helper

DATA = "/usr/share/libonnx-testdata/data/node"
LLVM = "/usr/lib/llvm-22"
PIPELINE = ["-qc-lower-to-linalg", "-lower-quant-ops", "-convert-elementwise-to-linalg",
            "-canonicalize",
            "-one-shot-bufferize=bufferize-function-boundaries", "-convert-linalg-to-loops",
            "-expand-strided-metadata", "-lower-affine", "-convert-scf-to-cf",
            "-finalize-memref-to-llvm", "-convert-math-to-llvm", "-convert-math-to-libm",
            "-convert-arith-to-llvm", "-convert-func-to-llvm", "-convert-cf-to-llvm",
            "-reconcile-unrealized-casts"]
PRINTERS = {"f32": "printMemrefF32", "f64": "printMemrefF64", "i64": "printMemrefI64",
            "i32": "printMemrefI32"}


# Widening casts for result types the runtime cannot print: to the
# printable type, with the ONNX signedness of the output.
WIDEN = {"i1": ("arith.extui", "i64"), "f16": ("arith.extf", "f32"),
         "bf16": ("arith.extf", "f32")}
for bits in ("i8", "i16"):
    WIDEN[bits] = (None, "i64")  # extsi or extui, by the output's type


def entry_function(signature, unsigned):
    """A @qc_entry that calls @main and prints each result; `unsigned[i]`
    says whether output i is an ONNX unsigned type."""
    results = re.findall(r"tensor<([^>]*)>", signature.split("->", 1)[1]) if "->" in signature else []
    types = [f"tensor<{r}>" for r in results]
    lines = ["  func.func @qc_entry() {"]
    names = ", ".join(f"%r{i}" for i in range(len(types)))
    if types:
        lines.append(f"    {names} = func.call @main() : () -> ({', '.join(types)})")
    decls = set()
    printed = []
    for i, (r, t) in enumerate(zip(results, types)):
        element = r.split("x")[-1]
        value = f"%r{i}"
        if element in WIDEN:
            op, wide = WIDEN[element]
            op = op or ("arith.extui" if unsigned[i] else "arith.extsi")
            wide_type = t[: -len(element) - 1] + wide + ">"
            lines.append(f"    %w{i} = {op} {value} : {t} to {wide_type}")
            value, element, t = f"%w{i}", wide, wide_type
        printer = PRINTERS.get(element)
        if not printer:
            printed.append(None)
            continue
        decls.add(f"  func.func private @{printer}(tensor<*x{element}>)")
        lines.append(f"    %u{i} = tensor.cast {value} : {t} to tensor<*x{element}>")
        lines.append(f"    func.call @{printer}(%u{i}) : (tensor<*x{element}>) -> ()")
        printed.append(element)
    lines.append("    return")
    lines.append("  }")
    return "\n".join(sorted(decls) + lines), printed


def parse_printed(text):
    """The data of each printed memref, in order, as flat float lists."""
    blocks = text.split("Unranked Memref")[1:]
    values = []
    for block in blocks:
        sizes = re.search(r"sizes = \[([^\]]*)\]", block).group(1)
        count = int(np.prod([int(x) for x in sizes.split(",") if x.strip()]))
        data = block.split("data =", 1)[1]
        nums = re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", data)[:count]
        values.append(np.array([float(x) for x in nums], dtype=np.float64))
    return values


def run(bin_dir, test):
    model = os.path.join(DATA, test, "model.onnx")
    m = onnx.load(model, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    inputs = [i.name for i in m.graph.input if i.name not in inits]
    data = os.path.join(DATA, test, "test_data_set_0")
    declared = {i.name: i.type.tensor_type.elem_type for i in m.graph.input}
    with tempfile.TemporaryDirectory() as tmp:
        freeze = []
        for i, name in enumerate(inputs):
            pb = os.path.join(data, f"input_{i}.pb")
            if not os.path.exists(pb):
                return "not compared", f"the test data has no value for input '{name}'"
            tensor = onnx.load_tensor(pb)
            if (declared[name] == onnx.TensorProto.BFLOAT16
                    and tensor.data_type == onnx.TensorProto.UINT16):
                # ONNX 1.12's test data holds bfloat16 as uint16 bits.
                tensor.data_type = onnx.TensorProto.BFLOAT16
                pb = os.path.join(tmp, f"input_{i}.pb")
                onnx.save_tensor(tensor, pb)
            freeze += ["--freeze-input", f"{name}={pb}"]
        mlir = os.path.join(tmp, "m.mlir")
        p = subprocess.run([os.path.join(bin_dir, "qc-compile"), model, "--elide-weights=false",
                            "-o", mlir, *freeze], capture_output=True, text=True)
        if p.returncode:
            return "not imported", p.stderr.strip()[-300:]
        text = open(mlir).read()
        signature = re.search(r"func\.func @main\([^\n]*", text).group(0)
        unsigned = [o.type.tensor_type.elem_type in (onnx.TensorProto.UINT8, onnx.TensorProto.UINT16,
                                                     onnx.TensorProto.UINT32, onnx.TensorProto.UINT64)
                    for o in m.graph.output]
        entry, printed = entry_function(signature, unsigned)
        body_end = text.rfind("\n}", 0, text.find("{-#") if "{-#" in text else len(text))
        text = text[:body_end] + "\n" + entry + text[body_end:]
        open(mlir, "w").write(text)
        p = subprocess.run([os.path.join(bin_dir, "qc-opt"), mlir, *PIPELINE],
                           capture_output=True, text=True)
        if p.returncode:
            return "lowering failed", p.stderr.strip().splitlines()[0][:300] if p.stderr.strip() else ""
        libs = ",".join(os.path.join(LLVM, "lib", l) for l in
                        ["libmlir_runner_utils.so", "libmlir_c_runner_utils.so"])
        try:
            r = subprocess.run([os.path.join(LLVM, "bin", "mlir-runner"), "-e", "qc_entry",
                                "-entry-point-result=void", f"-shared-libs={libs}"],
                               input=p.stdout, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return "run failed", "timed out"
        if r.returncode:
            return "run failed", r.stderr.strip()[-300:]
    got = parse_printed(r.stdout)
    compared = 0
    for i, element in enumerate(printed):
        if element is None:
            continue
        expected = numpy_helper.to_array(onnx.load_tensor(os.path.join(data, f"output_{i}.pb")))
        if (m.graph.output[i].type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16
                and expected.dtype == np.uint16):
            # ONNX 1.12's test data holds bfloat16 as its raw 16 bits.
            expected = (expected.astype(np.uint32) << 16).view(np.float32)
        actual = got.pop(0) if got else np.array([])
        exp = expected.astype(np.float64).ravel()
        if actual.size != exp.size:
            return "mismatch", f"output {i}: {actual.size} values, expected {exp.size}"
        atol = 1e-5 if element.startswith("f") else 0
        if not np.allclose(actual, exp, rtol=1e-3, atol=atol, equal_nan=True):
            err = np.nanmax(np.abs(actual - exp))
            return "mismatch", f"output {i}: max_abs_err={err:.3g}"
        compared += 1
    if compared == 0:
        return "not compared", "no output of a printable type"
    return "passed", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir")
    ap.add_argument("--imported", help="import-status.txt: run only the imported models")
    ap.add_argument("--status")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    args = ap.parse_args()
    tests = sorted(os.listdir(DATA))
    if args.imported:
        tests = [l.split("\t")[0] for l in open(args.imported) if "\timported" in l]
    if args.only:
        tests = [t for t in tests if re.search(args.only, t)]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run, args.bin_dir, t): t for t in tests}
        for f in concurrent.futures.as_completed(futures):
            try:
                results[futures[f]] = f.result()
            except Exception as e:  # a harness problem, reported per model
                results[futures[f]] = ("harness error", str(e)[:200])
    counts = collections.Counter(s for s, _ in results.values())
    print(f"{len(tests)} models: " + ", ".join(f"{v} {k}" for k, v in counts.most_common()))
    # Messages of failures hold temporary paths; the list keeps the status
    # and, for mismatches, the error figure.
    lines = [f"{t}\t{results[t][0]}" + (f": {results[t][1]}" if results[t][0] == "mismatch" else "")
             for t in tests]
    if args.status:
        return compare_or_update(args.status, lines, args.update)
    return 0


if __name__ == "__main__":
    sys.exit(main())
