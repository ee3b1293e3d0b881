//===- qc-compile.cpp - the qc compiler driver -----------------------------===//
//
// qc-compile MODEL.onnx|PROGRAM.mlir[bc] [-o OUT] [--emit=so|mlir|mlirbc|llvm-mlir]
//            [-target=cpu|cuda] [-mcpu=CPU] [-mattr=FEATURES]
//
// Imports an ONNX model and writes what --emit asks for; by default what the
// output's extension says (.so: a compiled artifact for the runtime). Errors are one line,
// "qc-compile: error: <file>: ...", with exit status 1; the output file is
// written only when everything succeeded.
//
//===----------------------------------------------------------------------===//

#include "QuantReport.h"
#include "frontends/onnx/Importer.h"
#include "lowering/cpu/Artifact.h"
#include "lowering/cpu/QuantizedLinearTarget.h"
#include "passes/Calibrate.h"
#include "passes/LayerNames.h"
#include "passes/Passes.h"
#include "runtime/tensor_files.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

enum class Emit { Auto, SharedObject, MLIR, MLIRBytecode, LLVMDialect };
enum class Target { CPU, CUDA };

cl::OptionCategory category("qc-compile options");

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx | program.mlir | program.mlirbc>"),
                               cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file ('-' for stdout; "
                                              "default: stdout for --emit=mlir)"),
                                cl::value_desc("path"), cl::init("-"),
                                cl::cat(category));
cl::opt<Emit> emit("emit",
                   cl::desc("What to write (default: from -o's extension: .so an "
                            "artifact, .mlirbc bytecode, anything else or stdout mlir)"),
                   cl::values(clEnumValN(Emit::SharedObject, "so",
                                         "a compiled artifact (shared object) for "
                                         "libqcrt and qc-run"),
                              clEnumValN(Emit::MLIR, "mlir",
                                         "the imported qc graph IR as text"),
                              clEnumValN(Emit::MLIRBytecode, "mlirbc",
                                         "the imported IR as MLIR bytecode, weights "
                                         "included in binary; qc-opt reads it"),
                              clEnumValN(Emit::LLVMDialect, "llvm-mlir",
                                         "the IR after the CPU pipeline (LLVM "
                                         "dialect), before LLVM itself")),
                   cl::init(Emit::Auto), cl::cat(category));
cl::opt<Target> target("target", cl::desc("Code generation target (default: cpu)"),
                       cl::values(clEnumValN(Target::CPU, "cpu", "x86-64 CPU"),
                                  clEnumValN(Target::CUDA, "cuda",
                                             "NVIDIA GPU (NVPTX; not implemented yet, "
                                             "rejected with an error)")),
                       cl::init(Target::CPU), cl::cat(category));
cl::opt<std::string> mcpu("mcpu",
                         cl::desc("Target CPU, as LLVM names it (default: native, "
                                  "the CPU compiling)"),
                         cl::value_desc("cpu"), cl::init("native"), cl::cat(category));
cl::opt<std::string> mattr("mattr",
                          cl::desc("Target features to add or remove, as LLVM "
                                   "spells them: +avx2,-avx512f (default: none)"),
                          cl::value_desc("features"), cl::init(""), cl::cat(category));
cl::opt<bool> parallel("parallel",
                       cl::desc("Run the outer loops of every op (and the column tiles "
                                "of GEMMs) on OpenMP threads; the artifact links libomp, "
                                "and the runtime's thread count (qc-run --threads) "
                                "picks how many (default: true)"),
                       cl::init(true), cl::cat(category));
cl::opt<bool> packedGemm(
    "packed-gemm",
    cl::desc("Lower linear layers, im2col convolutions and attention matmuls to "
             "packed, tiled and vectorized mmt4d, and quantized layers to packed weights "
             "and the runtime's kernels; =false gives plain loops (quantized weights "
             "dequantized), the simplest lowering and the reference (default: true)"),
    cl::init(true), cl::cat(category));
cl::opt<bool> elideWeights(
    "elide-weights",
    cl::desc("With --emit=mlir, print weight blobs by name only, so the text of "
             "any model stays small; =false writes their bytes as hex "
             "(default: true)"),
    cl::init(true), cl::cat(category));
