/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mini_cmocka.h - the cmocka subset of tests/common/vr_test.h for targets
 * without cmocka (Cortex-M and Xtensa under QEMU). Included by vr_test.h when
 * VR_TEST_MINI is defined (the vr_mini_cmocka target defines it).
 *
 * Implements exactly: assert_true, assert_false, assert_int_equal,
 * assert_int_not_equal, assert_ptr_equal, assert_ptr_not_equal, assert_null,
 * assert_non_null, assert_memory_equal, assert_string_equal, assert_in_range,
 * fail, fail_msg,
 * print_message, cmocka_unit_test, cmocka_unit_test_setup_teardown,
 * cmocka_run_group_tests.
 *
 * Semantics follow cmocka 1.1 so host and target run the same cases alike:
 *   - integer asserts compare after a cast to an unsigned 64-bit type (cmocka's
 *     LargestIntegralType): on a 32-bit target, (size_t)-1 and -1 DIFFER, as
 *     they would under cmocka there;
 *   - a failed assert ends the current test (longjmp) and marks it failed; the
 *     test's teardown still runs, the next test starts;
 *   - a setup returning non-zero fails the test without running it (its
 *     teardown is not run);
 *   - cmocka_run_group_tests returns the number of failed tests (0 = all
 *     passed; a failing group setup counts every test as failed);
 *   - a test's initial state is NULL unless the group setup set one.
 * Output: "[ RUN      ] name", "[       OK ] name" or "[  FAILED  ] name" with
 * the file:line and values of the failed check, then one closing line
 * "N passed, N failed" per group.
 * Not implemented (not in the subset): mocks, expect_*, will_return,
 * test_malloc, assert_string_equal, skip(), assert_return_code.
 */
#ifndef VR_MINI_CMOCKA_H
#define VR_MINI_CMOCKA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t LargestIntegralType;
typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
	const char *name;
	CMUnitTestFunction test_func;
	CMFixtureFunction setup_func;
	CMFixtureFunction teardown_func;
	void *initial_state;
};

/* Implementation entry points (do not call directly). */
void vr_mini_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void vr_mini_check_int(int equal, LargestIntegralType a, LargestIntegralType b,
		       const char *file, int line);
void vr_mini_check_range(LargestIntegralType v, LargestIntegralType lo,
			 LargestIntegralType hi, const char *file, int line);
void vr_mini_check_memory(const void *a, const void *b, size_t n,
			  const char *file, int line);
void vr_mini_check_string(const char *a, const char *b, const char *file, int line);
void vr_mini_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vr_mini_run_group(const char *group, const struct CMUnitTest *tests, size_t n,
		      CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
/* Harness self-test only (tests/harness/selftest.c), not for suites:
 * totals over every group run so far, and a mode for a group whose tests
 * must all fail (its closing line then does not read "N passed, N failed",
 * so log scanners do not count the intended failures). */
void vr_mini_totals(unsigned *passed, unsigned *failed);
void vr_mini_expect_failures(int on);

#define assert_true(c) \
	do { if (!(c)) vr_mini_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define assert_false(c) \
	do { if (c) vr_mini_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define assert_int_equal(a, b) \
	vr_mini_check_int(1, (LargestIntegralType)(a), (LargestIntegralType)(b), __FILE__, __LINE__)
#define assert_int_not_equal(a, b) \
	vr_mini_check_int(0, (LargestIntegralType)(a), (LargestIntegralType)(b), __FILE__, __LINE__)
#define assert_ptr_equal(a, b) \
	vr_mini_check_int(1, (LargestIntegralType)(uintptr_t)(const void *)(a), \
			  (LargestIntegralType)(uintptr_t)(const void *)(b), __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b) \
	vr_mini_check_int(0, (LargestIntegralType)(uintptr_t)(const void *)(a), \
			  (LargestIntegralType)(uintptr_t)(const void *)(b), __FILE__, __LINE__)
#define assert_null(p) \
	do { if ((const void *)(p) != NULL) \
		vr_mini_fail(__FILE__, __LINE__, "%s is not NULL", #p); } while (0)
#define assert_non_null(p) \
	do { if ((const void *)(p) == NULL) \
		vr_mini_fail(__FILE__, __LINE__, "%s is NULL", #p); } while (0)
#define assert_memory_equal(a, b, n) \
	vr_mini_check_memory((const void *)(a), (const void *)(b), (size_t)(n), __FILE__, __LINE__)
#define assert_string_equal(a, b) \
	vr_mini_check_string((const char *)(a), (const char *)(b), __FILE__, __LINE__)
#define assert_in_range(v, lo, hi) \
	vr_mini_check_range((LargestIntegralType)(v), (LargestIntegralType)(lo), \
			    (LargestIntegralType)(hi), __FILE__, __LINE__)
#define fail() vr_mini_fail(__FILE__, __LINE__, "Failure!")
#define fail_msg(...) vr_mini_fail(__FILE__, __LINE__, __VA_ARGS__)
#define print_message(...) vr_mini_print(__VA_ARGS__)

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
#define cmocka_unit_test_setup_teardown(f, setup, teardown) { #f, f, setup, teardown, NULL }
#define cmocka_run_group_tests(tests, group_setup, group_teardown) \
	vr_mini_run_group(#tests, (tests), sizeof(tests) / sizeof((tests)[0]), \
			  (group_setup), (group_teardown))

#ifdef __cplusplus
}
#endif

#endif /* VR_MINI_CMOCKA_H */
