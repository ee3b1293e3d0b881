//===- VerifyEquivalence.cpp - check that passes preserve the float outputs -===//
//
// The module is cloned as the reference, the nested pipeline runs on the
// module itself, and both are compiled and run on the same samples by the
// tool's executor; each output's difference is reported as a remark, and
// one above the tolerance is an error.
//
//===----------------------------------------------------------------------===//

#include "passes/Calibrate.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <cstring>
#include <optional>

namespace qc {
#define GEN_PASS_DEF_QCVERIFYEQUIVALENCE
#include "passes/Passes.h.inc"
} // namespace qc

using namespace mlir;

namespace qc {
namespace {

/// Float32's unit roundoff.
constexpr double kUnitRoundoff = 0x1p-24;
/// The constant of the derived tolerance (see the pass description).
constexpr double kToleranceConstant = 2;

/// The depth of a program in contractions: the largest number of
/// qc.linear, qc.quantized_linear and qc.matmul ops on one path from an
/// input to an op, and the largest reduction length among them (a dynamic
/// one counts as the largest static one).
struct Depth {
  int64_t contractions = 0;
  int64_t reduction = 1;
};

Depth measureDepth(func::FuncOp main) {
  Depth result;
  DenseMap<Operation *, int64_t> depth;
  auto valueDepth = [&](Value v) -> int64_t {
    Operation *def = v.getDefiningOp();
    return def ? depth.lookup(def) : 0;
  };
  // Post-order: operands' producers and nested ops come first.
  main.walk([&](Operation *op) {
    int64_t d = 0;
    for (Value v : op->getOperands())
      d = std::max(d, valueDepth(v));
    for (Region &region : op->getRegions())
      region.walk([&](Operation *inner) { d = std::max(d, depth.lookup(inner)); });
    int64_t k = 0;
    if (auto linear = dyn_cast<LinearOp>(op))
      k = linear.getInFeatures();
    else if (auto quantized = dyn_cast<QuantizedLinearOp>(op))
      k = quantized.getInFeatures();
    else if (auto matmul = dyn_cast<MatMulOp>(op))
      k = cast<RankedTensorType>(matmul.getLhs().getType()).getShape().back();
    else {
      depth[op] = d;
      return;
    }
    if (!ShapedType::isDynamic(k)) // a dynamic one counts as the longest static one
      result.reduction = std::max(result.reduction, k);
    depth[op] = d + 1;
    result.contractions = std::max(result.contractions, d + 1);
  });
  return result;
}

/// How one output of the candidate differs from the reference's, over all
/// samples.
struct Difference {
  double maxRelative = 0, meanRelative = 0;
  /// For outputs compared exactly (not float): elements that differ.
  uint64_t mismatches = 0, elements = 0;
  bool exact = false;
  std::string problem; // a type or shape mismatch
};

template <typename T>
void accumulate(const HostTensor &a, const HostTensor &b, double &maxDiff, double &maxRef,
                double &sumDiff, double &sumRef) {
  size_t n = a.bytes.size() / sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T x, y;
    std::memcpy(&x, a.bytes.data() + i * sizeof(T), sizeof(T));
    std::memcpy(&y, b.bytes.data() + i * sizeof(T), sizeof(T));
    double dx = x, dy = y, diff;
    if (std::isnan(dx) || std::isnan(dy))
      diff = std::isnan(dx) && std::isnan(dy) ? 0 : INFINITY;
    else if (std::isinf(dx) || std::isinf(dy))
      diff = dx == dy ? 0 : INFINITY;
    else
      diff = std::fabs(dx - dy);
    double ref = std::isfinite(dx) ? std::fabs(dx) : 0;
    maxDiff = std::max(maxDiff, diff);
    maxRef = std::max(maxRef, ref);
    sumDiff += diff;
    sumRef += ref;
  }
}

double ratio(double difference, double reference) {
  if (difference == 0)
    return 0;
  return reference > 0 ? difference / reference : INFINITY;
}

std::string typeName(qc_element_type type) {
  switch (type) {
  case QC_TYPE_FLOAT32: return "float32";
  case QC_TYPE_FLOAT64: return "float64";
  case QC_TYPE_FLOAT16: return "float16";
  case QC_TYPE_BFLOAT16: return "bfloat16";
  case QC_TYPE_INT64: return "int64";
  case QC_TYPE_INT32: return "int32";
  case QC_TYPE_INT8: return "int8";
  case QC_TYPE_UINT8: return "uint8";
  case QC_TYPE_BOOL: return "bool";
  default: return "ONNX type " + std::to_string(type);
  }
}

Difference compare(const std::vector<std::vector<HostTensor>> &reference,
                   const std::vector<std::vector<HostTensor>> &candidate, size_t output) {
  Difference d;
  double maxDiff = 0, maxRef = 0, sumDiff = 0, sumRef = 0;
  for (size_t s = 0; s < reference.size(); ++s) {
    const HostTensor &a = reference[s][output], &b = candidate[s][output];
    if (a.type != b.type || a.dims != b.dims) {
      auto describe = [](const HostTensor &t) {
        std::string text = typeName(t.type) + " [";
        for (size_t i = 0; i < t.dims.size(); ++i)
          text += (i ? "x" : "") + std::to_string(t.dims[i]);
        return text + "]";
      };
      d.problem = "sample " + std::to_string(s) + " gives " + describe(b) + " instead of " +
                  describe(a);
      return d;
    }
    if (a.type == QC_TYPE_FLOAT32) {
      accumulate<float>(a, b, maxDiff, maxRef, sumDiff, sumRef);
    } else if (a.type == QC_TYPE_FLOAT64) {
      accumulate<double>(a, b, maxDiff, maxRef, sumDiff, sumRef);
    } else {
      d.exact = true;
      size_t n = countOf(a.dims);
      size_t size = n ? a.bytes.size() / n : 0;
      d.elements += n;
      for (size_t i = 0; i < n; ++i)
        if (std::memcmp(a.bytes.data() + i * size, b.bytes.data() + i * size, size))
          ++d.mismatches;
    }
  }
  d.maxRelative = ratio(maxDiff, maxRef);
  d.meanRelative = ratio(sumDiff, sumRef);
  return d;
}

std::string sci(double v) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format("%.3g", v);
  return text;
}

