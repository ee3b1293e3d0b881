//===- Hadamard.cpp - the online Hadamard rotation kernel -----------------===//
//
// Per row, into y: a fast Walsh-Hadamard transform of each of the `base`
// blocks of p = n / base contiguous values, the signs applied in its first
// pass, then the base matrix across the blocks (a base x base product of
// p-wide vectors) with the 1 / sqrt(n) folded in. Linked into
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

// One row block of p = 2^k values: the signs and the scale, then the
// stages h = 1, 2, 4 inside each vector of 8 (a shuffle and a multiply-add
// each), in one pass from x to y. The stages h = 8, 16, ... go two at a time
// (radix 4: a block of 4h values, four vectors of h), first inside chunks of
// kChunk values that stay in L1 through all of their stages, then across
// chunks: a row of 16384 floats makes three passes beyond L1 instead of
// about ten. (Radix 8 measured slower here: eight streams of 8 KiB stride
// alias in L1.) Each body is compiled for AVX-512 and AVX2 as well, picked
// by the ISA argument.
constexpr int64_t kChunk = 2048; // 8 KiB of floats

#define QC_WHT_BODY                                                                              \
  if (p < 8) {                                                                                   \
    for (int64_t i = 0; i < p; ++i)                                                              \
      y[i] = x[i] * (signs ? signs[i] : 1.0f) * scale;                                           \
    for (int64_t h = 1; h < p; h *= 2)                                                           \
      for (int64_t i = 0; i < p; i += 2 * h)                                                     \
        for (int64_t j = i; j < i + h; ++j) {                                                    \
          float a = y[j], b = y[j + h];                                                          \
          y[j] = a + b;                                                                          \
          y[j + h] = a - b;                                                                      \
        }                                                                                        \
    return;                                                                                      \
  }                                                                                              \
  const V8 s1 = {1, -1, 1, -1, 1, -1, 1, -1}, s2 = {1, 1, -1, -1, 1, 1, -1, -1};                 \
  const V8 s4 = {1, 1, 1, 1, -1, -1, -1, -1};                                                    \
  for (int64_t i = 0; i < p; i += 8) {                                                           \
    V8 a = load8(x + i) * scale;                                                                 \
    if (signs)                                                                                   \
      a *= load8(signs + i);                                                                     \
    a = __builtin_shufflevector(a, a, 1, 0, 3, 2, 5, 4, 7, 6) + a * s1;                          \
    a = __builtin_shufflevector(a, a, 2, 3, 0, 1, 6, 7, 4, 5) + a * s2;                          \
    a = __builtin_shufflevector(a, a, 4, 5, 6, 7, 0, 1, 2, 3) + a * s4;                          \
    store8(y + i, a);                                                                            \
  }                                                                                              \
  int64_t chunk = p < kChunk ? p : kChunk;                                                       \
  for (int64_t at = 0; at < p; at += chunk)                                                      \
    QC_WHT_STAGES(y + at, chunk, 8, chunk);                                                      \
  QC_WHT_STAGES(y, p, chunk, p);

// The stages h0, 2 h0, ... below hEnd on len values (a multiple of hEnd).
#define QC_WHT_STAGES(v, len, h0, hEnd)                                                          \
  do {                                                                                           \
    int64_t h = (h0);                                                                            \
    for (; 4 * h <= (hEnd); h *= 4)                                                              \
      for (int64_t i = 0; i < (len); i += 4 * h) {                                               \
        float *w = (v) + i, *x1 = w + h, *x2 = x1 + h, *x3 = x2 + h;                             \
        for (int64_t j = 0; j < h; j += 8) {                                                     \
          V8 a = load8(w + j), b = load8(x1 + j), c = load8(x2 + j), d = load8(x3 + j);          \
          V8 s0 = a + b, d0 = a - b, t1 = c + d, d1 = c - d;                                     \
          store8(w + j, s0 + t1);                                                                \
          store8(x1 + j, d0 + d1);                                                               \
          store8(x2 + j, s0 - t1);                                                               \
          store8(x3 + j, d0 - d1);                                                               \
        }                                                                                        \
      }                                                                                          \
    for (; h < (hEnd); h *= 2)                                                                   \
      for (int64_t i = 0; i < (len); i += 2 * h)                                                 \
        for (int64_t j = i; j < i + h; j += 8) {                                                 \
          V8 a = load8((v) + j), b = load8((v) + j + h);                                         \
          store8((v) + j, a + b);                                                                \
          store8((v) + j + h, a - b);                                                            \
        }                                                                                        \
  } while (0)

/// y[0, p) = WHT(x * signs * scale) for p = 2^k; x may be y.
using Transform = void (*)(const float *x, const float *signs, float scale, float *y, int64_t p);

void walshHadamardGeneric(const float *x, const float *signs, float scale, float *y, int64_t p) {
  QC_WHT_BODY
}
__attribute__((target("avx2,fma"))) void walshHadamardAVX2(const float *x, const float *signs,
                                                           float scale, float *y, int64_t p) {
  QC_WHT_BODY
}
__attribute__((target("avx512f"))) void walshHadamardAVX512(const float *x, const float *signs,
                                                            float scale, float *y, int64_t p) {
  QC_WHT_BODY
}
#undef QC_WHT_BODY
#undef QC_WHT_STAGES
#undef load8
#undef store8

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
  // Base 1: the 1 / sqrt(n) goes into the first pass; otherwise into the
  // base matrix's weights.
  for (int64_t b = 0; b < base; ++b)
    walshHadamard(x + b * p, signs ? signs + b * p : nullptr, base == 1 ? norm : 1.0f,
                  y + b * p, p);
  if (base == 1)
    return;
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
  // One row, base 1 (a decode step): no OpenMP region, which costs more
  // than the transform of a few thousand values.
  if (rows == 1 && base == 1) {
    rotateRow(transform, n, base, p, baseMatrix, signs, x, y, nullptr, norm);
    return 0;
  }
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
