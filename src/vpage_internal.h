/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage_internal.h - helpers shared by vpage.c (operations) and
 * vpage_inspect.c (stats, iteration, validation). Not installed.
 */
#ifndef VREGION_VPAGE_INTERNAL_H
#define VREGION_VPAGE_INTERNAL_H

#include <errno.h>

#include "vregion/vpage.h"
#include "util.h"

#define VP_MAGIC 0x56706167u		/* "Vpag" */

/* Run header: length << 2 | kind at a run's first page; 0 elsewhere. */
#define VP_HDR(len, kind) ((uint32_t)((uint32_t)(len) << 2 | (uint32_t)(kind)))
#define VP_HDR_LEN(h) ((size_t)((h) >> 2))
#define VP_HDR_KIND(h) ((unsigned)((h) & 3u))

static inline size_t vp_pages(const struct vr_vpage_pool *pool)
{
	return pool->port->window_pages;
}

static inline void *vp_addr(const struct vr_vpage_pool *pool, size_t idx)
{
	return (void *)(pool->port->window_base + ((uintptr_t)idx << pool->page_shift));
}

/*
 * The entry of every public call on a pool (vpage.c, one copy): true with
 * the pool's lock held iff pool is an initialised pool; false (nothing
 * locked) otherwise. vri_vpage_unlock releases it.
 */
bool vri_vpage_enter(struct vr_vpage_pool *pool);
void vri_vpage_unlock(struct vr_vpage_pool *pool);

#endif /* VREGION_VPAGE_INTERNAL_H */
