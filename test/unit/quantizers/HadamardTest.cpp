//===- HadamardTest.cpp - Hadamard matrices and the fast rotation ---------===//
//
// Every base matrix and every full H_n against the definition (entries +-1,
// H H^T = n I) and the documented Kronecker order; the factorization table,
// rejects included; the fast transform against the product with the dense
// rotation Q = D H_n / sqrt(n), on both sides (x Q and x Q^T: the Paley
// matrices are not symmetric); orthogonality and norms; the signs'
// determinism.
//
//===----------------------------------------------------------------------===//

#include "passes/quantizers/Hadamard.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace qc::quantizers;

namespace {

/// max |H H^T - n I| over all entries (0 for a Hadamard matrix), and
/// whether every entry is +-1.
int64_t hadamardDefect(const std::vector<int8_t> &h, int64_t n) {
  int64_t worst = 0;
  for (int8_t v : h)
    if (v != 1 && v != -1)
      return -1;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t dot = 0;
      for (int64_t k = 0; k < n; ++k)
        dot += h[i * n + k] * h[j * n + k];
      worst = std::max<int64_t>(worst, std::llabs(dot - (i == j ? n : 0)));
    }
  return worst;
}

bool isSymmetric(const std::vector<int8_t> &h, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < i; ++j)
      if (h[i * n + j] != h[j * n + i])
        return false;
  return true;
}

std::vector<float> gaussianRows(int64_t rows, int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> x(static_cast<size_t>(rows * n));
  for (float &v : x)
    v = normal(rng);
  return x;
}

/// x Q (or x Q^T) with the dense Q, accumulated in double.
std::vector<double> denseProduct(const std::vector<float> &x, int64_t rows, int64_t n,
                                 const std::vector<float> &q, bool transpose) {
  std::vector<double> y(static_cast<size_t>(rows * n), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        y[r * n + j] += static_cast<double>(x[r * n + i]) * (transpose ? q[j * n + i] : q[i * n + j]);
  return y;
}

} // namespace

TEST(Hadamard, BaseMatricesAreHadamard) {
  for (int64_t base : {1, 12, 20, 28, 144, 240, 336, 784}) {
    std::vector<int8_t> h = baseHadamardMatrix(base);
    ASSERT_EQ(static_cast<int64_t>(h.size()), base * base) << "base " << base;
    EXPECT_EQ(hadamardDefect(h, base), 0) << "base " << base;
    // Paley I (12, 20) is not symmetric, so x Q and x Q^T differ and both
    // sides are tested; Paley II (28) is.
    bool symmetric = base == 1 || base == 28 || base == 784;
    EXPECT_EQ(isSymmetric(h, base), symmetric) << "base " << base;
  }
}

TEST(Hadamard, PaleyConstructionI) {
  // H = I + S with S = [[0, 1^T], [-1, Qj]] skew-symmetric: H + H^T = 2I,
  // row 0 all +1, column 0 -1 below the diagonal.
  for (int64_t base : {12, 20}) {
    std::vector<int8_t> h = baseHadamardMatrix(base);
    ASSERT_EQ(static_cast<int64_t>(h.size()), base * base);
    for (int64_t i = 0; i < base; ++i)
      for (int64_t j = 0; j < base; ++j)
        EXPECT_EQ(h[i * base + j] + h[j * base + i], i == j ? 2 : 0) << i << "," << j;
    for (int64_t j = 0; j < base; ++j)
      EXPECT_EQ(h[j], 1);
    for (int64_t i = 1; i < base; ++i)
      EXPECT_EQ(h[i * base], -1);
  }
}

