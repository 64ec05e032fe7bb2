/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_region.c - what a region allocation costs, through the SOF API (the
 * default pool on the posix port) and the native API, as ratios against
 * peers measured in the same run (host only; figures in docs/performance.md).
 *
 * 1. LIFETIME allocation: K allocations of precomputed sizes (16..512 B,
 *    uniform, fixed seed) per batch, best of R batches:
 *      raw bump        an inline pointer bump with 64-byte alignment and size
 *                      padding (the floor: the rule with no checks at all);
 *      obstack(63)     glibc obstack_alloc, obstack_alignment_mask 63 (the
 *                      same 64-byte alignment: the peer of the target rows);
 *      sof shared      vregion_alloc on a vregion_create region (shared,
 *                      thread-safe: the lock-free bump);
 *      native shared   vr_region_alloc on a locked region (same path);
 *      native nolock   vr_region_alloc on a VR_REGION_NOLOCK region (inline);
 *      native call     the exported function on a NOLOCK region (no inlining).
 * 2. INTERIM alloc+free pairs on the steady-state workload of bench_heap
 *    (bench_common.h: 64 live blocks of 16..2048 B, each step frees one slot
 *    and allocates into it), in a region of 256 KiB after set_interim:
 *      glibc malloc    free + malloc (the peer of the target row);
 *      glibc aligned   free + aligned_alloc(64) (what SOF's alignment asks);
 *      vr_heap         vr_heap_free + vr_heap_aligned_alloc(64), no region;
 *      sof             vregion_free + vregion_alloc (default pool, locked);
 *      native shared / native nolock   vr_region_free + vr_region_alloc.
 * Time: the groups' loops are interleaved batch by batch (a noisy neighbour
 * affects every peer alike); only the loops are timed.
 * Instructions: when valgrind is installed, the program runs itself under
 * callgrind once per loop function (--toggle-collect, exact counts), the
 * count divided by the operations, loop overhead included.
 *
 *   bench_region [batches]        (default 200; --no-callgrind: time only)
 *   bench_region --loop NAME N    (internal: run one loop N times, for callgrind)
 */
#define _GNU_SOURCE
#include <obstack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sof/lib/vregion.h>
#include "vregion/port_posix.h"
#include "vregion/sof_compat.h"
#include "vregion/vregion.h"
#include "bench_common.h"

#define obstack_chunk_alloc malloc
#define obstack_chunk_free free
#define NOINLINE __attribute__((noinline))

#define K 1024u			/* lifetime allocations per batch */
#define PAGE 4096u
#define REGION_BYTES (160u * PAGE)	/* > K * 576: never full in a batch */
#define SS_STEPS 4096u		/* interim steps per batch */
#define SS_REGION (SS_HEAP_BYTES + PAGE)

static uint32_t sizes[K];
static volatile uintptr_t sink;

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

static void die(const char *what)
{
	fprintf(stderr, "bench_region: %s\n", what);
	exit(1);
}

/* ---- 1. lifetime loops (callgrind toggles on these names) -------------------- */

NOINLINE uintptr_t life_raw(uint8_t *mem);
NOINLINE uintptr_t life_obstack(struct obstack *ob);
NOINLINE uintptr_t life_sof(struct vregion *vr);
NOINLINE uintptr_t life_shared(struct vr_region *vr);
NOINLINE uintptr_t life_nolock(struct vr_region *vr);
NOINLINE uintptr_t life_call(struct vr_region *vr, void *(*f)(struct vr_region *, size_t));

NOINLINE uintptr_t life_raw(uint8_t *mem)
{
	uintptr_t ptr = (uintptr_t)mem, end = ptr + REGION_BYTES, acc = 0;
	unsigned i;

	for (i = 0; i < K; i++) {
		uintptr_t p = (ptr + 63) & ~(uintptr_t)63;
		size_t n = ((size_t)sizes[i] + 63) & ~(size_t)63;

		if (__builtin_expect(n > end - p, 0))
			break;
		ptr = p + n;
		acc ^= p;
		__asm__ volatile("" : : "r"(acc));	/* one alloc per iteration */
	}
	return acc;
}

