//===- Reparam.cpp - qc-reparam (RepQ-ViT scale reparameterization) --------===//
//
// Post-norm activations have channels of very different ranges, which one
// per-tensor scale serves badly. RepQ-ViT quantizes them as if per channel
// and then reparameterizes: channel j's range [lo_j, hi_j] is shifted by its
// centre c_j and scaled by r_j = h_j / mean(h) (h_j its half-width), so all
// channels share one range, and the factors fold into the norm's affine and
// the next weights:
//
//   X~ = (X - c) diag(r)^-1:   g~ = g / r,  b~ = (b - c) / r,
//   Y = X W^T + bias = X~ (W diag(r))^T + (bias + W c).
//
// The shift goes into the bias, so the quantizer stays symmetric, as the
// kernels are.
//
//===----------------------------------------------------------------------===//

#include "passes/LayerNames.h"
#include "passes/ModelStructure.h"
#include "passes/Passes.h"
#include "passes/WeightEdits.h"

#include "dialects/qc/ConstantBlobs.h"

#include <algorithm>
#include <cmath>

namespace qc {
#define GEN_PASS_DEF_QCREPARAM
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

struct ReparamPass : impl::QCReparamBase<ReparamPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    ModelStructure structure = ModelStructure::analyze(func);
    bool dropped = false;
    for (const NormInfo &n : structure.norms)
      dropped |= reparameterize(n);
    if (dropped)
      func.emitRemark("qc-reparam: the reparameterized layers' calibration statistics were "
                      "dropped; run qc-calibrate again (qc-compile does)");
  }

  bool reparameterize(const NormInfo &n) {
    if (n.linears.empty())
      return false;
    bool quantizedInput = llvm::any_of(n.linears, [](LinearOp l) {
      return static_cast<bool>(l.getInputQuantAttr());
    });
    if (!quantizedInput)
      return false;
    LinearOp first = n.linears.front();
    std::string name = getLayerName(n.op, 0);
    TensorStatsAttr stats = first.getInputStatsAttr();
    if (!stats || !stats.getChannelMin() || !stats.getChannelMax()) {
      n.op->emitRemark() << "qc-reparam: '" << name
                         << "' not reparameterized: no per-channel ranges (run qc-calibrate first)";
      return false;
    }
    int64_t k = first.getInFeatures();
    auto type = cast<RankedTensorType>(n.input().getType());
    if (n.axis() != type.getRank() - 1 || type.getShape().back() != k)
      return false;
    std::optional<std::vector<double>> lo = getElementsAsDoubles(stats.getChannelMin());
    std::optional<std::vector<double>> hi = getElementsAsDoubles(stats.getChannelMax());
    std::optional<std::vector<float>> gamma = readVector(n.scale(), k);
    std::optional<std::vector<float>> beta =
        n.bias() ? readVector(n.bias(), k) : std::optional<std::vector<float>>(std::vector<float>(k, 0.0f));
    if (!lo || !hi || !gamma || !beta)
      return false;
    SmallVector<LinearParams> params;
    for (LinearOp l : n.linears) {
      std::optional<LinearParams> p = readLinear(l);
      if (!p || l.getInputStatsAttr() != stats)
        return false;
      params.push_back(std::move(*p));
    }

    // RMSNorm has no bias to take the shift: scale only.
    bool shift = !n.isRMS;
    std::vector<double> centre(k, 0.0), half(k);
    double meanHalf = 0;
    for (int64_t j = 0; j < k; ++j) {
      centre[j] = shift ? ((*lo)[j] + (*hi)[j]) / 2 : 0.0;
      half[j] = shift ? ((*hi)[j] - (*lo)[j]) / 2 : std::max(std::fabs((*lo)[j]), std::fabs((*hi)[j]));
      meanHalf += half[j];
    }
    meanHalf /= static_cast<double>(k);
    if (!(meanHalf > 0))
      return false;
    std::vector<double> r(k, 1.0);
    double spreadBefore = 0;
    for (int64_t j = 0; j < k; ++j) {
      if (half[j] > 0)
        r[j] = std::clamp(half[j] / meanHalf, 1e-4, 1e4);
      spreadBefore = std::max(spreadBefore, std::max(std::fabs((*lo)[j]), std::fabs((*hi)[j])));
    }

    Operation *norm = normOwnedBy(n.op, n.linears, !n.otherUses.empty());
    std::vector<float> newGamma(k), newBeta(k);
    for (int64_t j = 0; j < k; ++j) {
      newGamma[j] = static_cast<float>((*gamma)[j] / r[j]);
      newBeta[j] = static_cast<float>(((*beta)[j] - centre[j]) / r[j]);
    }
    writeNormAffine(norm, newGamma, shift ? ArrayRef<float>(newBeta) : ArrayRef<float>());
    Builder b(&getContext());
    double largest = *std::max_element(r.begin(), r.end());
    auto report = b.getDictionaryAttr(
        {b.getNamedAttr("method", b.getStringAttr(shift ? "repq-vit" : "repq-vit-scale")),
         b.getNamedAttr("max_scale", b.getF64FloatAttr(largest)),
         b.getNamedAttr("range_before", b.getF64FloatAttr(spreadBefore)),
         b.getNamedAttr("range_after", b.getF64FloatAttr(meanHalf))});
    for (auto [l, p] : llvm::zip(n.linears, params)) {
      for (int64_t i = 0; i < p.n; ++i) {
        double extra = 0;
        for (int64_t j = 0; j < k; ++j) {
          extra += static_cast<double>(p.weight[i * k + j]) * centre[j];
          p.weight[i * k + j] = static_cast<float>(p.weight[i * k + j] * r[j]);
        }
        p.bias[i] = static_cast<float>(p.bias[i] + extra);
      }
      p.hasBias |= shift;
      writeLinear(l, p);
      dropInputStats(l);
      l->setAttr("qc.reparam", report);
    }
    norm->emitRemark() << "qc-reparam: '" << name << "' (" << n.linears.size()
                       << " layers): per-channel ranges up to " << spreadBefore
                       << " made one range of +-" << meanHalf << ", largest factor " << largest;
    return true;
  }
};

} // namespace
} // namespace qc
