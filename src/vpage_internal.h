/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage_internal.h - helpers shared by vpage.c (pool, alloc, free, orphans),
 * vpage_map.c (map / unmap / protect inside runs) and vpage_inspect.c
 * (stats, iteration, validation). Not installed.
 */
#ifndef VREGION_VPAGE_INTERNAL_H
#define VREGION_VPAGE_INTERNAL_H

#include <errno.h>
#include <limits.h>

#include "vregion/vpage.h"
#include "trace_emit.h"
#include "util.h"
#include "vpage_api.h"

#define VP_MAGIC 0x56706167u		/* "Vpag" */

/*
 * Run header: length << 2 | kind at a run's first page; 0 elsewhere. The
 * kind is VR_VPAGE_ALLOC, VR_VPAGE_RESERVED or VR_VPAGE_ORPHAN (a run the
 * pool keeps after its owner went and its unmap failed).
 */
#define VP_HDR(len, kind) ((uint32_t)((uint32_t)(len) << 2 | (uint32_t)(kind)))
#define VP_HDR_LEN(h) ((size_t)((h) >> 2))
#define VP_HDR_KIND(h) ((unsigned)((h) & 3u))

static inline size_t vp_pages(const struct vr_vpage_pool *pool)
{
	return pool->port->window_pages;
}

static inline void *vp_addr(const struct vr_vpage_pool *pool, size_t idx)
{
	VR_ASSERT(idx <= vp_pages(pool));
	return (void *)(pool->port->window_base + ((uintptr_t)idx << pool->page_shift));
}

/* The header of the live (not orphaned) run starting at idx, or 0. */
static inline uint32_t vp_live_hdr(const struct vr_vpage_pool *pool, size_t idx)
{
	uint32_t h = pool->run[idx];

	return VP_HDR_KIND(h) == VR_VPAGE_ORPHAN ? 0 : h;
}

/*
 * What a call did, for the one log line its public function writes after
 * unlocking: the level, a constant message whose parenthesised list names
 * a and b ("no free virtual run (pages, free)"), and the two values.
 */
struct vp_note {
	int level;		/* int, not the enum: see vr_log_enabled */
	const char *msg;
	uintptr_t a, b;
};

static inline void vp_note(struct vp_note *n, int level, const char *msg, uintptr_t a, uintptr_t b)
{
#if VR_CONFIG_LOG_LEVEL >= 0
	n->level = level;
	n->msg = VR_LOG_STR_(msg);	/* "" with VR_CONFIG_LOG_STRINGS=0: the text leaves ROM */
	n->a = a;
	n->b = b;
#else	/* no log line to write: no stores either */
	(void)n; (void)level; (void)msg; (void)a; (void)b;
#endif
}

/* Write the note as one log line of `fn` (after the pool lock is dropped). */
static inline void vp_log(const struct vr_port *port, const char *fn, const struct vp_note *n)
{
	if (n->msg)
		VR_LOGF(port, (enum vr_log_level)n->level, fn, n->msg, n->a, n->b);
}

/* A port callback's result as a negative errno: a positive value, and
 * INT_MIN (whose magnitude no int holds: it is no errno, and negating it to
 * log it would overflow), are -EIO. */
static inline int vp_port_err(int rc)
{
	return rc < 0 && rc != INT_MIN ? rc : -EIO;
}

/* Physical pages this pool may still map (the port may have fewer). */
static inline size_t vp_phys_left(const struct vr_vpage_pool *pool)
{
	size_t p = pool->port->phys_pages;

	return p > pool->mapped_pages ? p - pool->mapped_pages : 0;
}

/*
 * The entry of every public call on a pool (vpage.c, one copy): true with
 * the pool's lock held iff pool is an initialised pool; false (nothing
 * locked) otherwise. vri_vpage_unlock releases it.
 */
bool vri_vpage_enter(struct vr_vpage_pool *pool);
void vri_vpage_unlock(struct vr_vpage_pool *pool);

/* Page index of ptr (either alias): 0 and *idx, or -EINVAL with the reason
 * in *n (NULL, outside the window, not page-aligned). */
int vri_vpage_index(const struct vr_vpage_pool *pool, const void *ptr, size_t *idx,
		    struct vp_note *n);

/*
 * Emit a page operation's event (vpage.c, out of line: the callers build no
 * event struct). Call it as VRI_TRACE_PAGE(pool, traced, ...): nothing but
 * the NULL test of port->trace when the port has no hook, nothing at all
 * with VR_CONFIG_TRACE=0.
 */
void vri_vpage_trace(const struct vr_vpage_pool *pool, enum vr_trace_op op, const char *api,
		     size_t page, size_t npages, unsigned perms, int result);
#define VRI_TRACE_PAGE(pool, traced, op, api, page, npages, perms, result)                \
	do {                                                                             \
		if ((traced) && VRI_TRACING((pool)->port))                                \
			vri_vpage_trace((pool), (op), (api), (page), (npages), (perms), (result)); \
	} while (0)

/* Retry the orphans' unmaps, lowest first, until one fails (lock held).
 * Returns 0 when none is left, else the failing port errno (noted in *n). */
int vri_vpage_reclaim_locked(struct vr_vpage_pool *pool, struct vp_note *n);

/* The same, only if there are orphans: the first step of every public call
 * that reaches the port (one test when there are none). The failure of a
 * retry is the pool's business, not the call's: it is logged, not returned. */
static inline void vri_vpage_retry_orphans(struct vr_vpage_pool *pool, const char *fn)
{
	if (VR_UNLIKELY(pool->orphans)) {
		struct vp_note n = { 0, NULL, 0, 0 };

		if (vri_vpage_reclaim_locked(pool, &n))
			vp_log(pool->port, fn, &n);
		(void)fn;
	}
}

#endif /* VREGION_VPAGE_INTERNAL_H */
