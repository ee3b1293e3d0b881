//===- ModelStructure.h - what the layers of a model are -------*- C++ -*-===//
//
// An analysis, not a rewrite: it reads an imported transformer (or any
// graph) and says what its ops are for — every norm and the linear layers it
// feeds, the residual stream and who writes into it, each attention block
// (scores, softmax, context, the q/k/v/o projections and the head layout),
// each FFN (up, optional gate, down), the embeddings and the LM head. The
// float-preserving passes (qc-fold-norms, qc-smooth, qc-reparam) query it
// instead of pattern-matching on their own. What it cannot recognise is
// listed in `unrecognised` with the reason, and the passes report it as a
// remark naming the node.
//
// It works on the IR the ONNX importer writes: qc.linear / qc.matmul /
// qc.softmax / qc.layer_norm / qc.rms_norm, elementwise linalg.generic ops
// with one arith or math op in their bodies, and data movement
// (tensor.expand_shape, tensor.collapse_shape, linalg.transpose, broadcast
// or copy generics).
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_MODELSTRUCTURE_H
#define QC_PASSES_MODELSTRUCTURE_H

#include "dialects/qc/QCDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <string>

namespace qc {

/// A qc.layer_norm or qc.rms_norm and who reads its output.
struct NormInfo {
  mlir::Operation *op = nullptr;
  bool isRMS = false;
  /// Linear layers (constant weight) that take the norm's output as input.
  llvm::SmallVector<LinearOp> linears;
  /// Every other use of the output (the residual add of a post-LN model,
  /// a graph output, an op of another kind).
  llvm::SmallVector<mlir::OpOperand *> otherUses;
  /// The norm reads the residual stream.
  bool readsStream = false;
  /// The norm's output is itself the residual stream (post-LN: BERT).
  bool writesStream = false;

  mlir::Value input() const { return op->getOperand(0); }
  mlir::Value scale() const { return op->getOperand(1); }
  /// The LayerNorm's bias, or null.
  mlir::Value bias() const;
  mlir::Value output() const { return op->getResult(0); }
  int64_t axis() const;
};

/// One attention block.
struct AttentionInfo {
  MatMulOp scores, context;
  SoftmaxOp softmax;
  /// Projections; q == k == v for a fused QKV layer; null where not found.
  LinearOp q, k, v, o;
  int64_t heads = 0, kvHeads = 0, headDim = 0;
  /// v's output reaches o's input through data movement only (head split,
  /// transposes, GQA repetition, head merge) and P·V, keeping the head-dim
  /// index innermost: scaling v's output channel (kv, d) by 1/s_d and o's
  /// input channels (h, d) by s_d changes nothing.
  bool valueToOutputByHeadDim = false;
};

/// One feed-forward block: down(act(up(x))) or down(act(gate(x)) * up(x)).
struct FFNInfo {
  LinearOp up, gate, down;
  /// Gated: the elementwise product act(gate) * up whose result down reads;
  /// up's output channel j is down's input channel j.
  mlir::linalg::GenericOp product;
};

/// A table read by index (an ONNX Gather of a constant): token or position
/// embeddings.
struct EmbeddingInfo {
  mlir::Operation *op = nullptr; // the generic that gathers, or the slice
  mlir::Value table;
};

/// What writes into the residual stream, for the rewrites of the whole
/// stream (qc-fold-norms' centring, qc-rotate): linear layers with a
/// constant weight and embedding tables, each once.
struct StreamEndpoints {
  llvm::SmallVector<LinearOp> writers;
  llvm::SmallVector<EmbeddingInfo> tables;
};

/// Why a stream cannot be rewritten as a whole.
enum class StreamProblem {
  StartsElsewhere, // at a graph input or an op other than an embedding
  OtherReader,     // read by an op other than a norm, a stream add or tensor.dim
  OtherWriter,     // written by an op other than a linear layer or an embedding
};

struct ModelStructure {
  llvm::SmallVector<NormInfo> norms;
  llvm::SmallVector<AttentionInfo> attention;
  llvm::SmallVector<FFNInfo> ffns;
  llvm::SmallVector<EmbeddingInfo> embeddings;
  /// The linear layer producing the logits from the last norm, or null.
  LinearOp lmHead;
  /// The LM head's weight equals the token embedding table.
  bool tiedEmbedding = false;
  /// The residual stream: values on it, adds that extend it, and what the
  /// adds write into it (embedding reads, linear outputs, other values).
  llvm::SmallVector<mlir::Value> streamValues;
  llvm::SmallVector<mlir::linalg::GenericOp> streamAdds;
  llvm::SmallVector<mlir::Value> streamWrites;
  int64_t hiddenSize = 0;
  /// Pre-norm (GPT, Llama): norms only read the stream. Post-norm (BERT):
  /// the norms' outputs are the stream.
  bool preNorm = false;
  /// Ops the analysis could not place, with the reason.
  llvm::SmallVector<std::pair<mlir::Operation *, std::string>> unrecognised;

  static ModelStructure analyze(mlir::func::FuncOp func);

  /// The stream's writers, or failure with `problem` and the op it is
  /// about (null for a graph input) in `at`.
  mlir::FailureOr<StreamEndpoints> getStreamEndpoints(StreamProblem &problem,
                                                      mlir::Operation *&at) const;

  /// The norm whose output `op` reads, or null.
  const NormInfo *normFeeding(LinearOp op) const;
  const AttentionInfo *attentionWithValue(LinearOp v) const;
  const FFNInfo *ffnWithUp(LinearOp up) const;
  /// What a linear layer is: "attention q", "ffn down", "lm head", ... or "".
  std::string roleOf(LinearOp op) const;
};

/// A linalg.generic that only moves data (copy, broadcast, transposition):
/// its body yields an input's block argument.
bool isDataMovementGeneric(mlir::linalg::GenericOp op);

/// `op` is a linalg.generic over parallel loops with two tensor inputs of
/// the result's shape (identity maps) whose body yields one op named
/// `opName` (e.g. "arith.addf") of the two inputs.
bool isBinaryElementwise(mlir::Operation *op, llvm::StringRef opName);

} // namespace qc

#endif // QC_PASSES_MODELSTRUCTURE_H
