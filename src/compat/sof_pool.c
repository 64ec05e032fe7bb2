/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof.c - SOF's vpage / vregion / platform-heap API over vregion, and
 * the default pool behind it (the library's only global instance, because
 * SOF's API has no pool argument). Contracts: sof/lib/vpage.h,
 * sof/lib/vregion.h, rtos/alloc.h, vregion/sof_compat.h.
 */
#include <errno.h>
#include <string.h>

#include <sof/lib/vpage.h>
#include <sof/lib/vregion.h>
#include <rtos/alloc.h>

#include "sof_default.h"
#include "../util.h"

static struct {
	bool ready;			/* pool initialised */
	bool own_port;			/* port made by the glue */
	const struct vr_port *port;
	struct vr_vpage_pool pool;
	size_t min_align;
	unsigned region_flags;
	void *(*heap_alloc)(void *, struct k_heap *, uint32_t, size_t, size_t);
	void (*heap_free)(void *, struct k_heap *, void *);
	bool (*heap_owns)(void *, struct k_heap *, const void *);
	void *heap_ctx;
	size_t heap_live;		/* platform-heap blocks handed out */
} sof;

/* Glue lock held. */
static int setup_locked(const struct vr_sof_config *cfg)
{
	static const struct vr_sof_config defaults;
	struct vr_vpage_config pc;
	const struct vr_port *port;
	bool own = false;
	int rc;

	if (!cfg)
		cfg = &defaults;
	if ((cfg->region_flags & ~(unsigned)(VR_REGION_SEAL | VR_REGION_GUARD)) ||
	    !cfg->heap_alloc != !cfg->heap_free || (cfg->heap_owns && !cfg->heap_alloc) ||
	    (cfg->min_align && (!vr_is_pow2(cfg->min_align) || cfg->min_align < 8)))
		return -EINVAL;
	port = cfg->port;
	if (!port) {
		rc = vr_sof_glue_port_create(&port);
		if (rc)
			return rc;
		own = true;
	}
	if (cfg->min_align > port->page_size ||
	    ((cfg->region_flags & VR_REGION_SEAL) && !port->protect)) {
		if (own)
			vr_sof_glue_port_destroy();
		return -EINVAL;
	}
	memset(&pc, 0, sizeof(pc));
	pc.guard_pages = cfg->guard_pages;
	rc = vr_vpage_pool_init(&sof.pool, port, &pc);
	if (rc) {
		if (own)
			vr_sof_glue_port_destroy();
		return rc;
	}
	sof.port = port;
	sof.own_port = own;
	sof.min_align = cfg->min_align;
	sof.region_flags = cfg->region_flags;
	sof.heap_alloc = cfg->heap_alloc;
	sof.heap_free = cfg->heap_free;
	sof.heap_owns = cfg->heap_owns;
	sof.heap_ctx = cfg->heap_ctx;
	sof.ready = true;
	return 0;
}

int vr_sof_init(const struct vr_sof_config *cfg)
{
	int rc;

	vr_sof_glue_lock();
	rc = sof.ready ? -EBUSY : setup_locked(cfg);
	vr_sof_glue_unlock();
	return rc;
}

int vr_sof_deinit(void)
{
	int rc = 0;

	vr_sof_glue_lock();
	if (sof.ready) {
		rc = sof.heap_live ? -EBUSY : vr_vpage_pool_deinit(&sof.pool);
		if (rc == 0) {
			if (sof.own_port)
				vr_sof_glue_port_destroy();
			memset(&sof, 0, sizeof(sof));
		}
	}
	vr_sof_glue_unlock();
	return rc;
}

struct vr_vpage_pool *vr_sof_pool(void)
{
	struct vr_vpage_pool *pool = NULL;

	vr_sof_glue_lock();
	if (sof.ready || setup_locked(NULL) == 0)
		pool = &sof.pool;
	vr_sof_glue_unlock();
	return pool;
}

/* ---- platform heap ------------------------------------------------------- */

/* The platform heap's entry points, read under the glue lock (the calls are
 * made outside it: a hook may call back into this layer). */
struct heap_ops {
	struct vr_vpage_pool *pool;
	void *(*alloc)(void *, struct k_heap *, uint32_t, size_t, size_t);
	void (*free)(void *, struct k_heap *, void *);
	bool (*owns)(void *, struct k_heap *, const void *);
	void *ctx;
};

/* false iff the pool is not set up (and could not be, with setup). */
static bool heap_ops_get(struct heap_ops *o, bool setup)
{
	bool ready;

	vr_sof_glue_lock();
	ready = sof.ready || (setup && setup_locked(NULL) == 0);
	if (ready) {
		o->pool = &sof.pool;
		o->alloc = sof.heap_alloc;
		o->free = sof.heap_free;
		o->owns = sof.heap_owns;
		o->ctx = sof.heap_ctx;
	}
	vr_sof_glue_unlock();
	return ready;
}

static void heap_live_add(int d)
{
	vr_sof_glue_lock();
	if (d > 0)
		sof.heap_live++;
	else if (sof.heap_live)
		sof.heap_live--;
	vr_sof_glue_unlock();
}

void *vr_sof_heap_alloc(struct k_heap *heap, uint32_t flags, size_t bytes, size_t align)
{
	struct heap_ops o;
	void *p;

	if (bytes == 0 || (align && !vr_is_pow2(align)) || !heap_ops_get(&o, true))
		return NULL;
	p = o.alloc ? o.alloc(o.ctx, heap, flags, bytes, align) : vr_sof_glue_heap_alloc(bytes, align);
	if (p)
		heap_live_add(1);
#if !VR_SOF_DEFAULT_POOL
	else if (!o.alloc)
		VR_LOG(vr_vpage_port(o.pool), VR_LOG_ERR,
		       "no platform heap (VR_SOF_DEFAULT_POOL=0 and no heap hooks)", bytes, 0);
#endif
	return p;
}

void vr_sof_heap_free(struct k_heap *heap, void *ptr)
{
	struct heap_ops o;
	int rc = 0;

	if (!ptr || !heap_ops_get(&o, false))
		return;		/* nothing was set up: not ours */
	if (!o.free)
		rc = vr_sof_glue_heap_free(ptr);
	else if (o.owns && !o.owns(o.ctx, heap, ptr))
		rc = -EINVAL;
	else
		o.free(o.ctx, heap, ptr);
	if (rc) {
		VR_LOGF(vr_vpage_port(o.pool), VR_LOG_ERR, "sof_heap_free",
			"not a platform-heap block (foreign pointer or double free?)", ptr, 0);
		return;
	}
	heap_live_add(-1);
}

void vr_sof_ctx_free(struct k_heap *heap, struct vregion *vreg, void *ptr)
{
	struct heap_ops o;
	bool heap_block;

	if (!ptr)
		return;
	if (!vr_region_contains(vr_sof_region(vreg), ptr) && heap_ops_get(&o, false)) {
		heap_block = o.free ? o.owns && o.owns(o.ctx, heap, ptr) : vr_sof_glue_heap_owns(ptr);
		if (heap_block) {
			VR_LOGF(vr_vpage_port(o.pool), VR_LOG_WRN, "sof_ctx_free",
				"platform-heap block freed through a region context: given back to the heap",
				ptr, 0);
			vr_sof_heap_free(heap, ptr);
			return;
		}
	}
	vregion_free(vreg, ptr);
}

/* ---- sof/lib/vpage.h -------------------------------------------------------- */

void *vpage_alloc(unsigned int pages)
{
	struct vr_vpage_pool *pool = vr_sof_pool();

	if (!pool)
		return NULL;
	if (pages == 0) {
		VR_LOG(vr_vpage_port(pool), VR_LOG_INF, "0 pages requested", 0, 0);
		return NULL;
	}
	return vr_vpage_alloc(pool, pages);
}

void vpage_free(void *ptr)
{
	struct vr_vpage_pool *pool = vr_sof_pool();

	/* errors (NULL, foreign, interior, double free) are logged by vpage */
	if (pool)
		(void)vr_vpage_free(pool, ptr);
}

void *vpage_reserve(unsigned int pages)
{
	struct vr_vpage_pool *pool;

	if (pages == 0)
		return NULL;
	pool = vr_sof_pool();
	return pool ? vr_vpage_reserve(pool, pages) : NULL;
}

void vpage_release(void *ptr)
{
	struct vr_vpage_pool *pool = vr_sof_pool();

	if (pool)
		(void)vr_vpage_release(pool, ptr);
}

/* ---- sof/lib/vregion.h ------------------------------------------------------ */

#define VR(v) vr_sof_region(v)

struct vregion *vregion_create(size_t memsize)
{
	struct vr_region_config cfg;
	struct vr_vpage_pool *pool = NULL;

	memset(&cfg, 0, sizeof(cfg));
	/* the pool and its options, read under the glue lock */
	vr_sof_glue_lock();
	if (sof.ready || setup_locked(NULL) == 0) {
		pool = &sof.pool;
		cfg.min_align = sof.min_align;
		cfg.flags = sof.region_flags;
	}
	vr_sof_glue_unlock();
	if (!pool)
		return NULL;
	if (memsize == 0) {
		VR_LOG(vr_vpage_port(pool), VR_LOG_ERR, "memsize 0", 0, 0);
		return NULL;
	}
	cfg.size = memsize;
	cfg.name = "vregion";
	return (struct vregion *)(void *)vr_region_create(pool, &cfg);
}

void vregion_set_interim(struct vregion *vr)
{
	if (vr)
		(void)vr_region_set_interim(VR(vr));
}

struct vregion *vregion_get(struct vregion *vr)
{
	return vr && vr_region_get(VR(vr)) ? vr : NULL;
}

struct vregion *vregion_put(struct vregion *vr)
{
	return vr && vr_region_put(VR(vr)) ? vr : NULL;
}

void *vregion_alloc(struct vregion *vr, size_t size)
{
	return vr ? vr_region_alloc(VR(vr), size) : NULL;
}

void *vregion_alloc_align(struct vregion *vr, size_t size, size_t alignment)
{
	return vr ? vr_region_alloc_align(VR(vr), size, alignment) : NULL;
}

void *vregion_alloc_coherent(struct vregion *vr, size_t size)
{
	return vr ? vr_region_alloc_coherent(VR(vr), size) : NULL;
}

void *vregion_alloc_coherent_align(struct vregion *vr, size_t size, size_t alignment)
{
	return vr ? vr_region_alloc_coherent_align(VR(vr), size, alignment) : NULL;
}

void vregion_free(struct vregion *vr, void *ptr)
{
	/* NULL region or pointer: no-op, as upstream; other errors are logged
	 * and counted by the region */
	if (vr && ptr)
		(void)vr_region_free(VR(vr), ptr);
}

void vregion_info(struct vregion *vr)
{
	if (vr)
		(void)vr_region_info(VR(vr));
}

void vregion_mem_info(struct vregion *vr, size_t *size, uintptr_t *start)
{
	if (size)
		*size = 0;
	if (start)
		*start = 0;
	if (vr)
		(void)vr_region_mem_info(VR(vr), size, start);
}
