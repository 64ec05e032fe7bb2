/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compat/sof_vregion.c - SOF's sof/lib/vregion.h over vr_region and the
 * default pool, with the list of live regions behind vregion_for_each (SOF
 * #11041) and the syscall verifiers' handle check (SOF #11108: a handle is
 * looked up in the list before anything is read through it). With
 * VR_SOF_SYSCALLS the calls SOF makes syscalls are defined as their
 * z_impl_vregion_* implementations.
 */
#include <errno.h>
#include <string.h>

#include "sof_internal.h"	/* first: its CONFIG_SOF_VREGIONS check */

#include <sof/lib/vregion.h>
#include "../vregion_api.h"

#define VR(v) vr_sof_region(v)

static const struct vr_port *port_of_pool(void)
{
	return vr_vpage_port(&vri_sof.pool);
}

/* Unlink vr; list lock held. The node, or NULL if vr is not in the list. */
static struct vri_sof_node *list_take(struct vregion *vr)
{
	struct vri_sof_node **pp, *n;

	for (pp = &vri_sof.regions; (n = *pp) != NULL; pp = &n->next) {
		if (n->vr == vr) {
			*pp = n->next;
			return n;
		}
	}
	return NULL;
}

static bool list_has(const struct vregion *vr)
{
	const struct vri_sof_node *n;

	for (n = vri_sof.regions; n; n = n->next)
		if (n->vr == vr)
			return true;
	return false;
}

size_t vri_sof_regions_live(void)
{
	const struct vri_sof_node *n;
	size_t k = 0;

	for (n = vri_sof.regions; n; n = n->next)
		k++;
	return k;
}

struct vregion *vregion_create(size_t memsize)
{
	struct vr_region_config cfg;
	struct vr_vpage_pool *pool = vri_sof_pool();
	const struct vr_port *port;
	struct vri_sof_node *node, **pp;
	struct vr_region *r;

	if (!pool)
		return NULL;
	port = vr_vpage_port(pool);
	if (memsize == 0) {
		VR_LOG(port, VR_LOG_ERR, "memsize 0", 0, 0);
		return NULL;
	}
	node = port->meta_alloc(port->ctx, sizeof(*node));
	if (!node) {
		VR_LOG(port, VR_LOG_WRN, "out of metadata memory", memsize, 0);
		return NULL;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.size = memsize;
	cfg.min_align = vri_sof.min_align;
	cfg.flags = vri_sof.region_flags;
	cfg.name = "vregion";
	r = vri_region_create_api(pool, &cfg, "vregion_create");
	if (!r) {
		port->meta_free(port->ctx, node, sizeof(*node));
		return NULL;
	}
	node->vr = (struct vregion *)(void *)r;
	node->next = NULL;
	vri_sof_list_lock();
	for (pp = &vri_sof.regions; *pp; pp = &(*pp)->next)
		;
	*pp = node;
	vri_sof_list_unlock();
	return node->vr;
}

/* After the switch, write the region back from this core's cache (SOF
 * #11071): the interim heap's first block header was written through the
 * cached alias, and a DP thread on another core must read it from memory.
 * The whole region (one range, known in O(1)): the lifetime part's dirty
 * lines are written back too, which a second core reading them needs as
 * well. */
static void flush_region(struct vregion *vr)
{
	const struct vr_port *port = port_of_pool();
	uintptr_t start = 0;
	size_t size = 0;

	if (port->cache_flush && vr_region_mem_info(VR(vr), &size, &start) == 0)
		port->cache_flush(port->ctx, (void *)start, size);
}

void VRI_SOF_SYSCALL(vregion_set_interim)(struct vregion *vr)
{
	bool was_lifetime;

	if (!vr)
		return;
	was_lifetime = vr_region_phase(VR(vr)) == VR_REGION_LIFETIME;
	if (vri_region_set_interim_api(VR(vr), "vregion_set_interim") == 0 && was_lifetime)
		flush_region(vr);
}

struct vregion *VRI_SOF_SYSCALL(vregion_get)(struct vregion *vr)
{
	return vr && vri_region_get_api(VR(vr), "vregion_get") ? vr : NULL;
}

struct vregion *vr_sof_put_report(struct vregion *vr, size_t *outstanding)
{
	struct vri_sof_node *node = NULL;
	struct vr_region *r;

