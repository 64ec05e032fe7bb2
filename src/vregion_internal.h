/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion_internal.h - the region control block, shared by the files of the
 * vregion component (vregion.c: lifecycle, phases, alloc, free;
 * vregion_inspect.c: stats, info, validate). Not installed.
 */
#ifndef VREGION_INTERNAL_H
#define VREGION_INTERNAL_H

#include "vregion/vregion.h"
#include "util.h"

#define VR_REGION_MAGIC 0x5652474eu	/* "VRGN": live */
#define VR_REGION_DEAD  0x44454144u	/* "DEAD": released, metadata freed */

/*
 * The control block, in one port meta_alloc block together with the heap
 * control block and the lifetime start map (see vr_region_create).
 * Invariants (checked by vr_region_validate):
 *   base <= fast.ptr <= lifetime_end <= end, all min_align aligned;
 *   lifetime_end == end unless INTERIM; fast.fast_end is end iff LIFETIME and
 *   no lock, else 0 (vr_region_fast_sync); no start entry at or above
 *   the bump pointer. The lifetime allocation count is not kept: it is
 *   popcount(starts) + lifetime_frees (one less store on the fast path).
 */
struct vr_region {
	/* Four words that no call on a released region reads: a meta_free that
	 * links the freed block through its first words leaves the fast path
	 * limit, the magic and the port intact (vregion.h, LIFE AFTER DEATH). */
	struct vr_vpage_pool *pool;
	struct vr_port_lock *lock;	/* NULL: NOLOCK or a port without locks */
	struct vr_heap *heap;		/* control block, in the same meta block */
	const char *name;
	struct vr_region_fast_ fast;	/* at VR_REGION_FAST_OFFSET_: the inline alloc */
	uint32_t magic;
	enum vr_region_phase phase;
	const struct vr_port *port;
	unsigned flags;
	bool sealed;
	bool own_guard;			/* run is a reservation of pages + 1 */
	uintptr_t end;			/* base + size */
	uintptr_t lifetime_end;		/* interim base in INTERIM, else end */
	size_t size;
	size_t pages;
	size_t line;			/* cache line, 1 if the port has none */
	size_t min_align;
	size_t refcount;
	size_t lifetime_frees;
	size_t failures;
	size_t errors;
	bool *starts;			/* lifetime start map, one entry per granule */
	size_t start_bytes;		/* entries: size / min_align */
	size_t meta_bytes;
};

_Static_assert(offsetof(struct vr_region, fast) == VR_REGION_FAST_OFFSET_,
	       "the inline alloc reads the fast fields at VR_REGION_FAST_OFFSET_");

static inline bool vr_region_live(const struct vr_region *vr)
{
	return vr && vr->magic == VR_REGION_MAGIC;
}

static inline void vr_region_lock(struct vr_region *vr)
{
	if (vr->lock)
		vr->port->lock(vr->port->ctx, vr->lock);
}

static inline void vr_region_unlock(struct vr_region *vr)
{
	if (vr->lock)
		vr->port->unlock(vr->port->ctx, vr->lock);
}

/* ---- the lifetime start map (starts, one bool per granule) ---- */

static inline bool vr_starts_test(const struct vr_region *vr, size_t g)
{
	return vr->starts[g];
}

static inline void vr_starts_set(struct vr_region *vr, size_t g)
{
	vr->starts[g] = true;
}

static inline void vr_starts_clear(struct vr_region *vr, size_t g)
{
	vr->starts[g] = false;
}

/* Live lifetime allocations (bytes set below the bump pointer; validate
 * checks there are none above). O(bump / min_align). */
static inline size_t vr_starts_live(const struct vr_region *vr)
{
	size_t g, n = 0, top = (size_t)(vr->fast.ptr - vr->fast.base) >> vr->fast.shift;

	for (g = 0; g < top; g++)
		n += vr->starts[g];
	return n;
}

/* The inline path's limit for the current phase. Written only by the owner
 * of a NOLOCK region (or before a locked region is shared: it stays 0). */
static inline void vr_region_fast_sync(struct vr_region *vr)
{
	uintptr_t want = vr->phase == VR_REGION_LIFETIME && !vr->lock ? vr->end : 0;

	if (vr->fast.fast_end != want)
		vr->fast.fast_end = want;
}

/*
 * Logging: every message goes through VR_LOG / VR_LOGF (vregion/port.h), so
 * -DVR_CONFIG_LOG_LEVEL=-1 removes the calls and their strings, and
 * -DVR_CONFIG_LOG_STRINGS=0 keeps the calls without the strings.
 * VR_REGION_MSG_ wraps a message that is chosen before the log call (kept
 * in a variable): "" when it can never be printed, so it leaves the image.
 */
#if VR_CONFIG_LOG_LEVEL >= 0 && VR_CONFIG_LOG_STRINGS
#define VR_REGION_MSG_(s) (s)
#else
#define VR_REGION_MSG_(s) ""
#endif

/* The entry check of every public function: true iff vr is not a live
 * region. The check is inline (it is on the allocation and free paths); the
 * out-of-line vri_region_dead logs "dead region" if the block still says
 * DEAD, and is compiled out with the ERR level. */
#if VR_CONFIG_LOG_LEVEL >= 0
bool vri_region_dead(const struct vr_region *vr, const char *func);
#define VR_REGION_BAD(vr, func) \
	(VR_UNLIKELY(!vr_region_live(vr)) && vri_region_dead((vr), VR_LOG_STR_(func)))
#else
#define VR_REGION_BAD(vr, func) (!vr_region_live(vr))
#endif

/* Live allocations: lifetime not freed + interim live. Lock held. */
size_t vri_region_outstanding(struct vr_region *vr);

#endif /* VREGION_INTERNAL_H */
