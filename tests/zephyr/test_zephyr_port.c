/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_zephyr_port.c - the Zephyr port (src/port/zephyr) on the host, over
 * the simulated Intel ACE driver (sim_mm.h) and the stand-in Zephyr headers.
 * Built twice: with cache aliases, protect and tracing (an ACE 1.x-like SoC),
 * and with VR_TEST_NO_CACHE (no CONFIG_DCACHE / CONFIG_CACHE_DOUBLEMAP, as
 * native_sim and qemu_x86).
 *
 * What the driver does not do and the port must (port_zephyr.h), each
 * checked against the driver's own counters: zeroing of stale frames, no
 * map over a live entry, the budget before the driver runs dry, rollback
 * of a failed map, a window range check that accepts the last page; and
 * the sweeps of the posix port: driver call k fails, for every k, under the
 * port alone and under a pool and regions: an error, nothing leaked, the
 * state unchanged.
 */
#include "vr_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/cache.h>
#include <zephyr/drivers/mm/system_mm.h>
#include <zephyr/logging/log.h>

#include "vregion/port_zephyr.h"
#include "vregion/vpage.h"
#include "vregion/vregion.h"
#include "posix_child.h"
#include "sim_mm.h"

#define PG SIM_PG
#define VPAGES 64	/* driver's virtual space */
#define FRAMES 40	/* driver's frames */
#define WFIRST 8	/* the window: pages [WFIRST, WFIRST + WPAGES) of the space */
#define WPAGES 32
#define ATTR 3

#ifdef VR_TEST_NO_CACHE
#define HAVE_ALIAS 0
#else
#define HAVE_ALIAS 1
#endif

static struct vr_zephyr_port zp;
static const struct vr_port *port;

static uint8_t *win(size_t page)
{
	return (uint8_t *)(sim_mm_vbase() + (WFIRST + page) * PG);
}

static void sim_up(bool perms)
{
	struct sim_mm_config c = { .vpages = VPAGES, .frames = FRAMES, .image_pages = 4,
				   .doublemap = HAVE_ALIAS, .perms = perms };

	assert_int_equal(sim_mm_init(&c), 0);
	assert_int_equal(sim_mm_add_region((uintptr_t)win(0), WPAGES * PG, ATTR), 0);
}

static void port_up(size_t budget, bool protect)
{
	struct vr_zephyr_port_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.window_attr = ATTR;
	cfg.phys_pages = budget;
	cfg.protect = protect;
	assert_int_equal(vr_zephyr_port_init(&zp, &cfg), 0);
	port = vr_zephyr_port_get(&zp);
	assert_non_null(port);
}

static int setup(void **state)
{
	(void)state;
	sim_up(true);
	port_up(0, HAVE_ALIAS);	/* protect only where the SoC enforces it */
	return 0;
}

static int teardown(void **state)
{
	struct sim_mm_stats st;

	(void)state;
	assert_int_equal(vr_zephyr_port_deinit(&zp), 0);
	sim_mm_get_stats(&st);
	/* the driver's own bookkeeping: nothing leaked, nothing freed twice,
	 * never out of frames, every query list freed */
	assert_int_equal(st.frames_free, FRAMES);
	assert_int_equal(st.leaked_frames, 0);
	assert_int_equal(st.double_frees, 0);
	assert_int_equal(st.asserts, 0);
	assert_int_equal(st.lists_live, 0);
	sim_mm_fini();
	assert_int_equal(vr_stub_heap_live(), 0);
	return 0;
}

static size_t mapped_now(void)
{
	struct vr_zephyr_port_stats st;

	assert_int_equal(vr_zephyr_port_get_stats(&zp, &st), 0);
	return st.mapped_pages;
}

static bool page_mapped(const void *p)
{
	return sys_mm_drv_page_phys_get((void *)p, NULL) == 0;
}

static size_t frames_free(void)
{
	struct sim_mm_stats st;

	sim_mm_get_stats(&st);
	return st.frames_free;
}

