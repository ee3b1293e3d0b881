//===- Hadamard.cpp - the online Hadamard rotation kernel -----------------===//
//
// Per row, in y: the signs, then a fast Walsh-Hadamard transform of each of
// the `base` blocks of p = n / base contiguous values (butterflies of
// stride h = 1, 2, 4, ...; from h = 8 on the inner loop is contiguous and
// vectorizes), then the base matrix across the blocks (a base x base
// product of p-wide vectors) with the 1 / sqrt(n) folded in. Linked into
// artifacts with only libc, libm and libomp: malloc'd scratch.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/MemRefDescriptor.h"
#include "runtime/kernels/hadamard.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace {

// Eight floats; the target attributes below make them one AVX2 register or
// two SSE ones.
typedef float V8 __attribute__((vector_size(32)));
#define load8(p)                                                                                 \
  ({                                                                                             \
    V8 loaded;                                                                                   \
    __builtin_memcpy(&loaded, (p), sizeof(V8));                                                  \
    loaded;                                                                                      \
  })
#define store8(p, value)                                                                         \
  do {                                                                                           \
    V8 stored = (value);                                                                         \
    __builtin_memcpy((p), &stored, sizeof(V8));                                                  \
  } while (0)

// Radix-2 stages h = 1, 2, 4 as one 8-point transform per block of 8, then
// the stages h = 8, 16, ... two at a time (radix 4: a block of 4h values,
// four vectors of h), so a row of 2^k takes about k / 2 passes over memory
// instead of k. The inner loops are contiguous from h = 8 on and vectorize;
// each is compiled for AVX-512 and AVX2 as well, picked at run time.
#define QC_WHT_BODY                                                                               \
  int64_t h = 1;                                                                                 \
  if (p < 8) {                                                                                   \
    for (; h < p; h *= 2)                                                                        \
      for (int64_t i = 0; i < p; i += 2 * h)                                                     \
        for (int64_t j = i; j < i + h; ++j) {                                                    \
          float a = v[j], b = v[j + h];                                                          \
          v[j] = a + b;                                                                          \
          v[j + h] = a - b;                                                                      \
        }                                                                                        \
    return;                                                                                      \
  }                                                                                              \
  {                                                                                  \
    for (int64_t i = 0; i < p; i += 8) {                                                         \
      float *b = v + i;                                                                          \
      float a0 = b[0] + b[1], a1 = b[0] - b[1], a2 = b[2] + b[3], a3 = b[2] - b[3];             \
      float a4 = b[4] + b[5], a5 = b[4] - b[5], a6 = b[6] + b[7], a7 = b[6] - b[7];             \
      float c0 = a0 + a2, c1 = a1 + a3, c2 = a0 - a2, c3 = a1 - a3;                             \
      float c4 = a4 + a6, c5 = a5 + a7, c6 = a4 - a6, c7 = a5 - a7;                             \
      b[0] = c0 + c4; b[1] = c1 + c5; b[2] = c2 + c6; b[3] = c3 + c7;                           \
      b[4] = c0 - c4; b[5] = c1 - c5; b[6] = c2 - c6; b[7] = c3 - c7;                           \
    }                                                                                            \
    h = 8;                                                                                       \
  }                                                                                              \
  for (; 4 * h <= p; h *= 4)                                                                     \
    for (int64_t i = 0; i < p; i += 4 * h) {                                                     \
      float *w = v + i, *x = w + h, *y = x + h, *z = y + h;                                      \
      for (int64_t j = 0; j < h; j += 8) {                                                       \
        V8 a = load8(w + j), b = load8(x + j), c = load8(y + j), d = load8(z + j);               \
        V8 s0 = a + b, d0 = a - b, s1 = c + d, d1 = c - d;                                       \
        store8(w + j, s0 + s1);                                                                  \
        store8(x + j, d0 + d1);                                                                  \
        store8(y + j, s0 - s1);                                                                  \
        store8(z + j, d0 - d1);                                                                  \
      }                                                                                          \
    }                                                                                            \
  for (; h < p; h *= 2)                                                                          \
    for (int64_t i = 0; i < p; i += 2 * h)                                                       \
      for (int64_t j = i; j < i + h; j += 8) {                                                   \
        V8 a = load8(v + j), b = load8(v + j + h);                                               \
        store8(v + j, a + b);                                                                    \
        store8(v + j + h, a - b);                                                                \
      }

