//===- Shape.cpp - ONNX shape and data-movement ops ------------------------===//
//
// Shape computations (Shape, Gather, Concat, Slice, Unsqueeze ... on small
// integer vectors) are built element by element with folding, so a shape
// known at import time becomes a constant and a Reshape fed by it gets a
// static type; dynamic dims stay as index arithmetic.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "dialects/qc/QCDialect.h"
#include "mlir/IR/Matchers.h"

#include <numeric>

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value indexValue(OpBuilder &b, Location loc, OpFoldResult ofr) {
  return getValueOrCreateConstantIndexOp(b, loc, ofr);
}

/// An i64 scalar as an index value (folded when constant).
OpFoldResult toIndex(OpBuilder &b, Location loc, Value i64) {
  return getAsOpFoldResult(
      b.createOrFold<arith::IndexCastOp>(loc, b.getIndexType(), i64));
}

Value toI64(OpBuilder &b, Location loc, OpFoldResult ofr) {
  return b.createOrFold<arith::IndexCastOp>(loc, b.getI64Type(),
                                            indexValue(b, loc, ofr));
}

/// Axes from the attribute (before `inputSince`) or constant input 1.
FailureOr<std::optional<SmallVector<int64_t>>> axesOf(NodeImporter &n, int inputSince,
                                                      unsigned inputIndex = 1) {
  if (n.getOpset() < inputSince)
    return n.getInts("axes");
  if (!n.hasInput(inputIndex))
    return std::optional<SmallVector<int64_t>>();
  std::optional<SmallVector<int64_t>> axes = n.getConstantInts(inputIndex);
  if (!axes)
    return n.fail("axes must be a constant");
  return axes;
}

LogicalResult convertShape(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, n.input(0));
  int64_t rank = dims.size();
  int64_t start = n.getInt("start", 0), end = n.getInt("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  SmallVector<Value> elements;
  for (int64_t i = start; i < end; ++i)
    elements.push_back(toI64(b, n.loc, dims[i]));
  n.setOutput(0, buildFromElements(b, n.loc, b.getI64Type(), elements));
  return success();
}

LogicalResult convertSize(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  OpFoldResult count = buildProduct(b, n.loc, getDims(b, n.loc, n.input(0)));
  n.setOutput(0, buildFromElements(b, n.loc, b.getI64Type(), toI64(b, n.loc, count),
                                   /*scalar=*/true));
  return success();
}

LogicalResult convertReshape(NodeImporter &n) {
  if (failed(n.expectInputs(n.getOpset() < 5 ? 1 : 2, 2)))
    return failure();
  OpBuilder &b = n.b;
  Value data = n.input(0);
  Value shape = n.input(1);
  if (!shape || typeOf(shape).getRank() != 1 || !typeOf(shape).hasStaticShape())
    return n.fail("the shape input must be a 1-D tensor of known length");
  bool allowZero = n.getInt("allowzero", 0) != 0;
  SmallVector<OpFoldResult> inDims = getDims(b, n.loc, data);
  SmallVector<Value> elements = extractElements(b, n.loc, shape);
  SmallVector<OpFoldResult> dims;
  SmallVector<size_t> runtimeSlots;
  int inferred = -1;
  auto indexConstant = [&](int64_t v) { return arith::ConstantIndexOp::create(b, n.loc, v); };
  for (auto [i, element] : llvm::enumerate(elements)) {
    APInt value;
    if (!matchPattern(element, m_ConstantInt(&value))) {
      // A size known at run time: 0 copies the input's dim (unless
      // allowzero), and -1 is resolved below.
      Value size = indexValue(b, n.loc, toIndex(b, n.loc, element));
      Value source = size;
      while (auto cast = source.getDefiningOp<arith::IndexCastOp>())
        source = cast.getIn();
      auto dimOp = source.getDefiningOp<tensor::DimOp>();
      std::optional<int64_t> dimIndex = dimOp ? dimOp.getConstantIndex() : std::nullopt;
      // The input's own dim i copies itself either way.
      bool ownDim = dimOp && dimOp.getSource() == data && dimIndex == static_cast<int64_t>(i);
      if (!allowZero && i < inDims.size() && !ownDim) {
        Value isZero = b.createOrFold<arith::CmpIOp>(n.loc, arith::CmpIPredicate::eq, size,
                                                     indexConstant(0));
        size = b.createOrFold<arith::SelectOp>(n.loc, isZero,
                                               indexValue(b, n.loc, inDims[i]), size);
      }
      dims.push_back(size);
      // A tensor's dim is never -1.
      if (!dimOp)
        runtimeSlots.push_back(i);
      continue;
    }
    int64_t v = value.getSExtValue();
    if (v == 0 && !allowZero) {
      if (i >= inDims.size())
        return n.fail("shape[" + Twine(i) + "] = 0 copies a dimension the input does not have");
      dims.push_back(inDims[i]);
    } else if (v == -1) {
      if (inferred >= 0)
        return n.fail("the shape has more than one -1");
      inferred = i;
      dims.push_back(b.getIndexAttr(1)); // replaced below
    } else if (v < 0) {
      return n.fail("shape[" + Twine(i) + "] = " + Twine(v) + " is invalid");
    } else {
      dims.push_back(b.getIndexAttr(v));
    }
  }
  OpFoldResult inCount = buildProduct(b, n.loc, inDims);
  if (inferred >= 0) {
    // The inferred slot still holds 1, so this is the product of the others.
    OpFoldResult known = buildProduct(b, n.loc, dims);
    std::optional<int64_t> t = getConstantIntValue(inCount), k = getConstantIntValue(known);
    if (t && k && (*k == 0 || *t % *k != 0))
      return n.fail("cannot infer the -1 dimension: " + Twine(*t) +
                    " elements do not divide into " + Twine(*k));
    dims[inferred] = getAsOpFoldResult(b.createOrFold<arith::DivUIOp>(
        n.loc, indexValue(b, n.loc, inCount), indexValue(b, n.loc, known)));
  }
  if (!runtimeSlots.empty() && inferred < 0) {
    // A run-time -1 takes the element count left over by the others.
    SmallVector<Value> isInferred;
    SmallVector<OpFoldResult> others(dims);
    for (size_t i : runtimeSlots) {
      Value size = indexValue(b, n.loc, dims[i]);
      isInferred.push_back(arith::CmpIOp::create(b, n.loc, arith::CmpIPredicate::eq, size,
                                                 indexConstant(-1)));
      others[i] = getAsOpFoldResult(
          arith::SelectOp::create(b, n.loc, isInferred.back(), indexConstant(1), size));
    }
    Value rest = arith::DivUIOp::create(b, n.loc, indexValue(b, n.loc, inCount),
                                        indexValue(b, n.loc, buildProduct(b, n.loc, others)));
    for (auto [slot, flag] : llvm::zip(runtimeSlots, isInferred))
      dims[slot] = getAsOpFoldResult(
          arith::SelectOp::create(b, n.loc, flag, rest, indexValue(b, n.loc, dims[slot])));
  }
  // Check the element count where it is known.
  OpFoldResult outCount = buildProduct(b, n.loc, dims);
  std::optional<int64_t> ic = getConstantIntValue(inCount), oc = getConstantIntValue(outCount);
  if (ic && oc && *ic != *oc)
    return n.fail("cannot reshape " + Twine(*ic) + " elements into " + Twine(*oc));
  n.setOutput(0, buildReshape(b, n.loc, data, dims), n.isUnsignedInput(0));
  return success();
}

