//===- Convolution.cpp - ONNX Conv, ConvTranspose and pooling --------------===//
//
// All of them are one windowed linalg.generic over NC[spatial] tensors:
// out[n, g, m, o...] += in[n, g, c, o*s + k*d ...] * w[g, m, c, k...], with
// the input padded first (tensor.pad). Groups are a reshape of the channel
// dimension; ConvTranspose is the convolution of the stride-dilated input
// with the flipped kernel; pools use a shape-only kernel operand.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "dialects/qc/QCDialect.h"

#include <limits>

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Window attributes shared by Conv, ConvTranspose and the pools.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd;
};

/// Reads kernel_shape/strides/dilations/pads/auto_pad for `spatial` dims of
/// `inShape` (static where auto_pad needs it).
FailureOr<Window> readWindow(NodeImporter &n, ArrayRef<int64_t> inSpatial,
                             ArrayRef<int64_t> kernel, bool transposed = false) {
  Window w;
  size_t r = inSpatial.size();
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = n.getInts("strides").value_or(SmallVector<int64_t>(r, 1));
  w.dilations = n.getInts("dilations").value_or(SmallVector<int64_t>(r, 1));
  SmallVector<int64_t> pads = n.getInts("pads").value_or(SmallVector<int64_t>(2 * r, 0));
  if (w.strides.size() != r || w.dilations.size() != r || pads.size() != 2 * r)
    return n.fail("strides, dilations and pads must match the " + Twine(r) +
                  " spatial dimensions");
  for (size_t i = 0; i < r; ++i)
    if (w.strides[i] <= 0 || w.dilations[i] <= 0 || w.kernel[i] <= 0 || pads[i] < 0 ||
        pads[i + r] < 0)
      return n.fail("kernel, strides and dilations must be > 0 and pads >= 0");
  w.padBegin.assign(pads.begin(), pads.begin() + r);
  w.padEnd.assign(pads.begin() + r, pads.end());
  std::string autoPad = n.getString("auto_pad", "NOTSET");
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < r; ++i) {
      if (ShapedType::isDynamic(inSpatial[i]))
        return n.fail("auto_pad " + autoPad + " needs static spatial dimensions");
      int64_t in = inSpatial[i], s = w.strides[i];
      int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total;
      if (transposed) {
        int64_t out = in * s;
        total = std::max<int64_t>((in - 1) * s + span - out, 0);
      } else {
        int64_t out = (in + s - 1) / s;
        total = std::max<int64_t>((out - 1) * s + span - in, 0);
      }
      bool upper = autoPad == "SAME_UPPER";
      w.padBegin[i] = upper ? total / 2 : total - total / 2;
      w.padEnd[i] = total - w.padBegin[i];
    }
  } else if (autoPad == "VALID") {
    std::fill(w.padBegin.begin(), w.padBegin.end(), 0);
    std::fill(w.padEnd.begin(), w.padEnd.end(), 0);
  } else if (autoPad != "NOTSET") {
    return n.fail("auto_pad '" + autoPad + "' is not valid");
  }
  return w;
}

/// Pads the spatial dims (2..) of `x` with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> begin,
                 ArrayRef<int64_t> end, Value value) {
  if (llvm::all_of(begin, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(end, [](int64_t p) { return p == 0; }))
    return x;
  RankedTensorType type = typeOf(x);
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape().take_front(2));
  for (size_t i = 0; i < begin.size(); ++i) {
    low.push_back(b.getIndexAttr(begin[i]));
    high.push_back(b.getIndexAttr(end[i]));
    int64_t d = type.getDimSize(i + 2);
    shape.push_back(ShapedType::isDynamic(d) ? d : d + begin[i] + end[i]);
  }
  auto padded = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, padded, x, low, high, value);
}

/// Output size of a window sweep over a (padded) size.
OpFoldResult sweepSize(OpBuilder &b, Location loc, OpFoldResult padded, int64_t kernel,
                       int64_t stride, int64_t dilation) {
  int64_t span = (kernel - 1) * dilation + 1;
  if (std::optional<int64_t> p = getConstantIntValue(padded))
    return b.getIndexAttr(*p < span ? 0 : (*p - span) / stride + 1);
  Value v = getValueOrCreateConstantIndexOp(b, loc, padded);
  v = arith::SubIOp::create(b, loc, v, arith::ConstantIndexOp::create(b, loc, span));
  v = arith::DivSIOp::create(b, loc, v, arith::ConstantIndexOp::create(b, loc, stride));
  return arith::AddIOp::create(b, loc, v, arith::ConstantIndexOp::create(b, loc, 1))
      .getResult();
}

