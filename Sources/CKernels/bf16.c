// Matrix products with bfloat16 operands and float32 sums, for the encoder's four projections; see
// hg_kernels.h. The AVX-512 BF16 build multiplies 32 pairs of bfloat16 into 16 float32 sums with one
// `vdpbf16ps`, twice the work of a float32 fused multiply-add of the same width.

#include "hg_kernels.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Output columns per panel: three 16-float registers.
enum { PANEL = 48 };
// Rows of x per tile: 8 × 3 accumulators, 3 panel registers and one broadcast fit the 32 registers.
enum { TILE_ROWS = 8 };

uint16_t hg_bf16_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x0040u);  // NaN stays NaN
    // Round to nearest, ties to even: add 0x7fff plus the lowest kept bit, then truncate.
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

float hg_float_from_bf16(uint16_t value) {
    uint32_t bits = (uint32_t)value << 16;
    float result;
    memcpy(&result, &bits, sizeof result);
    return result;
}

long hg_bf16_pairs(long k) { return (k + 1) / 2; }

long hg_bf16_panels(long n) { return (n + PANEL - 1) / PANEL; }

long hg_bf16_packed_words(long n, long k) { return hg_bf16_panels(n) * PANEL * hg_bf16_pairs(k); }

void hg_bf16_pack(long n, long k, const float *w, long ldw, uint32_t *packed) {
    const long pairs = hg_bf16_pairs(k);
    for (long panel = 0; panel < hg_bf16_panels(n); panel++) {
        uint32_t *target = packed + panel * pairs * PANEL;
        for (long p = 0; p < pairs; p++) {
            for (long c = 0; c < PANEL; c++) {
                const long j = panel * PANEL + c;
                uint32_t low = 0, high = 0;
                if (j < n) {
                    low = hg_bf16_from_float(w[j * ldw + 2 * p]);
                    if (2 * p + 1 < k) high = hg_bf16_from_float(w[j * ldw + 2 * p + 1]);
                }
                target[p * PANEL + c] = low | (high << 16);
            }
        }
    }
}

void hg_bf16_convert_rows_portable(long m, long k, const float *x, long ldx, uint32_t *xb) {
    const long pairs = hg_bf16_pairs(k);
    for (long i = 0; i < m; i++) {
        for (long p = 0; p < pairs; p++) {
            uint32_t low = hg_bf16_from_float(x[i * ldx + 2 * p]);
            uint32_t high = 2 * p + 1 < k ? hg_bf16_from_float(x[i * ldx + 2 * p + 1]) : 0;
            xb[i * pairs + p] = low | (high << 16);
        }
    }
}

void hg_gemm_bf16_accumulate_portable(long m, long n, long k, const uint32_t *xb, const uint32_t *packed, float *y,
                                      long ldy, long first_panel, long end_panel) {
    const long pairs = hg_bf16_pairs(k);
    for (long panel = first_panel; panel < end_panel; panel++) {
        const uint32_t *words = packed + panel * pairs * PANEL;
        for (long c = 0; c < PANEL && panel * PANEL + c < n; c++) {
            for (long i = 0; i < m; i++) {
                float sum = 0;
                for (long p = 0; p < pairs; p++) {
                    const uint32_t a = xb[i * pairs + p], b = words[p * PANEL + c];
                    sum += hg_float_from_bf16((uint16_t)a) * hg_float_from_bf16((uint16_t)b);
                    sum += hg_float_from_bf16((uint16_t)(a >> 16)) * hg_float_from_bf16((uint16_t)(b >> 16));
                }
                y[i * ldy + panel * PANEL + c] += sum;
            }
        }
    }
}

#if defined(__x86_64__)
#define HG_BF16 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512bf16")))

HG_BF16 static void convert_rows_bf16(long m, long k, const float *x, long ldx, uint32_t *xb) {
    const long pairs = hg_bf16_pairs(k);
    const long k32 = k / 32 * 32;
    for (long i = 0; i < m; i++) {
        const float *row = x + i * ldx;
        uint32_t *target = xb + i * pairs;
        for (long p = 0; p < k32; p += 32) {
            // The second operand fills the low half of the result.
            __m512bh halves = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + p + 16), _mm512_loadu_ps(row + p));
            _mm512_storeu_si512((void *)(target + p / 2), (__m512i)halves);
        }
        if (k32 < k) hg_bf16_convert_rows_portable(1, k - k32, row + k32, ldx, target + k32 / 2);
    }
}

