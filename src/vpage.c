/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage.c - the virtual page allocator: init, alloc/reserve, free, and
 * map/unmap/protect inside runs (see vregion/vpage.h for the contract).
 *
 * Every public function is a thin shell: check the arguments that need no
 * lock, lock, call the vp_* internal function, unlock. Internal functions
 * either change nothing and return an error, or complete: the port is called
 * BEFORE any bookkeeping changes, so a port failure leaves no trace.
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
	uint8_t *m;

	if (!pool || vr_port_check(port))
		return -EINVAL;
	w = port->window_pages;
	bytes = vr_vpage_meta_bytes_for(w);
	if (bytes == 0 || guard >= w) {
		VR_LOG(port, VR_LOG_ERR, "window too large or guard_pages >= window pages", w, guard);
		return -EINVAL;
	}
	memset(pool, 0, sizeof(*pool));
	m = port->meta_alloc(port->ctx, bytes);
	if (!m) {
		VR_LOG(port, VR_LOG_ERR, "meta_alloc failed", bytes, 0);
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
	words = VR_BITMAP_WORDS(w);
	vr_bitmap_init(&pool->used, (vr_bitmap_word_t *)(void *)m, w);
	vr_bitmap_init(&pool->mapped, (vr_bitmap_word_t *)(void *)m + words, w);
	vr_bitmap_init(&pool->starts, (vr_bitmap_word_t *)(void *)m + 2 * words, w);
	pool->run = (uint32_t *)(void *)((vr_bitmap_word_t *)(void *)m + 3 * words);
	memset(pool->run, 0, w * sizeof(uint32_t));
	pool->port = port;
	pool->meta = m;
	pool->meta_bytes = bytes;
	pool->guard_pages = guard;
	pool->page_shift = vr_ctz64(port->page_size);
	pool->free_vpages = w;
	pool->magic = VP_MAGIC;
	VR_LOG(port, VR_LOG_INF, "pool ready (pages, guard)", w, guard);
	return 0;
}

int vr_vpage_pool_deinit(struct vr_vpage_pool *pool)
{
	const struct vr_port *port;
	size_t allocs, reserved;

	if (!vp_ok(pool))
		return -EINVAL;
	vp_lock(pool);
	allocs = pool->live_allocs;
	reserved = pool->live_reserved;
	if (allocs || reserved) {
		vp_unlock(pool);
		VR_LOGF(pool->port, VR_LOG_ERR, __func__, "live allocations / reservations remain",
		       allocs, reserved);
		return -EBUSY;
	}
	pool->magic = 0;	/* later calls fail fast with -EINVAL */
	vp_unlock(pool);
	port = pool->port;
	if (pool->lock)
		port->lock_destroy(port->ctx, pool->lock);
	port->meta_free(port->ctx, pool->meta, pool->meta_bytes);
	memset(pool, 0, sizeof(*pool));
	VR_LOG(port, VR_LOG_INF, "pool released", 0, 0);
	return 0;
}

const struct vr_port *vr_vpage_port(const struct vr_vpage_pool *pool)
{
	return vp_ok(pool) ? pool->port : NULL;
}

/* ---- address checks ---- */

/*
 * Page index of ptr (either alias): 0 and *idx, or -EINVAL with the reason
 * logged (NULL, outside the window, not page-aligned). Lock-free: the window
 * and the alias translation never change.
 */
static int vp_index(const struct vr_vpage_pool *pool, const void *ptr, size_t *idx,
		    const char *fn)
{
	const struct vr_port *port = pool->port;
	uintptr_t a, base = port->window_base;

	if (!ptr) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "NULL pointer", 0, 0);
		return -EINVAL;
	}
	if (port->to_cached && (!port->is_uncached || port->is_uncached(port->ctx, ptr)))
		ptr = port->to_cached(port->ctx, (void *)(uintptr_t)ptr);
	a = (uintptr_t)ptr;
	if (a < base || ((a - base) >> pool->page_shift) >= port->window_pages) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "pointer outside the window", a, 0);
		return -EINVAL;
	}
	if (a & (port->page_size - 1)) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "pointer not page-aligned", a, 0);
		return -EINVAL;
	}
	*idx = (size_t)((a - base) >> pool->page_shift);
	return 0;
}

static inline int port_err(int rc)
{
	return rc < 0 ? rc : -EIO;
}

static inline bool perms_ok(unsigned perms, bool zero_ok)
{
	return !(perms & ~VR_PERM_MASK) && (zero_ok || perms);
}

/* ---- alloc / reserve ---- */

/* Physical pages this pool may still map (the port may have fewer). */
static inline size_t vp_phys_left(const struct vr_vpage_pool *pool)
{
	return pool->port->phys_pages > pool->mapped_pages ?
	       pool->port->phys_pages - pool->mapped_pages : 0;
}

static void *vp_take(struct vr_vpage_pool *pool, size_t npages, unsigned perms,
		     enum vr_vpage_kind kind, const char *fn)
{
	const struct vr_port *port = pool->port;
	size_t g = pool->guard_pages, idx;
	void *addr;

