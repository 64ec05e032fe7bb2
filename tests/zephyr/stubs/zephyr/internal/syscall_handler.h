/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for <zephyr/internal/syscall_handler.h>: K_OOPS and
 * K_SYSCALL_MEMORY_WRITE for host tests of verifiers. The calling "user
 * thread" may write only the ranges the test granted (vr_stub_user_grant);
 * K_OOPS(expr) with a true expr kills the "thread": it longjmps to the
 * test's vr_stub_oops_point (a verifier never returns from an oops, as on
 * Zephyr).
 */
#ifndef VR_STUB_ZEPHYR_SYSCALL_HANDLER_H
#define VR_STUB_ZEPHYR_SYSCALL_HANDLER_H

#include <setjmp.h>
#include <stddef.h>

__attribute__((noreturn)) void vr_stub_oops(const char *file, int line);
int vr_stub_user_access(const void *ptr, size_t size, int write);

#define K_OOPS(expr)                                                           \
	do {                                                                   \
		if (expr)                                                      \
			vr_stub_oops(__FILE__, __LINE__);                      \
	} while (0)
#define K_SYSCALL_MEMORY_WRITE(ptr, size) vr_stub_user_access((ptr), (size), 1)
#define K_SYSCALL_MEMORY_READ(ptr, size) vr_stub_user_access((ptr), (size), 0)

/* host bookkeeping, not Zephyr API */
extern jmp_buf vr_stub_oops_point;
extern unsigned long vr_stub_oopses;
void vr_stub_user_grant(const void *ptr, size_t size);	/* NULL, 0: revoke all */

#endif
