/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion_internal.h - the region control block and its helpers, shared by
 * the files of the vregion component: vregion.c (lifecycle, phases, small
 * queries), vregion_alloc.c (allocation and free), vregion_inspect.c
 * (stats, info, validate). Not installed. The contract is vregion/vregion.h.
 */
#ifndef VREGION_INTERNAL_H
#define VREGION_INTERNAL_H

#include "vregion/vregion.h"
#include "util.h"
#include "track.h"
#include "vregion_api.h"
#include "vpage_api.h"
#include "trace_emit.h"

#define VR_REGION_MAGIC 0x5652474eu	/* "VRGN": live */
#define VR_REGION_DEAD  0x44454144u	/* "DEAD": released, metadata freed */

/*
 * The control block, in one port meta_alloc block together with the heap
 * control block and the lifetime start map (vri_region_layout).
 * Invariants (checked by vr_region_validate; B is the bump pointer, which
 * is fast.ptr while open and `bump` while closed, see vregion.h):
 *   base <= B <= lifetime_end <= end, all min_align aligned;
 *   lifetime_end == end unless INTERIM; closed unless LIFETIME; closed iff
 *   fast.ptr == end; no start entry at or above B. The lifetime allocation
 *   count is not kept: it is popcount(starts) + lifetime_frees (one store
 *   less on the fast path).
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
	uint32_t id;			/* creation number in the pool (traces) */
	enum vr_region_phase phase;
	const struct vr_port *port;
	unsigned flags;
	bool sealed;
	bool own_guard;			/* run is a reservation of pages + 1 */
	bool closed;			/* the bump pointer is in `bump` (lock held) */
	bool may_open;			/* LIFETIME may open it (no trace, no track,
					 * lock-free atomics or no lock) */
	bool frozen;			/* a long section runs (vr_region_lock) */
	bool held_both;			/* short section: the ordinary lock too */
	struct vr_port_lock *spin;	/* the short lock, or NULL (then `lock`) */
	uintptr_t held_key;		/* short section: the short lock's key */
	uintptr_t bump;			/* the bump pointer while closed */
	uintptr_t lifetime_end;		/* interim base in INTERIM, else end */
	uintptr_t interim_lo;		/* INTERIM: lowest address a block can have */
	uintptr_t interim_hi;		/* INTERIM: end of what the heap manages */
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

/*
 * Locks. A shared region has the port's ordinary lock and, where the port
 * has them, a short lock (port.h: bounded sections, never a port call):
 *   short sections (alloc, free, get, put, interim reset, phase): the short
 *     lock, or the ordinary one on a port without short locks;
 *   long sections (set_interim: it may protect pages; stats, info,
 *     validate: O(region) work): the ordinary lock, the region FROZEN while
 *     they run. A short section that finds the region frozen lets go of the
 *     short lock and waits on the ordinary one, so a long section never
 *     holds the short lock for more than setting the flag, and nothing
 *     changes under it.
 * NOLOCK regions (and ports without locks) take none.
 */
/* A frozen region: wait for the long section (out of line, vregion.c). */
void vri_region_enter_frozen(struct vr_region *vr, uintptr_t key);

/* Enter a short section. What leave needs (the short lock's key, whether
 * the ordinary lock was taken too) is kept in the control block: it is the
 * holder's while the section lasts. */
static VR_INLINE_HOT void vr_region_enter(struct vr_region *vr)
{
	const struct vr_port *port = vr->port;
	uintptr_t key;

	if (vr->spin) {
		key = port->spin_lock(port->ctx, vr->spin);
		if (VR_UNLIKELY(vr->frozen)) {
			vri_region_enter_frozen(vr, key);
			return;
		}
		vr->held_key = key;
	} else if (vr->lock) {
		port->lock(port->ctx, vr->lock);
	}
}

static VR_INLINE_HOT void vr_region_leave(struct vr_region *vr)
{
	const struct vr_port *port = vr->port;
	struct vr_port_lock *lock = vr->lock;	/* read before the short lock goes: */
	bool both;				/* then a last put may free vr */

	if (vr->spin) {
		both = vr->held_both;
		vr->held_both = false;
		port->spin_unlock(port->ctx, vr->spin, vr->held_key);
		if (VR_UNLIKELY(both))
			port->unlock(port->ctx, lock);
	} else if (vr->lock) {
		port->unlock(port->ctx, vr->lock);
	}
}

/* A long section: the ordinary lock, the region frozen for short ones. */
static inline void vr_region_lock(struct vr_region *vr)
{
	const struct vr_port *port = vr->port;
	uintptr_t key;

	if (!vr->lock)
		return;
	port->lock(port->ctx, vr->lock);
	if (vr->spin) {
		key = port->spin_lock(port->ctx, vr->spin);
		VR_ASSERT(!vr->frozen);
		vr->frozen = true;
		port->spin_unlock(port->ctx, vr->spin, key);
	}
}

static inline void vr_region_unlock(struct vr_region *vr)
{
	const struct vr_port *port = vr->port;
	uintptr_t key;

	if (!vr->lock)
		return;
	if (vr->spin) {
		key = port->spin_lock(port->ctx, vr->spin);
		vr->frozen = false;
		port->spin_unlock(port->ctx, vr->spin, key);
	}
	port->unlock(port->ctx, vr->lock);
}

/* ---- atomics on the bump pointer and the start map (VR_CONFIG_LOCKFREE) ---- */

