//===- QCAttrs.td - qc dialect attributes ------------------*- tablegen -*-===//

#ifndef QC_ATTRS_TD
#define QC_ATTRS_TD

include "dialects/qc/QCBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class QC_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<QC_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Granularity
//===----------------------------------------------------------------------===//

def QC_Granularity : I32EnumAttr<"Granularity",
    "how many values share one quantization scale", [
      I32EnumAttrCase<"PerTensor", 0, "per_tensor">,
      I32EnumAttrCase<"PerChannel", 1, "per_channel">,
      I32EnumAttrCase<"PerGroup", 2, "per_group">,
      I32EnumAttrCase<"PerToken", 3, "per_token">
    ]> {
  let cppNamespace = "::qc";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// #qc.quant
//===----------------------------------------------------------------------===//

def QC_QuantSpecAttr : QC_Attr<"QuantSpec", "quant"> {
  let summary = "how a tensor is to be quantized";
  let description = [{
    A quantization request, written by bit allocation or by a preset and read
    by the quantizers.

    - `bits`: the integer width, 2 to 8.
    - `granularity`: `per_tensor` (one scale), `per_channel` (one scale per
      output channel of a weight), `per_group` (one scale per `group_size`
      consecutive values along the reduction dimension of a weight) or
      `per_token` (one scale per row of an activation, computed at run
      time; `per_tensor` activation scales are static, from calibration).
    - `group_size`: only with `per_group`; it must divide the reduction
      dimension of the op that carries the spec.
    - `symmetric`: symmetric (zero point 0) or asymmetric (with zero point).
    - `clip`: activations only, a ratio in (0, 1]: the scale covers `clip`
      times the range (the row's max |x| per token, the calibrated range per
      tensor), and larger values saturate. Absent: 1.

    Integer activations are symmetric: codes in `[-2^(bits-1), 2^(bits-1)-1]`
    and `scale = clip * max|x| / (2^(bits-1) - 1)`, so 8 bits reach +-127
    (and -128 only when clipped) and 4 bits [-8, 7].

    ```mlir
    #qc.quant<bits = 4, granularity = per_group, group_size = 128>
    #qc.quant<bits = 8, granularity = per_token, symmetric = false>
    #qc.quant<bits = 4, granularity = per_token, clip = 9.000000e-01 : f32>
    ```
  }];
  let parameters = (ins
    "unsigned":$bits,
    EnumParameter<QC_Granularity>:$granularity,
    DefaultValuedParameter<"int64_t", "0">:$group_size,
    DefaultValuedParameter<"bool", "true">:$symmetric,
    OptionalParameter<"::mlir::FloatAttr">:$clip
  );
  let builders = [
    // A spec without clipping.
    AttrBuilder<(ins "unsigned":$bits, "::qc::Granularity":$granularity,
                     "int64_t":$group_size, "bool":$symmetric), [{
      return $_get($_ctxt, bits, granularity, group_size, symmetric, ::mlir::FloatAttr());
    }]>
  ];
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The clipping ratio of activations: `clip`, or 1 without it.
    double getClipRatio() const;
    /// The largest code of symmetric integer activations, 2^(bits-1) - 1.
    int64_t getActivationQMax() const { return (int64_t(1) << (getBits() - 1)) - 1; }
    /// Smallest and largest integer codes of this spec: [-2^(b-1), 2^(b-1)-1]
    /// when symmetric (the full signed range), [0, 2^b - 1] otherwise.
    int64_t getQMin() const;
    int64_t getQMax() const;
    /// Number of scales needed along a reduction dimension of size `k`.
    int64_t getNumGroups(int64_t k) const;
    /// True when the spec can describe a weight (not per-token).
    bool isWeightGranularity() const;
    /// True when the spec can describe an activation (per-tensor, per-token).
    bool isActivationGranularity() const;
  }];
}

//===----------------------------------------------------------------------===//
// #qc.encoding
//===----------------------------------------------------------------------===//

