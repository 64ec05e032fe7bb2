/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage.c - the virtual page allocator: init, alloc/reserve, free, and
 * map/unmap/protect inside runs (see vregion/vpage.h for the contract).
 *
 * Every public function is a thin shell: enter (check the pool, lock), call
 * the vp_* internal function, unlock. Internal functions either change
 * nothing and return an error, or complete: the port is called BEFORE any
 * bookkeeping changes, so a port failure leaves no trace.
 *
 * Size: each internal function has one failure exit that logs (`why` names
 * the cause, `a` and `b` the values), instead of a log call per cause; with
 * VR_CONFIG_LOG_LEVEL below the level the variables are dead and vanish.
 */
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

int vr_vpage_pool_init(struct vr_vpage_pool *pool, const struct vr_port *port,
		       const struct vr_vpage_config *cfg)
{
	size_t w, guard = cfg ? cfg->guard_pages : 0, words, bytes;
	vr_bitmap_word_t *m;

	if (!pool || vr_port_check(port))
		return -EINVAL;
	w = port->window_pages;
	bytes = vr_vpage_meta_bytes_for(w);
	if (bytes == 0 || guard >= w) {
		VR_LOG(port, VR_LOG_ERR, "window too large or guard >= window (pages, guard)",
		       w, guard);
		return -EINVAL;
	}
	memset(pool, 0, sizeof(*pool));
	m = port->meta_alloc(port->ctx, bytes);
	if (!m) {
		VR_LOG(port, VR_LOG_ERR, "meta_alloc failed (bytes)", bytes, 0);
		return -ENOMEM;
	}
	if (port->lock_create) {
		pool->lock = port->lock_create(port->ctx);
		if (!pool->lock) {
			port->meta_free(port->ctx, m, bytes);
			VR_LOG(port, VR_LOG_ERR, "lock_create failed", 0, 0);
			return -ENOMEM;
		}
	}
	/* one block, cleared: three bitmaps, then the run headers */
	memset(m, 0, bytes);
	words = VR_BITMAP_WORDS(w);
	pool->used = (struct vr_bitmap){ m, w };
	pool->mapped = (struct vr_bitmap){ m + words, w };
	pool->starts = (struct vr_bitmap){ m + 2 * words, w };
	pool->run = (uint32_t *)(void *)(m + 3 * words);
	pool->port = port;
	pool->meta = m;
	pool->meta_bytes = bytes;
	pool->guard_pages = guard;
	pool->page_shift = vr_log2_pow2(port->page_size);
	pool->free_vpages = w;
	pool->magic = VP_MAGIC;
	VR_LOG(port, VR_LOG_INF, "pool ready (pages, guard)", w, guard);
	return 0;
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

int vr_vpage_pool_deinit(struct vr_vpage_pool *pool)
{
	const struct vr_port *port;
	size_t allocs, reserved;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	port = pool->port;
	allocs = pool->live_allocs;
	reserved = pool->live_reserved;
	if (allocs || reserved) {
		vri_vpage_unlock(pool);
		VR_LOG(port, VR_LOG_ERR, "live runs remain (allocations, reservations)",
		       allocs, reserved);
		return -EBUSY;
	}
	pool->magic = 0;	/* later calls fail fast with -EINVAL */
	vri_vpage_unlock(pool);
	if (pool->lock)
		port->lock_destroy(port->ctx, pool->lock);
	port->meta_free(port->ctx, pool->meta, pool->meta_bytes);
	memset(pool, 0, sizeof(*pool));
	VR_LOG(port, VR_LOG_INF, "pool released", 0, 0);
	return 0;
}

const struct vr_port *vr_vpage_port(const struct vr_vpage_pool *pool)
{
	return pool && pool->magic == VP_MAGIC ? pool->port : NULL;
}

/* ---- address checks ---- */

/*
 * Page index of ptr (either alias): 0 and *idx, or -EINVAL with the reason
 * logged (NULL, outside the window, not page-aligned).
 */
static int vp_index(const struct vr_vpage_pool *pool, const void *ptr, size_t *idx,
		    const char *fn)
{
	const struct vr_port *port = pool->port;
	uintptr_t a = (uintptr_t)ptr, off;
	const char *why;

	if (!ptr) {
		why = "NULL pointer";
		goto bad;
	}
	if (port->to_cached && (!port->is_uncached || port->is_uncached(port->ctx, ptr)))
		a = (uintptr_t)port->to_cached(port->ctx, (void *)(uintptr_t)ptr);
	off = a - port->window_base;
	why = "pointer outside the window";
	if (a < port->window_base || (off >> pool->page_shift) >= port->window_pages)
		goto bad;
	why = "pointer not page-aligned";
	if (off & (port->page_size - 1))
		goto bad;
	*idx = (size_t)(off >> pool->page_shift);
	return 0;
bad:
	VR_LOGF(port, VR_LOG_ERR, fn, why, a, 0);
	return -EINVAL;
}

/* A port callback's result as a negative errno (a positive value is -EIO). */
static inline int port_err(int rc)
{
	return rc < 0 ? rc : -EIO;
}

/* Physical pages this pool may still map (the port may have fewer). */
static size_t vp_phys_left(const struct vr_vpage_pool *pool)
{
	size_t p = pool->port->phys_pages;

	return p > pool->mapped_pages ? p - pool->mapped_pages : 0;
}

/* ---- alloc / reserve ---- */

static void *vp_take(struct vr_vpage_pool *pool, size_t npages, unsigned perms,
		     enum vr_vpage_kind kind, const char *fn)
{
	const struct vr_port *port;
	size_t g, idx;
	uintptr_t a = npages, b;
	int lvl = VR_LOG_ERR;	/* int: a variable enum level trips -Wtype-limits at level -1 */
	const char *why;
	void *addr;
	int rc;

	if (!vri_vpage_enter(pool))
		return NULL;
	port = pool->port;
	g = pool->guard_pages;
	b = g;
	why = "bad permissions (pages, perms)";
	if (!perms || (perms & ~VR_PERM_MASK)) {
		b = perms;
		goto fail;
	}
	why = "page count 0 or above the window (pages, guard)";
	if (npages == 0 || npages > vp_pages(pool) - g)
		goto fail;
	lvl = VR_LOG_WRN;
	why = "no free virtual run (pages, free pages)";
	b = pool->free_vpages;
	idx = vr_bitmap_find_clear_run(&pool->used, 0, npages + g);
	if (idx == SIZE_MAX)
		goto fail;
	addr = vp_addr(pool, idx);
	if (kind == VR_VPAGE_ALLOC) {
		why = "not enough physical pages (pages, left)";
		b = vp_phys_left(pool);
		if (npages > b)
			goto fail;
		rc = port->map(port->ctx, addr, npages, perms);
		if (rc) {
			lvl = VR_LOG_ERR;
			why = "port map failed (pages, -errno)";
			b = (uintptr_t)-port_err(rc);
			goto fail;
		}
		vr_bitmap_set(&pool->mapped, idx, npages);
		pool->mapped_pages += npages;
		pool->live_allocs++;
	} else {
		pool->live_reserved++;
	}
	vr_bitmap_set(&pool->used, idx, npages + g);
	vr_bitmap_set(&pool->starts, idx, 1);
	pool->run[idx] = VP_HDR(npages, kind);
	pool->free_vpages -= npages + g;
	VR_LOGF(port, VR_LOG_DBG, fn, "ok (addr, pages)", addr, npages);
	vri_vpage_unlock(pool);
	return addr;
fail:
	pool->failures++;
	VR_LOGF(port, lvl, fn, why, a, b);
	vri_vpage_unlock(pool);
	return NULL;
}

void *vr_vpage_alloc(struct vr_vpage_pool *pool, size_t npages)
{
	return vp_take(pool, npages, VR_PERM_RW, VR_VPAGE_ALLOC, __func__);
}

void *vr_vpage_alloc_perm(struct vr_vpage_pool *pool, size_t npages, unsigned perms)
{
	return vp_take(pool, npages, perms, VR_VPAGE_ALLOC, __func__);
}

void *vr_vpage_reserve(struct vr_vpage_pool *pool, size_t npages)
{
	/* perms are not used for a reservation; RW passes the check */
	return vp_take(pool, npages, VR_PERM_RW, VR_VPAGE_RESERVED, __func__);
}

/* ---- free ---- */

/*
 * Unmap every mapped piece of [idx, idx + n), one port call per piece,
 * updating the bookkeeping after each success. Returns 0 or the first port
 * error (earlier pieces stay unmapped, later ones mapped).
 */
static int vp_unmap_pieces(struct vr_vpage_pool *pool, size_t idx, size_t n, const char *fn)
{
	const struct vr_port *port = pool->port;
	size_t end = idx + n;

	for (size_t i = vr_bitmap_next_set(&pool->mapped, idx); i < end;
	     i = vr_bitmap_next_set(&pool->mapped, i)) {
		size_t j = vr_bitmap_next_clear(&pool->mapped, i);
		int rc;

		if (j > end)
			j = end;
		rc = port->unmap(port->ctx, vp_addr(pool, i), j - i);
		if (rc) {
			VR_LOGF(port, VR_LOG_ERR, fn, "port unmap failed, run kept (addr, -errno)",
				vp_addr(pool, i), -port_err(rc));
			return port_err(rc);
		}
		vr_bitmap_clear(&pool->mapped, i, j - i);
		pool->mapped_pages -= j - i;
		i = j;
	}
	return 0;
}

static int vp_free(struct vr_vpage_pool *pool, void *ptr, const char *fn)
{
	size_t idx, len, span;
	uint32_t h;
	int rc;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	rc = vp_index(pool, ptr, &idx, fn);
	if (rc)
		goto out;
	h = pool->run[idx];
	if (!h) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, vr_bitmap_test(&pool->used, idx) ?
			"not the start of a run (interior or guard page)" :
			"page not allocated (double free?)", ptr, 0);
		rc = -EINVAL;
		goto out;
	}
	len = VP_HDR_LEN(h);
	span = len + pool->guard_pages;
	VR_ASSERT(vr_bitmap_test(&pool->starts, idx) && vr_bitmap_all_set(&pool->used, idx, span));
	rc = vp_unmap_pieces(pool, idx, len, fn);
	if (rc)
		goto out;
	if (VP_HDR_KIND(h) == VR_VPAGE_ALLOC)
		pool->live_allocs--;
	else
		pool->live_reserved--;
	vr_bitmap_clear(&pool->used, idx, span);
	vr_bitmap_clear(&pool->starts, idx, 1);
	pool->run[idx] = 0;
	pool->free_vpages += span;
	VR_LOGF(pool->port, VR_LOG_DBG, fn, "ok (addr, pages)", ptr, len);
