/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_pool.c - the default pool behind SOF's API (the library's only
 * global instance, because SOF's API has no pool argument): set-up by
 * vr_sof_init or on the first SOF call, teardown by vr_sof_deinit.
 * Contract: vregion/sof_compat.h; shared state: sof_internal.h.
 */
#include <errno.h>
#include <string.h>

#include "sof_internal.h"
#include "sof_default.h"

struct vri_sof vri_sof;

static int check_config(const struct vr_sof_config *cfg)
{
	if ((cfg->region_flags & ~(unsigned)(VR_REGION_SEAL | VR_REGION_GUARD)) ||
	    !cfg->heap_alloc != !cfg->heap_free || (cfg->heap_owns && !cfg->heap_alloc) ||
	    (cfg->min_align && (!vr_is_pow2(cfg->min_align) || cfg->min_align < 8)))
		return -EINVAL;
	return 0;
}

/* The region-list lock, then the pool over `port`; nothing left on error
 * (the lock first: undoing it is the port's call, undoing a pool would
 * link vr_vpage_pool_deinit into every image). */
static int make_pool(const struct vr_sof_config *cfg, const struct vr_port *port)
{
	struct vr_vpage_config pc;
	int rc;

	/* the port first: a refused one may lack lock_destroy (or be garbage) */
	rc = vr_port_check(port);
	if (rc)
		return rc;
	if (cfg->min_align > port->page_size ||
	    ((cfg->region_flags & VR_REGION_SEAL) && !port->protect))
		return -EINVAL;
	if (port->lock_create) {
		vri_sof.list_lock = port->lock_create(port->ctx);
		if (!vri_sof.list_lock)
			return -ENOMEM;
	}
	memset(&pc, 0, sizeof(pc));
	pc.guard_pages = cfg->guard_pages;
	rc = vr_vpage_pool_init(&vri_sof.pool, port, &pc);
	if (rc && vri_sof.list_lock) {
		port->lock_destroy(port->ctx, vri_sof.list_lock);
		vri_sof.list_lock = NULL;
	}
	return rc;
}

/* Glue lock held; not ready. */
static int setup_locked(const struct vr_sof_config *cfg)
{
	static const struct vr_sof_config defaults = {
		.guard_pages = VR_SOF_GUARD_PAGES,
		.region_flags = VR_SOF_REGION_FLAGS,
	};
	const struct vr_port *port;
	bool own = false;
	int rc;

	if (!cfg)
		cfg = &defaults;
	rc = check_config(cfg);
	if (rc)
		return rc;
	port = cfg->port;
	if (!port) {
		rc = vr_sof_glue_port_create(&port);
		if (rc)
			return rc;
		own = true;
	}
	rc = make_pool(cfg, port);
	if (rc) {
		if (own)
			vr_sof_glue_port_destroy();
		return rc;
	}
	vri_sof.port = port;
	vri_sof.own_port = own;
	vri_sof.min_align = cfg->min_align;
	vri_sof.guard_pages = cfg->guard_pages;
	vri_sof.region_flags = cfg->region_flags;
	vri_sof.heap_alloc = cfg->heap_alloc;
	vri_sof.heap_free = cfg->heap_free;
	vri_sof.heap_owns = cfg->heap_owns;
	vri_sof.heap_ctx = cfg->heap_ctx;
	vri_sof.regions = NULL;
	vri_sof.heap_live = 0;
	/* publish: a call that sees ready sees every field above */
	atomic_store_explicit(&vri_sof.ready, true, memory_order_release);
	return 0;
}

int vr_sof_init(const struct vr_sof_config *cfg)
{
	int rc;

	vr_sof_glue_lock();
	rc = vri_sof_ready() ? -EBUSY : setup_locked(cfg);
	vr_sof_glue_unlock();
	return rc;
}

int vr_sof_deinit(void)
{
	const struct vr_port *port;
	int rc = 0;

	vr_sof_glue_lock();
	port = vri_sof.port;
	if (vri_sof_ready()) {
		rc = vri_sof.heap_live || vri_sof_regions_live() ? -EBUSY : vr_vpage_pool_deinit(&vri_sof.pool);
		if (rc == 0) {
			if (vri_sof.list_lock)
				port->lock_destroy(port->ctx, vri_sof.list_lock);
			if (vri_sof.own_port)
				vr_sof_glue_port_destroy();
			atomic_store_explicit(&vri_sof.ready, false, memory_order_relaxed);
			vri_sof.list_lock = NULL;
			vri_sof.port = NULL;
		}
	}
	vr_sof_glue_unlock();
	return rc;
}

struct vr_vpage_pool *vri_sof_pool_slow(void)
{
	struct vr_vpage_pool *pool = NULL;

	vr_sof_glue_lock();
	if (vri_sof_ready() || setup_locked(NULL) == 0)
		pool = &vri_sof.pool;
	vr_sof_glue_unlock();
	return pool;
}

struct vr_vpage_pool *vr_sof_pool(void)
{
	return vri_sof_pool();
}