NOINLINE uintptr_t life_obstack(struct obstack *ob)
{
	uintptr_t acc = 0;
	unsigned i;

	for (i = 0; i < K; i++) {
		acc ^= (uintptr_t)obstack_alloc(ob, sizes[i]);
		__asm__ volatile("" : : "r"(acc));
	}
	return acc;
}

NOINLINE uintptr_t life_sof(struct vregion *vr)
{
	uintptr_t acc = 0;
	unsigned i;

	for (i = 0; i < K; i++) {
		acc ^= (uintptr_t)vregion_alloc(vr, sizes[i]);
		__asm__ volatile("" : : "r"(acc));
	}
	return acc;
}

static inline uintptr_t life_native(struct vr_region *vr)
{
	uintptr_t acc = 0;
	unsigned i;

	for (i = 0; i < K; i++) {
		acc ^= (uintptr_t)vr_region_alloc(vr, sizes[i]);
		__asm__ volatile("" : : "r"(acc));
	}
	return acc;
}

/* two copies, so that callgrind can tell them apart */
NOINLINE uintptr_t life_shared(struct vr_region *vr)
{
	return life_native(vr);
}

NOINLINE uintptr_t life_nolock(struct vr_region *vr)
{
	return life_native(vr);
}

NOINLINE uintptr_t life_call(struct vr_region *vr, void *(*f)(struct vr_region *, size_t))
{
	uintptr_t acc = 0;
	unsigned i;

	for (i = 0; i < K; i++) {
		acc ^= (uintptr_t)f(vr, sizes[i]);
		__asm__ volatile("" : : "r"(acc));
	}
	return acc;
}

/* ---- 2. interim loops ---------------------------------------------------------- */

static uint32_t ss_idx[SS_LIVE + SS_STEPS], ss_size[SS_LIVE + SS_STEPS];
static const uint32_t *st_idx = ss_idx + SS_LIVE, *st_size = ss_size + SS_LIVE;

NOINLINE void ss_malloc(void **slot);
NOINLINE void ss_aligned(void **slot);
NOINLINE void ss_heap(struct vr_heap *h, void **slot);
NOINLINE void ss_sof(struct vregion *vr, void **slot);
NOINLINE void ss_shared(struct vr_region *vr, void **slot);
NOINLINE void ss_nolock(struct vr_region *vr, void **slot);

NOINLINE void ss_malloc(void **slot)
{
	unsigned i;

	for (i = 0; i < SS_STEPS; i++) {
		free(slot[st_idx[i]]);
		slot[st_idx[i]] = malloc(st_size[i]);
	}
}

NOINLINE void ss_aligned(void **slot)
{
	unsigned i;

	for (i = 0; i < SS_STEPS; i++) {
		free(slot[st_idx[i]]);
		slot[st_idx[i]] = aligned_alloc(64, (st_size[i] + 63u) & ~63u);
	}
}

NOINLINE void ss_heap(struct vr_heap *h, void **slot)
{
	unsigned i;

	for (i = 0; i < SS_STEPS; i++) {
		vr_heap_free(h, slot[st_idx[i]]);
		slot[st_idx[i]] = vr_heap_aligned_alloc(h, 64, st_size[i]);
	}
}

NOINLINE void ss_sof(struct vregion *vr, void **slot)
{
	unsigned i;

	for (i = 0; i < SS_STEPS; i++) {
		vregion_free(vr, slot[st_idx[i]]);
		slot[st_idx[i]] = vregion_alloc(vr, st_size[i]);
	}
}

static inline void ss_native(struct vr_region *vr, void **slot)
{
	unsigned i;

	for (i = 0; i < SS_STEPS; i++) {
		vr_region_free(vr, slot[st_idx[i]]);
		slot[st_idx[i]] = vr_region_alloc(vr, st_size[i]);
	}
}

NOINLINE void ss_shared(struct vr_region *vr, void **slot)
{
	ss_native(vr, slot);
}

NOINLINE void ss_nolock(struct vr_region *vr, void **slot)
{
	ss_native(vr, slot);
}

/* ---- the subjects ---------------------------------------------------------------- */

static struct vr_port port;
static struct vr_vpage_pool pool;
static uint8_t *raw_mem, *heap_mem;
static struct obstack ob63;
static void *ob63_base;
static struct vr_heap heap;

