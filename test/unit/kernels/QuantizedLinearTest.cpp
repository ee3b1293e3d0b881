//===- QuantizedLinearTest.cpp - kernels against the scalar reference -----===//
//
// Every ISA's kernel, for every weight format (8 and 4 bits; 3 and 2 ride
// the 4-bit layout), activation mode and zero-point choice, on shapes where
// K is not a multiple of the group or of 8 and N not a multiple of the
// 16-column block, against qc_qlinear_reference (double precision, the
// logical form). The tolerance is float rounding of the sums, not a
// quantization step: kernels and reference quantize activations identically.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/quantized_linear.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace {

struct Case {
  int64_t m, n, k, groupSize;
  int bits;
  int actMode;
  bool asymmetric;
  int actBits = 8;
  float actClip = 1.0f;
};

std::string describe(int isa, const Case &c) {
  return "isa=" + std::to_string(isa) + " m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) +
         " k=" + std::to_string(c.k) + " group=" + std::to_string(c.groupSize) +
         " bits=" + std::to_string(c.bits) + " act=" + std::to_string(c.actMode) +
         " asym=" + std::to_string(c.asymmetric) + " act_bits=" + std::to_string(c.actBits) +
         " clip=" + std::to_string(c.actClip);
}

void check(int isa, const Case &c) {
  SCOPED_TRACE(describe(isa, c));
  std::mt19937 rng(1234 + c.m * 7 + c.n * 13 + c.k + c.bits);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  int qmin = -(1 << (c.bits - 1)), qmax = (1 << (c.bits - 1)) - 1;
  std::uniform_int_distribution<int> code(qmin, qmax);
  int64_t groups = (c.k + c.groupSize - 1) / c.groupSize;

  std::vector<float> x(c.m * c.k), scales(c.n * groups), bias(c.n);
  std::vector<int8_t> codes(c.n * c.k), zeros(c.n * groups);
  for (float &v : x)
    v = normal(rng);
  // One outlier channel, as real activations have.
  for (int64_t r = 0; r < c.m; ++r)
    x[r * c.k + c.k / 3] *= 20.0f;
  for (int8_t &v : codes)
    v = static_cast<int8_t>(code(rng));
  for (float &v : scales)
    v = 0.01f + 0.05f * std::fabs(normal(rng));
  for (int8_t &v : zeros)
    v = c.asymmetric ? static_cast<int8_t>(code(rng)) : 0;
  for (float &v : bias)
    v = normal(rng);

  qc_qlinear_layer shape = qc_qlinear_layer_make(c.n, c.k, c.groupSize, c.bits, c.actMode);
  shape.asymmetric = c.asymmetric;
  shape.act_bits = c.actBits;
  shape.act_clip = c.actClip;
  if (c.actMode == QC_ACT_STATIC)
    shape.input_scale = 0.25f; // saturates the outlier channel, as a clipped scale would
  std::vector<int8_t> packed(qc_qlinear_packed_weight_bytes(&shape));
  std::vector<float> params(qc_qlinear_packed_param_floats(&shape));
  const int8_t *zp = c.asymmetric ? zeros.data() : nullptr;
  qc_qlinear_pack(&shape, codes.data(), scales.data(), zp, packed.data(), params.data());

  std::vector<float> want(c.m * c.n), got(c.m * c.n, NAN);
  qc_qlinear_reference(&shape, c.m, x.data(), codes.data(), scales.data(), zp, bias.data(),
                       want.data());
  qc_qlinear_run(isa, &shape, c.m, x.data(), c.k, packed.data(), params.data(), bias.data(),
                 got.data(), c.n);

  // Float rounding bound: a few ulps of the sum of |terms|.
  for (int64_t r = 0; r < c.m; ++r) {
    for (int64_t n = 0; n < c.n; ++n) {
      double magnitude = std::fabs(bias[n]);
      for (int64_t k = 0; k < c.k; ++k) {
        int64_t g = k / c.groupSize;
        magnitude += std::fabs(x[r * c.k + k]) * scales[n * groups + g] *
                     std::abs(codes[n * c.k + k] - zeros[n * groups + g]);
      }
      ASSERT_NEAR(got[r * c.n + n], want[r * c.n + n], 1e-5 * magnitude + 1e-6)
          << "at row " << r << " column " << n;
    }
  }
}

std::vector<Case> cases() {
  std::vector<Case> all;
  const int64_t shapes[][4] = {
      // m, n, k, group
      {1, 37, 100, 32},  // K not a multiple of the group; N not of 16
      {13, 50, 72, 64},  // more rows than one tile; ragged last group
      {9, 16, 19, 19},   // per channel, K not a multiple of 8
      {3, 70, 256, 128}, // whole groups
  };
  for (const auto &s : shapes)
    for (int bits : {8, 4, 3, 2})
      for (int act : {QC_ACT_FLOAT, QC_ACT_DYNAMIC, QC_ACT_STATIC})
        for (bool asym : {false, true})
          all.push_back({s[0], s[1], s[2], s[3], bits, act, asym});
  // 4-bit activations (W4A4, W8A4), dynamic with and without clipping, and
  // static.
  for (const auto &s : shapes)
    for (int bits : {8, 4})
      for (bool asym : {false, true}) {
        all.push_back({s[0], s[1], s[2], s[3], bits, QC_ACT_DYNAMIC, asym, 4, 1.0f});
        all.push_back({s[0], s[1], s[2], s[3], bits, QC_ACT_DYNAMIC, asym, 4, 0.9f});
        all.push_back({s[0], s[1], s[2], s[3], bits, QC_ACT_STATIC, asym, 4, 1.0f});
      }
  return all;
}