LogicalResult convertTranspose(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  int64_t rank = typeOf(n.input(0)).getRank();
  SmallVector<int64_t> perm;
  if (std::optional<SmallVector<int64_t>> attr = n.getInts("perm")) {
    perm = *attr;
  } else {
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  }
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (static_cast<int64_t>(perm.size()) != rank ||
      !llvm::equal(sorted, llvm::seq<int64_t>(0, rank)))
    return n.fail("perm is not a permutation of the " + Twine(rank) + " dimensions");
  n.setOutput(0, buildTranspose(n.b, n.loc, n.input(0), perm), n.isUnsignedInput(0));
  return success();
}

LogicalResult convertFlatten(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, n.input(0));
  int64_t rank = dims.size();
  int64_t axis = n.getInt("axis", 1);
  if (axis < -rank || axis > rank)
    return n.fail("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
  if (axis < 0)
    axis += rank;
  ArrayRef<OpFoldResult> all(dims);
  OpFoldResult outer = buildProduct(b, n.loc, all.take_front(axis));
  OpFoldResult inner = buildProduct(b, n.loc, all.drop_front(axis));
  n.setOutput(0, buildReshape(b, n.loc, n.input(0), {outer, inner}), n.isUnsignedInput(0));
  return success();
}

LogicalResult convertSqueeze(NodeImporter &n) {
  if (failed(n.expectInputs(1, n.getOpset() < 13 ? 1 : 2)))
    return failure();
  RankedTensorType type = typeOf(n.input(0));
  FailureOr<std::optional<SmallVector<int64_t>>> axesOr = axesOf(n, 13);
  if (failed(axesOr))
    return failure();
  SmallVector<int64_t> axes;
  if (*axesOr) {
    FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(n, **axesOr, type.getRank());
    if (failed(normalized))
      return failure();
    axes = *normalized;
    for (int64_t axis : axes)
      if (!type.isDynamicDim(axis) && type.getDimSize(axis) != 1)
        return n.fail("cannot squeeze dimension " + Twine(axis) + " of size " +
                      Twine(type.getDimSize(axis)));
  } else {
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.getDimSize(i) == 1)
        axes.push_back(i);
  }
  SmallVector<OpFoldResult> dims, all = getDims(n.b, n.loc, n.input(0));
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!llvm::is_contained(axes, i))
      dims.push_back(all[i]);
  n.setOutput(0, buildReshape(n.b, n.loc, n.input(0), dims), n.isUnsignedInput(0));
  return success();
}

LogicalResult convertUnsqueeze(NodeImporter &n) {
  if (failed(n.expectInputs(n.getOpset() < 13 ? 1 : 2, n.getOpset() < 13 ? 1 : 2)))
    return failure();
  FailureOr<std::optional<SmallVector<int64_t>>> axesOr = axesOf(n, 13);
  if (failed(axesOr))
    return failure();
  if (!*axesOr)
    return n.fail("axes are required");
  SmallVector<OpFoldResult> inDims = getDims(n.b, n.loc, n.input(0));
  int64_t outRank = inDims.size() + (*axesOr)->size();
  FailureOr<SmallVector<int64_t>> axes = normalizeAxes(n, **axesOr, outRank);
  if (failed(axes))
    return failure();
  if (axes->size() != (*axesOr)->size())
    return n.fail("axes repeat");
  SmallVector<OpFoldResult> dims;
  auto next = inDims.begin();
  for (int64_t i = 0; i < outRank; ++i)
    dims.push_back(llvm::is_contained(*axes, i) ? OpFoldResult(n.b.getIndexAttr(1)) : *next++);
  n.setOutput(0, buildReshape(n.b, n.loc, n.input(0), dims), n.isUnsignedInput(0));
  return success();
}

LogicalResult convertConcat(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1024)))
    return failure();
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < n.getNumInputs(); ++i)
    if (n.hasInput(i))
      inputs.push_back(n.input(i));
  RankedTensorType first = typeOf(inputs[0]);
  if (!n.hasAttr("axis"))
    return n.fail("axis is required");
  FailureOr<int64_t> axis = normalizeAxis(n, n.getInt("axis", 0), first.getRank());
  if (failed(axis))
    return failure();
  for (Value input : inputs)
    if (typeOf(input).getRank() != first.getRank() ||
        typeOf(input).getElementType() != first.getElementType())
      return n.fail("inputs must have one rank and element type");
  // Shape vectors: element by element, so known values fold.
  if (llvm::all_of(inputs, isShapeVector) && first.getRank() == 1) {
    SmallVector<Value> elements;
    for (Value input : inputs)
      llvm::append_range(elements, extractElements(n.b, n.loc, input));
    n.setOutput(0, buildFromElements(n.b, n.loc, first.getElementType(), elements),
                n.isUnsignedInput(0));
    return success();
  }
  // Zero-sized inputs add nothing; tensor.concat wants at least one input.
  SmallVector<Value> nonEmpty;
  for (Value input : inputs)
    if (typeOf(input).getDimSize(*axis) != 0)
      nonEmpty.push_back(input);
  if (nonEmpty.empty())
    nonEmpty.push_back(inputs[0]);
  if (nonEmpty.size() == 1) {
    n.setOutput(0, nonEmpty[0], n.isUnsignedInput(0));
    return success();
  }
  n.setOutput(0, tensor::ConcatOp::create(n.b, n.loc, *axis, nonEmpty),
              n.isUnsignedInput(0));
  return success();
}

/// A static or dynamic slice of `input` along `axis`.
Value sliceAxis(NodeImporter &n, Value input, int64_t axis, OpFoldResult offset,
                OpFoldResult size, int64_t stride = 1) {
  OpBuilder &b = n.b;
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, input);
  int64_t rank = dims.size();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes(dims),
      strides(rank, b.getIndexAttr(1));
  offsets[axis] = offset;
  sizes[axis] = size;
  strides[axis] = b.getIndexAttr(stride);
  // An empty slice reads nothing (and its offset may sit past the end).
  if (getConstantIntValue(size) == 0)
    return buildEmpty(b, n.loc, sizes, typeOf(input).getElementType());
  return tensor::ExtractSliceOp::create(b, n.loc, input, offsets, sizes, strides);
}