/* interim subjects and their slots */
enum { I_MALLOC, I_ALIGNED, I_HEAP, I_SOF, I_SHARED, I_NOLOCK, NI };
static void *slots[NI][SS_LIVE];
static struct vregion *ss_sof_vr;
static struct vr_region *ss_shared_vr, *ss_nolock_vr;

static struct vr_region *mk(size_t bytes, unsigned flags, bool interim)
{
	struct vr_region_config cfg;
	struct vr_region *vr;

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = bytes;
	cfg.flags = flags;
	vr = vr_region_create(&pool, &cfg);
	if (!vr)
		die("region create failed");
	if (interim && vr_region_set_interim(vr) != 0)
		die("set_interim failed");
	return vr;
}

static void setup(void)
{
	struct vr_posix_port_config pc;
	unsigned i;

	make_sizes();
	ss_plan(ss_idx, ss_size, SS_LIVE + SS_STEPS);
	raw_mem = aligned_alloc(64, REGION_BYTES);
	heap_mem = aligned_alloc(64, SS_HEAP_BYTES);
	if (!raw_mem || !heap_mem || vr_heap_init(&heap, heap_mem, SS_HEAP_BYTES))
		die("no memory");
	obstack_specify_allocation(&ob63, REGION_BYTES + 4096, 64, malloc, free);
	obstack_alignment_mask(&ob63) = 63;
	ob63_base = obstack_alloc(&ob63, 1);

	memset(&pc, 0, sizeof(pc));
	pc.page_size = PAGE;
	pc.phys_pages = 1024;
	pc.window_pages = 2048;
	pc.cache_line = 64;
	pc.log_level = VR_POSIX_LOG_OFF;
	if (vr_posix_port_create(&port, &pc) || vr_vpage_pool_init(&pool, &port, NULL))
		die("posix port");
	ss_shared_vr = mk(SS_REGION, 0, true);
	ss_nolock_vr = mk(SS_REGION, VR_REGION_NOLOCK, true);
	ss_sof_vr = vregion_create(SS_REGION);
	if (!ss_sof_vr)
		die("vregion_create failed");
	vregion_set_interim(ss_sof_vr);
	for (i = 0; i < SS_LIVE; i++) {
		slots[I_MALLOC][i] = malloc(ss_size[i]);
		slots[I_ALIGNED][i] = aligned_alloc(64, (ss_size[i] + 63u) & ~63u);
		slots[I_HEAP][i] = vr_heap_aligned_alloc(&heap, 64, ss_size[i]);
		slots[I_SOF][i] = vregion_alloc(ss_sof_vr, ss_size[i]);
		slots[I_SHARED][i] = vr_region_alloc(ss_shared_vr, ss_size[i]);
		slots[I_NOLOCK][i] = vr_region_alloc(ss_nolock_vr, ss_size[i]);
	}
}

static void teardown(void)
{
	unsigned i;

	for (i = 0; i < SS_LIVE; i++) {
		free(slots[I_MALLOC][i]);
		free(slots[I_ALIGNED][i]);
	}
	vregion_put(ss_sof_vr);
	vr_region_put(ss_shared_vr);
	vr_region_put(ss_nolock_vr);
	vr_vpage_pool_deinit(&pool);
	vr_posix_port_destroy(&port);
	vr_sof_deinit();
	obstack_free(&ob63, NULL);
	free(raw_mem);
	free(heap_mem);
}

/* One run of subject `s`: a lifetime batch (fresh region) or an interim
 * batch. Returns ns, or 0 for an unknown name. */
enum { L_RAW, L_OBSTACK, L_SOF, L_SHARED, L_NOLOCK, L_CALL, NL };
static const char *const lname[NL] = { "life_raw", "life_obstack", "life_sof",
				       "life_shared", "life_nolock", "life_call" };
static const char *const iname[NI] = { "ss_malloc", "ss_aligned", "ss_heap",
				       "ss_sof", "ss_shared", "ss_nolock" };

