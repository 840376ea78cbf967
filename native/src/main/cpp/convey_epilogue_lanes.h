/*
 * The epilogue's math, written once over "lanes" and compiled once per kernel set: convey_epilogue.h includes this
 * file three times, each time after defining the lane types and operations of one set (AVX-512: 8 doubles in a
 * zmm, 8 floats in a ymm; AVX2 + FMA: 4 doubles in a ymm, 4 floats in an xmm; portable C: 1 of each) and
 * CV_SUFFIX, the suffix of the functions' names. The math itself is described in convey_epilogue.h.
 *
 * Lane operations: cv_set (broadcast), cv_add, cv_sub, cv_mul, cv_div, cv_fma (a b + c, one rounding where the set
 * has FMA), cv_lt / cv_gt / cv_le (false for NaN) and cv_sel (m ? a : b), cv_minus_abs (-|a|, NaN kept) on doubles; cv_fset, cv_fadd, cv_fmul,
 * cv_fdiv, cv_flt, cv_fle, cv_fgt, cv_fsel, cv_fneg, cv_load, cv_store on floats; cv_widen, cv_narrow between them;
 * cv_pow2 (2^k from the low bits of k + 1.5 2^52).
 */

#define CV_CAT2(a, b) a##_##b
#define CV_CAT(a, b) CV_CAT2(a, b)
#define CV_(name) CV_CAT(name, CV_SUFFIX)

/* a clamped to [lo, hi], NaN kept. */
CV_INLINE cv_d CV_(clamp)(cv_d a, double lo, double hi) {
    a = cv_sel(cv_lt(a, cv_set(lo)), cv_set(lo), a);
    return cv_sel(cv_gt(a, cv_set(hi)), cv_set(hi), a);
}

/* e^a = 2^k (1 + *p) for a in [-700, 700] (convey_epilogue.h); NaN gives *p = NaN. */
CV_INLINE cv_d CV_(exp_parts)(cv_d a, cv_d* p) {
    cv_d shifted = cv_fma(a, cv_set(1.44269504088896338700e+00), cv_set(CV_MAGIC));
    cv_d k = cv_sub(shifted, cv_set(CV_MAGIC));
    cv_d r = cv_fma(k, cv_set(-6.93147180369123816490e-01), a);      /* fdlibm's ln2 hi (32 bits) and lo */
    r = cv_fma(k, cv_set(-1.90821492927058770002e-10), r);
    cv_d q = cv_set(1.0 / 40320);
    q = cv_fma(q, r, cv_set(1.0 / 5040));
    q = cv_fma(q, r, cv_set(1.0 / 720));
    q = cv_fma(q, r, cv_set(1.0 / 120));
    q = cv_fma(q, r, cv_set(1.0 / 24));
    q = cv_fma(q, r, cv_set(1.0 / 6));
    q = cv_fma(q, r, cv_set(0.5));
    *p = cv_fma(cv_mul(r, r), q, r);
    return cv_pow2(shifted);
}

/* e^a, a clamped to [-700, 700]. */
CV_INLINE cv_d CV_(exp)(cv_d a) {
    cv_d p;
    cv_d twoK = CV_(exp_parts)(CV_(clamp)(a, -700, 700), &p);
    return cv_fma(twoK, p, twoK);
}

/* e^a - 1 = 2^k p + (2^k - 1), a clamped to [-700, 700]. */
CV_INLINE cv_d CV_(expm1)(cv_d a) {
    cv_d p;
    cv_d twoK = CV_(exp_parts)(CV_(clamp)(a, -700, 700), &p);
    return cv_fma(twoK, p, cv_sub(twoK, cv_set(1)));
}

/*
 * sigmoid(x) = n / (1 + e), e = e^-|x| (0 below -700, so sigmoid(-inf) = 0; -|x| needs no upper clamp), n = e for
 * x < 0, else 1.
 */
CV_INLINE cv_d CV_(sigmoid)(cv_d x) {
    cv_d p;
    cv_d a = cv_minus_abs(x);
    cv_d twoK = CV_(exp_parts)(cv_sel(cv_lt(a, cv_set(-700)), cv_set(-700), a), &p);
    cv_d e = cv_sel(cv_lt(a, cv_set(-700)), cv_set(0), cv_fma(twoK, p, twoK));
    return cv_div(cv_sel(cv_lt(x, cv_set(0)), e, cv_set(1)), cv_add(cv_set(1), e));
}

