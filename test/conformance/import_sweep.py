"""Imports every ONNX backend-test model (libonnx-testdata) with qc-compile
and sorts the results: imported, rejected with the one-line error, or
crashed (any other exit, a signal, or a malformed error message).

usage: import_sweep.py QC_COMPILE [--data DIR] [--status FILE] [--update]

--status FILE is the checked-in list of every model's status (imported, or
rejected with the reason). The sweep exits 1 when a model crashed the
importer or its status differs from the list; --update rewrites the list
(run it when a change imports more models, and review the diff)."""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys

from status_file import compare_or_update

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
ERROR_LINE = re.compile(r"^qc-compile: error: .+$")


# Rejections that --freeze-input can lift: a shape-deciding operand (axes,
# k, split sizes, Resize scales ...) is a graph input in the test model.
NEEDS_CONSTANT = re.compile(r"must be (a )?constants?\b|need constant")


def compile_once(qc_compile, model, extra=()):
    try:
        p = subprocess.run([qc_compile, model, "--emit=mlir", "-o", os.devnull, *extra],
                           capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "crashed", "timed out after 120 s"
    err = p.stderr.strip()
    if p.returncode == 0:
        return "imported", ""
    if p.returncode == 1 and len(err.splitlines()) == 1 and ERROR_LINE.match(err):
        return "rejected", err
    return "crashed", f"exit {p.returncode}: {err[-400:]}"


def graph_inputs(model_dir):
    """Names of the graph inputs that the test data feeds, in order."""
    import onnx
    m = onnx.load(os.path.join(model_dir, "model.onnx"), load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    return [i.name for i in m.graph.input if i.name not in inits]


def run(qc_compile, model):
    status, message = compile_once(qc_compile, model)
    if status != "rejected" or not NEEDS_CONSTANT.search(message):
        return status, message
    # As onnx-mlir's backend runner does for such tests, bind the inputs after
    # the first to their test values and try again.
    model_dir = os.path.dirname(model)
    names = graph_inputs(model_dir)[1:]
    data = os.path.join(model_dir, "test_data_set_0")
    freeze = []
    for i, name in enumerate(names, start=1):
        pb = os.path.join(data, f"input_{i}.pb")
        if os.path.exists(pb):
            freeze += ["--freeze-input", f"{name}={pb}"]
    if not freeze:
        return status, message
    retry, retry_message = compile_once(qc_compile, model, freeze)
    if retry == "imported":
        return "imported", "inputs frozen: " + ", ".join(names)
    return retry, retry_message


def reason_of(message):
    """The part of an error after the node, with names removed."""
    m = re.search(r"\(([A-Za-z]+), opset \d+\): (.*)$", message)
    if m:
        return m.group(1), m.group(2)
    return None, message.split(": ", 2)[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qc_compile")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--status")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    args = ap.parse_args()

    tests = sorted(d for d in os.listdir(args.data)
                   if os.path.isfile(os.path.join(args.data, d, "model.onnx")))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run, args.qc_compile,
                               os.path.join(args.data, t, "model.onnx")): t for t in tests}
        for f in concurrent.futures.as_completed(futures):
            results[futures[f]] = f.result()

    counts = collections.Counter(status for status, _ in results.values())
    lines, crashes = [], []
    for t in tests:
        status, message = results[t]
        if status == "crashed":
            crashes.append(f"CRASH {t}: {message}")
        elif status == "rejected":
            op, reason = reason_of(message)
            status = f"rejected: {op + ': ' if op else ''}{reason}"
        elif message:
            status = f"imported with {message}"
        lines.append(f"{t}\t{status}")
    frozen = sum(1 for status, message in results.values() if status == "imported" and message)
    print(f"{len(tests)} models: {counts['imported']} imported ({frozen} with shape inputs "
          f"frozen), {counts['rejected']} rejected with an error, {counts['crashed']} crashed")
    for c in crashes:
        print(c)
    if args.status and compare_or_update(args.status, lines, args.update):
        return 1
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
