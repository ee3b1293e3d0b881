//===- WeightQuantizers.h - RTN and GPTQ on plain matrices ------*- C++ -*-===//
//
// The numerical core of qc-quantize, free of MLIR so it can be tested on
// small matrices: a weight W is N x K (output channels x reduction, row
// major), its quantized form is signed integer codes with one scale (and
// zero point, when asymmetric) per output channel or per group of
// `groupSize` consecutive values along K:
//
//   w[n][k] ~= scales[n][g] * (codes[n][k] - zeroPoints[n][g]),  g = k / groupSize
//
// Codes lie in [-2^(bits-1), 2^(bits-1) - 1] whatever the symmetry (an
// asymmetric zero point is shifted into the same signed range).
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_QUANTIZERS_WEIGHTQUANTIZERS_H
#define QC_PASSES_QUANTIZERS_WEIGHTQUANTIZERS_H

#include <cstdint>
#include <string>
#include <vector>

namespace qc::quantizers {

struct WeightFormat {
  int bits = 8;
  /// Values per scale along K; 0 (or >= K) for one scale per output channel.
  int64_t groupSize = 0;
  bool symmetric = true;
  /// Choose each group's range by a grid search of clipping ratios (1.0
  /// down to 0.5 of the observed range) for the least squared error of the
  /// group, as GPTQ's and AWQ's reference implementations do; off: the
  /// observed range.
  bool searchClip = true;
  /// When set (K values, e.g. the diagonal of the calibration Gram matrix
  /// X^T X), the clip search weighs each value's squared error by its
  /// column's importance: the layer's output error in the diagonal
  /// approximation, AWQ's activation-aware clipping criterion.
  const double *columnImportance = nullptr;

  int qmin() const { return -(1 << (bits - 1)); }
  int qmax() const { return (1 << (bits - 1)) - 1; }
  int64_t effectiveGroup(int64_t k) const {
    return groupSize <= 0 || groupSize >= k ? k : groupSize;
  }
};

struct QuantizedWeight {
  int64_t n = 0, k = 0, groupSize = 0, groups = 0;
  std::vector<int8_t> codes;      // n x k
  std::vector<float> scales;      // n x groups
  std::vector<int8_t> zeroPoints; // n x groups; empty when symmetric

  float dequantized(int64_t row, int64_t col) const;
  std::vector<float> dequantize() const;
};

/// Round to nearest: each group's scale from its range, codes rounded half
/// to even and clamped.
QuantizedWeight quantizeRTN(const float *weight, int64_t n, int64_t k, const WeightFormat &format);

struct GPTQOptions {
  /// Columns quantized between the lazy updates of the rest of W.
  int64_t blockSize = 128;
  /// Added to the Hessian's diagonal, as a fraction of its mean.
  double dampFraction = 0.01;
  /// Quantize columns in order of decreasing Hessian diagonal; group
  /// parameters then come from the original weights (static groups), so
  /// groups stay contiguous in K for the packed kernels.
  bool actOrder = false;
};

/// GPTQ (Frantar et al. 2022) with the K x K Gram matrix X^T X of the
/// layer's calibration inputs as the Hessian. Returns false and sets
/// `warning` when the damped Hessian is not positive definite; `result` is
/// then the RTN result, so callers can go on.
bool quantizeGPTQ(const float *weight, int64_t n, int64_t k, const double *gram,
                  const WeightFormat &format, const GPTQOptions &options,
                  QuantizedWeight &result, std::string &warning);

/// ||X W^T - X What^T||_F / ||X W^T||_F computed from G = X^T X:
/// sqrt(tr(D G D^T) / tr(W G W^T)) with D = W - What. The relative output
/// error of the layer on the calibration inputs, without running it.
double relativeOutputError(const float *weight, const QuantizedWeight &quantized,
                           const double *gram);

} // namespace qc::quantizers

#endif // QC_PASSES_QUANTIZERS_WEIGHTQUANTIZERS_H
