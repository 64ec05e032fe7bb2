/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_services.c - the posix port's non-paging callbacks: alias
 * translation (fixed offset), cache maintenance (counted no-ops: the host is
 * coherent), pthread locks and short (spin) locks, metadata from libc, and
 * the log (stderr, or the config's hook).
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * ---- locks: pthread mutexes, error-checking ones in VR_DEBUG builds (a
 * relock or a foreign unlock aborts), normal ones otherwise; short locks:
 * a test-and-test-and-set spinlock that yields after a few spins ----
 */

/* Live locks of both kinds are listed in the port state so destroy can free
 * leaked ones. */
struct vr_port_lock {
	pthread_mutex_t m;		/* ordinary locks */
	atomic_int spin;		/* short locks: 1 held */
	bool is_spin;
#if VR_DEBUG
	_Atomic(const void *) owner;	/* short locks: the holder's spin_self, checked */
#endif
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
		if (!l->is_spin)
			pthread_mutex_destroy(&l->m);
		free(l);
		cnt_add(&st->n_locks, (size_t)-1);
	}
}

struct vr_port_lock *vri_posix_lock_create(void *ctx)
{
	struct vr_posix *st = ctx;
	struct vr_port_lock *l = calloc(1, sizeof(*l));
	pthread_mutexattr_t attr;
	int rc;

	if (!l) {
		VR_LOG(&st->lp, VR_LOG_WRN, "out of memory (bytes)", sizeof(*l), 0);
		return NULL;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, VR_DEBUG ? PTHREAD_MUTEX_ERRORCHECK : PTHREAD_MUTEX_NORMAL);
	rc = pthread_mutex_init(&l->m, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc) {
		VR_LOG(&st->lp, VR_LOG_WRN, "pthread_mutex_init failed (error)", (uintptr_t)rc, 0);
		free(l);
		return NULL;
	}
	lock_list_add(st, l);
	cnt_add(&st->n_locks, 1);
	return l;
}

/* Free a lock of either kind that is not held (trylock tells). */
static void lock_free(struct vr_posix *st, struct vr_port_lock *lock, bool spin)
{
	int rc = 0;

	if (!lock)
		return;
	if (lock->is_spin != spin) {
		VR_LOG(&st->lp, VR_LOG_ERR, "lock of the other kind, not destroyed (lock)",
		       (uintptr_t)lock, 0);
		return;
	}
	/* destroying a held lock is undefined: refuse (the lock stays usable) */
	if (spin)
		rc = atomic_load_explicit(&lock->spin, memory_order_acquire) ? EBUSY : 0;
	else if ((rc = pthread_mutex_trylock(&lock->m)) == 0)
		pthread_mutex_unlock(&lock->m);
	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR, "lock is held, not destroyed (lock, error)",
		       (uintptr_t)lock, (uintptr_t)rc);
		return;
	}
	if (!spin)
		pthread_mutex_destroy(&lock->m);
	lock_list_del(st, lock);
	free(lock);
	cnt_add(&st->n_locks, (size_t)-1);
}

void vri_posix_lock_destroy(void *ctx, struct vr_port_lock *lock)
{
	lock_free(ctx, lock, false);
}

/* lock/unlock must not fail (port.h); a failure is a core bug (relock,
 * foreign unlock), reported by error-checking mutexes in VR_DEBUG builds. */
void vri_posix_lock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_posix *st = ctx;
	int rc = pthread_mutex_lock(&lock->m);

	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR, "pthread_mutex_lock failed, relock? (lock, error)",
		       (uintptr_t)lock, (uintptr_t)rc);
		abort();
	}
}

void vri_posix_unlock(void *ctx, struct vr_port_lock *lock)
{
	struct vr_posix *st = ctx;
	int rc = pthread_mutex_unlock(&lock->m);

	if (rc) {
		VR_LOG(&st->lp, VR_LOG_ERR, "pthread_mutex_unlock failed, not the owner? (lock, error)",
		       (uintptr_t)lock, (uintptr_t)rc);
		abort();
	}
}

#if VR_DEBUG
/* One byte per thread: its address names the thread (atomically comparable,
 * unlike pthread_t). */
static _Thread_local char spin_self;
#endif

struct vr_port_lock *vri_posix_spin_create(void *ctx)
{
	struct vr_posix *st = ctx;
	struct vr_port_lock *l = calloc(1, sizeof(*l));

	if (!l) {
		VR_LOG(&st->lp, VR_LOG_WRN, "out of memory (bytes)", sizeof(*l), 0);
		return NULL;
	}
	l->is_spin = true;
	atomic_init(&l->spin, 0);
#if VR_DEBUG
	atomic_init(&l->owner, NULL);
#endif
	lock_list_add(st, l);
	cnt_add(&st->n_locks, 1);
	return l;
}

void vri_posix_spin_destroy(void *ctx, struct vr_port_lock *lock)
{
	lock_free(ctx, lock, true);
}

