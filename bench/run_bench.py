"""qc against ONNX Runtime on the same models, inputs and thread counts, in
one run: latency (median of --repeat runs after a warm-up) and the largest
difference between the two engines' outputs; plus the float GEMM throughput
of qc's generated code against one core's measured peak FLOP/s, and the
compile time of MiniLM.

Models: all-MiniLM-L6-v2 (real weights, examples/minilm/build_minilm.py) at
batch 1 and 8, sequence 128; a ResNet-style CNN (random weights,
examples/make_resnet_onnx.py, 1x3x112x112); a 512x1024x1024 GEMM.

usage: run_bench.py [--repeat N] [--threads 1,2] [--out bench/results/cpu-float.json]
Prints the table, writes the JSON and re-renders bench/README.md."""
import argparse
import os

# NumPy's BLAS threads would spin beside the engines being timed.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import datetime
import json
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "runtime", "python"))
sys.path.insert(0, os.path.join(ROOT, "examples", "minilm"))
import qcrt  # noqa: E402
from compare_with_ort import median_ms  # noqa: E402

BUILD = os.environ.get("QC_BUILD_DIR", os.path.join(ROOT, "build"))
PYTHON = sys.executable


def cpu_name():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()




def compile_model(onnx_path, out):
    start = time.perf_counter()
    subprocess.run([os.path.join(BUILD, "bin", "qc-compile"), onnx_path, "-target=cpu",
                    "--parallel", "-o", out], check=True)
    return time.perf_counter() - start


def gemm_onnx(path, m, k, n):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    w = numpy_helper.from_array(
        np.random.default_rng(0).standard_normal((k, n)).astype(np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], [w])
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                                      ir_version=8), path)


def peak_gflops(tmp):
    exe = os.path.join(tmp, "peak_flops")
    subprocess.run(["clang-22", "-O2", "-march=native", os.path.join(ROOT, "bench", "peak_flops.c"),
                    "-o", exe], check=True)
    return float(subprocess.run([exe], capture_output=True, text=True, check=True).stdout.split()[0])


def measure_case(onnx_path, artifact, inputs, threads, repeat):
    """One case, both engines in this process on the same inputs."""
    import onnxruntime as ort
    model = qcrt.Model(artifact, threads=threads)
    got = model.run(list(inputs.values()))
    qc_ms = median_ms(lambda: model.run(list(inputs.values())), repeat)
    del model
    time.sleep(0.3)  # let qc's OpenMP workers stop spinning
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    want = session.run(None, inputs)
    ort_ms = median_ms(lambda: session.run(None, inputs), repeat)
    err = max(float(np.abs(a - b).max()) for a, b in zip(got, want))
    return {"qc_ms": qc_ms, "ort_ms": ort_ms, "max_abs_diff": err}


