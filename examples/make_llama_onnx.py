"""Writes a small Llama-architecture decoder (RMSNorm, RoPE, GQA, SwiGLU,
tied LM head) as ONNX, with the graph examples/smollm2/build_smollm2.py
writes for SmolLM2 (the way PyTorch exports LlamaForCausalLM at opset 17)
and random weights. `--outliers` gives a few hidden channels RMSNorm scales
20x the others, the activation outliers real LLMs have, so smoothing has
something to do.

Inputs:  input_ids, attention_mask int64 [batch, sequence]
Outputs: logits float32 [batch, sequence, vocab]

usage: make_llama_onnx.py OUT.onnx [--layers 2] [--hidden 64] [--heads 4]
           [--kv-heads 2] [--ffn 128] [--vocab 256] [--outliers] [--seed 0]
"""
import argparse
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "smollm2"))
from build_smollm2 import build  # noqa: E402


def random_weights(cfg, outliers, seed):
    rng = np.random.default_rng(seed)
    H, d, F = cfg["hidden"], cfg["head_dim"], cfg["ffn"]

    def normal(*shape, std=0.02):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    def norm_weight():
        g = (1.0 + 0.1 * rng.standard_normal(H)).astype(np.float32)
        if outliers:
            g[rng.choice(H, size=max(1, H // 32), replace=False)] *= 20.0
        return g

    w = {"model.embed_tokens.weight": normal(cfg["vocab"], H, std=1.0),
         "model.norm.weight": norm_weight()}
    for i in range(cfg["layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm_weight()
        w[p + "post_attention_layernorm.weight"] = norm_weight()
        w[p + "self_attn.q_proj.weight"] = normal(cfg["heads"] * d, H)
        w[p + "self_attn.k_proj.weight"] = normal(cfg["kv_heads"] * d, H)
        w[p + "self_attn.v_proj.weight"] = normal(cfg["kv_heads"] * d, H)
        w[p + "self_attn.o_proj.weight"] = normal(H, cfg["heads"] * d)
        w[p + "mlp.gate_proj.weight"] = normal(F, H)
        w[p + "mlp.up_proj.weight"] = normal(F, H)
        w[p + "mlp.down_proj.weight"] = normal(H, F)
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=128)
    ap.add_argument("--vocab", type=int, default=256)
    ap.add_argument("--outliers", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    cfg = {"layers": args.layers, "hidden": args.hidden, "heads": args.heads,
           "kv_heads": args.kv_heads, "head_dim": args.hidden // args.heads, "ffn": args.ffn,
           "vocab": args.vocab, "rope_theta": 10000.0, "rms_eps": 1e-5}
    onnx.save(build(cfg, random_weights(cfg, args.outliers, args.seed)), args.out)


if __name__ == "__main__":
    main()
