//===- WeightQuantizersTest.cpp - RTN and GPTQ against plain references ---===//
//
// RTN against the formula written out per element; the blocked, lazily
// updated, Cholesky-based GPTQ against the straightforward sequential form
// of the same algorithm (optimal brain surgeon updates with an explicit
// inverse Hessian, one column at a time); GPTQ's output error against RTN's
// on inputs with correlated channels, as real activations have.
//
//===----------------------------------------------------------------------===//

#include "passes/quantizers/WeightQuantizers.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace qc::quantizers;

namespace {

struct Layer {
  int64_t n, k;
  std::vector<float> w;
  std::vector<double> gram;
};

/// A layer whose calibration inputs have correlated channels of unequal
/// scale (X = Z A with random A, a few channels 10x larger).
Layer makeLayer(int64_t n, int64_t k, int64_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  Layer l{n, k, std::vector<float>(n * k), std::vector<double>(k * k, 0.0)};
  for (float &v : l.w)
    v = static_cast<float>(normal(rng) * 0.1);
  std::vector<double> a(k * k), x(k);
  for (double &v : a)
    v = normal(rng) / std::sqrt(static_cast<double>(k));
  for (int64_t i = 0; i < k; ++i)
    a[i * k + i] += 1.0;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> z(k);
    for (double &v : z)
      v = normal(rng);
    for (int64_t j = 0; j < k; ++j) {
      x[j] = 0;
      for (int64_t i = 0; i < k; ++i)
        x[j] += z[i] * a[i * k + j];
      if (j % 17 == 3)
        x[j] *= 10;
    }
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < k; ++j)
        l.gram[i * k + j] += x[i] * x[j];
  }
  return l;
}