TEST(Hadamard, BaseFactorsInKroneckerOrder) {
  EXPECT_EQ(hadamardBaseFactors(1), std::vector<int64_t>{});
  EXPECT_EQ(hadamardBaseFactors(12), std::vector<int64_t>{12});
  EXPECT_EQ(hadamardBaseFactors(144), (std::vector<int64_t>{12, 12}));
  EXPECT_EQ(hadamardBaseFactors(240), (std::vector<int64_t>{12, 20}));
  EXPECT_EQ(hadamardBaseFactors(560), (std::vector<int64_t>{20, 28}));
  EXPECT_EQ(hadamardBaseFactors(24), std::vector<int64_t>{}); // 12 * 2: not a base
  EXPECT_EQ(hadamardBaseFactors(13), std::vector<int64_t>{});
  EXPECT_TRUE(isHadamardBase(1));
  EXPECT_TRUE(isHadamardBase(144));
  EXPECT_FALSE(isHadamardBase(2));
  EXPECT_FALSE(isHadamardBase(36));
  EXPECT_TRUE(baseHadamardMatrix(24).empty());
  EXPECT_TRUE(baseHadamardMatrix(0).empty());
  // H_240 = H_12 (x) H_20, the first factor the outer index.
  std::vector<int8_t> h240 = baseHadamardMatrix(240), h12 = baseHadamardMatrix(12),
                      h20 = baseHadamardMatrix(20);
  for (int64_t i = 0; i < 240; ++i)
    for (int64_t j = 0; j < 240; ++j)
      ASSERT_EQ(h240[i * 240 + j], h12[(i / 20) * 12 + j / 20] * h20[(i % 20) * 20 + j % 20]);
}

TEST(Hadamard, FactorizationTable) {
  struct Row {
    int64_t n, base, pow2;
  };
  const Row table[] = {
      {1, 1, 1},        {2, 1, 2},         {4, 1, 4},        {4096, 1, 4096},
      {12, 12, 1},      {24, 12, 2},       {384, 12, 32},    {768, 12, 64},
      {1536, 12, 128},  {20, 20, 1},       {160, 20, 8},     {28, 28, 1},
      {112, 28, 4},     {144, 144, 1},     {576, 144, 4},    {2304, 144, 16},
      {960, 240, 4},    {5376, 336, 16},   {1728, 1728, 1},
  };
  for (const Row &row : table) {
    std::string reason;
    std::optional<HadamardFactors> f = factorHadamardOrder(row.n, &reason);
    ASSERT_TRUE(f.has_value()) << "n = " << row.n << ": " << reason;
    EXPECT_EQ(f->base, row.base) << "n = " << row.n;
    EXPECT_EQ(f->pow2, row.pow2) << "n = " << row.n;
    EXPECT_EQ(f->base * f->pow2, row.n);
    EXPECT_TRUE(isHadamardBase(f->base));
  }
  struct Reject {
    int64_t n;
    const char *reason;
  };
  const Reject rejects[] = {
      {0, "n = 0: a Hadamard order must be positive"},
      {-4, "n = -4: a Hadamard order must be positive"},
      {3, "n = 3 = 3 * 2^0: its odd part 3 needs 1 factor from 12, 20, 28, i.e. at least 2^2, "
          "but n has only 2^0"},
      {6, "n = 6 = 3 * 2^1: its odd part 3 needs 1 factor from 12, 20, 28, i.e. at least 2^2, "
          "but n has only 2^1"},
      {36, "n = 36 = 9 * 2^2: its odd part 9 needs 2 factors from 12, 20, 28, i.e. at least 2^4, "
           "but n has only 2^2"},
      {1000, "n = 1000 = 125 * 2^3: its odd part 125 needs 3 factors from 12, 20, 28, i.e. at "
             "least 2^6, but n has only 2^3"},
      {44, "n = 44 = 11 * 2^2: its odd part has the factor 11, but only 3, 5 and 7 are supported "
           "(Hadamard base factors 12, 20, 28)"},
      {11008, "n = 11008 = 43 * 2^8: its odd part has the factor 43, but only 3, 5 and 7 are "
              "supported (Hadamard base factors 12, 20, 28)"},
      {1408, "n = 1408 = 11 * 2^7: its odd part has the factor 11, but only 3, 5 and 7 are "
             "supported (Hadamard base factors 12, 20, 28)"},
  };
  for (const Reject &reject : rejects) {
    std::string reason;
    EXPECT_FALSE(factorHadamardOrder(reject.n, &reason).has_value()) << "n = " << reject.n;
    EXPECT_EQ(reason, reject.reason);
    EXPECT_FALSE(factorHadamardOrder(reject.n).has_value()); // no reason asked for
  }
}

