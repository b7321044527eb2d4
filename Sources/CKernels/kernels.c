// Element-wise kernels for the encoder and the vector scans; see hg_kernels.h.
//
// The portable bodies use libm's expf and erff and serve as the reference. The AVX2 bodies use:
// - exp: Cody–Waite range reduction x = n·ln 2 + r with |r| ≤ ½ ln 2, then the degree-7 Taylor
//   polynomial of e^r (truncation error below 6e-9 relative) and 2^n built in the exponent bits;
// - erf: Abramowitz & Stegun 7.1.26, erf(z) = 1 − (a₁t + … + a₅t⁵)·e^(−z²) with t = 1/(1 + p·z),
//   absolute error at most 1.5e-7 (the handbook's bound), odd in z.

#include "hg_kernels.h"

#include <math.h>
#include <stdatomic.h>

// MARK: - Portable bodies

void hg_softmax_rows_portable(float *matrix, long rows, long width) {
    for (long row = 0; row < rows; row++) {
        float *values = matrix + row * width;
        float maximum = -INFINITY;
        for (long j = 0; j < width; j++) maximum = fmaxf(maximum, values[j]);
        float sum = 0;
        for (long j = 0; j < width; j++) {
            values[j] = expf(values[j] - maximum);
            sum += values[j];
        }
        float inverse = 1.0f / sum;
        for (long j = 0; j < width; j++) values[j] *= inverse;
    }
}

void hg_gelu_portable(float *values, long count) {
    const float inverse_root_two = 0.70710678118654752f;
    for (long i = 0; i < count; i++) {
        float x = values[i];
        values[i] = 0.5f * x * (1.0f + erff(x * inverse_root_two));
    }
}

void hg_layer_norm_portable(float *matrix, long rows, long width, const float *weight, const float *bias,
                            float epsilon) {
    for (long row = 0; row < rows; row++) {
        float *values = matrix + row * width;
        float sum = 0;
        for (long j = 0; j < width; j++) sum += values[j];
        float mean = sum / (float)width;
        float squares = 0;
        for (long j = 0; j < width; j++) {
            float centered = values[j] - mean;
            squares += centered * centered;
        }
        float inverse = 1.0f / sqrtf(squares / (float)width + epsilon);
        for (long j = 0; j < width; j++) values[j] = (values[j] - mean) * inverse * weight[j] + bias[j];
    }
}

void hg_u8_scores_portable(const uint8_t *codes, long rows, long dimension, const float *weights,
                           float offset, float *scores) {
    for (long row = 0; row < rows; row++) {
        const uint8_t *code = codes + row * dimension;
        float sum = 0;
        for (long j = 0; j < dimension; j++) sum += weights[j] * (float)code[j];
        scores[row] = offset + sum;
    }
}

void hg_inner_products_portable(const float *matrix, long rows, long dimension, const float *query,
                                float *scores) {
    for (long row = 0; row < rows; row++) {
        const float *vector = matrix + row * dimension;
        float sum = 0;
        for (long j = 0; j < dimension; j++) sum += vector[j] * query[j];
        scores[row] = sum;
    }
}

void hg_gathered_inner_products_portable(const float *matrix, long dimension, const long *rows, long count,
                                         const float *query, float *scores) {
    for (long i = 0; i < count; i++) {
        hg_inner_products_portable(matrix + rows[i] * dimension, 1, dimension, query, scores + i);
    }
}

double hg_largest_norm_portable(const float *matrix, long rows, long dimension) {
    double largest = 0;
    for (long row = 0; row < rows; row++) {
        const float *vector = matrix + row * dimension;
        // Four sums in double: each square and sum is exact to 2⁻⁵³, far below the margin the callers add.
        double sums[4] = {0, 0, 0, 0};
        long j = 0;
        for (; j + 4 <= dimension; j += 4) {
            for (int lane = 0; lane < 4; lane++) sums[lane] += (double)vector[j + lane] * (double)vector[j + lane];
        }
        for (; j < dimension; j++) sums[0] += (double)vector[j] * (double)vector[j];
        const double norm = sqrt((sums[0] + sums[1]) + (sums[2] + sums[3]));
        if (isnan(norm)) return norm;  // no bound: callers then take the float32 path
        if (norm > largest) largest = norm;
    }
    return largest;
}

long hg_first_at_least_portable(const float *values, long count, float threshold) {
    long index = 0;
    while (index < count && !(values[index] >= threshold)) index++;
    return index;
}

long hg_count_at_least_portable(const float *values, long count, float threshold) {
    long found = 0;
    for (long index = 0; index < count; index++) found += values[index] >= threshold;
    return found;
}

void hg_value_range_portable(const float *values, long count, float *low, float *high) {
    float least = INFINITY, most = -INFINITY;
    for (long index = 0; index < count; index++) {
        if (values[index] < least) least = values[index];
        if (values[index] > most) most = values[index];
    }
    *low = least;
    *high = most;
}

