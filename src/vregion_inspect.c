/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion_inspect.c - a region's statistics, its log summary and the full
 * validate() walk. The contract is vregion/vregion.h.
 */
#include <errno.h>
#include <string.h>

#include "vregion_internal.h"

size_t vri_region_outstanding(struct vr_region *vr)
{
	size_t live = vr_starts_live(vr);
	struct vr_heap_stats hs;

	if (vr->phase == VR_REGION_INTERIM && vr_heap_get_stats(vr->heap, &hs) == 0)
		live += hs.live;
	return live;
}

/* Fill *st; lock held. */
static void stats_locked(struct vr_region *vr, struct vr_region_stats *st)
{
	struct vr_heap_stats hs;

	memset(st, 0, sizeof(*st));
	st->phase = vr->phase;
	st->size = vr->size;
	st->pages = vr->pages;
	st->refcount = vr->refcount;
	st->min_align = vr->min_align;
	st->base = vr->fast.base;
	st->lifetime_used = (size_t)(vr->fast.ptr - vr->fast.base);
	st->lifetime_size = (size_t)(vr->lifetime_end - vr->fast.base);
	st->lifetime_allocs = vr_starts_live(vr) + vr->lifetime_frees;
	st->lifetime_frees = vr->lifetime_frees;
	if (vr->phase == VR_REGION_INTERIM && vr_heap_get_stats(vr->heap, &hs) == 0) {
		st->interim_size = (size_t)(vr->end - vr->lifetime_end);
		st->interim_used = hs.used;
		st->interim_peak = hs.peak;
		/* every region allocation is min_align aligned: exact there */
		st->interim_largest_free = vr_heap_max_alloc(vr->heap, vr->min_align);
		st->interim_live = hs.live;
	}
	st->failures = vr->failures;
	st->errors = vr->errors;
	st->outstanding = vri_region_outstanding(vr);
	st->sealed = vr->sealed;
}

int vr_region_get_stats(struct vr_region *vr, struct vr_region_stats *st)
{
	if (VR_REGION_BAD(vr, __func__))
		return -EINVAL;
	if (!st)
		return -EINVAL;
	vr_region_lock(vr);
	stats_locked(vr, st);
	vr_region_unlock(vr);
	return 0;
}

int vr_region_info(struct vr_region *vr)
{
	/* one line per pair of values (a table: one log call in a loop) */
	static const char *const line[] = {
		"region (base, size)",
		"phase 0 LIFETIME 1 INTERIM 2 INVALID, refs",
		"lifetime used/size",
		"lifetime allocs/frees",
		"interim used/size",
		"interim peak/largest free",
		"failures/errors",
		"outstanding (all, interim)",
	};
	struct vr_region_stats st;
	uintptr_t v[16];
	unsigned i;

	if (VR_REGION_BAD(vr, __func__))
		return -EINVAL;
	if (VR_CONFIG_LOG_LEVEL < (int)VR_LOG_INF)
		return 0;	/* nothing to print in this build */
	vr_region_lock(vr);
	stats_locked(vr, &st);
	vr_region_unlock(vr);
	v[0] = st.base;
	v[1] = st.size;
	v[2] = (uintptr_t)st.phase;
	v[3] = st.refcount;
	v[4] = st.lifetime_used;
	v[5] = st.lifetime_size;
	v[6] = st.lifetime_allocs;
	v[7] = st.lifetime_frees;
	v[8] = st.interim_used;
	v[9] = st.interim_size;
	v[10] = st.interim_peak;
	v[11] = st.interim_largest_free;
	v[12] = st.failures;
	v[13] = st.errors;
	v[14] = st.outstanding;
	v[15] = st.interim_live;
	for (i = 0; i < 8; i++)
		VR_LOG(vr->port, VR_LOG_INF, i == 0 && vr->name ? vr->name : line[i], v[2 * i],
		       v[2 * i + 1]);
	return 0;
}

