/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/vpage.h - the virtual page allocator.
 *
 * A pool hands out contiguous runs of VIRTUAL pages from the port's window,
 * each mapped onto any free PHYSICAL pages the port picks (not necessarily
 * contiguous). It is the bottom allocator of vregion; regions are runs of it.
 *
 * Bookkeeping (all outside the window, from the port's meta_alloc, one block):
 *   - a bitmap of used virtual pages (allocations, their guard pages and
 *     reservations), a bitmap of mapped virtual pages, a bitmap of run starts
 *     (so an interior address finds its run in O(distance / 64));
 *   - per virtual page, one 32-bit word: at the first page of a run its length
 *     and kind (length << 2 | kind), 0 elsewhere. So free is O(1), there is
 *     no limit on the number of live allocations, and only a run's start
 *     pointer frees it. A run is at most VR_VPAGE_MAX_PAGES pages.
 *   Metadata: 4 bytes + 3 bits per virtual page, exactly
 *     4 * W + 3 * 8 * ceil(W / 64) bytes (vr_vpage_meta_bytes()),
 *   plus one lock from the port (when it has locks). Nothing per allocation.
 *
 * Guard pages: `guard_pages` virtual pages after every run are marked used and
 * never mapped, so the largest run is window_pages - guard_pages pages (the
 * guards of a run at the end of the window must fit in the window too).
 *
 * Complexity (W = window pages, n = pages of the call, WB = bitmap word
 * bits: 64 on 64-bit hosts, 32 on 32-bit targets, see bitmap.h):
 *   alloc / reserve : O(W / WB) bitmap words (first fit, independent of the
 *                     fragmentation pattern) + one port map call (the port
 *                     zeroes n pages);
 *   free            : O(1) bookkeeping + one port unmap call (allocation), or
 *                     one unmap call per mapped piece (reservation, O(n / WB)
 *                     to find them; the search never leaves the run);
 *   map / unmap / protect inside a run: O(d / WB + n / WB) where d is the
 *                     distance from the run start, + one port call;
 *   run_pages       : O(1);
 *   stats           : O(W / WB + free runs) (largest free run), + O(runs)
 *                     while orphans exist (their mapped pages);
 *   for_each        : O(W / WB + runs); validate: O(W).
 * The calls that reach the port are alloc, alloc_perm, reserve, free,
 * release, map, unmap, protect, reclaim and pool_deinit.
 *
 * Orphans: when a run's owner goes away for good (a region's last put,
 * vr_region_put in vregion/vregion.h) and the port fails to unmap its pages,
 * the pool keeps the run as an ORPHAN: its virtual pages stay taken and its
 * still-mapped pages stay counted as mapped, nobody may use its pointer, and
 * the pool retries the unmap. Every call that reaches the port first retries
 * the orphans, lowest address first, until one fails again (while orphans
 * exist: + one port unmap call per retried piece, + O(W / WB + runs) to find
 * them; none at all when there are none); vr_vpage_reclaim() retries on
 * demand and vr_vpage_pool_deinit() before it decides. Orphans are counted
 * in the stats (orphans, orphan_pages). A direct vr_vpage_free() never
 * orphans: its caller still owns the run and may free it again.
 *
 * Thread-safety: every call takes the pool's lock (from the port) when the
 * port has locks. alloc/free/map/unmap reach the port (page tables, zeroing
 * pages): they are NOT for a real-time audio thread. The port's trace hook
 * and the for_each callback run with the pool lock held, the log hook with
 * or without it: none of them may call into the pool.
 *
 * Tracing (vregion/trace.h): when the port has a trace hook, init (on
 * success), deinit, alloc, alloc_perm, reserve, free, release, map, unmap and
 * protect each emit one event with their result; stats, for_each, validate,
 * run_pages and reclaim emit none.
 *
 * Errors: functions that can fail return 0 or a negative errno; allocators
 * return a pointer or NULL, count the failure in the stats and say why through
 * the port's log hook. Bad input never crashes and never changes state.
 */
#ifndef VREGION_VPAGE_H
#define VREGION_VPAGE_H

#include "vregion/port.h"
#include "vregion/bitmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest window (and so largest run) a pool accepts, in pages. */
#define VR_VPAGE_MAX_PAGES ((size_t)0x3fffffffu)

/* Pool options. A zeroed struct is the default. */
struct vr_vpage_config {
	/* Unmapped virtual pages left after every allocation and reservation,
	 * so a run-off-the-end access faults. 0 = none. */
	size_t guard_pages;
};

/*
 * The pool. Storage is the caller's (static, stack or heap); every field is
 * private: use the functions below.
 */