void hg_gemm_nt_accumulate_portable(long m, long n, long k, const float *x, long ldx, const float *w, long ldw,
                                    float *y, long ldy) {
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            float sum = 0;
            for (long p = 0; p < k; p++) sum += x[i * ldx + p] * w[j * ldw + p];
            y[i * ldy + j] += sum;
        }
    }
}

// MARK: - AVX2 + FMA bodies

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define HG_HAVE_AVX2_BUILD 1
#define HG_AVX2 __attribute__((target("avx2,fma")))

HG_AVX2 static inline float horizontal_sum(__m256 v) {
    __m128 low = _mm256_castps256_ps128(v);
    __m128 high = _mm256_extractf128_ps(v, 1);
    low = _mm_add_ps(low, high);
    low = _mm_add_ps(low, _mm_movehl_ps(low, low));
    low = _mm_add_ss(low, _mm_shuffle_ps(low, low, 0x55));
    return _mm_cvtss_f32(low);
}

HG_AVX2 static inline float horizontal_max(__m256 v) {
    __m128 low = _mm256_castps256_ps128(v);
    __m128 high = _mm256_extractf128_ps(v, 1);
    low = _mm_max_ps(low, high);
    low = _mm_max_ps(low, _mm_movehl_ps(low, low));
    low = _mm_max_ss(low, _mm_shuffle_ps(low, low, 0x55));
    return _mm_cvtss_f32(low);
}

// e^x for x in float's range; inputs below −87.3 give the smallest normal's neighbourhood (≈ 0).
HG_AVX2 static inline __m256 exp256(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.3f));
    x = _mm256_min_ps(x, _mm256_set1_ps(88.0f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
}

HG_AVX2 static void softmax_rows_avx2(float *matrix, long rows, long width) {
    for (long row = 0; row < rows; row++) {
        float *values = matrix + row * width;
        long j = 0;
        __m256 maxima = _mm256_set1_ps(-INFINITY);
        for (; j + 8 <= width; j += 8) maxima = _mm256_max_ps(maxima, _mm256_loadu_ps(values + j));
        float maximum = horizontal_max(maxima);
        for (; j < width; j++) maximum = fmaxf(maximum, values[j]);
        __m256 shift = _mm256_set1_ps(maximum);
        __m256 sums = _mm256_setzero_ps();
        for (j = 0; j + 8 <= width; j += 8) {
            __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(values + j), shift));
            _mm256_storeu_ps(values + j, e);
            sums = _mm256_add_ps(sums, e);
        }
        float sum = horizontal_sum(sums);
        for (; j < width; j++) {
            values[j] = expf(values[j] - maximum);
            sum += values[j];
        }
        __m256 inverse = _mm256_set1_ps(1.0f / sum);
        for (j = 0; j + 8 <= width; j += 8) _mm256_storeu_ps(values + j, _mm256_mul_ps(_mm256_loadu_ps(values + j), inverse));
        for (; j < width; j++) values[j] *= 1.0f / sum;
    }
}

HG_AVX2 static void gelu_avx2(float *values, long count) {
    const __m256 sign_bit = _mm256_set1_ps(-0.0f);
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 half = _mm256_set1_ps(0.5f);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 x = _mm256_loadu_ps(values + i);
        __m256 z = _mm256_mul_ps(_mm256_andnot_ps(sign_bit, x), _mm256_set1_ps(0.70710678118654752f));
        __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(0.3275911f), z, one));
        __m256 p = _mm256_set1_ps(1.061405429f);
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-1.453152027f));
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
        p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
        p = _mm256_mul_ps(p, t);
        __m256 e = exp256(_mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), z), z));
        __m256 erf_abs = _mm256_fnmadd_ps(p, e, one);
        __m256 erf = _mm256_or_ps(erf_abs, _mm256_and_ps(sign_bit, x));
        _mm256_storeu_ps(values + i, _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, erf)));
    }
    hg_gelu_portable(values + i, count - i);
}

