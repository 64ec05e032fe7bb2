/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sof/lib/vpage.h - SOF's virtual page allocator API, with SOF's exact
 * prototypes, over vregion's default pool (vregion/sof_compat.h), including
 * the calls of SOF's open pull requests #11037 (reserve, release,
 * get_region) and #11041 (stats, walk). For host programs: SOF on Zephyr
 * uses its own header (docs/zephyr.md).
 *
 * Behaviour as upstream (SYSTEM.md 1.1), minus its bugs:
 *   - vpage_alloc(0) returns NULL (no error); so does a request with too few
 *     free virtual pages in one run, or too few physical pages.
 *   - pages are page aligned, cached alias, and ZEROED here (upstream handed
 *     out stale data: bug 4.6).
 *   - vpage_free accepts only the exact start pointer of a live run (either
 *     alias); anything else (NULL, foreign, interior, double free) is logged
 *     and ignored, as upstream. Frees may come in any order (upstream's
 *     element compaction lost records on non-LIFO frees: bug 4.1), and there
 *     is no limit on live allocations (upstream: 128).
 *   - a failed map leaves nothing mapped (bug 4.2).
 * The default pool initialises itself on first use (see vregion/sof_compat.h
 * for its defaults) or explicitly with vr_sof_init().
 * Thread-safety: every call takes the pool's lock. Not for interrupt context
 * or a real-time thread (page tables are changed).
 */
#ifndef __SOF_LIB_VPAGE_H__
#define __SOF_LIB_VPAGE_H__

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Allocate `pages` contiguous virtual pages mapped read-write. Returns the
 * page-aligned start or NULL (pages 0, no free run, no physical pages). */
void *vpage_alloc(unsigned int pages);

/* Free a run by its start pointer; anything else is logged and ignored. */
void vpage_free(void *ptr);

/* Reserve `pages` contiguous virtual pages without mapping them (for code
 * loading: the caller maps each section). Returns the start or NULL. */
void *vpage_reserve(unsigned int pages);

/* Release a reservation by its start pointer (pages the caller mapped in it
 * through vregion are unmapped too); anything else is logged and ignored. */
void vpage_release(void *ptr);

/* The memory-management driver's region behind the pool (SOF #11037): a
 * copy owned by vregion, valid until vr_sof_deinit(). NULL where there is
 * no such driver (hosts, bare metal) or the pool cannot be set up. */
struct sys_mm_drv_region;
const struct sys_mm_drv_region *vpage_get_region(void);

/* Pool statistics (SOF #11041). free_pages counts virtual pages not taken;
 * num_elems_in_use the live allocations and reservations; max_allocs the
 * most runs the window can hold at once (vregion has no allocation table:
 * upstream's was CONFIG_SOF_VPAGE_MAX_ALLOCS). */
struct vpage_stats {
	void *region_base;
	size_t region_size;
	unsigned int total_pages;
	unsigned int free_pages;
	unsigned int num_elems_in_use;
	unsigned int max_allocs;
};

/* Fill *stats (zeroed when the pool cannot be set up; NULL: no-op). */
void vpage_get_stats(struct vpage_stats *stats);

/* Call cb(idx, vpage, pages, ctx) for every live allocation and reservation
 * in address order: idx counts from 0, vpage is the first page's index from
 * the window start. The pool's lock is held: cb must not call vpage_* or
 * vregion_*. NULL cb: no-op. */
void vpage_for_each_alloc(void (*cb)(unsigned int idx, unsigned int vpage, unsigned int pages,
				     void *ctx),
			  void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* __SOF_LIB_VPAGE_H__ */
