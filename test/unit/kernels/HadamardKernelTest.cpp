//===- HadamardKernelTest.cpp - qc.hadamard's kernel against Q --------------===//
//
// qc_hadamard_rows (runtime/kernels/Hadamard.cpp) against the product with
// the dense rotation Q = D H_n / sqrt(n) of passes/quantizers/Hadamard.h,
// accumulated in double: every ISA variant this CPU runs, powers of two
// from 1 past the kernel's L1 chunk (2048) and Paley bases, with and
// without signs, in place and out of place with row strides. The error
// bound is that of HadamardTest's FastTransformMatchesDenseRotation, with
// log2(n) stages of one rounding each.
//
//===----------------------------------------------------------------------===//

#include "passes/quantizers/Hadamard.h"
#include "runtime/kernels/hadamard.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace qc::quantizers;

namespace {

std::vector<int> runnableIsas() {
  std::vector<int> isas{QC_ISA_SCALAR};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    isas.push_back(QC_ISA_AVX2);
  if (__builtin_cpu_supports("avx512f"))
    isas.push_back(QC_ISA_AVX512_VNNI);
  return isas;
}

TEST(HadamardKernel, MatchesDenseRotation) {
  const int64_t rows = 3;
  std::vector<int> isas = runnableIsas();
  if (isas.size() < 3)
    std::printf("note: %zu of the 3 ISA variants run on this CPU; the others are not tested "
                "here\n",
                isas.size());
  for (int64_t n : {1, 2, 4, 8, 16, 64, 128, 512, 4096, 8192, 12, 24, 96, 384, 576, 1536, 28}) {
    std::optional<HadamardFactors> factors = factorHadamardOrder(n);
    ASSERT_TRUE(factors) << n;
    std::vector<float> baseMatrix;
    for (int8_t v : baseHadamardMatrix(factors->base))
      baseMatrix.push_back(v);
    std::mt19937 rng(static_cast<unsigned>(n));
    std::normal_distribution<float> normal;
    const int64_t stride = n + 5; // rows are not contiguous
    std::vector<float> x(static_cast<size_t>(rows * stride));
    for (float &v : x)
      v = normal(rng);
    std::vector<int8_t> signs8 = randomSigns(n, 7 + n);
    std::vector<float> signs(signs8.begin(), signs8.end());
    for (bool withSigns : {false, true}) {
      std::vector<float> q = denseRotation(n, withSigns ? signs8.data() : nullptr);
      std::vector<double> expected(static_cast<size_t>(rows * n), 0.0);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < n; ++j)
            expected[r * n + j] += static_cast<double>(x[r * stride + i]) * q[i * n + j];
      for (int isa : isas)
        for (bool inPlace : {false, true}) {
          std::vector<float> y = inPlace ? x : std::vector<float>(x.size(), -1.0f);
          ASSERT_EQ(qc_hadamard_rows(isa, rows, n, factors->base,
                                     factors->base > 1 ? baseMatrix.data() : nullptr,
                                     withSigns ? signs.data() : nullptr,
                                     inPlace ? y.data() : x.data(), stride, y.data(), stride),
                    0);
          double worst = 0;
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t j = 0; j < n; ++j)
              worst = std::max(worst, std::abs(y[r * stride + j] - expected[r * n + j]));
          EXPECT_LT(worst, 1e-5 * std::max(1.0, std::log2(static_cast<double>(n)) / 4))
              << "n = " << n << ", isa " << isa << (withSigns ? ", signs" : "")
              << (inPlace ? ", in place" : ", out of place");
          // The padding between rows is not touched.
          if (!inPlace)
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t j = n; j < stride && r * stride + j < static_cast<int64_t>(y.size());
                   ++j)
                EXPECT_EQ(y[r * stride + j], -1.0f) << "n = " << n;
        }
    }
  }
}

TEST(HadamardKernel, RejectsOrdersItCannotTransform) {
  float v[24] = {};
  // n / base must be a power of two, base must divide n, and a base above 1
  // needs its matrix.
  EXPECT_EQ(qc_hadamard_rows(QC_ISA_SCALAR, 1, 24, 1, nullptr, nullptr, v, 24, v, 24), -1);
  EXPECT_EQ(qc_hadamard_rows(QC_ISA_SCALAR, 1, 24, 5, nullptr, nullptr, v, 24, v, 24), -1);
  EXPECT_EQ(qc_hadamard_rows(QC_ISA_SCALAR, 1, 24, 12, nullptr, nullptr, v, 24, v, 24), -1);
  EXPECT_EQ(qc_hadamard_rows(QC_ISA_SCALAR, 1, 0, 1, nullptr, nullptr, v, 24, v, 24), -1);
}

} // namespace
