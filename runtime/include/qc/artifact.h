/*===- artifact.h - the trailer of a compiled qc artifact ---------*- C -*-===*
 *
 * qc-compile appends this footer to the shared object it links (the ELF
 * loader ignores bytes past the sections), and libqcrt checks it before
 * handing the file to dlopen: a truncated, corrupted or foreign file is
 * rejected with an error instead of faulting inside the loader.
 *
 *   [ ELF shared object: content_size bytes ][ qc_artifact_footer ]
 *
 * All fields little-endian. The checksum is qc_artifact_checksum over the
 * content bytes.
 *===----------------------------------------------------------------------===*/

#ifndef QC_RUNTIME_ARTIFACT_H
#define QC_RUNTIME_ARTIFACT_H

#include <stddef.h>
#include <stdint.h>

#define QC_ARTIFACT_MAGIC "qcartfct"
#define QC_ARTIFACT_FORMAT_VERSION 1u

typedef struct qc_artifact_footer {
  char magic[8];          /* QC_ARTIFACT_MAGIC, no NUL */
  uint32_t version;       /* QC_ARTIFACT_FORMAT_VERSION */
  uint32_t reserved;      /* 0 */
  uint64_t content_size;  /* bytes before the footer */
  uint64_t checksum;      /* qc_artifact_checksum(content, content_size) */
} qc_artifact_footer;

/* A 64-bit checksum, eight bytes at a time (a multiply-rotate mix of each
 * little-endian word; the last partial word zero-padded, the length mixed
 * in by _final): it catches truncation and corruption, it is not a
 * signature. Start from h = 0; every call but the last takes a multiple of
 * 8 bytes. */
static inline uint64_t qc_artifact_checksum_update(uint64_t h, const unsigned char *p,
                                                   size_t n) {
  const uint64_t k1 = 0x9E3779B185EBCA87ull, k2 = 0xC2B2AE3D27D4EB4Full;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = 0;
    for (int b = 7; b >= 0; --b)
      w = (w << 8) | p[i + (size_t)b];
    h ^= w * k2;
    h = ((h << 31) | (h >> 33)) * k1;
  }
  if (i < n) {
    uint64_t w = 0;
    for (size_t b = n; b > i; --b)
      w = (w << 8) | p[b - 1];
    h ^= w * k2;
    h = ((h << 31) | (h >> 33)) * k1;
  }
  return h;
}

static inline uint64_t qc_artifact_checksum_final(uint64_t h, uint64_t total) {
  h ^= total;
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}

#endif /* QC_RUNTIME_ARTIFACT_H */
