"""Quantized models side by side: qc's presets (qc-compile --quant) and ONNX
Runtime's own quantization tool (onnxruntime.quantization: quantize_dynamic
and quantize_static for int8, MatMulNBitsQuantizer with RTN and GPTQ for
int4), each compared with the float model run in ONNX Runtime on the same
inputs: the cosine similarity of each output row (a sentence embedding, a
token's logits) to float, mean and worst, and for logits the top-1
agreement; latency, median of repeated runs; artifact/model size.

A library for bench/run_quant_bench.py and the end-to-end tests.
"""
import json
import os
import shutil
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "runtime", "python"))
import qcrt  # noqa: E402


def write_calibration(directory, samples, names):
    """samples: list of lists of arrays, in the model's input order; written
    as DIR/sample_K/input_N.npy (qc-compile --calib reads it)."""
    shutil.rmtree(directory, ignore_errors=True)
    for k, sample in enumerate(samples):
        d = os.path.join(directory, f"sample_{k:04d}")
        os.makedirs(d)
        for i, array in enumerate(sample):
            np.save(os.path.join(d, f"input_{i}.npy"), array)
    return directory


def compile_qc(bindir, model, out, flags):
    """Returns (seconds, report or None)."""
    report = out + ".report.json"
    cmd = [os.path.join(bindir, "qc-compile"), model, "-o", out] + list(flags)
    if any(f.startswith("--quant=") and f != "--quant=none" for f in flags):
        cmd.append("--report=" + report)
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}")
    data = None
    if os.path.exists(report):
        with open(report) as f:
            data = json.load(f)
    return seconds, data


