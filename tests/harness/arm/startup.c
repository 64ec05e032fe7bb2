/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * startup.c - Cortex-M vector table for QEMU mps2-an385 / mps2-an386 test
 * images. Reset goes to Reset_Handler, which enables the FPU when the core
 * has one (harmless on M3: CPACR is RAZ/WI there) and jumps to newlib's
 * rdimon crt0 (_start), which takes heap and stack from semihosting
 * SYS_HEAPINFO, runs constructors, calls main() and exit().
 * Every fault and unexpected interrupt ends the run through semihosting with
 * exit status 3 (see semihost.c), so a crash never hangs the emulator.
 */
#include <stdint.h>

extern uint32_t __stack_top;		/* from mps2.ld */
extern void _start(void);		/* newlib rdimon-crt0.o */
void Reset_Handler(void);
void vr_arm_fault_handler(void);	/* semihost.c */

__attribute__((naked, noreturn)) void Reset_Handler(void)
{
	__asm volatile(
		"ldr r0, =0xE000ED88\n"		/* CPACR */
		"ldr r1, [r0]\n"
		"orr r1, r1, #(0xF << 20)\n"	/* CP10, CP11 full access */
		"str r1, [r0]\n"
		"dsb\n"
		"isb\n"
		"b _start\n");
}

#define F vr_arm_fault_handler
__attribute__((section(".vectors"), used))
void (*const vr_arm_vectors[16])(void) = {
	(void (*)(void))&__stack_top,	/* 0: initial SP */
	Reset_Handler,			/* 1: reset */
	F, F, F, F, F,			/* 2-6: NMI, HardFault, MemManage, BusFault, UsageFault */
	0, 0, 0, 0,			/* 7-10: reserved */
	F, F,				/* 11-12: SVCall, DebugMonitor */
	0,				/* 13: reserved */
	F, F,				/* 14-15: PendSV, SysTick */
};
#undef F