/// The grouped convolution of padded input [N, G, C, S...] with weights
/// [G, M, C, K...] (or [G, C, M, K...] flipped, for ConvTranspose) into
/// [N, G, M, O...].
Value buildConv(OpBuilder &b, Location loc, Value x, Value w, const Window &win,
                bool transposedWeights, ArrayRef<int64_t> stridesForMap) {
  MLIRContext *ctx = b.getContext();
  int64_t r = win.kernel.size();
  Type elementType = typeOf(x).getElementType();
  SmallVector<OpFoldResult> xDims = getDims(b, loc, x), wDims = getDims(b, loc, w);
  // Loops: n, g, m, o_1..o_r (parallel), c, k_1..k_r (reduction).
  int64_t loops = 3 + r + 1 + r;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  int64_t cLoop = 3 + r;
  SmallVector<AffineExpr> xExprs{d(0), d(1), d(cLoop)}, wExprs, outExprs{d(0), d(1), d(2)};
  wExprs = transposedWeights ? SmallVector<AffineExpr>{d(1), d(cLoop), d(2)}
                             : SmallVector<AffineExpr>{d(1), d(2), d(cLoop)};
  SmallVector<OpFoldResult> outDims{xDims[0], xDims[1], wDims[transposedWeights ? 2 : 1]};
  for (int64_t i = 0; i < r; ++i) {
    AffineExpr k = d(cLoop + 1 + i);
    // The flipped kernel of ConvTranspose reads x at the mirrored tap, so
    // that every loop still indexes some operand directly (linalg needs the
    // maps to be invertible).
    AffineExpr tap = transposedWeights ? (win.kernel[i] - 1) - k : k;
    xExprs.push_back(d(3 + i) * stridesForMap[i] + tap * win.dilations[i]);
    wExprs.push_back(k);
    outExprs.push_back(d(3 + i));
    outDims.push_back(sweepSize(b, loc, xDims[3 + i], win.kernel[i], stridesForMap[i],
                                win.dilations[i]));
  }
  SmallVector<utils::IteratorType> iterators(3 + r, utils::IteratorType::parallel);
  iterators.append(1 + r, utils::IteratorType::reduction);
  Value zero = buildScalar(b, loc, elementType, 0);
  Value init = linalg::FillOp::create(b, loc, zero, buildEmpty(b, loc, outDims, elementType))
                   .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{x, w}, ValueRange{init},
      {AffineMap::get(loops, 0, xExprs, ctx), AffineMap::get(loops, 0, wExprs, ctx),
       AffineMap::get(loops, 0, outExprs, ctx)},
      iterators, [](OpBuilder &nb, Location l, ValueRange a) {
        Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
        linalg::YieldOp::create(nb, l, Value(arith::AddFOp::create(nb, l, a[2], p)));
      });
  return generic.getResult(0);
}

/// [N, G*C, S...] <-> [N, G, C, S...]
Value splitChannels(OpBuilder &b, Location loc, Value x, int64_t groups) {
  SmallVector<OpFoldResult> dims = getDims(b, loc, x);
  int64_t c = *getConstantIntValue(dims[1]);
  SmallVector<OpFoldResult> out{dims[0], b.getIndexAttr(groups), b.getIndexAttr(c / groups)};
  out.append(dims.begin() + 2, dims.end());
  return buildReshape(b, loc, x, out);
}
Value mergeChannels(OpBuilder &b, Location loc, Value x) {
  SmallVector<OpFoldResult> dims = getDims(b, loc, x);
  SmallVector<OpFoldResult> out{dims[0], b.getIndexAttr(*getConstantIntValue(dims[1]) *
                                                         *getConstantIntValue(dims[2]))};
  out.append(dims.begin() + 3, dims.end());
  return buildReshape(b, loc, x, out);
}

