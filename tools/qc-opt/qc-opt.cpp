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
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  qc::registerQCPasses();
  qc::cpu::registerQCCPUPasses();
  qc::cpu::registerCodegenPipeline();
  qc::cpu::registerCalibrationExecutor();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<qc::QCDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qc optimizer driver: qc and upstream MLIR passes\n",
      registry));
}
