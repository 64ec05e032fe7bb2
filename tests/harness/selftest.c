/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * selftest.c - the mini harness checks itself on the target (test_harness).
 *
 * Group 1 uses every macro of the subset on its passing path and the
 * fixtures (setup/teardown/group state). Group 2 holds one test per macro
 * that MUST fail; the run checks that exactly those fail, that a failing
 * test's teardown still ran and that a failing setup skips the test. Group 3
 * checks the verdicts and the integer helpers of the target (the Xtensa
 * libgcc fill, 64-bit arithmetic) against values computed by hand.
 * The image exits 0 only if all of that holds.
 */
#include "vr_test.h"

#include <limits.h>

static int setup_calls, teardown_calls, body_runs;
static int g2_failed = -1, g1_failed = -1;
static int group_state_value = 42;

/* ---- group 1: passing paths ---- */

static void pass_every_macro(void **state)
{
	static const unsigned char a[5] = { 1, 2, 3, 4, 5 };
	unsigned char b[5] = { 1, 2, 3, 4, 5 };
	int x = 7;

	(void)state;
	assert_true(1);
	assert_false(0);
	assert_int_equal(3, 3);
	assert_int_equal(-1, -1);
	assert_int_equal((size_t)4096, 4096u);
	assert_int_not_equal(3, 4);
	assert_int_not_equal(UINT64_MAX, 0);
	assert_ptr_equal(&x, &x);
	assert_ptr_not_equal(&x, a);
	assert_null(NULL);
	assert_non_null(&x);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_equal(a, b, 0);
	assert_string_equal("vpage_free", "vpage_free");
	assert_string_equal("", "");
	assert_in_range(5, 5, 9);
	assert_in_range(9, 5, 9);
	assert_in_range(UINT64_MAX, 0, UINT64_MAX);
	print_message("print_message works: %d %s %u\n", -3, "str", 7u);
	body_runs++;
}

static int fixture_setup(void **state)
{
	static int value = 5;

	setup_calls++;
	*state = &value;
	return 0;
}

static int fixture_teardown(void **state)
{
	assert_non_null(*state);
	teardown_calls++;
	return 0;
}

static void pass_fixture_state(void **state)
{
	assert_non_null(*state);
	assert_int_equal(*(int *)*state, 5);
	body_runs++;
}

static void pass_group_state(void **state)
{
	assert_ptr_equal(*state, &group_state_value);
	body_runs++;
}

static int group_setup(void **state)
{
	*state = &group_state_value;
	return 0;
}

static int group_teardown(void **state)
{
	assert_ptr_equal(*state, &group_state_value);
	return 0;
}

/* ---- group 2: every one of these must fail ---- */

static void must_fail_true(void **s) { (void)s; assert_true(0); body_runs += 100; }
static void must_fail_false(void **s) { (void)s; assert_false(1); body_runs += 100; }
static void must_fail_int_equal(void **s) { (void)s; assert_int_equal(1, 2); body_runs += 100; }
/* cmocka semantics: values compare as 64-bit, so on a 32-bit target
 * (size_t)-1 is 0xffffffff and differs from -1 (0xffffffffffffffff). */
static void must_fail_int_width(void **s)
{
	(void)s;
	if (sizeof(size_t) == 8)
		assert_int_equal(1, 2);	/* host-width: keep the test failing */
	else
		assert_int_equal((size_t)-1, -1);
	body_runs += 100;
}
static void must_fail_int_not_equal(void **s) { (void)s; assert_int_not_equal(7, 7); body_runs += 100; }
static void must_fail_ptr_equal(void **s) { int a, b; (void)s; assert_ptr_equal(&a, &b); body_runs += 100; }
static void must_fail_ptr_not_equal(void **s) { int a; (void)s; assert_ptr_not_equal(&a, &a); body_runs += 100; }
static void must_fail_null(void **s) { int a; (void)s; assert_null(&a); body_runs += 100; }
static void must_fail_non_null(void **s) { (void)s; assert_non_null(NULL); body_runs += 100; }
static void must_fail_memory(void **s)
{
	static const unsigned char a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 9, 4 };

	(void)s;
	assert_memory_equal(a, b, sizeof(a));
	body_runs += 100;
}
static void must_fail_string(void **s) { (void)s; assert_string_equal("vpage_free", "vpage_fre"); body_runs += 100; }
static void must_fail_string_null(void **s) { (void)s; assert_string_equal(NULL, ""); body_runs += 100; }
static void must_fail_range_low(void **s) { (void)s; assert_in_range(4, 5, 9); body_runs += 100; }
static void must_fail_range_high(void **s) { (void)s; assert_in_range(10, 5, 9); body_runs += 100; }
static void must_fail_fail(void **s) { (void)s; fail(); body_runs += 100; }
static void must_fail_fail_msg(void **s) { (void)s; fail_msg("expected failure %d", 42); body_runs += 100; }
/* fails inside a helper two calls deep: the longjmp unwinds both */
static void helper_fails(int depth)
{
	if (depth > 0) {
		helper_fails(depth - 1);
		return;
	}
	assert_true(depth != 0);
}
static void must_fail_nested(void **s) { (void)s; helper_fails(2); body_runs += 100; }
static int failing_setup(void **s) { (void)s; setup_calls += 1000; return -1; }
static void never_runs(void **s) { (void)s; body_runs += 10000; }

/* ---- group 3: verdicts ---- */