/// Adds a per-channel bias [M] to [N, M, S...].
FailureOr<Value> addBias(NodeImporter &n, Value y, Value bias) {
  SmallVector<OpFoldResult> dims = getDims(n.b, n.loc, bias);
  dims.resize(typeOf(y).getRank() - 1, n.b.getIndexAttr(1));
  Value shaped = buildReshape(n.b, n.loc, bias, dims);
  return buildElementwise(n, {y, shaped}, typeOf(y).getElementType(),
                          [](OpBuilder &b, Location l, ValueRange a) {
                            return arith::AddFOp::create(b, l, a[0], a[1]);
                          });
}

/// Output 0 of Conv and ConvTranspose: `y` plus the optional bias input 2.
LogicalResult setConvOutput(NodeImporter &n, Value y) {
  if (n.hasInput(2)) {
    FailureOr<Value> biased = addBias(n, y, n.input(2));
    if (failed(biased))
      return failure();
    y = *biased;
  }
  n.setOutput(0, y);
  return success();
}

/// Checks the NC[spatial] input and weight shapes common to Conv and
/// ConvTranspose.
LogicalResult checkConvOperands(NodeImporter &n, RankedTensorType xType,
                                RankedTensorType wType, int64_t groups) {
  if (!isa<FloatType>(xType.getElementType()) || wType.getElementType() != xType.getElementType())
    return n.fail("expects float input and weights of one type");
  if (xType.getRank() < 3 || wType.getRank() != xType.getRank())
    return n.fail("expects N x C x spatial input and weights of the same rank");
  if (!wType.hasStaticShape() || xType.isDynamicDim(1))
    return n.fail("channels and weights must have static shapes");
  if (groups <= 0 || xType.getDimSize(1) % groups != 0)
    return n.fail("group " + Twine(groups) + " does not divide the " +
                  Twine(xType.getDimSize(1)) + " input channels");
  return success();
}

/// A convolution with constant weights as a linear layer over its input
/// patches (im2col): patches [N*O..., C*K...] times the weight [M, C*K...]
/// as a qc.linear, so that quantization sees it as the layer it is and the
/// back ends run it as a GEMM; then [N, O..., M] -> [N, M, O...].
LogicalResult convertConvAsLinear(NodeImporter &n, Value padded, RankedTensorType wType,
                                  ArrayRef<char> weightBytes, const Window &win) {
  OpBuilder &b = n.b;
  MLIRContext *ctx = b.getContext();
  Type elementType = wType.getElementType();
  int64_t r = win.kernel.size();
  int64_t m = wType.getDimSize(0), c = wType.getDimSize(1);
  int64_t taps = c;
  for (int64_t k : win.kernel)
    taps *= k;
  SmallVector<OpFoldResult> xDims = getDims(b, n.loc, padded);
  // Loops: n, o_1..o_r, c, k_1..k_r, all parallel; the patch tensor is
  // [N, O..., C, K...] and reads x[n, c, o_i * stride_i + k_i * dilation_i].
  int64_t loops = 2 + 2 * r;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs{d(0), d(1 + r)};
  SmallVector<OpFoldResult> patchDims{xDims[0]};
  for (int64_t i = 0; i < r; ++i) {
    xExprs.push_back(d(1 + i) * win.strides[i] + d(2 + r + i) * win.dilations[i]);
    patchDims.push_back(
        sweepSize(b, n.loc, xDims[2 + i], win.kernel[i], win.strides[i], win.dilations[i]));
  }
  SmallVector<OpFoldResult> outSpatial(patchDims.begin() + 1, patchDims.end());
  patchDims.push_back(b.getIndexAttr(c));
  for (int64_t k : win.kernel)
    patchDims.push_back(b.getIndexAttr(k));
  Value patchInit = buildEmpty(b, n.loc, patchDims, elementType);
  Value patches = linalg::GenericOp::create(
                      b, n.loc, TypeRange{patchInit.getType()}, ValueRange{padded},
                      ValueRange{patchInit},
                      {AffineMap::get(loops, 0, xExprs, ctx),
                       AffineMap::getMultiDimIdentityMap(loops, ctx)},
                      SmallVector<utils::IteratorType>(loops, utils::IteratorType::parallel),
                      [](OpBuilder &nb, Location l, ValueRange a) {
                        linalg::YieldOp::create(nb, l, a[0]);
                      })
                      .getResult(0);
  OpFoldResult rows = buildProduct(b, n.loc, ArrayRef<OpFoldResult>(patchDims).take_front(1 + r));
  Value patches2d = buildReshape(b, n.loc, patches, {rows, b.getIndexAttr(taps)});
  Value weight = n.makeConstant(RankedTensorType::get({m, taps}, elementType), weightBytes,
                                n.getNode().input(1));
  Value bias;
  if (n.hasInput(2) && n.getConstant(2) && n.inputType(2).getRank() == 1)
    bias = n.input(2);
  Value y = qc::LinearOp::create(b, n.loc, patches2d, weight, bias);
  SmallVector<OpFoldResult> nhwc{xDims[0]};
  nhwc.append(outSpatial.begin(), outSpatial.end());
  nhwc.push_back(b.getIndexAttr(m));
  SmallVector<int64_t> toChannelsFirst{0, 1 + r};
  for (int64_t i = 0; i < r; ++i)
    toChannelsFirst.push_back(1 + i);
  y = buildTranspose(b, n.loc, buildReshape(b, n.loc, y, nhwc), toChannelsFirst);
  if (!bias) // a bias qc.linear could not take is added as Conv's others are
    return setConvOutput(n, y);
  n.setOutput(0, y);
  return success();
}

