/*
 * Convey's packed-weight GEMM: C (m x cols) = A (m x k, row-major, lda) * B + beta C (row-major, ldc), where B
 * (k x n) was packed once into column panels of NR columns:
 *
 *   packed[(j k + p) NR + q] = B[p][j NR + q]     (zero where j NR + q >= n)
 *
 * so that the micro-kernel reads one k-row of a panel as NR contiguous floats. The weights of a convolution do not
 * change between inference calls, so this packing is paid once per weight version, where OpenBLAS' C API packs B
 * again on every call. A is read in place (not packed): a micro-tile broadcasts A[i][p] of its MR rows and
 * multiplies it with the panel's row p, accumulating the MR x NR tile of C in registers:
 *
 *   for p in [p0, p0 + KC):  acc[i][0..NR) += A[i][p] * panel[p][0..NR)      (i < MR)
 *   C[i][0..NR) = acc[i] + beta C[i]          (the first k-block; later k-blocks add to C, i.e. beta = 1)
 *
 * Loops (outer to inner): k-blocks of KC (a panel's KC x NR block, 32 KB, stays in L1 while every micro-tile of
 * the row block uses it), row blocks of MC (A's MC x KC block stays in L2), panels, micro-tiles of MR rows.
 * Ragged edges: the last panel is zero-padded, so the tile is computed whole (or its first half alone, when
 * the panel holds at most NR / 2 columns) and stored under a column mask; the last rows use a micro-kernel
 * compiled for fewer rows.
 *
 * Kernel sets, chosen at run time (one library for an AVX2-only and an AVX-512 machine): AVX-512 (MR x NR =
 * 12 x 32: 24 zmm accumulators), AVX2 + FMA (6 x 16: 12 ymm accumulators), and portable C (4 x 16). The naive
 * reference the kernels equal (to rounding) is dev.convey.blas.ReferenceGemm.
 *
 * Rows of A as runs (an implicit im2col): each row of A may be several runs of seg floats, run s of row i
 * starting segStride floats after run s - 1 (seg = k, one run: the plain row-major A):
 *
 *   A[i][p] = a[i lda + (p / seg) segStride + p % seg]
 *
 * For a convolution over a (padded) NHWC image with undilated kernel rows, the patch row of output pixel
 * (oh, ow) is kh runs of kw C floats, one per kernel row, so that A is read from the image itself:
 * lda = strideW C (the next output pixel), seg = kw C (one kernel row), segStride = dilationH W C (the next one).
 * The micro-kernels walk p run by run; the driver's k-blocks may start inside a run.
 */
#ifndef CONVEY_GEMM_H
#define CONVEY_GEMM_H

#include <immintrin.h>
#include <string.h>

#define CONVEY_ISA_SCALAR 0
#define CONVEY_ISA_AVX2 1
#define CONVEY_ISA_AVX512 2

#define CONVEY_KC 384
#define CONVEY_MC 192

/* The best kernel set this CPU runs. */
static inline int convey_gemm_best_isa() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        return CONVEY_ISA_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return CONVEY_ISA_AVX2;
    }
    return CONVEY_ISA_SCALAR;
}

/* NR, the panel width of a kernel set. */
static inline int convey_gemm_panel_width(int isa) {
    return isa == CONVEY_ISA_AVX512 ? 32 : 16;
}

/* packed = B (k x n, row-major, ldb) in panels of NR columns, the last one zero-padded (see the layout above). */
static inline void convey_gemm_pack(int isa, int k, int n, const float* b, int ldb, float* packed) {
    int nr = convey_gemm_panel_width(isa);
    int panels = (n + nr - 1) / nr;
    for (int j = 0; j < panels; j++) {
        int width = n - j * nr < nr ? n - j * nr : nr;
        float* panel = packed + (long) j * k * nr;
        for (int p = 0; p < k; p++) {
            memcpy(panel + (long) p * nr, b + (long) p * ldb + (long) j * nr, sizeof(float) * width);
            if (width < nr) {
                memset(panel + (long) p * nr + width, 0, sizeof(float) * (nr - width));
            }
        }
    }
}