void referenceParams(const std::vector<double> &values, const WeightFormat &f, double &scale,
                     int &zero) {
  double lo = 0, hi = 0;
  for (double v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (f.symmetric) {
    double absmax = std::max(-lo, hi);
    scale = absmax > 0 ? static_cast<float>(absmax / f.qmax()) : 1.0;
    zero = 0;
  } else {
    scale = hi > lo ? static_cast<float>((hi - lo) / ((1 << f.bits) - 1)) : 1.0;
    zero = std::clamp(static_cast<int>(std::nearbyint(-lo / scale)) + f.qmin(), f.qmin(), f.qmax());
  }
}

int referenceCode(double w, double scale, int zero, const WeightFormat &f) {
  return std::clamp(static_cast<int>(std::nearbyint(w / scale)) + zero, f.qmin(), f.qmax());
}

/// Sequential GPTQ/OBS: after each column, update every later column and
/// downdate the explicit inverse Hessian.
std::vector<float> referenceGPTQ(const Layer &l, const WeightFormat &f, double damp) {
  int64_t n = l.n, k = l.k;
  std::vector<double> h = l.gram;
  double mean = 0;
  for (int64_t i = 0; i < k; ++i)
    mean += h[i * k + i] / k;
  for (int64_t i = 0; i < k; ++i)
    h[i * k + i] += damp * mean;
  // Gauss-Jordan inverse.
  std::vector<double> inv(k * k, 0.0);
  for (int64_t i = 0; i < k; ++i)
    inv[i * k + i] = 1;
  for (int64_t c = 0; c < k; ++c) {
    double p = h[c * k + c];
    for (int64_t j = 0; j < k; ++j) {
      h[c * k + j] /= p;
      inv[c * k + j] /= p;
    }
    for (int64_t r = 0; r < k; ++r) {
      if (r == c)
        continue;
      double m = h[r * k + c];
      for (int64_t j = 0; j < k; ++j) {
        h[r * k + j] -= m * h[c * k + j];
        inv[r * k + j] -= m * inv[c * k + j];
      }
    }
  }
  std::vector<double> w(l.w.begin(), l.w.end());
  std::vector<float> out(n * k);
  int64_t gs = f.effectiveGroup(k);
  std::vector<double> scale(n);
  std::vector<int> zero(n);
  for (int64_t i = 0; i < k; ++i) {
    if (i % gs == 0)
      for (int64_t r = 0; r < n; ++r) {
        std::vector<double> values;
        for (int64_t c = i; c < std::min(k, i + gs); ++c)
          values.push_back(w[r * k + c]);
        referenceParams(values, f, scale[r], zero[r]);
      }
    double d = inv[i * k + i];
    for (int64_t r = 0; r < n; ++r) {
      double q = scale[r] * (referenceCode(w[r * k + i], scale[r], zero[r], f) - zero[r]);
      out[r * k + i] = static_cast<float>(q);
      double e = (w[r * k + i] - q) / d;
      for (int64_t j = i + 1; j < k; ++j)
        w[r * k + j] -= e * inv[i * k + j];
    }
    std::vector<double> row(inv.begin() + i * k, inv.begin() + (i + 1) * k);
    for (int64_t a = 0; a < k; ++a)
      for (int64_t b = 0; b < k; ++b)
        inv[a * k + b] -= row[a] * row[b] / d;
  }
  return out;
}

// The formula and the sequential reference take the observed range; the
// clipping search is tested on its own.
const WeightFormat kFormats[] = {
    {8, 0, true, false},   {4, 0, true, false},   {4, 32, true, false},
    {4, 32, false, false}, {3, 16, false, false}, {2, 0, true, false},
};

TEST(RTN, MatchesTheFormula) {
  Layer l = makeLayer(7, 45, 1, 1); // K not a multiple of the groups
  for (const WeightFormat &f : kFormats) {
    QuantizedWeight q = quantizeRTN(l.w.data(), l.n, l.k, f);
    int64_t gs = f.effectiveGroup(l.k);
    ASSERT_EQ(q.groups, (l.k + gs - 1) / gs);
    for (int64_t r = 0; r < l.n; ++r)
      for (int64_t g = 0; g < q.groups; ++g) {
        std::vector<double> values;
        for (int64_t c = g * gs; c < std::min(l.k, (g + 1) * gs); ++c)
          values.push_back(l.w[r * l.k + c]);
        double scale;
        int zero;
        referenceParams(values, f, scale, zero);
        EXPECT_FLOAT_EQ(q.scales[r * q.groups + g], static_cast<float>(scale));
        for (int64_t c = g * gs; c < std::min(l.k, (g + 1) * gs); ++c) {
          int code = referenceCode(l.w[r * l.k + c], scale, zero, f);
          ASSERT_EQ(q.codes[r * l.k + c], code) << "bits " << f.bits << " at " << r << "," << c;
          ASSERT_GE(code, f.qmin());
          ASSERT_LE(code, f.qmax());
        }
      }
  }
}

TEST(RTN, ClipSearchNeverLosesAndUsuallyWins) {
  Layer l = makeLayer(16, 128, 1, 6);
  for (WeightFormat f : kFormats) {
    QuantizedWeight plain = quantizeRTN(l.w.data(), l.n, l.k, f);
    f.searchClip = true;
    QuantizedWeight searched = quantizeRTN(l.w.data(), l.n, l.k, f);
    std::vector<float> a = plain.dequantize(), b = searched.dequantize();
    int64_t groupsImproved = 0;
    for (int64_t r = 0; r < l.n; ++r)
      for (int64_t g = 0; g < plain.groups; ++g) {
        double ea = 0, eb = 0;
        for (int64_t c = g * plain.groupSize; c < std::min(l.k, (g + 1) * plain.groupSize); ++c) {
          double w = l.w[r * l.k + c];
          ea += (w - a[r * l.k + c]) * (w - a[r * l.k + c]);
          eb += (w - b[r * l.k + c]) * (w - b[r * l.k + c]);
        }
        ASSERT_LE(eb, ea * (1 + 1e-9)) << "bits " << f.bits << " row " << r << " group " << g;
        groupsImproved += eb < ea;
      }
    // Gaussian weights: clipping the extremes pays off at low bit widths.
    if (f.bits <= 4)
      EXPECT_GT(groupsImproved, 0) << "bits " << f.bits;
  }
}

// Activation-aware clipping: with column importances the search minimises
// the importance-weighted error of each group, so that error is never worse
// than the plain search's (and the plain one is never worse on the plain
// error), and the layer's output error on its Gram matrix drops.
TEST(RTN, ActivationAwareClipMinimisesWeightedError) {
  Layer l = makeLayer(16, 128, 256, 9);
  std::vector<double> importance(l.k);
  for (int64_t c = 0; c < l.k; ++c)
    importance[c] = l.gram[c * l.k + c];
  for (WeightFormat f : kFormats) {
    f.searchClip = true;
    QuantizedWeight plain = quantizeRTN(l.w.data(), l.n, l.k, f);
    f.columnImportance = importance.data();
    QuantizedWeight aware = quantizeRTN(l.w.data(), l.n, l.k, f);
    std::vector<float> a = plain.dequantize(), b = aware.dequantize();
    for (int64_t r = 0; r < l.n; ++r)
      for (int64_t g = 0; g < plain.groups; ++g) {
        double wa = 0, wb = 0, ua = 0, ub = 0;
        for (int64_t c = g * plain.groupSize; c < std::min(l.k, (g + 1) * plain.groupSize); ++c) {
          double w = l.w[r * l.k + c];
          double da = (w - a[r * l.k + c]) * (w - a[r * l.k + c]);
          double db = (w - b[r * l.k + c]) * (w - b[r * l.k + c]);
          wa += importance[c] * da;
          wb += importance[c] * db;
          ua += da;
          ub += db;
        }
        ASSERT_LE(wb, wa * (1 + 1e-9)) << "bits " << f.bits << " row " << r << " group " << g;
        ASSERT_LE(ua, ub * (1 + 1e-9)) << "bits " << f.bits << " row " << r << " group " << g;
      }
    if (f.bits <= 4)
      EXPECT_LE(relativeOutputError(l.w.data(), aware, l.gram.data()),
                relativeOutputError(l.w.data(), plain, l.gram.data()))
          << "bits " << f.bits;
  }
}

TEST(RTN, ZeroGroupsAreExact) {
  std::vector<float> w(2 * 8, 0.0f);
  w[3] = 1.0f;
  QuantizedWeight q = quantizeRTN(w.data(), 2, 8, {4, 0, false, false});
  std::vector<float> back = q.dequantize();
  for (size_t i = 0; i < w.size(); ++i)
    EXPECT_NEAR(back[i], w[i], 1.0f / 15.0f);
  EXPECT_EQ(back[8], 0.0f); // an all-zero row stays zero
}

TEST(GPTQ, MatchesSequentialReference) {
  Layer l = makeLayer(12, 72, 300, 2);
  for (const WeightFormat &f : kFormats) {
    SCOPED_TRACE("bits " + std::to_string(f.bits) + " group " + std::to_string(f.groupSize));
    GPTQOptions options;
    options.blockSize = 16; // several blocks, so the lazy updates are exercised
    QuantizedWeight q;
    std::string warning;
    ASSERT_TRUE(quantizeGPTQ(l.w.data(), l.n, l.k, l.gram.data(), f, options, q, warning));
    std::vector<float> got = q.dequantize(), want = referenceGPTQ(l, f, options.dampFraction);
    int64_t differing = 0;
    double largest = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      differing += std::fabs(got[i] - want[i]) > 1e-5;
      largest = std::max(largest, std::fabs(static_cast<double>(l.w[i])));
    }
    // The two orders of floating-point operations may round a value that
    // lies on a code boundary differently; allow a handful.
    EXPECT_LE(differing, static_cast<int64_t>(got.size() / 200)) << "of " << got.size();
  }
}

