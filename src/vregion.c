/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion.c - a region's lifecycle (create, get, put), its phases
 * (set_interim, interim_reset), allocation and free. Statistics and the
 * validate walk are in vregion_inspect.c. The contract is vregion/vregion.h.
 */
#include <errno.h>
#include <string.h>

#define VR_REGION_NO_INLINE	/* this file defines the exported vr_region_alloc */
#include "vregion_internal.h"
#include "vpage_api.h"

/* ---- logging ------------------------------------------------------------ */

#if VR_CONFIG_LOG_LEVEL >= 0
bool vri_region_dead(const struct vr_region *vr, const char *func)
{
	/* A released control block keeps DEAD and its port until the port
	 * reuses the memory; that is the only case we can still report. */
	if (vr && vr->magic == VR_REGION_DEAD)
		VR_LOGF(vr->port, VR_LOG_ERR, func, "dead region (used after its last put)", vr, 0);
	return true;
}
#endif

/* ---- create / get / put --------------------------------------------------- */

struct vr_region *vr_region_create(struct vr_vpage_pool *pool, const struct vr_region_config *cfg)
{
	const struct vr_port *port = pool ? vr_vpage_port(pool) : NULL;
	struct vr_port_lock *lock = NULL;
	struct vr_region *vr;
	size_t page, pages, line, min_align, granules, meta_bytes, heap_off, map_off;
	unsigned flags, pshift, ashift;
	bool own_guard;
	void *base;

	if (!port)
		return NULL;
	if (!cfg) {
		VR_LOG(port, VR_LOG_ERR, "NULL config", 0, 0);
		return NULL;
	}
	page = port->page_size;
	pshift = vr_log2_pow2(page);
	flags = cfg->flags;
	if (cfg->size == 0 || cfg->size > SIZE_MAX - (page - 1) ||
	    (pages = (cfg->size + page - 1) >> pshift) > port->window_pages) {
		VR_LOG(port, VR_LOG_ERR, "bad size", cfg->size, 0);
		return NULL;
	}
	if (flags & ~VR_REGION_FLAGS_MASK) {
		VR_LOG(port, VR_LOG_ERR, "unknown flags", flags, 0);
		return NULL;
	}
	/* Refused here rather than at set_interim, where it would fail only
	 * when there is something to seal. */
	if ((flags & VR_REGION_SEAL) && !port->protect) {
		VR_LOG(port, VR_LOG_ERR, "VR_REGION_SEAL needs a port with protect", flags, 0);
		return NULL;
	}
	line = port->cache_line ? port->cache_line : 1;
	min_align = cfg->min_align ? cfg->min_align : (line > 16 ? line : 16);
	if (line > page || !vr_is_pow2(min_align) || min_align < 8 || min_align > page) {
		VR_LOG(port, VR_LOG_ERR, "bad alignment (min_align, cache line)", min_align, line);
		return NULL;
	}
	ashift = vr_log2_pow2(min_align);

	/* One metadata block: control block | heap control | start map. */
	granules = pages << (pshift - ashift);
	heap_off = vr_round_up(sizeof(*vr), 16);
	map_off = heap_off + vr_round_up(vr_heap_control_bytes(), 16);
	meta_bytes = map_off + granules;	/* start map: one byte per granule */
	vr = port->meta_alloc(port->ctx, meta_bytes);
	if (!vr) {
		VR_LOG(port, VR_LOG_WRN, "no metadata", meta_bytes, 0);
		return NULL;
	}
	memset(vr, 0, meta_bytes);

	base = NULL;
	if (!(flags & VR_REGION_NOLOCK) && port->lock_create) {
		lock = port->lock_create(port->ctx);
		if (!lock) {
			VR_LOG(port, VR_LOG_WRN, "no lock", 0, 0);
			goto fail;
		}
	}

