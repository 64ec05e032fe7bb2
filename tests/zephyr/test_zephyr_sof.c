/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_zephyr_sof.c - SOF mode (CONFIG_VREGION_SOF: src/compat/sof_*.c with
 * sof_zephyr.c) on the host, over the simulated Intel ACE driver, built as a
 * SOF firmware on ACE would be: the window registered at boot as SOF's
 * vpage_init did (CONFIG_VREGION_SOF_ADSP_REGION), metadata from SOF's
 * rzalloc(KERNEL | COHERENT) (stubs/sof_rtos/rtos/alloc.h, implemented
 * here), LLEXT exports, a 48-page physical budget.
 *
 * Checks: the SYS_INIT set-up and its log (success and failure), one lock
 * per vpage call (issue 9), the exports, the in-flight APIs (#11037 region,
 * #11041 stats and walks), the interim flush (#11071), vregion_ctx_free
 * (4.13), and the sweeps: driver call k / metadata allocation k fails, for
 * every k: an error, nothing leaked, state unchanged.
 */
#include "vr_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/llext/symbol.h>
#include <zephyr/drivers/mm/system_mm.h>
#include <rtos/alloc.h>

#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>
#include "vregion/sof_compat.h"
#include "sim_mm.h"

#define PG SIM_PG
#define VPAGES 96
#define FRAMES 64
#define IMAGE 4			/* pages of "firmware image" */
#define VHEAP 4			/* CONFIG_SOF_ZEPHYR_VIRTUAL_HEAP_REGION_SIZE / PG */
#define WPAGES (VPAGES - IMAGE - VHEAP)
#define BUDGET 48		/* CONFIG_VREGION_PHYS_PAGES */

extern int (*const z_init_vr_sof_boot)(void);

/* ---- SOF's rzalloc / rfree / sof_heap_free (stubs/sof_rtos) ------------------ */

static long rz_live;
static uint32_t rz_flags;
static unsigned long rz_calls, rz_fail_k;
static struct k_heap *freed_heap;
static void *freed_ptr;

void *rzalloc(uint32_t flags, size_t bytes)
{
	void *p;

	rz_flags = flags;
	if (rz_fail_k && ++rz_calls == rz_fail_k)
		return NULL;
	if (posix_memalign(&p, 64, bytes))
		return NULL;
	memset(p, 0, bytes);
	rz_live++;
	return p;
}

void rfree(void *ptr)
{
	if (ptr) {
		rz_live--;
		free(ptr);
	}
}

void sof_heap_free(struct k_heap *heap, void *addr)
{
	freed_heap = heap;
	freed_ptr = addr;
}

static void rz_fail_at(unsigned long k)
{
	rz_calls = 0;
	rz_fail_k = k;
}

/* ---- fixture ---------------------------------------------------------------------- */

static uintptr_t wbase(void)
{
	return sim_mm_vbase() + (IMAGE + VHEAP) * PG;
}

static void sim_up(void)
{
	struct sim_mm_config c = { .vpages = VPAGES, .frames = FRAMES, .image_pages = IMAGE,
				   .doublemap = true };

	assert_int_equal(sim_mm_init(&c), 0);
}

static int setup(void **state)
{
	(void)state;
	sim_up();
	vr_stub_log_reset();
	assert_int_equal(z_init_vr_sof_boot(), 0);
	return 0;
}

static int teardown(void **state)
{
	struct sim_mm_stats st;

	(void)state;
	assert_int_equal(vr_sof_deinit(), 0);
	sim_mm_get_stats(&st);
	assert_int_equal(st.frames_free, FRAMES);
	assert_int_equal(st.leaked_frames, 0);
	assert_int_equal(st.double_frees, 0);
	assert_int_equal(st.asserts, 0);
	assert_int_equal(st.lists_live, 0);
	assert_int_equal(rz_live, 0);		/* every metadata block back */
	assert_int_equal(vr_stub_heap_live(), 0);
	sim_mm_fini();
	return 0;
}

static struct vr_vpage_stats pool_stats(void)
{
	struct vr_vpage_stats st;

	assert_int_equal(vr_vpage_validate(vr_sof_pool()), 0);
	assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &st), 0);
	return st;
}

