//===- Hadamard.h - Hadamard matrices and randomized Hadamard rotations -*- C++ -*-===//
//
// The numerical core of qc-rotate (QuaRot) and of the online Hadamard op,
// free of MLIR: Hadamard matrices of the orders that occur in models, the
// orthogonal rotation Q = D H_n / sqrt(n) they define, and a fast transform
// that applies Q (or Q^T) to the rows of a matrix.
//
// A Hadamard matrix H of order n has entries +-1 and H H^T = n I, so
// H / sqrt(n) is orthogonal. The orders built here are
//
//   n = base * pow2,   pow2 = 2^k,   base = 1 or a product of 12, 20 and 28,
//
// from three constructions:
//
//   - Sylvester, for pow2: H_1 = [1], H_2m = [[H_m, H_m], [H_m, -H_m]], i.e.
//     H_pow2[i][j] = (-1)^popcount(i & j). Symmetric.
//   - Paley (1933), for the base factors. With chi the quadratic character
//     of GF(q) (chi(0) = 0, chi(a) = 1 for a nonzero square, -1 otherwise)
//     and the Jacobsthal matrix Qj[i][j] = chi(j - i) (i, j in 0..q-1):
//       * construction I, q prime, q = 3 mod 4: Qj is skew-symmetric and
//         S = [[0, 1^T], [-1, Qj]] of order q + 1 has S S^T = q I, so
//         H = I + S is Hadamard of order q + 1. Row and column 0 are the
//         bordering ones (H[0][j] = 1, H[i][0] = -1 for i > 0).
//         12 from q = 11, 20 from q = 19.
//       * construction II, q prime, q = 1 mod 4: Qj is symmetric and
//         S = [[0, 1^T], [1, Qj]] has S^2 = q I; H of order 2 (q + 1) is S
//         with each 0 replaced by [[1, -1], [-1, -1]] and each +-1 by
//         +-[[1, 1], [1, -1]] (block (I, J) of S at rows 2I, 2I + 1 and
//         columns 2J, 2J + 1). 28 from q = 13. Symmetric, as S and both
//         blocks are.
//     So H_12 and H_20 are not symmetric (H^T = 2I - H), nor is any base
//     that has one of them as a factor, and x Q and x Q^T differ even
//     without signs; H_28, H_784 = H_28 (x) H_28 and H_pow2 are symmetric.
//   - Kronecker products: A (x) B is Hadamard when A and B are, with
//       (A (x) B)[i][j] = A[i / |B|][j / |B|] * B[i % |B|][j % |B|],
//     the left factor the outer (slow) index.
//
// The factorization is unique: each base factor 4p (p = 3, 5, 7) takes the
// odd prime p and two factors of 2 of n, so n's odd part must be a product
// of 3s, 5s and 7s, and n must hold 2^2 per such prime (576 = 144 * 4,
// 960 = 240 * 4 are supported; 36 = 9 * 4 and 44 = 11 * 4 are not). The
// base matrix of a product is the Kronecker product of its factors in
// ascending order, e.g. H_240 = H_12 (x) H_20, H_144 = H_12 (x) H_12, and
//
//   H_n = H_base (x) H_pow2:  H_n[i][j] = H_base[i / pow2][j / pow2]
//                                       * H_pow2[i % pow2][j % pow2].
//
// The randomized rotation is Q = D H_n / sqrt(n), D = diag(signs), signs in
// {+1, -1} (none: D = I). Q is orthogonal: Q Q^T = Q^T Q = I.
//
//===----------------------------------------------------------------------===//

#ifndef QC_PASSES_QUANTIZERS_HADAMARD_H
#define QC_PASSES_QUANTIZERS_HADAMARD_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qc::quantizers {

/// n = base * pow2; base is 1 or a product of 12, 20 and 28, pow2 a power
/// of two (1 included).
struct HadamardFactors {
  int64_t base = 1;
  int64_t pow2 = 1;
};

/// The factorization of n described above, or std::nullopt for an order
/// that none of the constructions gives; `reason` (when not null) then says
/// why, as a sentence fragment naming n (e.g. "n = 36 = 9 * 2^2: its odd
/// part 9 needs 2 factors from 12, 20, 28, i.e. at least 2^4, but n has
/// only 2^2").
std::optional<HadamardFactors> factorHadamardOrder(int64_t n, std::string *reason = nullptr);

/// The odd-order base factors of `base` in Kronecker order (ascending): 144
/// -> {12, 12}, 240 -> {12, 20}, 1 -> {}. Empty also for a base that is
/// none of the supported ones (check with isHadamardBase).
std::vector<int64_t> hadamardBaseFactors(int64_t base);

/// True for 1 and for the products of 12, 20 and 28.
bool isHadamardBase(int64_t base);

/// H_base, base x base, row major, entries +-1, H H^T = base I. Empty for
/// a base that isHadamardBase rejects. Dense: base^2 bytes.
std::vector<int8_t> baseHadamardMatrix(int64_t base);

/// H_n = H_base (x) H_pow2, n x n, row major. Empty for an unsupported n.
/// Dense: n^2 bytes, for tests and small folds.
std::vector<int8_t> hadamardMatrix(int64_t n);

/// The rotation Q = D H_n / sqrt(n) (Q[i][j] = signs[i] * H_n[i][j] /
/// sqrt(n)), n x n, row major, rounded once to float from double. `signs`
/// has n entries or is null (D = I). Empty for an unsupported n.
std::vector<float> denseRotation(int64_t n, const int8_t *signs = nullptr);

/// Which side of the rotation hadamardTransformRows applies.
enum class HadamardSide {
  Q,          ///< x <- x Q   = ((x * signs) H_n) / sqrt(n)
  QTranspose, ///< x <- x Q^T = ((x H_n^T) * signs) / sqrt(n), undoes Q
};

/// Rotates each of the `rows` rows (n contiguous floats each, row major) of
/// x in place: x[r] <- x[r] Q or x[r] Q^T, Q = D H_n / sqrt(n). `signs` as
/// for denseRotation (entries +1 or -1; null for none). The Sylvester
/// factor is a fast Walsh-Hadamard transform (n log2(pow2) additions per
/// row); each base factor f a dense f x f product along its axis (n f
/// multiply-adds per row); so a row costs O(n (log n + sum of the base
/// factors)). Each row is computed in double and rounded once to float at
/// the end, so the result is within float rounding of the exact product.
/// Returns false, leaving x unchanged, for an unsupported n.
/// To rotate the columns of a matrix (Q^T W for W with n rows), rotate the
/// rows of its transpose.
[[nodiscard]] bool hadamardTransformRows(float *x, int64_t rows, int64_t n,
                                         const int8_t *signs = nullptr,
                                         HadamardSide side = HadamardSide::Q);

/// n random signs (+1 or -1) for D, the same on every platform and
/// compiler: sign i is -1 when the top bit of the (i + 1)-th output of
/// std::mt19937_64 seeded with `seed` is set (the engine's output sequence
/// is fixed by the C++ standard; no std:: distribution is used, as those
/// are implementation-defined).
std::vector<int8_t> randomSigns(int64_t n, uint64_t seed);

} // namespace qc::quantizers

#endif // QC_PASSES_QUANTIZERS_HADAMARD_H
