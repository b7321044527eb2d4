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

void hg_bf16_pack_portable(long n, long k, const float *w, long ldw, uint32_t *packed) {
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

// Transposes a 16 × 16 block of 32-bit words held in 16 registers: afterwards r[i] holds what was column i.
HG_BF16 static inline __attribute__((always_inline)) void transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 8; i++) {
        // Per 128-bit lane: a0 b0 a1 b1, and a2 b2 a3 b3.
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        // r[4i + e], lane L: element 4L + e of rows 4i … 4i + 3.
        r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int e = 0; e < 4; e++) {
        // A 4 × 4 transpose of 128-bit lanes across r[e], r[4 + e], r[8 + e], r[12 + e].
        const __m512i s0 = _mm512_shuffle_i32x4(r[e], r[4 + e], 0x44);
        const __m512i s1 = _mm512_shuffle_i32x4(r[e], r[4 + e], 0xee);
        const __m512i s2 = _mm512_shuffle_i32x4(r[8 + e], r[12 + e], 0x44);
        const __m512i s3 = _mm512_shuffle_i32x4(r[8 + e], r[12 + e], 0xee);
        t[e] = _mm512_shuffle_i32x4(s0, s2, 0x88);
        t[4 + e] = _mm512_shuffle_i32x4(s0, s2, 0xdd);
        t[8 + e] = _mm512_shuffle_i32x4(s1, s3, 0x88);
        t[12 + e] = _mm512_shuffle_i32x4(s1, s3, 0xdd);
    }
    for (int i = 0; i < 16; i++) r[i] = t[i];
}