struct vr_vpage_pool {
	const struct vr_port *port;
	struct vr_port_lock *lock;
	struct vr_bitmap used;		/* virtual pages taken (runs + guards) */
	struct vr_bitmap mapped;	/* virtual pages mapped */
	struct vr_bitmap starts;	/* first page of every live run */
	uint32_t *run;			/* per page: run header at run start, else 0 */
	void *meta;			/* one meta_alloc block holding the above */
	size_t meta_bytes;
	size_t guard_pages;
	unsigned page_shift;		/* log2(page_size) */
	size_t free_vpages;		/* window pages not taken */
	size_t mapped_pages;		/* pages mapped by this pool */
	size_t live_allocs;		/* live allocations (not reservations) */
	size_t live_reserved;		/* live reservations */
	size_t failures;		/* failed alloc/reserve/map calls */
	size_t orphans;			/* runs kept after a failed unmap */
	size_t orphan_first;		/* no orphan starts below this page */
	uint32_t trace_id;		/* pool number in the process (trace.h) */
	uint32_t region_ids;		/* region numbers handed out (trace.h) */
	uint32_t magic;			/* set by init, cleared by deinit */
};

/* Statistics, a snapshot taken under the pool lock. */
struct vr_vpage_stats {
	size_t page_size;
	size_t vpages_total;		/* window pages */
	size_t vpages_free;		/* window pages not taken by a run or a guard */
	size_t ppages_total;		/* physical pages of the port */
	size_t ppages_free;		/* physical pages not mapped by this pool */
	size_t live_allocs;		/* allocations from vr_vpage_alloc*() */
	size_t live_reserved;		/* reservations from vr_vpage_reserve() */
	size_t largest_free_run;	/* longest run of free virtual pages (an
					 * allocation needs npages + guard_pages) */
	size_t failures;		/* alloc/alloc_perm/reserve calls that returned
					 * NULL and map calls that returned an error,
					 * on a valid pool, since init */
	size_t orphans;			/* orphaned runs the pool still holds (their
					 * pages are in neither vpages_free nor the
					 * live counts) */
	size_t orphan_pages;		/* pages of those runs still mapped: the
					 * physical pages not yet back */
};

/* What an iterated run is. */
enum vr_vpage_kind {
	VR_VPAGE_ALLOC = 1,	/* from vr_vpage_alloc*(): mapped whole */
	VR_VPAGE_RESERVED = 2,	/* from vr_vpage_reserve(): mapped piecewise */
	VR_VPAGE_ORPHAN = 3,	/* kept by the pool after a failed unmap (see Orphans) */
};

/* Bytes of metadata a pool over `port` needs (from meta_alloc), 0 if the port
 * fails vr_port_check or its window exceeds VR_VPAGE_MAX_PAGES. O(1). */
size_t vr_vpage_meta_bytes(const struct vr_port *port);

/* The same for a window of window_pages pages, before a port exists (to size
 * a flat port's metadata buffer): 4 * W + 24 * ceil(W / 64); 0 iff W is 0,
 * W is above VR_VPAGE_MAX_PAGES, or the size does not fit in a size_t
 * (32-bit targets, W near the maximum). O(1). */
size_t vr_vpage_meta_bytes_for(size_t window_pages);

/*
 * Initialise `pool` over `port` (which must outlive the pool). cfg may be
 * NULL for defaults. Returns 0, -EINVAL (NULL pool/port, vr_port_check()
 * fails, window_pages > VR_VPAGE_MAX_PAGES, guard_pages >= window pages),
 * -ENOMEM (meta_alloc or lock_create failed; nothing is left allocated).
 * Initialising a pool that is already initialised is undefined (it leaks).
 * O(W / 64) (clearing the metadata).
 */
int vr_vpage_pool_init(struct vr_vpage_pool *pool, const struct vr_port *port,
		       const struct vr_vpage_config *cfg);

/*
 * Tear down. First retries the orphans' unmaps (see Orphans). Returns 0,
 * -EINVAL (NULL or not initialised), -EBUSY iff an orphan still cannot be
 * unmapped (the port's error is logged) or live allocations or reservations
 * remain; on -EBUSY nothing is changed but the orphans that came back.
 * Undefined if another thread is inside a call on the same pool (its lock is
 * destroyed): the caller stops all users first.
 */
int vr_vpage_pool_deinit(struct vr_vpage_pool *pool);

/*
 * Allocate npages contiguous virtual pages mapped read-write (zeroed).
 * Returns the page-aligned start (cached alias), or NULL iff: pool invalid,
 * npages == 0, npages > window_pages - guard_pages, no free virtual run of
 * npages + guard_pages exists (first fit, lowest address), fewer than npages
 * physical pages are left unmapped by this pool, or the port's map fails
 * (platform error). On NULL nothing is mapped or counted, except `failures`
 * (when the pool is valid), and the reason is logged (WRN when out of
 * memory, ERR for bad arguments or a port error).
 */
