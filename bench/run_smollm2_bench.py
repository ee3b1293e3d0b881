"""SmolLM2-135M perplexity under qc's quantization configs (and ONNX
Runtime's quantizers), on the held-out text of examples/smollm2/text.py.

The float model is imported and calibrated once; every config then reuses
the calibrated IR:

  1. perplexity.py --write-calibration WORK/calib --samples 32 --seq-len 256
  2. qc-compile MODEL.onnx --emit=mlirbc -o WORK/smol.mlirbc
  3. qc-opt WORK/smol.mlirbc --pass-pipeline='builtin.module(
         qc-calibrate{calib-dir=WORK/calib})'
         --emit-bytecode -o WORK/smol-plain-cal.mlirbc
  4. per config: qc-opt WORK/smol-cal.mlirbc --pass-pipeline=CONFIG
         --emit-bytecode -o WORK/CONFIG.mlirbc
     qc-compile WORK/CONFIG.mlirbc -o WORK/CONFIG.so
     perplexity.py --artifact WORK/CONFIG.so --no-ort --windows 16 --seq-len 256
  Step 3 runs nothing before qc-calibrate (qc-compile's default;
  WORK/smol-plain-cal.mlirbc), or qc-fold-norms with --calibration=folded
  (WORK/smol-cal.mlirbc). Rotated configs start from a calibration of the
  rotated model: func.func(qc-fold-norms,qc-rotate{online=true}) before
  qc-calibrate, written to WORK/smol-rot-cal.mlirbc (R1 + R2 folded, R3
  online before each down projection, for every width). Each row records
  its calibration in 'calibrated'.
  5. the float model in ONNX Runtime, and ONNX Runtime's quantizers
     (examples/quant_eval.py: ort_quantize) on the same model and text.

Results go to bench/results/smollm2-quant.json, a list of rows; rows of
configs run again replace the old ones, others are kept, so configs can be
run one at a time (--configs A,B). A failing step is recorded in the row
('error') and the run goes on; qc-opt's warnings (GPTQ's fallback to RTN
without a Gram matrix, "not smoothed") are counted in 'qc_opt_warnings'.
Steps 1-3 are skipped when WORK already holds their outputs: remove
WORK/smol-cal.mlirbc after rebuilding qc-opt (a calibrated file written by
a qc-opt before 7eb63d2 has no Gram matrices or sampled rows).

usage: run_smollm2_bench.py [--work DIR] [--configs A,B,...|all] [--ort KINDS|none]
                            [--float] [--windows 16] [--seq-len 256] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, ".."))
sys.path.insert(0, os.path.join(root, "examples", "smollm2"))
sys.path.insert(0, os.path.join(root, "examples"))

PY = os.path.join(root, ".venv", "bin", "python")
PPL = os.path.join(root, "examples", "smollm2", "perplexity.py")
RESULTS = os.path.join(here, "results", "smollm2-quant.json")

TAIL = "func.func(qc-quantize-embeddings),func.func(qc-pack)"
W8S = "qc-apply-quant-preset{preset=w8a8 per-tensor-activations=true}"
# (key, name, the passes after calibration)
CONFIGS = [
    ("A", "w8a8-static", f"{W8S},qc-quantize{{method=gptq}},{TAIL}"),
    ("B", "w8a8-static-smooth-auto",
     f"{W8S},func.func(qc-smooth),qc-quantize{{method=gptq}},{TAIL}"),
    ("C", "w8a8-dynamic", f"qc-apply-quant-preset{{preset=w8a8}},qc-quantize{{method=gptq}},{TAIL}"),
    ("D", "w4a16-g128-rtn", f"qc-apply-quant-preset{{preset=w4a16}},qc-quantize{{method=rtn}},{TAIL}"),
    ("E", "w4a16-g128-gptq",
     f"qc-apply-quant-preset{{preset=w4a16}},qc-quantize{{method=gptq}},{TAIL}"),
    ("F", "w4a16-g128-gptq-awq",
     "qc-apply-quant-preset{preset=w4a16},func.func(qc-smooth{method=awq}),"
     f"qc-quantize{{method=gptq activation-aware-clip=true}},{TAIL}"),
    ("G", "w8a8-static-smooth-0.5",
     f"{W8S},func.func(qc-smooth{{alpha=0.5}}),qc-quantize{{method=gptq}},{TAIL}"),
    ("H", "w4a16-g32-rtn",
     f"qc-apply-quant-preset{{preset=w4a16 group-size=32}},qc-quantize{{method=rtn}},{TAIL}"),
    # Weights alone at 8 bits: separates the weights' share of W8A8's loss.
    ("I", "w8a16-gptq", f"qc-apply-quant-preset{{preset=w8a16}},qc-quantize{{method=gptq}},{TAIL}"),
    ("J", "w8a8-dynamic-smooth-auto",
     f"qc-apply-quant-preset{{preset=w8a8}},func.func(qc-smooth),qc-quantize{{method=gptq}},{TAIL}"),
    # 4-bit activations, and rotation (the table).
    ("K", "w4a4-rtn", f"qc-apply-quant-preset{{preset=w4a4}},qc-quantize{{method=rtn}},{TAIL}"),
    ("L", "w4a4-rotate-gptq",
     f"qc-apply-quant-preset{{preset=w4a4}},qc-quantize{{method=gptq}},{TAIL}", "rotated"),
    ("M", "w4a8-rotate-gptq",
     f"qc-apply-quant-preset{{preset=w4a8}},qc-quantize{{method=gptq}},{TAIL}", "rotated"),
    ("N", "w8a8-static-rotate", f"{W8S},qc-quantize{{method=gptq}},{TAIL}", "rotated"),
    ("O", "w4a4-gptq", f"qc-apply-quant-preset{{preset=w4a4}},qc-quantize{{method=gptq}},{TAIL}"),
    # The FFN down projections, whose inputs carry the massive activations,
    # at W8A16: what static W8A8 loses there.
    ("Q", "w8a8-static-smooth-auto-down-w8a16",
     "qc-apply-quant-preset{preset=w8a8 per-tensor-activations=true "
     "layer-quant=*down_proj*=w8a16},func.func(qc-smooth),"
     f"qc-quantize{{method=gptq}},{TAIL}"),
    # RTN's loss against ONNX Runtime's: symmetric weights, float embeddings.
    ("R", "w4a16-g128-rtn-symmetric",
     "qc-apply-quant-preset{preset=w4a16 symmetry=symmetric},qc-quantize{method=rtn},"
     "func.func(qc-pack)"),
    ("S", "w4a16-g128-rtn-float-embedding",
     "qc-apply-quant-preset{preset=w4a16},qc-quantize{method=rtn},func.func(qc-pack)"),
    ("P", "w4a4-rotate-rtn",
     f"qc-apply-quant-preset{{preset=w4a4}},qc-quantize{{method=rtn}},{TAIL}", "rotated"),
]
ORT_KINDS = ["int8-dynamic", "int4-rtn", "int8-static", "int4-gptq"]


def run(cmd, log):
    """Runs cmd, its output appended to log. Returns (seconds, rc, last lines)."""
    start = time.perf_counter()
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    seconds = round(time.perf_counter() - start, 1)
    with open(log) as f:
        tail = f.read().splitlines()[-15:]
    return seconds, rc, "\n".join(tail)


def warnings_of(log):
    """{warning text: count} of the 'warning:' lines in log (a fallback such as
    GPTQ's "used RTN" shows up here, not in the exit status)."""
    counts = {}
    with open(log) as f:
        for line in f:
            if "warning:" in line:
                text = line.split("warning:", 1)[1].strip()
                counts[text] = counts.get(text, 0) + 1
    return counts


def load_rows():
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            return json.load(f)
    return []


def save_row(row):
    rows = [r for r in load_rows() if r["config"] != row["config"]]
    rows.append(row)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(rows, f, indent=2)
        f.write("\n")
    print(json.dumps(row), flush=True)


def float_ppl():
    for r in load_rows():
        if r["config"] == "float (ONNX Runtime)" and r.get("perplexity"):
            return r["perplexity"]
    return None


def ppl_of(args, log, artifact=None, model=None):
    out = log + ".ppl.json"
    cmd = [PY, PPL] + ([model] if model else []) + \
        (["--artifact", artifact, "--no-ort"] if artifact else []) + \
        ["--windows", str(args.windows), "--seq-len", str(args.seq_len),
         "--threads", str(args.threads), "--json", out]
    seconds, rc, tail = run(cmd, log)
    if rc != 0:
        return None, seconds, f"perplexity.py exit {rc}:\n{tail}"
    with open(out) as f:
        data = json.load(f)
    return data["qc" if artifact else "ort"]["ppl"], seconds, None


# The calibrations, by kind: what runs before qc-calibrate. "plain" is what
# qc-compile does without --fold-norms or --rotate; rows measured before
# 2026-12-02 came from "folded".
CALIBRATIONS = {
    "plain": ("smol-plain-cal.mlirbc", ""),
    "folded": ("smol-cal.mlirbc", "func.func(qc-fold-norms),"),
    "rotated": ("smol-rot-cal.mlirbc", "func.func(qc-fold-norms,qc-rotate{online=true}),"),
}


def prepare(args, kind="plain"):
    """Steps 1-3; each is skipped when its output exists. Returns the
    calibrated IR of the calibration `kind` (CALIBRATIONS)."""
    w = args.work
    os.makedirs(w, exist_ok=True)
    log = os.path.join(w, "prepare.log")
    calib = os.path.join(w, "calib")
    if not os.path.isdir(calib):
        run([PY, PPL, "--write-calibration", calib, "--samples", str(args.samples),
             "--seq-len", str(args.seq_len)], log)
    mlirbc = os.path.join(w, "smol.mlirbc")
    if not os.path.exists(mlirbc):
        s, rc, tail = run([args.qc_compile, args.model, "--emit=mlirbc", "-o", mlirbc], log)
        if rc:
            sys.exit(f"import failed:\n{tail}")
    name, before = CALIBRATIONS[kind]
    cal = os.path.join(w, name)
    if not os.path.exists(cal):
        pipeline = f"builtin.module({before}qc-calibrate{{calib-dir={calib}}})"
        # Written aside and renamed, so a killed run leaves no half file
        # that a later run would take for a calibration.
        s, rc, tail = run([args.qc_opt, mlirbc, f"--pass-pipeline={pipeline}", "--emit-bytecode",
                           "-o", cal + ".partial"], log)
        if rc == 0:
            os.replace(cal + ".partial", cal)
        print(f"calibration ({pipeline}): {s} s", flush=True)
        row = {"config": f"(calibration, {kind})", "tool": "qc",
               "pipeline": pipeline,
               "samples": args.samples, "seq_len": args.seq_len, "qc_opt_s": s}
        if rc:
            row["error"] = f"qc-opt exit {rc}:\n{tail}"
        save_row(row)
        if rc:
            sys.exit(f"calibration failed:\n{tail}")
    return cal


def run_config(args, cal, key, name, passes, kind):
    w = args.work
    log = os.path.join(w, name + ".log")
    if os.path.exists(log):
        os.remove(log)
    ir, so = os.path.join(w, name + ".mlirbc"), os.path.join(w, name + ".so")
    pipeline = f"builtin.module({passes})"
    row = {"config": name, "key": key, "tool": "qc", "pipeline": pipeline,
           "windows": args.windows, "seq_len": args.seq_len}
    row["calibrated"] = CALIBRATIONS[kind][1] + "qc-calibrate"
    s, rc, tail = run([args.qc_opt, cal, f"--pass-pipeline={pipeline}", "--emit-bytecode",
                       "-o", ir], log)
    row["qc_opt_s"] = s
    if warnings_of(log):
        row["qc_opt_warnings"] = warnings_of(log)
    if rc:
        row["error"] = f"qc-opt exit {rc}:\n{tail}"
        return save_row(row)
    s, rc, tail = run([args.qc_compile, ir, "-o", so], log)
    row["qc_compile_s"] = s
    if rc:
        row["error"] = f"qc-compile exit {rc}:\n{tail}"
        return save_row(row)
    row["artifact_bytes"] = os.path.getsize(so)
    ppl, s, error = ppl_of(args, log, artifact=so)
    row["eval_s"] = s
    if error:
        row["error"] = error
        return save_row(row)
    row["perplexity"] = ppl
    base = float_ppl()
    if base:
        row["ratio_to_float"] = ppl / base
    save_row(row)


def run_float(args):
    log = os.path.join(args.work, "float-ort.log")
    ppl, s, error = ppl_of(args, log, model=args.model)
    row = {"config": "float (ONNX Runtime)", "tool": "onnxruntime", "model": args.model,
           "windows": args.windows, "seq_len": args.seq_len, "eval_s": s,
           "model_bytes": os.path.getsize(args.model)}
    if error:
        row["error"] = error
    else:
        row["perplexity"], row["ratio_to_float"] = ppl, 1.0
    save_row(row)
    # The ratios of rows measured before this one.
    if ppl:
        rows = load_rows()
        for r in rows:
            if r.get("perplexity") and r["config"] != row["config"]:
                r["ratio_to_float"] = r["perplexity"] / ppl
        with open(RESULTS, "w") as f:
            json.dump(rows, f, indent=2)
            f.write("\n")


def run_ort(args, kind):
    import perplexity as P
    from quant_eval import ort_quantize
    name = "ort-" + kind
    out = os.path.join(args.work, name + ".onnx")
    row = {"config": name, "tool": "onnxruntime", "windows": args.windows,
           "seq_len": args.seq_len}
    try:
        feeds = P.calibration_feeds(args.samples, args.seq_len) if kind in (
            "int8-static", "int4-gptq") else None
        row["quantize_s"] = round(ort_quantize(kind, args.model, out, feeds), 1)
        row["model_bytes"] = os.path.getsize(out)
    except Exception as e:  # recorded, not hidden
        row["error"] = f"{type(e).__name__}: {e}"
        return save_row(row)
    ppl, s, error = ppl_of(args, os.path.join(args.work, name + ".log"), model=out)
    row["eval_s"] = s
    if error:
        row["error"] = error
    else:
        row["perplexity"] = ppl
        base = float_ppl()
        if base:
            row["ratio_to_float"] = ppl / base
    save_row(row)


# The table of bench/results/smollm2-quant.md: (row key, label), in order.
TABLE = [
    ("float (ONNX Runtime)", "float (ONNX Runtime; qc's float artifact gives the same 49.6874)"),
    ("w8a8-static", "W8A8 static per-tensor, no smoothing"),
    ("w8a8-static-smooth-0.5", "W8A8 static per-tensor + SmoothQuant alpha = 0.5"),
    ("w8a8-static-smooth-auto", "W8A8 static per-tensor + `--smooth=auto`"),
    ("w8a8-static-smooth-auto-down-w8a16",
     "W8A8 static per-tensor + `--smooth=auto`, FFN down at W8A16 (`--layer-quant`)"),
    ("ort-int8-static", "ONNX Runtime `quantize_static` (QDQ, int8 per-channel weights, int8 activations)"),
    ("w8a8-dynamic", "W8A8 dynamic per-token"),
    ("ort-int8-dynamic", "ONNX Runtime `quantize_dynamic` (int8 per-channel weights, uint8 per-tensor dynamic activations)"),
    ("w8a16-gptq", "W8A16 (int8 weights only)"),
    ("w4a16-g128-rtn", "W4A16 g128 RTN"),
    ("w4a16-g128-rtn-float-embedding", "W4A16 g128 RTN, embedding table left float"),
    ("w4a16-g128-rtn-symmetric", "W4A16 g128 RTN symmetric, embedding table left float"),
    ("w4a16-g128-gptq", "W4A16 g128 GPTQ"),
    ("w4a16-g128-gptq-awq", "W4A16 g128 GPTQ + AWQ"),
    ("ort-int4-rtn", "ONNX Runtime `MatMulNBitsQuantizer` RTN (int4 g128 symmetric)"),
    ("ort-int4-gptq", "ONNX Runtime `MatMulNBitsQuantizer` GPTQ (int4 g128)"),
    ("w4a16-g32-rtn", "W4A16 g32 RTN (the Q4_1 grid re-found: see the trap below)"),
    ("w4a4-rtn", "W4A4 RTN, no rotation"),
    ("w4a4-rotate-gptq", "W4A4 + rotation + GPTQ"),
    ("w4a8-rotate-gptq", "W4A8 + rotation + GPTQ"),
    ("w8a8-static-rotate", "W8A8 static per-tensor + rotation"),
]


def render(rows, path):
    """Writes the table of `rows` into `path` between its table markers."""
    by = {r["config"]: r for r in rows}
    lines = ["| config | perplexity | ratio to float | quantize s | compile s | MB |",
             "|---|---|---|---|---|---|"]
    for key, label in TABLE:
        r = by.get(key)
        if not r:
            lines.append(f"| {label} | not measured yet | | | | |")
            continue
        if r.get("error"):
            first = r["error"].strip().splitlines()[0][:160].replace("|", "/")
            lines.append(f"| {label} | failed: {first} | | | | |")
            continue
        size = r.get("artifact_bytes") or r.get("model_bytes")
        cells = [label, f"{r['perplexity']:.5g}", f"{r.get('ratio_to_float', 0):.3f}",
                 str(r.get("qc_opt_s", r.get("quantize_s", "-"))), str(r.get("qc_compile_s", "-")),
                 f"{size / 1e6:.1f}" if size else "-"]
        lines.append("| " + " | ".join(cells) + " |")
    with open(path) as f:
        text = f.read()
    begin, end = "<!-- table -->\n", "<!-- /table -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n".join(lines) + "\n" + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.expanduser("~/.cache/qc/smollm2/smollm2-135m.onnx"))
    ap.add_argument("--bindir", default=os.path.join(root, "build", "bin"))
    ap.add_argument("--work", default="/tmp/smollm2-bench")
    ap.add_argument("--configs", help="keys (A,B,...) or names, comma separated; all; none "
                    "(default: all, or none when --float or --ort is given)")
    ap.add_argument("--float", action="store_true", help="the float model in ONNX Runtime")
    ap.add_argument("--ort", default="none", help="ONNX Runtime quantizers, comma separated "
                    f"({','.join(ORT_KINDS)}), all or none")
    ap.add_argument("--windows", type=int, default=16)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--calibration", choices=["plain", "folded"], default="plain",
                    help="what runs before calibration for the configs that are not rotated: "
                    "nothing (qc-compile's default) or qc-fold-norms")
    ap.add_argument("--render", action="store_true",
                    help="only write the table of bench/results/smollm2-quant.md from the results")
    args = ap.parse_args()
    if args.render:
        render(load_rows(), os.path.join(here, "results", "smollm2-quant.md"))
        return 0
    args.qc_opt = os.path.join(args.bindir, "qc-opt")
    args.qc_compile = os.path.join(args.bindir, "qc-compile")
    if not os.path.exists(args.model):
        sys.exit(f"{args.model}: no model (examples/smollm2/build_smollm2.py writes it)")

    if args.configs is None:
        args.configs = "none" if args.float or args.ort != "none" else "all"
    if args.float:
        run_float(args)
    wanted = [c for c in CONFIGS if args.configs == "all" or
              c[0] in args.configs.split(",") or c[1] in args.configs.split(",")]
    cals = {}
    for key, name, passes, *kind in wanted:
        kind = kind[0] if kind else args.calibration
        if kind not in cals:
            cals[kind] = prepare(args, kind)
        run_config(args, cals[kind], key, name, passes, kind)
    kinds = ORT_KINDS if args.ort == "all" else [] if args.ort == "none" else args.ort.split(",")
    for kind in kinds:
        run_ort(args, kind)
    return 0


if __name__ == "__main__":
    sys.exit(main())
