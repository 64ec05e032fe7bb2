/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage_map.c - map / unmap / protect a range inside a live run (see
 * vregion/vpage.h). Same shape as vpage.c: enter, retry orphans, worker,
 * trace, unlock, log.
 */
#include "vpage_internal.h"

enum vp_op { VP_MAP, VP_UNMAP, VP_PROTECT };

static const enum vr_trace_op vp_trace_op[] = {
	[VP_MAP] = VR_TRACE_PAGE_MAP,
	[VP_UNMAP] = VR_TRACE_PAGE_UNMAP,
	[VP_PROTECT] = VR_TRACE_PAGE_PROTECT,
};

/*
 * [idx, +n) must lie inside one live run (of a reservation for map/unmap),
 * every page unmapped (map) or mapped (unmap, protect). Returns 0 or
 * -EINVAL (noted). O(d / WB + n / WB), d = idx - the run's start.
 */
static int vp_range_check(const struct vr_vpage_pool *pool, size_t idx, size_t n,
			  enum vp_op op, struct vp_note *note)
{
	uintptr_t a = (uintptr_t)vp_addr(pool, idx);
	/* the run holding idx is the one starting at the last start <= idx */
	size_t s = vr_bitmap_prev_set(&pool->starts, idx);
	uint32_t h = s == SIZE_MAX ? 0 : vp_live_hdr(pool, s);

	if (!h || idx - s >= VP_HDR_LEN(h) || n > VP_HDR_LEN(h) - (idx - s)) {
		vp_note(note, VR_LOG_ERR, "range not inside one live run (addr, pages)", a, n);
		return -EINVAL;
	}
	if (op != VP_PROTECT && VP_HDR_KIND(h) != VR_VPAGE_RESERVED) {
		vp_note(note, VR_LOG_ERR, "map/unmap only inside a reservation (addr, pages)", a, n);
		return -EINVAL;
	}
	if (op == VP_MAP ? !vr_bitmap_all_clear(&pool->mapped, idx, n)
			 : !vr_bitmap_all_set(&pool->mapped, idx, n)) {
		vp_note(note, VR_LOG_ERR, op == VP_MAP ? "pages not all unmapped (addr, pages)" :
			"pages not all mapped (addr, pages)", a, n);
		return -EINVAL;
	}
	return 0;
}

/* The port call of op on [idx, +n), checks passed. */
static int vp_range_port(struct vr_vpage_pool *pool, size_t idx, size_t n, unsigned perms,
			 enum vp_op op, struct vp_note *note)
{
	const struct vr_port *port = pool->port;
	void *addr = vp_addr(pool, idx);	/* the cached alias, for the port */
	int rc;

	if (op == VP_MAP) {
		if (n > vp_phys_left(pool)) {
			vp_note(note, VR_LOG_WRN, "not enough physical pages (pages, left)", n,
				vp_phys_left(pool));
			return -ENOMEM;
		}
		rc = port->map(port->ctx, addr, n, perms);
	} else if (op == VP_UNMAP) {
		rc = port->unmap(port->ctx, addr, n);
	} else {
		rc = port->protect(port->ctx, addr, n, perms);
	}
	if (rc) {
		rc = vp_port_err(rc);
		vp_note(note, rc == -ENOMEM ? VR_LOG_WRN : VR_LOG_ERR,
			"port call failed (addr, errno)", (uintptr_t)addr, (uintptr_t)-rc);
	}
	return rc;
}

static int vp_range_locked(struct vr_vpage_pool *pool, void *addr, size_t n, unsigned perms,
			   enum vp_op op, size_t *page, struct vp_note *note)
{
	size_t idx;
	int rc;

	if (op == VP_PROTECT && !pool->port->protect) {
		vp_note(note, VR_LOG_ERR, "the port cannot change permissions", 0, 0);
		return -ENOTSUP;
	}
	rc = vri_vpage_index(pool, addr, &idx, note);
	if (rc)
		return rc;
	*page = idx;		/* traced even when the range is refused */
	if (n == 0 || (perms & ~VR_PERM_MASK) || (op == VP_MAP && !perms)) {
		vp_note(note, VR_LOG_ERR, "0 pages or bad permissions (pages, perms)", n, perms);
		return -EINVAL;
	}
	rc = vp_range_check(pool, idx, n, op, note);
	if (!rc)
		rc = vp_range_port(pool, idx, n, perms, op, note);
	if (rc)
		return rc;
	if (op == VP_MAP) {
		vr_bitmap_set(&pool->mapped, idx, n);
		pool->mapped_pages += n;
	} else if (op == VP_UNMAP) {
		vr_bitmap_clear(&pool->mapped, idx, n);
		pool->mapped_pages -= n;
	}
	VR_ASSERT(pool->mapped_pages <= pool->port->phys_pages);
	vp_note(note, VR_LOG_DBG, "ok (addr, pages)", (uintptr_t)vp_addr(pool, idx), n);
	return 0;
}

static int vp_range(struct vr_vpage_pool *pool, void *addr, size_t n, unsigned perms,
		    enum vp_op op, const char *fn, bool traced)
{
	struct vp_note note = { 0, NULL, 0, 0 };
	size_t page = SIZE_MAX;
	int rc;

	if (!vri_vpage_enter(pool))
		return -EINVAL;
	vri_vpage_retry_orphans(pool, fn);
	rc = vp_range_locked(pool, addr, n, perms, op, &page, &note);
	if (rc && op == VP_MAP)
		pool->failures++;
	VRI_TRACE_PAGE(pool, traced, vp_trace_op[op], fn, page, n, op == VP_UNMAP ? 0 : perms, rc);
	vri_vpage_unlock(pool);
	vp_log(pool->port, fn, &note);
	return rc;
}

int vr_vpage_map(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms)
{
	return vp_range(pool, addr, npages, perms, VP_MAP, __func__, true);
}

int vr_vpage_unmap(struct vr_vpage_pool *pool, void *addr, size_t npages)
{
	return vp_range(pool, addr, npages, 0, VP_UNMAP, __func__, true);
}

int vr_vpage_protect(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms)
{
	return vp_range(pool, addr, npages, perms, VP_PROTECT, __func__, true);
}

int vri_vpage_map_api(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms,
		      const char *api)
{
	return vp_range(pool, addr, npages, perms, VP_MAP, api ? api : "vr_vpage_map", api != NULL);
}

int vri_vpage_unmap_api(struct vr_vpage_pool *pool, void *addr, size_t npages, const char *api)
{
	return vp_range(pool, addr, npages, 0, VP_UNMAP, api ? api : "vr_vpage_unmap", api != NULL);
}

int vri_vpage_protect_api(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms,
			  const char *api)
{
	return vp_range(pool, addr, npages, perms, VP_PROTECT, api ? api : "vr_vpage_protect",
			api != NULL);
}
