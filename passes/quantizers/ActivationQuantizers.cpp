//===- ActivationQuantizers.cpp - integer activations ---------------------===//

#include "passes/quantizers/ActivationQuantizers.h"

#include <algorithm>
#include <cmath>

namespace qc::quantizers {

void fakeQuantizeActivations(float *x, int64_t rows, int64_t k, const ActivationFormat &format) {
  const float qmax = static_cast<float>((1 << (format.bits - 1)) - 1);
  const float lo = -qmax - 1.0f;
  const float clip = static_cast<float>(format.clip);
  for (int64_t r = 0; r < rows; ++r) {
    float *row = x + r * k;
    // As the kernels compute it: clip * range / qmax in float, 1 if not > 0.
    float range = static_cast<float>(format.staticRange);
    if (format.staticRange <= 0) {
      range = 0;
      for (int64_t j = 0; j < k; ++j)
        range = std::fmax(range, std::fabs(row[j]));
    }
    float scale = clip * range / qmax;
    if (!(scale > 0))
      scale = 1.0f;
    float inverse = 1.0f / scale;
    for (int64_t j = 0; j < k; ++j) {
      float q = std::fmin(qmax, std::fmax(lo, std::nearbyint(row[j] * inverse)));
      row[j] = q * scale;
    }
  }
}

namespace {
/// sum over rows and the m outputs of (a - b) . w, and of b . w, squared.
void outputErrors(const std::vector<float> &quantized, const float *x, int64_t rows, int64_t k,
                  const float *w, int64_t m, double &err, double &ref) {
  err = 0;
  ref = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * k;
    const float *qr = quantized.data() + r * k;
    for (int64_t i = 0; i < m; ++i) {
      const float *wi = w + i * k;
      double y = 0, e = 0;
      for (int64_t j = 0; j < k; ++j) {
        y += static_cast<double>(xr[j]) * wi[j];
        e += static_cast<double>(qr[j] - xr[j]) * wi[j];
      }
      err += e * e;
      ref += y * y;
    }
  }
}
} // namespace

ClipSearchResult searchActivationClip(const float *x, int64_t rows, int64_t k, const float *w,
                                      int64_t m, const ActivationFormat &format,
                                      const std::vector<double> &candidates) {
  ClipSearchResult result;
  bool first = true;
  std::vector<double> tried(candidates);
  if (std::find(tried.begin(), tried.end(), 1.0) == tried.end())
    tried.push_back(1.0);
  // Larger clips first, so that a tie keeps the larger.
  std::sort(tried.begin(), tried.end(), std::greater<double>());
  for (double clip : tried) {
    ActivationFormat f = format;
    f.clip = clip;
    std::vector<float> q(x, x + rows * k);
    fakeQuantizeActivations(q.data(), rows, k, f);
    double err, ref;
    outputErrors(q, x, rows, k, w, m, err, ref);
    double relative = ref > 0 ? err / ref : 0.0;
    if (clip == 1.0)
      result.errorNoClip = relative;
    if (first || relative < result.error) {
      result.clip = clip;
      result.error = relative;
      first = false;
    }
  }
  return result;
}

std::vector<double> defaultClipCandidates() {
  return {1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5};
}

} // namespace qc::quantizers
