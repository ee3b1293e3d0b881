//===- Passes.td - qc passes -------------------------------*- tablegen -*-===//
//
// Every qc pass is declared here, one `def` each, and implemented in a file of
// its own in this folder (passes/<PassName>.cpp). `qc-opt` registers them all
// through the generated registerQCPasses().
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_TD
#define QC_PASSES_TD

include "mlir/Pass/PassBase.td"

def QCFoldLinearBias : Pass<"qc-fold-linear-bias", "mlir::func::FuncOp"> {
  let summary = "Fold a broadcast bias add into the qc.linear that feeds it";
  let description = [{
    ONNX exports write a linear layer with a bias as MatMul followed by Add,
    which imports as a `qc.linear` without bias and an elementwise
    `linalg.generic` adding a 1-D tensor broadcast along the last dimension.
    This pass makes the bias the `qc.linear`'s own operand, so that
    quantization passes see one layer (and scale the bias with the output
    channels). It applies when the add's other operand is a 1-D tensor of the
    layer's N elements, read along the last loop, and the `qc.linear` has no
    bias and no other use.

    ```mlir
    %y = qc.linear %x, %w : (tensor<?x64xf32>, tensor<32x64xf32>) -> tensor<?x32xf32>
    %z = linalg.generic {... (d0, d1) -> (d1) ...} ins(%y, %b) ... arith.addf
    // becomes
    %z = qc.linear %x, %w, %b : (...) -> tensor<?x32xf32>
    ```
  }];
  let dependentDialects = ["::qc::QCDialect"];
}

