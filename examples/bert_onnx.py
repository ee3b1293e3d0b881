"""Builds BERT-style encoder graphs in ONNX the way PyTorch's exporter
writes them (opset 13): symbolic batch and sequence dims, Shape -> Gather ->
Concat -> Reshape head splits, LayerNorm decomposed into nine nodes, GELU
through Erf, the attention mask turned into an additive bias. Used by
make_encoder_onnx.py (one layer, random weights) and minilm/build_minilm.py
(all-MiniLM-L6-v2's real weights)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class GraphBuilder:
    def __init__(self, hidden, heads, weights):
        """`weights(name, shape)` gives the float32 array of a parameter,
        in PyTorch's layout (Linear weights are out x in)."""
        self.hidden, self.heads = hidden, heads
        self.weights = weights
        self.inits, self.nodes = [], []

    def const(self, name, value, dtype=np.float32):
        if not any(t.name == name for t in self.inits):
            self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(self, op, inputs, outputs=None, name=None, **attrs):
        name = name or f"{op.lower()}_{len(self.nodes)}"
        outputs = outputs or [name + "_out"]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]

    def unsqueeze(self, x, axis):
        return self.node("Unsqueeze", [x, self.const(f"axes{axis}", [axis], np.int64)])

    def dim(self, x, i):
        """x.shape[i] as a 1-element int64 tensor."""
        shape = self.node("Shape", [x])
        return self.unsqueeze(self.node("Gather", [shape, self.const(f"i{i}", i, np.int64)],
                                        axis=0), 0)

    def linear(self, x, prefix, n_in, n_out):
        # PyTorch exports x @ W^T with W^T as the initializer.
        w = self.const(prefix + ".weight", self.weights(prefix + ".weight", (n_out, n_in)).T)
        b = self.const(prefix + ".bias", self.weights(prefix + ".bias", (n_out,)))
        # Named as PyTorch's exporter names them, so layers can be picked
        # by name (qc-compile --keep-float, the quantization report).
        return self.node("Add", [self.node("MatMul", [x, w], name=prefix + "/MatMul"), b])

    def layer_norm(self, x, prefix, eps=1e-12):
        n = self.node
        m = n("ReduceMean", [x], axes=[-1])
        d = n("Sub", [x, m])
        v = n("ReduceMean", [n("Pow", [d, self.const("two", 2.0)])], axes=[-1])
        s = n("Sqrt", [n("Add", [v, self.const("eps", eps)])])
        g = self.const(prefix + ".weight", self.weights(prefix + ".weight", (self.hidden,)))
        b = self.const(prefix + ".bias", self.weights(prefix + ".bias", (self.hidden,)))
        return n("Add", [n("Mul", [n("Div", [d, s]), g]), b])

    def split_heads(self, x, ref):
        d = self.hidden // self.heads
        shape = self.node("Concat", [self.dim(ref, 0), self.dim(ref, 1),
                                     self.const("heads", [self.heads, d], np.int64)], axis=0)
        return self.node("Transpose", [self.node("Reshape", [x, shape])], perm=[0, 2, 1, 3])

    def mask_bias(self, mask):
        """mask (batch, seq) of 1/0 -> additive bias (batch, 1, 1, seq)."""
        m = self.unsqueeze(self.unsqueeze(mask, 1), 2)
        return self.node("Mul", [self.node("Sub", [self.const("one", 1.0),
                                                   self.node("Cast", [m], to=TensorProto.FLOAT)]),
                                 self.const("neg", -10000.0)])

    def encoder_layer(self, x, bias, prefix):
        n, h = self.node, self.hidden
        q = self.split_heads(self.linear(x, prefix + "attention.self.query", h, h), x)
        k = self.split_heads(self.linear(x, prefix + "attention.self.key", h, h), x)
        v = self.split_heads(self.linear(x, prefix + "attention.self.value", h, h), x)
        scale = self.const("sqrt_d", np.sqrt(h // self.heads))
        scores = n("Div", [n("MatMul", [q, n("Transpose", [k], perm=[0, 1, 3, 2])]), scale])
        probs = n("Softmax", [n("Add", [scores, bias])], axis=-1)
        ctx = n("Transpose", [n("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        merged = n("Reshape", [ctx, n("Concat", [self.dim(x, 0), self.dim(x, 1),
                                                 self.const("hidden", [h], np.int64)], axis=0)])
        attn = self.layer_norm(n("Add", [self.linear(merged, prefix + "attention.output.dense", h, h),
                                         x]), prefix + "attention.output.LayerNorm")
        ffn = 4 * h
        f = self.linear(attn, prefix + "intermediate.dense", h, ffn)
        gelu = n("Mul", [n("Mul", [f, n("Add", [n("Erf", [n("Div", [f, self.const("sqrt2", np.sqrt(2.0))])]),
                                                self.const("one", 1.0)])]), self.const("half", 0.5)])
        return self.layer_norm(n("Add", [self.linear(gelu, prefix + "output.dense", ffn, h), attn]),
                               prefix + "output.LayerNorm")

    def model(self, name, inputs, outputs):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
        onnx.checker.check_model(m)
        return m