HG_AVX2 static void layer_norm_avx2(float *matrix, long rows, long width, const float *weight,
                                    const float *bias, float epsilon) {
    for (long row = 0; row < rows; row++) {
        float *values = matrix + row * width;
        __m256 sums = _mm256_setzero_ps();
        long j = 0;
        for (; j + 8 <= width; j += 8) sums = _mm256_add_ps(sums, _mm256_loadu_ps(values + j));
        float sum = horizontal_sum(sums);
        for (; j < width; j++) sum += values[j];
        float mean = sum / (float)width;
        __m256 means = _mm256_set1_ps(mean);
        __m256 squares = _mm256_setzero_ps();
        for (j = 0; j + 8 <= width; j += 8) {
            __m256 centered = _mm256_sub_ps(_mm256_loadu_ps(values + j), means);
            squares = _mm256_fmadd_ps(centered, centered, squares);
        }
        float square_sum = horizontal_sum(squares);
        for (; j < width; j++) square_sum += (values[j] - mean) * (values[j] - mean);
        float inverse = 1.0f / sqrtf(square_sum / (float)width + epsilon);
        __m256 inverses = _mm256_set1_ps(inverse);
        for (j = 0; j + 8 <= width; j += 8) {
            __m256 normalized = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(values + j), means), inverses);
            _mm256_storeu_ps(values + j, _mm256_fmadd_ps(normalized, _mm256_loadu_ps(weight + j),
                                                         _mm256_loadu_ps(bias + j)));
        }
        for (; j < width; j++) values[j] = (values[j] - mean) * inverse * weight[j] + bias[j];
    }
}

// One row at a time, four accumulators of 8 over 32 numbers per turn: each row is read front to back
// and the rows follow each other, a single forward stream. Interleaving four rows (four streams 1.5 KB
// apart, the shape of a matrix-vector kernel) measured 14 GB/s where this reads 29 GB/s from memory.
HG_AVX2 static void inner_products_avx2(const float *matrix, long rows, long dimension, const float *query,
                                        float *scores) {
    for (long row = 0; row < rows; row++) {
        const float *vector = matrix + row * dimension;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        long j = 0;
        for (; j + 32 <= dimension; j += 32) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(vector + j), _mm256_loadu_ps(query + j), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(vector + j + 8), _mm256_loadu_ps(query + j + 8), a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(vector + j + 16), _mm256_loadu_ps(query + j + 16), a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(vector + j + 24), _mm256_loadu_ps(query + j + 24), a3);
        }
        for (; j + 8 <= dimension; j += 8) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(vector + j), _mm256_loadu_ps(query + j), a0);
        }
        float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (; j < dimension; j++) sum += vector[j] * query[j];
        scores[row] = sum;
    }
}

HG_AVX2 static void gathered_inner_products_avx2(const float *matrix, long dimension, const long *rows,
                                                long count, const float *query, float *scores) {
    enum { ahead = 24 };
    const long bytes = dimension * (long)sizeof(float);
    for (long i = 0; i < count + ahead; i++) {
        if (i < count) {
            const char *line = (const char *)(matrix + rows[i] * dimension);
            for (long offset = 0; offset < bytes; offset += 64) _mm_prefetch(line + offset, _MM_HINT_T1);
        }
        if (i >= ahead) {
            inner_products_avx2(matrix + rows[i - ahead] * dimension, 1, dimension, query, scores + i - ahead);
        }
    }
}

// 32 comparisons per turn, their masks OR'ed so that a turn without a candidate costs one branch; a
// turn with one finds its first lane from the four masks (a scalar walk to it cost a heap offer of
// 5,000 values more time than its pushes).
HG_AVX2 static long first_at_least_avx2(const float *values, long count, float threshold) {
    const __m256 bar = _mm256_set1_ps(threshold);
    long index = 0;
    for (; index + 32 <= count; index += 32) {
        __m256 c0 = _mm256_cmp_ps(_mm256_loadu_ps(values + index), bar, _CMP_GE_OQ);
        __m256 c1 = _mm256_cmp_ps(_mm256_loadu_ps(values + index + 8), bar, _CMP_GE_OQ);
        __m256 c2 = _mm256_cmp_ps(_mm256_loadu_ps(values + index + 16), bar, _CMP_GE_OQ);
        __m256 c3 = _mm256_cmp_ps(_mm256_loadu_ps(values + index + 24), bar, _CMP_GE_OQ);
        if (_mm256_movemask_ps(_mm256_or_ps(_mm256_or_ps(c0, c1), _mm256_or_ps(c2, c3))) != 0) {
            const unsigned lanes = (unsigned)_mm256_movemask_ps(c0) | (unsigned)_mm256_movemask_ps(c1) << 8 |
                                   (unsigned)_mm256_movemask_ps(c2) << 16 | (unsigned)_mm256_movemask_ps(c3) << 24;
            return index + __builtin_ctz(lanes);
        }
    }
    for (; index + 8 <= count; index += 8) {
        const unsigned lanes = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(values + index), bar, _CMP_GE_OQ));
        if (lanes != 0) return index + __builtin_ctz(lanes);
    }
    while (index < count && !(values[index] >= threshold)) index++;
    return index;
}

HG_AVX2 static long count_at_least_avx2(const float *values, long count, float threshold) {
    const __m256 bar = _mm256_set1_ps(threshold);
    long found = 0, index = 0;
    for (; index + 32 <= count; index += 32) {
        const unsigned m0 = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(values + index), bar, _CMP_GE_OQ));
        const unsigned m1 =
            (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(values + index + 8), bar, _CMP_GE_OQ));
        const unsigned m2 =
            (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(values + index + 16), bar, _CMP_GE_OQ));
        const unsigned m3 =
            (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(values + index + 24), bar, _CMP_GE_OQ));
        found += __builtin_popcount(m0 | m1 << 8 | m2 << 16 | m3 << 24);
    }
    return found + hg_count_at_least_portable(values + index, count - index, threshold);
}