	if (outstanding)
		*outstanding = 0;
	if (!vr)
		return NULL;
	if (!vri_sof_ready())
		return vri_region_put_api(VR(vr), outstanding, "vregion_put") ? vr : NULL; /* no list */
	/* under the list lock, so a released region leaves the list before
	 * its metadata can be reused by another create */
	vri_sof_list_lock();
	r = vri_region_put_api(VR(vr), outstanding, "vregion_put");
	if (!r)
		node = list_take(vr);
	vri_sof_list_unlock();
	if (node)
		port_of_pool()->meta_free(port_of_pool()->ctx, node, sizeof(*node));
	return r ? vr : NULL;
}

struct vregion *VRI_SOF_SYSCALL(vregion_put)(struct vregion *vr)
{
	return vr_sof_put_report(vr, NULL);
}

void *VRI_SOF_SYSCALL(vregion_alloc)(struct vregion *vr, size_t size)
{
	return vr ? vri_region_alloc_named(VR(vr), size, "vregion_alloc") : NULL;
}

void *VRI_SOF_SYSCALL(vregion_alloc_align)(struct vregion *vr, size_t size, size_t alignment)
{
	return vr ? vri_region_alloc_align_named(VR(vr), size, alignment, "vregion_alloc_align")
		  : NULL;
}

void *VRI_SOF_SYSCALL(vregion_alloc_coherent)(struct vregion *vr, size_t size)
{
	return vr ? vri_region_alloc_api(VR(vr), size, 0, true, "vregion_alloc_coherent") : NULL;
}

void *VRI_SOF_SYSCALL(vregion_alloc_coherent_align)(struct vregion *vr, size_t size,
						    size_t alignment)
{
	return vr ? vri_region_alloc_api(VR(vr), size, alignment, true,
					 "vregion_alloc_coherent_align") : NULL;
}

void VRI_SOF_SYSCALL(vregion_free)(struct vregion *vr, void *ptr)
{
	/* NULL region or pointer: no-op, as upstream; other errors are logged
	 * and counted by the region */
	if (vr && ptr)
		(void)vri_region_free_api(VR(vr), ptr, "vregion_free");
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

void vregion_for_each(void (*cb)(int idx, const struct vregion_snapshot *s, void *ctx), void *ctx)
{
	const struct vri_sof_node *n;
	struct vr_region_stats st;
	struct vregion_snapshot s;
	int idx = 0;

	if (!cb || !vri_sof_ready())
		return;
	vri_sof_list_lock();
	for (n = vri_sof.regions; n; n = n->next) {
		if (vr_region_get_stats(VR(n->vr), &st))
			continue;
		memset(&s, 0, sizeof(s));
		s.base = st.base;
		s.size = st.size;
		s.pages = (unsigned int)st.pages;
		s.lifetime_used = st.lifetime_used;
		s.lifetime_free_count = (int)st.lifetime_frees;
		s.use_count = (unsigned int)st.refcount;
		cb(idx++, &s, ctx);
	}
	vri_sof_list_unlock();
}

bool vri_sof_region_pin(struct vregion *vr, size_t *size, uintptr_t *start)
{
	bool live;

	if (!vr || !vri_sof_ready())
		return false;
	vri_sof_list_lock();
	live = list_has(vr) && vr_region_get(VR(vr)) != NULL;
	if (live)
		(void)vr_region_mem_info(VR(vr), size, start);
	vri_sof_list_unlock();
	return live;
}

struct vregion *vri_sof_region_unpin(struct vregion *vr)
{
	return VRI_SOF_SYSCALL(vregion_put)(vr);
}