// One tile: `rows` (a constant once inlined) rows of x against one panel, over every pair of k, added to y.
HG_BF16 static inline __attribute__((always_inline)) void bf16_tile(int rows, long pairs, const uint32_t *x,
                                                                    const uint32_t *panel, float *y, long ldy,
                                                                    __mmask16 mask0, __mmask16 mask1,
                                                                    __mmask16 mask2) {
    __m512 sums[TILE_ROWS][3];
    for (int r = 0; r < rows; r++) sums[r][0] = sums[r][1] = sums[r][2] = _mm512_setzero_ps();
    for (long p = 0; p < pairs; p++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void *)(panel + p * PANEL));
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void *)(panel + p * PANEL + 16));
        const __m512bh b2 = (__m512bh)_mm512_loadu_si512((const void *)(panel + p * PANEL + 32));
        for (int r = 0; r < rows; r++) {
            const __m512bh a = (__m512bh)_mm512_set1_epi32((int)x[r * pairs + p]);
            sums[r][0] = _mm512_dpbf16_ps(sums[r][0], a, b0);
            sums[r][1] = _mm512_dpbf16_ps(sums[r][1], a, b1);
            sums[r][2] = _mm512_dpbf16_ps(sums[r][2], a, b2);
        }
    }
    for (int r = 0; r < rows; r++) {
        float *target = y + r * ldy;
        _mm512_mask_storeu_ps(target, mask0, _mm512_add_ps(_mm512_maskz_loadu_ps(mask0, target), sums[r][0]));
        _mm512_mask_storeu_ps(target + 16, mask1,
                              _mm512_add_ps(_mm512_maskz_loadu_ps(mask1, target + 16), sums[r][1]));
        _mm512_mask_storeu_ps(target + 32, mask2,
                              _mm512_add_ps(_mm512_maskz_loadu_ps(mask2, target + 32), sums[r][2]));
    }
}

static __mmask16 column_mask(long available) {
    if (available >= 16) return 0xffff;
    if (available <= 0) return 0;
    return (__mmask16)((1u << available) - 1);
}

// Rows in blocks that stay in L2 (about 192 KB of bfloat16 x), panels inside a block, tiles of 8 rows
// inside a panel: each panel (k × 48 × 2 bytes) is read from L2 once per block of rows.
HG_BF16 static void gemm_bf16(long m, long n, long k, const uint32_t *xb, const uint32_t *packed, float *y,
                              long ldy, long first_panel, long end_panel) {
    const long pairs = hg_bf16_pairs(k);
    long block = 49152 / pairs / TILE_ROWS * TILE_ROWS;
    if (block < TILE_ROWS) block = TILE_ROWS;
    for (long i0 = 0; i0 < m; i0 += block) {
        const long i1 = i0 + block < m ? i0 + block : m;
        for (long panel = first_panel; panel < end_panel; panel++) {
            const long j = panel * PANEL;
            const __mmask16 mask0 = column_mask(n - j), mask1 = column_mask(n - j - 16),
                            mask2 = column_mask(n - j - 32);
            const uint32_t *words = packed + panel * pairs * PANEL;
            for (long i = i0; i < i1; i += TILE_ROWS) {
                const uint32_t *x = xb + i * pairs;
                float *target = y + i * ldy + j;
                switch (i1 - i >= TILE_ROWS ? TILE_ROWS : i1 - i) {
                case 8: bf16_tile(8, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                case 7: bf16_tile(7, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                case 6: bf16_tile(6, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                case 5: bf16_tile(5, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                case 4: bf16_tile(4, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                case 3: bf16_tile(3, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                case 2: bf16_tile(2, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                default: bf16_tile(1, pairs, x, words, target, ldy, mask0, mask1, mask2); break;
                }
            }
        }
    }
}
#endif

static atomic_int bf16_state = -1;

int hg_bf16_supported(void) {
    int state = atomic_load_explicit(&bf16_state, memory_order_relaxed);
    if (state < 0) {
#if defined(__x86_64__)
        state = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16")
                    ? 1
                    : 0;
#else
        state = 0;
#endif
        atomic_store_explicit(&bf16_state, state, memory_order_relaxed);
    }
    return state;
}

void hg_bf16_convert_rows(long m, long k, const float *x, long ldx, uint32_t *xb) {
#if defined(__x86_64__)
    if (hg_bf16_supported()) {
        convert_rows_bf16(m, k, x, ldx, xb);
        return;
    }
#endif
    hg_bf16_convert_rows_portable(m, k, x, ldx, xb);
}

void hg_gemm_bf16_accumulate(long m, long n, long k, const uint32_t *xb, const uint32_t *packed, float *y, long ldy,
                             long first_panel, long end_panel) {
#if defined(__x86_64__)
    if (hg_bf16_supported()) {
        gemm_bf16(m, n, k, xb, packed, y, ldy, first_panel, end_panel);
        return;
    }
#endif
    hg_gemm_bf16_accumulate_portable(m, n, k, xb, packed, y, ldy, first_panel, end_panel);
}
