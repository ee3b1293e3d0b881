//===- Hadamard.cpp - Hadamard matrices and randomized Hadamard rotations -===//

#include "passes/quantizers/Hadamard.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace qc::quantizers {

namespace {

/// The odd primes a base factor can carry, and the factor 4p each gives.
constexpr int64_t kPrimes[] = {3, 5, 7};

/// chi(a) over GF(q), q prime: 0, 1 for a nonzero square, -1 otherwise.
std::vector<int> quadraticCharacter(int64_t q) {
  std::vector<int> chi(static_cast<size_t>(q), -1);
  chi[0] = 0;
  for (int64_t x = 1; x < q; ++x)
    chi[static_cast<size_t>(x * x % q)] = 1;
  return chi;
}

/// Paley construction I, q prime, q = 3 mod 4: H = I + [[0, 1^T], [-1, Qj]].
std::vector<int8_t> paleyI(int64_t q) {
  std::vector<int> chi = quadraticCharacter(q);
  int64_t n = q + 1;
  std::vector<int8_t> h(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int s;
      if (i == 0)
        s = j == 0 ? 0 : 1;
      else if (j == 0)
        s = -1;
      else
        s = chi[static_cast<size_t>(((j - i) % q + q) % q)];
      h[i * n + j] = static_cast<int8_t>(s + (i == j ? 1 : 0));
    }
  return h;
}

/// Paley construction II, q prime, q = 1 mod 4: S = [[0, 1^T], [1, Qj]]
/// with 0 -> [[1, -1], [-1, -1]] and +-1 -> +-[[1, 1], [1, -1]].
std::vector<int8_t> paleyII(int64_t q) {
  std::vector<int> chi = quadraticCharacter(q);
  int64_t m = q + 1, n = 2 * m;
  std::vector<int8_t> h(static_cast<size_t>(n * n));
  for (int64_t bi = 0; bi < m; ++bi)
    for (int64_t bj = 0; bj < m; ++bj) {
      int s;
      if (bi == 0 || bj == 0)
        s = bi == bj ? 0 : 1;
      else
        s = chi[static_cast<size_t>(((bj - bi) % q + q) % q)];
      static const int kZero[2][2] = {{1, -1}, {-1, -1}};
      static const int kOne[2][2] = {{1, 1}, {1, -1}};
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          h[(2 * bi + a) * n + 2 * bj + b] =
              static_cast<int8_t>(s == 0 ? kZero[a][b] : s * kOne[a][b]);
    }
  return h;
}

/// H_12, H_20 or H_28.
std::vector<int8_t> primeFactorMatrix(int64_t factor) {
  switch (factor) {
  case 12:
    return paleyI(11);
  case 20:
    return paleyI(19);
  case 28:
    return paleyII(13);
  default:
    return {};
  }
}

std::vector<int8_t> kronecker(const std::vector<int8_t> &a, int64_t na,
                              const std::vector<int8_t> &b, int64_t nb) {
  int64_t n = na * nb;
  std::vector<int8_t> k(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      k[i * n + j] = static_cast<int8_t>(a[(i / nb) * na + j / nb] * b[(i % nb) * nb + j % nb]);
  return k;
}

int64_t countTrailingZeros(int64_t n) {
  int64_t e = 0;
  while ((n & 1) == 0) {
    n >>= 1;
    ++e;
  }
  return e;
}

/// x <- x H_pow2 on each contiguous block of `pow2` values (H_pow2
/// symmetric, so also x H_pow2^T).
void walshHadamard(double *x, int64_t n, int64_t pow2) {
  for (int64_t block = 0; block < n; block += pow2) {
    double *v = x + block;
    for (int64_t h = 1; h < pow2; h *= 2)
      for (int64_t i = 0; i < pow2; i += 2 * h)
        for (int64_t j = i; j < i + h; ++j) {
          double a = v[j], b = v[j + h];
          v[j] = a + b;
          v[j + h] = a - b;
        }
  }
}

/// One base factor F (size f) on the axis with stride `stride` of x viewed
/// as (n / (f stride), f, stride): v <- v M along that axis, where
/// m[a * f + c] = M[a][c] (F for x F, F^T for x F^T).
void denseFactor(double *x, int64_t n, const std::vector<double> &m, int64_t f, int64_t stride,
                 std::vector<double> &tmp) {
  int64_t span = f * stride;
  tmp.resize(static_cast<size_t>(span));
  for (int64_t outer = 0; outer < n; outer += span) {
    double *v = x + outer;
    std::fill(tmp.begin(), tmp.end(), 0.0);
    for (int64_t a = 0; a < f; ++a) {
      const double *src = v + a * stride;
      for (int64_t c = 0; c < f; ++c) {
        double coef = m[a * f + c];
        double *dst = tmp.data() + c * stride;
        for (int64_t r = 0; r < stride; ++r)
          dst[r] += coef * src[r];
      }
    }
    std::copy(tmp.begin(), tmp.end(), v);
  }
}

} // namespace

std::optional<HadamardFactors> factorHadamardOrder(int64_t n, std::string *reason) {
  auto fail = [&](std::string why) -> std::optional<HadamardFactors> {
    if (reason)
      *reason = std::move(why);
    return std::nullopt;
  };
  if (n <= 0)
    return fail("n = " + std::to_string(n) + ": a Hadamard order must be positive");
  int64_t e = countTrailingZeros(n);
  int64_t odd = n >> e;
  std::string shape = "n = " + std::to_string(n) + " = " + std::to_string(odd) + " * 2^" +
                      std::to_string(e);
  int64_t rest = odd, primes = 0;
  for (int64_t p : kPrimes)
    while (rest % p == 0) {
      rest /= p;
      ++primes;
    }
  if (rest != 1)
    return fail(shape + ": its odd part has the factor " + std::to_string(rest) +
                ", but only 3, 5 and 7 are supported (Hadamard base factors 12, 20, 28)");
  if (e < 2 * primes)
    return fail(shape + ": its odd part " + std::to_string(odd) + " needs " +
                std::to_string(primes) + " factor" + (primes == 1 ? "" : "s") +
                " from 12, 20, 28, i.e. at least 2^" + std::to_string(2 * primes) +
                ", but n has only 2^" + std::to_string(e));
  HadamardFactors factors;
  factors.base = odd << (2 * primes);
  factors.pow2 = int64_t(1) << (e - 2 * primes);
  return factors;
}

bool isHadamardBase(int64_t base) {
  std::optional<HadamardFactors> f = factorHadamardOrder(base);
  return f && f->pow2 == 1;
}

std::vector<int64_t> hadamardBaseFactors(int64_t base) {
  if (!isHadamardBase(base))
    return {};
  std::vector<int64_t> factors;
  for (int64_t p : kPrimes)
    while (base % p == 0) {
      base /= p;
      factors.push_back(4 * p);
    }
  return factors; // ascending, as kPrimes is
}

std::vector<int8_t> baseHadamardMatrix(int64_t base) {
  if (!isHadamardBase(base))
    return {};
  std::vector<int8_t> h = {1};
  int64_t size = 1;
  for (int64_t f : hadamardBaseFactors(base)) {
    h = kronecker(h, size, primeFactorMatrix(f), f);
    size *= f;
  }
  return h;
}

std::vector<int8_t> hadamardMatrix(int64_t n) {
  std::optional<HadamardFactors> factors = factorHadamardOrder(n);
  if (!factors)
    return {};
  int64_t p = factors->pow2;
  std::vector<int8_t> sylvester(static_cast<size_t>(p * p));
  for (int64_t i = 0; i < p; ++i)
    for (int64_t j = 0; j < p; ++j)
      sylvester[i * p + j] = static_cast<int8_t>(__builtin_popcountll(i & j) % 2 ? -1 : 1);
  return kronecker(baseHadamardMatrix(factors->base), factors->base, sylvester, p);
}

std::vector<float> denseRotation(int64_t n, const int8_t *signs) {
  std::vector<int8_t> h = hadamardMatrix(n);
  if (h.empty())
    return {};
  double scale = 1.0 / std::sqrt(static_cast<double>(n));
  std::vector<float> q(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i) {
    double rowScale = signs ? signs[i] * scale : scale;
    for (int64_t j = 0; j < n; ++j)
      q[i * n + j] = static_cast<float>(rowScale * h[i * n + j]);
  }
  return q;
}

bool hadamardTransformRows(float *x, int64_t rows, int64_t n, const int8_t *signs,
                           HadamardSide side) {
  std::optional<HadamardFactors> factors = factorHadamardOrder(n);
  if (!factors)
    return false;
  bool transpose = side == HadamardSide::QTranspose;
  // The base factors as double matrices M with v <- v M, and their strides
  // in the (f1, ..., fm, pow2) view of a row.
  struct Factor {
    int64_t size, stride;
    std::vector<double> m;
  };
  std::vector<Factor> dense;
  int64_t stride = n;
  for (int64_t f : hadamardBaseFactors(factors->base)) {
    stride /= f;
    std::vector<int8_t> h = primeFactorMatrix(f);
    Factor factor{f, stride, std::vector<double>(static_cast<size_t>(f * f))};
    for (int64_t a = 0; a < f; ++a)
      for (int64_t c = 0; c < f; ++c)
        factor.m[a * f + c] = transpose ? h[c * f + a] : h[a * f + c];
    dense.push_back(std::move(factor));
  }
  double scale = 1.0 / std::sqrt(static_cast<double>(n));
  std::vector<double> v(static_cast<size_t>(n)), tmp;
  for (int64_t r = 0; r < rows; ++r) {
    float *row = x + r * n;
    for (int64_t i = 0; i < n; ++i)
      v[i] = row[i];
    if (signs && !transpose)
      for (int64_t i = 0; i < n; ++i)
        v[i] *= signs[i];
    // The factors act on different axes, so they commute.
    walshHadamard(v.data(), n, factors->pow2);
    for (const Factor &f : dense)
      denseFactor(v.data(), n, f.m, f.size, f.stride, tmp);
    if (signs && transpose)
      for (int64_t i = 0; i < n; ++i)
        v[i] *= signs[i];
    for (int64_t i = 0; i < n; ++i)
      row[i] = static_cast<float>(v[i] * scale);
  }
  return true;
}

std::vector<int8_t> randomSigns(int64_t n, uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<int8_t> signs(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (int8_t &s : signs)
    s = (engine() >> 63) ? -1 : 1;
  return signs;
}

} // namespace qc::quantizers
