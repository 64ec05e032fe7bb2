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
 *      create -> LIFETIME --set_interim--> INTERIM <--interim_reset--+
 *                   |                         |    \_________________/
 *                   +--set_interim (no room for one min_align block)--> INVALID
 *   INVALID --set_interim--> re-evaluated (same result: the bump pointer
 *   does not move in INVALID). Any phase --last put--> released.
 *
 * The region is reference counted (get/put) and released in one step by the
 * last put. Its control block lives outside the region (port meta_alloc), so
 * the region's users cannot corrupt it; inside the region there is only user
 * data plus the interim heap's checked block headers.
 *
 * LAYOUT of a region of P pages at `base` (cached alias):
 *   [base ........ bump) lifetime objects, packed, each aligned to >= min_align
 *   [interim_base . end) interim heap (after set_interim), interim_base =
 *                        bump aligned up to max(cache line, min_align) (to a
 *                        page with VR_REGION_SEAL, whose lifetime pages become
 *                        read-only)
 *   [end .. end + guard) unmapped guard page(s) when asked for (VR_REGION_GUARD)
 *
 * ALIGNMENT. Every allocation is aligned to max(align, min_align); min_align
 * defaults to the port's cache line (64 on Intel ACE), as upstream. Lifetime
 * sizes are rounded up to min_align, and to the cache line when the effective
 * alignment equals the cache line (so default allocations never share a line,
 * as upstream). Coherent allocations are line aligned and line padded.
 *
 * COST (time). Lifetime alloc: O(1), no loop on a NOLOCK region; on a shared
 * region one compare-and-swap, retried only when another thread's bump won
 * the race (lock-free: some thread always progresses). vr_region_alloc() and
 * vr_region_alloc_align() with an alignment up to min_align take an inline
 * fast path of about twenty instructions that takes no lock (see
 * THREAD-SAFETY for when it runs). Interim alloc/free: O(1) (the heap's
 * bound, vregion/heap.h) under the region lock. Free dispatch: O(1).
 * get/put: O(1) (the last put O(bump / min_align), counting live
 * allocations); create and the last put reach the port (map/unmap: NOT for
 * a real-time thread), and so does set_interim with VR_REGION_SEAL (protect).
 *
 * COST (memory). Per region, in port metadata: one block of
 * vr_region_meta_bytes() (the control block, the interim heap's control
 * block and one byte per min_align bytes of region for the lifetime start
 * map: 448 bytes for a 28 KiB region at the default 64, i.e. 1/64 of it).
 * Per lifetime allocation: 0 bytes of header, only alignment padding. Per
 * interim allocation: the heap's header (vregion/heap.h).
 *
 * LIFETIME START MAP. The metadata keeps one byte per min_align granule of
 * the region, set where a lifetime allocation starts. vr_region_free uses it
 * to reject, in O(1), pointers that are not a live lifetime allocation start
 * (interior pointers, pointers into padding, double frees of lifetime
 * objects); the number of live lifetime allocations is its population.
 * It costs one plain byte store per lifetime allocation (a bit map would cost
 * a read-modify-write whose store-to-load chain made the fast path 1.2x
 * slower than glibc's obstack with clang; see docs/region.md).
 *
 * THREAD-SAFETY. A region without VR_REGION_NOLOCK (on a port with locks)
 * is shared: any thread may call anything on it. Every call takes a lock
 * of the region (the heap itself takes none) except the lifetime
 * allocation, which is one compare-and-swap on the bump pointer where the
 * compiler has lock-free pointer atomics (VR_CONFIG_LOCKFREE,
 * vregion/config.h; elsewhere it takes the lock too). On a port with short
 * locks (vregion/port.h) the bounded calls (alloc, free, get, put,
 * interim_reset, phase) take only the short lock; set_interim (which may
 * call the port's protect), the stats, info and validate (O(region) work)
 * take the port's ordinary lock, and a bounded call made meanwhile waits
 * on that lock instead of spinning. Without short locks every call takes
 * the ordinary lock.
 * set_interim, the stats, validate and the last put stop the bump pointer
 * (under the lock) while they look at it: a lifetime allocation racing with
 * set_interim either lands below the interim base or fails over to the
 * interim heap, never both. A stats snapshot taken while other threads
 * allocate lifetime objects counts each of them in lifetime_used as soon as
 * it is bumped, and in lifetime_allocs/outstanding once its start entry is
 * written (the instant after). With NOLOCK the owner promises that one
 * thread at a time uses the region: no lock, no atomic instruction.
 * The inline path bumps a NOLOCK region and, by compare-and-swap, a shared
 * one; it never runs in INTERIM or INVALID, on a region created while its
 * port had a trace hook, or in a build with sanitizer annotations
 * (VR_CONFIG_TRACK): there every allocation goes through the library.
 *
 * LIFE AFTER DEATH. Using a region pointer after its last put is undefined
 * behaviour, as using a pointer after free() is in C: any call may crash,
 * write through stale fields or act on a new region that got the same
 * metadata block. What the library does to make such a call LIKELY to be
 * refused, without promising it:
 *   - the last put clears the control block to a DEAD marker (fast path
 *     disabled) before handing it to the port's meta_free; every function
 *     checks the marker before reading any other field (the inline
 *     vr_region_alloc reads only its limit, 0 after the put, and then calls
 *     the checked function), so a stale call returns NULL/-EINVAL and logs
 *     "dead region" as long as the block still holds what the put wrote;
 *   - the first four pointer-sized words of the control block hold nothing
 *     a stale call reads, so a meta_free that only links the block through
 *     its first words (libc free, Zephyr k_free usually do) leaves that
 *     intact. Other writes by the port's allocator (e.g. glibc with
 *     MALLOC_PERTURB_, or the block handed out again) are not detected.
 * It IS caught on a port whose meta_free keeps the block as the put left it
 * (e.g. a quarantine), which is what test_use_after_release checks, and on
 * the flat port (vregion/port_flat.h) until its metadata block is reused. A
 * stale pointer to a block reused for a new region names that region: this
 * cannot be detected without a handle indirection, which SOF's API (plain
 * pointers) does not have.
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
	 * starts on a page boundary). Needs a port with protect(): without
	 * one, vr_region_create refuses the flag (NULL, logged). */
	VR_REGION_SEAL = 1u << 0,
	/* Leave unmapped guard page(s) after the region (pool guard pages are
	 * used when the pool has them; this asks for one when it has none). */
	VR_REGION_GUARD = 1u << 1,
	/* The owner is single-threaded: no lock is created or taken, and the
	 * lifetime alloc fast path is inlined. */
	VR_REGION_NOLOCK = 1u << 2,
};
#define VR_REGION_FLAGS_MASK 7u

