/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage.c - the virtual page allocator: pool set-up, alloc / reserve, free,
 * orphans (see vregion/vpage.h for the contract). map / unmap / protect
 * inside runs are in vpage_map.c, stats and validate in vpage_inspect.c.
 *
 * Shape of every public function (littlefs): check the pool and lock
 * (vri_vpage_enter), retry orphans if there are any, call a *_locked worker,
 * emit the trace event, unlock, write the one log line the worker noted.
 * Workers either change nothing and return an error, or complete: the port
 * is called BEFORE any bookkeeping changes, so a port failure leaves no trace
 * (the one exception is an orphan, which is bookkeeping by design).
 */
#include <stdatomic.h>
#include <string.h>

#include "vpage_internal.h"

/* ---- sizing and setup ---- */

size_t vr_vpage_meta_bytes_for(size_t window_pages)
{
	size_t bm, run;

	if (window_pages == 0 || window_pages > VR_VPAGE_MAX_PAGES)
		return 0;
	/* neither term wraps (W < 2^30); their sum can with a 32-bit size_t */
	bm = 3u * VR_BITMAP_BYTES(window_pages);
	run = window_pages * sizeof(uint32_t);
	return run > SIZE_MAX - bm ? 0 : bm + run;
}

size_t vr_vpage_meta_bytes(const struct vr_port *port)
{
	if (vr_port_check(port))
		return 0;
	return vr_vpage_meta_bytes_for(port->window_pages);
}

#if VR_CONFIG_TRACE
/* Pool numbers in the process, from 1 (trace.h). Targets without lock-free
 * atomics (Xtensa lx106) get a plain counter: init pools from one thread. */
#if ATOMIC_INT_LOCK_FREE == 2
static atomic_uint vp_pool_ids;
static uint32_t vp_new_pool_id(void)
{
	return (uint32_t)atomic_fetch_add_explicit(&vp_pool_ids, 1u, memory_order_relaxed) + 1u;
}
#else
static uint32_t vp_pool_ids;
static uint32_t vp_new_pool_id(void)
{
	return ++vp_pool_ids;
}
#endif
#else
static uint32_t vp_new_pool_id(void)
{
	return 0;
}
#endif

void vri_vpage_trace(const struct vr_vpage_pool *pool, enum vr_trace_op op, const char *api,
		     size_t page, size_t npages, unsigned perms, int result)
{
	VRI_TRACE(pool->port, .op = op, .api = api, .pool = pool->trace_id, .page = page,
		  .npages = npages, .perms = perms, .result = result);
}

/* Carve the cleared metadata block m of a W-page window into the pool. */
static void vp_layout(struct vr_vpage_pool *pool, vr_bitmap_word_t *m, size_t w)
{
	size_t words = VR_BITMAP_WORDS(w);

	pool->used = (struct vr_bitmap){ m, w };
	pool->mapped = (struct vr_bitmap){ m + words, w };
	pool->starts = (struct vr_bitmap){ m + 2 * words, w };
	pool->run = (uint32_t *)(void *)(m + 3 * words);
	pool->meta = m;
}

static int vp_init_locked(struct vr_vpage_pool *pool, const struct vr_port *port, size_t guard,
			  struct vp_note *n)
{
	size_t w = port->window_pages, bytes = vr_vpage_meta_bytes_for(w);
	vr_bitmap_word_t *m;

	if (bytes == 0 || guard >= w) {
		vp_note(n, VR_LOG_ERR, "window too large or guard >= window (pages, guard)", w, guard);
		return -EINVAL;
	}
	memset(pool, 0, sizeof(*pool));
	m = port->meta_alloc(port->ctx, bytes);
	if (!m) {
		vp_note(n, VR_LOG_ERR, "meta_alloc failed (bytes)", bytes, 0);
		return -ENOMEM;
	}
	if (port->lock_create && !(pool->lock = port->lock_create(port->ctx))) {
		port->meta_free(port->ctx, m, bytes);
		vp_note(n, VR_LOG_ERR, "lock_create failed", 0, 0);
		return -ENOMEM;
	}
	memset(m, 0, bytes);	/* three bitmaps, then the run headers */
	vp_layout(pool, m, w);
	pool->port = port;
	pool->meta_bytes = bytes;
	pool->guard_pages = guard;
	pool->page_shift = vr_log2_pow2(port->page_size);
	pool->free_vpages = w;
	pool->trace_id = vp_new_pool_id();
	pool->magic = VP_MAGIC;
	vp_note(n, VR_LOG_INF, "pool ready (pages, guard)", w, guard);
	return 0;
}

