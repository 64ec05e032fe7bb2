/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sof_compat.c - SOF's API (sof/lib/vpage.h, sof/lib/vregion.h,
 * rtos/alloc.h) over the default pool, and the pool's own entry points
 * (vregion/sof_compat.h). Runs on every target (posix default pool on a
 * host, flat default pool elsewhere):
 *   - sof_ctx_* with and without a region, flags, zalloc through the alias;
 *   - NULL-safety of every SOF function, upstream's no-op cases;
 *   - vpage: non-LIFO frees (upstream 4.1), more than 128 live runs,
 *     rejected frees change nothing;
 *   - vr_sof_init / vr_sof_deinit: explicit port, heap hooks, region flags,
 *     -EBUSY and -EINVAL cases;
 *   - a DP module's vregion lifecycle as in the firmware (SYSTEM.md 2).
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include <rtos/alloc.h>
#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>
#include "vregion/port_flat.h"
#include "vregion/sof_compat.h"

#define PG 4096u

static int teardown(void **state)
{
	(void)state;
	return vr_sof_deinit();
}

static struct vr_region_stats st_of(struct vregion *vr)
{
	struct vr_region_stats st;

	assert_int_equal(vr_region_get_stats(vr_sof_region(vr), &st), 0);
	return st;
}

static const struct vr_port *dport(void)
{
	return vr_vpage_port(vr_sof_pool());
}

static void *cached(void *p)
{
	const struct vr_port *port = dport();

	return port->to_cached && port->is_uncached && port->is_uncached(port->ctx, p)
		? port->to_cached(port->ctx, p) : p;
}

static size_t pool_live(void)
{
	struct vr_vpage_stats ps;

	assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &ps), 0);
	return ps.live_allocs + ps.live_reserved;
}

/* ---- rtos/alloc.h ------------------------------------------------------------- */

