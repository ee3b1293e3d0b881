//===- Calibrate.cpp - measure linear layers' activations -----------------===//
//
// The module is cloned; in the clone each observed tensor (a linear layer's
// input, once per distinct value, and its output) gets a `qc.observe` with
// its observer's id, which the back end lowers (the CPU's: a call of
// qc_calibration_observe on a read-only rows x channels buffer). The tool's
// executor compiles and runs the clone on every sample, showing this run's
// observer each tensor as it arrives, which folds it into running
// statistics, so only one sample's activations exist at a time. The
// statistics are then written onto the original module's layers.
//
//===----------------------------------------------------------------------===//

#include "passes/Calibrate.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace qc {
#define GEN_PASS_DEF_QCCALIBRATE
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

/// Running statistics of one observed tensor.
struct Observed {
  int64_t channels = 0;
  bool wantGram = false;
  uint64_t rows = 0;
  std::vector<float> absmax, channelMin, channelMax;
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  // |x| histogram: 64 bins per power of two from 2^-64 to 2^64, plus zeros.
  static constexpr int kSubBins = 64, kMinExp = -64, kMaxExp = 64;
  std::vector<uint64_t> histogram;
  uint64_t zeros = 0;
  std::vector<double> gram; // channels x channels, upper triangle accumulated
  std::vector<double> row;  // the row being added, widened (reused per row)
  // A uniform sample of the rows seen (reservoir sampling, Algorithm R):
  // up to `capacity` rows x channels.
  int64_t capacity = 0;
  std::vector<float> reservoir;
  std::mt19937_64 rng;

  void init(int64_t k, bool gramToo, int64_t sampleRows = 0, uint64_t seed = 0) {
    channels = k;
    wantGram = gramToo;
    absmax.assign(k, 0.0f);
    channelMin.assign(k, std::numeric_limits<float>::infinity());
    channelMax.assign(k, -std::numeric_limits<float>::infinity());
    row.assign(k, 0.0);
    capacity = std::max<int64_t>(sampleRows, 0);
    rng.seed(seed);
    histogram.assign(static_cast<size_t>((kMaxExp - kMinExp) * kSubBins), 0);
    if (gramToo)
      gram.assign(static_cast<size_t>(k * k), 0.0);
  }

  void add(const float *values, int64_t stride) {
    ++rows;
    std::vector<double> &x = row;
    for (int64_t c = 0; c < channels; ++c) {
      float v = values[c * stride];
      x[c] = v;
      float a = std::fabs(v);
      absmax[c] = std::max(absmax[c], a);
      channelMin[c] = std::min(channelMin[c], v);
      channelMax[c] = std::max(channelMax[c], v);
      min = std::min(min, v);
      max = std::max(max, v);
      if (a == 0) {
        ++zeros;
        continue;
      }
      int e;
      double m = std::frexp(static_cast<double>(a), &e); // a = m * 2^e, m in [0.5, 1)
      e = std::clamp(e, kMinExp, kMaxExp - 1);
      int sub = std::clamp(static_cast<int>((m - 0.5) * 2 * kSubBins), 0, kSubBins - 1);
      ++histogram[(e - kMinExp) * kSubBins + sub];
    }
    sampleRow(values, stride);
    if (!wantGram)
      return;
    for (int64_t i = 0; i < channels; ++i) {
      double xi = x[i];
      if (xi == 0)
        continue;
      double *g = &gram[i * channels];
      for (int64_t j = i; j < channels; ++j)
        g[j] += xi * x[j];
    }
  }

  /// Row number `rows` (1-based) replaces a random slot with probability
  /// capacity / rows, so each row seen is in the sample with equal
  /// probability. The modulo's bias is below rows / 2^64.
  void sampleRow(const float *values, int64_t stride) {
    if (capacity == 0)
      return;
    uint64_t slot = rows - 1;
    if (rows > static_cast<uint64_t>(capacity)) {
      slot = rng() % rows;
      if (slot >= static_cast<uint64_t>(capacity))
        return;
    } else {
      reservoir.resize(rows * channels);
    }
    float *out = reservoir.data() + slot * channels;
    for (int64_t c = 0; c < channels; ++c)
      out[c] = values[c * stride];
  }

