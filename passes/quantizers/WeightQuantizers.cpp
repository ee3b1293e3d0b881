//===- WeightQuantizers.cpp - RTN and GPTQ on plain matrices --------------===//

#include "passes/quantizers/WeightQuantizers.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace qc::quantizers {

float QuantizedWeight::dequantized(int64_t row, int64_t col) const {
  int64_t g = col / groupSize;
  int zero = zeroPoints.empty() ? 0 : zeroPoints[row * groups + g];
  return scales[row * groups + g] * static_cast<float>(codes[row * k + col] - zero);
}

std::vector<float> QuantizedWeight::dequantize() const {
  std::vector<float> w(static_cast<size_t>(n * k));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      w[r * k + c] = dequantized(r, c);
  return w;
}

namespace {

QuantizedWeight allocate(int64_t n, int64_t k, const WeightFormat &format) {
  QuantizedWeight q;
  q.n = n;
  q.k = k;
  q.groupSize = format.effectiveGroup(k);
  q.groups = (k + q.groupSize - 1) / q.groupSize;
  q.codes.assign(static_cast<size_t>(n * k), 0);
  q.scales.assign(static_cast<size_t>(n * q.groups), 1.0f);
  if (!format.symmetric)
    q.zeroPoints.assign(static_cast<size_t>(n * q.groups), 0);
  return q;
}

int quantizeValue(double w, float scale, int zero, const WeightFormat &format);

/// Scale and zero point for the range [lo, hi] (which includes 0).
void paramsForRange(float lo, float hi, const WeightFormat &format, float &scale, int &zero) {
  if (format.symmetric) {
    float absmax = std::max(-lo, hi);
    scale = absmax > 0 ? absmax / static_cast<float>(format.qmax()) : 1.0f;
    zero = 0;
    return;
  }
  float levels = static_cast<float>((1 << format.bits) - 1);
  scale = hi > lo ? (hi - lo) / levels : 1.0f;
  zero = static_cast<int>(std::nearbyint(-lo / scale)) + format.qmin();
  zero = std::clamp(zero, format.qmin(), format.qmax());
}

/// Scale and zero point of one group of values (`count` values `stride`
/// apart).
void chooseParams(const float *values, int64_t count, int64_t stride, const WeightFormat &format,
                  float &scale, int &zero, const double *importance = nullptr) {
  float lo = 0, hi = 0; // the range always includes 0, so 0 is exact
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, values[i * stride]);
    hi = std::max(hi, values[i * stride]);
  }
  paramsForRange(lo, hi, format, scale, zero);
  if (!format.searchClip || scale == 1.0f)
    return;
  auto error = [&](float s, int z) {
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) {
      double v = values[i * stride];
      double d = v - static_cast<double>(s) * (quantizeValue(v, s, z, format) - z);
      sum += (importance ? importance[i] : 1.0) * d * d;
    }
    return sum;
  };
  double best = error(scale, zero);
  for (int step = 1; step <= 10; ++step) {
    float ratio = 1.0f - 0.05f * static_cast<float>(step);
    float s;
    int z;
    paramsForRange(lo * ratio, hi * ratio, format, s, z);
    double e = error(s, z);
    if (e < best) {
      best = e;
      scale = s;
      zero = z;
    }
  }
}

int quantizeValue(double w, float scale, int zero, const WeightFormat &format) {
  double code = std::nearbyint(w / scale) + zero;
  return static_cast<int>(std::clamp<double>(code, format.qmin(), format.qmax()));
}

void setParams(QuantizedWeight &q, int64_t row, int64_t g, float scale, int zero) {
  q.scales[row * q.groups + g] = scale;
  if (!q.zeroPoints.empty())
    q.zeroPoints[row * q.groups + g] = static_cast<int8_t>(zero);
}

