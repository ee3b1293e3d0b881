//===- ActivationQuantizers.h - integer activations, as kernels see them -===//
//
// The activation side of a quantized linear layer, free of MLIR: rows of X
// rounded to integer codes and back exactly as the kernels do
// (runtime/kernels/quantized_linear.h), and the search for the clipping
// ratio of a layer's activations on calibration rows.
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_QUANTIZERS_ACTIVATIONQUANTIZERS_H
#define QC_PASSES_QUANTIZERS_ACTIVATIONQUANTIZERS_H

#include <cstdint>
#include <vector>

namespace qc::quantizers {

/// Symmetric integer activations: codes in [-qmax - 1, qmax], qmax =
/// 2^(bits-1) - 1, rounded half to even.
struct ActivationFormat {
  int bits = 8;
  /// (0, 1]: the share of each row's max |x| (dynamic) or of `staticRange`
  /// (static) that the scale covers.
  double clip = 1.0;
  /// > 0: one static scale, clip * staticRange / qmax, for every row;
  /// 0: a scale per row, clip * max|x_row| / qmax.
  double staticRange = 0.0;
};

/// Rounds `rows` x `k` values of `x` in place to the codes of `format` and
/// back, with the kernels' float arithmetic (an all-zero row keeps scale 1).
void fakeQuantizeActivations(float *x, int64_t rows, int64_t k, const ActivationFormat &format);

struct ClipSearchResult {
  double clip = 1.0;      // the best candidate
  double error = 0.0;     // its relative output error
  double errorNoClip = 0; // the relative output error at clip 1
};

/// The clipping ratio among `candidates` with the least relative output error
/// sum ||Q(X) W^T - X W^T||^2 / sum ||X W^T||^2, X the `rows` x `k`
/// calibration rows and W the `m` x `k` weight rows it is measured on (a
/// sample of output channels). `format.clip` is ignored; ties keep the
/// larger clip.
ClipSearchResult searchActivationClip(const float *x, int64_t rows, int64_t k, const float *w,
                                      int64_t m, const ActivationFormat &format,
                                      const std::vector<double> &candidates);

/// The candidates qc-quantize tries: 1.0 down to 0.5.
std::vector<double> defaultClipCandidates();

} // namespace qc::quantizers

#endif // QC_PASSES_QUANTIZERS_ACTIVATIONQUANTIZERS_H
