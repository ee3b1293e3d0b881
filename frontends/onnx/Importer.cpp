//===- Importer.cpp - ONNX ModelProto to the qc graph IR -------------------===//
//
// Walks the graph in order (ONNX graphs are topologically sorted), imports
// initializers as constants (large ones as dense_resource blobs), and hands
// each node to its conversion from the table in ops/. After each node the new
// ops are verified, so an error is always attributed to the node that caused
// it.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"

#include "dialects/qc/ConstantBlobs.h"
#include "dialects/qc/QCDialect.h"
#include "frontends/onnx/LayerNormFusion.h"
#include "frontends/onnx/ModelLoader.h"
#include "frontends/onnx/NodeImporter.h"
#include "frontends/onnx/ops/Conversions.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <map>

using namespace mlir;

namespace qc::onnx_frontend {

namespace {
/// The cleanup runs without folders (quant's would drop QDQ pairs), so
/// arith's run as this pattern: the run-time checks' conditions fold to
/// true where the dims they compare turn out to be one value.
struct FoldArithmetic : RewritePattern {
  explicit FoldArithmetic(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<arith::ArithDialect>(op->getDialect()) || isa<arith::ConstantOp>(op))
      return failure();
    SmallVector<Value> results;
    if (failed(rewriter.tryFold(op, results)) || results.empty())
      return failure();
    rewriter.replaceOp(op, results);
    return success();
  }
};
} // namespace

void registerImportDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  math::MathDialect, scf::SCFDialect, tensor::TensorDialect, QCDialect,
                  quant::QuantDialect>();
}

/// Maps an ONNX element type to the MLIR element type (signless integers).
static FailureOr<Type> getElementType(MLIRContext *ctx, int32_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT: return Type(b.getF32Type());
  case onnx::TensorProto::FLOAT16: return Type(b.getF16Type());
  case onnx::TensorProto::BFLOAT16: return Type(b.getBF16Type());
  case onnx::TensorProto::DOUBLE: return Type(b.getF64Type());
  case onnx::TensorProto::BOOL: return Type(b.getI1Type());
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8: return Type(b.getI8Type());
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16: return Type(b.getI16Type());
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32: return Type(b.getI32Type());
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64: return Type(b.getI64Type());
  default: return failure();
  }
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

class GraphImporter {
public:
  GraphImporter(MLIRContext &context, const onnx::ModelProto &model,
                StringRef path, StringRef modelDir, int64_t opset)
      : context(context), model(model), path(path), opset(opset),
        modelDir(modelDir.empty() ? "." : modelDir.str()) {}

  OwningOpRef<ModuleOp> run(std::string &error);

  // Used by NodeImporter.
  TensorValue *lookup(StringRef name) {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
  void define(StringRef name, TensorValue value) { values[name] = value; }
  StringRef getModelDir() const { return modelDir; }
  Value makeConstant(OpBuilder &b, Location loc, RankedTensorType type,
                     ArrayRef<char> bytes, StringRef name);

private:
  /// "<path>: <message>"
  std::string fileError(const Twine &message) const {
    return (path + ": " + message).str();
  }
  /// The declared type of a graph input or output. Outputs may leave the
  /// shape out (their producer decides it); inputs must give their rank.
  FailureOr<RankedTensorType> getValueInfoType(const onnx::ValueInfoProto &info,
                                               std::string &error,
                                               bool requireShape = true);
  LogicalResult importNode(OpBuilder &b, const onnx::NodeProto &node,
                           std::string &error,
                           const LayerNormMatch *fusedNorm = nullptr);
  /// Whether a decomposed LayerNorm can become one qc.layer_norm: decided
  /// at its first node, when its input, epsilon and axes must be known.
  bool canFuse(const LayerNormMatch &match);

  MLIRContext &context;
  const onnx::ModelProto &model;
  std::string path;
  int64_t opset;
  std::string modelDir;
  llvm::StringMap<TensorValue> values;
};

Value GraphImporter::makeConstant(OpBuilder &b, Location loc,
                                  RankedTensorType type, ArrayRef<char> bytes,
                                  StringRef name) {
  // Small tensors stay inline, so shapes and scalars read well and fold;
  // large ones go to a resource blob so the IR text stays small.
  constexpr int64_t kInlineElements = 64;
  ElementsAttr attr;
  if (type.getElementType().isInteger(1)) {
    SmallVector<bool> bools(bytes.begin(), bytes.end());
    attr = DenseElementsAttr::get(type, ArrayRef<bool>(bools));
  } else if (type.getNumElements() <= kInlineElements) {
    attr = DenseElementsAttr::getFromRawBuffer(type, bytes);
  } else {
    std::string blobName = name.empty() ? std::string("weight") : name.str();
    attr = DenseResourceElementsAttr::get(
        type, blobName,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(int64_t)));
  }
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr));
}