LogicalResult convertConv(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  OpBuilder &b = n.b;
  Value x = n.input(0), w = n.input(1);
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  int64_t groups = n.getInt("group", 1);
  if (failed(checkConvOperands(n, xType, wType, groups)))
    return failure();
  int64_t r = xType.getRank() - 2;
  if (wType.getDimSize(1) * groups != xType.getDimSize(1) || wType.getDimSize(0) % groups != 0)
    return n.fail("weights of shape [" + Twine(wType.getDimSize(0)) + ", " +
                  Twine(wType.getDimSize(1)) + ", ...] do not fit " +
                  Twine(xType.getDimSize(1)) + " input channels in " + Twine(groups) + " groups");
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  if (auto given = n.getInts("kernel_shape"); given && !llvm::equal(*given, kernel))
    return n.fail("kernel_shape does not match the weights");
  FailureOr<Window> win = readWindow(n, xType.getShape().drop_front(2), kernel);
  if (failed(win))
    return failure();
  Value zero = buildScalar(b, n.loc, xType.getElementType(), 0);
  Value padded = padSpatial(b, n.loc, x, win->padBegin, win->padEnd, zero);
  if (groups == 1)
    if (std::optional<std::vector<char>> bytes = n.getConstantBytes(1))
      return convertConvAsLinear(n, padded, wType, *bytes, *win);
  Value xg = splitChannels(b, n.loc, padded, groups);
  SmallVector<OpFoldResult> wDims{b.getIndexAttr(groups), b.getIndexAttr(wType.getDimSize(0) / groups),
                                  b.getIndexAttr(wType.getDimSize(1))};
  for (int64_t i = 0; i < r; ++i)
    wDims.push_back(b.getIndexAttr(kernel[i]));
  Value wg = buildReshape(b, n.loc, w, wDims);
  Value y = mergeChannels(b, n.loc, buildConv(b, n.loc, xg, wg, *win, false, win->strides));
  return setConvOutput(n, y);
}

