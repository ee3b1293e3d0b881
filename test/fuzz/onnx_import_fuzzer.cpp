//===- onnx_import_fuzzer.cpp - libFuzzer target for the ONNX importer -----===//
//
// Feeds arbitrary bytes to the importer as a serialized ModelProto. Any
// outcome but a module or a one-line error (a crash, an assert, a sanitizer
// report, an error message with a line break) is a bug.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    qc::onnx_frontend::registerImportDialects(*r);
    return r;
  }();
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  std::string error;
  // External data resolves in a folder that does not exist, so no input can
  // make the importer read files.
  auto module = qc::onnx_frontend::importModelBytes(
      context, llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.onnx", "/nonexistent-qc-fuzz-dir", error);
  if (!module && (error.empty() || error.find('\n') != std::string::npos)) {
    std::fprintf(stderr, "importer failed without a one-line error: '%s'\n",
                 error.c_str());
    std::abort();
  }
  return 0;
}