def compare(name, onnx_path, artifact, inputs, threads, repeat):
    """Each thread count in a fresh process (thread pools and heaps of one
    case do not carry into the next), both engines in that process."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "inputs.npz")
        np.savez(data, **inputs)
        for t in threads:
            p = subprocess.run([PYTHON, os.path.abspath(__file__), "--case", onnx_path, artifact,
                                data, str(t), str(repeat)],
                               capture_output=True, text=True, check=True)
            row = {"model": name, "threads": t, **json.loads(p.stdout.strip().splitlines()[-1])}
            row["ratio"] = row["qc_ms"] / row["ort_ms"]
            rows.append(row)
            print(f"{name:28s} threads={t}  qc {row['qc_ms']:9.2f} ms  ORT {row['ort_ms']:9.2f} ms  "
                  f"qc/ORT {row['ratio']:5.2f}  max|qc-ORT| {row['max_abs_diff']:.2e}", flush=True)
    return rows


def render(results, path):
    g = results["gemm"]
    share = 100 * g["qc_gflops"] / g["peak_gflops"]
    worst = max(r["ratio"] for r in results["models"])
    verdicts = [
        f"compile time {results['minilm_compile_s']:.1f} s "
        + ("(met)" if results["minilm_compile_s"] < 30 else "(not met)"),
        f"GEMM {share:.0f}% of peak " + ("(met)" if share >= 70 else "(not met)"),
        f"latency up to {worst:.2f}x ONNX Runtime's " + ("(met)" if worst <= 1.0 else "(not met)")]
    lines = ["# Benchmarks", "",
             "<!-- Rendered by bench/run_bench.py from bench/results/cpu-float.json; "
             "`make bench` re-measures. -->", "",
             f"Measured {results['date']} on {results['cpu']} ({results['cores']} cores), "
             f"ONNX Runtime {results['onnxruntime']}. Latency is the median of "
             f"{results['repeat']} runs after a warm-up; each row is one fresh process running "
             "both engines on the same inputs and thread count (qc: libqcrt with OpenMP "
             "threads; ONNX Runtime: intra-op threads). qc/ORT below 1.0 means qc is "
             "faster. The machine is a shared VM: repeated runs of this table differ by up "
             "to about 20%.", "",
             "## Float models on the CPU", "",
             "| Model | Threads | qc (ms) | ONNX Runtime (ms) | qc/ORT | max abs diff |",
             "|---|---|---|---|---|---|"]
    for r in results["models"]:
        lines.append(f"| {r['model']} | {r['threads']} | {r['qc_ms']:.2f} | {r['ort_ms']:.2f} | "
                     f"{r['ratio']:.2f} | {r['max_abs_diff']:.1e} |")
    g = results["gemm"]
    lines += ["", "## GEMM throughput (one thread)", "",
              f"`{g['shape']}` float32, weights constant (packed at compile time).", "",
              "| | GFLOP/s | of peak |", "|---|---|---|",
              f"| one core's peak (FMA chains, `bench/peak_flops.c`) | {g['peak_gflops']:.1f} | 100% |",
              f"| qc generated code | {g['qc_gflops']:.1f} | {100 * g['qc_gflops'] / g['peak_gflops']:.0f}% |",
              f"| ONNX Runtime (MLAS) | {g['ort_gflops']:.1f} | {100 * g['ort_gflops'] / g['peak_gflops']:.0f}% |",
              "", "## Compile time", "",
              f"all-MiniLM-L6-v2 (90 MB of weights): {results['minilm_compile_s']:.1f} s "
              "(`qc-compile -target=cpu --parallel`, import to linked shared object).", "",
              "## Against the targets, and what limits qc", "",
              "Targets (issue: CPU back end): qc <= 1.0x ONNX Runtime on MiniLM and the CNN "
              "at 1 and 2 threads; large GEMM >= 70% of one core's peak; MiniLM compiles in "
              "under 30 s. In this run: " + "; ".join(verdicts) + ". What limits the rest:", "",
              f"- **GEMM** ({share:.0f}% of peak in this run; on this shared VM the figure "
              "moves from run to run). The micro-kernel is right (12x32 tile, "
              "`vfmadd231ps` with broadcast memory operands, accumulators in registers); "
              "every linear layer also repacks its input at run time (pad, then a tile "
              "transpose whose innermost loop reads K-strided elements) and unpacks its "
              "output, which the whole-model figures pay for.",
              "- **Everything around the GEMMs.** Softmax, LayerNorm, GELU, the head "
              "split/merge transposes and the packing copies are separate loop nests, each "
              "writing its result to memory; about a third of MiniLM's time. Fusing them into "
              "the GEMM prologue/epilogue (bias, GELU, residual add) and vectorizing the "
              "transposes is the next step.",
              "- **The CNN.** Convolutions run as im2col + the packed GEMM; the im2col "
              "gather, the NHWC->NCHW transpose after each conv, and max pooling are "
              "unvectorized loop nests, and at 1x3x112x112 these dominate. A direct NCHWc "
              "convolution (or keeping activations in NHWC between convs) would remove both "
              "relayouts.", ""]
    # The quantized section, when bench/run_quant_bench.py has measured it.
    quant = os.path.join(ROOT, "bench", "results", "cpu-quant.json")
    if os.path.exists(quant):
        import run_quant_bench
        with open(quant) as f:
            lines += run_quant_bench.render(json.load(f))
    # Sections assembled from other benchmark commands (each names its own).
    for name in ("float-preserving.md", "rotation.md", "smollm2-quant.md"):
        section = os.path.join(ROOT, "bench", "results", name)
        if os.path.exists(section):
            with open(section) as f:
                lines += ["", f.read().rstrip("\n"), ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--case":
        onnx_path, artifact, data, threads, repeat = sys.argv[2:7]
        with np.load(data) as npz:
            inputs = {k: npz[k] for k in npz.files}
        print(json.dumps(measure_case(onnx_path, artifact, inputs, int(threads), int(repeat))))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "cpu-float.json"))
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    import onnxruntime
    results = {"date": datetime.date.today().isoformat(), "cpu": cpu_name(),
               "cores": os.cpu_count(), "onnxruntime": onnxruntime.__version__,
               "repeat": args.repeat, "models": []}
    with tempfile.TemporaryDirectory() as tmp:
        minilm = subprocess.run([PYTHON, os.path.join(ROOT, "examples", "minilm", "build_minilm.py")],
                                capture_output=True, text=True, check=True).stdout.strip()
        minilm_so = os.path.join(tmp, "minilm.so")
        results["minilm_compile_s"] = compile_model(minilm, minilm_so)
        print(f"MiniLM compiled in {results['minilm_compile_s']:.1f} s")
        rng = np.random.default_rng(0)
        for batch in (1, 8):
            ids = rng.integers(1000, 30000, (batch, 128)).astype(np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                    "token_type_ids": np.zeros_like(ids)}
            results["models"] += compare(f"MiniLM-L6 batch {batch} seq 128", minilm, minilm_so,
                                         feed, threads, args.repeat)
        resnet = os.path.join(tmp, "resnet.onnx")
        subprocess.run([PYTHON, os.path.join(ROOT, "examples", "make_resnet_onnx.py"), resnet],
                       check=True)
        compile_model(resnet, os.path.join(tmp, "resnet.so"))
        image = rng.standard_normal((1, 3, 112, 112)).astype(np.float32)
        results["models"] += compare("ResNet-style CNN 1x3x112x112", resnet,
                                     os.path.join(tmp, "resnet.so"), {"input": image}, threads,
                                     args.repeat)
        m, k, n = 512, 1024, 1024
        gemm = os.path.join(tmp, "gemm.onnx")
        gemm_onnx(gemm, m, k, n)
        compile_model(gemm, os.path.join(tmp, "gemm.so"))
        x = {"x": rng.standard_normal((m, k)).astype(np.float32)}
        row = compare(f"GEMM {m}x{k}x{n}", gemm, os.path.join(tmp, "gemm.so"), x, [1], args.repeat)[0]
        flops = 2.0 * m * k * n
        results["gemm"] = {"shape": f"{m}x{k} @ {k}x{n}", "peak_gflops": peak_gflops(tmp),
                           "qc_gflops": flops / row["qc_ms"] * 1e-6,
                           "ort_gflops": flops / row["ort_ms"] * 1e-6}
        g = results["gemm"]
        print(f"GEMM: qc {g['qc_gflops']:.1f} GFLOP/s, ORT {g['ort_gflops']:.1f} GFLOP/s, "
              f"peak {g['peak_gflops']:.1f} GFLOP/s (qc at {100 * g['qc_gflops'] / g['peak_gflops']:.0f}%)")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
    render(results, os.path.join(ROOT, "bench", "README.md"))
    print(f"wrote {args.out} and bench/README.md")


if __name__ == "__main__":
    main()