LogicalResult convertSplit(NodeImporter &n) {
  if (failed(n.expectInputs(1, n.getOpset() < 13 ? 1 : 2)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0);
  RankedTensorType type = typeOf(input);
  FailureOr<int64_t> axis = normalizeAxis(n, n.getInt("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  unsigned outputs = n.getNumOutputs();
  std::optional<SmallVector<int64_t>> split;
  if (n.getOpset() < 13) {
    split = n.getInts("split");
  } else if (n.hasInput(1)) {
    split = n.getConstantInts(1);
    if (!split)
      return n.fail("split must be a constant");
  }
  OpFoldResult dim = getDims(b, n.loc, input)[*axis];
  if (!split) {
    std::optional<int64_t> size = getConstantIntValue(dim);
    if (!size)
      return n.fail("splitting a dynamic dimension needs explicit split sizes");
    // Opset 18: num_outputs; the last chunk may be smaller.
    int64_t chunk = (*size + outputs - 1) / outputs;
    if (n.getOpset() < 18 && *size % outputs != 0)
      return n.fail("dimension " + Twine(*size) + " does not split evenly into " +
                    Twine(outputs) + " outputs");
    split.emplace();
    for (unsigned i = 0; i < outputs; ++i)
      split->push_back(std::min<int64_t>(chunk, std::max<int64_t>(*size - i * chunk, 0)));
  }
  if (split->size() != outputs)
    return n.fail("split has " + Twine(split->size()) + " sizes for " + Twine(outputs) +
                  " outputs");
  int64_t total = std::accumulate(split->begin(), split->end(), int64_t(0));
  if (std::optional<int64_t> size = getConstantIntValue(dim); size && *size != total)
    return n.fail("split sizes add up to " + Twine(total) + ", not " + Twine(*size));
  int64_t offset = 0;
  for (unsigned i = 0; i < outputs; ++i) {
    if ((*split)[i] < 0)
      return n.fail("split sizes must be >= 0");
    n.setOutput(i, sliceAxis(n, input, *axis, b.getIndexAttr(offset), b.getIndexAttr((*split)[i])),
                n.isUnsignedInput(0));
    offset += (*split)[i];
  }
  return success();
}

LogicalResult convertSlice(NodeImporter &n) {
  bool legacy = n.getOpset() < 10;
  if (failed(n.expectInputs(legacy ? 1 : 3, legacy ? 1 : 5)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  std::optional<SmallVector<int64_t>> axes, steps;
  // Starts and ends are constants or, from opset 10, values known at run
  // time (PyTorch writes x[:, :seq_len] so).
  SmallVector<OpFoldResult> starts, ends;
  auto fromInts = [&](std::optional<SmallVector<int64_t>> ints, SmallVector<OpFoldResult> &out) {
    for (int64_t v : ints.value_or(SmallVector<int64_t>()))
      out.push_back(b.getIndexAttr(v));
    return ints.has_value();
  };
  auto fromInput = [&](unsigned i, SmallVector<OpFoldResult> &out) {
    if (fromInts(n.getConstantInts(i), out))
      return true;
    Value t = n.input(i);
    if (!t || typeOf(t).getRank() != 1 || !typeOf(t).hasStaticShape())
      return false;
    for (Value e : extractElements(b, n.loc, t))
      out.push_back(toIndex(b, n.loc, e));
    return true;
  };
  if (legacy) {
    if (!fromInts(n.getInts("starts"), starts) || !fromInts(n.getInts("ends"), ends))
      return n.fail("starts and ends must be given");
    axes = n.getInts("axes");
  } else {
    if (!fromInput(1, starts) || !fromInput(2, ends))
      return n.fail("starts and ends must be 1-D tensors of known length");
    if (n.hasInput(3) && !(axes = n.getConstantInts(3)))
      return n.fail("axes must be a constant");
    if (n.hasInput(4) && !(steps = n.getConstantInts(4)))
      return n.fail("steps must be a constant");
  }
  size_t count = starts.size();
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < count; ++i)
      axes->push_back(i);
  }
  if (!steps)
    steps = SmallVector<int64_t>(count, 1);
  if (ends.size() != count || axes->size() != count || steps->size() != count)
    return n.fail("starts, ends, axes and steps must have one length");

  SmallVector<OpFoldResult> dims = getDims(b, n.loc, input);
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes(dims);
  SmallVector<int64_t> strides(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < count; ++i) {
    FailureOr<int64_t> axis = normalizeAxis(n, (*axes)[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis])
      return n.fail("axis " + Twine(*axis) + " is sliced twice");
    seen[*axis] = true;
    int64_t step = (*steps)[i];
    if (step == 0)
      return n.fail("steps must not be 0");
    std::optional<int64_t> size = getConstantIntValue(dims[*axis]);
    std::optional<int64_t> constStart = getConstantIntValue(starts[i]),
                           constEnd = getConstantIntValue(ends[i]);
    if (!size || !constStart || !constEnd) {
      if (step != 1)
        return n.fail("slicing a dynamic dimension, or with starts/ends known only at "
                      "run time, needs step 1");
      // NumPy's clamping at run time: v < 0 counts from the end, then
      // 0 <= v <= dim.
      Value dim = indexValue(b, n.loc, dims[*axis]);
      Value zero = arith::ConstantIndexOp::create(b, n.loc, 0);
      auto clampIndex = [&](OpFoldResult bound) -> Value {
        Value v = indexValue(b, n.loc, bound);
        Value fromEnd = b.createOrFold<arith::AddIOp>(n.loc, v, dim);
        Value isNegative = b.createOrFold<arith::CmpIOp>(n.loc, arith::CmpIPredicate::slt, v, zero);
        v = b.createOrFold<arith::SelectOp>(n.loc, isNegative, fromEnd, v);
        v = b.createOrFold<arith::MaxSIOp>(n.loc, v, zero);
        return b.createOrFold<arith::MinSIOp>(n.loc, v, dim);
      };
      Value start = clampIndex(starts[i]);
      Value end = clampIndex(ends[i]);
      Value length = b.createOrFold<arith::MaxSIOp>(
          n.loc, b.createOrFold<arith::SubIOp>(n.loc, end, start), zero);
      offsets[*axis] = getAsOpFoldResult(start);
      sizes[*axis] = getAsOpFoldResult(length);
      continue;
    }
    // NumPy slice semantics on a known size.
    int64_t d = *size, start = *constStart, end = *constEnd;
    if (start < 0)
      start += d;
    if (end < 0)
      end += d;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, d);
      end = std::clamp<int64_t>(end, 0, d);
    } else {
      start = std::clamp<int64_t>(start, -1, d - 1);
      end = std::clamp<int64_t>(end, -1, d - 1);
    }
    int64_t length = step > 0 ? std::max<int64_t>(0, (end - start + step - 1) / step)
                              : std::max<int64_t>(0, (start - end - step - 1) / -step);
    offsets[*axis] = b.getIndexAttr(start);
    sizes[*axis] = b.getIndexAttr(length);
    strides[*axis] = step;
  }

  if (llvm::any_of(sizes, [](OpFoldResult size) { return getConstantIntValue(size) == 0; })) {
    n.setOutput(0, buildEmpty(b, n.loc, sizes, type.getElementType()), n.isUnsignedInput(0));
    return success();
  }
  bool negative = llvm::any_of(strides, [](int64_t s) { return s < 0; });
  if (!negative) {
    SmallVector<OpFoldResult> strideAttrs;
    for (int64_t s : strides)
      strideAttrs.push_back(b.getIndexAttr(s));
    Value result = tensor::ExtractSliceOp::create(b, n.loc, input, offsets, sizes, strideAttrs);
    if (isShapeVector(result) && isShapeVector(input))
      result = buildFromElements(b, n.loc, type.getElementType(),
                                 extractElements(b, n.loc, result),
                                 typeOf(result).getRank() == 0);
    n.setOutput(0, result, n.isUnsignedInput(0));
    return success();
  }
  // Negative steps read backwards: out[i] = in[start + i * step].
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i) {
    std::optional<int64_t> offset = getConstantIntValue(offsets[i]);
    if (!offset)
      return n.fail("negative steps need static dimensions");
    exprs.push_back(getAffineDimExpr(i, ctx) * strides[i] + *offset);
  }
  Value result = buildParallelGeneric(
      b, n.loc, input, {AffineMap::get(rank, 0, exprs, ctx)}, sizes, type.getElementType(),
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

/// An index read from an indices tensor: negative values count from the end
/// of `dim`, and the result is clamped into [0, dim - 1]. An index out of
/// range fails the run (checkIndexRange); the clamp keeps the read that
/// still happens inside the tensor.
Value wrapIndex(OpBuilder &b, Location l, Value index, Value dim) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), index);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value negative = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  Value wrapped = arith::SelectOp::create(b, l, negative, arith::AddIOp::create(b, l, i, dim), i);
  Value last = arith::SubIOp::create(b, l, dim, one);
  return arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, wrapped, zero), last);
}

