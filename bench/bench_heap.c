/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_heap.c - benchmarks of the interim heap (vregion/heap.h).
 *
 *   bench_heap [--throughput] [--util] [--aligned] [--latency] [--all]
 *              [--steps N (pairs, default 1000000)] [--seeds N (default 20)]
 *   bench_heap --callgrind N    run only the measured loops, N steps each
 *
 * Workloads (see docs/performance.md, heap section):
 *   steady state: 256 KiB heap, 64 live blocks of 16..2048 bytes, random
 *     "free slot i, then allocate size s into it" (plan precomputed);
 *   utilisation at first failure: 64 KiB buffer with the heap's control
 *     block inside it, sizes 16..1024, 40 % frees, until the first failed
 *     allocation; utilisation = requested bytes live / 65536; mean of 20 seeds.
 * Peers: glibc malloc in this process, and jemalloc / mimalloc / tcmalloc
 * through one small program each (bench_malloc_<peer>, built when the
 * library was found at configure time), run from here on the same plan so
 * the ratios against glibc come from the same run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vregion/heap.h"
#include "bench_common.h"
#include "ff_heap.h"
#include "stress.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#ifndef BENCH_PEERS
#define BENCH_PEERS ""
#endif

#define NOINLINE __attribute__((noinline))

static _Alignas(64) uint8_t g_mem[SS_HEAP_BYTES];
static struct vr_heap g_heap;

static uint32_t *g_idx, *g_size;	/* plan: SS_LIVE warm-up + steps */
static size_t g_total;

static void plan(size_t steps)
{
	g_total = SS_LIVE + steps;
	g_idx = malloc(g_total * sizeof(*g_idx));
	g_size = malloc(g_total * sizeof(*g_size));
	if (g_idx == NULL || g_size == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	ss_plan(g_idx, g_size, g_total);
}

/* ---- the measured loops (callgrind toggles on these names) ---- */

NOINLINE void loop_vr(struct vr_heap *h, void **slot, const uint32_t *idx,
		      const uint32_t *size, size_t n);
NOINLINE void loop_vr_aligned(struct vr_heap *h, void **slot, const uint32_t *idx,
			      const uint32_t *size, size_t n);
NOINLINE void loop_malloc(void **slot, const uint32_t *idx, const uint32_t *size, size_t n);
NOINLINE void loop_base(struct vr_heap *h, void **slot, const uint32_t *idx,
			const uint32_t *size, size_t n);
NOINLINE int nop_free(struct vr_heap *h, void *p);
NOINLINE void *nop_alloc(struct vr_heap *h, size_t size);

NOINLINE void loop_vr(struct vr_heap *h, void **slot, const uint32_t *idx,
		      const uint32_t *size, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t j = idx[i];

		vr_heap_free(h, slot[j]);
		slot[j] = vr_heap_alloc(h, size[i]);
	}
}

NOINLINE void loop_vr_aligned(struct vr_heap *h, void **slot, const uint32_t *idx,
			      const uint32_t *size, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t j = idx[i];

		vr_heap_free(h, slot[j]);
		slot[j] = vr_heap_aligned_alloc(h, 64, size[i]);
	}
}

NOINLINE void loop_malloc(void **slot, const uint32_t *idx, const uint32_t *size, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t j = idx[i];

		free(slot[j]);
		slot[j] = malloc(size[i]);
	}
}

/* The same loop around empty functions: the loop's own cost. */
NOINLINE int nop_free(struct vr_heap *h, void *p)
{
	__asm__ volatile("" : : "r"(h), "r"(p) : "memory");
	return 0;
}

NOINLINE void *nop_alloc(struct vr_heap *h, size_t size)
{
	__asm__ volatile("" : : "r"(h), "r"(size) : "memory");
	return (void *)h;
}

NOINLINE void loop_base(struct vr_heap *h, void **slot, const uint32_t *idx,
			const uint32_t *size, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t j = idx[i];

		nop_free(h, slot[j]);
		slot[j] = nop_alloc(h, size[i]);
	}
}