static void test_ctx_with_region(void **state)
{
	struct mod_alloc_ctx ctx = { NULL, NULL };
	const struct vr_port *port;
	uintptr_t start = 0;
	uint8_t *a, *b, *c, *z;
	unsigned i;

	(void)state;
	ctx.vreg = vregion_create(4 * PG);
	assert_non_null(ctx.vreg);
	port = dport();
	vregion_mem_info(ctx.vreg, NULL, &start);

	/* lifetime: plain, other flags ignored (as upstream), coherent */
	a = sof_ctx_alloc(&ctx, 0, 100, 0);
	b = sof_ctx_alloc(&ctx, SOF_MEM_FLAG_USER | SOF_MEM_FLAG_DMA | SOF_MEM_FLAG_LARGE_BUFFER,
			  100, 8);
	c = sof_ctx_alloc(&ctx, SOF_MEM_FLAG_COHERENT, 100, 0);
	assert_int_equal((uintptr_t)a - start, 0);
	assert_int_equal((uintptr_t)b - start, 128);
	assert_int_equal((uintptr_t)cached(c) - start, 256);
	if (port->to_uncached)
		assert_ptr_equal(c, port->to_uncached(port->ctx, (void *)(start + 256)));
	z = sof_ctx_zalloc(&ctx, SOF_MEM_FLAG_COHERENT, 64, 0);
	for (i = 0; i < 64; i++)
		assert_int_equal(z[i], 0);
	sof_ctx_free(&ctx, a);
	sof_ctx_free(&ctx, c);		/* uncached alias */
	sof_ctx_free(&ctx, NULL);	/* no-op */
	assert_int_equal(st_of(ctx.vreg).lifetime_frees, 2);
	assert_int_equal(st_of(ctx.vreg).errors, 0);

	/* interim: zalloc clears a block that held data */
	vregion_set_interim(ctx.vreg);
	a = sof_ctx_alloc(&ctx, 0, 500, 0);
	memset(a, 0xff, 500);
	sof_ctx_free(&ctx, a);
	z = sof_ctx_zalloc(&ctx, 0, 500, 0);
	assert_ptr_equal(z, a);			/* the heap hands the same block back */
	for (i = 0; i < 500; i++)
		assert_int_equal(z[i], 0);
	c = sof_ctx_zalloc(&ctx, SOF_MEM_FLAG_COHERENT, 200, 128);
	assert_int_equal((uintptr_t)cached(c) % 128, 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(c[i], 0);
	sof_ctx_free(&ctx, z);
	sof_ctx_free(&ctx, c);
	assert_int_equal(st_of(ctx.vreg).interim_live, 0);
	assert_int_equal(vr_region_validate(vr_sof_region(ctx.vreg)), 0);
	assert_null(vregion_put(ctx.vreg));
	assert_int_equal(pool_live(), 0);
}

static void test_ctx_without_region(void **state)
{
	struct mod_alloc_ctx ctx = { NULL, NULL };
	uint8_t *p, *q, *z;
	unsigned i;

	(void)state;
	p = sof_ctx_alloc(&ctx, 0, 100, 0);
	q = sof_ctx_alloc(NULL, SOF_MEM_FLAG_COHERENT, 100, 256);
	z = sof_ctx_zalloc(&ctx, 0, 300, 64);
	assert_non_null(p);
	assert_non_null(q);
	assert_non_null(z);
	assert_int_equal((uintptr_t)q % 256, 0);
	assert_int_equal((uintptr_t)z % 64, 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(z[i], 0);
	memset(p, 1, 100);
	memset(q, 2, 100);
	/* the platform heap is not a region: no page was taken */
	assert_int_equal(pool_live(), 0);
	/* heap blocks outstanding: the pool cannot be torn down */
	assert_int_equal(vr_sof_deinit(), -EBUSY);
	sof_ctx_free(&ctx, p);
	sof_ctx_free(NULL, q);
	sof_ctx_free(&ctx, z);
	sof_ctx_free(NULL, NULL);
	assert_null(sof_ctx_alloc(&ctx, 0, 0, 0));
	assert_null(sof_ctx_alloc(&ctx, 0, 10, 3));	/* bad alignment */
}

/* Upstream 4.13: mod_balloc_align() takes a block from the platform heap
 * (sof_heap_alloc(ctx->heap)) but free_contents() returns it with
 * sof_ctx_free(ctx), which, for a context with a region, went to
 * vregion_free: "invalid pointer", the block leaked. Here sof_ctx_free
 * gives a platform-heap block back to the heap (logged as a warning), and a
 * pointer that is neither the region's nor the heap's is refused, as before.
 * The platform heap refuses foreign and double frees instead of passing
 * them to libc (undefined behaviour) or its allocator. */
static void test_ctx_free_heap_block(void **state)
{
	struct mod_alloc_ctx ctx = { NULL, NULL };
	uint8_t *hb, *rb;
	int local;

	(void)state;
	ctx.vreg = vregion_create(2 * PG);
	assert_non_null(ctx.vreg);
	hb = sof_heap_alloc(ctx.heap, 0, 100, 0);		/* mod_balloc_align */
	rb = sof_ctx_alloc(&ctx, 0, 100, 0);			/* mod_alloc */
	assert_non_null(hb);
	assert_non_null(rb);
	memset(hb, 0x5a, 100);
	sof_ctx_free(&ctx, hb);					/* free_contents */
	sof_ctx_free(&ctx, rb);
	assert_int_equal(st_of(ctx.vreg).errors, 0);
	assert_int_equal(st_of(ctx.vreg).lifetime_frees, 1);
	/* a pointer nobody owns: refused by the region, as upstream */
	sof_ctx_free(&ctx, &local);
	assert_int_equal(st_of(ctx.vreg).errors, 1);
	assert_null(vregion_put(ctx.vreg));
	/* foreign and double frees of the platform heap are refused */
	sof_heap_free(NULL, &local);
	hb = sof_ctx_alloc(NULL, 0, 64, 0);
	sof_ctx_free(NULL, hb);
	sof_ctx_free(NULL, hb);
	sof_heap_free(NULL, (uint8_t *)&local + 1);
	/* nothing is outstanding: the heap block went back (no leak) */
	assert_int_equal(vr_sof_deinit(), 0);
}

/* ---- NULL safety and upstream's no-op cases -------------------------------------- */

static void test_null_safety(void **state)
{
	struct vregion *vr;
	size_t size = 9;
	uintptr_t start = 9;
	int local;

	(void)state;
	assert_null(vregion_create(0));
	assert_null(vregion_create(SIZE_MAX));
	assert_null(vregion_create((size_t)VR_SOF_VIRT_PAGES * PG + 1));
	assert_null(vregion_get(NULL));
	assert_null(vregion_put(NULL));
	assert_null(vregion_alloc(NULL, 10));
	assert_null(vregion_alloc_align(NULL, 10, 64));
	assert_null(vregion_alloc_coherent(NULL, 10));
	assert_null(vregion_alloc_coherent_align(NULL, 10, 64));
	vregion_free(NULL, &local);
	vregion_set_interim(NULL);
	vregion_info(NULL);
	vregion_mem_info(NULL, &size, &start);		/* upstream crashed here */
	assert_int_equal(size, 0);
	assert_int_equal(start, 0);
	vregion_mem_info(NULL, NULL, NULL);

	vr = vregion_create(PG);
	assert_non_null(vr);
	vregion_mem_info(vr, NULL, NULL);
	vregion_mem_info(vr, &size, NULL);
	assert_int_equal(size, PG);
	vregion_free(vr, NULL);				/* no-op, not an error */
	assert_int_equal(st_of(vr).errors, 0);
	vregion_free(vr, &local);			/* foreign: logged, ignored */
	assert_int_equal(st_of(vr).errors, 1);
	assert_null(vregion_alloc(vr, 0));
	assert_null(vregion_alloc_align(vr, 10, 48));	/* upstream: panic / misalignment */
	assert_null(vregion_alloc(vr, SIZE_MAX - 10));	/* upstream: wrapped to a tiny block */
	vregion_info(vr);
	vregion_set_interim(vr);
	vregion_set_interim(vr);			/* second call harmless */
	assert_int_equal(st_of(vr).phase, VR_REGION_INTERIM);
	assert_ptr_equal(vregion_get(vr), vr);
	assert_ptr_equal(vregion_put(vr), vr);
	assert_null(vregion_put(vr));
}

/* Bad input for every SOF entry point: refused (NULL or ignored), logged,
 * nothing changes in the pool or the region. */
static void test_bad_input_table(void **state)
{
	struct mod_alloc_ctx ctx = { NULL, NULL };
	struct vr_region_stats st0, st1;
	volatile size_t huge = SIZE_MAX;	/* not a constant: no memset warning */
	struct vregion *vr;
	uint8_t *run, *res;
	size_t live;
	int local;

	(void)state;
	vr = vregion_create(2 * PG);
	run = vpage_alloc(2);
	res = vpage_reserve(2);
	assert_non_null(vr);
	assert_non_null(run);
	assert_non_null(res);
	live = pool_live();
	assert_int_equal(live, 3);
	st0 = st_of(vr);

	/* vpage */
	assert_null(vpage_alloc(0));
	assert_null(vpage_alloc(UINT32_MAX));
	assert_null(vpage_reserve(0));
	assert_null(vpage_reserve(UINT32_MAX));
	vpage_free(NULL);
	vpage_free(&local);
	vpage_free(run + 1);
	vpage_free(run + PG);
	vpage_release(NULL);
	vpage_release(&local);
	vpage_release(res + PG);
	assert_int_equal(pool_live(), live);
	assert_int_equal(vr_vpage_validate(vr_sof_pool()), 0);

	/* vregion: sizes, alignments, foreign and interior frees */
	assert_null(vregion_create(0));
	assert_null(vregion_create(SIZE_MAX));
	assert_null(vregion_create(SIZE_MAX - PG + 2));
	assert_null(vregion_alloc(vr, 0));
	assert_null(vregion_alloc(vr, SIZE_MAX));
	assert_null(vregion_alloc_align(vr, 1, 3));
	assert_null(vregion_alloc_align(vr, 1, (SIZE_MAX >> 1) + 1));
	assert_null(vregion_alloc_coherent(vr, SIZE_MAX - 10));
	assert_null(vregion_alloc_coherent_align(vr, 1, 96));
	vregion_free(vr, &local);
	vregion_free(vr, run);				/* another owner's pages */
	assert_int_equal(pool_live(), live);

	/* sof_ctx: bad sizes and alignments, in both branches */
	assert_null(sof_ctx_alloc(NULL, 0, 0, 0));
	assert_null(sof_ctx_alloc(NULL, 0, 10, 24));
	assert_null(sof_ctx_zalloc(NULL, 0, 0, 0));
	/* the default heap refuses what no platform heap holds (the host's,
	 * before libc sees it: a sanitizer's allocator aborts on sizes near
	 * SIZE_MAX) */
	assert_null(sof_ctx_alloc(NULL, 0, huge, 0));
	assert_null(sof_ctx_alloc(NULL, 0, huge / 2, 64));
	assert_null(sof_ctx_alloc(NULL, 0, 64, (huge >> 1) + 1));
	assert_null(sof_heap_alloc(NULL, 0, ((size_t)1 << 30) + 1, 0));
	ctx.vreg = vr;
	assert_null(sof_ctx_alloc(&ctx, 0, 0, 0));
	assert_null(sof_ctx_alloc(&ctx, SOF_MEM_FLAG_COHERENT, 10, 24));
	assert_null(sof_ctx_zalloc(&ctx, 0, huge, 0));
	sof_ctx_free(&ctx, &local);
	sof_ctx_free(&ctx, NULL);

	st1 = st_of(vr);
	assert_int_equal(st1.lifetime_used, st0.lifetime_used);
	assert_int_equal(st1.failures, st0.failures + 9);
	assert_int_equal(st1.errors, st0.errors + 3);
	assert_int_equal(vr_region_validate(vr_sof_region(vr)), 0);

	assert_null(vregion_put(vr));
	vpage_free(run);
	vpage_release(res);
	assert_int_equal(pool_live(), 0);
}

/* The INVALID state through SOF's API: every alloc fails, frees accepted. */
static void test_invalid_state(void **state)
{
	struct vregion *vr = vregion_create(PG);
	void *p;

	(void)state;
	p = vregion_alloc(vr, PG);
	assert_non_null(p);
	vregion_set_interim(vr);
	assert_int_equal(st_of(vr).phase, VR_REGION_INVALID);
	assert_null(vregion_alloc(vr, 1));
	assert_null(vregion_alloc_coherent(vr, 1));
	vregion_free(vr, p);
	assert_int_equal(st_of(vr).lifetime_frees, 1);
	vregion_set_interim(vr);			/* re-evaluated, same result */
	assert_int_equal(st_of(vr).phase, VR_REGION_INVALID);
	assert_null(vregion_put(vr));
}

/* ---- vpage --------------------------------------------------------------------- */

static void test_vpage_non_lifo(void **state)
{
	void *a, *b, *c, *d, *e;
	int local;

	(void)state;
	assert_null(vpage_alloc(0));
	assert_null(vpage_alloc(VR_SOF_VIRT_PAGES + 1));
	a = vpage_alloc(1);
	b = vpage_alloc(2);
	c = vpage_alloc(3);
	assert_non_null(c);
	/* upstream's compaction lost the last record on a non-LIFO free: here
	 * every run stays freeable in any order */
	vpage_free(a);
	vpage_free(b);
	d = vpage_alloc(1);
	e = vpage_alloc(2);
	assert_ptr_equal(d, a);				/* first fit reuses the holes */
	vpage_free(c);
	vpage_free(e);
	vpage_free(d);
	assert_int_equal(pool_live(), 0);
	/* bad frees are logged and ignored, nothing changes */
	a = vpage_alloc(2);
	vpage_free((char *)a + PG);			/* interior */
	vpage_free((char *)a + 1);			/* not page aligned */
	vpage_free(&local);				/* foreign */
	vpage_free(NULL);
	assert_int_equal(pool_live(), 1);
	vpage_free(a);
	vpage_free(a);					/* double free */
	assert_int_equal(pool_live(), 0);
	assert_int_equal(vr_vpage_validate(vr_sof_pool()), 0);
}

static void test_vpage_many(void **state)
{
	static void *p[200];
	unsigned i;

	(void)state;
	for (i = 0; i < 200; i++) {		/* upstream stopped at 128 */
		p[i] = vpage_alloc(1);
		assert_non_null(p[i]);
		*(volatile uint8_t *)p[i] = (uint8_t)i;
	}
	for (i = 0; i < 200; i += 2)
		vpage_free(p[i]);
	for (i = 1; i < 200; i += 2) {
		assert_int_equal(*(volatile uint8_t *)p[i], (uint8_t)i);
		vpage_free(p[i]);
	}
	assert_int_equal(pool_live(), 0);
	p[0] = vpage_reserve(4);
	assert_non_null(p[0]);
	assert_null(vpage_reserve(0));
	assert_int_equal(pool_live(), 1);
	{
		/* the caller maps a section inside (as LLEXT does); release
		 * unmaps it with the reservation (upstream left it mapped) */
		struct vr_vpage_stats ps0, ps1;

		assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &ps0), 0);
		assert_int_equal(vr_vpage_map(vr_sof_pool(), (uint8_t *)p[0] + PG, 2, VR_PERM_RX), 0);
		assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &ps1), 0);
		assert_int_equal(ps1.ppages_free, ps0.ppages_free - 2);
		vpage_release(p[0]);
		assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &ps1), 0);
		assert_int_equal(ps1.ppages_free, ps0.ppages_free);
	}
	assert_int_equal(pool_live(), 0);
}

