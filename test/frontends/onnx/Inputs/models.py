"""Builds the small ONNX models the frontend's lit tests import.

usage: models.py NAME OUT.onnx

Each model is a function below, named after what it exercises. Models are
written with onnx.helper at test time, so the tests need no binary files."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def model(nodes, inputs, outputs, initializers=(), opset=17, domains=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in domains]
    # IR version 8 is what ONNX 1.12 (Debian's libonnx) reads.
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def weight(name, shape, seed=0):
    rng = np.random.default_rng(seed)
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


# --- elementwise ----------------------------------------------------------

def add_broadcast():
    return model([helper.make_node("Add", ["x", "y"], ["z"], name="add")],
                 [vi("x", F, [2, 3, 4]), vi("y", F, [4])], [vi("z", F, [2, 3, 4])])


def relu_cast():
    return model([helper.make_node("Relu", ["x"], ["r"], name="relu"),
                  helper.make_node("Cast", ["r"], ["c"], name="cast", to=TensorProto.INT32)],
                 [vi("x", F, ["batch", 8])], [vi("c", TensorProto.INT32, ["batch", 8])])


def gelu_tanh():
    return model([helper.make_node("Gelu", ["x"], ["y"], name="gelu", approximate="tanh")],
                 [vi("x", F, [4])], [vi("y", F, [4])], opset=20)


def uint8_compare():
    U8 = TensorProto.UINT8
    return model([helper.make_node("Less", ["a", "b"], ["c"], name="less")],
                 [vi("a", U8, [3]), vi("b", U8, [3])], [vi("c", TensorProto.BOOL, [3])])


# --- matmul ---------------------------------------------------------------

def matmul_weight():
    return model([helper.make_node("MatMul", ["x", "w"], ["y"], name="proj")],
                 [vi("x", F, ["batch", "seq", 64])], [vi("y", F, ["batch", "seq", 32])],
                 [weight("w", [64, 32])])


def matmul_activations():
    return model([helper.make_node("MatMul", ["q", "k"], ["s"], name="scores")],
                 [vi("q", F, [1, 12, 128, 32]), vi("k", F, [1, 12, 32, 128])],
                 [vi("s", F, [1, 12, 128, 128])])


def gemm_bias():
    return model([helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc", transB=1)],
                 [vi("x", F, [8, 16])], [vi("y", F, [8, 10])],
                 [weight("w", [10, 16]), weight("b", [10], seed=1)])


# --- normalization --------------------------------------------------------

def layer_norm():
    return model([helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], name="ln",
                                   axis=-1, epsilon=1e-12)],
                 [vi("x", F, ["batch", 128, 384])], [vi("y", F, ["batch", 128, 384])],
                 [weight("g", [384]), weight("b", [384], seed=1)])


def _decomposed_layer_norm(opset, use_pow=True, extra_use=False):
    c = lambda name, v: numpy_helper.from_array(np.array(v, dtype=np.float32), name)
    mean_axes = dict(axes=[-1]) if opset < 18 else {}
    mean_inputs = [] if opset < 18 else ["axes"]
    nodes = [
        helper.make_node("ReduceMean", ["x"] + mean_inputs, ["m"], name="mean", **mean_axes),
        helper.make_node("Sub", ["x", "m"], ["d"], name="sub"),
        helper.make_node("Pow", ["d", "two"], ["sq"], name="pow") if use_pow
        else helper.make_node("Mul", ["d", "d"], ["sq"], name="square"),
        helper.make_node("ReduceMean", ["sq"] + mean_inputs, ["var"], name="var", **mean_axes),
        helper.make_node("Add", ["var", "eps"], ["ve"], name="add_eps"),
        helper.make_node("Sqrt", ["ve"], ["std"], name="sqrt"),
        helper.make_node("Div", ["d", "std"], ["norm"], name="div"),
        helper.make_node("Mul", ["norm", "gamma"], ["scaled"], name="scale"),
        helper.make_node("Add", ["scaled", "beta"], ["y"], name="shift"),
    ]
    outputs = [vi("y", F, ["batch", 16, 64])]
    if extra_use:
        outputs.append(vi("d", F, ["batch", 16, 64]))
    inits = [c("two", 2.0), c("eps", 1e-12), weight("gamma", [64]), weight("beta", [64], seed=1)]
    if opset >= 18:
        inits.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), "axes"))
    return model(nodes, [vi("x", F, ["batch", 16, 64])], outputs, inits, opset=opset)


def layer_norm_decomposed():
    return _decomposed_layer_norm(13)


def layer_norm_decomposed_mul_opset18():
    return _decomposed_layer_norm(18, use_pow=False)


def layer_norm_decomposed_shared():
    """The centred value is also a graph output: the nodes stay separate."""
    return _decomposed_layer_norm(13, extra_use=True)


def _decomposed_rms_norm(form, opset=17, extra_use=False):
    """RMSNorm as PyTorch exports Llama's: Pow(x, 2) -> ReduceMean -> Add eps
    -> Sqrt, then x / s (form "div"), x * Reciprocal(s) ("reciprocal") or
    x * (1 / s) ("one_over"), then gamma *."""
    c = lambda name, v: numpy_helper.from_array(np.array(v, dtype=np.float32), name)
    nodes = [
        helper.make_node("Pow", ["x", "two"], ["sq"], name="pow"),
        helper.make_node("ReduceMean", ["sq"], ["var"], name="var", axes=[-1]),
        helper.make_node("Add", ["var", "eps"], ["ve"], name="add_eps"),
        helper.make_node("Sqrt", ["ve"], ["std"], name="sqrt"),
    ]
    if form == "div":
        nodes.append(helper.make_node("Div", ["x", "std"], ["norm"], name="div"))
    else:
        nodes.append(helper.make_node("Reciprocal", ["std"], ["inv"], name="inv") if form == "reciprocal"
                     else helper.make_node("Div", ["one", "std"], ["inv"], name="inv"))
        nodes.append(helper.make_node("Mul", ["x", "inv"], ["norm"], name="norm"))
    nodes.append(helper.make_node("Mul", ["gamma", "norm"], ["y"], name="scale"))
    outputs = [vi("y", F, ["batch", 16, 64])]
    if extra_use:
        outputs.append(vi("var", F, ["batch", 16, 1]))
    inits = [c("two", 2.0), c("eps", 1e-6), c("one", 1.0), weight("gamma", [64])]
    return model(nodes, [vi("x", F, ["batch", 16, 64])], outputs, inits, opset=opset)


def rms_norm_decomposed_div():
    return _decomposed_rms_norm("div")


def rms_norm_decomposed_reciprocal():
    return _decomposed_rms_norm("reciprocal")


def rms_norm_decomposed_one_over():
    return _decomposed_rms_norm("one_over")


def rms_norm_decomposed_shared():
    """The variance is also a graph output: the nodes stay separate."""
    return _decomposed_rms_norm("div", extra_use=True)


def softmax_legacy():
    return model([helper.make_node("Softmax", ["x"], ["y"], name="sm", axis=1)],
                 [vi("x", F, [2, 3, 4])], [vi("y", F, [2, 3, 4])], opset=11)


# --- shapes ---------------------------------------------------------------

def _reshape_heads(batch):
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as exporters write
    the head split of attention."""
    I64 = TensorProto.INT64
    c = lambda name, v: numpy_helper.from_array(np.array(v, dtype=np.int64), name)
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "i0"], ["b"], name="gather_b", axis=0),
        helper.make_node("Gather", ["shape", "i1"], ["s"], name="gather_s", axis=0),
        helper.make_node("Unsqueeze", ["b", "axes"], ["b1"], name="unsq_b"),
        helper.make_node("Unsqueeze", ["s", "axes"], ["s1"], name="unsq_s"),
        helper.make_node("Concat", ["b1", "s1", "heads"], ["new_shape"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "new_shape"], ["y"], name="reshape"),
    ]
    return model(nodes, [vi("x", F, [batch, 128, 384])], [vi("y", F, [batch, 128, 12, 32])],
                 [c("i0", 0), c("i1", 1), c("axes", [0]), c("heads", [12, 32])])