void *vr_vpage_alloc(struct vr_vpage_pool *pool, size_t npages);

/* As vr_vpage_alloc with explicit permissions (VR_PERM_*, not 0): NULL also
 * iff perms is 0 or has bits outside VR_PERM_MASK. */
void *vr_vpage_alloc_perm(struct vr_vpage_pool *pool, size_t npages, unsigned perms);

/*
 * Free an allocation or a reservation by its start pointer (either alias).
 * A reservation's mapped pages are unmapped too (one port call per mapped
 * piece).
 * Returns 0, or -EINVAL iff pool invalid, ptr NULL, outside the window, not
 * page-aligned, not a run start (interior or guard page), or not live (double
 * free, or an orphan's start); the port's negative errno (-EIO if it returned
 * a positive value or INT_MIN) iff the port failed to unmap, in which case
 * the run stays allocated, the caller's, and can be freed again later (for a reservation,
 * the pieces unmapped before the failure stay unmapped). On -EINVAL nothing
 * changes, not even the stats (orphans retried first aside).
 * Not detectable: freeing a start pointer again after the same start page was
 * handed out again frees the new owner (pointers carry no generation).
 */
int vr_vpage_free(struct vr_vpage_pool *pool, void *ptr);

/*
 * Retry the unmap of every orphan now, lowest address first, until one fails
 * (see Orphans). Returns the number of orphans still held (0: every page is
 * back), or -EINVAL for a bad pool. O(W / WB + runs) + one port unmap call
 * per retried piece; O(1) without orphans.
 */
long vr_vpage_reclaim(struct vr_vpage_pool *pool);

/* Pages of the live run starting at ptr (either alias), or 0 if none (also
 * for an invalid pool, NULL, interior and guard pages, orphans). O(1). */
size_t vr_vpage_run_pages(struct vr_vpage_pool *pool, const void *ptr);

/*
 * Reserve npages contiguous virtual pages WITHOUT mapping them (for loading
 * code: the caller maps each section with its own permissions). Returns the
 * start or NULL (as vr_vpage_alloc, minus the map). Free it with
 * vr_vpage_free() (vr_vpage_release is the same call, named as upstream).
 */
void *vr_vpage_reserve(struct vr_vpage_pool *pool, size_t npages);
int vr_vpage_release(struct vr_vpage_pool *pool, void *ptr);

/*
 * Map / unmap / protect [addr, +npages) inside a live reservation (map,
 * unmap) or inside any live run (protect). map requires every page unmapped,
 * unmap and protect every page mapped (an orphan is no run for any of
 * them). addr may be either alias. Returns 0,
 * -EINVAL (bad pool, addr NULL / outside the window / not page-aligned,
 * npages 0, range not inside one live run of the right kind, pages in the
 * wrong state, perms invalid: map needs 1..7, protect 0..7), -ENOMEM (map:
 * fewer than npages physical pages left unmapped by this pool), -ENOTSUP
 * (protect: the port cannot), or the port's negative errno (-EIO if it
 * returned a positive value or INT_MIN). On any error the state is
 * unchanged; a failed map is counted in `failures`. O(d / 64 + npages / 64) + one port call,
 * d = distance of addr from its run's start.
 */
int vr_vpage_map(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms);
int vr_vpage_unmap(struct vr_vpage_pool *pool, void *addr, size_t npages);
int vr_vpage_protect(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms);

/* Snapshot of the statistics. Returns 0 or -EINVAL (NULL argument, bad pool). */
int vr_vpage_get_stats(struct vr_vpage_pool *pool, struct vr_vpage_stats *st);

/*
 * Call cb(arg, start, npages, kind) for every run in address order (live
 * runs and orphans, kind VR_VPAGE_ORPHAN), under the pool lock (cb must not
 * call into the pool). Stops early when cb
 * returns non-zero and returns that value; else returns 0. -EINVAL for a bad
 * pool or NULL cb.
 */
int vr_vpage_for_each(struct vr_vpage_pool *pool,
		      int (*cb)(void *arg, void *start, size_t npages, enum vr_vpage_kind kind),
		      void *arg);

/*
 * Full consistency check, O(W): the pool's own fields agree with the port
 * and with init (page size, metadata block layout and size, a lock iff the
 * port has locks), run headers tile the used bitmap exactly
 * (with guards), counters match the bitmaps (orphans included), allocations
 * are fully mapped, nothing outside a run is mapped. Returns 0 or -EFAULT (logged with the
 * first inconsistency found), -EINVAL for a bad pool.
 */
int vr_vpage_validate(struct vr_vpage_pool *pool);

/* The port this pool runs on (for alias translation by upper layers). */
const struct vr_port *vr_vpage_port(const struct vr_vpage_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_VPAGE_H */