/* ---- steady-state setup ---- */

static void *g_slot[SS_LIVE];

static void vr_setup(size_t align)
{
	size_t i;

	if (vr_heap_init(&g_heap, g_mem, sizeof(g_mem)) != 0) {
		fprintf(stderr, "vr_heap_init failed\n");
		exit(1);
	}
	for (i = 0; i < SS_LIVE; i++)
		g_slot[i] = align ? vr_heap_aligned_alloc(&g_heap, align, g_size[i])
				  : vr_heap_alloc(&g_heap, g_size[i]);
}

static void vr_check_clean(const char *what)
{
	struct vr_heap_stats st;

	vr_heap_get_stats(&g_heap, &st);
	if (st.failures != 0 || st.errors != 0 || vr_heap_validate(&g_heap) != 0) {
		fprintf(stderr, "%s: failures %zu errors %zu validate %d\n", what,
			st.failures, st.errors, vr_heap_validate(&g_heap));
		exit(1);
	}
}

static void malloc_setup(void)
{
	size_t i;

	for (i = 0; i < SS_LIVE; i++)
		g_slot[i] = malloc(g_size[i]);
}

static void malloc_teardown(void)
{
	size_t i;

	for (i = 0; i < SS_LIVE; i++) {
		free(g_slot[i]);
		g_slot[i] = NULL;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define REPS 7

/* Median ns per pair over REPS runs of the whole plan. kind: 0 vr, 1 vr
 * aligned 64, 2 malloc. */
static double time_pairs(int kind)
{
	double t[REPS];
	size_t steps = g_total - SS_LIVE;
	int r;

	for (r = 0; r < REPS; r++) {
		double t0;

		if (kind == 2)
			malloc_setup();
		else
			vr_setup(kind == 1 ? 64 : 0);
		t0 = bench_now_ns();
		if (kind == 0)
			loop_vr(&g_heap, g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, steps);
		else if (kind == 1)
			loop_vr_aligned(&g_heap, g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, steps);
		else
			loop_malloc(g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, steps);
		t[r] = (bench_now_ns() - t0) / (double)steps;
		if (kind == 2)
			malloc_teardown();
		else
			vr_check_clean(kind ? "aligned loop" : "loop");
	}
	qsort(t, REPS, sizeof(t[0]), cmp_double);
	return t[REPS / 2];
}

/* Run a peer program; returns its ns/pair or -1. */
static double run_peer(const char *path, size_t steps)
{
	char cmd[1024], line[256];
	double v = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' --throughput %zu", path, steps);
	f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "ns_per_pair %lf", &v) == 1)
			break;
	}
	pclose(f);
	return v;
}

static void bench_throughput(void)
{
	double vr, al, gl;
	char peers[1024], *save = NULL, *tok;
	size_t steps = g_total - SS_LIVE;

	printf("== throughput: steady state, %u KiB heap, %u live blocks of %u..%u bytes, "
	       "%zu free+alloc pairs, median of %d runs\n",
	       SS_HEAP_BYTES / 1024u, SS_LIVE, SS_MIN, SS_MAX, steps, REPS);
	gl = time_pairs(2);
	vr = time_pairs(0);
	al = time_pairs(1);
	printf("  %-22s %8.2f ns/pair  %5.2fx glibc\n", "vr_heap", vr, vr / gl);
	printf("  %-22s %8.2f ns/pair  %5.2fx glibc\n", "vr_heap (align 64)", al, al / gl);
	printf("  %-22s %8.2f ns/pair  %5.2fx glibc\n", "glibc malloc", gl, 1.0);
	snprintf(peers, sizeof(peers), "%s", BENCH_PEERS);
	for (tok = strtok_r(peers, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '=');
		double v;

		if (eq == NULL)
			continue;
		*eq = '\0';
		v = run_peer(eq + 1, steps);
		if (v < 0)
			printf("  %-22s (failed to run %s)\n", tok, eq + 1);
		else
			printf("  %-22s %8.2f ns/pair  %5.2fx glibc\n", tok, v, v / gl);
	}
#ifdef BENCH_PEERS_MISSING
	printf("  not built (library not found at configure time): %s\n", BENCH_PEERS_MISSING);
#endif
}