/// In-place Cholesky factorization A = L L^T of a symmetric n x n matrix
/// (lower triangle written); false when A is not positive definite.
bool cholesky(std::vector<double> &a, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double *rowJ = &a[j * n];
    double d = rowJ[j];
    for (int64_t p = 0; p < j; ++p)
      d -= rowJ[p] * rowJ[p];
    if (!(d > 0) || !std::isfinite(d))
      return false;
    d = std::sqrt(d);
    rowJ[j] = d;
    for (int64_t i = j + 1; i < n; ++i) {
      double *rowI = &a[i * n];
      double s = rowI[j];
      for (int64_t p = 0; p < j; ++p)
        s -= rowI[p] * rowJ[p];
      rowI[j] = s / d;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      a[i * n + j] = 0;
  return true;
}

/// The upper Cholesky factor U of H^-1 (H^-1 = U^T U), the form GPTQ reads
/// its row updates from. With J the reversal permutation and
/// J H J = L L^T (Cholesky), H = T T^T where T = J L J is upper triangular,
/// so H^-1 = T^-T T^-1 and U = T^-1: one factorization and one triangular
/// inverse.
bool inverseUpperCholesky(const std::vector<double> &h, int64_t n, std::vector<double> &u) {
  std::vector<double> l(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      l[i * n + j] = h[(n - 1 - i) * n + (n - 1 - j)];
  if (!cholesky(l, n))
    return false;
  // T = J L J (upper): T[i][j] = L[n-1-i][n-1-j]. Invert T column by
  // column from the bottom: U = T^-1, upper.
  auto t = [&](int64_t i, int64_t j) { return l[(n - 1 - i) * n + (n - 1 - j)]; };
  u.assign(static_cast<size_t>(n * n), 0.0);
  // Row by row from the bottom, so each update reads finished rows
  // contiguously: U[i][j] = -(sum_{p=i+1..j} T[i][p] U[p][j]) / T[i][i].
  std::vector<double> row(static_cast<size_t>(n));
  for (int64_t i = n - 1; i >= 0; --i) {
    std::fill(row.begin(), row.end(), 0.0);
    for (int64_t p = i + 1; p < n; ++p) {
      double tip = t(i, p);
      if (tip == 0)
        continue;
      const double *up = &u[p * n];
      for (int64_t j = p; j < n; ++j)
        row[j] += tip * up[j];
    }
    double d = 1.0 / t(i, i);
    u[i * n + i] = d;
    for (int64_t j = i + 1; j < n; ++j)
      u[i * n + j] = -row[j] * d;
  }
  return true;
}

} // namespace

QuantizedWeight quantizeRTN(const float *weight, int64_t n, int64_t k, const WeightFormat &format) {
  QuantizedWeight q = allocate(n, k, format);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t g = 0; g < q.groups; ++g) {
      int64_t begin = g * q.groupSize, end = std::min(k, begin + q.groupSize);
      float scale;
      int zero;
      chooseParams(weight + r * k + begin, end - begin, 1, format, scale, zero,
                   format.columnImportance ? format.columnImportance + begin : nullptr);
      setParams(q, r, g, scale, zero);
      for (int64_t c = begin; c < end; ++c)
        q.codes[r * k + c] = static_cast<int8_t>(quantizeValue(weight[r * k + c], scale, zero, format));
    }
  return q;
}

