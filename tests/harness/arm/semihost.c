/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * semihost.c - ARM semihosting bits the test images need beyond newlib's
 * rdimon: a fault handler that reports the fault and exits with status 3
 * (SYS_EXIT_EXTENDED, so QEMU's exit code is 3).
 */
#include <stdint.h>

void vr_arm_fault_handler(void);

static int vr_arm_semihost(int op, void *arg)
{
	register int r0 __asm("r0") = op;
	register void *r1 __asm("r1") = arg;

	__asm volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void vr_arm_fault_handler(void)
{
	static const char msg[] = "\n*** fault (HardFault/exception) on target: exit 3\n";
	uint32_t blk[2] = { 0x20026u /* ADP_Stopped_ApplicationExit */, 3u };

	vr_arm_semihost(0x04 /* SYS_WRITE0 */, (void *)msg);
	vr_arm_semihost(0x20 /* SYS_EXIT_EXTENDED */, blk);
	for (;;)
		;
}
