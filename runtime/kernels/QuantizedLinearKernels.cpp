//===- QuantizedLinearKernels.cpp - quantized linear-layer micro-kernels --===//
//
// y = x * W^T + b for the packed weights of quantized_linear.h, for three
// ISAs: AVX-512 with VNNI (vpdpbusd), AVX2+FMA (int8 products through
// vpmaddwd), and scalar C++ (the layout read element by element; the
// fallback and a second check of the packing).
//
// Work is split into tiles of up to R rows x 16 columns (one column block);
// each tile streams its block's weights once per R rows and keeps the R x 16
// accumulators in registers. int8 activations are quantized once, before the
// tiles (the matmul's prologue): per row with a run-time scale (dynamic) or
// with the calibrated one (static), stored unsigned (+128) with the row's
// group sums for asymmetric weights.
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/QuantizedLinearLayout.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

// The kernels link into artifacts with only libc, libm and libomp: no C++
// runtime, hence malloc'd scratch and no function-local statics.

namespace qc::kernels {
namespace {

/// Scratch memory, freed with the problem.
template <typename T> struct Scratch {
  T *p = nullptr;
  Scratch() = default;
  Scratch(const Scratch &) = delete;
  Scratch &operator=(const Scratch &) = delete;
  ~Scratch() { std::free(p); }
  void allocate(size_t count) {
    std::free(p);
    p = static_cast<T *>(std::malloc(std::max<size_t>(count, 1) * sizeof(T)));
  }
  void assign(size_t count, T value) {
    allocate(count);
    for (size_t i = 0; i < count; ++i)
      p[i] = value;
  }
  T *data() const { return p; }
  T &operator[](size_t i) const { return p[i]; }
};

/// Everything a tile reads, prepared once per call.
struct Problem {
  const qc_qlinear_layer *shape;
  Layout layout;
  int64_t m;
  const float *x;
  int64_t xStride;
  const int8_t *weight;
  const float *params;
  const float *bias;
  float *y;
  int64_t yStride;
  // int8 activations: rows of kPad bytes (q + 128), their scales, and for
  // asymmetric weights each row's per-group sums of q.
  Scratch<uint8_t> qx;
  Scratch<float> rowScale;
  Scratch<int32_t> rowSum;
  // Float activations with zero points: each row's per-group sums of x.
  Scratch<float> xSum;

  const float *paramVec(int64_t nb, int64_t g, int slot) const {
    return params + layout.paramOffset(nb, g, slot);
  }
  const uint8_t *blockWeights(int64_t nb) const {
    return reinterpret_cast<const uint8_t *>(weight) + nb * layout.weightBytesPerBlock();
  }
  int64_t groupEnd(int64_t g, int64_t limit) const {
    return std::min((g + 1) * layout.groupSize, limit);
  }
  int64_t validColumns(int64_t nb) const {
    return std::min<int64_t>(kBlockN, shape->n - nb * kBlockN);
  }
};

#define QC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,fma")))

/// quantizeActivationRow for AVX-512, bit for bit (the same scale and
/// inverse; clamping to the integer bounds before rounding to nearest even
/// gives what rounding before clamping does), writing q + 128.
QC_AVX512 float quantizeRowAVX512(const float *x, int64_t k, const qc_qlinear_layer &s,
                                  uint8_t *out) {
  float absmax = 0;
  if (s.act_mode == QC_ACT_DYNAMIC) {
    __m512 m = _mm512_setzero_ps();
    for (int64_t i = 0; i < k; i += 16) {
      __mmask16 tail = static_cast<__mmask16>(k - i >= 16 ? 0xffff : (1u << (k - i)) - 1);
      m = _mm512_max_ps(m, _mm512_abs_ps(_mm512_maskz_loadu_ps(tail, x + i)));
    }
    absmax = _mm512_reduce_max_ps(m);
  }
  float scale = activationScale(s, absmax);
  const __m512 inverse = _mm512_set1_ps(1.0f / scale),
               lo = _mm512_set1_ps(-activationQMax(s) - 1.0f),
               hi = _mm512_set1_ps(activationQMax(s));
  const __m512i offset = _mm512_set1_epi32(128);
  for (int64_t i = 0; i < k; i += 16) {
    __mmask16 tail = static_cast<__mmask16>(k - i >= 16 ? 0xffff : (1u << (k - i)) - 1);
    __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, x + i), inverse);
    v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
    __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), offset);
    _mm_mask_storeu_epi8(out + i, tail, _mm512_cvtepi32_epi8(q));
  }
  return scale;
}

