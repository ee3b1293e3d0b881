//===- MemRefDescriptor.h - memrefs as compiled code passes them -*- C++ -*-===//
//
// With MLIR's C interface (llvm.emit_c_interface) each memref argument of a
// kernel arrives as a pointer to its descriptor. Internal to the kernels.
//
//===----------------------------------------------------------------------===//

#ifndef QC_RUNTIME_KERNELS_MEMREFDESCRIPTOR_H
#define QC_RUNTIME_KERNELS_MEMREFDESCRIPTOR_H

#include <cstdint>

namespace qc::kernels {

template <typename T, int Rank> struct MemRef {
  T *allocated, *aligned;
  int64_t offset, sizes[Rank], strides[Rank];
  T *data() const { return aligned + offset; }
};

} // namespace qc::kernels

#endif // QC_RUNTIME_KERNELS_MEMREFDESCRIPTOR_H