/* The calls of SOF's open pull requests (#11037, #11041), through the
 * host's default pool. */
struct walked {
	unsigned n;
	unsigned vpage[4], pages[4];
	unsigned use[4];
};

static void walk_alloc(unsigned int idx, unsigned int vpage, unsigned int pages, void *ctx)
{
	struct walked *w = ctx;

	if (idx == w->n && idx < 4) {
		w->vpage[idx] = vpage;
		w->pages[idx] = pages;
	}
	w->n++;
}

static void walk_region(int idx, const struct vregion_snapshot *s, void *ctx)
{
	struct walked *w = ctx;

	if (idx == (int)w->n && idx < 4) {
		w->pages[idx] = s->pages;
		w->use[idx] = s->use_count;
	}
	w->n++;
}

static void test_inflight_apis(void **state)
{
	struct vpage_stats vs;
	struct walked w;
	struct vregion *r1, *r2;
	void *a, *b;
	size_t out = 9;

	(void)state;
	assert_null(vpage_get_region());	/* no memory-management driver here */
	a = vpage_alloc(2);
	b = vpage_reserve(3);
	assert_non_null(a);
	assert_non_null(b);
	vpage_get_stats(&vs);
	assert_int_equal((uintptr_t)vs.region_base, vr_vpage_port(vr_sof_pool())->window_base);
	assert_int_equal(vs.free_pages, vs.total_pages - 5);
	assert_int_equal(vs.num_elems_in_use, 2);
	assert_int_equal(vs.max_allocs, vs.total_pages);
	assert_int_equal(vs.region_size, (size_t)vs.total_pages * PG);
	memset(&w, 0, sizeof(w));
	vpage_for_each_alloc(walk_alloc, &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.vpage[0], 0);
	assert_int_equal(w.pages[0], 2);
	assert_int_equal(w.vpage[1], 2);
	assert_int_equal(w.pages[1], 3);
	vpage_free(a);
	vpage_release(b);

	r1 = vregion_create(PG);
	r2 = vregion_create(2 * PG);
	assert_non_null(r1);
	assert_non_null(r2);
	assert_ptr_equal(vregion_get(r1), r1);
	memset(&w, 0, sizeof(w));
	vregion_for_each(walk_region, &w);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.pages[0], 1);
	assert_int_equal(w.use[0], 2);
	assert_int_equal(w.pages[1], 2);
	assert_int_equal(vr_sof_deinit(), -EBUSY);	/* regions live */
	assert_non_null(vregion_alloc(r1, 10));
	assert_ptr_equal(vr_sof_put_report(r1, &out), r1);
	assert_int_equal(out, 0);
	assert_null(vr_sof_put_report(r1, &out));
	assert_int_equal(out, 1);			/* the lifetime block */
	assert_null(vregion_put(r2));
	memset(&w, 0, sizeof(w));
	vregion_for_each(walk_region, &w);
	assert_int_equal(w.n, 0);
}

