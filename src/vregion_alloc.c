/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion_alloc.c - allocation and free in a region: the lifetime bump
 * (lock-free on shared regions), the interim heap, coherent aliases and the
 * free dispatch. The inline lifetime path is in vregion/vregion.h; the
 * contract is vregion/vregion.h.
 */
#include <errno.h>
#include <string.h>

#define VR_REGION_NO_INLINE	/* this file defines the exported vr_region_alloc */
#include "vregion_internal.h"

/* ---- tracing ------------------------------------------------------------------ */

static VR_COLD void trace_alloc(const struct vr_region *vr, const char *api, size_t size,
				size_t align, bool coherent, const void *p, int result)
{
	VRI_TRACE(vr->port, VR_REGION_EV(vr, VR_TRACE_ALLOC, api), .phase = (int)vr->phase,
		  .size = size, .align = align,
		  .coherent = coherent, .result = result,
		  .offset = p ? (size_t)((uintptr_t)p - vr->fast.base) : 0);
}

static VR_COLD void trace_free(const struct vr_region *vr, const char *api, uintptr_t a, int result)
{
	VRI_TRACE(vr->port, VR_REGION_EV(vr, VR_TRACE_FREE, api), .phase = (int)vr->phase,
		  .result = result,
		  .offset = a >= vr->fast.base && a < vr->fast.end ? (size_t)(a - vr->fast.base)
								 : SIZE_MAX);
}

/* ---- allocation ------------------------------------------------------------ */

/*
 * Lifetime bump with effective alignment a (a power of two >= min_align);
 * lock held (or NOLOCK). While the bump pointer is open an inline bump may
 * race with this one: one compare-and-swap decides, the loser retries.
 */
static void *lifetime_alloc(struct vr_region *vr, size_t size, size_t a)
{
	uintptr_t *bp = vr->closed ? &vr->bump : &vr->fast.ptr;
	uintptr_t ptr = vr_atomic_load(bp), end = vr->lifetime_end, p, n;
	size_t round, need;

	VR_ASSERT(vr_is_pow2(a) && a >= vr->min_align && size > 0);
	/* As upstream: a cache-line-aligned allocation is padded to the line,
	 * every other one to min_align (p is aligned to both; end is page
	 * aligned, so the rounded size still fits). */
	round = a == vr->line ? a : vr->min_align;
	do {
		VR_ASSERT(ptr >= vr->fast.base && ptr <= end);
		if (a - 1 > UINTPTR_MAX - ptr)
			return NULL;
		p = vr_align_up(ptr, a);
		/* Bounds BEFORE rounding (upstream bug 4.10: rounding first wrapped). */
		if (p > end || size > (size_t)(end - p))
			return NULL;
		need = (size + round - 1) & ~(round - 1);
		VR_ASSERT(need <= (size_t)(end - p));
		n = p + need;
		if (vr->closed) {
			vr->bump = n;
			break;
		}
	} while (!vr_atomic_cas(bp, &ptr, n));
	vr_starts_set(vr, vr_granule(vr, p));
	/* lifetime memory is never reused: it is still the map's zeros */
	VR_REGION_TRACK(vr, p, size, VR_TRACK_DEFINED);
	VR_ASSERT(!(p & vr->fast.mask) && (p & (a - 1)) == 0 && vr_bump_now(vr) >= n);
	return (void *)p;
}

/* Interim block at effective alignment a; lock held, phase INTERIM. */
static VR_INLINE_HOT void *interim_alloc(struct vr_region *vr, size_t size, size_t a)
{
	void *p;

	/* the heap's granule is min_align: its plain path aligns to it */
	p = a == vr->min_align ? vr_heap_alloc(vr->heap, size) : vr_heap_aligned_alloc(vr->heap, a, size);
	VR_ASSERT(!p || ((uintptr_t)p >= vr->interim_lo && (uintptr_t)p < vr->interim_hi &&
			 !((uintptr_t)p & (a - 1))));
	return p;	/* the heap annotates its blocks itself (VR_CONFIG_TRACK) */
}

/* Why an allocation of size at effective alignment a failed, for the trace
 * and the log (cold; lock held): -EINVAL bad arguments, -ENOSPC phase
 * INVALID, -ENOMEM no space in the current phase. */
