//===- qc-opt.cpp - the qc optimizer driver --------------------------------===//
//
// mlir-opt with the qc dialect and passes added: it parses IR, runs the pass
// pipeline given on the command line (`--pass-pipeline=` or pass flags) and
// prints the result. Upstream dialects, passes and extensions are all
// registered, so a pipeline can mix qc passes with any upstream lowering.
//
//===----------------------------------------------------------------------===//

#include "dialects/qc/QCDialect.h"
#include "lowering/cpu/Artifact.h"
#include "lowering/cpu/Passes.h"
#include "lowering/cpu/Pipeline.h"
#include "lowering/cpu/QuantizedLinearTarget.h"
#include "passes/Calibrate.h"
#include "passes/Passes.h"
#include "runtime/tensor_files.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  // The passes that run programs, built with this tool's executor (the CPU
  // back end, in-process) and sample reader (.pb/.npy files), registered
  // before registerQCPasses() so that theirs are the ones qc-opt keeps.
  qc::registerCalibrationPasses(
      {qc::cpu::runCalibrationProgram, qc::readSampleDirectory, /*samples=*/nullptr});
  mlir::registerAllPasses();
  qc::registerQCPasses();
  qc::cpu::registerQCCPUPasses();
  qc::cpu::registerCodegenPipeline();
  qc::cpu::registerCPUQuantizedLinearTarget();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<qc::QCDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qc optimizer driver: qc and upstream MLIR passes\n",
      registry));
}
