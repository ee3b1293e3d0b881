//===- QCOps.cpp - qc op verifiers and builders ----------------------------===//

#include "dialects/qc/QCDialect.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace qc;

#define GET_OP_CLASSES
#include "dialects/qc/QCOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

/// Two dimension sizes agree unless both are known and differ.
static bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Prints a dimension size the way MLIR types do (`?` when dynamic).
static std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

/// `stats`, when present, must describe `channels` channels.
static LogicalResult verifyStatsChannels(Operation *op, StringRef name,
                                         TensorStatsAttr stats,
                                         int64_t channels) {
  if (!stats || ShapedType::isDynamic(channels) ||
      stats.getNumChannels() == channels)
    return success();
  return op->emitOpError() << name << " describes " << stats.getNumChannels()
                           << " channels but the tensor has " << channels;
}

/// An activation spec must be per-tensor (static) or per-token (dynamic).
static LogicalResult verifyActivationSpec(Operation *op, StringRef name,
                                          QuantSpecAttr spec) {
  if (!spec || spec.isActivationGranularity())
    return success();
  return op->emitOpError() << name
                           << " must be per_tensor or per_token, got "
                           << stringifyGranularity(spec.getGranularity());
}

/// `axis` must index a dimension of a rank-`rank` tensor; returns it made
/// non-negative.
static FailureOr<int64_t> verifyAxis(Operation *op, int64_t axis,
                                     int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range for rank "
                             << rank << " (expected [" << -rank << ", "
                             << rank << "))";
  return axis < 0 ? axis + rank : axis;
}

/// Ops whose result is their input's type (normalizations, softmax).
static LogicalResult verifySameTypeAsInput(Operation *op, RankedTensorType in,
                                           RankedTensorType out) {
  if (in.getElementType() != out.getElementType() ||
      failed(verifyCompatibleShape(in, out)))
    return op->emitOpError() << "result type " << out
                             << " must match the input type " << in;
  return success();
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

void LinearOp::build(OpBuilder &builder, OperationState &state, Value input,
                     Value weight, Value bias) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  SmallVector<int64_t> shape(inType.getShape());
  shape.back() = wType.getDimSize(0);
  Type elementType = inType.getElementType();
  if (auto quantType = dyn_cast<quant::QuantizedType>(elementType))
    elementType = quantType.getExpressedType();
  build(builder, state, RankedTensorType::get(shape, elementType), input,
        weight, bias, /*input_stats=*/nullptr, /*output_stats=*/nullptr,
        /*weight_quant=*/nullptr, /*input_quant=*/nullptr);
}

int64_t LinearOp::getInFeatures() {
  return cast<RankedTensorType>(getWeight().getType()).getDimSize(1);
}

int64_t LinearOp::getOutFeatures() {
  return cast<RankedTensorType>(getWeight().getType()).getDimSize(0);
}

/// A quantized weight's element type must fit the N x K layout: per-axis
/// scales along N (dimension 0), sub-channel blocks of 1 x g with g | K.
static LogicalResult verifyQuantizedWeight(LinearOp op,
                                           quant::QuantizedType type,
                                           int64_t n, int64_t k) {
  if (isa<quant::UniformQuantizedType>(type))
    return success();
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    if (perAxis.getQuantizedDimension() != 0)
      return op.emitOpError()
             << "per-axis quantized weight must be quantized along dimension "
                "0 (output channels), got dimension "
             << perAxis.getQuantizedDimension();
    int64_t numScales = perAxis.getScales().size();
    if (!ShapedType::isDynamic(n) && numScales != n)
      return op.emitOpError() << "per-axis quantized weight has " << numScales
                              << " scales but " << n << " output channels";
    return success();
  }
  if (auto subChannel = dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
    for (auto [dim, blockSize] : subChannel.getBlockSizeInfo()) {
      if (dim == 0 && blockSize != 1)
        return op.emitOpError() << "sub-channel quantized weight must have "
                                   "block size 1 along dimension 0, got "
                                << blockSize;
      if (dim == 1 && !ShapedType::isDynamic(k) && k % blockSize != 0)
        return op.emitOpError()
               << "sub-channel block size " << blockSize
               << " along dimension 1 must divide K = " << k;
    }
    return success();
  }
  return op.emitOpError() << "weight element type must be float or a "
                             "!quant.uniform type, got "
                          << type;
}

