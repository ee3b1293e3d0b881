/* One core's peak float32 FMA throughput: independent FMA chains on
 * 512-bit (or 256-bit) vectors, enough of them to cover the FMA latency.
 * Prints GFLOP/s. Built by run_bench.py with clang -O2 -march=native. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define WIDTH 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1 _mm512_set1_ps
#define ADD _mm512_add_ps
#define STORE _mm512_storeu_ps
#else
typedef __m256 vec;
#define WIDTH 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1 _mm256_set1_ps
#define ADD _mm256_add_ps
#define STORE _mm256_storeu_ps
#endif

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  enum { CHAINS = 12 };
  vec acc[CHAINS];
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = SET1(0.001f * i);
  vec a = SET1(0.999999f), b = SET1(1e-7f);
  long iterations = 200000000 / CHAINS;
  double best = 0;
  for (int trial = 0; trial < 5; ++trial) {
    double start = now();
    for (long n = 0; n < iterations; ++n)
      for (int i = 0; i < CHAINS; ++i)
        acc[i] = FMA(acc[i], a, b);
    double seconds = now() - start;
    double gflops = 2.0 * WIDTH * CHAINS * iterations / seconds * 1e-9;
    if (gflops > best)
      best = gflops;
  }
  vec sum = acc[0];
  for (int i = 1; i < CHAINS; ++i)
    sum = ADD(sum, acc[i]);
  float out[WIDTH];
  STORE(out, sum);
  printf("%.2f %g\n", best, out[0]);
  return 0;
}