static VR_COLD int alloc_reason(const struct vr_region *vr, size_t size, size_t a)
{
	if (size == 0 || a == 0)
		return -EINVAL;
	return vr->phase == VR_REGION_INVALID ? -ENOSPC : -ENOMEM;
}

/*
 * Allocate size bytes at effective alignment a (a power of two >=
 * min_align, or 0: bad arguments, the request fails) in the current phase;
 * lock held. Counts every failure.
 */
static VR_INLINE_HOT void *alloc_locked(struct vr_region *vr, size_t size, size_t a)
{
	void *p = NULL;

	if (VR_LIKELY(size != 0 && a != 0)) {
		VR_ASSERT(vr_is_pow2(a) && a >= vr->min_align);
		if (VR_LIKELY(vr->phase == VR_REGION_INTERIM))
			p = interim_alloc(vr, size, a);
		else if (vr->phase == VR_REGION_LIFETIME)
			p = lifetime_alloc(vr, size, a);
	}
	if (VR_UNLIKELY(p == NULL))
		vr->failures++;
	return p;
}

static VR_COLD void alloc_log(const struct vr_region *vr, const char *api, int result,
			      enum vr_region_phase phase, size_t size, size_t align)
{
	const char *why = result == -EINVAL ? VR_REGION_MSG_("bad size or alignment (size, align)")
		: result == -ENOSPC ? VR_REGION_MSG_("region INVALID (size, align)")
		: phase == VR_REGION_LIFETIME ? VR_REGION_MSG_("lifetime part full (size, align)")
		: VR_REGION_MSG_("interim heap full (size, align)");

	VR_LOGF(vr->port, result == -ENOMEM ? VR_LOG_WRN : VR_LOG_ERR, api, why, size, align);
}

/* The uncached alias of a coherent block of `size` bytes (a multiple of the
 * line), its cached lines dropped so that no later eviction overwrites what
 * is written through the uncached alias. `interim`: the block is an interim
 * one (the phase as the locked allocation saw it: reading vr->phase here,
 * unlocked, would race with a set_interim on another thread). */
static void *coherent_alias(const struct vr_region *vr, void *p, size_t size, bool interim)
{
	const struct vr_port *port = vr->port;

	VR_ASSERT(!((uintptr_t)p & (vr->line - 1)) && !(size & (vr->line - 1)));
	/* the heap annotates the cached alias of an interim block; the user
	 * writes this one through the other */
	if (interim)
		VR_REGION_TRACK(vr, p, size, VR_TRACK_UNDEFINED | VR_TRACK_ALIAS_ONLY);
	(void)interim;
	if (port->cache_invalidate)
		port->cache_invalidate(port->ctx, p, size);
	return port->to_uncached ? port->to_uncached(port->ctx, p) : p;
}

/* A failed or traced allocation, lock held: trace, unlock, log. */
static VR_COLD void *alloc_unusual(struct vr_region *vr, void *p, size_t n, size_t a,
				   const char *api, size_t size, size_t align, bool coherent)
{
	enum vr_region_phase phase = vr->phase;
	int result = p ? 0 : alloc_reason(vr, n, a);

	if (VR_REGION_TRACED(vr))
		trace_alloc(vr, api, size, align, coherent, p, result);
	vr_region_leave(vr);
	if (!p)
		alloc_log(vr, api, result, phase, size, align);
	return p;
}

/*
 * Lock, allocate, trace, unlock, log. n and a are the request as vregion.h
 * normalises it (a = 0: refused); size and align the caller's (for the
 * trace and the log, which only an unusual call needs). *interim (coherent
 * calls; NULL otherwise): the block came from the interim heap.
 */
static VR_INLINE_HOT void *alloc_entry(struct vr_region *vr, size_t n, size_t a, const char *api,
				       size_t size, size_t align, bool *interim)
{
	bool coherent = interim != NULL;
	void *p;

	vr_region_enter(vr);
	p = alloc_locked(vr, n, a);
	if (interim)
		*interim = vr->phase == VR_REGION_INTERIM;
	if (VR_UNLIKELY(p == NULL || VR_REGION_TRACED(vr)))
		return alloc_unusual(vr, p, n, a, api, size, align, coherent);
	vr_region_leave(vr);
	return p;
}

