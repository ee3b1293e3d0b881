//===- Quantize.cpp - quantize the weights of linear layers ---------------===//

#include "dialects/qc/ConstantBlobs.h"
#include "passes/LayerNames.h"
#include "passes/Passes.h"
#include "passes/quantizers/ActivationQuantizers.h"
#include "passes/quantizers/WeightQuantizers.h"

#include "mlir/IR/PatternMatch.h"

namespace qc {
#define GEN_PASS_DEF_QCQUANTIZE
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;
using namespace qc::quantizers;

namespace qc {
namespace {

struct QuantizePass : impl::QCQuantizeBase<QuantizePass> {
  using Base::Base;

  void runOnOperation() override {
    if (method != "rtn" && method != "gptq") {
      getOperation().emitError() << "unknown weight quantizer '" << method
                                 << "' (expected rtn or gptq)";
      return signalPassFailure();
    }
    if (activationClip != "keep" && activationClip != "search") {
      getOperation().emitError() << "unknown activation-clip '" << activationClip
                                 << "' (expected keep or search)";
      return signalPassFailure();
    }
    if (staticScale != "p99.99" && staticScale != "absmax") {
      getOperation().emitError() << "unknown static-scale '" << staticScale
                                 << "' (expected p99.99 or absmax)";
      return signalPassFailure();
    }
    SmallVector<LinearOp> layers;
    getOperation().walk([&](LinearOp op) {
      if (op.getWeightQuantAttr())
        layers.push_back(op);
    });
    for (LinearOp op : layers)
      if (failed(quantize(op)))
        return signalPassFailure();
  }

  LogicalResult quantize(LinearOp op) {
    std::optional<std::vector<float>> weight = getConstantFloats(op.getWeight());
    if (!weight)
      return op.emitError("weight_quant needs a constant f32 weight");
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    if (!inType.getElementType().isF32())
      return op.emitError("quantized linear layers take f32 inputs");
    if (op.getBias() && !cast<RankedTensorType>(op.getBias().getType()).getElementType().isF32())
      return op.emitError("quantized linear layers take an f32 bias");
    QuantSpecAttr spec = op.getWeightQuantAttr();
    if (spec.getGranularity() != Granularity::PerChannel &&
        spec.getGranularity() != Granularity::PerGroup)
      return op.emitError("weight_quant must be per_channel or per_group to quantize");
    int64_t n = op.getOutFeatures(), k = op.getInFeatures();
    WeightFormat format{static_cast<int>(spec.getBits()),
                        spec.getGranularity() == Granularity::PerGroup ? spec.getGroupSize() : 0,
                        spec.getSymmetric()};

    std::optional<std::vector<double>> gram;
    TensorStatsAttr stats = op.getInputStatsAttr();
    if (stats && stats.getGram())
      gram = getElementsAsDoubles(stats.getGram());

    std::vector<double> importance;
    if (activationAwareClip && gram) {
      importance.resize(k);
      for (int64_t j = 0; j < k; ++j)
        importance[j] = (*gram)[j * k + j];
      format.columnImportance = importance.data();
    }
    QuantizedWeight q;
    if (method == "gptq" && gram) {
      GPTQOptions options;
      options.actOrder = actOrder;
      options.blockSize = blockSize;
      options.dampFraction = damp;
      std::string warning;
      if (!quantizeGPTQ(weight->data(), n, k, gram->data(), format, options, q, warning))
        op.emitWarning() << warning;
    } else {
      if (method == "gptq")
        op.emitWarning("no calibration Gram matrix (run qc-calibrate first); used RTN");
      q = quantizeRTN(weight->data(), n, k, format);
    }

    OpBuilder b(op);
    QuantSpecAttr inputQuant = op.getInputQuantAttr();
    bool perTensor = inputQuant && inputQuant.getGranularity() == Granularity::PerTensor;
    double staticRange = 0;
    if (perTensor) {
      if (!stats)
        return op.emitError("static per-tensor activations need calibration statistics "
                            "(run qc-calibrate first)");
      if (staticScale == "p99.99" && stats.getP99_99())
        staticRange = stats.getP99_99().getValueAsDouble();
      else
        for (APFloat v : cast<DenseElementsAttr>(stats.getAbsmax()).getValues<APFloat>())
          staticRange = std::max(staticRange, v.convertToDouble());
    }
    if (inputQuant && activationClip == "search")
      inputQuant = searchClip(op, inputQuant, *weight, staticRange);
    FloatAttr inputScale;
    if (perTensor) {
      // The codes' range [-qmax - 1, qmax] covers clip times the calibrated
      // range.
      double range = staticRange * inputQuant.getClipRatio();
      double qmax = static_cast<double>(inputQuant.getActivationQMax());
      inputScale = b.getF32FloatAttr(range > 0 ? static_cast<float>(range / qmax) : 1.0f);
    }
    FloatAttr error;
    if (gram)
      error = b.getF64FloatAttr(relativeOutputError(weight->data(), q, gram->data()));

    Location loc = op.getLoc();
    std::string name = getLocationName(loc);
    if (name.empty())
      name = "weight";
    auto i8 = b.getI8Type();
    Value codes = makeBlobConstant(b, loc, RankedTensorType::get({n, k}, i8),
                                   ArrayRef<int8_t>(q.codes), name + ".codes");
    Value scales = makeBlobConstant(b, loc, RankedTensorType::get({n, q.groups}, b.getF32Type()),
                                    ArrayRef<float>(q.scales), name + ".scales");
    Value zeros;
    if (!q.zeroPoints.empty())
      zeros = makeBlobConstant(b, loc, RankedTensorType::get({n, q.groups}, i8),
                               ArrayRef<int8_t>(q.zeroPoints), name + ".zero_points");
    auto quantized = QuantizedLinearOp::create(
        b, loc, op.getType(), op.getInput(), codes, scales, zeros, op.getBias(), spec,
        inputQuant, inputScale, WeightEncodingAttr(), error);
    // What the float-preserving passes did stays visible to the report.
    for (StringRef key : {"qc.smooth", "qc.reparam"})
      if (Attribute a = op->getAttr(key))
        quantized->setAttr(key, a);
    op.replaceAllUsesWith(quantized.getResult());
    Operation *weightDef = op.getWeight().getDefiningOp();
    op.erase();
    if (weightDef && weightDef->use_empty())
      weightDef->erase();
    return success();
  }

