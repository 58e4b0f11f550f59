/* Read bandwidth of this machine, the roofline bench/gemm_bench.py prints
 * next to every time: T threads (OpenMP) read a buffer of BYTES bytes, each
 * its own contiguous share, summing 64-bit words into four vector
 * accumulators of the target's widest loads (64 bytes with AVX-512, else
 * 32). The compiler's own vectorization of a plain sum (one 32-byte load a
 * step into one accumulator) read half as fast from the Zen 3's L3 (76
 * against 118-130 GB/s) and ~2/3 as fast from the Xeon host's DRAM: a
 * roofline the kernels outran. Each sample reads the whole buffer REPEAT
 * times (so a sample lasts a few ms); the median of SAMPLES samples is
 * printed in GB/s (1e9 bytes/s).
 *
 *   cc -O3 -march=native -fopenmp read_bandwidth.c -o read_bandwidth
 *   ./read_bandwidth BYTES [THREADS=2] [SAMPLES=15]
 *
 * L3-resident: BYTES = the weight bytes (the same buffer read again and
 * again stays in L3 when it fits). DRAM: BYTES > 2x the L3 size. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The widest load the target has: 64 bytes with AVX-512 (a cache line a
 * load), else 32 (GCC splits wider generic vectors through the stack). */
#if defined(__AVX512F__)
#define VEC_WORDS 8
#else
#define VEC_WORDS 4
#endif
typedef uint64_t vec_t __attribute__((vector_size(VEC_WORDS * 8)));
#define STEP_WORDS (4 * VEC_WORDS)

/* Sum of words [0, n) of p (n a multiple of STEP_WORDS, p 64-byte aligned):
 * four independent accumulators, so that loads never wait on an add. */
static uint64_t sum_words(const uint64_t *p, size_t n) {
  vec_t a = {0}, b = {0}, c = {0}, d = {0};
  for (size_t i = 0; i < n; i += STEP_WORDS) {
    a += *(const vec_t *)(p + i);
    b += *(const vec_t *)(p + i + VEC_WORDS);
    c += *(const vec_t *)(p + i + 2 * VEC_WORDS);
    d += *(const vec_t *)(p + i + 3 * VEC_WORDS);
  }
  a += b + c + d;
  uint64_t sum = 0;
  for (int i = 0; i < VEC_WORDS; ++i) sum += a[i];
  return sum;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s BYTES [THREADS] [SAMPLES]\n", argv[0]);
    return 1;
  }
  size_t bytes = strtoull(argv[1], NULL, 10);
  int threads = argc > 2 ? atoi(argv[2]) : 2;
  int samples = argc > 3 ? atoi(argv[3]) : 15;
  size_t words = (bytes + 7) / 8;
  words = (words + 63) & ~(size_t)63;
  uint64_t *buf = NULL;
  if (posix_memalign((void **)&buf, 4096, words * 8)) return 1;
  /* First touch by the threads that read (one NUMA node here anyway). */
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t i = 0; i < words; ++i) buf[i] = i * 0x9E3779B97F4A7C15ull;
  size_t repeat = (size_t)(2e8 / (double)(words * 8)) + 1; /* >= 200 MB per sample */
  double *gbs = malloc(sizeof(double) * samples);
  volatile uint64_t sink = 0;
  for (int s = -2; s < samples; ++s) { /* two warm-up samples */
    uint64_t total = 0;
    double t0 = now();
    /* One parallel region per sample: each thread reads its own contiguous
     * share REPEAT times (no barrier between repeats). */
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      int t = omp_get_thread_num(), n = omp_get_num_threads();
      /* Shares of whole steps (words is a multiple of 64). */
      size_t steps = words / STEP_WORDS;
      size_t begin = steps * t / n * STEP_WORDS, end = steps * (t + 1) / n * STEP_WORDS;
      for (size_t r = 0; r < repeat; ++r) {
        uint64_t sum = sum_words(buf + begin, end - begin);
        total += sum;
        __asm__ volatile("" : : "r"(sum) : "memory"); /* keep every repeat */
      }
    }
    double t = now() - t0;
    sink += total;
    if (s >= 0) gbs[s] = (double)words * 8 * repeat / t / 1e9;
  }
  qsort(gbs, samples, sizeof(double), cmp);
  printf("%.2f\n", gbs[samples / 2]);
  (void)sink;
  free(gbs);
  free(buf);
  return 0;
}
