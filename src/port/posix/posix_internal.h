/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_internal.h - private state of the posix port, shared by its files:
 *   port_posix.c      create / destroy / queries / validate / trim
 *   posix_map.c       map / unmap / protect and their rollbacks
 *   posix_vma.c       the kernel mappings they cost (vm.max_map_count), held
 *                     pages, physical placement that merges, zeroing by hole
 *   posix_services.c  aliases, cache counters, locks, metadata, log
 *   posix_trace.c     the trace file (VREGION_TRACE, trace_path)
 */
#ifndef VREGION_POSIX_INTERNAL_H
#define VREGION_POSIX_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "vregion/bitmap.h"
#include "vregion/port_posix.h"
#include "../../util.h"

#define VR_POSIX_MAGIC 0x50535850u	/* "PXSP" */

/*
 * One record per window page (uint32_t): 0 = reserved (PROT_NONE, no file
 * behind it); else
 *   bit 31     mapped (the core's view)
 *   bit 30     kept: unmapped for the core, but the kernel still maps the
 *              page onto a physical page (never with bit 31):
 *                - with permissions 0, PARKED: it faults like any unmapped
 *                  page and does not own its physical page; a map of the
 *                  same page takes it back with one mprotect while nobody
 *                  else took the physical page (bound[], rev[]);
 *                - with permissions, HELD at the mapping limit: accessible,
 *                  and it owns its physical page (port_posix.h);
 *   bits 27-29 permissions (VR_PERM_*) of the kernel mapping
 *   bits 0-26  physical page index of the kernel mapping
 */
#define REC_MAPPED	(UINT32_C(1) << 31)
#define REC_KEPT	(UINT32_C(1) << 30)
#define REC_PERM_SHIFT	27
#define REC_PHYS_MASK	((UINT32_C(1) << REC_PERM_SHIFT) - 1)

static inline uint32_t rec_make(size_t phys, unsigned perms)
{
	VR_ASSERT(phys <= REC_PHYS_MASK && perms <= VR_PERM_MASK);
	return REC_MAPPED | ((uint32_t)perms << REC_PERM_SHIFT) | (uint32_t)phys;
}
static inline size_t rec_phys(uint32_t r) { return r & REC_PHYS_MASK; }
static inline unsigned rec_perms(uint32_t r) { return (r >> REC_PERM_SHIFT) & VR_PERM_MASK; }
static inline uint32_t rec_kept(size_t phys, unsigned perms)
{
	return (rec_make(phys, perms) & ~REC_MAPPED) | REC_KEPT;
}
/* In the kernel: mapped or kept. */
static inline bool rec_in_kernel(uint32_t r) { return (r & (REC_MAPPED | REC_KEPT)) != 0; }
static inline bool rec_parked(uint32_t r) { return (r & REC_KEPT) && !rec_perms(r); }
static inline bool rec_held(uint32_t r) { return (r & REC_KEPT) && rec_perms(r); }
/* The record owns its physical page (mapped, or held). */
static inline bool rec_owns(uint32_t r) { return (r & REC_MAPPED) || rec_held(r); }

struct vr_posix {
	uint32_t magic;
	int fd;				/* the memfd: physical pages */
	size_t ps;			/* page size */
	size_t P, W;
	unsigned char *resv;		/* whole reservation (guards + both windows) */
	size_t resv_bytes;
	unsigned char *cbase;		/* cached window */
	unsigned char *ubase;		/* uncached window = cbase + uoff */
	uintptr_t uoff;
	unsigned char *direct;		/* RW view of the whole memfd, for zeroing */
	int log_level;
	/* { .ctx = this, .log = vri_posix_log }: what the port's own messages go
	 * through (VR_LOGF), so VR_CONFIG_LOG_LEVEL compiles them out too */
	struct vr_port lp;

	size_t own_limit;		/* config max_mappings (0: only the process's) */
	size_t punch_min;		/* unmap punches physical runs of >= this */

	pthread_mutex_t mu;		/* guards everything below */
	struct vr_bitmap used;		/* physical pages owned (rec_owns) */
	struct vr_bitmap bound;		/* free physical pages a parked page can take back */
	struct vr_bitmap taken;		/* used | bound: what a fresh map avoids first */
	struct vr_bitmap dirty;		/* physical pages that may hold old data */
	struct vr_bitmap seen;		/* scratch for validate */
	struct vr_bitmap keptmap;	/* window pages kept (REC_KEPT) */
	uint32_t *rec;			/* W records */
	uint32_t *rev;			/* P: for a bound page, the parked window page */
	size_t phys_free;		/* physical pages not owned (bound ones count) */
	size_t mapped;			/* window pages mapped (REC_MAPPED) */
	size_t held;			/* window pages held (kept with permissions) */
	size_t parked;			/* window pages parked (kept without) */
	size_t bounds;			/* mapping boundaries in one window (posix_vma.c) */
	size_t kept_cursor;		/* where the next sweep of kept pages looks */
	unsigned inject;		/* fail the inject-th next syscall (0 = off) */
	bool injected;			/* the current call's failure was injected */
	struct vr_port_lock *locks;	/* live locks (list), freed by destroy */
	int trace_fd;			/* trace file, -1 none (posix_trace.c) */
	vr_trace_fn user_trace;		/* config trace callback and its context */
	void *user_trace_ctx;

	/* counters (atomic: some are bumped outside the mutex) */
	atomic_size_t n_map, n_unmap, n_protect, n_failed;
	atomic_size_t n_runs, n_zeroed, n_syscalls;
	atomic_size_t n_flush, n_flush_bytes, n_inval, n_inval_bytes;
	atomic_size_t n_locks, n_meta_blocks, n_meta_bytes;
	atomic_size_t n_log[4];
	atomic_size_t n_punched, n_held, n_trace, n_revived, n_parked;
	/* the config's log hook (NULL: stderr) */
	void (*user_log)(void *log_ctx, enum vr_log_level level, const char *func,
			 const char *msg, uintptr_t a, uintptr_t b);
	void *user_log_ctx;
};