void walshHadamardGeneric(float *v, int64_t p) { QC_WHT_BODY }
__attribute__((target("avx2,fma"))) void walshHadamardAVX2(float *v, int64_t p) { QC_WHT_BODY }
__attribute__((target("avx512f"))) void walshHadamardAVX512(float *v, int64_t p) { QC_WHT_BODY }
#undef QC_WHT_BODY
#undef load8
#undef store8

using Transform = void (*)(float *, int64_t);

// The ISA comes from the compiler, as for the quantized kernels: artifacts
// link no libgcc, so no __builtin_cpu_supports here.
Transform pickTransform(int isa) {
  if (isa == QC_ISA_AVX512_VNNI)
    return walshHadamardAVX512;
  if (isa == QC_ISA_AVX2)
    return walshHadamardAVX2;
  return walshHadamardGeneric;
}

void rotateRow(Transform walshHadamard, int64_t n, int64_t base, int64_t p,
               const float *baseMatrix, const float *signs, const float *x, float *y,
               float *scratch, float norm) {
  if (signs)
    for (int64_t i = 0; i < n; ++i)
      y[i] = x[i] * signs[i];
  else if (y != x)
    std::memcpy(y, x, static_cast<size_t>(n) * sizeof(float));
  for (int64_t b = 0; b < base; ++b)
    walshHadamard(y + b * p, p);
  if (base == 1) {
    for (int64_t i = 0; i < n; ++i)
      y[i] *= norm;
    return;
  }
  // out block jb = sum_ib H_base[ib][jb] * block ib (y = x H: columns of H).
  for (int64_t jb = 0; jb < base; ++jb) {
    float *out = scratch + jb * p;
    for (int64_t j = 0; j < p; ++j)
      out[j] = 0.0f;
    for (int64_t ib = 0; ib < base; ++ib) {
      float w = baseMatrix[ib * base + jb] * norm;
      const float *in = y + ib * p;
      for (int64_t j = 0; j < p; ++j)
        out[j] += w * in[j];
    }
  }
  std::memcpy(y, scratch, static_cast<size_t>(n) * sizeof(float));
}

} // namespace

extern "C" int qc_hadamard_rows(int isa, int64_t rows, int64_t n, int64_t base, const float *baseMatrix,
                                const float *signs, const float *x, int64_t xStride, float *y,
                                int64_t yStride) {
  if (base < 1 || n < 1 || n % base != 0)
    return -1;
  int64_t p = n / base;
  if ((p & (p - 1)) != 0 || (base > 1 && !baseMatrix))
    return -1;
  float norm = 1.0f / std::sqrt(static_cast<float>(n));
  Transform transform = pickTransform(isa);
#pragma omp parallel if (rows > 1)
  {
    float *scratch =
        base > 1 ? static_cast<float *>(std::malloc(static_cast<size_t>(n) * sizeof(float)))
                 : nullptr;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r)
      rotateRow(transform, n, base, p, baseMatrix, signs, x + r * xStride, y + r * yStride,
                scratch, norm);
    std::free(scratch);
  }
  return 0;
}

using qc::kernels::MemRef;

// qc-cpu-lower-hadamard's call, with MLIR's C interface. The lowering checked
// n, base and the operand sizes; a failure here means a mismatched artifact.
extern "C" void _mlir_ciface_qc_ukernel_hadamard(MemRef<float, 2> *x, MemRef<float, 2> *y,
                                                 MemRef<float, 1> *baseMatrix,
                                                 MemRef<float, 1> *signs, int64_t base,
                                                 int32_t isa) {
  if (qc_hadamard_rows(isa, x->sizes[0], x->sizes[1], base,
                       baseMatrix->sizes[0] ? baseMatrix->data() : nullptr,
                       signs->sizes[0] ? signs->data() : nullptr, x->data(), x->strides[0],
                       y->data(), y->strides[0]) != 0)
    __builtin_trap();
}
