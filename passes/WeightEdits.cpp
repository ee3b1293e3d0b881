//===- WeightEdits.cpp - rewrite the constant parameters of layers ---------===//

#include "passes/WeightEdits.h"

#include "dialects/qc/ConstantBlobs.h"
#include "passes/LayerNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace qc {

std::optional<std::vector<float>> readVector(Value v, int64_t size) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.getElementType().isF32() || type.getNumElements() != size)
    return std::nullopt;
  return getConstantFloats(v);
}

std::optional<LinearParams> readLinear(LinearOp op) {
  auto type = dyn_cast<RankedTensorType>(op.getWeight().getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  LinearParams p;
  p.n = type.getDimSize(0);
  p.k = type.getDimSize(1);
  std::optional<std::vector<float>> w = getConstantFloats(op.getWeight());
  if (!w)
    return std::nullopt;
  p.weight = std::move(*w);
  p.bias.assign(p.n, 0.0f);
  if (Value bias = op.getBias()) {
    std::optional<std::vector<float>> b = readVector(bias, p.n);
    if (!b)
      return std::nullopt;
    p.bias = std::move(*b);
    p.hasBias = true;
  }
  return p;
}

static std::string nameFor(Operation *op, StringRef suffix) {
  std::string name = getLocationName(op->getLoc());
  return (name.empty() ? std::string("param") : name) + "." + suffix.str();
}

Value makeVector(Operation *user, ArrayRef<float> values, StringRef suffix) {
  OpBuilder b(user);
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getF32Type());
  return makeBlobConstant(b, user->getLoc(), type, values, nameFor(user, suffix));
}

void writeLinear(LinearOp op, const LinearParams &p) {
  OpBuilder b(op);
  auto wType = RankedTensorType::get({p.n, p.k}, b.getF32Type());
  op.getWeightMutable().assign(
      makeBlobConstant(b, op.getLoc(), wType, ArrayRef<float>(p.weight), nameFor(op, "weight")));
  if (!p.hasBias)
    return;
  Value bias = makeVector(op, p.bias, "bias");
  if (op.getBias())
    op.getBiasMutable().assign(bias);
  else
    op->insertOperands(2, {bias});
}

void writeNormAffine(Operation *norm, ArrayRef<float> scale, ArrayRef<float> bias) {
  norm->setOperand(1, makeVector(norm, scale, "scale"));
  if (!isa<LayerNormOp>(norm))
    return;
  if (bias.empty()) {
    if (norm->getNumOperands() > 2)
      norm->eraseOperand(2);
    return;
  }
  Value b = makeVector(norm, bias, "bias");
  if (norm->getNumOperands() > 2)
    norm->setOperand(2, b);
  else
    norm->insertOperands(2, {b});
}

Operation *normOwnedBy(Operation *norm, ArrayRef<LinearOp> layers, bool shared) {
  if (!shared)
    return norm;
  OpBuilder b(norm);
  b.setInsertionPointAfter(norm);
  Operation *own = b.clone(*norm);
  for (LinearOp l : layers)
    l.getInputMutable().assign(own->getResult(0));
  return own;
}

bool dropInputStats(LinearOp op) {
  bool had = static_cast<bool>(op.getInputStatsAttr());
  op.removeInputStatsAttr();
  return had;
}

void replaceGatheredTable(Operation *gather, Value table, ArrayRef<float> values,
                          StringRef suffix) {
  OpBuilder b(gather);
  std::string name = getLocationName(gather->getLoc());
  Value replacement = makeBlobConstant(b, gather->getLoc(), cast<RankedTensorType>(table.getType()),
                                       values, (name.empty() ? "table" : name) + "." + suffix.str());
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(gather))
    slice.getSourceMutable().assign(replacement);
  else
    gather->walk([&](tensor::ExtractOp extract) {
      if (extract.getTensor() == table)
        extract.getTensorMutable().assign(replacement);
    });
}

} // namespace qc