// hg_bf16_pack 16 rows of w at a time: each row's 32 floats are rounded into 16 words with
// `vcvtne2ps2bf16`, and the 16 × 16 block of words is transposed so that every store is one pair's
// 16 columns. A batch search packs every tile of stored vectors it reads, so this has to cost little
// next to the product: for 2,016 rows of 384 (rows in cache, C harness) the portable packer, one word
// at a time, took 0.63 ms, more than 64 queries' product of them (0.43 ms); this takes 0.08.
HG_BF16 static void pack_bf16(long n, long k, const float *w, long ldw, uint32_t *packed) {
    const long pairs = hg_bf16_pairs(k);
    const long k32 = k / 32 * 32;
    for (long panel = 0; panel < hg_bf16_panels(n); panel++) {
        uint32_t *target = packed + panel * pairs * PANEL;
        for (long c0 = 0; c0 < PANEL; c0 += 16) {
            const long j0 = panel * PANEL + c0;
            for (long p0 = 0; p0 < k32; p0 += 32) {
                __m512i block[16];
                for (int r = 0; r < 16; r++) {
                    if (j0 + r < n) {
                        const float *row = w + (j0 + r) * ldw + p0;
                        // The same place 16 rows on (the next group), two cache lines.
                        _mm_prefetch((const char *)(row + 16 * ldw), _MM_HINT_T0);
                        _mm_prefetch((const char *)(row + 16 * ldw + 16), _MM_HINT_T0);
                        block[r] = (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + 16), _mm512_loadu_ps(row));
                    } else {
                        block[r] = _mm512_setzero_si512();
                    }
                }
                transpose16(block);
                for (int q = 0; q < 16; q++) _mm512_storeu_si512((void *)(target + (p0 / 2 + q) * PANEL + c0), block[q]);
            }
            // The pairs past the last whole 32 inputs, one word at a time.
            for (long p = k32 / 2; p < pairs; p++) {
                for (long c = c0; c < c0 + 16; c++) {
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
}

// One tile: `rows` (a constant once inlined) rows of x against one panel, over every pair of k, added to y.
// With `accumulate` 0 (also a constant), y is overwritten instead.
HG_BF16 static inline __attribute__((always_inline)) void bf16_tile(int rows, long pairs, const uint32_t *x,
                                                                    const uint32_t *panel, float *y, long ldy,
                                                                    __mmask16 mask0, __mmask16 mask1,
                                                                    __mmask16 mask2, int accumulate) {
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
    if (!accumulate) {
        for (int r = 0; r < rows; r++) {
            float *target = y + r * ldy;
            _mm512_mask_storeu_ps(target, mask0, sums[r][0]);
            _mm512_mask_storeu_ps(target + 16, mask1, sums[r][1]);
            _mm512_mask_storeu_ps(target + 32, mask2, sums[r][2]);
        }
        return;
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

// bf16_tile for the next min(8, left) rows, each height with its own body (the row count a constant).
HG_BF16 static inline __attribute__((always_inline)) void bf16_tile_rows(long left, long pairs, const uint32_t *x,
                                                                         const uint32_t *panel, float *y, long ldy,
                                                                         __mmask16 mask0, __mmask16 mask1,
                                                                         __mmask16 mask2, int accumulate) {
    switch (left >= TILE_ROWS ? TILE_ROWS : left) {
    case 8: bf16_tile(8, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
    case 7: bf16_tile(7, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
    case 6: bf16_tile(6, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
    case 5: bf16_tile(5, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
    case 4: bf16_tile(4, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
    case 3: bf16_tile(3, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
    case 2: bf16_tile(2, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
    default: bf16_tile(1, pairs, x, panel, y, ldy, mask0, mask1, mask2, accumulate); break;
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
                bf16_tile_rows(i1 - i, pairs, x, words, target, ldy, mask0, mask1, mask2, 1);
            }
        }
    }
}

// Panels outer: each panel of 48 stored rows is packed into `panel` (36 KB at d = 384, in L1/L2) and at
// once multiplied by every query, tiles of 8 queries at a time. The x of 1,024 queries (768 KB) is read
// from L2 once per panel.
HG_BF16 static void scores_bf16(long m, long n, long k, const uint32_t *xb, const float *rows, long ldr,
                                uint32_t *panel, float *y, long ldy) {
    const long pairs = hg_bf16_pairs(k);
    for (long j = 0; j < n; j += PANEL) {
        const long width = n - j < PANEL ? n - j : PANEL;
        pack_bf16(width, k, rows + j * ldr, ldr, panel);
        const __mmask16 mask0 = column_mask(width), mask1 = column_mask(width - 16), mask2 = column_mask(width - 32);
        // While the queries run against this panel, the next panel's rows are fetched, a share per tile.
        const long next = n - j - width < PANEL ? n - j - width : PANEL;
        const char *ahead = (const char *)(rows + (j + width) * ldr);
        const long lines = next > 0 ? ((next - 1) * ldr + k) * (long)sizeof(float) / 64 + 1 : 0;
        const long tiles = (m + TILE_ROWS - 1) / TILE_ROWS;
        for (long i = 0; i < m; i += TILE_ROWS) {
            const long tile = i / TILE_ROWS;
            for (long line = lines * tile / tiles; line < lines * (tile + 1) / tiles; line++) {
                _mm_prefetch(ahead + line * 64, _MM_HINT_T1);
            }
            const uint32_t *x = xb + i * pairs;
            float *target = y + i * ldy + j;
            bf16_tile_rows(m - i, pairs, x, panel, target, ldy, mask0, mask1, mask2, 0);
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

void hg_bf16_pack(long n, long k, const float *w, long ldw, uint32_t *packed) {
#if defined(__x86_64__)
    if (hg_bf16_supported()) {
        pack_bf16(n, k, w, ldw, packed);
        return;
    }
#endif
    hg_bf16_pack_portable(n, k, w, ldw, packed);
}

void hg_bf16_scores_portable(long m, long n, long k, const uint32_t *xb, const float *rows, long ldr, uint32_t *panel,
                             float *y, long ldy) {
    for (long j = 0; j < n; j += PANEL) {
        const long width = n - j < PANEL ? n - j : PANEL;
        hg_bf16_pack_portable(width, k, rows + j * ldr, ldr, panel);
        for (long i = 0; i < m; i++) {
            for (long c = 0; c < width; c++) y[i * ldy + j + c] = 0;
        }
        hg_gemm_bf16_accumulate_portable(m, width, k, xb, panel, y + j, ldy, 0, 1);
    }
}

void hg_bf16_scores(long m, long n, long k, const uint32_t *xb, const float *rows, long ldr, uint32_t *panel, float *y,
                    long ldy) {
#if defined(__x86_64__)
    if (hg_bf16_supported()) {
        scores_bf16(m, n, k, xb, rows, ldr, panel, y, ldy);
        return;
    }
#endif
    hg_bf16_scores_portable(m, n, k, xb, rows, ldr, panel, y, ldy);
}
