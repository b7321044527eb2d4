#ifndef HEALTHGROUND_KERNELS_H
#define HEALTHGROUND_KERNELS_H

// Element-wise kernels for the encoder and the vector scans (float32 and int8). Each has a portable C
// body and, on x86-64, an AVX2+FMA build of the same body chosen once at run time when the processor
// has those units.
// The portable build keeps the library correct on any CPU; the AVX2 build is what makes it fast.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Softmax of each row of a rows × width matrix, in place.
void hg_softmax_rows(float *matrix, long rows, long width);

// GELU, the erf form x · ½ · (1 + erf(x / √2)), in place over `count` values.
void hg_gelu(float *values, long count);

// LayerNorm of each row in place: (x − mean) / √(variance + ε) · weight + bias.
void hg_layer_norm(float *matrix, long rows, long width, const float *weight, const float *bias,
                   float epsilon);

// scores[r] = offset + Σ_j weights[j] · codes[r · dimension + j], for r in 0..<rows. The AVX2 build
// rounds the weights to integers in −64…64 first (a step of 1/64 of the largest weight).
void hg_u8_scores(const uint8_t *codes, long rows, long dimension, const float *weights, float offset,
                  float *scores);

// A query's weights for hg_u8_scores_prepared, rounded once per query instead of once per block of rows
// (about half a microsecond at 384 dimensions, paid by every block of a scan): the integers when the
// AVX2 build runs and the dimension is at most 4,096, else nothing and the float weights are used.
typedef struct hg_u8_query {
    float step;   // an integer sum times `step` is the weighted sum
    int integral; // 1 when `integers` holds the weights
    // 0 after hg_u8_prepare; a caller whose codes are likely in the caches (a small matrix) may set it
    // to 1, for a kernel that scores four rows at a time where AVX-512 VNNI runs: the same scores,
    // faster from the caches and slower from memory.
    int cached;
    int8_t integers[4096];
} hg_u8_query;
void hg_u8_prepare(const float *weights, long dimension, hg_u8_query *query);
// hg_u8_scores with weights prepared by hg_u8_prepare (from the same `weights`): the same scores.
void hg_u8_scores_prepared(const uint8_t *codes, long rows, long dimension, const float *weights,
                           const hg_u8_query *query, float offset, float *scores);

// scores[r] = Σ_j matrix[r · dimension + j] · query[j], for r in 0..<rows: one query against a block of
// stored vectors. The AVX2 build reads one row at a time from start to end, the order the hardware
// prefetcher follows best (interleaving four rows, as a matrix-vector kernel does, halved the rate).
void hg_inner_products(const float *matrix, long rows, long dimension, const float *query, float *scores);

// scores[i] = Σ_j matrix[rows[i] · dimension + j] · query[j], for i in 0..<count: scattered rows, such as
// the candidates of an approximate scan to rescore. The AVX2 build prefetches every line of the row
// 24 places ahead into L2, so that the rows' misses overlap instead of following one another: 20 rows
// of 384 numbers took 3.3–3.7 µs from memory and 1.2–1.3 µs from L3 that way, against 6.0–6.5 and
// 2.2–4.4 prefetched into L1 eight rows ahead, where the core holds fewer misses in flight.
void hg_gathered_inner_products(const float *matrix, long dimension, const long *rows, long count,
                                const float *query, float *scores);

// The largest Euclidean norm of `rows` vectors (summed in double), 0 for none, NaN when a vector holds
// a NaN: the row factor of the error bound of a bfloat16 first pass.
double hg_largest_norm(const float *matrix, long rows, long dimension);
double hg_largest_norm_portable(const float *matrix, long rows, long dimension);

// The index of the first of `count` values at or above `threshold`, or `count` when none is: the
// filter in front of a bounded heap, which skips the values that cannot enter it 32 at a time.
long hg_first_at_least(const float *values, long count, float threshold);

// How many of `count` values are at or above `threshold` (NaNs are not).
long hg_count_at_least(const float *values, long count, float threshold);
// The least and the greatest of `count` values, NaNs left out (+∞ and −∞ when there is no number).
void hg_value_range(const float *values, long count, float *low, float *high);