/* Spins a few times, then yields: a preempted holder gets the CPU back. */
uintptr_t vri_posix_spin_lock(void *ctx, struct vr_port_lock *lock)
{
	unsigned spins = 0;

	(void)ctx;
#if VR_DEBUG
	if (atomic_load_explicit(&lock->owner, memory_order_relaxed) == &spin_self) {
		VR_LOG(&((struct vr_posix *)ctx)->lp, VR_LOG_ERR, "short lock relocked (lock)",
		       (uintptr_t)lock, 0);
		abort();
	}
#endif
	while (atomic_exchange_explicit(&lock->spin, 1, memory_order_acquire)) {
		while (atomic_load_explicit(&lock->spin, memory_order_relaxed))
			if (++spins % 64 == 0)
				sched_yield();
	}
#if VR_DEBUG
	atomic_store_explicit(&lock->owner, &spin_self, memory_order_relaxed);
#endif
	return 0;
}

void vri_posix_spin_unlock(void *ctx, struct vr_port_lock *lock, uintptr_t key)
{
	(void)ctx;
	(void)key;
#if VR_DEBUG
	if (atomic_load_explicit(&lock->owner, memory_order_relaxed) != &spin_self) {
		VR_LOG(&((struct vr_posix *)ctx)->lp, VR_LOG_ERR,
		       "short lock released by a thread that does not hold it (lock)",
		       (uintptr_t)lock, 0);
		abort();
	}
	atomic_store_explicit(&lock->owner, NULL, memory_order_relaxed);
#endif
	atomic_store_explicit(&lock->spin, 0, memory_order_release);
}

/* ---- metadata: zeroed, 16-byte aligned libc memory ---- */

bool vri_posix_too_big(size_t bytes)
{
	long pages = sysconf(_SC_PHYS_PAGES), ps = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || ps <= 0)
		return false;	/* unknown: libc decides */
	return bytes / (size_t)ps >= (size_t)pages;
}

void *vri_posix_meta_alloc(void *ctx, size_t bytes)
{
	struct vr_posix *st = ctx;
	void *p = NULL;

	if (!bytes || vri_posix_too_big(bytes) || posix_memalign(&p, 16, bytes)) {
		VR_LOG(&st->lp, VR_LOG_WRN, "cannot allocate (bytes)", bytes, 0);
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

/* ---- log: the config's hook, or one line on stderr; filtered by level ---- */

/*
 * Print the values of a message as "key=value": the names are the message's
 * trailing "(a, b)" list (port.h); a name with "addr", "base", "ptr" or
 * "lock" in it is printed in hex, any other in decimal. Returns the length of
 * the message without the list (all of it when there is none).
 */
static size_t format_values(const char *msg, uintptr_t a, uintptr_t b, char *out, size_t cap)
{
	size_t len = strlen(msg), open, n = 0;
	const char *p;
	uintptr_t v[2] = { a, b };

	out[0] = '\0';
	if (len < 3 || msg[len - 1] != ')' || !(p = strrchr(msg, '('))) {
		if (a || b)	/* a message that does not name its values */
			snprintf(out, cap, " a=0x%" PRIxPTR " b=0x%" PRIxPTR, a, b);
		return len;
	}
	open = (size_t)(p - msg);
	p++;
	for (int i = 0; i < 2 && *p != ')'; i++) {
		size_t k = strcspn(p, ",)");
		char key[48];
		bool hex;

		snprintf(key, sizeof(key), "%.*s", (int)(k < sizeof(key) - 1 ? k : sizeof(key) - 1), p);
		for (char *c = key; *c; c++)
			if (*c == ' ' || *c == '-')
				*c = '_';
		hex = strstr(key, "addr") || strstr(key, "base") || strstr(key, "ptr") ||
		      strstr(key, "lock");
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0,
				      hex ? " %s=0x%" PRIxPTR : " %s=%" PRIuPTR, key, v[i]);
		p += k;
		if (*p == ',')
			p++;
		while (*p == ' ')
			p++;
	}
	while (open > 0 && msg[open - 1] == ' ')
		open--;
	return open;
}

void vri_posix_log(void *ctx, enum vr_log_level level, const char *func,
		  const char *msg, uintptr_t a, uintptr_t b)
{
	static const char *const names[4] = { "ERR", "WRN", "INF", "DBG" };
	struct vr_posix *st = ctx;
	unsigned lv = (unsigned)level > VR_LOG_DBG ? VR_LOG_DBG : (unsigned)level;
	char vals[160];
	size_t mlen;

	cnt_add(&st->n_log[lv], 1);
	if ((int)lv > st->log_level)
		return;
	if (st->user_log) {
		st->user_log(st->user_log_ctx, level, func, msg, a, b);
		return;
	}
	mlen = format_values(msg ? msg : "", a, b, vals, sizeof(vals));
	fprintf(stderr, "vregion: %s %s: %.*s%s%s\n", names[lv], func && func[0] ? func : "?",
		(int)mlen, msg ? msg : "", vals[0] ? ":" : "", vals);
}