static void check_group_results(void **state)
{
	(void)state;
	assert_int_equal(g1_failed, 0);
	assert_int_equal(g2_failed, 18);
	/* group 1: 3 bodies ran; group 2: no body continued after its failure,
	 * the test behind the failing setup never ran */
	assert_int_equal(body_runs, 3);
	/* setup: 1 in group 1, 1 in group 2 (must_fail_true) + 1000 failing */
	assert_int_equal(setup_calls, 1002);
	/* teardown ran after the passing and after the failing test, not after
	 * the failing setup */
	assert_int_equal(teardown_calls, 2);
}

static void check_totals(void **state)
{
	unsigned passed, failed;

	(void)state;
	vr_mini_totals(&passed, &failed);
	assert_int_equal(passed, 3);
	assert_int_equal(failed, 18);
}

static void check_target_arith(void **state)
{
	/* volatile: force run-time division (the libgcc helpers on lx106) */
	volatile uint32_t u = 4000000000u, d = 7u;
	volatile int32_t s = -2000000001, sd = 13;
	volatile uint64_t U = 0x123456789ull, D = 0xABCDEF12ull;
	volatile int64_t S = -5000000000ll;

	(void)state;
	assert_int_equal(u / d, 571428571u);
	assert_int_equal(u % d, 3u);
	assert_int_equal(s / sd, -153846153);
	assert_int_equal(s % sd, -12);
	assert_int_equal(-s / -sd, -153846153);
	assert_int_equal(s / -sd, 153846153);
	assert_int_equal(U * D, 0xc379aabeb23f2ea2ull);
	assert_int_equal(U / 3u, 0x61172283ull);
	assert_int_equal(U % 1000u, 345u);
	assert_int_equal(S * 3, -15000000000ll);
	assert_int_equal(S / 7, -714285714ll);
	assert_int_equal(S % 7, -2);
	assert_int_equal((uint64_t)u * d, 28000000000ull);
	assert_int_equal(CHAR_BIT, 8);
	print_message("target: sizeof(void *)=%u sizeof(size_t)=%u sizeof(long)=%u\n",
		      (unsigned)sizeof(void *), (unsigned)sizeof(size_t), (unsigned)sizeof(long));
}

/* Division identities on many operand shapes: q * d + r == n, 0 <= r < d
 * (unsigned); |r| < |d| with the sign of n (signed, C99 truncation). On lx106
 * this runs the libgcc fill; elsewhere the hardware or libgcc. */
static void check_division_identities(void **state)
{
	uint32_t x = 0x12345678u;

	(void)state;
	for (int i = 0; i < 4000; i++) {
		volatile uint32_t n, d;
		volatile int32_t sn, sd;
		uint32_t q, r;
		int32_t sq, sr;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		n = x >> (i % 32);
		d = (x * 2654435761u) >> ((i / 32) % 32);
		if (i % 7 == 0)
			d = 1;
		if (i % 11 == 0)
			d = n ? n : 1;
		if (i % 13 == 0)
			n = 0xffffffffu;
		if (d == 0)
			d = 3;
		q = n / d;
		r = n % d;
		assert_true(r < d);
		assert_int_equal((uint64_t)q * d + r, n);
		sn = (int32_t)x;
		sd = (int32_t)(d | 1u) >> (i % 3);
		if (sd == 0 || (sn == INT32_MIN && sd == -1))
			continue;
		sq = sn / sd;
		sr = sn % sd;
		assert_int_equal((int64_t)sq * sd + sr, sn);
		assert_true(sr == 0 || ((sr < 0) == (sn < 0)));
		assert_true((sr < 0 ? -(int64_t)sr : sr) < (sd < 0 ? -(int64_t)sd : sd));
	}
}

int main(void)
{
	const struct CMUnitTest pass[] = {
		cmocka_unit_test(pass_every_macro),
		cmocka_unit_test_setup_teardown(pass_fixture_state, fixture_setup, fixture_teardown),
		cmocka_unit_test(pass_group_state),
	};
	const struct CMUnitTest must_fail[] = {
		cmocka_unit_test_setup_teardown(must_fail_true, fixture_setup, fixture_teardown),
		cmocka_unit_test(must_fail_false),
		cmocka_unit_test(must_fail_int_equal),
		cmocka_unit_test(must_fail_int_width),
		cmocka_unit_test(must_fail_int_not_equal),
		cmocka_unit_test(must_fail_ptr_equal),
		cmocka_unit_test(must_fail_ptr_not_equal),
		cmocka_unit_test(must_fail_null),
		cmocka_unit_test(must_fail_non_null),
		cmocka_unit_test(must_fail_memory),
		cmocka_unit_test(must_fail_string),
		cmocka_unit_test(must_fail_string_null),
		cmocka_unit_test(must_fail_range_low),
		cmocka_unit_test(must_fail_range_high),
		cmocka_unit_test(must_fail_fail),
		cmocka_unit_test(must_fail_fail_msg),
		cmocka_unit_test(must_fail_nested),
		cmocka_unit_test_setup_teardown(never_runs, failing_setup, fixture_teardown),
	};
	const struct CMUnitTest verdict[] = {
		cmocka_unit_test(check_group_results),
		cmocka_unit_test(check_totals),
		cmocka_unit_test(check_target_arith),
		cmocka_unit_test(check_division_identities),
	};

	g1_failed = cmocka_run_group_tests(pass, group_setup, group_teardown);
	print_message("---- every test of the next group must fail ----\n");
	vr_mini_expect_failures(1);
	g2_failed = cmocka_run_group_tests(must_fail, NULL, NULL);
	vr_mini_expect_failures(0);
	print_message("---- end of expected failures ----\n");
	return cmocka_run_group_tests(verdict, NULL, NULL);
}