def reshape_static():
    return _reshape_heads(2)


def reshape_dynamic():
    return _reshape_heads("batch")


def slice_negative_step():
    c = lambda name, v: numpy_helper.from_array(np.array(v, dtype=np.int64), name)
    return model([helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"], name="rev")],
                 [vi("x", F, [5, 6])], [vi("y", F, [5, 3])],
                 [c("st", [-1]), c("en", [0]), c("ax", [1]), c("sp", [-2])])


# --- convolution ----------------------------------------------------------

def conv_grouped():
    return model([helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", group=2,
                                   pads=[1, 1, 1, 1], strides=[2, 2])],
                 [vi("x", F, [1, 4, 8, 8])], [vi("y", F, [1, 6, 4, 4])],
                 [weight("w", [6, 2, 3, 3]), weight("b", [6], seed=1)])


def conv_dilated():
    return model([helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv",
                                   pads=[1, 1, 1, 1], strides=[2, 1], dilations=[1, 2])],
                 [vi("x", F, ["N", 3, 8, 8])], [vi("y", F, ["N", 5, 4, 6])],
                 [weight("w", [5, 3, 3, 3]), weight("b", [5], seed=1)])


def resize_linear():
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales")
    return model([helper.make_node("Resize", ["x", "", "scales"], ["y"], name="up", mode="linear",
                                   coordinate_transformation_mode="align_corners")],
                 [vi("x", F, [1, 3, 4, 4])], [vi("y", F, [1, 3, 8, 8])], [scales])


