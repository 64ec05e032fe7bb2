/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sof/lib/vregion.h - SOF's virtual region API, with SOF's exact prototypes
 * (thesofproject/sof src/include/sof/lib/vregion.h, phase II, with
 * vregion_for_each of #11041), for host programs (SOF on Zephyr uses its
 * own header: docs/zephyr.md), over
 * vregion's vr_region (vregion/vregion.h) and the default pool
 * (vregion/sof_compat.h). `struct vregion` is SOF's opaque type; here it is
 * a vr_region (vr_sof_region() converts).
 *
 * Same behaviour as upstream (SYSTEM.md 1.2):
 *   - vregion_create(memsize): memsize rounded up to pages, refcount 1,
 *     LIFETIME phase; 0 -> NULL.
 *   - lifetime allocations bump from the base; alignment below the cache
 *     line (64) is raised to it; a line-aligned allocation is padded to the
 *     line. vregion_alloc(vr, n) == vregion_alloc_align(vr, n, 0).
 *   - vregion_set_interim: the space from the bump pointer (aligned to the
 *     line) to the end becomes the interim heap; a second call is harmless;
 *     too little space leaves the region INVALID (every later alloc fails,
 *     lifetime frees still accepted) and a later call re-evaluates.
 *   - coherent allocations are line aligned and padded, the lines are
 *     invalidated and the uncached alias is returned; free takes either.
 *   - vregion_free: interim blocks are freed, lifetime frees are counted
 *     (no-op), foreign pointers are logged and ignored. NULL -> no-op.
 *   - vregion_put returns NULL when it released the region (or for NULL).
 * Differences, all fixes (SYSTEM.md 4, docs/sof-compat.md):
 *   - memory is zeroed when the pages are mapped (4.6);
 *   - region metadata AND the interim heap's control block live outside the
 *     region (4.7); only the heap's checked block headers are inside;
 *   - a non-power-of-two alignment fails (NULL) instead of panicking or
 *     misaligning (4.9); sizes near SIZE_MAX fail instead of wrapping (4.10);
 *   - interior, padding and double frees are rejected and logged (lifetime
 *     and interim) instead of corrupting the heap or being counted;
 *   - the too-little-space threshold is exact, not upstream's empirical
 *     1024: INVALID iff a fresh heap over the space left could not grant one
 *     min_align-sized block (vr_region_set_interim in vregion/vregion.h);
 *   - stats stay meaningful after set_interim (4.14); vregion_info takes the
 *     lock; vregion_mem_info accepts NULL (outputs 0);
 *   - the last put logs a warning with the count of live allocations (4.12).
 * Using a region after its last put is undefined behaviour (as free() in C):
 * a stale call is often refused and logged ("dead region"), but that is
 * guaranteed only while the port's metadata allocator leaves the freed block
 * as the put wrote it (vregion/vregion.h, LIFE AFTER DEATH).
 * Thread-safety: every call takes one lock of the region (as upstream's
 * k_mutex; a short lock for the bounded calls where the port has one), no
 * second lock inside the heap; a lifetime allocation takes none (one
 * compare-and-swap): vregion/vregion.h, THREAD-SAFETY. Not for interrupt
 * context.
 */
#ifndef __SOF_LIB_VREGION_H__
#define __SOF_LIB_VREGION_H__

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vregion;
struct k_heap;

/* Per-region snapshot given by vregion_for_each() (SOF #11041). */
struct vregion_snapshot {
	uintptr_t base;
	size_t size;
	unsigned int pages;
	size_t lifetime_used;
	int lifetime_free_count;
	unsigned int use_count;
};

/* Upstream's memory types (the phase of a region; not an API argument). */
enum vregion_mem_type {
	VREGION_MEM_TYPE_INTERIM,	/* interim allocation that can be freed */
	VREGION_MEM_TYPE_LIFETIME,	/* lifetime allocation */
	VREGION_MEM_TYPE_INVALID,	/* interim heap initialization failed */
};

/* Create a region of memsize bytes (rounded up to pages) from the default
 * pool. NULL iff memsize is 0 or too large, or memory is short. */
struct vregion *vregion_create(size_t memsize);

/* Switch to INTERIM (see above). NULL: no-op. */
void vregion_set_interim(struct vregion *vr);

/* Take a reference; returns vr (NULL for NULL, or a released region when
 * caught: see above). */
struct vregion *vregion_get(struct vregion *vr);

/* Drop a reference; returns vr, or NULL when the region was released. */
struct vregion *vregion_put(struct vregion *vr);

/* Allocate from the current phase. NULL on failure (logged). */
void *vregion_alloc(struct vregion *vr, size_t size);
void *vregion_alloc_coherent(struct vregion *vr, size_t size);
void *vregion_alloc_align(struct vregion *vr, size_t size, size_t alignment);
void *vregion_alloc_coherent_align(struct vregion *vr, size_t size, size_t alignment);

/* Free by address (either alias); errors are logged and ignored. */
void vregion_free(struct vregion *vr, void *ptr);

/* Log the region's usage through the port's log hook. NULL: no-op. */
void vregion_info(struct vregion *vr);

/* Total size and cached base; either pointer may be NULL; for a NULL or
 * released vr, when caught (see above), both outputs are 0. */
void vregion_mem_info(struct vregion *vr, size_t *size, uintptr_t *start);

/* Call cb(idx, snapshot, ctx) for every live region, in creation order,
 * with the list's lock held (and each region's lock while its snapshot is
 * taken): cb must not block or call vregion_*. NULL cb: no-op. */
void vregion_for_each(void (*cb)(int idx, const struct vregion_snapshot *s, void *ctx),
		      void *ctx);

/* sof_ctx_free for a context with a region (upstream bug 4.13): ptr inside
 * vr goes to vregion_free, a platform-heap block back to the heap. SOF's
 * sof_ctx_free calls vregion_free instead (docs/zephyr.md: the one-line
 * change). */
void vregion_ctx_free(struct vregion *vr, struct k_heap *heap, void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* __SOF_LIB_VREGION_H__ */
