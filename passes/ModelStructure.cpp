//===- ModelStructure.cpp - what the layers of a model are -----------------===//

#include "passes/ModelStructure.h"

#include "dialects/qc/ConstantBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace qc {

Value NormInfo::bias() const {
  if (auto ln = dyn_cast<LayerNormOp>(op))
    return ln.getBias();
  return {};
}

int64_t NormInfo::axis() const {
  if (auto ln = dyn_cast<LayerNormOp>(op))
    return ln.getNormalizedAxis();
  return cast<RMSNormOp>(op).getNormalizedAxis();
}

bool isDataMovementGeneric(linalg::GenericOp op) {
  if (op.getNumReductionLoops() != 0)
    return false;
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 1)
    return false;
  auto arg = dyn_cast<BlockArgument>(body.getTerminator()->getOperand(0));
  return arg && arg.getOwner() == &body &&
         arg.getArgNumber() < static_cast<unsigned>(op.getNumDpsInputs());
}

bool isBinaryElementwise(Operation *op, StringRef opName) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0)
    return false;
  for (AffineMap map : generic.getIndexingMapsArray())
    if (!map.isIdentity())
      return false;
  Type resultType = generic.getResult(0).getType();
  if (generic.getDpsInputs()[0].getType() != resultType ||
      generic.getDpsInputs()[1].getType() != resultType)
    return false;
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 2)
    return false;
  Operation &inner = body.front();
  if (inner.getName().getStringRef() != opName ||
      body.getTerminator()->getOperand(0) != inner.getResult(0))
    return false;
  Value a0 = body.getArgument(0), a1 = body.getArgument(1);
  return (inner.getOperand(0) == a0 && inner.getOperand(1) == a1) ||
         (inner.getOperand(0) == a1 && inner.getOperand(1) == a0);
}

namespace {

bool isDataMovement(Operation *op) {
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, linalg::TransposeOp,
          linalg::BroadcastOp, tensor::CastOp>(op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(op);
  return generic && isDataMovementGeneric(generic);
}

/// The operands an op computes its result from (not the DPS inits).
SmallVector<Value> sourcesOf(Operation *op) {
  SmallVector<Value> sources;
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(op)) {
    for (Value v : dps.getDpsInputs())
      if (isa<RankedTensorType>(v.getType()))
        sources.push_back(v);
    return sources;
  }
  for (Value v : op->getOperands())
    if (isa<RankedTensorType>(v.getType()))
      sources.push_back(v);
  return sources;
}

bool isConstantWeightLinear(Operation *op) {
  auto linear = dyn_cast_or_null<LinearOp>(op);
  return linear && matchPattern(linear.getWeight(), m_Constant());
}

/// The linear layers `v` is computed from, walking back through every op
/// but stopping at linear layers, matmuls, softmax, norms, constants and
/// arguments. `onlyMoves` stays true when every op on the way only moves
/// data.
void collectLinears(Value v, llvm::SetVector<Operation *> &linears, bool &onlyMoves,
                    DenseSet<Value> &visited) {
  if (!visited.insert(v).second)
    return;
  Operation *def = v.getDefiningOp();
  if (!def)
    return;
  if (isConstantWeightLinear(def)) {
    linears.insert(def);
    return;
  }
  if (isa<MatMulOp, SoftmaxOp, LayerNormOp, RMSNormOp, arith::ConstantOp, tensor::EmptyOp>(def) ||
      matchPattern(v, m_Constant()))
    return;
  if (!isDataMovement(def))
    onlyMoves = false;
  for (Value source : sourcesOf(def))
    collectLinears(source, linears, onlyMoves, visited);
}

SmallVector<LinearOp> linearsFeeding(Value v, bool &onlyMoves) {
  llvm::SetVector<Operation *> found;
  DenseSet<Value> visited;
  onlyMoves = true;
  collectLinears(v, found, onlyMoves, visited);
  SmallVector<LinearOp> result;
  for (Operation *op : found)
    result.push_back(cast<LinearOp>(op));
  return result;
}

/// The matmuls `v` is computed from through elementwise ops (scale, mask).
MatMulOp matmulFeeding(Value v) {
  for (int depth = 0; depth < 16; ++depth) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return {};
    if (auto matmul = dyn_cast<MatMulOp>(def))
      return matmul;
    auto generic = dyn_cast<linalg::GenericOp>(def);
    if (!generic || generic.getNumReductionLoops() != 0)
      return {};
    // Follow the operand of the result's own shape (the scores; the mask or
    // scale broadcast in).
    Value next;
    for (Value in : generic.getDpsInputs())
      if (in.getType() == generic.getResult(0).getType() && !matchPattern(in, m_Constant()))
        next = next ? Value() : in;
    if (!next)
      return {};
    v = next;
  }
  return {};
}

