//===- Pack.cpp - lay quantized weights out for the CPU kernels -----------===//

#include "dialects/qc/ConstantBlobs.h"
#include "passes/LayerNames.h"
#include "passes/Passes.h"
#include "runtime/kernels/quantized_linear.h"

namespace qc {
#define GEN_PASS_DEF_QCPACK
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

struct PackPass : impl::QCPackBase<PackPass> {
  void runOnOperation() override {
    getOperation().walk([&](QuantizedLinearOp op) {
      if (op.getPacked())
        return;
      if (failed(pack(op)))
        signalPassFailure();
    });
  }

  LogicalResult pack(QuantizedLinearOp op) {
    std::optional<std::vector<char>> codes = getConstantBytes(op.getWeight());
    std::optional<std::vector<float>> scales = getConstantFloats(op.getScales());
    std::optional<std::vector<char>> zeros;
    if (op.getZeroPoints())
      zeros = getConstantBytes(op.getZeroPoints());
    if (!codes || !scales || (op.getZeroPoints() && !zeros))
      return op.emitError("qc-pack needs constant codes, scales and zero points");

    qc_qlinear_shape shape = op.getKernelShape();
    std::vector<int8_t> weight(qc_qlinear_packed_weight_bytes(&shape));
    std::vector<float> params(qc_qlinear_packed_param_floats(&shape));
    qc_qlinear_pack(&shape, reinterpret_cast<const int8_t *>(codes->data()), scales->data(),
                    zeros ? reinterpret_cast<const int8_t *>(zeros->data()) : nullptr,
                    weight.data(), params.data());

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
    op.setPacked(true);
    for (Operation *def : old)
      if (def && def->use_empty())
        def->erase();
    return success();
  }
};

} // namespace
} // namespace qc