TEST(GPTQ, BeatsRTNOnOutputError) {
  Layer l = makeLayer(32, 128, 400, 3);
  for (const WeightFormat &f : kFormats) {
    for (bool actOrder : {false, true}) {
      SCOPED_TRACE("bits " + std::to_string(f.bits) + " group " + std::to_string(f.groupSize) +
                   " act-order " + std::to_string(actOrder));
      GPTQOptions options;
      options.actOrder = actOrder;
      QuantizedWeight gptq;
      std::string warning;
      ASSERT_TRUE(quantizeGPTQ(l.w.data(), l.n, l.k, l.gram.data(), f, options, gptq, warning));
      QuantizedWeight rtn = quantizeRTN(l.w.data(), l.n, l.k, f);
      double eg = relativeOutputError(l.w.data(), gptq, l.gram.data());
      double er = relativeOutputError(l.w.data(), rtn, l.gram.data());
      EXPECT_LT(eg, er);
      EXPECT_GT(eg, 0.0);
    }
  }
}

TEST(GPTQ, FallsBackToRTNWithoutAPositiveDefiniteHessian) {
  Layer l = makeLayer(4, 2, 1, 4);
  std::vector<double> indefinite = {1.0, 2.0, 2.0, 1.0};
  QuantizedWeight q;
  std::string warning;
  EXPECT_FALSE(quantizeGPTQ(l.w.data(), l.n, l.k, indefinite.data(), {4, 0, true}, {}, q, warning));
  EXPECT_NE(warning.find("not positive definite"), std::string::npos);
  QuantizedWeight rtn = quantizeRTN(l.w.data(), l.n, l.k, {4, 0, true});
  EXPECT_EQ(q.codes, rtn.codes);
}

TEST(OutputError, MatchesDirectComputation) {
  Layer l = makeLayer(5, 9, 1, 5);
  // One input row x: the Gram matrix is x x^T, the error |x (W - What)^T| / |x W^T|.
  std::vector<double> x = {1, -2, 0.5, 3, 0, 1, -1, 2, 0.25};
  std::vector<double> gram(81);
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 9; ++j)
      gram[i * 9 + j] = x[i] * x[j];
  QuantizedWeight q = quantizeRTN(l.w.data(), 5, 9, {2, 0, true});
  double num = 0, den = 0;
  for (int r = 0; r < 5; ++r) {
    double y = 0, yq = 0;
    for (int c = 0; c < 9; ++c) {
      y += x[c] * l.w[r * 9 + c];
      yq += x[c] * q.dequantized(r, c);
    }
    num += (y - yq) * (y - yq);
    den += y * y;
  }
  EXPECT_NEAR(relativeOutputError(l.w.data(), q, gram.data()), std::sqrt(num / den), 1e-9);
}

} // namespace