/* ---- vr_sof_init ------------------------------------------------------------------ */

static _Alignas(PG) uint8_t my_win[16 * PG];
static _Alignas(16) uint8_t my_meta[32 * 1024];
static struct vr_flat_port my_fp;

static unsigned hook_allocs, hook_frees;
static struct k_heap *hook_heap;
static uint32_t hook_flags;
static _Alignas(64) uint8_t hook_buf[4096];

static void *my_heap_alloc(void *ctx, struct k_heap *heap, uint32_t flags, size_t bytes,
			   size_t align)
{
	assert_ptr_equal(ctx, &hook_allocs);
	(void)align;
	hook_heap = heap;
	hook_flags = flags;
	hook_allocs++;
	return bytes <= sizeof(hook_buf) ? hook_buf : NULL;
}

static void my_heap_free(void *ctx, struct k_heap *heap, void *ptr)
{
	assert_ptr_equal(ctx, &hook_allocs);
	assert_ptr_equal(ptr, hook_buf);
	hook_heap = heap;
	hook_frees++;
}

/* A flat port over this file's buffers (my_win, my_meta) in my_fp. */
static void my_port_up(void)
{
	struct vr_flat_config fc;

	memset(&fc, 0, sizeof(fc));
	fc.window = my_win;
	fc.window_bytes = sizeof(my_win);
	fc.page_size = PG;
	fc.cache_line = 64;
	fc.meta = my_meta;
	fc.meta_bytes = sizeof(my_meta);
	assert_int_equal(vr_flat_port_init(&my_fp, &fc), 0);
}

