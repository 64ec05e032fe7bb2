/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/heap.h - the interim heap: a bounded-time, hardened heap over any
 * buffer. vregion uses it for the interim phase of a region; it is usable
 * alone.
 *
 * Thread-safety: none; the owner locks (vregion does).
 * Errors: vr_heap_free and friends return 0 or a negative errno; allocators
 * return NULL and count the failure. Bad input never crashes and never
 * changes state; corrupted metadata is detected and reported, never followed.
 *
 * ---------------------------------------------------------------------------
 * Design (see docs/heap.md for the reasoning and the measurements)
 * ---------------------------------------------------------------------------
 * Two-level segregated fit (TLSF-like) over 8-byte granules ("units").
 *
 * Blocks. Every block is a multiple of 8 bytes, at least 16, and starts with
 * a 32-bit header; the payload follows the header and is 8-byte aligned.
 *   - Per-block overhead: 4 bytes (the header) + rounding of size + 4 up to 8.
 *     The usable size of a block is 8k - 4 >= the size asked for.
 *   - A free block also holds, after its header, the 32-bit unit index of
 *     the next and previous free block of its class, and in its last word its
 *     size (the "footer", read by the following block to coalesce).
 *   - The buffer ends with a 4-byte end marker (a used header of size 0).
 *
 * Header (32 bits, stored encoded): 9 check bits, a 21-bit size in units,
 * PREV_FREE and FREE. It is stored as ((key + fields) * A) ^ index where A is
 * an odd constant, key a per-heap 9-bit value in the top bits and index the
 * block's unit index. Decoding multiplies back; a header is valid iff the
 * top 9 bits equal the key. Properties (tested):
 *   - any change confined to one byte of a header is always detected;
 *   - a header copied to another place, a stale header and a random word
 *     are accepted with probability 2^-9; frees also check the neighbour
 *     headers, the footer and the free-list links, so a random word passes
 *     all of them with probability < 2^-18;
 *   - a merged (absorbed) header is overwritten by a "dead" marker, so a
 *     double free of a coalesced block is recognised as such.
 * Free-list links are unit indices (offsets), bounds-checked and checked for
 * back-link consistency (next->prev == me, prev->next == me or the class head
 * is me) before anything is written through them.
 *
 * Size classes, in units n (bytes = 8n, n >= 2), with S = VR_HEAP_SL_BITS:
 *   n < 2^S            : one class per unit (exact);
 *   n >= 2^S, 2^f <= n : 2^S classes per power of two (class width 2^(f-S)).
 * With the default S = 4: exact classes in 8-byte steps up to 255 bytes,
 * then 16 classes per power of two (width <= 6.25 % of the size).
 * A bitmap of non-empty classes (one summary word + one word per 32 classes)
 * finds the first non-empty class >= c in two bit scans.
 *
 * Allocation (good fit): look at the head of the request's own class and take
 * it if it is large enough; otherwise take the head of the first non-empty
 * class above (every block there fits). Split when the rest is >= 16 bytes.
 * The low part is returned, so the remainder keeps the old footer position.
 * Aligned allocation (align > 8): the same, searching for
 * size + align + 8 in the worst case; the leading gap becomes a free block
 * (gaps of 8 bytes are avoided by moving up one alignment step).
 * Free: check the block, both neighbours and the links, then coalesce with
 * both neighbours and push on the class list (LIFO).
 *
 * Worst-case steps (no loops anywhere on these paths):
 *   alloc/aligned_alloc: <= 2 class-head checks + 2 bitmap searches (4 bit
 *   scans), 1 unlink, <= 2 inserts; free: 3 header checks, <= 2 unlinks,
 *   1 insert. Instruction counts are in docs/performance.md.
 *
 * Default alignment: 8 bytes (VR_HEAP_ALIGN). Alignments are powers of two
 * from 1 to half the heap; 0 means the default.
 *
 * Sizing ("to hold these N objects you need at least X bytes"):
 *   block(s)    = max(16, round_up(s + 4, 8))                 (unaligned)
 *   block(s, a) = block(s) + a + 8 worst case for a > 8        (aligned; the
 *                 gap is a free block, reusable, but must exist at alloc time)
 *   X = sum(block(s_i)) + 4 (end marker) + 7 (alignment slack)
 *       [+ vr_heap_control_bytes() with vr_heap_create_in()]
 *   This is exact for allocations made in order into a fresh heap; under
 *   churn add the fragmentation margin measured in docs/performance.md
 *   (utilisation at first failure >= 0.92 on the reference workload, i.e.
 *   budget about X / 0.9).
 *
 * Limits: a heap manages at most VR_HEAP_MAX_BYTES (16 MiB by default); a
 * larger buffer is used only up to that size (the rest is never touched).
 * Control block: sizeof(struct vr_heap) (about 1.3 KiB with the defaults; it
 * holds the class heads, so it can live outside the memory it manages).
 */
