//===- ActivationQuantizersTest.cpp - integer activations and clip search -===//

#include "passes/quantizers/ActivationQuantizers.h"
#include "runtime/kernels/quantized_linear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace qc::quantizers;

namespace {

// The compiler's model of activation quantization is the kernels': an
// identity weight makes the kernel return its dequantized activations.
TEST(ActivationQuantizers, MatchesTheKernels) {
  const int64_t k = 48, rows = 5;
  std::mt19937 rng(7);
  std::student_t_distribution<float> heavy(3.0f);
  std::vector<float> x(rows * k);
  for (float &v : x)
    v = heavy(rng);
  x[3] = 0; // and an all-zero row
  for (int64_t j = 0; j < k; ++j)
    x[2 * k + j] = 0;
  std::vector<int8_t> identity(k * k, 0);
  for (int64_t i = 0; i < k; ++i)
    identity[i * k + i] = 1;
  std::vector<float> ones(k, 1.0f);
  for (int bits : {8, 4, 3})
    for (double clip : {1.0, 0.9, 0.6})
      for (double staticRange : {0.0, 2.5}) {
        SCOPED_TRACE("bits=" + std::to_string(bits) + " clip=" + std::to_string(clip) +
                     " static=" + std::to_string(staticRange));
        ActivationFormat format{bits, clip, staticRange};
        std::vector<float> want(x);
        fakeQuantizeActivations(want.data(), rows, k, format);
        qc_qlinear_layer layer = qc_qlinear_layer_make(
            k, k, k, 8, staticRange > 0 ? QC_ACT_STATIC : QC_ACT_DYNAMIC);
        layer.act_bits = bits;
        layer.act_clip = static_cast<float>(clip);
        float qmax = static_cast<float>((1 << (bits - 1)) - 1);
        layer.input_scale = static_cast<float>(clip) * static_cast<float>(staticRange) / qmax;
        std::vector<int8_t> packed(qc_qlinear_packed_weight_bytes(&layer));
        std::vector<float> params(qc_qlinear_packed_param_floats(&layer));
        qc_qlinear_pack(&layer, identity.data(), ones.data(), nullptr, packed.data(),
                        params.data());
        std::vector<float> got(rows * k, NAN);
        qc_qlinear_run(QC_ISA_SCALAR, &layer, rows, x.data(), k, packed.data(), params.data(),
                       nullptr, got.data(), k);
        for (int64_t i = 0; i < rows * k; ++i)
          ASSERT_FLOAT_EQ(got[i], want[i]) << "at " << i;
      }
}

TEST(ActivationQuantizers, FourBitCodes) {
  std::vector<float> x{-3.5f, -1.0f, 0.25f, 4.0f};
  fakeQuantizeActivations(x.data(), 1, 4, {4, 0.5, 0.0});
  float scale = 0.5f * 4.0f / 7.0f;
  EXPECT_FLOAT_EQ(x[0], -8 * scale); // saturates at the negative end
  EXPECT_FLOAT_EQ(x[1], std::nearbyint(-1.0f / scale) * scale);
  EXPECT_FLOAT_EQ(x[2], std::nearbyint(0.25f / scale) * scale);
  EXPECT_FLOAT_EQ(x[3], 7 * scale);
}

// With heavy tails, 4-bit activations lose less to clipping the largest
// values than to the coarse steps a full range gives the rest.
TEST(ActivationQuantizers, ClipSearch) {
  const int64_t k = 256, rows = 64, m = 16;
  std::mt19937 rng(11);
  std::student_t_distribution<float> heavy(2.5f);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(rows * k), w(m * k);
  for (float &v : x)
    v = heavy(rng);
  for (float &v : w)
    v = normal(rng);
  ClipSearchResult four = searchActivationClip(x.data(), rows, k, w.data(), m, {4, 1.0, 0.0},
                                               defaultClipCandidates());
  EXPECT_LT(four.clip, 1.0);
  EXPECT_LT(four.error, four.errorNoClip);
  EXPECT_GT(four.error, 0.0);
  // The error it reports is the one of its clip.
  std::vector<float> q(x);
  fakeQuantizeActivations(q.data(), rows, k, {4, four.clip, 0.0});
  double err = 0, ref = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < m; ++i) {
      double y = 0, e = 0;
      for (int64_t j = 0; j < k; ++j) {
        y += static_cast<double>(x[r * k + j]) * w[i * k + j];
        e += static_cast<double>(q[r * k + j] - x[r * k + j]) * w[i * k + j];
      }
      err += e * e;
      ref += y * y;
    }
  EXPECT_NEAR(four.error, err / ref, 1e-9);
  // 8 bits: the search never does worse than no clipping.
  ClipSearchResult eight = searchActivationClip(x.data(), rows, k, w.data(), m, {8, 1.0, 0.0},
                                                defaultClipCandidates());
  EXPECT_LE(eight.error, eight.errorNoClip);
  EXPECT_LT(eight.error, four.error);
}

} // namespace
