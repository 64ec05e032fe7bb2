/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vregion/heap.h - the interim heap: a bounded-time, hardened heap over any
 * buffer. vregion uses it for the interim phase of a region; it is usable
 * alone.
 *
 * Thread-safety: none; the owner locks (vregion does).
 * Errors: vr_heap_free returns 0 or a negative errno; allocators return NULL
 * and count the failure. Bad input never crashes and never changes state;
 * damaged metadata is detected and reported, never followed into a write.
 *
 * ---------------------------------------------------------------------------
 * Design (docs/heap.md has the reasoning and the measurements)
 * ---------------------------------------------------------------------------
 * Two-level segregated fit (TLSF classes) over GRANULES of G bytes, G a
 * power of two >= 8 chosen at init: 8 for vr_heap_init and
 * vr_heap_create_in; vregion passes its minimum alignment (64 on SOF), so
 * every interim block is naturally aligned and no request takes the
 * aligned path.
 *
 * Blocks. A block is a whole number of granules and starts on a granule;
 * its 32-bit header is the word just before it (the last word of the
 * granule before), so a block of n granules has n * G - 4 usable bytes and
 * a request of s bytes takes n = max(MIN, ceil((s + 4) / G)) granules (MIN
 * = 2 at G = 8, else 1). The first header sits in the 4 bytes before the
 * first granule; the last granule's last word is the end marker.
 *   - A free block holds, after its header, the granule numbers NEXT and
 *     PREV of its class list (PREV of a class head is a tag naming the
 *     class), and in its last word its size (the footer, read by the block
 *     after it to merge backwards; that block's header has PREV_FREE).
 *   - Header (32 bits, stored encoded): FREE, PREV_FREE, the size in
 *     granules (21 bits) and 9 check bits. It is stored as
 *     (fields + key) * A mod 2^32 (A odd, key a per-heap multiple of 2^23);
 *     decoding multiplies by A^-1 and subtracts the key, and a header is
 *     valid iff the result is below 2^23. Properties (tested):
 *       * any change confined to one byte of a header is detected, always
 *         (A was chosen so that every one-byte difference moves the
 *         decoded value by at least 2^23);
 *       * a random word passes with probability 2^-9; a free also checks
 *         the next header, and the footer, header and links of a free
 *         neighbour, so a stray pointer passes with probability well below
 *         2^-18;
 *       * a header absorbed by a merge is overwritten with a DEAD code
 *         word, so a double free is recognised;
 *       * vr_heap_reset() changes the key: headers written before it fail
 *         (for 511 resets in a row; the key repeats every 512).
 *   - Links are checked before anything is written through them: a NEXT
 *     must name a granule inside the heap whose PREV names this block, a
 *     PREV one whose NEXT does (or the tag of a class whose head this block
 *     is), and the head of a class a block is pushed on must be a granule
 *     inside the heap whose PREV is that class's tag (vr_heap_create_in
 *     keeps the heads just below the first block). Nothing is written
 *     until every check of the operation passed.
 *
 *   split (allocation of n granules from free block b of m):
 *       |hdr b|........ free m .........|hdr next|
 *   --> |hdr b|.. used n ..|hdr r|. free m-n .|hdr next|   (r = b + n; a
 *       rest below MIN stays with the used block)
 *   merge (free of g between free s and free e):
 *       |hdr s| free |hdr g| used |hdr e| free |hdr t|
 *   --> |hdr s|............ free ..............|hdr t|    (g, e: DEAD)
 *
 * Size classes, in granules n, with S = VR_HEAP_SL_BITS (2..5, default 2):
 *   n < 2^(S+1)            one class per size (exact);
 *   2^f <= n < 2^(f+1)     2^S classes per power of two (width 2^(f-S)).
 * A bitmap of non-empty classes (VR_HEAP_CLASS_WORDS words) finds the
 * first non-empty class >= c.
 *
 * Allocation (good fit): the head of the first non-empty class >= the
 * request's own class if it is large enough (only the request's own class
 * can hold smaller blocks), else the head of the first non-empty class
 * above it, where every block fits. The low part is returned; a rest of at
 * least MIN granules becomes a free block.
 * Aligned allocation (align > G) searches the same way with the worst case
 * n + align/G - 1 (+ 2 at G = 8); the candidate fits iff its first aligned
 * granule that leaves 0 or at least MIN granules before it has room for n.
 * The block is placed at the HIGHEST aligned granule with room for n; the
 * granules above it (fewer than align/G) go with it, and the part below
 * stays a free block with its header (in place in its class list when its
 * class does not change): no gap block is made now and merged later.
 * Free: check the block, the next header and the free neighbours, then
 * merge with both neighbours and push on the class list (LIFO).
 *
 * Worst-case steps per call (no loop depends on the heap's contents):
 *   alloc, aligned_alloc: 2 class searches of <= VR_HEAP_CLASS_WORDS word
 *     tests, 2 header checks, 1 link check, 1 head check, 1 pop, 1 push;
 *   free: 4 header checks (block, next, free neighbours), 1 footer check,
 *     2 link checks, 1 head check, 2 unlinks, 1 push;
 *   init, reset: O(classes); usable_size, block_bytes, max_alloc,
 *   get_stats: O(1) (+ VR_HEAP_CLASS_WORDS word tests);
 *   walk, validate: O(blocks + classes).
 *
 * Sizing ("to hold these N objects you need at least X bytes"):
 *   block(s)    = G * max(MIN, ceil((s + 4) / G))           (align <= G)
 *   block(s, a) = block(s) + a - G (+ 2G at G = 8) worst case (align a > G:
 *                 a fresh heap of sum + 4 + G - 1 + a - G (+ 2G) bytes fits
 *                 it; the block itself takes block(s) plus under a - G)
 *   X = sum(block(s_i)) + 4 (first header) + G - 1 (alignment of the start)
 *       [+ vr_heap_control_bytes() with vr_heap_create_in(), an upper bound:
 *        it reserves only the class heads the buffer can use]
 *   This is exact for allocations made in order into a fresh heap (tested);
 *   under churn add the fragmentation margin measured in docs/heap.md
 *   (utilisation at first failure about 0.90 on the reference random
 *   workload: budget about X / 0.9).
 *
 * Limits: a heap manages at most VR_HEAP_MAX_GRANULES granules (16 MiB at
 * G = 8, 128 MiB at G = 64); the rest of a larger buffer is never touched
 * and never handed out. Control block: sizeof(struct vr_heap); it holds the
 * class heads, so it can live outside the memory it manages (vregion keeps
 * it in port metadata).
 */
#ifndef VREGION_HEAP_H
#define VREGION_HEAP_H

#include "vregion/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Granule (= default alignment) of vr_heap_init and vr_heap_create_in. */
#define VR_HEAP_GRANULE		8u
#define VR_HEAP_ALIGN		VR_HEAP_GRANULE
/* Granules vr_heap_init_granule accepts: powers of two in [MIN, MAX]. */
#define VR_HEAP_GRANULE_MIN	8u
#define VR_HEAP_GRANULE_MAX	(1u << 16)
/* Largest number of granules a heap manages (21-bit header size field). */
#define VR_HEAP_MAX_GRANULES	((1u << 21) - 2u)
/* Bytes from the start of a buffer past which a heap of granule g never
 * reads, writes or hands out anything, whatever the buffer's size: the
 * first header and the alignment to the granule, then the largest heap. */
#define VR_HEAP_SPAN_MAX(g)	(4u + (size_t)(g) - 1u + (size_t)VR_HEAP_MAX_GRANULES * (g))

#if VR_HEAP_SL_BITS < 2 || VR_HEAP_SL_BITS > 5
#error "VR_HEAP_SL_BITS must be 2..5"
#endif
/* Size classes (of granule counts below 2^22: an aligned request's worst
 * case reaches twice the largest heap) and words of the bitmap of non-empty
 * classes (with one spare word, always 0). */
#define VR_HEAP_NCLASSES	((23 - VR_HEAP_SL_BITS) << VR_HEAP_SL_BITS)
#define VR_HEAP_CLASS_WORDS	(VR_HEAP_NCLASSES / VR_BITMAP_WORD_BITS + 1)

#if VR_BITMAP_WORD_BITS == 64
typedef uint64_t vr_heap_word_t;
#else
typedef uint32_t vr_heap_word_t;
#endif

/*
 * The control block. Its fields are private: use only the functions below.
 * It is defined here so the owner can embed it (vregion keeps it outside the
 * region, in port metadata).
 */
struct vr_heap {
	uintptr_t base;			/* address of (virtual) granule 0 */
	uint32_t granules;		/* N: the heap is granules 1..N */
	uint32_t shift;			/* log2 of the granule G */
	uint32_t key;			/* header check key (top 9 bits) */
	uint32_t used;			/* granules in live blocks */
	uint32_t peak;			/* highest `used` since init or reset */
	uint32_t magic;			/* identifies an initialised heap */
	uint32_t nclasses;		/* classes this heap can use */
	size_t allocs, frees, failures, errors;
	size_t dropped;			/* live blocks dropped by resets */
	void *mem;			/* the buffer given to init / create_in */
	size_t bytes;			/* its size as given (stats total) */
	size_t overhead;		/* bytes of it no block can use */
	vr_heap_word_t class_map[VR_HEAP_CLASS_WORDS];	/* non-empty classes */
	/* Last: only heads[0, nclasses) are ever touched, so
	 * vr_heap_create_in() reserves just that much of it. */
	uint32_t heads[VR_HEAP_NCLASSES];	/* first free block per class, 0 = none */
};

struct vr_heap_stats {
	size_t total;		/* bytes of the buffer given to init / create_in */
	size_t used;		/* bytes in live blocks, headers included */
	size_t free;		/* bytes in free blocks, headers included */
	size_t overhead;	/* total - used - free: alignment slack, the first
				 * header, the tail, and the control block for
				 * create_in */
	size_t peak;		/* highest `used` since init or reset */
	size_t largest_free;	/* vr_heap_max_alloc(h, 0) */
	size_t live;		/* live allocations */
	size_t allocs;		/* successful allocations since init */
	size_t frees;		/* successful frees since init */
	size_t failures;	/* failed allocations since init */
	size_t errors;		/* rejected frees / detected corruption since init */
};

/*
 * Initialise a heap of granule VR_HEAP_GRANULE with control block `h`
 * (caller storage, e.g. outside the memory it manages) over
 * [mem, mem + bytes). Any alignment of mem is accepted. Returns 0, or
 * -EINVAL iff h or mem is NULL or bytes < vr_heap_min_bytes() (which always
 * holds one block, whatever the alignment of mem). The buffer's contents
 * are not cleared. O(classes).
 */
int vr_heap_init(struct vr_heap *h, void *mem, size_t bytes);

/*
 * As vr_heap_init with granule `granule`: every block is a multiple of it
 * and aligned to it. Returns -EINVAL iff h or mem is NULL, granule is not a
 * power of two in [VR_HEAP_GRANULE_MIN, VR_HEAP_GRANULE_MAX], or the buffer
 * cannot hold one block (4 bytes and the alignment to the granule, then 16
 * bytes or one granule, whichever is larger). O(classes).
 */
int vr_heap_init_granule(struct vr_heap *h, void *mem, size_t bytes, size_t granule);

/*
 * Place the control block at the start of [mem, mem + bytes) and manage the
 * rest, granule VR_HEAP_GRANULE. Returns the heap, or NULL iff mem is NULL
 * or bytes is smaller than vr_heap_control_bytes() + vr_heap_min_bytes().
 */
struct vr_heap *vr_heap_create_in(void *mem, size_t bytes);

/* As vr_heap_create_in with granule `granule` (as vr_heap_init_granule).
 * NULL iff mem is NULL, granule is not valid, or the rest of the buffer
 * after the control block cannot hold one block of that granule. */
struct vr_heap *vr_heap_create_in_granule(void *mem, size_t bytes, size_t granule);

/* Drop every allocation at once (the heap is as after init; peak is reset,
 * the cumulative counters are kept). No-op if h is NULL. O(classes).
 * A block from before the reset is gone: see vr_heap_free for what a
 * pointer to it gets. */
void vr_heap_reset(struct vr_heap *h);

/* The owner is done with the heap: the control block is invalidated (later
 * allocations fail, frees return -EINVAL, validate and walk return -EINVAL,
 * until the next init), and with
 * VR_CONFIG_TRACK the whole buffer is made addressable again (the heap
 * poisons its headers, free blocks and the slack of live blocks), so it can
 * be reused for anything. No-op if h is NULL or not initialised. O(1) (with
 * ASan: O(bytes / 8) shadow bytes). */
void vr_heap_fini(struct vr_heap *h);

/*
 * Allocate `size` bytes aligned to the heap's granule. O(1).
 * Returns NULL (and counts a failure) iff h is NULL (not counted), size is
 * 0 or larger than any block of the heap could be, no free block fits, or
 * the free block the search selected is found damaged (then `errors` is
 * counted too).
 */
void *vr_heap_alloc(struct vr_heap *h, size_t size);

/* Allocate with `align` a power of two (0 and values up to the granule:
 * the granule). O(1). Returns NULL as vr_heap_alloc, and also iff align is
 * not a power of two or is larger than the heap.
 *
 * !!! ARGUMENT ORDER: (h, ALIGN, SIZE), Zephyr's sys_heap_aligned_alloc
 * order. The region call vr_region_alloc_align(vr, SIZE, ALIGN) takes SOF's
 * order, the other way round. Swapped arguments usually still "work" (both
 * are size_t): a power-of-two size passes as an alignment. */
void *vr_heap_aligned_alloc(struct vr_heap *h, size_t align, size_t size);

/*
 * Free a pointer returned by the allocators above. O(1). Returns 0, or:
 *   -EINVAL iff h is NULL, ptr is NULL, ptr is outside the heap's granules
 *           or not aligned to the granule, or the word before ptr is a
 *           valid header that is not a live block: a block freed already
 *           (a double free: its header is FREE, or DEAD if it merged with
 *           the block before it), or, for a pointer from before a
 *           vr_heap_reset, a free block's header written since (the first
 *           block's, always: the reset writes it);
 *   -EFAULT iff the word before ptr is not a valid header: damaged, an
 *           interior pointer (its 4 bytes before are user data, or a link
 *           or footer), or a pointer from before a vr_heap_reset whose
 *           header was not rewritten since (the key changed: certain for
 *           511 resets in a row); or the block's size, the next header, or a
 *           free neighbour's footer, header or links fail their checks.
 * On error nothing changes and `errors` is counted (unless h is NULL).
 * Undefined: freeing a block after it was freed and handed out again at the
 * same address (or after a reset that handed a block out at its address)
 * frees the new owner's block: there is no generation counter; an interior
 * or stale pointer whose word before happens to be a valid used header with
 * a consistent next header (probability below 2^-18 for random data, and
 * certain for a stale header after a multiple of 512 resets) is freed as a
 * block.
 */
int vr_heap_free(struct vr_heap *h, void *ptr);

/* Usable bytes of the live block at ptr (>= the size asked for: n * G - 4
 * for a block of n granules), 0 if ptr is not a live block start or its
 * header is damaged. O(1). With VR_CONFIG_TRACK only the bytes asked for
 * are addressable. */
size_t vr_heap_usable_size(struct vr_heap *h, const void *ptr);

/* Bytes the live block at ptr takes from the heap: its granules, n * G
 * (its header included). The sum over live blocks is stats.used. 0 if ptr
 * is not a live block start or its header is damaged. O(1). */
size_t vr_heap_block_bytes(struct vr_heap *h, const void *ptr);

/* True iff ptr lies inside the buffer given to vr_heap_init() (or to
 * vr_heap_create_in(), control block included). O(1). */
bool vr_heap_contains(const struct vr_heap *h, const void *ptr);

/* Snapshot of the statistics. Returns 0 or -EINVAL (h or st NULL). O(1). */
int vr_heap_get_stats(const struct vr_heap *h, struct vr_heap_stats *st);

/*
 * The largest size such that vr_heap_aligned_alloc(h, align, size) succeeds
 * now (align a power of two, 0 = the granule): every size up to it
 * succeeds, every larger one fails. Exact for the good-fit search, which
 * looks at one block per class. 0 iff h is NULL or not initialised, align
 * is not a power of two, nothing fits, or the block it would take is found
 * damaged. O(VR_HEAP_CLASS_WORDS); writes nothing.
 */
size_t vr_heap_max_alloc(const struct vr_heap *h, size_t align);

/* Call cb(arg, ptr, usable_bytes, used) for every block in address order;
 * stops early on non-zero and returns it; -EINVAL iff h or cb is NULL;
 * -EFAULT on a damaged header (blocks before it were visited). O(blocks). */
int vr_heap_walk(struct vr_heap *h,
		 int (*cb)(void *arg, void *ptr, size_t bytes, bool used), void *arg);

/* Full O(n) consistency check (blocks tile the heap, headers and footers
 * check, no two free neighbours, every block at least the minimum, free
 * lists and the class bitmap agree, counters match). Returns 0, -EINVAL iff
 * h is NULL or not initialised, or -EFAULT (counted in `errors`); works
 * with asserts off; writes nothing else. */
int vr_heap_validate(struct vr_heap *h);

/* Smallest buffer vr_heap_init accepts whatever its alignment (the first
 * header, one minimum block, alignment slack); control bytes for a control
 * block at any alignment (sizeof(struct vr_heap) plus alignment slack). */
size_t vr_heap_min_bytes(void);
size_t vr_heap_control_bytes(void);

/*
 * Sizing queries: the largest request with alignment `align` (a power of
 * two, 0 = the granule) that a heap freshly initialised over
 * [mem, mem + bytes) grants: exactly vr_heap_max_alloc() of that heap.
 * vr_heap_fresh_max as vr_heap_init, vr_heap_fresh_max_granule as
 * vr_heap_init_granule. 0 iff mem is NULL, the init would fail, or align is
 * not a power of two or larger than the heap. O(1); writes nothing.
 */
size_t vr_heap_fresh_max(const void *mem, size_t bytes, size_t align);
size_t vr_heap_fresh_max_granule(const void *mem, size_t bytes, size_t granule, size_t align);

#ifdef __cplusplus
}
#endif

#endif /* VREGION_HEAP_H */