#ifndef VREGION_HEAP_H
#define VREGION_HEAP_H

#include "vregion/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default alignment of vr_heap_alloc() and minimum block. */
#define VR_HEAP_ALIGN		8u
#define VR_HEAP_MIN_BLOCK	16u

/* Second-level classes per power of two: 2^VR_HEAP_SL_BITS (2..5). */
#ifndef VR_HEAP_SL_BITS
#define VR_HEAP_SL_BITS		4
#endif

/* Size field of the header: 21 bits of 8-byte units. */
#define VR_HEAP_UNIT_BITS	21
#define VR_HEAP_MAX_BYTES	((size_t)((1ul << VR_HEAP_UNIT_BITS) - 1) * 8u)

/* Number of size classes and bitmap words (one spare word, always 0). */
#define VR_HEAP_NCLASSES	((VR_HEAP_UNIT_BITS - VR_HEAP_SL_BITS + 1) << VR_HEAP_SL_BITS)
#define VR_HEAP_BM_WORDS	(VR_HEAP_NCLASSES / 32 + 1)

#if VR_HEAP_SL_BITS < 2 || VR_HEAP_SL_BITS > 5 || VR_HEAP_NCLASSES > 32 * 31
#error "VR_HEAP_SL_BITS must be 2..5"
#endif

/*
 * The control block. Its fields are private: use only the functions below.
 * It is defined here so the owner can embed it (vregion keeps it outside the
 * region, in port metadata).
 */
struct vr_heap {
	uintptr_t hb;			/* address of the (virtual) header of unit 0 */
	uint32_t end_u;			/* unit index of the end marker */
	uint32_t kc;			/* check key, in the top 9 bits */
	uint32_t dead;			/* encoded "dead" header, before ^ index */
	uint32_t used_u;		/* units in live blocks */
	uint32_t peak_u;		/* highest used_u since init/reset */
	uint32_t max_req;		/* largest request that could ever fit */
	uint32_t summary;		/* bit w: bitmap[w] != 0 */
	uint32_t magic;			/* identifies an initialised heap */
	uint32_t bitmap[VR_HEAP_BM_WORDS];
	uint32_t heads[VR_HEAP_NCLASSES];	/* unit index of first free block, 0 = none */
	size_t allocs, frees, failures, errors;
	size_t dropped;			/* live blocks dropped by resets */
	void *mem;			/* the buffer given to init (for reset) */
	size_t bytes;			/* its size as given (stats total) */
	size_t overhead;		/* bytes of the buffer that no block can use */
};

struct vr_heap_stats {
	size_t total;		/* bytes of the buffer given to init / create_in */
	size_t used;		/* bytes in live blocks, headers included */
	size_t free;		/* bytes in free blocks, headers included */
	size_t overhead;	/* total - used - free: alignment slack, end
				 * marker, and the control block for create_in */
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
 * memory it manages) over [mem, mem + bytes). Any alignment of mem is
 * accepted. Returns 0, or -EINVAL iff h or mem is NULL or bytes is smaller
 * than vr_heap_min_bytes() (whatever the alignment of mem). Buffers larger
 * than VR_HEAP_MAX_BYTES are managed up to that size. The buffer's contents
 * are not cleared. O(number of classes).
 */