struct vr_region_config {
	size_t size;		/* bytes requested; rounded up to whole pages; > 0 */
	size_t min_align;	/* minimum alignment of every allocation; power of
				 * two in [8, page_size]; 0 = the port's cache line
				 * (as upstream) but at least 16 (16 when the port
				 * has no cache) */
	unsigned flags;		/* enum vr_region_flags */
	const char *name;	/* optional, for logs and the simulator; not copied */
};

struct vr_region_stats {
	enum vr_region_phase phase;
	size_t size;			/* bytes mapped for the region */
	size_t pages;
	size_t refcount;
	size_t min_align;		/* effective minimum alignment */
	uintptr_t base;			/* cached base */
	size_t lifetime_used;		/* bytes bumped, padding included (never > lifetime_size) */
	size_t lifetime_size;		/* bytes of the lifetime part (whole region before set_interim) */
	size_t lifetime_allocs;		/* = live lifetime starts + lifetime_frees */
	size_t lifetime_frees;		/* counted, not reused */
	size_t interim_size;		/* bytes given to the interim heap (0 before) */
	size_t interim_used;		/* heap bytes in live blocks, headers included */
	size_t interim_peak;		/* highest interim_used since set_interim / reset */
	size_t interim_largest_free;	/* largest vr_region_alloc() size that succeeds
					 * now, exactly (vr_heap_max_alloc at min_align:
					 * every size up to it succeeds, every larger
					 * one fails; vr_region_alloc_align with a
					 * larger align may grant less) */
	size_t interim_live;		/* live interim allocations */
	/* failures: every vr_region_alloc* call on this live region that
	 * returned NULL, whatever the reason: bad arguments (size 0, align not
	 * a power of two, a size whose rounding overflows), phase INVALID, or
	 * no space. */
	size_t failures;
	/* errors: every other refused call on this live region: a
	 * vr_region_free that returned non-zero, vr_region_interim_reset
	 * outside INTERIM, vr_region_get at the maximal count. Not counted
	 * anywhere: calls with a NULL or released vr (there is no live region
	 * to count in), vr_region_get_stats(vr, NULL), and set_interim results
	 * (-ENOSPC is the INVALID phase, -ENOTSUP / a port errno are logged). */
	size_t errors;
	size_t outstanding;		/* live allocations now: lifetime not freed +
					 * interim live (what the last put reports) */
	bool sealed;			/* lifetime pages are read-only */
};