int vr_vpage_pool_init(struct vr_vpage_pool *pool, const struct vr_port *port,
		       const struct vr_vpage_config *cfg)
{
	size_t guard = cfg ? cfg->guard_pages : 0;
	struct vp_note n = { 0, NULL, 0, 0 };
	int rc;

	if (!pool || vr_port_check(port))
		return -EINVAL;
	/* nobody else can see the pool yet: nothing to lock */
	rc = vp_init_locked(pool, port, guard, &n);
	if (!rc)
		VRI_TRACE(port, .op = VR_TRACE_POOL_INIT, .api = __func__, .pool = pool->trace_id,
			  .page_size = port->page_size, .cache_line = port->cache_line,
			  .window_pages = port->window_pages, .phys_pages = port->phys_pages,
			  .guard_pages = guard);
	vp_log(port, __func__, &n);
	return rc;
}

bool vri_vpage_enter(struct vr_vpage_pool *pool)
{
	if (!pool || pool->magic != VP_MAGIC || !pool->port)
		return false;
	if (pool->lock)
		pool->port->lock(pool->port->ctx, pool->lock);
	return true;
}

void vri_vpage_unlock(struct vr_vpage_pool *pool)
{
	if (pool->lock)
		pool->port->unlock(pool->port->ctx, pool->lock);
}

/* Deinit's checks (lock held): orphans retried, nothing live. */
static int vp_deinit_locked(struct vr_vpage_pool *pool, struct vp_note *n)
{
	if (vri_vpage_reclaim_locked(pool, n))
		return -EBUSY;		/* the failing unmap is noted */
	if (pool->live_allocs || pool->live_reserved) {
		vp_note(n, VR_LOG_ERR, "live runs remain (allocations, reservations)",
			pool->live_allocs, pool->live_reserved);
		return -EBUSY;
	}
	VR_ASSERT(pool->free_vpages == vp_pages(pool) && pool->mapped_pages == 0);
	pool->magic = 0;	/* later calls fail fast with -EINVAL */
	vp_note(n, VR_LOG_INF, "pool released", 0, 0);
	return 0;
}

int vr_vpage_pool_deinit(struct vr_vpage_pool *pool)
{
	struct vp_note n = { 0, NULL, 0, 0 };
	const struct vr_port *port;
	int rc;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	port = pool->port;
	rc = vp_deinit_locked(pool, &n);
	VRI_TRACE_PAGE(pool, true, VR_TRACE_POOL_DEINIT, __func__, 0, 0, 0, rc);
	vri_vpage_unlock(pool);
	if (!rc) {
		if (pool->lock)
			port->lock_destroy(port->ctx, pool->lock);
		port->meta_free(port->ctx, pool->meta, pool->meta_bytes);
		memset(pool, 0, sizeof(*pool));
	}
	vp_log(port, __func__, &n);
	return rc;
}

const struct vr_port *vr_vpage_port(const struct vr_vpage_pool *pool)
{
	return pool && pool->magic == VP_MAGIC ? pool->port : NULL;
}

uint32_t vri_vpage_trace_id(const struct vr_vpage_pool *pool)
{
	return pool && pool->magic == VP_MAGIC ? pool->trace_id : 0;
}

uint32_t vri_vpage_new_region_id(struct vr_vpage_pool *pool)
{
	uint32_t id;

	if (!vri_vpage_enter(pool))
		return 0;
	id = ++pool->region_ids;
	vri_vpage_unlock(pool);
	return id;
}

/* ---- address checks ---- */

int vri_vpage_index(const struct vr_vpage_pool *pool, const void *ptr, size_t *idx,
		    struct vp_note *n)
{
	const struct vr_port *port = pool->port;
	uintptr_t a = (uintptr_t)ptr, off;

	if (!ptr) {
		vp_note(n, VR_LOG_ERR, "NULL pointer", 0, 0);
		return -EINVAL;
	}
	if (port->to_cached && (!port->is_uncached || port->is_uncached(port->ctx, ptr)))
		a = (uintptr_t)port->to_cached(port->ctx, (void *)(uintptr_t)ptr);
	off = a - port->window_base;
	if (a < port->window_base || (off >> pool->page_shift) >= port->window_pages) {
		vp_note(n, VR_LOG_ERR, "pointer outside the window (addr)", a, 0);
		return -EINVAL;
	}
	if (off & (port->page_size - 1)) {
		vp_note(n, VR_LOG_ERR, "pointer not page-aligned (addr)", a, 0);
		return -EINVAL;
	}
	*idx = (size_t)(off >> pool->page_shift);
	VR_ASSERT(*idx < vp_pages(pool));
	return 0;
}

