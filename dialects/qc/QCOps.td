//===- QCOps.td - qc dialect ops ---------------------------*- tablegen -*-===//

#ifndef QC_OPS_TD
#define QC_OPS_TD

include "dialects/qc/QCBase.td"
include "dialects/qc/QCAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"

class QC_Op<string mnemonic, list<Trait> traits = []>
    : Op<QC_Dialect, mnemonic, traits>;

// Element types a qc tensor may hold: floats, or upstream quantized types
// (`!quant.uniform` per-tensor, per-axis, sub-channel) once quantized.
def QC_QuantizedType : Type<CPred<"::llvm::isa<::mlir::quant::QuantizedType>($_self)">,
                            "quantized type", "::mlir::quant::QuantizedType">;
def QC_ElementType : AnyTypeOf<[AnyFloat, QC_QuantizedType]>;
def QC_Tensor : RankedTensorOf<[QC_ElementType]>;
def QC_FloatTensor : RankedTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// qc.linear
//===----------------------------------------------------------------------===//

def QC_LinearOp : QC_Op<"linear", [Pure]> {
  let summary = "linear layer: y = x * W^T + b";
  let description = [{
    A linear (fully connected) layer with its weight as an operand, in the
    layout of PyTorch's `nn.Linear`: `weight` is `N x K` (output channels x
    input channels), `input` is `... x K` and the result is `... x N`.
    `bias`, when present, has `N` elements.

    Quantization passes attach facts to it:
    - `input_stats`, `output_stats` (`#qc.stats`): calibration statistics of
      the input (K channels) and the output (N channels);
    - `weight_quant` (`#qc.quant`, per-tensor, per-channel or per-group along
      K) and `input_quant` (`#qc.quant`, per-tensor or per-token): the
      formats chosen for the weight and the input.

    Once the weight is quantized its element type is a `!quant.uniform`
    type: per-tensor, per-axis along dimension 0, or sub-channel with blocks
    `1 x g` where `g` divides K.

    ```mlir
    %y = qc.linear %x, %w, %b
        {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 32>}
        : (tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins
    QC_Tensor:$input,
    QC_Tensor:$weight,
    Optional<QC_FloatTensor>:$bias,
    OptionalAttr<QC_TensorStatsAttr>:$input_stats,
    OptionalAttr<QC_TensorStatsAttr>:$output_stats,
    OptionalAttr<QC_QuantSpecAttr>:$weight_quant,
    OptionalAttr<QC_QuantSpecAttr>:$input_quant
  );
  let results = (outs QC_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Infers the result type `input.shape[:-1] x N` with the input's element
    // type.
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight,
                   CArg<"::mlir::Value", "{}">:$bias)>
  ];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Size of the reduction dimension (K), or ShapedType::kDynamic.
    int64_t getInFeatures();
    /// Number of output channels (N), or ShapedType::kDynamic.
    int64_t getOutFeatures();
  }];
}

//===----------------------------------------------------------------------===//
// qc.quantized_linear
//===----------------------------------------------------------------------===//

def QC_QuantizedLinearOp : QC_Op<"quantized_linear",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "linear layer with an integer weight: y = x * dequant(W)^T + b";
  let description = [{
    What `qc-quantize` makes of a `qc.linear` whose weight it quantized: the
    weight as integer codes with their scales (and zero points when
    asymmetric), in the format `weight_quant` names, so that no float copy of
    the weight remains.

    Logical form (`qc-quantize`'s output): `weight` is `N x K` i8 codes in
    the signed range of `weight_quant.bits`, `scales` is `N x G` f32 with
    `G = ceil(K / group_size)` (1 per channel), `zero_points` is `N x G` i8
    when `weight_quant` is asymmetric and absent otherwise; element
    `w[n][k] = scales[n][g] * (weight[n][k] - zero_points[n][g])`.

    Packed form (`encoding`, the output of `qc-pack{target=...}`): `weight`
    and `scales` are 1-D, laid out for a target's kernels as
    `#qc.encoding<target, layout>` says; the zero points are folded in and
    the operand is absent. The dialect does not know the layout: the
    target's lowering checks it (passes/QuantizedLinearTarget.h).

    The activations: float when `input_quant` is absent; otherwise integer
    codes of `input_quant.bits` bits (2 to 8), symmetric, with one scale per
    row computed at run time when it is `per_token` (`clip * max|x_row| /
    (2^(bits-1) - 1)`), or the one calibrated `input_scale` when it is
    `per_tensor`. Codes lie in `[-2^(bits-1), 2^(bits-1) - 1]`.

    `output_error` is the layer's relative output error against float on
    the calibration inputs, when `qc-quantize` could measure it.

    ```mlir
    %y = qc.quantized_linear %x, %codes, %scales, %b
        {weight_quant = #qc.quant<bits = 4, granularity = per_group, group_size = 128>}
        : (tensor<?x384xf32>, tensor<1536x384xi8>, tensor<1536x3xf32>, tensor<1536xf32>)
        -> tensor<?x1536xf32>
    ```
  }];
  let arguments = (ins
    QC_FloatTensor:$input,
    TensorOf<[I8]>:$weight,
    TensorOf<[F32]>:$scales,
    Optional<TensorOf<[I8]>>:$zero_points,
    Optional<QC_FloatTensor>:$bias,
    QC_QuantSpecAttr:$weight_quant,
    OptionalAttr<QC_QuantSpecAttr>:$input_quant,
    OptionalAttr<F32Attr>:$input_scale,
    OptionalAttr<QC_WeightEncodingAttr>:$encoding,
    OptionalAttr<F64Attr>:$output_error
  );
  let results = (outs QC_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $scales (`zero_points` $zero_points^)? (`bias` $bias^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// K and N (static: the verifier requires them).
    int64_t getInFeatures();
    int64_t getOutFeatures();
    /// Scales per output channel: 1, or ceil(K / group_size).
    int64_t getNumGroups();
    /// True when the activations are quantized to integers.
    bool hasIntegerActivations() { return static_cast<bool>(getInputQuantAttr()); }
    /// True when a target packed the weight (`encoding`).
    bool isPacked() { return static_cast<bool>(getEncodingAttr()); }
    /// What the layer computes: sizes, groups, weight bits, activation
    /// quantization. The verifier, every target's packer and the reference
    /// lowering read it from here.
    ::qc::LinearFormat getFormat();
  }];
}

