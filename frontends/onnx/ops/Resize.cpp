//===- Resize.cpp - ONNX Resize and Upsample -------------------------------===//
//
// One linalg.generic over the output: each element maps its index back to
// input coordinates (coordinate_transformation_mode) and reads the nearest
// element or interpolates linearly between the 2^r neighbours of the r
// resized axes (tensor.extract in the body).
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

struct ResizeSpec {
  bool linear;
  std::string coordinateMode, nearestMode;
  SmallVector<double> scales;      // per dim
  SmallVector<int64_t> outShape;   // per dim
};

/// Input coordinate (float) of output index `o` along one axis.
Value sourceCoordinate(OpBuilder &b, Location l, Value o, int64_t in, int64_t out,
                       double scale, StringRef mode) {
  Type f32 = b.getF32Type();
  auto c = [&](double v) { return buildScalar(b, l, f32, v); };
  Value of = arith::SIToFPOp::create(b, l, f32, arith::IndexCastOp::create(b, l, b.getI64Type(), o));
  if (mode == "asymmetric")
    return arith::DivFOp::create(b, l, of, c(scale));
  if (mode == "align_corners")
    return out == 1 ? c(0) : arith::MulFOp::create(b, l, of, c(double(in - 1) / double(out - 1)));
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

LogicalResult emitResize(NodeImporter &n, Value x, const ResizeSpec &spec) {
  OpBuilder &b = n.b;
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  if (spec.linear && !isa<FloatType>(elementType))
    return n.fail("linear mode needs a float tensor");
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
        // Per resized axis: the lower neighbour, the upper one, the weight.
        SmallVector<Value> lower(rank), upper(rank), weight(rank);
        for (int64_t d : resized) {
          int64_t in = type.getDimSize(d);
          Value coord = sourceCoordinate(nb, l, base[d], in, spec.outShape[d], spec.scales[d],
                                         spec.coordinateMode);
          if (!spec.linear) {
            Value r;
            StringRef mode = spec.nearestMode;
            if (mode == "floor")
              r = math::FloorOp::create(nb, l, coord);
            else if (mode == "ceil")
              r = math::CeilOp::create(nb, l, coord);
            else if (mode == "round_prefer_ceil")
              r = math::FloorOp::create(nb, l, arith::AddFOp::create(nb, l, coord, buildScalar(nb, l, coord.getType(), 0.5)));
            else // round_prefer_floor
              r = math::CeilOp::create(nb, l, arith::SubFOp::create(nb, l, coord, buildScalar(nb, l, coord.getType(), 0.5)));
            base[d] = clampIndex(nb, l, floatToIndex(nb, l, r), in);
            continue;
          }
          Value zero = buildScalar(nb, l, coord.getType(), 0);
          Value maxc = buildScalar(nb, l, coord.getType(), double(in - 1));
          coord = arith::MinimumFOp::create(nb, l, arith::MaximumFOp::create(nb, l, coord, zero), maxc);
          Value fl = math::FloorOp::create(nb, l, coord);
          lower[d] = floatToIndex(nb, l, fl);
          upper[d] = clampIndex(nb, l, arith::AddIOp::create(nb, l, lower[d], arith::ConstantIndexOp::create(nb, l, 1)), in);
          weight[d] = convertScalar(nb, l, arith::SubFOp::create(nb, l, coord, fl), elementType, false, false);
        }
        Value result;
        if (!spec.linear) {
          result = tensor::ExtractOp::create(nb, l, x, base);
        } else {
          // Sum over the 2^r corners of the cell.
          for (unsigned corner = 0; corner < (1u << resized.size()); ++corner) {
            SmallVector<Value> idx(base);
            Value w = buildScalar(nb, l, elementType, 1);
            for (auto [bit, d] : llvm::enumerate(resized)) {
              bool up = corner & (1u << bit);
              idx[d] = up ? upper[d] : lower[d];
              Value f = up ? weight[d]
                           : Value(arith::SubFOp::create(nb, l, buildScalar(nb, l, elementType, 1), weight[d]));
              w = arith::MulFOp::create(nb, l, w, f);
            }
            Value term = arith::MulFOp::create(nb, l, w, tensor::ExtractOp::create(nb, l, x, idx));
            result = result ? Value(arith::AddFOp::create(nb, l, result, term)) : term;
          }
        }
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
  if (mode != "nearest" && mode != "linear" && mode != "bilinear")
    return n.fail("mode '" + mode + "' is not supported (nearest, linear)");
  spec.linear = mode != "nearest";
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
  static const char *modes[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                "asymmetric", "half_pixel_symmetric"};
  if (!llvm::is_contained(modes, spec.coordinateMode))
    return n.fail("coordinate_transformation_mode '" + spec.coordinateMode + "' is not supported");
  static const char *nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (!llvm::is_contained(nearest, spec.nearestMode))
    return n.fail("nearest_mode '" + spec.nearestMode + "' is not valid");
  if (n.getInt("antialias", 0) != 0)
    return n.fail("antialias is not supported");
  if (failed(readSizes(n, type, legacy ? 1 : 2, legacy ? -1 : 3, spec)))
    return failure();
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
     "nearest (all nearest_mode values) and linear; half_pixel, pytorch_half_pixel, "
     "align_corners, asymmetric, half_pixel_symmetric; constant scales or sizes, axes; "
     "no cubic, antialias or tf_crop_and_resize"},
    {"Upsample", 9, convertUpsample, "nearest and linear, constant scales"},
};

} // namespace

ArrayRef<OpConversion> getResizeConversions() { return kConversions; }

} // namespace qc::onnx_frontend
