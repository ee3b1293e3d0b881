//===- Importer.h - ONNX ModelProto to the qc graph IR ----------*- C++ -*-===//

#ifndef QC_FRONTENDS_ONNX_IMPORTER_H
#define QC_FRONTENDS_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace qc::onnx_frontend {

/// Registers the dialects the importer emits.
void registerImportDialects(mlir::DialectRegistry &registry);

/// A graph input bound to a constant for this compilation: the name and a
/// .pb file holding its TensorProto.
struct FrozenInput {
  std::string name, tensorPath;
};

/// Imports the ONNX model at `path` as a module with one function, `main`.
/// On failure returns null and sets `error` to one line:
/// "<path>: node '<name>' (<OpType>, opset <N>): <reason>" or
/// "<path>: <reason>".
mlir::OwningOpRef<mlir::ModuleOp>
importModel(mlir::MLIRContext &context, llvm::StringRef path, std::string &error,
            llvm::ArrayRef<FrozenInput> frozenInputs = {});

/// Imports a serialized model held in memory. `name` stands for the file in
/// errors; external data files are looked up in `modelDir`.
mlir::OwningOpRef<mlir::ModuleOp> importModelBytes(mlir::MLIRContext &context,
                                                   llvm::StringRef bytes,
                                                   llvm::StringRef name,
                                                   llvm::StringRef modelDir,
                                                   std::string &error);

/// The supported-ops table as Markdown (docs/onnx-ops.md), generated from the
/// conversion table.
std::string getSupportedOpsMarkdown();

} // namespace qc::onnx_frontend

#endif // QC_FRONTENDS_ONNX_IMPORTER_H