/*
 * Create a region of cfg->size bytes (rounded up to pages) from `pool`.
 * Returns the region with refcount 1 in the LIFETIME phase, its memory zeroed
 * (the port's map zeroes pages), or NULL iff: pool or cfg NULL, size 0 or
 * overflowing, flags unknown, VR_REGION_SEAL on a port without protect,
 * min_align not a power of two in [8, page_size],
 * the port's cache line larger than a page, metadata or lock allocation
 * failed, or the pool could not allocate (or map) the pages. On NULL nothing
 * is left allocated and the pool is as before. Reaches the port (map): not
 * for a real-time thread. O(pool window / 64) + O(size / min_align) (the
 * lifetime start map is zeroed: one byte per min_align granule) + the
 * port's map (which zeroes the pages).
 */
struct vr_region *vr_region_create(struct vr_vpage_pool *pool, const struct vr_region_config *cfg);

/*
 * Sizing query: the bytes of port metadata (one meta_alloc block) that
 * vr_region_create asks for a region of `size` bytes (rounded up to whole
 * pages of page_size) whose effective minimum alignment is min_align (what
 * the region will use: for cfg->min_align 0 that is the port's cache line
 * but at least 16). The formula:
 *   round_up(sizeof(struct vr_region), 16)      the control block
 *   + round_up(vr_heap_control_bytes(), 16)     the interim heap's control
 *   + pages * page_size / min_align             the lifetime start map
 * (the first two are constants of the build: 272 + 464 = 736 bytes on a
 * 64-bit host with the default knobs; a 28 KiB region at 64 adds 448). Returns 0 iff page_size is not a
 * power of two >= 64, min_align is not a power of two in [8, page_size],
 * size is 0 or the figure overflows. O(1).
 */
size_t vr_region_meta_bytes(size_t size, size_t min_align, size_t page_size);

/* Take a reference. Returns vr, or NULL iff vr is NULL, not a live region,
 * or the count would overflow. O(1). */
struct vr_region *vr_region_get(struct vr_region *vr);

/*
 * Drop a reference. Returns vr while references remain; NULL when this put
 * released the region (pages back to the pool, metadata cleared and freed) or
 * when vr is NULL or not a live region (logged). A release with live
 * allocations (lifetime allocations never freed + interim blocks) logs a
 * warning with their count (upstream released silently). The last put
 * reaches the port (unmap): not for a real-time thread. O(1), the last put
 * O(bump pointer / min_align) to count the live allocations.
 * If the port fails to unmap the region's pages, the region is released all
 * the same (NULL, the handle is dead, the failure is logged at ERR) and its
 * pages are NOT lost: the pool keeps them as an orphan run and retries the
 * unmap on its later calls that reach the port, in vr_vpage_reclaim() and in
 * vr_vpage_pool_deinit() (vregion/vpage.h, "Orphans"); until then they count
 * in the pool's stats as orphans / orphan_pages, not as free.
 */
