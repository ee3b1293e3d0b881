//===- kernel_bench.cpp - quantized GEMV against the memory roofline ------===//
//
// Decode-shaped products (one row of activations times a 4096 x 4096 or
// 4096 x 11008 weight) through the runtime's quantized kernels, in GB/s of
// packed weights (codes and group parameters) streamed, beside a
// STREAM-like copy measured in the same run. Every working set is larger
// than the last-level cache (the weights rotate through enough copies), so
// the figures are memory bandwidth, not cache bandwidth.
//
// usage: qc-kernel-bench [--threads N] [--json OUT]
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/hadamard.h"
#include "runtime/kernels/quantized_linear.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr size_t kWorkingSet = size_t(768) << 20; // bytes, well above a 260 MiB L3

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// STREAM "copy" (a[i] = b[i]) over arrays larger than the caches; bytes
/// moved count the read and the write. Best of 5.
double copyBandwidth() {
  size_t n = kWorkingSet / sizeof(double);
  double *a = static_cast<double *>(std::aligned_alloc(64, n * sizeof(double)));
  double *b = static_cast<double *>(std::aligned_alloc(64, n * sizeof(double)));
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; ++i) {
    a[i] = 0;
    b[i] = static_cast<double>(i);
  }
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double t = seconds();
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; ++i)
      a[i] = b[i];
    t = seconds() - t;
    best = std::max(best, 2.0 * n * sizeof(double) / t / 1e9);
  }
  std::printf("  (copy checksum %g)\n", a[n / 3]);
  std::free(a);
  std::free(b);
  return best;
}

struct Result {
  std::string name;
  int64_t k, n;
  double bytes, ms, gbps;
};

Result gemv(const char *name, int64_t k, int64_t n, int bits, int act, int64_t group, int isa) {
  qc_qlinear_layer shape = qc_qlinear_layer_make(n, k, group, bits, act);
  std::mt19937 rng(1);
  std::vector<int8_t> codes(n * k);
  int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
  std::uniform_int_distribution<int> code(lo, hi);
  for (int8_t &c : codes)
    c = static_cast<int8_t>(code(rng));
  int64_t groups = (k + group - 1) / group;
  std::vector<float> scales(n * groups, 0.01f);
  size_t wBytes = qc_qlinear_packed_weight_bytes(&shape);
  size_t pFloats = qc_qlinear_packed_param_floats(&shape);
  size_t perCopy = wBytes + pFloats * sizeof(float);
  size_t copies = std::max<size_t>(2, kWorkingSet / perCopy + 1);
  std::vector<int8_t *> weights(copies);
  std::vector<float *> params(copies);
  weights[0] = static_cast<int8_t *>(std::aligned_alloc(64, (wBytes + 63) / 64 * 64));
  params[0] = static_cast<float *>(std::aligned_alloc(64, (pFloats * 4 + 63) / 64 * 64));
  qc_qlinear_pack(&shape, codes.data(), scales.data(), nullptr, weights[0], params[0]);
  for (size_t c = 1; c < copies; ++c) {
    weights[c] = static_cast<int8_t *>(std::aligned_alloc(64, (wBytes + 63) / 64 * 64));
    params[c] = static_cast<float *>(std::aligned_alloc(64, (pFloats * 4 + 63) / 64 * 64));
    std::memcpy(weights[c], weights[0], wBytes);
    std::memcpy(params[c], params[0], pFloats * 4);
  }
  std::vector<float> x(k), y(n);
  std::normal_distribution<float> normal;
  for (float &v : x)
    v = normal(rng);
  // Warm up, then time whole passes over all copies; best of 5 passes.
  for (size_t c = 0; c < copies; ++c)
    qc_qlinear_run(isa, &shape, 1, x.data(), k, weights[c], params[c], nullptr, y.data(), n);
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    double t = seconds();
    for (size_t c = 0; c < copies; ++c)
      qc_qlinear_run(isa, &shape, 1, x.data(), k, weights[c], params[c], nullptr, y.data(), n);
    best = std::min(best, (seconds() - t) / copies);
  }
  for (size_t c = 0; c < copies; ++c) {
    std::free(weights[c]);
    std::free(params[c]);
  }
  return {name, k, n, static_cast<double>(perCopy), best * 1e3, perCopy / best / 1e9};
}

struct HadamardResult {
  int64_t n, rows;
  double ms, gbps;
};

/// The online Hadamard (qc.hadamard's kernel) in place on rows x n blocks
/// of a buffer larger than the caches, one block after another; bytes moved
/// count the read and the write of each block. Best of 3 passes.
HadamardResult hadamard(int64_t n, int64_t rows, int isa) {
  size_t block = static_cast<size_t>(n * rows);
  size_t blocks = std::max<size_t>(1, kWorkingSet / sizeof(float) / block);
  float *buffer = static_cast<float *>(std::aligned_alloc(64, blocks * block * sizeof(float)));
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < blocks * block; ++i)
    buffer[i] = static_cast<float>(i % 7) - 3.0f;
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    double t = seconds();
    for (size_t b = 0; b < blocks; ++b) {
      float *x = buffer + b * block;
      if (qc_hadamard_rows(isa, rows, n, 1, nullptr, nullptr, x, n, x, n) != 0)
        std::abort();
    }
    best = std::min(best, (seconds() - t) / static_cast<double>(blocks));
  }
  std::printf("  (hadamard checksum %g)\n", buffer[block / 3]);
  std::free(buffer);
  return {n, rows, best * 1e3, 2.0 * block * sizeof(float) / best / 1e9};
}

} // namespace