FailureOr<RankedTensorType>
GraphImporter::getValueInfoType(const onnx::ValueInfoProto &info,
                                std::string &error, bool requireShape) {
  if (!info.type().has_tensor_type()) {
    error = fileError("graph input/output '" + info.name() +
                      "' is not a tensor (sequences, maps and optionals are "
                      "not supported)");
    return failure();
  }
  const auto &tensorType = info.type().tensor_type();
  FailureOr<Type> elementType = getElementType(&context, tensorType.elem_type());
  if (failed(elementType)) {
    error = fileError("graph input/output '" + info.name() + "' has type " +
                      getTypeName(tensorType.elem_type()) +
                      ", which is not supported");
    return failure();
  }
  if (!tensorType.has_shape()) {
    if (!requireShape)
      return RankedTensorType::get({}, *elementType);
    error = fileError("graph input '" + info.name() +
                      "' has no shape; qc needs the rank of every input");
    return failure();
  }
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0)
      shape.push_back(dim.dim_value());
    else
      shape.push_back(ShapedType::kDynamic); // dim_param or unknown: symbolic
  }
  return RankedTensorType::get(shape, *elementType);
}

LogicalResult GraphImporter::importNode(OpBuilder &b,
                                        const onnx::NodeProto &node,
                                        std::string &error,
                                        const LayerNormMatch *fusedNorm) {
  std::string nodeName = node.name().empty()
                             ? (node.output_size() ? node.output(0) : "")
                             : node.name();
  StringRef domain = node.domain();
  bool defaultDomain = domain.empty() || domain == "ai.onnx";
  int64_t nodeOpset = defaultDomain ? opset : getOpset(model, domain);
  auto nodeError = [&](const Twine &reason) {
    error = fileError("node '" + nodeName + "' (" +
                      (defaultDomain ? "" : domain + ".") + node.op_type() +
                      ", opset " + Twine(nodeOpset) + "): " + reason);
    return failure();
  };

  const OpConversion *conversion = lookupConversion(domain, node.op_type());
  if (fusedNorm) {
    static const OpConversion fused = {"LayerNormalization", 1, nullptr, ""};
    conversion = &fused;
  }
  if (!conversion) {
    if (!defaultDomain)
      return nodeError("ops of domain '" + domain + "' are not supported");
    return nodeError("unsupported op");
  }
  if (nodeOpset < conversion->sinceOpset)
    return nodeError("supported from opset " + Twine(conversion->sinceOpset));
  for (const std::string &input : node.input())
    if (!fusedNorm && !input.empty() && !lookup(input))
      return nodeError("input '" + input +
                       "' is not produced by any earlier node, initializer "
                       "or graph input");
  for (const std::string &output : node.output())
    if (!output.empty() && lookup(output))
      return nodeError("output '" + output + "' is defined twice");

  Location loc = NameLoc::get(b.getStringAttr(nodeName),
                              FileLineColLoc::get(&context, path, 0, 0));
  Block *block = b.getInsertionBlock();
  Operation *last = block->empty() ? nullptr : &block->back();

  // Verification problems of the ops a conversion builds are its errors.
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error && diagnostics.empty())
      diagnostics = diag.str();
    return success();
  });

  NodeImporter importer(*this, node, nodeOpset, b, loc);
  LogicalResult converted = fusedNorm ? convertDecomposedLayerNorm(importer, *fusedNorm)
                                      : conversion->convert(importer);
  if (importer.hasError())
    return nodeError(importer.getError());
  if (failed(converted))
    return nodeError(diagnostics.empty() ? "conversion failed" : diagnostics);

  Block::iterator begin = last ? std::next(last->getIterator()) : block->begin();
  for (Operation &op : llvm::make_range(begin, block->end()))
    if (failed(verify(&op)))
      return nodeError("the conversion built invalid IR: " + diagnostics);

  for (unsigned i = 0, e = node.output_size(); i < e; ++i)
    if (!node.output(i).empty() && !lookup(node.output(i)))
      return nodeError("output " + Twine(i) + " ('" + node.output(i) +
                       "') is not produced by the conversion (unsupported "
                       "optional output)");
  return success();
}

