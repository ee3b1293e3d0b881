//===- FoldNorms.cpp - qc-fold-norms ---------------------------------------===//
//
// norm(x) * g + b feeding linear layers W:  W' = W diag(g), bias' = bias + W b,
// and the norm keeps no affine. Where the norm's output also goes elsewhere
// (the residual add of a post-LN model) that path gets the affine as its own
// elementwise op, so it is unchanged.
//
// LayerNorm -> RMSNorm (SliceGPT, QuaRot): in a pre-norm model the residual
// stream is the sum of what the embeddings and the output projections write
// into it. Centring each write (table rows, weight columns and biases minus
// their mean over the hidden dim) makes the stream zero-mean, and a
// LayerNorm of a zero-mean input is an RMSNorm of it.
//
//===----------------------------------------------------------------------===//

#include "passes/LayerNames.h"
#include "passes/ModelStructure.h"
#include "passes/Passes.h"
#include "passes/WeightEdits.h"

#include "dialects/qc/ConstantBlobs.h"

#include "mlir/IR/Matchers.h"

namespace qc {
#define GEN_PASS_DEF_QCFOLDNORMS
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

/// y = x * scale + bias along the last dim, as one elementwise generic.
Value buildAffine(OpBuilder &b, Location loc, Value x, Value scale, Value bias) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  Value init = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap lastDim = AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{x, scale, bias}, ValueRange{init},
      ArrayRef<AffineMap>{identity, lastDim, lastDim, identity}, iterators,
      [](OpBuilder &nb, Location l, ValueRange args) {
        Value scaled = arith::MulFOp::create(nb, l, args[0], args[1]);
        linalg::YieldOp::create(nb, l, ValueRange{arith::AddFOp::create(nb, l, scaled, args[2])});
      });
  return generic.getResult(0);
}

