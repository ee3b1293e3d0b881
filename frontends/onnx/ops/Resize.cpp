//===- Resize.cpp - ONNX Resize and Upsample -------------------------------===//
//
// One linalg.generic over the output: each element maps its index back to
// input coordinates (coordinate_transformation_mode) and sums the taps of
// the resized axes, weighted: one tap for nearest, 2 for linear, 4 for cubic
// per axis (tensor.extract in the body).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/TensorBuilders.h"
#include "frontends/onnx/ops/Conversions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;

namespace qc::onnx_frontend {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

enum class Interpolation { Nearest, Linear, Cubic };

struct ResizeSpec {
  Interpolation mode;
  double cubicA = -0.75;
  bool excludeOutside = false;
  std::string coordinateMode, nearestMode;
  SmallVector<double> scales;      // per dim
  SmallVector<double> roiStart, roiEnd; // per dim, tf_crop_and_resize only
  double extrapolation = 0;
  SmallVector<int64_t> outShape;   // per dim
};

/// Input coordinate (float) of output index `o` along one axis.
Value sourceCoordinate(OpBuilder &b, Location l, Value o, int64_t in, int64_t out,
                       double scale, StringRef mode, double roiStart = 0, double roiEnd = 1) {
  Type f32 = b.getF32Type();
  auto c = [&](double v) { return buildScalar(b, l, f32, v); };
  Value of = arith::SIToFPOp::create(b, l, f32, arith::IndexCastOp::create(b, l, b.getI64Type(), o));
  if (mode == "asymmetric")
    return arith::DivFOp::create(b, l, of, c(scale));
  if (mode == "tf_crop_and_resize") {
    if (out == 1)
      return c(0.5 * (roiStart + roiEnd) * (in - 1));
    return arith::AddFOp::create(
        b, l, c(roiStart * (in - 1)),
        arith::MulFOp::create(b, l, of, c((roiEnd - roiStart) * (in - 1) / (out - 1))));
  }
  if (mode == "tf_half_pixel_for_nn")
    return arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, of, c(0.5)), c(scale));
  if (mode == "align_corners") {
    // ONNX divides by the unrounded resized length, in * scale (2.4 when 4
    // is scaled by 0.6), not by the output size.
    double resized = in * scale;
    return out == 1 ? c(0) : arith::MulFOp::create(b, l, of, c(double(in - 1) / (resized - 1)));
  }
  // half_pixel and its variants: (o + 0.5) / scale - 0.5
  Value x = arith::SubFOp::create(
      b, l, arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, of, c(0.5)), c(scale)), c(0.5));
  if (mode == "pytorch_half_pixel")
    return out > 1 ? x : c(0);
  if (mode == "half_pixel_symmetric") {
    double adjustment = double(out) / (scale * double(in));
    double offset = double(in) / 2 * (1 - adjustment);
    return arith::AddFOp::create(b, l, x, c(offset));
  }
  return x; // half_pixel
}

Value clampIndex(OpBuilder &b, Location l, Value i, int64_t size) {
  Value lo = arith::ConstantIndexOp::create(b, l, 0);
  Value hi = arith::ConstantIndexOp::create(b, l, size - 1);
  return arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, i, lo), hi);
}

Value floatToIndex(OpBuilder &b, Location l, Value x) {
  return arith::IndexCastOp::create(b, l, b.getIndexType(),
                                    arith::FPToSIOp::create(b, l, b.getI64Type(), x));
}

/// Keys' cubic convolution weight of a tap at distance `d` (>= 0).
Value cubicWeight(OpBuilder &b, Location l, Value d, double a) {
  Type f32 = b.getF32Type();
  auto c = [&](double v) { return buildScalar(b, l, f32, v); };
  Value d2 = arith::MulFOp::create(b, l, d, d);
  Value d3 = arith::MulFOp::create(b, l, d2, d);
  // |d| <= 1: (a+2)|d|^3 - (a+3)|d|^2 + 1
  Value near = arith::AddFOp::create(
      b, l, arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, c(a + 2), d3),
                                  arith::MulFOp::create(b, l, c(a + 3), d2)),
      c(1));
  // 1 < |d| < 2: a|d|^3 - 5a|d|^2 + 8a|d| - 4a
  Value far = arith::AddFOp::create(
      b, l,
      arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, c(a), d3),
                            arith::MulFOp::create(b, l, c(-5 * a), d2)),
      arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, c(8 * a), d), c(-4 * a)));
  Value isNear = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, d, c(1));
  Value isFar = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, d, c(2));
  return arith::SelectOp::create(b, l, isNear, near,
                                 arith::SelectOp::create(b, l, isFar, far, c(0)));
}