/// The matmul's prologue: int8 activations quantized once per row (the
/// tiles all read them), or the row sums that zero points need.
void prepareActivations(Problem &p, int isa) {
  const Layout &l = p.layout;
  const int64_t k = p.shape->k;
  if (l.int8Act) {
    p.qx.allocate(static_cast<size_t>(p.m * l.kPad));
    p.rowScale.allocate(static_cast<size_t>(p.m));
    if (l.asymmetric)
      p.rowSum.assign(static_cast<size_t>(p.m * l.groups), 0);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < p.m; ++r) {
      uint8_t *out = p.qx.data() + r * l.kPad;
      const float *x = p.x + r * p.xStride;
      if (isa == QC_ISA_AVX512_VNNI) {
        p.rowScale[r] = quantizeRowAVX512(x, k, *p.shape, out);
      } else {
        int8_t *q = reinterpret_cast<int8_t *>(out);
        p.rowScale[r] = quantizeActivationRow(x, k, *p.shape, q);
        for (int64_t i = 0; i < k; ++i)
          out[i] = static_cast<uint8_t>(q[i] + 128);
      }
      std::memset(out + k, 128, static_cast<size_t>(l.kPad - k));
      if (l.asymmetric)
        for (int64_t i = 0; i < k; ++i)
          p.rowSum[r * l.groups + i / l.groupSize] += out[i] - 128;
    }
  } else if (l.hasZero) {
    p.xSum.allocate(static_cast<size_t>(p.m * l.groups));
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < p.m; ++r)
      for (int64_t g = 0; g < l.groups; ++g) {
        const float *x = p.x + r * p.xStride;
        float sum = 0;
        for (int64_t i = g * l.groupSize; i < std::min(k, (g + 1) * l.groupSize); ++i)
          sum += x[i];
        p.xSum[r * l.groups + g] = sum;
      }
  }
}

//===----------------------------------------------------------------------===//
// Scalar
//===----------------------------------------------------------------------===//

void tileScalar(const Problem &p, int64_t r0, int64_t rows, int64_t nb) {
  const Layout &l = p.layout;
  for (int64_t r = r0; r < r0 + rows; ++r) {
    for (int64_t c = 0; c < p.validColumns(nb); ++c) {
      int64_t n = nb * kBlockN + c;
      float acc = p.bias ? p.bias[n] : 0.0f;
      for (int64_t g = 0; g < l.groups; ++g) {
        float scale = l.param(p.params, n, g, 0);
        if (l.int8Act) {
          int32_t sum = 0;
          for (int64_t k = g * l.groupSize; k < p.groupEnd(g, l.kPad); ++k)
            sum += p.qx[r * l.kPad + k] * l.code(p.weight, n, k);
          float f = static_cast<float>(sum) - 128.0f * l.param(p.params, n, g, l.colSumSlot());
          if (l.asymmetric)
            f -= l.param(p.params, n, g, l.zeroSlot()) *
                 static_cast<float>(p.rowSum[r * l.groups + g]);
          acc += f * (scale * p.rowScale[r]);
        } else {
          float part = 0;
          int offset = l.nibbles ? 8 : 0; // the kernels read nibbles unsigned
          for (int64_t k = g * l.groupSize; k < p.groupEnd(g, p.shape->k); ++k)
            part += p.x[r * p.xStride + k] * static_cast<float>(l.code(p.weight, n, k) + offset);
          if (l.hasZero)
            part -= p.xSum[r * l.groups + g] * l.param(p.params, n, g, l.zeroSlot());
          acc += part * scale;
        }
      }
      p.y[r * p.yStride + n] = acc;
    }
  }
}

//===----------------------------------------------------------------------===//
// AVX-512 (F, BW, VNNI)
//===----------------------------------------------------------------------===//

#define QC_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,fma")))

/// Independent FMA chains per row: a chain adds one FMA per four cycles
/// (its latency), so a GEMV row needs several to keep up with memory.
template <int R> constexpr int kChains = R == 1 ? 4 : R <= 4 ? 2 : 1;

