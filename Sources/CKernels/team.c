// A team of helper threads that spin while one caller runs a short sequence of parallel steps; see
// hg_kernels.h. Waking a sleeping thread costs tens of microseconds (a futex wake and a context
// switch); a query's forward pass has two dozen matrix products of well under a millisecond each, so
// helpers are woken once per pass and spin between its steps instead.

#include "hg_kernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HG_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define HG_PAUSE() __asm__ __volatile__("yield")
#else
#define HG_PAUSE() ((void)0)
#endif

enum { TEAM_IDLE, TEAM_SESSION, TEAM_EXIT };

struct hg_team {
    long helpers;
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int state;            // under lock: idle, in a session, or exiting
    atomic_int active;    // 1 while a session runs: helpers spin instead of sleeping
    atomic_int held;      // 1 while a caller holds the team
    atomic_ulong step;    // counts the steps posted; a helper runs each step once
    atomic_long pending;  // helpers that have not finished the current step
    // The current step, written by the caller before `step` is incremented.
    hg_team_task task;
    void *context;
    long parts;
};

struct helper_start {
    struct hg_team *team;
    long index;
};

static void *helper_main(void *argument) {
    struct helper_start start = *(struct helper_start *)argument;
    free(argument);
    struct hg_team *team = start.team;
    long part = start.index + 1;  // the caller runs part 0
    // Steps are counted from 0 at creation: a helper that starts late still runs the first step.
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&team->lock);
        while (team->state == TEAM_IDLE) pthread_cond_wait(&team->wake, &team->lock);
        int state = team->state;
        pthread_mutex_unlock(&team->lock);
        if (state == TEAM_EXIT) return NULL;
        // In a session: run every step posted until the caller ends it.
        for (;;) {
            unsigned long current = atomic_load_explicit(&team->step, memory_order_acquire);
            if (current != seen) {
                seen = current;
                if (part < team->parts) team->task(team->context, part, team->parts);
                atomic_fetch_sub_explicit(&team->pending, 1, memory_order_release);
            } else if (!atomic_load_explicit(&team->active, memory_order_acquire)) {
                break;
            } else {
                HG_PAUSE();
            }
        }
    }
}

hg_team *hg_team_create(long helpers) {
    if (helpers < 1) return NULL;
    struct hg_team *team = calloc(1, sizeof(struct hg_team));
    if (!team) return NULL;
    team->threads = calloc((size_t)helpers, sizeof(pthread_t));
    if (!team->threads) {
        free(team);
        return NULL;
    }
    pthread_mutex_init(&team->lock, NULL);
    pthread_cond_init(&team->wake, NULL);
    team->state = TEAM_IDLE;
    atomic_init(&team->active, 0);
    atomic_init(&team->held, 0);
    atomic_init(&team->step, 0);
    atomic_init(&team->pending, 0);
    for (long index = 0; index < helpers; index++) {
        struct helper_start *start = malloc(sizeof(struct helper_start));
        if (start) {
            start->team = team;
            start->index = index;
        }
        if (!start || pthread_create(&team->threads[index], NULL, helper_main, start) != 0) {
            free(start);
            team->helpers = index;
            hg_team_destroy(team);
            return NULL;
        }
        team->helpers = index + 1;
    }
    return team;
}

void hg_team_destroy(hg_team *team) {
    if (!team) return;
    pthread_mutex_lock(&team->lock);
    team->state = TEAM_EXIT;
    pthread_cond_broadcast(&team->wake);
    pthread_mutex_unlock(&team->lock);
    for (long index = 0; index < team->helpers; index++) pthread_join(team->threads[index], NULL);
    pthread_cond_destroy(&team->wake);
    pthread_mutex_destroy(&team->lock);
    free(team->threads);
    free(team);
}

long hg_team_size(const hg_team *team) { return team ? team->helpers + 1 : 1; }

int hg_team_begin(hg_team *team) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&team->held, &expected, 1)) return 0;
    atomic_store_explicit(&team->active, 1, memory_order_release);
    pthread_mutex_lock(&team->lock);
    team->state = TEAM_SESSION;
    pthread_cond_broadcast(&team->wake);
    pthread_mutex_unlock(&team->lock);
    return 1;
}

void hg_team_end(hg_team *team) {
    // Idle first, then inactive: a helper that stops spinning finds the team idle and sleeps.
    pthread_mutex_lock(&team->lock);
    team->state = TEAM_IDLE;
    pthread_mutex_unlock(&team->lock);
    atomic_store_explicit(&team->active, 0, memory_order_release);
    atomic_store_explicit(&team->held, 0, memory_order_release);
}

void hg_team_run(hg_team *team, hg_team_task task, void *context, long parts) {
    if (parts > team->helpers + 1) parts = team->helpers + 1;
    if (parts <= 1) {
        task(context, 0, 1);
        return;
    }
    team->task = task;
    team->context = context;
    team->parts = parts;
    atomic_store_explicit(&team->pending, team->helpers, memory_order_relaxed);
    atomic_fetch_add_explicit(&team->step, 1, memory_order_release);
    task(context, 0, parts);
    while (atomic_load_explicit(&team->pending, memory_order_acquire) > 0) HG_PAUSE();
}

struct gemm_step {
    long m, n, k, ldx, ldw, ldy;
    const float *x, *w;
    float *y;
};

// Output columns in multiples of 4 (the AVX2 kernel's block width), the last part taking the rest.
static void gemm_part(void *context, long part, long parts) {
    const struct gemm_step *step = context;
    long start = step->n * part / parts / 4 * 4;
    long end = part == parts - 1 ? step->n : step->n * (part + 1) / parts / 4 * 4;
    if (end <= start) return;
    hg_gemm_nt_accumulate(step->m, end - start, step->k, step->x, step->ldx, step->w + start * step->ldw,
                          step->ldw, step->y + start, step->ldy);
}

void hg_team_gemm_nt_accumulate(hg_team *team, long m, long n, long k, const float *x, long ldx, const float *w,
                                long ldw, float *y, long ldy) {
    struct gemm_step step = {m, n, k, ldx, ldw, ldy, x, w, y};
    long parts = n / 64;
    if (parts < 1) parts = 1;
    hg_team_run(team, gemm_part, &step, parts);
}

struct bf16_step {
    long m, n, k, ldy;
    const uint32_t *xb, *packed;
    float *y;
};

// Whole panels of 48 output columns, about as many per part.
static void bf16_part(void *context, long part, long parts) {
    const struct bf16_step *step = context;
    const long panels = hg_bf16_panels(step->n);
    const long first = panels * part / parts, end = panels * (part + 1) / parts;
    if (end > first) hg_gemm_bf16_accumulate(step->m, step->n, step->k, step->xb, step->packed, step->y, step->ldy, first, end);
}

void hg_team_gemm_bf16_accumulate(hg_team *team, long m, long n, long k, const uint32_t *xb, const uint32_t *packed,
                                  float *y, long ldy) {
    struct bf16_step step = {m, n, k, ldy, xb, packed, y};
    hg_team_run(team, bf16_part, &step, hg_bf16_panels(n));
}
