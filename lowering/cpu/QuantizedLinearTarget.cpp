//===- QuantizedLinearTarget.cpp - the CPU's packed layouts ---------------===//
//
// The layout names say the kernels' blocking: 16 output columns per block,
// k values per 4-byte lane group (1 for float activations, 4 for vpdpbusd)
// and the code width: n16k1-i8, n16k2-i4 (two nibbles per byte), n16k4-i8,
// n16k8-i4. runtime/kernels/quantized_linear.h defines them.
//
//===----------------------------------------------------------------------===//

#include "lowering/cpu/QuantizedLinearTarget.h"

#include "passes/QuantizedLinearTarget.h"

using namespace mlir;

namespace qc::cpu {

qc_qlinear_layer getKernelLayer(const LinearFormat &format, int32_t isa) {
  int32_t mode = format.activations == ActivationMode::Float     ? QC_ACT_FLOAT
                 : format.activations == ActivationMode::Dynamic ? QC_ACT_DYNAMIC
                                                                 : QC_ACT_STATIC;
  qc_qlinear_layer layer = qc_qlinear_layer_make(format.n, format.k, format.groupSize,
                                                 static_cast<int32_t>(format.weightBits), mode);
  layer.asymmetric = format.weightAsymmetric;
  if (format.hasIntegerActivations()) {
    layer.act_bits = static_cast<int32_t>(format.activationBits);
    layer.act_clip = static_cast<float>(format.activationClip);
    layer.input_scale = format.inputScale;
  }
  layer.isa = isa;
  return layer;
}

namespace {

class CPUQuantizedLinearTarget : public QuantizedLinearTarget {
public:
  llvm::StringRef getName() const override { return kCPUTargetName; }

  std::string chooseLayout(const LinearFormat &format, std::string &why) const override {
    if (format.weightBits < 2 || format.weightBits > 8) {
      why = "the kernels take 2- to 8-bit weight codes";
      return "";
    }
    if (format.hasIntegerActivations() &&
        (format.activationBits < 2 || format.activationBits > 8)) {
      why = "the kernels take 2- to 8-bit activation codes";
      return "";
    }
    if (format.groupSize < format.k && format.groupSize % 8 != 0) {
      why = "group_size " + std::to_string(format.groupSize) +
            " must be a multiple of 8 (the kernels' K step) or cover K = " +
            std::to_string(format.k);
      return "";
    }
    bool nibbles = format.weightBits <= 4;
    if (!format.hasIntegerActivations())
      return nibbles ? "n16k2-i4" : "n16k1-i8";
    return nibbles ? "n16k8-i4" : "n16k4-i8";
  }

  std::pair<int64_t, int64_t> getPackedSizes(const LinearFormat &format,
                                             llvm::StringRef) const override {
    qc_qlinear_layer layer = getKernelLayer(format, QC_ISA_SCALAR);
    return {static_cast<int64_t>(qc_qlinear_packed_weight_bytes(&layer)),
            static_cast<int64_t>(qc_qlinear_packed_param_floats(&layer))};
  }

  void pack(const LinearFormat &format, llvm::StringRef, llvm::ArrayRef<int8_t> codes,
            llvm::ArrayRef<float> scales, llvm::ArrayRef<int8_t> zeroPoints,
            std::vector<int8_t> &weight, std::vector<float> &params) const override {
    qc_qlinear_layer layer = getKernelLayer(format, QC_ISA_SCALAR);
    weight.assign(qc_qlinear_packed_weight_bytes(&layer), 0);
    params.assign(qc_qlinear_packed_param_floats(&layer), 0.0f);
    qc_qlinear_pack(&layer, codes.data(), scales.data(),
                    zeroPoints.empty() ? nullptr : zeroPoints.data(), weight.data(),
                    params.data());
  }
};

} // namespace

void registerCPUQuantizedLinearTarget() {
  registerQuantizedLinearTarget(std::make_unique<CPUQuantizedLinearTarget>());
}

} // namespace qc::cpu