static void test_init_explicit(void **state)
{
	struct vr_sof_config cfg;
	struct mod_alloc_ctx ctx;
	struct vregion *vr;
	uintptr_t start = 0;
	void *p;

	(void)state;
	my_port_up();

	memset(&cfg, 0, sizeof(cfg));
	cfg.port = vr_flat_port_get(&my_fp);
	cfg.heap_alloc = my_heap_alloc;
	cfg.heap_free = my_heap_free;
	cfg.heap_ctx = &hook_allocs;
	cfg.region_flags = VR_REGION_SEAL | VR_REGION_GUARD;
	cfg.min_align = 16;
	assert_int_equal(vr_sof_init(&cfg), 0);
	assert_int_equal(vr_sof_init(&cfg), -EBUSY);		/* once */
	assert_ptr_equal(dport(), vr_flat_port_get(&my_fp));

	/* regions come from my port, with my flags and alignment */
	vr = vregion_create(2 * PG);
	assert_non_null(vr);
	vregion_mem_info(vr, NULL, &start);
	assert_true(start >= (uintptr_t)my_win && start < (uintptr_t)my_win + sizeof(my_win));
	assert_int_equal(st_of(vr).min_align, 16);
	assert_int_equal(vr_flat_port_perms(&my_fp, (void *)(start + 2 * PG)), -ENOENT);
	p = vregion_alloc(vr, 10);
	assert_int_equal((uintptr_t)vregion_alloc(vr, 10) - (uintptr_t)p, 16);
	vregion_set_interim(vr);
	assert_true(st_of(vr).sealed);
	assert_int_equal(vr_flat_port_perms(&my_fp, (void *)start), VR_PERM_R);

	/* the platform heap goes through my hooks, heap pointer and flags passed on */
	ctx.heap = (struct k_heap *)(void *)&hook_flags;
	ctx.vreg = NULL;
	p = sof_ctx_alloc(&ctx, SOF_MEM_FLAG_USER, 100, 0);
	assert_ptr_equal(p, hook_buf);
	assert_ptr_equal(hook_heap, ctx.heap);
	assert_int_equal(hook_flags, SOF_MEM_FLAG_USER);
	assert_int_equal(vr_sof_deinit(), -EBUSY);		/* heap block and region live */
	sof_ctx_free(&ctx, p);
	assert_int_equal(hook_frees, 1);
	assert_int_equal(vr_sof_deinit(), -EBUSY);		/* region live */
	assert_null(vregion_put(vr));
	assert_int_equal(vr_sof_deinit(), 0);
	assert_int_equal(vr_flat_port_deinit(&my_fp), 0);	/* everything returned */
	assert_int_equal(vr_sof_deinit(), 0);			/* nothing set up: fine */
}