struct FoldNormsPass : impl::QCFoldNormsBase<FoldNormsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    ModelStructure s = ModelStructure::analyze(func);
    bool droppedStats = false;
    for (NormInfo &n : s.norms)
      droppedStats |= foldAffine(n);
    if (droppedStats)
      func.emitRemark("qc-fold-norms: calibration statistics of the layers after folded norms "
                      "were dropped; run qc-calibrate after qc-fold-norms");
    if (layerNormToRMS)
      convertToRMS(s);
  }

  /// Folds `n`'s affine into the linear layers it feeds; true when
  /// statistics were dropped.
  bool foldAffine(NormInfo &n) {
    if (n.linears.empty())
      return false;
    auto type = cast<RankedTensorType>(n.input().getType());
    int64_t k = type.getShape().back();
    if (n.axis() != type.getRank() - 1 || ShapedType::isDynamic(k)) {
      n.op->emitRemark("qc-fold-norms: not folded: the norm is not over the last dimension");
      return false;
    }
    std::optional<std::vector<float>> gamma = readVector(n.scale(), k);
    std::optional<std::vector<float>> beta =
        n.bias() ? readVector(n.bias(), k) : std::optional<std::vector<float>>(std::vector<float>(k, 0.0f));
    if (!gamma || !beta) {
      n.op->emitRemark("qc-fold-norms: not folded: scale or bias is not a constant");
      return false;
    }
    bool identity = llvm::all_of(*gamma, [](float g) { return g == 1.0f; }) &&
                    llvm::all_of(*beta, [](float v) { return v == 0.0f; });
    if (identity && !n.bias())
      return false;
    SmallVector<std::optional<LinearParams>> params;
    for (LinearOp l : n.linears) {
      params.push_back(readLinear(l));
      if (!params.back()) {
        l->emitRemark("qc-fold-norms: not folded: the weight is not a constant f32 tensor");
        return false;
      }
    }
    bool anyBeta = llvm::any_of(*beta, [](float v) { return v != 0.0f; });
    bool dropped = false;
    for (auto [l, p] : llvm::zip(n.linears, params)) {
      for (int64_t i = 0; i < p->n; ++i) {
        float *row = &p->weight[i * p->k];
        double shift = 0;
        for (int64_t j = 0; j < p->k; ++j) {
          shift += static_cast<double>(row[j]) * (*beta)[j];
          row[j] *= (*gamma)[j];
        }
        p->bias[i] = static_cast<float>(p->bias[i] + shift);
      }
      p->hasBias |= anyBeta;
      writeLinear(l, *p);
      dropped |= dropInputStats(l);
    }
    Value oldScale = n.scale(), oldBias = n.bias();
    if (!n.otherUses.empty()) {
      // The other readers keep norm(x) * g + b.
      OpBuilder b(n.op->getContext());
      b.setInsertionPointAfter(n.op);
      Value biasValue = oldBias ? oldBias : makeVector(n.op, *beta, "bias");
      Value affine = buildAffine(b, n.op->getLoc(), n.output(), oldScale, biasValue);
      for (OpOperand *use : n.otherUses)
        use->set(affine);
    }
    writeNormAffine(n.op, std::vector<float>(k, 1.0f), {});
    return dropped;
  }

  void convertToRMS(ModelStructure &s) {
    SmallVector<LayerNormOp> streamNorms;
    for (NormInfo &n : s.norms) {
      if (!n.readsStream)
        continue;
      if (n.isRMS)
        return; // an RMSNorm of the stream would see the centring
      streamNorms.push_back(cast<LayerNormOp>(n.op));
    }
    if (streamNorms.empty())
      return;
    Operation *anchor = streamNorms.front();
    if (!s.preNorm) {
      anchor->emitRemark("qc-fold-norms: LayerNorm kept: post-norm model (the norms' outputs are "
                         "the residual stream, not sums of centred writes)");
      return;
    }
    StreamProblem problem;
    Operation *at = nullptr;
    FailureOr<StreamEndpoints> endpoints = s.getStreamEndpoints(problem, at);
    if (failed(endpoints)) {
      switch (problem) {
      case StreamProblem::StartsElsewhere:
        anchor->emitRemark("qc-fold-norms: LayerNorm kept: the residual stream starts at a graph "
                           "input or an op other than an embedding, which cannot be centred");
        break;
      case StreamProblem::OtherReader:
        at->emitRemark("qc-fold-norms: LayerNorm kept: the residual stream is read by an op "
                       "other than a norm or an add");
        break;
      case StreamProblem::OtherWriter:
        (at ? at : anchor)->emitRemark("qc-fold-norms: LayerNorm kept: the residual stream is "
                                       "written by an op that is not a linear layer or an "
                                       "embedding");
        break;
      }
      return;
    }
    SmallVector<LinearOp> &writers = endpoints->writers;
    SmallVector<EmbeddingInfo> &tables = endpoints->tables;

    // Read everything first: the rewrite is all or nothing.
    SmallVector<LinearParams> writerParams;
    for (LinearOp l : writers) {
      std::optional<LinearParams> p = readLinear(l);
      if (!p) {
        l->emitRemark("qc-fold-norms: LayerNorm kept: a writer's weight is not constant f32");
        return;
      }
      writerParams.push_back(std::move(*p));
    }
    SmallVector<std::vector<float>> tableValues;
    for (EmbeddingInfo &e : tables) {
      std::optional<std::vector<float>> t = getConstantFloats(e.table);
      if (!t || !cast<RankedTensorType>(e.table.getType()).getElementType().isF32()) {
        e.op->emitRemark("qc-fold-norms: LayerNorm kept: an embedding table is not constant f32");
        return;
      }
      tableValues.push_back(std::move(*t));
    }

    for (auto [l, p] : llvm::zip(writers, writerParams)) {
      for (int64_t j = 0; j < p.k; ++j) {
        double mean = 0;
        for (int64_t i = 0; i < p.n; ++i)
          mean += p.weight[i * p.k + j];
        mean /= static_cast<double>(p.n);
        for (int64_t i = 0; i < p.n; ++i)
          p.weight[i * p.k + j] = static_cast<float>(p.weight[i * p.k + j] - mean);
      }
      double biasMean = 0;
      for (float v : p.bias)
        biasMean += v;
      biasMean /= static_cast<double>(p.n);
      for (float &v : p.bias)
        v = static_cast<float>(v - biasMean);
      writeLinear(l, p);
    }
    for (auto [e, t] : llvm::zip(tables, tableValues)) {
      auto type = cast<RankedTensorType>(e.table.getType());
      int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
      for (int64_t r = 0; r < rows; ++r) {
        double mean = 0;
        for (int64_t c = 0; c < cols; ++c)
          mean += t[r * cols + c];
        mean /= static_cast<double>(cols);
        for (int64_t c = 0; c < cols; ++c)
          t[r * cols + c] = static_cast<float>(t[r * cols + c] - mean);
      }
      replaceGatheredTable(e.op, e.table, t, "centred");
    }
    for (LayerNormOp ln : streamNorms) {
      if (ln.getBias()) {
        ln->emitRemark("qc-fold-norms: LayerNorm kept: its bias could not be folded");
        continue;
      }
      OpBuilder b(ln);
      auto rms = RMSNormOp::create(b, ln.getLoc(), ln.getType(), ln.getInput(), ln.getScale(),
                                   ln.getAxisAttr(), ln.getEpsilonAttr());
      ln.replaceAllUsesWith(rms.getResult());
      ln.erase();
    }
  }
};

} // namespace
} // namespace qc