HG_AVX2 static void value_range_avx2(const float *values, long count, float *low, float *high) {
    // `_mm256_min_ps(a, b)` returns b when either is NaN: with the running bounds second, a NaN
    // value leaves them as they were.
    __m256 least = _mm256_set1_ps(INFINITY), most = _mm256_set1_ps(-INFINITY);
    long index = 0;
    for (; index + 8 <= count; index += 8) {
        const __m256 v = _mm256_loadu_ps(values + index);
        least = _mm256_min_ps(v, least);
        most = _mm256_max_ps(v, most);
    }
    float lows[8], highs[8];
    _mm256_storeu_ps(lows, least);
    _mm256_storeu_ps(highs, most);
    float tail_low, tail_high;
    hg_value_range_portable(values + index, count - index, &tail_low, &tail_high);
    for (int lane = 0; lane < 8; lane++) {
        if (lows[lane] < tail_low) tail_low = lows[lane];
        if (highs[lane] > tail_high) tail_high = highs[lane];
    }
    *low = tail_low;
    *high = tail_high;
}

// The weights are rounded once per query (hg_u8_prepare) to integers in −64…64, and each row is summed
// exactly in integers: `vpmaddubsw` multiplies 32 codes by their weights and adds neighbours into 16
// bits (at most 2 · 255 · 64 = 32,640, so it never saturates), `vpmaddwd` by ones widens the pairs to
// 32 bits: two instructions per 32 codes, where widening the codes to 16 bits first took four and made
// the scan 1.45× slower. The rounding changes a score by at most ½ · (max |weight| / 64) · Σ codes; spread over
// the dimensions it is a noise a few times that of the codes' own quantization, which the float32
// rescoring of the candidates removes (recall@10 stays 1.000 on the benchmark's vectors).
enum { u8_most = 4096, u8_limit = 64 };

// The weights as integers in −64…64, and the step that turns an integer sum back into a score.
HG_AVX2 static float u8_integer_weights(const float *weights, long dimension, int8_t *integers) {
    float largest = 0;
    for (long j = 0; j < dimension; j++) largest = fmaxf(largest, fabsf(weights[j]));
    // All-zero weights give all-zero integers and every score `offset`.
    const float inverse = largest > 0 ? (float)u8_limit / largest : 0;
    // Rounded to nearest, ties to even, as `lrintf` does, eight at a time (a call of `lrintf` per
    // weight took about 2 µs of a 10k-row query).
    const __m256 scale = _mm256_set1_ps(inverse);
    long j = 0;
    for (; j + 8 <= dimension; j += 8) {
        int32_t rounded[8];
        _mm256_storeu_si256((__m256i *)rounded, _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(weights + j), scale)));
        for (int lane = 0; lane < 8; lane++) integers[j + lane] = (int8_t)rounded[lane];
    }
    for (; j < dimension; j++) integers[j] = (int8_t)lrintf(weights[j] * inverse);
    return largest / (float)u8_limit;
}

HG_AVX2 static inline long u8_horizontal_sum(__m256i sums) {
    __m128i half = _mm_add_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0x4e));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0xb1));
    return _mm_cvtsi128_si32(half);
}

HG_AVX2 static void u8_rows_avx2(const uint8_t *codes, long rows, long dimension, const int8_t *integers,
                                 float step, float offset, float *scores) {
    const __m256i ones = _mm256_set1_epi16(1);
    for (long row = 0; row < rows; row++) {
        const uint8_t *code = codes + row * dimension;
        __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
        long j = 0;
        for (; j + 64 <= dimension; j += 64) {
            __m256i p0 = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(code + j)),
                                              _mm256_loadu_si256((const __m256i *)(integers + j)));
            __m256i p1 = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(code + j + 32)),
                                              _mm256_loadu_si256((const __m256i *)(integers + j + 32)));
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(p0, ones));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(p1, ones));
        }
        for (; j + 32 <= dimension; j += 32) {
            __m256i p0 = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(code + j)),
                                              _mm256_loadu_si256((const __m256i *)(integers + j)));
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(p0, ones));
        }
        long sum = u8_horizontal_sum(_mm256_add_epi32(a0, a1));
        for (; j < dimension; j++) sum += (long)integers[j] * code[j];
        scores[row] = offset + step * (float)sum;
    }
}