/// Checks that every element of input `indicesInput` lies in [-dim, dim),
/// ONNX's range for an axis of size `dim`: now for constant indices on a
/// known axis (an error of the node), else at run time (a qc.check on the
/// indices' min and max).
LogicalResult checkIndexRange(NodeImporter &n, unsigned indicesInput, OpFoldResult dim) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value indices = n.input(indicesInput);
  RankedTensorType type = typeOf(indices);
  std::optional<int64_t> size = getConstantIntValue(dim);
  Type i64 = b.getI64Type();
  Value lo, hi;
  if (std::optional<SmallVector<int64_t>> picks = n.getConstantInts(indicesInput)) {
    if (picks->empty())
      return success();
    auto [mn, mx] = std::minmax_element(picks->begin(), picks->end());
    if (size) {
      for (int64_t p : *picks)
        if (p < -*size || p >= *size)
          return n.fail("index " + Twine(p) + " is out of range [" + Twine(-*size) + ", " +
                        Twine(*size) + ")");
      return success();
    }
    lo = arith::ConstantIntOp::create(b, loc, i64, *mn);
    hi = arith::ConstantIntOp::create(b, loc, i64, *mx);
  } else {
    if (type.hasStaticShape() && type.getNumElements() == 0)
      return success();
    auto intType = cast<IntegerType>(type.getElementType());
    unsigned bits = intType.getWidth();
    // The min and max over every element (rank 0: the element itself);
    // no elements leave INT_MAX and INT_MIN, which pass.
    auto reduceAll = [&](bool max) {
      Value scalar;
      if (type.getRank() == 0) {
        scalar = tensor::ExtractOp::create(b, loc, indices, ValueRange{});
      } else {
        APInt init = max ? APInt::getSignedMinValue(bits) : APInt::getSignedMaxValue(bits);
        Value reduced = buildReduce(
            b, loc, indices, llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())),
            /*keepDims=*/false, b.getIntegerAttr(intType, init),
            [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
              return max ? Value(arith::MaxSIOp::create(nb, l, a[0], a[1]))
                         : Value(arith::MinSIOp::create(nb, l, a[0], a[1]));
            });
        scalar = tensor::ExtractOp::create(b, loc, reduced, ValueRange{});
      }
      return bits < 64 ? Value(arith::ExtSIOp::create(b, loc, i64, scalar)) : scalar;
    };
    lo = reduceAll(false);
    hi = reduceAll(true);
  }
  Value d = toI64(b, loc, dim);
  Value negD = arith::SubIOp::create(b, loc, arith::ConstantIntOp::create(b, loc, i64, 0), d);
  Value tooHigh = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, hi, d);
  Value tooLow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lo, negD);
  Value ok = arith::XOrIOp::create(b, loc, arith::OrIOp::create(b, loc, tooHigh, tooLow),
                                   arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
  Value bad = arith::SelectOp::create(b, loc, tooHigh, hi, lo);
  qc::CheckOp::create(b, loc, ok, b.getStringAttr("index {0} out of range [{1}, {2})"),
                      ValueRange{bad, negD, d});
  return success();
}

/// `data` with a dynamic axis that may be 0 at run time: then a tensor of one
/// zero along that axis, so that the clamped reads of indices that failed
/// their check stay inside a buffer.
Value nonEmptyAxis(OpBuilder &b, Location loc, Value data, int64_t axis) {
  RankedTensorType type = typeOf(data);
  if (!type.isDynamicDim(axis))
    return data;
  Value dim = tensor::DimOp::create(b, loc, data, axis);
  Value empty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim,
                                      arith::ConstantIndexOp::create(b, loc, 0));
  auto ifOp = scf::IfOp::create(
      b, loc, empty,
      [&](OpBuilder &nb, Location l) {
        SmallVector<OpFoldResult> dims = tensor::getMixedSizes(nb, l, data);
        dims[axis] = nb.getIndexAttr(1);
        Value zero = arith::ConstantOp::create(nb, l, nb.getZeroAttr(type.getElementType()));
        Value filled = linalg::FillOp::create(nb, l, zero,
                                              buildEmpty(nb, l, dims, type.getElementType()))
                           .getResult(0);
        scf::YieldOp::create(nb, l, tensor::CastOp::create(nb, l, type, filled).getResult());
      },
      [&](OpBuilder &nb, Location l) { scf::YieldOp::create(nb, l, data); });
  return ifOp.getResult(0);
}

