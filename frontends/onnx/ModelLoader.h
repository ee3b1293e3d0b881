//===- ModelLoader.h - read an ONNX file into a ModelProto ------*- C++ -*-===//
//
// Parsing is Debian's libonnx/protobuf; this layer adds what a user needs
// around it: clear errors for truncated or corrupted files, the opset check,
// external data files, and decoding of tensor payloads (raw_data or typed
// fields) into the byte layout MLIR attributes use.
//
//===----------------------------------------------------------------------===//

#ifndef QC_FRONTENDS_ONNX_MODELLOADER_H
#define QC_FRONTENDS_ONNX_MODELLOADER_H

#include "onnx/onnx_pb.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qc::onnx_frontend {

/// Default-domain opsets the importer handles.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 21;

/// Parses `path`. Errors name no file; the caller prefixes it.
llvm::Error loadModel(llvm::StringRef path, onnx::ModelProto &model);

/// Parses a serialized model held in memory.
llvm::Error parseModel(llvm::StringRef bytes, onnx::ModelProto &model);

/// Makes graph input `name` a constant: the TensorProto in `tensorPath` (the
/// ONNX test-data .pb layout) becomes an initializer of that name. Its type
/// and shape must fit the input's declaration.
llvm::Error freezeInput(onnx::ModelProto &model, llvm::StringRef name,
                        llvm::StringRef tensorPath);

/// The default-domain ("" or "ai.onnx") opset the model imports, or an error
/// when it has none or one outside [kMinOpset, kMaxOpset].
llvm::Expected<int64_t> getDefaultOpset(const onnx::ModelProto &model);

/// The opset of `domain` the model imports, or 0 if it imports none.
int64_t getOpset(const onnx::ModelProto &model, llvm::StringRef domain);

/// Number of elements of `tensor` from its dims; an error on negative dims or
/// when the count would overflow.
llvm::Expected<int64_t> getNumElements(const onnx::TensorProto &tensor);

/// Size in bytes of one element of an ONNX data type as MLIR stores it
/// (bool as one byte), or 0 for types the importer does not handle.
size_t getElementByteSize(int32_t onnxType);

/// The payload of `tensor`, decoded to packed little-endian elements of
/// getElementByteSize(). External data is read from files next to the model
/// (`modelDir`); paths that leave that folder are rejected.
llvm::Expected<std::vector<char>> readTensorData(const onnx::TensorProto &tensor,
                                                 llvm::StringRef modelDir);

/// True for ONNX's unsigned integer types (MLIR integers are signless, so
/// the importer tracks this beside each value).
bool isUnsignedType(int32_t onnxType);

/// Human-readable name of an ONNX data type ("float32", "int64", ...).
std::string getTypeName(int32_t onnxType);

} // namespace qc::onnx_frontend

#endif // QC_FRONTENDS_ONNX_MODELLOADER_H