// The same integer sums with AVX-512 VNNI's `vpdpbusd` on 256-bit registers: 32 codes times their
// weights, summed by fours straight into 32 bits, one instruction where AVX2 needs two. Same weights,
// same exact integer sums, so the same scores as the AVX2 build.
#define HG_VNNI __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))
HG_VNNI static void u8_rows_vnni(const uint8_t *codes, long rows, long dimension, const int8_t *integers,
                                 float step, float offset, float *scores) {
    for (long row = 0; row < rows; row++) {
        const uint8_t *code = codes + row * dimension;
        __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
        long j = 0;
        for (; j + 64 <= dimension; j += 64) {
            a0 = _mm256_dpbusd_epi32(a0, _mm256_loadu_si256((const __m256i *)(code + j)),
                                     _mm256_loadu_si256((const __m256i *)(integers + j)));
            a1 = _mm256_dpbusd_epi32(a1, _mm256_loadu_si256((const __m256i *)(code + j + 32)),
                                     _mm256_loadu_si256((const __m256i *)(integers + j + 32)));
        }
        for (; j + 32 <= dimension; j += 32) {
            a0 = _mm256_dpbusd_epi32(a0, _mm256_loadu_si256((const __m256i *)(code + j)),
                                     _mm256_loadu_si256((const __m256i *)(integers + j)));
        }
        long sum = u8_horizontal_sum(_mm256_add_epi32(a0, a1));
        for (; j < dimension; j++) sum += (long)integers[j] * code[j];
        scores[row] = offset + step * (float)sum;
    }
}

// Four rows at a time with 512-bit `vpdpbusd`: each 64 weights are loaded once for the four rows, and
// one horizontal reduction serves them all. From the caches it is faster than a row at a time (a
// 1 MB block of 2,600 rows of 384: 3.9 against 4.8 ns a row on this machine; 4.1 against 4.5 at
// 2–4 MB), from memory slower even with the prefetch below (100k rows: 11.8 against 10.0 ns), so it
// runs only for a query that asks for it (`hg_u8_query.cached`). The integer sums are the same.
HG_VNNI static void u8_rows_vnni4(const uint8_t *codes, long rows, long dimension, const int8_t *integers,
                                  float step, float offset, float *scores) {
    enum { ahead = 3072 };
    long row = 0;
    for (; row + 4 <= rows; row += 4) {
        const uint8_t *c0 = codes + row * dimension, *c1 = c0 + dimension, *c2 = c1 + dimension,
                      *c3 = c2 + dimension;
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        long j = 0;
        for (; j + 64 <= dimension; j += 64) {
            // The four rows' share of the lines `ahead` bytes on (a prefetch never faults).
            const char *fetch = (const char *)c0 + ahead + 4 * j;
            _mm_prefetch(fetch, _MM_HINT_T0);
            _mm_prefetch(fetch + 64, _MM_HINT_T0);
            _mm_prefetch(fetch + 128, _MM_HINT_T0);
            _mm_prefetch(fetch + 192, _MM_HINT_T0);
            const __m512i weights = _mm512_loadu_si512(integers + j);
            a0 = _mm512_dpbusd_epi32(a0, _mm512_loadu_si512(c0 + j), weights);
            a1 = _mm512_dpbusd_epi32(a1, _mm512_loadu_si512(c1 + j), weights);
            a2 = _mm512_dpbusd_epi32(a2, _mm512_loadu_si512(c2 + j), weights);
            a3 = _mm512_dpbusd_epi32(a3, _mm512_loadu_si512(c3 + j), weights);
        }
        __m256i b0 = _mm256_add_epi32(_mm512_castsi512_si256(a0), _mm512_extracti64x4_epi64(a0, 1));
        __m256i b1 = _mm256_add_epi32(_mm512_castsi512_si256(a1), _mm512_extracti64x4_epi64(a1, 1));
        __m256i b2 = _mm256_add_epi32(_mm512_castsi512_si256(a2), _mm512_extracti64x4_epi64(a2, 1));
        __m256i b3 = _mm256_add_epi32(_mm512_castsi512_si256(a3), _mm512_extracti64x4_epi64(a3, 1));
        if (j + 32 <= dimension) {
            const __m256i weights = _mm256_loadu_si256((const __m256i *)(integers + j));
            b0 = _mm256_dpbusd_epi32(b0, _mm256_loadu_si256((const __m256i *)(c0 + j)), weights);
            b1 = _mm256_dpbusd_epi32(b1, _mm256_loadu_si256((const __m256i *)(c1 + j)), weights);
            b2 = _mm256_dpbusd_epi32(b2, _mm256_loadu_si256((const __m256i *)(c2 + j)), weights);
            b3 = _mm256_dpbusd_epi32(b3, _mm256_loadu_si256((const __m256i *)(c3 + j)), weights);
            j += 32;
        }
        // Lane r of the 128-bit result: row r's sum.
        const __m256i pairs = _mm256_hadd_epi32(_mm256_hadd_epi32(b0, b1), _mm256_hadd_epi32(b2, b3));
        int32_t sums[4];
        _mm_storeu_si128((__m128i *)sums,
                         _mm_add_epi32(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1)));
        for (; j < dimension; j++) {
            sums[0] += integers[j] * c0[j];
            sums[1] += integers[j] * c1[j];
            sums[2] += integers[j] * c2[j];
            sums[3] += integers[j] * c3[j];
        }
        // The same expression as the one-row kernel's, so the same rounding.
        for (int r = 0; r < 4; r++) scores[row + r] = offset + step * (float)sums[r];
    }
    if (row < rows) u8_rows_vnni(codes + row * dimension, rows - row, dimension, integers, step, offset, scores + row);
}