bool GraphImporter::canFuse(const LayerNormMatch &match) {
  TensorValue *x = lookup(match.input), *epsilon = lookup(match.epsilon);
  if (!x || !epsilon)
    return false;
  auto scalarConstant = [](Value value) -> std::optional<double> {
    DenseFPElementsAttr attr;
    if (!matchPattern(value, m_Constant(&attr)) || attr.getNumElements() != 1)
      return std::nullopt;
    return (*attr.getValues<APFloat>().begin()).convertToDouble();
  };
  if (!scalarConstant(epsilon->value))
    return false;
  if (!match.exponent.empty()) {
    TensorValue *exponent = lookup(match.exponent);
    if (!exponent || scalarConstant(exponent->value) != 2.0)
      return false;
  }
  if (!match.numerator.empty()) {
    TensorValue *numerator = lookup(match.numerator);
    if (!numerator || scalarConstant(numerator->value) != 1.0)
      return false;
  }
  // The reduced axes must be the trailing ones (qc.layer_norm's axis..rank).
  int64_t rank = cast<RankedTensorType>(x->value.getType()).getRank();
  SmallVector<int64_t> axes(match.axes.begin(), match.axes.end());
  if (!match.axesInput.empty()) {
    TensorValue *given = lookup(match.axesInput);
    DenseIntElementsAttr attr;
    if (!given || !matchPattern(given->value, m_Constant(&attr)))
      return false;
    for (const APInt &v : attr.getValues<APInt>())
      axes.push_back(v.getSExtValue());
  }
  for (int64_t &axis : axes) {
    if (axis < -rank || axis >= rank)
      return false;
    axis = axis < 0 ? axis + rank : axis;
  }
  llvm::sort(axes);
  for (auto [i, axis] : llvm::enumerate(axes))
    if (axis != rank - static_cast<int64_t>(axes.size()) + static_cast<int64_t>(i))
      return false;
  return !axes.empty() &&
         isa<FloatType>(cast<RankedTensorType>(x->value.getType()).getElementType());
}

