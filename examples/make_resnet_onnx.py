"""Writes a ResNet-style CNN as ONNX with random (seeded) weights: a 7x7/2
stem with max pooling, four stages of two basic blocks (3x3 convs, ReLU,
identity or 1x1/2 projection shortcuts; BatchNorm folded into the convs as
exporters do for inference), global average pooling and a classifier.
Channels 32-64-128-256 (ResNet-18's layout at half width).

usage: make_resnet_onnx.py OUT.onnx [--size S]   (input 1 x 3 x S x S, default 112)"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
inits, nodes = [], []


def const(name, value):
    inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
    return name


def node(op, inputs, **attrs):
    name = f"{op.lower()}_{len(nodes)}"
    nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
    return name


def conv(x, cin, cout, k, stride=1, relu=True):
    w = const(f"w{len(inits)}", rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (cin * k * k)))
    b = const(f"b{len(inits)}", rng.standard_normal(cout) * 0.01)
    y = node("Conv", [x, w, b], kernel_shape=[k, k], strides=[stride, stride],
             pads=[k // 2] * 4)
    return node("Relu", [y]) if relu else y


def block(x, cin, cout, stride):
    y = conv(conv(x, cin, cout, 3, stride), cout, cout, 3, relu=False)
    shortcut = x if stride == 1 and cin == cout else conv(x, cin, cout, 1, stride, relu=False)
    return node("Relu", [node("Add", [y, shortcut])])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=112)
    args = ap.parse_args()
    x = node("MaxPool", [conv("input", 3, 32, 7, 2)], kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 1, 1])
    cin = 32
    for cout, stride in [(32, 1), (64, 2), (128, 2), (256, 2)]:
        x = block(block(x, cin, cout, stride), cout, cout, 1)
        cin = cout
    pooled = node("Flatten", [node("GlobalAveragePool", [x])], axis=1)
    w = const("fc.weight", rng.standard_normal((cin, 1000)) * 0.02)
    logits = node("Add", [node("MatMul", [pooled, w]), const("fc.bias", np.zeros(1000))])
    nodes.append(helper.make_node("Identity", [logits], ["logits"], name="output"))
    graph = helper.make_graph(
        nodes, "resnet_style",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, args.size, args.size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    onnx.checker.check_model(model)
    onnx.save_model(model, args.out)


if __name__ == "__main__":
    main()
