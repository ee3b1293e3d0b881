//===- QCDialect.cpp - qc dialect registration -----------------------------===//

#include "dialects/qc/QCDialect.h"

#include "mlir/Bytecode/BytecodeImplementation.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace qc;

#include "dialects/qc/QCOpsDialect.cpp.inc"
#include "dialects/qc/QCOpsEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/qc/QCOpsAttrs.cpp.inc"

namespace {

/// #qc.stats in bytecode as its parameters, so that the dense_resource blobs
/// inside it (the Gram matrix, the sampled rows) are written as resources:
/// in the textual fallback the writer would not see them, and a .mlirbc
/// would silently lose them. Other attributes take the textual form.
struct QCBytecodeInterface : BytecodeDialectInterface {
  explicit QCBytecodeInterface(Dialect *dialect) : BytecodeDialectInterface(dialect) {}
  enum Kind : uint64_t { kTensorStats = 0 };

  LogicalResult writeAttribute(Attribute attr, DialectBytecodeWriter &w) const override {
    auto stats = dyn_cast<TensorStatsAttr>(attr);
    if (!stats)
      return failure();
    w.writeVarInt(kTensorStats);
    w.writeVarInt(stats.getSamples());
    w.writeAttribute(stats.getAbsmax());
    for (Attribute a : {Attribute(stats.getMin()), Attribute(stats.getMax()),
                        Attribute(stats.getP99_9()), Attribute(stats.getP99_99()),
                        Attribute(stats.getGram()), Attribute(stats.getChannelMin()),
                        Attribute(stats.getChannelMax()), Attribute(stats.getRows())})
      w.writeOptionalAttribute(a);
    return success();
  }

  Attribute readAttribute(DialectBytecodeReader &r) const override {
    uint64_t kind, samples;
    if (failed(r.readVarInt(kind)) || kind != kTensorStats || failed(r.readVarInt(samples))) {
      r.emitError("qc: unknown attribute encoding in bytecode");
      return {};
    }
    ElementsAttr absmax, gram, channelMin, channelMax, rows;
    FloatAttr min, max, p999, p9999;
    if (failed(r.readAttribute(absmax)) || failed(r.readOptionalAttribute(min)) ||
        failed(r.readOptionalAttribute(max)) || failed(r.readOptionalAttribute(p999)) ||
        failed(r.readOptionalAttribute(p9999)) || failed(r.readOptionalAttribute(gram)) ||
        failed(r.readOptionalAttribute(channelMin)) ||
        failed(r.readOptionalAttribute(channelMax)) || failed(r.readOptionalAttribute(rows)))
      return {};
    return TensorStatsAttr::getChecked([&] { return r.emitError(); }, getContext(), samples,
                                       absmax, min, max, p999, p9999, gram, channelMin,
                                       channelMax, rows);
  }
};

} // namespace

void QCDialect::initialize() {
  addInterfaces<QCBytecodeInterface>();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/qc/QCOpsAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/qc/QCOps.cpp.inc"
      >();
}
