/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_user_config.c - VREGION_USER_CONFIG takes effect (issue 13.7).
 * Built twice (tests/pkg/CMakeLists.txt):
 *   test_user_config      library and test compiled with
 *                         -DVREGION_USER_CONFIG="vr_user_config.h": the
 *                         header's VR_ASSERT counts, its log level (1) drops
 *                         INF and DBG messages;
 *   test_user_config_ref  the same test on the normal library: no counter,
 *                         INF messages arrive (so the first test's zero is
 *                         the override, not a quiet sequence).
 */
#include "region_fixture.h"

#ifdef VREGION_USER_CONFIG
unsigned long vr_user_assert_checked, vr_user_assert_failed;
#endif

/* Calls that log at every level: create and set_interim (INF), a create
 * too large for the pool and a put with a live allocation (WRN), a free of
 * an interior pointer (ERR), and the page and heap work under them, whose
 * helpers assert their preconditions. */
static void run_sequence(void)
{
	struct vr_region *vr = t_mk(4 * PAGE, 0, 0);
	char *p;

	assert_non_null(vr);
	assert_null(t_mk((size_t)WPAGES * PAGE * 2, 0, 0));
	p = vr_region_alloc(vr, 100);
	assert_non_null(p);
	assert_int_equal(vr_region_free(vr, p + 1), -EINVAL);
	assert_int_equal(vr_region_set_interim(vr), 0);
	assert_non_null(vr_region_alloc(vr, 200));
	assert_int_equal(vr_region_validate(vr), 0);
	assert_null(vr_region_put(vr));
}

static void test_overrides(void **state)
{
	(void)state;
	run_sequence();
	assert_true(t_logs[VR_LOG_ERR] > 0);
	assert_true(t_logs[VR_LOG_WRN] > 0);
#ifdef VREGION_USER_CONFIG
	/* the log level: nothing above WRN reached the hook */
	assert_int_equal(t_logs[VR_LOG_INF], 0);
	assert_int_equal(t_logs[VR_LOG_DBG], 0);
	/* VR_ASSERT: the library's helpers ran the user's macro, and every
	 * precondition held */
	assert_true(vr_user_assert_checked > 0);
	assert_int_equal(vr_user_assert_failed, 0);
	print_message("VR_ASSERT checked %lu conditions\n", vr_user_assert_checked);
#else
	assert_true(t_logs[VR_LOG_INF] > 0);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overrides, t_setup, t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