  int64_t sampledRows() const { return channels ? reservoir.size() / channels : 0; }

  /// The p-th quantile of |x| (upper edge of the bin holding it).
  double percentile(double p) const {
    uint64_t total = zeros;
    for (uint64_t c : histogram)
      total += c;
    uint64_t target = static_cast<uint64_t>(std::ceil(p * static_cast<double>(total)));
    uint64_t seen = zeros;
    if (seen >= target)
      return 0;
    for (size_t b = 0; b < histogram.size(); ++b) {
      seen += histogram[b];
      if (seen >= target) {
        int e = static_cast<int>(b / kSubBins) + kMinExp, sub = static_cast<int>(b % kSubBins);
        double edge = std::ldexp(0.5 + (sub + 1) / (2.0 * kSubBins), e);
        double largest = std::max(std::fabs(min), std::fabs(max));
        return std::min(edge, largest);
      }
    }
    return std::max(std::fabs(min), std::fabs(max));
  }
};

/// Where an op's statistics come from.
struct LayerSlots {
  LinearOp op;
  int64_t input, output;
};

struct CalibratePass : impl::QCCalibrateBase<CalibratePass> {
  using Base::Base;
  CalibratePass(const QCCalibrateOptions &options, CalibrationServices services)
      : Base(options), services(std::move(services)) {}

  /// The tool's executor and samples.
  CalibrationServices services;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fail = [&](const Twine &message) {
      module.emitError() << "qc-calibrate: " << message;
      signalPassFailure();
    };
    if (!services.run)
      return fail("no executor to run the program (the tool must build the pass with its "
                  "CalibrationServices: qc::createQCCalibrate(options, services) or "
                  "qc::registerCalibrationPasses)");
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return fail("the module has no @main to calibrate");

    std::vector<CalibrationSample> samples;
    std::string error;
    if (!getCalibrationSamples(main, {calibDir, synthetic, syntheticDim, seed}, services, samples,
                               error))
      return fail(error);

    // Instrument a clone; remember the original layers in the same order.
    SmallVector<LinearOp> layers;
    main.walk([&](LinearOp op) {
      if (matchPattern(op.getWeight(), m_Constant()))
        layers.push_back(op);
    });
    if (layers.empty()) {
      module.emitRemark("qc-calibrate: no linear layers with constant weights");
      return;
    }
    OwningOpRef<ModuleOp> clone = module.clone();
    auto cloneMain = clone->lookupSymbol<func::FuncOp>("main");
    SmallVector<LinearOp> cloned;
    cloneMain.walk([&](LinearOp op) {
      if (matchPattern(op.getWeight(), m_Constant()))
        cloned.push_back(op);
    });
    std::vector<Observed> observers;
    std::vector<LayerSlots> slots;
    instrument(*clone, cloned, layers, observers, slots);

