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
 *     (relative error about 1e-15), rounded to float once: the double formula ActivationFunction.value rounded to
 *     float, to within 1 ulp (correctly rounded but for results within ~1e-15 of a rounding boundary).
 *
 *   e^a = 2^k (1 + p),  k = round(a / ln2),  r = a - k ln2 (ln2 = hi + lo, k hi exact: Cody and Waite), |r| <= ln2/2,
 *   p = e^r - 1 = r + r^2 (1/2! + r/3! + ... + r^9/11!)   (Taylor; the remainder r^12/12! < 7e-15 relative),
 *   e^a - 1 = 2^k p + (2^k - 1)                          (expm1: no cancellation for small a, k = 0),
 *   2^k built as the exponent field of a double, k in [-1022, 1023] (a is clamped to [-700, 700] first).
 *
 * Lanes: 8 floats at a time as GCC/Clang vector types (8 doubles, 64 bytes), the same source compiled three
 * times with target attributes: AVX-512 (one zmm of doubles), AVX2 (two ymm), and portable (no target: SSE2
 * on x86-64, four xmm); the ragged end of a row goes through an 8-float buffer. Which one runs is the caller's
 * choice (dev.convey.blas.NativeEpilogue, by the CPU's best set as convey_gemm_best_isa finds it).
 */
#ifndef CONVEY_EPILOGUE_H
#define CONVEY_EPILOGUE_H

#include <string.h>

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#pragma GCC diagnostic ignored "-Wpsabi"

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

typedef float cv_f8 __attribute__((vector_size(32)));
typedef int cv_i8 __attribute__((vector_size(32)));
typedef double cv_d8 __attribute__((vector_size(64)));
typedef long long cv_l8 __attribute__((vector_size(64)));

#define CV_INLINE static inline __attribute__((always_inline))
/* A vector of 8 equal doubles or floats. */
#define CV_D(c) ((cv_d8){} + (double) (c))
#define CV_F(c) ((cv_f8){} + (float) (c))

/* ------------------------------------------------------------------ double lanes: e^a */

/* a clamped to [lo, hi], NaN kept (a comparison with NaN is false). */
CV_INLINE cv_d8 cv_clamp(cv_d8 a, double lo, double hi) {
    a = a < lo ? CV_D(lo) : a;
    return a > hi ? CV_D(hi) : a;
}

/* e^a = two_k * (1 + *p) for a in [-700, 700] (see the header comment); NaN gives *p = NaN. */
CV_INLINE cv_d8 cv_exp_parts(cv_d8 a, cv_d8* p) {
    const double magic = 6755399441055744.0;                 /* 1.5 * 2^52: x + magic rounds x to an integer */
    const double ln2_hi = 6.93147180369123816490e-01;       /* fdlibm's split: 32 significant bits */
    const double ln2_lo = 1.90821492927058770002e-10;
    cv_d8 shifted = a * 1.44269504088896338700e+00 + magic;
    cv_d8 k = shifted - magic;
    cv_d8 r = (a - k * ln2_hi) - k * ln2_lo;
    cv_d8 q = CV_D(1.0 / 39916800);
    q = q * r + 1.0 / 3628800;
    q = q * r + 1.0 / 362880;
    q = q * r + 1.0 / 40320;
    q = q * r + 1.0 / 5040;
    q = q * r + 1.0 / 720;
    q = q * r + 1.0 / 120;
    q = q * r + 1.0 / 24;
    q = q * r + 1.0 / 6;
    q = q * r + 0.5;
    *p = r + r * r * q;
    cv_l8 bits;
    memcpy(&bits, &shifted, sizeof bits);
    cv_l8 exponent = (bits - 0x4338000000000000LL + 1023) << 52;   /* the low bits of shifted are k */
    cv_d8 twoK;
    memcpy(&twoK, &exponent, sizeof twoK);
    return twoK;
}

/* e^a, a clamped to [-700, 700] first (e^-700 and e^700 are 0 and infinity as floats). */
CV_INLINE cv_d8 cv_exp(cv_d8 a) {
    cv_d8 p;
    cv_d8 twoK = cv_exp_parts(cv_clamp(a, -700, 700), &p);
    return twoK + twoK * p;
}

/* e^a - 1, a clamped to [-700, 700] first. */
CV_INLINE cv_d8 cv_expm1(cv_d8 a) {
    cv_d8 p;
    cv_d8 twoK = cv_exp_parts(cv_clamp(a, -700, 700), &p);
    return twoK * p + (twoK - 1);
}

/*
 * sigmoid(x) = 1 / (1 + e^-x) = n / (1 + e) with e = e^-|x| (never overflows) and n = e for x < 0, else 1 (e / (1 + e)
 * keeps the digits of a tiny sigmoid(x)). e^-|x| for |x| > 700 is taken as 0, so that sigmoid(-inf) = 0 and
 * silu(-inf) = -inf * 0 = NaN, as the double formulas give.
 */
CV_INLINE cv_d8 cv_sigmoid(cv_d8 x) {
    cv_d8 a = x < 0 ? x : -x;
    cv_d8 e = cv_exp(a);
    e = a < -700 ? CV_D(0) : e;
    return (x < 0 ? e : CV_D(1)) / (1 + e);
}

/* tanh(x) = sign(x) * -(e^-2|x| - 1) / (2 + (e^-2|x| - 1)): expm1 keeps the digits of small |x|. */
CV_INLINE cv_d8 cv_tanh(cv_d8 x) {
    cv_d8 a = x < 0 ? x : -x;
    cv_d8 m = cv_expm1(2 * a);
    cv_d8 t = -m / (2 + m);
    return x < 0 ? -t : x > 0 ? t : x;   /* tanh(+-0) = +-0, NaN stays NaN */
}

/* ------------------------------------------------------------------ one vector of 8 floats */

CV_INLINE cv_d8 cv_widen(cv_f8 v) {
    return __builtin_convertvector(v, cv_d8);
}

CV_INLINE cv_f8 cv_narrow(cv_d8 v) {
    return __builtin_convertvector(v, cv_f8);
}

/* max(v, 0) as Java's Math.max(v, 0f): NaN stays NaN, -0 gives +0. */
CV_INLINE cv_f8 cv_relu(cv_f8 v) {
    return v <= 0 ? CV_F(0) : v;
}

/* min(max(v, 0), 6) as Math.min(Math.max(v, 0f), 6f). */
CV_INLINE cv_f8 cv_relu6(cv_f8 v) {
    v = cv_relu(v);
    return v > 6.0f ? CV_F(6) : v;
}

/* f(v) for the activation code act (see the header comment for the references). */
CV_INLINE cv_f8 cv_activate(int act, cv_f8 v) {
    const double seluScale = 1.05070098;                     /* ActivationFunction.SELU_SCALE, SELU_ALPHA */
    const double seluAlpha = 1.67326324;
    cv_d8 x;
    switch (act) {
        case CONVEY_ACT_RELU:
            return cv_relu(v);
        case CONVEY_ACT_RELU6:
            return cv_relu6(v);
        case CONVEY_ACT_LEAKY_RELU:                          /* max(v, 0) + 0.2f min(v, 0) */
            return cv_relu(v) + (float) 0.2 * (v < 0 ? v : CV_F(0));
        case CONVEY_ACT_HARD_SIGMOID:                        /* relu6(v + 3) / 6 */
            return cv_relu6(v + 3.0f) / 6.0f;
        case CONVEY_ACT_HARD_SILU:                           /* v (relu6(v + 3) / 6) */
            return v * (cv_relu6(v + 3.0f) / 6.0f);
        case CONVEY_ACT_SOFTSIGN: {                          /* v / (|v| + 1) */
            return v / ((v < 0 ? -v : v) + 1.0f);
        }
        case CONVEY_ACT_SIGMOID:
            return cv_narrow(cv_sigmoid(cv_widen(v)));
        case CONVEY_ACT_SILU:                                /* x sigmoid(x) */
            x = cv_widen(v);
            return cv_narrow(x * cv_sigmoid(x));
        case CONVEY_ACT_ELU:                                 /* x > 0 ? x : e^x - 1 */
            x = cv_widen(v);
            return cv_narrow(x > 0 ? x : cv_expm1(x > 0 ? CV_D(0) : x));
        case CONVEY_ACT_SELU:                                /* x > 0 ? S x : (S A) (e^x - 1) */
            x = cv_widen(v);
            return cv_narrow(x > 0 ? seluScale * x : (seluScale * seluAlpha) * cv_expm1(x > 0 ? CV_D(0) : x));
        case CONVEY_ACT_EXPONENTIAL:
            return cv_narrow(cv_exp(cv_widen(v)));
        case CONVEY_ACT_TANH:
            return cv_narrow(cv_tanh(cv_widen(v)));
        default:
            return v;
    }
}

/* The epilogue of 8 floats from column j of a row: (x + b) s + t + r, then f. */
CV_INLINE cv_f8 cv_epilogue8(int act, const float* x, const float* b, const float* s, const float* t,
                             const float* r) {
    cv_f8 v, w;
    memcpy(&v, x, sizeof v);
    if (b) {
        memcpy(&w, b, sizeof w);
        v = v + w;
    }
    if (s) {
        memcpy(&w, s, sizeof w);
        v = v * w;
        memcpy(&w, t, sizeof w);
        v = v + w;
    }
    if (r) {
        memcpy(&w, r, sizeof w);
        v = v + w;
    }
    return cv_activate(act, v);
}

/* The whole epilogue (see the header comment), the kernel set being the caller's target. */
CV_INLINE void cv_epilogue(int act, int rows, int cols, const float* x, long ldx, float* y, long ldy,
                           const float* b, const float* s, const float* t, const float* r, long ldr) {
    for (int i = 0; i < rows; i++) {
        const float* xi = x + (long) i * ldx;
        float* yi = y + (long) i * ldy;
        const float* ri = r ? r + (long) i * ldr : 0;
        int j = 0;
        for (; j + 8 <= cols; j += 8) {
            cv_f8 v = cv_epilogue8(act, xi + j, b ? b + j : 0, s ? s + j : 0, t ? t + j : 0, ri ? ri + j : 0);
            memcpy(yi + j, &v, sizeof v);
        }
        if (j < cols) {   /* the ragged end: through zero-padded copies */
            int n = cols - j;
            float px[8] = {0}, pb[8] = {0}, ps[8] = {0}, pt[8] = {0}, pr[8] = {0};
            memcpy(px, xi + j, n * sizeof(float));
            if (b) memcpy(pb, b + j, n * sizeof(float));
            if (s) memcpy(ps, s + j, n * sizeof(float));
            if (s) memcpy(pt, t + j, n * sizeof(float));
            if (r) memcpy(pr, ri + j, n * sizeof(float));
            cv_f8 v = cv_epilogue8(act, px, b ? pb : 0, s ? ps : 0, s ? pt : 0, r ? pr : 0);
            memcpy(yi + j, &v, n * sizeof(float));
        }
    }
}

__attribute__((target("avx512f"))) static void convey_epilogue_avx512(int act, int rows, int cols, const float* x,
        long ldx, float* y, long ldy, const float* b, const float* s, const float* t, const float* r, long ldr) {
    cv_epilogue(act, rows, cols, x, ldx, y, ldy, b, s, t, r, ldr);
}

__attribute__((target("avx2"))) static void convey_epilogue_avx2(int act, int rows, int cols, const float* x,
        long ldx, float* y, long ldy, const float* b, const float* s, const float* t, const float* r, long ldr) {
    cv_epilogue(act, rows, cols, x, ldx, y, ldy, b, s, t, r, ldr);
}

static void convey_epilogue_portable(int act, int rows, int cols, const float* x, long ldx, float* y, long ldy,
        const float* b, const float* s, const float* t, const float* r, long ldr) {
    cv_epilogue(act, rows, cols, x, ldx, y, ldy, b, s, t, r, ldr);
}

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