struct VerifyEquivalencePass : impl::QCVerifyEquivalenceBase<VerifyEquivalencePass> {
  using Base::Base;
  VerifyEquivalencePass(const QCVerifyEquivalenceOptions &options, CalibrationServices services,
                        std::optional<OpPassManager> pipeline)
      : Base(options), services(std::move(services)), nested(std::move(pipeline)) {}

  CalibrationServices services;
  // The passes to check: given in C++, or parsed from `pipeline` on first
  // need (getDependentDialects is const, and runs before runOnOperation).
  mutable std::optional<OpPassManager> nested;
  mutable std::string parseError;

  bool ensurePipeline() const {
    if (nested)
      return true;
    if (!parseError.empty())
      return false;
    StringRef text = StringRef(pipeline).trim();
    if (text.consume_front("builtin.module(") && !text.consume_back(")")) {
      parseError = "pipeline '" + pipeline + "': unbalanced builtin.module(...)";
      return false;
    }
    OpPassManager pm(ModuleOp::getOperationName());
    std::string message;
    llvm::raw_string_ostream os(message);
    if (!text.empty() && failed(parsePassPipeline(text, pm, os))) {
      parseError =
          "pipeline '" + pipeline + "' does not parse: " + StringRef(message).trim().str();
      return false;
    }
    nested = std::move(pm);
    return true;
  }

  LogicalResult
  initializeOptions(StringRef options,
                    function_ref<LogicalResult(const Twine &)> errorHandler) override {
    if (failed(Pass::initializeOptions(options, errorHandler)))
      return failure();
    nested.reset();
    parseError.clear();
    if (!ensurePipeline())
      return errorHandler("qc-verify-equivalence: " + parseError);
    return success();
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    if (ensurePipeline())
      nested->getDependentDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Diagnostics go to @main's location (or the module's), without the
    // module printed after them.
    Location where = module.getLoc();
    auto fail = [&](const Twine &message) {
      emitError(where) << "qc-verify-equivalence: " << message;
      signalPassFailure();
    };
    if (!ensurePipeline())
      return fail(parseError);
    if (!services.run)
      return fail("no executor to run the programs (the tool must build the pass with its "
                  "CalibrationServices: qc::createQCVerifyEquivalence or "
                  "qc::registerCalibrationPasses)");
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return fail("the module has no @main to run");
    where = main.getLoc();

