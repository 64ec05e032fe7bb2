/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/heap.h - the interim heap: a bounded-time, hardened heap over any
 * buffer. vregion uses it for the interim phase of a region; it is usable
 * alone.
 *
 * (The implementation's design, its constants, its worst-case steps and its
 * sizing formula are documented in the block comment below, filled in by the
 * implementation; see also docs/heap.md.)
 *
 * Thread-safety: none; the owner locks (vregion does).
 * Errors: vr_heap_free and friends return 0 or a negative errno; allocators
 * return NULL and count the failure. Bad input never crashes and never
 * changes state; corrupted metadata is detected and reported, never followed.
 */
#ifndef VREGION_HEAP_H
#define VREGION_HEAP_H

#include "vregion/config.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vr_heap;	/* defined below by the implementation (fields private) */

struct vr_heap_stats {
	size_t total;		/* bytes of the managed buffer */
	size_t used;		/* bytes in live blocks, headers included */
	size_t free;		/* bytes in free blocks, headers included */
	size_t peak;		/* highest `used` since init or reset */
	size_t largest_free;	/* largest request that would succeed unaligned */
	size_t live;		/* live allocations */
	size_t allocs;		/* successful allocations since init */
	size_t frees;		/* successful frees since init */
	size_t failures;	/* failed allocations since init */
	size_t errors;		/* rejected frees / detected corruption since init */
};

/*
 * Initialise a heap with control block `h` (caller storage, e.g. outside the
 * memory it manages) over [mem, mem + bytes). Returns 0, or -EINVAL iff h or
 * mem is NULL or the buffer (after aligning its start) is too small for one
 * block (see vr_heap_min_bytes()).
 */
int vr_heap_init(struct vr_heap *h, void *mem, size_t bytes);

/*
 * Place the control block at the start of [mem, mem + bytes) and manage the
 * rest. Returns the heap, or NULL iff mem is NULL or bytes is too small.
 */
struct vr_heap *vr_heap_create_in(void *mem, size_t bytes);

/* Drop every allocation at once (the heap is as after init; peak is reset,
 * the cumulative counters are kept). O(1) plus clearing the free lists. */
void vr_heap_reset(struct vr_heap *h);

/* Allocate `size` bytes with the default alignment (documented above).
 * Returns NULL iff h is NULL, size is 0 or too large, or no block fits. */
void *vr_heap_alloc(struct vr_heap *h, size_t size);

/* Allocate with `align` a power of two (0 = default). NULL also iff align is
 * not a power of two. */
void *vr_heap_aligned_alloc(struct vr_heap *h, size_t align, size_t size);

/*
 * Free a pointer returned by the allocators above. Returns 0, or:
 *   -EINVAL iff h is NULL, ptr is NULL, ptr is outside the heap, or not the
 *           start of a live block (interior pointer, double free);
 *   -EFAULT iff the block's header or a neighbour's is corrupted.
 * On error nothing changes and `errors` is counted.
 */
int vr_heap_free(struct vr_heap *h, void *ptr);

/* Usable bytes of the live block at ptr (>= the size asked for), 0 if ptr is
 * not a live block start. */
size_t vr_heap_usable_size(struct vr_heap *h, const void *ptr);

/* True iff ptr lies inside the heap's managed buffer. O(1). */
bool vr_heap_contains(const struct vr_heap *h, const void *ptr);

/* Snapshot of the statistics. Returns 0 or -EINVAL. O(1). */
int vr_heap_get_stats(const struct vr_heap *h, struct vr_heap_stats *st);

/* Call cb(arg, ptr, usable_bytes, used) for every block in address order;
 * stops early on non-zero and returns it; -EFAULT on corruption. */
int vr_heap_walk(struct vr_heap *h,
		 int (*cb)(void *arg, void *ptr, size_t bytes, bool used), void *arg);

/* Full O(n) consistency check (blocks tile the buffer, free lists and bitmaps
 * agree, counters match). Returns 0 or -EFAULT; works with asserts off. */
int vr_heap_validate(struct vr_heap *h);

/* Smallest buffer vr_heap_init accepts; control bytes for vr_heap_create_in. */
size_t vr_heap_min_bytes(void);
size_t vr_heap_control_bytes(void);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_HEAP_H */