/* tanh(x) = sign(x) t, t = -m / (2 + m), m = e^-2|x| - 1; +-0 and NaN stay as they are. */
CV_INLINE cv_d CV_(tanh)(cv_d x) {
    cv_d a = cv_minus_abs(x);
    cv_d m = CV_(expm1)(cv_add(a, a));
    cv_d t = cv_div(cv_sub(cv_set(0), m), cv_add(cv_set(2), m));
    return cv_sel(cv_lt(x, cv_set(0)), cv_sub(cv_set(0), t), cv_sel(cv_gt(x, cv_set(0)), t, x));
}

/* max(v, 0) as Math.max(v, 0f): NaN stays NaN, -0 gives +0. */
CV_INLINE cv_f CV_(relu)(cv_f v) {
    return cv_fsel(cv_fle(v, cv_fset(0)), cv_fset(0), v);
}

/* min(max(v, 0), 6) as Math.min(Math.max(v, 0f), 6f). */
CV_INLINE cv_f CV_(relu6)(cv_f v) {
    v = CV_(relu)(v);
    return cv_fsel(cv_fgt(v, cv_fset(6)), cv_fset(6), v);
}

/* f(v) for the activation code ACT (references in convey_epilogue.h), a constant: one loop per activation. */
template <int ACT>
CV_INLINE cv_f CV_(activate)(cv_f v) {
    cv_d x;
    switch (ACT) {
        case CONVEY_ACT_RELU:
            return CV_(relu)(v);
        case CONVEY_ACT_RELU6:
            return CV_(relu6)(v);
        case CONVEY_ACT_LEAKY_RELU:                          /* max(v, 0) + 0.2f min(v, 0) */
            return cv_fadd(CV_(relu)(v), cv_fmul(cv_fset(0.2f), cv_fsel(cv_flt(v, cv_fset(0)), v, cv_fset(0))));
        case CONVEY_ACT_HARD_SIGMOID:                        /* relu6(v + 3) / 6 */
            return cv_fdiv(CV_(relu6)(cv_fadd(v, cv_fset(3))), cv_fset(6));
        case CONVEY_ACT_HARD_SILU:                           /* v (relu6(v + 3) / 6) */
            return cv_fmul(v, cv_fdiv(CV_(relu6)(cv_fadd(v, cv_fset(3))), cv_fset(6)));
        case CONVEY_ACT_SOFTSIGN:                            /* v / (|v| + 1) */
            return cv_fdiv(v, cv_fadd(cv_fsel(cv_flt(v, cv_fset(0)), cv_fneg(v), v), cv_fset(1)));
        case CONVEY_ACT_SIGMOID:
            return cv_narrow(CV_(sigmoid)(cv_widen(v)));
        case CONVEY_ACT_SILU:                                /* x sigmoid(x) */
            x = cv_widen(v);
            return cv_narrow(cv_mul(x, CV_(sigmoid)(x)));
        case CONVEY_ACT_ELU:                                 /* x > 0 ? x : e^x - 1 */
            x = cv_widen(v);
            return cv_narrow(cv_sel(cv_gt(x, cv_set(0)), x, CV_(expm1)(cv_sel(cv_gt(x, cv_set(0)), cv_set(0), x))));
        case CONVEY_ACT_SELU:                                /* x > 0 ? S x : (S A) (e^x - 1) */
            x = cv_widen(v);
            return cv_narrow(cv_sel(cv_gt(x, cv_set(0)), cv_mul(cv_set(CV_SELU_SCALE), x),
                    cv_mul(cv_set(CV_SELU_SCALE * CV_SELU_ALPHA), CV_(expm1)(cv_sel(cv_gt(x, cv_set(0)), cv_set(0), x)))));
        case CONVEY_ACT_EXPONENTIAL:
            return cv_narrow(CV_(exp)(cv_widen(v)));
        case CONVEY_ACT_TANH:
            return cv_narrow(CV_(tanh)(cv_widen(v)));
        default:
            return v;
    }
}

