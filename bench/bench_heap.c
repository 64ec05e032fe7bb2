/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_heap.c - benchmarks of the interim heap (vregion/heap.h).
 *
 *   bench_heap [--throughput] [--util] [--aligned] [--latency] [--all]
 *              [--steps N (pairs, default 1000000)] [--seeds N (default 20)]
 *   bench_heap --callgrind N    run only the measured loops, N steps each
 *                               (bench/callgrind.sh counts them)
 *
 * Workloads (see docs/heap.md):
 *   steady state: 256 KiB heap, 64 live blocks of 16..2048 bytes, random
 *     "free slot i, then allocate size s into it" (plan precomputed);
 *   utilisation at first failure: 64 KiB buffer with the heap's control
 *     block inside it (vr_heap_create_in), sizes 16..1024 (or multiples of
 *     64 up to 1024), 40 % frees, until the first failed allocation;
 *     utilisation = requested bytes live / 65536; mean of 20 seeds.
 * Peers: glibc malloc in this process, jemalloc / mimalloc / tcmalloc
 * through one small program each (bench_malloc_<peer>, built when the
 * library was found at configure time), run from here on the same plan;
 * for utilisation, reference allocators of bench/ff_heap.c in the same run;
 * o1heap, TLSF and Zephyr sys_heap as the fixed figures, labelled
 * "published, not measured here".
 * Every figure is printed as one row of the team's table:
 *   | figure | measured | peer (same run) | ratio | target | status |
 * status is met, missed or info; a miss never changes the exit code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdbool.h>
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

/* ---- the table ---- */

static void table_head(const char *what)
{
	printf("\n%s\n\n| figure | measured | peer (same run) | ratio | target | status |\n"
	       "|---|---:|---|---:|---|---|\n", what);
}

/* A row; target_min: met iff measured >= it (ratio >= it if by_ratio), and
 * likewise target_max; NAN for none (then status info). */
static void row(const char *figure, double measured, const char *fmt, const char *peer,
		double peer_v, const char *target, double tmin, double tmax, bool by_ratio)
{
	char m[32], pv[96], r[32];
	double ratio = peer_v > 0 ? measured / peer_v : NAN, x = by_ratio ? ratio : measured;
	const char *status = "info";

	snprintf(m, sizeof(m), fmt, measured);
	if (peer_v > 0) {
		snprintf(pv, sizeof(pv), "%s ", peer);
		snprintf(pv + strlen(pv), sizeof(pv) - strlen(pv), fmt, peer_v);
		snprintf(r, sizeof(r), "%.2fx", ratio);
	} else {
		snprintf(pv, sizeof(pv), "%s", peer);
		snprintf(r, sizeof(r), "-");
	}
	if (!isnan(tmin))
		status = x >= tmin ? "met" : "missed";
	if (!isnan(tmax))
		status = x <= tmax ? "met" : "missed";
	printf("| %s | %s | %s | %s | %s | %s |\n", figure, m, pv, r, target, status);
}

