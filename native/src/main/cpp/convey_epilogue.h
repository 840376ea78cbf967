/*
 * Convey's fused epilogue: what follows a GEMM, element by element, in one pass over the output rows in place:
 *
 *   y[i][j] = f( ((x[i][j] + b[j]) * s[j] + t[j]) + r[i][j] )      i < rows, j < cols
 *
 * x and y row-major with row strides ldx and ldy (y may be x: in place), b (bias), s and t (a folded batch norm's
 * scale and shift) per column, r (a residual) row-major with stride ldr; each of b, s/t and r may be NULL (absent).
 * The additions and the product are the float operations of the Java epilogue, in its order
 * (dev.convey.layers.Epilogue.apply), and the compiler must not fuse them into FMAs (fp-contract=off below):
 * without a transcendental activation the result is the Java one bit for bit.
 *
 * Activations (codes as dev.convey.blas.NativeEpilogue.Activation), each equal to its reference in
 * dev.convey.layers.ActivationFunction:
 *   - piecewise linear, in float with the Java kernels' operations (FloatActivations.apply): bit for bit;
 *   - transcendental, in double lanes: the float converted to double, the function in double from e^a below
 *     (relative error about 2e-10), rounded to float once: the double formula ActivationFunction.value rounded to
 *     float, to within 0.51 ulp (correctly rounded but for results within ~2e-10 of a rounding boundary).
 *
 *   e^a = 2^k (1 + p),  k = round(a / ln2),  r = a - k ln2 (ln2 = hi + lo, k hi exact: Cody and Waite), |r| <= ln2/2,
 *   p = e^r - 1 = r + r^2 (1/2! + r/3! + ... + r^6/8!)    (Taylor; the remainder r^9/9! < 2.1e-10 relative,
 *                                                          0.004 ulp of a float: it rounds within 0.504 ulp),
 *   e^a - 1 = 2^k p + (2^k - 1)                          (expm1: no cancellation for small a, k = 0),
 *   2^k built as the exponent field of a double, k in [-1022, 1023] (a is clamped to [-700, 700] first).
 *
 * Lanes: the math is written once (convey_epilogue_lanes.h) over lane operations defined here three times:
 * AVX-512 (8 floats a step, as 8 doubles in a zmm), AVX2 + FMA (4 floats, 4 doubles in a ymm) and portable C
 * (1 float, scalar double; no FMA, a b + c rounded twice, which the 2e-10 above allows); the ragged end of a
 * row goes through a buffer of one step. Which set runs is the caller's choice (dev.convey.blas.NativeEpilogue,
 * by the CPU's best set as convey_gemm_best_isa finds it).
 */
#ifndef CONVEY_EPILOGUE_H
#define CONVEY_EPILOGUE_H

#include <immintrin.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

/* No FMA but the explicit ones (cv_fma): the operations before the activation must round as Java's do. */
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

#define CONVEY_ACT_LINEAR 0
#define CONVEY_ACT_RELU 1
#define CONVEY_ACT_RELU6 2
#define CONVEY_ACT_LEAKY_RELU 3
#define CONVEY_ACT_HARD_SIGMOID 4
#define CONVEY_ACT_HARD_SILU 5
#define CONVEY_ACT_SOFTSIGN 6
#define CONVEY_ACT_SIGMOID 7
#define CONVEY_ACT_SILU 8
#define CONVEY_ACT_ELU 9
#define CONVEY_ACT_SELU 10
#define CONVEY_ACT_EXPONENTIAL 11
#define CONVEY_ACT_TANH 12

#define CV_MAGIC 6755399441055744.0                           /* 1.5 * 2^52: a + CV_MAGIC rounds a to an integer k */
#define CV_POW2_BIAS ((long long) (1023 - 0x4338000000000000ULL))   /* bits(k + CV_MAGIC) + this = k + 1023 */
#define CV_SELU_SCALE 1.05070098                              /* ActivationFunction.SELU_SCALE, SELU_ALPHA */
#define CV_SELU_ALPHA 1.67326324

#define CV_INLINE static inline __attribute__((always_inline))

/* ------------------------------------------------------------------ AVX-512: 8 floats, 8 doubles in a zmm */

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#define CV_SUFFIX avx512
#define LANES 8
#define cv_d __m512d
#define cv_f __m256
#define cv_set(c) _mm512_set1_pd(c)
#define cv_add _mm512_add_pd
#define cv_sub _mm512_sub_pd
#define cv_mul _mm512_mul_pd
#define cv_div _mm512_div_pd
#define cv_fma _mm512_fmadd_pd
#define cv_lt(a, b) _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ)
#define cv_gt(a, b) _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ)
#define cv_sel(m, a, b) _mm512_mask_blend_pd(m, b, a)
#define cv_minus_abs(a) _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(a), _mm512_set1_epi64(INT64_MIN)))
#define cv_pow2(shifted) _mm512_castsi512_pd(_mm512_slli_epi64( \
        _mm512_add_epi64(_mm512_castpd_si512(shifted), _mm512_set1_epi64(CV_POW2_BIAS)), 52))