LogicalResult convertConvTranspose(NodeImporter &n) {
  if (failed(n.expectInputs(2, 3)))
    return failure();
  OpBuilder &b = n.b;
  Value x = n.input(0), w = n.input(1);
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  int64_t groups = n.getInt("group", 1);
  if (failed(checkConvOperands(n, xType, wType, groups)))
    return failure();
  if (wType.getDimSize(0) != xType.getDimSize(1))
    return n.fail("weights must have one row per input channel");
  int64_t r = xType.getRank() - 2;
  if (!xType.hasStaticShape())
    return n.fail("needs a static input shape");
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  FailureOr<Window> win = readWindow(n, xType.getShape().drop_front(2), kernel, /*transposed=*/true);
  if (failed(win))
    return failure();
  SmallVector<int64_t> outputPadding =
      n.getInts("output_padding").value_or(SmallVector<int64_t>(r, 0));
  if (static_cast<int64_t>(outputPadding.size()) != r)
    return n.fail("output_padding must have one entry per spatial dimension");
  if (auto outputShape = n.getInts("output_shape")) {
    // Explicit output shape: derive the padding (SAME_UPPER split).
    if (static_cast<int64_t>(outputShape->size()) != r)
      return n.fail("output_shape must have one entry per spatial dimension");
    for (int64_t i = 0; i < r; ++i) {
      int64_t span = (kernel[i] - 1) * win->dilations[i] + 1;
      int64_t total = win->strides[i] * (xType.getDimSize(2 + i) - 1) + outputPadding[i] + span -
                      (*outputShape)[i];
      if (total < 0) {
        // A larger output than the sweep covers: the rest is zero padding at
        // the end, as ONNX Runtime computes it.
        win->padBegin[i] = 0;
        win->padEnd[i] = total;
        continue;
      }
      std::string autoPad = n.getString("auto_pad", "NOTSET");
      win->padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      win->padEnd[i] = total - win->padBegin[i];
    }
  }
  // Dilate the input by the stride (zeros between elements), then pad by
  // span - 1 - pad on each side, and convolve with the flipped kernel.
  Type elementType = xType.getElementType();
  Value zero = buildScalar(b, n.loc, elementType, 0);
  SmallVector<OpFoldResult> dilatedDims{b.getIndexAttr(xType.getDimSize(0)),
                                        b.getIndexAttr(xType.getDimSize(1))};
  SmallVector<OpFoldResult> offsets(2 + r, b.getIndexAttr(0)), sizes, strides(2, b.getIndexAttr(1));
  for (int64_t i = 0; i < 2 + r; ++i)
    sizes.push_back(b.getIndexAttr(xType.getDimSize(i)));
  SmallVector<int64_t> before, after;
  for (int64_t i = 0; i < r; ++i) {
    int64_t span = (kernel[i] - 1) * win->dilations[i] + 1;
    dilatedDims.push_back(b.getIndexAttr((xType.getDimSize(2 + i) - 1) * win->strides[i] + 1));
    strides.push_back(b.getIndexAttr(win->strides[i]));
    before.push_back(span - 1 - win->padBegin[i]);
    after.push_back(span - 1 - win->padEnd[i] + outputPadding[i]);
    if (before.back() < 0 || after.back() < 0)
      return n.fail("pads larger than the kernel span are not supported");
  }
  Value dilated = linalg::FillOp::create(b, n.loc, zero, buildEmpty(b, n.loc, dilatedDims, elementType))
                      .getResult(0);
  dilated = tensor::InsertSliceOp::create(b, n.loc, x, dilated, offsets, sizes, strides);
  Value padded = padSpatial(b, n.loc, dilated, before, after, zero);
  Value xg = splitChannels(b, n.loc, padded, groups);
  int64_t cPerGroup = wType.getDimSize(0) / groups, m = wType.getDimSize(1);
  SmallVector<OpFoldResult> wDims{b.getIndexAttr(groups), b.getIndexAttr(cPerGroup), b.getIndexAttr(m)};
  for (int64_t k : kernel)
    wDims.push_back(b.getIndexAttr(k));
  Value wg = buildReshape(b, n.loc, w, wDims);
  SmallVector<int64_t> unitStrides(r, 1);
  Value y = mergeChannels(b, n.loc, buildConv(b, n.loc, xg, wg, *win, true, unitStrides));
  return setConvOutput(n, y);
}

/// out[n, c, o...] = combine over k of in[n, c, o*s + k*d ...]
Value buildPool(OpBuilder &b, Location loc, Value x, const Window &win, TypedAttr init,
                ScalarFn combine) {
  MLIRContext *ctx = b.getContext();
  int64_t r = win.kernel.size();
  Type elementType = typeOf(x).getElementType();
  SmallVector<OpFoldResult> xDims = getDims(b, loc, x), outDims{xDims[0], xDims[1]}, kDims;
  int64_t loops = 2 + 2 * r;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs{d(0), d(1)}, kExprs, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < r; ++i) {
    xExprs.push_back(d(2 + i) * win.strides[i] + d(2 + r + i) * win.dilations[i]);
    kExprs.push_back(d(2 + r + i));
    outExprs.push_back(d(2 + i));
    outDims.push_back(sweepSize(b, loc, xDims[2 + i], win.kernel[i], win.strides[i], win.dilations[i]));
    kDims.push_back(b.getIndexAttr(win.kernel[i]));
  }
  SmallVector<utils::IteratorType> iterators(2 + r, utils::IteratorType::parallel);
  iterators.append(r, utils::IteratorType::reduction);
  Value kernel = buildEmpty(b, loc, kDims, elementType); // shape only
  Value initValue = arith::ConstantOp::create(b, loc, init);
  Value out = linalg::FillOp::create(b, loc, initValue, buildEmpty(b, loc, outDims, elementType))
                  .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{out.getType()}, ValueRange{x, kernel}, ValueRange{out},
      {AffineMap::get(loops, 0, xExprs, ctx), AffineMap::get(loops, 0, kExprs, ctx),
       AffineMap::get(loops, 0, outExprs, ctx)},
      iterators, [&](OpBuilder &nb, Location l, ValueRange a) {
        linalg::YieldOp::create(nb, l, combine(nb, l, {a[2], a[0]}));
      });
  return generic.getResult(0);
}