/* ---- utilisation at first failure ---- */

#define UTIL_BYTES 65536u
static int g_util_seeds = 20;	/* --seeds N */
static _Alignas(64) uint8_t g_umem[UTIL_BYTES];
static struct vr_stress_block g_uslots[4096];

static void *u_vr_alloc(void *ctx, size_t size, size_t align)
{
	return align ? vr_heap_aligned_alloc(ctx, align, size) : vr_heap_alloc(ctx, size);
}

static int u_vr_free(void *ctx, void *p)
{
	return vr_heap_free(ctx, p);
}

static void *u_ff_alloc(void *ctx, size_t size, size_t align)
{
	(void)align;
	return ff_alloc(ctx, size);
}

static int u_ff_free(void *ctx, void *p)
{
	ff_free(ctx, p);
	return 0;
}

static void *u_bf_alloc(void *ctx, size_t size, size_t align)
{
	(void)align;
	return bf_alloc(ctx, size);
}

static int u_bf_free(void *ctx, void *p)
{
	bf_free(ctx, p);
	return 0;
}

/* kind: 0 vr_heap control inside, 1 vr_heap control outside, 2 first fit,
 * 3 vr_heap control inside with every request 64-aligned, 4 the exhaustive
 * best-fit ceiling (vr_heap's block format, no control block). */
static void util_run(int kind, size_t lo, size_t hi, unsigned free_pct,
		     double *mean, double *min, double *max)
{
	struct vr_stress_ops ops;
	struct vr_stress_cfg cfg;
	struct vr_stress_result r;
	struct vr_heap hh;
	double sum = 0;
	int s;

	*min = 1;
	*max = 0;
	for (s = 1; s <= g_util_seeds; s++) {
		double u;

		memset(&cfg, 0, sizeof(cfg));
		cfg.seed = (uint32_t)s;
		cfg.min_size = lo;
		cfg.max_size = hi;
		cfg.free_pct = free_pct;
		cfg.stop_at_fail = true;
		cfg.align = kind == 3 ? 64 : 0;
		memset(&ops, 0, sizeof(ops));
		if (kind == 2) {
			ops.alloc = u_ff_alloc;
			ops.free = u_ff_free;
			ops.ctx = ff_create_in(g_umem, UTIL_BYTES);
		} else if (kind == 4) {
			ops.alloc = u_bf_alloc;
			ops.free = u_bf_free;
			ops.ctx = bf_create_in(g_umem, UTIL_BYTES);
		} else {
			ops.alloc = u_vr_alloc;
			ops.free = u_vr_free;
			if (kind == 0 || kind == 3) {
				ops.ctx = vr_heap_create_in(g_umem, UTIL_BYTES);
			} else {
				vr_heap_init(&hh, g_umem, UTIL_BYTES);
				ops.ctx = &hh;
			}
		}
		if (vr_stress_run(&ops, &cfg, g_uslots, 4096, &r) != 0 ||
		    r.first_fail_op == SIZE_MAX) {
			fprintf(stderr, "utilisation run failed (seed %d)\n", s);
			exit(1);
		}
		if (kind != 2 && kind != 4 && vr_heap_validate(ops.ctx) != 0) {
			fprintf(stderr, "validate failed after utilisation run\n");
			exit(1);
		}
		u = (double)r.fail_live_bytes / UTIL_BYTES;
		sum += u;
		if (u < *min)
			*min = u;
		if (u > *max)
			*max = u;
	}
	*mean = sum / g_util_seeds;
}