/* ---- alloc / reserve ---- */

/* Record a new run [idx, +npages) (+ guards) of `kind`, mapped iff ALLOC. */
static void vp_add_run(struct vr_vpage_pool *pool, size_t idx, size_t npages,
		       enum vr_vpage_kind kind)
{
	size_t span = npages + pool->guard_pages;

	VR_ASSERT(npages && span <= pool->free_vpages && vr_bitmap_all_clear(&pool->used, idx, span));
	if (kind == VR_VPAGE_ALLOC) {
		vr_bitmap_set(&pool->mapped, idx, npages);
		pool->mapped_pages += npages;
		pool->live_allocs++;
	} else {
		pool->live_reserved++;
	}
	vr_bitmap_set(&pool->used, idx, span);
	vr_bitmap_set(&pool->starts, idx, 1);
	pool->run[idx] = VP_HDR(npages, kind);
	pool->free_vpages -= span;
	VR_ASSERT(vp_live_hdr(pool, idx) && pool->mapped_pages <= pool->port->phys_pages);
}

static int vp_take_locked(struct vr_vpage_pool *pool, size_t npages, unsigned perms,
			  enum vr_vpage_kind kind, size_t *page, struct vp_note *n)
{
	const struct vr_port *port = pool->port;
	size_t g = pool->guard_pages, idx;
	int rc;

	if (!perms || (perms & ~VR_PERM_MASK)) {
		vp_note(n, VR_LOG_ERR, "bad permissions (pages, perms)", npages, perms);
		return -EINVAL;
	}
	if (npages == 0 || npages > vp_pages(pool) - g) {
		vp_note(n, VR_LOG_ERR, "page count 0 or above the window (pages, guard)", npages, g);
		return -EINVAL;
	}
	idx = vr_bitmap_find_clear_run(&pool->used, 0, npages + g);
	if (idx == SIZE_MAX) {
		vp_note(n, VR_LOG_WRN, "no free virtual run (pages, free)", npages, pool->free_vpages);
		return -ENOMEM;
	}
	if (kind == VR_VPAGE_ALLOC) {
		if (npages > vp_phys_left(pool)) {
			vp_note(n, VR_LOG_WRN, "not enough physical pages (pages, left)", npages,
				vp_phys_left(pool));
			return -ENOMEM;
		}
		rc = port->map(port->ctx, vp_addr(pool, idx), npages, perms);
		if (rc) {
			rc = vp_port_err(rc);
			vp_note(n, VR_LOG_ERR, "port map failed (pages, errno)", npages, (uintptr_t)-rc);
			return rc;
		}
	}
	vp_add_run(pool, idx, npages, kind);
	*page = idx;
	vp_note(n, VR_LOG_DBG, "ok (addr, pages)", (uintptr_t)vp_addr(pool, idx), npages);
	return 0;
}

static void *vp_take(struct vr_vpage_pool *pool, size_t npages, unsigned perms,
		     enum vr_vpage_kind kind, const char *fn, bool traced)
{
	struct vp_note n = { 0, NULL, 0, 0 };
	size_t idx = SIZE_MAX;
	int rc;

	if (!vri_vpage_enter(pool))
		return NULL;
	vri_vpage_retry_orphans(pool, fn);
	rc = vp_take_locked(pool, npages, perms, kind, &idx, &n);
	if (rc)
		pool->failures++;
	VRI_TRACE_PAGE(pool, traced, kind == VR_VPAGE_ALLOC ? VR_TRACE_PAGE_ALLOC : VR_TRACE_PAGE_RESERVE,
		       fn, idx, npages, kind == VR_VPAGE_ALLOC ? perms : 0, rc);
	vri_vpage_unlock(pool);
	vp_log(pool->port, fn, &n);
	return rc ? NULL : vp_addr(pool, idx);
}

void *vr_vpage_alloc(struct vr_vpage_pool *pool, size_t npages)
{
	return vp_take(pool, npages, VR_PERM_RW, VR_VPAGE_ALLOC, __func__, true);
}

void *vr_vpage_alloc_perm(struct vr_vpage_pool *pool, size_t npages, unsigned perms)
{
	return vp_take(pool, npages, perms, VR_VPAGE_ALLOC, __func__, true);
}