/* ---- set-up ------------------------------------------------------------------ */

static void meta_free_only(void *ctx, void *p, size_t bytes)
{
	(void)ctx;
	(void)bytes;
	free(p);
}

static void test_window_by_attr(void **state)
{
	struct vr_zephyr_port_config cfg;
	struct vr_zephyr_port other;
	uintptr_t base = 0;
	size_t bytes = 0;

	(void)state;
	assert_int_equal(port->window_base, (uintptr_t)win(0));
	assert_int_equal(port->window_pages, WPAGES);
	assert_int_equal(port->phys_pages, WPAGES);
	assert_int_equal(port->page_size, PG);
	assert_int_equal(port->cache_line, 64);
	assert_true(port->protect == NULL || HAVE_ALIAS);
	assert_true((port->to_uncached != NULL) == HAVE_ALIAS);
	assert_true((port->cache_flush != NULL) == HAVE_ALIAS);
	/* an unaligned region is rounded inwards; a missing one is -ENOENT */
	assert_int_equal(sim_mm_add_region((uintptr_t)win(WPAGES + 1) + 100, 3 * PG, 9), 0);
	assert_int_equal(vr_zephyr_find_window(9, &base, &bytes), 0);
	assert_int_equal(base, (uintptr_t)win(WPAGES + 2));
	assert_int_equal(bytes, 2 * PG);
	assert_int_equal(vr_zephyr_find_window(77, &base, &bytes), -ENOENT);
	assert_int_equal(vr_zephyr_find_window(ATTR, NULL, &bytes), -EINVAL);
	/* bad configurations: nothing allocated */
	memset(&cfg, 0, sizeof(cfg));
	cfg.window_attr = 77;
	assert_int_equal(vr_zephyr_port_init(&other, &cfg), -ENOENT);
	cfg.window_base = (uintptr_t)win(0) + 8;
	cfg.window_bytes = PG;
	assert_int_equal(vr_zephyr_port_init(&other, &cfg), -EINVAL);
	cfg.window_base = (uintptr_t)win(0);
	cfg.window_bytes = 0;
	assert_int_equal(vr_zephyr_port_init(&other, &cfg), -EINVAL);
	cfg.window_bytes = 2 * PG;
	cfg.phys_pages = 3;
	assert_int_equal(vr_zephyr_port_init(&other, &cfg), -EINVAL);
	cfg.phys_pages = 0;
	cfg.cache_line = 48;
	assert_int_equal(vr_zephyr_port_init(&other, &cfg), -EINVAL);
	cfg.cache_line = 0;
#ifdef CONFIG_DCACHE_LINE_SIZE_DETECT
	/* no line in the config: the one Zephyr detects, if a power of two */
	{
		static const size_t detected[] = { 128, 32, 0, 48 }, want[] = { 128, 32, 64, 64 };
		struct vr_zephyr_port_config ok = { .window_attr = 9 };
		unsigned i;

		for (i = 0; i < 4; i++) {
			sim_mm_dcache_line = detected[i];
			assert_int_equal(vr_zephyr_port_init(&other, &ok), 0);
			assert_int_equal(vr_zephyr_port_get(&other)->cache_line, want[i]);
			assert_int_equal(vr_zephyr_port_deinit(&other), 0);
		}
		sim_mm_dcache_line = 64;
	}
#endif
	cfg.meta_ctx = &other;
	cfg.meta_free = meta_free_only;
	assert_int_equal(vr_zephyr_port_init(&other, &cfg), -EINVAL);
	assert_null(vr_zephyr_port_get(NULL));
	assert_int_equal(vr_zephyr_port_deinit(NULL), -EINVAL);
	assert_int_equal(vr_zephyr_port_get_stats(&zp, NULL), -EINVAL);
}

/* ---- a driver that picks no frame (linear frames) ------------------------------- */