/// How far ahead of the weights being read to prefetch.
constexpr int64_t kPrefetchBytes = 2048;

/// The columns of block nb that exist (N is padded to 16).
QC_AVX512 inline __mmask16 columnMask(const Problem &p, int64_t nb) {
  return static_cast<__mmask16>((1u << p.validColumns(nb)) - 1);
}

/// Each row's float accumulator starts at the bias (or 0).
template <int R>
QC_AVX512 inline void startRows(const Problem &p, int64_t nb, __mmask16 mask, __m512 *acc) {
  __m512 bias = p.bias ? _mm512_maskz_loadu_ps(mask, p.bias + nb * kBlockN) : _mm512_setzero_ps();
  for (int r = 0; r < R; ++r)
    acc[r] = bias;
}

template <int R>
QC_AVX512 inline void storeRows(const Problem &p, int64_t r0, int64_t nb, __mmask16 mask,
                                const __m512 *acc) {
  for (int r = 0; r < R; ++r)
    _mm512_mask_storeu_ps(p.y + (r0 + r) * p.yStride + nb * kBlockN, mask, acc[r]);
}

template <int R>
QC_AVX512 void tileAVX512Float(const Problem &p, int64_t r0, int64_t nb) {
  constexpr int C = kChains<R>;
  const Layout &l = p.layout;
  const int64_t k = p.shape->k;
  const uint8_t *w = p.blockWeights(nb);
  __mmask16 mask = columnMask(p, nb);
  const float *x[R];
  __m512 acc[R];
  startRows<R>(p, nb, mask, acc);
  for (int r = 0; r < R; ++r)
    x[r] = p.x + (r0 + r) * p.xStride;
  // Nibble -> float by table: vpermps reads only an index's low 4 bits, so
  // the low nibble needs no mask and neither needs a conversion.
  const __m512 nibbleValues = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  // One step: the 16 columns' codes of k (and k + 1 for nibbles).
  auto nibbleStep = [&](int64_t kk, __m512 *part, bool second) QC_AVX512 {
    __m512i v = _mm512_cvtepu8_epi32(
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(w + (kk / 2) * kBlockN)));
    __m512 w0 = _mm512_permutexvar_ps(v, nibbleValues);
    __m512 w1 = _mm512_permutexvar_ps(_mm512_srli_epi32(v, 4), nibbleValues);
    for (int r = 0; r < R; ++r) {
      part[r * C] = _mm512_fmadd_ps(_mm512_set1_ps(x[r][kk]), w0, part[r * C]);
      if (second)
        part[r * C + (C > 1)] = _mm512_fmadd_ps(_mm512_set1_ps(x[r][kk + 1]), w1, part[r * C + (C > 1)]);
    }
  };
  auto byteStep = [&](int64_t kk, __m512 *part) QC_AVX512 {
    __m512 w0 = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(w + kk * kBlockN))));
    for (int r = 0; r < R; ++r)
      part[r * C] = _mm512_fmadd_ps(_mm512_set1_ps(x[r][kk]), w0, part[r * C]);
  };
  for (int64_t g = 0; g < l.groups; ++g) {
    __m512 part[R * C];
    for (int i = 0; i < R * C; ++i)
      part[i] = _mm512_setzero_ps();
    int64_t kb = g * l.groupSize, ke = p.groupEnd(g, k);
    int64_t kk = kb;
    // Each chain takes its own steps: C/2 nibble pairs (or C bytes) per turn.
    int64_t stride = l.nibbles ? 2 * std::max(1, C / 2) : C;
    for (; kk + stride <= ke; kk += stride) {
      // Software prefetch keeps more cache-line misses in flight than the
      // hardware prefetcher does for a stream consumed this slowly.
      _mm_prefetch(reinterpret_cast<const char *>(w + kk * kBlockN / (l.nibbles ? 2 : 1) +
                                                  kPrefetchBytes),
                   _MM_HINT_T0);
      if (l.nibbles) {
        for (int c = 0; c < std::max(1, C / 2); ++c)
          nibbleStep(kk + 2 * c, part + (C >= 4 ? 2 * c : 0), true);
      } else {
        for (int c = 0; c < C; ++c)
          byteStep(kk + c, part + c);
      }
    }
    for (; kk < ke; kk += l.nibbles ? 2 : 1) {
      if (l.nibbles)
        nibbleStep(kk, part, kk + 1 < ke);
      else
        byteStep(kk, part);
    }
    __m512 scale = _mm512_loadu_ps(p.paramVec(nb, g, 0));
    __m512 zero = l.hasZero ? _mm512_loadu_ps(p.paramVec(nb, g, l.zeroSlot())) : _mm512_setzero_ps();
    for (int r = 0; r < R; ++r) {
      __m512 sum = part[r * C];
      for (int c = 1; c < C; ++c)
        sum = _mm512_add_ps(sum, part[r * C + c]);
      if (l.hasZero)
        sum = _mm512_fnmadd_ps(_mm512_set1_ps(p.xSum[(r0 + r) * l.groups + g]), zero, sum);
      acc[r] = _mm512_fmadd_ps(sum, scale, acc[r]);
    }
  }
  storeRows<R>(p, r0, nb, mask, acc);
}

