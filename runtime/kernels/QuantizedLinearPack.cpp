//===- QuantizedLinearPack.cpp - packed layout and scalar reference -------===//
//
// The packed layout of quantized_linear.h, written once here: the packer
// and the element accessors the scalar kernel reads it with.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/QuantizedLinearLayout.h"

#include <cmath>
#include <cstring>

namespace qc::kernels {

Layout Layout::of(const qc_qlinear_layer &s) {
  Layout l;
  l.nBlocks = (s.n + kBlockN - 1) / kBlockN;
  l.kPad = (s.k + kStepK - 1) / kStepK * kStepK;
  l.groupSize = s.group_size >= s.k ? l.kPad : s.group_size;
  l.groups = (l.kPad + l.groupSize - 1) / l.groupSize;
  l.nibbles = s.weight_bits <= 4;
  l.int8Act = s.act_mode != QC_ACT_FLOAT;
  l.asymmetric = s.asymmetric != 0;
  // Float activations need a zero point whenever codes are offset (nibbles
  // store code + 8) or asymmetric; int8 activations use signed codes and
  // need the column sum instead.
  l.hasZero = l.int8Act ? l.asymmetric : (l.asymmetric || l.nibbles);
  l.params = 1 + (l.hasZero ? 1 : 0) + (l.int8Act ? 1 : 0);
  return l;
}

int64_t Layout::weightBytesPerBlock() const {
  return kPad * kBlockN / (nibbles ? 2 : 1);
}

size_t Layout::byteOffset(int64_t n, int64_t k, bool &high) const {
  int64_t nb = n / kBlockN, c = n % kBlockN;
  size_t base = static_cast<size_t>(nb * weightBytesPerBlock());
  high = false;
  if (!int8Act) {
    if (!nibbles)
      return base + k * kBlockN + c;
    high = k % 2;
    return base + (k / 2) * kBlockN + c;
  }
  if (!nibbles)
    return base + (k / 4) * kBlockN * 4 + c * 4 + k % 4;
  high = (k % 8) >= 4;
  return base + (k / 8) * kBlockN * 4 + c * 4 + k % 4;
}

int Layout::code(const int8_t *weight, int64_t n, int64_t k) const {
  bool high;
  uint8_t byte = static_cast<uint8_t>(weight[byteOffset(n, k, high)]);
  if (!nibbles)
    return static_cast<int8_t>(byte);
  return (high ? byte >> 4 : byte & 15) - 8;
}

size_t Layout::paramOffset(int64_t nb, int64_t g, int p) const {
  return static_cast<size_t>(((nb * groups + g) * params + p) * kBlockN);
}

int Layout::zeroSlot() const { return hasZero ? 1 : -1; }
int Layout::colSumSlot() const { return int8Act ? (hasZero ? 2 : 1) : -1; }

float activationScale(const qc_qlinear_layer &s, float absmax) {
  if (s.act_mode == QC_ACT_STATIC)
    return s.input_scale;
  float scale = s.act_clip * absmax / activationQMax(s);
  return scale > 0 ? scale : 1.0f;
}

float quantizeActivationRow(const float *x, int64_t k, const qc_qlinear_layer &s, int8_t *q) {
  float absmax = 0;
  if (s.act_mode == QC_ACT_DYNAMIC)
    for (int64_t i = 0; i < k; ++i)
      absmax = std::fmax(absmax, std::fabs(x[i]));
  float scale = activationScale(s, absmax);
  float inverse = 1.0f / scale;
  float lo = -activationQMax(s) - 1.0f, hi = activationQMax(s);
  for (int64_t i = 0; i < k; ++i) {
    float v = std::nearbyint(x[i] * inverse);
    q[i] = static_cast<int8_t>(std::fmin(hi, std::fmax(lo, v)));
  }
  return scale;
}

} // namespace qc::kernels

using namespace qc::kernels;

extern "C" {

size_t qc_qlinear_packed_weight_bytes(const qc_qlinear_layer *shape) {
  Layout l = Layout::of(*shape);
  return static_cast<size_t>(l.nBlocks * l.weightBytesPerBlock());
}

size_t qc_qlinear_packed_param_floats(const qc_qlinear_layer *shape) {
  Layout l = Layout::of(*shape);
  return static_cast<size_t>(l.nBlocks * l.groups * l.params * kBlockN);
}

void qc_qlinear_pack(const qc_qlinear_layer *shape, const int8_t *codes, const float *scales,
                     const int8_t *zeroPoints, int8_t *weight, float *params) {
  const qc_qlinear_layer &s = *shape;
  Layout l = Layout::of(s);
  int64_t logicalGroups = (s.k + s.group_size - 1) / s.group_size;
  // Padding: code 0 (nibble 8), scale 0, so padded columns compute 0.
  std::memset(weight, l.nibbles ? 0x88 : 0, qc_qlinear_packed_weight_bytes(shape));
  std::memset(params, 0, qc_qlinear_packed_param_floats(shape) * sizeof(float));
  auto paramAt = [&](int64_t n, int64_t g, int p) -> float & {
    return params[l.paramIndex(n, g, p)];
  };
  for (int64_t n = 0; n < s.n; ++n) {
    for (int64_t k = 0; k < s.k; ++k) {
      int c = codes[n * s.k + k];
      bool high;
      size_t at = l.byteOffset(n, k, high);
      if (!l.nibbles) {
        weight[at] = static_cast<int8_t>(c);
      } else {
        uint8_t byte = static_cast<uint8_t>(weight[at]);
        uint8_t nibble = static_cast<uint8_t>(c + 8) & 15;
        byte = high ? (byte & 0x0f) | (nibble << 4) : (byte & 0xf0) | nibble;
        weight[at] = static_cast<int8_t>(byte);
      }
    }
    for (int64_t g = 0; g < l.groups; ++g) {
      // A packed group of the whole padded K is the one logical group.
      int64_t lg = std::min<int64_t>(g, logicalGroups - 1);
      int zero = zeroPoints ? zeroPoints[n * logicalGroups + lg] : 0;
      paramAt(n, g, 0) = scales[n * logicalGroups + lg];
      if (l.hasZero)
        paramAt(n, g, 1) = static_cast<float>(zero + (!l.int8Act && l.nibbles ? 8 : 0));
      if (l.int8Act) {
        int64_t sum = 0;
        for (int64_t k = g * l.groupSize; k < std::min((g + 1) * l.groupSize, s.k); ++k)
          sum += codes[n * s.k + k];
        paramAt(n, g, l.colSumSlot()) = static_cast<float>(sum);
      }
    }
  }
}

} // extern "C"
