/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - the module's ztest suite "vregion_port": the Zephyr port over the
 * test-only driver (test_mm_drv.c), then a pool and a region on it. Runs on
 * native_sim and qemu_x86 (the fault test needs an MMU: qemu_x86).
 */
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/ztest.h>
#include <zephyr/drivers/mm/system_mm.h>

#include "vregion/port_zephyr.h"
#include "vregion/vpage.h"
#include "vregion/vregion.h"
#include "test_mm_drv.h"
#ifdef CONFIG_MMU
#include <zephyr/ztest_error_hook.h>	/* CONFIG_ZTEST_FATAL_HOOK (boards/qemu_x86.conf) */
#endif

#define PG TD_PG
#define WPAGES (TD_PAGES - TD_SOF_PAGES)
#define BUDGET 12u

static struct vr_zephyr_port zp;
static const struct vr_port *port;

static uint8_t *win(size_t i)
{
	return td_page(TD_SOF_PAGES + i);
}

static void *port_setup(void)
{
	struct vr_zephyr_port_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.window_attr = TD_PORT_ATTR;
	cfg.phys_pages = BUDGET;
	zassert_ok(vr_zephyr_port_init(&zp, &cfg));
	port = vr_zephyr_port_get(&zp);
	zassert_not_null(port);
	return NULL;
}

static void port_after(void *fixture)
{
	struct vr_zephyr_port_stats st;
	struct td_stats td;

	ARG_UNUSED(fixture);
	zassert_ok(vr_zephyr_port_get_stats(&zp, &st));
	zassert_equal(st.mapped_pages, 0, "test left pages mapped");
	td_get_stats(&td);
	zassert_equal(td.leaked, 0, "driver entry mapped over");
	zassert_equal(td.double_frees, 0, "unmapped page unmapped again");
	zassert_equal(td.asserts, 0, "driver ran out of frames");
}

static void port_teardown(void *fixture)
{
	ARG_UNUSED(fixture);
	zassert_ok(vr_zephyr_port_deinit(&zp));
}

ZTEST_SUITE(vregion_port, NULL, port_setup, NULL, port_after, port_teardown);

ZTEST(vregion_port, test_geometry)
{
	zassert_equal(port->window_base, (uintptr_t)win(0));
	zassert_equal(port->window_pages, WPAGES);
	zassert_equal(port->phys_pages, BUDGET);
	zassert_equal(port->page_size, PG);
	/* native_sim and qemu_x86 have no d-cache-line-size: the fallback */
	zassert_true(port->cache_line >= 16);
	zassert_is_null(port->protect, "no permission bits on this driver");
}

ZTEST(vregion_port, test_map_zeroes_stale_pages)
{
	uint8_t *p = win(2);
	size_t i;

	zassert_ok(port->map(port->ctx, p, 2, VR_PERM_RW));
	memset(p, 0xab, 2 * PG);
	zassert_ok(port->unmap(port->ctx, p, 2));
	zassert_ok(port->map(port->ctx, p, 2, VR_PERM_RW));	/* same frames, stale */
	for (i = 0; i < 2 * PG; i++)
		zassert_equal(p[i], 0, "byte %u not zeroed", (unsigned)i);
	zassert_ok(port->unmap(port->ctx, p, 2));
}

ZTEST(vregion_port, test_last_page_and_bounds)
{
	zassert_ok(port->map(port->ctx, win(WPAGES - 3), 3, VR_PERM_RW));
	zassert_ok(port->unmap(port->ctx, win(WPAGES - 3), 3));
	zassert_equal(port->map(port->ctx, win(WPAGES - 1), 2, VR_PERM_RW), -EINVAL);
	zassert_equal(port->map(port->ctx, win(0) - PG, 1, VR_PERM_RW), -EINVAL);
	zassert_equal(port->map(port->ctx, win(0) + 8, 1, VR_PERM_RW), -EINVAL);
	zassert_equal(port->map(port->ctx, win(0), 1, VR_PERM_R), -ENOTSUP);
}

ZTEST(vregion_port, test_live_entry_not_mapped_over)
{
	zassert_ok(sys_mm_drv_map_page(win(5), 0, SYS_MM_MEM_PERM_RW));	/* someone else's */
	zassert_equal(port->map(port->ctx, win(4), 3, VR_PERM_RW), -EFAULT);
	zassert_equal(sys_mm_drv_page_phys_get(win(4), NULL), -EFAULT, "rolled back");
	zassert_equal(sys_mm_drv_page_phys_get(win(6), NULL), -EFAULT);
	zassert_ok(sys_mm_drv_unmap_page(win(5)));
}