struct vr_region *vr_region_put(struct vr_region *vr);

/*
 * As vr_region_put. When this put releases the region, *outstanding (if not
 * NULL) receives the number of allocations still live at that moment;
 * otherwise it receives 0.
 */
struct vr_region *vr_region_put_report(struct vr_region *vr, size_t *outstanding);

/*
 * Switch LIFETIME -> INTERIM: the space from the bump pointer aligned up to
 * the cache line (a page with VR_REGION_SEAL) to the region end becomes the
 * interim heap, whose control block lives in metadata; its granule is
 * min_align (vr_heap_init_granule), so every interim block is min_align
 * aligned. The heap manages at most VR_HEAP_MAX_GRANULES granules (128 MiB
 * at min_align 64): a larger interim part works, its bytes above that limit
 * are never handed out (logged at VR_LOG_WRN with their count; interim_size
 * still reports the whole part).
 * Returns 0 (also when already INTERIM: harmless, logged), -EINVAL (bad vr),
 * -ENOSPC (a fresh heap over the space above the bump pointer could not grant
 * one min_align-sized block, vr_heap_fresh_max_granule() < min_align: the region is
 * now INVALID; calling again re-evaluates, with the same result),
 * or the port's errno if sealing (VR_REGION_SEAL, a non-empty lifetime part)
 * failed (the region stays in LIFETIME, nothing changed; a port without
 * protect cannot get here: create refused the flag). O(1) + the heap's init
 * + protect.
 */
int vr_region_set_interim(struct vr_region *vr);

/* Drop every interim allocation at once (the heap is as after set_interim).
 * Returns 0, -EINVAL (bad vr or not INTERIM). O(heap reset).
 * An interim pointer from before the reset is stale: vr_region_free of it
 * returns -EFAULT (the heap cannot tell an old key's header from a corrupted
 * one), or -EINVAL for the first interim block (the reset writes the free
 * block's header there); see vr_region_free and vr_heap_free in
 * vregion/heap.h. */
int vr_region_interim_reset(struct vr_region *vr);

/*
 * Allocate size bytes at the region's minimum alignment, from the current
 * phase. NULL iff vr bad, size 0 or larger than the space left, phase
 * INVALID, or no space (counted in failures). Lifetime: O(1); lock-free for
 * NOLOCK regions. Interim: the heap's bound, under the lock.
 * The header maps calls to an inline fast path (vr_region_alloc_inline_,
 * below) unless VR_REGION_NO_INLINE is defined; the library also exports the
 * function. The macro is function-like, so the name without a call
 * (`&vr_region_alloc`, `fp = vr_region_alloc`, `(vr_region_alloc)(vr, n)`)
 * is the exported function: same result, same bump pointer. The inline path
 * runs only on a NOLOCK region in LIFETIME (elsewhere its limit is 0 and it
 * calls the locked function), so it is safe on shared regions.
 */
void *vr_region_alloc(struct vr_region *vr, size_t size);

/* As vr_region_alloc with align (power of two; 0 and values below min_align
 * are raised to min_align). NULL also iff align is not a power of two.
 *
 * !!! ARGUMENT ORDER: (vr, SIZE, ALIGN), SOF's vregion_alloc_align order.
 * The heap call vr_heap_aligned_alloc(h, ALIGN, SIZE) (vregion/heap.h) takes
 * Zephyr's order, the other way round. Both are size_t, so the compiler does
 * not catch a swap. */
void *vr_region_alloc_align(struct vr_region *vr, size_t size, size_t align);

/*
 * Coherent allocation: size rounded up to the cache line (NULL if that
 * overflows), aligned to max(align, cache line, min_align), the cached lines
 * invalidated (so no later eviction clobbers uncached writes), and returned
 * through the port's uncached alias. Free takes either alias. In the
 * LIFETIME phase this is a lifetime allocation, in INTERIM an interim one.
 */
void *vr_region_alloc_coherent(struct vr_region *vr, size_t size);
void *vr_region_alloc_coherent_align(struct vr_region *vr, size_t size, size_t align);