/// The single user of `v` that reads its data (tensor.dim only reads its
/// shape), or null.
Operation *soleUser(Value v) {
  Operation *user = nullptr;
  for (Operation *u : v.getUsers()) {
    if (isa<tensor::DimOp>(u))
      continue;
    if (user && user != u)
      return nullptr;
    user = u;
  }
  return user;
}

/// Whether a data-movement op keeps the last dimension (of `headDim`
/// elements, or a whole number of heads) innermost.
bool keepsHeadDimInnermost(Operation *op, int64_t headDim) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t last = resultType.getShape().back();
  if (ShapedType::isDynamic(last) || last % headDim != 0)
    return false;
  if (auto transpose = dyn_cast<linalg::TransposeOp>(op))
    return transpose.getPermutation().back() ==
           static_cast<int64_t>(transpose.getPermutation().size()) - 1;
  if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    AffineMap in = generic.getIndexingMapsArray().front();
    AffineMap out = generic.getIndexingMapsArray().back();
    if (in.getNumResults() == 0 || out.getNumResults() == 0)
      return false;
    return in.getResults().back() == out.getResults().back();
  }
  return isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp, linalg::BroadcastOp>(op);
}

/// Every op on the way from `from` back to `to` (through sources) is data
/// movement that keeps the head dim innermost.
bool pathKeepsHeadDim(Value from, Value to, int64_t headDim) {
  for (int depth = 0; depth < 16; ++depth) {
    if (from == to)
      return true;
    Operation *def = from.getDefiningOp();
    if (!def || !isDataMovement(def) || !keepsHeadDimInnermost(def, headDim))
      return false;
    SmallVector<Value> sources = sourcesOf(def);
    if (sources.size() != 1)
      return false;
    from = sources.front();
  }
  return false;
}

/// `op` adds something to `v` (same shape as the result, read with the
/// identity map), the other operand possibly broadcast (a position table).
bool isStreamAdd(Operation *op, Value v) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 2 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0 || generic.getResult(0).getType() != v.getType())
    return false;
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 2)
    return false;
  auto add = dyn_cast<arith::AddFOp>(body.front());
  if (!add || body.getTerminator()->getOperand(0) != add.getResult())
    return false;
  Value a0 = body.getArgument(0), a1 = body.getArgument(1);
  if (!((add.getLhs() == a0 && add.getRhs() == a1) || (add.getLhs() == a1 && add.getRhs() == a0)))
    return false;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (in->get() == v && generic.getMatchingIndexingMap(in).isIdentity())
      return true;
  return false;
}

/// The table a gather generic reads with tensor.extract, or null.
Value gatheredTable(linalg::GenericOp op) {
  Value table;
  op.getRegion().walk([&](tensor::ExtractOp extract) {
    Value t = extract.getTensor();
    auto type = cast<RankedTensorType>(t.getType());
    if (type.getRank() == 2 && type.hasStaticShape() && matchPattern(t, m_Constant()))
      table = t;
  });
  return table;
}

bool sameConstant(Value a, Value b) {
  if (a == b)
    return true;
  if (a.getType() != b.getType())
    return false;
  std::optional<std::vector<char>> x = getConstantBytes(a), y = getConstantBytes(b);
  return x && y && *x == *y;
}

} // namespace

