/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_region.c - what a region allocation costs, as ratios against peers
 * measured in the same run (host only; numbers in docs/performance.md).
 *
 * 1. LIFETIME allocation (the bump path), K allocations of precomputed sizes
 *    (16..512 B, uniform, fixed seed) per batch, best of R batches:
 *      raw bump        an inline pointer bump with 64-byte alignment and
 *                      size padding (the floor: what vregion's rule costs
 *                      with no checks at all);
 *      obstack(63)     glibc obstack_alloc with obstack_alignment_mask 63
 *                      (the same 64-byte alignment: the fair peer);
 *      obstack(def)    glibc obstack_alloc with its default mask;
 *      region nolock   vr_region_alloc, VR_REGION_NOLOCK (inline fast path);
 *      region call     the exported function, NOLOCK (no inlining);
 *      region locked   vr_region_alloc on a locked region (posix port:
 *                      pthread mutex, uncontended);
 *      sof             vregion_alloc (SOF compat, default pool, locked).
 * 2. INTERIM alloc+free pairs (same sizes), best of R batches:
 *      malloc          glibc malloc + free;
 *      heap            vr_heap_aligned_alloc(64) + vr_heap_free directly;
 *      region nolock / region locked   vr_region_alloc + vr_region_free.
 * Measurements of a group are interleaved batch by batch, so a noisy
 * neighbour affects every peer alike. Only the timed loops are timed;
 * region creation happens outside them.
 *
 * Usage: bench_region [batches]   (default 200)
 */
#define _GNU_SOURCE
#include <obstack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sof/lib/vregion.h>
#include "vregion/port_posix.h"
#include "vregion/sof_compat.h"
#include "vregion/vregion.h"

#define obstack_chunk_alloc malloc
#define obstack_chunk_free free

#define K 1024u			/* allocations per batch */
#define PAGE 4096u
#define REGION_BYTES (96u * PAGE)	/* > K * 576: never full in a batch */

static uint32_t sizes[K];
static volatile uintptr_t sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void make_sizes(void)
{
	uint32_t x = 20240601u;
	unsigned i;

	for (i = 0; i < K; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sizes[i] = 16 + x % (512 - 16 + 1);
	}
}

/* ---- lifetime peers ------------------------------------------------------------- */

static uint8_t *raw_mem;

static double run_raw(void)
{
	uintptr_t ptr = (uintptr_t)raw_mem, end = ptr + REGION_BYTES, acc = 0;
	double t0 = now_ns();
	unsigned i;

	for (i = 0; i < K; i++) {
		uintptr_t p = (ptr + 63) & ~(uintptr_t)63;
		size_t n = ((size_t)sizes[i] + 63) & ~(size_t)63;

		if (__builtin_expect(n > end - p, 0))
			break;
		ptr = p + n;
		acc ^= p;
		__asm__ volatile("" : : "r"(acc));	/* keep one alloc per iteration */
	}
	t0 = now_ns() - t0;
	sink ^= acc;
	return t0;
}

static struct obstack ob63, obdef;
static void *ob63_base, *obdef_base;

static double run_obstack(struct obstack *ob, void *base)
{
	uintptr_t acc = 0;
	double t0;
	unsigned i;

	t0 = now_ns();
	for (i = 0; i < K; i++) {
		void *p = obstack_alloc(ob, sizes[i]);

		acc ^= (uintptr_t)p;
		__asm__ volatile("" : : "r"(acc));
	}
	t0 = now_ns() - t0;
	obstack_free(ob, base);			/* back to the start of the chunk */
	obstack_alloc(ob, 1);
	sink ^= acc;
	return t0;
}

static struct vr_port port;
static struct vr_vpage_pool pool;

static struct vr_region *mk(unsigned flags, bool interim)
{
	struct vr_region_config cfg;
	struct vr_region *vr;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = REGION_BYTES;
	cfg.flags = flags;
	vr = vr_region_create(&pool, &cfg);
	if (!vr) {
		fprintf(stderr, "bench_region: region create failed\n");
		exit(1);
	}
	if (interim && vr_region_set_interim(vr) != 0) {
		fprintf(stderr, "bench_region: set_interim failed\n");
		exit(1);
	}
	return vr;
}

static double run_region_inline(unsigned flags)
{
	struct vr_region *vr = mk(flags, false);
	uintptr_t acc = 0;
	double t0;
	unsigned i;

	t0 = now_ns();
	for (i = 0; i < K; i++) {
		void *p = vr_region_alloc(vr, sizes[i]);

		acc ^= (uintptr_t)p;
		__asm__ volatile("" : : "r"(acc));
	}
	t0 = now_ns() - t0;
	if (!acc || vr_region_put(vr)) {
		fprintf(stderr, "bench_region: unexpected\n");
		exit(1);
	}
	sink ^= acc;
	return t0;
}

static double run_region_call(void)
{
	struct vr_region *vr = mk(VR_REGION_NOLOCK, false);
	void *(*volatile fn)(struct vr_region *, size_t) = vr_region_alloc;
	void *(*f)(struct vr_region *, size_t) = fn;	/* an opaque call */
	uintptr_t acc = 0;
	double t0;
	unsigned i;

	t0 = now_ns();
	for (i = 0; i < K; i++) {
		acc ^= (uintptr_t)f(vr, sizes[i]);
		__asm__ volatile("" : : "r"(acc));
	}
	t0 = now_ns() - t0;
	vr_region_put(vr);
	sink ^= acc;
	return t0;
}

