//===- ApplyQuantPreset.cpp - formats of linear layers from a preset ------===//

#include "dialects/qc/ConstantBlobs.h"
#include "passes/LayerNames.h"
#include "passes/Passes.h"

#include "llvm/Support/GlobPattern.h"

namespace qc {
#define GEN_PASS_DEF_QCAPPLYQUANTPRESET
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

struct Preset {
  const char *name;
  unsigned weightBits;
  int64_t groupSize; // 0: per channel
  unsigned activationBits; // 0: float activations
  bool symmetric;
};

constexpr Preset kPresets[] = {
    {"w8a8", 8, 0, 8, true},
    {"w4a16", 4, 128, 0, false},
    {"w4a8", 4, 128, 8, false},
    {"w8a16", 8, 0, 0, true},
    {"w4a4", 4, 128, 4, false},
};

/// The largest multiple of 8 that divides k and is at most `wanted`; 0 when
/// none is (then the layer gets one scale per channel).
int64_t fitGroup(int64_t wanted, int64_t k) {
  if (wanted >= k)
    return 0;
  for (int64_t g = wanted - wanted % 8; g >= 8; g -= 8)
    if (k % g == 0)
      return g;
  return 0;
}

struct ApplyQuantPresetPass : impl::QCApplyQuantPresetBase<ApplyQuantPresetPass> {
  using Base::Base;

  void runOnOperation() override {
    auto findPreset = [](StringRef name) -> const Preset * {
      for (const Preset &p : kPresets)
        if (name == p.name)
          return &p;
      return nullptr;
    };
    const Preset *preset = findPreset(this->preset);
    if (!preset) {
      getOperation().emitError() << "unknown quantization preset '" << this->preset
                                 << "' (expected w8a8, w4a16, w4a8, w8a16 or w4a4)";
      return signalPassFailure();
    }
    // Per-layer overrides, PATTERN=PRESET; the first that matches wins.
    std::vector<std::pair<llvm::GlobPattern, const Preset *>> overrides;
    for (const std::string &text : layerQuant) {
      auto [glob, name] = StringRef(text).rsplit('=');
      const Preset *p = findPreset(name);
      auto pattern = llvm::GlobPattern::create(glob);
      if (glob.empty() || name.empty() || !p || !pattern) {
        getOperation().emitError()
            << "bad layer-quant '" << text << "': expected PATTERN=PRESET with a preset of "
            << "w8a8, w4a16, w4a8, w8a16 or w4a4"
            << (pattern ? std::string() : ": " + llvm::toString(pattern.takeError()));
        return signalPassFailure();
      }
      overrides.push_back({std::move(*pattern), p});
    }
    if (!(activationClip > 0 && activationClip <= 1)) {
      getOperation().emitError() << "activation-clip must be in (0, 1], got " << activationClip;
      return signalPassFailure();
    }
    if (symmetry != "preset" && symmetry != "symmetric" && symmetry != "asymmetric") {
      getOperation().emitError() << "unknown weight symmetry '" << symmetry
                                 << "' (expected preset, symmetric or asymmetric)";
      return signalPassFailure();
    }
    std::vector<llvm::GlobPattern> patterns;
    for (const std::string &text : keepFloat) {
      auto pattern = llvm::GlobPattern::create(text);
      if (!pattern) {
        getOperation().emitError() << "bad keep-float pattern '" << text
                                   << "': " << llvm::toString(pattern.takeError());
        return signalPassFailure();
      }
      patterns.push_back(std::move(*pattern));
    }
    MLIRContext *ctx = &getContext();
    int64_t index = 0;
    getOperation().walk([&](LinearOp op) {
      std::string name = getLayerName(op, index++);
      if (!getConstantFloats(op.getWeight()))
        return; // a weight computed at run time stays float
      for (const llvm::GlobPattern &p : patterns)
        if (p.match(name))
          return;
      const Preset *chosen = preset;
      for (auto &[pattern, p] : overrides)
        if (pattern.match(name)) {
          chosen = p;
          break;
        }
      // An overridden layer takes its preset's own granularity and symmetry.
      bool own = chosen == preset;
      int64_t wantedGroup = own && groupSize >= 0 ? groupSize : chosen->groupSize;
      bool symmetric = own && symmetry != "preset" ? symmetry == "symmetric" : chosen->symmetric;
      int64_t k = op.getInFeatures();
      int64_t group = wantedGroup > 0 ? fitGroup(wantedGroup, k) : 0;
      if (wantedGroup > 0 && wantedGroup < k && group != wantedGroup)
        op.emitRemark() << "group size " << wantedGroup << " does not divide K = " << k
                        << "; using "
                        << (group ? "groups of " + std::to_string(group)
                                  : std::string("one scale per output channel"));
      op.setWeightQuantAttr(QuantSpecAttr::get(
          ctx, chosen->weightBits, group ? Granularity::PerGroup : Granularity::PerChannel,
          group, symmetric));
      if (chosen->activationBits)
        op.setInputQuantAttr(QuantSpecAttr::get(
            ctx, chosen->activationBits,
            perTensorActivations ? Granularity::PerTensor : Granularity::PerToken, 0, true,
            activationClip < 1 ? FloatAttr::get(Float32Type::get(ctx), activationClip)
                               : FloatAttr()));
      else
        op.removeInputQuantAttr();
    });
  }
};

} // namespace
} // namespace qc