// Blocks of 4 rows of w by 3 rows of x: 12 accumulators, 7 loads per 12 fused multiply-adds. The loop
// over w is the outer one, so each row of w is read from memory once and the few rows of x stay in L1
// (the last pass takes two rows through the same code, its third row a copy of the second, or one row
// alone). Each pass over a block also prefetches its share of the next block, two lines every other
// turn from a point that depends on the pass (a prefetch never faults, so no bound is checked).
// Inlined with a constant depth and strides (the encoder's shapes, below), every address is a base
// plus a constant and no pointer lives on the stack: 80 instead of 50 GFLOP/s with w in L1.
HG_AVX2 static inline __attribute__((always_inline)) void gemm_nt_blocks(long m, long n, long k, const float *x,
                                                                         long ldx, const float *w, long ldw,
                                                                         float *y, long ldy) {
    const long k8 = k / 8 * 8;
    const long passes = (m + 2) / 3;
    const long lines = (4 * ldw * (long)sizeof(float)) / 64;
    long j = 0;
    for (; j + 4 <= n; j += 4) {
        const float *w0 = w + j * ldw;
        const char *next = (const char *)(w0 + 4 * ldw);
        long i = 0;
        for (; m - i >= 2; i += 3) {
            const long count = m - i >= 3 ? 3 : 2;
            const float *x0 = x + i * ldx;
            const long third = count == 3 ? 2 * ldx : ldx;
            const char *fetch = next + (lines * (i / 3) / passes) * 64;
            __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00,
                   a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            for (long p = 0; p < k8; p += 8) {
                if ((p & 15) == 0) {
                    _mm_prefetch(fetch, _MM_HINT_T0);
                    _mm_prefetch(fetch + 64, _MM_HINT_T0);
                    fetch += 128;
                }
                __m256 u0 = _mm256_loadu_ps(x0 + p), u1 = _mm256_loadu_ps(x0 + ldx + p),
                       u2 = _mm256_loadu_ps(x0 + third + p);
                __m256 v = _mm256_loadu_ps(w0 + p);
                a00 = _mm256_fmadd_ps(u0, v, a00);
                a10 = _mm256_fmadd_ps(u1, v, a10);
                a20 = _mm256_fmadd_ps(u2, v, a20);
                v = _mm256_loadu_ps(w0 + ldw + p);
                a01 = _mm256_fmadd_ps(u0, v, a01);
                a11 = _mm256_fmadd_ps(u1, v, a11);
                a21 = _mm256_fmadd_ps(u2, v, a21);
                v = _mm256_loadu_ps(w0 + 2 * ldw + p);
                a02 = _mm256_fmadd_ps(u0, v, a02);
                a12 = _mm256_fmadd_ps(u1, v, a12);
                a22 = _mm256_fmadd_ps(u2, v, a22);
                v = _mm256_loadu_ps(w0 + 3 * ldw + p);
                a03 = _mm256_fmadd_ps(u0, v, a03);
                a13 = _mm256_fmadd_ps(u1, v, a13);
                a23 = _mm256_fmadd_ps(u2, v, a23);
            }
            // Four horizontal sums at once: hadd pairs, then fold the 128-bit halves.
            __m256 h0 = _mm256_hadd_ps(_mm256_hadd_ps(a00, a01), _mm256_hadd_ps(a02, a03));
            __m256 h1 = _mm256_hadd_ps(_mm256_hadd_ps(a10, a11), _mm256_hadd_ps(a12, a13));
            __m256 h2 = _mm256_hadd_ps(_mm256_hadd_ps(a20, a21), _mm256_hadd_ps(a22, a23));
            float s[12];
            _mm_storeu_ps(s, _mm_add_ps(_mm256_castps256_ps128(h0), _mm256_extractf128_ps(h0, 1)));
            _mm_storeu_ps(s + 4, _mm_add_ps(_mm256_castps256_ps128(h1), _mm256_extractf128_ps(h1, 1)));
            _mm_storeu_ps(s + 8, _mm_add_ps(_mm256_castps256_ps128(h2), _mm256_extractf128_ps(h2, 1)));
            for (long p = k8; p < k; p++) {
                const float *rows[3] = {x0, x0 + ldx, x0 + third};
                for (int r = 0; r < 3; r++) {
                    for (int q = 0; q < 4; q++) s[4 * r + q] += rows[r][p] * w0[q * ldw + p];
                }
            }
            for (int r = 0; r < count; r++) {
                float *target = y + (i + r) * ldy + j;
                for (int q = 0; q < 4; q++) target[q] += s[4 * r + q];
            }
        }
        // One row left (m = 3q + 1): alone.
        for (; i < m; i++) {
            const float *x0 = x + i * ldx;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (long p = 0; p < k8; p += 8) {
                __m256 u0 = _mm256_loadu_ps(x0 + p);
                a0 = _mm256_fmadd_ps(u0, _mm256_loadu_ps(w0 + p), a0);
                a1 = _mm256_fmadd_ps(u0, _mm256_loadu_ps(w0 + ldw + p), a1);
                a2 = _mm256_fmadd_ps(u0, _mm256_loadu_ps(w0 + 2 * ldw + p), a2);
                a3 = _mm256_fmadd_ps(u0, _mm256_loadu_ps(w0 + 3 * ldw + p), a3);
            }
            __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
            float s[4];
            _mm_storeu_ps(s, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
            for (long p = k8; p < k; p++) {
                for (int q = 0; q < 4; q++) s[q] += x0[p] * w0[q * ldw + p];
            }
            float *target = y + i * ldy + j;
            for (int q = 0; q < 4; q++) target[q] += s[q];
        }
    }
    if (j < n) hg_gemm_nt_accumulate_portable(m, n - j, k, x, ldx, w + j * ldw, ldw, y + j, ldy);
}

HG_AVX2 static void gemm_nt_accumulate_avx2(long m, long n, long k, const float *x, long ldx, const float *w,
                                            long ldw, float *y, long ldy) {
    gemm_nt_blocks(m, n, k, x, ldx, w, ldw, y, ldy);
}

// The encoder's two depths, rows contiguous.
HG_AVX2 static void gemm_nt_k384(long m, long n, const float *x, const float *w, float *y, long ldy) {
    gemm_nt_blocks(m, n, 384, x, 384, w, 384, y, ldy);
}

HG_AVX2 static void gemm_nt_k1536(long m, long n, const float *x, const float *w, float *y, long ldy) {
    gemm_nt_blocks(m, n, 1536, x, 1536, w, 1536, y, ldy);
}

// The same squares summed in double, four per `vfmadd231pd` (16 floats widened per turn into four
// sums): a VectorMatrix computes this once when it is made, on every opening of a space. The scalar
// loop took 90 ns a row; this takes 26 ns at 5k rows of 384 and 48 at 1M, where memory bounds it.
HG_AVX2 static double largest_norm_avx2(const float *matrix, long rows, long dimension) {
    double largest = 0;
    for (long row = 0; row < rows; row++) {
        const float *vector = matrix + row * dimension;
        __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
        long j = 0;
        for (; j + 16 <= dimension; j += 16) {
            const __m256d a = _mm256_cvtps_pd(_mm_loadu_ps(vector + j));
            const __m256d b = _mm256_cvtps_pd(_mm_loadu_ps(vector + j + 4));
            const __m256d c = _mm256_cvtps_pd(_mm_loadu_ps(vector + j + 8));
            const __m256d d = _mm256_cvtps_pd(_mm_loadu_ps(vector + j + 12));
            s0 = _mm256_fmadd_pd(a, a, s0);
            s1 = _mm256_fmadd_pd(b, b, s1);
            s2 = _mm256_fmadd_pd(c, c, s2);
            s3 = _mm256_fmadd_pd(d, d, s3);
        }
        for (; j + 4 <= dimension; j += 4) {
            const __m256d a = _mm256_cvtps_pd(_mm_loadu_ps(vector + j));
            s0 = _mm256_fmadd_pd(a, a, s0);
        }
        double lanes[4];
        _mm256_storeu_pd(lanes, _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
        double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
        for (; j < dimension; j++) sum += (double)vector[j] * (double)vector[j];
        const double norm = sqrt(sum);
        if (isnan(norm)) return norm;
        if (norm > largest) largest = norm;
    }
    return largest;
}
#endif

// MARK: - Dispatch

static atomic_int vectorized_state = -1;

static atomic_int vnni_state = -1;

// 1 when the processor also has AVX-512 VNNI on 256-bit registers (the int8 scan's `vpdpbusd`).
static int kernels_vnni(void) {
    int state = atomic_load_explicit(&vnni_state, memory_order_relaxed);
    if (state < 0) {
#ifdef HG_HAVE_AVX2_BUILD
        __builtin_cpu_init();
        state = hg_kernels_vectorized() && __builtin_cpu_supports("avx512vnni") &&
                        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")
                    ? 1
                    : 0;
#else
        state = 0;
#endif
        atomic_store_explicit(&vnni_state, state, memory_order_relaxed);
    }
    return state;
}

int hg_kernels_vectorized(void) {
    int state = atomic_load_explicit(&vectorized_state, memory_order_relaxed);
    if (state < 0) {
#ifdef HG_HAVE_AVX2_BUILD
        __builtin_cpu_init();
        state = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#else
        state = 0;
#endif
        atomic_store_explicit(&vectorized_state, state, memory_order_relaxed);
    }
    return state;
}

void hg_softmax_rows(float *matrix, long rows, long width) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) {
        softmax_rows_avx2(matrix, rows, width);
        return;
    }
#endif
    hg_softmax_rows_portable(matrix, rows, width);
}

