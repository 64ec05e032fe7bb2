/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * selftest_trap.c - test_harness_trap: a trap (what VR_ASSERT does with
 * VR_DEBUG=1) inside a test must end the emulated run with a non-zero status
 * through the target's fault handler (Cortex-M: exit 3; lx106: exit 90-94),
 * neither hang nor pass. ctest registers this image with WILL_FAIL.
 */
#include "vr_test.h"

static void trap_now(void **state)
{
	(void)state;
	__builtin_trap();
}

int main(void)
{
	const struct CMUnitTest traps[] = { cmocka_unit_test(trap_now) };

	(void)cmocka_run_group_tests(traps, NULL, NULL);
	return 0;	/* reached only if the trap did not stop the run */
}
