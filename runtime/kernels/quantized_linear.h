/*===- quantized_linear.h - packed quantized linear-layer kernels -*- C -*-===*
 *
 * The CPU micro-kernels that compiled artifacts call for quantized linear
 * layers (y = x * W^T + b with W quantized), and the packing routine that
 * qc-pack uses at compile time to lay the weights out for them. One library
 * defines both, so the layout has one definition.
 *
 * Logical form of a quantized weight (what qc-quantize produces):
 *   codes        int8 [N][K], signed, in [-2^(bits-1), 2^(bits-1) - 1]
 *   scales       float [N][G], G = ceil(K / group_size)
 *   zero_points  int8 [N][G] (asymmetric only; same range as the codes)
 *   w[n][k] = scales[n][k / group_size] * (codes[n][k] - zero_points[n][g])
 *
 * Packed form (what the kernels read), chosen by the weight's bits and the
 * activation format. N is padded to a multiple of 16 (one column block, one
 * AVX-512 vector of floats or int32) and K to a multiple of 8.
 *   float activations, 5..8 bits: [N/16][K][16] int8 codes
 *   float activations, 2..4 bits: [N/16][K/2][16] bytes, the low nibble
 *                                 k = 2i, the high nibble k = 2i + 1
 *   int8 activations, 5..8 bits:  [N/16][K/4][16][4] int8 codes (the operand
 *                                 order of vpdpbusd)
 *   int8 activations, 2..4 bits:  [N/16][K/8][16][4] bytes, the low nibble
 *                                 k = 8i + j, the high nibble k = 8i + 4 + j
 *   Nibbles store code + 8 (0..15). Group parameters are interleaved per
 *   column block, [N/16][G][P][16] floats, so one vector load gives a block's
 *   16 values: P = 1 (scale), + 1 (zero point, asymmetric), + 1 (the
 *   group's code column sum, int8 activations, which undoes the +128 that
 *   makes activations unsigned for vpdpbusd).
 *
 * Activations: float (A16), or integer codes of `act_bits` bits (2..8)
 * quantized symmetrically, codes in [-2^(b-1), 2^(b-1) - 1] with
 * qmax = 2^(b-1) - 1, rounding half to even:
 *   dynamic: one scale per row computed at run time,
 *            scale = act_clip * max|x_row| / qmax (1 for an all-zero row);
 *   static:  one scale for the tensor, input_scale, from calibration.
 * Any act_bits runs on the int8 path (vpdpbusd / vpmaddwd): 4-bit codes
 * are int8 values in [-8, 7]. Accumulation is int32 within a group (integer
 * activations) or float, and group partial sums are scaled and added in
 * float.
 *===----------------------------------------------------------------------===*/

#ifndef QC_RUNTIME_KERNELS_QUANTIZED_LINEAR_H
#define QC_RUNTIME_KERNELS_QUANTIZED_LINEAR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  QC_ACT_FLOAT = 0,   /* float activations */
  QC_ACT_DYNAMIC = 1, /* integer, one scale per row computed at run time */
  QC_ACT_STATIC = 2   /* integer, one scale for the tensor (input_scale) */
};

enum { QC_ISA_SCALAR = 0, QC_ISA_AVX2 = 1, QC_ISA_AVX512_VNNI = 2 };

/* One quantized linear layer as the kernels see it: the kernel call ABI.
 * Compiled code passes it by address (qc-cpu-lower-quantized-linear writes
 * this struct's bytes as a constant), so the compiler and the kernels share
 * this one definition. */
typedef struct qc_qlinear_layer {
  int64_t n, k;         /* output channels, reduction size */
  int64_t group_size;   /* k for one scale per output channel */
  int32_t weight_bits;  /* 2..8 */
  int32_t asymmetric;   /* weight zero points present */
  int32_t act_mode;     /* QC_ACT_* */
  int32_t act_bits;     /* 2..8, integer activations only */
  float act_clip;       /* (0, 1], QC_ACT_DYNAMIC only */
  float input_scale;    /* > 0, QC_ACT_STATIC only */
  int32_t isa;          /* QC_ISA_*: the kernel variant compiled code runs */
  int32_t reserved;
} qc_qlinear_layer;

/* A layer with defaults: symmetric, float activations, 8-bit codes when
 * activations are integer, no clipping, the scalar kernel. */
static inline qc_qlinear_layer qc_qlinear_layer_make(int64_t n, int64_t k, int64_t group_size,
                                                     int32_t weight_bits, int32_t act_mode) {
  qc_qlinear_layer layer;
  layer.n = n;
  layer.k = k;
  layer.group_size = group_size;
  layer.weight_bits = weight_bits;
  layer.asymmetric = 0;
  layer.act_mode = act_mode;
  layer.act_bits = 8;
  layer.act_clip = 1.0f;
  layer.input_scale = 0.0f;
  layer.isa = QC_ISA_SCALAR;
  layer.reserved = 0;
  return layer;
}

/* Sizes of the packed operands, in bytes and in floats. */
size_t qc_qlinear_packed_weight_bytes(const qc_qlinear_layer *layer);
size_t qc_qlinear_packed_param_floats(const qc_qlinear_layer *layer);

/* Packs the logical form into `weight` and `params` (sizes above).
 * `zero_points` may be NULL when symmetric. */
void qc_qlinear_pack(const qc_qlinear_layer *layer, const int8_t *codes, const float *scales,
                     const int8_t *zero_points, int8_t *weight, float *params);

/* y[m][n] = sum_k x[m][k] * w[n][k] + bias[n] for the packed weight; x is
 * [m][k] with row stride `x_stride`, y is [m][n] with row stride `y_stride`;
 * bias may be NULL. Runs on the OpenMP threads of the caller's team size. */
void qc_qlinear_run(int isa, const qc_qlinear_layer *layer, int64_t m, const float *x,
                    int64_t x_stride, const int8_t *weight, const float *params,
                    const float *bias, float *y, int64_t y_stride);

/* The definition, for tests: the same product computed in double from the
 * logical form, with activations quantized exactly as the kernels do. */
void qc_qlinear_reference(const qc_qlinear_layer *layer, int64_t m, const float *x,
                          const int8_t *codes, const float *scales, const int8_t *zero_points,
                          const float *bias, float *y);

/* Whether this CPU can run `isa`. */
int qc_qlinear_isa_supported(int isa);

#ifdef __cplusplus
}
#endif

#endif /* QC_RUNTIME_KERNELS_QUANTIZED_LINEAR_H */