void hg_gelu(float *values, long count) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) {
        gelu_avx2(values, count);
        return;
    }
#endif
    hg_gelu_portable(values, count);
}

void hg_layer_norm(float *matrix, long rows, long width, const float *weight, const float *bias,
                   float epsilon) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) {
        layer_norm_avx2(matrix, rows, width, weight, bias, epsilon);
        return;
    }
#endif
    hg_layer_norm_portable(matrix, rows, width, weight, bias, epsilon);
}

void hg_u8_prepare(const float *weights, long dimension, hg_u8_query *query) {
    query->step = 0;
    query->integral = 0;
    query->cached = 0;
#ifdef HG_HAVE_AVX2_BUILD
    // Above 4,096 dimensions the portable body runs, on the float weights.
    if (hg_kernels_vectorized() && dimension <= u8_most) {
        query->step = u8_integer_weights(weights, dimension, query->integers);
        query->integral = 1;
    }
#endif
}

void hg_u8_scores_prepared(const uint8_t *codes, long rows, long dimension, const float *weights,
                           const hg_u8_query *query, float offset, float *scores) {
#ifdef HG_HAVE_AVX2_BUILD
    if (query->integral) {
        if (kernels_vnni()) {
            (query->cached ? u8_rows_vnni4 : u8_rows_vnni)(codes, rows, dimension, query->integers, query->step,
                                                           offset, scores);
        } else {
            u8_rows_avx2(codes, rows, dimension, query->integers, query->step, offset, scores);
        }
        return;
    }
#endif
    hg_u8_scores_portable(codes, rows, dimension, weights, offset, scores);
}