template <int R>
QC_AVX512 void tileAVX512Int8(const Problem &p, int64_t r0, int64_t nb) {
  const Layout &l = p.layout;
  const uint8_t *w = p.blockWeights(nb);
  __mmask16 mask = columnMask(p, nb);
  const uint8_t *qx[R];
  __m512 acc[R];
  startRows<R>(p, nb, mask, acc);
  for (int r = 0; r < R; ++r)
    qx[r] = p.qx.data() + (r0 + r) * l.kPad;
  const __m512i low4 = _mm512_set1_epi8(15), eight = _mm512_set1_epi8(8);
  for (int64_t g = 0; g < l.groups; ++g) {
    // Two vpdpbusd chains per row (low and high nibbles, or even and odd
    // k-steps), added at the end of the group: one chain's latency would
    // bound the loop.
    __m512i sum[R], sum2[R];
    for (int r = 0; r < R; ++r)
      sum[r] = sum2[r] = _mm512_setzero_si512();
    int64_t kb = g * l.groupSize, ke = p.groupEnd(g, l.kPad);
    if (l.nibbles) {
      for (int64_t kk = kb; kk < ke; kk += 8) {
        _mm_prefetch(reinterpret_cast<const char *>(w + (kk / 8) * kBlockN * 4 + kPrefetchBytes),
                     _MM_HINT_T0);
        __m512i raw = _mm512_loadu_si512(w + (kk / 8) * kBlockN * 4);
        __m512i lo = _mm512_sub_epi8(_mm512_and_si512(raw, low4), eight);
        __m512i hi = _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(raw, 4), low4), eight);
        for (int r = 0; r < R; ++r) {
          int32_t a0, a1;
          std::memcpy(&a0, qx[r] + kk, 4);
          std::memcpy(&a1, qx[r] + kk + 4, 4);
          sum[r] = _mm512_dpbusd_epi32(sum[r], _mm512_set1_epi32(a0), lo);
          sum2[r] = _mm512_dpbusd_epi32(sum2[r], _mm512_set1_epi32(a1), hi);
        }
      }
      for (int r = 0; r < R; ++r)
        sum[r] = _mm512_add_epi32(sum[r], sum2[r]);
    } else {
      // Two k-steps per turn into two chains per row, as for nibbles.
      int64_t kk = kb;
      for (; kk + 8 <= ke; kk += 8) {
        _mm_prefetch(reinterpret_cast<const char *>(w + (kk / 4) * kBlockN * 4 + kPrefetchBytes),
                     _MM_HINT_T0);
        __m512i w0 = _mm512_loadu_si512(w + (kk / 4) * kBlockN * 4);
        __m512i w1 = _mm512_loadu_si512(w + (kk / 4 + 1) * kBlockN * 4);
        for (int r = 0; r < R; ++r) {
          int32_t a0, a1;
          std::memcpy(&a0, qx[r] + kk, 4);
          std::memcpy(&a1, qx[r] + kk + 4, 4);
          sum[r] = _mm512_dpbusd_epi32(sum[r], _mm512_set1_epi32(a0), w0);
          sum2[r] = _mm512_dpbusd_epi32(sum2[r], _mm512_set1_epi32(a1), w1);
        }
      }
      for (; kk < ke; kk += 4) {
        __m512i w0 = _mm512_loadu_si512(w + (kk / 4) * kBlockN * 4);
        for (int r = 0; r < R; ++r) {
          int32_t a;
          std::memcpy(&a, qx[r] + kk, 4);
          sum[r] = _mm512_dpbusd_epi32(sum[r], _mm512_set1_epi32(a), w0);
        }
      }
      for (int r = 0; r < R; ++r)
        sum[r] = _mm512_add_epi32(sum[r], sum2[r]);
    }
    __m512 scale = _mm512_loadu_ps(p.paramVec(nb, g, 0));
    __m512 offset = _mm512_mul_ps(_mm512_set1_ps(128.0f),
                                  _mm512_loadu_ps(p.paramVec(nb, g, l.colSumSlot())));
    __m512 zero = l.asymmetric ? _mm512_loadu_ps(p.paramVec(nb, g, l.zeroSlot()))
                               : _mm512_setzero_ps();
    for (int r = 0; r < R; ++r) {
      __m512 f = _mm512_sub_ps(_mm512_cvtepi32_ps(sum[r]), offset);
      if (l.asymmetric)
        f = _mm512_fnmadd_ps(
            _mm512_set1_ps(static_cast<float>(p.rowSum[(r0 + r) * l.groups + g])), zero, f);
      acc[r] = _mm512_fmadd_ps(f, _mm512_mul_ps(scale, _mm512_set1_ps(p.rowScale[r0 + r])),
                               acc[r]);
    }
  }
  storeRows<R>(p, r0, nb, mask, acc);
}

