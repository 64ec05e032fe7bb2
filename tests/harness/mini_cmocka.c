/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mini_cmocka.c - the test runner behind mini_cmocka.h (see there for the
 * semantics). Uses only printf/vprintf, setjmp/longjmp and memcmp from the
 * target's C library (newlib on Cortex-M, picolibc on Xtensa).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mini_cmocka.h"

static jmp_buf vr_mini_env;
static int vr_mini_in_test;
static unsigned vr_mini_passed_total;
static unsigned vr_mini_failed_total;
static int vr_mini_expecting_failures;

/* 64-bit values as 0x... without relying on the libc's %llx support. */
static const char *vr_mini_hex(char buf[19], LargestIntegralType v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0, i = 0;

	do {
		tmp[n++] = digits[(unsigned)(v & 0xfu)];
		v >>= 4;
	} while (v && n < 16);
	buf[i++] = '0';
	buf[i++] = 'x';
	while (n > 0)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

static void vr_mini_where(const char *file, int line)
{
	printf("[   LINE   ] --- %s:%d: error: Failure!\n", file, line);
}

static __attribute__((noreturn)) void vr_mini_abort_test(void)
{
	if (vr_mini_in_test)
		longjmp(vr_mini_env, 1);
	/* A check outside a test (in a group fixture or main): stop here. */
	printf("[  ERROR   ] check failed outside a test\n");
	fflush(stdout);
	for (;;)
		__builtin_trap();
}

void vr_mini_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("[  ERROR   ] --- ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	vr_mini_where(file, line);
	vr_mini_abort_test();
}

void vr_mini_check_int(int equal, LargestIntegralType a, LargestIntegralType b,
		       const char *file, int line)
{
	char ha[19], hb[19];

	if ((a == b) == (equal != 0))
		return;
	printf("[  ERROR   ] --- %s %s %s\n", vr_mini_hex(ha, a), equal ? "!=" : "==",
	       vr_mini_hex(hb, b));
	vr_mini_where(file, line);
	vr_mini_abort_test();
}

void vr_mini_check_range(LargestIntegralType v, LargestIntegralType lo,
			 LargestIntegralType hi, const char *file, int line)
{
	char hv[19], hl[19], hh[19];

	if (v >= lo && v <= hi)
		return;
	printf("[  ERROR   ] --- %s is not within the range %s-%s\n", vr_mini_hex(hv, v),
	       vr_mini_hex(hl, lo), vr_mini_hex(hh, hi));
	vr_mini_where(file, line);
	vr_mini_abort_test();
}

void vr_mini_check_memory(const void *a, const void *b, size_t n, const char *file, int line)
{
	const unsigned char *pa = a, *pb = b;
	size_t i, diff = 0, first = 0;

	if (!a || !b) {
		printf("[  ERROR   ] --- assert_memory_equal on a NULL pointer\n");
		vr_mini_where(file, line);
		vr_mini_abort_test();
	}
	for (i = 0; i < n; i++) {
		if (pa[i] != pb[i]) {
			if (!diff)
				first = i;
			diff++;
		}
	}
	if (!diff)
		return;
	printf("[  ERROR   ] --- %lu of %lu bytes differ, first at offset %lu: 0x%02x != 0x%02x\n",
	       (unsigned long)diff, (unsigned long)n, (unsigned long)first, pa[first], pb[first]);
	vr_mini_where(file, line);
	vr_mini_abort_test();
}

/* as cmocka's: equal by strcmp; a NULL on either side is a failure */
void vr_mini_check_string(const char *a, const char *b, const char *file, int line)
{
	if (a && b && strcmp(a, b) == 0)
		return;
	printf("[  ERROR   ] --- \"%s\" != \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
	vr_mini_where(file, line);
	vr_mini_abort_test();
}

void vr_mini_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* Run one fixture or test body; returns 0 on success, -1 if a check failed. */
static int vr_mini_call_test(CMUnitTestFunction f, void **state)
{
	vr_mini_in_test = 1;
	if (setjmp(vr_mini_env)) {
		vr_mini_in_test = 0;
		return -1;
	}
	f(state);
	vr_mini_in_test = 0;
	return 0;
}

static int vr_mini_call_fixture(CMFixtureFunction f, void **state)
{
	/* volatile: read after a longjmp back into this frame */
	volatile int rc = -1;

	vr_mini_in_test = 1;
	if (setjmp(vr_mini_env)) {
		vr_mini_in_test = 0;
		return -1;
	}
	rc = f(state);
	vr_mini_in_test = 0;
	return rc;
}

int vr_mini_run_group(const char *group, const struct CMUnitTest *tests, size_t n,
		      CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
	void *group_state = NULL;
	unsigned passed = 0, failed = 0;
	size_t i;

	setvbuf(stdout, NULL, _IONBF, 0);	/* keep output if the target faults */
	printf("[==========] %s: Running %lu test(s).\n", group, (unsigned long)n);
	if (n == 0) {
		printf("[  ERROR   ] %s: no tests\n", group);
		printf("0 passed, 1 failed\n");
		vr_mini_failed_total++;
		return 1;
	}
	if (group_setup && vr_mini_call_fixture(group_setup, &group_state) != 0) {
		printf("[  ERROR   ] %s: group setup failed\n", group);
		printf("0 passed, %lu failed\n", (unsigned long)n);
		vr_mini_failed_total += (unsigned)n;
		return (int)n;
	}
	for (i = 0; i < n; i++) {
		const struct CMUnitTest *t = &tests[i];
		void *state = t->initial_state ? t->initial_state : group_state;
		int ok = 1;

		printf("[ RUN      ] %s\n", t->name);
		if (!t->test_func) {
			printf("[  ERROR   ] no test function\n");
			ok = 0;
		} else if (t->setup_func && vr_mini_call_fixture(t->setup_func, &state) != 0) {
			printf("[  ERROR   ] setup failed\n");
			ok = 0;
		} else {
			if (vr_mini_call_test(t->test_func, &state) != 0)
				ok = 0;
			if (t->teardown_func && vr_mini_call_fixture(t->teardown_func, &state) != 0) {
				printf("[  ERROR   ] teardown failed\n");
				ok = 0;
			}
		}
		if (ok) {
			printf("[       OK ] %s\n", t->name);
			passed++;
		} else {
			printf("[  FAILED  ] %s\n", t->name);
			failed++;
		}
	}
	if (group_teardown && vr_mini_call_fixture(group_teardown, &group_state) != 0) {
		printf("[  ERROR   ] %s: group teardown failed\n", group);
		failed++;
	}
	printf("[==========] %s: %lu test(s) run.\n", group, (unsigned long)n);
	if (vr_mini_expecting_failures)
		printf("expected-failure group: %u of %lu test(s) failed\n", failed, (unsigned long)n);
	else
		printf("%u passed, %u failed\n", passed, failed);
	vr_mini_passed_total += passed;
	vr_mini_failed_total += failed;
	return (int)failed;
}

void vr_mini_expect_failures(int on)
{
	vr_mini_expecting_failures = on;
}

void vr_mini_totals(unsigned *passed, unsigned *failed)
{
	if (passed)
		*passed = vr_mini_passed_total;
	if (failed)
		*failed = vr_mini_failed_total;
}