cl::list<std::string> freezeInputs(
    "freeze-input",
    cl::desc("Bind a graph input to a constant for this compilation, from a "
             "serialized TensorProto (.pb, as in ONNX test data); for inputs "
             "that decide shapes, such as axes or sizes (repeatable; "
             "default: none)"),
    cl::value_desc("name=file.pb"), cl::cat(category));
cl::OptionCategory quantCategory("qc-compile quantization options");

cl::opt<std::string> quant(
    "quant",
    cl::desc("Quantize linear layers with a preset: none, w8a8 (int8 weights per channel, "
             "int8 activations per token), w4a16 (int4 weights in groups of 128 with zero "
             "points, float activations), w4a8 (int4 g128, int8 activations), w8a16 (int8 per "
             "channel, float activations), w4a4 (int4 g128, int4 activations per token) "
             "(default: none)"),
    cl::value_desc("preset"), cl::init("none"), cl::cat(quantCategory));
cl::opt<std::string> weightQuantizer(
    "weight-quantizer",
    cl::desc("rtn (round to nearest) or gptq (error-compensating, needs calibration data) "
             "(default: gptq with --calib or --calib-synthetic, rtn without)"),
    cl::value_desc("rtn|gptq"), cl::init(""), cl::cat(quantCategory));
cl::opt<int64_t> groupSize(
    "group-size",
    cl::desc("Weights per scale along the reduction dimension; 0: one scale per output "
             "channel (default: the preset's, 128 or per channel)"),
    cl::value_desc("N"), cl::init(-1), cl::cat(quantCategory));
cl::opt<std::string> weightSymmetry(
    "weight-symmetry",
    cl::desc("preset, symmetric (no zero points) or asymmetric (zero points) weights "
             "(default: preset: asymmetric for int4, symmetric for int8)"),
    cl::value_desc("preset|symmetric|asymmetric"), cl::init("preset"), cl::cat(quantCategory));
cl::opt<bool> perTensorActivations(
    "per-tensor-activations",
    cl::desc("Integer activations with one static scale per tensor from calibration, instead "
             "of per-token scales computed at run time (needs calibration data) "
             "(default: false)"),
    cl::init(false), cl::cat(quantCategory));
cl::opt<std::string> activationClip(
    "activation-clip",
    cl::desc("For presets with integer activations: the share of each activation range the "
             "scale covers, in (0, 1] (QuaRot uses 0.9 for 4 bits), or 'search' to choose it "
             "per layer for the least output error on the calibration data (default: 1, no "
             "clipping)"),
    cl::value_desc("RATIO|search"), cl::init(""), cl::cat(quantCategory));
cl::opt<bool> actOrder("act-order",
                       cl::desc("GPTQ: quantize columns by decreasing Hessian diagonal, "
                                "with static groups, so the kernels are unchanged "
                                "(default: true)"),
                       cl::init(true), cl::cat(quantCategory));
cl::list<std::string> keepFloat(
    "keep-float",
    cl::desc("Leave linear layers whose name (ONNX node name) matches this glob in float, "
             "e.g. '*lm_head*' (repeatable; default: none)"),
    cl::value_desc("pattern"), cl::cat(quantCategory));
cl::list<std::string> layerQuant(
    "layer-quant",
    cl::desc("Give linear layers whose name matches PATTERN another preset, e.g. "
             "'*down_proj*=w8a8' to keep them at 8 bits under --quant=w4a4 (repeatable; the "
             "first match wins; default: none)"),
    cl::value_desc("PATTERN=PRESET"), cl::cat(quantCategory));
cl::opt<std::string> calibDir(
    "calib",
    cl::desc("Calibration data: one subdirectory per sample with input_N.pb or .npy "
             "(the ONNX test-data layout) (default: none)"),
    cl::value_desc("dir"), cl::init(""), cl::cat(quantCategory));
cl::opt<int64_t> calibSynthetic(
    "calib-synthetic",
    cl::desc("Calibrate on N random samples drawn from the input types (token ids within "
             "the embedding's range, floats N(0,1)) when no --calib is given (default: 0)"),
    cl::value_desc("N"), cl::init(0), cl::cat(quantCategory));
cl::opt<std::string> reportPath(
    "report",
    cl::desc("Write the per-layer quantization report (format, bytes, relative output "
             "error on the calibration data; model size before and after) as JSON "
             "(default: none)"),
    cl::value_desc("file.json"), cl::init(""), cl::cat(quantCategory));