int vr_heap_init(struct vr_heap *h, void *mem, size_t bytes);

/*
 * Place the control block at the start of [mem, mem + bytes) and manage the
 * rest. Returns the heap, or NULL iff mem is NULL or bytes is smaller than
 * vr_heap_control_bytes() + vr_heap_min_bytes().
 */
struct vr_heap *vr_heap_create_in(void *mem, size_t bytes);

/* Drop every allocation at once (the heap is as after init; peak is reset,
 * the cumulative counters are kept). No-op if h is NULL. O(number of classes). */
void vr_heap_reset(struct vr_heap *h);

/*
 * Allocate `size` bytes with the default alignment (8). O(1).
 * Returns NULL (and counts a failure) iff h is NULL, size is 0 or larger than
 * any block of the heap could be, no free block fits, or the free block the
 * search selected is found corrupted (then `errors` is counted too).
 */
void *vr_heap_alloc(struct vr_heap *h, size_t size);

/* Allocate with `align` a power of two (0 = default, 1..8 = default). O(1).
 * Returns NULL as vr_heap_alloc, and also iff align is not a power of two or
 * is larger than half the heap. */
void *vr_heap_aligned_alloc(struct vr_heap *h, size_t align, size_t size);

/*
 * Free a pointer returned by the allocators above. O(1). Returns 0, or:
 *   -EINVAL iff h is NULL, ptr is NULL, ptr is outside the heap or not
 *           8-byte aligned, or ptr's header is valid but not a live block
 *           (double free);
 *   -EFAULT iff ptr's header fails its check (a corrupted header, or an
 *           interior pointer whose preceding word is not a header), or a
 *           neighbour's header, footer or free-list link is inconsistent.
 * On error nothing changes and `errors` is counted (unless h is NULL).
 * Undefined: freeing a block after it was freed and handed out again at the
 * same address frees the new owner's block (no generation counter).
 */
int vr_heap_free(struct vr_heap *h, void *ptr);

/* Usable bytes of the live block at ptr (>= the size asked for), 0 if ptr is
 * not a live block start or its header is corrupted. O(1). */
size_t vr_heap_usable_size(struct vr_heap *h, const void *ptr);

/* True iff ptr lies inside the heap's managed buffer. O(1). */
bool vr_heap_contains(const struct vr_heap *h, const void *ptr);

/* Snapshot of the statistics. Returns 0 or -EINVAL (h or st NULL). O(1). */
int vr_heap_get_stats(const struct vr_heap *h, struct vr_heap_stats *st);

/* Call cb(arg, ptr, usable_bytes, used) for every block in address order;
 * stops early on non-zero and returns it; -EINVAL iff h or cb is NULL;
 * -EFAULT on a corrupted header (blocks before it were visited). O(blocks). */
int vr_heap_walk(struct vr_heap *h,
		 int (*cb)(void *arg, void *ptr, size_t bytes, bool used), void *arg);

/* Full O(n) consistency check (blocks tile the buffer, headers and footers
 * check, no two free neighbours, free lists and bitmaps agree, counters
 * match). Returns 0, -EINVAL iff h is NULL or not initialised, or -EFAULT
 * (counted in `errors`); works with asserts off. */
int vr_heap_validate(struct vr_heap *h);

/* Smallest buffer vr_heap_init accepts (one 16-byte block, the end marker
 * and worst-case alignment slack); control bytes for vr_heap_create_in
 * (sizeof(struct vr_heap) plus worst-case alignment slack). */
size_t vr_heap_min_bytes(void);
size_t vr_heap_control_bytes(void);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_HEAP_H */
