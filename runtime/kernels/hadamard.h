/*===- hadamard.h - the online Hadamard rotation kernel ----------*- C -*-===*
 *
 * What qc.hadamard computes, for compiled artifacts:
 *   y[r] = (x[r] * signs) H / sqrt(n),  H = H_base (x) H_p,  p = n / base,
 * H_p Sylvester's Hadamard matrix of the power of two p (a fast
 * Walsh-Hadamard transform, O(n log p) per row) and H_base a small base
 * Hadamard matrix given as base x base floats (+-1, row-major), applied as
 * a dense product across the base blocks: element (i, j) of H is
 * H_base[i / p][j / p] * H_p[i % p][j % p].
 *===----------------------------------------------------------------------===*/

#ifndef QC_RUNTIME_KERNELS_HADAMARD_H
#define QC_RUNTIME_KERNELS_HADAMARD_H

#include "runtime/kernels/quantized_linear.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `isa` (QC_ISA_*) picks the vector code; `base_matrix` may be NULL when
 * base is 1, `signs` (n floats) NULL for none. x and y may be the same rows.
 * Rows run on the caller's OpenMP team. Returns 0, or -1 when n is not base
 * times a power of two. */
int qc_hadamard_rows(int isa, int64_t rows, int64_t n, int64_t base, const float *base_matrix,
                     const float *signs, const float *x, int64_t x_stride, float *y,
                     int64_t y_stride);

#ifdef __cplusplus
}
#endif

#endif /* QC_RUNTIME_KERNELS_HADAMARD_H */
