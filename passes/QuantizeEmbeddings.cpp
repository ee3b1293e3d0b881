//===- QuantizeEmbeddings.cpp - int8 tables for gathers -------------------===//

#include "dialects/qc/ConstantBlobs.h"
#include "passes/LayerNames.h"
#include "passes/Passes.h"

#include <cmath>

namespace qc {
#define GEN_PASS_DEF_QCQUANTIZEEMBEDDINGS
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

struct QuantizeEmbeddingsPass : impl::QCQuantizeEmbeddingsBase<QuantizeEmbeddingsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Tables read by tensor.extract inside linalg.generic bodies.
    DenseMap<Value, SmallVector<tensor::ExtractOp>> reads;
    getOperation().walk([&](tensor::ExtractOp extract) {
      if (!extract->getParentOfType<linalg::GenericOp>())
        return;
      auto type = cast<RankedTensorType>(extract.getTensor().getType());
      if (type.getRank() == 2 && type.getElementType().isF32() && type.hasStaticShape() &&
          type.getNumElements() >= minElements && extract.getTensor().getDefiningOp<arith::ConstantOp>())
        reads[extract.getTensor()].push_back(extract);
    });
    for (auto &[table, extracts] : reads)
      quantize(table, extracts);
  }

  void quantize(Value table, ArrayRef<tensor::ExtractOp> extracts) {
    std::optional<std::vector<float>> values = getConstantFloats(table);
    if (!values)
      return;
    auto type = cast<RankedTensorType>(table.getType());
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    std::vector<int8_t> codes(values->size());
    std::vector<float> scales(rows);
    double errorEnergy = 0, energy = 0;
    for (int64_t r = 0; r < rows; ++r) {
      float absmax = 0;
      for (int64_t c = 0; c < cols; ++c)
        absmax = std::max(absmax, std::fabs((*values)[r * cols + c]));
      float scale = absmax > 0 ? absmax / 127.0f : 1.0f;
      scales[r] = scale;
      for (int64_t c = 0; c < cols; ++c) {
        float v = (*values)[r * cols + c];
        codes[r * cols + c] =
            static_cast<int8_t>(std::clamp(std::nearbyint(v / scale), -127.0f, 127.0f));
        double d = v - static_cast<double>(scale) * codes[r * cols + c];
        errorEnergy += d * d;
        energy += static_cast<double>(v) * v;
      }
    }
    double relativeError = energy > 0 ? std::sqrt(errorEnergy / energy) : 0.0;
    Operation *def = table.getDefiningOp();
    OpBuilder b(def);
    Location loc = def->getLoc();
    std::string name = getLocationName(loc);
    if (name.empty())
      name = "table";
    Value codeTable = makeBlobConstant(b, loc, RankedTensorType::get({rows, cols}, b.getI8Type()),
                                       ArrayRef<int8_t>(codes), name + ".codes");
    Value scaleTable = makeBlobConstant(b, loc, RankedTensorType::get({rows}, b.getF32Type()),
                                        ArrayRef<float>(scales), name + ".scales");
    for (tensor::ExtractOp extract : extracts) {
      OpBuilder eb(extract);
      Location l = extract.getLoc();
      ValueRange indices = extract.getIndices();
      Value code = tensor::ExtractOp::create(eb, l, codeTable, indices);
      Value scale = tensor::ExtractOp::create(eb, l, scaleTable, indices.front());
      Value f = arith::SIToFPOp::create(eb, l, eb.getF32Type(), code);
      extract.replaceAllUsesWith(arith::MulFOp::create(eb, l, f, scale).getResult());
      auto generic = extract->getParentOfType<linalg::GenericOp>();
      generic->setAttr("qc.quantized_table",
                       eb.getDictionaryAttr({eb.getNamedAttr("rows", eb.getI64IntegerAttr(rows)),
                                             eb.getNamedAttr("columns", eb.getI64IntegerAttr(cols)),
                                             eb.getNamedAttr("format", eb.getStringAttr("int8 per-row")),
                                             eb.getNamedAttr("relative_error",
                                                             eb.getF64FloatAttr(relativeError))}));
      extract.erase();
    }
    if (def->use_empty())
      def->erase();
  }
};

} // namespace
} // namespace qc