/*
 * A micro-tile: C (rows x cols) = A (rows x kc, lda) * panel block (kc x NR) + beta C (ldc), A's rows being runs
 * of seg floats segStride apart (see above), from float skip of the run at a on.
 */
typedef void (*convey_tile_fn)(int kc, const float* a, long lda, int skip, int seg, long segStride,
                               const float* b, float beta, float* c, long ldc, int cols);

/*
 * The loop over a tile's k-block p = 0 .. kc - 1, run by run of A: within a run, A[i][p] is ap[i lda + p]
 * (ap points p floats before the run's current float). A plain A is one run (seg = k), so this is one loop.
 */
#define CONVEY_RUNS_BEGIN { const float* run = a; int offset = skip; int p = 0; \
    while (p < kc) { \
        int end = p + (seg - offset < kc - p ? seg - offset : kc - p); \
        const float* ap = run + offset - p; \
        for (; p < end; p++) {
#define CONVEY_RUNS_END } run += segStride; offset = 0; } }

/* ------------------------------------------------------------------ AVX-512: 12 x 32 */

#define CONVEY_T512 __attribute__((target("avx512f,fma"))) static

#define C512_ZERO(r) __m512 c0_##r = _mm512_setzero_ps(), c1_##r = _mm512_setzero_ps();
#define C512_FMA(r) if (ROWS > r) { __m512 ar = _mm512_set1_ps(ap[(long) r * lda + p]); \
        c0_##r = _mm512_fmadd_ps(ar, b0, c0_##r); if (VECTORS > 1) c1_##r = _mm512_fmadd_ps(ar, b1, c1_##r); }
#define C512_STORE(r) if (ROWS > r) { float* cr = c + (long) r * ldc; \
        if (beta != 0.0f) { \
            c0_##r = _mm512_fmadd_ps(vbeta, _mm512_maskz_loadu_ps(m0, cr), c0_##r); \
            if (VECTORS > 1) c1_##r = _mm512_fmadd_ps(vbeta, _mm512_maskz_loadu_ps(m1, cr + 16), c1_##r); } \
        _mm512_mask_storeu_ps(cr, m0, c0_##r); if (VECTORS > 1) _mm512_mask_storeu_ps(cr + 16, m1, c1_##r); }

#define CONVEY_TILE512(R, V) \
CONVEY_T512 void convey_tile512_##R##_##V(int kc, const float* a, long lda, int skip, int seg, long segStride, \
                                       const float* b, float beta, float* c, long ldc, int cols) { \
    const int ROWS = R, VECTORS = V; \
    C512_ZERO(0) C512_ZERO(1) C512_ZERO(2) C512_ZERO(3) C512_ZERO(4) C512_ZERO(5) \
    C512_ZERO(6) C512_ZERO(7) C512_ZERO(8) C512_ZERO(9) C512_ZERO(10) C512_ZERO(11) \
    CONVEY_RUNS_BEGIN \
        __m512 b0 = _mm512_load_ps(b + (long) p * 32); \
        __m512 b1 = VECTORS > 1 ? _mm512_load_ps(b + (long) p * 32 + 16) : b0; \
        C512_FMA(0) C512_FMA(1) C512_FMA(2) C512_FMA(3) C512_FMA(4) C512_FMA(5) \
        C512_FMA(6) C512_FMA(7) C512_FMA(8) C512_FMA(9) C512_FMA(10) C512_FMA(11) \
    CONVEY_RUNS_END \
    __mmask16 m0 = cols >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << cols) - 1u); \
    __mmask16 m1 = cols >= 32 ? (__mmask16) 0xFFFF : cols <= 16 ? (__mmask16) 0 : (__mmask16) ((1u << (cols - 16)) - 1u); \
    __m512 vbeta = _mm512_set1_ps(beta); \
    C512_STORE(0) C512_STORE(1) C512_STORE(2) C512_STORE(3) C512_STORE(4) C512_STORE(5) \
    C512_STORE(6) C512_STORE(7) C512_STORE(8) C512_STORE(9) C512_STORE(10) C512_STORE(11) \
}

#define CONVEY_TILES512(V) CONVEY_TILE512(1, V) CONVEY_TILE512(2, V) CONVEY_TILE512(3, V) CONVEY_TILE512(4, V) \
    CONVEY_TILE512(5, V) CONVEY_TILE512(6, V) CONVEY_TILE512(7, V) CONVEY_TILE512(8, V) CONVEY_TILE512(9, V) \
    CONVEY_TILE512(10, V) CONVEY_TILE512(11, V) CONVEY_TILE512(12, V)
CONVEY_TILES512(1) CONVEY_TILES512(2)

/* The micro-kernel for 1..12 rows, by vectors of columns (1: a last panel of at most 16 columns) and rows. */
#define CONVEY_TABLE512(V) {0, convey_tile512_1_##V, convey_tile512_2_##V, convey_tile512_3_##V, convey_tile512_4_##V, \
    convey_tile512_5_##V, convey_tile512_6_##V, convey_tile512_7_##V, convey_tile512_8_##V, convey_tile512_9_##V, \
    convey_tile512_10_##V, convey_tile512_11_##V, convey_tile512_12_##V}
static const convey_tile_fn convey_tiles512[2][13] = {CONVEY_TABLE512(1), CONVEY_TABLE512(2)};

/* ------------------------------------------------------------------ AVX2 + FMA: 6 x 16 */

#define CONVEY_T256 __attribute__((target("avx2,fma"))) static

#define C256_ZERO(r) __m256 c0_##r = _mm256_setzero_ps(), c1_##r = _mm256_setzero_ps();
#define C256_FMA(r) if (ROWS > r) { __m256 ar = _mm256_broadcast_ss(ap + (long) r * lda + p); \
        c0_##r = _mm256_fmadd_ps(ar, b0, c0_##r); if (VECTORS > 1) c1_##r = _mm256_fmadd_ps(ar, b1, c1_##r); }
#define C256_STORE(r) if (ROWS > r) { float* cr = c + (long) r * ldc; \
        if (beta != 0.0f) { \
            c0_##r = _mm256_fmadd_ps(vbeta, _mm256_maskload_ps(cr, m0), c0_##r); \
            if (VECTORS > 1) c1_##r = _mm256_fmadd_ps(vbeta, _mm256_maskload_ps(cr + 8, m1), c1_##r); } \
        _mm256_maskstore_ps(cr, m0, c0_##r); if (VECTORS > 1) _mm256_maskstore_ps(cr + 8, m1, c1_##r); }

#define CONVEY_TILE256(R, V) \
CONVEY_T256 void convey_tile256_##R##_##V(int kc, const float* a, long lda, int skip, int seg, long segStride, \
                                       const float* b, float beta, float* c, long ldc, int cols) { \
    const int ROWS = R, VECTORS = V; \
    C256_ZERO(0) C256_ZERO(1) C256_ZERO(2) C256_ZERO(3) C256_ZERO(4) C256_ZERO(5) \
    CONVEY_RUNS_BEGIN \
        __m256 b0 = _mm256_load_ps(b + (long) p * 16); \
        __m256 b1 = VECTORS > 1 ? _mm256_load_ps(b + (long) p * 16 + 8) : b0; \
        C256_FMA(0) C256_FMA(1) C256_FMA(2) C256_FMA(3) C256_FMA(4) C256_FMA(5) \
    CONVEY_RUNS_END \
    __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); \
    __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lanes); \
    __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lanes); \
    __m256 vbeta = _mm256_set1_ps(beta); \
    C256_STORE(0) C256_STORE(1) C256_STORE(2) C256_STORE(3) C256_STORE(4) C256_STORE(5) \
}

