//===- Rotate.cpp - qc-rotate: QuaRot's rotations folded into weights -----===//
//
// An orthogonal Q on the residual stream changes no output when every write
// into the stream is multiplied by Q and every read of it by Q^T (QuaRot,
// SliceGPT's computational invariance): the embedding rows become T Q, the
// layers writing the stream (attention out, FFN down) W' = Q^T W and
// b' = b Q, and the layers reading it through a norm W' = W Q. A scale-free
// RMSNorm commutes with Q (||x Q|| = ||x||), so the norms must have no
// affine left (qc-fold-norms first; LayerNorm models are centred into
// RMSNorm there). R1, the stream rotation, is a randomized Hadamard
// Q = diag(signs) H / sqrt(d) (passes/quantizers/Hadamard.h).
//
// R2, per attention head: the value projection's outputs of each KV head
// times Q2 (d_head x d_head) and the output projection's inputs of each
// head times Q2 as well, since P V acts on the head dim linearly.
//
// R3 (`online`): a qc.hadamard before each FFN's down projection, its
// inverse folded into down's input columns.
//
// Post-norm models (BERT, MiniLM) have no rotation-invariant stream: the
// residual passes through each LayerNorm, whose centring and affine do not
// commute with Q. There R1 runs online instead: each norm's output is
// rotated by a qc.hadamard before the linear layers that read it (one per
// norm, shared by q, k and v), their input columns take Q, and the residual
// keeps the unrotated value.
//
// Rotations spread outliers over all channels, which is what 4-bit
// activations need; the model computes the same function (checked with
// qc-verify-equivalence).
//
//===----------------------------------------------------------------------===//

#include "passes/LayerNames.h"
#include "passes/ModelStructure.h"
#include "passes/Passes.h"
#include "passes/WeightEdits.h"
#include "passes/quantizers/ActivationQuantizers.h"
#include "passes/quantizers/Hadamard.h"

#include "dialects/qc/ConstantBlobs.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"

#include <map>

namespace qc {
#define GEN_PASS_DEF_QCROTATE
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;
using namespace qc::quantizers;

namespace qc {
namespace {

/// x Q for the columns [offset, offset + width) of every row: a layer's
/// inputs read rotated values. Empty `signs`: none.
void rotateInputs(LinearParams &p, int64_t offset, int64_t width, const std::vector<int8_t> &signs) {
  std::vector<float> segment(width);
  for (int64_t i = 0; i < p.n; ++i) {
    float *row = &p.weight[i * p.k + offset];
    std::copy_n(row, width, segment.data());
    (void)hadamardTransformRows(segment.data(), 1, width, signs.empty() ? nullptr : signs.data());
    std::copy_n(segment.data(), width, row);
  }
}

/// Q^T W for the output rows [offset, offset + width), and b Q: a layer's
/// outputs are written rotated.
void rotateOutputs(LinearParams &p, int64_t offset, int64_t width,
                   const std::vector<int8_t> &signs) {
  std::vector<float> column(width);
  for (int64_t j = 0; j < p.k; ++j) {
    for (int64_t i = 0; i < width; ++i)
      column[i] = p.weight[(offset + i) * p.k + j];
    (void)hadamardTransformRows(column.data(), 1, width, signs.data());
    for (int64_t i = 0; i < width; ++i)
      p.weight[(offset + i) * p.k + j] = column[i];
  }
  if (p.hasBias)
    (void)hadamardTransformRows(&p.bias[offset], 1, width, signs.data());
}

/// The sampled calibration rows of one distinct input of the stream's
/// readers, with that input's activation format.
struct ReaderRows {
  std::vector<float> rows; // r x d
  int64_t r = 0;
  quantizers::ActivationFormat format;
};

/// One ReaderRows per distinct input of `readers` that has sampled
/// calibration rows and integer activations, decoded once for every seed.
std::vector<ReaderRows> collectReaderRows(ArrayRef<LinearOp> readers, int64_t d) {
  std::vector<ReaderRows> result;
  llvm::DenseSet<Value> seen;
  for (LinearOp l : readers) {
    TensorStatsAttr stats = l.getInputStatsAttr();
    QuantSpecAttr spec = l.getInputQuantAttr();
    if (!stats || !stats.getRows() || !spec || !seen.insert(l.getInput()).second)
      continue;
    std::optional<std::vector<double>> sampled = getElementsAsDoubles(stats.getRows());
    int64_t r = stats.getNumRows();
    if (!sampled || r == 0 || static_cast<int64_t>(sampled->size()) != r * d)
      continue;
    ReaderRows &entry = result.emplace_back();
    entry.rows.assign(sampled->begin(), sampled->end());
    entry.r = r;
    entry.format.bits = static_cast<int>(spec.getBits());
    entry.format.clip = spec.getClipRatio();
    // The search compares rotations, so per-token scales stand in for a
    // static scale (whose range would come from the rotated data).
  }
  return result;
}

/// The mean over `inputs` of the relative error ||fq(X Q) - X Q||^2 /
/// ||X Q||^2 of each input's activation format on its rows rotated by R1
/// with `signs`.
double rotatedActivationError(ArrayRef<ReaderRows> inputs, int64_t d,
                              const std::vector<int8_t> &signs) {
  double total = 0;
  for (const ReaderRows &in : inputs) {
    std::vector<float> rotated = in.rows;
    (void)hadamardTransformRows(rotated.data(), in.r, d, signs.data());
    std::vector<float> rounded = rotated;
    quantizers::fakeQuantizeActivations(rounded.data(), in.r, d, in.format);
    double err = 0, norm = 0;
    for (size_t i = 0; i < rotated.size(); ++i) {
      double e = rounded[i] - rotated[i];
      err += e * e;
      norm += static_cast<double>(rotated[i]) * rotated[i];
    }
    total += norm > 0 ? err / norm : 0;
  }
  return inputs.empty() ? 0 : total / static_cast<double>(inputs.size());
}

struct RotatePass : impl::QCRotateBase<RotatePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    ModelStructure s = ModelStructure::analyze(func);
    if (s.norms.empty() || s.hiddenSize <= 0) {
      func.emitRemark("qc-rotate: nothing rotated: no residual stream with norms found");
      return;
    }
    if (failed(rotate(func, s)))
      signalPassFailure();
  }