void hg_u8_scores(const uint8_t *codes, long rows, long dimension, const float *weights, float offset,
                  float *scores) {
    hg_u8_query query;
    hg_u8_prepare(weights, dimension, &query);
    hg_u8_scores_prepared(codes, rows, dimension, weights, &query, offset, scores);
}

void hg_inner_products(const float *matrix, long rows, long dimension, const float *query, float *scores) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) {
        inner_products_avx2(matrix, rows, dimension, query, scores);
        return;
    }
#endif
    hg_inner_products_portable(matrix, rows, dimension, query, scores);
}

void hg_gathered_inner_products(const float *matrix, long dimension, const long *rows, long count,
                                const float *query, float *scores) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) {
        gathered_inner_products_avx2(matrix, dimension, rows, count, query, scores);
        return;
    }
#endif
    hg_gathered_inner_products_portable(matrix, dimension, rows, count, query, scores);
}

long hg_first_at_least(const float *values, long count, float threshold) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) return first_at_least_avx2(values, count, threshold);
#endif
    return hg_first_at_least_portable(values, count, threshold);
}

double hg_largest_norm(const float *matrix, long rows, long dimension) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) return largest_norm_avx2(matrix, rows, dimension);
#endif
    return hg_largest_norm_portable(matrix, rows, dimension);
}

long hg_count_at_least(const float *values, long count, float threshold) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) return count_at_least_avx2(values, count, threshold);
#endif
    return hg_count_at_least_portable(values, count, threshold);
}

void hg_value_range(const float *values, long count, float *low, float *high) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) {
        value_range_avx2(values, count, low, high);
        return;
    }
#endif
    hg_value_range_portable(values, count, low, high);
}

void hg_gemm_nt_accumulate(long m, long n, long k, const float *x, long ldx, const float *w, long ldw, float *y,
                           long ldy) {
#ifdef HG_HAVE_AVX2_BUILD
    if (hg_kernels_vectorized()) {
        if (ldx == 384 && ldw == 384 && k == 384) {
            gemm_nt_k384(m, n, x, w, y, ldy);
        } else if (ldx == 1536 && ldw == 1536 && k == 1536) {
            gemm_nt_k1536(m, n, x, w, y, ldy);
        } else {
            gemm_nt_accumulate_avx2(m, n, k, x, ldx, w, ldw, y, ldy);
        }
        return;
    }
#endif
    hg_gemm_nt_accumulate_portable(m, n, k, x, ldx, w, ldw, y, ldy);
}