ModelStructure ModelStructure::analyze(func::FuncOp func) {
  ModelStructure s;
  DenseMap<Operation *, std::string> roles;

  // Embeddings: tables read by index.
  func.walk([&](linalg::GenericOp op) {
    if (Value table = gatheredTable(op))
      s.embeddings.push_back({op, table});
  });

  // Norms and the linear layers they feed.
  func.walk([&](Operation *op) {
    if (!isa<LayerNormOp, RMSNormOp>(op))
      return;
    NormInfo norm;
    norm.op = op;
    norm.isRMS = isa<RMSNormOp>(op);
    for (OpOperand &use : op->getResult(0).getUses()) {
      if (isa<tensor::DimOp>(use.getOwner()))
        continue; // reads the shape only
      if (isConstantWeightLinear(use.getOwner()) && use.getOperandNumber() == 0)
        norm.linears.push_back(cast<LinearOp>(use.getOwner()));
      else
        norm.otherUses.push_back(&use);
    }
    s.norms.push_back(std::move(norm));
  });

  // The residual stream, from the token embeddings through the adds.
  DenseMap<Operation *, NormInfo *> normOf;
  for (NormInfo &n : s.norms)
    normOf[n.op] = &n;
  llvm::SetVector<Value> stream;
  for (EmbeddingInfo &e : s.embeddings)
    stream.insert(e.op->getResult(0));
  // A model without embeddings (an encoder layer alone) starts from its
  // float inputs.
  if (stream.empty())
    for (BlockArgument arg : func.getArguments())
      if (auto type = dyn_cast<RankedTensorType>(arg.getType());
          type && type.getRank() >= 2 && isa<FloatType>(type.getElementType()))
        stream.insert(arg);
  if (!stream.empty())
    s.hiddenSize = cast<RankedTensorType>(stream.front().getType()).getShape().back();
  llvm::SetVector<Operation *> adds;
  for (size_t i = 0; i < stream.size(); ++i) {
    Value v = stream[i];
    if (cast<RankedTensorType>(v.getType()).getShape().back() != s.hiddenSize)
      continue;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<tensor::DimOp>(user))
        continue;
      if (isStreamAdd(user, v)) {
        adds.insert(user);
        stream.insert(user->getResult(0));
      } else if (NormInfo *norm = normOf.lookup(user); norm && use.getOperandNumber() == 0) {
        norm->readsStream = true;
        for (OpOperand *other : norm->otherUses) {
          if (isStreamAdd(other->getOwner(), norm->output())) {
            norm->writesStream = true;
            stream.insert(norm->output());
            continue;
          }
          // qc-fold-norms leaves a post-norm model's affine on the residual
          // path as an elementwise op with constant operands.
          auto affine = dyn_cast<linalg::GenericOp>(other->getOwner());
          if (!affine || affine->getNumResults() != 1 ||
              affine->getResult(0).getType() != norm->output().getType() ||
              !llvm::all_of(affine.getDpsInputs(), [&](Value in) {
                return in == norm->output() || matchPattern(in, m_Constant());
              }))
            continue;
          Value out = affine->getResult(0);
          if (llvm::any_of(out.getUsers(), [&](Operation *u) { return isStreamAdd(u, out); })) {
            norm->writesStream = true;
            stream.insert(out);
          }
        }
      }
    }
  }
  for (Operation *add : adds) {
    s.streamAdds.push_back(cast<linalg::GenericOp>(add));
    for (Value in : cast<linalg::GenericOp>(add).getDpsInputs())
      if (!stream.contains(in)) {
        s.streamWrites.push_back(in);
        if (auto slice = in.getDefiningOp<tensor::ExtractSliceOp>();
            slice && matchPattern(slice.getSource(), m_Constant()))
          s.embeddings.push_back({slice, slice.getSource()}); // position embedding
      }
  }
  s.streamValues.assign(stream.begin(), stream.end());
  bool anyReads = false, anyWrites = false;
  for (NormInfo &n : s.norms) {
    anyReads |= n.readsStream;
    anyWrites |= n.writesStream;
  }
  s.preNorm = anyReads && !anyWrites;

  // Attention: softmax between two matmuls.
  func.walk([&](SoftmaxOp softmax) {
    AttentionInfo a;
    a.softmax = softmax;
    a.scores = matmulFeeding(softmax.getInput());
    Operation *user = soleUser(softmax.getResult());
    while (user && isDataMovement(user))
      user = soleUser(user->getResult(0));
    a.context = dyn_cast_or_null<MatMulOp>(user);
    if (!a.scores || !a.context) {
      s.unrecognised.push_back({softmax, "softmax not between two matmuls (not attention)"});
      return;
    }
    auto probs = cast<RankedTensorType>(softmax.getType());
    auto ctx = cast<RankedTensorType>(a.context.getType());
    if (probs.getRank() >= 3 && !probs.isDynamicDim(probs.getRank() - 3))
      a.heads = probs.getDimSize(probs.getRank() - 3);
    a.headDim = ctx.getShape().back();
    auto projection = [&](Value v, bool &onlyMoves) -> LinearOp {
      SmallVector<LinearOp> found = linearsFeeding(v, onlyMoves);
      LinearOp pick;
      for (LinearOp l : found) {
        int64_t n = l.getOutFeatures();
        if (ShapedType::isDynamic(a.headDim) || n < a.headDim || n % a.headDim != 0)
          continue; // e.g. a rotary-position table computed by a linear layer
        if (pick)
          return {};
        pick = l;
      }
      return pick;
    };
    bool qMoves, kMoves, vMoves;
    a.q = projection(a.scores.getLhs(), qMoves);
    a.k = projection(a.scores.getRhs(), kMoves);
    a.v = projection(a.context.getRhs(), vMoves);
    // o: the head merge after the context matmul, then a linear layer.
    Value merged = a.context.getResult();
    Operation *next = soleUser(merged);
    while (next && isDataMovement(next)) {
      merged = next->getResult(0);
      next = soleUser(merged);
    }
    if (isConstantWeightLinear(next) && next->getOperand(0) == merged)
      a.o = cast<LinearOp>(next);
    if (a.v && !ShapedType::isDynamic(a.headDim) && a.headDim > 0)
      a.kvHeads = a.v.getOutFeatures() / a.headDim;
    if (a.v && a.o && vMoves && a.v != a.q && !ShapedType::isDynamic(a.headDim) &&
        pathKeepsHeadDim(a.context.getRhs(), a.v.getResult(), a.headDim) &&
        pathKeepsHeadDim(merged, a.context.getResult(), a.headDim))
      a.valueToOutputByHeadDim = true;
    if (!a.q || !a.k || !a.v || !a.o)
      s.unrecognised.push_back(
          {softmax, std::string("attention without ") + (!a.q ? "a q" : !a.k ? "a k" : !a.v ? "a v" : "an o") +
                        " projection (a linear layer with a constant weight)"});
    for (auto [l, role] : {std::pair{a.q, "attention q"}, {a.k, "attention k"},
                           {a.v, "attention v"}, {a.o, "attention o"}})
      if (l && !roles.count(l))
        roles[l] = a.q == a.k && a.k == a.v && l == a.q ? "attention qkv" : role;
    s.attention.push_back(a);
  });

  // FFNs and the LM head, among the linear layers not yet placed.
  func.walk([&](LinearOp op) {
    if (!isConstantWeightLinear(op) || roles.count(op))
      return;
    Operation *def = op.getInput().getDefiningOp();
    if (isBinaryElementwise(def, "arith.mulf")) {
      auto product = cast<linalg::GenericOp>(def);
      Value a = product.getDpsInputs()[0], b = product.getDpsInputs()[1];
      for (int swap = 0; swap < 2; ++swap, std::swap(a, b)) {
        auto up = a.getDefiningOp<LinearOp>();
        bool onlyMoves;
        SmallVector<LinearOp> gates = linearsFeeding(b, onlyMoves);
        if (up && isConstantWeightLinear(up) && gates.size() == 1 && gates[0] != up && !onlyMoves &&
            gates[0].getInput() == up.getInput() && !roles.count(up) && !roles.count(gates[0])) {
          s.ffns.push_back({up, gates[0], op, product});
          roles[up] = "ffn up";
          roles[gates[0]] = "ffn gate";
          roles[op] = "ffn down";
          return;
        }
      }
    }
    if (def && !isa<LinearOp, LayerNormOp, RMSNormOp>(def) && !isDataMovement(def)) {
      bool onlyMoves;
      SmallVector<LinearOp> ups = linearsFeeding(op.getInput(), onlyMoves);
      if (ups.size() == 1 && !onlyMoves && !roles.count(ups[0]) &&
          ups[0].getOutFeatures() == op.getInFeatures()) {
        s.ffns.push_back({ups[0], LinearOp(), op, linalg::GenericOp()});
        roles[ups[0]] = "ffn up";
        roles[op] = "ffn down";
        return;
      }
    }
  });
  func.walk([&](func::ReturnOp ret) {
    for (Value v : ret.getOperands()) {
      while (Operation *def = v.getDefiningOp()) {
        if (isConstantWeightLinear(def) && !roles.count(def) &&
            isa_and_nonnull<LayerNormOp, RMSNormOp>(def->getOperand(0).getDefiningOp())) {
          s.lmHead = cast<LinearOp>(def);
          roles[def] = "lm head";
          break;
        }
        if (!isDataMovement(def))
          break;
        v = sourcesOf(def).front();
      }
    }
  });
  if (s.lmHead)
    for (EmbeddingInfo &e : s.embeddings)
      if (isa<linalg::GenericOp>(e.op) && sameConstant(e.table, s.lmHead.getWeight()))
        s.tiedEmbedding = true;

  func.walk([&](LinearOp op) {
    if (isConstantWeightLinear(op) && !roles.count(op))
      s.unrecognised.push_back(
          {op, "linear layer not recognised as attention, FFN or LM head"});
  });
  for (NormInfo &n : s.norms)
    if (n.linears.empty())
      s.unrecognised.push_back({n.op, "norm feeds no linear layer"});
  return s;
}