//===----------------------------------------------------------------------===//
// AVX2 + FMA: a column block is two vectors of 8.
//===----------------------------------------------------------------------===//

#define QC_AVX2 __attribute__((target("avx2,fma")))

QC_AVX2 inline __m256i maskFor(int64_t valid) {
  alignas(32) int32_t m[8];
  for (int i = 0; i < 8; ++i)
    m[i] = i < valid ? -1 : 0;
  return _mm256_load_si256(reinterpret_cast<const __m256i *>(m));
}

template <int R>
QC_AVX2 void tileAVX2Float(const Problem &p, int64_t r0, int64_t nb) {
  const Layout &l = p.layout;
  const int64_t k = p.shape->k;
  const uint8_t *w = p.blockWeights(nb);
  int64_t valid = p.validColumns(nb);
  __m256i mask[2] = {maskFor(valid), maskFor(valid - 8)};
  const float *x[R];
  __m256 acc[R][2];
  for (int h = 0; h < 2; ++h) {
    __m256 bias = p.bias ? _mm256_maskload_ps(p.bias + nb * kBlockN + 8 * h, mask[h])
                         : _mm256_setzero_ps();
    for (int r = 0; r < R; ++r)
      acc[r][h] = bias;
  }
  for (int r = 0; r < R; ++r)
    x[r] = p.x + (r0 + r) * p.xStride;
  const __m256i low4 = _mm256_set1_epi32(15);
  for (int64_t g = 0; g < l.groups; ++g) {
    __m256 part[R][2];
    for (int r = 0; r < R; ++r)
      part[r][0] = part[r][1] = _mm256_setzero_ps();
    int64_t kb = g * l.groupSize, ke = p.groupEnd(g, k);
    for (int64_t kk = kb; kk < ke; kk += l.nibbles ? 2 : 1) {
      bool second = l.nibbles && kk + 1 < ke;
      for (int h = 0; h < 2; ++h) {
        __m256 w0, w1 = _mm256_setzero_ps();
        if (l.nibbles) {
          __m256i v = _mm256_cvtepu8_epi32(
              _mm_loadl_epi64(reinterpret_cast<const __m128i *>(w + (kk / 2) * kBlockN + 8 * h)));
          w0 = _mm256_cvtepi32_ps(_mm256_and_si256(v, low4));
          w1 = _mm256_cvtepi32_ps(_mm256_srli_epi32(v, 4));
        } else {
          w0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(
              _mm_loadl_epi64(reinterpret_cast<const __m128i *>(w + kk * kBlockN + 8 * h))));
        }
        for (int r = 0; r < R; ++r) {
          part[r][h] = _mm256_fmadd_ps(_mm256_set1_ps(x[r][kk]), w0, part[r][h]);
          if (second)
            part[r][h] = _mm256_fmadd_ps(_mm256_set1_ps(x[r][kk + 1]), w1, part[r][h]);
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      __m256 scale = _mm256_loadu_ps(p.paramVec(nb, g, 0) + 8 * h);
      __m256 zero = l.hasZero ? _mm256_loadu_ps(p.paramVec(nb, g, l.zeroSlot()) + 8 * h)
                              : _mm256_setzero_ps();
      for (int r = 0; r < R; ++r) {
        __m256 f = part[r][h];
        if (l.hasZero)
          f = _mm256_fnmadd_ps(_mm256_set1_ps(p.xSum[(r0 + r) * l.groups + g]), zero, f);
        acc[r][h] = _mm256_fmadd_ps(f, scale, acc[r][h]);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < 2; ++h)
      _mm256_maskstore_ps(p.y + (r0 + r) * p.yStride + nb * kBlockN + 8 * h, mask[h], acc[r][h]);
}

/// Adds four k's of 8 columns: `w` holds [8 columns][4 k] signed bytes, `a`
/// the four unsigned activations. The int16 products are exact; each
/// accumulator holds a pair of columns' partial sums, combined at the end.
QC_AVX2 inline void dot4x8(__m256i &lo, __m256i &hi, __m256i w, __m256i a16) {
  lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(w)), a16));
  hi = _mm256_add_epi32(hi,
                        _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm256_extracti128_si256(w, 1)), a16));
}