  /// A reason the stream cannot be rotated, as an error on `op`.
  LogicalResult refuse(Operation *op, const Twine &why) {
    return op->emitError() << "qc-rotate: " << why;
  }

  LogicalResult rotate(func::FuncOp func, ModelStructure &s) {
    int64_t d = s.hiddenSize;
    Operation *anchor = s.norms.front().op;
    std::string reason;
    if (!factorHadamardOrder(d, &reason))
      return refuse(anchor, "no Hadamard matrix of the hidden size " + Twine(d) + ": " + reason);

    // Readers: the norms on the stream, scale-free, feeding linear layers
    // only. Post-norm: every norm's linear readers, rotated online.
    SmallVector<LinearOp> readers;
    if (!s.preNorm) {
      llvm::SetVector<LinearOp> stream;
      for (NormInfo &n : s.norms)
        stream.insert(n.linears.begin(), n.linears.end());
      // The stream's own values (a graph input, the adds) read directly.
      for (Value v : s.streamValues)
        for (Operation *user : v.getUsers())
          if (auto l = dyn_cast<LinearOp>(user); l && l.getInput() == v && !s.normFeeding(l))
            stream.insert(l);
      readers.assign(stream.begin(), stream.end());
      if (readers.empty())
        return refuse(anchor, "post-norm model whose norms feed no linear layer: nothing to "
                              "rotate");
    }
    for (NormInfo &n : s.norms) {
      if (!s.preNorm || !n.readsStream)
        continue;
      if (!n.isRMS)
        return refuse(n.op, "a LayerNorm reads the residual stream: rotations need RMSNorms "
                            "(qc-fold-norms centres pre-norm LayerNorm models into RMSNorm; "
                            "post-norm models such as BERT cannot be)");
      std::optional<std::vector<float>> gamma = readVector(n.scale(), d);
      if (!gamma || !llvm::all_of(*gamma, [](float g) { return g == 1.0f; }))
        return refuse(n.op, "the norm has a scale (run qc-fold-norms first)");
      if (!n.otherUses.empty())
        return refuse(n.otherUses.front()->getOwner(),
                      "the norm's output is read by an op other than a linear layer");
      readers.append(n.linears.begin(), n.linears.end());
    }
    StreamProblem problem;
    Operation *at = nullptr;
    FailureOr<StreamEndpoints> endpoints =
        s.preNorm ? s.getStreamEndpoints(problem, at) : FailureOr<StreamEndpoints>(StreamEndpoints());
    if (failed(endpoints))
      return refuse(at ? at : anchor,
                    problem == StreamProblem::StartsElsewhere
                        ? "the residual stream starts at a graph input or an op other than an "
                          "embedding"
                    : problem == StreamProblem::OtherReader
                        ? "the residual stream is read by an op other than a norm or an add"
                        : "the residual stream is written by an op that is not a linear layer or "
                          "an embedding");
    SmallVector<LinearOp> &writers = endpoints->writers;
    SmallVector<EmbeddingInfo> &tables = endpoints->tables;

    // Read everything first: the rewrite is all or nothing.
    std::map<Operation *, LinearParams> params;
    SmallVector<LinearOp> order;
    auto load = [&](LinearOp l) -> LogicalResult {
      if (params.count(l))
        return success();
      std::optional<LinearParams> p = readLinear(l);
      if (!p)
        return refuse(l, "the weight is not a constant f32 tensor");
      params.emplace(l, std::move(*p));
      order.push_back(l);
      return success();
    };
    for (LinearOp l : llvm::concat<LinearOp>(readers, writers))
      if (failed(load(l)))
        return failure();
    SmallVector<std::vector<float>> tableValues;
    for (EmbeddingInfo &e : tables) {
      std::optional<std::vector<float>> t = getConstantFloats(e.table);
      auto type = cast<RankedTensorType>(e.table.getType());
      if (!t || !type.getElementType().isF32() || type.getRank() != 2 || type.getDimSize(1) != d)
        return refuse(e.op, "an embedding table is not a constant f32 [rows, " + Twine(d) + "]");
      tableValues.push_back(std::move(*t));
    }

    // R2 first, on the same parameters (it touches other dimensions).
    int64_t r2Heads = 0;
    if (r2)
      for (AttentionInfo &a : s.attention) {
        if (!a.v || !a.o || a.v == a.q || !a.valueToOutputByHeadDim || a.headDim <= 0) {
          (a.o ? a.o.getOperation() : a.softmax.getOperation())
              ->emitRemark("qc-rotate: R2 skipped for this attention block: the value path to the "
                           "output projection was not recognised per head");
          continue;
        }
        if (!factorHadamardOrder(a.headDim, &reason)) {
          a.o->emitRemark() << "qc-rotate: R2 skipped: head dim " << a.headDim << ": " << reason;
          continue;
        }
        if (failed(load(a.v)) || failed(load(a.o)))
          return failure();
        LinearParams &v = params.at(a.v), &o = params.at(a.o);
        int64_t kv = a.kvHeads > 0 ? a.kvHeads : a.heads;
        if (v.n != kv * a.headDim || o.k != a.heads * a.headDim) {
          a.o->emitRemark("qc-rotate: R2 skipped: the projections' sizes do not match the heads");
          continue;
        }
        std::vector<int8_t> signs2 = randomSigns(a.headDim, static_cast<uint64_t>(seed) + 1);
        for (int64_t h = 0; h < kv; ++h)
          rotateOutputs(v, h * a.headDim, a.headDim, signs2);
        for (int64_t h = 0; h < a.heads; ++h)
          rotateInputs(o, h * a.headDim, a.headDim, signs2);
        ++r2Heads;
      }

    // R3: an online Hadamard before each FFN's down projection, whose input
    // (a product of activations) no weight can absorb; its inverse folds
    // into down's input columns.
    // With `online-attention`, the same before each attention output
    // projection, across its heads (QuaRot's online H over heads; R2 has
    // rotated within each head already).
    SmallVector<std::pair<LinearOp, HadamardFactors>> online;
    int64_t onlineDown = 0, onlineO = 0;
    auto addOnline = [&](LinearOp l, StringRef what) -> FailureOr<bool> {
      std::optional<HadamardFactors> factors = factorHadamardOrder(l.getInFeatures(), &reason);
      if (!factors) {
        l->emitRemark() << "qc-rotate: online Hadamard skipped before this " << what << ": width "
                        << l.getInFeatures() << ": " << reason;
        return false;
      }
      if (failed(load(l)))
        return failure();
      LinearParams &p = params.at(l);
      rotateInputs(p, 0, p.k, {});
      online.push_back({l, *factors});
      return true;
    };
    if (this->online)
      for (FFNInfo &f : s.ffns) {
        if (!f.down)
          continue;
        FailureOr<bool> added = addOnline(f.down, "FFN down projection");
        if (failed(added))
          return failure();
        onlineDown += *added;
      }
    if (onlineAttention)
      for (AttentionInfo &a : s.attention) {
        if (!a.o || llvm::any_of(online, [&](auto &entry) { return entry.first == a.o; }))
          continue;
        FailureOr<bool> added = addOnline(a.o, "attention output projection");
        if (failed(added))
          return failure();
        onlineO += *added;
      }

    // The seed: given, or the best of `seeds` consecutive ones on the
    // readers' calibration rows (before their statistics are dropped).
    uint64_t chosen = static_cast<uint64_t>(seed);
    if (seeds > 1) {
      double best = 0;
      std::vector<ReaderRows> inputs = collectReaderRows(readers, d);
      if (inputs.empty())
        return refuse(anchor, "seeds = " + Twine(static_cast<uint64_t>(seeds)) +
                                  " needs the stream's readers to have integer activations "
                                  "and sampled calibration rows (qc-apply-quant-preset and "
                                  "qc-calibrate before qc-rotate)");
      std::string tried;
      llvm::raw_string_ostream os(tried);
      for (uint64_t candidate = seed; candidate < static_cast<uint64_t>(seed) + seeds; ++candidate) {
        double e = rotatedActivationError(inputs, d, randomSigns(d, candidate));
        os << (candidate == static_cast<uint64_t>(seed) ? "" : ", ") << candidate << ": "
           << llvm::format("%.4e", e);
        if (candidate == static_cast<uint64_t>(seed) || e < best) {
          best = e;
          chosen = candidate;
        }
      }
      func.emitRemark() << "qc-rotate: seed " << chosen << " of " << static_cast<uint64_t>(seeds)
                        << " (mean relative activation rounding error of the rotated stream on "
                        << inputs.size() << " inputs' calibration rows: " << tried << ")";
    }
    std::vector<int8_t> signs = randomSigns(d, chosen);
    for (LinearOp l : readers) {
      LinearParams &p = params.at(l);
      if (p.k != d)
        return refuse(l, "a layer reading the stream has K = " + Twine(p.k) + ", not " + Twine(d));
      rotateInputs(p, 0, d, signs);
    }
    for (LinearOp l : writers) {
      LinearParams &p = params.at(l);
      if (p.n != d)
        return refuse(l, "a layer writing the stream has N = " + Twine(p.n) + ", not " + Twine(d));
      rotateOutputs(p, 0, d, signs);
    }
    // Post-norm: one online rotation per distinct input of the readers.
    int64_t onlineR1 = 0;
    if (!s.preNorm) {
      std::optional<HadamardFactors> factors = factorHadamardOrder(d, &reason);
      DenseI8ArrayAttr signsAttr = DenseI8ArrayAttr::get(func.getContext(), signs);
      llvm::MapVector<Value, SmallVector<LinearOp>> byInput;
      for (LinearOp l : readers)
        byInput[l.getInput()].push_back(l);
      for (auto &[input, layers] : byInput) {
        OpBuilder b(func.getContext());
        b.setInsertionPointAfterValue(input);
        Value rotated = HadamardOp::create(b, layers.front().getLoc(), input.getType(), input,
                                           b.getI64IntegerAttr(d),
                                           b.getI64IntegerAttr(factors->base), signsAttr);
        for (LinearOp l : layers)
          l.getInputMutable().assign(rotated);
        ++onlineR1;
      }
    }
    for (auto [down, factors] : online) {
      OpBuilder b(down);
      int64_t width = down.getInFeatures();
      Value rotated = HadamardOp::create(b, down.getLoc(), down.getInput().getType(),
                                         down.getInput(), b.getI64IntegerAttr(width),
                                         b.getI64IntegerAttr(factors.base), DenseI8ArrayAttr());
      down.getInputMutable().assign(rotated);
    }
    // R4: queries and keys after RoPE, online, by the same Hadamard of the
    // head dim: q k^T = (q H)(k H)^T, so the scores do not change; what it
    // is for is a quantized KV cache (the keys it would store are rotated).
    int64_t r4Blocks = 0;
    if (r4)
      for (AttentionInfo &a : s.attention) {
        Value q = a.scores ? a.scores->getOperand(0) : Value();
        auto transpose =
            a.scores ? a.scores->getOperand(1).getDefiningOp<linalg::TransposeOp>() : nullptr;
        ArrayRef<int64_t> perm = transpose ? transpose.getPermutation() : ArrayRef<int64_t>();
        size_t rank = perm.size();
        bool swapsLast = rank >= 2 && perm[rank - 1] == static_cast<int64_t>(rank - 2) &&
                         perm[rank - 2] == static_cast<int64_t>(rank - 1);
        if (!transpose || !swapsLast) {
          (a.scores ? a.scores.getOperation() : a.softmax.getOperation())
              ->emitRemark("qc-rotate: R4 skipped: the keys do not reach the scores through a "
                           "transpose of their last two dims");
          continue;
        }
        Value k = transpose.getInput();
        auto qType = cast<RankedTensorType>(q.getType());
        auto kType = cast<RankedTensorType>(k.getType());
        int64_t headDim = qType.getShape().back();
        std::optional<HadamardFactors> factors = factorHadamardOrder(headDim, &reason);
        if (ShapedType::isDynamic(headDim) || kType.getShape().back() != headDim || !factors) {
          a.scores->emitRemark() << "qc-rotate: R4 skipped: head dim "
                                 << (ShapedType::isDynamic(headDim) ? std::string("dynamic")
                                                                    : std::to_string(headDim))
                                 << (factors ? std::string() : ": " + reason);
          continue;
        }
        auto rotate = [&](Value v, Operation *user, unsigned operand) {
          OpBuilder b(user);
          Value r = HadamardOp::create(b, user->getLoc(), v.getType(), v,
                                       b.getI64IntegerAttr(headDim),
                                       b.getI64IntegerAttr(factors->base), DenseI8ArrayAttr());
          user->setOperand(operand, r);
        };
        rotate(q, a.scores, 0);
        rotate(k, transpose, 0);
        ++r4Blocks;
      }
    bool droppedStats = false;
    for (LinearOp l : order) {
      writeLinear(l, params.at(l));
      droppedStats |= dropInputStats(l);
    }
    for (auto [e, t] : llvm::zip(tables, tableValues)) {
      auto type = cast<RankedTensorType>(e.table.getType());
      (void)hadamardTransformRows(t.data(), type.getDimSize(0), d, signs.data());
      replaceGatheredTable(e.op, e.table, t, "rotated");
    }
    if (s.preNorm)
      func.emitRemark() << "qc-rotate: R1 (randomized Hadamard of order " << d << ", seed "
                        << chosen << ") on " << readers.size()
                        << " reading and " << writers.size() << " writing layers and "
                        << tables.size() << " embedding tables"
                        << (s.tiedEmbedding ? " (the tied LM head untied)" : "") << "; R2 on "
                        << r2Heads << " attention blocks";
    else
      func.emitRemark() << "qc-rotate: post-norm model: R1 online (randomized Hadamard of order "
                        << d << ", seed " << chosen << ") before the "
                        << readers.size() << " layers reading the stream (" << onlineR1
                        << " qc.hadamard); R2 on " << r2Heads << " attention blocks";
    if (this->online)
      func.emitRemark() << "qc-rotate: R3 (online Hadamard) before " << onlineDown
                        << " FFN down projections";
    if (onlineAttention)
      func.emitRemark() << "qc-rotate: online Hadamard before " << onlineO
                        << " attention output projections";
    if (r4)
      func.emitRemark() << "qc-rotate: R4 (online Hadamard of the head dim) on the queries and "
                           "keys of "
                        << r4Blocks << " attention blocks";
    if (droppedStats)
      func.emitRemark("qc-rotate: calibration statistics of the rotated layers were dropped; run "
                      "qc-calibrate after qc-rotate");
    return success();
  }
};

} // namespace
} // namespace qc