	if (npages == 0 || npages > vp_pages(pool) - g) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "page count 0 or larger than the window (pages, guard)",
		       npages, g);
		goto fail;
	}
	idx = vr_bitmap_find_clear_run(&pool->used, 0, npages + g);
	if (idx == SIZE_MAX) {
		VR_LOGF(pool->port, VR_LOG_WRN, fn, "no free virtual run (pages, free pages)",
		       npages, pool->free_vpages);
		goto fail;
	}
	addr = vp_addr(pool, idx);
	if (kind == VR_VPAGE_ALLOC) {
		int rc;

		if (npages > vp_phys_left(pool)) {
			VR_LOGF(pool->port, VR_LOG_WRN, fn, "not enough physical pages (pages, left)",
			       npages, vp_phys_left(pool));
			goto fail;
		}
		rc = port->map(port->ctx, addr, npages, perms);
		if (rc) {
			VR_LOGF(pool->port, VR_LOG_ERR, fn, "port map failed (pages, -errno)",
			       npages, -port_err(rc));
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
	VR_LOGF(pool->port, VR_LOG_DBG, fn, "ok (addr, pages)", addr, npages);
	return addr;
fail:
	pool->failures++;
	return NULL;
}

static void *vp_take_shell(struct vr_vpage_pool *pool, size_t npages, unsigned perms,
			   enum vr_vpage_kind kind, const char *fn)
{
	void *p;

	if (!vp_ok(pool))
		return NULL;
	vp_lock(pool);
	if (!perms_ok(perms, false)) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "bad permissions", perms, 0);
		pool->failures++;
		p = NULL;
	} else {
		p = vp_take(pool, npages, perms, kind, fn);
	}
	vp_unlock(pool);
	return p;
}

void *vr_vpage_alloc(struct vr_vpage_pool *pool, size_t npages)
{
	return vp_take_shell(pool, npages, VR_PERM_RW, VR_VPAGE_ALLOC, __func__);
}

void *vr_vpage_alloc_perm(struct vr_vpage_pool *pool, size_t npages, unsigned perms)
{
	return vp_take_shell(pool, npages, perms, VR_VPAGE_ALLOC, __func__);
}

void *vr_vpage_reserve(struct vr_vpage_pool *pool, size_t npages)
{
	/* perms are not used for a reservation; RW passes the check */
	return vp_take_shell(pool, npages, VR_PERM_RW, VR_VPAGE_RESERVED, __func__);
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
			VR_LOGF(pool->port, VR_LOG_ERR, fn, "port unmap failed, run kept (addr, -errno)",
			       vp_addr(pool, i), -port_err(rc));
			return port_err(rc);
		}
		vr_bitmap_clear(&pool->mapped, i, j - i);
		pool->mapped_pages -= j - i;
		i = j;
	}
	return 0;
}

static int vp_free(struct vr_vpage_pool *pool, size_t idx, const char *fn)
{
	uint32_t h = pool->run[idx];
	size_t len, span;
	int rc;

	if (!h) {
		if (!vr_bitmap_test(&pool->used, idx))
			VR_LOGF(pool->port, VR_LOG_ERR, fn, "page not allocated (double free?)",
			       vp_addr(pool, idx), 0);
		else
			VR_LOGF(pool->port, VR_LOG_ERR, fn, "not the start of a run (interior or guard page)",
			       vp_addr(pool, idx), 0);
		return -EINVAL;
	}
	len = VP_HDR_LEN(h);
	span = len + pool->guard_pages;
	VR_ASSERT(vr_bitmap_test(&pool->starts, idx) && vr_bitmap_all_set(&pool->used, idx, span));
	rc = vp_unmap_pieces(pool, idx, len, fn);
	if (rc)
		return rc;
	if (VP_HDR_KIND(h) == VR_VPAGE_ALLOC)
		pool->live_allocs--;
	else
		pool->live_reserved--;
	vr_bitmap_clear(&pool->used, idx, span);
	vr_bitmap_clear(&pool->starts, idx, 1);
	pool->run[idx] = 0;
	pool->free_vpages += span;
	VR_LOGF(pool->port, VR_LOG_DBG, fn, "ok (addr, pages)", vp_addr(pool, idx), len);
	return 0;
}

static int vp_free_shell(struct vr_vpage_pool *pool, void *ptr, const char *fn)
{
	size_t idx;
	int rc;

	if (!vp_ok(pool))
		return -EINVAL;
	rc = vp_index(pool, ptr, &idx, fn);
	if (rc)
		return rc;
	vp_lock(pool);
	rc = vp_free(pool, idx, fn);
	vp_unlock(pool);
	return rc;
}

int vr_vpage_free(struct vr_vpage_pool *pool, void *ptr)
{
	return vp_free_shell(pool, ptr, __func__);
}