ZTEST(vregion_port, test_budget)
{
	zassert_ok(port->map(port->ctx, win(0), BUDGET, VR_PERM_RW));
	zassert_equal(port->map(port->ctx, win(BUDGET), 1, VR_PERM_RW), -ENOMEM);
	zassert_ok(port->unmap(port->ctx, win(0), BUDGET));
}

/* A driver that maps the frame it is given (no "phys 0 = any frame"): the
 * port's linear frames pass window page k's own frame; a wrong frame is the
 * driver's error, and the port leaves nothing mapped. */
ZTEST(vregion_port, test_linear_frames)
{
	struct vr_zephyr_port_config cfg;
	struct vr_zephyr_port lp;
	const struct vr_port *l;
	uintptr_t phys = 0;
	size_t i;

	for (i = 0; i < WPAGES; i++)
		if (td_frame(TD_SOF_PAGES + i) != td_frame(TD_SOF_PAGES) + i * PG)
			ztest_test_skip();	/* window not physically contiguous */
	memset(&cfg, 0, sizeof(cfg));
	cfg.window_attr = TD_PORT_ATTR;
	cfg.phys_pages = 2;
	cfg.linear_frames = true;
	cfg.phys_base = td_frame(TD_SOF_PAGES);
	zassert_ok(vr_zephyr_port_init(&lp, &cfg));
	l = vr_zephyr_port_get(&lp);
	zassert_ok(l->map(l->ctx, win(3), 2, VR_PERM_RW));
	zassert_ok(sys_mm_drv_page_phys_get(win(4), &phys));
	zassert_equal(phys, td_frame(TD_SOF_PAGES + 4));
	zassert_equal(win(4)[PG - 1], 0, "zeroed");
	zassert_ok(l->unmap(l->ctx, win(3), 2));
	zassert_ok(vr_zephyr_port_deinit(&lp));

	cfg.phys_base += PG;	/* every page one frame off: the driver refuses */
	zassert_ok(vr_zephyr_port_init(&lp, &cfg));
	l = vr_zephyr_port_get(&lp);
	zassert_equal(l->map(l->ctx, win(3), 1, VR_PERM_RW), -EINVAL);
	zassert_equal(sys_mm_drv_page_phys_get(win(3), NULL), -EFAULT, "nothing mapped");
	zassert_ok(vr_zephyr_port_deinit(&lp));
}

/* SOF's boot-test vectors through the native API (3 pages, line >= 64). */
ZTEST(vregion_port, test_pool_and_region)
{
	struct vr_region_config cfg = { .size = 3 * PG, .min_align = 64, .name = "ztest" };
	struct vr_vpage_pool pool;
	struct vr_region_stats st;
	struct vr_region *r;
	uint8_t *a, *b;

	zassert_ok(vr_vpage_pool_init(&pool, port, NULL));
	r = vr_region_create(&pool, &cfg);
	zassert_not_null(r);
	a = vr_region_alloc(r, 6000);
	b = vr_region_alloc_align(r, 5000, 16);
	zassert_not_null(a);
	zassert_equal(b - a, 6016);
	zassert_ok(vr_region_set_interim(r));
	zassert_ok(vr_region_get_stats(r, &st));
	zassert_equal(st.interim_size, 1216);
	zassert_is_null(vr_region_alloc(r, 6000));
	a = vr_region_alloc(r, 20);
	b = vr_region_alloc_align(r, 1000, 16);
	zassert_not_null(a);
	zassert_not_null(b);
	zassert_is_null(vr_region_alloc(r, 2000));
	zassert_ok(vr_region_free(r, b));
	zassert_ok(vr_region_free(r, a));
	zassert_not_null(vr_region_alloc(r, 1000));
	zassert_ok(vr_region_validate(r));
	zassert_is_null(vr_region_put(r));
	zassert_ok(vr_vpage_validate(&pool));
	zassert_ok(vr_vpage_pool_deinit(&pool));
}

/* A stray access to a freed page faults (real page tables: qemu_x86). */
ZTEST(vregion_port, test_freed_page_faults)
{
#ifdef CONFIG_MMU
	struct vr_vpage_pool pool;
	volatile uint8_t *p;

	zassert_ok(vr_vpage_pool_init(&pool, port, NULL));
	p = vr_vpage_alloc(&pool, 1);
	zassert_not_null(p);
	p[0] = 1;
	zassert_ok(vr_vpage_free(&pool, (void *)p));
	zassert_ok(vr_vpage_pool_deinit(&pool));
	ztest_set_fault_valid(true);	/* the fault passes the test */
	(void)p[0];
	zassert_unreachable("a freed page was readable");
#else
	ztest_test_skip();	/* no MMU (native_sim): freed pages stay readable */
#endif
}