/// The input positions an output element reads along one axis, and their
/// weights (f32; null for nearest, whose single tap needs none).
struct Taps {
  SmallVector<Value> index, weight;
};

Taps axisTaps(OpBuilder &b, Location l, const ResizeSpec &spec, Value coord, int64_t in) {
  Type f32 = b.getF32Type();
  auto c = [&](double v) { return buildScalar(b, l, f32, v); };
  Taps taps;
  if (spec.mode == Interpolation::Nearest) {
    Value r;
    StringRef mode = spec.nearestMode;
    if (mode == "floor")
      r = math::FloorOp::create(b, l, coord);
    else if (mode == "ceil")
      r = math::CeilOp::create(b, l, coord);
    else if (mode == "round_prefer_ceil")
      r = math::FloorOp::create(b, l, arith::AddFOp::create(b, l, coord, c(0.5)));
    else // round_prefer_floor
      r = math::CeilOp::create(b, l, arith::SubFOp::create(b, l, coord, c(0.5)));
    taps.index.push_back(clampIndex(b, l, floatToIndex(b, l, r), in));
    taps.weight.push_back(nullptr);
    return taps;
  }
  if (spec.mode == Interpolation::Linear) {
    coord = arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, coord, c(0)), c(in - 1));
    Value fl = math::FloorOp::create(b, l, coord);
    Value frac = arith::SubFOp::create(b, l, coord, fl);
    Value lo = floatToIndex(b, l, fl);
    taps.index = {lo, clampIndex(b, l, arith::AddIOp::create(b, l, lo, arith::ConstantIndexOp::create(b, l, 1)), in)};
    taps.weight = {arith::SubFOp::create(b, l, c(1), frac), frac};
    return taps;
  }
  // Cubic: taps at floor(x) - 1 .. floor(x) + 2, edge-clamped; with
  // exclude_outside the taps outside the input weigh 0 and the rest are
  // renormalized.
  Value fl = math::FloorOp::create(b, l, coord);
  Value base = floatToIndex(b, l, fl);
  Value sum = c(0);
  for (int t = -1; t <= 2; ++t) {
    Value position = arith::AddFOp::create(b, l, fl, c(t));
    Value distance = math::AbsFOp::create(b, l, arith::SubFOp::create(b, l, coord, position));
    Value w = cubicWeight(b, l, distance, spec.cubicA);
    Value raw = arith::AddIOp::create(b, l, base, arith::ConstantIndexOp::create(b, l, t));
    if (spec.excludeOutside) {
      Value inside = arith::AndIOp::create(
          b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, raw, arith::ConstantIndexOp::create(b, l, 0)),
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, raw, arith::ConstantIndexOp::create(b, l, in)));
      w = arith::SelectOp::create(b, l, inside, w, c(0));
    }
    sum = arith::AddFOp::create(b, l, sum, w);
    taps.index.push_back(clampIndex(b, l, raw, in));
    taps.weight.push_back(w);
  }
  if (spec.excludeOutside)
    for (Value &w : taps.weight)
      w = arith::DivFOp::create(b, l, w, sum);
  return taps;
}