static double run_sof(void)
{
	struct vregion *vr = vregion_create(REGION_BYTES);
	uintptr_t acc = 0;
	double t0;
	unsigned i;

	t0 = now_ns();
	for (i = 0; i < K; i++) {
		acc ^= (uintptr_t)vregion_alloc(vr, sizes[i]);
		__asm__ volatile("" : : "r"(acc));
	}
	t0 = now_ns() - t0;
	vregion_put(vr);
	sink ^= acc;
	return t0;
}

/* ---- interim peers ---------------------------------------------------------------- */

static double run_malloc_pairs(void)
{
	double t0 = now_ns();
	unsigned i;

	for (i = 0; i < K; i++) {
		void *p = malloc(sizes[i]);

		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	}
	return now_ns() - t0;
}

static struct vr_heap heap;
static uint8_t *heap_mem;

static double run_heap_pairs(void)
{
	double t0 = now_ns();
	unsigned i;

	for (i = 0; i < K; i++) {
		void *p = vr_heap_aligned_alloc(&heap, 64, sizes[i]);

		__asm__ volatile("" : : "r"(p) : "memory");
		vr_heap_free(&heap, p);
	}
	return now_ns() - t0;
}

static struct vr_region *ivr_nolock, *ivr_locked;

static double run_region_pairs(struct vr_region *vr)
{
	double t0 = now_ns();
	unsigned i;

	for (i = 0; i < K; i++) {
		void *p = vr_region_alloc(vr, sizes[i]);

		__asm__ volatile("" : : "r"(p) : "memory");
		vr_region_free(vr, p);
	}
	return now_ns() - t0;
}

/* ---- driver ---------------------------------------------------------------------- */

struct peer {
	const char *name;
	double best;		/* ns per batch */
};

static void keep(struct peer *p, double t)
{
	if (p->best == 0 || t < p->best)
		p->best = t;
}

static void report(const char *title, struct peer *peers, unsigned n, unsigned base)
{
	unsigned i, j;

	printf("\n%s (ns per operation, best of the batches)\n", title);
	for (i = 0; i < n; i++) {
		printf("  %-16s %7.2f ns", peers[i].name, peers[i].best / K);
		for (j = 0; j < n; j++)
			if (j != i && (j == base || (j < base + 3 && j > base)))
				printf("   %5.2fx %s", peers[i].best / peers[j].best, peers[j].name);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	struct vr_posix_port_config pc;
	unsigned batches = argc > 1 ? (unsigned)atoi(argv[1]) : 200, b;
	enum { RAW, OB63, OBDEF, NOLOCK, CALL, LOCKED, SOF, NL };
	struct peer life[NL] = {
		{ "raw bump", 0 }, { "obstack(63)", 0 }, { "obstack(def)", 0 },
		{ "region nolock", 0 }, { "region call", 0 }, { "region locked", 0 },
		{ "sof vregion", 0 },
	};
	enum { MALLOC, HEAP, INOLOCK, ILOCKED, NI };
	struct peer pairs[NI] = {
		{ "glibc malloc", 0 }, { "vr_heap", 0 }, { "region nolock", 0 },
		{ "region locked", 0 },
	};

	if (batches == 0)
		batches = 1;
	make_sizes();
	raw_mem = aligned_alloc(64, REGION_BYTES);
	heap_mem = aligned_alloc(64, REGION_BYTES);
	if (!raw_mem || !heap_mem || vr_heap_init(&heap, heap_mem, REGION_BYTES))
		return 1;

	obstack_specify_allocation(&ob63, REGION_BYTES + 4096, 64, malloc, free);
	obstack_alignment_mask(&ob63) = 63;
	ob63_base = obstack_alloc(&ob63, 1);
	obstack_specify_allocation(&obdef, REGION_BYTES + 4096, 0, malloc, free);
	obdef_base = obstack_alloc(&obdef, 1);

	memset(&pc, 0, sizeof(pc));
	pc.page_size = PAGE;
	pc.phys_pages = 512;
	pc.window_pages = 1024;
	pc.cache_line = 64;
	pc.log_level = VR_POSIX_LOG_OFF;
	if (vr_posix_port_create(&port, &pc) || vr_vpage_pool_init(&pool, &port, NULL))
		return 1;
	ivr_nolock = mk(VR_REGION_NOLOCK, true);
	ivr_locked = mk(0, true);

	for (b = 0; b < batches; b++) {
		keep(&life[RAW], run_raw());
		keep(&life[OB63], run_obstack(&ob63, ob63_base));
		keep(&life[OBDEF], run_obstack(&obdef, obdef_base));
		keep(&life[NOLOCK], run_region_inline(VR_REGION_NOLOCK));
		keep(&life[CALL], run_region_call());
		keep(&life[LOCKED], run_region_inline(0));
		keep(&life[SOF], run_sof());

		keep(&pairs[MALLOC], run_malloc_pairs());
		keep(&pairs[HEAP], run_heap_pairs());
		keep(&pairs[INOLOCK], run_region_pairs(ivr_nolock));
		keep(&pairs[ILOCKED], run_region_pairs(ivr_locked));
	}

	printf("bench_region: %u batches of %u operations, sizes 16..512 B uniform\n", batches, K);
	report("LIFETIME allocation, ratio against raw bump and the obstacks", life, NL, RAW);
	report("INTERIM alloc+free pair, ratio against malloc, vr_heap and region nolock", pairs, NI,
	       MALLOC);

	vr_region_put(ivr_nolock);
	vr_region_put(ivr_locked);
	vr_vpage_pool_deinit(&pool);
	vr_posix_port_destroy(&port);
	vr_sof_deinit();
	obstack_free(&ob63, NULL);
	obstack_free(&obdef, NULL);
	free(raw_mem);
	free(heap_mem);
	return sink == 1 ? 2 : 0;
}
