//===- LinearFormat.h - what a quantized linear layer computes --*- C++ -*-===//
//
// The logical format of a qc.quantized_linear, the one description that the
// verifier, the packers of every target and the reference lowering read:
// sizes, weight codes and groups, and how activations are quantized. How a
// target lays the weight out in bytes is not part of it (#qc.encoding).
//
//===----------------------------------------------------------------------===//

#ifndef QC_DIALECTS_QC_LINEARFORMAT_H
#define QC_DIALECTS_QC_LINEARFORMAT_H

#include <cstdint>

namespace qc {

/// How a layer's activations enter the product.
enum class ActivationMode {
  Float,   // float activations (W4A16, W8A16)
  Dynamic, // integer codes, one scale per row (token) computed at run time
  Static,  // integer codes, one scale for the tensor, from calibration
};

struct LinearFormat {
  int64_t n = 0, k = 0;           // output channels, reduction size
  int64_t groupSize = 0;          // K for one scale per output channel
  unsigned weightBits = 8;        // 2..8, signed codes
  bool weightAsymmetric = false;  // zero points present
  ActivationMode activations = ActivationMode::Float;
  unsigned activationBits = 0;    // 2..8, integer activations only
  double activationClip = 1.0;    // (0, 1]: scale = clip * max|x| / qmax
  float inputScale = 0.0f;        // > 0, static activations only

  bool hasIntegerActivations() const { return activations != ActivationMode::Float; }
  /// The largest activation code, 2^(bits-1) - 1; codes are in
  /// [-qmax - 1, qmax].
  int64_t activationQMax() const { return (int64_t(1) << (activationBits - 1)) - 1; }
};

} // namespace qc

#endif // QC_DIALECTS_QC_LINEARFORMAT_H