LogicalResult LinearOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto wType = cast<RankedTensorType>(getWeight().getType());
  auto outType = cast<RankedTensorType>(getOutput().getType());

  if (inType.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  if (wType.getRank() != 2)
    return emitOpError() << "weight must be 2-D (N x K), got rank "
                         << wType.getRank();
  int64_t n = wType.getDimSize(0), k = wType.getDimSize(1);
  int64_t inK = inType.getShape().back();
  if (!dimsCompatible(inK, k))
    return emitOpError() << "input has " << inK
                         << " channels but the weight expects K = " << k;

  if (Value bias = getBias()) {
    auto bType = cast<RankedTensorType>(bias.getType());
    if (bType.getRank() != 1 || !dimsCompatible(bType.getDimSize(0), n))
      return emitOpError() << "bias must be 1-D with N = " << dimStr(n)
                           << " elements, got " << bType;
  }

  if (outType.getRank() != inType.getRank())
    return emitOpError() << "result rank " << outType.getRank()
                         << " must equal the input rank " << inType.getRank();
  for (int64_t i = 0, e = inType.getRank() - 1; i < e; ++i)
    if (!dimsCompatible(inType.getDimSize(i), outType.getDimSize(i)))
      return emitOpError() << "result dimension " << i << " ("
                           << dimStr(outType.getDimSize(i))
                           << ") must match the input's ("
                           << dimStr(inType.getDimSize(i)) << ")";
  if (!dimsCompatible(outType.getShape().back(), n))
    return emitOpError() << "result has " << dimStr(outType.getShape().back())
                         << " channels but the weight has N = " << dimStr(n);

  if (auto quantType = dyn_cast<quant::QuantizedType>(wType.getElementType()))
    if (failed(verifyQuantizedWeight(*this, quantType, n, k)))
      return failure();

  if (failed(verifyStatsChannels(*this, "input_stats", getInputStatsAttr(), k)) ||
      failed(verifyStatsChannels(*this, "output_stats", getOutputStatsAttr(), n)))
    return failure();

  if (QuantSpecAttr spec = getWeightQuantAttr()) {
    if (!spec.isWeightGranularity())
      return emitOpError("weight_quant cannot be per_token");
    if (spec.getGranularity() == Granularity::PerGroup &&
        !ShapedType::isDynamic(k) && k % spec.getGroupSize() != 0)
      return emitOpError() << "weight_quant group_size "
                           << spec.getGroupSize()
                           << " must divide the reduction dimension K = " << k;
    if (auto quantType =
            dyn_cast<quant::QuantizedType>(wType.getElementType()))
      if (quantType.getStorageTypeIntegralWidth() < spec.getBits())
        return emitOpError()
               << "weight_quant asks for " << spec.getBits()
               << " bits but the weight is stored in "
               << quantType.getStorageTypeIntegralWidth() << " bits";
  }
  return verifyActivationSpec(*this, "input_quant", getInputQuantAttr());
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// qc.quantized_linear
//===----------------------------------------------------------------------===//

int64_t QuantizedLinearOp::getInFeatures() {
  return cast<RankedTensorType>(getInput().getType()).getShape().back();
}

int64_t QuantizedLinearOp::getOutFeatures() {
  return cast<RankedTensorType>(getOutput().getType()).getShape().back();
}

int64_t QuantizedLinearOp::getNumGroups() {
  return getWeightQuant().getGranularity() == Granularity::PerGroup
             ? getWeightQuant().getNumGroups(getInFeatures())
             : 1;
}

LinearFormat QuantizedLinearOp::getFormat() {
  QuantSpecAttr w = getWeightQuant();
  LinearFormat format;
  format.n = getOutFeatures();
  format.k = getInFeatures();
  format.groupSize = w.getGranularity() == Granularity::PerGroup ? w.getGroupSize() : format.k;
  format.weightBits = w.getBits();
  format.weightAsymmetric = !w.getSymmetric();
  if (QuantSpecAttr a = getInputQuantAttr()) {
    format.activations = a.getGranularity() == Granularity::PerToken ? ActivationMode::Dynamic
                                                                     : ActivationMode::Static;
    format.activationBits = a.getBits();
    format.activationClip = a.getClipRatio();
    if (getInputScaleAttr())
      format.inputScale = static_cast<float>(getInputScaleAttr().getValueAsDouble());
  }
  return format;
}

LogicalResult QuantizedLinearOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  auto outType = cast<RankedTensorType>(getOutput().getType());
  auto wType = cast<RankedTensorType>(getWeight().getType());
  auto sType = cast<RankedTensorType>(getScales().getType());
  if (inType.getRank() < 1 || outType.getRank() != inType.getRank())
    return emitOpError("input and result must have the same rank >= 1");
  int64_t k = inType.getShape().back(), n = outType.getShape().back();
  if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n))
    return emitOpError("K (the input's last dimension) and N (the result's) must be static");
  for (int64_t i = 0, e = inType.getRank() - 1; i < e; ++i)
    if (!dimsCompatible(inType.getDimSize(i), outType.getDimSize(i)))
      return emitOpError() << "result dimension " << i << " must match the input's";
  if (Value bias = getBias()) {
    auto bType = cast<RankedTensorType>(bias.getType());
    if (bType.getRank() != 1 || bType.getDimSize(0) != n || !bType.getElementType().isF32())
      return emitOpError() << "bias must be tensor<" << n << "xf32>, got " << bType;
  }

  QuantSpecAttr w = getWeightQuant();
  Granularity g = w.getGranularity();
  if (g != Granularity::PerChannel && g != Granularity::PerGroup)
    return emitOpError("weight_quant must be per_channel or per_group");
  if (QuantSpecAttr a = getInputQuantAttr()) {
    if (!a.getSymmetric())
      return emitOpError("input_quant must be symmetric");
    if (a.getGranularity() == Granularity::PerTensor) {
      if (!getInputScaleAttr() || !(getInputScaleAttr().getValueAsDouble() > 0))
        return emitOpError("per_tensor input_quant needs a positive input_scale");
    } else if (a.getGranularity() != Granularity::PerToken) {
      return emitOpError("input_quant must be per_tensor or per_token");
    }
  } else if (getInputScaleAttr()) {
    return emitOpError("input_scale without input_quant");
  }

  int64_t groups = getNumGroups();
  if (isPacked()) {
    // The layout and its sizes are the target's to check (its lowering and
    // qc-pack do); the dialect checks the form.
    if (getZeroPoints())
      return emitOpError("a packed weight carries its zero points in `scales`");
    if (wType.getRank() != 1 || !wType.getElementType().isInteger(8) || !wType.hasStaticShape())
      return emitOpError() << "packed weight must be a static 1-D i8 tensor, got " << wType;
    if (sType.getRank() != 1 || !sType.hasStaticShape())
      return emitOpError() << "packed scales must be a static 1-D f32 tensor, got " << sType;
    return success();
  }
  if (wType.getRank() != 2 || wType.getDimSize(0) != n || wType.getDimSize(1) != k)
    return emitOpError() << "weight must be tensor<" << n << "x" << k << "xi8>, got " << wType;
  SmallVector<int64_t> paramShape{n, groups};
  if (sType.getShape() != ArrayRef<int64_t>(paramShape))
    return emitOpError() << "scales must be tensor<" << n << "x" << groups << "xf32>, got "
                         << sType;
  if (w.getSymmetric() != !getZeroPoints())
    return emitOpError(w.getSymmetric() ? "symmetric weights take no zero_points"
                                        : "asymmetric weights need zero_points");
  if (Value zp = getZeroPoints())
    if (cast<RankedTensorType>(zp.getType()).getShape() != ArrayRef<int64_t>(paramShape))
      return emitOpError() << "zero_points must be tensor<" << n << "x" << groups << "xi8>";
  return success();
}