LogicalResult convertGather(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  OpBuilder &b = n.b;
  Value data = n.input(0), indices = n.input(1);
  RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices);
  if (!isa<IntegerType>(indicesType.getElementType()))
    return n.fail("indices must be integers");
  FailureOr<int64_t> axis = normalizeAxis(n, n.getInt("axis", 0), dataType.getRank());
  if (failed(axis))
    return failure();

  // Shape vectors with known indices: pick the elements.
  if (isShapeVector(data) && dataType.getRank() == 1) {
    if (std::optional<SmallVector<int64_t>> picks = n.getConstantInts(1);
        picks && indicesType.getRank() <= 1) {
      SmallVector<Value> elements = extractElements(b, n.loc, data), picked;
      int64_t size = elements.size();
      for (int64_t p : *picks) {
        if (p < -size || p >= size)
          return n.fail("index " + Twine(p) + " is out of range for size " + Twine(size));
        picked.push_back(elements[p < 0 ? p + size : p]);
      }
      n.setOutput(0, buildFromElements(b, n.loc, dataType.getElementType(), picked,
                                       indicesType.getRank() == 0),
                  n.isUnsignedInput(0));
      return success();
    }
  }

  // A graph input that indexes a table records the table's size, so that
  // synthetic calibration inputs (qc-calibrate) draw ids in range.
  if (auto arg = dyn_cast<BlockArgument>(indices))
    if (auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
        func && !dataType.isDynamicDim(*axis)) {
      int64_t range = dataType.getDimSize(*axis);
      if (auto old = func.getArgAttrOfType<IntegerAttr>(arg.getArgNumber(), "onnx.index_range"))
        range = std::min(range, old.getInt());
      func.setArgAttr(arg.getArgNumber(), "onnx.index_range", b.getI64IntegerAttr(range));
    }

  // out[a..., i..., b...] = data[a..., indices[i...], b...]
  if (failed(checkIndexRange(n, 1, getDims(b, n.loc, data)[*axis])))
    return failure();
  data = nonEmptyAxis(b, n.loc, data, *axis);
  SmallVector<OpFoldResult> dataDims = getDims(b, n.loc, data);
  SmallVector<OpFoldResult> indexDims = getDims(b, n.loc, indices);
  SmallVector<OpFoldResult> outDims(dataDims.begin(), dataDims.begin() + *axis);
  llvm::append_range(outDims, indexDims);
  outDims.append(dataDims.begin() + *axis + 1, dataDims.end());
  int64_t outRank = outDims.size(), indexRank = indexDims.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> indexExprs;
  for (int64_t i = 0; i < indexRank; ++i)
    indexExprs.push_back(getAffineDimExpr(*axis + i, ctx));
  Value axisDim = indexValue(b, n.loc, dataDims[*axis]);
  Value result = buildParallelGeneric(
      b, n.loc, indices, {AffineMap::get(outRank, 0, indexExprs, ctx)}, outDims,
      dataType.getElementType(), [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        SmallVector<Value> coords;
        for (int64_t i = 0; i < *axis; ++i)
          coords.push_back(linalg::IndexOp::create(nb, l, i));
        coords.push_back(wrapIndex(nb, l, a[0], axisDim));
        for (int64_t i = *axis + 1; i < dataType.getRank(); ++i)
          coords.push_back(linalg::IndexOp::create(nb, l, i - 1 + indexRank));
        return tensor::ExtractOp::create(nb, l, data, coords);
      });
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

LogicalResult convertGatherElements(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  OpBuilder &b = n.b;
  Value data = n.input(0), indices = n.input(1);
  RankedTensorType dataType = typeOf(data), indicesType = typeOf(indices);
  if (dataType.getRank() != indicesType.getRank())
    return n.fail("data and indices must have one rank");
  FailureOr<int64_t> axis = normalizeAxis(n, n.getInt("axis", 0), dataType.getRank());
  if (failed(axis))
    return failure();
  int64_t rank = dataType.getRank();
  if (failed(checkIndexRange(n, 1, getDims(b, n.loc, data)[*axis])))
    return failure();
  data = nonEmptyAxis(b, n.loc, data, *axis);
  // The other dims of indices index data directly: no larger than data's.
  SmallVector<OpFoldResult> dataDims = getDims(b, n.loc, data);
  SmallVector<OpFoldResult> indexDims = getDims(b, n.loc, indices);
  SmallVector<Value> lastIndex(rank);
  for (int64_t i = 0; i < rank; ++i) {
    if (i == *axis)
      continue;
    std::optional<int64_t> have = getConstantIntValue(dataDims[i]),
                           want = getConstantIntValue(indexDims[i]);
    if (have && want) {
      if (*want > *have)
        return n.fail("indices dimension " + Twine(i) + " is " + Twine(*want) +
                      ", larger than data's " + Twine(*have));
      continue;
    }
    Value have64 = toI64(b, n.loc, dataDims[i]), want64 = toI64(b, n.loc, indexDims[i]);
    qc::CheckOp::create(b, n.loc,
                        arith::CmpIOp::create(b, n.loc, arith::CmpIPredicate::sle, want64, have64),
                        b.getStringAttr("indices dimension {0} is {1}, larger than data's {2}"),
                        ValueRange{arith::ConstantIntOp::create(b, n.loc, b.getI64Type(), i),
                                   want64, have64});
    lastIndex[i] = arith::SubIOp::create(b, n.loc, indexValue(b, n.loc, dataDims[i]),
                                         arith::ConstantIndexOp::create(b, n.loc, 1));
  }
  Value axisDim = indexValue(b, n.loc, dataDims[*axis]);
  Value result = buildParallelGeneric(
      b, n.loc, indices, {AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
      indexDims, dataType.getElementType(),
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        SmallVector<Value> coords;
        for (int64_t i = 0; i < rank; ++i) {
          if (i == *axis) {
            coords.push_back(wrapIndex(nb, l, a[0], axisDim));
            continue;
          }
          Value c = linalg::IndexOp::create(nb, l, i);
          coords.push_back(lastIndex[i] ? Value(arith::MinSIOp::create(nb, l, c, lastIndex[i])) : c);
        }
        return tensor::ExtractOp::create(nb, l, data, coords);
      });
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

LogicalResult convertExpand(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0), shape = n.input(1);
  if (typeOf(shape).getRank() != 1 || !typeOf(shape).hasStaticShape())
    return n.fail("the shape input must be a 1-D tensor of known length");
  SmallVector<OpFoldResult> inDims = getDims(b, n.loc, input);
  SmallVector<Value> elements = extractElements(b, n.loc, shape);
  int64_t rank = std::max<int64_t>(inDims.size(), elements.size());
  SmallVector<OpFoldResult> dims(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t ii = i - (rank - inDims.size()), si = i - (rank - elements.size());
    OpFoldResult in = ii >= 0 ? inDims[ii] : OpFoldResult(b.getIndexAttr(1));
    if (si < 0) {
      dims[i] = in;
      continue;
    }
    APInt value;
    std::optional<int64_t> inSize = getConstantIntValue(in);
    if (matchPattern(elements[si], m_ConstantInt(&value))) {
      int64_t s = value.getSExtValue();
      if (s == 1) {
        dims[i] = in;
      } else if (inSize && *inSize != 1 && *inSize != s) {
        return n.fail("cannot expand dimension of size " + Twine(*inSize) + " to " + Twine(s));
      } else {
        dims[i] = b.getIndexAttr(s);
      }
    } else {
      // A runtime size: the input's where it is not 1.
      dims[i] = inSize && *inSize == 1 ? toIndex(b, n.loc, elements[si]) : in;
    }
  }
  n.setOutput(0, buildBroadcast(b, n.loc, input, dims), n.isUnsignedInput(0));
  return success();
}

