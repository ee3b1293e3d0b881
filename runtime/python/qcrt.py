"""A Python binding of libqcrt (runtime/include/qc/runtime.h) over ctypes,
for scripts and benchmarks that run qc artifacts in-process beside ONNX
Runtime.

    model = qcrt.Model("model.so", threads=1)
    outputs = model.run([input_ids, attention_mask])   # numpy arrays
"""
import ctypes
import os

import numpy as np

MAX_RANK = 8
NUMPY_OF = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32,
            7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32,
            13: np.uint64}
TYPE_OF = {np.dtype(v): k for k, v in NUMPY_OF.items()}


class Tensor(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("rank", ctypes.c_int32),
                ("dims", ctypes.c_int64 * MAX_RANK), ("data", ctypes.c_void_p),
                ("capacity", ctypes.c_size_t), ("size", ctypes.c_size_t),
                ("allocation", ctypes.c_void_p)]


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("type", ctypes.c_int), ("rank", ctypes.c_int32),
                ("dims", ctypes.POINTER(ctypes.c_int64))]


def default_library():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    build = os.environ.get("QC_BUILD_DIR", os.path.join(root, "build"))
    return os.path.join(build, "lib", "libqcrt.so")


class Error(RuntimeError):
    pass


class Model:
    def __init__(self, path, threads=None, library=None):
        self.lib = ctypes.CDLL(library or default_library())
        self.lib.qc_last_error.restype = ctypes.c_char_p
        self.lib.qc_model_num_inputs.restype = ctypes.c_size_t
        self.lib.qc_model_num_outputs.restype = ctypes.c_size_t
        self.handle = ctypes.c_void_p()
        self._check(self.lib.qc_model_load(path.encode(), ctypes.byref(self.handle)))
        self.inputs = self._infos(self.lib.qc_model_input_info, self.lib.qc_model_num_inputs(self.handle))
        self.outputs = self._infos(self.lib.qc_model_output_info, self.lib.qc_model_num_outputs(self.handle))
        if threads is not None:  # 0 is an error from libqcrt, not "the default"
            self._check(self.lib.qc_model_set_num_threads(self.handle, int(threads)))

    def _check(self, status):
        if status:
            raise Error(self.lib.qc_last_error().decode())

    def _infos(self, fn, count):
        infos = []
        for i in range(count):
            info = TensorInfo()
            self._check(fn(self.handle, ctypes.c_size_t(i), ctypes.byref(info)))
            infos.append((info.name.decode(), [info.dims[d] for d in range(info.rank)]))
        return infos

    def run(self, arrays):
        """Runs on numpy arrays (in input order); returns numpy arrays."""
        arrays = [np.ascontiguousarray(a) for a in arrays]
        inputs = (Tensor * len(arrays))()
        for t, a in zip(inputs, arrays):
            if a.dtype not in TYPE_OF:
                raise Error(f"unsupported dtype {a.dtype}")
            if a.ndim > len(t.dims):
                raise Error(f"rank {a.ndim} exceeds the runtime's {len(t.dims)}")
            t.type, t.rank = TYPE_OF[a.dtype], a.ndim
            for d, n in enumerate(a.shape):
                t.dims[d] = n
            t.data = a.ctypes.data
        outputs = (Tensor * len(self.outputs))()
        self._check(self.lib.qc_model_run(self.handle, inputs, ctypes.c_size_t(len(arrays)),
                                          outputs, ctypes.c_size_t(len(self.outputs))))
        results = []
        for t in outputs:
            shape = tuple(t.dims[d] for d in range(t.rank))
            dtype = NUMPY_OF[t.type]
            count = int(np.prod(shape))
            buffer = (ctypes.c_char * t.size).from_address(t.data) if t.size else b""
            results.append(np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape).copy())
            self.lib.qc_tensor_release(ctypes.byref(t))
        return results

    def __del__(self):
        if getattr(self, "handle", None):
            self.lib.qc_model_free(self.handle)
            self.handle = None