LogicalResult MatMulOp::verify() {
  auto lhsType = cast<RankedTensorType>(getLhs().getType());
  auto rhsType = cast<RankedTensorType>(getRhs().getType());
  auto outType = cast<RankedTensorType>(getOutput().getType());
  if (lhsType.getRank() < 2 || rhsType.getRank() < 2)
    return emitOpError("operands must have rank >= 2");

  ArrayRef<int64_t> lhs = lhsType.getShape(), rhs = rhsType.getShape();
  int64_t m = lhs[lhs.size() - 2], k = lhs.back();
  int64_t rhsK = rhs[rhs.size() - 2], n = rhs.back();
  if (!dimsCompatible(k, rhsK))
    return emitOpError() << "lhs has K = " << dimStr(k) << " but rhs has K = "
                         << dimStr(rhsK);

  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(lhs.drop_back(2), rhs.drop_back(2),
                                          batch))
    return emitOpError("batch dimensions of lhs and rhs do not broadcast");
  SmallVector<int64_t> expected(batch);
  expected.append({m, n});
  if (outType.getRank() != static_cast<int64_t>(expected.size()))
    return emitOpError() << "result must have rank " << expected.size()
                         << ", got " << outType.getRank();
  for (auto [i, dims] : llvm::enumerate(llvm::zip(expected, outType.getShape())))
    if (!dimsCompatible(std::get<0>(dims), std::get<1>(dims)))
      return emitOpError() << "result dimension " << i << " ("
                           << dimStr(std::get<1>(dims)) << ") must be "
                           << dimStr(std::get<0>(dims));

  if (failed(verifyStatsChannels(*this, "lhs_stats", getLhsStatsAttr(), k)) ||
      failed(verifyStatsChannels(*this, "rhs_stats", getRhsStatsAttr(), n)) ||
      failed(verifyActivationSpec(*this, "lhs_quant", getLhsQuantAttr())) ||
      failed(verifyActivationSpec(*this, "rhs_quant", getRhsQuantAttr())))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// Shared by qc.layer_norm and qc.rms_norm: `scale` (and `bias`) have the
