//===- Smooth.cpp - qc-smooth (SmoothQuant, AWQ) ---------------------------===//
//
// Y = X W^T = (X diag(s)^-1) (W diag(s))^T: a per-input-channel factor s
// moves from the activations into the weights. 1/s folds into what produces
// X — a norm's scale (and bias), or the output rows of the linear layer
// before (v before o, through attention's data movement and P.V; up before
// down, through SwiGLU's product) — so nothing extra runs.
//
// s is searched per group of layers sharing X, on the calibration rows
// qc-calibrate sampled, for the least output error of the quantized layers
// as they will run (their weight format, and their activation format if
// activations are quantized): SmoothQuant's s = max|X|^a / max|W|^(1-a),
// or AWQ's s = rms(X)^a, a on a grid. The statistics of X are then updated
// exactly (absmax / s, ranges / s, S^-1 G S^-1, rows / s), so GPTQ after
// smoothing uses the right Hessian.
//
//===----------------------------------------------------------------------===//

#include "passes/LayerNames.h"
#include "passes/ModelStructure.h"
#include "passes/Passes.h"
#include "passes/WeightEdits.h"
#include "passes/quantizers/ActivationQuantizers.h"
#include "passes/quantizers/WeightQuantizers.h"

#include "dialects/qc/ConstantBlobs.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Threading.h"

#include <algorithm>
#include <cmath>

namespace qc {
#define GEN_PASS_DEF_QCSMOOTH
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

enum class Producer { Norm, Value, Up };

/// Layers sharing one input X, and what produces X.
struct Group {
  Producer kind;
  Operation *producer;
  SmallVector<LinearOp> consumers;
  /// Value groups: one factor per head-dim index, shared by all heads.
  int64_t headDim = 0;
  const NormInfo *norm = nullptr;
};

/// What the search needs of a consumer, read before the (parallel) search.
struct ConsumerData {
  LinearOp op;
  quantizers::WeightFormat format;
  bool quantizedWeight = false;
  int actBits = 0;          // 0: float activations
  bool perTensor = false;   // static per-tensor activation scale
  std::vector<float> weight; // N x K
  int64_t n = 0;
  std::vector<int64_t> sampledRows; // output channels the error is measured on
};

struct Search {
  Group group;
  int64_t k = 0, rows = 0;
  std::vector<float> x;      // rows x k: sampled calibration rows of X
  std::vector<float> absmax; // k
  std::vector<double> rms;   // k
  std::vector<ConsumerData> consumers;
  // Result.
  std::vector<float> scale;
  double alpha = -1, errorBefore = 0, errorAfter = 0;
  std::string skipped;
};

float quantile(std::vector<float> values, double p) {
  if (values.empty())
    return 0;
  size_t index = std::min(values.size() - 1, static_cast<size_t>(std::ceil(p * values.size())) - 1);
  std::nth_element(values.begin(), values.begin() + index, values.end());
  return values[index];
}

/// X fake-quantized as the kernels quantize activations (symmetric; per
/// row, or one scale from the 99.99th percentile of |X| as qc-quantize
/// takes it).
void quantizeActivations(std::vector<float> &x, int64_t rows, int64_t k, int bits, bool perTensor) {
  quantizers::ActivationFormat format;
  format.bits = bits;
  if (perTensor) {
    std::vector<float> magnitudes(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      magnitudes[i] = std::fabs(x[i]);
    format.staticRange = quantile(std::move(magnitudes), 0.9999);
    if (format.staticRange <= 0)
      return;
  }
  quantizers::fakeQuantizeActivations(x.data(), rows, k, format);
}

/// Relative output error sum ||X W^T - Q(X/s) Q(W s)^T||^2 / sum ||X W^T||^2
/// over the quantized consumers (the sampled output channels).
double groupError(const Search &s, ArrayRef<float> scale) {
  int64_t k = s.k, rows = s.rows;
  double err = 0, ref = 0;
  std::vector<float> xs(s.x);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j)
      xs[r * k + j] /= scale[j];
  std::vector<float> xq;
  int quantizedBits = -1;
  bool quantizedPerTensor = false;
  for (const ConsumerData &c : s.consumers) {
    if (!c.quantizedWeight && !c.actBits)
      continue;
    if (c.actBits && (c.actBits != quantizedBits || c.perTensor != quantizedPerTensor)) {
      xq = xs;
      quantizeActivations(xq, rows, k, c.actBits, c.perTensor);
      quantizedBits = c.actBits;
      quantizedPerTensor = c.perTensor;
    }
    const std::vector<float> &xin = c.actBits ? xq : xs;
    int64_t m = static_cast<int64_t>(c.sampledRows.size());
    std::vector<float> w(static_cast<size_t>(m * k));
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < k; ++j)
        w[i * k + j] = c.weight[c.sampledRows[i] * k + j] * scale[j];
    std::vector<float> wq = c.quantizedWeight ? quantizers::quantizeRTN(w.data(), m, k, c.format).dequantize()
                                              : w;
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = &s.x[r * k], *qr = &xin[r * k];
      for (int64_t i = 0; i < m; ++i) {
        const float *w0 = &c.weight[c.sampledRows[i] * k], *w1 = &wq[i * k];
        float y = 0, yq = 0;
        for (int64_t j = 0; j < k; ++j) {
          y += xr[j] * w0[j];
          yq += qr[j] * w1[j];
        }
        err += static_cast<double>(y - yq) * (y - yq);
        ref += static_cast<double>(y) * y;
      }
    }
  }
  return ref > 0 ? err / ref : 0;
}

