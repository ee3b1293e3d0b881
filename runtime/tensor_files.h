//===- tensor_files.h - read ONNX test-data tensors (.pb, .npy) -*- C++ -*-===//
//
// Inputs and reference outputs in the layout of ONNX's backend tests
// (DIR/input_N.pb, serialized TensorProtos) or as NumPy .npy files. Used by
// qc-run, and by qc-opt and qc-compile to read calibration samples for the
// passes; needs the ONNX protobuf classes, nothing of LLVM or MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef QC_RUNTIME_TENSOR_FILES_H
#define QC_RUNTIME_TENSOR_FILES_H

#include "runtime/host_tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qc {

/// Reads a serialized TensorProto; false with `error` set on failure.
bool readTensorProto(const std::string &path, HostTensor &out, std::string &error);
/// Reads a .npy (version 1-3, little-endian, C order).
bool readNpy(const std::string &path, HostTensor &out, std::string &error);

enum class FileLookup { Found, Missing, Failed };
/// DIR/<stem>_<i>.pb or .npy.
FileLookup readIndexed(const std::string &dir, const char *stem, size_t i, HostTensor &out,
                       std::string &error);

/// Calibration samples in `root`: one subdirectory per sample (in name
/// order) holding input_0 .. input_<numInputs-1> (.pb or .npy), or those
/// files in `root` itself for one sample. False with `error` set (one
/// line, naming the file or directory) on failure.
bool readSampleDirectory(const std::string &root, unsigned numInputs,
                         std::vector<std::vector<HostTensor>> &samples, std::string &error);

} // namespace qc

#endif // QC_RUNTIME_TENSOR_FILES_H
