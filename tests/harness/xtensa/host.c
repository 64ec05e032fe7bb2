/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * host.c - picolibc's OS hooks for QEMU's xtensa "sim" machine, over the
 * Tensilica ISS simcall ABI (-semihosting): a2 = call number, a3.. = args;
 * 1 = exit(status), 4 = write(fd, buf, len). stdout and stderr go to the
 * host's stdout; stdin reads EOF; abort() exits with 128 + SIGABRT.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* kill() is POSIX: <signal.h> hides it under -std=c11; abort() calls it. */
int kill(pid_t pid, int sig);

static inline int vr_xt_simcall(int nr, int a, int b, int c)
{
	register int a2 __asm__("a2") = nr;
	register int a3 __asm__("a3") = a;
	register int a4 __asm__("a4") = b;
	register int a5 __asm__("a5") = c;

	__asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
	return a2;
}

static int vr_xt_putc(char c, FILE *f)
{
	(void)f;
	vr_xt_simcall(4 /* write */, 1, (int)(uintptr_t)&c, 1);
	return (unsigned char)c;
}

static int vr_xt_getc(FILE *f)
{
	(void)f;
	return EOF;
}

static FILE vr_xt_stdio = FDEV_SETUP_STREAM(vr_xt_putc, vr_xt_getc, NULL, _FDEV_SETUP_RW);
FILE *const stdin = &vr_xt_stdio;
FILE *const stdout = &vr_xt_stdio;
FILE *const stderr = &vr_xt_stdio;

void _exit(int status)
{
	for (;;)
		vr_xt_simcall(1 /* exit */, status, 0, 0);
}

pid_t getpid(void)
{
	return 1;
}

int kill(pid_t pid, int sig)
{
	(void)pid;
	_exit(128 + sig);
}