void checkIsa(int isa) {
  if (!qc_qlinear_isa_supported(isa))
    GTEST_SKIP() << "this CPU lacks the ISA";
  for (const Case &c : cases())
    check(isa, c);
}

TEST(QuantizedLinear, ScalarMatchesReference) { checkIsa(QC_ISA_SCALAR); }
TEST(QuantizedLinear, AVX2MatchesReference) { checkIsa(QC_ISA_AVX2); }
TEST(QuantizedLinear, AVX512VNNIMatchesReference) { checkIsa(QC_ISA_AVX512_VNNI); }

TEST(QuantizedLinear, PackedSizes) {
  // 4-bit codes take half a byte; N pads to 16 columns, K to 8.
  qc_qlinear_layer shape = qc_qlinear_layer_make(37, 100, 32, 4, QC_ACT_FLOAT);
  EXPECT_EQ(qc_qlinear_packed_weight_bytes(&shape), 48u * 104u / 2u);
  // Per (column, group): scale and zero point (nibbles are stored + 8).
  EXPECT_EQ(qc_qlinear_packed_param_floats(&shape), 48u * 4u * 2u);
  shape.act_mode = QC_ACT_DYNAMIC;
  // int8 activations: scale and the group's column sum.
  EXPECT_EQ(qc_qlinear_packed_param_floats(&shape), 48u * 4u * 2u);
  shape.weight_bits = 8;
  shape.asymmetric = 1;
  EXPECT_EQ(qc_qlinear_packed_weight_bytes(&shape), 48u * 104u);
  EXPECT_EQ(qc_qlinear_packed_param_floats(&shape), 48u * 4u * 3u);
}

TEST(QuantizedLinear, ZeroRowsIsANoOp) {
  qc_qlinear_layer shape = qc_qlinear_layer_make(16, 8, 8, 8, QC_ACT_FLOAT);
  float y = 42.0f;
  qc_qlinear_run(QC_ISA_SCALAR, &shape, 0, nullptr, 8, nullptr, nullptr, nullptr, &y, 16);
  EXPECT_EQ(y, 42.0f);
}

// The activation codes, from the definition in quantized_linear.h: an
// identity weight returns the dequantized activations. 4 bits, dynamic:
// scale = clip * max|x| / 7, codes clamped to [-8, 7].
TEST(QuantizedLinear, IntegerActivationCodes) {
  const int64_t k = 16;
  std::vector<int8_t> identity(k * k, 0);
  for (int64_t i = 0; i < k; ++i)
    identity[i * k + i] = 1;
  std::vector<float> ones(k, 1.0f);
  std::vector<float> x(k);
  for (int64_t i = 0; i < k; ++i)
    x[i] = -3.5f + 0.5f * static_cast<float>(i); // -3.5 .. 4.0
  for (float clip : {1.0f, 0.5f}) {
    for (int isa : {QC_ISA_SCALAR, QC_ISA_AVX2, QC_ISA_AVX512_VNNI}) {
      if (!qc_qlinear_isa_supported(isa))
        continue;
      SCOPED_TRACE("clip=" + std::to_string(clip) + " isa=" + std::to_string(isa));
      qc_qlinear_layer layer = qc_qlinear_layer_make(k, k, k, 8, QC_ACT_DYNAMIC);
      layer.act_bits = 4;
      layer.act_clip = clip;
      std::vector<int8_t> packed(qc_qlinear_packed_weight_bytes(&layer));
      std::vector<float> params(qc_qlinear_packed_param_floats(&layer));
      qc_qlinear_pack(&layer, identity.data(), ones.data(), nullptr, packed.data(), params.data());
      std::vector<float> y(k, NAN);
      qc_qlinear_run(isa, &layer, 1, x.data(), k, packed.data(), params.data(), nullptr, y.data(),
                     k);
      float scale = clip * 4.0f / 7.0f;
      for (int64_t i = 0; i < k; ++i) {
        float code = std::nearbyint(x[i] / scale);
        code = std::fmin(7.0f, std::fmax(-8.0f, code));
        EXPECT_NEAR(y[i], code * scale, 1e-6f) << "at " << i;
      }
      if (clip == 0.5f) {
        EXPECT_NEAR(y[0], -8 * scale, 1e-6f); // -3.5 saturates at the negative end
        EXPECT_NEAR(y[k - 1], 7 * scale, 1e-6f);
      }
    }
  }
}

} // namespace
