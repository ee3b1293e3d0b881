//===- Pack.cpp - lay quantized weights out for a target's kernels --------===//

#include "dialects/qc/ConstantBlobs.h"
#include "passes/LayerNames.h"
#include "passes/Passes.h"
#include "passes/QuantizedLinearTarget.h"

namespace qc {
#define GEN_PASS_DEF_QCPACK
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

struct PackPass : impl::QCPackBase<PackPass> {
  using Base::Base;

  void runOnOperation() override {
    const QuantizedLinearTarget *t = lookupQuantizedLinearTarget(target);
    if (!t) {
      getOperation().emitError() << "qc-pack: unknown target '" << target
                                 << "' (known: " << listQuantizedLinearTargets() << ")";
      return signalPassFailure();
    }
    getOperation().walk([&](QuantizedLinearOp op) {
      if (op.isPacked())
        return;
      if (failed(pack(*t, op)))
        signalPassFailure();
    });
  }

  LogicalResult pack(const QuantizedLinearTarget &t, QuantizedLinearOp op) {
    std::optional<std::vector<char>> codes = getConstantBytes(op.getWeight());
    std::optional<std::vector<float>> scales = getConstantFloats(op.getScales());
    std::optional<std::vector<char>> zeros;
    if (op.getZeroPoints())
      zeros = getConstantBytes(op.getZeroPoints());
    if (!codes || !scales || (op.getZeroPoints() && !zeros))
      return op.emitError("qc-pack needs constant codes, scales and zero points");

    LinearFormat format = op.getFormat();
    std::string why;
    std::string layout = t.chooseLayout(format, why);
    if (layout.empty())
      return op.emitError() << "target '" << t.getName() << "' cannot run this layer: " << why;
    auto bytes = [](const std::optional<std::vector<char>> &v) {
      return v ? ArrayRef<int8_t>(reinterpret_cast<const int8_t *>(v->data()), v->size())
               : ArrayRef<int8_t>();
    };
    std::vector<int8_t> weight;
    std::vector<float> params;
    t.pack(format, layout, bytes(codes), *scales, bytes(zeros), weight, params);

    OpBuilder b(op);
    Location loc = op.getLoc();
    std::string name = getLocationName(loc);
    if (name.empty())
      name = "weight";
    Value packedWeight = makeBlobConstant(
        b, loc, RankedTensorType::get({static_cast<int64_t>(weight.size())}, b.getI8Type()),
        ArrayRef<int8_t>(weight), name + ".packed");
    Value packedParams = makeBlobConstant(
        b, loc, RankedTensorType::get({static_cast<int64_t>(params.size())}, b.getF32Type()),
        ArrayRef<float>(params), name + ".params");
    SmallVector<Operation *> old{op.getWeight().getDefiningOp(), op.getScales().getDefiningOp()};
    if (op.getZeroPoints())
      old.push_back(op.getZeroPoints().getDefiningOp());
    op.getWeightMutable().assign(packedWeight);
    op.getScalesMutable().assign(packedParams);
    op.getZeroPointsMutable().clear();
    op.setEncodingAttr(WeightEncodingAttr::get(op.getContext(), t.getName(), layout));
    for (Operation *def : old)
      if (def && def->use_empty())
        def->erase();
    return success();
  }
};

} // namespace
} // namespace qc
