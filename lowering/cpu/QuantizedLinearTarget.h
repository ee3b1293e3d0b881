//===- QuantizedLinearTarget.h - the CPU's quantized layers -----*- C++ -*-===//
//
// The CPU back end's side of passes/QuantizedLinearTarget.h: the layouts of
// runtime/kernels/quantized_linear.h, and the kernel descriptor of a layer.
//
//===----------------------------------------------------------------------===//

#ifndef QC_LOWERING_CPU_QUANTIZEDLINEARTARGET_H
#define QC_LOWERING_CPU_QUANTIZEDLINEARTARGET_H

#include "dialects/qc/LinearFormat.h"
#include "runtime/kernels/quantized_linear.h"

namespace qc::cpu {

/// The name the CPU target registers under ("cpu").
constexpr const char *kCPUTargetName = "cpu";

/// Registers the CPU target with qc-pack (idempotent).
void registerCPUQuantizedLinearTarget();

/// The kernels' descriptor of a layer of `format`, run with `isa`
/// (QC_ISA_*).
qc_qlinear_layer getKernelLayer(const LinearFormat &format, int32_t isa);

} // namespace qc::cpu

#endif // QC_LOWERING_CPU_QUANTIZEDLINEARTARGET_H