out:
	vri_vpage_unlock(pool);
	return rc;
}

int vr_vpage_free(struct vr_vpage_pool *pool, void *ptr)
{
	return vp_free(pool, ptr, __func__);
}

int vr_vpage_release(struct vr_vpage_pool *pool, void *ptr)
{
	return vp_free(pool, ptr, __func__);
}

size_t vr_vpage_run_pages(struct vr_vpage_pool *pool, const void *ptr)
{
	size_t idx, n = 0;

	if (!vri_vpage_enter(pool))
		return 0;
	if (!vp_index(pool, ptr, &idx, __func__))
		n = VP_HDR_LEN(pool->run[idx]);
	vri_vpage_unlock(pool);
	return n;
}

/* ---- map / unmap / protect inside a run ---- */

enum vp_op { VP_MAP, VP_UNMAP, VP_PROTECT };

/*
 * [addr, +n) must lie inside one live run (of a reservation for map/unmap),
 * every page unmapped (map) or mapped (unmap, protect); then one port call,
 * and only after it succeeded the bookkeeping.
 */
static int vp_range(struct vr_vpage_pool *pool, void *addr, size_t n, unsigned perms,
		    enum vp_op op, const char *fn)
{
	const struct vr_port *port;
	size_t idx, s;
	uint32_t h;
	uintptr_t a = (uintptr_t)addr;
	const char *why;
	int rc;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	port = pool->port;
	rc = -ENOTSUP;
	why = "the port cannot change permissions";
	if (op == VP_PROTECT && !port->protect)
		goto fail;
	rc = vp_index(pool, addr, &idx, fn);
	if (rc)
		goto count;
	rc = -EINVAL;
	addr = vp_addr(pool, idx);		/* the cached alias, for the port */
	a = (uintptr_t)addr;
	why = "0 pages or bad permissions (pages, perms)";
	if (n == 0 || (perms & ~VR_PERM_MASK) || (op == VP_MAP && !perms)) {
		a = n;
		n = perms;
		goto fail;
	}
	/* the run holding idx is the one starting at the last start <= idx */
	why = "range not inside one live run (addr, pages)";
	s = vr_bitmap_prev_set(&pool->starts, idx);
	h = s == SIZE_MAX ? 0 : pool->run[s];
	if (!h || idx - s >= VP_HDR_LEN(h) || n > VP_HDR_LEN(h) - (idx - s))
		goto fail;
	why = "map/unmap only inside a reservation (addr, pages)";
	if (op != VP_PROTECT && VP_HDR_KIND(h) != VR_VPAGE_RESERVED)
		goto fail;
	why = "pages not all unmapped (map) / mapped (addr, pages)";
	if (op == VP_MAP ? !vr_bitmap_all_clear(&pool->mapped, idx, n)
			 : !vr_bitmap_all_set(&pool->mapped, idx, n))
		goto fail;
	if (op == VP_MAP) {
		rc = -ENOMEM;
		why = "not enough physical pages (pages, left)";
		if (n > vp_phys_left(pool)) {
			a = n;
			n = vp_phys_left(pool);
			goto fail;
		}
		rc = port->map(port->ctx, addr, n, perms);
	} else if (op == VP_UNMAP) {
		rc = port->unmap(port->ctx, addr, n);
	} else {
		rc = port->protect(port->ctx, addr, n, perms);
	}
	if (rc) {
		rc = port_err(rc);
		why = "port call failed (addr, -errno)";
		n = (size_t)-rc;
		goto fail;
	}
	if (op == VP_MAP) {
		vr_bitmap_set(&pool->mapped, idx, n);
		pool->mapped_pages += n;
	} else if (op == VP_UNMAP) {
		vr_bitmap_clear(&pool->mapped, idx, n);
		pool->mapped_pages -= n;
	}
	VR_LOGF(port, VR_LOG_DBG, fn, "ok (addr, pages)", a, n);
	vri_vpage_unlock(pool);
	return 0;
fail:
	VR_LOGF(port, rc == -ENOMEM ? VR_LOG_WRN : VR_LOG_ERR, fn, why, a, n);
count:
	if (op == VP_MAP)
		pool->failures++;
	vri_vpage_unlock(pool);
	return rc;
}

int vr_vpage_map(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms)
{
	return vp_range(pool, addr, npages, perms, VP_MAP, __func__);
}

int vr_vpage_unmap(struct vr_vpage_pool *pool, void *addr, size_t npages)
{
	return vp_range(pool, addr, npages, 0, VP_UNMAP, __func__);
}

int vr_vpage_protect(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms)
{
	return vp_range(pool, addr, npages, perms, VP_PROTECT, __func__);
}
