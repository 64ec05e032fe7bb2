/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/vregion.h - a virtual region: one contiguous run of virtual pages
 * from a vpage pool, owned by a pipeline (or a module on its own thread),
 * handed out in two phases.
 *
 *   LIFETIME (from create): a bump allocator packs objects that live as long
 *     as the region. No per-object header; frees are counted, not reused.
 *   INTERIM (from vr_region_set_interim): the space above the bump pointer
 *     becomes an interim heap (vregion/heap.h) for short-lived allocations;
 *     alloc and free in bounded time. vr_region_interim_reset drops all
 *     interim allocations at once (pipeline reset).
 *   INVALID: set_interim found too little space for a heap; every later
 *     alloc fails, lifetime frees are still counted (as upstream).
 *
 * The region is reference counted (get/put) and released in one step by the
 * last put. Its control block lives outside the region (port meta_alloc), so
 * the region's users cannot corrupt it; inside the region there is only user
 * data plus the interim heap's checked block headers.
 *
 * (Complexity, alignment, per-allocation overhead and locking are documented
 * on each call below by the implementation.)
 */
#ifndef VREGION_VREGION_H
#define VREGION_VREGION_H

#include "vregion/vpage.h"
#include "vregion/heap.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vr_region;	/* opaque; lives in port metadata */

enum vr_region_phase {
	VR_REGION_LIFETIME = 0,
	VR_REGION_INTERIM = 1,
	VR_REGION_INVALID = 2,
};

/* Region options (flags). */
enum vr_region_flags {
	/* Map the lifetime pages read-only at set_interim (the interim heap then
	 * starts on a page boundary). */
	VR_REGION_SEAL = 1u << 0,
	/* Leave unmapped guard page(s) after the region (pool guard pages are
	 * used when the pool has them; this asks for one when it has none). */
	VR_REGION_GUARD = 1u << 1,
	/* The owner is single-threaded: no lock is created or taken. */
	VR_REGION_NOLOCK = 1u << 2,
};

struct vr_region_config {
	size_t size;		/* bytes requested; rounded up to whole pages; > 0 */
	size_t min_align;	/* minimum alignment of every allocation; power of
				 * two; 0 = the port's cache line (as upstream) */
	unsigned flags;		/* enum vr_region_flags */
	const char *name;	/* optional, for logs and the simulator */
};

struct vr_region_stats {
	enum vr_region_phase phase;
	size_t size;			/* bytes mapped for the region */
	size_t pages;
	size_t refcount;
	size_t lifetime_used;		/* bytes bumped, padding included */
	size_t lifetime_size;		/* bytes of the lifetime part (whole region before set_interim) */
	size_t lifetime_allocs;
	size_t lifetime_frees;		/* counted, not reused */
	size_t interim_size;		/* bytes given to the interim heap */
	size_t interim_used;
	size_t interim_peak;
	size_t interim_largest_free;
	size_t interim_live;
	size_t failures;		/* failed allocations */
	size_t errors;			/* rejected frees and bad calls */
	size_t outstanding_at_last_put;	/* live allocations when the last put released it */
};

/*
 * Create a region of cfg->size bytes (rounded up to pages) from `pool`.
 * Returns the region with refcount 1 in the LIFETIME phase, or NULL iff:
 * pool or cfg NULL, size 0 or overflowing, min_align not a power of two or
 * larger than a page, metadata or lock allocation failed, or the pool could
 * not allocate the pages. On NULL nothing is left allocated.
 */
struct vr_region *vr_region_create(struct vr_vpage_pool *pool, const struct vr_region_config *cfg);

/* Take a reference. Returns vr, or NULL iff vr is NULL or not a live region. */
struct vr_region *vr_region_get(struct vr_region *vr);

/*
 * Drop a reference. Returns vr while references remain; NULL when this put
 * released the region (pages back to the pool, metadata freed) or when vr is
 * NULL or not a live region (counted as an error; logged).
 */
struct vr_region *vr_region_put(struct vr_region *vr);

/*
 * Switch LIFETIME -> INTERIM. Returns 0 (also when already INTERIM: harmless),
 * -EINVAL (bad vr), -ENOSPC (too little space above the bump pointer for a
 * heap: the region is now INVALID; calling again re-evaluates), or the port's
 * errno if sealing failed (the region stays in LIFETIME).
 */
int vr_region_set_interim(struct vr_region *vr);

/* Drop every interim allocation at once. Returns 0, -EINVAL (bad vr or not
 * INTERIM). */
int vr_region_interim_reset(struct vr_region *vr);

/* Allocate size bytes at the region's minimum alignment. NULL iff vr bad,
 * size 0 or too large, phase INVALID, or no space (counted in failures). */
void *vr_region_alloc(struct vr_region *vr, size_t size);

/* As vr_region_alloc with align (power of two; raised to the minimum). NULL
 * also iff align is not a power of two. */
void *vr_region_alloc_align(struct vr_region *vr, size_t size, size_t align);

/* Coherent allocation: cache-line aligned and padded, the cached lines
 * invalidated, returned through the port's uncached alias. */
void *vr_region_alloc_coherent(struct vr_region *vr, size_t size);
void *vr_region_alloc_coherent_align(struct vr_region *vr, size_t size, size_t align);

/*
 * Free by address (either alias). Interim blocks return to the heap; lifetime
 * allocations are counted. Returns 0, or -EINVAL iff vr bad, ptr NULL, ptr
 * not inside the region, or not an allocation start (interior, foreign,
 * double free of an interim block), -EFAULT iff heap corruption is detected.
 */
int vr_region_free(struct vr_region *vr, void *ptr);

/* True iff ptr (either alias) lies inside the region. */
bool vr_region_contains(struct vr_region *vr, const void *ptr);

int vr_region_get_stats(struct vr_region *vr, struct vr_region_stats *st);

/* Total size and cached base (either out pointer may be NULL). 0 or -EINVAL. */
int vr_region_mem_info(struct vr_region *vr, size_t *size, uintptr_t *start);

enum vr_region_phase vr_region_phase(struct vr_region *vr);

/* Full O(n) check: control block, bump pointer bounds, heap validate, page
 * mapping and protection as recorded. Returns 0, -EINVAL or -EFAULT. */
int vr_region_validate(struct vr_region *vr);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_VREGION_H */
