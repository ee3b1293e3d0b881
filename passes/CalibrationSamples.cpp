//===- CalibrationSamples.cpp - the samples qc-calibrate runs on ----------===//
//
// Samples come from the tool (read by it from calib-dir, or handed over
// already read) or are drawn at random from @main's input types. Nothing
// here reads a file: the tool's SampleReader does.
//
//===----------------------------------------------------------------------===//

#include "passes/Calibrate.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstring>
#include <random>

using namespace mlir;

namespace qc {
namespace {

bool makeSynthetic(func::FuncOp main, const SampleOptions &options,
                   std::vector<CalibrationSample> &samples, std::string &error) {
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<float> normal;
  for (int64_t s = 0; s < options.synthetic; ++s) {
    CalibrationSample sample;
    for (unsigned i = 0; i < main.getNumArguments(); ++i) {
      auto type = dyn_cast<RankedTensorType>(main.getArgument(i).getType());
      if (!type) {
        error = "input " + std::to_string(i) + " is not a ranked tensor";
        return false;
      }
      HostTensor t;
      for (int64_t d = 0; d < type.getRank(); ++d)
        t.dims.push_back(type.isDynamicDim(d) ? (d == 0 ? 1 : options.syntheticDim)
                                              : type.getDimSize(d));
      size_t count = countOf(t.dims);
      Type element = type.getElementType();
      auto onnxType = main.getArgAttrOfType<IntegerAttr>(i, "onnx.elem_type");
      auto range = main.getArgAttrOfType<IntegerAttr>(i, "onnx.index_range");
      auto fill = [&](auto zero, auto draw) {
        using T = decltype(zero);
        t.bytes.resize(count * sizeof(T));
        for (size_t e = 0; e < count; ++e) {
          T v = draw();
          std::memcpy(t.bytes.data() + e * sizeof(T), &v, sizeof(T));
        }
      };
      if (element.isF32()) {
        t.type = QC_TYPE_FLOAT32;
        fill(0.0f, [&] { return normal(rng); });
      } else if (element.isInteger(64) || element.isInteger(32)) {
        bool is64 = element.isInteger(64);
        t.type = is64 ? QC_TYPE_INT64 : QC_TYPE_INT32;
        std::uniform_int_distribution<int64_t> index(0, range ? range.getInt() - 1 : 0);
        if (is64)
          fill(int64_t(0), [&] { return range ? index(rng) : int64_t(1); });
        else
          fill(int32_t(0), [&] { return static_cast<int32_t>(range ? index(rng) : 1); });
      } else if (element.isInteger(1)) {
        t.type = QC_TYPE_BOOL;
        fill(uint8_t(0), [] { return uint8_t(1); });
      } else {
        error = "synthetic calibration supports float32, int32, int64 and bool inputs; "
                "input " + std::to_string(i) + " is not one (give calib-dir instead)";
        return false;
      }
      if (onnxType)
        t.type = static_cast<qc_element_type>(onnxType.getInt());
      sample.push_back(std::move(t));
    }
    samples.push_back(std::move(sample));
  }
  return true;
}

} // namespace

bool getCalibrationSamples(func::FuncOp main, const SampleOptions &options,
                           const CalibrationServices &services,
                           std::vector<CalibrationSample> &samples, std::string &error) {
  samples.clear();
  if (!options.calibDir.empty()) {
    if (!services.readSamples) {
      error = "calib-dir=" + options.calibDir +
              ": this tool reads no sample files (it must hand the pass a SampleReader)";
      return false;
    }
    return services.readSamples(options.calibDir, main.getNumArguments(), samples, error);
  }
  if (options.synthetic > 0)
    return makeSynthetic(main, options, samples, error);
  if (services.samples && !services.samples->empty()) {
    samples = *services.samples;
    return true;
  }
  error = "needs calibration data: calib-dir=DIR or synthetic=N";
  return false;
}

} // namespace qc