def resize_cubic():
    scales = numpy_helper.from_array(np.array([1, 1, 0.5, 2], dtype=np.float32), "scales")
    return model([helper.make_node("Resize", ["x", "", "scales"], ["y"], name="cubic", mode="cubic",
                                   exclude_outside=1)],
                 [vi("x", F, [1, 3, 4, 4])], [vi("y", F, [1, 3, 2, 8])], [scales])


def resize_nearest_sizes():
    sizes = numpy_helper.from_array(np.array([1, 3, 2, 6], dtype=np.int64), "sizes")
    return model([helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], name="near",
                                   mode="nearest", nearest_mode="floor")],
                 [vi("x", F, [1, 3, 4, 4])], [vi("y", F, [1, 3, 2, 6])], [sizes])


# --- constants ------------------------------------------------------------

def constant_node_weights():
    """Weights stored as Constant nodes, as Paddle exports them."""
    w = weight("w_value", [16, 8])
    return model([helper.make_node("Constant", [], ["w"], name="w_const", value=w),
                  helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")],
                 [vi("x", F, [4, 16])], [vi("y", F, [4, 8])])


def external_data(out):
    m = model([helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")],
              [vi("x", F, [2, 32])], [vi("y", F, [2, 16])], [weight("w", [32, 16])])
    onnx.save_model(m, out, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=os.path.basename(out) + ".data", size_threshold=0)


def external_data_missing(out):
    external_data(out)
    os.remove(out + ".data")


def external_data_truncated(out):
    external_data(out)
    with open(out + ".data", "r+b") as f:
        f.truncate(100)


def external_data_symlink(out):
    """The data file is a symlink to a file outside the model's folder."""
    external_data(out)
    os.remove(out + ".data")
    os.symlink("/etc/passwd", out + ".data")


def external_data_linked_dir(out):
    """The location goes through a symlinked folder that points outside."""
    m = model([helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")],
              [vi("x", F, [2, 32])], [vi("y", F, [2, 16])], [weight("w", [32, 16])])
    onnx.save_model(m, out, save_as_external_data=True, all_tensors_to_one_file=True,
                    location=os.path.basename(out) + ".data", size_threshold=0)
    m = onnx.load(out, load_external_data=False)
    for entry in m.graph.initializer[0].external_data:
        if entry.key == "location":
            entry.value = os.path.basename(out) + ".etc/passwd"
    onnx.save_model(m, out)
    link = out + ".etc"
    if os.path.lexists(link):
        os.remove(link)
    os.symlink("/etc", link)


def external_data_fifo(out):
    """The data file is a FIFO: reading it would wait forever."""
    external_data(out)
    os.remove(out + ".data")
    os.mkfifo(out + ".data")


def typed_field_initializer():
    """An initializer stored in float_data/int64_data instead of raw_data."""
    t = helper.make_tensor("b", F, [4], [1.0, 2.0, 3.0, 4.0])
    return model([helper.make_node("Add", ["x", "b"], ["y"], name="add")],
                 [vi("x", F, [4])], [vi("y", F, [4])], [t])


def fp16_bf16():
    H, B = TensorProto.FLOAT16, TensorProto.BFLOAT16
    return model([helper.make_node("Cast", ["x"], ["h"], name="to_bf16", to=B),
                  helper.make_node("Cast", ["h"], ["y"], name="to_f32", to=F)],
                 [vi("x", H, [3])], [vi("y", F, [3])])


# --- quantized models -----------------------------------------------------

def qdq_linear():
    """The QDQ form ONNX Runtime's quantize_static writes: per-tensor uint8
    activations, per-channel int8 weights."""
    I8, U8 = TensorProto.INT8, TensorProto.UINT8
    c = lambda name, v, t: numpy_helper.from_array(np.array(v, dtype=t), name)
    w = np.arange(-12, 12, dtype=np.int8).reshape(4, 6)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q_x"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_x"),
        helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], name="dq_w", axis=1),
        helper.make_node("MatMul", ["xd", "wd"], ["y"], name="fc"),
    ]
    return model(nodes, [vi("x", F, [2, 4])], [vi("y", F, [2, 6])],
                 [c("xs", 0.05, np.float32), c("xz", 128, np.uint8),
                  numpy_helper.from_array(w, "wq"),
                  c("ws", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], np.float32),
                  c("wz", [0] * 6, np.int8)], opset=13)


