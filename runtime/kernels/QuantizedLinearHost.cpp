//===- QuantizedLinearHost.cpp - the reference and the ISA check ----------===//
//
// For tests and benchmarks: the product in double precision from the
// logical form, with activations quantized as the kernels do, and whether
// this CPU runs an ISA. In an object file of their own, as artifacts link
// the kernels without the C++ and compiler runtimes these use.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/QuantizedLinearLayout.h"

#include <vector>

using namespace qc::kernels;

extern "C" {

void qc_qlinear_reference(const qc_qlinear_layer *shape, int64_t m, const float *x,
                          const int8_t *codes, const float *scales, const int8_t *zeroPoints,
                          const float *bias, float *y) {
  const qc_qlinear_layer &s = *shape;
  int64_t groups = (s.k + s.group_size - 1) / s.group_size;
  std::vector<int8_t> q(s.k);
  for (int64_t r = 0; r < m; ++r) {
    const float *row = x + r * s.k;
    double activationScale = 1;
    if (s.act_mode != QC_ACT_FLOAT)
      activationScale = quantizeActivationRow(row, s.k, s, q.data());
    for (int64_t n = 0; n < s.n; ++n) {
      double sum = bias ? bias[n] : 0;
      for (int64_t k = 0; k < s.k; ++k) {
        int64_t g = k / s.group_size;
        int zero = zeroPoints ? zeroPoints[n * groups + g] : 0;
        double w = static_cast<double>(scales[n * groups + g]) * (codes[n * s.k + k] - zero);
        double a = s.act_mode == QC_ACT_FLOAT ? row[k] : q[k] * activationScale;
        sum += a * w;
      }
      y[r * s.n + n] = static_cast<float>(sum);
    }
  }
}

int qc_qlinear_isa_supported(int isa) {
  __builtin_cpu_init();
  switch (isa) {
  case QC_ISA_SCALAR:
    return 1;
  case QC_ISA_AVX2:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case QC_ISA_AVX512_VNNI:
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  default:
    return 0;
  }
}

} // extern "C"
