/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpage_api.h - vpage's entry points for the library's own upper layers
 * (vregion.c, the SOF compat layer). Private: not installed, not exported
 * (vri_ prefix). The contract of each call is its public twin's in
 * vregion/vpage.h; only what differs is said here.
 *
 * `api` names the caller's public function (e.g. SOF's "vpage_alloc"):
 *   - non-NULL: log lines name it, and the call is traced as the page
 *     operation it is, with ev.api = api (vregion/trace.h);
 *   - NULL: log lines name the vpage function, and the call is NOT traced
 *     (the region layer's page calls: the region operation that makes them
 *     is traced itself, and a replay re-creates the pages from it).
 */
#ifndef VREGION_VPAGE_API_H
#define VREGION_VPAGE_API_H

#include "vregion/vpage.h"

void *vri_vpage_alloc_api(struct vr_vpage_pool *pool, size_t npages, unsigned perms,
			  const char *api);
void *vri_vpage_reserve_api(struct vr_vpage_pool *pool, size_t npages, const char *api);
int vri_vpage_free_api(struct vr_vpage_pool *pool, void *ptr, const char *api);
int vri_vpage_map_api(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms,
		      const char *api);
int vri_vpage_unmap_api(struct vr_vpage_pool *pool, void *addr, size_t npages, const char *api);
int vri_vpage_protect_api(struct vr_vpage_pool *pool, void *addr, size_t npages, unsigned perms,
			  const char *api);

/*
 * Free a run whose owner goes away whatever happens (a region's last put).
 * As vr_vpage_free, except when the port fails to unmap: then the pool keeps
 * the run as an ORPHAN (its start pointer is no longer valid for any call;
 * the pool retries the unmap on later calls that reach the port, in
 * vr_vpage_reclaim and in vr_vpage_pool_deinit, see vpage.h) and the port's
 * negative errno is returned. So 0: the pages are back; -EINVAL: nothing
 * changed (bad pointer, as vr_vpage_free); another negative errno: the run is
 * the pool's, its pages come back later.
 */
int vri_vpage_free_or_orphan(struct vr_vpage_pool *pool, void *ptr, const char *api);

/* Trace identities (vregion/trace.h): the pool's number in the process
 * (from 1; 0 iff pool is not initialised or VR_CONFIG_TRACE=0), and a new
 * region number in the pool (1, 2, ... never reused; takes the pool lock;
 * 0 for a bad pool). O(1). */
uint32_t vri_vpage_trace_id(const struct vr_vpage_pool *pool);
uint32_t vri_vpage_new_region_id(struct vr_vpage_pool *pool);

#endif /* VREGION_VPAGE_API_H */