void *vr_vpage_reserve(struct vr_vpage_pool *pool, size_t npages)
{
	/* perms are not used for a reservation; RW passes the check */
	return vp_take(pool, npages, VR_PERM_RW, VR_VPAGE_RESERVED, __func__, true);
}

void *vri_vpage_alloc_api(struct vr_vpage_pool *pool, size_t npages, unsigned perms,
			  const char *api)
{
	return vp_take(pool, npages, perms, VR_VPAGE_ALLOC, api ? api : "vr_vpage_alloc_perm",
		       api != NULL);
}

void *vri_vpage_reserve_api(struct vr_vpage_pool *pool, size_t npages, const char *api)
{
	return vp_take(pool, npages, VR_PERM_RW, VR_VPAGE_RESERVED, api ? api : "vr_vpage_reserve",
		       api != NULL);
}

/* ---- free and orphans ---- */

/*
 * Unmap every mapped piece of [idx, idx + n), one port call per piece,
 * updating the bookkeeping after each success. Both scans stop at the run's
 * end, so an allocation costs O(n / WB) whatever the window. Returns 0 or
 * the first port error (noted; earlier pieces stay unmapped, later mapped).
 */
static int vp_unmap_pieces(struct vr_vpage_pool *pool, size_t idx, size_t n, struct vp_note *note)
{
	const struct vr_port *port = pool->port;
	size_t end = idx + n;

	VR_ASSERT(n && end <= vp_pages(pool) && vr_bitmap_all_set(&pool->used, idx, n));
	for (size_t i = vr_bitmap_next_set_in(&pool->mapped, idx, end); i < end;
	     i = vr_bitmap_next_set_in(&pool->mapped, i, end)) {
		size_t j = vr_bitmap_next_clear_in(&pool->mapped, i, end);
		int rc = port->unmap(port->ctx, vp_addr(pool, i), j - i);

		if (rc) {
			rc = vp_port_err(rc);
			vp_note(note, VR_LOG_ERR, "port unmap failed (addr, errno)",
				(uintptr_t)vp_addr(pool, i), (uintptr_t)-rc);
			return rc;
		}
		VR_ASSERT(j - i <= pool->mapped_pages);
		vr_bitmap_clear(&pool->mapped, i, j - i);
		pool->mapped_pages -= j - i;
		i = j;
	}
	VR_ASSERT(vr_bitmap_all_clear(&pool->mapped, idx, n));
	return 0;
}

/* Forget the run at idx (every page already unmapped): its pages and guards
 * are free again. */
static void vp_drop_run(struct vr_vpage_pool *pool, size_t idx)
{
	uint32_t h = pool->run[idx];
	size_t span = VP_HDR_LEN(h) + pool->guard_pages;

	VR_ASSERT(h && vr_bitmap_test(&pool->starts, idx) && vr_bitmap_all_set(&pool->used, idx, span));
	VR_ASSERT(vr_bitmap_all_clear(&pool->mapped, idx, VP_HDR_LEN(h)));
	switch (VP_HDR_KIND(h)) {
	case VR_VPAGE_ALLOC:
		pool->live_allocs--;
		break;
	case VR_VPAGE_RESERVED:
		pool->live_reserved--;
		break;
	default:
		pool->orphans--;
		break;
	}
	vr_bitmap_clear(&pool->used, idx, span);
	vr_bitmap_clear(&pool->starts, idx, 1);
	pool->run[idx] = 0;
	pool->free_vpages += span;
	VR_ASSERT(pool->free_vpages <= vp_pages(pool));
}

/* The live run at idx loses its owner with pages still mapped: the pool
 * keeps it as an orphan (its pages stay used until an unmap succeeds). */
static void vp_orphan(struct vr_vpage_pool *pool, size_t idx)
{
	uint32_t h = pool->run[idx];

	VR_ASSERT(vp_live_hdr(pool, idx) != 0);
	if (VP_HDR_KIND(h) == VR_VPAGE_ALLOC)
		pool->live_allocs--;
	else
		pool->live_reserved--;
	pool->run[idx] = VP_HDR(VP_HDR_LEN(h), VR_VPAGE_ORPHAN);
	if (!pool->orphans || idx < pool->orphan_first)
		pool->orphan_first = idx;
	pool->orphans++;
}

/* First orphan at or after page `from` (there is one). O(W / WB + runs). */
static size_t vp_next_orphan(const struct vr_vpage_pool *pool, size_t from)
{
	size_t w = vp_pages(pool);

	for (size_t s = vr_bitmap_next_set(&pool->starts, from); s < w;
	     s = vr_bitmap_next_set(&pool->starts, s + 1))
		if (VP_HDR_KIND(pool->run[s]) == VR_VPAGE_ORPHAN)
			return s;
	VR_ASSERT(0);	/* orphans > 0 but none found: corrupted counters */
	return w;
}

