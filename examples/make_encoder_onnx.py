"""Writes one encoder layer of all-MiniLM-L6-v2's shape (hidden 384, 12
heads, FFN 1536) as ONNX, as PyTorch's exporter writes BERT (see
bert_onnx.py). Weights are random (seeded).

usage: make_encoder_onnx.py OUT.onnx"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_onnx import GraphBuilder  # noqa: E402

H, HEADS = 384, 12
rng = np.random.default_rng(0)


def random_weights(name, shape):
    if name.endswith("LayerNorm.weight"):
        return 1 + 0.1 * rng.standard_normal(shape)
    scale = 0.05 if name.endswith(".weight") else (0.1 if "LayerNorm" in name else 0.01)
    return rng.standard_normal(shape) * scale


g = GraphBuilder(H, HEADS, random_weights)
out = g.encoder_layer("hidden_states", g.mask_bias("attention_mask"), "")
g.node("Identity", [out], ["last_hidden_state"])
model = g.model(
    "minilm_encoder_layer",
    [helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, ["batch", "sequence", H]),
     helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
    [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", H])])
onnx.save_model(model, sys.argv[1])
