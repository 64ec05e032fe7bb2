/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion_inspect.c - a region's statistics, its log summary and the full
 * validate() walk. The contract is vregion/vregion.h.
 */
#include <errno.h>
#include <string.h>

#include "vregion_internal.h"

/* Fill *st; lock held. The bump pointer stands still meanwhile (lifetime
 * allocations in flight on other threads may be missed; vregion.h). */
static void stats_locked(struct vr_region *vr, struct vr_region_stats *st)
{
	struct vr_heap_stats hs;
	uintptr_t bump = vr_bump_close(vr);
	int rc;

	memset(st, 0, sizeof(*st));
	st->phase = vr->phase;
	st->size = vr->size;
	st->pages = vr->pages;
	st->refcount = vr->refcount;
	st->min_align = vr->min_align;
	st->base = vr->fast.base;
	st->lifetime_used = (size_t)(bump - vr->fast.base);
	st->lifetime_size = (size_t)(vr->lifetime_end - vr->fast.base);
	st->lifetime_allocs = vr_starts_live(vr, bump) + vr->lifetime_frees;
	st->lifetime_frees = vr->lifetime_frees;
	rc = vr->phase == VR_REGION_INTERIM ? vr_heap_get_stats(vr->heap, &hs) : -EINVAL;
	if (rc == 0) {
		st->interim_size = (size_t)(vr->fast.end - vr->lifetime_end);
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
	vr_bump_open(vr);
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
		"phase 0 LIFETIME 1 INTERIM 2 INVALID (phase, refs)",
		"lifetime (used, size)",
		"lifetime (allocs, frees)",
		"interim (used, size)",
		"interim (peak, largest_free)",
		"calls refused (failures, errors)",
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
	if (vr->name)	/* on a line of its own: a name refers to no values */
		VR_LOG(vr->port, VR_LOG_INF, vr->name, 0, 0);
	for (i = 0; i < 8; i++)
		VR_LOG(vr->port, VR_LOG_INF, line[i], v[2 * i], v[2 * i + 1]);
	return 0;
}

/* The fields fixed at create. */
static const char *check_geometry(const struct vr_region *vr)
{
	size_t page = vr->port->page_size;
	uintptr_t base = vr->fast.base;

	if (vr->refcount == 0)
		return VR_REGION_MSG_("refcount 0");
	if ((base & (page - 1)) || vr->size != vr->pages * page ||
	    vr->fast.end != base + vr->size)
		return VR_REGION_MSG_("base/size/end inconsistent");
	if (vr->min_align != vr->fast.mask + 1 || !vr_is_pow2(vr->min_align) ||
	    ((size_t)1 << vr->fast.shift) != vr->min_align)
		return VR_REGION_MSG_("min_align fields inconsistent");
	if ((vr->spin != NULL) != (vr->lock && vr->port->spin_create) ||
	    vr->frozen != (vr->spin != NULL))		/* validate is a long section */
		return VR_REGION_MSG_("locks");
	if (vr->fast.atomic != (vr->lock != NULL) ||
	    vr->may_open != ((!vr->lock || VR_CONFIG_LOCKFREE) && !VR_CONFIG_TRACK &&
			     !VR_REGION_TRACED(vr)))
		return VR_REGION_MSG_("fast path mode");
	if (vr->start_bytes != vr->size >> vr->fast.shift)
		return VR_REGION_MSG_("start map size");
	if (vr->fast.map_bias != (uintptr_t)vr->starts - (base >> vr->fast.shift))
		return VR_REGION_MSG_("start map bias");
	return NULL;
}

/* Open or closed as the phase says (before validate closes it itself). */
static const char *check_bump_state(const struct vr_region *vr)
{
	uintptr_t ptr = vr_atomic_load(&vr->fast.ptr);

	if (!vr->closed && (ptr < vr->fast.base || ptr > vr->fast.end ||
			    ((ptr - vr->fast.base) & vr->fast.mask)))
		return VR_REGION_MSG_("bump pointer out of range or misaligned");
	if (vr->closed && ptr != vr->fast.end)
		return VR_REGION_MSG_("closed bump pointer with an inline limit");
	if (vr->closed != !(vr->may_open && vr->phase == VR_REGION_LIFETIME))
		return VR_REGION_MSG_("bump pointer open in the wrong phase, or closed in LIFETIME");
	return NULL;
}

/* The phase's own rules; bump is the closed bump pointer. */
static const char *check_phase(struct vr_region *vr, uintptr_t bump)
{
	uintptr_t base = vr->fast.base, end = vr->fast.end;
	size_t page = vr->port->page_size;
	int rc;

	if (bump < base || bump > vr->lifetime_end || vr->lifetime_end > end ||
	    ((bump - base) & vr->fast.mask))
		return VR_REGION_MSG_("bump pointer out of range or misaligned");
	if (vr->phase == VR_REGION_LIFETIME || vr->phase == VR_REGION_INVALID)
		return vr->lifetime_end != end || vr->sealed ?
			VR_REGION_MSG_("LIFETIME/INVALID: lifetime end or seal") : NULL;
	if (vr->phase != VR_REGION_INTERIM)
		return VR_REGION_MSG_("unknown phase");
	if (vr->sealed && (vr->lifetime_end & (page - 1)))
		return VR_REGION_MSG_("INTERIM: sealed but heap not page aligned");
	if (vr->interim_lo < vr->lifetime_end || vr->interim_lo > vr->interim_hi ||
	    vr->interim_hi > end || (vr->interim_lo & vr->fast.mask))
		return VR_REGION_MSG_("INTERIM: block range");
	rc = vr_heap_validate(vr->heap);
	if (rc != 0)
		return VR_REGION_MSG_("INTERIM: heap validate failed");
	if (!vr_heap_contains(vr->heap, (void *)(end - 1)) ||
	    vr_heap_contains(vr->heap, (void *)end) ||
	    (vr->lifetime_end > base && vr_heap_contains(vr->heap, (void *)(vr->lifetime_end - 1))))
		return VR_REGION_MSG_("INTERIM: heap does not cover the interim part");
	return NULL;
}

/* Every start map entry a bool, none at or above the bump pointer. */
static const char *check_map(const struct vr_region *vr, uintptr_t bump)
{
	size_t bump_g = (size_t)(bump - vr->fast.base) >> vr->fast.shift, w;
	const uint8_t *map = (const uint8_t *)vr->starts;	/* bytes: a corrupted entry is not a bool */
	uint8_t v;

	for (w = 0; w < vr->start_bytes; w++) {
		v = vr_atomic_load(&map[w]);
		if (v > 1)
			return VR_REGION_MSG_("start map: bad value");
		if (v && w >= bump_g)
			return VR_REGION_MSG_("start map: entry above the bump pointer");
	}
	return NULL;
}

/* First inconsistency found, or NULL. Lock held. */
static const char *check_locked(struct vr_region *vr)
{
	const char *why = check_geometry(vr);
	uintptr_t bump;
	size_t run;

	if (!why)
		why = check_bump_state(vr);
	if (why)
		return why;
	bump = vr_bump_close(vr);	/* stands still while we look */
	why = check_phase(vr, bump);
	if (!why)
		why = check_map(vr, bump);
	vr_bump_open(vr);
	if (why)
		return why;
	run = vr_vpage_run_pages(vr->pool, (void *)vr->fast.base);
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
		/* the first inconsistency, then which region (port.h: a message
		 * names the values it refers to) */
		VR_LOG(vr->port, VR_LOG_ERR, why, 0, 0);
		VR_LOG(vr->port, VR_LOG_ERR, "region failed validate (vr)", vr, 0);
		return -EFAULT;
	}
	return 0;
}
