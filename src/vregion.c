/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion.c - a region's lifecycle (create, get, put, release), its phases
 * (set_interim, interim_reset), the metadata sizing query and the small
 * queries. Allocation and free are in vregion_alloc.c, statistics and the
 * validate walk in vregion_inspect.c. The contract is vregion/vregion.h.
 *
 * Every public function has one shape: check the arguments, lock, call a
 * *_locked worker, trace (the port's hook, lock held), unlock, log.
 */
#include <errno.h>
#include <string.h>

#include "vregion_internal.h"

/* ---- logging, tracing, annotations ------------------------------------------ */

#if VR_CONFIG_LOG_LEVEL >= 0
bool vri_region_dead(const struct vr_region *vr, const char *func)
{
	/* A released control block keeps DEAD and its port until the port
	 * reuses the memory; that is the only case we can still report. */
	if (vr && vr->magic == VR_REGION_DEAD)
		VR_LOGF(vr->port, VR_LOG_ERR, func, "dead region, used after its last put (vr)", vr, 0);
	return true;
}
#endif

void vri_region_enter_frozen(struct vr_region *vr, uintptr_t key)
{
	const struct vr_port *port = vr->port;

	port->spin_unlock(port->ctx, vr->spin, key);
	port->lock(port->ctx, vr->lock);	/* the long section is over */
	key = port->spin_lock(port->ctx, vr->spin);
	VR_ASSERT(!vr->frozen && !vr->held_both);
	vr->held_key = key;
	vr->held_both = true;
}

/* get and put (the reference count after the call), interim reset: the
 * result. */
static VR_COLD void trace_simple(const struct vr_region *vr, enum vr_trace_op op, const char *api,
				 int result)
{
	VRI_TRACE(vr->port, VR_REGION_EV(vr, op, api), .result = result,
		  .refs = op == VR_TRACE_INTERIM_RESET ? 0 : vr->refcount);
}

#if VR_CONFIG_TRACK
void vri_region_track(const struct vr_region *vr, uintptr_t p, size_t n, int kind)
{
	const struct vr_port *port = vr->port;
	uintptr_t alias[2];
	unsigned i = (kind & VR_TRACK_ALIAS_ONLY) ? 1u : 0u, count = 1;

	kind &= ~VR_TRACK_ALIAS_ONLY;
	alias[0] = p;
	if (port->to_uncached) {
		alias[1] = (uintptr_t)port->to_uncached(port->ctx, (void *)p);
		count += alias[1] != p;
	}
	for (; i < count; i++) {
		if (kind == VR_TRACK_NOACCESS)
			vr_track_noaccess(alias[i], n);
		else if (kind == VR_TRACK_UNDEFINED)
			vr_track_undefined(alias[i], n);
		else
			vr_track_defined(alias[i], n);
	}
}
#endif

/* ---- metadata layout and the sizing query --------------------------------- */

/* One metadata block: control block | heap control block | start map. */
struct region_geom {
	size_t page, pages, line, min_align;
	unsigned pshift, ashift;
	size_t heap_off, map_off, granules, meta_bytes;
};

/* Fill the layout of g (page, pages, min_align set). false iff it
 * overflows size_t. */
static bool region_layout(struct region_geom *g)
{
	g->pshift = vr_log2_pow2(g->page);
	g->ashift = vr_log2_pow2(g->min_align);
	VR_ASSERT(g->ashift <= g->pshift);
	if (g->pages > (SIZE_MAX >> g->pshift))
		return false;
	g->granules = g->pages << (g->pshift - g->ashift);
	g->heap_off = vr_round_up(sizeof(struct vr_region), 16);
	g->map_off = g->heap_off + vr_round_up(vr_heap_control_bytes(), 16);
	if (g->granules > SIZE_MAX - g->map_off)
		return false;
	g->meta_bytes = g->map_off + g->granules;	/* one byte per granule */
	VR_ASSERT(g->granules >= g->pages && (g->map_off & 15) == 0);
	return true;
}

size_t vr_region_meta_bytes(size_t size, size_t min_align, size_t page_size)
{
	struct region_geom g;

	if (!vr_is_pow2(page_size) || page_size < 64 || !vr_is_pow2(min_align) ||
	    min_align < 8 || min_align > page_size || size == 0 ||
	    size > SIZE_MAX - (page_size - 1))
		return 0;
	memset(&g, 0, sizeof(g));
	g.page = page_size;
	g.min_align = min_align;
	g.pages = (size + page_size - 1) / page_size;
	return region_layout(&g) ? g.meta_bytes : 0;
}

/* ---- create ------------------------------------------------------------------ */

/* The configuration, checked against the port: NULL, or why it is refused
 * (the values the message names in v[0], v[1]). */
static const char *create_check(const struct vr_port *port, const struct vr_region_config *cfg,
				struct region_geom *g, uintptr_t v[2])
{
	memset(g, 0, sizeof(*g));
	g->page = port->page_size;
	v[0] = cfg->size;
	v[1] = port->window_pages;
	if (cfg->size == 0 || cfg->size > SIZE_MAX - (g->page - 1) ||
	    (g->pages = (cfg->size + g->page - 1) / g->page) > port->window_pages)
		return VR_REGION_MSG_("bad size (size, window_pages)");
	v[0] = cfg->flags;
	v[1] = 0;
	if (cfg->flags & ~VR_REGION_FLAGS_MASK)
		return VR_REGION_MSG_("unknown flags (flags)");
	/* Refused here rather than at set_interim, where it would fail only
	 * when there is something to seal. */
	if ((cfg->flags & VR_REGION_SEAL) && !port->protect)
		return VR_REGION_MSG_("VR_REGION_SEAL needs a port with protect (flags)");
	g->line = port->cache_line ? port->cache_line : 1;
	g->min_align = cfg->min_align ? cfg->min_align : (g->line > 16 ? g->line : 16);
	v[0] = g->min_align;
	v[1] = port->cache_line;
	if (g->line > g->page || !vr_is_pow2(g->min_align) || g->min_align < 8 ||
	    g->min_align > g->page)
		return VR_REGION_MSG_("bad alignment (min_align, cache_line)");
	v[0] = cfg->size;
	if (!region_layout(g))
		return VR_REGION_MSG_("bad size (size)");
	VR_ASSERT(g->pages >= 1 && vr_is_pow2(g->min_align) && g->min_align <= g->page);
	return NULL;
}

/* The region's pages. VR_REGION_GUARD without pool guards: reserve one page
 * more than we map, so the page after the region stays unmapped (no
 * physical page is spent on it). NULL iff the pool could not. The page
 * calls are not traced (api NULL, vpage_api.h): the region events say it. */
static void *create_pages(struct vr_vpage_pool *pool, size_t pages, unsigned flags,
			  bool *own_guard)
{
	void *base;

	*own_guard = (flags & VR_REGION_GUARD) && pool->guard_pages == 0;
	if (!*own_guard)
		return vri_vpage_alloc_api(pool, pages, VR_PERM_RW, NULL);
	base = vri_vpage_reserve_api(pool, pages + 1, NULL);
	if (base && vri_vpage_map_api(pool, base, pages, VR_PERM_RW, NULL) != 0) {
		vri_vpage_free_api(pool, base, NULL);
		base = NULL;
	}
	return base;
}

/* The control block of a new region over [base, base + pages). */
static void region_init(struct vr_region *vr, struct vr_vpage_pool *pool,
			const struct vr_region_config *cfg, const struct region_geom *g,
			struct vr_port_lock *lock, void *base)
{
	const struct vr_port *port = vr_vpage_port(pool);

	vr->pool = pool;
	vr->lock = lock;
	vr->heap = (struct vr_heap *)(void *)((char *)vr + g->heap_off);
	vr->name = cfg->name;
	vr->fast.base = (uintptr_t)base;
	vr->size = g->pages << g->pshift;
	vr->fast.end = vr->fast.base + vr->size;
	vr->fast.mask = g->min_align - 1;
	vr->fast.shift = g->ashift;
	vr->starts = (bool *)(void *)((uint8_t *)vr + g->map_off);
	vr->fast.map_bias = (uintptr_t)vr->starts - (vr->fast.base >> g->ashift);
	vr->fast.atomic = lock != NULL;
	vr->port = port;
	vr->flags = cfg->flags;
	vr->pages = g->pages;
	vr->lifetime_end = vr->fast.end;
	vr->line = g->line;
	vr->min_align = g->min_align;
	vr->refcount = 1;
	vr->start_bytes = g->granules;
	vr->meta_bytes = g->meta_bytes;
	/* phase: VR_REGION_LIFETIME (0, from the memset). The inline path
	 * bumps a NOLOCK region, and a locked one by compare-and-swap where
	 * the CPU has it; tracing and sanitizer annotations need every
	 * allocation in the library. */
	vr->may_open = (!lock || VR_CONFIG_LOCKFREE) && !VR_CONFIG_TRACK && !VR_REGION_TRACED(vr);
	vr->bump = vr->fast.base;
	vr->closed = true;
	vr->fast.ptr = vr->fast.end;
	vr_bump_open(vr);
	vr->id = vri_vpage_new_region_id(pool);	/* from 1, never reused */
	VR_ASSERT(!(vr->fast.base & (g->page - 1)));
	VR_ASSERT(vr->fast.ptr == (vr->closed ? vr->fast.end : vr->fast.base));
	VR_ASSERT(vr->fast.map_bias + (vr->fast.base >> g->ashift) == (uintptr_t)vr->starts);
	/* nothing of the region is allocated yet */
	VR_REGION_TRACK(vr, base, vr->size, VR_TRACK_NOACCESS);
	vr->magic = VR_REGION_MAGIC;
}

/* The region's locks (none for NOLOCK or a port without locks): false
 * (nothing left) if the port has no memory for them. */
static bool create_locks(const struct vr_port *port, unsigned flags, struct vr_port_lock **lock,
			 struct vr_port_lock **spin)
{
	*lock = *spin = NULL;
	if ((flags & VR_REGION_NOLOCK) || !port->lock_create)
		return true;
	*lock = port->lock_create(port->ctx);
	if (*lock && port->spin_create && !(*spin = port->spin_create(port->ctx))) {
		port->lock_destroy(port->ctx, *lock);
		*lock = NULL;
	}
	return *lock != NULL;
}

/* Metadata, locks and pages; NULL (everything undone) if one is missing. */
static struct vr_region *create_region(struct vr_vpage_pool *pool,
				       const struct vr_region_config *cfg,
				       const struct region_geom *g, const char *api)
{
	const struct vr_port *port = vr_vpage_port(pool);
	struct vr_port_lock *lock, *spin;
	struct vr_region *vr;
	bool own_guard;
	void *base;

	vr = port->meta_alloc(port->ctx, g->meta_bytes);
	if (!vr) {
		VR_LOGF(port, VR_LOG_WRN, api, "no metadata (bytes)", g->meta_bytes, 0);
		return NULL;
	}
	memset(vr, 0, g->meta_bytes);
	if (!create_locks(port, cfg->flags, &lock, &spin)) {
		VR_LOGF(port, VR_LOG_WRN, api, "no lock", 0, 0);
		port->meta_free(port->ctx, vr, g->meta_bytes);
		return NULL;
	}
	base = create_pages(pool, g->pages, cfg->flags, &own_guard);
	if (!base) {
		VR_LOGF(port, VR_LOG_WRN, api, "no pages (pages)", g->pages, 0);
		if (spin)
			port->spin_destroy(port->ctx, spin);
		if (lock)
			port->lock_destroy(port->ctx, lock);
		port->meta_free(port->ctx, vr, g->meta_bytes);
		return NULL;
	}
	vr->spin = spin;
	region_init(vr, pool, cfg, g, lock, base);
	vr->own_guard = own_guard;
	return vr;
}

static VR_COLD void trace_create(struct vr_vpage_pool *pool, const struct vr_region_config *cfg,
				 const struct vr_region *vr, const char *api, int result)
{
	const struct vr_port *port = vr_vpage_port(pool);

	VRI_TRACE(port, .op = VR_TRACE_REGION_CREATE, .api = api, .pool = vri_vpage_trace_id(pool),
		  .result = result, .size = cfg->size, .align = cfg->min_align, .flags = cfg->flags,
		  .name = cfg->name,
		  .region = vr ? vr->id : 0, .npages = vr ? vr->pages : 0,
		  .page = vr ? (size_t)(vr->fast.base - port->window_base) / port->page_size : 0);
}

struct vr_region *vri_region_create_api(struct vr_vpage_pool *pool,
					const struct vr_region_config *cfg, const char *api)
{
	const struct vr_port *port = pool ? vr_vpage_port(pool) : NULL;
	struct vr_region *vr = NULL;
	struct region_geom g;
	uintptr_t v[2];
	const char *why;

	if (!port)
		return NULL;
	if (!cfg) {
		VR_LOGF(port, VR_LOG_ERR, api, "NULL config", 0, 0);
		return NULL;
	}
	why = create_check(port, cfg, &g, v);
	if (why)
		VR_LOGF(port, VR_LOG_ERR, api, why, v[0], v[1]);
	else
		vr = create_region(pool, cfg, &g, api);
	if (VR_UNLIKELY(VRI_TRACING(port)))
		trace_create(pool, cfg, vr, api, vr ? 0 : why ? -EINVAL : -ENOMEM);
	if (vr)
		VR_LOGF(port, VR_LOG_INF, api, "created (base, size)", vr->fast.base, vr->size);
	return vr;
}

struct vr_region *vr_region_create(struct vr_vpage_pool *pool, const struct vr_region_config *cfg)
{
	return vri_region_create_api(pool, cfg, VR_REGION_MSG_(__func__));
}

/* ---- get / put / release ---------------------------------------------------- */

struct vr_region *vri_region_get_api(struct vr_region *vr, const char *api)
{
	int rc = 0;


	if (VR_REGION_BAD(vr, api))
		return NULL;
	vr_region_enter(vr);
	if (vr->refcount == SIZE_MAX) {
		vr->errors++;
		rc = -EOVERFLOW;
	} else {
		vr->refcount++;
	}
	if (VR_REGION_TRACED(vr))
		trace_simple(vr, VR_TRACE_REGION_GET, api, rc);
	vr_region_leave(vr);
	if (rc)
		VR_LOGF(vr->port, VR_LOG_ERR, api, "reference count overflow (vr)", vr, 0);
	return rc ? NULL : vr;
}

struct vr_region *vr_region_get(struct vr_region *vr)
{
	return vri_region_get_api(vr, VR_REGION_MSG_(__func__));
}

size_t vri_region_outstanding(struct vr_region *vr)
{
	size_t live;
	struct vr_heap_stats hs;

	VR_ASSERT(vr->closed);
	live = vr_starts_live(vr, vr->bump);
	if (vr->phase == VR_REGION_INTERIM) {
		if (vr_heap_get_stats(vr->heap, &hs) == 0)
			live += hs.live;
	}
	return live;
}

/* Last reference gone (the block says DEAD already): pages back to the
 * pool (or kept by it as an orphan, see below), lock and metadata freed.
 * Returns the pool's result. */
static int region_release(struct vr_region *vr, size_t live, const char *api)
{
	const struct vr_port *port = vr->port;
	void *base = (void *)vr->fast.base;
	size_t bytes = vr->meta_bytes;
	int rc;

	/* The heap's own annotations go with it (VR_CONFIG_TRACK), then the
	 * region's: the pages may be handed out again as plain pages. */
	if (vr->phase == VR_REGION_INTERIM)
		vr_heap_fini(vr->heap);
	VR_REGION_TRACK(vr, base, vr->size, VR_TRACK_UNDEFINED);
	/* the pages come back, or the pool keeps them as an orphan it retries
	 * when the port cannot unmap them now (vpage.h, "Orphans") */
	rc = vri_vpage_free_or_orphan(vr->pool, base, NULL);	/* not traced: the release is */
	if (rc)
		VR_LOGF(port, VR_LOG_ERR, api,
			"unmap failed, the pool keeps the pages and retries (base, errno)",
			(uintptr_t)base, (uintptr_t)-rc);
	/* the block still holds the region (lock destroyed below) */
	VRI_TRACE(port, VR_REGION_EV(vr, VR_TRACE_REGION_RELEASE, api), .live = live, .result = rc);
	/* A put that waited for a long section (vri_region_enter_frozen) may
	 * still hold the ordinary lock after its short lock let this put in:
	 * wait until it lets go before the lock is destroyed. */
	if (vr->spin) {
		port->lock(port->ctx, vr->lock);
		port->unlock(port->ctx, vr->lock);
		port->spin_destroy(port->ctx, vr->spin);
	}
	if (vr->lock)
		port->lock_destroy(port->ctx, vr->lock);
	/* Clear everything (no bump pointer, no fast path: ptr == end == 0),
	 * keep only what vri_region_dead needs to report a later stale call. */
	memset(vr, 0, bytes);
	vr->magic = VR_REGION_DEAD;
	vr->port = port;
	port->meta_free(port->ctx, vr, bytes);
	return rc;
}

/* Drop one reference; lock held. true iff it was the last one: then the
 * region is DEAD for every later call, its bump pointer closed, and the
 * caller is its only user. */
static bool put_locked(struct vr_region *vr)
{
	VR_ASSERT(vr->refcount >= 1);
	if (--vr->refcount != 0)
		return false;
	vr_bump_close(vr);
	vr->magic = VR_REGION_DEAD;
	VR_ASSERT(vr_atomic_load(&vr->fast.ptr) == vr->fast.end);
	return true;
}

struct vr_region *vri_region_put_api(struct vr_region *vr, size_t *outstanding, const char *api)
{
	size_t live;
	bool last;

	if (outstanding)
		*outstanding = 0;
	if (VR_REGION_BAD(vr, api))
		return NULL;
	vr_region_enter(vr);
	last = put_locked(vr);
	if (VR_REGION_TRACED(vr))
		trace_simple(vr, VR_TRACE_REGION_PUT, api, 0);
	vr_region_leave(vr);
	if (!last)
		return vr;
	/* ours alone now: count without the lock (O(bump / min_align)) */
	live = vri_region_outstanding(vr);

	if (live)
		VR_LOGF(vr->port, VR_LOG_WRN, api, "released with live allocations (region, count)",
			vr, live);
	else
		VR_LOGF(vr->port, VR_LOG_INF, api, "released (base, size)", vr->fast.base, vr->size);
	if (outstanding)
		*outstanding = live;
	(void)region_release(vr, live, api);
	return NULL;
}

struct vr_region *vr_region_put_report(struct vr_region *vr, size_t *outstanding)
{
	return vri_region_put_api(vr, outstanding, VR_REGION_MSG_("vr_region_put_report"));
}

struct vr_region *vr_region_put(struct vr_region *vr)
{
	return vri_region_put_api(vr, NULL, VR_REGION_MSG_(__func__));
}

/* ---- phases ---------------------------------------------------------------- */

static int first_block(void *arg, void *ptr, size_t bytes, bool used)
{
	(void)bytes;
	(void)used;
	*(uintptr_t *)arg = (uintptr_t)ptr;
	return 1;
}

/* The interim heap over [ib, end): lock held, the checks passed. */
static void interim_start(struct vr_region *vr, uintptr_t ib)
{
	size_t isz = (size_t)(vr->fast.end - ib);
	uintptr_t first = ib;
	int rc;

	VR_ASSERT(ib >= vr->bump && ib < vr->fast.end && !(ib & vr->fast.mask));
	/* Cannot fail (heap.h: only for a NULL heap or buffer, a bad granule or
	 * no room for a block, all excluded by the fresh_max check): an
	 * invariant, not a check. The granule is min_align: every interim block
	 * is aligned to it without the heap's aligned path. */
	rc = vr_heap_init_granule(vr->heap, (void *)ib, isz, vr->min_align);
	VR_ASSERT(rc == 0);
	(void)vr_heap_walk(vr->heap, first_block, &first);
	(void)rc;
	/* No block starts below the heap's first one, and every region block
	 * is min_align aligned; none reaches past what the heap manages. */
	vr->interim_lo = vr_align_up(first, vr->min_align);
	vr->interim_hi = ib + (isz < VR_HEAP_SPAN_MAX(vr->min_align) ? isz
			       : VR_HEAP_SPAN_MAX(vr->min_align));
	vr->lifetime_end = ib;
	vr->phase = VR_REGION_INTERIM;
	VR_ASSERT(vr->interim_lo >= ib && vr->interim_lo <= vr->interim_hi);
}

/* LIFETIME or INVALID -> INTERIM; lock held. *ib and *isz: the interim part. */
static int set_interim_locked(struct vr_region *vr, const char *api, uintptr_t *ib, size_t *isz)
{
	size_t step, sealed_pages;
	uintptr_t bump;
	int rc;

	if (vr->phase == VR_REGION_INTERIM) {
		*ib = vr->lifetime_end;
		*isz = (size_t)(vr->fast.end - *ib);
		VR_LOGF(vr->port, VR_LOG_WRN, api, "already interim, harmless (vr)", vr, 0);
		return 0;
	}
	/* LIFETIME, or INVALID being re-evaluated (its bump pointer has not
	 * moved, so the answer is the same). No more lifetime bumps. */
	bump = vr_bump_close(vr);
	step = (vr->flags & VR_REGION_SEAL) ? vr->port->page_size
		: (vr->line > vr->min_align ? vr->line : vr->min_align);
	*ib = vr_align_up(bump, step);	/* <= end: end is page aligned */
	*isz = (size_t)(vr->fast.end - *ib);
	/* INVALID iff the heap could not grant even one min_align-sized block
	 * (upstream: an empirical 1024 bytes; ours is exact, from heap.h). */
	if (vr_heap_fresh_max_granule((void *)*ib, *isz, vr->min_align, vr->min_align) <
	    vr->min_align) {
		vr->phase = VR_REGION_INVALID;
		VR_LOGF(vr->port, VR_LOG_WRN, api,
			"no room for an interim heap: INVALID (left, min_align)", *isz, vr->min_align);
		return -ENOSPC;
	}
	sealed_pages = (size_t)(*ib - vr->fast.base) >> vr_log2_pow2(vr->port->page_size);
	if ((vr->flags & VR_REGION_SEAL) && sealed_pages) {
		rc = vri_vpage_protect_api(vr->pool, (void *)vr->fast.base, sealed_pages, VR_PERM_R,
					   NULL);
		if (rc) {
			VR_LOGF(vr->port, VR_LOG_ERR, api, "seal failed, still LIFETIME (errno)", -rc, 0);
			vr_bump_open(vr);
			return rc;
		}
		vr->sealed = true;
	}
	interim_start(vr, *ib);
	VR_LOGF(vr->port, VR_LOG_INF, api, "interim (heap_base, bytes)", *ib, *isz);
	if (*isz / vr->min_align > VR_HEAP_MAX_GRANULES)
		VR_LOGF(vr->port, VR_LOG_WRN, api, "interim part over the heap limit (bytes, unused)",
			*isz, *isz - (size_t)VR_HEAP_MAX_GRANULES * vr->min_align);
	return 0;
}

int vri_region_set_interim_api(struct vr_region *vr, const char *api)
{
	enum vr_region_phase before;
	uintptr_t ib = 0;
	size_t isz = 0;
	int rc;

	if (VR_REGION_BAD(vr, api))
		return -EINVAL;
	vr_region_lock(vr);
	before = vr->phase;
	rc = set_interim_locked(vr, api, &ib, &isz);
	VR_ASSERT(vr->closed || rc != 0);
	VR_ASSERT(rc != 0 || (vr->phase == VR_REGION_INTERIM && vr->lifetime_end == ib));
	VR_ASSERT(rc != -ENOSPC || vr->phase == VR_REGION_INVALID);
	VRI_TRACE(vr->port, VR_REGION_EV(vr, VR_TRACE_SET_INTERIM, api),
		  .phase = (int)before,		/* the phase the call found */
		  .result = rc, .offset = (size_t)(ib - vr->fast.base), .size = isz);
	(void)before;
	vr_region_unlock(vr);
	return rc;
}

int vr_region_set_interim(struct vr_region *vr)
{
	return vri_region_set_interim_api(vr, VR_REGION_MSG_(__func__));
}

/* Lock held. */
static int interim_reset_locked(struct vr_region *vr)
{
	if (vr->phase != VR_REGION_INTERIM) {
		vr->errors++;
		return -EINVAL;
	}
	vr_heap_reset(vr->heap);	/* it poisons its blocks itself (VR_CONFIG_TRACK) */
	/* ... in the cached alias: coherent blocks were used through the other */
	VR_REGION_TRACK(vr, vr->lifetime_end, (size_t)(vr->fast.end - vr->lifetime_end),
			VR_TRACK_NOACCESS | VR_TRACK_ALIAS_ONLY);
	return 0;
}

int vri_region_interim_reset_api(struct vr_region *vr, const char *api)
{
	enum vr_region_phase phase;
	int rc;

	if (VR_REGION_BAD(vr, api))
		return -EINVAL;
	vr_region_enter(vr);
	rc = interim_reset_locked(vr);
	phase = vr->phase;	/* for the log: after the unlock a set_interim may change it */
	if (VR_REGION_TRACED(vr))
		trace_simple(vr, VR_TRACE_INTERIM_RESET, api, rc);
	vr_region_leave(vr);
	if (rc)
		VR_LOGF(vr->port, VR_LOG_ERR, api, "reset outside INTERIM (phase)", phase, 0);
	(void)phase;
	return rc;
}

int vr_region_interim_reset(struct vr_region *vr)
{
	return vri_region_interim_reset_api(vr, VR_REGION_MSG_(__func__));
}

/* ---- small queries --------------------------------------------------------- */

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
	vr_region_enter(vr);
	ph = vr->phase;
	vr_region_leave(vr);
	return ph;
}

struct vr_vpage_pool *vr_region_pool(struct vr_region *vr)
{
	return vr_region_live(vr) ? vr->pool : NULL;
}