#define CONVEY_TILES256(V) CONVEY_TILE256(1, V) CONVEY_TILE256(2, V) CONVEY_TILE256(3, V) CONVEY_TILE256(4, V) \
    CONVEY_TILE256(5, V) CONVEY_TILE256(6, V)
CONVEY_TILES256(1) CONVEY_TILES256(2)

/* The micro-kernel for 1..6 rows, by vectors of columns (1: a last panel of at most 8 columns) and rows. */
#define CONVEY_TABLE256(V) {0, convey_tile256_1_##V, convey_tile256_2_##V, convey_tile256_3_##V, convey_tile256_4_##V, \
    convey_tile256_5_##V, convey_tile256_6_##V}
static const convey_tile_fn convey_tiles256[2][7] = {CONVEY_TABLE256(1), CONVEY_TABLE256(2)};

/* ------------------------------------------------------------------ portable C: 4 x 16 */

static void convey_tile_scalar(int rows, int kc, const float* a, long lda, int skip, int seg, long segStride,
                               const float* b, float beta, float* c, long ldc, int cols) {
    float acc[4][16];
    memset(acc, 0, sizeof(acc));
    CONVEY_RUNS_BEGIN
        const float* bp = b + (long) p * 16;
        for (int i = 0; i < rows; i++) {
            float ai = ap[(long) i * lda + p];
            for (int q = 0; q < 16; q++) {
                acc[i][q] += ai * bp[q];
            }
        }
    CONVEY_RUNS_END
    for (int i = 0; i < rows; i++) {
        float* ci = c + (long) i * ldc;
        for (int q = 0; q < cols; q++) {
            ci[q] = beta != 0.0f ? acc[i][q] + beta * ci[q] : acc[i][q];
        }
    }
}