/* A port whose unmaps fail while unmap_fails > 0 (over my_fp). */
static struct vr_port failing;
static unsigned unmap_fails;

static int failing_unmap(void *ctx, void *vaddr, size_t npages)
{
	const struct vr_port *in = vr_flat_port_get(&my_fp);

	(void)ctx;
	if (unmap_fails) {
		unmap_fails--;
		return -EIO;
	}
	return in->unmap(in->ctx, vaddr, npages);
}

static unsigned walked;

static void count_runs(unsigned int idx, unsigned int vpage, unsigned int pages, void *ctx)
{
	(void)idx; (void)vpage; (void)pages; (void)ctx;
	walked++;
}

/* vpage_free / vpage_release are void: the caller cannot retry a failed
 * unmap, so the pool keeps the run as an orphan and retries it itself; the
 * orphan is nobody's allocation (not walked) and its pages come back (they
 * were lost: the run stayed allocated to a caller who had let it go). */
static void test_vpage_free_unmap_fails(void **state)
{
	struct vr_sof_config cfg;
	struct vpage_stats vs;
	void *a, *r;

	(void)state;
	my_port_up();
	failing = *vr_flat_port_get(&my_fp);
	failing.unmap = failing_unmap;
	memset(&cfg, 0, sizeof(cfg));
	cfg.port = &failing;
	assert_int_equal(vr_sof_init(&cfg), 0);
	a = vpage_alloc(2);
	r = vpage_reserve(3);
	assert_non_null(a);
	assert_non_null(r);
	assert_int_equal(vr_vpage_map(vr_sof_pool(), r, 1, VR_PERM_RW), 0);
	unmap_fails = 2;
	vpage_free(a);
	vpage_release(r);
	assert_int_equal(unmap_fails, 0);
	vpage_get_stats(&vs);
	assert_int_equal(vs.num_elems_in_use, 0);
	walked = 0;
	vpage_for_each_alloc(count_runs, NULL);
	assert_int_equal(walked, 0);			/* orphans are nobody's runs */
	assert_int_equal(vr_vpage_reclaim(vr_sof_pool()), 0);	/* the port works again */
	vpage_get_stats(&vs);
	assert_int_equal(vs.free_pages, vs.total_pages);
	assert_int_equal(vr_sof_deinit(), 0);
	assert_int_equal(vr_flat_port_deinit(&my_fp), 0);	/* every page back */
}

static bool hook_live;

static bool my_heap_owns(void *ctx, struct k_heap *heap, const void *ptr)
{
	assert_ptr_equal(ctx, &hook_allocs);
	(void)heap;
	return hook_live && ptr == hook_buf;
}

static void *my_heap_alloc2(void *ctx, struct k_heap *heap, uint32_t flags, size_t bytes,
			    size_t align)
{
	void *p = my_heap_alloc(ctx, heap, flags, bytes, align);

	hook_live = p != NULL;
	return p;
}

static void my_heap_free2(void *ctx, struct k_heap *heap, void *ptr)
{
	my_heap_free(ctx, heap, ptr);
	hook_live = false;
}

/* Hooks with and without heap_owns: a heap block freed through a context
 * with a region goes back to the hooks only when they can say it is theirs;
 * without heap_owns it is refused by the region (upstream's behaviour). */
