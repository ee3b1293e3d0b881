//===- Pipeline.h - the CPU code generation pipeline ------------*- C++ -*-===//
//
// From the imported qc graph IR (tensors) to the LLVM dialect, for x86-64.
//
//===----------------------------------------------------------------------===//

#ifndef QC_LOWERING_CPU_PIPELINE_H
#define QC_LOWERING_CPU_PIPELINE_H

#include <cstdint>
#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace qc::cpu {

struct CodegenOptions {
  /// Distribute the outer tiles of contractions over threads (OpenMP).
  bool parallel = true;
  /// Lower linear layers to packed, tiled and vectorized mmt4d; off gives
  /// plain loops, the simplest lowering.
  bool tileContractions = true;
  /// The register tile of the GEMM kernel, rows x columns (compileToSharedObject
  /// picks 12x32 for AVX-512 and 6x16 for AVX2).
  int64_t tileM = 12, tileN = 32;
  /// The quantized linear-layer micro-kernels' variant: avx512-vnni, avx2
  /// or scalar (compileToSharedObject picks it from the target's features).
  std::string kernelIsa = "avx512-vnni";
};

/// qc ops → linalg on tensors → fused, tiled and vectorized → bufferized →
/// loops → LLVM dialect, with `main` given a C interface
/// (`_mlir_ciface_main`) that the artifact's entry point calls.
void buildCodegenPipeline(mlir::OpPassManager &pm, const CodegenOptions &options);

/// The dialects, interface models and LLVM IR translations the pipeline
/// needs, for a tool's context.
void registerCodegenDialects(mlir::DialectRegistry &registry);

/// Registers "qc-cpu-codegen" (and its options) for qc-opt.
void registerCodegenPipeline();

} // namespace qc::cpu

#endif // QC_LOWERING_CPU_PIPELINE_H