#if VR_CONFIG_LOCKFREE
#define vr_atomic_load(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define vr_atomic_store(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define vr_atomic_xchg(p, v)	__atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
#define vr_atomic_cas(p, oldp, v) \
	__atomic_compare_exchange_n((p), (oldp), (v), false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)
#else
/* No concurrent writer without lock-free atomics: every bump is under the
 * lock (or on a NOLOCK region), so plain accesses are exact. */
static inline uintptr_t vr_plain_xchg(uintptr_t *p, uintptr_t v)
{
	uintptr_t old = *p;

	*p = v;
	return old;
}
static inline bool vr_plain_cas(uintptr_t *p, uintptr_t *oldp, uintptr_t v)
{
	if (*p != *oldp) {
		*oldp = *p;
		return false;
	}
	*p = v;
	return true;
}
#define vr_atomic_load(p)	(*(p))
#define vr_atomic_store(p, v)	(*(p) = (v))
#define vr_atomic_xchg(p, v)	vr_plain_xchg((p), (v))
#define vr_atomic_cas(p, oldp, v) vr_plain_cas((p), (oldp), (v))
#endif

/* ---- the bump pointer (lock held, or NOLOCK) ---- */

/* The bump pointer now (a concurrent inline bump may move it while open). */
static inline uintptr_t vr_bump_now(const struct vr_region *vr)
{
	return vr->closed ? vr->bump : vr_atomic_load(&vr->fast.ptr);
}

/* Stop the inline path and the lock-free bumps: the bump pointer stands
 * still until vr_bump_open. Returns it. */
static inline uintptr_t vr_bump_close(struct vr_region *vr)
{
	if (!vr->closed) {
		vr->bump = vr_atomic_xchg(&vr->fast.ptr, vr->fast.end);
		vr->closed = true;
	}
	VR_ASSERT(vr_atomic_load(&vr->fast.ptr) == vr->fast.end);
	return vr->bump;
}

/* Open it again where the phase and the region allow (LIFETIME only). */
static inline void vr_bump_open(struct vr_region *vr)
{
	if (vr->closed && vr->may_open && vr->phase == VR_REGION_LIFETIME) {
		vr->closed = false;
		vr_atomic_store(&vr->fast.ptr, vr->bump);
	}
}

/* ---- the lifetime start map (starts, one bool per granule) ---- */

static inline size_t vr_granule(const struct vr_region *vr, uintptr_t a)
{
	VR_ASSERT(a >= vr->fast.base && a < vr->fast.end);
	return (size_t)(a - vr->fast.base) >> vr->fast.shift;
}

static inline bool vr_starts_test(const struct vr_region *vr, size_t g)
{
	VR_ASSERT(g < vr->start_bytes);
	return vr_atomic_load(&vr->starts[g]);
}

static inline void vr_starts_set(struct vr_region *vr, size_t g)
{
	VR_ASSERT(g < vr->start_bytes);
	vr_atomic_store(&vr->starts[g], true);
}

static inline void vr_starts_clear(struct vr_region *vr, size_t g)
{
	VR_ASSERT(g < vr->start_bytes);
	vr_atomic_store(&vr->starts[g], false);
}

/* Live lifetime allocations: entries set below `top` (the bump pointer).
 * O(top / min_align). */
static inline size_t vr_starts_live(const struct vr_region *vr, uintptr_t top)
{
	size_t g, n = 0, end = (size_t)(top - vr->fast.base) >> vr->fast.shift;

	VR_ASSERT(end <= vr->start_bytes);
	for (g = 0; g < end; g++)
		n += vr_starts_test(vr, g);
	return n;
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

/* Live allocations: lifetime not freed + interim live. Lock held, bump
 * pointer closed (so the count is exact). vregion.c. */
size_t vri_region_outstanding(struct vr_region *vr);

/* ---- sanitizer annotations of region memory (track.h) ---- */

#if VR_CONFIG_TRACK
/* Annotate [p, p + n) in the cached alias and, where the port has one, the
 * uncached alias. kind: 0 noaccess, 1 undefined, 2 defined. vregion.c. */
void vri_region_track(const struct vr_region *vr, uintptr_t p, size_t n, int kind);
#define VR_REGION_TRACK(vr, p, n, kind) vri_region_track((vr), (uintptr_t)(p), (n), (kind))
#else
#define VR_REGION_TRACK(vr, p, n, kind) ((void)(vr), (void)(p), (void)(n), (void)(kind))
#endif
#define VR_TRACK_NOACCESS 0
#define VR_TRACK_UNDEFINED 1
#define VR_TRACK_DEFINED 2
#define VR_TRACK_ALIAS_ONLY 4	/* or'ed in: the uncached alias only */

/* ---- trace events (vregion/trace.h, emitted with trace_emit.h) ---- */

/* True iff the region's port has a trace hook (false with VR_CONFIG_TRACE=0). */
#define VR_REGION_TRACED(vr) VR_UNLIKELY(VRI_TRACING((vr)->port))

/* The fields every region event has, as designated initialisers (trace.h
 * lists which others each op sets; the rest stay 0). */
#define VR_REGION_EV(vr, op_, api_) .op = (op_), .api = (api_),                 \
	.pool = vri_vpage_trace_id((vr)->pool), .region = (vr)->id

#endif /* VREGION_INTERNAL_H */