/* ------------------------------------------------------------------ the driver */

/*
 * C (m x cols) = A (m x k, rows of runs of seg floats segStride apart: see above) * panels + beta C, panels being
 * the packed B's panels from the one holding C's first column on (cols <= their columns). With beta = 0, C is
 * not read (it may hold NaN).
 */
static inline void convey_gemm_packed_runs(int isa, int m, int cols, int k, const float* a, int lda, int seg,
                                           long segStride, const float* panels, float beta, float* c, int ldc) {
    int nr = convey_gemm_panel_width(isa);
    int mr = isa == CONVEY_ISA_AVX512 ? 12 : isa == CONVEY_ISA_AVX2 ? 6 : 4;
    if (k == 0) {
        for (int i = 0; i < m; i++) {
            for (int q = 0; q < cols; q++) {
                c[(long) i * ldc + q] = beta == 0.0f ? 0.0f : beta * c[(long) i * ldc + q];
            }
        }
        return;
    }
    int mc = CONVEY_MC / mr * mr;
    for (int p0 = 0; p0 < k; p0 += CONVEY_KC) {
        int kc = k - p0 < CONVEY_KC ? k - p0 : CONVEY_KC;
        float b0 = p0 == 0 ? beta : 1.0f;
        for (int i0 = 0; i0 < m; i0 += mc) {
            int i1 = m - i0 < mc ? m : i0 + mc;
            for (int j = 0; j * nr < cols; j++) {
                const float* panel = panels + ((long) j * k + p0) * nr;
                int width = cols - j * nr < nr ? cols - j * nr : nr;
                for (int i = i0; i < i1; i += mr) {
                    int rows = i1 - i < mr ? i1 - i : mr;
                    // the run holding A[i][p0], and p0's offset in it
                    const float* ai = a + (long) i * lda + (long) (p0 / seg) * segStride;
                    int skip = p0 % seg;
                    float* ci = c + (long) i * ldc + (long) j * nr;
                    if (isa == CONVEY_ISA_AVX512) {
                        convey_tiles512[width > 16][rows](kc, ai, lda, skip, seg, segStride, panel, b0, ci, ldc, width);
                    } else if (isa == CONVEY_ISA_AVX2) {
                        convey_tiles256[width > 8][rows](kc, ai, lda, skip, seg, segStride, panel, b0, ci, ldc, width);
                    } else {
                        convey_tile_scalar(rows, kc, ai, lda, skip, seg, segStride, panel, b0, ci, ldc, width);
                    }
                }
            }
        }
    }
}

/* C (m x cols) = A (m x k, row-major, lda) * panels + beta C: each row of A one run. */
static inline void convey_gemm_packed(int isa, int m, int cols, int k, const float* a, int lda,
                                      const float* panels, float beta, float* c, int ldc) {
    convey_gemm_packed_runs(isa, m, cols, k, a, lda, k > 0 ? k : 1, 0, panels, beta, c, ldc);
}

#endif