def QC_WeightEncodingAttr : QC_Attr<"WeightEncoding", "encoding"> {
  let summary = "the byte layout a target packed a quantized weight in";
  let description = [{
    Marks a `qc.quantized_linear` whose weight and scales a target's packer
    (`qc-pack{target=...}`) laid out for its kernels: `target` names the
    target (for example `cpu`), `layout` the target's name for the layout it
    chose. The layout's bytes are the target's business: the dialect knows
    only that the operands are 1-D and which target reads them, and the
    target's lowering checks the layout is its own and the sizes are right.
    (IREE's data-tiling encodings work the same way.)

    ```mlir
    #qc.encoding<target = "cpu", layout = "n16k4-i4">
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the target that packed the weight">:$target,
    StringRefParameter<"the target's name for the layout">:$layout
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// #qc.stats
//===----------------------------------------------------------------------===//

def QC_TensorStatsAttr : QC_Attr<"TensorStats", "stats"> {
  let summary = "calibration statistics of a tensor";
  let description = [{
    What calibration measured of one tensor (for example the input of a
    linear layer) over `samples` calibration inputs.

    - `absmax`: max |x| per channel (the last dimension), rank 1, >= 0.
    - `min`, `max`: the tensor's range, for asymmetric activation scales.
    - `p99_9`, `p99_99`: the 99.9th and 99.99th percentiles of |x|, for
      clipped activation scales.
    - `gram`: the Gram matrix X^T X over all rows of X, channels x channels,
      as GPTQ needs it. Large, so usually a `dense_resource` blob.
    - `channel_min`, `channel_max`: the smallest and largest value of each
      channel, rank 1 like `absmax`, with
      `-absmax <= channel_min <= channel_max <= absmax` (for asymmetric
      per-channel ranges and for smoothing scales that shift as well as
      scale).
    - `rows`: R rows (tokens) of the tensor drawn uniformly at random from all
      the rows the samples produced (reservoir sampling with a fixed seed),
      R x channels, float: the real activations on which a pass can measure a
      rewritten or quantized layer's output error. Usually a
      `dense_resource` blob.

    ```mlir
    #qc.stats<samples = 16, absmax = dense<[1.5, 0.25]> : tensor<2xf32>,
              min = -1.5 : f32, max = 1.0 : f32,
              channel_min = dense<[-1.5, 0.0]> : tensor<2xf32>,
              channel_max = dense<[1.0, 0.25]> : tensor<2xf32>,
              rows = dense<[[-1.5, 0.25], [1.0, 0.0]]> : tensor<2x2xf32>>
    ```
  }];
  let parameters = (ins
    "uint64_t":$samples,
    "::mlir::ElementsAttr":$absmax,
    OptionalParameter<"::mlir::FloatAttr">:$min,
    OptionalParameter<"::mlir::FloatAttr">:$max,
    OptionalParameter<"::mlir::FloatAttr">:$p99_9,
    OptionalParameter<"::mlir::FloatAttr">:$p99_99,
    OptionalParameter<"::mlir::ElementsAttr">:$gram,
    OptionalParameter<"::mlir::ElementsAttr">:$channel_min,
    OptionalParameter<"::mlir::ElementsAttr">:$channel_max,
    OptionalParameter<"::mlir::ElementsAttr">:$rows
  );
  let builders = [
    // The statistics without per-channel ranges and sampled rows.
    AttrBuilder<(ins "uint64_t":$samples, "::mlir::ElementsAttr":$absmax,
                     "::mlir::FloatAttr":$min, "::mlir::FloatAttr":$max,
                     "::mlir::FloatAttr":$p99_9, "::mlir::FloatAttr":$p99_99,
                     "::mlir::ElementsAttr":$gram), [{
      return $_get($_ctxt, samples, absmax, min, max, p99_9, p99_99, gram,
                   ::mlir::ElementsAttr(), ::mlir::ElementsAttr(),
                   ::mlir::ElementsAttr());
    }]>
  ];
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of channels the statistics describe.
    int64_t getNumChannels() const;
    /// Number of sampled rows (0 without `rows`).
    int64_t getNumRows() const;
  }];
}

#endif // QC_ATTRS_TD
