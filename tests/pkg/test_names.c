/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_names.c - vregion/names.h (phase, errno and log level names) and
 * vregion/version.h (the run-time query against the macros and against the
 * version CMake configured, VR_TEST_PROJECT_VERSION). Runs on every target.
 */
#include "region_fixture.h"

#include <limits.h>
#include <stdio.h>

#include "vregion/names.h"
#include "vregion/version.h"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_phase_names(void **state)
{
	(void)state;
	assert_true(strcmp(vr_region_phase_name(VR_REGION_LIFETIME), "lifetime") == 0);
	assert_true(strcmp(vr_region_phase_name(VR_REGION_INTERIM), "interim") == 0);
	assert_true(strcmp(vr_region_phase_name(VR_REGION_INVALID), "invalid") == 0);
	assert_true(strcmp(vr_region_phase_name((enum vr_region_phase)3), "unknown") == 0);
	assert_true(strcmp(vr_region_phase_name((enum vr_region_phase)-1), "unknown") == 0);
}

/* Each errno: "-ENAME: text", the same for err and -err. */
static void test_errno_names(void **state)
{
	static const struct { int err; const char *name; } tab[] = {
		{ EINVAL, "-EINVAL: " }, { ENOMEM, "-ENOMEM: " }, { EFAULT, "-EFAULT: " },
		{ EBUSY, "-EBUSY: " }, { EIO, "-EIO: " }, { ENOENT, "-ENOENT: " },
		{ ENOSPC, "-ENOSPC: " }, { ENOSYS, "-ENOSYS: " }, { ENOTSUP, "-ENOTSUP: " },
		{ EPERM, "-EPERM: " }, { EACCES, "-EACCES: " }, { EAGAIN, "-EAGAIN: " },
		{ EEXIST, "-EEXIST: " }, { ERANGE, "-ERANGE: " }, { EOVERFLOW, "-EOVERFLOW: " },
		/* the posix port's create: its trace files (EMFILE), memfd and open */
		{ EMFILE, "-EMFILE: " }, { ENFILE, "-ENFILE: " }, { ENOTDIR, "-ENOTDIR: " },
		{ EISDIR, "-EISDIR: " }, { EROFS, "-EROFS: " },
	};
	size_t i, j;

	(void)state;
	assert_true(strcmp(vr_strerror(0), "0: success") == 0);
	assert_true(strcmp(vr_strerror(-ENOMEM), "-ENOMEM: out of memory") == 0);
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		const char *s = vr_strerror(-tab[i].err);

		if (!starts_with(s, tab[i].name))
			fail_msg("vr_strerror(-%d) = \"%s\", want \"%s...\"", tab[i].err, s,
				 tab[i].name);
		assert_true(strlen(s) > strlen(tab[i].name));	/* a text after the name */
		assert_ptr_equal(vr_strerror(tab[i].err), s);	/* positive: same string */
		for (j = 0; j < i; j++)
			assert_true(strcmp(vr_strerror(-tab[j].err), s) != 0);
	}
	assert_true(strcmp(vr_strerror(-12345), "unknown error") == 0);
	assert_true(strcmp(vr_strerror(INT_MIN), "unknown error") == 0);
	assert_true(strcmp(vr_strerror(INT_MAX), "unknown error") == 0);
	assert_true(strcmp(vr_strerror(-INT_MAX), "unknown error") == 0);
}

static void test_log_level_names(void **state)
{
	(void)state;
	assert_true(strcmp(vr_log_level_name(VR_LOG_ERR), "ERR") == 0);
	assert_true(strcmp(vr_log_level_name(VR_LOG_WRN), "WRN") == 0);
	assert_true(strcmp(vr_log_level_name(VR_LOG_INF), "INF") == 0);
	assert_true(strcmp(vr_log_level_name(VR_LOG_DBG), "DBG") == 0);
	assert_true(strcmp(vr_log_level_name((enum vr_log_level)4), "???") == 0);
}

/* The names of what real calls return and the phases they leave. */
static void test_names_of_real_results(void **state)
{
	struct vr_region *vr;
	void *p;

	(void)state;
	/* one page: a lifetime allocation of the whole page leaves no room */
	vr = t_mk(PAGE, 0, 0);
	assert_non_null(vr);
	assert_true(strcmp(vr_region_phase_name(vr_region_phase(vr)), "lifetime") == 0);
	p = vr_region_alloc(vr, PAGE);
	assert_non_null(p);
	assert_true(starts_with(vr_strerror(vr_region_set_interim(vr)), "-ENOSPC: "));
	assert_true(strcmp(vr_region_phase_name(vr_region_phase(vr)), "invalid") == 0);
	assert_true(starts_with(vr_strerror(vr_region_free(vr, (char *)p + 1)), "-EINVAL: "));
	assert_int_equal(vr_region_free(vr, p), 0);
	assert_null(vr_region_put(vr));

	vr = t_mk(2 * PAGE, 0, 0);
	assert_non_null(vr);
	assert_true(strcmp(vr_strerror(vr_region_set_interim(vr)), "0: success") == 0);
	assert_true(strcmp(vr_region_phase_name(vr_region_phase(vr)), "interim") == 0);
	assert_null(vr_region_put(vr));
}

static void test_version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", VREGION_VERSION_MAJOR, VREGION_VERSION_MINOR,
		 VREGION_VERSION_PATCH);
	assert_true(strcmp(vr_version(), want) == 0);
	assert_true(strcmp(VREGION_VERSION_STRING, want) == 0);
	assert_true(strcmp(vr_version(), VR_TEST_PROJECT_VERSION) == 0);
	assert_int_equal(vr_version_number(),
			 ((unsigned long)VREGION_VERSION_MAJOR << 16) |
				 ((unsigned long)VREGION_VERSION_MINOR << 8) |
				 (unsigned long)VREGION_VERSION_PATCH);
	assert_true(VREGION_VERSION_MINOR < 256 && VREGION_VERSION_PATCH < 256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phase_names),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_log_level_names),
		cmocka_unit_test_setup_teardown(test_names_of_real_results, t_setup, t_teardown),
		cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