FailureOr<StreamEndpoints> ModelStructure::getStreamEndpoints(StreamProblem &problem,
                                                              Operation *&at) const {
  auto fail = [&](StreamProblem p, Operation *op) {
    problem = p;
    at = op;
    return failure();
  };
  DenseSet<Operation *> adds(streamAdds.begin(), streamAdds.end());
  auto embeddingOf = [&](Operation *op) {
    return llvm::find_if(embeddings, [&](const EmbeddingInfo &e) { return op && e.op == op; });
  };
  // It starts at embeddings (tables a rewrite can edit), not at a graph input.
  for (Value v : streamValues) {
    Operation *def = v.getDefiningOp();
    if (!(def && adds.contains(def)) && embeddingOf(def) == embeddings.end())
      return fail(StreamProblem::StartsElsewhere, def);
  }
  for (Value v : streamValues)
    for (Operation *user : v.getUsers())
      if (!adds.contains(user) && !isa<LayerNormOp, RMSNormOp, tensor::DimOp>(user))
        return fail(StreamProblem::OtherReader, user);
  StreamEndpoints endpoints;
  auto addTable = [&](const EmbeddingInfo &e) {
    if (!llvm::any_of(endpoints.tables, [&](const EmbeddingInfo &t) { return t.op == e.op; }))
      endpoints.tables.push_back(e);
  };
  for (Value w : streamWrites) {
    if (auto l = w.getDefiningOp<LinearOp>(); l && matchPattern(l.getWeight(), m_Constant())) {
      endpoints.writers.push_back(l);
      continue;
    }
    auto e = llvm::find_if(embeddings, [&](const EmbeddingInfo &e) { return e.op->getResult(0) == w; });
    if (e == embeddings.end())
      return fail(StreamProblem::OtherWriter, w.getDefiningOp());
    addTable(*e);
  }
  for (Value v : streamValues)
    if (auto e = embeddingOf(v.getDefiningOp()); e != embeddings.end())
      addTable(*e);
  return endpoints;
}

const NormInfo *ModelStructure::normFeeding(LinearOp op) const {
  for (const NormInfo &n : norms)
    if (llvm::is_contained(n.linears, op))
      return &n;
  return nullptr;
}

const AttentionInfo *ModelStructure::attentionWithValue(LinearOp v) const {
  for (const AttentionInfo &a : attention)
    if (a.v == v)
      return &a;
  return nullptr;
}

const FFNInfo *ModelStructure::ffnWithUp(LinearOp up) const {
  for (const FFNInfo &f : ffns)
    if (f.up == up)
      return &f;
  return nullptr;
}

std::string ModelStructure::roleOf(LinearOp op) const {
  for (const AttentionInfo &a : attention) {
    if (op == a.q && op == a.k)
      return "attention qkv";
    if (op == a.q)
      return "attention q";
    if (op == a.k)
      return "attention k";
    if (op == a.v)
      return "attention v";
    if (op == a.o)
      return "attention o";
  }
  for (const FFNInfo &f : ffns) {
    if (op == f.up)
      return "ffn up";
    if (op == f.gate)
      return "ffn gate";
    if (op == f.down)
      return "ffn down";
  }
  if (op == lmHead)
    return "lm head";
  return "";
}

} // namespace qc
