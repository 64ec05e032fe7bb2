/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vectors.S - lx106 exception vectors (VECBASE 0x40000000 on the QEMU core):
 * any exception ends the run through the ISS simcall exit with a status that
 * names the vector, so a fault never hangs the emulator:
 *   90 debug, 91 NMI, 92 kernel, 93 user (illegal instruction, load/store
 *   error, alignment, __builtin_trap ...), 94 double exception. Code runs with
 *   PS.EXCM=1 from reset, so most faults arrive as a double exception (94).
 */
	.macro	die code
	movi	a2, 1		/* SYS_exit */
	movi	a3, \code
	simcall
1:	j	1b
	.endm

	.section .vectors, "ax"
	.org	0x10
	die	90
	.org	0x20
	die	91
	.org	0x30
	die	92
	.org	0x50
	die	93
	.org	0x70
	die	94
	.org	0x80