/*
 * Free by address (either alias). Interim blocks return to the heap; lifetime
 * allocations are counted (their space is not reused). Returns 0, or
 *   -EINVAL iff vr bad, ptr NULL, ptr not inside the region, or not a live
 *           allocation start:
 *           - in the lifetime part any interior, padding or above-the-bump
 *             pointer and any double free (the start map is exact);
 *           - in the interim part (INTERIM only) a pointer not aligned to
 *             min_align, one below the lowest address an interim block can
 *             have (from the interim base, where the heap keeps its first
 *             header, up to its first block: vr_region_free(vr, interim
 *             base) is -EINVAL), one at or above interim base +
 *             VR_HEAP_SPAN_MAX(min_align) (bytes the heap does not manage),
 *             or one vr_heap_free refuses with -EINVAL: a free block's
 *             header, i.e. a double free, or a pointer from before
 *             vr_region_interim_reset whose header a later block rewrote
 *             (always so for the first interim block; vregion/heap.h);
 *   -EFAULT iff vr_heap_free returns -EFAULT for an interim pointer that
 *           passed the checks above: the word before it is not a valid
 *           header (heap corruption; an interior pointer aligned to
 *           min_align, whose word before is user data; a pointer from before
 *           vr_region_interim_reset whose header was not rewritten since: the
 *           old key reads as damage) or a neighbour fails its checks. A
 *           stale interim pointer at which a block allocated after the reset
 *           starts frees that block (undefined, as any use of a freed
 *           pointer).
 * On error nothing changes except `errors`. O(1) (interim: the heap's bound).
 */
int vr_region_free(struct vr_region *vr, void *ptr);

/* True iff ptr (either alias) lies inside the region's mapped pages. O(1). */
bool vr_region_contains(struct vr_region *vr, const void *ptr);

/* Snapshot of the statistics, under the lock. 0 or -EINVAL. O(bump pointer /
 * min_align): the live lifetime count is the start map's population (for a
 * 28 KiB region at 64: at most 448 byte reads). */
int vr_region_get_stats(struct vr_region *vr, struct vr_region_stats *st);

/* Log a one-screen summary (base, size, phase, refcount, lifetime
 * used/size/allocs/frees, interim used/size/peak/largest free, failures,
 * errors, outstanding) through the port's log hook at VR_LOG_INF, eight
 * lines whose values their messages name (vregion/port.h), after the
 * region's name on a line of its own (message = the name, no values) when
 * it has one; the stats taken under the lock. 0 or -EINVAL. With VR_LOG_INF
 * compiled out (VR_CONFIG_LOG_LEVEL < 2) it only checks vr. */
int vr_region_info(struct vr_region *vr);

/* Total size and cached base (either out pointer may be NULL). 0 or -EINVAL
 * (outputs untouched). O(1). */
int vr_region_mem_info(struct vr_region *vr, size_t *size, uintptr_t *start);

/* Current phase; VR_REGION_INVALID also for a bad vr. O(1). */
enum vr_region_phase vr_region_phase(struct vr_region *vr);

/* The region's pool (for its port), or NULL for a bad vr. O(1). */
struct vr_vpage_pool *vr_region_pool(struct vr_region *vr);

/*
 * Full O(n) check: control block, bump pointer bounds and alignment, the
 * lifetime start map against the counters, the run in the pool, the heap's
 * own validate. Returns 0, -EINVAL (bad vr) or -EFAULT (logged with the
 * first inconsistency). Page permissions are not checked (no port query):
 * the fault tests cover them.
 */
int vr_region_validate(struct vr_region *vr);

/* ---- private: the lifetime fast path (do not use the fields) ---------- */

/*
 * A member of the control block, at VR_REGION_FAST_OFFSET_ from its start,
 * exposed only so the lifetime fast path can be inlined into the caller.
 * Fields are the library's; reading or writing them is undefined.
 * The control block starts with four pointer-sized words that no call on a
 * released region reads, so that a port's meta_free that links the freed
 * block through its first words (libc's free, Zephyr's k_free) does not put
 * garbage where the inline path or the DEAD check look. This only makes a
 * stale call more likely to be caught; it is no guarantee (see LIFE AFTER
 * DEATH at the top).
 */
