/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * entry.S - reset entry for QEMU "-M sim -cpu lx106". The sim machine starts
 * at the lx106 reset vector (0x50000000, the start of sysrom) whatever the
 * ELF entry says, so sim.ld places this first there. picolibc's crt0 does not
 * set the stack pointer: do it here, then call _start (crt0-hosted: copies
 * .data, zeroes .bss, runs constructors, exit(main())).
 */
	.section .text.entry, "ax"
	.global vr_xt_reset
	.type vr_xt_reset, @function
vr_xt_reset:
	j	2f
	.align	4
1:	.word	__stack
	.word	_start
	.align	4
2:	l32r	a1, 1b
	movi	a0, 0
	l32r	a2, 1b + 4
	callx0	a2
3:	j	3b
	.size vr_xt_reset, . - vr_xt_reset
