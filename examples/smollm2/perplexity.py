"""Perplexity of SmolLM2-135M on held-out English (text.py: The Devil's
Dictionary, entries E-Z), run by ONNX Runtime (an .onnx model: the float
model of build_smollm2.py or one that ONNX Runtime's quantizer wrote) and/or
by qc (a compiled artifact, through runtime/python/qcrt.py).

Non-overlapping windows of --seq-len tokens from the start of the evaluation
text, each scored on its own (no context carried over); perplexity is
exp(mean NLL) over every predicted token (seq_len - 1 per window).

usage: perplexity.py MODEL.onnx [--artifact MODEL.so] [--windows N] [--seq-len L]
                     [--threads T] [--batch B] [--no-ort] [--json OUT]
       perplexity.py --write-calibration DIR [--samples N] [--seq-len L]
The second form writes DIR/sample_K/input_0.npy (input_ids) and input_1.npy
(attention_mask, all ones), int64 [1, L], from the calibration text (entries
A-D and the preface), for qc-compile --calib=DIR.

As a library (the benchmark evaluates many configs with it):
    import perplexity as P
    windows = P.evaluation_windows(16, 256)
    P.perplexity(P.ort_runner("model.onnx", threads=2), windows)    # {'ppl': ..., ...}
    P.perplexity(P.qc_runner("model.so", threads=2), windows)
    P.calibration_feeds(32, 256)     # [{'input_ids': ..., 'attention_mask': ...}, ...]
    P.write_calibration("calib/", 32, 256)
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, ".."))
sys.path.insert(0, os.path.join(here, "..", "..", "runtime", "python"))
import text  # noqa: E402

INPUTS = ("input_ids", "attention_mask")


def evaluation_windows(n_windows=16, seq_len=256):
    """int64 [n_windows, seq_len] token ids of the evaluation text
    (n_windows None or 0: every whole window)."""
    return text.evaluation(n_windows or None, seq_len)


def calibration_samples(n_samples=32, seq_len=256):
    """[[input_ids, attention_mask], ...], each int64 [1, seq_len], from the
    calibration text (disjoint from the evaluation text)."""
    ids = text.calibration(n_samples, seq_len)
    return [[row[None, :].copy(), np.ones((1, seq_len), np.int64)] for row in ids]


def calibration_feeds(n_samples=32, seq_len=256):
    """The same samples as feed dicts (ONNX Runtime's quantizer's reader)."""
    return [dict(zip(INPUTS, s)) for s in calibration_samples(n_samples, seq_len)]


def write_calibration(directory, n_samples=32, seq_len=256):
    """DIR/sample_K/input_N.npy for qc-compile --calib=DIR. Returns DIR."""
    from quant_eval import write_calibration as write
    return write(directory, calibration_samples(n_samples, seq_len), list(INPUTS))


def ort_runner(path, threads=1):
    """A function (input_ids, attention_mask) -> logits, by ONNX Runtime."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return lambda ids, mask: session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]


def qc_runner(artifact, threads=1):
    """A function (input_ids, attention_mask) -> logits, by a qc artifact."""
    import qcrt
    model = qcrt.Model(artifact, threads=threads)
    names = [name for name, _ in model.inputs]
    out = [name for name, _ in model.outputs].index("logits")

    def run(ids, mask):
        feed = {"input_ids": ids, "attention_mask": mask}
        return model.run([feed[name] for name in names])[out]
    return run


def token_nll(logits, ids):
    """NLL (float64) of ids[:, 1:] under logits[:, :-1] (each row's own context)."""
    x = logits[:, :-1].astype(np.float64)
    x -= x.max(-1, keepdims=True)
    logz = np.log(np.exp(x).sum(-1))
    target = np.take_along_axis(x, ids[:, 1:, None], -1)[..., 0]
    return logz - target


def perplexity(run, windows, batch=1):
    """{'ppl', 'nll' (mean), 'tokens' (predicted), 'windows', 'seq_len', 'seconds'}
    of run(input_ids, attention_mask) -> logits over the windows."""
    total, count = 0.0, 0
    start = time.perf_counter()
    for i in range(0, len(windows), batch):
        ids = np.ascontiguousarray(windows[i:i + batch])
        logits = run(ids, np.ones_like(ids))
        nll = token_nll(logits, ids)
        total += float(nll.sum())
        count += nll.size
    mean = total / count
    return {"ppl": float(np.exp(mean)), "nll": mean, "tokens": count, "windows": len(windows),
            "seq_len": int(windows.shape[1]), "seconds": round(time.perf_counter() - start, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", nargs="?", help="an .onnx model, run by ONNX Runtime")
    ap.add_argument("--artifact", help="a qc artifact (qc-compile -o MODEL.so), run by libqcrt")
    ap.add_argument("--windows", type=int, default=16, help="0: every whole window (default 16)")
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1, help="windows per run")
    ap.add_argument("--no-ort", action="store_true", help="only the artifact")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--write-calibration", metavar="DIR")
    ap.add_argument("--samples", type=int, default=32, help="calibration samples (default 32)")
    args = ap.parse_args()

    if args.write_calibration:
        d = write_calibration(args.write_calibration, args.samples, args.seq_len)
        print(f"{d}: {args.samples} samples of {args.seq_len} tokens (input_ids, attention_mask)")
        return 0
    if not args.model and not args.artifact:
        ap.error("give MODEL.onnx, --artifact MODEL.so, or --write-calibration DIR")

    windows = evaluation_windows(args.windows, args.seq_len)
    print(f"evaluation text: {len(windows)} windows of {args.seq_len} tokens, "
          f"{args.threads} thread(s)", flush=True)
    results = {}
    if args.model and not args.no_ort:
        results["ort"] = perplexity(ort_runner(args.model, args.threads), windows, args.batch)
        results["ort"]["model"] = args.model
        print(f"ONNX Runtime {args.model}: perplexity {results['ort']['ppl']:.4f} "
              f"({results['ort']['tokens']} tokens, {results['ort']['seconds']} s)", flush=True)
    if args.artifact:
        results["qc"] = perplexity(qc_runner(args.artifact, args.threads), windows, args.batch)
        results["qc"]["artifact"] = args.artifact
        print(f"qc {args.artifact}: perplexity {results['qc']['ppl']:.4f} "
              f"({results['qc']['tokens']} tokens, {results['qc']['seconds']} s)", flush=True)
    if "ort" in results and "qc" in results:
        print(f"qc / ONNX Runtime perplexity: {results['qc']['ppl'] / results['ort']['ppl']:.6f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
