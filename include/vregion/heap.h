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
 *   - An aligned block (align > 8) starts where its free block started; the
 *     user pointer is moved up to the alignment and the word before it is a
 *     checked PAD marker naming the distance back to the header. The skipped
 *     bytes (at most align - 8) belong to the block until it is freed.
 *
 * Header (32 bits, stored encoded): 9 check bits, a 20-bit size in units,
 * PADDED (aligned block with a PAD marker), PREV_FREE and FREE. It is stored
 * as (key + fields) * A mod 2^32 where A is an odd constant and key a per-heap 9-bit value in the top bits; decoding
 * multiplies by A^-1, and a header is valid iff the top 9 bits equal the key.
 * Properties (tested):
 *   - any change confined to one byte of a header is always detected (A was
 *     chosen so that every one-byte difference moves the key bits);
 *   - a random word passes with probability 2^-9; a free also checks the
 *     next header, the previous block's footer and header, and the free-list
 *     links, so a stray pointer is accepted with probability well below 2^-18;
 *   - an absorbed (merged) header and a used PAD marker are overwritten with
 *     a "dead" marker, so double frees are recognised;
 *   - vr_heap_reset() changes the key: pointers from before it are rejected
 *     (with -EFAULT, see vr_heap_free; the key repeats after 512 resets).
 * Free-list links are unit indices (offsets), bounds-checked and checked for
 * back-link consistency (next->prev == me, prev->next == me or the class head
 * named by my PREV is me) before anything is written through them; a class
 * head is bounds-checked before alloc reads through it and before alloc or
 * free pushes a block on it (vr_heap_create_in keeps the heads just below
 * the first block). Nothing is written until every check of the operation
 * has passed.
 *
 * Size classes, in units n (bytes = 8n, n >= 2), with S = VR_HEAP_SL_BITS:
 *   n < 2^(S+1)            : one class per unit (exact);
 *   2^f <= n < 2^(f+1)     : 2^S classes per power of two (width 2^(f-S)).
 * With the default S = 2: exact classes in 8-byte steps below 64 bytes, then
 * 4 classes per power of two (76 classes for 8 MiB). Finer classes (S = 3..5)
 * measured no better utilisation (docs/performance.md) and cost control bytes.
 * A bitmap of non-empty classes (VR_HEAP_BM_WORDS words, 3 by default) finds
 * the first non-empty class >= c.
 *
 * Allocation (good fit): take the head of the first non-empty class >= the
 * request's own class if it is large enough (only the request's own class
 * can hold smaller blocks); otherwise the head of the first non-empty class
 * above it, where every block fits. Split when the rest is >= 16 bytes (the
 * low part is returned, the remainder keeps the old footer position).
 * Aligned allocation searches the same way with the worst-case size
 * size + align - 8 (the first candidate's real gap is checked, then the class
 * above, where every block fits).
 * Free: check the block, both neighbours and the links, then coalesce with
 * both neighbours and push on the class list (LIFO).
 *
 * Worst-case steps (no loop depends on the heap's contents):
 *   alloc / aligned_alloc: 1 class search of <= VR_HEAP_BM_WORDS word tests
 *   (a miss in the request's own class continues in the same mask), 2 header
 *   checks, 1 unlink (head), 1 insert;
 *   free: 4 header checks (pad, block, next, previous), 2 unlinks, 1 insert.
 *   Instruction counts and latencies: docs/performance.md.
 *
 * Default alignment: 8 bytes (VR_HEAP_ALIGN). Alignments are powers of two
 * up to the largest block; 0 means the default.
 *
 * Sizing ("to hold these N objects you need at least X bytes"):
 *   block(s)    = max(16, round_up(s + 4, 8))                 (unaligned)
 *   block(s, a) = block(s) + a - 8 worst case for a > 8        (aligned)
 *   X = sum(block(s_i)) + 4 (end marker) + 7 (alignment slack)
 *       [+ vr_heap_control_bytes() with vr_heap_create_in(), an upper bound:
 *        it reserves only the class heads the buffer can use: 328 bytes of
 *        a 64 KiB buffer on a 64-bit host]
 *   This is exact for allocations made in order into a fresh heap (tested);
 *   under churn add the fragmentation margin measured in docs/performance.md
 *   (utilisation at first failure 0.90 on the reference random workload:
 *   budget about X / 0.9).
 *
 * Limits: a heap manages at most VR_HEAP_MAX_BYTES (8 MiB - 8); a
 * larger buffer is used only up to that size (the rest is never touched).
 * Control block: sizeof(struct vr_heap) (440 bytes on a 64-bit host, 392 on
 * 32-bit targets, with the defaults); it holds the class heads, so it can
 * live outside the memory it manages (vregion keeps it in port metadata).
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
/* (default in vregion/config.h) */

/* Size field of the header: 20 bits of 8-byte units (8 MiB). */
#define VR_HEAP_UNIT_BITS	20
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
	uintptr_t p0;			/* hb + 12: the payload of unit 1 */
	uint32_t end_u;			/* unit index of the end marker */
	uint32_t ulim;			/* end_u - 1 */
	uint32_t kc;			/* check key, in the top 9 bits */
	uint32_t dead;			/* encoded "dead" header (absorbed blocks) */
	uint32_t used_u;		/* units in live blocks */
	uint32_t peak_u;		/* highest used_u since init/reset */
	uint32_t max_req;		/* largest request that could ever fit */
	uint32_t magic;			/* identifies an initialised heap */
	uint32_t ncls;			/* classes this heap can use (<= VR_HEAP_NCLASSES) */
	size_t allocs, frees, failures, errors;
	size_t dropped;			/* live blocks dropped by resets */
	void *mem;			/* the buffer given to init / create_in */
	size_t bytes;			/* its size as given (stats total) */
	size_t overhead;		/* bytes of the buffer that no block can use */
	uint32_t bitmap[VR_HEAP_BM_WORDS];
	/* Last: only heads[0, ncls) are ever touched, so vr_heap_create_in()
	 * reserves just that much of it inside the buffer. */
	uint32_t heads[VR_HEAP_NCLASSES];	/* first free block per class, 0 = none */
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
 * the cumulative counters are kept). No-op if h is NULL. O(number of classes).
 * A block from before the reset is gone: vr_heap_free of its pointer returns
 * -EFAULT (see there), not -EINVAL. */
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
 * is larger than the largest block of the heap.
 *
 * !!! ARGUMENT ORDER: (h, ALIGN, SIZE), Zephyr's sys_heap_aligned_alloc
 * order. The region call vr_region_alloc_align(vr, SIZE, ALIGN) takes SOF's
 * order, the other way round. Swapped arguments usually still "work" (both
 * are size_t): a power-of-two size passes as an alignment. */
void *vr_heap_aligned_alloc(struct vr_heap *h, size_t align, size_t size);

/*
 * Free a pointer returned by the allocators above. O(1). Returns 0, or:
 *   -EINVAL iff h is NULL, ptr is NULL, ptr is outside the heap or not
 *           8-byte aligned, or ptr's header is valid but not a live block
 *           (double free);
 *   -EFAULT iff ptr's header fails its check (a corrupted header, or an
 *           interior pointer whose preceding word is not a header), or a
 *           neighbour's header, footer or free-list link is inconsistent.
 *           A double free of an ALIGNED block whose padding word has since
 *           been reused as a free-list link gets -EFAULT instead of -EINVAL
 *           (found by fuzz_region); either way it is refused and nothing
 *           changes.
 * On error nothing changes and `errors` is counted (unless h is NULL).
 * Undefined: freeing a block after it was freed and handed out again at the
 * same address frees the new owner's block (no generation counter).
 * A pointer from before a vr_heap_reset returns -EFAULT: the word before it
 * is still the header written under the old key, which decodes as "wrong
 * key" exactly like a corrupted header (the heap keeps no record of old keys,
 * so it cannot tell the two apart; -EFAULT here means "stale or corrupt").
 * Exceptions, when an allocation after the reset rewrote that word: -EINVAL
 * if it is now the header of a free block, and the undefined case above if a
 * block allocated after the reset starts there. For 511 resets in a row the
 * old key differs from the current one, so the -EFAULT is certain (not a
 * 2^-9 chance); after 512 resets the key repeats.
 */
int vr_heap_free(struct vr_heap *h, void *ptr);

/* Usable bytes of the live block at ptr (>= the size asked for), 0 if ptr is
 * not a live block start or its header is corrupted. O(1). */
size_t vr_heap_usable_size(struct vr_heap *h, const void *ptr);

/* Bytes the live block at ptr takes from the heap: its header, its
 * alignment padding (aligned blocks) and usable bytes, a multiple of 8. The
 * sum over live blocks is stats.used. 0 if ptr is not a live block start or
 * its header is corrupted. O(1). */
size_t vr_heap_block_bytes(struct vr_heap *h, const void *ptr);

/* True iff ptr lies inside the buffer given to vr_heap_init() (or to
 * vr_heap_create_in(), control block included). O(1). */
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

/*
 * Sizing query: the largest request with alignment `align` (a power of two,
 * 0 = default) that a heap freshly initialised by vr_heap_init() over
 * [mem, mem + bytes) is guaranteed to grant, whatever the addresses. Returns
 * 0 iff mem is NULL, bytes < vr_heap_min_bytes(), align is not a power of
 * two, or the worst-case size of even a 1-byte request at that alignment
 * (16 + align - 8 bytes, see "Sizing") exceeds the heap's single free block.
 * A fresh heap may still grant an aligned request beyond this figure when
 * its free block happens to be aligned well (the allocator checks the real
 * gap); only the unaligned figure is exact. O(1); writes nothing.
 */
size_t vr_heap_fresh_max(const void *mem, size_t bytes, size_t align);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_HEAP_H */