static void test_init_heap_owns(void **state)
{
	struct vr_sof_config cfg;
	struct mod_alloc_ctx ctx = { NULL, NULL };
	struct vregion *vr;
	unsigned frees;
	void *p;
	int local;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.heap_alloc = my_heap_alloc2;
	cfg.heap_free = my_heap_free2;
	cfg.heap_ctx = &hook_allocs;
	assert_int_equal(vr_sof_init(&cfg), 0);
	vr = vregion_create(PG);
	p = sof_ctx_alloc(&ctx, 0, 10, 0);
	assert_ptr_equal(p, hook_buf);
	ctx.vreg = vr;
	frees = hook_frees;
	sof_ctx_free(&ctx, p);				/* no heap_owns: refused */
	assert_int_equal(hook_frees, frees);
	assert_int_equal(st_of(vr).errors, 1);
	sof_heap_free(NULL, p);				/* no heap_owns: passed on */
	assert_int_equal(hook_frees, frees + 1);
	assert_null(vregion_put(vr));
	assert_int_equal(vr_sof_deinit(), 0);

	cfg.heap_owns = my_heap_owns;
	assert_int_equal(vr_sof_init(&cfg), 0);
	vr = vregion_create(PG);
	ctx.vreg = NULL;
	p = sof_ctx_alloc(&ctx, 0, 10, 0);
	ctx.vreg = vr;
	sof_ctx_free(&ctx, p);				/* heap_owns: back to the heap */
	assert_int_equal(hook_frees, frees + 2);
	assert_int_equal(st_of(vr).errors, 0);
	sof_heap_free(NULL, p);				/* double free: refused */
	sof_heap_free(NULL, &local);			/* foreign: refused */
	sof_ctx_free(&ctx, &local);			/* neither's: the region refuses */
	assert_int_equal(hook_frees, frees + 2);
	assert_int_equal(st_of(vr).errors, 1);
	assert_null(vregion_put(vr));
	assert_int_equal(vr_sof_deinit(), 0);
}

static int dummy_locks;
static uint8_t dummy_lock_obj;

static struct vr_port_lock *dummy_lock_create(void *ctx)
{
	(void)ctx;
	dummy_locks++;
	return (struct vr_port_lock *)(void *)&dummy_lock_obj;
}

static void dummy_lock(void *ctx, struct vr_port_lock *lock)
{
	(void)ctx;
	(void)lock;
}

