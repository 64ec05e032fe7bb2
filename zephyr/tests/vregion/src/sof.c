/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sof.c - the ztest suite "vregion_sof" (CONFIG_VREGION_SOF): SOF's own boot
 * tests (zephyr/test/vpage.c and zephyr/test/vregion.c, phase II), as
 * vectors, through SOF's API with the pool vregion set up at boot from the
 * test driver's region of attribute 3.
 */
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/ztest.h>
#include <zephyr/drivers/mm/system_mm.h>

#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>
#include "test_mm_drv.h"

#define PG TD_PG

ZTEST_SUITE(vregion_sof, NULL, NULL, NULL, NULL, NULL);

ZTEST(vregion_sof, test_boot_set_up)
{
	const struct sys_mm_drv_region *r = vpage_get_region();

	zassert_not_null(r, "the pool was not set up at boot");
	zassert_equal((uintptr_t)r->addr, (uintptr_t)td_page(0));
	zassert_equal(r->size, TD_SOF_PAGES * PG);
	zassert_equal(r->attr, 3);
#ifdef CONFIG_VREGION_SOF_VPAGE_STATS	/* SOF #11041: not in SOF's header yet */
	struct vpage_stats st;

	vpage_get_stats(&st);
	zassert_equal(st.total_pages, TD_SOF_PAGES);
	zassert_equal(st.free_pages, TD_SOF_PAGES);
#endif
}

ZTEST(vregion_sof, test_vpage)
{
	void *p1 = vpage_alloc(1), *p2 = vpage_alloc(2), *first = p1;

	zassert_not_null(p1);
	zassert_not_null(p2);
	zassert_equal((uintptr_t)p1 % PG, 0);
	vpage_free(p1);
	vpage_free(p2);
	p1 = vpage_alloc(2);
	zassert_equal(p1, first, "first fit reuses the freed run");
	vpage_free(p1);
}

static int regions_seen;

static void count_region(int idx, const struct vregion_snapshot *s, void *ctx)
{
	ARG_UNUSED(idx);
	ARG_UNUSED(s);
	ARG_UNUSED(ctx);
	regions_seen++;
}

ZTEST(vregion_sof, test_vregion)
{
	struct vregion *vr = vregion_create(3 * PG);
	uint8_t *p, *q;
	uintptr_t start = 0;
	size_t size = 0;

	zassert_not_null(vr);
	vregion_mem_info(vr, &size, &start);
	zassert_equal(size, 3 * PG);
	p = vregion_alloc(vr, 6000);
	q = vregion_alloc_align(vr, 5000, 16);
	zassert_not_null(p);
	zassert_equal((uintptr_t)p, start);
	zassert_equal(q - p, 6016);
	vregion_set_interim(vr);
	zassert_is_null(vregion_alloc(vr, 6000));
	vregion_free(vr, q);
	vregion_free(vr, p);
	zassert_is_null(vregion_alloc(vr, 6000));
	p = vregion_alloc(vr, 20);
	q = vregion_alloc_align(vr, 1000, 16);
	zassert_not_null(p);
	zassert_not_null(q);
	zassert_equal((uintptr_t)q & 15, 0);
	zassert_is_null(vregion_alloc(vr, 2000));
	vregion_free(vr, q);
	vregion_free(vr, p);
	p = vregion_alloc(vr, 1000);
	zassert_not_null(p);
	regions_seen = 0;
	vregion_for_each(count_region, NULL);
	zassert_equal(regions_seen, 1);
	vregion_info(vr);
	vregion_free(vr, p);
	zassert_is_null(vregion_put(vr));
}