/* The epilogue of LANES floats: ((x + b) s + t) + r, then f (each part NULL when absent). */
template <int ACT>
CV_INLINE cv_f CV_(lanes)(const float* x, const float* b, const float* s, const float* t, const float* r) {
    cv_f v = cv_load(x);
    if (b) {
        v = cv_fadd(v, cv_load(b));
    }
    if (s) {
        v = cv_fadd(cv_fmul(v, cv_load(s)), cv_load(t));
    }
    if (r) {
        v = cv_fadd(v, cv_load(r));
    }
    return CV_(activate)<ACT>(v);
}

/* The whole epilogue (convey_epilogue.h), LANES floats at a time, the ragged end of a row through copies. */
template <int ACT>
static void CV_(rows)(int rows, int cols, const float* x, long ldx, float* y, long ldy,
                                 const float* b, const float* s, const float* t, const float* r, long ldr) {
    for (int i = 0; i < rows; i++) {
        const float* xi = x + (long) i * ldx;
        float* yi = y + (long) i * ldy;
        const float* ri = r ? r + (long) i * ldr : 0;
        int j = 0;
        for (; j + 2 * LANES <= cols; j += 2 * LANES) {   /* two independent chains in flight */
            cv_f v0 = CV_(lanes)<ACT>(xi + j, b ? b + j : 0, s ? s + j : 0, t ? t + j : 0, ri ? ri + j : 0);
            cv_f v1 = CV_(lanes)<ACT>(xi + j + LANES, b ? b + j + LANES : 0, s ? s + j + LANES : 0,
                                      t ? t + j + LANES : 0, ri ? ri + j + LANES : 0);
            cv_store(yi + j, v0);
            cv_store(yi + j + LANES, v1);
        }
        for (; j + LANES <= cols; j += LANES) {
            cv_store(yi + j, CV_(lanes)<ACT>(xi + j, b ? b + j : 0, s ? s + j : 0, t ? t + j : 0, ri ? ri + j : 0));
        }
        if (j < cols) {
            int n = cols - j;
            float px[LANES] = {0}, pb[LANES] = {0}, ps[LANES] = {0}, pt[LANES] = {0}, pr[LANES] = {0}, py[LANES];
            memcpy(px, xi + j, n * sizeof(float));
            if (b) memcpy(pb, b + j, n * sizeof(float));
            if (s) memcpy(ps, s + j, n * sizeof(float));
            if (s) memcpy(pt, t + j, n * sizeof(float));
            if (r) memcpy(pr, ri + j, n * sizeof(float));
            cv_store(py, CV_(lanes)<ACT>(px, b ? pb : 0, s ? ps : 0, s ? pt : 0, r ? pr : 0));
            memcpy(yi + j, py, n * sizeof(float));
        }
    }
}

/* The whole epilogue with activation code act. */
static void CV_(convey_epilogue)(int act, int rows, int cols, const float* x, long ldx, float* y, long ldy,
                                 const float* b, const float* s, const float* t, const float* r, long ldr) {
    switch (act) {
#define CV_CASE(code) case code: CV_(rows)<code>(rows, cols, x, ldx, y, ldy, b, s, t, r, ldr); break;
        CV_CASE(CONVEY_ACT_RELU) CV_CASE(CONVEY_ACT_RELU6) CV_CASE(CONVEY_ACT_LEAKY_RELU) CV_CASE(CONVEY_ACT_HARD_SIGMOID)
        CV_CASE(CONVEY_ACT_HARD_SILU) CV_CASE(CONVEY_ACT_SOFTSIGN) CV_CASE(CONVEY_ACT_SIGMOID) CV_CASE(CONVEY_ACT_SILU)
        CV_CASE(CONVEY_ACT_ELU) CV_CASE(CONVEY_ACT_SELU) CV_CASE(CONVEY_ACT_EXPONENTIAL) CV_CASE(CONVEY_ACT_TANH)
#undef CV_CASE
        default: CV_(rows)<CONVEY_ACT_LINEAR>(rows, cols, x, ldx, y, ldy, b, s, t, r, ldr);
    }
}

#undef CV_
#undef CV_CAT
#undef CV_CAT2
