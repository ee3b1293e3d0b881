//===- qc-compile.cpp - the qc compiler driver -----------------------------===//
//
// qc-compile MODEL.onnx [-o OUT] [--emit=so|mlir|mlirbc|llvm-mlir]
//            [-target=cpu|cuda] [-mcpu=CPU] [-mattr=FEATURES]
//
// Imports an ONNX model and writes what --emit asks for; by default what the
// output's extension says (.so: a compiled artifact for the runtime). Errors are one line,
// "qc-compile: error: <file>: ...", with exit status 1; the output file is
// written only when everything succeeded.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"
#include "lowering/cpu/Artifact.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
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

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
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
             "packed, tiled and vectorized mmt4d; =false gives plain loops, the "
             "simplest lowering (default: true)"),
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
cl::opt<bool> printSupportedOps(
    "print-supported-ops",
    cl::desc("Print the table of supported ONNX ops as Markdown and exit"),
    cl::init(false), cl::cat(category));

int fail(const Twine &message) {
  errs() << "qc-compile: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qc-compile: compile an ONNX model with the qc quantization compiler\n\n"
      "  qc-compile model.onnx -target=cpu -o model.so\n"
      "  qc-compile model.onnx --emit=mlir -o model.mlir\n"
      "  qc-compile model.onnx --emit=mlirbc -o model.mlirbc\n");

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
  mlir::OwningOpRef<mlir::ModuleOp> module =
      qc::onnx_frontend::importModel(context, inputPath, error, frozen);
  if (!module)
    return fail(error);

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