cl::opt<std::string> smooth(
    "smooth",
    cl::desc("SmoothQuant for presets with integer activations (w8a8, w4a8, w4a4): move activation "
             "outliers into the weights, with the migration strength alpha given or searched "
             "per layer group on the calibration data (--smooth, --smooth=auto, --smooth=0.5; "
             "needs calibration data) (default: off)"),
    cl::value_desc("auto|ALPHA"), cl::ValueOptional, cl::init(""), cl::cat(quantCategory));
cl::opt<bool> awq("awq",
                  cl::desc("AWQ for int4 weights: activation-aware per-channel scales searched "
                           "per layer group and folded into the previous op, and "
                           "activation-aware clipping of the weight groups (needs calibration "
                           "data) (default: false)"),
                  cl::init(false), cl::cat(quantCategory));
cl::opt<bool> reparam("reparam",
                      cl::desc("RepQ-ViT scale reparameterization: per-channel activation "
                               "ranges after LayerNorms made equal, so one per-tensor scale "
                               "fits them, the factors folded into the norm's affine and the "
                               "next weights (needs calibration data) (default: false)"),
                      cl::init(false), cl::cat(quantCategory));
cl::opt<bool> foldNorms("fold-norms",
                        cl::desc("Fold norms' scale and bias into the next linear layers, and "
                                 "pre-norm LayerNorms into RMSNorms, before calibration; "
                                 "what rotations need, but it moves the norms' outlier "
                                 "channels into the weights (default: false)"),
                        cl::init(false), cl::cat(quantCategory));
cl::opt<bool> rotate("rotate",
                     cl::desc("QuaRot rotations folded into the weights: a randomized Hadamard "
                              "of the residual stream (R1) and of each attention head's values "
                              "(R2), and with --quant=w4a4 an online Hadamard before each FFN "
                              "down projection (R3), so that activation outliers spread over "
                              "all channels; implies --fold-norms (default: false)"),
                     cl::init(false), cl::cat(quantCategory));
cl::opt<bool> rotateQK(
    "rotate-qk",
    cl::desc("--rotate: also rotate queries and keys after RoPE by an online Hadamard of the "
             "head dim (R4; the scores are unchanged; for a quantized KV cache, which qc does "
             "not have yet) (default: false)"),
    cl::init(false), cl::cat(quantCategory));
cl::opt<unsigned> rotateSeeds(
    "rotate-seeds",
    cl::desc("--rotate: try N seeds for the stream's random signs and keep the one whose rotated "
             "activations round with the least error on the calibration data (calibrates "
             "twice; needs integer activations) (default: 1)"),
    cl::value_desc("N"), cl::init(1), cl::cat(quantCategory));
cl::opt<std::string> rotateOnline(
    "rotate-online",
    cl::desc("--rotate's run-time Hadamards: 'down' before each FFN down projection (R3), "
             "'attention' before each attention output projection (across heads), 'all' both, "
             "'none', or 'auto': down when a layer has 4-bit activations (default: auto)"),
    cl::value_desc("auto|none|down|attention|all"), cl::init("auto"), cl::cat(quantCategory));
cl::opt<bool> verifyFloat(
    "verify",
    cl::desc("Check that the float-preserving passes (norm folding, smoothing, "
             "reparameterization, calibration) leave the model's outputs unchanged: run "
             "the model before and after them on the calibration samples and fail when an "
             "output's max relative error exceeds float32 rounding's bound, "
             "2 * 2^-24 * sqrt(L * K) for L contractions in sequence of K terms at most "
             "(qc-verify-equivalence; needs calibration data; compiles the model twice "
             "more) (default: false)"),
    cl::init(false), cl::cat(quantCategory));
cl::opt<double> verifyTolerance(
    "verify-tolerance",
    cl::desc("--verify's largest accepted max relative error ||a-b||_inf / ||a||_inf "
             "(default: 0, derived from the model's depth)"),
    cl::value_desc("x"), cl::init(0.0), cl::cat(quantCategory));
cl::opt<bool> verbose("v", cl::desc("Print the quantization report as a table on stderr, and "
                                    "the quantization passes' notes (default: false)"),
                      cl::init(false), cl::cat(quantCategory));

