"""A small Llama-architecture decoder with activation outliers
(make_llama_onnx.py --outliers: a few hidden channels 20x the others, as
real LLMs have) quantized by qc with and without the float-preserving
passes (SmoothQuant, AWQ, RepQ-ViT reparameterization), against the float
model in ONNX Runtime: cosine similarity of each token's logits and top-1
agreement. Calibration and evaluation use different random token sequences.

usage: llama_eval.py --bin BUILD/bin --work DIR [--configs ...] [--json OUT]
                     [--check CONFIG:METRIC>=VALUE ...]
"""
import argparse
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import numpy as np  # noqa: E402
import onnx  # noqa: E402

import make_llama_onnx  # noqa: E402
import quant_eval as qe  # noqa: E402
from build_smollm2 import build  # noqa: E402  (make_llama_onnx put it on the path)

VOCAB, SEQ = 512, 32
STATIC = ["--quant=w8a8", "--per-tensor-activations", "--weight-quantizer=gptq"]
QC_CONFIGS = {
    "qc-float": [],
    "qc-w8a8-static": STATIC,
    "qc-w8a8-static-smooth": STATIC + ["--smooth"],
    "qc-w8a8-static-smooth-0.5": STATIC + ["--smooth=0.5"],
    "qc-w8a8-static-reparam": STATIC + ["--reparam"],
    "qc-w8a8-dynamic": ["--quant=w8a8", "--weight-quantizer=gptq"],
    "qc-w4a16-rtn": ["--quant=w4a16", "--weight-quantizer=rtn"],
    "qc-w4a16-gptq": ["--quant=w4a16", "--weight-quantizer=gptq"],
    "qc-w4a16-gptq-awq": ["--quant=w4a16", "--weight-quantizer=gptq", "--awq"],
    "qc-w4a4-gptq": ["--quant=w4a4", "--weight-quantizer=gptq"],
    "qc-w4a4-gptq-clip": ["--quant=w4a4", "--weight-quantizer=gptq", "--activation-clip=search"],
    "qc-w4a4-rotate-gptq": ["--quant=w4a4", "--weight-quantizer=gptq", "--rotate"],
    "qc-w4a4-rotate-gptq-clip": ["--quant=w4a4", "--weight-quantizer=gptq", "--rotate",
                                 "--activation-clip=search"],
    "qc-w4a8-gptq": ["--quant=w4a8", "--weight-quantizer=gptq"],
    "qc-w4a8-rotate-gptq": ["--quant=w4a8", "--weight-quantizer=gptq", "--rotate"],
    "qc-w8a8-static-rotate": STATIC + ["--rotate"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--configs", default=",".join(QC_CONFIGS))
    ap.add_argument("--json")
    ap.add_argument("--check", action="append", default=[])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    cfg = {"layers": 2, "hidden": 128, "heads": 4, "kv_heads": 2, "head_dim": 32, "ffn": 256,
           "vocab": VOCAB, "rope_theta": 10000.0, "rms_eps": 1e-5}
    model = os.path.join(args.work, "llama.onnx")
    onnx.save(build(cfg, make_llama_onnx.random_weights(cfg, True, 0)), model)
    names = ["input_ids", "attention_mask"]
    rng = np.random.default_rng(2024)
    calib_samples = [[rng.integers(0, VOCAB, (1, SEQ)).astype(np.int64), np.ones((1, SEQ), np.int64)]
                     for _ in range(8)]
    calib_dir = qe.write_calibration(os.path.join(args.work, "calib"), calib_samples, names)
    calib_feeds = [dict(zip(names, s)) for s in calib_samples]
    eval_rng = np.random.default_rng(7)
    eval_batches = [[eval_rng.integers(0, VOCAB, (2, SEQ)).astype(np.int64),
                     np.ones((2, SEQ), np.int64)] for _ in range(2)]
    rows = qe.evaluate(model, args.bin, args.work, args.configs.split(","), QC_CONFIGS,
                       eval_batches, [b for b in eval_batches[0]], names, "logits", 0,
                       ["--calib=" + calib_dir], calib_feeds, 1, 0, keep_top1=True)
    qe.print_table(f"\nLlama-style decoder with outliers (2 layers, 128 wide, GQA 4/2, vocab "
                   f"{VOCAB}, random weights): {len(calib_samples)} calibration sequences of {SEQ}",
                   rows, ["config", "mean_cosine", "worst_cosine", "top1", "bytes", "prepare_s",
                          "mean_layer_error"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows}, f, indent=2)
    return 0 if qe.run_checks(rows, args.check) else 1


if __name__ == "__main__":
    sys.exit(main())
