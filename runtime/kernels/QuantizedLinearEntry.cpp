//===- QuantizedLinearEntry.cpp - the kernel as compiled code calls it ----===//
//
// qc-cpu-lower-quantized-linear emits a call of qc_ukernel_quantized_linear
// with MLIR's C interface: each memref operand arrives as a pointer to its
// descriptor {allocated, aligned, offset, sizes[rank], strides[rank]}. The
// layer's description is the bytes of a qc_qlinear_layer, a constant the
// lowering wrote from the same struct.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/MemRefDescriptor.h"
#include "runtime/kernels/quantized_linear.h"

#include <cstring>

using qc::kernels::MemRef;

extern "C" void _mlir_ciface_qc_ukernel_quantized_linear(MemRef<float, 2> *x,
                                                         MemRef<int8_t, 1> *weight,
                                                         MemRef<float, 1> *params,
                                                         MemRef<float, 1> *bias,
                                                         MemRef<float, 2> *y,
                                                         MemRef<int8_t, 1> *layerBytes) {
  // The bytes need not be aligned for the struct: copied out.
  qc_qlinear_layer layer;
  if (layerBytes->sizes[0] != static_cast<int64_t>(sizeof layer))
    __builtin_trap(); // compiled against another definition of the struct
  std::memcpy(&layer, layerBytes->data(), sizeof layer);
  qc_qlinear_run(layer.isa, &layer, x->sizes[0], x->data(), x->strides[0], weight->data(),
                 params->data(), bias->sizes[0] ? bias->data() : nullptr, y->data(),
                 y->strides[0]);
}