int vri_vpage_reclaim_locked(struct vr_vpage_pool *pool, struct vp_note *n)
{
	size_t i = pool->orphan_first;

	while (pool->orphans) {
		int rc;

		i = vp_next_orphan(pool, i);
		if (i >= vp_pages(pool))
			return -EFAULT;
		rc = vp_unmap_pieces(pool, i, VP_HDR_LEN(pool->run[i]), n);
		if (rc) {
			pool->orphan_first = i;
			vp_note(n, VR_LOG_WRN, "orphan's unmap failed again, kept (addr, errno)",
				(uintptr_t)vp_addr(pool, i), (uintptr_t)-rc);
			return rc;
		}
		vp_drop_run(pool, i);
	}
	return 0;
}

static int vp_free_locked(struct vr_vpage_pool *pool, void *ptr, bool orphan, size_t *page,
			  struct vp_note *n)
{
	size_t idx, len;
	uint32_t h;
	int rc;

	rc = vri_vpage_index(pool, ptr, &idx, n);
	if (rc)
		return rc;
	h = vp_live_hdr(pool, idx);
	if (!h) {
		vp_note(n, VR_LOG_ERR, pool->run[idx] ? "run orphaned, the pool frees it (addr)" :
			vr_bitmap_test(&pool->used, idx) ?
			"not the start of a run, interior or guard page (addr)" :
			"page not allocated, double free? (addr)", (uintptr_t)ptr, 0);
		return -EINVAL;
	}
	*page = idx;
	len = VP_HDR_LEN(h);
	rc = vp_unmap_pieces(pool, idx, len, n);
	if (rc) {
		if (orphan) {
			vp_orphan(pool, idx);
			vp_note(n, VR_LOG_ERR, "port unmap failed, the pool keeps the run (addr, errno)",
				(uintptr_t)vp_addr(pool, idx), (uintptr_t)-rc);
		}
		return rc;
	}
	vp_drop_run(pool, idx);
	vp_note(n, VR_LOG_DBG, "ok (addr, pages)", (uintptr_t)ptr, len);
	return 0;
}

static int vp_free(struct vr_vpage_pool *pool, void *ptr, const char *fn, bool traced,
		   bool orphan)
{
	struct vp_note n = { 0, NULL, 0, 0 };
	size_t page = SIZE_MAX;
	int rc;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	vri_vpage_retry_orphans(pool, fn);
	rc = vp_free_locked(pool, ptr, orphan, &page, &n);
	VRI_TRACE_PAGE(pool, traced, VR_TRACE_PAGE_FREE, fn, rc == -EINVAL ? SIZE_MAX : page, 0, 0, rc);
	vri_vpage_unlock(pool);
	vp_log(pool->port, fn, &n);
	return rc;
}

int vr_vpage_free(struct vr_vpage_pool *pool, void *ptr)
{
	return vp_free(pool, ptr, __func__, true, false);
}

int vr_vpage_release(struct vr_vpage_pool *pool, void *ptr)
{
	return vp_free(pool, ptr, __func__, true, false);
}

int vri_vpage_free_api(struct vr_vpage_pool *pool, void *ptr, const char *api)
{
	return vp_free(pool, ptr, api ? api : "vr_vpage_free", api != NULL, false);
}

int vri_vpage_free_or_orphan(struct vr_vpage_pool *pool, void *ptr, const char *api)
{
	return vp_free(pool, ptr, api ? api : "vr_vpage_free", api != NULL, true);
}

long vr_vpage_reclaim(struct vr_vpage_pool *pool)
{
	struct vp_note n = { 0, NULL, 0, 0 };
	long left;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	(void)vri_vpage_reclaim_locked(pool, &n);
	left = (long)pool->orphans;
	vri_vpage_unlock(pool);
	vp_log(pool->port, __func__, &n);
	return left;
}

size_t vr_vpage_run_pages(struct vr_vpage_pool *pool, const void *ptr)
{
	struct vp_note n = { 0, NULL, 0, 0 };
	size_t idx, pages = 0;

	if (!vri_vpage_enter(pool))
		return 0;
	if (!vri_vpage_index(pool, ptr, &idx, &n))
		pages = VP_HDR_LEN(vp_live_hdr(pool, idx));
	vri_vpage_unlock(pool);
	vp_log(pool->port, __func__, &n);
	return pages;
}
