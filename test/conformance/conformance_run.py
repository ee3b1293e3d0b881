"""The ONNX backend tests through qc's whole CPU path: for every model of
libonnx-testdata/data/node that imports (import-status.txt), qc-compile
-target=cpu writes an artifact, qc-run runs it on test_data_set_0 and
compares each output with the expected one at the backend tests' default
tolerance (rtol 1e-3, atol 1e-7).

usage: conformance_run.py BIN_DIR --imported import-status.txt
                          --exceptions exceptions.txt [--table docs/conformance.md]
                          [--only RE] [--jobs N]

Every imported model must pass, except those listed in exceptions.txt
("model<TAB>reason"); an exception that passes is reported too, so the list
stays true. --table writes the per-op table (passed / failed / unsupported,
with the reasons). Exit 1 when any model fails without an exception."""
import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

import onnx
from onnx import defs

DATA = "/usr/share/libonnx-testdata/data/node"


def op_of(test, op_names):
    """The ONNX op a backend test is named after: the longest op type whose
    lowercase name starts the test name (underscores ignored), else the op
    of the model's first node (test_basic_conv_* is a Conv)."""
    key = test[len("test_"):].replace("_", "").lower()
    best = max((o for o in op_names if key.startswith(o.lower())), key=len, default=None)
    if best:
        return best
    try:
        m = onnx.load(os.path.join(DATA, test, "model.onnx"), load_external_data=False)
        return m.graph.node[0].op_type
    except Exception:
        return test[len("test_"):].split("_")[0]


def retyped_bfloat16(path, declared, tmp, name):
    """ONNX 1.12's test data holds bfloat16 tensors as uint16 bits; retype
    them so that the runtime sees the declared type."""
    tensor = onnx.load_tensor(path)
    if declared == onnx.TensorProto.BFLOAT16 and tensor.data_type == onnx.TensorProto.UINT16:
        tensor.data_type = onnx.TensorProto.BFLOAT16
        path = os.path.join(tmp, name)
        onnx.save_tensor(tensor, path)
    return path