/// shape of the normalized dimensions `axis ..< rank`.
static LogicalResult verifyNorm(Operation *op, Value input, Value scale,
                                Value bias, int64_t axis, APFloat epsilon,
                                Value output) {
  auto inType = cast<RankedTensorType>(input.getType());
  FailureOr<int64_t> normAxis = verifyAxis(op, axis, inType.getRank());
  if (failed(normAxis))
    return failure();
  if (!epsilon.isFinite() || epsilon.isNegative())
    return op->emitOpError() << "epsilon must be finite and >= 0, got "
                             << epsilon.convertToDouble();

  ArrayRef<int64_t> normShape = inType.getShape().drop_front(*normAxis);
  for (auto [name, param] : {std::pair<StringRef, Value>{"scale", scale},
                             std::pair<StringRef, Value>{"bias", bias}}) {
    if (!param)
      continue;
    auto paramType = cast<RankedTensorType>(param.getType());
    if (failed(verifyCompatibleShape(paramType.getShape(), normShape))) {
      std::string expected;
      llvm::raw_string_ostream os(expected);
      llvm::interleave(normShape, os, [&](int64_t d) { os << dimStr(d); }, "x");
      return op->emitOpError()
             << name << " must have the shape of the normalized dimensions ("
             << expected << "), got " << paramType;
    }
  }
  return verifySameTypeAsInput(op, inType,
                               cast<RankedTensorType>(output.getType()));
}

