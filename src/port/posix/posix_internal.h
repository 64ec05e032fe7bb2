/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * posix_internal.h - private state of the posix port, shared by its files:
 *   port_posix.c      create / destroy / queries / validate / trim
 *   posix_map.c       map / unmap / protect and their rollbacks
 *   posix_services.c  aliases, cache counters, locks, metadata, log
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
 * One record per window page (uint32_t): 0 = unmapped; else
 *   bit 31     mapped
 *   bits 28-30 permissions (VR_PERM_*)
 *   bits 0-27  physical page index
 */
#define REC_MAPPED	(UINT32_C(1) << 31)
#define REC_PERM_SHIFT	28
#define REC_PHYS_MASK	((UINT32_C(1) << REC_PERM_SHIFT) - 1)

static inline uint32_t rec_make(size_t phys, unsigned perms)
{
	return REC_MAPPED | ((uint32_t)perms << REC_PERM_SHIFT) | (uint32_t)phys;
}
static inline size_t rec_phys(uint32_t r) { return r & REC_PHYS_MASK; }
static inline unsigned rec_perms(uint32_t r) { return (r >> REC_PERM_SHIFT) & VR_PERM_MASK; }

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

	pthread_mutex_t mu;		/* guards everything below */
	struct vr_bitmap used;		/* physical pages backing a window page */
	struct vr_bitmap dirty;		/* physical pages that may hold old data */
	struct vr_bitmap seen;		/* scratch for validate */
	uint32_t *rec;			/* W records */
	size_t phys_free;
	size_t mapped;
	unsigned inject;		/* fail the inject-th next syscall (0 = off) */
	struct vr_port_lock *locks;	/* live locks (list), freed by destroy */

	/* counters (atomic: some are bumped outside the mutex) */
	atomic_size_t n_map, n_unmap, n_protect, n_failed;
	atomic_size_t n_runs, n_zeroed, n_syscalls;
	atomic_size_t n_flush, n_flush_bytes, n_inval, n_inval_bytes;
	atomic_size_t n_locks, n_meta_blocks, n_meta_bytes;
	atomic_size_t n_log[4];
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
void vri_posix_meta_free(void *ctx, void *p, size_t bytes);
/* Destroy and free every lock still listed (port destroy only). */
void vri_posix_free_all_locks(struct vr_posix *st);
void vri_posix_log(void *ctx, enum vr_log_level level, const char *func,
		  const char *msg, uintptr_t a, uintptr_t b);

#endif /* VREGION_POSIX_INTERNAL_H */
