//===- QuantizedLinearEntry.cpp - the kernel as compiled code calls it ----===//
//
// qc-cpu-lower-quantized-linear emits a call of qc_ukernel_quantized_linear
// with MLIR's C interface: each memref operand arrives as a pointer to its
// descriptor {allocated, aligned, offset, sizes[rank], strides[rank]}.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/quantized_linear.h"

namespace {
template <typename T, int Rank> struct MemRef {
  T *allocated, *aligned;
  int64_t offset, sizes[Rank], strides[Rank];
  T *data() const { return aligned + offset; }
};
} // namespace

extern "C" void _mlir_ciface_qc_ukernel_quantized_linear(
    MemRef<float, 2> *x, MemRef<int8_t, 1> *weight, MemRef<float, 1> *params,
    MemRef<float, 1> *bias, MemRef<float, 2> *y, int64_t n, int64_t k, int64_t groupSize,
    int32_t bits, int32_t actMode, int32_t asymmetric, float inputScale, int32_t isa) {
  qc_qlinear_shape shape{n, k, groupSize, bits, actMode, asymmetric, inputScale};
  qc_qlinear_run(isa, &shape, x->sizes[0], x->data(), x->strides[0], weight->data(),
                 params->data(), bias->sizes[0] ? bias->data() : nullptr, y->data(),
                 y->strides[0]);
}