int main(int argc, char **argv) {
  int threads = 1;
  const char *json = nullptr;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--json" && i + 1 < argc)
      json = argv[++i];
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else {
      std::fprintf(stderr, "usage: qc-kernel-bench [--threads N] [--json OUT] "
                           "[--only gemv|hadamard]\n");
      return 1;
    }
  }
  omp_set_num_threads(threads);
  int isa = qc_qlinear_isa_supported(QC_ISA_AVX512_VNNI) ? QC_ISA_AVX512_VNNI
            : qc_qlinear_isa_supported(QC_ISA_AVX2)      ? QC_ISA_AVX2
                                                         : QC_ISA_SCALAR;
  const char *isaName = isa == QC_ISA_AVX512_VNNI ? "avx512-vnni" : isa == QC_ISA_AVX2 ? "avx2" : "scalar";
  std::printf("qc-kernel-bench: %d thread(s), %s kernels\n", threads, isaName);
  double copy = copyBandwidth();
  std::printf("  STREAM-like copy: %.1f GB/s\n", copy);
  std::vector<Result> results;
  for (auto [k, n] : {std::pair<int64_t, int64_t>{4096, 4096}, {4096, 11008}}) {
    if (only == "hadamard")
      break;
    results.push_back(gemv("int4 g128, f32 activations", k, n, 4, QC_ACT_FLOAT, 128, isa));
    results.push_back(gemv("int8 per-channel, f32 activations", k, n, 8, QC_ACT_FLOAT, k, isa));
    results.push_back(gemv("int4 g128, int8 activations", k, n, 4, QC_ACT_DYNAMIC, 128, isa));
    results.push_back(gemv("int8 per-channel, int8 activations", k, n, 8, QC_ACT_DYNAMIC, k, isa));
  }
  std::printf("  %-36s %6s %6s %10s %9s %8s %9s\n", "kernel", "K", "N", "bytes", "ms", "GB/s",
              "of copy");
  for (const Result &r : results)
    std::printf("  %-36s %6lld %6lld %10.0f %9.3f %8.1f %8.0f%%\n", r.name.c_str(),
                static_cast<long long>(r.k), static_cast<long long>(r.n), r.bytes, r.ms, r.gbps,
                100.0 * r.gbps / copy);
  std::vector<HadamardResult> rotations;
  for (int64_t n : {4096, 8192, 16384})
    for (int64_t rows : {1, 64, 512})
      if (only != "gemv")
        rotations.push_back(hadamard(n, rows, isa));
  std::printf("  %-36s %6s %6s %10s %9s %8s %9s\n", "online Hadamard (in place)", "n", "rows",
              "bytes", "ms", "GB/s", "of copy");
  for (const HadamardResult &r : rotations)
    std::printf("  %-36s %6lld %6lld %10.0f %9.4f %8.1f %8.0f%%\n", "fast Walsh-Hadamard",
                static_cast<long long>(r.n), static_cast<long long>(r.rows), 8.0 * r.n * r.rows,
                r.ms, r.gbps, 100.0 * r.gbps / copy);
  if (json) {
    FILE *f = std::fopen(json, "w");
    if (!f) {
      std::fprintf(stderr, "qc-kernel-bench: cannot write %s\n", json);
      return 1;
    }
    std::fprintf(f, "{\"threads\": %d, \"isa\": \"%s\", \"copy_gbps\": %.3f, \"gemv\": [", threads,
                 isaName, copy);
    for (size_t i = 0; i < results.size(); ++i)
      std::fprintf(f, "%s\n  {\"kernel\": \"%s\", \"k\": %lld, \"n\": %lld, \"bytes\": %.0f, "
                   "\"ms\": %.4f, \"gbps\": %.3f, \"fraction_of_copy\": %.4f}",
                   i ? "," : "", results[i].name.c_str(), static_cast<long long>(results[i].k),
                   static_cast<long long>(results[i].n), results[i].bytes, results[i].ms,
                   results[i].gbps, results[i].gbps / copy);
    std::fprintf(f, "\n], \"hadamard\": [");
    for (size_t i = 0; i < rotations.size(); ++i)
      std::fprintf(f, "%s\n  {\"n\": %lld, \"rows\": %lld, \"ms\": %.5f, \"gbps\": %.3f, "
                   "\"fraction_of_copy\": %.4f}",
                   i ? "," : "", static_cast<long long>(rotations[i].n),
                   static_cast<long long>(rotations[i].rows), rotations[i].ms, rotations[i].gbps,
                   rotations[i].gbps / copy);
    std::fprintf(f, "\n]}\n");
    std::fclose(f);
  }
  return 0;
}