def qdq_blockwise():
    """Opset 21 blockwise weights: one scale per 2 input channels."""
    w = np.arange(-8, 8, dtype=np.int8).reshape(4, 4)
    s = np.array([[0.5, 1, 1.5, 2], [2.5, 3, 3.5, 4]], dtype=np.float32)
    return model([helper.make_node("DequantizeLinear", ["wq", "ws"], ["wd"], name="dq_w",
                                   axis=0, block_size=2),
                  helper.make_node("MatMul", ["x", "wd"], ["y"], name="fc")],
                 [vi("x", F, [3, 4])], [vi("y", F, [3, 4])],
                 [numpy_helper.from_array(w, "wq"), numpy_helper.from_array(s, "ws")], opset=21)


# --- errors ---------------------------------------------------------------

def unsupported_op():
    return model([helper.make_node("Einsum", ["x", "y"], ["z"], name="einsum_1", equation="ij,jk->ik")],
                 [vi("x", F, [2, 3]), vi("y", F, [3, 4])], [vi("z", F, [2, 4])])


def unsupported_attribute():
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales")
    return model([helper.make_node("Resize", ["x", "", "scales"], ["y"], name="resize_1", mode="cubic", antialias=1)],
                 [vi("x", F, [1, 1, 4, 4])], [vi("y", F, [1, 1, 8, 8])], [scales])


def pad_modes():
    p = numpy_helper.from_array(np.array([0, 2, 0, 1], dtype=np.int64), "p")
    return model([helper.make_node("Pad", ["x", "p"], ["e"], name="edge", mode="edge"),
                  helper.make_node("Pad", ["x", "p"], ["r"], name="reflect", mode="reflect")],
                 [vi("x", F, [2, 4])], [vi("e", F, [2, 7]), vi("r", F, [2, 7])], [p])