	/* VR_REGION_GUARD without pool guards: reserve one page more than we
	 * map, so the page after the region stays unmapped (no physical page
	 * is spent on it). */
	own_guard = (flags & VR_REGION_GUARD) && pool->guard_pages == 0;
	if (own_guard) {
		base = vr_vpage_reserve(pool, pages + 1);
		if (base && vr_vpage_map(pool, base, pages, VR_PERM_RW) != 0) {
			vr_vpage_release(pool, base);
			base = NULL;
		}
	} else {
		base = vr_vpage_alloc(pool, pages);
	}
	if (!base) {
		VR_LOG(port, VR_LOG_WRN, "no pages", pages, 0);
		goto fail;
	}

	vr->fast.base = (uintptr_t)base;
	vr->fast.ptr = (uintptr_t)base;
	vr->fast.mask = min_align - 1;
	vr->fast.shift = ashift;
	vr->starts = (bool *)(void *)((uint8_t *)vr + map_off);
	vr->fast.map_bias = (uintptr_t)vr->starts - (vr->fast.base >> ashift);
	vr->start_bytes = granules;
	vr->pool = pool;
	vr->port = port;
	vr->lock = lock;
	vr->flags = flags;
	vr->own_guard = own_guard;
	vr->size = pages << pshift;
	vr->pages = pages;
	vr->end = vr->fast.base + vr->size;
	vr->lifetime_end = vr->end;
	vr->line = line;
	vr->min_align = min_align;
	vr->refcount = 1;
	/* phase: VR_REGION_LIFETIME (0, from the memset) */
	vr->heap = (struct vr_heap *)(void *)((char *)vr + heap_off);
	vr->meta_bytes = meta_bytes;
	vr->name = cfg->name;
	vr_region_fast_sync(vr);
	vr->magic = VR_REGION_MAGIC;
	VR_LOG(port, VR_LOG_INF, "created (base, size)", base, vr->size);
	return vr;

fail:
	if (lock)
		port->lock_destroy(port->ctx, lock);
	port->meta_free(port->ctx, vr, meta_bytes);
	return NULL;
}

struct vr_region *vr_region_get(struct vr_region *vr)
{
	struct vr_region *ret = vr;

	if (VR_REGION_BAD(vr, __func__))
		return NULL;
	vr_region_lock(vr);
	if (vr->refcount == SIZE_MAX) {
		vr->errors++;
		ret = NULL;
	} else {
		vr->refcount++;
	}
	vr_region_unlock(vr);
	if (!ret)
		VR_LOG(vr->port, VR_LOG_ERR, "reference count overflow", vr, 0);
	return ret;
}

/* Last reference gone: pages back to the pool (or, if the port cannot
 * unmap them now, kept by the pool as an orphan it retries: vpage.h),
 * lock and metadata freed. */
static void region_release(struct vr_region *vr)
{
	const struct vr_port *port = vr->port;
	void *base = (void *)vr->fast.base;
	int rc;

	if (vr->phase == VR_REGION_INTERIM)
		vr_heap_fini(vr->heap);	/* VR_CONFIG_TRACK: the heap's poison goes */
	rc = vri_vpage_free_or_orphan(vr->pool, base, NULL);
	if (rc)
		VR_LOGF(port, VR_LOG_ERR, "vr_region_put",
			"unmap failed, the pool keeps the pages and retries (base, errno)",
			(uintptr_t)base, (uintptr_t)-rc);
	if (vr->lock)
		port->lock_destroy(port->ctx, vr->lock);
	/* Clear everything (no stale bump pointer, no fast path), keep only
	 * what vri_region_dead needs to report a later stale call. */
	{
		size_t bytes = vr->meta_bytes;

		memset(vr, 0, bytes);
		vr->magic = VR_REGION_DEAD;
		vr->port = port;
		port->meta_free(port->ctx, vr, bytes);
	}
}

struct vr_region *vr_region_put_report(struct vr_region *vr, size_t *outstanding)
{
	size_t live;
	bool last;

	if (outstanding)
		*outstanding = 0;
	if (VR_REGION_BAD(vr, __func__))
		return NULL;
	vr_region_lock(vr);
	VR_ASSERT(vr->refcount >= 1);
	last = --vr->refcount == 0;
	live = last ? vri_region_outstanding(vr) : 0;
	if (last) {
		/* From here on every call sees a dead region. */
		vr->magic = VR_REGION_DEAD;
		if (vr->fast.fast_end)
			vr->fast.fast_end = 0;
	}
	vr_region_unlock(vr);
	if (!last)
		return vr;