// A bounded heap of the `keep` best (score, row) pairs, kept in two arrays of `keep` entries with the
// worst kept pair at index 0: a lower score ranks below a higher one, and of two equal scores the
// higher row ranks below. `count` is how many entries are filled; both functions return the new count.
// hg_heap_push offers one pair. hg_heap_offer offers values[i] as row first_row + i for i < n,
// skipping (with hg_first_at_least) the values below the worst kept score, and NaNs; its rows must come
// after every row already in the heap (a scan in row order), so that a value equal to the worst kept
// score, which could not enter, is skipped too.
long hg_heap_push(float *scores, long *rows, long count, long keep, float score, long row);
long hg_heap_offer(float *scores, long *rows, long count, long keep, const float *values, long n, long first_row);
// Sorts a heap of `count` entries in place, best first (a heap sort: the worst is moved to the end,
// the heap shrinks by one, again), in the same order as above, ties broken by the lower row.
void hg_heap_sort(float *scores, long *rows, long count);

// The portable builds of the same kernels, whatever the processor (the reference in tests).
void hg_softmax_rows_portable(float *matrix, long rows, long width);
void hg_gelu_portable(float *values, long count);
void hg_layer_norm_portable(float *matrix, long rows, long width, const float *weight, const float *bias,
                            float epsilon);
void hg_u8_scores_portable(const uint8_t *codes, long rows, long dimension, const float *weights,
                           float offset, float *scores);
void hg_inner_products_portable(const float *matrix, long rows, long dimension, const float *query,
                                float *scores);
long hg_first_at_least_portable(const float *values, long count, float threshold);
long hg_count_at_least_portable(const float *values, long count, float threshold);
void hg_value_range_portable(const float *values, long count, float *low, float *high);
void hg_gathered_inner_products_portable(const float *matrix, long dimension, const long *rows, long count,
                                         const float *query, float *scores);

// y[i·ldy + j] += Σ_p x[i·ldx + p] · w[j·ldw + p] for i < m, j < n: a matrix product with the second
// operand transposed (w holds n rows of k), without packing either operand. For few rows of x (a
// query's tokens) this beats a packing sgemm, which copies all of w on every call.
void hg_gemm_nt_accumulate(long m, long n, long k, const float *x, long ldx, const float *w, long ldw, float *y,
                           long ldy);
void hg_gemm_nt_accumulate_portable(long m, long n, long k, const float *x, long ldx, const float *w, long ldw,
                                    float *y, long ldy);

// MARK: - Products with bfloat16 operands

// The encoder's projections y += x · wᵀ with both operands rounded to bfloat16 (8 significant bits,
// to nearest, ties to even) and the products summed in float32. Each product of two bfloat16 values
// is exact in float32; only the operands' rounding and the order of the sums differ from a float32
// product. The weights are packed once (`hg_bf16_pack`), the rows of x for each product
// (`hg_bf16_convert_rows`). The AVX-512 BF16 build (`vdpbf16ps`) is chosen at run time; the portable
// build computes the same sums one at a time (a reference for tests, far too slow for the encoder).

// Round to nearest bfloat16, ties to even (NaN stays NaN), and back.
uint16_t hg_bf16_from_float(float value);
float hg_float_from_bf16(uint16_t value);
// 32-bit words per row of x converted (two bfloat16 each): k rounded up to even, halved.
long hg_bf16_pairs(long k);
// Panels of 48 output columns that cover n columns.
long hg_bf16_panels(long n);
// 32-bit words of w (n rows of k, as a PyTorch `Linear` stores its weight) once packed.
long hg_bf16_packed_words(long n, long k);
// Packs w into panels of 48 output columns; in each, for every pair of inputs (2p, 2p + 1), the 48
// columns' two bfloat16 values side by side. Columns past n and an odd k's last input are zeros. The
// AVX-512 BF16 build rounds 16 rows at a time and transposes them; the words are the portable build's.
void hg_bf16_pack(long n, long k, const float *w, long ldw, uint32_t *packed);
void hg_bf16_pack_portable(long n, long k, const float *w, long ldw, uint32_t *packed);
// Converts m rows of k floats (stride ldx) into m rows of hg_bf16_pairs(k) words, contiguous.
void hg_bf16_convert_rows(long m, long k, const float *x, long ldx, uint32_t *xb);
void hg_bf16_convert_rows_portable(long m, long k, const float *x, long ldx, uint32_t *xb);
// y[i·ldy + j] += Σ_p x[i][p] · w[j][p] for i < m and the columns j < n of panels first_panel..<end_panel,
// with x converted and w packed as above (splitting by panels shares one product among threads).
void hg_gemm_bf16_accumulate(long m, long n, long k, const uint32_t *xb, const uint32_t *packed, float *y,
                             long ldy, long first_panel, long end_panel);
