//===- PrintStructure.cpp - qc-print-structure -----------------------------===//
//
// The model structure analysis, reported as remarks: how lit tests check it
// and how a user sees what the float-preserving passes will act on.
//
//===----------------------------------------------------------------------===//

#include "passes/LayerNames.h"
#include "passes/ModelStructure.h"
#include "passes/Passes.h"

namespace qc {
#define GEN_PASS_DEF_QCPRINTSTRUCTURE
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

std::string nameOf(Operation *op) {
  if (!op)
    return "none";
  return "'" + getLayerName(op, 0) + "'";
}

struct PrintStructurePass : impl::QCPrintStructureBase<PrintStructurePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    ModelStructure s = ModelStructure::analyze(func);
    for (const EmbeddingInfo &e : s.embeddings) {
      auto type = cast<RankedTensorType>(e.table.getType());
      e.op->emitRemark() << "embedding: table " << type.getDimSize(0) << " x " << type.getDimSize(1)
                         << (isa<linalg::GenericOp>(e.op) ? " read by index" : " sliced by position");
    }
    if (!s.streamAdds.empty())
      func.emitRemark() << "residual stream: width " << s.hiddenSize << ", "
                        << (s.preNorm ? "pre-norm" : "post-norm") << ", " << s.streamAdds.size()
                        << " adds, " << s.streamWrites.size() << " writes";
    for (const NormInfo &n : s.norms) {
      InFlightDiagnostic d = n.op->emitRemark();
      d << "norm: " << (n.isRMS ? "rms_norm" : "layer_norm") << " feeds " << n.linears.size()
        << " linear layers (";
      llvm::interleaveComma(n.linears, d, [&](LinearOp l) { d << nameOf(l); });
      d << ")";
      if (!n.otherUses.empty())
        d << " and " << n.otherUses.size() << " other uses";
      if (n.readsStream)
        d << "; reads the residual stream";
      if (n.writesStream)
        d << "; its output is the residual stream";
    }
    for (const AttentionInfo &a : s.attention) {
      InFlightDiagnostic d = a.softmax->emitRemark();
      d << "attention: heads " << a.heads << ", kv heads " << a.kvHeads << ", head dim "
        << a.headDim << "; ";
      if (a.q && a.q == a.k && a.k == a.v)
        d << "qkv " << nameOf(a.q);
      else
        d << "q " << nameOf(a.q) << ", k " << nameOf(a.k) << ", v " << nameOf(a.v);
      d << ", o " << nameOf(a.o);
      if (a.valueToOutputByHeadDim)
        d << "; v to o by head dim";
    }
    for (const FFNInfo &f : s.ffns) {
      InFlightDiagnostic d = f.down->emitRemark();
      d << "ffn: ";
      if (f.gate)
        d << "gate " << nameOf(f.gate) << ", ";
      d << "up " << nameOf(f.up) << ", down " << nameOf(f.down);
    }
    if (s.lmHead)
      s.lmHead->emitRemark() << "lm head"
                             << (s.tiedEmbedding ? ", tied to the token embedding" : ", untied");
    for (auto &[op, reason] : s.unrecognised)
      op->emitRemark() << "not recognised: " << nameOf(op) << ": " << reason;
    markAllAnalysesPreserved();
  }
};

} // namespace
} // namespace qc