def QCLowerToLinalg : Pass<"qc-lower-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower qc ops to linalg on tensors (the float reference path)";
  let description = [{
    Rewrites `qc.linear`, `qc.matmul`, `qc.softmax`, `qc.layer_norm` and
    `qc.rms_norm` into upstream ops: `linalg.generic` contractions and
    elementwise maps around `linalg.reduce` (softmax subtracts the row
    maximum before exponentiating). A quantized (`!quant.uniform`) weight of
    a `qc.linear` is dequantized with `quant.dcast` first (`lower-quant-ops`
    lowers that). Per-tensor and per-axis `quant.qcast` is lowered here with
    ONNX QuantizeLinear's rounding, half to even, saturating to the storage
    range: the quant dialect leaves rounding to the pipeline, and upstream
    `lower-quant-ops` truncates.
    An unpacked `qc.quantized_linear` becomes its dequantized weight and, with
    int8 activations, its input rounded to int8 and back as the CPU kernels
    do it, feeding a float linear layer: the reference for the kernels.
    After this pass a float model is plain upstream IR that the standard
    bufferization and LLVM lowering compile and `mlir-runner` executes; it
    is the numerical reference the quantized lowerings are checked against,
    not the fast path.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::quant::QuantDialect"];
}

def QCApplyQuantPreset : Pass<"qc-apply-quant-preset", "mlir::ModuleOp"> {
  let summary = "Choose each linear layer's weight and activation format from a preset";
  let description = [{
    Writes `weight_quant` and `input_quant` on every `qc.linear` with a
    constant weight, except the layers whose name (the ONNX node name, from
    the op's location) matches a `keep-float` pattern:

    | preset  | weight                         | activations                 |
    |---------|--------------------------------|-----------------------------|
    | `w8a8`  | int8, per output channel, symmetric   | int8 per token (dynamic) |
    | `w4a16` | int4, groups of 128 along K, asymmetric | float                  |
    | `w4a8`  | int4, groups of 128 along K, asymmetric | int8 per token (dynamic) |
    | `w8a16` | int8, per output channel, symmetric   | float                    |
    | `w4a4`  | int4, groups of 128 along K, asymmetric | int4 per token (dynamic) |

    int4 takes zero points by default: with 16 levels a range that need not
    be centred on 0 is worth it (MiniLM W4A16: 0.98155 against 0.97882
    symmetric, bench/README.md), and the kernels
    read int4 codes with an offset anyway, so it costs nothing at run time
    with float activations.

    `group-size` overrides the weight's granularity (0: per channel); when it
    does not divide a layer's K, that layer takes the largest multiple of 8
    below it that does, or one scale per channel, with a remark.
    `per-tensor-activations` makes integer activations static, one scale per
    tensor from calibration (`qc-quantize` reads it from `input_stats`).
    `activation-clip` below 1 writes `clip` into the activation format: the
    scale covers that share of the range (QuaRot's 0.9 for 4-bit
    activations); `qc-quantize{activation-clip=search}` chooses it per
    layer instead.

    `layer-quant=PATTERN=PRESET` (repeatable, first match wins) gives the
    layers whose name matches another preset, to keep sensitive layers wider
    (QuaRot and llama.cpp keep `down_proj` or the LM head at 8 bits): such a
    layer takes that preset's weight bits, group size, symmetry and
    activation bits; `per-tensor-activations` and `activation-clip` apply to
    every layer. `keep-float` is checked first.
  }];
  let options = [
    Option<"preset", "preset", "std::string", "\"w8a8\"",
           "w8a8, w4a16, w4a8, w8a16 or w4a4">,
    Option<"groupSize", "group-size", "int64_t", "-1",
           "Weights per scale along K; 0: per channel; -1: the preset's">,
    Option<"symmetry", "symmetry", "std::string", "\"preset\"",
           "preset (int4 asymmetric, int8 symmetric), symmetric or asymmetric">,
    Option<"perTensorActivations", "per-tensor-activations", "bool", "false",
           "Static per-tensor activation scales instead of per-token">,
    Option<"activationClip", "activation-clip", "double", "1.0",
           "Share of the activation range the scale covers, in (0, 1]">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "Glob patterns of layer names left in float (e.g. *lm_head*)">,
    ListOption<"layerQuant", "layer-quant", "std::string",
               "PATTERN=PRESET: layers whose name matches take that preset instead "
               "(e.g. *down_proj*=w8a8); the first match wins">,
  ];
  let dependentDialects = ["::qc::QCDialect"];
}

def QCCalibrate : Pass<"qc-calibrate", "mlir::ModuleOp"> {
  let summary = "Measure each linear layer's activations on calibration inputs";
  let description = [{
    Inserts an observer (`qc.observe`) on the input and the output of every
    `qc.linear` (with a constant weight) of a copy of the module, has the
    tool's executor compile it (the CPU back end lowers `qc.observe`) and run
    it in-process on every calibration sample, and writes what the
    observers saw onto the layers: `input_stats` (per-channel absmax, min
    and max, the tensor's min and max, the 99.9th and 99.99th percentiles of
    |x|, the Gram matrix X^T X that GPTQ uses, accumulated in float64, and
    `rows`: `sample-rows` rows drawn uniformly from all the rows the samples
    produced, by reservoir sampling seeded from `seed` and the input's
    position, so the same inputs give the same rows) and `output_stats`
    (the same without the Gram matrix and the rows). Layers that share an
    input share its statistics (one Gram matrix, one sample of rows).

    Samples come from `calib-dir` (one subdirectory per sample holding
    `input_N.pb` or `input_N.npy`, the ONNX test-data layout) or, with
    `synthetic=N`, are drawn at random from the input types: integer inputs
    that index a table (`onnx.index_range`, recorded by the importer) uniform
    in its range, other integer inputs ones (as a full attention mask),
    floats N(0, 1); dynamic dims are 1 for the first and `synthetic-dim`
    for the others.

    Percentiles come from a histogram with 64 bins per power of two (bins
    at most 1.6% wide, relative). Memory: one sample's activations at a time, plus
    K x K doubles and `sample-rows` x K floats per distinct linear-layer
    input.

    The pass reads no files and knows no back end: the tool builds it with
    its `CalibrationServices` (passes/Calibrate.h): the executor
    (`qc::cpu::runCalibrationProgram`), the reader of `calib-dir`
    (`qc::readSampleDirectory`, runtime/tensor_files.h) and, optionally,
    samples it has already read, used when neither `calib-dir` nor
    `synthetic` is given. qc-opt and qc-compile register it so
    (`qc::registerCalibrationPasses`); built without them it fails, saying
    so.
  }];
  let options = [
    Option<"calibDir", "calib-dir", "std::string", "\"\"",
           "Directory of calibration samples (DIR/*/input_N.pb or .npy)">,
    Option<"synthetic", "synthetic", "int64_t", "0",
           "Number of random samples, when there is no calib-dir">,
    Option<"syntheticDim", "synthetic-dim", "int64_t", "128",
           "Size of the dynamic dims after the first in synthetic samples">,
    Option<"seed", "seed", "uint64_t", "0", "Seed of the synthetic samples">,
    Option<"gram", "gram", "bool", "true",
           "Accumulate each layer input's Gram matrix (for GPTQ and the error report)">,
    Option<"sampleRows", "sample-rows", "int64_t", "256",
           "Rows of each layer input kept as a uniform random sample (stats' rows); 0: none">,
  ];
  let dependentDialects = ["::qc::QCDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def QCVerifyEquivalence : Pass<"qc-verify-equivalence", "mlir::ModuleOp"> {
  let summary = "Run float-preserving passes and check the outputs stay the same";
  let description = [{
    Checks that a pipeline of float-preserving passes (folded norms,
    smoothing, rotations, reparameterization; calibration too, which only
    measures) leaves the model's outputs unchanged to within float32
    rounding, on real inputs. The module is cloned as the reference, the
    nested `pipeline` runs on the module itself (what it leaves is the
    pass's result), and the tool's executor compiles both with the CPU back
    end and runs both on the same samples (`calib-dir` or `synthetic`, as
    for qc-calibrate, or the tool's). For each output of `@main` a remark
    gives the max relative error `||a - b||_inf / ||a||_inf` and the mean
    relative error `mean|a - b| / mean|a|` over all samples (a: the
    reference), and an error names the output and both figures when the
    max relative error exceeds the tolerance. Integer and boolean outputs
    must match exactly.

    The tolerance, unless `tolerance` gives one, is derived from float32
    rounding and the model's depth:

        tol = 2 * 2^-24 * sqrt(L * K)

    where L is the largest number of contractions (`qc.linear`,
    `qc.quantized_linear`, `qc.matmul`) on one path through `@main` and K
    the longest reduction among them (a dynamic one counts as the longest
    static one), taken over the module before and after the pipeline. A
    length-K dot product in float32 is off by about `sqrt(K) * 2^-24`
    relative (the typical size under the probabilistic model of Higham and
    Mary, 2019: independent rounding errors); L such layers in sequence add
    independent errors, so about `sqrt(L * K) * 2^-24` in all; the factor
    2 covers the two programs' errors (sqrt 2, rounded up). It is an upper
    estimate: norms and residual connections damp the errors, and correct
    rewrites measure 20 to 40 times below it (MiniLM with qc-smooth:
    7.3e-7 against 2.8e-5; an 8-layer Llama with qc-fold-norms and
    qc-smooth: 7.3e-7 against 2.3e-5). For a 30-layer decoder (L = 181
    with its head, K = 1536) it is 6.3e-5, while a wrong scale, a dropped
    bias or any quantization moves outputs by 1e-3 to 1e-1.

    ```
    qc-opt m.mlir -qc-verify-equivalence='pipeline=func.func(qc-fold-norms),qc-calibrate{synthetic=4},qc-smooth synthetic=4'
    ```

    The pipeline is pass-pipeline text on `builtin.module`, with or without
    the `builtin.module(...)` around it; an empty one checks the back end
    against itself. Cost: the model is compiled twice more than the
    pipeline itself would (and run twice on every sample). Like
    qc-calibrate, the pass needs the tool's `CalibrationServices`
    (passes/Calibrate.h).
  }];
  let options = [
    Option<"pipeline", "pipeline", "std::string", "\"\"",
           "The float-preserving passes to check, as pass-pipeline text on builtin.module">,
    Option<"tolerance", "tolerance", "double", "0.0",
           "Largest max relative error accepted; 0: 2 * 2^-24 * sqrt(L * K) (see the description)">,
    Option<"calibDir", "calib-dir", "std::string", "\"\"",
           "Directory of samples to run on (DIR/*/input_N.pb or .npy)">,
    Option<"synthetic", "synthetic", "int64_t", "0",
           "Number of random samples, when there is no calib-dir">,
    Option<"syntheticDim", "synthetic-dim", "int64_t", "128",
           "Size of the dynamic dims after the first in synthetic samples">,
    Option<"seed", "seed", "uint64_t", "0", "Seed of the synthetic samples">,
  ];
  let dependentDialects = ["::qc::QCDialect"];
}

def QCQuantize : Pass<"qc-quantize", "mlir::ModuleOp"> {
  let summary = "Quantize the weights of linear layers that carry a weight_quant";
  let description = [{
    Every `qc.linear` with a constant float weight and a `weight_quant`
    becomes a `qc.quantized_linear` holding integer codes, scales and (when
    asymmetric) zero points in place of the float weight.

    - `method=rtn`: round to nearest per channel or group.
    - `method=gptq`: GPTQ with the layer's `input_stats` Gram matrix as the
      Hessian (block size 128, damping 1% of the mean diagonal, optional
      act-order with static groups). A layer without a Gram matrix, or whose
      damped Hessian is not positive definite, falls back to RTN with a
      warning. Act-order is on by default: its group parameters come from
      the original weights (static groups), so it costs nothing at run time.

    `input_quant` carries over; a `per_tensor` one takes its static scale
    from `input_stats` (the 99.99th percentile of |x|, or absmax with
    `static-scale=absmax`, times `clip`, over 2^(bits-1) - 1).
    `activation-clip=search` chooses each layer's activation `clip` among
    1.0, 0.95, ..., 0.5 for the least error of the activations' rounding in
    the layer's output, ||Q(X) W^T - X W^T||, on the sampled calibration
    rows (`input_stats.rows`) and up to 64 output channels, with a remark
    giving the clip and the error with and without it. `activation-aware-clip` makes the
    clipping search of each group's range minimise the error weighted by
    the input channels' energy (the Gram matrix's diagonal), as AWQ's clip
    search does, rather than the plain weight error. With a Gram matrix the layer's
    relative output error on the calibration inputs,
    ||X W^T - X What^T|| / ||X W^T||, is recorded as `output_error`.
  }];
  let options = [
    Option<"method", "method", "std::string", "\"rtn\"", "rtn or gptq">,
    Option<"actOrder", "act-order", "bool", "true",
           "GPTQ: quantize columns in order of decreasing Hessian diagonal">,
    Option<"blockSize", "block-size", "int64_t", "128", "GPTQ: columns per lazy update">,
    Option<"damp", "damp", "double", "0.01", "GPTQ: damping, a fraction of the mean diagonal">,
    Option<"staticScale", "static-scale", "std::string", "\"p99.99\"",
           "Static activation scale from p99.99 or absmax">,
    Option<"activationAwareClip", "activation-aware-clip", "bool", "false",
           "Choose group ranges for the least error weighted by the Gram matrix's "
           "diagonal (AWQ's clip search) instead of the plain weight error">,
    Option<"activationClip", "activation-clip", "std::string", "\"keep\"",
           "keep the activation format's clip, or search each layer's on its sampled "
           "calibration rows">,
  ];
  let dependentDialects = ["::qc::QCDialect", "::mlir::arith::ArithDialect"];
}

def QCPack : Pass<"qc-pack", "mlir::func::FuncOp"> {
  let summary = "Lay quantized weights out for a target's kernels";
  let description = [{
    Rewrites the codes, scales and zero points of every unpacked
    `qc.quantized_linear` into the layout that `target`'s kernels read, and
    marks the layer with `#qc.encoding<target, layout>`. The target chooses
    the layout from the layer's format (passes/QuantizedLinearTarget.h): for
    `cpu`, the layouts of `runtime/kernels/quantized_linear.h` (16-column
    blocks; int4 two per byte; group parameters interleaved per block),
    which both the AVX-512 VNNI and the AVX2 kernels read. A format the
    target's kernels cannot run is an error naming the layer. Layers already
    packed are left alone.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"cpu\"",
           "The back end whose layout to pack in (registered by the tool: cpu)">,
  ];
  let dependentDialects = ["::qc::QCDialect", "::mlir::arith::ArithDialect"];
}

def QCQuantizeEmbeddings : Pass<"qc-quantize-embeddings", "mlir::func::FuncOp"> {
  let summary = "Store large gathered tables (embeddings) as int8 with a scale per row";
  let description = [{
    An ONNX Gather from a constant table imports as a `linalg.generic` whose
    body reads the table with `tensor.extract`. For every such f32 table of
    rank 2 with at least `min-elements` elements (the token embedding of a
    language model is often the largest weight), the table becomes int8
    codes with one symmetric scale per row and the body reads
    `scale[row] * code[row, col]`: a quarter of the bytes, and a relative
    error of at most 1/254 of each row's largest value. The generic is
    marked `qc.quantized_table` (rows, columns, format, the table's relative
    error ||T - That|| / ||T||) for the report.
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", "65536",
           "Smallest table (in elements) worth quantizing">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::tensor::TensorDialect"];
}

def QCRotate : Pass<"qc-rotate", "mlir::func::FuncOp"> {
  let summary = "Fold QuaRot's Hadamard rotations of the residual stream (R1) and of each "
                "attention head's values (R2) into the weights";
  let description = [{
    A float-preserving rewrite (passes/Rotate.cpp): the residual stream is
    multiplied by a randomized Hadamard matrix Q = diag(signs) H / sqrt(d),
    folded into the embedding rows (T Q), the layers that write the stream
    (W' = Q^T W, b' = b Q) and the layers that read it through a norm
    (W' = W Q, the LM head included; a tied LM head is untied). With `r2`,
    each attention block's value outputs and output-projection inputs are
    rotated per head by a Hadamard of the head dim. H is Sylvester's for
    powers of two, times Paley's of order 12, 20 or 28 or their Kronecker
    products (576 = 144 * 4, 384 = 12 * 32; passes/quantizers/Hadamard.h).

    The stream's norms must be scale-free RMSNorms: run `qc-fold-norms`
    first (it folds their scales and centres pre-norm LayerNorm models into
    RMSNorm). In a post-norm model (BERT, MiniLM) the residual passes
    through each LayerNorm, which no rotation survives; there R1 runs online
    instead: a `qc.hadamard` with the R1 signs on each value the stream's
    readers share, their weights W' = W Q, the residual unrotated. A
    pre-norm stream read by anything but norms and adds, or a hidden size
    without a Hadamard matrix are errors naming the op. Calibration statistics of the rotated layers are dropped: calibrate
    after rotating. With `online`, each FFN's down projection reads its input
    through a `qc.hadamard` (R3: the FFN width must be base * 2^k, SmolLM2's
    1536 = 12 * 128) and takes the inverse in its weight. With `r4`, the
    queries and keys reach the attention scores through a `qc.hadamard` of
    the head dim each (R4: q k^T = (q H)(k H)^T; what a quantized KV cache
    needs, which qc does not have yet). With
    `online-attention`, each attention output projection reads its input
    through a `qc.hadamard` of its full width (all heads; QuaRot's online
    H over heads, on top of R2's rotation within each head).

    With `seeds` above 1, R1's signs come from the best of that many
    consecutive seeds: for each, the readers' sampled calibration rows
    (`input_stats` rows, one set per distinct input) are rotated and rounded
    to their activation format, and the seed with the least mean relative
    error ||fq(X Q) - X Q||^2 / ||X Q||^2 wins (a remark lists them all).
    Calibrate again afterwards.
  }];
  let options = [
    Option<"seed", "seed", "uint64_t", "0", "Seed of the random signs (R1: seed, R2: seed + 1)">,
    Option<"r2", "r2", "bool", "true", "Also rotate each attention head's values (R2)">,
    Option<"online", "online", "bool", "false",
           "Also rotate each FFN down projection's input at run time (R3, a qc.hadamard)">,
    Option<"seeds", "seeds", "uint64_t", "1",
           "Try R1 with seeds seed .. seed + seeds - 1 and keep the one whose rotated stream "
           "rounds with the least error on the readers' calibration rows (needs "
           "qc-apply-quant-preset and qc-calibrate first)">,
    Option<"r4", "r4", "bool", "false",
           "Also rotate queries and keys after RoPE by a Hadamard of the head dim, online "
           "(R4, for a quantized KV cache)">,
    Option<"onlineAttention", "online-attention", "bool", "false",
           "Also rotate each attention output projection's input, across heads, at run time">,
  ];
  let dependentDialects = ["::qc::QCDialect", "::mlir::arith::ArithDialect"];
}

def QCFoldNorms : Pass<"qc-fold-norms", "mlir::func::FuncOp"> {
  let summary = "Fold norms' affine into the next linear layers; LayerNorm to RMSNorm";
  let description = [{
    For every `qc.layer_norm` / `qc.rms_norm` over the last dimension whose
    output feeds linear layers with constant weights (the model structure
    analysis finds them), the norm's scale g and bias b move into those
    layers: `W' = W diag(g)`, `bias' = bias + W b`, and the norm is left with
    scale 1 and no bias. Where the output also goes elsewhere (the residual
    add of a post-LN model such as BERT or MiniLM), that use gets
    `norm(x) * g + b` as its own elementwise op, so the residual path is
    unchanged.

    With `layer-norm-to-rms` (the default), a pre-norm model whose residual
    stream is written only by embeddings and linear layers, and read only
    by LayerNorms and the residual adds, has every write centred (embedding
    rows, the output projections' weight columns and biases minus their
    mean over the hidden dimension, as SliceGPT and QuaRot do), so the
    stream is zero-mean and each of its LayerNorms becomes a `qc.rms_norm`:
    what rotating the stream (qc-rotate) needs. Anything else leaves the
    LayerNorms as they are, with a remark saying why.

    Exact in real arithmetic; in float32 the outputs move by rounding only
    (`qc-verify-equivalence` measures it). Calibration statistics on the
    layers whose input changed are dropped (run qc-calibrate afterwards).
  }];
  let options = [
    Option<"layerNormToRMS", "layer-norm-to-rms", "bool", "true",
           "Centre the residual stream's writes and make its LayerNorms RMSNorms">,
  ];
  let dependentDialects = ["::qc::QCDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect"];
}

def QCSmooth : Pass<"qc-smooth", "mlir::func::FuncOp"> {
  let summary = "SmoothQuant / AWQ: move activation outliers into the weights";
  let description = [{
    `Y = X W^T = (X diag(s)^-1) (W diag(s))^T`. For every group of linear
    layers sharing an input X (the model structure analysis finds them),
    a per-channel factor s is searched and 1/s folded into what produces X:
    a norm's scale and bias (q/k/v after the input norm, gate/up after the
    post-attention norm, MiniLM's LayerNorms), v's output rows before o
    (one factor per head-dim index, shared by the heads, so any head
    layout and GQA's repetition keep it exact), or up's output rows before
    down (through SwiGLU's product). Where a norm's output also goes
    elsewhere (a post-LN residual), the layers get their own copy of the
    norm, and the residual is untouched.

    - `method=smoothquant`: `s_j = max|X_j|^a / max|W_j|^(1-a)` (SmoothQuant),
      for layers whose activations are quantized.
    - `method=awq`: `s_j = rms(X_j)^a`, normalised to a geometric mean of 1
      (AWQ's activation-aware scaling), for quantized weights.

    `alpha=auto` searches a in {0, 1/grid, ..., 1} per group, as AWQ does:
    each candidate's error is the relative output error of the group's
    quantized layers, as they will run (their `weight_quant` by RTN, and
    their `input_quant` per token or with a static p99.99 scale), measured
    on up to `search-rows` calibration rows that qc-calibrate sampled, over
    up to `search-channels` output channels of each layer. The unsmoothed
    layer is a candidate too, so a group is only changed when that lowers
    its error. A fixed alpha is applied as given.

    The layers' `input_stats` are rewritten for `X diag(s)^-1`: absmax,
    per-channel ranges and sampled rows divided by s, the Gram matrix as
    `S^-1 G S^-1` (so GPTQ after smoothing uses the right Hessian), the
    global range from the per-channel ranges; the percentiles are
    re-estimated from the sampled rows. Each layer gets `qc.smooth` (method,
    alpha, largest factor, error before and after) for the report.
    Float outputs are unchanged up to rounding (`qc-verify-equivalence`).
  }];
  let options = [
    Option<"method", "method", "std::string", "\"smoothquant\"", "smoothquant or awq">,
    Option<"alpha", "alpha", "std::string", "\"auto\"",
           "Migration strength in [0, 1], or auto (searched per group)">,
    Option<"gridSteps", "grid", "int64_t", "10", "alpha=auto: grid steps over [0, 1]">,
    Option<"searchRows", "search-rows", "int64_t", "128",
           "Calibration rows the search measures the error on">,
    Option<"maxOutputChannels", "search-channels", "int64_t", "256",
           "Output channels per layer the search measures the error on">,
  ];
  let dependentDialects = ["::qc::QCDialect", "::mlir::arith::ArithDialect"];
}

def QCReparam : Pass<"qc-reparam", "mlir::func::FuncOp"> {
  let summary = "RepQ-ViT: per-channel activation ranges after norms made one per-tensor range";
  let description = [{
    For every norm whose output feeds linear layers with quantized inputs
    (`input_quant`), channel j's calibrated range `[lo_j, hi_j]`
    (`channel_min`, `channel_max` of `input_stats`) is centred and scaled to
    the mean half-width: `X~ = (X - c) diag(r)^-1` with `c_j` the range's
    centre and `r_j = h_j / mean(h)`. The factors fold into the norm's
    affine (`g / r`, `(b - c) / r`) and the next layers (`W diag(r)`,
    `bias + W c`), so every channel then spans the same symmetric range and
    one static per-tensor scale serves it as well as per-channel scales
    would. An RMSNorm has no bias to take the shift, so only the scale is
    equalised there. Where the norm's output also feeds something else (a
    post-LN residual), the layers get their own copy of the norm.

    The layers' statistics are dropped: run qc-calibrate again (qc-compile
    --reparam does). RepQ-ViT's second reparameterization, log-sqrt(2) to
    log2 quantizers for post-softmax values, has nothing to act on: qc does
    not quantize attention probabilities (they stay float in `qc.matmul`).
    Float outputs are unchanged up to rounding (`qc-verify-equivalence`).
  }];
  let dependentDialects = ["::qc::QCDialect", "::mlir::arith::ArithDialect"];
}

def QCPrintStructure : Pass<"qc-print-structure", "mlir::func::FuncOp"> {
  let summary = "Report what the model structure analysis finds, as remarks";
  let description = [{
    Runs the model structure analysis (`passes/ModelStructure.h`), which the
    float-preserving passes query, and reports each finding as a remark on
    its op: every norm (`qc.layer_norm`, `qc.rms_norm`, decomposed forms
    included, since the importer fuses them) and the linear layers it feeds;
    the residual stream (width, pre- or post-norm, what writes into it);
    each attention block (q/k/v/o, fused QKV, heads, KV heads for GQA, head
    dim); each FFN (up, gate, down); the embeddings and the LM head, tied or
    not. What it cannot place is a remark beginning `not recognised:` with
    the reason. Changes nothing.
  }];
}

#endif // QC_PASSES_TD