	if (live)
		VR_LOG(vr->port, VR_LOG_WRN, "released with live allocations (region, count)", vr, live);
	else
		VR_LOG(vr->port, VR_LOG_INF, "released (base, size)", vr->fast.base, vr->size);
	if (outstanding)
		*outstanding = live;
	region_release(vr);
	return NULL;
}

struct vr_region *vr_region_put(struct vr_region *vr)
{
	return vr_region_put_report(vr, NULL);
}

/* ---- phases ---------------------------------------------------------------- */

int vr_region_set_interim(struct vr_region *vr)
{
	uintptr_t ib;
	size_t step, isz, sealed_pages = 0;
	int rc = 0;

	if (VR_REGION_BAD(vr, __func__))
		return -EINVAL;
	vr_region_lock(vr);
	if (vr->phase == VR_REGION_INTERIM) {
		VR_LOG(vr->port, VR_LOG_WRN, "already interim (harmless)", vr, 0);
		goto out;
	}

	/* LIFETIME, or INVALID being re-evaluated (its bump pointer has not
	 * moved, so the answer is the same). */
	step = (vr->flags & VR_REGION_SEAL) ? vr->port->page_size
		: (vr->line > vr->min_align ? vr->line : vr->min_align);
	ib = vr_align_up(vr->fast.ptr, step);	/* <= end: end is page aligned */
	isz = (size_t)(vr->end - ib);
	if (vr->fast.fast_end)
		vr->fast.fast_end = 0;		/* no more inline lifetime allocs */
	/* INVALID iff the heap could not grant even one min_align-sized block
	 * (upstream: an empirical 1024 bytes; ours is exact, from heap.h). */
	if (vr_heap_fresh_max_granule((void *)ib, isz, vr->min_align, vr->min_align) < vr->min_align) {
		vr->phase = VR_REGION_INVALID;
		VR_LOG(vr->port, VR_LOG_WRN, "no room for an interim heap: INVALID (left, min_align)",
		    isz, vr->min_align);
		rc = -ENOSPC;
		goto out;
	}
	if ((vr->flags & VR_REGION_SEAL) && ib > vr->fast.base) {
		sealed_pages = (size_t)(ib - vr->fast.base) >> vr_log2_pow2(vr->port->page_size);
		rc = vr_vpage_protect(vr->pool, (void *)vr->fast.base, sealed_pages, VR_PERM_R);
		if (rc) {
			VR_LOG(vr->port, VR_LOG_ERR, "seal failed, still LIFETIME (errno)", -rc, 0);
			vr_region_fast_sync(vr);
			goto out;
		}
	}
	/* Cannot fail (heap.h: only for a NULL heap or buffer, a bad granule or
	 * no room for a block, all excluded by the fresh_max check above): an
	 * invariant, not a check. The granule is min_align: every interim block
	 * is aligned to it without the heap's aligned path. */
	rc = vr_heap_init_granule(vr->heap, (void *)ib, isz, vr->min_align);
	VR_ASSERT(rc == 0);
	vr->sealed = sealed_pages != 0;
	vr->lifetime_end = ib;
	vr->phase = VR_REGION_INTERIM;
	vr_region_fast_sync(vr);
	VR_LOG(vr->port, VR_LOG_INF, "interim (heap base, bytes)", ib, isz);
	if (isz / vr->min_align > VR_HEAP_MAX_GRANULES)
		VR_LOG(vr->port, VR_LOG_WRN, "interim part over the heap limit (bytes, unused)",
		       isz, isz - (size_t)VR_HEAP_MAX_GRANULES * vr->min_align);
out:
	vr_region_unlock(vr);
	return rc;
}

int vr_region_interim_reset(struct vr_region *vr)
{
	int rc = 0;

	if (VR_REGION_BAD(vr, __func__))
		return -EINVAL;
	vr_region_lock(vr);
	if (vr->phase != VR_REGION_INTERIM) {
		vr->errors++;
		rc = -EINVAL;
	} else {
		vr_heap_reset(vr->heap);
	}
	vr_region_unlock(vr);
	if (rc)
		VR_LOG(vr->port, VR_LOG_ERR, "reset outside INTERIM (phase)", vr->phase, 0);
	return rc;
}