TEST(Hadamard, FullMatrixIsBaseKroneckerSylvester) {
  for (int64_t n : {1, 2, 8, 12, 24, 56, 160, 576}) {
    std::optional<HadamardFactors> f = factorHadamardOrder(n);
    ASSERT_TRUE(f.has_value());
    std::vector<int8_t> h = hadamardMatrix(n), base = baseHadamardMatrix(f->base);
    ASSERT_EQ(static_cast<int64_t>(h.size()), n * n);
    int64_t p = f->pow2;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int sylvester = __builtin_popcountll((i % p) & (j % p)) % 2 ? -1 : 1;
        ASSERT_EQ(h[i * n + j], base[(i / p) * f->base + j / p] * sylvester)
            << "n = " << n << " at " << i << "," << j;
      }
    EXPECT_EQ(hadamardDefect(h, n), 0) << "n = " << n;
  }
  EXPECT_TRUE(hadamardMatrix(36).empty());
  EXPECT_TRUE(denseRotation(36).empty());
}

// The fast transform is computed in double and rounded once; the dense
// reference multiplies by Q's float entries (relative error 2^-24 each) in
// double. With x ~ N(0, 1) the outputs are N(0, 1) and the two differ by
// about 2^-24 (|y| + ||x||_1 / sqrt(n)) <= 2^-24 * 40 ~ 2.4e-6 for n <= 1536:
// the 1e-5 bound leaves a factor of 4.
TEST(Hadamard, FastTransformMatchesDenseRotation) {
  const int64_t rows = 3;
  for (int64_t n : {1, 2, 4, 12, 28, 64, 224, 384, 576, 960, 1536}) {
    std::vector<float> x = gaussianRows(rows, n, static_cast<unsigned>(n));
    std::vector<int8_t> signs = randomSigns(n, 42 + n);
    for (bool withSigns : {false, true}) {
      const int8_t *d = withSigns ? signs.data() : nullptr;
      std::vector<float> q = denseRotation(n, d);
      ASSERT_EQ(static_cast<int64_t>(q.size()), n * n);
      for (HadamardSide side : {HadamardSide::Q, HadamardSide::QTranspose}) {
        bool transpose = side == HadamardSide::QTranspose;
        std::vector<double> expected = denseProduct(x, rows, n, q, transpose);
        std::vector<float> y = x;
        ASSERT_TRUE(hadamardTransformRows(y.data(), rows, n, d, side));
        double worst = 0;
        for (int64_t i = 0; i < rows * n; ++i)
          worst = std::max(worst, std::abs(y[i] - expected[i]));
        EXPECT_LT(worst, 1e-5) << "n = " << n << (withSigns ? " with" : " without")
                               << " signs, " << (transpose ? "x Q^T" : "x Q");
      }
    }
  }
}