LogicalResult emitResize(NodeImporter &n, Value x, const ResizeSpec &spec) {
  OpBuilder &b = n.b;
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  if (spec.mode != Interpolation::Nearest && !isa<FloatType>(elementType))
    return n.fail("linear and cubic modes need a float tensor");
  SmallVector<OpFoldResult> dims = getDims(b, n.loc, x);
  SmallVector<OpFoldResult> outDims;
  SmallVector<int64_t> resized;
  for (int64_t d = 0; d < rank; ++d) {
    if (spec.outShape[d] == type.getDimSize(d) && spec.scales[d] == 1.0) {
      outDims.push_back(dims[d]);
      continue;
    }
    if (type.isDynamicDim(d))
      return n.fail("resizing a dynamic dimension is not supported");
    resized.push_back(d);
    outDims.push_back(b.getIndexAttr(spec.outShape[d]));
  }
  Value output = buildParallelGeneric(
      b, n.loc, ValueRange{}, {}, outDims, elementType,
      [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        SmallVector<Value> base;
        for (int64_t d = 0; d < rank; ++d)
          base.push_back(linalg::IndexOp::create(nb, l, d));
        SmallVector<Taps> taps;
        bool crop = spec.coordinateMode == "tf_crop_and_resize";
        Value outside;
        for (int64_t d : resized) {
          int64_t in = type.getDimSize(d);
          Value coord = sourceCoordinate(nb, l, base[d], in, spec.outShape[d], spec.scales[d],
                                         spec.coordinateMode, crop ? spec.roiStart[d] : 0,
                                         crop ? spec.roiEnd[d] : 1);
          if (crop) {
            // Outside the input the output is extrapolation_value.
            Value lo = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, coord,
                                             buildScalar(nb, l, coord.getType(), 0));
            Value hi = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, coord,
                                             buildScalar(nb, l, coord.getType(), in - 1));
            Value out = arith::OrIOp::create(nb, l, lo, hi);
            outside = outside ? Value(arith::OrIOp::create(nb, l, outside, out)) : out;
          }
          taps.push_back(axisTaps(nb, l, spec, coord, in));
        }
        // Sum over every combination of one tap per resized axis.
        Value result;
        SmallVector<size_t> choice(resized.size(), 0);
        while (true) {
          SmallVector<Value> idx(base);
          Value w;
          for (auto [k, d] : llvm::enumerate(resized)) {
            idx[d] = taps[k].index[choice[k]];
            if (Value tw = taps[k].weight[choice[k]])
              w = w ? Value(arith::MulFOp::create(nb, l, w, tw)) : tw;
          }
          Value v = tensor::ExtractOp::create(nb, l, x, idx);
          Value term = w ? Value(arith::MulFOp::create(nb, l, v, convertScalar(nb, l, w, elementType, false, false))) : v;
          result = result ? Value(arith::AddFOp::create(nb, l, result, term)) : term;
          size_t k = 0;
          while (k < choice.size() && ++choice[k] == taps[k].index.size())
            choice[k++] = 0;
          if (k == choice.size())
            break;
        }
        if (outside)
          result = arith::SelectOp::create(nb, l, outside,
                                           buildScalar(nb, l, elementType, spec.extrapolation), result);
        return result;
      });
  n.setOutput(0, output, n.isUnsignedInput(0));
  return success();
}

