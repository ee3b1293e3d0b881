//===- QCDialect.h - qc dialect ---------------------------------*- C++ -*-===//
//
// The qc dialect: ops that quantization reasons about and the attributes
// passes hand to each other. Include this header to use any part of it.
//
//===----------------------------------------------------------------------===//

#ifndef QC_DIALECTS_QC_QCDIALECT_H
#define QC_DIALECTS_QC_QCDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "dialects/qc/LinearFormat.h"

#include "dialects/qc/QCOpsDialect.h.inc"
#include "dialects/qc/QCOpsEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/qc/QCOpsAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/qc/QCOps.h.inc"

#endif // QC_DIALECTS_QC_QCDIALECT_H
