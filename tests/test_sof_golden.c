/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sof_golden.c - upstream's boot tests (zephyr/test/vregion.c and
 * zephyr/test/vpage.c, phase II) as golden tests through SOF's own API and
 * the auto-initialising default pool (page 4096, cache line 64).
 *
 * What upstream's numbers mean, worked out for a 3-page region (12288 B):
 *   vregion_alloc(6000)           align 0 -> 64 (the line); 64-aligned, so the
 *                                 size is padded to the line: 6000 -> 6016.
 *                                 Block at offset 0, bump pointer at 6016.
 *   vregion_alloc_align(5000, 16) align 16 -> raised to 64; offset 6016 is
 *                                 64-aligned; 5000 -> 5056. Block at 6016,
 *                                 bump pointer at 11072.
 *   vregion_set_interim           interim base = ALIGN_UP(11072, 64) = 11072,
 *                                 interim heap = 12288 - 11072 = 1216 bytes
 *                                 (>= upstream's 1024 guard, and room for
 *                                 a min_align block: INTERIM, not INVALID).
 *   vregion_alloc(6000)           interim now: 6000 > 1216, fails.
 *   vregion_free(lifetime ptrs)   counted no-ops: lifetime_frees 2, nothing reused.
 *   vregion_alloc(6000)           still fails.
 *   interim alloc(20)             ok (64-aligned)
 *   interim alloc_align(1000, 16) ok (16 -> 64), 16-aligned as upstream asserts
 *   interim alloc(2000)           fails (2000 > 1216)
 *   free both, alloc(1000)        ok: the freed space coalesced.
 * Our heap (vregion/heap.h) has a 4-byte header per block, 8-byte units, a
 * 4-byte end marker, and places a 64-aligned block with a leading free gap;
 * its control block lives outside the region. 20 + 1000 bytes at 64-byte
 * alignment fit in 1216 bytes with it, so every upstream vector holds
 * unchanged (asserted below, with the exact interim offsets we produce).
 *   vpage: alloc 1, alloc 2, free, free, alloc 2 (the last run reuses the
 * freed pages: first fit puts it at the first page again).
 */
#include "vr_test.h"

#include <errno.h>

#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>
#include "vregion/sof_compat.h"

#define PG 4096u

static size_t off(struct vregion *vr, const void *p)
{
	uintptr_t start = 0;

	vregion_mem_info(vr, NULL, &start);
	return (size_t)((uintptr_t)p - start);
}

static struct vr_region_stats st_of(struct vregion *vr)
{
	struct vr_region_stats st;

	assert_int_equal(vr_region_get_stats(vr_sof_region(vr), &st), 0);
	return st;
}

static int teardown(void **state)
{
	(void)state;
	/* every test returns all pages: the default pool can be torn down */
	return vr_sof_deinit();
}