QC_AVX2 inline __m256i combinePairs(__m256i lo, __m256i hi) {
  // hadd gives columns (0 1 4 5 | 2 3 6 7) within the 128-bit lanes.
  return _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(lo, hi),
                                     _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

QC_AVX2 inline __m256i broadcastFour(const uint8_t *q) {
  uint64_t v = uint64_t(q[0]) | uint64_t(q[1]) << 16 | uint64_t(q[2]) << 32 | uint64_t(q[3]) << 48;
  return _mm256_set1_epi64x(static_cast<long long>(v));
}

template <int R>
QC_AVX2 void tileAVX2Int8(const Problem &p, int64_t r0, int64_t nb) {
  const Layout &l = p.layout;
  const uint8_t *w = p.blockWeights(nb);
  int64_t valid = p.validColumns(nb);
  __m256i mask[2] = {maskFor(valid), maskFor(valid - 8)};
  __m256 acc[R][2];
  for (int h = 0; h < 2; ++h) {
    __m256 bias = p.bias ? _mm256_maskload_ps(p.bias + nb * kBlockN + 8 * h, mask[h])
                         : _mm256_setzero_ps();
    for (int r = 0; r < R; ++r)
      acc[r][h] = bias;
  }
  const __m256i low4 = _mm256_set1_epi8(15), eight = _mm256_set1_epi8(8);
  for (int64_t g = 0; g < l.groups; ++g) {
    __m256i lo[R][2], hi[R][2];
    for (int r = 0; r < R; ++r)
      for (int h = 0; h < 2; ++h)
        lo[r][h] = hi[r][h] = _mm256_setzero_si256();
    int64_t kb = g * l.groupSize, ke = p.groupEnd(g, l.kPad);
    for (int64_t kk = kb; kk < ke; kk += l.nibbles ? 8 : 4) {
      for (int h = 0; h < 2; ++h) {
        if (l.nibbles) {
          __m256i raw = _mm256_loadu_si256(
              reinterpret_cast<const __m256i *>(w + (kk / 8) * kBlockN * 4 + 32 * h));
          __m256i w0 = _mm256_sub_epi8(_mm256_and_si256(raw, low4), eight);
          __m256i w1 = _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(raw, 4), low4), eight);
          for (int r = 0; r < R; ++r) {
            const uint8_t *q = p.qx.data() + (r0 + r) * l.kPad + kk;
            dot4x8(lo[r][h], hi[r][h], w0, broadcastFour(q));
            dot4x8(lo[r][h], hi[r][h], w1, broadcastFour(q + 4));
          }
        } else {
          __m256i w0 = _mm256_loadu_si256(
              reinterpret_cast<const __m256i *>(w + (kk / 4) * kBlockN * 4 + 32 * h));
          for (int r = 0; r < R; ++r)
            dot4x8(lo[r][h], hi[r][h], w0, broadcastFour(p.qx.data() + (r0 + r) * l.kPad + kk));
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      __m256 scale = _mm256_loadu_ps(p.paramVec(nb, g, 0) + 8 * h);
      __m256 offset = _mm256_mul_ps(_mm256_set1_ps(128.0f),
                                    _mm256_loadu_ps(p.paramVec(nb, g, l.colSumSlot()) + 8 * h));
      __m256 zero = l.asymmetric ? _mm256_loadu_ps(p.paramVec(nb, g, l.zeroSlot()) + 8 * h)
                                 : _mm256_setzero_ps();
      for (int r = 0; r < R; ++r) {
        __m256 f = _mm256_sub_ps(_mm256_cvtepi32_ps(combinePairs(lo[r][h], hi[r][h])), offset);
        if (l.asymmetric)
          f = _mm256_fnmadd_ps(
              _mm256_set1_ps(static_cast<float>(p.rowSum[(r0 + r) * l.groups + g])), zero, f);
        acc[r][h] = _mm256_fmadd_ps(f, _mm256_mul_ps(scale, _mm256_set1_ps(p.rowScale[r0 + r])),
                                    acc[r][h]);
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < 2; ++h)
      _mm256_maskstore_ps(p.y + (r0 + r) * p.yStride + nb * kBlockN + 8 * h, mask[h], acc[r][h]);
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

using TileFn = void (*)(const Problem &, int64_t, int64_t);

#define QC_TILE_TABLE(name, fn)                                                                    \
  constexpr TileFn name##Table[] = {fn<1>, fn<2>, fn<3>, fn<4>, fn<5>, fn<6>, fn<7>, fn<8>};       \
  TileFn name(int rows) { return name##Table[rows - 1]; }
QC_TILE_TABLE(avx512Float, tileAVX512Float)
QC_TILE_TABLE(avx512Int8, tileAVX512Int8)
QC_TILE_TABLE(avx2Float, tileAVX2Float)
QC_TILE_TABLE(avx2Int8, tileAVX2Int8)
#undef QC_TILE_TABLE

/// Rows per tile: AVX-512 has 32 vector registers, AVX2 16.
int64_t tileRows(int isa) { return isa == QC_ISA_AVX512_VNNI ? 8 : 4; }

void runTile(int isa, const Problem &p, int64_t r0, int64_t rows, int64_t nb) {
  bool int8 = p.layout.int8Act;
  switch (isa) {
  case QC_ISA_AVX512_VNNI:
    (int8 ? avx512Int8 : avx512Float)(static_cast<int>(rows))(p, r0, nb);
    return;
  case QC_ISA_AVX2:
    (int8 ? avx2Int8 : avx2Float)(static_cast<int>(rows))(p, r0, nb);
    return;
  default:
    tileScalar(p, r0, rows, nb);
  }
}

} // namespace
} // namespace qc::kernels

using namespace qc::kernels;

extern "C" {

void qc_qlinear_run(int isa, const qc_qlinear_layer *shape, int64_t m, const float *x,
                    int64_t xStride, const int8_t *weight, const float *params,
                    const float *bias, float *y, int64_t yStride) {
  if (m <= 0 || shape->n <= 0)
    return;
  Problem p;
  p.shape = shape;
  p.layout = Layout::of(*shape);
  p.m = m;
  p.x = x;
  p.xStride = xStride;
  p.weight = weight;
  p.params = params;
  p.bias = bias;
  p.y = y;
  p.yStride = yStride;
  prepareActivations(p, isa);
  int64_t rowsPerTile = tileRows(isa);
  int64_t rowTiles = (m + rowsPerTile - 1) / rowsPerTile;
  int64_t tiles = rowTiles * p.layout.nBlocks;
  // Column blocks vary fastest, so threads share each row tile's activations.
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < tiles; ++t) {
    int64_t rt = t / p.layout.nBlocks, nb = t % p.layout.nBlocks;
    int64_t r0 = rt * rowsPerTile;
    runTile(isa, p, r0, std::min(rowsPerTile, m - r0), nb);
  }
}

} // extern "C"
