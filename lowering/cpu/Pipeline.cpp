//===- Pipeline.cpp - the CPU code generation pipeline --------------------===//
//
// The pipeline is written as pass-pipeline text (the passes of
// builtin.module(...)), so that what runs is exactly what
// `qc-opt -pass-pipeline=...` would run and a lit test can replay any
// prefix of it.
//
//===----------------------------------------------------------------------===//

#include "lowering/cpu/Pipeline.h"
#include "lowering/cpu/Passes.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;

namespace qc::cpu {

static std::string getPipelineText(const CodegenOptions &options) {
  std::string tensorPasses = "llvm-request-c-wrappers,";
  if (options.tileContractions)
    tensorPasses += "qc-cpu-lower-contractions-to-mmt4d{tile-m=" + std::to_string(options.tileM) +
                    " tile-n=" + std::to_string(options.tileN) +
                    " parallel=" + (options.parallel ? "true" : "false") + "},";
  tensorPasses += "qc-lower-to-linalg,lower-quant-ops,canonicalize,linalg-fuse-elementwise-ops,"
                  "qc-cpu-approximate-math";
  // Observers, checks and quantized layers become calls first, on tensors, so that
  // bufferization sees their operands and results like any other op's.
  std::string text = "qc-cpu-lower-observe,qc-cpu-lower-checks,qc-cpu-lower-quantized-linear{isa=" +
                     options.kernelIsa + "},";
  // Online Hadamard rotations: the fast kernel, or with plain loops the
  // reference (qc-lower-to-linalg: a product with the whole matrix).
  if (options.tileContractions)
    text += "qc-cpu-lower-hadamard{isa=" + options.kernelIsa + "},";
  text += "func.func(" + tensorPasses + "),";
  // Function boundaries take plain row-major buffers: that is the ABI the
  // runtime fills descriptors for. Returned buffers are owned by the caller
  // (the deallocation pipeline clones any it does not own, such as a
  // constant or an argument), which the runtime frees.
  text += "one-shot-bufferize{bufferize-function-boundaries "
          "function-boundary-type-conversion=identity-layout-map},"
          "buffer-deallocation-pipeline,convert-bufferization-to-memref,canonicalize,"
          "func.func(qc-cpu-expand-strided-copies),";
  if (options.tileContractions)
    text += "func.func(qc-cpu-lower-vectors),canonicalize,";
  if (options.parallel)
    text += "func.func(convert-linalg-to-parallel-loops,qc-cpu-serialize-inner-parallel-dims),"
            "scf-forall-to-parallel,convert-scf-to-openmp,func.func(qc-cpu-inline-alloca-scopes),";
  else
    text += "func.func(convert-linalg-to-loops,scf-forall-to-for),";
  // memref.dim of a dynamic reshape can crash upstream
  // expand-strided-metadata (MLIR 22); resolving such dims first avoids it.
  text += "func.func(qc-cpu-resolve-reshape-dims),expand-strided-metadata,lower-affine,"
          "convert-scf-to-cf,"
          "convert-vector-to-llvm,"
          "convert-math-to-funcs,finalize-memref-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
          "convert-arith-to-llvm,convert-func-to-llvm,"
          "convert-cf-to-llvm,";
  if (options.parallel)
    text += "convert-openmp-to-llvm,";
  text += "convert-ub-to-llvm,reconcile-unrealized-casts";
  return text;
}

void buildCodegenPipeline(OpPassManager &pm, const CodegenOptions &options) {
  // The text names passes; the registry must know them.
  static std::once_flag registered;
  std::call_once(registered, [] {
    registerAllPasses();
    registerQCPasses();
    registerQCCPUPasses();
  });
  std::string text = getPipelineText(options);
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(text, pm, os)))
    llvm::report_fatal_error(llvm::Twine("qc: the CPU pipeline does not parse: ") + error);
}

void registerCodegenDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}

namespace {
struct PipelineOptions : PassPipelineOptions<PipelineOptions> {
  Option<bool> parallel{*this, "parallel",
                        llvm::cl::desc("Run contraction tiles on OpenMP threads"),
                        llvm::cl::init(false)};
  Option<bool> tile{*this, "tile",
                    llvm::cl::desc("Lower linear layers to tiled, vectorized mmt4d"),
                    llvm::cl::init(true)};
  Option<int64_t> tileM{*this, "tile-m", llvm::cl::desc("Register tile rows"),
                        llvm::cl::init(12)};
  Option<int64_t> tileN{*this, "tile-n", llvm::cl::desc("Register tile columns"),
                        llvm::cl::init(32)};
  Option<std::string> kernelIsa{*this, "kernel-isa",
                                llvm::cl::desc("Quantized kernels: avx512-vnni, avx2 or scalar"),
                                llvm::cl::init("avx512-vnni")};
};
} // namespace

void registerCodegenPipeline() {
  PassPipelineRegistration<PipelineOptions>(
      "qc-cpu-codegen",
      "Lower the qc graph IR to the LLVM dialect for x86-64 (what qc-compile "
      "-target=cpu runs before LLVM)",
      [](OpPassManager &pm, const PipelineOptions &o) {
        buildCodegenPipeline(pm, {/*parallel=*/o.parallel, /*tileContractions=*/o.tile,
                                  /*tileM=*/o.tileM, /*tileN=*/o.tileN,
                                  /*kernelIsa=*/o.kernelIsa});
      });
}

} // namespace qc::cpu