/* The effective alignment of a request: max(align, floor), or 0 iff align
 * is not 0 or a power of two. */
static inline size_t effective_align(size_t align, size_t floor)
{
	if (VR_UNLIKELY(align & (align - 1)))
		return 0;
	return align > floor ? align : floor;
}

void *vri_region_alloc_api(struct vr_region *vr, size_t size, size_t align, bool coherent,
			   const char *api)
{
	size_t n = size, line, a;
	bool interim = false;
	void *p;

	if (VR_REGION_BAD(vr, api))
		return NULL;
	if (VR_LIKELY(!coherent))
		return alloc_entry(vr, size, effective_align(align, vr->min_align), api, size, align,
				   NULL);
	/* coherent: line padded (refused if that overflows) and line aligned */
	line = vr->line;
	a = effective_align(align, line > vr->min_align ? line : vr->min_align);
	if (size > SIZE_MAX - (line - 1))
		a = 0;
	else
		n = (size + line - 1) & ~(line - 1);
	p = alloc_entry(vr, n, a, api, size, align, &interim);
	return p ? coherent_alias(vr, p, n, interim) : NULL;
}

void *vr_region_alloc_slow_(struct vr_region *vr, size_t size, size_t align)
{
	return vri_region_alloc_api(vr, size, align, false, VR_REGION_MSG_("vr_region_alloc"));
}

void *vr_region_alloc(struct vr_region *vr, size_t size)
{
	return vr_region_alloc_inline_(vr, size);
}

void *vr_region_alloc_align(struct vr_region *vr, size_t size, size_t align)
{
	return vri_region_alloc_align_named(vr, size, align, VR_REGION_MSG_(__func__));
}

void *vr_region_alloc_coherent_align(struct vr_region *vr, size_t size, size_t align)
{
	return vri_region_alloc_api(vr, size, align, true, VR_REGION_MSG_(__func__));
}

void *vr_region_alloc_coherent(struct vr_region *vr, size_t size)
{
	return vri_region_alloc_api(vr, size, 0, true, VR_REGION_MSG_(__func__));
}

/* ---- free ------------------------------------------------------------------ */

/* Either alias -> cached alias. A pointer inside the region's cached range
 * needs no port call (the common case). */
static uintptr_t to_cached(const struct vr_region *vr, const void *ptr)
{
	const struct vr_port *port = vr->port;
	uintptr_t a = (uintptr_t)ptr;

	if (a - vr->fast.base < vr->size)
		return a;
	if (port->is_uncached && port->to_cached && port->is_uncached(port->ctx, ptr))
		a = (uintptr_t)port->to_cached(port->ctx, (void *)a);
	VR_ASSERT(port->to_uncached || a == (uintptr_t)ptr);
	return a;
}

/* Interim part [lifetime_end, end); lock held. */
static int interim_free(struct vr_region *vr, uintptr_t a, const char **why)
{
	size_t usable;
	int rc;

	/* No block starts below the heap's first block or past what it
	 * manages, and every block is min_align aligned: refused here, with
	 * the region's own reason; the heap checks the rest (an aligned
	 * interior pointer usually reads as a corrupted header: -EFAULT). */
	if (a < vr->interim_lo || a >= vr->interim_hi || (a & vr->fast.mask)) {
		*why = VR_REGION_MSG_("not an interim block start, heap metadata or misaligned (ptr)");
		return -EINVAL;
	}
	/* the heap poisons the block in the cached alias; a coherent block was
	 * used through the uncached one */
	usable = VR_CONFIG_TRACK ? vr_heap_usable_size(vr->heap, (void *)a) : 0;
	rc = vr_heap_free(vr->heap, (void *)a);	/* it poisons the block itself */
	if (rc == 0) {
		VR_REGION_TRACK(vr, a, usable, VR_TRACK_NOACCESS | VR_TRACK_ALIAS_ONLY);
		return 0;
	}
	*why = rc == -EFAULT ?
		VR_REGION_MSG_("bad interim block header: interior pointer or corruption? (ptr)") :
		VR_REGION_MSG_("not a live interim block: double free? (ptr)");
	return rc;
}