/// Pool window from the attributes; with ceil_mode the end padding grows so
/// that the last partial window is kept.
FailureOr<Window> readPoolWindow(NodeImporter &n, RankedTensorType xType) {
  std::optional<SmallVector<int64_t>> kernel = n.getInts("kernel_shape");
  int64_t r = xType.getRank() - 2;
  if (!kernel || static_cast<int64_t>(kernel->size()) != r)
    return n.fail("kernel_shape must have one entry per spatial dimension");
  FailureOr<Window> win = readWindow(n, xType.getShape().drop_front(2), *kernel);
  if (failed(win))
    return failure();
  if (n.getInt("ceil_mode", 0) != 0) {
    for (int64_t i = 0; i < r; ++i) {
      int64_t d = xType.getDimSize(2 + i);
      if (ShapedType::isDynamic(d))
        return n.fail("ceil_mode needs static spatial dimensions");
      int64_t span = (win->kernel[i] - 1) * win->dilations[i] + 1;
      int64_t padded = d + win->padBegin[i] + win->padEnd[i];
      int64_t out = (padded - span + win->strides[i] - 1) / win->strides[i] + 1;
      // A window must start inside the input or its begin padding.
      if ((out - 1) * win->strides[i] >= d + win->padBegin[i])
        --out;
      win->padEnd[i] += std::max<int64_t>((out - 1) * win->strides[i] + span - padded, 0);
    }
  }
  return win;
}

LogicalResult checkPoolInput(NodeImporter &n, RankedTensorType xType) {
  if (!isa<FloatType>(xType.getElementType()) || xType.getRank() < 3)
    return n.fail("expects a float N x C x spatial tensor");
  return success();
}

