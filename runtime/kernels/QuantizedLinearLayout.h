//===- QuantizedLinearLayout.h - the packed layout, for the kernels -*- C++ -*-===//
//
// Internal to the kernel library: the packed layout of quantized_linear.h as
// numbers (block sizes, offsets, parameter slots), shared by the packer, the
// scalar kernel and the vector kernels.
//
//===----------------------------------------------------------------------===//

#ifndef QC_RUNTIME_KERNELS_QUANTIZEDLINEARLAYOUT_H
#define QC_RUNTIME_KERNELS_QUANTIZEDLINEARLAYOUT_H

#include "runtime/kernels/quantized_linear.h"

#include <cstddef>
#include <cstdint>

namespace qc::kernels {

/// Output channels per column block: one AVX-512 vector of floats.
constexpr int64_t kBlockN = 16;
/// K is padded to a multiple of this (the int4 x int8 step of 8 k).
constexpr int64_t kStepK = 8;

struct Layout {
  int64_t nBlocks, kPad, groupSize, groups;
  bool nibbles, int8Act, asymmetric, hasZero;
  int params; // floats per (column, group)

  static Layout of(const qc_qlinear_layer &shape);
  int64_t weightBytesPerBlock() const;
  /// Byte holding code (n, k); `high`: in its high nibble.
  size_t byteOffset(int64_t n, int64_t k, bool &high) const;
  /// The signed code of (n, k) read back from a packed weight.
  int code(const int8_t *weight, int64_t n, int64_t k) const;
  /// Where slot `p` of column block nb, group g starts (16 floats, one per
  /// column of the block).
  size_t paramOffset(int64_t nb, int64_t g, int p) const;
  /// Parameter `p` of column n, group g.
  size_t paramIndex(int64_t n, int64_t g, int p) const {
    return paramOffset(n / kBlockN, g, p) + static_cast<size_t>(n % kBlockN);
  }
  float param(const float *params, int64_t n, int64_t g, int p) const {
    return params[paramIndex(n, g, p)];
  }
  int zeroSlot() const;   // -1: none
  int colSumSlot() const; // -1: none
};

/// The largest code of integer activations, 2^(act_bits - 1) - 1; codes
/// are in [-qmax - 1, qmax].
inline float activationQMax(const qc_qlinear_layer &s) {
  return static_cast<float>((1 << (s.act_bits - 1)) - 1);
}

/// The scale of a row of integer activations whose max |x| is `absmax`
/// (dynamic: act_clip * absmax / qmax, 1 for an all-zero row), or the
/// static input_scale.
float activationScale(const qc_qlinear_layer &s, float absmax);

/// Quantizes one activation row as every kernel does (symmetric, codes in
/// [-qmax - 1, qmax], round half to even); returns the row's scale.
float quantizeActivationRow(const float *x, int64_t k, const qc_qlinear_layer &s, int8_t *q);

} // namespace qc::kernels

#endif // QC_RUNTIME_KERNELS_QUANTIZEDLINEARLAYOUT_H