//===----------------------------------------------------------------------===//
// qc.matmul
//===----------------------------------------------------------------------===//

def QC_MatMulOp : QC_Op<"matmul", [Pure]> {
  let summary = "activation x activation matmul (attention scores, context)";
  let description = [{
    `lhs` is `B... x M x K`, `rhs` is `B... x K x N`, the result is
    `B... x M x N`; batch dimensions broadcast as in NumPy. Both operands
    are activations (for example Q x K^T and P x V in attention), so both may
    carry calibration statistics and quantization specs (per-tensor or
    per-token).

    ```mlir
    %s = qc.matmul %q, %kt : (tensor<1x12x128x64xf32>, tensor<1x12x64x128xf32>)
                             -> tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins
    QC_Tensor:$lhs,
    QC_Tensor:$rhs,
    OptionalAttr<QC_TensorStatsAttr>:$lhs_stats,
    OptionalAttr<QC_TensorStatsAttr>:$rhs_stats,
    OptionalAttr<QC_QuantSpecAttr>:$lhs_quant,
    OptionalAttr<QC_QuantSpecAttr>:$rhs_quant
  );
  let results = (outs QC_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

class QC_NormOp<string mnemonic> : QC_Op<mnemonic, [Pure]> {
  let results = (outs QC_FloatTensor:$output);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// `axis` made non-negative.
    int64_t getNormalizedAxis() {
      int64_t axis = getAxis();
      return axis < 0 ? axis + getInput().getType().getRank() : axis;
    }
  }];
}

def QC_LayerNormOp : QC_NormOp<"layer_norm"> {
  let summary = "layer normalization over the dimensions from `axis` on";
  let description = [{
    `y = (x - mean(x)) / sqrt(var(x) + epsilon) * scale + bias`, mean and
    variance taken over dimensions `axis ..< rank` (ONNX
    `LayerNormalization`). `scale` and `bias` have the shape of those
    dimensions; `bias` is optional. The result has the input's type.

    ```mlir
    %y = qc.layer_norm %x, %gamma, %beta {axis = -1 : i64, epsilon = 1.0e-12 : f32}
        : (tensor<1x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
    ```
  }];
  let arguments = (ins
    QC_FloatTensor:$input,
    QC_FloatTensor:$scale,
    Optional<QC_FloatTensor>:$bias,
    DefaultValuedAttr<I64Attr, "-1">:$axis,
    DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon
  );
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def QC_RMSNormOp : QC_NormOp<"rms_norm"> {
  let summary = "RMS normalization over the dimensions from `axis` on";
  let description = [{
    `y = x / sqrt(mean(x^2) + epsilon) * scale`, the mean taken over
    dimensions `axis ..< rank`. `scale` has the shape of those dimensions.
    QuaRot-style rotation needs it: a LayerNorm whose input is centred is an
    RMSNorm, and an RMSNorm commutes with an orthogonal rotation.

    ```mlir
    %y = qc.rms_norm %x, %gamma {epsilon = 1.0e-6 : f32}
        : (tensor<1x128x384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
    ```
  }];
  let arguments = (ins
    QC_FloatTensor:$input,
    QC_FloatTensor:$scale,
    DefaultValuedAttr<I64Attr, "-1">:$axis,
    DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon
  );
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// qc.softmax
//===----------------------------------------------------------------------===//

def QC_SoftmaxOp : QC_Op<"softmax", [Pure]> {
  let summary = "softmax along one axis";
  let description = [{
    `y_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x))` along `axis`. Its
    output lies in [0, 1], which is why passes treat it apart (RepQ-ViT's
    log2 quantizer for post-softmax values). The result has the input's type.

    ```mlir
    %p = qc.softmax %s {axis = -1 : i64} : (tensor<1x12x128x128xf32>) -> tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins
    QC_FloatTensor:$input,
    DefaultValuedAttr<I64Attr, "-1">:$axis,
    OptionalAttr<QC_TensorStatsAttr>:$output_stats
  );
  let results = (outs QC_FloatTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// qc.hadamard
//===----------------------------------------------------------------------===//

def QC_HadamardOp : QC_Op<"hadamard", [Pure]> {
  let summary = "an online Hadamard rotation of the last dimension";
  let description = [{
    `y = (x * signs) H / sqrt(size)` along the last dimension, of extent
    `size`: the rotation QuaRot applies at run time where no weight can
    absorb it (before the FFN's down projection, whose input is a product
    of activations). `H` is the Kronecker product `H_base (x) H_(size/base)`
    of a base Hadamard matrix of order `base` (1, or Paley's 12, 20, 28 or
    their products: passes/quantizers/Hadamard.h) and Sylvester's of the
    power of two `size / base`; element `(i, j)` is
    `H_base[i / p][j / p] * H_p[i % p][j % p]` with `p = size / base`.
    `signs`, when present, is a vector of `size` values +1 or -1 applied
    to the input first (a randomized Hadamard). A back end lowers it to a
    fast Walsh-Hadamard transform, O(size log size) per row.

    ```mlir
    %y = qc.hadamard %x {size = 1536 : i64, base = 12 : i64} : (tensor<?x1536xf32>) -> tensor<?x1536xf32>
    ```
  }];
  let arguments = (ins
    QC_FloatTensor:$input,
    I64Attr:$size,
    DefaultValuedAttr<I64Attr, "1">:$base,
    OptionalAttr<DenseI8ArrayAttr>:$signs
  );
  let results = (outs QC_FloatTensor:$output);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// qc.observe
//===----------------------------------------------------------------------===//

def QC_ObserveOp : QC_Op<"observe", [MemoryEffects<[MemWrite]>]> {
  let summary = "hand a tensor to calibration observer `id`";
  let description = [{
    Shows the value of `input` to the observer numbered `id` each time the
    program runs: `qc-calibrate` inserts one in its instrumented copy of the
    module for each tensor it measures, and folds what the observers see
    into statistics. `input` (rank >= 1) is seen as a matrix of rows x
    channels: its leading dimensions collapsed, its last dimension the
    channels.

    The op has no results and writes to the observer, so it is neither
    removed nor merged with another. Each back end lowers it: the CPU one
    (`qc-cpu-lower-observe`) to a call of `qc_calibration_observe(id,
    memref<?x?xf32>)`, which the tool running the program provides.

    ```mlir
    qc.observe %x {id = 0 : i64} : tensor<?x128x384xf32>
    ```
  }];
  let arguments = (ins
    RankedTensorOf<[F32]>:$input,
    I64Attr:$id
  );
  let assemblyFormat = [{
    $input attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// qc.check
//===----------------------------------------------------------------------===//

def QC_CheckOp : QC_Op<"check", [MemoryEffects<[MemWrite]>]> {
  let summary = "a run-time check of the program's input";
  let description = [{
    Fails the run when `condition` is false: the program's caller gets an
    error whose text is `message` with `{0}`, `{1}`, `{2}` replaced by the
    decimal `values` (at most three), prefixed by the op's location (the
    ONNX node's name). The frontend inserts one wherever the input can make
    the program wrong: an index out of range, dynamic dims that must agree
    but do not. The op guards nothing by itself: the code after it must be
    safe to run whatever the outcome (indices clamped, reads in bounds), and
    its results are discarded when a check failed.

    The op has no results and writes the run's status, so it is neither
    removed nor merged with another. Each back end lowers it: the CPU one
    (`qc-cpu-lower-checks`) to a call of the artifact's failure recorder.

    ```mlir
    qc.check %inRange, "index {0} out of range [{1}, {2})" %i, %lo, %hi : i64, i64, i64
    ```
  }];
  let arguments = (ins
    I1:$condition,
    StrAttr:$message,
    Variadic<AnyTypeOf<[Index, AnySignlessInteger]>>:$values
  );
  let assemblyFormat = [{
    $condition `,` $message ($values^ `:` type($values))? attr-dict
  }];
  let hasVerifier = 1;
  // A condition known true: the check goes.
  let hasCanonicalizeMethod = 1;
}

#endif // QC_OPS_TD