/* First inconsistency found, or NULL. Lock held. */
static const char *check_locked(struct vr_region *vr)
{
	const struct vr_port *port = vr->port;
	uintptr_t base = vr->fast.base, ptr = vr->fast.ptr;
	size_t page = port->page_size, run, bump_g, w;
	const uint8_t *map;

	if (vr->refcount == 0)
		return VR_REGION_MSG_("refcount 0");
	if ((base & (page - 1)) || vr->size != vr->pages * page || vr->end != base + vr->size)
		return VR_REGION_MSG_("base/size/end inconsistent");
	if (vr->min_align != vr->fast.mask + 1 || !vr_is_pow2(vr->min_align) ||
	    ((size_t)1 << vr->fast.shift) != vr->min_align)
		return VR_REGION_MSG_("min_align fields inconsistent");
	if (ptr < base || ptr > vr->lifetime_end || vr->lifetime_end > vr->end ||
	    ((ptr - base) & vr->fast.mask))
		return VR_REGION_MSG_("bump pointer out of range or misaligned");
	switch (vr->phase) {
	case VR_REGION_LIFETIME:
		if (vr->lifetime_end != vr->end ||
		    vr->fast.fast_end != (vr->lock ? 0 : vr->end))
			return VR_REGION_MSG_("LIFETIME: lifetime end or fast path");
		if (vr->sealed)
			return VR_REGION_MSG_("LIFETIME: sealed");
		break;
	case VR_REGION_INVALID:
		if (vr->lifetime_end != vr->end || vr->fast.fast_end != 0 || vr->sealed)
			return VR_REGION_MSG_("INVALID: lifetime end, fast path or seal");
		break;
	case VR_REGION_INTERIM:
		if (vr->fast.fast_end != 0)
			return VR_REGION_MSG_("INTERIM: fast path still enabled");
		if (vr->sealed && (vr->lifetime_end & (page - 1)))
			return VR_REGION_MSG_("INTERIM: sealed but heap not page aligned");
		if (vr_heap_validate(vr->heap) != 0)
			return VR_REGION_MSG_("INTERIM: heap validate failed");
		if (!vr_heap_contains(vr->heap, (void *)(vr->end - 1)) ||
		    vr_heap_contains(vr->heap, (void *)vr->end) ||
		    (vr->lifetime_end > base &&
		     vr_heap_contains(vr->heap, (void *)(vr->lifetime_end - 1))))
			return VR_REGION_MSG_("INTERIM: heap does not cover [interim base, end)");
		break;
	default:
		return VR_REGION_MSG_("unknown phase");
	}
	if (vr->start_bytes != vr->size >> vr->fast.shift)
		return VR_REGION_MSG_("start map size");
	if (vr->fast.map_bias != (uintptr_t)vr->starts - (base >> vr->fast.shift))
		return VR_REGION_MSG_("start map bias");
	bump_g = (size_t)(ptr - base) >> vr->fast.shift;
	map = (const uint8_t *)vr->starts;	/* bytes: a corrupted entry is not a bool */
	for (w = 0; w < vr->start_bytes; w++) {
		if (map[w] > 1)
			return VR_REGION_MSG_("start map: bad value");
		if (map[w] && w >= bump_g)
			return VR_REGION_MSG_("start map: entry above the bump pointer");
	}
	run = vr_vpage_run_pages(vr->pool, (void *)base);
	if (run != vr->pages + (vr->own_guard ? 1u : 0u))
		return VR_REGION_MSG_("pool run does not match the region");
	return NULL;
}

int vr_region_validate(struct vr_region *vr)
{
	const char *why;

	if (VR_REGION_BAD(vr, __func__))
		return -EINVAL;
	vr_region_lock(vr);
	why = check_locked(vr);
	vr_region_unlock(vr);
	if (why) {
		VR_LOG(vr->port, VR_LOG_ERR, why, vr, 0);
		return -EFAULT;
	}
	return 0;
}