struct SmoothPass : impl::QCSmoothBase<SmoothPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (method != "smoothquant" && method != "awq") {
      func.emitError() << "qc-smooth: method must be smoothquant or awq, got '" << method << "'";
      return signalPassFailure();
    }
    double fixedAlpha = -1;
    if (alpha != "auto") {
      char *end = nullptr;
      fixedAlpha = std::strtod(alpha.c_str(), &end);
      if (alpha.empty() || *end || !(fixedAlpha >= 0 && fixedAlpha <= 1)) {
        func.emitError() << "qc-smooth: alpha must be auto or a number in [0, 1], got '" << alpha << "'";
        return signalPassFailure();
      }
    }
    ModelStructure structure = ModelStructure::analyze(func);
    std::vector<Search> searches;
    for (Group &g : collectGroups(structure)) {
      Search s;
      s.group = g;
      if (prepare(s))
        searches.push_back(std::move(s));
      else if (!s.skipped.empty())
        g.producer->emitRemark() << "qc-smooth: '" << getLayerName(g.consumers.front(), 0)
                                 << "' not smoothed: " << s.skipped;
    }
    // The searches only read; they run in parallel.
    parallelForEach(&getContext(), searches, [&](Search &s) { search(s, fixedAlpha); });
    for (Search &s : searches)
      apply(s);
  }

  SmallVector<Group> collectGroups(const ModelStructure &structure) {
    SmallVector<Group> groups;
    for (const NormInfo &n : structure.norms) {
      if (n.linears.empty() || n.axis() != cast<RankedTensorType>(n.input().getType()).getRank() - 1)
        continue;
      Group g{Producer::Norm, n.op, n.linears, 0, &n};
      groups.push_back(g);
    }
    for (const AttentionInfo &a : structure.attention)
      if (a.valueToOutputByHeadDim)
        groups.push_back({Producer::Value, a.v, {a.o}, a.headDim, nullptr});
    for (const FFNInfo &f : structure.ffns)
      if (f.gate && f.product && f.product->getResult(0).hasOneUse())
        groups.push_back({Producer::Up, f.up, {f.down}, 0, nullptr});
    return groups;
  }

  /// Reads everything the search needs; false (with `skipped` set, or empty
  /// when there is nothing to say) when the group is left alone.
  bool prepare(Search &s) {
    LinearOp first = s.group.consumers.front();
    TensorStatsAttr stats = first.getInputStatsAttr();
    bool anyQuantized = false, anyActivations = false;
    for (LinearOp c : s.group.consumers) {
      anyQuantized |= static_cast<bool>(c.getWeightQuantAttr());
      anyActivations |= static_cast<bool>(c.getInputQuantAttr());
      if (c.getInputStatsAttr() != stats) {
        s.skipped = "its layers' inputs carry different statistics";
        return false;
      }
    }
    if (!anyQuantized && !anyActivations)
      return false; // nothing quantized reads X
    if (method == "smoothquant" && !anyActivations) {
      s.skipped = "its activations are not quantized (method=awq smooths for the weights)";
      return false;
    }
    if (!stats || !stats.getRows()) {
      s.skipped = "no calibration rows (run qc-calibrate with sample-rows > 0 first)";
      return false;
    }
    s.k = first.getInFeatures();
    std::optional<std::vector<double>> rows = getElementsAsDoubles(stats.getRows());
    std::optional<std::vector<double>> absmax = getElementsAsDoubles(stats.getAbsmax());
    if (!rows || !absmax || static_cast<int64_t>(absmax->size()) != s.k || rows->size() % s.k) {
      s.skipped = "unreadable calibration statistics";
      return false;
    }
    s.rows = std::min<int64_t>(static_cast<int64_t>(rows->size()) / s.k, searchRows);
    s.x.assign(rows->begin(), rows->begin() + s.rows * s.k);
    s.absmax.assign(absmax->begin(), absmax->end());
    s.rms.assign(s.k, 0.0);
    std::optional<std::vector<double>> gram =
        stats.getGram() ? getElementsAsDoubles(stats.getGram()) : std::nullopt;
    for (int64_t j = 0; j < s.k; ++j) {
      if (gram) {
        s.rms[j] = std::sqrt(std::max(0.0, (*gram)[j * s.k + j]));
      } else {
        for (int64_t r = 0; r < s.rows; ++r)
          s.rms[j] += static_cast<double>(s.x[r * s.k + j]) * s.x[r * s.k + j];
        s.rms[j] = std::sqrt(s.rms[j]);
      }
    }
    if (s.group.kind == Producer::Value && s.k % s.group.headDim)
      return false;
    for (LinearOp c : s.group.consumers) {
      std::optional<std::vector<float>> w = getConstantFloats(c.getWeight());
      if (!w) {
        s.skipped = "a weight is not a constant f32 tensor";
        return false;
      }
      ConsumerData d;
      d.op = c;
      d.n = c.getOutFeatures();
      d.weight = std::move(*w);
      if (QuantSpecAttr q = c.getWeightQuantAttr()) {
        d.quantizedWeight = true;
        d.format.bits = static_cast<int>(q.getBits());
        d.format.groupSize = q.getGranularity() == Granularity::PerGroup ? q.getGroupSize() : 0;
        d.format.symmetric = q.getSymmetric();
        d.format.searchClip = false; // the search compares scales, not clipping
      }
      if (QuantSpecAttr a = c.getInputQuantAttr()) {
        d.actBits = static_cast<int>(a.getBits());
        d.perTensor = a.getGranularity() == Granularity::PerTensor;
      }
      int64_t step = std::max<int64_t>(1, d.n / maxOutputChannels);
      for (int64_t i = 0; i < d.n; i += step)
        d.sampledRows.push_back(i);
      s.consumers.push_back(std::move(d));
    }
    return true;
  }

  /// The factors for one alpha.
  std::vector<float> scalesFor(const Search &s, double a) {
    int64_t k = s.k;
    std::vector<double> act(k), wmax(k, 0.0);
    for (int64_t j = 0; j < k; ++j)
      act[j] = method == "awq" ? s.rms[j] : s.absmax[j];
    for (const ConsumerData &c : s.consumers)
      for (int64_t i = 0; i < c.n; ++i)
        for (int64_t j = 0; j < k; ++j)
          wmax[j] = std::max(wmax[j], static_cast<double>(std::fabs(c.weight[i * k + j])));
    if (int64_t hd = s.group.headDim) {
      // One factor per head-dim index: the largest over the heads.
      for (int64_t d = 0; d < hd; ++d) {
        double am = 0, wm = 0;
        for (int64_t j = d; j < k; j += hd) {
          am = std::max(am, act[j]);
          wm = std::max(wm, wmax[j]);
        }
        for (int64_t j = d; j < k; j += hd) {
          act[j] = am;
          wmax[j] = wm;
        }
      }
    }
    std::vector<double> sc(k, 1.0);
    for (int64_t j = 0; j < k; ++j) {
      if (!(act[j] > 0) || (method != "awq" && !(wmax[j] > 0)))
        continue;
      sc[j] = method == "awq" ? std::pow(act[j], a) : std::pow(act[j], a) / std::pow(wmax[j], 1 - a);
    }
    if (method == "awq") {
      // AWQ's normalisation: the factors centred on 1 geometrically.
      double lo = *std::min_element(sc.begin(), sc.end()), hi = *std::max_element(sc.begin(), sc.end());
      double mid = std::sqrt(lo * hi);
      if (mid > 0)
        for (double &v : sc)
          v /= mid;
    }
    std::vector<float> out(k);
    for (int64_t j = 0; j < k; ++j)
      out[j] = static_cast<float>(std::clamp(sc[j], 1e-4, 1e4));
    return out;
  }

  void search(Search &s, double fixedAlpha) {
    std::vector<float> identity(s.k, 1.0f);
    s.errorBefore = groupError(s, identity);
    s.scale = identity;
    s.errorAfter = s.errorBefore;
    std::vector<double> alphas;
    if (fixedAlpha >= 0)
      alphas.push_back(fixedAlpha);
    else
      for (int64_t i = 0; i <= gridSteps; ++i)
        alphas.push_back(static_cast<double>(i) / static_cast<double>(gridSteps));
    for (double a : alphas) {
      std::vector<float> candidate = scalesFor(s, a);
      double e = groupError(s, candidate);
      // A fixed alpha is applied as asked; auto keeps the best, identity
      // included.
      if (fixedAlpha >= 0 || e < s.errorAfter) {
        s.errorAfter = e;
        s.scale = std::move(candidate);
        s.alpha = a;
      }
    }
  }

  void apply(Search &s) {
    Group &g = s.group;
    std::string name = getLayerName(g.consumers.front(), 0);
    float largest = *std::max_element(s.scale.begin(), s.scale.end());
    if (s.alpha < 0) {
      g.producer->emitRemark() << "qc-smooth: '" << name << "': no factor lowers the error ("
                               << std::sqrt(s.errorBefore) << "); left as it is";
      return;
    }
    int64_t k = s.k;
    // 1/s into the producer.
    if (g.kind == Producer::Norm) {
      Operation *norm = normOwnedBy(g.producer, g.consumers, !g.norm->otherUses.empty());
      std::optional<std::vector<float>> gamma = readVector(norm->getOperand(1), k);
      std::optional<std::vector<float>> beta;
      if (auto ln = dyn_cast<LayerNormOp>(norm); ln && ln.getBias())
        beta = readVector(ln.getBias(), k);
      if (!gamma) {
        norm->emitRemark("qc-smooth: not smoothed: the norm's scale is not constant");
        return;
      }
      for (int64_t j = 0; j < k; ++j) {
        (*gamma)[j] /= s.scale[j];
        if (beta)
          (*beta)[j] /= s.scale[j];
      }
      writeNormAffine(norm, *gamma, beta ? ArrayRef<float>(*beta) : ArrayRef<float>());
    } else {
      auto producer = cast<LinearOp>(g.producer);
      std::optional<LinearParams> p = readLinear(producer);
      if (!p) {
        producer->emitRemark("qc-smooth: not smoothed: the producer's weight is not constant");
        return;
      }
      for (int64_t i = 0; i < p->n; ++i) {
        // Value groups: v's output channel i is (kv head, i % head dim).
        float f = g.kind == Producer::Value ? s.scale[i % g.headDim] : s.scale[i];
        for (int64_t j = 0; j < p->k; ++j)
          p->weight[i * p->k + j] /= f;
        p->bias[i] /= f;
      }
      writeLinear(producer, *p);
      producer.removeOutputStatsAttr();
    }
    // s into the consumers' columns.
    for (ConsumerData &c : s.consumers) {
      std::optional<LinearParams> p = readLinear(c.op);
      for (int64_t i = 0; i < p->n; ++i)
        for (int64_t j = 0; j < k; ++j)
          p->weight[i * k + j] *= s.scale[j];
      writeLinear(c.op, *p);
    }
    TensorStatsAttr updated = rescaleStats(g.consumers.front().getInputStatsAttr(), s.scale);
    Builder b(&getContext());
    auto report = b.getDictionaryAttr({
        b.getNamedAttr("method", b.getStringAttr(method)),
        b.getNamedAttr("alpha", b.getF64FloatAttr(s.alpha)),
        b.getNamedAttr("max_scale", b.getF64FloatAttr(largest)),
        b.getNamedAttr("error_before", b.getF64FloatAttr(std::sqrt(s.errorBefore))),
        b.getNamedAttr("error_after", b.getF64FloatAttr(std::sqrt(s.errorAfter)))});
    for (LinearOp c : g.consumers) {
      c.setInputStatsAttr(updated);
      c->setAttr("qc.smooth", report);
    }
    g.producer->emitRemark() << "qc-smooth: '" << name << "' (" << g.consumers.size()
                             << " layers): alpha " << s.alpha << ", largest factor " << largest
                             << ", error " << std::sqrt(s.errorBefore) << " -> "
                             << std::sqrt(s.errorAfter);
  }

  /// The statistics of X diag(s)^-1, from those of X.
  TensorStatsAttr rescaleStats(TensorStatsAttr stats, ArrayRef<float> scale) {
    int64_t k = static_cast<int64_t>(scale.size());
    Builder b(&getContext());
    auto vectorType = RankedTensorType::get({k}, b.getF32Type());
    auto perChannel = [&](ElementsAttr attr) -> ElementsAttr {
      if (!attr)
        return {};
      std::optional<std::vector<double>> v = getElementsAsDoubles(attr);
      std::vector<float> out(k);
      for (int64_t j = 0; j < k; ++j)
        out[j] = static_cast<float>((*v)[j] / scale[j]);
      return DenseElementsAttr::get(vectorType, ArrayRef<float>(out));
    };
    ElementsAttr absmax = perChannel(stats.getAbsmax());
    ElementsAttr channelMin = perChannel(stats.getChannelMin());
    ElementsAttr channelMax = perChannel(stats.getChannelMax());
    ElementsAttr gram, rows;
    if (ElementsAttr g = stats.getGram()) {
      std::vector<double> v = *getElementsAsDoubles(g);
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < k; ++j)
          v[i * k + j] /= static_cast<double>(scale[i]) * scale[j];
      gram = DenseResourceElementsAttr::get(
          cast<ShapedType>(g.getType()), "gram",
          HeapAsmResourceBlob::allocateAndCopyWithAlign(
              ArrayRef<char>(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(double)), 64));
    }
    std::vector<float> magnitudes;
    if (ElementsAttr r = stats.getRows()) {
      std::vector<double> v = *getElementsAsDoubles(r);
      std::vector<float> out(v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        out[i] = static_cast<float>(v[i] / scale[i % k]);
        magnitudes.push_back(std::fabs(out[i]));
      }
      rows = DenseResourceElementsAttr::get(
          cast<ShapedType>(r.getType()), "rows",
          HeapAsmResourceBlob::allocateAndCopyWithAlign(
              ArrayRef<char>(reinterpret_cast<const char *>(out.data()), out.size() * sizeof(float)), 64));
    }
    // The global range from the per-channel ranges (exact); the percentiles
    // from the sampled rows (an estimate: the histogram does not rescale).
    FloatAttr min = stats.getMin(), max = stats.getMax(), p999 = stats.getP99_9(),
              p9999 = stats.getP99_99();
    if (channelMin && channelMax) {
      auto lo = *getElementsAsDoubles(channelMin), hi = *getElementsAsDoubles(channelMax);
      min = b.getF32FloatAttr(static_cast<float>(*std::min_element(lo.begin(), lo.end())));
      max = b.getF32FloatAttr(static_cast<float>(*std::max_element(hi.begin(), hi.end())));
    }
    if (!magnitudes.empty()) {
      p999 = b.getF32FloatAttr(quantile(magnitudes, 0.999));
      p9999 = b.getF32FloatAttr(quantile(std::move(magnitudes), 0.9999));
    }
    return TensorStatsAttr::get(&getContext(), stats.getSamples(), absmax, min, max, p999, p9999,
                                gram, channelMin, channelMax, rows);
  }
};

} // namespace
} // namespace qc