static void test_golden_vregion(void **state)
{
	struct vregion *vreg;
	struct vr_region_stats st;
	size_t size = 0;
	uintptr_t start = 0;
	void *ptr, *ptr_align, *ptr_nomem, *t1, *t2, *t3;

	(void)state;
	/* the default pool has the documented geometry */
	{
		struct vr_vpage_stats ps;

		assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &ps), 0);
		assert_int_equal(ps.page_size, PG);
		/* posix default (virtual window larger than physical), or flat
		 * default (one buffer: window == physical) */
		if (ps.vpages_total == VR_SOF_VIRT_PAGES) {
			assert_int_equal(ps.ppages_total, VR_SOF_PHYS_PAGES);
		} else {
			assert_int_equal(ps.vpages_total, VR_SOF_FLAT_PAGES);
			assert_int_equal(ps.ppages_total, VR_SOF_FLAT_PAGES);
		}
	}

	vreg = vregion_create(3 * PG);
	assert_non_null(vreg);
	vregion_mem_info(vreg, &size, &start);
	assert_int_equal(size, 3 * PG);
	assert_int_equal(start % PG, 0);

	/* lifetime */
	ptr = vregion_alloc(vreg, 6000);
	assert_non_null(ptr);
	assert_int_equal(off(vreg, ptr), 0);
	assert_int_equal(st_of(vreg).lifetime_used, 6016);
	ptr_align = vregion_alloc_align(vreg, 5000, 16);
	assert_non_null(ptr_align);
	assert_int_equal((uintptr_t)ptr_align & 15, 0);
	assert_int_equal(off(vreg, ptr_align), 6016);
	assert_int_equal(st_of(vreg).lifetime_used, 6016 + 5056);

	vregion_set_interim(vreg);
	st = st_of(vreg);
	assert_int_equal(st.phase, VR_REGION_INTERIM);
	assert_int_equal(st.lifetime_size, 11072);
	assert_int_equal(st.interim_size, 1216);

	ptr_nomem = vregion_alloc(vreg, 6000);
	assert_null(ptr_nomem);
	/* lifetime frees are no-ops (counted); re-alloc still fails */
	vregion_free(vreg, ptr_align);
	vregion_free(vreg, ptr);
	ptr_nomem = vregion_alloc(vreg, 6000);
	assert_null(ptr_nomem);
	st = st_of(vreg);
	assert_int_equal(st.lifetime_frees, 2);
	assert_int_equal(st.lifetime_used, 11072);
	assert_int_equal(st.failures, 2);

	/* interim */
	t1 = vregion_alloc(vreg, 20);
	assert_non_null(t1);
	assert_int_equal((uintptr_t)t1 % 64, 0);
	t2 = vregion_alloc_align(vreg, 1000, 16);
	assert_non_null(t2);
	assert_int_equal((uintptr_t)t2 & 15, 0);
	assert_true(off(vreg, t1) >= 11072 && off(vreg, t1) + 20 <= 3 * PG);
	assert_true(off(vreg, t2) >= 11072 && off(vreg, t2) + 1000 <= 3 * PG);
	/* our heap's exact placement: t1 on the first 64-byte boundary after its
	 * 4-byte header, t2 on the next one after t1's block */
	assert_int_equal(off(vreg, t1), 11072 + 64);
	assert_int_equal(off(vreg, t2), 11072 + 128);
	ptr_nomem = vregion_alloc(vreg, 2000);
	assert_null(ptr_nomem);
	vregion_free(vreg, t2);
	vregion_free(vreg, t1);
	t3 = vregion_alloc(vreg, 1000);
	assert_non_null(t3);
	assert_int_equal(vr_region_validate(vr_sof_region(vreg)), 0);
	st = st_of(vreg);
	assert_int_equal(st.interim_live, 1);
	assert_int_equal(st.failures, 3);
	assert_int_equal(st.errors, 0);

	vregion_info(vreg);
	vregion_free(vreg, t3);
	assert_null(vregion_put(vreg));
}

static void test_golden_vpage(void **state)
{
	struct vr_vpage_stats ps;
	void *p1, *p2, *first;

	(void)state;
	p1 = vpage_alloc(1);
	assert_non_null(p1);
	first = p1;
	p2 = vpage_alloc(2);
	assert_non_null(p2);
	assert_int_equal((uintptr_t)p1 % PG, 0);
	assert_ptr_equal(p2, (char *)p1 + PG);
	assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &ps), 0);
	assert_int_equal(ps.live_allocs, 2);
	assert_int_equal(ps.ppages_total - ps.ppages_free, 3);

	vpage_free(p1);
	vpage_free(p2);
	assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &ps), 0);
	assert_int_equal(ps.live_allocs, 0);
	assert_int_equal(ps.ppages_free, ps.ppages_total);

	p1 = vpage_alloc(2);
	assert_non_null(p1);
	assert_ptr_equal(p1, first);
	vpage_free(p1);
	assert_int_equal(vr_vpage_validate(vr_sof_pool()), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_vregion, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_golden_vpage, NULL, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