static void row_published(const char *figure, const char *value)
{
	printf("| %s | %s | published, not measured here | - | - | info |\n", figure, value);
}

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
NOINLINE void loop_vr_g64(struct vr_heap *h, void **slot, const uint32_t *idx,
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

/* A heap of granule 64 (vregion's on SOF): every block 64-aligned by
 * vr_heap_alloc, the region's interim path. */
NOINLINE void loop_vr_g64(struct vr_heap *h, void **slot, const uint32_t *idx,
			  const uint32_t *size, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t j = idx[i];

		vr_heap_free(h, slot[j]);
		slot[j] = vr_heap_alloc(h, size[i]);
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

/* align: 0 plain, 64 every request 64-aligned, 1 a heap of granule 64 */
static void vr_setup(size_t align)
{
	size_t i;

	if (vr_heap_init_granule(&g_heap, g_mem, sizeof(g_mem), align == 1 ? 64 : 8) != 0) {
		fprintf(stderr, "vr_heap_init failed\n");
		exit(1);
	}
	for (i = 0; i < SS_LIVE; i++)
		g_slot[i] = align > 1 ? vr_heap_aligned_alloc(&g_heap, align, g_size[i])
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

	gl = time_pairs(2);
	vr = time_pairs(0);
	al = time_pairs(1);
	table_head("Heap: time per free+alloc pair, steady state (256 KiB, 64 live blocks of "
		   "16..2048 B), median of 7 runs, ns");
	row("heap: free+alloc pair, time", vr, "%.2f", "glibc malloc/free", gl, "(info)",
	    NAN, NAN, false);
	row("heap: same, every request 64-aligned, time", al, "%.2f", "glibc malloc/free", gl,
	    "(info)", NAN, NAN, false);
	snprintf(peers, sizeof(peers), "%s", BENCH_PEERS);
	for (tok = strtok_r(peers, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '='), fig[96];
		double v;

		if (eq == NULL)
			continue;
		*eq = '\0';
		v = run_peer(eq + 1, steps);
		snprintf(fig, sizeof(fig), "%s malloc/free, time", tok);
		if (v < 0)
			printf("| %s | (failed to run %s) | | | | info |\n", fig, eq + 1);
		else
			row(fig, v, "%.2f", "glibc malloc/free", gl, "(info)", NAN, NAN, false);
	}
#ifdef BENCH_PEERS_MISSING
	printf("| not built (library not found at configure time): %s | | | | | info |\n",
	       BENCH_PEERS_MISSING);
#endif
}

/* ---- utilisation at first failure ---- */

#define UTIL_BYTES 65536u
static int g_util_seeds = 20;	/* --seeds N */
static _Alignas(64) uint8_t g_umem[UTIL_BYTES];
static struct vr_stress_block g_uslots[4096];
static size_t g_scale = 1;	/* request = rig size * g_scale (multiples of 64) */

static void *u_vr_alloc(void *ctx, size_t size, size_t align)
{
	size *= g_scale;
	return align ? vr_heap_aligned_alloc(ctx, align, size) : vr_heap_alloc(ctx, size);
}

static int u_vr_free(void *ctx, void *p)
{
	return vr_heap_free(ctx, p);
}

static void *u_ff_alloc(void *ctx, size_t size, size_t align)
{
	(void)align;
	return ff_alloc(ctx, size * g_scale);
}

static int u_ff_free(void *ctx, void *p)
{
	ff_free(ctx, p);
	return 0;
}

static void *u_bf_alloc(void *ctx, size_t size, size_t align)
{
	(void)align;
	return bf_alloc(ctx, size * g_scale);
}

static int u_bf_free(void *ctx, void *p)
{
	bf_free(ctx, p);
	return 0;
}

static void *u_ideal_alloc(void *ctx, size_t size, size_t align)
{
	return ideal_alloc(ctx, size * g_scale, align);
}

static int u_ideal_free(void *ctx, void *p)
{
	ideal_free(ctx, p);
	return 0;
}

enum ukind {
	U_VR_INSIDE,	/* vr_heap_create_in, granule 8 */
	U_VR_OUTSIDE,	/* vr_heap_init, granule 8, control block outside */
	U_VR_G64,	/* vr_heap_create_in_granule(64) */
	U_FF,		/* address-ordered first fit, boundary tags, control inside */
	U_BF,		/* exhaustive best fit over vr_heap's block format, no control */
	U_IDEAL,	/* exhaustive best fit, no metadata at all */
};

/* Mean utilisation at first failure over the seeds. align: every request;
 * mult64: sizes 64, 128 .. 1024 instead of 16..1024. */
static double util_run(enum ukind kind, size_t align, bool mult64)
{
	struct vr_stress_ops ops;
	struct vr_stress_cfg cfg;
	struct vr_stress_result r;
	struct vr_heap hh;
	double sum = 0;
	int s;

	g_scale = mult64 ? 64 : 1;
	for (s = 1; s <= g_util_seeds; s++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.seed = (uint32_t)s;
		cfg.min_size = mult64 ? 1 : 16;
		cfg.max_size = mult64 ? 16 : 1024;
		cfg.free_pct = 40;
		cfg.stop_at_fail = true;
		cfg.align = align;
		memset(&ops, 0, sizeof(ops));
		switch (kind) {
		case U_FF:
			ops.alloc = u_ff_alloc;
			ops.free = u_ff_free;
			ops.ctx = ff_create_in(g_umem, UTIL_BYTES);
			break;
		case U_BF:
			ops.alloc = u_bf_alloc;
			ops.free = u_bf_free;
			ops.ctx = bf_create_in(g_umem, UTIL_BYTES);
			break;
		case U_IDEAL:
			ops.alloc = u_ideal_alloc;
			ops.free = u_ideal_free;
			ops.ctx = ideal_create(g_umem, UTIL_BYTES);
			break;
		default:
			ops.alloc = u_vr_alloc;
			ops.free = u_vr_free;
			if (kind == U_VR_OUTSIDE) {
				vr_heap_init(&hh, g_umem, UTIL_BYTES);
				ops.ctx = &hh;
			} else {
				ops.ctx = vr_heap_create_in_granule(g_umem, UTIL_BYTES,
								    kind == U_VR_G64 ? 64 : 8);
			}
			break;
		}
		if (vr_stress_run(&ops, &cfg, g_uslots, 4096, &r) != 0 ||
		    r.first_fail_op == SIZE_MAX) {
			fprintf(stderr, "utilisation run failed (seed %d)\n", s);
			exit(1);
		}
		if (kind <= U_VR_G64 && vr_heap_validate(ops.ctx) != 0) {
			fprintf(stderr, "validate failed after utilisation run\n");
			exit(1);
		}
		sum += (double)(r.fail_live_bytes * g_scale) / UTIL_BYTES;
	}
	g_scale = 1;
	return sum / g_util_seeds;
}

static void bench_util(void)
{
	struct vr_heap *h = vr_heap_create_in(g_umem, UTIL_BYTES);
	struct vr_heap_stats st;
	double in, ff, bf, ideal, a_in, a_g64, a_ideal, m_in, m_g64, m_ideal;
	char fig[256];

	vr_heap_get_stats(h, &st);
	in = util_run(U_VR_INSIDE, 0, false);
	ff = util_run(U_FF, 0, false);
	bf = util_run(U_BF, 0, false);
	ideal = util_run(U_IDEAL, 0, false);
	a_in = util_run(U_VR_INSIDE, 64, false);
	a_g64 = util_run(U_VR_G64, 64, false);
	a_ideal = util_run(U_IDEAL, 64, false);
	m_in = util_run(U_VR_INSIDE, 64, true);
	m_g64 = util_run(U_VR_G64, 64, true);
	m_ideal = util_run(U_IDEAL, 64, true);
	snprintf(fig, sizeof(fig), "Heap: utilisation at first failure (requested bytes live / 64 KiB, "
		 "control block inside: %zu B, 40 %% frees, mean of %d seeds)", st.overhead,
		 g_util_seeds);
	table_head(fig);
	row("heap: utilisation, sizes 16..1024", in, "%.4f", "first fit (bench/ff_heap.c)", ff,
	    ">= 0.90", 0.90, NAN, false);
	row("heap: same, control block outside (vr_heap_init)", util_run(U_VR_OUTSIDE, 0, false),
	    "%.4f", "first fit", ff, "(info)", NAN, NAN, false);
	row("ceiling: exhaustive best fit, vr_heap's 4-byte headers, no control block", bf, "%.4f",
	    "vr_heap", in, "(info)", NAN, NAN, false);
	row("ceiling: exhaustive best fit, no metadata at all", ideal, "%.4f", "vr_heap", in,
	    "(info)", NAN, NAN, false);
	row_published("TLSF (0.90 control outside)", "0.81");
	row_published("Zephyr sys_heap", "0.88");
	row_published("o1heap", "0.66");
	row("heap: every request 64-aligned, sizes 16..1024 (granule 8)", a_in, "%.4f",
	    "ideal best fit, no metadata", a_ideal, ">= 0.90", 0.90, NAN, false);
	row("heap: same, a heap of granule 64 (vregion's on SOF)", a_g64, "%.4f",
	    "ideal best fit, no metadata", a_ideal, ">= 0.90", 0.90, NAN, false);
	row("heap: every request 64-aligned, sizes 64..1024 in steps of 64 (granule 8)", m_in,
	    "%.4f", "ideal best fit, no metadata", m_ideal, ">= 0.90", 0.90, NAN, false);
	row("heap: same, a heap of granule 64", m_g64, "%.4f", "ideal best fit, no metadata",
	    m_ideal, ">= 0.90", 0.90, NAN, false);
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

/* p50, p99, p99.99 and max of v[n] in ns, timer overhead subtracted. */
static void pct(uint32_t *v, size_t n, uint32_t base, double out[4])
{
	static const double q[3] = { 0.5, 0.99, 0.9999 };
	int k;

	qsort(v, n, sizeof(*v), cmp_u32);
	for (k = 0; k < 3; k++) {
		uint32_t x = v[(size_t)((double)n * q[k])];

		out[k] = (double)(x > base ? x - base : 0) * g_ns_per_tick;
	}
	out[3] = (double)(v[n - 1] > base ? v[n - 1] - base : 0) * g_ns_per_tick;
}

/* kind: 0 vr, 1 vr aligned 64, 2 malloc; alloc and free percentiles */
static void latency_run(int kind, uint32_t *la, uint32_t *lf, size_t n, uint32_t base,
			double pa[4], double pf[4])
{
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
	pct(la, n, base, pa);
	pct(lf, n, base, pf);
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
	static const char *const names[2] = { "heap", "heap, 64-aligned" };
	static const char *const qs[4] = { "p50", "p99", "p99.99", "max" };
	size_t n = g_total - SS_LIVE;
	uint32_t *la = malloc(n * sizeof(*la)), *lf = malloc(n * sizeof(*lf)), base, res;
	double pa[3][4], pf[3][4];
	char fig[128];
	int k, q;

	if (la == NULL || lf == NULL)
		exit(1);
	calibrate();
	base = timer_base(la, n, &res);
	for (k = 0; k < 3; k++)
		latency_run(k, la, lf, n, base, pa[k], pf[k]);
	snprintf(fig, sizeof(fig), "Heap: latency per operation, steady state, %zu each (%s, "
		 "resolution %.1f ns, timer overhead %.1f ns subtracted), ns", n,
		 HAVE_TSC ? "rdtsc" : "clock_gettime", res * g_ns_per_tick, base * g_ns_per_tick);
	table_head(fig);
	for (k = 0; k < 2; k++) {
		for (q = 0; q < 4; q++) {
			snprintf(fig, sizeof(fig), "%s: alloc %s", names[k], qs[q]);
			row(fig, pa[k][q], "%.1f", "glibc malloc", pa[2][q], "(info)", NAN, NAN, false);
			snprintf(fig, sizeof(fig), "%s: free %s", names[k], qs[q]);
			row(fig, pf[k][q], "%.1f", "glibc free", pf[2][q], "(info)", NAN, NAN, false);
		}
	}
	free(la);
	free(lf);
}

/* ---- aligned vs unaligned ---- */

static void bench_aligned(void)
{
	double vr = time_pairs(0), al = time_pairs(1);

	table_head("Heap: every request 64-aligned against the plain pair, time (the "
		   "instruction ratio is bench/callgrind.sh's row)");
	row("heap: 64-aligned pair / plain pair, time", al, "%.2f ns", "plain pair", vr,
	    "(info)", NAN, NAN, true);
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
	vr_setup(1);
	loop_vr_g64(&g_heap, g_slot, g_idx + SS_LIVE, g_size + SS_LIVE, n);
	vr_check_clean("callgrind granule-64 loop");
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
