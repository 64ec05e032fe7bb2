/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_child.h - run a function in a forked child and report how it died.
 * For "this access must fault" tests (host only: register the suite with
 * POSIX in tests/CMakeLists.txt and add common/posix_child.c to its SOURCES).
 *
 * The child gets default handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE and
 * SIGABRT (cmocka's own handlers would otherwise catch the fault), no core
 * dump, and an alarm after VR_CHILD_TIMEOUT_S seconds so a hung child dies
 * of SIGALRM instead of hanging the suite. If fn returns, the child exits 0;
 * fn may call _exit(code) to report something else. Memory writes made by the
 * child are visible to the parent only in MAP_SHARED mappings (the posix
 * port's pages are): a test can check that a faulting write did not land.
 *
 * Not for use while other threads of the test hold locks (fork copies only
 * the calling thread).
 */
#ifndef VR_POSIX_CHILD_H
#define VR_POSIX_CHILD_H

#include <stdbool.h>

#define VR_CHILD_TIMEOUT_S 10

enum vr_child_how {
	VR_CHILD_EXITED = 1,	/* code = exit status (0..255) */
	VR_CHILD_SIGNALED = 2,	/* code = signal number */
};

struct vr_child_status {
	enum vr_child_how how;
	int code;
};

/*
 * Fork, run fn(arg) in the child, wait. Returns 0 and fills *st, or a
 * negative errno if fork/waitpid failed (st untouched).
 */
int vr_child_run(void (*fn)(void *arg), void *arg, struct vr_child_status *st);

/*
 * Signal that killed the child running fn(arg): > 0 the signal number,
 * 0 if it exited normally with status 0, -1 if it exited with another status,
 * -2 if the child could not be run.
 */
int vr_child_signal(void (*fn)(void *arg), void *arg);

/* True iff the child running fn(arg) died of SIGSEGV or SIGBUS (a memory fault). */
bool vr_child_faults(void (*fn)(void *arg), void *arg);

/* Ready-made child bodies: one volatile access to the byte at p. */
void vr_child_read_byte(void *p);
void vr_child_write_byte(void *p);	/* writes 0x5a */

/* Shorthands: true iff reading / writing the byte at p faults. */
bool vr_child_read_faults(void *p);
bool vr_child_write_faults(void *p);

#endif /* VR_POSIX_CHILD_H */
