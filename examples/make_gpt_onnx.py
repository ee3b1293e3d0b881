"""Writes a small GPT-style decoder-only transformer as ONNX, the way
PyTorch's exporter writes GPT-2 (opset 13): token and learned position
embeddings, pre-LayerNorm blocks with causal self-attention (an additive
mask sliced to the sequence length) and a GELU MLP, a final LayerNorm and an
untied lm_head. Random weights (GPT-2's initialization, N(0, 0.02)), so the
model is for compiling and comparing numbers, not for generating text.

Inputs:  input_ids int64 [batch, sequence]  (sequence <= 256)
Outputs: logits float32 [batch, sequence, vocab]

usage: make_gpt_onnx.py OUT.onnx [--layers N] [--hidden H] [--heads A] [--vocab V]
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_onnx import GraphBuilder  # noqa: E402

MAX_POSITIONS = 256


def build(layers, hidden, heads, vocab, seed=0):
    rng = np.random.default_rng(seed)

    def weights(name, shape):
        if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
            return np.ones(shape, np.float32)
        if name.endswith(".bias"):
            return np.zeros(shape, np.float32)
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    g = GraphBuilder(hidden, heads, weights)
    n = g.node
    ids = "input_ids"
    tokens = n("Gather", [g.const("wte.weight", weights("wte.weight", (vocab, hidden))), ids],
               name="wte/Gather")
    seq = g.dim(ids, 1)
    zero = g.const("zero", [0], np.int64)
    positions = n("Slice", [g.const("wpe.weight", weights("wpe.weight", (MAX_POSITIONS, hidden))),
                            zero, seq, zero], name="wpe/Slice")
    x = n("Add", [tokens, positions])
    # Causal mask: 0 on and below the diagonal, -10000 above, sliced to
    # [seq, seq] at run time.
    mask = np.triu(np.full((MAX_POSITIONS, MAX_POSITIONS), -10000.0, np.float32), k=1)
    one = g.const("axis1", [1], np.int64)
    causal = n("Slice", [n("Slice", [g.const("causal_mask", mask), zero, seq, zero]), zero, seq, one],
               name="causal_mask/Slice")
    d = hidden // heads
    for i in range(layers):
        p = f"h.{i}."
        h = g.layer_norm(x, p + "ln_1", eps=1e-5)
        q = g.split_heads(g.linear(h, p + "attn.q_proj", hidden, hidden), h)
        k = g.split_heads(g.linear(h, p + "attn.k_proj", hidden, hidden), h)
        v = g.split_heads(g.linear(h, p + "attn.v_proj", hidden, hidden), h)
        scores = n("Div", [n("MatMul", [q, n("Transpose", [k], perm=[0, 1, 3, 2])]),
                           g.const("sqrt_d", np.sqrt(d))])
        probs = n("Softmax", [n("Add", [scores, causal])], axis=-1)
        ctx = n("Transpose", [n("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        merged = n("Reshape", [ctx, n("Concat", [g.dim(h, 0), g.dim(h, 1),
                                                 g.const("hidden", [hidden], np.int64)], axis=0)])
        x = n("Add", [x, g.linear(merged, p + "attn.o_proj", hidden, hidden)])
        h = g.layer_norm(x, p + "ln_2", eps=1e-5)
        f = g.linear(h, p + "mlp.fc_in", hidden, 4 * hidden)
        gelu = n("Mul", [n("Mul", [f, n("Add", [n("Erf", [n("Div", [f, g.const("sqrt2", np.sqrt(2.0))])]),
                                                g.const("one", 1.0)])]), g.const("half", 0.5)])
        x = n("Add", [x, g.linear(gelu, p + "mlp.fc_out", 4 * hidden, hidden)])
    x = g.layer_norm(x, "ln_f", eps=1e-5)
    head = g.const("lm_head.weight", weights("lm_head.weight", (vocab, hidden)).T)
    n("MatMul", [x, head], outputs=["logits"], name="lm_head/MatMul")
    return g.model(
        "gpt",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", vocab])])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--vocab", type=int, default=2048)
    args = parser.parse_args()
    onnx.save(build(args.layers, args.hidden, args.heads, args.vocab), args.out)


if __name__ == "__main__":
    main()
