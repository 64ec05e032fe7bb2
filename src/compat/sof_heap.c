/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_heap.c - the platform heap behind our rtos/alloc.h
 * (sof_heap_alloc/free, sof_ctx_* without a region) and sof_ctx_free's
 * routing of heap blocks (upstream bug 4.13), for hosts and bare metal.
 * SOF on Zephyr keeps its own rtos/alloc.h and heap: this file is not part
 * of SOF mode. Contract: vregion/sof_compat.h.
 */
#include <errno.h>
#include <string.h>

#include <sof/lib/vregion.h>

#include "sof_internal.h"
#include "sof_default.h"

/* The platform heap's entry points (read after set-up, no lock). */
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
	if (setup ? !vri_sof_pool() : !vri_sof_ready())
		return false;
	o->pool = &vri_sof.pool;
	o->alloc = vri_sof.heap_alloc;
	o->free = vri_sof.heap_free;
	o->owns = vri_sof.heap_owns;
	o->ctx = vri_sof.heap_ctx;
	return true;
}

/* One block more or fewer (never below 0: hooks without heap_owns get
 * every pointer, including ones that were not theirs). Under the glue lock:
 * some targets have no read-modify-write atomics (Xtensa lx106). */
static void heap_live_add(int d)
{
	vr_sof_glue_lock();
	if (d > 0)
		vri_sof.heap_live++;
	else if (vri_sof.heap_live)
		vri_sof.heap_live--;
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
		       "no platform heap: VR_SOF_DEFAULT_POOL=0 and no heap hooks (bytes)", bytes, 0);
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
			"not a platform-heap block: foreign pointer or double free? (ptr)", ptr, 0);
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
				"platform-heap block freed through a region context, given back to the heap (ptr)",
				ptr, 0);
			vr_sof_heap_free(heap, ptr);
			return;
		}
	}
	vregion_free(vreg, ptr);
}

void vregion_ctx_free(struct vregion *vr, struct k_heap *heap, void *ptr)
{
	vr_sof_ctx_free(heap, vr, ptr);
}