LogicalResult LayerNormOp::verify() {
  return verifyNorm(*this, getInput(), getScale(), getBias(), getAxis(),
                    getEpsilon(), getOutput());
}

LogicalResult RMSNormOp::verify() {
  return verifyNorm(*this, getInput(), getScale(), /*bias=*/nullptr, getAxis(),
                    getEpsilon(), getOutput());
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  if (failed(verifyAxis(*this, getAxis(), inType.getRank())))
    return failure();
  if (inType.getRank() > 0 &&
      failed(verifyStatsChannels(*this, "output_stats", getOutputStatsAttr(),
                                 inType.getShape().back())))
    return failure();
  return verifySameTypeAsInput(*this, inType,
                               cast<RankedTensorType>(getOutput().getType()));
}

//===----------------------------------------------------------------------===//
// HadamardOp
//===----------------------------------------------------------------------===//

LogicalResult HadamardOp::verify() {
  auto inType = cast<RankedTensorType>(getInput().getType());
  if (inType.getRank() < 1)
    return emitOpError("input must have rank >= 1");
  int64_t size = static_cast<int64_t>(getSize()), base = static_cast<int64_t>(getBase());
  if (inType.getShape().back() != size)
    return emitOpError() << "the last dimension must be size = " << size << ", got "
                         << dimStr(inType.getShape().back());
  if (base < 1 || size % base != 0 || !llvm::isPowerOf2_64(static_cast<uint64_t>(size / base)))
    return emitOpError() << "size " << size << " must be base (" << base
                         << ") times a power of two";
  if (base != 1 && base % 4 != 0)
    return emitOpError() << "base " << base << " is not the order of a Hadamard matrix (1 or a "
                            "multiple of 4)";
  if (auto signs = getSignsAttr()) {
    if (static_cast<int64_t>(signs.size()) != size)
      return emitOpError() << "signs must have size = " << size << " values, got "
                           << signs.size();
    if (!llvm::all_of(signs.asArrayRef(), [](int8_t v) { return v == 1 || v == -1; }))
      return emitOpError("signs must be +1 or -1");
  }
  return verifySameTypeAsInput(*this, inType, cast<RankedTensorType>(getOutput().getType()));
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

LogicalResult CheckOp::verify() {
  if (getValues().size() > 3)
    return emitOpError() << "takes at most 3 values, got " << getValues().size();
  // Every {N} of the message names a value.
  StringRef message = getMessage();
  for (size_t at = message.find('{'); at != StringRef::npos; at = message.find('{', at + 1)) {
    size_t end = message.find('}', at);
    unsigned index;
    if (end == StringRef::npos || message.slice(at + 1, end).getAsInteger(10, index) ||
        index >= getValues().size())
      return emitOpError() << "message '" << message << "' has a placeholder at " << at
                           << " that names none of its " << getValues().size() << " values";
  }
  if (message.contains('\n'))
    return emitOpError() << "message must be one line";
  return success();
}

LogicalResult CheckOp::canonicalize(CheckOp op, PatternRewriter &rewriter) {
  if (!matchPattern(op.getCondition(), m_One()))
    return failure();
  rewriter.eraseOp(op);
  return success();
}

LogicalResult ObserveOp::verify() {
  // I64Attr's getter is unsigned; the attribute itself is signed.
  if (getIdAttr().getInt() < 0)
    return emitOpError() << "id must be >= 0, got " << getIdAttr().getInt();
  if (cast<RankedTensorType>(getInput().getType()).getRank() < 1)
    return emitOpError() << "input must have rank >= 1 (rows x channels), got "
                         << getInput().getType();
  return success();
}