static double run_life(unsigned s)
{
	void *(*volatile fn)(struct vr_region *, size_t) = vr_region_alloc;
	struct vregion *svr = NULL;
	struct vr_region *vr = NULL;
	uintptr_t acc = 0;
	double t0;

	if (s == L_SOF && !(svr = vregion_create(REGION_BYTES)))
		die("vregion_create failed");
	if (s == L_SHARED || s == L_NOLOCK || s == L_CALL)
		vr = mk(REGION_BYTES, s == L_SHARED ? 0 : VR_REGION_NOLOCK, false);
	t0 = bench_now_ns();
	switch (s) {
	case L_RAW: acc = life_raw(raw_mem); break;
	case L_OBSTACK: acc = life_obstack(&ob63); break;
	case L_SOF: acc = life_sof(svr); break;
	case L_CALL: acc = life_call(vr, fn); break;
	case L_SHARED: acc = life_shared(vr); break;
	default: acc = life_nolock(vr); break;
	}
	t0 = bench_now_ns() - t0;
	if (!acc)
		die("lifetime loop failed");
	if (s == L_OBSTACK) {
		obstack_free(&ob63, ob63_base);		/* back to the start of the chunk */
		ob63_base = obstack_alloc(&ob63, 1);
	}
	if (svr && vregion_put(svr))
		die("vregion_put");
	if (vr && vr_region_put(vr))
		die("vr_region_put");
	sink ^= acc;
	return t0;
}

static double run_interim(unsigned s)
{
	double t0 = bench_now_ns();

	switch (s) {
	case I_MALLOC: ss_malloc(slots[s]); break;
	case I_ALIGNED: ss_aligned(slots[s]); break;
	case I_HEAP: ss_heap(&heap, slots[s]); break;
	case I_SOF: ss_sof(ss_sof_vr, slots[s]); break;
	case I_SHARED: ss_shared(ss_shared_vr, slots[s]); break;
	default: ss_nolock(ss_nolock_vr, slots[s]); break;
	}
	return bench_now_ns() - t0;
}

/* ---- instruction counts: this program under callgrind, one loop at a time ---- */

static bool use_callgrind = true;

/* Instructions per operation in loop `name`, or -1 (no valgrind). */
static double instructions(const char *name, unsigned batches, unsigned ops_per_batch)
{
	char out[64], cmd[512], line[256];
	double total = -1;
	FILE *f;

	snprintf(out, sizeof(out), "/tmp/bench_region.%d.cg", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --callgrind-out-file=%s --toggle-collect=%s "
		 "/proc/%d/exe --loop %s %u >/dev/null 2>&1", out, name, (int)getpid(), name, batches);
	if (system(cmd) != 0)
		return -1;
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "summary:", 8) || !strncmp(line, "totals:", 7))
			total = atof(strchr(line, ':') + 1);
	if (f)
		fclose(f);
	remove(out);
	return total < 0 ? -1 : total / ((double)batches * ops_per_batch);
}

static int loop_mode(const char *name, unsigned n)
{
	unsigned s, b;

	setup();
	for (s = 0; s < NL; s++)
		if (!strcmp(name, lname[s]))
			for (b = 0; b < n; b++)
				run_life(s);
	for (s = 0; s < NI; s++)
		if (!strcmp(name, iname[s]))
			for (b = 0; b < n; b++)
				run_interim(s);
	teardown();
	return 0;
}

/* ---- the table ---------------------------------------------------------------- */

static void row(const char *fig, double v, const char *unit, const char *peer, double pv,
		const char *target, double limit, bool ratio_target)
{
	double ratio = pv > 0 ? v / pv : 0;
	const char *status = "info";
	char m[48], p[96], r[16];

	if (limit > 0)
		status = (ratio_target ? ratio : v) <= limit ? "met" : "missed";
	snprintf(m, sizeof(m), "%.2f %s", v, unit);
	if (v < 0)
		snprintf(m, sizeof(m), "not measured (no valgrind)");
	snprintf(p, sizeof(p), "%s %.2f %s", peer, pv, unit);
	snprintf(r, sizeof(r), pv > 0 && v >= 0 ? "%.2fx" : "-", ratio);
	if (v < 0)
		status = "info";
	printf("| %s | %s | %s | %s | %s | %s |\n", fig, m, p, r, target, status);
}