static size_t frames_free(void)
{
	struct sim_mm_stats st;

	sim_mm_get_stats(&st);
	return st.frames_free;
}

/* ---- boot --------------------------------------------------------------------------- */

static void test_boot(void **state)
{
	const struct sys_mm_drv_region *r;
	struct vr_vpage_stats st = pool_stats();
	struct sim_mm_stats ss;

	(void)state;
	assert_int_equal(st.page_size, PG);
	assert_int_equal(st.vpages_total, WPAGES);
	assert_int_equal(st.ppages_total, BUDGET);
	assert_int_equal(vr_vpage_port(vr_sof_pool())->window_base, wbase());
	assert_int_equal(vr_vpage_port(vr_sof_pool())->cache_line, 64);
	assert_non_null(vr_stub_log_find("vregion", "SOF pool: window"));
	/* metadata is SOF's coherent kernel memory */
	assert_int_equal(rz_flags, SOF_MEM_FLAG_KERNEL | SOF_MEM_FLAG_COHERENT);
	assert_true(rz_live > 0);
	/* vpage_get_region: our copy of the region, the query list freed */
	r = vpage_get_region();
	assert_non_null(r);
	assert_int_equal((uintptr_t)r->addr, wbase());
	assert_int_equal(r->size, WPAGES * PG);
	assert_int_equal(r->attr, 3);
	sim_mm_get_stats(&ss);
	assert_int_equal(ss.lists_live, 0);
	/* a second boot is refused (already set up), and says so */
	assert_int_equal(z_init_vr_sof_boot(), -EINVAL);	/* region registered twice */
	assert_non_null(vr_stub_log_find("vregion", "adsp_add_virtual_memory_region failed"));
}

static void test_boot_failure(void **state)
{
	(void)state;
	sim_up();
	/* something else already owns the space: registration fails, and
	 * without a region of attr 3 every call fails cleanly */
	assert_int_equal(sim_mm_add_region(wbase(), PG, 9), 0);
	vr_stub_log_reset();
	assert_true(z_init_vr_sof_boot() < 0);
	assert_non_null(vr_stub_log_find("vregion", "failed"));
	assert_null(vpage_alloc(1));
	assert_null(vregion_create(4096));
	assert_null(vpage_get_region());
	assert_non_null(vr_stub_log_find("vregion", "no memory region with attr 3"));
	/* registered later (by hand): the next call sets the pool up */
	sim_mm_clear_regions();
	assert_int_equal(sim_mm_add_region(wbase(), WPAGES * PG, 3), 0);
	{
		void *p = vpage_alloc(2);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p, wbase());
		vpage_free(p);
	}
	assert_int_equal(vr_sof_deinit(), 0);
	assert_int_equal(rz_live, 0);
	sim_mm_fini();
}

/* ---- issue 9: one lock per SOF vpage call ------------------------------------------ */

static void test_one_lock_per_vpage_call(void **state)
{
	unsigned long l0;
	void *p;

	(void)state;
	l0 = vr_stub_mutex_locks();
	p = vpage_alloc(1);
	assert_non_null(p);
	assert_int_equal(vr_stub_mutex_locks() - l0, 1);
	l0 = vr_stub_mutex_locks();
	vpage_free(p);
	assert_int_equal(vr_stub_mutex_locks() - l0, 1);
	l0 = vr_stub_mutex_locks();
	p = vpage_reserve(3);
	assert_non_null(p);
	vpage_release(p);
	assert_int_equal(vr_stub_mutex_locks() - l0, 2);
}

/* ---- exports ----------------------------------------------------------------------- */

static void test_exports(void **state)
{
	(void)state;
	assert_true(vr_stub_export_find("vregion_alloc") == (void (*)(void))vregion_alloc);
	assert_true(vr_stub_export_find("vregion_alloc_align") ==
		    (void (*)(void))vregion_alloc_align);
	assert_true(vr_stub_export_find("vregion_free") == (void (*)(void))vregion_free);
	assert_true(vr_stub_export_find("vregion_info") == (void (*)(void))vregion_info);
	assert_true(vr_stub_export_find("vregion_for_each") == (void (*)(void))vregion_for_each);
	assert_true(vr_stub_export_find("vregion_ctx_free") == (void (*)(void))vregion_ctx_free);
	assert_null(vr_stub_export_find("vpage_alloc"));	/* not exported by SOF either */
}

