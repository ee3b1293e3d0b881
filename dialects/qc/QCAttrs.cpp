//===- QCAttrs.cpp - qc attribute verifiers and helpers --------------------===//

#include "dialects/qc/QCDialect.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <optional>

using namespace mlir;
using namespace qc;

//===----------------------------------------------------------------------===//
// QuantSpecAttr
//===----------------------------------------------------------------------===//

LogicalResult QuantSpecAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    unsigned bits, Granularity granularity,
                                    int64_t groupSize, bool symmetric, FloatAttr clip) {
  if (bits < 2 || bits > 8)
    return emitError() << "bits must be in [2, 8], got " << bits;
  if (clip) {
    double c = clip.getValueAsDouble();
    if (!(c > 0 && c <= 1))
      return emitError() << "clip must be in (0, 1], got " << c;
    if (granularity != Granularity::PerToken && granularity != Granularity::PerTensor)
      return emitError() << "clip is for activations (per_token or per_tensor), not "
                         << stringifyGranularity(granularity);
  }
  if (granularity == Granularity::PerGroup) {
    if (groupSize <= 0)
      return emitError() << "per_group granularity needs group_size > 0, got "
                         << groupSize;
  } else if (groupSize != 0) {
    return emitError() << "group_size is only meaningful with per_group "
                          "granularity, got "
                       << stringifyGranularity(granularity);
  }
  return success();
}

double QuantSpecAttr::getClipRatio() const {
  return getClip() ? getClip().getValueAsDouble() : 1.0;
}

int64_t QuantSpecAttr::getQMin() const {
  return getSymmetric() ? -(int64_t(1) << (getBits() - 1)) : 0;
}

int64_t QuantSpecAttr::getQMax() const {
  return getSymmetric() ? (int64_t(1) << (getBits() - 1)) - 1
                        : (int64_t(1) << getBits()) - 1;
}

int64_t QuantSpecAttr::getNumGroups(int64_t k) const {
  if (getGranularity() != Granularity::PerGroup)
    return 1;
  return (k + getGroupSize() - 1) / getGroupSize();
}

bool QuantSpecAttr::isWeightGranularity() const {
  return getGranularity() != Granularity::PerToken;
}

bool QuantSpecAttr::isActivationGranularity() const {
  return getGranularity() == Granularity::PerTensor ||
         getGranularity() == Granularity::PerToken;
}

//===----------------------------------------------------------------------===//
// WeightEncodingAttr
//===----------------------------------------------------------------------===//

LogicalResult WeightEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                         StringRef target, StringRef layout) {
  if (target.empty() || layout.empty())
    return emitError() << "an encoding names its target and layout";
  return success();
}

//===----------------------------------------------------------------------===//
// TensorStatsAttr
//===----------------------------------------------------------------------===//

/// Checks that `value`, when present, is a finite non-negative number.
static LogicalResult verifyNonNegative(function_ref<InFlightDiagnostic()> emitError,
                                       FloatAttr value, StringRef name) {
  if (!value)
    return success();
  const APFloat &v = value.getValue();
  if (!v.isFinite() || v.isNegative())
    return emitError() << name << " must be finite and >= 0, got "
                       << value.getValueAsDouble();
  return success();
}

/// `values`, when present, must be a rank-1 float tensor of `channels`
/// elements.
static LogicalResult verifyPerChannel(function_ref<InFlightDiagnostic()> emitError,
                                      ElementsAttr values, StringRef name,
                                      int64_t channels) {
  if (!values)
    return success();
  auto type = values.getShapedType();
  if (type.getRank() != 1 || !isa<FloatType>(type.getElementType()) ||
      type.getDimSize(0) != channels)
    return emitError() << name << " must be a rank-1 float tensor of " << channels
                       << " elements (one per channel, like absmax), got " << type;
  return success();
}

/// The values of a float ElementsAttr as doubles, when they are at hand
/// (resource blobs may not be loaded).
static std::optional<SmallVector<double>> valuesOf(ElementsAttr values) {
  if (!values)
    return std::nullopt;
  auto range = values.tryGetValues<APFloat>();
  if (!range)
    return std::nullopt;
  SmallVector<double> out;
  for (const APFloat &v : *range)
    out.push_back(v.convertToDouble());
  return out;
}

