/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for <zephyr/ztest.h>: enough of ztest (ZTEST_SUITE, ZTEST,
 * zassert_*, ztest_test_skip/pass) to build the module's ztest suite
 * (zephyr/tests/vregion) on the host and run it with ztest_host.c. A failed
 * zassert ends the test (longjmp), as ztest's does.
 */
#ifndef VR_STUB_ZEPHYR_ZTEST_H
#define VR_STUB_ZEPHYR_ZTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <zephyr/kernel.h>

typedef bool (*ztest_suite_predicate_t)(const void *global_state);
typedef void *(*ztest_suite_setup_t)(void);
typedef void (*ztest_suite_before_t)(void *fixture);
typedef void (*ztest_suite_after_t)(void *fixture);
typedef void (*ztest_suite_teardown_t)(void *fixture);

struct vr_ztest_suite {
	const char *name;
	ztest_suite_setup_t setup;
	ztest_suite_before_t before;
	ztest_suite_after_t after;
	ztest_suite_teardown_t teardown;
};

struct vr_ztest_unit {
	const char *suite;
	const char *name;
	void (*fn)(void);
};

void vr_ztest_add_suite(const struct vr_ztest_suite *s);
void vr_ztest_add_unit(const struct vr_ztest_unit *u);
__attribute__((noreturn)) void vr_ztest_fail(const char *expr, const char *file, int line);
__attribute__((noreturn)) void ztest_test_skip(void);
__attribute__((noreturn)) void ztest_test_pass(void);

#define ZTEST_SUITE(sname, predicate, setup_fn, before_fn, after_fn, teardown_fn)      \
	static const struct vr_ztest_suite vr_ztest_suite_##sname = {                   \
		#sname, (setup_fn), (before_fn), (after_fn), (teardown_fn) };           \
	__attribute__((constructor)) static void vr_ztest_reg_suite_##sname(void)     \
	{                                                                               \
		(void)(predicate);                                                      \
		vr_ztest_add_suite(&vr_ztest_suite_##sname);                            \
	}

#define ZTEST(sname, tname)                                                             \
	static void sname##_##tname(void);                                              \
	static const struct vr_ztest_unit vr_ztest_unit_##sname##_##tname = {           \
		#sname, #tname, sname##_##tname };                                      \
	__attribute__((constructor)) static void vr_ztest_reg_##sname##_##tname(void) \
	{                                                                               \
		vr_ztest_add_unit(&vr_ztest_unit_##sname##_##tname);                    \
	}                                                                               \
	static void sname##_##tname(void)

#define zassert_true(cond, ...)                                                         \
	do {                                                                            \
		if (!(cond))                                                            \
			vr_ztest_fail(#cond, __FILE__, __LINE__);                       \
	} while (0)
#define zassert_false(cond, ...) zassert_true(!(cond))
#define zassert_equal(a, b, ...) zassert_true((a) == (b))
#define zassert_not_equal(a, b, ...) zassert_true((a) != (b))
#define zassert_is_null(p, ...) zassert_true((p) == NULL)
#define zassert_not_null(p, ...) zassert_true((p) != NULL)
#define zassert_ok(r, ...) zassert_true((r) == 0)
#define zassert_mem_equal(a, b, n, ...) zassert_true(memcmp((a), (b), (n)) == 0)
#define zassert_unreachable(...) vr_ztest_fail("unreachable", __FILE__, __LINE__)

#endif
