/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_common.h - the steady-state workload shared by bench_heap and the
 * per-peer malloc programs (bench_malloc_*), so every allocator runs the
 * identical sequence: N_LIVE live blocks, then for each step "free slot
 * idx[i], allocate size[i] into it" (precomputed, so the timed loop does
 * nothing else).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "stress.h"

#define SS_HEAP_BYTES	(256u * 1024u)	/* vr_heap buffer for the steady state */
#define SS_LIVE		64u		/* live blocks */
#define SS_MIN		16u		/* request sizes, uniform */
#define SS_MAX		2048u
#define SS_SEED		20240601u

static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Plan of `total` entries: entries [0, SS_LIVE) are the warm-up sizes (one
 * per slot), entries [SS_LIVE, total) the steps. */
static inline void ss_plan(uint32_t *idx, uint32_t *size, size_t total)
{
	vr_stress_plan(SS_SEED, SS_LIVE, SS_MIN, SS_MAX, total, idx, size);
}

#endif /* BENCH_COMMON_H */