int vr_vpage_release(struct vr_vpage_pool *pool, void *ptr)
{
	return vp_free_shell(pool, ptr, __func__);
}

size_t vr_vpage_run_pages(struct vr_vpage_pool *pool, const void *ptr)
{
	size_t idx, n;

	if (!vp_ok(pool) || vp_index(pool, ptr, &idx, __func__))
		return 0;
	vp_lock(pool);
	n = VP_HDR_LEN(pool->run[idx]);
	vp_unlock(pool);
	return n;
}

/* ---- map / unmap / protect inside a run ---- */

/*
 * The live run holding all of [idx, idx + n): its start in *start and its
 * header as the return value, or 0 (logged) if the range is not inside one.
 */
static uint32_t vp_run_of(struct vr_vpage_pool *pool, size_t idx, size_t n, size_t *start,
			  const char *fn)
{
	size_t s = vr_bitmap_prev_set(&pool->starts, idx);
	uint32_t h = s == SIZE_MAX ? 0 : pool->run[s];

	if (!h || idx - s >= VP_HDR_LEN(h) || n > VP_HDR_LEN(h) - (idx - s)) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "range not inside one live run (addr, pages)",
		       vp_addr(pool, idx), n);
		return 0;
	}
	*start = s;
	return h;
}

enum vp_op { VP_MAP, VP_UNMAP, VP_PROTECT };

static int vp_range_op(struct vr_vpage_pool *pool, size_t idx, size_t n, unsigned perms,
		       enum vp_op op, const char *fn)
{
	const struct vr_port *port = pool->port;
	void *addr = vp_addr(pool, idx);
	size_t start;
	uint32_t h;
	int rc;

	if (n > vp_pages(pool) - idx) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "range runs past the window (addr, pages)",
		       addr, n);
		return -EINVAL;
	}
	h = vp_run_of(pool, idx, n, &start, fn);
	if (!h)
		return -EINVAL;
	if (op != VP_PROTECT && VP_HDR_KIND(h) != VR_VPAGE_RESERVED) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "map/unmap only inside a reservation (addr, run start)",
		       addr, vp_addr(pool, start));
		return -EINVAL;
	}
	if (op == VP_MAP ? !vr_bitmap_all_clear(&pool->mapped, idx, n)
			 : !vr_bitmap_all_set(&pool->mapped, idx, n)) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, op == VP_MAP ? "some pages already mapped (addr, pages)"
							  : "some pages not mapped (addr, pages)",
		       addr, n);
		return -EINVAL;
	}
	switch (op) {
	case VP_MAP:
		if (n > vp_phys_left(pool)) {
			VR_LOGF(pool->port, VR_LOG_WRN, fn, "not enough physical pages (pages, left)",
			       n, vp_phys_left(pool));
			return -ENOMEM;
		}
		rc = port->map(port->ctx, addr, n, perms);
		break;
	case VP_UNMAP:
		rc = port->unmap(port->ctx, addr, n);
		break;
	default:
		rc = port->protect(port->ctx, addr, n, perms);
		break;
	}
	if (rc) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "port call failed (addr, -errno)", addr,
		       -port_err(rc));
		return port_err(rc);
	}
	if (op == VP_MAP) {
		vr_bitmap_set(&pool->mapped, idx, n);
		pool->mapped_pages += n;
	} else if (op == VP_UNMAP) {
		vr_bitmap_clear(&pool->mapped, idx, n);
		pool->mapped_pages -= n;
	}
	VR_LOGF(pool->port, VR_LOG_DBG, fn, "ok (addr, pages)", addr, n);
	return 0;
}

static int vp_range_shell(struct vr_vpage_pool *pool, void *addr, size_t n, unsigned perms,
			  enum vp_op op, const char *fn)
{
	size_t idx;
	int rc;

	if (!vp_ok(pool))
		return -EINVAL;
	if (op == VP_PROTECT && !pool->port->protect) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "the port cannot change permissions", 0, 0);
		return -ENOTSUP;
	}
	rc = vp_index(pool, addr, &idx, fn);
	if (!rc && (n == 0 || (op != VP_UNMAP && !perms_ok(perms, op == VP_PROTECT)))) {
		VR_LOGF(pool->port, VR_LOG_ERR, fn, "0 pages or bad permissions (pages, perms)", n, perms);
		rc = -EINVAL;
	}
	vp_lock(pool);
	if (!rc)
		rc = vp_range_op(pool, idx, n, perms, op, fn);
	if (rc && op == VP_MAP)
		pool->failures++;
	vp_unlock(pool);
	return rc;
}

int vr_vpage_map(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms)
{
	return vp_range_shell(pool, addr, npages, perms, VP_MAP, __func__);
}

int vr_vpage_unmap(struct vr_vpage_pool *pool, void *addr, size_t npages)
{
	return vp_range_shell(pool, addr, npages, 0, VP_UNMAP, __func__);
}

int vr_vpage_protect(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms)
{
	return vp_range_shell(pool, addr, npages, perms, VP_PROTECT, __func__);
}