int main(int argc, char **argv)
{
	double life[NL] = { 0 }, pair[NI] = { 0 }, li[NL] = { 0 }, pi[NI] = { 0 }, t;
	unsigned batches = 200, b, s, cg = 40;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--loop") && i + 2 < argc)
			return loop_mode(argv[i + 1], (unsigned)atoi(argv[i + 2]));
		if (!strcmp(argv[i], "--no-callgrind"))
			use_callgrind = false;
		else if (atoi(argv[i]) > 0)
			batches = (unsigned)atoi(argv[i]);
	}
	setup();
	for (b = 0; b < batches; b++) {
		for (s = 0; s < NL; s++)
			if ((t = run_life(s)) < life[s] || life[s] == 0)
				life[s] = t;
		for (s = 0; s < NI; s++)
			if ((t = run_interim(s)) < pair[s] || pair[s] == 0)
				pair[s] = t;
	}
	teardown();
	for (s = 0; s < NL; s++) {
		life[s] /= K;
		li[s] = use_callgrind ? instructions(lname[s], cg, K) : -1;
	}
	for (s = 0; s < NI; s++) {
		pair[s] /= SS_STEPS;
		pi[s] = use_callgrind ? instructions(iname[s], cg, SS_STEPS) : -1;
	}

	printf("bench_region: best of %u batches; lifetime: %u allocations of 16..512 B per batch; "
	       "interim: %u steady-state steps (64 live blocks of 16..2048 B) per batch; "
	       "instructions: callgrind, loop overhead included\n\n", batches, K, SS_STEPS);
	printf("| figure | measured | peer (same run) | ratio | target | status |\n");
	printf("|---|---:|---|---:|---|---|\n");
	row("SOF vregion_alloc, LIFETIME, shared region: time", life[L_SOF], "ns",
	    "obstack(63)", life[L_OBSTACK], "<= 2x obstack", 2.0, true);
	row("SOF vregion_alloc, LIFETIME, shared region: instructions", li[L_SOF], "",
	    "obstack(63)", li[L_OBSTACK], "<= 60", 60, false);
	row("native vr_region_alloc, LIFETIME, shared region: time", life[L_SHARED], "ns",
	    "obstack(63)", life[L_OBSTACK], "", 0, true);
	row("native vr_region_alloc, LIFETIME, shared region: instructions", li[L_SHARED], "",
	    "obstack(63)", li[L_OBSTACK], "", 0, false);
	row("native vr_region_alloc, LIFETIME, NOLOCK (inline): time", life[L_NOLOCK], "ns",
	    "obstack(63)", life[L_OBSTACK], "<= 1x obstack", 1.0, true);
	row("native vr_region_alloc, LIFETIME, NOLOCK (inline): instructions", li[L_NOLOCK], "",
	    "obstack(63)", li[L_OBSTACK], "", 0, false);
	row("native vr_region_alloc, LIFETIME, NOLOCK, exported call: time", life[L_CALL], "ns",
	    "obstack(63)", life[L_OBSTACK], "", 0, true);
	row("raw inline bump (the floor): time", life[L_RAW], "ns", "obstack(63)",
	    life[L_OBSTACK], "", 0, true);
	row("SOF vregion_free+vregion_alloc, INTERIM pair: time", pair[I_SOF], "ns",
	    "glibc free+malloc", pair[I_MALLOC], "<= 1.0x malloc", 1.0, true);
	row("SOF vregion_free+vregion_alloc, INTERIM pair: instructions", pi[I_SOF], "",
	    "glibc free+malloc", pi[I_MALLOC], "<= 300", 300, false);
	row("SOF INTERIM pair against aligned_alloc(64): time", pair[I_SOF], "ns",
	    "glibc free+aligned_alloc(64)", pair[I_ALIGNED], "", 0, true);
	row("SOF INTERIM pair against aligned_alloc(64): instructions", pi[I_SOF], "",
	    "glibc free+aligned_alloc(64)", pi[I_ALIGNED], "", 0, false);
	row("native INTERIM pair, shared region: time", pair[I_SHARED], "ns",
	    "glibc free+malloc", pair[I_MALLOC], "", 0, true);
	row("native INTERIM pair, shared region: instructions", pi[I_SHARED], "",
	    "glibc free+malloc", pi[I_MALLOC], "", 0, false);
	row("native INTERIM pair, NOLOCK: instructions", pi[I_NOLOCK], "", "glibc free+malloc",
	    pi[I_MALLOC], "", 0, false);
	row("vr_heap free+aligned_alloc(64), no region: instructions", pi[I_HEAP], "",
	    "glibc free+malloc", pi[I_MALLOC], "", 0, false);
	return sink == 1 ? 2 : 0;
}