#define VR_REGION_FAST_OFFSET_ (4 * sizeof(void *))

/*
 * The bump pointer is OPEN (ptr < end is the real bump pointer, the inline
 * path may bump it) or CLOSED (ptr == end, the inline path always falls
 * through to the library, which keeps the real bump pointer elsewhere under
 * the lock). Closed: every phase but LIFETIME, a released region (all
 * fields 0), a traced port, a sanitizer-annotated build (VR_CONFIG_TRACK),
 * a locked region without lock-free atomics, and for a moment while a lock
 * holder (set_interim, stats, validate, the last put) needs the bump
 * pointer to stand still.
 */
struct vr_region_fast_ {
	uintptr_t ptr;		/* bump pointer (always min_align aligned), or end */
	uintptr_t end;		/* first byte after the region (constant) */
	uintptr_t map_bias;	/* address of the start map entry of the granule
				 * at address 0: entry of p = map_bias + (p >> shift) */
	size_t mask;		/* min_align - 1 */
	size_t shift;		/* log2(min_align) */
	uintptr_t base;		/* first byte of the region (slow paths) */
	size_t atomic;		/* non-zero: a shared region, ptr moves by one
				 * compare-and-swap (VR_CONFIG_LOCKFREE) */
};

#if VR_CONFIG_LOCKFREE
#define VR_REGION_LOAD_(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define VR_REGION_MARK_(a) __atomic_store_n((bool *)(a), true, __ATOMIC_RELAXED)
#else
#define VR_REGION_LOAD_(p) (*(p))
#define VR_REGION_MARK_(a) (*(bool *)(a) = true)
#endif

/* The out-of-line path: every case the inline path does not take. */
void *vr_region_alloc_slow_(struct vr_region *vr, size_t size, size_t align);

/*
 * The lifetime bump without a call, or NULL when it does not apply (then the
 * caller calls the library). size - 1 < end - ptr  <=>  1 <= size <= room;
 * room is a multiple of min_align, so the rounded size fits too; a closed
 * bump pointer has no room. On a shared region the bump is one
 * compare-and-swap; losing a race falls back to the library. The start map
 * entry is set after the bump (a bool: its store cannot alias the fields).
 */
static inline void *vr_region_alloc_fast_(struct vr_region *vr, size_t size)
{
	struct vr_region_fast_ *f;
	uintptr_t p, n;

	if (VR_UNLIKELY(vr == NULL))
		return NULL;
	f = (struct vr_region_fast_ *)(void *)((char *)vr + VR_REGION_FAST_OFFSET_);
	p = VR_REGION_LOAD_(&f->ptr);
	if (VR_UNLIKELY(size - 1 >= (size_t)(f->end - p)))
		return NULL;
	n = p + ((size + f->mask) & ~f->mask);
	if (f->atomic) {
#if VR_CONFIG_LOCKFREE
		if (VR_UNLIKELY(!__atomic_compare_exchange_n(&f->ptr, &p, n, false,
							     __ATOMIC_RELAXED, __ATOMIC_RELAXED)))
			return NULL;
#else
		return NULL;
#endif
	} else {
		f->ptr = n;
	}
	VR_REGION_MARK_(f->map_bias + (p >> f->shift));
	return (void *)p;
}

static inline void *vr_region_alloc_inline_(struct vr_region *vr, size_t size)
{
	void *p = vr_region_alloc_fast_(vr, size);

	return VR_LIKELY(p != NULL) ? p : vr_region_alloc_slow_(vr, size, 0);
}

#ifndef VR_REGION_NO_INLINE
#define vr_region_alloc(vr, size) vr_region_alloc_inline_((vr), (size))
#endif

#ifdef __cplusplus
}
#endif

#endif /* VREGION_VREGION_H */