def type_mismatch():
    return model([helper.make_node("Add", ["x", "y"], ["z"], name="add_1")],
                 [vi("x", F, [2]), vi("y", TensorProto.INT64, [2])], [vi("z", F, [2])])


def shape_mismatch():
    return model([helper.make_node("Add", ["x", "y"], ["z"], name="add_2")],
                 [vi("x", F, [2, 3]), vi("y", F, [4])], [vi("z", F, [2, 3])])


def opset_too_new():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", F, [2])], [vi("y", F, [2])], opset=22)


def microsoft_op():
    return model([helper.make_node("FusedMatMul", ["x", "y"], ["z"], name="fused_1",
                                   domain="com.microsoft")],
                 [vi("x", F, [2, 2]), vi("y", F, [2, 2])], [vi("z", F, [2, 2])],
                 domains=[("com.microsoft", 1)])


def undefined_input():
    return model([helper.make_node("Relu", ["nowhere"], ["y"], name="relu_1")],
                 [vi("x", F, [2])], [vi("y", F, [2])])


def runtime_axes():
    return model([helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsqueeze_1")],
                 [vi("x", F, [3, 4]), vi("axes", TensorProto.INT64, [1])],
                 [vi("y", F, [1, 3, 4])])


def truncated(out):
    data = model([helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")],
                 [vi("x", F, [2, 32])], [vi("y", F, [2, 16])],
                 [weight("w", [32, 16])]).SerializeToString()
    with open(out, "wb") as f:
        f.write(data[: len(data) // 2])


def not_onnx(out):
    with open(out, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n this is not a protobuf \xff\xff\xff")


# --- one node from a JSON spec ----------------------------------------------

TYPES = {"float": F, "double": TensorProto.DOUBLE, "float16": TensorProto.FLOAT16,
         "bfloat16": TensorProto.BFLOAT16, "int64": TensorProto.INT64,
         "int32": TensorProto.INT32, "int8": TensorProto.INT8, "uint8": TensorProto.UINT8,
         "bool": TensorProto.BOOL}


def node_from_spec(spec, out):
    """A single-node model from a JSON spec, so that each conversion's lit test
    states its model in its RUN line:
      {"op": "LeakyRelu", "opset": 17, "attrs": {"alpha": 0.2},
       "inputs": [["x", "float", [2, 3]]],          # graph inputs
       "consts": [["axes", "int64", [1], [0]]],     # initializers: name, type, shape, values
       "node_inputs": ["x", "", "axes"],             # default: inputs then consts
       "outputs": ["y"]}                             # output types come from the importer"""
    import json
    s = json.loads(spec)
    ins = [vi(n, TYPES[t], shape) for n, t, shape in s.get("inputs", [])]
    consts = [numpy_helper.from_array(np.array(v, dtype=helper.tensor_dtype_to_np_dtype(TYPES[t])).reshape(shape), n)
              for n, t, shape, v in s.get("consts", [])]
    node_inputs = s.get("node_inputs", [i.name for i in ins] + [c.name for c in consts])
    outputs = s.get("outputs", ["y"])
    out_type = TYPES[s.get("out_type", s["inputs"][0][1] if s.get("inputs") else "float")]
    nd = helper.make_node(s["op"], node_inputs, outputs, name=s["op"].lower() + "_node",
                          **s.get("attrs", {}))
    m = model([nd], ins, [helper.make_tensor_value_info(o, TYPES[t] if (t := s.get("out_types", {}).get(o)) else out_type, None)
                          for o in outputs], consts, opset=s.get("opset", 17))
    onnx.save_model(m, out)


def main():
    name, out = sys.argv[1], sys.argv[2]
    if name == "node":
        node_from_spec(sys.argv[2], sys.argv[3])
        return
    fn = globals()[name]
    if fn.__code__.co_argcount == 1:
        fn(out)
    else:
        onnx.save_model(fn(), out)


if __name__ == "__main__":
    main()