OwningOpRef<ModuleOp> GraphImporter::run(std::string &error) {
  const onnx::GraphProto &graph = model.graph();
  OpBuilder b(&context);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  if (graph.sparse_initializer_size()) {
    error = fileError("sparse initializers are not supported");
    return nullptr;
  }

  // Graph inputs that are not initializers become function arguments.
  llvm::StringMap<const onnx::TensorProto *> initializers;
  for (const auto &init : graph.initializer())
    initializers[init.name()] = &init;
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    FailureOr<RankedTensorType> type = getValueInfoType(input, error);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    args.push_back(&input);
  }

  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, fileLoc, "main",
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, info] : llvm::enumerate(args)) {
    func.setArgAttr(i, "onnx.name", b.getStringAttr(info->name()));
    // The element type in ONNX's numbering keeps the signedness that MLIR's
    // signless integers drop; the runtime reports and checks it.
    func.setArgAttr(i, "onnx.elem_type",
                    b.getI32IntegerAttr(info->type().tensor_type().elem_type()));
    // Symbolic dim names: dims that share one must agree at run time, which
    // the runtime checks before the code (which assumes it) runs.
    SmallVector<Attribute> params;
    bool anyParam = false;
    for (const auto &dim : info->type().tensor_type().shape().dim()) {
      anyParam |= dim.has_dim_param() && !dim.dim_param().empty();
      params.push_back(b.getStringAttr(dim.has_dim_param() ? dim.dim_param() : ""));
    }
    if (anyParam)
      func.setArgAttr(i, "onnx.dim_params", b.getArrayAttr(params));
    define(info->name(),
           {entry->getArgument(i),
            isUnsignedType(info->type().tensor_type().elem_type())});
  }
  b.setInsertionPointToStart(entry);

  for (const auto &init : graph.initializer()) {
    NodeImporter importer(*this, onnx::NodeProto::default_instance(), opset, b,
                          NameLoc::get(b.getStringAttr(init.name()), fileLoc));
    bool isUnsigned = false;
    FailureOr<Value> value = importer.importTensor(init, &isUnsigned);
    if (failed(value)) {
      error = fileError("initializer '" + init.name() + "': " +
                        importer.getError());
      return nullptr;
    }
    define(init.name(), {*value, isUnsigned});
  }

  // Decomposed LayerNorms: their nodes are skipped and one qc.layer_norm is
  // built at the last of them, when the pattern qualifies.
  std::vector<LayerNormMatch> norms = findDecomposedLayerNorms(graph);
  DenseMap<int, const LayerNormMatch *> normOf;
  DenseMap<const LayerNormMatch *, bool> fuse;
  for (const LayerNormMatch &match : norms)
    for (int index : match.nodes)
      normOf[index] = &match;
  for (int i = 0; i < graph.node_size(); ++i) {
    const LayerNormMatch *match = normOf.lookup(i);
    if (match && i == match->nodes.front())
      fuse[match] = canFuse(*match);
    if (match && fuse[match]) {
      if (i == match->nodes.back() &&
          failed(importNode(b, graph.node(i), error, match)))
        return nullptr;
      continue;
    }
    if (failed(importNode(b, graph.node(i), error)))
      return nullptr;
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &output : graph.output()) {
    TensorValue *value = lookup(output.name());
    if (!value) {
      error = fileError("graph output '" + output.name() +
                        "' is not produced by any node");
      return nullptr;
    }
    FailureOr<RankedTensorType> declared =
        getValueInfoType(output, error, /*requireShape=*/false);
    if (failed(declared))
      return nullptr;
    auto actual = cast<RankedTensorType>(value->value.getType());
    if (declared->getElementType() != actual.getElementType()) {
      error = fileError("graph output '" + output.name() + "' is declared " +
                        getTypeName(output.type().tensor_type().elem_type()) +
                        " but its producer gives another type");
      return nullptr;
    }
    results.push_back(value->value);
    resultTypes.push_back(actual);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, output] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, "onnx.name", b.getStringAttr(output.name()));
    func.setResultAttr(i, "onnx.elem_type",
                       b.getI32IntegerAttr(output.type().tensor_type().elem_type()));
  }

  if (failed(verify(*module))) {
    error = fileError("the imported module does not verify");
    return nullptr;
  }
  // Shape arithmetic leaves folded-away constants and casts behind; tidy
  // them with the canonicalization patterns of every dialect but quant,
  // which would fold a QDQ pair (quant.dcast of quant.qcast) away and so
  // drop the model's quantization.
  RewritePatternSet patterns(&context);
  for (Dialect *dialect : context.getLoadedDialects())
    if (!isa<quant::QuantDialect>(dialect))
      dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : context.getRegisteredOperations())
    if (!isa<quant::QuantDialect>(op.getDialect()))
      op.getCanonicalizationPatterns(patterns, &context);
  // MatMul + Add(bias) as exporters write it becomes one qc.linear.
  populateFoldLinearBiasPatterns(patterns);
  patterns.add<FoldArithmetic>(&context);
  // Op folders run while the graph is built (createOrFold); here only the
  // patterns run, since quant's folders would remove QDQ pairs too.
  GreedyRewriteConfig config;
  config.enableFolding(false);
  if (failed(applyPatternsGreedily(*module, std::move(patterns), config))) {
    error = fileError("cleaning up the imported IR did not converge");
    return nullptr;
  }
  PassManager pm(&context);
  pm.addPass(createCSEPass());
  if (failed(pm.run(*module))) {
    error = fileError("cleaning up the imported IR failed");
    return nullptr;
  }
  return module;
}

//===----------------------------------------------------------------------===//
// NodeImporter
//===----------------------------------------------------------------------===//

Value NodeImporter::lookupValue(StringRef name) {
  TensorValue *value = graph.lookup(name);
  return value ? value->value : Value();
}

Value NodeImporter::input(unsigned i) {
  TensorValue *value = hasInput(i) ? graph.lookup(node.input(i)) : nullptr;
  return value ? value->value : Value();
}