bool quantizeGPTQ(const float *weight, int64_t n, int64_t k, const double *gram,
                  const WeightFormat &format, const GPTQOptions &options,
                  QuantizedWeight &result, std::string &warning) {
  result = allocate(n, k, format);
  // Work on W^T (K x N) so that a column of W, the unit GPTQ quantizes and
  // updates, is a contiguous row.
  std::vector<double> wt(static_cast<size_t>(k * n));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      wt[c * n + r] = weight[r * k + c];

  std::vector<double> h(gram, gram + k * k);
  // Inputs never seen (dead channels) carry no information: H_ii = 1, and
  // their weights quantize to whatever RTN gives without error feedback.
  for (int64_t i = 0; i < k; ++i)
    if (h[i * k + i] == 0)
      h[i * k + i] = 1;

  std::vector<int64_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  if (options.actOrder)
    std::sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) {
      double da = h[a * k + a], db = h[b * k + b];
      return da != db ? da > db : a < b;
    });
  // Permuted Hessian and weights.
  std::vector<double> hp(static_cast<size_t>(k * k));
  double meanDiag = 0;
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < k; ++j)
      hp[i * k + j] = h[order[i] * k + order[j]];
    meanDiag += hp[i * k + i];
  }
  meanDiag /= static_cast<double>(k);
  for (int64_t i = 0; i < k; ++i)
    hp[i * k + i] += options.dampFraction * meanDiag;
  std::vector<double> u;
  if (!std::isfinite(meanDiag) || !inverseUpperCholesky(hp, k, u)) {
    warning = "the damped Hessian is not positive definite; used RTN instead";
    result = quantizeRTN(weight, n, k, format);
    return false;
  }
  std::vector<double> w(static_cast<size_t>(k * n)); // permuted W^T
  for (int64_t i = 0; i < k; ++i)
    std::copy_n(&wt[order[i] * n], n, &w[i * n]);

  // Group parameters: from the weights as updated so far when columns go in
  // K order; from the original weights (static groups) with act-order.
  std::vector<float> groupScale(static_cast<size_t>(n)), staticScale;
  std::vector<int> groupZero(static_cast<size_t>(n)), staticZero;
  const int64_t gs = result.groupSize;
  if (options.actOrder) {
    QuantizedWeight rtn = quantizeRTN(weight, n, k, format);
    staticScale = rtn.scales;
    staticZero.assign(rtn.scales.size(), 0);
    for (size_t i = 0; i < rtn.zeroPoints.size(); ++i)
      staticZero[i] = rtn.zeroPoints[i];
    for (int64_t r = 0; r < n; ++r)
      for (int64_t g = 0; g < result.groups; ++g)
        setParams(result, r, g, rtn.scales[r * result.groups + g],
                  rtn.zeroPoints.empty() ? 0 : rtn.zeroPoints[r * result.groups + g]);
  }

  std::vector<double> err(static_cast<size_t>(options.blockSize * n));
  std::vector<float> column(static_cast<size_t>(result.groupSize));
  for (int64_t b0 = 0; b0 < k; b0 += options.blockSize) {
    int64_t b1 = std::min(k, b0 + options.blockSize);
    for (int64_t i = b0; i < b1; ++i) {
      int64_t original = order[i];
      int64_t g = original / gs;
      double *wi = &w[i * n];
      if (!options.actOrder && original % gs == 0) {
        // A new group starts: its parameters from the current weights.
        int64_t count = std::min(gs, k - original);
        for (int64_t r = 0; r < n; ++r) {
          for (int64_t c = 0; c < count; ++c)
            column[c] = static_cast<float>(w[(i + c) * n + r]);
          chooseParams(column.data(), count, 1, format, groupScale[r], groupZero[r],
                       format.columnImportance ? format.columnImportance + original : nullptr);
          setParams(result, r, g, groupScale[r], groupZero[r]);
        }
      }
      double d = u[i * k + i];
      double *e = &err[(i - b0) * n];
      for (int64_t r = 0; r < n; ++r) {
        float scale = options.actOrder ? staticScale[r * result.groups + g] : groupScale[r];
        int zero = options.actOrder ? staticZero[r * result.groups + g] : groupZero[r];
        int code = quantizeValue(wi[r], scale, zero, format);
        result.codes[r * k + original] = static_cast<int8_t>(code);
        double q = static_cast<double>(scale) * (code - zero);
        e[r] = (wi[r] - q) / d;
      }
      // Error feedback into the rest of this block, now.
      for (int64_t j = i + 1; j < b1; ++j) {
        double f = u[i * k + j];
        double *wj = &w[j * n];
        for (int64_t r = 0; r < n; ++r)
          wj[r] -= e[r] * f;
      }
    }
    // The lazy batch update of every later column with the block's errors.
    for (int64_t j = b1; j < k; ++j) {
      double *wj = &w[j * n];
      for (int64_t i = b0; i < b1; ++i) {
        double f = u[i * k + j];
        const double *e = &err[(i - b0) * n];
        for (int64_t r = 0; r < n; ++r)
          wj[r] -= e[r] * f;
      }
    }
  }
  return true;
}

double relativeOutputError(const float *weight, const QuantizedWeight &quantized,
                           const double *gram) {
  const int64_t n = quantized.n, k = quantized.k;
  std::vector<double> d(static_cast<size_t>(k)), w(static_cast<size_t>(k));
  double errorEnergy = 0, signalEnergy = 0;
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = 0; c < k; ++c) {
      w[c] = weight[r * k + c];
      d[c] = w[c] - quantized.dequantized(r, c);
    }
    for (int64_t i = 0; i < k; ++i) {
      const double *g = gram + i * k;
      double gd = 0, gw = 0;
      for (int64_t j = 0; j < k; ++j) {
        gd += g[j] * d[j];
        gw += g[j] * w[j];
      }
      errorEnergy += d[i] * gd;
      signalEnergy += w[i] * gw;
    }
  }
  return signalEnergy > 0 ? std::sqrt(std::max(0.0, errorEnergy) / signalEnergy) : 0.0;
}

} // namespace qc::quantizers
