"""An independent NumPy forward pass of SmolLM2-135M-Instruct, used to check
the ONNX model of build_smollm2.py in ONNX Runtime.

Independent of the ONNX graph in the ways that could go wrong: it keeps the
GGUF's q/k weights as llama.cpp stores them (no unpermute) and applies RoPE
the way llama.cpp does, rotating adjacent pairs (2j, 2j+1) as complex
numbers; GQA by indexing KV head h // 3 rather than repeat_kv; the mask with
np.triu and a boolean select before a max-subtracted softmax; RMSNorm with
1/sqrt in one step; the LM head as h @ emb.T. Only the dequantized weights
(gguf.quants) are shared. Float32 throughout (float64 with --float64).

usage: reference.py MODEL.onnx [--text TEXT] [--tolerance 1e-3] [--threads N]
Runs both on a real sentence (and a padded batch of two), prints the max
abs difference of the logits and exits 1 when it is above --tolerance
(default 1e-3 absolute on logits of magnitude ~10-30: float32 rounding level).
"""
import argparse
import os
import sys
import time

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import gguf_weights  # noqa: E402


class Reference:
    def __init__(self, dtype=np.float32, path=None):
        self.cfg, self.w = gguf_weights.weights(path, hf_layout=False)
        self.dtype = dtype
        if dtype != np.float32:
            self.w = {k: v.astype(dtype) for k, v in self.w.items()}

    def rms(self, x, name):
        ms = (x * x).mean(-1, keepdims=True)
        return x / np.sqrt(ms + self.dtype(self.cfg["rms_eps"])) * self.w[name]

    def rope(self, x, positions):
        """llama.cpp's RoPE (its 'normal' mode) on [..., seq, d]: pairs
        (x[2j], x[2j+1]) rotated by positions * theta^(-2j/d)."""
        d = x.shape[-1]
        freq = self.cfg["rope_theta"] ** (-np.arange(0, d, 2, dtype=np.float64) / d)
        angle = positions[:, None].astype(np.float64) * freq[None, :]  # [seq, d/2]
        cos, sin = np.cos(angle).astype(self.dtype), np.sin(angle).astype(self.dtype)
        even, odd = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = even * sin + odd * cos
        return out

    def forward(self, input_ids, attention_mask=None):
        """logits [batch, seq, vocab] for int64 input_ids [batch, seq]."""
        c, w = self.cfg, self.w
        b, s = input_ids.shape
        if attention_mask is None:
            attention_mask = np.ones_like(input_ids)
        heads, kvh, d = c["heads"], c["kv_heads"], c["head_dim"]
        emb = w["model.embed_tokens.weight"]
        x = emb[input_ids]
        positions = np.arange(s)
        allowed = ~np.triu(np.ones((s, s), bool), 1)[None, None] & (attention_mask[:, None, None, :] != 0)
        kv_of = np.arange(heads) // (heads // kvh)
        for i in range(c["layers"]):
            p = f"model.layers.{i}."
            h = self.rms(x, p + "input_layernorm.weight")
            q = (h @ w[p + "self_attn.q_proj.weight"].T).reshape(b, s, heads, d).transpose(0, 2, 1, 3)
            k = (h @ w[p + "self_attn.k_proj.weight"].T).reshape(b, s, kvh, d).transpose(0, 2, 1, 3)
            v = (h @ w[p + "self_attn.v_proj.weight"].T).reshape(b, s, kvh, d).transpose(0, 2, 1, 3)
            q, k = self.rope(q, positions), self.rope(k, positions)
            scores = np.einsum("bhqd,bhkd->bhqk", q, k[:, kv_of]) / self.dtype(np.sqrt(d))
            scores = np.where(allowed, scores, -np.inf)
            top = scores.max(-1, keepdims=True)
            top = np.where(np.isfinite(top), top, 0)
            e = np.exp(scores - top)
            denom = e.sum(-1, keepdims=True)
            probs = np.where(denom > 0, e / np.where(denom > 0, denom, 1),
                             1.0 / s)  # a fully masked row: uniform, as Softmax of equal values
            ctx = np.einsum("bhqk,bhkd->bhqd", probs.astype(self.dtype), v[:, kv_of])
            ctx = ctx.transpose(0, 2, 1, 3).reshape(b, s, heads * d)
            x = x + ctx @ w[p + "self_attn.o_proj.weight"].T
            h = self.rms(x, p + "post_attention_layernorm.weight")
            gate = h @ w[p + "mlp.gate_proj.weight"].T
            up = h @ w[p + "mlp.up_proj.weight"].T
            silu = gate / (1 + np.exp(-gate))
            x = x + (silu * up) @ w[p + "mlp.down_proj.weight"].T
        x = self.rms(x, "model.norm.weight")
        return x @ emb.T


SENTENCE = ("Quantization stores the weights of a neural network in fewer bits, so that the "
            "model is smaller and faster, at some cost in accuracy.")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--text", default=SENTENCE)
    ap.add_argument("--tolerance", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--float64", action="store_true")
    args = ap.parse_args()
    import onnxruntime as ort
    import tokenizer

    tok = tokenizer.load()
    ids = np.array([tok.encode(args.text)], np.int64)
    # A padded batch too: the sentence, and its first half right-padded.
    short = ids[:, : ids.shape[1] // 2]
    batch = np.concatenate([ids, np.pad(short, ((0, 0), (0, ids.shape[1] - short.shape[1])),
                                        constant_values=2)])
    mask = np.ones_like(batch)
    mask[1, short.shape[1]:] = 0

    t = time.perf_counter()
    ref = Reference(np.float64 if args.float64 else np.float32)
    want = ref.forward(batch, mask)
    ref_s = time.perf_counter() - t
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    got = session.run(["logits"], {"input_ids": batch, "attention_mask": mask})[0]

    real = mask.astype(bool)  # padded positions' logits are not compared
    diff = np.abs(got.astype(np.float64) - want)[real]
    err = float(diff.max())
    print(f"{ids.shape[1]} tokens, batch of 2 (second right-padded to {short.shape[1]} tokens); "
          f"reference {ref_s:.1f} s")
    print(f"logits: max |ORT - NumPy| = {err:.3g} (max |logit| {float(np.abs(want[real]).max()):.1f}, "
          f"tolerance {args.tolerance:g}); top-1 agreement "
          f"{float((got.argmax(-1) == want.argmax(-1))[real].mean()):.4f}")
    # The short row, padded, must equal the same row run alone.
    alone = session.run(["logits"], {"input_ids": short, "attention_mask": np.ones_like(short)})[0]
    pad_err = float(np.abs(alone[0] - got[1, : short.shape[1]]).max())
    print(f"padded row vs the same tokens alone: max diff {pad_err:.3g}")
    logp = want[0, :-1] - want[0, :-1].max(-1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(-1, keepdims=True))
    nll = -logp[np.arange(ids.shape[1] - 1), ids[0, 1:]].mean()
    print(f"reference perplexity of the sentence: {np.exp(nll):.2f}")
    ok = err <= args.tolerance and pad_err <= args.tolerance
    print("ok" if ok else "FAILED: outside the tolerance")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