LogicalResult convertTile(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0);
  RankedTensorType type = typeOf(input);
  std::optional<SmallVector<int64_t>> repeats = n.getConstantInts(1);
  if (!repeats)
    return n.fail("repeats must be a constant");
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return n.fail("repeats must have one entry per dimension");
  if (!type.hasStaticShape())
    return n.fail("tiling needs a static input shape");
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> dims;
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if ((*repeats)[i] < 0)
      return n.fail("repeats must be >= 0");
    int64_t size = type.getDimSize(i);
    dims.push_back(b.getIndexAttr(size * (*repeats)[i]));
    exprs.push_back(size == 0 ? getAffineDimExpr(i, ctx) : getAffineDimExpr(i, ctx) % size);
  }
  Value result = buildParallelGeneric(
      b, n.loc, input, {AffineMap::get(type.getRank(), 0, exprs, ctx)}, dims,
      type.getElementType(), [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

/// Edge and reflect padding read the input at a mapped index:
/// out[i] = in[m(i - low)], m clamping (edge) or mirroring (reflect) into
/// [0, size).
LogicalResult padByIndex(NodeImporter &n, Value input, ArrayRef<OpFoldResult> low,
                         ArrayRef<OpFoldResult> high, bool reflect) {
  OpBuilder &b = n.b;
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t lo = *getConstantIntValue(low[i]), hi = *getConstantIntValue(high[i]);
    int64_t d = type.getDimSize(i);
    if ((lo || hi) && ShapedType::isDynamic(d))
      return n.fail("edge and reflect padding need static padded dimensions");
    if (reflect && (lo >= d || hi >= d) && (lo || hi))
      return n.fail("reflect pads must be smaller than the dimension");
    dims.push_back(ShapedType::isDynamic(d) ? getDims(b, n.loc, input)[i]
                                            : OpFoldResult(b.getIndexAttr(d + lo + hi)));
  }
  Value result = buildParallelGeneric(
      b, n.loc, ValueRange{}, {}, dims, type.getElementType(),
      [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        SmallVector<Value> coords;
        for (int64_t i = 0; i < rank; ++i) {
          Value idx = linalg::IndexOp::create(nb, l, i);
          int64_t lo = *getConstantIntValue(low[i]), hi = *getConstantIntValue(high[i]);
          if (!lo && !hi) {
            coords.push_back(idx);
            continue;
          }
          int64_t d = type.getDimSize(i);
          auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
          Value j = arith::SubIOp::create(nb, l, idx, c(lo));
          if (reflect) {
            // j < 0 -> -j; j >= d -> 2(d-1) - j
            Value neg = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, j, c(0));
            j = arith::SelectOp::create(nb, l, neg, arith::SubIOp::create(nb, l, c(0), j), j);
            Value over = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, j, c(d));
            j = arith::SelectOp::create(nb, l, over, arith::SubIOp::create(nb, l, c(2 * (d - 1)), j), j);
          } else {
            j = arith::MinSIOp::create(nb, l, arith::MaxSIOp::create(nb, l, j, c(0)), c(d - 1));
          }
          coords.push_back(j);
        }
        return tensor::ExtractOp::create(nb, l, input, coords);
      });
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

