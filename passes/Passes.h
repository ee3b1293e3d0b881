//===- Passes.h - qc passes -------------------------------------*- C++ -*-===//

#ifndef QC_PASSES_PASSES_H
#define QC_PASSES_PASSES_H

#include "dialects/qc/QCDialect.h"
#include "mlir/Pass/Pass.h"

namespace qc {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace qc

#endif // QC_PASSES_PASSES_H
