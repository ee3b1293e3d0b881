//===- tensor_files.h - read ONNX test-data tensors (.pb, .npy) -*- C++ -*-===//
//
// Inputs and reference outputs in the layout of ONNX's backend tests
// (DIR/input_N.pb, serialized TensorProtos) or as NumPy .npy files. Used by
// qc-run and by calibration; needs the ONNX protobuf classes, nothing of
// LLVM or MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef QC_RUNTIME_TENSOR_FILES_H
#define QC_RUNTIME_TENSOR_FILES_H

#include "qc/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qc {

/// A tensor read from a file: its own storage.
struct HostTensor {
  qc_element_type type = QC_TYPE_UNDEFINED;
  std::vector<int64_t> dims;
  std::vector<char> bytes;

  /// A view for qc_model_run.
  qc_tensor view();
};

size_t countOf(const std::vector<int64_t> &dims);

/// Reads a serialized TensorProto; false with `error` set on failure.
bool readTensorProto(const std::string &path, HostTensor &out, std::string &error);
/// Reads a .npy (version 1-3, little-endian, C order).
bool readNpy(const std::string &path, HostTensor &out, std::string &error);

enum class FileLookup { Found, Missing, Failed };
/// DIR/<stem>_<i>.pb or .npy.
FileLookup readIndexed(const std::string &dir, const char *stem, size_t i, HostTensor &out,
                       std::string &error);

} // namespace qc

#endif // QC_RUNTIME_TENSOR_FILES_H
