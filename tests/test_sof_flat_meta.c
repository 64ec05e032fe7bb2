/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sof_flat_meta.c - the flat SOF default's metadata sizing
 * (vregion/sof_compat.h, METADATA): compat/sof_*.c and the flat glue are
 * compiled into this test with a log hook (VR_SOF_FLAT_LOG) and a metadata
 * buffer of the build's choosing (VR_SOF_FLAT_META_BYTES).
 *   test_sof_flat_meta       16 KiB: metadata, not pages, limits the regions.
 *                            The count set-up logs is the number of 28 KiB
 *                            regions vregion_create really makes before
 *                            metadata runs out, and sof_compat.h's formula
 *                            (vr_flat_port_meta_bytes of the pool's block plus
 *                            N regions) puts the buffer between N and N + 1;
 *                            by it the default 64 KiB holds more regions of
 *                            28 KiB than the default 256 pages.
 *   test_sof_flat_meta_tiny  1 KiB: not even the pool's metadata fits, so
 *                            set-up is refused (-ENOMEM) with an error logged,
 *                            and every SOF call fails cleanly.
 */
#include "vr_test.h"

#include <errno.h>
#include <string.h>

#include <sof/lib/vregion.h>
#include "vregion/port_flat.h"
#include "vregion/sof_compat.h"
#include "vregion/vpage.h"

#if !VR_SOF_DEFAULT_POOL || !defined(VR_SOF_FLAT_LOG)
#error "this suite needs the flat default pool and VR_SOF_FLAT_LOG=test_flat_log"
#endif

#define DP (28u * 1024u)
#define G VR_FLAT_META_GRANULE

/* What the glue logged. */
static struct {
	unsigned inf, err, no_meta;
	uintptr_t regions, each;	/* the set-up's capacity line */
	uintptr_t capacity, pool;	/* the set-up's refusal */
} seen;

void test_flat_log(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		   uintptr_t a, uintptr_t b);

void test_flat_log(void *ctx, enum vr_log_level level, const char *func, const char *msg,
		   uintptr_t a, uintptr_t b)
{
	(void)ctx;
	(void)func;
	if (level == VR_LOG_INF && strstr(msg, "regions of 28 KiB")) {
		seen.inf++;
		seen.regions = a;
		seen.each = b;
	} else if (level == VR_LOG_ERR && strstr(msg, "pool's metadata")) {
		seen.err++;
		seen.capacity = a;
		seen.pool = b;
	} else if (level == VR_LOG_WRN && strstr(msg, "metadata buffer exhausted")) {
		seen.no_meta++;	/* the flat port refused a meta_alloc */
	}
}

static int teardown(void **state)
{
	(void)state;
	return vr_sof_deinit();
}

static size_t granules(size_t bytes)
{
	return (bytes + G - 1) / G * G;
}

#if VR_SOF_FLAT_META_BYTES >= 4096

/* Create 28 KiB regions until one fails: as many as set-up logged, and the
 * failure is metadata (pages are left). */
static void test_logged_count_fits(void **state)
{
	static struct vregion *vr[256];
	struct vr_vpage_stats st;
	size_t n = 0, i;

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vr_sof_init(NULL), 0);
	assert_int_equal(seen.inf, 1);
	assert_int_equal(seen.err, 0);
	/* the configuration makes metadata the limit: fewer than the pages hold */
	assert_true(seen.regions > 0 && seen.regions < VR_SOF_FLAT_PAGES / (DP / VR_SOF_PAGE_SIZE));
	while (n < 256 && (vr[n] = vregion_create(DP)) != NULL)
		n++;
	assert_int_equal(n, seen.regions);
	assert_int_equal(seen.no_meta, 1);
	assert_int_equal(vr_vpage_get_stats(vr_sof_pool(), &st), 0);
	assert_true(st.ppages_free >= DP / VR_SOF_PAGE_SIZE);
	/* freeing one makes room for exactly one */
	assert_null(vregion_put(vr[n - 1]));
	assert_non_null(vr[n - 1] = vregion_create(DP));
	assert_null(vregion_create(DP));
	for (i = 0; i < n; i++)
		assert_null(vregion_put(vr[i]));
	assert_int_equal(vr_sof_deinit(), 0);
}

/* sof_compat.h's formula, with the two queries and the flat port's: the
 * buffer holds the pool's block and N regions, not N + 1. */
static void test_formula(void **state)
{
	size_t pool = granules(vr_vpage_meta_bytes_for(VR_SOF_FLAT_PAGES));
	size_t each = granules(vr_region_meta_bytes(DP, VR_SOF_CACHE_LINE, VR_SOF_PAGE_SIZE)) +
		      granules(2 * sizeof(void *));	/* the list node */

	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vr_sof_init(NULL), 0);
	assert_int_equal(seen.each, each);
	/* the buffer is 16-aligned: the formula's 15 bytes of slack are spare */
	assert_true(vr_flat_port_meta_bytes(VR_SOF_FLAT_PAGES, pool + seen.regions * each) <=
		    VR_SOF_FLAT_META_BYTES + (G - 1));
	assert_true(vr_flat_port_meta_bytes(VR_SOF_FLAT_PAGES, pool + (seen.regions + 1) * each) >
		    VR_SOF_FLAT_META_BYTES + (G - 1));
	assert_int_equal(vr_sof_deinit(), 0);
	/* sof_compat.h's claim for the defaults (64 KiB, 256 pages): metadata for
	 * more 28 KiB regions than the pages hold */
	assert_true(vr_flat_port_meta_bytes(256, granules(vr_vpage_meta_bytes_for(256)) +
					      256 / (DP / VR_SOF_PAGE_SIZE) * each) <=
		    64u * 1024u + (G - 1));
}

#else

/* The buffer cannot hold the pool's metadata: set-up refused, and said why. */
static void test_too_small_refused(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vr_sof_init(NULL), -ENOMEM);
	assert_int_equal(seen.err, 1);
	assert_int_equal(seen.inf, 0);
	assert_int_equal(seen.pool, granules(vr_vpage_meta_bytes_for(VR_SOF_FLAT_PAGES)));
	assert_true(seen.capacity < seen.pool);
	assert_null(vr_sof_pool());	/* the automatic set-up is refused too */
	assert_int_equal(seen.err, 2);
	assert_null(vregion_create(DP));
	assert_int_equal(vr_sof_deinit(), 0);
}

#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#if VR_SOF_FLAT_META_BYTES >= 4096
		cmocka_unit_test_setup_teardown(test_logged_count_fits, NULL, teardown),
		cmocka_unit_test_setup_teardown(test_formula, NULL, teardown),
#else
		cmocka_unit_test_setup_teardown(test_too_small_refused, NULL, teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
