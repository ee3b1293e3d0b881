//===- host_tensor.h - a tensor in host memory, owning its bytes -*- C++ -*-===//
//
// What the tools hand to libqcrt and get back: an element type, dims and the
// row-major bytes. Header-only and free of protobuf, LLVM and MLIR, so that
// the compiler's passes (calibration samples) and the runtime's file readers
// (runtime/tensor_files.h) share it without depending on each other.
//
//===----------------------------------------------------------------------===//

#ifndef QC_RUNTIME_HOST_TENSOR_H
#define QC_RUNTIME_HOST_TENSOR_H

#include "runtime/include/qc/runtime.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qc {

/// Number of elements of a tensor of these dims.
inline size_t countOf(const std::vector<int64_t> &dims) {
  size_t n = 1;
  for (int64_t d : dims)
    n *= static_cast<size_t>(d);
  return n;
}

/// The bytes of a tensor of these dims and element size, or nullopt with
/// the reason in `why` when a dim is negative, the rank exceeds
/// QC_MAX_RANK, or the count overflows. Readers of untrusted files check
/// dims with it before they allocate anything.
inline std::optional<size_t> checkedBytes(const std::vector<int64_t> &dims, size_t elementSize,
                                          std::string &why) {
  if (dims.size() > QC_MAX_RANK) {
    why = "rank " + std::to_string(dims.size()) + " exceeds " + std::to_string(QC_MAX_RANK);
    return std::nullopt;
  }
  size_t n = elementSize;
  for (int64_t d : dims) {
    if (d < 0) {
      why = "negative dim " + std::to_string(d);
      return std::nullopt;
    }
    if (d != 0 && n > SIZE_MAX / static_cast<uint64_t>(d)) {
      why = "the element count overflows";
      return std::nullopt;
    }
    n *= static_cast<size_t>(d);
  }
  return n;
}

/// A tensor with its own storage.
struct HostTensor {
  qc_element_type type = QC_TYPE_UNDEFINED;
  std::vector<int64_t> dims;
  std::vector<char> bytes;

  /// A view for qc_model_run (the tensor must outlive it).
  qc_tensor view() {
    qc_tensor t{};
    t.type = type;
    t.rank = static_cast<int32_t>(dims.size());
    std::copy(dims.begin(), dims.end(), t.dims);
    t.data = bytes.data();
    return t;
  }
};

} // namespace qc

#endif // QC_RUNTIME_HOST_TENSOR_H