void hg_gemm_bf16_accumulate_portable(long m, long n, long k, const uint32_t *xb, const uint32_t *packed,
                                      float *y, long ldy, long first_panel, long end_panel);
// y[i·ldy + j] = Σ_p x[i][p] · w[j][p] for i < m, j < n, where w is n stored float32 rows (stride ldr)
// rounded to bfloat16 48 at a time into `panel` (hg_bf16_packed_words(48, k) words) just before they are
// used: m converted queries against a tile of stored vectors, the first pass of a batch search, without a
// packed copy of the tile ever leaving the caches.
void hg_bf16_scores(long m, long n, long k, const uint32_t *xb, const float *rows, long ldr, uint32_t *panel,
                    float *y, long ldy);
void hg_bf16_scores_portable(long m, long n, long k, const uint32_t *xb, const float *rows, long ldr,
                             uint32_t *panel, float *y, long ldy);
// 1 when the processor has AVX-512 BF16 (and F, BW, VL), the build hg_gemm_bf16_accumulate then uses.
int hg_bf16_supported(void);

// Asks the kernel to back the 2 MB-aligned part of a range with huge pages when it is first touched
// (`madvise(MADV_HUGEPAGE)`, which Linux honours when transparent huge pages are set to "madvise" or
// "always"). Returns 1 when the advice was taken, 0 otherwise (other systems, a range under 2 MB).
// A scan of a matrix in 4 KB pages stalls at every page boundary, where the hardware prefetcher stops:
// 100k × 384 floats read at 23 GB/s in 4 KB pages and 36 GB/s in 2 MB ones on this machine.
int hg_advise_huge_pages(void *address, size_t bytes);

// 1 when the AVX2+FMA builds are in use, 0 when the portable ones are.
int hg_kernels_vectorized(void);

// MARK: - A team of spinning helper threads

// Helper threads for a short run of parallel steps, such as a query's forward pass: the caller wakes
// the helpers once (`hg_team_begin`), posts steps that it shares with them (`hg_team_run`), and lets
// them sleep again (`hg_team_end`). Between steps the helpers spin instead of sleeping, which saves a
// thread wake-up (tens of microseconds) per step; after a session they spin on for 0.2 ms, so that
// back-to-back sessions (queries) find them awake, then sleep. One caller holds a team at a time:
// `hg_team_begin` returns 0 when another caller holds it.
typedef struct hg_team hg_team;
// One part of a step: the caller runs part 0, helper i part i + 1.
typedef void (*hg_team_task)(void *context, long part, long parts);

// A team of `helpers` threads (at least 1) beside the caller, or NULL when threads cannot be created.
hg_team *hg_team_create(long helpers);
// Stops and joins the helpers. The team must not be held.
void hg_team_destroy(hg_team *team);
// Helpers plus the caller.
long hg_team_size(const hg_team *team);
// Starts a session and returns 1, or returns 0 at once when another caller holds the team.
int hg_team_begin(hg_team *team);
// Ends the session begun by `hg_team_begin`: the helpers sleep once no session follows within 0.2 ms.
void hg_team_end(hg_team *team);
// Runs task(context, part, parts) for every part below `parts` (capped at the team's size) across the
// caller and the helpers, and returns when all have finished. Only inside a session.
void hg_team_run(hg_team *team, hg_team_task task, void *context, long parts);
// hg_team_run for a task whose work is claimed rather than assigned by part, so that any one call of
// it finishes whatever no call has claimed: once the caller's own call returns, helpers that have
// not begun the step skip it, and the caller waits only for those that began. A helper that sleeps
// when the step is posted (waking one can take milliseconds on a virtual machine) then costs the
// caller nothing.
void hg_team_run_claimed(hg_team *team, hg_team_task task, void *context, long parts);
// The process's team for vector scans, with one helper per processor this process may run on beyond
// the caller's; created at the first call, never destroyed. NULL on one processor.
hg_team *hg_team_shared(void);
// hg_gemm_nt_accumulate split by output columns across the team (one part per 64 columns at most).
void hg_team_gemm_nt_accumulate(hg_team *team, long m, long n, long k, const float *x, long ldx, const float *w,
                                long ldw, float *y, long ldy);

// hg_gemm_bf16_accumulate (x already converted, all panels) split by panels across the team.
void hg_team_gemm_bf16_accumulate(hg_team *team, long m, long n, long k, const uint32_t *xb, const uint32_t *packed,
                                  float *y, long ldy);

#ifdef __cplusplus
}
#endif

#endif