static void bench_util(void)
{
	static const char *const names[] = {
		"vr_heap (control inside)", "vr_heap (control outside)", "first fit (bench peer)",
		"vr_heap, all aligned 64 (info)",
		"ceiling: exhaustive best fit, same blocks, no control (O(n) reference)",
	};
	double mean, mn, mx;
	int k;

	printf("== utilisation at first failure: %u KiB, sizes 16..1024, 40%% frees, "
	       "mean of %d seeds (target >= 0.92)\n", UTIL_BYTES / 1024u, g_util_seeds);
	{
		struct vr_heap *h = vr_heap_create_in(g_umem, UTIL_BYTES);
		struct vr_heap_stats st;

		vr_heap_get_stats(h, &st);
		printf("   control block: struct vr_heap %zu bytes; inside the 64 KiB buffer "
		       "(create_in, with alignment and end marker) %zu bytes\n",
		       sizeof(struct vr_heap), st.overhead);
	}
	for (k = 0; k < 5; k++) {
		util_run(k, 16, 1024, 40, &mean, &mn, &mx);
		printf("  %-30s mean %.4f  min %.4f  max %.4f\n", names[k], mean, mn, mx);
	}
	printf("  reference, published upstream figures (not measured here): TLSF 0.81 "
	       "(0.90 control outside), Zephyr sys_heap 0.88, o1heap 0.66\n");
}

/* ---- latency ---- */

static double g_ns_per_tick = 1.0;

static inline uint64_t ticks(void)
{
#if HAVE_TSC
	uint64_t t;

	_mm_lfence();
	t = __rdtsc();
	_mm_lfence();
	return t;
#else
	return (uint64_t)bench_now_ns();
#endif
}