    std::vector<CalibrationSample> samples;
    std::string error;
    if (!getCalibrationSamples(main, {calibDir, synthetic, syntheticDim, seed}, services, samples,
                               error))
      return fail(error);

    OwningOpRef<ModuleOp> reference = module.clone();
    Depth depth = measureDepth(main);
    if (failed(runPipeline(*nested, module)))
      return signalPassFailure(); // the failing pass said why
    main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return fail("the pipeline removed @main");
    Depth after = measureDepth(main);
    depth.contractions = std::max(depth.contractions, after.contractions);
    depth.reduction = std::max(depth.reduction, after.reduction);

    double tol = tolerance;
    std::string derivation;
    if (tol <= 0) {
      int64_t l = std::max<int64_t>(depth.contractions, 1);
      tol = kToleranceConstant * kUnitRoundoff *
            std::sqrt(static_cast<double>(l) * static_cast<double>(depth.reduction));
      derivation = " = 2 * 2^-24 * sqrt(L * K), L = " + std::to_string(l) +
                   " contractions on the longest path, K = " + std::to_string(depth.reduction) +
                   " the longest reduction";
    }

    OwningOpRef<ModuleOp> candidate = module.clone();
    std::vector<std::vector<HostTensor>> expected, got;
    if (!services.run(*reference, samples, nullptr, &expected, error))
      return fail("running the reference: " + error);
    if (!services.run(*candidate, samples, nullptr, &got, error))
      return fail("running the rewritten module: " + error);

    size_t numOutputs = expected.empty() ? 0 : expected.front().size();
    if (!got.empty() && got.front().size() != numOutputs)
      return fail("the rewritten module has " + std::to_string(got.front().size()) +
                  " outputs, the reference " + std::to_string(numOutputs));
    emitRemark(where) << "qc-verify-equivalence: " << samples.size() << " samples, tolerance "
                      << sci(tol) << derivation;
    bool ok = true;
    for (size_t o = 0; o < numOutputs; ++o) {
      std::string name = "output " + std::to_string(o);
      if (o < main.getNumResults())
        if (auto onnxName = main.getResultAttrOfType<StringAttr>(o, "onnx.name"))
          name += " '" + onnxName.str() + "'";
      Difference d = compare(expected, got, o);
      if (!d.problem.empty()) {
        emitError(where) << "qc-verify-equivalence: " << name << ": " << d.problem;
        ok = false;
        continue;
      }
      if (d.exact) {
        if (d.mismatches) {
          emitError(where) << "qc-verify-equivalence: " << name << " differs: "
                             << d.mismatches << " of " << d.elements
                             << " elements changed (integer outputs must match exactly)";
          ok = false;
        } else {
          emitRemark(where) << "qc-verify-equivalence: " << name << ": all " << d.elements
                              << " elements equal";
        }
        continue;
      }
      if (!(d.maxRelative <= tol)) {
        emitError(where) << "qc-verify-equivalence: " << name
                           << " differs: max relative error " << sci(d.maxRelative)
                           << " exceeds the tolerance " << sci(tol) << " (mean relative error "
                           << sci(d.meanRelative) << ")";
        ok = false;
        continue;
      }
      emitRemark(where) << "qc-verify-equivalence: " << name << ": max relative error "
                          << sci(d.maxRelative) << ", mean relative error "
                          << sci(d.meanRelative);
    }
    if (!ok)
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> createQCVerifyEquivalence(const QCVerifyEquivalenceOptions &options,
                                                CalibrationServices services,
                                                std::optional<OpPassManager> pipeline) {
  return std::make_unique<VerifyEquivalencePass>(options, std::move(services),
                                                 std::move(pipeline));
}

} // namespace qc