RankedTensorType NodeImporter::inputType(unsigned i) {
  Value value = input(i);
  return value ? cast<RankedTensorType>(value.getType()) : RankedTensorType();
}

bool NodeImporter::isUnsignedInput(unsigned i) {
  TensorValue *value = hasInput(i) ? graph.lookup(node.input(i)) : nullptr;
  return value && value->isUnsigned;
}

ElementsAttr NodeImporter::getConstant(unsigned i) {
  Value value = input(i);
  ElementsAttr attr;
  if (value && matchPattern(value, m_Constant(&attr)))
    return attr;
  return nullptr;
}

std::optional<SmallVector<int64_t>> NodeImporter::getConstantInts(unsigned i) {
  auto attr = dyn_cast_or_null<DenseIntElementsAttr>(getConstant(i));
  if (!attr)
    return std::nullopt;
  bool isUnsigned = isUnsignedInput(i);
  SmallVector<int64_t> result;
  for (const APInt &v : attr.getValues<APInt>())
    result.push_back(attr.getElementType().isInteger(1) || isUnsigned
                         ? static_cast<int64_t>(v.getZExtValue())
                         : v.getSExtValue());
  return result;
}

std::optional<SmallVector<double>> NodeImporter::getConstantFloats(unsigned i) {
  auto attr = dyn_cast_or_null<DenseFPElementsAttr>(getConstant(i));
  if (!attr)
    return std::nullopt;
  SmallVector<double> result;
  for (const APFloat &v : attr.getValues<APFloat>()) {
    APFloat d = v;
    bool losesInfo;
    d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
    result.push_back(d.convertToDouble());
  }
  return result;
}

std::optional<std::vector<char>> NodeImporter::getConstantBytes(unsigned i) {
  ElementsAttr attr = getConstant(i);
  if (!attr || attr.getElementType().isInteger(1))
    return std::nullopt;
  return getElementsBytes(attr);
}

LogicalResult NodeImporter::expectInputs(unsigned min, unsigned max) {
  unsigned count = getNumInputs();
  // Trailing empty names are absent optional inputs.
  while (count > 0 && node.input(count - 1).empty())
    --count;
  if (count < min || count > max)
    return fail("expects " +
                (min == max ? Twine(min) : Twine(min) + " to " + Twine(max)) +
                " inputs, got " + Twine(count));
  for (unsigned i = 0; i < min; ++i)
    if (!hasInput(i))
      return fail("input " + Twine(i) + " is required");
  return success();
}

void NodeImporter::setOutput(unsigned i, Value value, bool isUnsigned) {
  if (i < getNumOutputs() && !node.output(i).empty())
    graph.define(node.output(i), {value, isUnsigned});
}

const onnx::AttributeProto *NodeImporter::findAttr(StringRef name) const {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

bool NodeImporter::hasAttr(StringRef name) const { return findAttr(name); }

bool NodeImporter::checkAttrType(const onnx::AttributeProto *attr, int type,
                                 const char *typeName) {
  // Old exporters leave `type` unset; accept the value field as the type.
  if (attr->type() == type || attr->type() == 0)
    return true;
  (void)fail("attribute '" + attr->name() + "' must be " + typeName);
  return false;
}

int64_t NodeImporter::getInt(StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr || !checkAttrType(attr, onnx::AttributeProto::INT, "an int"))
    return defaultValue;
  return attr->i();
}

float NodeImporter::getFloat(StringRef name, float defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr || !checkAttrType(attr, onnx::AttributeProto::FLOAT, "a float"))
    return defaultValue;
  return attr->f();
}

std::string NodeImporter::getString(StringRef name, StringRef defaultValue) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr || !checkAttrType(attr, onnx::AttributeProto::STRING, "a string"))
    return defaultValue.str();
  return attr->s();
}

std::optional<SmallVector<int64_t>> NodeImporter::getInts(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr || !checkAttrType(attr, onnx::AttributeProto::INTS, "a list of ints"))
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>> NodeImporter::getFloats(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr ||
      !checkAttrType(attr, onnx::AttributeProto::FLOATS, "a list of floats"))
    return std::nullopt;
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

const onnx::TensorProto *NodeImporter::getTensor(StringRef name) {
  const onnx::AttributeProto *attr = findAttr(name);
  if (!attr || !checkAttrType(attr, onnx::AttributeProto::TENSOR, "a tensor"))
    return nullptr;
  return &attr->t();
}