#define cv_widen _mm512_cvtps_pd
#define cv_narrow _mm512_cvtpd_ps
#define cv_fset(c) _mm256_set1_ps(c)
#define cv_fadd _mm256_add_ps
#define cv_fmul _mm256_mul_ps
#define cv_fdiv _mm256_div_ps
#define cv_flt(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define cv_fle(a, b) _mm256_cmp_ps(a, b, _CMP_LE_OQ)
#define cv_fgt(a, b) _mm256_cmp_ps(a, b, _CMP_GT_OQ)
#define cv_fsel(m, a, b) _mm256_blendv_ps(b, a, m)
#define cv_fneg(a) _mm256_xor_ps(a, _mm256_set1_ps(-0.0f))
#define cv_load _mm256_loadu_ps
#define cv_store _mm256_storeu_ps
#include "convey_epilogue_lanes.h"
#include "convey_epilogue_undef.h"
#pragma GCC pop_options

/* ------------------------------------------------------------------ AVX2 + FMA: 4 floats, 4 doubles in a ymm */

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define CV_SUFFIX avx2
#define LANES 4
#define cv_d __m256d
#define cv_f __m128
#define cv_set(c) _mm256_set1_pd(c)
#define cv_add _mm256_add_pd
#define cv_sub _mm256_sub_pd
#define cv_mul _mm256_mul_pd
#define cv_div _mm256_div_pd
#define cv_fma _mm256_fmadd_pd
#define cv_lt(a, b) _mm256_cmp_pd(a, b, _CMP_LT_OQ)
#define cv_gt(a, b) _mm256_cmp_pd(a, b, _CMP_GT_OQ)
#define cv_sel(m, a, b) _mm256_blendv_pd(b, a, m)
#define cv_minus_abs(a) _mm256_or_pd(a, _mm256_set1_pd(-0.0))
#define cv_pow2(shifted) _mm256_castsi256_pd(_mm256_slli_epi64( \
        _mm256_add_epi64(_mm256_castpd_si256(shifted), _mm256_set1_epi64x(CV_POW2_BIAS)), 52))
#define cv_widen _mm256_cvtps_pd
#define cv_narrow _mm256_cvtpd_ps
#define cv_fset(c) _mm_set1_ps(c)
#define cv_fadd _mm_add_ps
#define cv_fmul _mm_mul_ps
#define cv_fdiv _mm_div_ps
#define cv_flt(a, b) _mm_cmp_ps(a, b, _CMP_LT_OQ)
#define cv_fle(a, b) _mm_cmp_ps(a, b, _CMP_LE_OQ)
#define cv_fgt(a, b) _mm_cmp_ps(a, b, _CMP_GT_OQ)
#define cv_fsel(m, a, b) _mm_blendv_ps(b, a, m)
#define cv_fneg(a) _mm_xor_ps(a, _mm_set1_ps(-0.0f))
#define cv_load _mm_loadu_ps
#define cv_store _mm_storeu_ps
#include "convey_epilogue_lanes.h"
#include "convey_epilogue_undef.h"
#pragma GCC pop_options

/* ------------------------------------------------------------------ portable C: 1 float, scalar double */

CV_INLINE double cv_pow2_scalar(double shifted) {
    uint64_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits + (uint64_t) CV_POW2_BIAS) << 52;
    double p;
    memcpy(&p, &bits, sizeof p);
    return p;
}

#define CV_SUFFIX portable
#define LANES 1
#define cv_d double
#define cv_f float
#define cv_set(c) ((double) (c))
#define cv_add(a, b) ((a) + (b))
#define cv_sub(a, b) ((a) - (b))
#define cv_mul(a, b) ((a) * (b))
#define cv_div(a, b) ((a) / (b))
#define cv_fma(a, b, c) ((a) * (b) + (c))
#define cv_lt(a, b) ((a) < (b))
#define cv_gt(a, b) ((a) > (b))
#define cv_sel(m, a, b) ((m) ? (a) : (b))
#define cv_minus_abs(a) (-fabs(a))
#define cv_pow2 cv_pow2_scalar
#define cv_widen(v) ((double) (v))
#define cv_narrow(v) ((float) (v))
#define cv_fset(c) ((float) (c))
#define cv_fadd(a, b) ((a) + (b))
#define cv_fmul(a, b) ((a) * (b))
#define cv_fdiv(a, b) ((a) / (b))
#define cv_flt(a, b) ((a) < (b))
#define cv_fle(a, b) ((a) <= (b))
#define cv_fgt(a, b) ((a) > (b))
#define cv_fsel(m, a, b) ((m) ? (a) : (b))
#define cv_fneg(a) (-(a))
#define cv_load(p) (*(p))
#define cv_store(p, v) (*(p) = (v))
#include "convey_epilogue_lanes.h"
#include "convey_epilogue_undef.h"

/*
 * The epilogue with kernel set isa (0 portable, 1 AVX2, 2 AVX-512: convey_gemm.h's codes), unchecked: the caller
 * (NativeEpilogue) has checked every size and offset and that the CPU runs the set.
 */
static inline void convey_epilogue(int isa, int act, int rows, int cols, const float* x, long ldx, float* y,
                                   long ldy, const float* b, const float* s, const float* t, const float* r,
                                   long ldr) {
    if (isa == 2) {
        convey_epilogue_avx512(act, rows, cols, x, ldx, y, ldy, b, s, t, r, ldr);
    } else if (isa == 1) {
        convey_epilogue_avx2(act, rows, cols, x, ldx, y, ldy, b, s, t, r, ldr);
    } else {
        convey_epilogue_portable(act, rows, cols, x, ldx, y, ldy, b, s, t, r, ldr);
    }
}

#pragma GCC pop_options

#endif