/* ---- allocation ------------------------------------------------------------ */

/* Lifetime bump with effective alignment a (power of two >= min_align). */
static void *lifetime_alloc(struct vr_region *vr, size_t size, size_t a)
{
	uintptr_t ptr = vr->fast.ptr, end = vr->lifetime_end, p;
	size_t round, need, g;

	if (a - 1 > UINTPTR_MAX - ptr)
		return NULL;
	p = vr_align_up(ptr, a);
	/* Bounds BEFORE rounding (upstream bug 4.10: rounding first wrapped). */
	if (p > end || size > (size_t)(end - p))
		return NULL;
	/* As upstream: a cache-line-aligned allocation is padded to the line,
	 * every other one to min_align (p is aligned to both; end is page
	 * aligned, so the rounded size still fits). */
	round = a == vr->line ? a : vr->min_align;
	need = (size + round - 1) & ~(round - 1);
	VR_ASSERT(need <= (size_t)(end - p));
	g = (size_t)(p - vr->fast.base) >> vr->fast.shift;
	vr_starts_set(vr, g);
	vr->fast.ptr = p + need;
	return (void *)p;
}

/*
 * Allocate in the current phase; lock held. align is 0 or the caller's
 * value (validated here). Counts every failure.
 */
static void *alloc_locked(struct vr_region *vr, size_t size, size_t align, bool coherent,
			  const char *func)
{
	void *p = NULL;

	if (size == 0 || (align && !vr_is_pow2(align))) {
		VR_LOGF(vr->port, VR_LOG_ERR, func, "bad size or alignment", size, align);
		goto fail;
	}
	if (coherent) {
		if (size > SIZE_MAX - (vr->line - 1))
			goto fail;
		size = (size + vr->line - 1) & ~(vr->line - 1);
		if (align < vr->line)
			align = vr->line;
	}
	if (align < vr->min_align)
		align = vr->min_align;

	switch (vr->phase) {
	case VR_REGION_LIFETIME:
		p = lifetime_alloc(vr, size, align);
		break;
	case VR_REGION_INTERIM:
		p = vr_heap_aligned_alloc(vr->heap, align, size);
		break;
	default:
		VR_LOGF(vr->port, VR_LOG_ERR, func, "region INVALID",
			       size, align);
		goto fail;
	}
	if (p)
		return p;
	VR_LOGF(vr->port, VR_LOG_WRN, func, vr->phase == VR_REGION_LIFETIME ?
		VR_REGION_MSG_("lifetime part full (size, align)") :
		VR_REGION_MSG_("interim heap full (size, align)"),
		       size, align);
fail:
	vr->failures++;
	return NULL;
}

/* Every public allocation after the inline path: check, lock, allocate. */
static void *alloc_entry(struct vr_region *vr, size_t size, size_t align, bool coherent,
			 const char *func)
{
	void *p;

	if (VR_REGION_BAD(vr, func))
		return NULL;
	vr_region_lock(vr);
	p = alloc_locked(vr, size, align, coherent, func);
	vr_region_unlock(vr);
	return p;
}

void *vr_region_alloc_slow_(struct vr_region *vr, size_t size, size_t align)
{
	return alloc_entry(vr, size, align, false, VR_REGION_MSG_("vr_region_alloc"));
}

void *vr_region_alloc(struct vr_region *vr, size_t size)
{
	return vr_region_alloc_inline_(vr, size);
}

void *vr_region_alloc_align(struct vr_region *vr, size_t size, size_t align)
{
	return alloc_entry(vr, size, align, false, VR_REGION_MSG_(__func__));
}