/// MaxPool with its Indices output: a pool with two results, the maximum and
/// the flat index of its first occurrence in the unpadded input (row-major
/// NC[spatial], or with the spatial dims column-major when storage_order).
LogicalResult emitMaxPoolWithIndices(NodeImporter &n, Value padded, RankedTensorType xType,
                                     const Window &win, TypedAttr lowest, bool columnMajor) {
  OpBuilder &b = n.b;
  MLIRContext *ctx = b.getContext();
  int64_t r = win.kernel.size();
  SmallVector<OpFoldResult> xDims = getDims(b, n.loc, padded), outDims{xDims[0], xDims[1]}, kDims;
  int64_t loops = 2 + 2 * r;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs{d(0), d(1)}, kExprs, outExprs{d(0), d(1)};
  for (int64_t i = 0; i < r; ++i) {
    xExprs.push_back(d(2 + i) * win.strides[i] + d(2 + r + i) * win.dilations[i]);
    kExprs.push_back(d(2 + r + i));
    outExprs.push_back(d(2 + i));
    outDims.push_back(sweepSize(b, n.loc, xDims[2 + i], win.kernel[i], win.strides[i], win.dilations[i]));
    kDims.push_back(b.getIndexAttr(win.kernel[i]));
  }
  Type type = xType.getElementType();
  Value kernel = buildEmpty(b, n.loc, kDims, type);
  Value values = linalg::FillOp::create(b, n.loc, Value(arith::ConstantOp::create(b, n.loc, lowest)),
                                        buildEmpty(b, n.loc, outDims, type))
                     .getResult(0);
  Value indices = linalg::FillOp::create(b, n.loc, buildScalar(b, n.loc, b.getI64Type(), -1),
                                         buildEmpty(b, n.loc, outDims, b.getI64Type()))
                      .getResult(0);
  SmallVector<utils::IteratorType> iterators(2 + r, utils::IteratorType::parallel);
  iterators.append(r, utils::IteratorType::reduction);
  AffineMap outMap = AffineMap::get(loops, 0, outExprs, ctx);
  ArrayRef<int64_t> shape = xType.getShape();
  auto generic = linalg::GenericOp::create(
      b, n.loc, TypeRange{values.getType(), indices.getType()}, ValueRange{padded, kernel},
      ValueRange{values, indices},
      {AffineMap::get(loops, 0, xExprs, ctx), AffineMap::get(loops, 0, kExprs, ctx), outMap, outMap},
      iterators, [&](OpBuilder &nb, Location l, ValueRange a) {
        auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
        // The element's position in the unpadded input.
        SmallVector<Value> pos{linalg::IndexOp::create(nb, l, 0), linalg::IndexOp::create(nb, l, 1)};
        for (int64_t i = 0; i < r; ++i) {
          Value o = linalg::IndexOp::create(nb, l, 2 + i), k = linalg::IndexOp::create(nb, l, 2 + r + i);
          Value p = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, o, c(win.strides[i])),
                                          arith::MulIOp::create(nb, l, k, c(win.dilations[i])));
          pos.push_back(arith::SubIOp::create(nb, l, p, c(win.padBegin[i])));
        }
        SmallVector<int64_t> order;
        for (int64_t i = 0; i < 2 + r; ++i)
          order.push_back(i);
        if (columnMajor)
          std::reverse(order.begin() + 2, order.end());
        Value flat = c(0);
        for (int64_t i : order)
          flat = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, flat, c(shape[i])), pos[i]);
        Value better = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a[0], a[2]);
        Value index = arith::IndexCastOp::create(nb, l, nb.getI64Type(), flat);
        linalg::YieldOp::create(nb, l, ValueRange{arith::SelectOp::create(nb, l, better, a[0], a[2]),
                                                  arith::SelectOp::create(nb, l, better, index, a[3])});
      });
  n.setOutput(0, generic.getResult(0));
  n.setOutput(1, generic.getResult(1));
  return success();
}

LogicalResult convertMaxPool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  bool wantsIndices = n.getNumOutputs() > 1 && !n.getNode().output(1).empty();
  OpBuilder &b = n.b;
  RankedTensorType xType = typeOf(n.input(0));
  Type type = xType.getElementType();
  bool isFloat = isa<FloatType>(type), isUnsigned = n.isUnsignedInput(0);
  if (xType.getRank() < 3 || type.isInteger(1))
    return n.fail("expects a numeric N x C x spatial tensor");
  FailureOr<Window> win = readPoolWindow(n, xType);
  if (failed(win))
    return failure();
  // Padding and the initial value are the type's lowest value.
  TypedAttr lowest =
      isFloat ? TypedAttr(b.getFloatAttr(type, -std::numeric_limits<double>::infinity()))
              : TypedAttr(b.getIntegerAttr(type, isUnsigned ? APInt::getMinValue(type.getIntOrFloatBitWidth())
                                                            : APInt::getSignedMinValue(type.getIntOrFloatBitWidth())));
  Value padValue = arith::ConstantOp::create(b, n.loc, lowest);
  Value x = padSpatial(b, n.loc, n.input(0), win->padBegin, win->padEnd, padValue);
  if (wantsIndices) {
    if (!isFloat || !xType.hasStaticShape())
      return n.fail("the Indices output needs a float input of static shape");
    return emitMaxPoolWithIndices(n, x, xType, *win, lowest, n.getInt("storage_order", 0) != 0);
  }
  n.setOutput(0,
              buildPool(b, n.loc, x, *win, lowest,
                        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          if (isFloat)
                            return arith::MaximumFOp::create(nb, l, a[0], a[1]);
                          if (isUnsigned)
                            return arith::MaxUIOp::create(nb, l, a[0], a[1]);
                          return arith::MaxSIOp::create(nb, l, a[0], a[1]);
                        }),
              isUnsigned);
  return success();
}

