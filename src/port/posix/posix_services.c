/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_services.c - the posix port's non-paging callbacks: alias
 * translation (fixed offset), cache maintenance (counted no-ops: the host is
 * coherent), pthread locks, metadata from libc, and the stderr log.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posix_internal.h"

/* ---- aliases: O(1), lock-free, never fail ---- */

static bool in_window(const struct vr_posix *st, const unsigned char *base, uintptr_t a)
{
	return a >= (uintptr_t)base && a - (uintptr_t)base < st->W * st->ps;
}

void *vri_posix_to_uncached(void *ctx, void *p)
{
	struct vr_posix *st = ctx;

	if (in_window(st, st->cbase, (uintptr_t)p))
		return (void *)((uintptr_t)p + st->uoff);
	return p;	/* already uncached, or not ours: unchanged */
}

void *vri_posix_to_cached(void *ctx, void *p)
{
	struct vr_posix *st = ctx;

	if (in_window(st, st->ubase, (uintptr_t)p))
		return (void *)((uintptr_t)p - st->uoff);
	return p;
}

bool vri_posix_is_uncached(void *ctx, const void *p)
{
	return in_window(ctx, ((struct vr_posix *)ctx)->ubase, (uintptr_t)p);
}

/* ---- cache: coherent host, so only count ---- */

void vri_posix_cache_flush(void *ctx, void *p, size_t bytes)
{
	struct vr_posix *st = ctx;

	(void)p;
	cnt_add(&st->n_flush, 1);
	cnt_add(&st->n_flush_bytes, bytes);
}

void vri_posix_cache_invalidate(void *ctx, void *p, size_t bytes)
{
	struct vr_posix *st = ctx;

	(void)p;
	cnt_add(&st->n_inval, 1);
	cnt_add(&st->n_inval_bytes, bytes);
}

/* ---- locks: error-checking pthread mutexes; misuse aborts ---- */

/* Live locks are listed in the port state so destroy can free leaked ones. */
struct vr_port_lock {
	pthread_mutex_t m;
	struct vr_port_lock *prev, *next;
};

static void lock_list_add(struct vr_posix *st, struct vr_port_lock *l)
{
	pthread_mutex_lock(&st->mu);
	l->prev = NULL;
	l->next = st->locks;
	if (st->locks)
		st->locks->prev = l;
	st->locks = l;
	pthread_mutex_unlock(&st->mu);
}

static void lock_list_del(struct vr_posix *st, struct vr_port_lock *l)
{
	pthread_mutex_lock(&st->mu);
	if (l->prev)
		l->prev->next = l->next;
	else
		st->locks = l->next;
	if (l->next)
		l->next->prev = l->prev;
	pthread_mutex_unlock(&st->mu);
}

void vri_posix_free_all_locks(struct vr_posix *st)
{
	while (st->locks) {
		struct vr_port_lock *l = st->locks;

		st->locks = l->next;
		pthread_mutex_destroy(&l->m);
		free(l);
		cnt_add(&st->n_locks, (size_t)-1);
	}
}

struct vr_port_lock *vri_posix_lock_create(void *ctx)
{
	struct vr_posix *st = ctx;
	struct vr_port_lock *l = malloc(sizeof(*l));
	pthread_mutexattr_t attr;
	int rc;

	if (!l) {
		VR_LOG(&st->lp, VR_LOG_WRN, "out of memory",
			     sizeof(*l), 0);
		return NULL;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	rc = pthread_mutex_init(&l->m, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc) {
		VR_LOG(&st->lp, VR_LOG_WRN, "pthread_mutex_init failed",
			     (uintptr_t)rc, 0);
		free(l);
		return NULL;
	}
	lock_list_add(st, l);
	cnt_add(&st->n_locks, 1);
	return l;
}

void vri_posix_lock_destroy(void *ctx, struct vr_port_lock *lock)
{
	struct vr_posix *st = ctx;
	int rc;

	if (!lock)
		return;
	/* destroying a held mutex is undefined: refuse (the lock stays usable) */
	rc = pthread_mutex_trylock(&lock->m);
	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR, "lock is held, not destroyed",
			     (uintptr_t)lock, (uintptr_t)rc);
		return;
	}
	pthread_mutex_unlock(&lock->m);
	pthread_mutex_destroy(&lock->m);
	lock_list_del(st, lock);
	free(lock);
	cnt_add(&st->n_locks, (size_t)-1);
}

/* lock/unlock must not fail (port.h); a failure is a core bug (relock, foreign unlock). */
void vri_posix_lock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_posix *st = ctx;
	int rc = pthread_mutex_lock(&lock->m);

	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR, "pthread_mutex_lock failed (relock?)",
			     (uintptr_t)lock, (uintptr_t)rc);
		abort();
	}
}

void vri_posix_unlock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_posix *st = ctx;
	int rc = pthread_mutex_unlock(&lock->m);

	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR,
			     "pthread_mutex_unlock failed (not the owner?)", (uintptr_t)lock,
			     (uintptr_t)rc);
		abort();
	}
}

/* ---- metadata: zeroed, 16-byte aligned libc memory ---- */

void *vri_posix_meta_alloc(void *ctx, size_t bytes)
{
	struct vr_posix *st = ctx;
	void *p = NULL;

	if (!bytes || posix_memalign(&p, 16, bytes)) {
		VR_LOG(&st->lp, VR_LOG_WRN, "cannot allocate", bytes, 0);
		return NULL;
	}
	memset(p, 0, bytes);
	cnt_add(&st->n_meta_blocks, 1);
	cnt_add(&st->n_meta_bytes, bytes);
	return p;
}

void vri_posix_meta_free(void *ctx, void *p, size_t bytes)
{
	struct vr_posix *st = ctx;

	if (!p)
		return;
	free(p);
	cnt_add(&st->n_meta_blocks, (size_t)-1);
	cnt_add(&st->n_meta_bytes, (size_t)0 - bytes);
}

/* ---- log: one line on stderr, filtered by level ---- */

void vri_posix_log(void *ctx, enum vr_log_level level, const char *func,
		  const char *msg, uintptr_t a, uintptr_t b)
{
	static const char *const names[4] = { "ERR", "WRN", "INF", "DBG" };
	struct vr_posix *st = ctx;
	unsigned lv = (unsigned)level > VR_LOG_DBG ? VR_LOG_DBG : (unsigned)level;

	cnt_add(&st->n_log[lv], 1);
	if ((int)lv > st->log_level)
		return;
	fprintf(stderr, "vregion: %s %s: %s (a=0x%" PRIxPTR ", b=0x%" PRIxPTR ")\n",
		names[lv], func ? func : "?", msg ? msg : "", a, b);
}
