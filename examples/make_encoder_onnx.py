"""Writes one encoder layer of all-MiniLM-L6-v2's shape (hidden 384, 12
heads, FFN 1536) as ONNX, the way PyTorch's exporter writes BERT at opset 13:
symbolic batch and sequence dims, Shape -> Gather -> Concat -> Reshape head
splits, LayerNorm decomposed into nine nodes, GELU through Erf, the attention
mask turned into an additive bias. Weights are random (seeded).

usage: make_encoder_onnx.py OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

H, HEADS, FFN = 384, 12, 1536
D = H // HEADS
rng = np.random.default_rng(0)
inits, nodes = [], []


def const(name, value, dtype=np.float32):
    if not any(t.name == name for t in inits):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
    return name


def node(op, inputs, outputs=None, **attrs):
    name = f"{op.lower()}_{len(nodes)}"
    outputs = outputs or [name + "_out"]
    nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
    return outputs[0]


def unsqueeze(x, axis):
    return node("Unsqueeze", [x, const(f"axes{axis}", [axis], np.int64)])


def linear(x, n_in, n_out, prefix):
    w = const(prefix + ".weight", rng.standard_normal((n_in, n_out)) * 0.05)
    b = const(prefix + ".bias", rng.standard_normal(n_out) * 0.01)
    return node("Add", [node("MatMul", [x, w]), b])


def layer_norm(x, prefix):
    m = node("ReduceMean", [x], axes=[-1])
    d = node("Sub", [x, m])
    v = node("ReduceMean", [node("Pow", [d, const(prefix + ".two", 2.0)])], axes=[-1])
    s = node("Sqrt", [node("Add", [v, const(prefix + ".eps", 1e-12)])])
    n = node("Div", [d, s])
    g = const(prefix + ".weight", 1 + 0.1 * rng.standard_normal(H))
    return node("Add", [node("Mul", [n, g]), const(prefix + ".bias", 0.1 * rng.standard_normal(H))])


def split_heads(x):
    shape = node("Shape", [x])
    b = unsqueeze(node("Gather", [shape, const("i0", 0, np.int64)], axis=0), 0)
    s = unsqueeze(node("Gather", [shape, const("i1", 1, np.int64)], axis=0), 0)
    new_shape = node("Concat", [b, s, const("heads", [HEADS, D], np.int64)], axis=0)
    return node("Transpose", [node("Reshape", [x, new_shape])], perm=[0, 2, 1, 3])


x, mask = "hidden_states", "attention_mask"
q = split_heads(linear(x, H, H, "attention.self.query"))
k = split_heads(linear(x, H, H, "attention.self.key"))
v = split_heads(linear(x, H, H, "attention.self.value"))
scores = node("Div", [node("MatMul", [q, node("Transpose", [k], perm=[0, 1, 3, 2])]),
                      const("sqrt_d", np.sqrt(D))])
# mask (batch, seq) of 1/0 -> additive bias (batch, 1, 1, seq)
m = unsqueeze(unsqueeze(mask, 1), 2)
bias = node("Mul", [node("Sub", [const("one", 1.0), node("Cast", [m], to=TensorProto.FLOAT)]),
                    const("neg", -10000.0)])
probs = node("Softmax", [node("Add", [scores, bias])], axis=-1)
ctx = node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
shape = node("Shape", [x])
merged = node("Reshape", [ctx, node("Concat", [
    unsqueeze(node("Gather", [shape, "i0"], axis=0), 0),
    unsqueeze(node("Gather", [shape, "i1"], axis=0), 0),
    const("hidden", [H], np.int64)], axis=0)])
attn = layer_norm(node("Add", [linear(merged, H, H, "attention.output.dense"), x]),
                  "attention.output.LayerNorm")
h = linear(attn, H, FFN, "intermediate.dense")
gelu = node("Mul", [node("Mul", [h, node("Add", [node("Erf", [node("Div", [h, const("sqrt2", np.sqrt(2.0))])]),
                                                  "one"])]), const("half", 0.5)])
out = layer_norm(node("Add", [linear(gelu, FFN, H, "output.dense"), attn]), "output.LayerNorm")
nodes.append(helper.make_node("Identity", [out], ["last_hidden_state"], name="output"))

graph = helper.make_graph(
    nodes, "minilm_encoder_layer",
    [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["batch", "sequence", H]),
     helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "sequence"])],
    [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", H])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
onnx.checker.check_model(model)
onnx.save_model(model, sys.argv[1])