FailureOr<Value> NodeImporter::importTensor(const onnx::TensorProto &tensor,
                                            bool *isUnsigned) {
  FailureOr<Type> elementType = getElementType(tensor.data_type());
  if (failed(elementType))
    return failure();
  llvm::Expected<std::vector<char>> data =
      readTensorData(tensor, graph.getModelDir());
  if (!data)
    return fail(llvm::toString(data.takeError()));
  if (isUnsigned)
    *isUnsigned = isUnsignedType(tensor.data_type());
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  return makeConstant(RankedTensorType::get(shape, *elementType), *data,
                      tensor.name());
}

FailureOr<Type> NodeImporter::getElementType(int32_t onnxType) {
  FailureOr<Type> type = onnx_frontend::getElementType(getContext(), onnxType);
  if (failed(type))
    return fail("type " + getTypeName(onnxType) + " is not supported");
  return type;
}

Value NodeImporter::makeConstant(RankedTensorType type, ArrayRef<char> bytes,
                                 StringRef name) {
  return graph.makeConstant(b, loc, type, bytes, name);
}

LogicalResult NodeImporter::fail(const Twine &reason) {
  if (error.empty())
    error = reason.str();
  return failure();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// Names and types in a model are arbitrary bytes; errors stay one printable
/// line whatever they hold.
static std::string escapeControlCharacters(StringRef message) {
  std::string out;
  for (unsigned char c : message) {
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(c);
    } else {
      static const char *hex = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

/// Imports a parsed model; `name` stands for the file in errors.
static OwningOpRef<ModuleOp> importParsed(MLIRContext &context,
                                          const onnx::ModelProto &model,
                                          StringRef name, StringRef modelDir,
                                          std::string &error) {
  llvm::Expected<int64_t> opset = getDefaultOpset(model);
  if (!opset) {
    error = (name + ": " + llvm::toString(opset.takeError())).str();
    return nullptr;
  }
  OwningOpRef<ModuleOp> module =
      GraphImporter(context, model, name, modelDir, *opset).run(error);
  error = escapeControlCharacters(error);
  return module;
}

OwningOpRef<ModuleOp> importModel(MLIRContext &context, StringRef path,
                                  std::string &error,
                                  ArrayRef<FrozenInput> frozenInputs) {
  onnx::ModelProto model;
  if (llvm::Error e = loadModel(path, model)) {
    error = (path + ": " + llvm::toString(std::move(e))).str();
    return nullptr;
  }
  for (const FrozenInput &frozen : frozenInputs) {
    if (llvm::Error e = freezeInput(model, frozen.name, frozen.tensorPath)) {
      error = escapeControlCharacters((path + ": " + llvm::toString(std::move(e))).str());
      return nullptr;
    }
  }
  return importParsed(context, model, path, llvm::sys::path::parent_path(path),
                      error);
}

OwningOpRef<ModuleOp> importModelBytes(MLIRContext &context, StringRef bytes,
                                       StringRef name, StringRef modelDir,
                                       std::string &error) {
  onnx::ModelProto model;
  if (llvm::Error e = parseModel(bytes, model)) {
    error = (name + ": " + llvm::toString(std::move(e))).str();
    return nullptr;
  }
  return importParsed(context, model, name, modelDir, error);
}

std::string getSupportedOpsMarkdown() {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "<!-- Generated by `qc-compile --print-supported-ops`; do not edit. -->\n\n"
     << "# ONNX ops qc imports\n\n"
     << "Default domain (ai.onnx), opsets " << kMinOpset << " to " << kMaxOpset
     << ". An op not listed here is rejected with a one-line error naming the "
        "node.\n\n"
     << "| op | since opset | what the conversion handles |\n"
     << "|---|---|---|\n";
  std::map<std::string, const OpConversion *> sorted;
  for (const OpConversion &conversion : getAllConversions())
    sorted[conversion.opType] = &conversion;
  for (const auto &[name, conversion] : sorted)
    os << "| " << name << " | "
       << std::max<int64_t>(conversion->sinceOpset, kMinOpset) << " | "
       << conversion->notes << " |\n";
  return out;
}

} // namespace qc::onnx_frontend