LogicalResult convertPad(NodeImporter &n) {
  bool legacy = n.getOpset() < 11;
  if (failed(n.expectInputs(1, legacy ? 1 : 4)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0);
  RankedTensorType type = typeOf(input);
  int64_t rank = type.getRank();
  std::string mode = n.getString("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return n.fail("mode '" + mode + "' is not supported (constant, edge, reflect)");
  std::optional<SmallVector<int64_t>> pads =
      legacy ? n.getInts(n.getOpset() < 2 ? "paddings" : "pads") : n.getConstantInts(1);
  if (!pads)
    return n.fail("pads must be a constant");
  SmallVector<int64_t> axes;
  if (!legacy && n.hasInput(3)) {
    std::optional<SmallVector<int64_t>> given = n.getConstantInts(3);
    if (!given)
      return n.fail("axes must be a constant");
    for (int64_t axis : *given) {
      FailureOr<int64_t> a = normalizeAxis(n, axis, rank);
      if (failed(a))
        return failure();
      axes.push_back(*a);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  if (pads->size() != 2 * axes.size())
    return n.fail("pads must have 2 entries per padded axis");
  SmallVector<OpFoldResult> low(rank, b.getIndexAttr(0)), high(rank, b.getIndexAttr(0));
  for (auto [i, axis] : llvm::enumerate(axes)) {
    int64_t lo = (*pads)[i], hi = (*pads)[i + axes.size()];
    if (lo < 0 || hi < 0)
      return n.fail("negative pads are not supported");
    low[axis] = b.getIndexAttr(lo);
    high[axis] = b.getIndexAttr(hi);
  }
  if (mode != "constant")
    return padByIndex(n, input, low, high, mode == "reflect");
  Value padValue;
  if (legacy) {
    padValue = buildScalar(b, n.loc, type.getElementType(), n.getFloat("value", 0.0f));
  } else if (n.hasInput(2)) {
    if (typeOf(n.input(2)).getNumElements() != 1)
      return n.fail("constant_value must be a scalar");
    padValue = extractElements(b, n.loc, buildReshape(b, n.loc, n.input(2), {}))[0];
  } else {
    padValue = buildScalar(b, n.loc, type.getElementType(), 0);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = type.getDimSize(i);
    shape.push_back(ShapedType::isDynamic(d)
                        ? d
                        : d + *getConstantIntValue(low[i]) + *getConstantIntValue(high[i]));
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Value padded = tensor::PadOp::create(b, n.loc, resultType, input, low, high, padValue);
  n.setOutput(0, padded, n.isUnsignedInput(0));
  return success();
}

LogicalResult convertConstant(NodeImporter &n) {
  if (failed(n.expectInputs(0, 0)))
    return failure();
  OpBuilder &b = n.b;
  if (const onnx::TensorProto *tensor = n.getTensor("value")) {
    bool isUnsigned = false;
    FailureOr<Value> value = n.importTensor(*tensor, &isUnsigned);
    if (failed(value))
      return failure();
    n.setOutput(0, *value, isUnsigned);
    return success();
  }
  if (n.hasAttr("value_float")) {
    float v = n.getFloat("value_float", 0);
    n.setOutput(0, arith::ConstantOp::create(b, n.loc, DenseElementsAttr::get(
                                                           RankedTensorType::get({}, b.getF32Type()), v)));
    return success();
  }
  if (n.hasAttr("value_int")) {
    int64_t v = n.getInt("value_int", 0);
    n.setOutput(0, arith::ConstantOp::create(b, n.loc, DenseElementsAttr::get(
                                                           RankedTensorType::get({}, b.getI64Type()), v)));
    return success();
  }
  if (std::optional<SmallVector<float>> v = n.getFloats("value_floats")) {
    auto type = RankedTensorType::get({static_cast<int64_t>(v->size())}, b.getF32Type());
    n.setOutput(0, arith::ConstantOp::create(b, n.loc, DenseElementsAttr::get(type, ArrayRef<float>(*v))));
    return success();
  }
  if (std::optional<SmallVector<int64_t>> v = n.getInts("value_ints")) {
    auto type = RankedTensorType::get({static_cast<int64_t>(v->size())}, b.getI64Type());
    n.setOutput(0, arith::ConstantOp::create(b, n.loc, DenseElementsAttr::get(type, ArrayRef<int64_t>(*v))));
    return success();
  }
  if (n.hasError())
    return failure();
  return n.fail("only tensor, float, int, floats and ints values are supported "
                "(not sparse or string constants)");
}

LogicalResult convertConstantOfShape(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  Value shape = n.input(0);
  if (typeOf(shape).getRank() != 1 || !typeOf(shape).hasStaticShape())
    return n.fail("the shape input must be a 1-D tensor of known length");
  // The fill value: the `value` attribute's one element, or float32 0.
  TypedAttr fill = b.getF32FloatAttr(0);
  bool isUnsigned = false;
  if (const onnx::TensorProto *value = n.getTensor("value")) {
    FailureOr<Value> scalar = n.importTensor(*value, &isUnsigned);
    if (failed(scalar))
      return failure();
    DenseElementsAttr dense;
    if (!matchPattern(*scalar, m_Constant(&dense)) || dense.getNumElements() != 1)
      return n.fail("value must hold one element");
    fill = cast<TypedAttr>(dense.getSplatValue<Attribute>());
    scalar->getDefiningOp()->erase();
  }
  SmallVector<OpFoldResult> dims;
  SmallVector<int64_t> staticShape;
  for (Value e : extractElements(b, n.loc, shape)) {
    dims.push_back(toIndex(b, n.loc, e));
    std::optional<int64_t> size = getConstantIntValue(dims.back());
    if (size && *size < 0)
      return n.fail("shape entries must be >= 0");
    staticShape.push_back(size ? *size : ShapedType::kDynamic);
  }
  auto type = RankedTensorType::get(staticShape, fill.getType());
  // A known shape is a splat constant (it folds further); a runtime one a fill.
  Value result = type.hasStaticShape()
                     ? Value(arith::ConstantOp::create(b, n.loc, DenseElementsAttr::get(type, Attribute(fill))))
                     : linalg::FillOp::create(b, n.loc, Value(arith::ConstantOp::create(b, n.loc, fill)),
                                              buildEmpty(b, n.loc, dims, fill.getType()))
                           .getResult(0);
  n.setOutput(0, result, isUnsigned);
  return success();
}

LogicalResult convertRange(NodeImporter &n) {
  if (failed(n.expectInputs(3, 3)))
    return failure();
  OpBuilder &b = n.b;
  Type type = typeOf(n.input(0)).getElementType();
  for (unsigned i = 0; i < 3; ++i)
    if (typeOf(n.input(i)).getNumElements() != 1 || typeOf(n.input(i)).getElementType() != type)
      return n.fail("start, limit and delta must be scalars of one type");
  bool isFloat = isa<FloatType>(type);
  auto scalar = [&](unsigned i) {
    return extractElements(b, n.loc, buildReshape(b, n.loc, n.input(i), {}))[0];
  };
  Value start = scalar(0), limit = scalar(1), delta = scalar(2);
  // count = max(ceil((limit - start) / delta), 0)
  OpFoldResult count;
  if (isFloat) {
    auto fs = n.getConstantFloats(0), fl = n.getConstantFloats(1), fd = n.getConstantFloats(2);
    if (fd && (*fd)[0] == 0)
      return n.fail("delta must not be 0");
    if (fs && fl && fd) {
      count = b.getIndexAttr(std::max<int64_t>(std::ceil(((*fl)[0] - (*fs)[0]) / (*fd)[0]), 0));
    } else {
      Value c = math::CeilOp::create(b, n.loc, arith::DivFOp::create(b, n.loc, arith::SubFOp::create(b, n.loc, limit, start), delta));
      c = arith::MaximumFOp::create(b, n.loc, c, buildScalar(b, n.loc, type, 0));
      count = toIndex(b, n.loc, arith::FPToSIOp::create(b, n.loc, b.getI64Type(), c));
    }
  } else {
    auto is = n.getConstantInts(0), il = n.getConstantInts(1), id = n.getConstantInts(2);
    if (id && (*id)[0] == 0)
      return n.fail("delta must not be 0");
    if (is && il && id) {
      int64_t d = (*id)[0], span = (*il)[0] - (*is)[0];
      int64_t c = d > 0 ? (span + d - 1) / d : (span + d + 1) / d;
      count = b.getIndexAttr(std::max<int64_t>(c, 0));
    } else {
      Value span = arith::SubIOp::create(b, n.loc, limit, start);
      Value c = arith::CeilDivSIOp::create(b, n.loc, span, delta);
      c = arith::MaxSIOp::create(b, n.loc, c, buildScalar(b, n.loc, type, 0));
      count = toIndex(b, n.loc, c);
    }
  }
  Value result = buildParallelGeneric(
      b, n.loc, ValueRange{}, {}, {count}, type, [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        Value i = linalg::IndexOp::create(nb, l, 0);
        Value iv = arith::IndexCastOp::create(nb, l, nb.getI64Type(), i);
        iv = convertScalar(nb, l, iv, type, false, false);
        if (isFloat)
          return arith::AddFOp::create(nb, l, start, arith::MulFOp::create(nb, l, iv, delta));
        return arith::AddIOp::create(nb, l, start, arith::MulIOp::create(nb, l, iv, delta));
      });
  n.setOutput(0, result);
  return success();
}

LogicalResult convertTrilu(NodeImporter &n) {
  if (failed(n.expectInputs(1, 2)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0);
  RankedTensorType type = typeOf(input);
  if (type.getRank() < 2)
    return n.fail("expects a tensor of rank >= 2");
  // k may be a runtime scalar; it is read once, outside the loop nest.
  Value k;
  if (n.hasInput(1)) {
    if (n.inputType(1).getNumElements() != 1 ||
        !isa<IntegerType>(n.inputType(1).getElementType()))
      return n.fail("k must be an integer scalar");
    Value scalar = extractElements(b, n.loc, buildReshape(b, n.loc, n.input(1), {}))[0];
    k = b.createOrFold<arith::IndexCastOp>(n.loc, b.getIndexType(), scalar);
  } else {
    k = arith::ConstantIndexOp::create(b, n.loc, 0);
  }
  bool upper = n.getInt("upper", 1) != 0;
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  Value result = buildParallelGeneric(
      b, n.loc, input, {AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
      getDims(b, n.loc, input), elementType, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value row = linalg::IndexOp::create(nb, l, rank - 2);
        Value col = linalg::IndexOp::create(nb, l, rank - 1);
        // Kept when col - row >= k (upper) or col - row <= k (lower).
        Value diff = arith::SubIOp::create(nb, l, col, row);
        Value keep = arith::CmpIOp::create(
            nb, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, diff, k);
        Value zero = elementType.isInteger(1)
                         ? Value(arith::ConstantOp::create(nb, l, nb.getBoolAttr(false)))
                         : buildScalar(nb, l, elementType, 0);
        return arith::SelectOp::create(nb, l, keep, a[0], zero);
      });
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

LogicalResult convertCumSum(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0);
  RankedTensorType type = typeOf(input);
  Type elementType = type.getElementType();
  if (elementType.isInteger(1))
    return n.fail("does not support bool tensors");
  std::optional<SmallVector<int64_t>> axisValue = n.getConstantInts(1);
  if (!axisValue || axisValue->size() != 1)
    return n.fail("axis must be a constant scalar");
  FailureOr<int64_t> axis = normalizeAxis(n, (*axisValue)[0], type.getRank());
  if (failed(axis))
    return failure();
  bool exclusive = n.getInt("exclusive", 0) != 0, reverse = n.getInt("reverse", 0) != 0;
  // out[..i..] = sum_j x[..j..] over j <= i (or j >= i reversed; strict when
  // exclusive): a masked reduction over an extra loop.
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> inExprs;
  for (int64_t i = 0; i < rank; ++i)
    inExprs.push_back(getAffineDimExpr(i == *axis ? rank : i, ctx));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  bool isFloat = isa<FloatType>(elementType);
  Value zero = buildScalar(b, n.loc, elementType, 0);
  Value init = linalg::FillOp::create(b, n.loc, zero,
                                      buildEmpty(b, n.loc, getDims(b, n.loc, input), elementType))
                   .getResult(0);
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < rank; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  auto generic = linalg::GenericOp::create(
      b, n.loc, TypeRange{init.getType()}, ValueRange{input}, ValueRange{init},
      {AffineMap::get(rank + 1, 0, inExprs, ctx), AffineMap::get(rank + 1, 0, outExprs, ctx)}, iterators,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value i = linalg::IndexOp::create(nb, l, *axis);
        Value j = linalg::IndexOp::create(nb, l, rank);
        arith::CmpIPredicate pred = reverse ? (exclusive ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::sge)
                                            : (exclusive ? arith::CmpIPredicate::slt : arith::CmpIPredicate::sle);
        Value in = arith::CmpIOp::create(nb, l, pred, j, i);
        Value z = buildScalar(nb, l, elementType, 0);
        Value term = arith::SelectOp::create(nb, l, in, a[0], z);
        Value sum = isFloat ? Value(arith::AddFOp::create(nb, l, a[1], term))
                            : Value(arith::AddIOp::create(nb, l, a[1], term));
        linalg::YieldOp::create(nb, l, sum);
      });
  n.setOutput(0, generic.getResult(0), n.isUnsignedInput(0));
  return success();
}

/// DepthToSpace and SpaceToDepth: reshape to 6-D, permute, reshape back.
LogicalResult convertBlockShuffle(NodeImporter &n, bool toSpace) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  Value input = n.input(0);
  RankedTensorType type = typeOf(input);
  if (type.getRank() != 4 || !type.hasStaticShape())
    return n.fail("expects a static 4-D NCHW tensor");
  int64_t bs = n.getInt("blocksize", 0);
  if (bs <= 0)
    return n.fail("blocksize must be > 0");
  int64_t N = type.getDimSize(0), C = type.getDimSize(1), H = type.getDimSize(2), W = type.getDimSize(3);
  auto idx = [&](ArrayRef<int64_t> v) {
    SmallVector<OpFoldResult> r;
    for (int64_t x : v)
      r.push_back(b.getIndexAttr(x));
    return r;
  };
  Value result;
  if (toSpace) {
    if (C % (bs * bs) != 0)
      return n.fail("channels must be a multiple of blocksize^2");
    bool crd = n.getString("mode", "DCR") == "CRD";
    int64_t c = C / (bs * bs);
    Value r = crd ? buildReshape(b, n.loc, input, idx({N, c, bs, bs, H, W}))
                  : buildReshape(b, n.loc, input, idx({N, bs, bs, c, H, W}));
    r = crd ? buildTranspose(b, n.loc, r, {0, 1, 4, 2, 5, 3})
            : buildTranspose(b, n.loc, r, {0, 3, 4, 1, 5, 2});
    result = buildReshape(b, n.loc, r, idx({N, c, H * bs, W * bs}));
  } else {
    if (H % bs != 0 || W % bs != 0)
      return n.fail("height and width must be multiples of blocksize");
    Value r = buildReshape(b, n.loc, input, idx({N, C, H / bs, bs, W / bs, bs}));
    r = buildTranspose(b, n.loc, r, {0, 3, 5, 1, 2, 4});
    result = buildReshape(b, n.loc, r, idx({N, C * bs * bs, H / bs, W / bs}));
  }
  n.setOutput(0, result, n.isUnsignedInput(0));
  return success();
}

const OpConversion kConversions[] = {
    {"Shape", 1, convertShape, "start, end; known dims fold to constants"},
    {"Size", 1, convertSize, "folds when the shape is known"},
    {"Reshape", 5, convertReshape, "0 (copy) and -1 (infer), allowzero; static result where the shape is known"},
    {"Transpose", 1, convertTranspose, "perm (default: reverse)"},
    {"Flatten", 1, convertFlatten, "axis"},
    {"Squeeze", 1, convertSqueeze, "axes attribute (< 13) or constant input"},
    {"Unsqueeze", 1, convertUnsqueeze, "axes attribute (< 13) or constant input"},
    {"Concat", 4, convertConcat, "axis; shape vectors fold"},
    {"Split", 2, convertSplit, "split attribute (< 13) or constant input; even split; num_outputs"},
    {"Slice", 1, convertSlice, "constant axes/steps; starts/ends constant or known at run time (step 1); negative steps on static dims"},
    {"Gather", 1, convertGather, "axis, negative indices; shape vectors fold"},
    {"GatherElements", 11, convertGatherElements, "axis, negative indices"},
    {"Expand", 8, convertExpand, "NumPy broadcasting to the given shape"},
    {"Tile", 6, convertTile, "constant repeats, static input"},
    {"Pad", 2, convertPad, "modes constant, edge, reflect; constant pads, constant_value, axes"},
    {"Constant", 1, convertConstant, "value, value_float(s), value_int(s)"},
    {"ConstantOfShape", 9, convertConstantOfShape, "value; static shapes fold to splat constants"},
    {"Range", 11, convertRange, "integer and float ranges, constant or runtime"},
    {"Trilu", 14, convertTrilu, "upper, k (constant or runtime)"},
    {"CumSum", 11, convertCumSum, "constant axis, exclusive, reverse"},
    {"DepthToSpace", 1, +[](NodeImporter &n) { return convertBlockShuffle(n, true); }, "blocksize, mode DCR/CRD, static NCHW"},
    {"SpaceToDepth", 1, +[](NodeImporter &n) { return convertBlockShuffle(n, false); }, "blocksize, static NCHW"},
};

} // namespace

ArrayRef<OpConversion> getShapeConversions() { return kConversions; }

} // namespace qc::onnx_frontend
