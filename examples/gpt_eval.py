"""The GPT-style decoder of make_gpt_onnx.py quantized by qc (each preset, RTN
and GPTQ, the lm_head kept in float) and by ONNX Runtime's tool, against the
float model in ONNX Runtime: cosine similarity of each token's logits, top-1
agreement, latency of one 64-token sequence. Calibration and evaluation use
different random token sequences (the weights are random too).

usage: gpt_eval.py --bin BUILD/bin --work DIR [--configs ...] [--threads 1]
                   [--repeat 0] [--json OUT] [--check CONFIG:METRIC>=VALUE ...]
"""
import argparse
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import numpy as np  # noqa: E402

import make_gpt_onnx  # noqa: E402
import onnx  # noqa: E402
import quant_eval as qe  # noqa: E402

VOCAB, SEQ = 2048, 64
QC_CONFIGS = {
    "qc-float": [],
    "qc-w8a8-gptq": ["--quant=w8a8", "--weight-quantizer=gptq"],
    "qc-w8a16-gptq": ["--quant=w8a16", "--weight-quantizer=gptq"],
    "qc-w4a16-rtn": ["--quant=w4a16", "--weight-quantizer=rtn"],
    "qc-w4a16-gptq": ["--quant=w4a16", "--weight-quantizer=gptq"],
    "qc-w4a16-gptq-float-head": ["--quant=w4a16", "--weight-quantizer=gptq",
                                 "--keep-float=*lm_head*"],
    "qc-w4a8-gptq": ["--quant=w4a8", "--weight-quantizer=gptq"],
}
ORT_CONFIGS = ["ort-float", "ort-int8-dynamic", "ort-int8-static", "ort-int4-rtn"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--configs", default=",".join(list(QC_CONFIGS) + ORT_CONFIGS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=0)
    ap.add_argument("--json")
    ap.add_argument("--check", action="append", default=[])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model = os.path.join(args.work, "gpt.onnx")
    onnx.save(make_gpt_onnx.build(4, 256, 4, VOCAB), model)

    rng = np.random.default_rng(2024)
    calib_samples = [[rng.integers(0, VOCAB, (1, SEQ)).astype(np.int64)] for _ in range(16)]
    calib_dir = qe.write_calibration(os.path.join(args.work, "calib"), calib_samples, ["input_ids"])
    calib_feeds = [{"input_ids": s[0]} for s in calib_samples]
    eval_rng = np.random.default_rng(7)
    eval_batches = [[eval_rng.integers(0, VOCAB, (4, SEQ)).astype(np.int64)] for _ in range(2)]
    latency_inputs = [eval_rng.integers(0, VOCAB, (1, SEQ)).astype(np.int64)]

    rows = qe.evaluate(model, args.bin, args.work, args.configs.split(","), QC_CONFIGS,
                       eval_batches, latency_inputs, ["input_ids"], "logits", 0,
                       ["--calib=" + calib_dir], calib_feeds, args.threads, args.repeat,
                       keep_top1=True)
    # Decode-shaped: one token (the kernels' GEMV; this model has no KV cache,
    # so it is the cost of one step without one).
    if args.repeat:
        one = [latency_inputs[0][:, :1]]
        for row in rows:
            name = row["config"]
            if name in QC_CONFIGS:
                compiled = qe.qcrt.Model(os.path.join(args.work, name + ".so"), threads=args.threads)
                row["latency_1_ms"] = round(qe.median_ms(lambda: compiled.run(one), args.repeat), 3)
            else:
                path = model if name == "ort-float" else os.path.join(args.work, name + ".onnx")
                session = qe.ort_session(path, args.threads)
                row["latency_1_ms"] = round(qe.median_ms(
                    lambda: session.run(["logits"], {"input_ids": one[0]}), args.repeat), 3)
    qe.print_table(f"\nGPT-style decoder (4 layers, 256 wide, vocab {VOCAB}, random weights): "
                   f"{len(calib_samples)} calibration sequences, {SEQ} tokens; "
                   f"{args.threads} thread(s)", rows,
                   ["config", "mean_cosine", "worst_cosine", "top1", "latency_ms", "latency_1_ms",
                    "bytes",
                    "prepare_s", "mean_layer_error"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"calibration_sequences": len(calib_samples), "sequence": SEQ,
                       "threads": args.threads, "rows": rows}, f, indent=2)
    return 0 if qe.run_checks(rows, args.check) else 1


if __name__ == "__main__":
    sys.exit(main())