LogicalResult TensorStatsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                      uint64_t samples, ElementsAttr absmax,
                                      FloatAttr min, FloatAttr max,
                                      FloatAttr p99_9, FloatAttr p99_99,
                                      ElementsAttr gram, ElementsAttr channelMin,
                                      ElementsAttr channelMax, ElementsAttr rows) {
  if (samples == 0)
    return emitError() << "samples must be > 0";

  auto absmaxType = absmax.getShapedType();
  if (absmaxType.getRank() != 1 || !isa<FloatType>(absmaxType.getElementType()))
    return emitError() << "absmax must be a rank-1 float tensor, got "
                       << absmaxType;
  // Resource blobs may not be loaded; check values only when they are at hand.
  if (auto values = absmax.tryGetValues<APFloat>()) {
    int64_t index = 0;
    for (const APFloat &v : *values) {
      if (!v.isFinite() || v.isNegative())
        return emitError() << "absmax[" << index
                           << "] must be finite and >= 0, got "
                           << v.convertToDouble();
      ++index;
    }
  }

  if (min && max && min.getValueAsDouble() > max.getValueAsDouble())
    return emitError() << "min (" << min.getValueAsDouble()
                       << ") must not exceed max (" << max.getValueAsDouble()
                       << ")";
  if (failed(verifyNonNegative(emitError, p99_9, "p99_9")) ||
      failed(verifyNonNegative(emitError, p99_99, "p99_99")))
    return failure();
  if (p99_9 && p99_99 &&
      p99_9.getValueAsDouble() > p99_99.getValueAsDouble())
    return emitError() << "p99_9 must not exceed p99_99";

  if (gram) {
    auto gramType = gram.getShapedType();
    int64_t channels = absmaxType.getDimSize(0);
    if (gramType.getRank() != 2 || !isa<FloatType>(gramType.getElementType()) ||
        gramType.getDimSize(0) != channels || gramType.getDimSize(1) != channels)
      return emitError() << "gram must be a " << channels << "x" << channels
                         << " float tensor (channels x channels), got "
                         << gramType;
  }

  int64_t channels = absmaxType.getDimSize(0);
  if (failed(verifyPerChannel(emitError, channelMin, "channel_min", channels)) ||
      failed(verifyPerChannel(emitError, channelMax, "channel_max", channels)))
    return failure();
  auto lows = valuesOf(channelMin), highs = valuesOf(channelMax);
  auto bounds = valuesOf(absmax);
  for (auto [values, name] : {std::pair{&lows, "channel_min"}, std::pair{&highs, "channel_max"}}) {
    if (!*values)
      continue;
    for (int64_t c = 0; c < channels; ++c) {
      double v = (**values)[c];
      if (!std::isfinite(v))
        return emitError() << name << "[" << c << "] must be finite, got " << v;
      if (bounds && std::fabs(v) > (*bounds)[c])
        return emitError() << name << "[" << c << "] (" << v
                           << ") must lie within [-absmax, absmax] = [" << -(*bounds)[c]
                           << ", " << (*bounds)[c] << "]";
    }
  }
  if (lows && highs)
    for (int64_t c = 0; c < channels; ++c)
      if ((*lows)[c] > (*highs)[c])
        return emitError() << "channel_min[" << c << "] (" << (*lows)[c]
                           << ") must not exceed channel_max[" << c << "] (" << (*highs)[c]
                           << ")";

  if (rows) {
    auto rowsType = rows.getShapedType();
    if (rowsType.getRank() != 2 || !isa<FloatType>(rowsType.getElementType()) ||
        rowsType.getDimSize(0) < 1 || rowsType.getDimSize(1) != channels)
      return emitError() << "rows must be an R x " << channels
                         << " float tensor (sampled rows x channels, R >= 1), got "
                         << rowsType;
  }
  return success();
}

int64_t TensorStatsAttr::getNumChannels() const {
  return getAbsmax().getShapedType().getDimSize(0);
}

int64_t TensorStatsAttr::getNumRows() const {
  return getRows() ? getRows().getShapedType().getDimSize(0) : 0;
}