// Q Q^T = I: from the dense Q (each entry rounded to float, so each dot
// product is off by at most about 2 * 2^-24) and through the fast
// transforms (x Q Q^T and x Q^T Q back to x, within two roundings of x).
TEST(Hadamard, RotationIsOrthogonal) {
  for (int64_t n : {12, 28, 64, 288}) {
    std::vector<int8_t> signs = randomSigns(n, 7);
    std::vector<float> q = denseRotation(n, signs.data());
    double worst = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double dot = 0;
        for (int64_t k = 0; k < n; ++k)
          dot += static_cast<double>(q[i * n + k]) * q[j * n + k];
        worst = std::max(worst, std::abs(dot - (i == j ? 1.0 : 0.0)));
      }
    EXPECT_LT(worst, 1e-6) << "n = " << n;
  }
  const int64_t rows = 4;
  for (int64_t n : {4, 12, 20, 28, 384, 576, 960, 1536, 4096}) {
    std::vector<float> x = gaussianRows(rows, n, 3);
    std::vector<int8_t> signs = randomSigns(n, 11);
    for (bool qFirst : {true, false}) {
      std::vector<float> y = x;
      HadamardSide first = qFirst ? HadamardSide::Q : HadamardSide::QTranspose;
      HadamardSide second = qFirst ? HadamardSide::QTranspose : HadamardSide::Q;
      ASSERT_TRUE(hadamardTransformRows(y.data(), rows, n, signs.data(), first));
      ASSERT_TRUE(hadamardTransformRows(y.data(), rows, n, signs.data(), second));
      double worst = 0;
      for (int64_t i = 0; i < rows * n; ++i)
        worst = std::max(worst, static_cast<double>(std::abs(y[i] - x[i])));
      EXPECT_LT(worst, 1e-5) << "n = " << n << (qFirst ? " x Q Q^T" : " x Q^T Q");
    }
  }
}

TEST(Hadamard, RotationPreservesNorms) {
  const int64_t rows = 5;
  for (int64_t n : {2, 12, 144, 768, 2304}) {
    std::vector<float> x = gaussianRows(rows, n, 5);
    for (int i = 0; i < n; i += 17)
      x[i] *= 50; // outliers, which the rotation spreads out
    std::vector<int8_t> signs = randomSigns(n, 13);
    for (HadamardSide side : {HadamardSide::Q, HadamardSide::QTranspose}) {
      std::vector<float> y = x;
      ASSERT_TRUE(hadamardTransformRows(y.data(), rows, n, signs.data(), side));
      for (int64_t r = 0; r < rows; ++r) {
        double before = 0, after = 0;
        for (int64_t i = 0; i < n; ++i) {
          before += static_cast<double>(x[r * n + i]) * x[r * n + i];
          after += static_cast<double>(y[r * n + i]) * y[r * n + i];
        }
        EXPECT_NEAR(std::sqrt(after), std::sqrt(before), 1e-6 * std::sqrt(before))
            << "n = " << n << " row " << r;
      }
    }
  }
}

TEST(Hadamard, UnsupportedOrderLeavesRowsUnchanged) {
  std::vector<float> x = gaussianRows(2, 36, 1), y = x;
  EXPECT_FALSE(hadamardTransformRows(y.data(), 2, 36));
  EXPECT_EQ(x, y);
  EXPECT_FALSE(hadamardTransformRows(y.data(), 2, 0));
}

TEST(Hadamard, RandomSignsAreDeterministic) {
  std::vector<int8_t> a = randomSigns(4096, 1234), b = randomSigns(4096, 1234),
                      c = randomSigns(4096, 1235);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  int64_t sum = 0;
  for (int8_t s : a) {
    ASSERT_TRUE(s == 1 || s == -1);
    sum += s;
  }
  EXPECT_LT(std::llabs(sum), 4 * 64); // 4 standard deviations of a fair sum
  // A prefix is the prefix of a longer draw.
  std::vector<int8_t> prefix = randomSigns(100, 1234);
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), a.begin()));
  EXPECT_TRUE(randomSigns(0, 1).empty());
  // The standard fixes mt19937_64's output: the 10000th value of the
  // default seed (5489) is 9981545732273789042, whose top bit is set.
  EXPECT_EQ(randomSigns(10000, 5489)[9999], -1);
  // The mapping from the engine to signs is part of the format (a folded
  // model and its online Hadamard ops must agree): the first 64 signs of
  // seed 0, bit i set where sign i is -1.
  std::vector<int8_t> seed0 = randomSigns(64, 0);
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i)
    bits |= uint64_t(seed0[i] < 0) << i;
  EXPECT_EQ(bits, 0xb7e248ec2c671b5aull);
}