static void test_init_refused(void **state)
{
	struct vr_sof_config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.region_flags = VR_REGION_NOLOCK;		/* SOF shares regions */
	assert_int_equal(vr_sof_init(&cfg), -EINVAL);
	cfg.region_flags = 1u << 7;
	assert_int_equal(vr_sof_init(&cfg), -EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.heap_alloc = my_heap_alloc;			/* one hook of two */
	assert_int_equal(vr_sof_init(&cfg), -EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.heap_owns = my_heap_owns;			/* owns without the hooks */
	assert_int_equal(vr_sof_init(&cfg), -EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.min_align = 24;
	assert_int_equal(vr_sof_init(&cfg), -EINVAL);
	cfg.min_align = 2 * PG;
	assert_int_equal(vr_sof_init(&cfg), -EINVAL);
	/* SEAL with a port that cannot protect */
	{
		struct vr_port noprot;

		my_port_up();
		noprot = *vr_flat_port_get(&my_fp);
		noprot.protect = NULL;
		memset(&cfg, 0, sizeof(cfg));
		cfg.port = &noprot;
		cfg.region_flags = VR_REGION_SEAL;
		assert_int_equal(vr_sof_init(&cfg), -EINVAL);
		cfg.region_flags = VR_REGION_GUARD;		/* without SEAL: fine */
		assert_int_equal(vr_sof_init(&cfg), 0);
		assert_int_equal(vr_sof_deinit(), 0);
		assert_int_equal(vr_flat_port_deinit(&my_fp), 0);
	}
	/* a port the pool refuses: refused before any of its calls (its lock
	 * group lacks lock_destroy: undoing its lock crashed) */
	{
		struct vr_port nodestroy;

		my_port_up();
		nodestroy = *vr_flat_port_get(&my_fp);
		nodestroy.lock_create = dummy_lock_create;
		nodestroy.lock = dummy_lock;
		nodestroy.unlock = dummy_lock;
		memset(&cfg, 0, sizeof(cfg));
		cfg.port = &nodestroy;
		assert_int_equal(vr_sof_init(&cfg), -EINVAL);
		nodestroy.lock_destroy = dummy_lock;
		nodestroy.map = NULL;			/* a locked port without map */
		assert_int_equal(vr_sof_init(&cfg), -EINVAL);
		assert_int_equal(dummy_locks, 0);	/* no lock made for nothing */
		assert_int_equal(vr_flat_port_deinit(&my_fp), 0);
	}
	/* nothing was set up by the refusals: defaults now work */
	assert_int_equal(vr_sof_init(NULL), 0);
	assert_non_null(vr_sof_pool());
	/* and after an automatic set-up, explicit init is refused */
	assert_int_equal(vr_sof_deinit(), 0);
	vpage_free(vpage_alloc(1));
	assert_int_equal(vr_sof_init(NULL), -EBUSY);
}

/* The review's reproducer (create, put, put, alloc) on a port whose meta_free
 * leaves the block as the put wrote it (the flat port, until the block is
 * reused): every stale call is refused. On the default posix pool (libc) the
 * same calls are undefined behaviour and are not run here (ASan). */
static void test_use_after_last_put_flat(void **state)
{
	struct vr_sof_config cfg;
	struct vregion *vr;
	size_t size = 1;
	uintptr_t start = 1;

	(void)state;
	my_port_up();
	memset(&cfg, 0, sizeof(cfg));
	cfg.port = vr_flat_port_get(&my_fp);
	assert_int_equal(vr_sof_init(&cfg), 0);
	vr = vregion_create(4096);
	assert_non_null(vr);
	assert_non_null(vregion_alloc(vr, 8));
	assert_null(vregion_put(vr));
	assert_null(vregion_put(vr));
	assert_null(vregion_alloc(vr, 8));
	assert_null(vregion_alloc_align(vr, 8, 64));
	assert_null(vregion_get(vr));
	vregion_mem_info(vr, &size, &start);
	assert_int_equal(size, 0);
	assert_int_equal(start, 0);
	assert_int_equal(vr_sof_deinit(), 0);
	assert_int_equal(vr_flat_port_deinit(&my_fp), 0);	/* nothing leaked */
}

/* ---- the firmware's DP-module lifecycle (SYSTEM.md 2, P2) ------------------------- */

static void test_dp_module_lifecycle(void **state)
{
	struct mod_alloc_ctx ctx = { NULL, NULL };
	struct vregion *vr;
	void *mod, *dev, *objpool, *cd, *buf[2], *bufdata[2], *ring[2], *ringdata[2];
	void *params, *delay;
	struct vr_region_stats st;
	unsigned i, cycle;

	(void)state;
	vr = vregion_create(28 * 1024);			/* 7 pages, fixed upstream */
	ctx.vreg = vr;
	assert_int_equal(st_of(vr).pages, 7);
	/* INIT_INSTANCE: lifetime */
	mod = sof_ctx_zalloc(&ctx, SOF_MEM_FLAG_COHERENT, 512, 0);
	dev = sof_ctx_zalloc(&ctx, SOF_MEM_FLAG_COHERENT, 320, 0);
	objpool = sof_ctx_alloc(&ctx, 0, 60, 0);
	cd = sof_ctx_zalloc(&ctx, 0, 384, 0);
	assert_non_null(mod);
	assert_non_null(dev);
	assert_non_null(objpool);
	assert_non_null(cd);
	/* BIND x2: buffers take a reference each */
	for (i = 0; i < 2; i++) {
		buf[i] = sof_ctx_zalloc(&ctx, SOF_MEM_FLAG_COHERENT, 256, 0);
		bufdata[i] = sof_ctx_alloc(&ctx, 0, 768, 0);
		ring[i] = sof_ctx_alloc(&ctx, 0, 128, 0);
		ringdata[i] = sof_ctx_alloc(&ctx, 0, 1152, 0);
		assert_non_null(ringdata[i]);
		assert_ptr_equal(vregion_get(vr), vr);
	}
	st = st_of(vr);
	assert_int_equal(st.lifetime_used, 512 + 320 + 64 + 384 + 2 * (256 + 768 + 128 + 1152));
	/* PAUSED: interim */
	vregion_set_interim(vr);
	st = st_of(vr);
	assert_int_equal(st.interim_size, 28 * 1024 - st.lifetime_used);
	/* params/prepare, then STOP->RESET->PAUSED->RUNNING cycles (churn) */
	for (cycle = 0; cycle < 20; cycle++) {
		params = sof_ctx_alloc(&ctx, 0, 128, 0);
		delay = sof_ctx_zalloc(&ctx, 0, 7 * 1024, 8);
		assert_non_null(params);
		assert_non_null(delay);
		sof_ctx_free(&ctx, delay);
		sof_ctx_free(&ctx, params);
	}
	assert_int_equal(vr_region_validate(vr_sof_region(vr)), 0);
	/* unbind: ring first, then the buffer, then the buffer's reference */
	for (i = 0; i < 2; i++) {
		sof_ctx_free(&ctx, ringdata[i]);
		sof_ctx_free(&ctx, ring[i]);
		sof_ctx_free(&ctx, bufdata[i]);
		sof_ctx_free(&ctx, buf[i]);
		assert_ptr_equal(vregion_put(vr), vr);
	}
	/* delete module: mod_free_all, dev, mod, last put */
	sof_ctx_free(&ctx, cd);
	sof_ctx_free(&ctx, objpool);
	sof_ctx_free(&ctx, dev);
	sof_ctx_free(&ctx, mod);
	st = st_of(vr);
	assert_int_equal(st.outstanding, 0);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.refcount, 1);
	assert_null(vregion_put(vr));
	assert_int_equal(pool_live(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctx_with_region, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_without_region, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_free_heap_block, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_null_safety, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input_table, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_state, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_vpage_non_lifo, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_vpage_many, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_apis, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_init_explicit, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_vpage_free_unmap_fails, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_init_heap_owns, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_init_refused, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_use_after_last_put_flat, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_dp_module_lifecycle, NULL, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
