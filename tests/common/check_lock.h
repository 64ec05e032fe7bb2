/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check_lock.h - counting, non-recursive port locks for tests on ports
 * without real locks (the flat port): taking a held lock, releasing a free
 * one, or destroying a held one fails the test, so an error path that
 * returns without unlocking shows at the next call. Include once per test
 * binary (it defines struct vr_port_lock and static functions); call
 * check_locks_reset() before creating a port and check_locks_unlocked() after
 * any operation.
 */
#ifndef CHECK_LOCK_H
#define CHECK_LOCK_H

#include "vr_test.h"
#include "vregion/port.h"

#ifndef CHECK_LOCKS_MAX
#define CHECK_LOCKS_MAX 8
#endif

struct vr_port_lock { int depth; };
static struct vr_port_lock check_locks[CHECK_LOCKS_MAX];
static int check_nlocks;

static inline void check_locks_reset(void) { check_nlocks = 0; }

static inline struct vr_port_lock *check_lock_create(void *ctx)
{
	(void)ctx;
	if (check_nlocks >= CHECK_LOCKS_MAX)
		return NULL;
	check_locks[check_nlocks].depth = 0;
	return &check_locks[check_nlocks++];
}
static inline void check_lock_destroy(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	assert_int_equal(l->depth, 0);
}
static inline void check_lock(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	assert_int_equal(l->depth, 0);
	l->depth++;
}
static inline void check_unlock(void *ctx, struct vr_port_lock *l)
{
	(void)ctx;
	assert_int_equal(l->depth, 1);
	l->depth--;
}

/* Every lock created since the last reset is free. */
static inline void check_locks_unlocked(void)
{
	for (int i = 0; i < check_nlocks; i++)
		assert_int_equal(check_locks[i].depth, 0);
}

#endif