void *vr_region_alloc_coherent_align(struct vr_region *vr, size_t size, size_t align)
{
	void *p = alloc_entry(vr, size, align, true, VR_REGION_MSG_(__func__));
	const struct vr_port *port;

	if (!p)
		return NULL;
	port = vr->port;
	/* Drop any cached lines of the block so that no later eviction
	 * overwrites what is written through the uncached alias. The block is
	 * line aligned and its size is a multiple of the line. */
	if (port->cache_invalidate)
		port->cache_invalidate(port->ctx, p, (size + vr->line - 1) & ~(vr->line - 1));
	return port->to_uncached ? port->to_uncached(port->ctx, p) : p;
}

void *vr_region_alloc_coherent(struct vr_region *vr, size_t size)
{
	return vr_region_alloc_coherent_align(vr, size, 0);
}

/* ---- free ------------------------------------------------------------------ */

/* Either alias -> cached alias. A pointer inside the region's cached range
 * needs no port call (the common case). */
static uintptr_t to_cached(const struct vr_region *vr, const void *ptr)
{
	const struct vr_port *port = vr->port;
	uintptr_t a = (uintptr_t)ptr;

	if (a >= vr->fast.base && a < vr->end)
		return a;
	if (port->is_uncached && port->to_cached && port->is_uncached(port->ctx, ptr))
		return (uintptr_t)port->to_cached(port->ctx, (void *)a);
	return a;
}

int vr_region_free(struct vr_region *vr, void *ptr)
{
	const char *why = NULL;
	uintptr_t a;
	int rc = 0;

	if (VR_REGION_BAD(vr, __func__))
		return -EINVAL;
	vr_region_lock(vr);
	a = ptr ? to_cached(vr, ptr) : 0;
	if (!ptr) {
		why = VR_REGION_MSG_("NULL pointer");
		rc = -EINVAL;
	} else if (a < vr->fast.base || a >= vr->end) {
		why = VR_REGION_MSG_("pointer not in this region");
		rc = -EINVAL;
	} else if (a >= vr->lifetime_end) {
		/* Only reachable in INTERIM. Every block is min_align aligned,
		 * so a misaligned pointer is refused here; the heap checks the
		 * rest (an aligned interior pointer usually reads as a corrupted
		 * header: -EFAULT). */
		if (a & vr->fast.mask)
			rc = -EINVAL;
		else
			rc = vr_heap_free(vr->heap, (void *)a);
		if (rc)
			why = rc == -EFAULT ?
				VR_REGION_MSG_("bad interim block header (interior pointer or corruption?)") :
				VR_REGION_MSG_("not a live interim block (misaligned or double free?)");
	} else {
		size_t off = (size_t)(a - vr->fast.base);
		size_t g = off >> vr->fast.shift;

		if ((off & vr->fast.mask) || !vr_starts_test(vr, g)) {
			why = VR_REGION_MSG_("not a live lifetime block (interior pointer or double free?)");
			rc = -EINVAL;
		} else {
			vr_starts_clear(vr, g);
			vr->lifetime_frees++;	/* counted, the space is not reused */
		}
	}
	if (rc)
		vr->errors++;
	vr_region_unlock(vr);
	if (rc)
		VR_LOG(vr->port, VR_LOG_ERR, why, ptr, 0);
	return rc;
}

/* ---- small queries --------------------------------------------------------- */

bool vr_region_contains(struct vr_region *vr, const void *ptr)
{
	uintptr_t a;

	if (!vr_region_live(vr) || !ptr)
		return false;
	a = to_cached(vr, ptr);
	return a >= vr->fast.base && a < vr->end;
}

int vr_region_mem_info(struct vr_region *vr, size_t *size, uintptr_t *start)
{
	if (VR_REGION_BAD(vr, __func__))
		return -EINVAL;
	if (size)
		*size = vr->size;
	if (start)
		*start = vr->fast.base;
	return 0;
}

enum vr_region_phase vr_region_phase(struct vr_region *vr)
{
	enum vr_region_phase ph;

	if (!vr_region_live(vr))
		return VR_REGION_INVALID;
	vr_region_lock(vr);
	ph = vr->phase;
	vr_region_unlock(vr);
	return ph;
}

struct vr_vpage_pool *vr_region_pool(struct vr_region *vr)
{
	return vr_region_live(vr) ? vr->pool : NULL;
}
