//===- QCDialect.cpp - qc dialect registration -----------------------------===//

#include "dialects/qc/QCDialect.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace qc;

#include "dialects/qc/QCOpsDialect.cpp.inc"
#include "dialects/qc/QCOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/qc/QCOpsAttrs.cpp.inc"

void QCDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/qc/QCOpsAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/qc/QCOps.cpp.inc"
      >();
}
