/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ztest_host.c - runs the module's ztest suite (zephyr/tests/vregion) on the
 * host against the stand-ins: the boot's SYS_INIT functions in order (the
 * test driver's, then vregion's SOF set-up when built), then every suite:
 * setup, per test before / test / after, teardown. Prints one line per test
 * and exits non-zero if any failed. A skipped test is reported as such
 * (the fault test needs an MMU).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/ztest.h>

#define MAX 64

extern int (*const z_init_td_init)(void);
extern int (*const z_init_vr_sof_boot)(void) __attribute__((weak));

static const struct vr_ztest_suite *suites[8];
static const struct vr_ztest_unit *units[MAX];
static unsigned nsuites, nunits;
static jmp_buf here;
static const char *why;
static int outcome;	/* 0 pass, 1 fail, 2 skip */

void vr_ztest_add_suite(const struct vr_ztest_suite *s)
{
	if (nsuites < 8)
		suites[nsuites++] = s;
}

void vr_ztest_add_unit(const struct vr_ztest_unit *u)
{
	if (nunits < MAX)
		units[nunits++] = u;
}

void vr_ztest_fail(const char *expr, const char *file, int line)
{
	static char msg[256];

	snprintf(msg, sizeof(msg), "%s:%d: %s", file, line, expr);
	why = msg;
	outcome = 1;
	longjmp(here, 1);
}

void ztest_test_skip(void)
{
	outcome = 2;
	longjmp(here, 1);
}

void ztest_test_pass(void)
{
	outcome = 0;
	longjmp(here, 1);
}

/* Run fn (a test or a fixture hook) under the jump point. */
static int run(void (*fn)(void *), void (*unit)(void), void *fixture)
{
	outcome = 0;
	if (!setjmp(here)) {
		if (unit)
			unit();
		else if (fn)
			fn(fixture);
	}
	return outcome;
}

static unsigned run_suite(const struct vr_ztest_suite *s)
{
	void *fixture = s->setup ? s->setup() : NULL;
	unsigned i, failed = 0;
	int rc;

	for (i = 0; i < nunits; i++) {
		if (strcmp(units[i]->suite, s->name))
			continue;
		rc = run(s->before, NULL, fixture);
		if (!rc)
			rc = run(NULL, units[i]->fn, fixture);
		if (rc != 1 && run(s->after, NULL, fixture) == 1)
			rc = 1;
		printf("%s %s.%s%s%s\n", rc == 1 ? "FAIL" : rc == 2 ? "SKIP" : "PASS", s->name,
		       units[i]->name, rc == 1 ? ": " : "", rc == 1 ? why : "");
		failed += rc == 1;
	}
	if (s->teardown && run(s->teardown, NULL, fixture) == 1) {
		printf("FAIL %s teardown: %s\n", s->name, why);
		failed++;
	}
	return failed;
}

int main(void)
{
	unsigned i, failed = 0;

	if (z_init_td_init() || (z_init_vr_sof_boot && z_init_vr_sof_boot())) {
		printf("FAIL boot\n");
		return 1;
	}
	for (i = 0; i < nsuites; i++)
		failed += run_suite(suites[i]);
	printf("%u suite(s), %u test(s), %u failed\n", nsuites, nunits, failed);
	return failed ? 1 : 0;
}