/* ---- in-flight APIs ---------------------------------------------------------------- */

struct seen {
	unsigned n;
	unsigned idx[8], vpage[8], pages[8];
	struct vregion_snapshot snap[8];
};

static void on_alloc(unsigned int idx, unsigned int vpage, unsigned int pages, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->idx[s->n] = idx;
		s->vpage[s->n] = vpage;
		s->pages[s->n] = pages;
	}
	s->n++;
}

static void on_region(int idx, const struct vregion_snapshot *snap, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8 && idx == (int)s->n)
		s->snap[s->n] = *snap;
	s->n++;
}

static void test_vpage_stats_and_walk(void **state)
{
	struct vpage_stats vs;
	struct seen s;
	void *a, *b, *r;

	(void)state;
	a = vpage_alloc(2);
	b = vpage_alloc(3);
	r = vpage_reserve(4);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(r);
	vpage_get_stats(&vs);
	assert_int_equal((uintptr_t)vs.region_base, wbase());
	assert_int_equal(vs.region_size, WPAGES * PG);
	assert_int_equal(vs.total_pages, WPAGES);
	assert_int_equal(vs.free_pages, WPAGES - 9);
	assert_int_equal(vs.num_elems_in_use, 3);
	assert_int_equal(vs.max_allocs, WPAGES);
	memset(&s, 0, sizeof(s));
	vpage_for_each_alloc(on_alloc, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.idx[2], 2);
	assert_int_equal(s.vpage[0], 0);
	assert_int_equal(s.pages[0], 2);
	assert_int_equal(s.vpage[1], 2);
	assert_int_equal(s.pages[1], 3);
	assert_int_equal(s.vpage[2], 5);
	assert_int_equal(s.pages[2], 4);
	vpage_for_each_alloc(NULL, &s);		/* no-op */
	vpage_get_stats(NULL);
	vpage_free(b);
	vpage_free(a);
	vpage_release(r);
	vpage_get_stats(&vs);
	assert_int_equal(vs.free_pages, WPAGES);
	assert_int_equal(vs.num_elems_in_use, 0);
}

static void test_vregion_for_each(void **state)
{
	struct vregion *r1, *r2, *r3;
	struct seen s;

	(void)state;
	r1 = vregion_create(2 * PG);
	r2 = vregion_create(3 * PG - 100);
	r3 = vregion_create(PG);
	assert_non_null(r1);
	assert_non_null(r2);
	assert_non_null(r3);
	assert_non_null(vregion_alloc(r2, 100));	/* lifetime: 128 at line 64 */
	assert_ptr_equal(vregion_get(r2), r2);
	memset(&s, 0, sizeof(s));
	vregion_for_each(on_region, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.snap[0].pages, 2);
	assert_int_equal(s.snap[1].pages, 3);
	assert_int_equal(s.snap[1].size, 3 * PG);
	assert_int_equal(s.snap[1].use_count, 2);
	assert_int_equal(s.snap[1].lifetime_used, 128);
	assert_int_equal(s.snap[2].use_count, 1);
	/* put: the creation order stays, a released region leaves the list */
	assert_null(vregion_put(r1));
	assert_ptr_equal(vregion_put(r2), r2);
	memset(&s, 0, sizeof(s));
	vregion_for_each(on_region, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.snap[0].pages, 3);
	assert_int_equal(s.snap[0].use_count, 1);
	assert_int_equal(vr_sof_deinit(), -EBUSY);	/* regions live */
	assert_null(vregion_put(r2));
	assert_null(vregion_put(r3));
	memset(&s, 0, sizeof(s));
	vregion_for_each(on_region, &s);
	assert_int_equal(s.n, 0);
	vregion_for_each(NULL, NULL);
}

