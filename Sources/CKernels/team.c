// A team of helper threads that spin while a caller runs short parallel steps; see hg_kernels.h.
// Waking a sleeping thread costs tens of microseconds (a futex wake, a context switch, and on a
// virtual machine the host's wake of an idle virtual processor); a query's forward pass has two dozen
// matrix products of well under a millisecond each, and a vector scan of 10k rows takes 70–200 µs. So
// the helpers spin between steps, inside a session and for a short while after one (`linger_ns`),
// and sleep only when no step comes in that time.

#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT

#include "hg_kernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HG_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define HG_PAUSE() __asm__ __volatile__("yield")
#else
#define HG_PAUSE() ((void)0)
#endif

// How long a helper spins for the next step once no session holds the team: back-to-back queries
// find it awake, while an idle process stops spinning within a fifth of a millisecond.
static const long linger_ns = 200000;

struct hg_team {
    long helpers;
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int exiting;   // 1 once hg_team_destroy has begun
    atomic_int held;      // 1 while a caller holds the team: helpers spin without a deadline
    atomic_long sleeping; // helpers waiting on `wake`, or about to
    atomic_ulong step;    // counts the steps posted; a helper runs each step once
    // The current step's entries: its number's low 32 bits above bit 32, `entry_closed`, and below
    // it how many helpers have entered the step. A helper enters only while the number matches the
    // step it saw and the step is open; the caller waits for as many `finished` as entered.
    atomic_ulong entry;
    atomic_long finished;  // helpers of the current step that have finished it
    atomic_int caller_cpu; // the processor the last caller posted its last step from
#if defined(__linux__) && defined(CPU_COUNT)
    cpu_set_t allowed;     // the processors the process could run on when the team was made
#endif
    // The current step, written by the caller before `step` is incremented; read by a helper only
    // once it has entered (the caller does not post another step before it has finished).
    hg_team_task task;
    void *context;
    long parts;
};

static const unsigned long entry_closed = 1UL << 31;
static const unsigned long entry_count = entry_closed - 1;

static unsigned long entry_tag(unsigned long step) { return (step & 0xffffffffUL) << 32; }

// Enters the step numbered `step` if it is still the current one and open.
static int enter_step(struct hg_team *team, unsigned long step) {
    unsigned long word = atomic_load(&team->entry);
    for (;;) {
        if ((word & ~(entry_closed | entry_count)) != entry_tag(step) || (word & entry_closed)) return 0;
        if (atomic_compare_exchange_weak(&team->entry, &word, word + 1)) return 1;
    }
}

struct helper_start {
    struct hg_team *team;
    long index;
};

static long monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec * 1000000000L + now.tv_nsec;
}

// A helper that finds itself on the processor the caller posted from moves off it. Woken there (the
// scheduler's choice), a spinning helper takes half of the caller's processor until the scheduler
// moves one of them, a tick (4 ms) later: isolated queries on two threads had a p99 of 5.5 ms that
// way, and yielding instead left the two sharing one processor while the other idled. The helper
// runs on the processors the process may use, less the caller's, until it meets the caller again.
static void avoid_caller(struct hg_team *team) {
#if defined(__linux__) && defined(CPU_COUNT)
    const int caller = atomic_load_explicit(&team->caller_cpu, memory_order_relaxed);
    if (caller < 0 || caller >= CPU_SETSIZE || sched_getcpu() != caller) return;
    cpu_set_t others = team->allowed;
    CPU_CLR(caller, &others);
    if (CPU_COUNT(&others) > 0) sched_setaffinity(0, sizeof(others), &others);
#else
    (void)team;
#endif
}