static inline void cnt_add(atomic_size_t *c, size_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}
static inline size_t cnt_get(atomic_size_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* posix_map.c */
int vri_posix_map(void *ctx, void *vaddr, size_t npages, unsigned perms);
int vri_posix_unmap(void *ctx, void *vaddr, size_t npages);
int vri_posix_protect(void *ctx, void *vaddr, size_t npages, unsigned perms);
/* Re-reserve [p, p + bytes) PROT_NONE; returns 0 or -errno. Never injected. */
int vri_posix_reserve(unsigned char *p, size_t bytes);
/* Unmap the kept pages [lo, hi) (one kernel mapping's) for real (reserve)
 * if the budget allows; never injected. True iff they went. */
bool vri_posix_release_kept(struct vr_posix *st, size_t lo, size_t hi);

/* posix_vma.c (all with st->mu held) */
/* Window pages i and i + 1 lie in one kernel mapping. */
bool vri_posix_joins(const struct vr_posix *st, size_t i);
/* Mapping boundaries (in one window) that involve pages [idx, idx + n):
 * between two of them, with their outer neighbours, or with the window's
 * ends. A window costs 1 + 2 * (all its boundaries) kernel mappings. */
size_t vri_posix_bounds(const struct vr_posix *st, size_t idx, size_t n);
/* The same if records [idx, +n) were recs[0..n) instead (recs is swapped in
 * and back out: both are as before on return). */
size_t vri_posix_bounds_as(struct vr_posix *st, size_t idx, size_t n, uint32_t *recs);
/* Would going from `before` to `after` boundaries (of one range) keep this
 * port and the process under their mapping budgets (`half`: under half of
 * them)? Always when after <= before. vmas_check says the same as 0 /
 * -ENOMEM with a log naming the limit; vmas_set records the change. */
bool vri_posix_vmas_fit(const struct vr_posix *st, size_t before, size_t after, bool half);
int vri_posix_vmas_check(const struct vr_posix *st, size_t before, size_t after, const char *func);
void vri_posix_vmas_set(struct vr_posix *st, size_t before, size_t after);
/* Kernel mappings of this port (both windows' reservation + the direct map),
 * and the budget it may grow to (the smaller of its own and what the
 * process's budget leaves it). */
size_t vri_posix_vmas(const struct vr_posix *st);
size_t vri_posix_vmas_limit(const struct vr_posix *st);
/* Register / unregister a port's mappings in the process-wide count. */
void vri_posix_vmas_add_port(struct vr_posix *st);
void vri_posix_vmas_del_port(struct vr_posix *st);
/* A physical run of n pages, not taken, for window pages [idx, +n) with
 * `perms`, that continues a kernel mapping next to them, or SIZE_MAX. */
size_t vri_posix_neighbour_phys(const struct vr_posix *st, size_t idx, size_t n, unsigned perms);
/* Physical pages [q, q + k) are leaving their owner: punch them if k >=
 * punch_min (they read 0 and cost no memory until touched), else leave them
 * dirty for the next map to zero. */
void vri_posix_zero_later(struct vr_posix *st, size_t q, size_t k);
/* When the port uses more than half its mapping budget, unmap one kernel
 * mapping's worth of kept pages for real (after an unmap). */
void vri_posix_sweep_kept(struct vr_posix *st);

/* posix_services.c */
void *vri_posix_to_uncached(void *ctx, void *p);
void *vri_posix_to_cached(void *ctx, void *p);
bool vri_posix_is_uncached(void *ctx, const void *p);
void vri_posix_cache_flush(void *ctx, void *p, size_t bytes);
void vri_posix_cache_invalidate(void *ctx, void *p, size_t bytes);
struct vr_port_lock *vri_posix_lock_create(void *ctx);
void vri_posix_lock_destroy(void *ctx, struct vr_port_lock *lock);
void vri_posix_lock(void *ctx, struct vr_port_lock *lock);
void vri_posix_unlock(void *ctx, struct vr_port_lock *lock);
void *vri_posix_meta_alloc(void *ctx, size_t bytes);
/* True iff one libc block of `bytes` could never be had: more than the
 * host's physical memory (sysconf). Such requests are refused before libc
 * sees them (a sanitizer build aborts the program on them). */
bool vri_posix_too_big(size_t bytes);
void vri_posix_meta_free(void *ctx, void *p, size_t bytes);
/* Destroy and free every lock still listed (port destroy only). */
void vri_posix_free_all_locks(struct vr_posix *st);
void vri_posix_log(void *ctx, enum vr_log_level level, const char *func,
		  const char *msg, uintptr_t a, uintptr_t b);
struct vr_port_lock *vri_posix_spin_create(void *ctx);
void vri_posix_spin_destroy(void *ctx, struct vr_port_lock *lock);
uintptr_t vri_posix_spin_lock(void *ctx, struct vr_port_lock *lock);
void vri_posix_spin_unlock(void *ctx, struct vr_port_lock *lock, uintptr_t key);

/* posix_trace.c */
/* Open the trace file named by VREGION_TRACE or path (the environment
 * wins), write its header; 0, or -errno (logged). Installs port->trace when
 * there is a file or a user callback. */
int vri_posix_trace_open(struct vr_posix *st, struct vr_port *port, const char *path);
void vri_posix_trace_close(struct vr_posix *st);
void vri_posix_trace(void *ctx, const struct vr_trace_event *ev);

#endif /* VREGION_POSIX_INTERNAL_H */
