/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion_api.h - the region's entry points with the name of the public
 * function that was called (`api`), for layers over vregion that have their
 * own API (the SOF layer, compat/sof.c): their calls log and trace under
 * their own names (vregion/trace.h: "The SOF layer's calls arrive as the
 * same events with api naming SOF's function"). The public vr_region_*
 * functions are these with their own names. Each behaves exactly as the
 * public function it names in vregion/vregion.h (the contract); api must be
 * a constant string. Private: not installed, not exported by a shared
 * library.
 */
#ifndef VREGION_API_H
#define VREGION_API_H

#include "vregion/vregion.h"

struct vr_region *vri_region_create_api(struct vr_vpage_pool *pool,
					const struct vr_region_config *cfg, const char *api);
struct vr_region *vri_region_get_api(struct vr_region *vr, const char *api);
/* vr_region_put_report (outstanding may be NULL) */
struct vr_region *vri_region_put_api(struct vr_region *vr, size_t *outstanding, const char *api);
int vri_region_set_interim_api(struct vr_region *vr, const char *api);
int vri_region_interim_reset_api(struct vr_region *vr, const char *api);
/* vr_region_alloc_align (coherent false) or vr_region_alloc_coherent_align
 * (coherent true); align 0 is the region's minimum */
void *vri_region_alloc_api(struct vr_region *vr, size_t size, size_t align, bool coherent,
			   const char *api);
int vri_region_free_api(struct vr_region *vr, void *ptr, const char *api);

/* vr_region_alloc(vr, size) under another name: the inline lifetime path,
 * else the library. */
static inline void *vri_region_alloc_named(struct vr_region *vr, size_t size, const char *api)
{
	void *p = vr_region_alloc_fast_(vr, size);

	return VR_LIKELY(p != NULL) ? p : vri_region_alloc_api(vr, size, 0, false, api);
}

/* vr_region_alloc_align(vr, size, align) under another name. An alignment
 * up to min_align is the default one: the inline path serves it in LIFETIME
 * (same placement, same rounding). */
static inline void *vri_region_alloc_align_named(struct vr_region *vr, size_t size, size_t align,
						 const char *api)
{
	const struct vr_region_fast_ *f;
	void *p = NULL;

	if (vr && !(align & (align - 1))) {
		f = (const struct vr_region_fast_ *)(const void *)((const char *)vr +
								   VR_REGION_FAST_OFFSET_);
		if (align <= f->mask + 1)
			p = vr_region_alloc_fast_(vr, size);
	}
	return p ? p : vri_region_alloc_api(vr, size, align, false, api);
}

#endif /* VREGION_API_H */