static void *helper_main(void *argument) {
    struct helper_start start = *(struct helper_start *)argument;
    free(argument);
    struct hg_team *team = start.team;
    long part = start.index + 1;  // the caller runs part 0
    // Steps are counted from 0 at creation: a helper that starts late still runs the first step.
    unsigned long seen = 0;
    for (;;) {
        // Spin: run each step posted, until the team has been idle (no session, no step) for
        // `linger_ns`. The clock is read once per 64 turns.
        long idle_since = -1;
        for (unsigned turn = 0;; turn++) {
            const unsigned long current = atomic_load_explicit(&team->step, memory_order_acquire);
            if (current != seen) {
                seen = current;
                if (enter_step(team, current)) {
                    if (part < team->parts) team->task(team->context, part, team->parts);
                    atomic_fetch_add_explicit(&team->finished, 1, memory_order_release);
                }
                idle_since = -1;
                continue;
            }
            if (atomic_load_explicit(&team->exiting, memory_order_acquire)) return NULL;
            if (turn % 64 == 63) avoid_caller(team);
            if (atomic_load_explicit(&team->held, memory_order_acquire)) {
                idle_since = -1;
            } else if (turn % 64 == 0) {
                const long now = monotonic_ns();
                if (idle_since < 0) {
                    idle_since = now;
                } else if (now - idle_since > linger_ns) {
                    break;
                }
            }
            HG_PAUSE();
        }
        // Sleep until a step, a session or the end. `sleeping` is raised before `step` is read again
        // (both sequentially consistent), and the caller raises `step` before reading `sleeping`: one
        // of the two sees the other, so a step posted meanwhile is either seen here or followed by a
        // broadcast, which the lock makes wait until this helper waits.
        pthread_mutex_lock(&team->lock);
        atomic_fetch_add(&team->sleeping, 1);
        while (atomic_load(&team->step) == seen && !atomic_load(&team->held) && !atomic_load(&team->exiting)) {
            pthread_cond_wait(&team->wake, &team->lock);
        }
        atomic_fetch_sub(&team->sleeping, 1);
        pthread_mutex_unlock(&team->lock);
    }
}

// Wakes the sleeping helpers, if any; after a change to `step`, `held` or `exiting`.
static void wake_sleepers(struct hg_team *team) {
    if (atomic_load(&team->sleeping) == 0) return;
    pthread_mutex_lock(&team->lock);
    pthread_cond_broadcast(&team->wake);
    pthread_mutex_unlock(&team->lock);
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
    atomic_init(&team->exiting, 0);
    atomic_init(&team->held, 0);
    atomic_init(&team->sleeping, 0);
    atomic_init(&team->step, 0);
    atomic_init(&team->entry, 0);
    atomic_init(&team->finished, 0);
    atomic_init(&team->caller_cpu, -1);
#if defined(__linux__) && defined(CPU_COUNT)
    if (sched_getaffinity(0, sizeof(team->allowed), &team->allowed) != 0) CPU_ZERO(&team->allowed);
#endif
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
    atomic_store(&team->exiting, 1);
    pthread_mutex_lock(&team->lock);
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
    wake_sleepers(team);
    return 1;
}

void hg_team_end(hg_team *team) {
    // The helpers spin on for `linger_ns`, then sleep.
    atomic_store_explicit(&team->held, 0, memory_order_release);
}

// Runs a step on up to the team's size of parts: posts it, runs the caller's part, and waits for
// every helper (`all`), or for the helpers that entered it before the caller closed it.
static void run_step(hg_team *team, hg_team_task task, void *context, long parts, int all) {
    if (parts > team->helpers + 1) parts = team->helpers + 1;
    if (parts <= 1) {
        task(context, 0, 1);
        return;
    }
    team->task = task;
    team->context = context;
    team->parts = parts;
    const unsigned long step = atomic_load_explicit(&team->step, memory_order_relaxed) + 1;
    atomic_store_explicit(&team->finished, 0, memory_order_relaxed);
#if defined(__linux__) && defined(CPU_COUNT)
    atomic_store_explicit(&team->caller_cpu, sched_getcpu(), memory_order_relaxed);
#endif
    atomic_store_explicit(&team->entry, entry_tag(step), memory_order_relaxed);
    atomic_store(&team->step, step);
    wake_sleepers(team);
    task(context, 0, parts);
    const long expected = all ? team->helpers : (long)(atomic_fetch_or(&team->entry, entry_closed) & entry_count);
    // Waiting, yield now and then: a helper woken on this processor would otherwise share it with
    // this spinning loop until the scheduler moves one of them. sched_yield returns at once when
    // nothing else waits for this processor.
    for (unsigned turn = 1; atomic_load_explicit(&team->finished, memory_order_acquire) < expected; turn++) {
        if (turn % 64 == 0) sched_yield();
        HG_PAUSE();
    }
}

void hg_team_run(hg_team *team, hg_team_task task, void *context, long parts) {
    run_step(team, task, context, parts, 1);
}

void hg_team_run_claimed(hg_team *team, hg_team_task task, void *context, long parts) {
    run_step(team, task, context, parts, 0);
}

static hg_team *shared_team;

static void create_shared_team(void) {
    long processors = sysconf(_SC_NPROCESSORS_ONLN);
#if defined(__linux__) && defined(CPU_COUNT)
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0 && CPU_COUNT(&allowed) < processors) {
        processors = CPU_COUNT(&allowed);
    }
#endif
    shared_team = processors > 1 ? hg_team_create(processors - 1) : NULL;
}

hg_team *hg_team_shared(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, create_shared_team);
    return shared_team;
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