/// Output shape and scales from a scales or sizes vector over `axes`.
LogicalResult readSizes(NodeImporter &n, RankedTensorType type, int scalesInput, int sizesInput,
                        ResizeSpec &spec) {
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes;
  if (auto given = n.getInts("axes")) {
    FailureOr<SmallVector<int64_t>> normalized = normalizeAxes(n, *given, rank);
    if (failed(normalized))
      return failure();
    axes = *normalized;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  spec.scales.assign(rank, 1.0);
  spec.outShape.assign(type.getShape().begin(), type.getShape().end());
  bool hasScales = scalesInput >= 0 && n.hasInput(scalesInput) &&
                   n.inputType(scalesInput).getNumElements() > 0;
  bool hasSizes = sizesInput >= 0 && n.hasInput(sizesInput) &&
                  n.inputType(sizesInput).getNumElements() > 0;
  if (hasScales == hasSizes)
    return n.fail("exactly one of scales and sizes must be given");
  if (hasScales) {
    std::optional<SmallVector<double>> scales = n.getConstantFloats(scalesInput);
    if (!scales || scales->size() != axes.size())
      return n.fail("scales must be a constant with one entry per resized axis");
    for (auto [i, d] : llvm::enumerate(axes)) {
      double s = (*scales)[i];
      if (!(s > 0))
        return n.fail("scales must be > 0");
      spec.scales[d] = s;
      if (!type.isDynamicDim(d))
        spec.outShape[d] = static_cast<int64_t>(std::floor(type.getDimSize(d) * s));
    }
    return success();
  }
  std::optional<SmallVector<int64_t>> sizes = n.getConstantInts(sizesInput);
  if (!sizes || sizes->size() != axes.size())
    return n.fail("sizes must be a constant with one entry per resized axis");
  std::string policy = n.getString("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch")
    return n.fail("keep_aspect_ratio_policy '" + policy + "' is not supported");
  for (auto [i, d] : llvm::enumerate(axes)) {
    if (type.isDynamicDim(d) || (*sizes)[i] <= 0)
      return n.fail("sizes needs static input dims and sizes > 0");
    spec.outShape[d] = (*sizes)[i];
    spec.scales[d] = double((*sizes)[i]) / double(type.getDimSize(d));
  }
  return success();
}

LogicalResult readMode(NodeImporter &n, ResizeSpec &spec) {
  std::string mode = n.getString("mode", "nearest");
  if (mode == "nearest")
    spec.mode = Interpolation::Nearest;
  else if (mode == "linear" || mode == "bilinear")
    spec.mode = Interpolation::Linear;
  else if (mode == "cubic" && n.getOpset() >= 11)
    spec.mode = Interpolation::Cubic;
  else
    return n.fail("mode '" + mode + "' is not supported (nearest, linear, cubic)");
  spec.cubicA = n.getFloat("cubic_coeff_a", -0.75f);
  spec.excludeOutside = n.getInt("exclude_outside", 0) != 0;
  return success();
}

LogicalResult convertResize(NodeImporter &n) {
  bool legacy = n.getOpset() < 11;
  if (failed(n.expectInputs(legacy ? 2 : 1, legacy ? 2 : 4)))
    return failure();
  RankedTensorType type = n.inputType(0);
  ResizeSpec spec;
  if (failed(readMode(n, spec)))
    return failure();
  if (legacy) {
    spec.coordinateMode = "asymmetric";
    spec.nearestMode = "floor";
  } else {
    spec.coordinateMode = n.getString("coordinate_transformation_mode", "half_pixel");
    spec.nearestMode = n.getString("nearest_mode", "round_prefer_floor");
  }
  static const char *modes[] = {"half_pixel",           "pytorch_half_pixel",
                                "align_corners",        "asymmetric",
                                "half_pixel_symmetric", "tf_half_pixel_for_nn",
                                "tf_crop_and_resize"};
  if (!llvm::is_contained(modes, spec.coordinateMode))
    return n.fail("coordinate_transformation_mode '" + spec.coordinateMode + "' is not supported");
  static const char *nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (!llvm::is_contained(nearest, spec.nearestMode))
    return n.fail("nearest_mode '" + spec.nearestMode + "' is not valid");
  if (n.getInt("antialias", 0) != 0)
    return n.fail("antialias is not supported");
  if (failed(readSizes(n, type, legacy ? 1 : 2, legacy ? -1 : 3, spec)))
    return failure();
  if (spec.coordinateMode == "tf_crop_and_resize") {
    // roi: starts then ends, over the resized axes (all dims by default).
    std::optional<SmallVector<double>> roi = n.getConstantFloats(1);
    int64_t rank = type.getRank();
    if (!roi || static_cast<int64_t>(roi->size()) != 2 * rank)
      return n.fail("tf_crop_and_resize needs a constant roi with 2 entries per dimension");
    spec.roiStart.assign(roi->begin(), roi->begin() + rank);
    spec.roiEnd.assign(roi->begin() + rank, roi->end());
    spec.extrapolation = n.getFloat("extrapolation_value", 0.0f);
  }
  return emitResize(n, n.input(0), spec);
}

LogicalResult convertUpsample(NodeImporter &n) {
  if (failed(n.expectInputs(2, 2)))
    return failure();
  ResizeSpec spec;
  if (failed(readMode(n, spec)))
    return failure();
  spec.coordinateMode = "asymmetric";
  spec.nearestMode = "floor";
  if (failed(readSizes(n, n.inputType(0), 1, -1, spec)))
    return failure();
  return emitResize(n, n.input(0), spec);
}

const OpConversion kConversions[] = {
    {"Resize", 10, convertResize,
     "nearest (all nearest_mode values), linear, cubic (cubic_coeff_a, exclude_outside); "
     "half_pixel, pytorch_half_pixel, align_corners, asymmetric, half_pixel_symmetric, "
     "tf_half_pixel_for_nn, tf_crop_and_resize (constant roi, extrapolation_value); constant "
     "scales or sizes, axes; no antialias"},
    {"Upsample", 9, convertUpsample, "nearest and linear, constant scales"},
};

} // namespace

ArrayRef<OpConversion> getResizeConversions() { return kConversions; }

} // namespace qc::onnx_frontend