static void calibrate(void)
{
#if HAVE_TSC
	double t0 = bench_now_ns(), t1;
	uint64_t c0 = ticks(), c1;

	do {
		t1 = bench_now_ns();
	} while (t1 - t0 < 50e6);
	c1 = ticks();
	g_ns_per_tick = (t1 - t0) / (double)(c1 - c0);
#endif
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void pct(const char *what, uint32_t *v, size_t n, uint32_t base)
{
	double p50, p99, p9999, mx;

	qsort(v, n, sizeof(*v), cmp_u32);
	p50 = (double)(v[n / 2] > base ? v[n / 2] - base : 0);
	p99 = (double)(v[n * 99 / 100] > base ? v[n * 99 / 100] - base : 0);
	p9999 = (double)(v[n * 9999 / 10000] > base ? v[n * 9999 / 10000] - base : 0);
	mx = (double)(v[n - 1] > base ? v[n - 1] - base : 0);
	printf("  %-26s p50 %7.1f  p99 %7.1f  p99.99 %8.1f  max %9.1f ns\n", what,
	       p50 * g_ns_per_tick, p99 * g_ns_per_tick, p9999 * g_ns_per_tick, mx * g_ns_per_tick);
}

/* kind: 0 vr, 1 vr aligned 64, 2 malloc */
static void latency_run(int kind, uint32_t *la, uint32_t *lf, size_t n, uint32_t base)
{
	static const char *const names[] = { "vr_heap", "vr_heap align 64", "glibc" };
	char buf[64];
	size_t i;

	if (kind == 2)
		malloc_setup();
	else
		vr_setup(kind == 1 ? 64 : 0);
	for (i = 0; i < n; i++) {
		uint32_t j = g_idx[SS_LIVE + i];
		size_t sz = g_size[SS_LIVE + i];
		uint64_t t0, t1, t2;

		t0 = ticks();
		if (kind == 2)
			free(g_slot[j]);
		else
			vr_heap_free(&g_heap, g_slot[j]);
		t1 = ticks();
		if (kind == 2)
			g_slot[j] = malloc(sz);
		else if (kind == 1)
			g_slot[j] = vr_heap_aligned_alloc(&g_heap, 64, sz);
		else
			g_slot[j] = vr_heap_alloc(&g_heap, sz);
		t2 = ticks();
		lf[i] = (uint32_t)(t1 - t0);
		la[i] = (uint32_t)(t2 - t1);
	}
	if (kind == 2)
		malloc_teardown();
	else
		vr_check_clean("latency");
	snprintf(buf, sizeof(buf), "%s alloc", names[kind]);
	pct(buf, la, n, base);
	snprintf(buf, sizeof(buf), "%s free", names[kind]);
	pct(buf, lf, n, base);
}

/* Median cost of reading the timer; *res gets the smallest step seen
 * between different readings (the timer's effective resolution). */
static uint32_t timer_base(uint32_t *v, size_t n, uint32_t *res)
{
	size_t i;

	*res = UINT32_MAX;
	for (i = 0; i < n; i++) {
		uint64_t t0 = ticks(), t1;

		do {
			t1 = ticks();
		} while (t1 == t0);
		v[i] = (uint32_t)(t1 - t0);
		if (v[i] < *res)
			*res = v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u32);
	return v[n / 2];
}

static void bench_latency(void)
{
	size_t n = g_total - SS_LIVE;
	uint32_t *la = malloc(n * sizeof(*la)), *lf = malloc(n * sizeof(*lf)), base, res;
	int k;

	if (la == NULL || lf == NULL)
		exit(1);
	calibrate();
	base = timer_base(la, n, &res);
	printf("== latency per operation, steady state, %zu ops each (%s, resolution %.1f ns, "
	       "timer overhead %.1f ns subtracted)\n", n, HAVE_TSC ? "rdtsc" : "clock_gettime",
	       res * g_ns_per_tick, base * g_ns_per_tick);
	for (k = 0; k < 3; k++)
		latency_run(k, la, lf, n, base);
	free(la);
	free(lf);
}

/* ---- aligned vs unaligned ---- */

static void bench_aligned(void)
{
	double vr = time_pairs(0), al = time_pairs(1);

	printf("== aligned (64) vs unaligned, steady state: %.2f vs %.2f ns/pair: "
	       "ratio %.2f (target <= 1.3; instruction ratio: bench/callgrind.sh)\n", al, vr, al / vr);
}

/* ---- callgrind mode ---- */

static void run_callgrind(size_t n)
{
	vr_setup(0);
	loop_vr(&g_heap, g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, n);
	vr_check_clean("callgrind loop");
	vr_setup(64);
	loop_vr_aligned(&g_heap, g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, n);
	vr_check_clean("callgrind aligned loop");
	malloc_setup();
	loop_malloc(g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, n);
	malloc_teardown();
	loop_base(&g_heap, g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, n);
	printf("callgrind loops done: %zu steps each\n", n);
}

int main(int argc, char **argv)
{
	bool thr = false, util = false, lat = false, al = false;
	size_t steps = 1000000;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--callgrind") == 0) {
			size_t n = i + 1 < argc ? strtoul(argv[i + 1], NULL, 10) : 100000;

			plan(n);
			run_callgrind(n);
			return 0;
		} else if (strcmp(argv[i], "--throughput") == 0) {
			thr = true;
		} else if (strcmp(argv[i], "--util") == 0) {
			util = true;
		} else if (strcmp(argv[i], "--latency") == 0) {
			lat = true;
		} else if (strcmp(argv[i], "--aligned") == 0) {
			al = true;
		} else if (strcmp(argv[i], "--all") == 0) {
			thr = util = lat = al = true;
		} else if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
			g_util_seeds = atoi(argv[++i]);
			if (g_util_seeds < 1)
				g_util_seeds = 1;
		} else if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc) {
			steps = strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: %s [--throughput] [--util] [--aligned] [--latency] "
				"[--all] [--steps N] [--seeds N] | --callgrind N\n", argv[0]);
			return 2;
		}
	}
	if (!thr && !util && !lat && !al)
		thr = util = lat = al = true;
	plan(steps);
	if (util)
		bench_util();
	if (thr)
		bench_throughput();
	if (al)
		bench_aligned();
	if (lat)
		bench_latency();
	return 0;
}