def median_ms(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def run_qc(artifact, inputs, output_index, threads, repeat):
    model = qcrt.Model(artifact, threads=threads)
    outputs = model.run(inputs)
    ms = median_ms(lambda: model.run(inputs), repeat) if repeat else None
    return outputs[output_index], ms


def ort_session(path, threads):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def run_ort(path, feeds, output_name, threads, repeat):
    session = ort_session(path, threads)
    out = session.run([output_name], feeds)[0]
    ms = median_ms(lambda: session.run([output_name], feeds), repeat) if repeat else None
    return out, ms


def agreement(got, want):
    """Cosine similarity of each row (last dim), mean and worst; top-1
    agreement of the rows' argmax."""
    g = got.reshape(-1, got.shape[-1]).astype(np.float64)
    w = want.reshape(-1, want.shape[-1]).astype(np.float64)
    cos = (g * w).sum(1) / (np.linalg.norm(g, axis=1) * np.linalg.norm(w, axis=1) + 1e-30)
    top1 = float((g.argmax(1) == w.argmax(1)).mean())
    return {"mean_cosine": float(cos.mean()), "worst_cosine": float(cos.min()), "top1": top1}


class _Reader:
    """onnxruntime.quantization's CalibrationDataReader over feed dicts."""

    def __init__(self, feeds):
        self.feeds = list(feeds)
        self.i = 0

    def get_next(self):
        if self.i >= len(self.feeds):
            return None
        self.i += 1
        return self.feeds[self.i - 1]

    def rewind(self):
        self.i = 0

    def __iter__(self):  # MatMulNBitsQuantizer's GPTQ iterates the reader
        return iter(self.feeds)


def ort_quantize(kind, model, out, calib_feeds):
    """Writes ONNX Runtime's quantization of `model` to `out`; kind is one of
    int8-dynamic, int8-static, int4-rtn, int4-gptq. Returns seconds."""
    import onnx
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_dynamic, quantize_static)
    start = time.perf_counter()
    if kind == "int8-dynamic":
        quantize_dynamic(model, out, weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
    elif kind == "int8-static":
        reader = _Reader(calib_feeds)
        CalibrationDataReader.register(_Reader)
        quantize_static(model, out, reader, quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                        op_types_to_quantize=["MatMul"])
    else:
        from onnxruntime.quantization.matmul_nbits_quantizer import (
            GPTQWeightOnlyQuantConfig, MatMulNBitsQuantizer, RTNWeightOnlyQuantConfig)
        if kind == "int4-rtn":
            config = RTNWeightOnlyQuantConfig()
        else:
            # ONNX Runtime's GPTQ converts calibration data with a helper that
            # imports PyTorch before looking at the data; ours is NumPy already.
            from onnxruntime.quantization.neural_compressor import util
            util.to_numpy = np.asarray
            reader = _Reader(calib_feeds)
            CalibrationDataReader.register(_Reader)
            config = GPTQWeightOnlyQuantConfig(calibration_data_reader=reader, percdamp=0.01,
                                               block_size=128)
        quantizer = MatMulNBitsQuantizer(onnx.load(model), block_size=128, is_symmetric=True,
                                         algo_config=config)
        quantizer.process()
        quantizer.model.save_model_to_file(out, False)
    return time.perf_counter() - start


def file_size(path):
    return os.path.getsize(path)


def print_table(title, rows, columns):
    def cell(v):
        return "" if v is None else f"{v:.5f}" if isinstance(v, float) else str(v)
    print(title)
    widths = [max(len(c), *(len(cell(r.get(c))) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(cell(r.get(c)).ljust(w) for c, w in zip(columns, widths)))


def evaluate(model, bindir, work, configs, qc_configs, eval_batches, latency_inputs, names,
             output_name, output_index, calib_flags, calib_feeds, threads=1, repeat=0,
             keep_top1=False):
    """Runs each config (a key of qc_configs, or ort-float / ort-<kind>) on
    `eval_batches` (lists of arrays in input order) and compares its
    `output_name` with ONNX Runtime's float output. Returns rows of dicts."""
    def ort_outputs(path):
        session = ort_session(path, threads)
        return np.concatenate([session.run([output_name], dict(zip(names, b)))[0]
                               for b in eval_batches])

    reference = ort_outputs(model)
    rows = []
    for name in configs:
        row = {"config": name}
        if name in qc_configs:
            artifact = os.path.join(work, name + ".so")
            flags = qc_configs[name] + (calib_flags if qc_configs[name] else [])
            seconds, report = compile_qc(bindir, model, artifact, flags)
            compiled = qcrt.Model(artifact, threads=threads)
            got = np.concatenate([compiled.run(list(b))[output_index] for b in eval_batches])
            row["bytes"] = file_size(artifact)
            row["prepare_s"] = round(seconds, 1)
            if report:
                errors = [l["relative_output_error"] for l in report["layers"]
                          if l["relative_output_error"] is not None and "table" not in l["format"]]
                row["mean_layer_error"] = round(float(np.mean(errors)), 5) if errors else None
            if repeat:
                row["latency_ms"] = round(median_ms(lambda: compiled.run(latency_inputs), repeat), 3)
        elif name.startswith("ort-"):
            path, seconds = model, 0.0
            if name != "ort-float":
                path = os.path.join(work, name + ".onnx")
                seconds = ort_quantize(name[len("ort-"):], model, path, calib_feeds)
            got = ort_outputs(path)
            row["bytes"] = file_size(path)
            row["prepare_s"] = round(seconds, 1)
            if repeat:
                session = ort_session(path, threads)
                feed = dict(zip(names, latency_inputs))
                row["latency_ms"] = round(
                    median_ms(lambda: session.run([output_name], feed), repeat), 3)
        else:
            raise SystemExit(f"unknown config {name}")
        row.update(agreement(got, reference))
        if not keep_top1:
            del row["top1"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def run_checks(rows, checks):
    """CONFIG:METRIC>=VALUE (a floor), CONFIG:METRIC>OTHER or
    CONFIG:METRIC<OTHER (beats another config on the metric, higher or lower
    being better) each; prints them, returns False when one fails."""
    ok = True
    by_name = {r["config"]: r for r in rows}
    for check in checks:
        config, rest = check.split(":", 1)
        if ">=" in rest:
            metric, value = rest.split(">=")
            got = by_name[config][metric]
            passed = got >= float(value)
            print(f"check {config} {metric} = {got:.6f} >= {value}: {'ok' if passed else 'FAILED'}")
        else:
            op = ">" if ">" in rest else "<"
            metric, other = rest.split(op)
            got, theirs = by_name[config][metric], by_name[other][metric]
            passed = got > theirs if op == ">" else got < theirs
            print(f"check {config} {metric} = {got:.6f} {op} {other}'s {theirs:.6f}: "
                  f"{'ok' if passed else 'FAILED'}")
        ok &= passed
    return ok