    // This run's observer: each qc.observe's tensor, row by row, into its
    // statistics.
    CalibrationObserver observe = [&](int64_t id, const ObservedTensor &t) {
      if (id < 0 || static_cast<size_t>(id) >= observers.size())
        return;
      Observed &o = observers[id];
      if (t.channels != o.channels)
        return;
      for (int64_t r = 0; r < t.rows; ++r)
        o.add(t.data + r * t.rowStride, t.channelStride);
    };
    if (!services.run(*clone, samples, observe, /*outputs=*/nullptr, error))
      return fail(error);
    // Layers sharing an input share its statistics (one Gram matrix blob).
    DenseMap<int64_t, TensorStatsAttr> inputStats;
    for (LayerSlots &s : slots) {
      if (observers[s.input].rows == 0)
        return fail("layer input never observed (is it on a path the samples do not run?)");
      TensorStatsAttr &stats = inputStats[s.input];
      if (!stats)
        stats = makeStats(observers[s.input], samples.size(), true);
      s.op.setInputStatsAttr(stats);
      s.op.setOutputStatsAttr(makeStats(observers[s.output], samples.size(), false));
    }
  }

  void instrument(ModuleOp clone, ArrayRef<LinearOp> cloned, ArrayRef<LinearOp> originals,
                  std::vector<Observed> &observers, std::vector<LayerSlots> &slots) {
    OpBuilder b(clone.getContext());
    auto observe = [&](Value v, int64_t id) {
      ObserveOp::create(b, v.getLoc(), v, b.getI64IntegerAttr(id));
    };

    DenseMap<Value, int64_t> inputSlots;
    for (size_t i = 0; i < cloned.size(); ++i) {
      LinearOp op = cloned[i];
      LayerSlots s{originals[i], 0, 0};
      auto found = inputSlots.find(op.getInput());
      if (found != inputSlots.end()) {
        s.input = found->second;
      } else {
        s.input = static_cast<int64_t>(observers.size());
        observers.emplace_back();
        // Each input's sample of rows has its own fixed seed.
        observers.back().init(op.getInFeatures(), gram, sampleRows,
                              seed ^ (0x9E3779B97F4A7C15ull * (s.input + 1)));
        inputSlots[op.getInput()] = s.input;
        b.setInsertionPoint(op);
        observe(op.getInput(), s.input);
      }
      s.output = static_cast<int64_t>(observers.size());
      observers.emplace_back();
      observers.back().init(op.getOutFeatures(), false);
      b.setInsertionPointAfter(op);
      observe(op.getResult(), s.output);
      slots.push_back(s);
    }
  }

  TensorStatsAttr makeStats(const Observed &o, size_t samples, bool isInput) {
    OpBuilder b(&getContext());
    auto perChannel = [&](const std::vector<float> &values) {
      return cast<ElementsAttr>(DenseElementsAttr::get(
          RankedTensorType::get({o.channels}, b.getF32Type()), ArrayRef<float>(values)));
    };
    ElementsAttr absmax = perChannel(o.absmax);
    bool withGram = isInput;
    ElementsAttr gramAttr;
    if (withGram && o.wantGram) {
      std::vector<double> full(o.gram);
      for (int64_t i = 0; i < o.channels; ++i)
        for (int64_t j = 0; j < i; ++j)
          full[i * o.channels + j] = full[j * o.channels + i];
      ArrayRef<char> bytes(reinterpret_cast<const char *>(full.data()), full.size() * sizeof(double));
      gramAttr = DenseResourceElementsAttr::get(
          RankedTensorType::get({o.channels, o.channels}, b.getF64Type()), "gram",
          HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64));
    }
    ElementsAttr rowsAttr;
    if (isInput && o.sampledRows() > 0) {
      ArrayRef<char> bytes(reinterpret_cast<const char *>(o.reservoir.data()),
                           o.reservoir.size() * sizeof(float));
      rowsAttr = DenseResourceElementsAttr::get(
          RankedTensorType::get({o.sampledRows(), o.channels}, b.getF32Type()), "rows",
          HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64));
    }
    double p999 = o.percentile(0.999), p9999 = std::max(p999, o.percentile(0.9999));
    return TensorStatsAttr::get(&getContext(), samples, absmax, b.getF32FloatAttr(o.min),
                                b.getF32FloatAttr(o.max), b.getF32FloatAttr(static_cast<float>(p999)),
                                b.getF32FloatAttr(static_cast<float>(p9999)), gramAttr,
                                perChannel(o.channelMin), perChannel(o.channelMax), rowsAttr);
  }
};

} // namespace

std::unique_ptr<Pass> createQCCalibrate(const QCCalibrateOptions &options,
                                        CalibrationServices services) {
  return std::make_unique<CalibratePass>(options, std::move(services));
}

void registerCalibrationPasses(const CalibrationServices &services) {
  registerPass([services] { return createQCCalibrate(QCCalibrateOptions(), services); });
  registerPass(
      [services] { return createQCVerifyEquivalence(QCVerifyEquivalenceOptions(), services); });
}

} // namespace qc