  /// The activation format with the clipping ratio of least output error on
  /// the layer's sampled calibration rows, measured on up to 64 of its
  /// output channels (float weights: the activations' share of the error).
  QuantSpecAttr searchClip(LinearOp op, QuantSpecAttr spec, const std::vector<float> &weight,
                           double staticRange) {
    TensorStatsAttr stats = op.getInputStatsAttr();
    if (!stats || !stats.getRows()) {
      op.emitWarning("activation-clip=search needs sampled calibration rows (qc-calibrate); "
                     "kept clip ")
          << spec.getClipRatio();
      return spec;
    }
    std::optional<std::vector<double>> sampled = getElementsAsDoubles(stats.getRows());
    int64_t n = op.getOutFeatures(), k = op.getInFeatures();
    int64_t r = stats.getNumRows();
    if (!sampled || r == 0 || static_cast<int64_t>(sampled->size()) != r * k)
      return spec;
    std::vector<float> rows(sampled->begin(), sampled->end());
    int64_t m = std::min<int64_t>(n, 64);
    std::vector<float> w(static_cast<size_t>(m * k));
    for (int64_t i = 0; i < m; ++i) {
      int64_t channel = i * n / m;
      std::copy_n(weight.data() + channel * k, k, w.data() + i * k);
    }
    quantizers::ActivationFormat format;
    format.bits = static_cast<int>(spec.getBits());
    format.staticRange = staticRange;
    quantizers::ClipSearchResult best = quantizers::searchActivationClip(
        rows.data(), r, k, w.data(), m, format, quantizers::defaultClipCandidates());
    op.emitRemark() << "activation clip " << best.clip << ": activation output error "
                    << best.error << " (" << best.errorNoClip << " unclipped)";
    MLIRContext *ctx = op.getContext();
    return QuantSpecAttr::get(ctx, spec.getBits(), spec.getGranularity(), spec.getGroupSize(),
                              spec.getSymmetric(),
                              best.clip < 1 ? FloatAttr::get(Float32Type::get(ctx), best.clip)
                                            : FloatAttr());
  }
};

} // namespace
} // namespace qc