def run(bin_dir, test, frozen):
    model = os.path.join(DATA, test, "model.onnx")
    data = os.path.join(DATA, test, "test_data_set_0")
    m = onnx.load(model, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    inputs = [i for i in m.graph.input if i.name not in inits]
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = os.path.join(tmp, "data")
        os.mkdir(run_dir)
        freeze, n = [], 0
        for i, info in enumerate(inputs):
            pb = os.path.join(data, f"input_{i}.pb")
            if not os.path.exists(pb):
                return "failed", f"the test data has no value for input '{info.name}'"
            pb = retyped_bfloat16(pb, info.type.tensor_type.elem_type, tmp, f"in{i}.pb")
            if info.name in frozen:
                freeze += ["--freeze-input", f"{info.name}={pb}"]
            else:
                shutil.copy(pb, os.path.join(run_dir, f"input_{n}.pb"))
                n += 1
        for k, out in enumerate(m.graph.output):
            pb = os.path.join(data, f"output_{k}.pb")
            if os.path.exists(pb):
                pb = retyped_bfloat16(pb, out.type.tensor_type.elem_type, tmp, f"out{k}.pb")
                shutil.copy(pb, os.path.join(run_dir, f"output_{k}.pb"))
        artifact = os.path.join(tmp, "model.so")
        p = subprocess.run([os.path.join(bin_dir, "qc-compile"), model, "-target=cpu",
                            "-o", artifact, *freeze], capture_output=True, text=True)
        if p.returncode:
            return "failed", "compile: " + p.stderr.strip().replace(tmp, "<tmp>").replace(
                model, "<model>")[-300:]
        try:
            r = subprocess.run([os.path.join(bin_dir, "qc-run"), artifact, "--data", run_dir],
                               capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return "failed", "run: timed out after 120 s"
        if r.returncode:
            lines = [l for l in (r.stdout + r.stderr).splitlines()
                     if "FAILED" in l or "mismatch" in l or "error" in l]
            return "failed", "; ".join(lines).replace(tmp, "<tmp>")[:300]
    return "passed", ""


def imported_models(status_path):
    """{test: [frozen input names]} of the models that import."""
    models = {}
    for line in open(status_path):
        test, status = line.rstrip("\n").split("\t", 1)
        if status.startswith("imported"):
            frozen = status.split("frozen:", 1)[1] if "frozen:" in status else ""
            models[test] = [n.strip() for n in frozen.split(",") if n.strip()]
    return models


def write_table(path, results, status_path, exceptions, op_names):
    rejected = {}
    for line in open(status_path):
        test, status = line.rstrip("\n").split("\t", 1)
        if status.startswith("rejected"):
            reason = status.split(": ", 1)[-1]
            rejected[test] = re.sub(r"^/\S+model\.onnx: ", "", reason)
    per_op = collections.defaultdict(lambda: {"passed": [], "failed": [], "unsupported": []})
    for test, (status, reason) in results.items():
        per_op[op_of(test, op_names)][status].append((test, reason))
    for test, reason in rejected.items():
        per_op[op_of(test, op_names)]["unsupported"].append((test, reason))
    total = collections.Counter()
    rows = []
    for op in sorted(per_op, key=str.lower):
        r = per_op[op]
        for k in r:
            total[k] += len(r[k])
        notes = [f"`{t}`: {exceptions.get(t) or why}" for t, why in sorted(r["failed"])]
        reasons = collections.Counter(why for _, why in r["unsupported"])
        notes += [f"unsupported ({n}): {why}" if n > 1 else f"unsupported: {why}"
                  for why, n in reasons.most_common()]
        rows.append(f"| {op} | {len(r['passed'])} | {len(r['failed'])} | "
                    f"{len(r['unsupported'])} | {'<br>'.join(n.replace('|', '/') for n in notes)} |")
    with open(path, "w") as f:
        f.write("# ONNX backend-test conformance\n\n"
                "<!-- Generated by test/conformance/conformance_run.py --table; "
                "`make conformance-update` rewrites it. -->\n\n"
                "Every model of the ONNX backend test suite (Debian's libonnx-testdata, "
                "ONNX 1.12, `data/node`), through qc's whole CPU path: `qc-compile "
                "-target=cpu` writes an artifact, `qc-run` runs it with libqcrt on "
                "`test_data_set_0` and compares each output at the backend tests' "
                "default tolerance (rtol 1e-3, atol 1e-7). Shape-deciding inputs "
                "(axes, pads, sizes) that a test feeds as graph inputs are bound at "
                "compile time with `--freeze-input`, as onnx-mlir's runner does.\n\n"
                f"**{total['passed']} passed, {total['failed']} failed (each listed with "
                f"its reason), {total['unsupported']} unsupported** (rejected at import "
                "with the reason shown).\n\n"
                "| Op | Passed | Failed | Unsupported | Notes |\n|---|---|---|---|---|\n")
        f.write("\n".join(rows) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin_dir")
    ap.add_argument("--imported", required=True)
    ap.add_argument("--exceptions", required=True)
    ap.add_argument("--table")
    ap.add_argument("--only")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    args = ap.parse_args()
    models = imported_models(args.imported)
    exceptions = dict(l.rstrip("\n").split("\t", 1) for l in open(args.exceptions)
                      if l.strip() and not l.startswith("#"))
    tests = sorted(t for t in models if not args.only or re.search(args.only, t))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run, args.bin_dir, t, models[t]): t for t in tests}
        for f in concurrent.futures.as_completed(futures):
            try:
                results[futures[f]] = f.result()
            except Exception as e:  # a harness problem, reported per model
                results[futures[f]] = ("failed", f"harness error: {e}"[:200])
    counts = collections.Counter(s for s, _ in results.values())
    print(f"{len(tests)} imported models: {counts['passed']} passed, {counts['failed']} failed")
    bad = 0
    for t in tests:
        status, reason = results[t]
        if status == "failed" and t not in exceptions:
            print(f"FAILED {t}: {reason}")
            bad += 1
        elif status == "passed" and t in exceptions:
            print(f"PASSES NOW {t}: remove it from {os.path.basename(args.exceptions)}")
            bad += 1
    if args.table:
        if args.only:
            print("--table needs every model; ignored with --only")
        else:
            write_table(args.table, results, args.imported, exceptions,
                        {s.name for s in defs.get_all_schemas_with_history()})
    print(f"{bad} unexpected results" if bad else "all results as expected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
