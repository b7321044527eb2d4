// The bounded heap that keeps the best scores of a scan; see hg_kernels.h. In Swift, with an array of
// structs, the heap's upkeep took as long as the int8 scan itself at 5k–10k rows: about 470 entries
// enter a heap of 80 over 10k rows in random order, each moving a few levels down.

#include "hg_kernels.h"

#include <math.h>

// Whether (score a, row a) ranks below (score b, row b): a lower score, or the same score and a
// higher row.
static inline int worse(float score_a, long row_a, float score_b, long row_b) {
    return score_a < score_b || (score_a == score_b && row_a > row_b);
}

static void sift_up(float *scores, long *rows, long at) {
    const float score = scores[at];
    const long row = rows[at];
    while (at > 0) {
        const long parent = (at - 1) / 2;
        if (!worse(score, row, scores[parent], rows[parent])) break;
        scores[at] = scores[parent];
        rows[at] = rows[parent];
        at = parent;
    }
    scores[at] = score;
    rows[at] = row;
}

static void sift_down(float *scores, long *rows, long count, long at) {
    const float score = scores[at];
    const long row = rows[at];
    for (;;) {
        long child = 2 * at + 1;
        if (child >= count) break;
        if (child + 1 < count && worse(scores[child + 1], rows[child + 1], scores[child], rows[child])) child++;
        if (!worse(scores[child], rows[child], score, row)) break;
        scores[at] = scores[child];
        rows[at] = rows[child];
        at = child;
    }
    scores[at] = score;
    rows[at] = row;
}

long hg_heap_push(float *scores, long *rows, long count, long keep, float score, long row) {
    if (keep <= 0) return count;
    if (count < keep) {
        scores[count] = score;
        rows[count] = row;
        sift_up(scores, rows, count);
        return count + 1;
    }
    if (worse(scores[0], rows[0], score, row)) {
        scores[0] = score;
        rows[0] = row;
        sift_down(scores, rows, count, 0);
    }
    return count;
}

// A value at or under which no entry of the final `keep` best can fall, from this block alone: the
// greatest t found with at least `keep` values at or above it (so the block's keep-th best, and the
// scan's, is at least t). Bisection over the values' range, stopping once between keep and 2·keep
// values pass; each step is one vector count over the block (about 0.1 µs for 4,096 values).
static float block_bound(const float *values, long n, long keep, float floor) {
    float low, high;
    hg_value_range(values, n, &low, &high);
    if (!(low <= high)) return floor;
    if (low < floor) low = floor;
    // Invariant: at least `keep` values are at or above `low`; fewer than `keep` above `high`, unless
    // `high` itself passes.
    if (hg_count_at_least(values, n, high) >= keep) return high;
    for (int step = 0; step < 24; step++) {
        const float middle = low + (high - low) / 2;
        if (!(middle > low && middle < high)) break;
        const long passing = hg_count_at_least(values, n, middle);
        if (passing >= keep) {
            low = middle;
            if (passing <= 2 * keep) break;
        } else {
            high = middle;
        }
    }
    return low;
}

long hg_heap_offer(float *scores, long *rows, long count, long keep, const float *values, long n, long first_row) {
    if (keep <= 0) return count;
    // Once the heap is full, a value equal to the worst kept score cannot enter: its row comes after
    // every kept row. Quantized scores take few distinct values, so such ties are common, and a strict
    // bound (the next float up) skips them.
    float bar = count < keep ? -INFINITY : nextafterf(scores[0], INFINITY);
    // The block that starts a scan (the heap not yet full, the bar at −∞) would push most of its
    // values through the heap only to drop them again: over 10k rows in random order about 470 values
    // enter a heap of 80. Raising the bar to the block's own bound first leaves some 80–160. Later
    // blocks meet a full heap, where few values pass the bar, and are not counted.
    if (count < keep && n >= 8 * keep) bar = block_bound(values, n, keep, bar);
    long index = 0;
    for (;;) {
        index += hg_first_at_least(values + index, n - index, bar);
        if (index >= n) return count;
        count = hg_heap_push(scores, rows, count, keep, values[index], first_row + index);
        index++;
        if (count == keep) {
            const float strict = nextafterf(scores[0], INFINITY);
            if (strict > bar) bar = strict;
        }
    }
}

void hg_heap_sort(float *scores, long *rows, long count) {
    for (long end = count - 1; end > 0; end--) {
        const float score = scores[0];
        const long row = rows[0];
        scores[0] = scores[end];
        rows[0] = rows[end];
        scores[end] = score;
        rows[end] = row;
        sift_down(scores, rows, end, 0);
    }
}