LogicalResult convertAveragePool(NodeImporter &n) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  RankedTensorType xType = typeOf(n.input(0));
  if (failed(checkPoolInput(n, xType)))
    return failure();
  // The divisor comes from pooling a mask: 1 over the input, and over the
  // explicit pads when count_include_pad; 0 over ceil_mode's overhang.
  FailureOr<Window> win = readPoolWindow(n, xType);
  if (failed(win))
    return failure();
  FailureOr<Window> plain = readWindow(n, xType.getShape().drop_front(2), win->kernel);
  if (failed(plain))
    return failure();
  Type type = xType.getElementType();
  bool includePad = n.getInt("count_include_pad", 0) != 0;
  Value zero = buildScalar(b, n.loc, type, 0), one = buildScalar(b, n.loc, type, 1);
  auto add = [](OpBuilder &nb, Location l, ValueRange a) {
    return arith::AddFOp::create(nb, l, a[0], a[1]);
  };
  Value x = padSpatial(b, n.loc, n.input(0), win->padBegin, win->padEnd, zero);
  Value sum = buildPool(b, n.loc, x, *win, b.getFloatAttr(type, 0), add);
  Value mask = linalg::FillOp::create(b, n.loc, one, buildEmpty(b, n.loc, getDims(b, n.loc, n.input(0)), type))
                   .getResult(0);
  mask = padSpatial(b, n.loc, mask, plain->padBegin, plain->padEnd, includePad ? one : zero);
  SmallVector<int64_t> overhang, none(win->kernel.size(), 0);
  for (size_t i = 0; i < win->kernel.size(); ++i)
    overhang.push_back(win->padEnd[i] - plain->padEnd[i]);
  mask = padSpatial(b, n.loc, mask, none, overhang, zero);
  Value count = buildPool(b, n.loc, mask, *win, b.getFloatAttr(type, 0), add);
  FailureOr<Value> y = buildElementwise(n, {sum, count}, type, [](OpBuilder &nb, Location l, ValueRange a) {
    return arith::DivFOp::create(nb, l, a[0], a[1]);
  });
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

LogicalResult convertGlobalPool(NodeImporter &n, bool isMax) {
  if (failed(n.expectInputs(1, 1)))
    return failure();
  OpBuilder &b = n.b;
  Value x = n.input(0);
  RankedTensorType xType = typeOf(x);
  if (failed(checkPoolInput(n, xType)))
    return failure();
  Type type = xType.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < xType.getRank(); ++i)
    axes.push_back(i);
  double init = isMax ? -std::numeric_limits<double>::infinity() : 0;
  Value reduced = buildReduce(b, n.loc, x, axes, /*keepDims=*/true, b.getFloatAttr(type, init),
                              [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                                if (isMax)
                                  return arith::MaximumFOp::create(nb, l, a[0], a[1]);
                                return arith::AddFOp::create(nb, l, a[0], a[1]);
                              });
  if (!isMax) {
    Value c = buildCount(b, n.loc, ArrayRef<OpFoldResult>(getDims(b, n.loc, x)).drop_front(2), type);
    FailureOr<Value> mean = buildElementwise(n, reduced, type, [&](OpBuilder &nb, Location l, ValueRange a) {
      return arith::DivFOp::create(nb, l, a[0], c);
    });
    if (failed(mean))
      return failure();
    reduced = *mean;
  }
  n.setOutput(0, reduced);
  return success();
}

const OpConversion kConversions[] = {
    {"Conv", 1, convertConv,
     "float; 1-D/2-D/3-D, group, strides, dilations, pads, auto_pad; static channels and weights; constant weights in one group become im2col + qc.linear"},
    {"ConvTranspose", 1, convertConvTranspose,
     "float; group, strides, dilations, pads, auto_pad, output_padding, output_shape; static input"},
    {"MaxPool", 1, convertMaxPool,
     "float and integer; kernel_shape, strides, dilations, pads, auto_pad, ceil_mode; Indices output (storage_order)"},
    {"AveragePool", 1, convertAveragePool,
     "float; kernel_shape, strides, dilations, pads, auto_pad, ceil_mode, count_include_pad"},
    {"GlobalAveragePool", 1, +[](NodeImporter &n) { return convertGlobalPool(n, false); }, "float"},
    {"GlobalMaxPool", 1, +[](NodeImporter &n) { return convertGlobalPool(n, true); }, "float"},
};

} // namespace

ArrayRef<OpConversion> getConvolutionConversions() { return kConversions; }

} // namespace qc::onnx_frontend