cl::opt<bool> printSupportedOps(
    "print-supported-ops",
    cl::desc("Print the table of supported ONNX ops as Markdown and exit"),
    cl::init(false), cl::cat(category));

int fail(const Twine &message) {
  errs() << "qc-compile: error: " << message << "\n";
  return 1;
}

/// The float-preserving part of --quant, in order: passes that change no
/// output in exact arithmetic (the formats and calibration only add
/// attributes). --verify runs exactly these inside qc-verify-equivalence and
/// checks the outputs before and after, so a new float-preserving pass
/// joins here, from its flag.
void addFloatPreservingPasses(mlir::OpPassManager &pm, const qc::CalibrationServices &services) {
  bool smoothing = smooth.getNumOccurrences() > 0;
  std::string smoothAlpha = smooth.empty() ? "auto" : std::string(smooth);
  bool calibrated = !calibDir.empty() || calibSynthetic > 0;
  // --calib's samples come through `services`; synthetic ones are drawn by
  // the pass.
  auto calibrate = [&] {
    qc::QCCalibrateOptions options;
    if (calibDir.empty())
      options.synthetic = calibSynthetic;
    pm.addPass(qc::createQCCalibrate(options, services));
  };
  // Rewrites that need no statistics.
  // Not implied by smoothing: folding a norm's scale into the weights moves
  // its outlier channels into them, which int4 weights pay for (qc-smooth and
  // qc-reparam fold into the norm themselves).
  // Rotations need scale-free RMSNorms, which qc-fold-norms leaves.
  if (foldNorms || rotate)
    pm.addNestedPass<mlir::func::FuncOp>(qc::createQCFoldNorms());
  // The formats (attributes only), then calibration and the rewrites that
  // read its statistics.
  qc::QCApplyQuantPresetOptions preset;
  preset.preset = quant;
  preset.groupSize = groupSize;
  preset.symmetry = weightSymmetry;
  preset.perTensorActivations = perTensorActivations;
  if (!activationClip.empty() && activationClip != "search")
    preset.activationClip = std::stod(activationClip);
  preset.keepFloat.assign(keepFloat.begin(), keepFloat.end());
  preset.layerQuant.assign(layerQuant.begin(), layerQuant.end());
  pm.addPass(qc::createQCApplyQuantPreset(preset));
  if (rotate) {
    // 4-bit activations also need the FFN's down input rotated (online).
    qc::QCRotateOptions options;
    bool fourBit = quant == "w4a4" || llvm::any_of(layerQuant, [](StringRef text) {
                     return text.ends_with("=w4a4");
                   });
    options.online = rotateOnline == "down" || rotateOnline == "all" ||
                     (rotateOnline == "auto" && fourBit);
    options.onlineAttention = rotateOnline == "attention" || rotateOnline == "all";
    options.r4 = rotateQK;
    // A seed search reads the unrotated stream's calibration rows; the
    // rotated model is calibrated again below.
    options.seeds = rotateSeeds;
    if (rotateSeeds > 1)
      calibrate();
    pm.addNestedPass<mlir::func::FuncOp>(qc::createQCRotate(options));
  }
  if (calibrated)
    calibrate();
  if (reparam) {
    // The reparameterized layers' statistics are measured again.
    pm.addNestedPass<mlir::func::FuncOp>(qc::createQCReparam());
    calibrate();
  }
  if (smoothing) {
    qc::QCSmoothOptions options;
    options.method = "smoothquant";
    options.alpha = smoothAlpha;
    pm.addNestedPass<mlir::func::FuncOp>(qc::createQCSmooth(options));
  }
  if (awq) {
    qc::QCSmoothOptions options;
    options.method = "awq";
    pm.addNestedPass<mlir::func::FuncOp>(qc::createQCSmooth(options));
  }
}