static void test_set_interim_flushes(void **state)
{
	struct sim_mm_stats a, b;
	struct vregion *r = vregion_create(3 * PG);

	(void)state;
	assert_non_null(r);
	assert_non_null(vregion_alloc(r, 6000));
	sim_mm_get_stats(&a);
	vregion_set_interim(r);
	sim_mm_get_stats(&b);
	assert_int_equal(b.flushes - a.flushes, 1);	/* the interim part, once */
	vregion_set_interim(r);				/* harmless: no second flush */
	sim_mm_get_stats(&a);
	assert_int_equal(a.flushes, b.flushes);
	assert_non_null(vregion_alloc(r, 1000));
	assert_null(vregion_put(r));
}

/* SYSTEM.md 4.13: a heap block freed through a region context */
static void test_ctx_free(void **state)
{
	struct k_heap *heap = (struct k_heap *)(uintptr_t)0x1234;
	struct vregion *r = vregion_create(PG);
	char heap_block[64];
	void *p;

	(void)state;
	assert_non_null(r);
	vregion_set_interim(r);
	p = vregion_alloc(r, 100);
	assert_non_null(p);
	freed_ptr = NULL;
	vregion_ctx_free(r, heap, p);		/* the region's: freed there */
	assert_null(freed_ptr);
	vregion_ctx_free(r, heap, heap_block);	/* not the region's: to the heap */
	assert_ptr_equal(freed_ptr, heap_block);
	assert_ptr_equal(freed_heap, heap);
	assert_non_null(vr_stub_log_find("vregion", "given to sof_heap_free"));
	freed_ptr = NULL;
	vregion_ctx_free(r, heap, NULL);
	assert_null(freed_ptr);
	{
		struct vr_region_stats st;

		assert_int_equal(vr_region_get_stats(vr_sof_region(r), &st), 0);
		assert_int_equal(st.interim_live, 0);
		assert_int_equal(st.errors, 0);
	}
	assert_null(vregion_put(r));
}

/* ---- sweeps -------------------------------------------------------------------------- */

static void test_vpage_sweep(void **state)
{
	struct vr_vpage_stats before = pool_stats(), after;
	unsigned long k;
	void *p;

	(void)state;
	for (k = 1;; k++) {
		sim_mm_fail_at(k, -EIO);
		p = vpage_alloc(3);
		sim_mm_fail_at(0, 0);
		if (p)
			break;
		after = pool_stats();
		assert_int_equal(after.vpages_free, before.vpages_free);
		assert_int_equal(after.ppages_free, before.ppages_free);
		assert_int_equal(after.live_allocs, 0);
		assert_int_equal(frames_free(), FRAMES);
	}
	assert_true(k > 6);
	for (k = 1;; k++) {
		sim_mm_fail_at(k, -EIO);
		vpage_free(p);
		sim_mm_fail_at(0, 0);
		if (pool_stats().live_allocs == 0)
			break;
		assert_int_equal(vr_vpage_run_pages(vr_sof_pool(), p), 3);	/* kept: retry */
	}
	after = pool_stats();
	assert_int_equal(after.vpages_free, before.vpages_free);
	assert_int_equal(frames_free(), FRAMES);
}

static void test_region_sweep(void **state)
{
	long rz0 = rz_live;
	unsigned long k;
	struct vregion *r;

	(void)state;
	for (k = 1;; k++) {
		sim_mm_fail_at(k, -EIO);
		rz_fail_at(k);
		r = vregion_create(2 * PG);
		sim_mm_fail_at(0, 0);
		rz_fail_at(0);
		if (r)
			break;
		assert_int_equal(rz_live, rz0);
		assert_int_equal(frames_free(), FRAMES);
		assert_int_equal(pool_stats().live_allocs, 0);
		assert_true(k < 200);
	}
	assert_true(k > 4);
	assert_non_null(vregion_alloc(r, 64));
	assert_null(vregion_put(r));
	assert_int_equal(rz_live, rz0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot, setup, teardown),
		cmocka_unit_test(test_boot_failure),
		cmocka_unit_test_setup_teardown(test_one_lock_per_vpage_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vpage_stats_and_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vregion_for_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_interim_flushes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vpage_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_sweep, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