#define LFIRST 2	/* window page k is frame LFIRST + k */

static int setup_given(void **state)
{
	struct sim_mm_config c = { .vpages = VPAGES, .frames = FRAMES, .image_pages = 4,
				   .doublemap = HAVE_ALIAS, .given_frames = true };
	struct vr_zephyr_port_config cfg;

	(void)state;
	assert_int_equal(sim_mm_init(&c), 0);
	assert_int_equal(sim_mm_add_region((uintptr_t)win(0), WPAGES * PG, ATTR), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.window_attr = ATTR;
	cfg.linear_frames = true;
	cfg.phys_base = SIM_PHYS_BASE + LFIRST * PG;
	assert_int_equal(vr_zephyr_port_init(&zp, &cfg), 0);
	port = vr_zephyr_port_get(&zp);
	assert_non_null(port);
	return 0;
}

/* Each page gets its own frame, zeroed; a frame the driver refuses is an
 * error with nothing left mapped; without linear frames such a driver
 * refuses every map (phys 0 is not "any frame" there) and the port stays
 * clean. */
static void test_given_frames(void **state)
{
	struct vr_zephyr_port_config cfg;
	struct vr_zephyr_port plain;
	const struct vr_port *pp;
	size_t k;

	(void)state;
	sim_mm_frame_fill(LFIRST + 2, 0xab);	/* a previous user's data */
	assert_int_equal(port->map(port->ctx, win(1), 3, VR_PERM_RW), 0);
	for (k = 1; k <= 3; k++)
		assert_int_equal(sim_mm_frame_of(win(k)), LFIRST + k);
	for (k = 0; k < PG; k++)
		assert_int_equal(win(1)[PG + k], 0);
	assert_int_equal(port->unmap(port->ctx, win(1), 3), 0);
	assert_int_equal(frames_free(), FRAMES);

	/* frame of window page 6 taken by someone else: the map of 4..7 fails
	 * at page 6 and is rolled back */
	assert_int_equal(sys_mm_drv_map_page(win(WPAGES + 1), SIM_PHYS_BASE + (LFIRST + 6) * PG,
					     SYS_MM_MEM_PERM_RW), 0);
	assert_int_equal(port->map(port->ctx, win(4), 4, VR_PERM_RW), -EBUSY);
	for (k = 4; k < 8; k++)
		assert_false(page_mapped(win(k)));
	assert_int_equal(mapped_now(), 0);
	assert_int_equal(sys_mm_drv_unmap_page(win(WPAGES + 1)), 0);

	/* the same driver without linear frames */
	memset(&cfg, 0, sizeof(cfg));
	cfg.window_attr = ATTR;
	assert_int_equal(vr_zephyr_port_init(&plain, &cfg), 0);
	pp = vr_zephyr_port_get(&plain);
	assert_int_equal(pp->map(pp->ctx, win(9), 2, VR_PERM_RW), -EINVAL);
	assert_false(page_mapped(win(9)));
	assert_int_equal(vr_zephyr_port_deinit(&plain), 0);
	/* linear frames need a page-aligned base that does not wrap */
	cfg.linear_frames = true;
	cfg.phys_base = SIM_PHYS_BASE + 8;
	assert_int_equal(vr_zephyr_port_init(&plain, &cfg), -EINVAL);
	cfg.phys_base = UINTPTR_MAX & ~(uintptr_t)(PG - 1);
	assert_int_equal(vr_zephyr_port_init(&plain, &cfg), -EINVAL);
	assert_int_equal(frames_free(), FRAMES);
}

/* ---- map / unmap --------------------------------------------------------------- */

static void test_bounds(void **state)
{
	size_t calls;
	struct sim_mm_stats st;

	(void)state;
	/* the last page of the window works (map_region_safe refuses it) */
	assert_int_equal(port->map(port->ctx, win(WPAGES - 2), 2, VR_PERM_RW), 0);
	assert_true(page_mapped(win(WPAGES - 1)));
	assert_int_equal(port->unmap(port->ctx, win(WPAGES - 2), 2), 0);
	sim_mm_get_stats(&st);
	calls = st.calls;
	/* refused without reaching the driver: one past, crossing the end,
	 * before the start, unaligned, empty, bad perms */
	assert_int_equal(port->map(port->ctx, win(WPAGES), 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port->map(port->ctx, win(WPAGES - 1), 2, VR_PERM_RW), -EINVAL);
	assert_int_equal(port->map(port->ctx, win(0) - PG, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port->map(port->ctx, win(0) + 64, 1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port->map(port->ctx, win(0), 0, VR_PERM_RW), -EINVAL);
	assert_int_equal(port->map(port->ctx, win(0), 1, 0), -EINVAL);
	assert_int_equal(port->map(port->ctx, win(0), 1, 8), -EINVAL);
	assert_int_equal(port->map(port->ctx, win(0), (size_t)-1, VR_PERM_RW), -EINVAL);
	assert_int_equal(port->unmap(port->ctx, win(WPAGES - 1), 2), -EINVAL);
	assert_int_equal(port->unmap(port->ctx, win(0) + 1, 1), -EINVAL);
	if (!port->protect)
		assert_int_equal(port->map(port->ctx, win(0), 1, VR_PERM_R), -ENOTSUP);
	sim_mm_get_stats(&st);
	assert_int_equal(st.calls, calls);
	assert_int_equal(mapped_now(), 0);
}

/* The simulated driver really has the upstream behaviours the port avoids. */
static void test_driver_as_intel(void **state)
{
	struct sys_mm_drv_region r = { win(0), 4 * PG, ATTR };
	struct sim_mm_stats st;

	(void)state;
	/* strict end: a run ending at the region end is refused */
	assert_int_equal(sys_mm_drv_map_region_safe(&r, win(2), 0, 2 * PG, SYS_MM_MEM_PERM_RW),
			 -EINVAL);
	/* no rollback: a failing page in the middle leaves the others mapped */
	sim_mm_fail_at(2, -EIO);
	assert_int_equal(sys_mm_drv_map_region(win(0), 0, 3 * PG, SYS_MM_MEM_PERM_RW), -EIO);
	assert_true(page_mapped(win(0)) && !page_mapped(win(1)) && page_mapped(win(2)));
	/* no live-entry check: a second map leaks the first frame */
	assert_int_equal(sys_mm_drv_map_page(win(0), 0, SYS_MM_MEM_PERM_RW), 0);
	sim_mm_get_stats(&st);
	assert_int_equal(st.leaked_frames, 1);
	assert_int_equal(sys_mm_drv_unmap_region(win(0), 3 * PG), 0);
	sim_mm_get_stats(&st);
	assert_int_equal(st.double_frees, 0);
	/* unmap of an unmapped page frees the frame its stale entry names */
	assert_int_equal(sys_mm_drv_unmap_page(win(0)), 0);
	sim_mm_get_stats(&st);
	assert_int_equal(st.double_frees, 1);
	/* the leaked frame stays taken: start a fresh driver for the teardown */
	sim_mm_fini();
	sim_up(true);
}

static void test_zeroed_both_aliases(void **state)
{
	size_t f, i;
	uint8_t *p = win(3);

	(void)state;
	for (f = 0; f < FRAMES; f++)
		sim_mm_frame_fill(f, 0xab);	/* a previous user's data */
	assert_int_equal(port->map(port->ctx, p, 4, VR_PERM_RW), 0);
	for (i = 0; i < 4 * PG; i++)
		if (p[i])
			fail_msg("byte %zu not zeroed", i);
	if (HAVE_ALIAS) {
		uint8_t *u = port->to_uncached(port->ctx, p);

		assert_ptr_not_equal(u, p);
		assert_true(port->is_uncached(port->ctx, u));
		assert_false(port->is_uncached(port->ctx, p));
		assert_ptr_equal(port->to_cached(port->ctx, u), p);
		assert_ptr_equal(port->to_cached(port->ctx, p), p);
		assert_int_equal(u[0] | u[4 * PG - 1], 0);
		u[5] = 7;
		assert_int_equal(p[5], 7);	/* one frame, two aliases */
		/* outside the window: untouched, never "uncached of this window" */
		assert_ptr_equal(port->to_uncached(port->ctx, win(WPAGES)), win(WPAGES));
		assert_false(port->is_uncached(port->ctx, win(WPAGES) + sim_mm_uncached_offset()));
	}
	assert_int_equal(port->unmap(port->ctx, p, 4), 0);
	assert_true(vr_child_read_faults(p));
	assert_true(vr_child_read_faults(p + 3 * PG));
}

static void test_live_entry_refused(void **state)
{
	struct vr_zephyr_port_stats st;

	(void)state;
	/* someone else (LLEXT's own mapping) holds page 2 */
	assert_int_equal(sys_mm_drv_map_page(win(2), 0, SYS_MM_MEM_PERM_RW), 0);
	assert_int_equal(port->map(port->ctx, win(0), 4, VR_PERM_RW), -EFAULT);
	assert_false(page_mapped(win(0)) || page_mapped(win(1)) || page_mapped(win(3)));
	assert_true(page_mapped(win(2)));	/* not ours: left alone */
	assert_int_equal(mapped_now(), 0);
	assert_int_equal(vr_zephyr_port_get_stats(&zp, &st), 0);
	assert_int_equal(st.refused_live, 1);
	/* unmap never reaches the driver for a page without an entry (Intel
	 * would free the frame a stale entry names): a page unmapped twice */
	assert_int_equal(port->map(port->ctx, win(4), 2, VR_PERM_RW), 0);
	assert_int_equal(port->unmap(port->ctx, win(4), 2), 0);
	assert_int_equal(port->unmap(port->ctx, win(4), 2), 0);
	assert_int_equal(mapped_now(), 0);
	assert_int_equal(sys_mm_drv_unmap_page(win(2)), 0);
}

static void test_budget(void **state)
{
	struct sim_mm_stats st;
	unsigned long calls;

	(void)state;
	assert_int_equal(vr_zephyr_port_deinit(&zp), 0);
	port_up(5, false);
	assert_int_equal(port->map(port->ctx, win(0), 4, VR_PERM_RW), 0);
	sim_mm_get_stats(&st);
	calls = st.calls;
	assert_int_equal(port->map(port->ctx, win(4), 2, VR_PERM_RW), -ENOMEM);
	sim_mm_get_stats(&st);
	assert_int_equal(st.calls, calls);	/* the driver never saw it */
	assert_int_equal(port->map(port->ctx, win(4), 1, VR_PERM_RW), 0);
	assert_int_equal(mapped_now(), 5);
	assert_int_equal(vr_zephyr_port_deinit(&zp), -EBUSY);
	assert_int_equal(port->unmap(port->ctx, win(0), 5), 0);
	assert_int_equal(mapped_now(), 0);
}

/* A budget above the driver's frames: the driver runs dry (and would
 * assert), the port rolls back. */
static void test_driver_dry(void **state)
{
	struct vr_zephyr_port_config cfg;
	struct sim_mm_stats st;
	size_t i;

	(void)state;
	assert_int_equal(vr_zephyr_port_deinit(&zp), 0);
	sim_mm_fini();
	sim_up(false);
	memset(&cfg, 0, sizeof(cfg));
	cfg.window_base = sim_mm_vbase();
	cfg.window_bytes = VPAGES * PG;
	assert_int_equal(vr_zephyr_port_init(&zp, &cfg), 0);
	port = vr_zephyr_port_get(&zp);
	assert_int_equal(port->map(port->ctx, (void *)sim_mm_vbase(), FRAMES - 2, VR_PERM_RW), 0);
	assert_int_equal(port->map(port->ctx, (uint8_t *)sim_mm_vbase() + FRAMES * PG, 4,
				   VR_PERM_RW), -ENOMEM);
	for (i = 0; i < 4; i++)
		assert_false(page_mapped((uint8_t *)sim_mm_vbase() + (FRAMES + i) * PG));
	assert_int_equal(frames_free(), 2);
	assert_int_equal(mapped_now(), FRAMES - 2);
	assert_int_equal(port->unmap(port->ctx, (void *)sim_mm_vbase(), FRAMES - 2), 0);
	sim_mm_get_stats(&st);
	assert_int_equal(st.asserts, 1);
	sim_mm_fini();
	sim_up(true);
}

/* Driver call k fails, for every k: map leaves nothing behind. */
static void test_map_sweep(void **state)
{
	unsigned long k;
	int rc;

	(void)state;
	for (k = 1;; k++) {
		sim_mm_fail_at(k, k % 2 ? -EIO : -ENOMEM);
		rc = port->map(port->ctx, win(10), 4, port->protect ? VR_PERM_RX : VR_PERM_RW);
		sim_mm_fail_at(0, 0);
		if (rc == 0)
			break;
		assert_true(rc < 0);
		assert_int_equal(mapped_now(), 0);
		assert_int_equal(frames_free(), FRAMES);
		assert_false(page_mapped(win(10)) || page_mapped(win(13)));
		assert_true(k < 100);
	}
	assert_true(k > 8);	/* 4 x (phys_get + map_page) at least */
	assert_int_equal(port->unmap(port->ctx, win(10), 4), 0);
}

/* A failed unmap leaves the rest mapped; the retry finishes the job. */
static void test_unmap_sweep(void **state)
{
	unsigned long k;
	int rc;

	(void)state;
	for (k = 1;; k++) {
		assert_int_equal(port->map(port->ctx, win(0), 4, VR_PERM_RW), 0);
		sim_mm_fail_at(k, -EIO);
		rc = port->unmap(port->ctx, win(0), 4);
		sim_mm_fail_at(0, 0);
		if (rc == 0)
			break;
		assert_true(rc < 0);
		assert_true(mapped_now() > 0);
		assert_int_equal(port->unmap(port->ctx, win(0), 4), 0);
		assert_int_equal(mapped_now(), 0);
		assert_int_equal(frames_free(), FRAMES);
	}
	assert_int_equal(mapped_now(), 0);
}

/* ---- protect (an SoC that enforces it) ------------------------------------------ */

static void test_protect(void **state)
{
	uint8_t *p = win(6);
	unsigned long k;
	int rc;

	(void)state;
	if (!port->protect) {
		/* an SoC without permission bits: no protect, read-only refused */
		assert_false(HAVE_ALIAS);
		assert_int_equal(port->map(port->ctx, p, 1, VR_PERM_RX), -ENOTSUP);
		assert_int_equal(mapped_now(), 0);
		return;
	}
	assert_int_equal(port->map(port->ctx, p, 2, VR_PERM_RX), 0);
	assert_int_equal(p[0], 0);
	assert_true(vr_child_write_faults(p));
	assert_true(vr_child_write_faults(p + PG));
	assert_int_equal(port->protect(port->ctx, p, 2, VR_PERM_RW), 0);
	p[PG] = 1;
	assert_int_equal(port->protect(port->ctx, p, 2, VR_PERM_NONE), -ENOTSUP);
	/* a failed protect restores what it changed */
	for (k = 1;; k++) {
		sim_mm_fail_at(k, -EIO);
		rc = port->protect(port->ctx, p, 2, VR_PERM_R);
		sim_mm_fail_at(0, 0);
		if (rc == 0)
			break;
		assert_false(vr_child_write_faults(p));
		assert_false(vr_child_write_faults(p + PG));
	}
	assert_true(vr_child_write_faults(p + PG));
	assert_int_equal(port->unmap(port->ctx, p, 2), 0);
}

/* ---- under a pool and regions: every k-th driver call fails ------------------- */

static void pool_state(struct vr_vpage_pool *pool, struct vr_vpage_stats *st)
{
	assert_int_equal(vr_vpage_validate(pool), 0);
	assert_int_equal(vr_vpage_get_stats(pool, st), 0);
	st->failures = 0;
}

static void test_pool_sweep(void **state)
{
	struct vr_vpage_pool pool;
	struct vr_vpage_stats before, after;
	unsigned long k;
	void *p;

	(void)state;
	assert_int_equal(vr_vpage_pool_init(&pool, port, NULL), 0);
	pool_state(&pool, &before);
	for (k = 1;; k++) {
		sim_mm_fail_at(k, -EIO);
		p = vr_vpage_alloc(&pool, 3);
		sim_mm_fail_at(0, 0);
		if (p)
			break;
		pool_state(&pool, &after);
		assert_memory_equal(&before, &after, sizeof(before));
		assert_int_equal(frames_free(), FRAMES);
	}
	for (k = 1;; k++) {
		sim_mm_fail_at(k, -EIO);
		if (vr_vpage_free(&pool, p) == 0) {
			sim_mm_fail_at(0, 0);
			break;
		}
		sim_mm_fail_at(0, 0);
		assert_int_equal(vr_vpage_run_pages(&pool, p), 3);	/* kept, can retry */
		assert_int_equal(vr_vpage_validate(&pool), 0);
	}
	pool_state(&pool, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(frames_free(), FRAMES);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
}

static void test_region_sweep(void **state)
{
	struct vr_region_config cfg = { .size = 3 * PG, .name = "sweep" };
	struct vr_vpage_pool pool;
	struct vr_region *r;
	unsigned long k;
	long heap;

	(void)state;
	assert_int_equal(vr_vpage_pool_init(&pool, port, NULL), 0);
	heap = vr_stub_heap_live();
	for (k = 1;; k++) {
		sim_mm_fail_at(k, -EIO);
		vr_stub_heap_fail_at(k);	/* and metadata allocation k */
		r = vr_region_create(&pool, &cfg);
		sim_mm_fail_at(0, 0);
		vr_stub_heap_fail_at(0);
		if (r)
			break;
		assert_int_equal(vr_stub_heap_live(), heap);
		assert_int_equal(frames_free(), FRAMES);
		assert_int_equal(vr_vpage_validate(&pool), 0);
	}
	assert_non_null(vr_region_alloc(r, 100));
	assert_int_equal(vr_region_set_interim(r), 0);
	assert_non_null(vr_region_alloc(r, 100));
	assert_null(vr_region_put(r));
	assert_int_equal(vr_vpage_validate(&pool), 0);
	assert_int_equal(frames_free(), FRAMES);
	assert_int_equal(vr_stub_heap_live(), heap);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
}

/* A region's bounded calls (interim alloc and free) take the port's short
 * lock, a k_spinlock, not a k_mutex (issue 9: upstream's k_heap spinlock,
 * without the region mutex around it). */
static void test_region_short_locks(void **state)
{
	struct vr_region_config cfg = { .size = 2 * PG, .name = "spin" };
	struct vr_vpage_pool pool;
	struct vr_region *r;
	unsigned long m0, s0;
	void *p;

	(void)state;
	assert_non_null(port->spin_create);
	assert_non_null(port->spin_lock);
	assert_int_equal(vr_vpage_pool_init(&pool, port, NULL), 0);
	r = vr_region_create(&pool, &cfg);
	assert_non_null(r);
	assert_int_equal(vr_region_set_interim(r), 0);
	m0 = vr_stub_mutex_locks();
	s0 = vr_stub_spin_locks();
	p = vr_region_alloc(r, 200);
	assert_non_null(p);
	assert_int_equal(vr_region_free(r, p), 0);
	assert_int_equal(vr_stub_mutex_locks(), m0);
	assert_true(vr_stub_spin_locks() >= s0 + 2);
	assert_int_equal(vr_region_validate(r), 0);
	assert_null(vr_region_put(r));
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
}

/* ---- threads and trace ----------------------------------------------------------- */

#define NTHREADS 4

static void *mapper(void *arg)
{
	uint8_t *base = win((size_t)(uintptr_t)arg * 8);
	unsigned i;

	for (i = 0; i < 200; i++) {
		if (port->map(port->ctx, base, 1 + i % 7, VR_PERM_RW))
			return (void *)1;
		base[0] = (uint8_t)i;
		if (port->unmap(port->ctx, base, 1 + i % 7))
			return (void *)2;
	}
	return NULL;
}

static void test_threads_disjoint(void **state)
{
	pthread_t t[NTHREADS];
	void *res;
	uintptr_t i;

	(void)state;
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, mapper, (void *)i), 0);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(t[i], &res), 0);
		assert_null(res);
	}
	assert_int_equal(mapped_now(), 0);
}

static void test_trace_lines(void **state)
{
	struct vr_zephyr_port_config cfg;
	struct vr_vpage_pool pool;
	void *p;

	(void)state;
	vr_zephyr_port_config_default(&cfg);
#ifdef CONFIG_VREGION_TRACE_LOG
	assert_true(cfg.trace_log);
	assert_int_equal(vr_zephyr_port_deinit(&zp), 0);
	vr_stub_log_reset();
	assert_int_equal(vr_zephyr_port_init(&zp, &cfg), 0);
	port = vr_zephyr_port_get(&zp);
	assert_non_null(port->trace);
	assert_non_null(vr_stub_log_find("vrtrace", "# vregion-trace 1"));
	/* one event, one line in the trace format, prefixed by the module */
	{
		struct vr_trace_event ev;
		char want[VR_TRACE_LINE_MAX];

		memset(&ev, 0, sizeof(ev));
		ev.op = VR_TRACE_PAGE_ALLOC;
		ev.api = "vpage_alloc";
		ev.pool = 1;
		ev.npages = 2;
		ev.perms = VR_PERM_RW;
		ev.page = 5;
		const char *line, *seq;

		(void)vr_trace_format(&ev, want, sizeof(want));
		port->trace(port->ctx, &ev);
		/* the line as formatted, plus the seq the hook stamped */
		line = vr_stub_log_find("vrtrace", "page_alloc api=vpage_alloc pool=1 seq=");
		assert_non_null(line);
		seq = strstr(line, " seq=");
		assert_non_null(seq);
		assert_true(seq[5] >= '1' && seq[5] <= '9');
		assert_non_null(strstr(line, strstr(want, " pages=2")));
		ev.seq = (uint32_t)strtoul(seq + 5, NULL, 10) + 1u;
		(void)vr_trace_format(&ev, want, sizeof(want));
		ev.seq = 0;
		port->trace(port->ctx, &ev);	/* the next event of pool 1: seq + 1 */
		assert_non_null(vr_stub_log_find("vrtrace", strstr(want, "pool=1 seq=")));
	}
	/* the pool's events reach the hook (whatever the core emits) */
	assert_int_equal(vr_vpage_pool_init(&pool, port, NULL), 0);
	p = vr_vpage_alloc(&pool, 2);
	assert_non_null(p);
	assert_int_equal(vr_vpage_free(&pool, p), 0);
	assert_int_equal(vr_vpage_pool_deinit(&pool), 0);
#else
	assert_false(cfg.trace_log);
	cfg.trace_log = true;
	assert_int_equal(vr_zephyr_port_init(&zp, &cfg), -EINVAL);	/* not built in */
	(void)pool;
	(void)p;
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window_by_attr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_as_intel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zeroed_both_aliases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_entry_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_dry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_short_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_disjoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_given_frames, setup_given, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