/// Runs the quantization passes the flags ask for; diagnostics become
/// "qc-compile: warning: ..." lines (remarks only with -v), the first error
/// is returned in `error`. `samples` receives the --calib samples, which
/// the passes that run the model find in their CalibrationServices.
mlir::LogicalResult quantize(mlir::ModuleOp module, const qc::CalibrationServices &services,
                             std::vector<qc::CalibrationSample> &samples,
                             qc::QuantReport &report, std::string &error) {
  bool calibrated = !calibDir.empty() || calibSynthetic > 0;
  std::string method = weightQuantizer.empty() ? (calibrated ? "gptq" : "rtn")
                                               : std::string(weightQuantizer);
  if (method != "rtn" && method != "gptq") {
    error = "--weight-quantizer must be rtn or gptq, got '" + method + "'";
    return mlir::failure();
  }
  if (method == "gptq" && !calibrated) {
    error = "--weight-quantizer=gptq needs calibration data (--calib=DIR or --calib-synthetic=N)";
    return mlir::failure();
  }
  bool integerActivations = quant == "w8a8" || quant == "w4a8" || quant == "w4a4";
  if (rotateSeeds > 1 && (!calibrated || !integerActivations)) {
    error = "--rotate-seeds needs calibration data (--calib=DIR or --calib-synthetic=N) and a "
            "preset with integer activations (w8a8, w4a8, w4a4)";
    return mlir::failure();
  }
  if (rotateSeeds == 0) {
    error = "--rotate-seeds must be at least 1";
    return mlir::failure();
  }
  if (!llvm::is_contained({"auto", "none", "down", "attention", "all"}, rotateOnline.getValue())) {
    error = "--rotate-online must be auto, none, down, attention or all, got '" + rotateOnline +
            "'";
    return mlir::failure();
  }
  if (!activationClip.empty()) {
    if (!integerActivations) {
      error = "--activation-clip is for presets with integer activations (w8a8, w4a8, w4a4)";
      return mlir::failure();
    }
    if (activationClip == "search") {
      if (!calibrated) {
        error = "--activation-clip=search needs calibration data (--calib=DIR or "
                "--calib-synthetic=N)";
        return mlir::failure();
      }
    } else {
      char *end = nullptr;
      double ratio = std::strtod(activationClip.c_str(), &end);
      if (end == activationClip.c_str() || *end != '\0' || !(ratio > 0 && ratio <= 1)) {
        error = "--activation-clip must be a ratio in (0, 1] or 'search', got '" +
                activationClip + "'";
        return mlir::failure();
      }
    }
  }
  if (perTensorActivations && !calibrated) {
    error = "--per-tensor-activations needs calibration data (--calib=DIR or "
            "--calib-synthetic=N)";
    return mlir::failure();
  }
  if (!calibDir.empty() && !sys::fs::is_directory(calibDir)) {
    error = calibDir + ": no such directory (--calib)";
    return mlir::failure();
  }
  if (verifyFloat && !calibrated) {
    error = "--verify runs the model on calibration data (--calib=DIR or --calib-synthetic=N)";
    return mlir::failure();
  }
  bool smoothing = smooth.getNumOccurrences() > 0;
  if ((smoothing || awq || reparam) && !calibrated) {
    error = std::string(smoothing ? "--smooth" : awq ? "--awq" : "--reparam") +
            " needs calibration data (--calib=DIR or --calib-synthetic=N)";
    return mlir::failure();
  }
  if (smoothing && (quant == "w4a16" || quant == "w8a16")) {
    error = "--smooth moves activation outliers for integer activations; --quant=" + quant +
            " keeps activations in float (use --awq)";
    return mlir::failure();
  }
  if (reparam && !perTensorActivations && !integerActivations) {
    error = "--reparam equalizes activation ranges for quantized activations; --quant=" + quant +
            " keeps activations in float";
    return mlir::failure();
  }
  // The samples are read here, once, for every pass that runs the model.
  if (!calibDir.empty()) {
    auto main = module.lookupSymbol<mlir::func::FuncOp>("main");
    if (!main) {
      error = "the module has no @main to calibrate";
      return mlir::failure();
    }
    if (!qc::readSampleDirectory(calibDir, main.getNumArguments(), samples, error)) {
      error += " (--calib)";
      return mlir::failure();
    }
  }
  report.preset = quant;
  report.weightQuantizer = method;
  report.calibration = !calibDir.empty()      ? "directory " + calibDir
                       : calibSynthetic > 0 ? std::string("synthetic")
                                            : std::string("none");
  report.modelBytesBefore = qc::countConstantBytes(module);

  // The float-preserving passes and the formats first (the statistics are
  // read off the IR in between), then the quantizers and the packing.
  mlir::PassManager measure(module.getContext()), rewrite(module.getContext());
  if (verifyFloat) {
    // The same passes, run inside qc-verify-equivalence on the same samples.
    mlir::OpPassManager checked(mlir::ModuleOp::getOperationName());
    addFloatPreservingPasses(checked, services);
    qc::QCVerifyEquivalenceOptions verifyOptions;
    verifyOptions.tolerance = verifyTolerance;
    if (calibDir.empty())
      verifyOptions.synthetic = calibSynthetic;
    measure.addPass(qc::createQCVerifyEquivalence(verifyOptions, services, std::move(checked)));
  } else {
    addFloatPreservingPasses(measure, services);
  }
  qc::QCQuantizeOptions quantizeOptions;
  quantizeOptions.method = method;
  quantizeOptions.actOrder = actOrder;
  quantizeOptions.activationAwareClip = awq;
  if (activationClip == "search")
    quantizeOptions.activationClip = "search";
  rewrite.addPass(qc::createQCQuantize(quantizeOptions));
  rewrite.addNestedPass<mlir::func::FuncOp>(qc::createQCQuantizeEmbeddings());
  // Without packed GEMMs, quantized layers take the reference lowering
  // (dequantize, then plain loops): what the kernels are checked against.
  if (packedGemm)
    rewrite.addNestedPass<mlir::func::FuncOp>(qc::createQCPack());

  mlir::ScopedDiagnosticHandler handler(module.getContext(), [&](mlir::Diagnostic &d) {
    std::string where = qc::getLocationName(d.getLocation());
    std::string text = (where.empty() ? "" : "layer '" + where + "': ") + d.str();
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error) {
      if (error.empty())
        error = text;
    } else if (d.getSeverity() == mlir::DiagnosticSeverity::Warning || verbose ||
               (verifyFloat && StringRef(text).starts_with("qc-verify-equivalence:"))) {
      errs() << "qc-compile: " << (d.getSeverity() == mlir::DiagnosticSeverity::Warning
                                       ? "warning: "
                                       : "note: ")
             << text << "\n";
    }
    return mlir::success();
  });
  auto run = [&](mlir::PassManager &pm) {
    if (mlir::succeeded(pm.run(module)))
      return true;
    if (error.empty())
      error = "quantization failed";
    return false;
  };
  if (!run(measure))
    return mlir::failure();
  module.walk([&](qc::LinearOp op) {
    if (qc::TensorStatsAttr stats = op.getInputStatsAttr())
      report.calibrationSamples = static_cast<int64_t>(stats.getSamples());
  });
  if (!run(rewrite))
    return mlir::failure();
  report.modelBytesAfter = qc::countConstantBytes(module);
  qc::collectLayers(module, report);
  return mlir::success();
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category, &quantCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "qc-compile: compile an ONNX model with the qc quantization compiler\n\n"
      "  qc-compile model.onnx -target=cpu -o model.so\n"
      "  qc-compile model.onnx --emit=mlir -o model.mlir\n"
      "  qc-compile model.onnx --emit=mlirbc -o model.mlirbc\n"
      "  qc-compile model.onnx -target=cpu --quant=w4a16 --calib=calib/ -o model.so\n");

  if (printSupportedOps) {
    outs() << qc::onnx_frontend::getSupportedOpsMarkdown();
    return 0;
  }
  if (inputPath.empty())
    return fail("no input model given (usage: qc-compile model.onnx [options])");
  if (!sys::fs::exists(inputPath))
    return fail(inputPath + ": no such file");

  mlir::DialectRegistry registry;
  qc::onnx_frontend::registerImportDialects(registry);
  qc::cpu::registerCodegenDialects(registry);
  qc::cpu::registerCPUQuantizedLinearTarget();
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::vector<qc::onnx_frontend::FrozenInput> frozen;
  for (const std::string &spec : freezeInputs) {
    auto [name, file] = StringRef(spec).split('=');
    if (name.empty() || file.empty())
      return fail("--freeze-input expects name=file.pb, got '" + spec + "'");
    frozen.push_back({name.str(), file.str()});
  }

  std::string error;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (StringRef(inputPath).ends_with(".mlir") || StringRef(inputPath).ends_with(".mlirbc")) {
    // qc graph IR (what --emit=mlir|mlirbc or a qc-opt pipeline wrote).
    if (!frozen.empty())
      return fail("--freeze-input applies to ONNX models, not to " + inputPath);
    std::string diagnostic;
    mlir::ScopedDiagnosticHandler capture(&context, [&](mlir::Diagnostic &d) {
      if (d.getSeverity() == mlir::DiagnosticSeverity::Error && diagnostic.empty())
        diagnostic = d.str();
      return mlir::success();
    });
    mlir::ParserConfig config(&context);
    module = mlir::parseSourceFile<mlir::ModuleOp>(inputPath, config);
    if (!module || !module->lookupSymbol("main"))
      return fail(inputPath + ": not a qc program: " +
                  (diagnostic.empty() ? std::string("no func.func @main") : diagnostic));
  } else {
    module = qc::onnx_frontend::importModel(context, inputPath, error, frozen);
  }
  if (!module)
    return fail(error);

  // The passes that run the model do it with the CPU back end, in this
  // process, on the samples quantize() reads from --calib.
  auto samples = std::make_shared<std::vector<qc::CalibrationSample>>();
  qc::CalibrationServices services{qc::cpu::runCalibrationProgram, qc::readSampleDirectory,
                                   samples};
  if (quant != "none") {
    qc::QuantReport report;
    report.model = inputPath;
    if (mlir::failed(quantize(*module, services, *samples, report, error)))
      return fail(inputPath + ": " + error);
    if (!reportPath.empty()) {
      std::error_code ec;
      ToolOutputFile out(reportPath, ec, sys::fs::OF_None);
      if (ec)
        return fail(reportPath + ": cannot write: " + ec.message());
      qc::writeJSON(report, out.os());
      out.keep();
    }
    if (verbose)
      qc::writeTable(report, errs());
  } else if (!reportPath.empty() || !calibDir.empty() || calibSynthetic > 0 ||
             smooth.getNumOccurrences() || awq || reparam || verifyFloat ||
             !activationClip.empty() || rotate || !layerQuant.empty()) {
    return fail("--report, --calib, --calib-synthetic, --smooth, --awq, --reparam, --rotate, "
                "--verify, --activation-clip and --layer-quant need --quant=<preset>");
  } else if (foldNorms) {
    mlir::PassManager pm(&context);
    pm.addNestedPass<mlir::func::FuncOp>(qc::createQCFoldNorms());
    if (mlir::failed(pm.run(*module)))
      return fail(inputPath + ": --fold-norms failed");
  }

  Emit what = emit;
  if (what == Emit::Auto)
    what = StringRef(outputPath).ends_with(".so")       ? Emit::SharedObject
           : StringRef(outputPath).ends_with(".mlirbc") ? Emit::MLIRBytecode
                                                        : Emit::MLIR;
  if ((what == Emit::SharedObject || what == Emit::LLVMDialect) && target == Target::CUDA)
    return fail(inputPath + ": -target=cuda code generation is not implemented yet; "
                            "use -target=cpu or --emit=mlir");
  qc::cpu::CodegenOptions codegen;
  codegen.parallel = parallel;
  codegen.tileContractions = packedGemm;
  if (what == Emit::SharedObject) {
    if (outputPath == "-")
      return fail("an artifact needs an output file (-o model.so)");
    qc::cpu::TargetOptions targetOptions{mcpu, mattr};
    if (failed(qc::cpu::compileToSharedObject(*module, codegen, targetOptions, outputPath, error)))
      return fail(inputPath + ": " + error);
    return 0;
  }
  if (what == Emit::LLVMDialect &&
      failed(qc::cpu::lowerToLLVMDialect(*module, codegen, error)))
    return fail(inputPath + ": " + error);

  // Everything that can fail has; only now is the output file created.
  std::error_code ec;
  ToolOutputFile output(outputPath, ec, sys::fs::OF_None);
  if (ec)
    return fail(outputPath + ": cannot write: " + ec.message());
  if (what == Emit::MLIRBytecode) {
    if (mlir::failed(mlir::writeBytecodeToFile(*module, output.os())))
      return fail(outputPath + ": cannot write bytecode");
  } else {
    mlir::OpPrintingFlags flags;
    if (elideWeights)
      flags.elideLargeResourceString(64);
    module->print(output.os(), flags);
    output.os() << "\n";
  }
  output.os().flush();
  if (output.os().has_error())
    return fail(outputPath + ": write failed");
  output.keep();
  return 0;
}
