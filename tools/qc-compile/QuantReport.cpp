//===- QuantReport.cpp - what quantization did, per layer -----------------===//

#include "llvm/Support/FormatVariadic.h"
#include "QuantReport.h"

#include "dialects/qc/QCDialect.h"
#include "passes/LayerNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

using namespace mlir;

namespace qc {

static uint64_t tensorBytes(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  return static_cast<uint64_t>(t.getNumElements()) * ((t.getElementTypeBitWidth() + 7) / 8);
}

uint64_t countConstantBytes(ModuleOp module) {
  uint64_t total = 0;
  module.walk([&](arith::ConstantOp op) { total += tensorBytes(op.getType()); });
  return total;
}

static std::string describe(QuantizedLinearOp op) {
  QuantSpecAttr w = op.getWeightQuant();
  std::string s = "int" + std::to_string(w.getBits());
  s += w.getGranularity() == Granularity::PerGroup ? " g" + std::to_string(w.getGroupSize())
                                                    : " per-channel";
  s += w.getSymmetric() ? "" : " asym";
  if (QuantSpecAttr a = op.getInputQuantAttr()) {
    s += ", a" + std::to_string(a.getBits());
    s += a.getGranularity() == Granularity::PerToken ? " per-token" : " per-tensor";
    if (a.getClip())
      s += " clip " + llvm::formatv("{0}", llvm::format("%.3g", a.getClipRatio())).str();
  } else
    s += ", a16";
  return s;
}

void collectLayers(ModuleOp module, QuantReport &report) {
  int64_t index = 0;
  module.walk([&](Operation *op) {
    LayerReport layer;
    if (auto q = dyn_cast<QuantizedLinearOp>(op)) {
      layer.name = getLayerName(op, index++);
      layer.format = describe(q);
      layer.n = q.getOutFeatures();
      layer.k = q.getInFeatures();
      layer.bytesBefore = static_cast<uint64_t>(layer.n * layer.k) * 4;
      layer.bytesAfter = tensorBytes(q.getWeight().getType()) + tensorBytes(q.getScales().getType());
      if (q.getZeroPoints())
        layer.bytesAfter += tensorBytes(q.getZeroPoints().getType());
      if (FloatAttr e = q.getOutputErrorAttr())
        layer.outputError = e.getValueAsDouble();
    } else if (auto l = dyn_cast<LinearOp>(op)) {
      layer.name = getLayerName(op, index++);
      layer.format = "float";
      layer.n = l.getOutFeatures();
      layer.k = l.getInFeatures();
      layer.bytesBefore = layer.bytesAfter = tensorBytes(l.getWeight().getType());
      layer.outputError = 0.0;
    } else if (auto table = op->getAttrOfType<DictionaryAttr>("qc.quantized_table")) {
      // A gathered table (embedding) stored as int8 with a scale per row.
      layer.name = getLayerName(op, index++);
      layer.format = table.getAs<StringAttr>("format").str() + " (table)";
      layer.n = table.getAs<IntegerAttr>("rows").getInt();
      layer.k = table.getAs<IntegerAttr>("columns").getInt();
      layer.bytesBefore = static_cast<uint64_t>(layer.n * layer.k) * 4;
      layer.bytesAfter = static_cast<uint64_t>(layer.n * layer.k + layer.n * 4);
      layer.outputError = table.getAs<FloatAttr>("relative_error").getValueAsDouble();
    } else {
      return;
    }
    for (StringRef key : {"qc.smooth", "qc.reparam"})
      if (auto d = op->getAttrOfType<DictionaryAttr>(key)) {
        std::string text;
        llvm::raw_string_ostream os(text);
        llvm::interleave(
            d.getValue(), os,
            [&](NamedAttribute a) {
              os << a.getName().getValue() << "=";
              if (auto f = dyn_cast<FloatAttr>(a.getValue()))
                os << llvm::formatv("{0:g4}", f.getValueAsDouble());
              else if (auto str = dyn_cast<StringAttr>(a.getValue()))
                os << str.getValue();
              else
                a.getValue().print(os);
            },
            " ");
        layer.transforms.push_back({key.drop_front(3).str(), text});
      }
    report.layers.push_back(layer);
  });
}

void writeJSON(const QuantReport &r, llvm::raw_ostream &os) {
  llvm::json::Array layers;
  uint64_t before = 0, after = 0;
  for (const LayerReport &l : r.layers) {
    before += l.bytesBefore;
    after += l.bytesAfter;
    llvm::json::Object o{{"name", l.name},
                         {"format", l.format},
                         {"out_features", l.n},
                         {"in_features", l.k},
                         {"weight_bytes_before", static_cast<int64_t>(l.bytesBefore)},
                         {"weight_bytes_after", static_cast<int64_t>(l.bytesAfter)}};
    o["relative_output_error"] =
        l.outputError ? llvm::json::Value(*l.outputError) : llvm::json::Value(nullptr);
    for (const auto &[pass, text] : l.transforms)
      o[pass] = text;
    layers.push_back(std::move(o));
  }
  llvm::json::Object root{
      {"model", r.model},
      {"preset", r.preset},
      {"weight_quantizer", r.weightQuantizer},
      {"calibration",
       llvm::json::Object{{"source", r.calibration}, {"samples", r.calibrationSamples}}},
      {"relative_output_error_note",
       "linear layers: ||X W^T - X What^T|| / ||X W^T|| over the calibration inputs X, the "
       "error of the quantized weight (activation rounding not included); tables: "
       "||T - That|| / ||T||"},
      {"layers", std::move(layers)},
      {"totals", llvm::json::Object{{"weight_bytes_before", static_cast<int64_t>(before)},
                                    {"weight_bytes_after", static_cast<int64_t>(after)},
                                    {"model_bytes_before", static_cast<int64_t>(r.modelBytesBefore)},
                                    {"model_bytes_after", static_cast<int64_t>(r.modelBytesAfter)}}}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

void writeTable(const QuantReport &r, llvm::raw_ostream &os) {
  os << "quantization: " << r.preset << ", weights by " << r.weightQuantizer << ", calibration: "
     << r.calibration;
  if (r.calibrationSamples)
    os << " (" << r.calibrationSamples << " samples)";
  os << "\n";
  os << llvm::format("%-48s %-28s %11s %11s %9s\n", "layer", "format", "bytes", "float bytes",
                     "rel.err");
  uint64_t before = 0, after = 0;
  for (const LayerReport &l : r.layers) {
    std::string name = l.name.size() > 48 ? "..." + l.name.substr(l.name.size() - 45) : l.name;
    std::string error = l.outputError ? llvm::formatv("{0:e2}", *l.outputError).str() : "-";
    os << llvm::format("%-48s %-28s %11llu %11llu %9s\n", name.c_str(), l.format.c_str(),
                       static_cast<unsigned long long>(l.bytesAfter),
                       static_cast<unsigned long long>(l.bytesBefore), error.c_str());
    for (const auto &[pass, text] : l.transforms)
      os << "    " << pass << ": " << text << "\n";
    before += l.bytesBefore;
    after += l.bytesAfter;
  }
  os << llvm::format("weights: %llu -> %llu bytes (%.3fx); model constants: %llu -> %llu "
                     "bytes (%.3fx)\n",
                     static_cast<unsigned long long>(before), static_cast<unsigned long long>(after),
                     before ? static_cast<double>(after) / before : 0.0,
                     static_cast<unsigned long long>(r.modelBytesBefore),
                     static_cast<unsigned long long>(r.modelBytesAfter),
                     r.modelBytesBefore ? static_cast<double>(r.modelBytesAfter) / r.modelBytesBefore
                                        : 0.0);
}

} // namespace qc
