// AVX2 + FMA versions of VectorMath.swift's exp, tanh and sigmoid, chosen at run time.
//
// Swift cannot target AVX2 without compiler flags that SwiftPM refuses in packages (and that would
// break older CPUs), but a C function can carry its own target attribute. Each routine below
// checks the CPU once; on anything without AVX2/FMA it declines and Swift's SSE2 loop runs.

#include "vector_math.h"
#include <math.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

int synapse_vector_math_available(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}

// exp: x = k·ln2 + r, |r| ≤ ln2/2 (two-part ln2), degree-7 Taylor polynomial times 2^k, where k is
// rounded by adding 1.5·2^23, which leaves k in the low mantissa bits.
AVX2 static inline __m256 exp8(__m256 x) {
    const __m256 shift = _mm256_set1_ps(12582912.0f);
    __m256 c = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    __m256 shifted = _mm256_fmadd_ps(c, _mm256_set1_ps(1.4426950408889634f), shift);
    __m256 k = _mm256_sub_ps(shifted, shift);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), c);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.4286067653301870e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000 - 127));
    __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(bits, 23)));
    result = _mm256_blendv_ps(result, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_LT_OQ));
    result = _mm256_blendv_ps(result, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(x, _mm256_set1_ps(88.72f), _CMP_GT_OQ));
    return _mm256_blendv_ps(result, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));  // NaN stays NaN
}

// tanh: 1 - 2/(e^{2|x|} + 1) with the sign of x for |x| ≥ 0.625, else x·P(x²).
AVX2 static inline __m256 tanh8(__m256 x) {
    const __m256 signMask = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(signMask, x);
    __m256 e = exp8(_mm256_mul_ps(_mm256_min_ps(a, _mm256_set1_ps(20.0f)), _mm256_set1_ps(2.0f)));
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 large = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
    large = _mm256_or_ps(large, _mm256_and_ps(x, signMask));
    __m256 s = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-0.005697453394532204f);
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(0.020630232989788055f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-0.05373583734035492f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(0.13331365585327148f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-0.33333274722099304f));
    p = _mm256_fmadd_ps(p, s, one);
    __m256 small = _mm256_mul_ps(x, p);
    __m256 result = _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
    return _mm256_blendv_ps(result, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

AVX2 static inline __m256 sigmoid8(__m256 x) {
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 e = exp8(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
    return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

// The last count % 8 elements go through the same vector code on a padded copy, so every element
// is computed the same way.
#define DEFINE_MAP(name, f8)                                                        \
    AVX2 static void name##_avx2(const float *x, float *y, long count) {            \
        long i = 0;                                                                 \
        for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, f8(_mm256_loadu_ps(x + i))); \
        if (i < count) {                                                            \
            float in[8] = {0}, out[8];                                              \
            for (long j = i; j < count; ++j) in[j - i] = x[j];                      \
            _mm256_storeu_ps(out, f8(_mm256_loadu_ps(in)));                         \
            for (long j = i; j < count; ++j) y[j] = out[j - i];                     \
        }                                                                           \
    }                                                                               \
    int synapse_##name##_f32(const float *x, float *y, long count) {                \
        if (!synapse_vector_math_available()) return 0;                             \
        name##_avx2(x, y, count);                                                   \
        return 1;                                                                   \
    }

DEFINE_MAP(exp, exp8)
DEFINE_MAP(tanh, tanh8)
DEFINE_MAP(sigmoid, sigmoid8)

#else  // not x86-64: always decline

int synapse_vector_math_available(void) { return 0; }
int synapse_exp_f32(const float *x, float *y, long count) { (void)x; (void)y; (void)count; return 0; }
int synapse_tanh_f32(const float *x, float *y, long count) { (void)x; (void)y; (void)count; return 0; }
int synapse_sigmoid_f32(const float *x, float *y, long count) { (void)x; (void)y; (void)count; return 0; }

#endif