#if VR_CONFIG_TRACK
/* A freed lifetime object: no access up to the next start (or the bump). */
static void lifetime_untrack(struct vr_region *vr, size_t g)
{
	size_t top = (size_t)(vr_bump_now(vr) - vr->fast.base) >> vr->fast.shift, h = g + 1;

	while (h < top && !vr_starts_test(vr, h))
		h++;
	VR_REGION_TRACK(vr, vr->fast.base + (g << vr->fast.shift), (h - g) << vr->fast.shift,
			VR_TRACK_NOACCESS);
}
#else
#define lifetime_untrack(vr, g) ((void)(vr), (void)(g))
#endif

/* Lifetime part [base, lifetime_end); lock held. */
static int lifetime_free(struct vr_region *vr, uintptr_t a, const char **why)
{
	size_t off = (size_t)(a - vr->fast.base), g = off >> vr->fast.shift;

	if ((off & vr->fast.mask) || !vr_starts_test(vr, g)) {
		*why = VR_REGION_MSG_("not a live lifetime block: interior pointer or double free? (ptr)");
		return -EINVAL;
	}
	vr_starts_clear(vr, g);
	vr->lifetime_frees++;	/* counted, the space is not reused */
	VR_ASSERT(a < vr_bump_now(vr));
	lifetime_untrack(vr, g);
	return 0;
}

/* A refused or traced free, lock held: count, trace, unlock, log. a is the
 * cached alias of ptr (or ptr itself when it is foreign). */
static VR_COLD int free_unusual(struct vr_region *vr, const void *ptr, uintptr_t a,
				const char *api, int rc, const char *why)
{
	if (rc)
		vr->errors++;
	if (VR_REGION_TRACED(vr))
		trace_free(vr, api, a, rc);
	vr_region_leave(vr);
	if (rc)
		VR_LOGF(vr->port, VR_LOG_ERR, api, why, ptr, 0);
	return rc;
}

/* NULL, the uncached alias of a region pointer, or a foreign pointer. */
static VR_COLD int free_outside(struct vr_region *vr, void *ptr, const char *api);

/* Free dispatch for a (cached) address inside the region: the interim part
 * (reachable only in INTERIM) or the lifetime part. */
static VR_INLINE_HOT int free_inside(struct vr_region *vr, const void *ptr, uintptr_t a,
				     const char *api)
{
	const char *why = NULL;
	int rc;

	VR_ASSERT(a - vr->fast.base < vr->size);
	vr_region_enter(vr);
	if (a >= vr->lifetime_end)
		rc = interim_free(vr, a, &why);
	else
		rc = lifetime_free(vr, a, &why);
	if (VR_UNLIKELY(rc != 0 || VR_REGION_TRACED(vr)))
		return free_unusual(vr, ptr, a, api, rc, why);
	vr_region_leave(vr);
	return 0;
}

static VR_COLD int free_outside(struct vr_region *vr, void *ptr, const char *api)
{
	uintptr_t a = ptr ? to_cached(vr, ptr) : 0;

	if (ptr && a - vr->fast.base < vr->size)
		return free_inside(vr, ptr, a, api);	/* the uncached alias */
	vr_region_enter(vr);
	return free_unusual(vr, ptr, a, api, -EINVAL, ptr ? VR_REGION_MSG_("pointer not in this region (ptr)")
						       : VR_REGION_MSG_("NULL pointer"));
}

int vri_region_free_api(struct vr_region *vr, void *ptr, const char *api)
{
	uintptr_t a = (uintptr_t)ptr;

	if (VR_REGION_BAD(vr, api))
		return -EINVAL;
	if (VR_UNLIKELY(a - vr->fast.base >= vr->size))
		return free_outside(vr, ptr, api);
	return free_inside(vr, ptr, a, api);
}

int vr_region_free(struct vr_region *vr, void *ptr)
{
	return vri_region_free_api(vr, ptr, VR_REGION_MSG_(__func__));
}

bool vr_region_contains(struct vr_region *vr, const void *ptr)
{
	if (!vr_region_live(vr) || !ptr)
		return false;
	return to_cached(vr, ptr) - vr->fast.base < vr->size;
}
