/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_heap.c - libFuzzer harness for the interim heap (vregion/heap.h).
 *
 * The input is a little program. Header (4 bytes):
 *   [0..1] heap size: vr_heap_min_bytes() + u16 % (FZ_HEAP_MAX + 1 - min)
 *   [2]    placement: low 6 bits = offset of the buffer from a 64-byte
 *          boundary (any alignment); the byte also seeds the junk the buffer
 *          holds before init (the heap must not rely on zeroed memory)
 *   [3]    mode bits: 1 = vr_heap_create_in (control block inside the
 *          buffer), else vr_heap_init_granule with an outside control
 *          block and the granule 8, 16, 64 or 256 of bits 32 and 64;
 *          2 = check the init boundary pairs first; 4 = corruption ops allowed;
 *          8 (init mode) = check vr_heap_fresh_max_granule() on the fresh
 *          heap, at alignment 4 << (2 * (byte [2] >> 6) + bit 16 of this byte)
 * then operations, one opcode byte each plus arguments (see the switch).
 *
 * The model: up to NSLOT live blocks with their request, alignment, usable
 * size and fill tag. Every block is filled over its whole usable size at
 * alloc and checked before it is freed; every operation is followed by
 * vr_heap_validate() == 0, statistics equal to the model (live, allocs,
 * frees, failures, errors, used == sum of block sizes, peak), a quick check
 * of every live block's first and last bytes, and the canaries around the
 * buffer (poisoned for ASan as well, so a stray access reports at once).
 * Every allocation is also a trial of vr_heap_max_alloc(): it succeeds iff
 * its size is at most what max_alloc said at that alignment just before.
 *
 * Corruption mode (mode bit 4, opcode 15): one byte of heap metadata (a
 * header, a free block's link or footer, the end marker, or the byte after a
 * live block: a one-byte overflow) is changed. The heap documents that any
 * change confined to one byte of that metadata is detected, so validate()
 * must then return -EFAULT. From there on the model is not trusted: the
 * harness keeps calling alloc/free/walk/usable_size and requires only that
 * nothing crashes, nothing outside the buffer is touched and every pointer
 * the heap returns lies inside its buffer. vr_heap_reset() brings the heap
 * back to a clean state (as after init), so normal checking resumes after it.
 *
 * Some bad frees are detected only with high probability (the heap's header
 * check has 9 bits; see heap.h): an interior pointer on the granule grid
 * whose preceding word decodes as a header, or a stale pointer whose old
 * header was overwritten. If the heap accepts such a free (rc 0), the
 * harness switches to corruption mode instead of failing. Bad frees whose
 * outcome is certain (interior pointers off the granule grid, foreign
 * pointers, NULL, an immediate double free) must fail with the documented
 * errno; a free of a block dropped by reset with nothing allocated since
 * gets -EFAULT or (the first block) -EINVAL.
 */
#include <errno.h>

#include "vregion/heap.h"
#include "stress.h"
#include "fuzz_common.h"
#include "util.h"	/* vr_is_pow2 */

#define FZ_HEAP_MAX	(40u * 1024u)	/* largest heap buffer */
#define NSLOT		64		/* live blocks in the model */
#define NSTALE		16		/* remembered freed / dropped pointers */
#define GUARD		512		/* canary bytes on each side */
#define MAX_OPS		1024		/* operations per input: bounds the time per input */
#define TAIL		16		/* bytes checked at each end of a block */
#define WALK_MAX	(FZ_HEAP_MAX / 16u + 2u)

struct slot {
	uint8_t *p;		/* NULL: empty */
	size_t req;		/* bytes requested */
	size_t align;		/* alignment requested (0 default) */
	size_t usable;		/* vr_heap_usable_size() at alloc */
	size_t blk;		/* vr_heap_block_bytes() at alloc: usable + its header */
	uint8_t *lo;		/* first byte of the block (its header): p - 4 */
	uint32_t tag;		/* fill tag */
	uint8_t tail[TAIL];	/* the pattern's last TAIL bytes (quick check) */
};

/* A pointer that is no longer live, and when it stopped being live. */
struct stale {
	uint8_t *p;
	uint32_t gen;		/* value of `gen` when freed or dropped */
	bool dropped;		/* dropped by reset rather than freed */
};

struct model {
	struct vr_heap *h;
	uint8_t *mem;		/* buffer given to init / create_in */
	size_t bytes;
	size_t granule;		/* G: every block a multiple of it and aligned to it */
	struct slot s[NSLOT];
	size_t nlive;
	struct stale st[NSTALE];
	size_t nstale;
	uint32_t gen;		/* bumped by every successful alloc and by reset */
	uint32_t tagseq;
	/* expected statistics */
	size_t allocs, frees, failures, errors, peak;
	bool corrupt;		/* the model is no longer trusted */
	unsigned ops;
};

static _Alignas(64) uint8_t arena[GUARD + 64 + FZ_HEAP_MAX + GUARD];
static struct vr_heap ctl;	/* control block for vr_heap_init mode */
static uint8_t foreign[64];	/* memory the heap does not own */
static struct model M;

#define ARENA_HI (arena + sizeof(arena))

static void canaries(void)
{
	FZ_CHECK(fz_canary_ok(arena, M.mem, M.bytes, ARENA_HI),
		 "a byte outside the heap buffer [%p, +%zu) was written (op %u)",
		 (void *)M.mem, M.bytes, M.ops);
}

static bool in_buf(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)M.mem;

	return a >= lo && n <= M.bytes && a - lo <= M.bytes - n;
}

/* ---- model helpers ---- */

static size_t used_bytes_model(void)
{
	size_t i, sum = 0;

	for (i = 0; i < NSLOT; i++) {
		if (M.s[i].p)
			sum += M.s[i].blk;	/* stats.used is their sum (heap.h) */
	}
	return sum;
}

static bool slot_unused(const void *arg, int i)
{
	(void)arg;
	return !M.s[i].p;
}

static bool slot_used(const void *arg, int i)
{
	(void)arg;
	return M.s[i].p != NULL;
}

static bool slot_at(const void *arg, int i)
{
	return M.s[i].p == arg;
}

static int slot_empty(void)
{
	return fz_slot_find(NSLOT, 0, slot_unused, NULL);
}

/* The live slot at or after index b (cyclic), or -1. */
static int slot_live(uint8_t b)
{
	return M.nlive ? fz_slot_find(NSLOT, b, slot_used, NULL) : -1;
}

static bool is_live_start(const uint8_t *p)
{
	return fz_slot_find(NSLOT, 0, slot_at, p) >= 0;
}

/* True iff [lo, hi) touches a live block's [header, end). */
static bool overlaps_live(const uint8_t *lo, const uint8_t *hi, int except)
{
	int i;

	for (i = 0; i < NSLOT; i++) {
		const struct slot *b = &M.s[i];

		if (!b->p || i == except)
			continue;
		if (lo < b->p + b->usable && b->lo < hi)
			return true;
	}
	return false;
}

static void stale_add(uint8_t *p, bool dropped)
{
	size_t i;

	if (M.nstale == NSTALE) {
		memmove(&M.st[0], &M.st[1], sizeof(M.st[0]) * (NSTALE - 1));
		M.nstale--;
	}
	i = M.nstale++;
	M.st[i].p = p;
	M.st[i].gen = M.gen;
	M.st[i].dropped = dropped;
}

static void enter_corrupt(const char *why)
{
	FZ_TRACE("  -> corruption mode: %s\n", why);
	M.corrupt = true;
}

/* ---- the checks after every operation ---- */

static void check_block(int i, bool full)
{
	struct slot *b = &M.s[i];
	size_t n = b->usable, off;

	if (full || n <= 2u * TAIL) {
		off = vr_fill_check(b->p, n, b->tag);
	} else {
		/* Quick: the first bytes (links land there) and the last bytes
		 * (footers and the next header border them). */
		off = vr_fill_check(b->p, TAIL, b->tag);
		if (off == TAIL)
			off = memcmp(b->p + n - TAIL, b->tail, TAIL) == 0 ? n : n - TAIL;
	}
	FZ_CHECK(off == n, "fill pattern of block %d (%p, req %zu, usable %zu) broken at "
		 "offset %zu (op %u)", i, (void *)b->p, b->req, n, off, M.ops);
}

static void fill_block(struct slot *b)
{
	vr_fill(b->p, b->usable, b->tag);
	if (b->usable >= TAIL)
		memcpy(b->tail, b->p + b->usable - TAIL, TAIL);
}

static void check_stats(void)
{
	struct vr_heap_stats st;
	size_t used = used_bytes_model();

	FZ_CHECK(vr_heap_get_stats(M.h, &st) == 0, "get_stats failed");
	FZ_CHECK(st.total == M.bytes, "total %zu != buffer %zu", st.total, M.bytes);
	FZ_CHECK(st.used + st.free + st.overhead == st.total,
		 "used %zu + free %zu + overhead %zu != total %zu",
		 st.used, st.free, st.overhead, st.total);
	FZ_CHECK(st.live == M.nlive, "live %zu != model %zu", st.live, M.nlive);
	FZ_CHECK(st.used == used, "used %zu != model %zu (sum of block bytes)", st.used, used);
	FZ_CHECK(st.allocs == M.allocs, "allocs %zu != model %zu", st.allocs, M.allocs);
	FZ_CHECK(st.frees == M.frees, "frees %zu != model %zu", st.frees, M.frees);
	FZ_CHECK(st.failures == M.failures, "failures %zu != model %zu",
		 st.failures, M.failures);
	FZ_CHECK(st.errors == M.errors, "errors %zu != model %zu", st.errors, M.errors);
	if (used > M.peak)
		M.peak = used;
	FZ_CHECK(st.peak == M.peak, "peak %zu != model %zu", st.peak, M.peak);
	FZ_CHECK(st.largest_free <= st.free, "largest_free %zu > free %zu",
		 st.largest_free, st.free);
}

static void check_all(void)
{
	int i, rc;

	canaries();
	if (M.corrupt) {
		struct vr_heap_stats st;

		rc = vr_heap_validate(M.h);
		FZ_CHECK(rc == 0 || rc == -EFAULT, "validate on a corrupted heap: %d", rc);
		FZ_CHECK(vr_heap_get_stats(M.h, &st) == 0, "get_stats failed");
		canaries();
		return;
	}
	rc = vr_heap_validate(M.h);
	FZ_CHECK(rc == 0, "vr_heap_validate() = %d after op %u", rc, M.ops);
	check_stats();
	for (i = 0; i < NSLOT; i++) {
		if (M.s[i].p)
			check_block(i, false);
	}
}

/* ---- operations ---- */

static void note_alloc(uint8_t *p, size_t req, size_t align)
{
	int i = slot_empty();
	size_t u, blk, g = M.granule, mb = g < 16u ? 16u : g;
	/* the request's block, and a rest below one minimum block absorbed; an
	 * aligned block also keeps the slack above it (less than align) */
	size_t blk_max = ((req + 4u + g - 1u) / g * g < mb ? mb : (req + 4u + g - 1u) / g * g) +
			 (mb - g) + (align > g ? align - g : 0u);

	FZ_CHECK(i >= 0, "harness: no empty slot");
	u = vr_heap_usable_size(M.h, p);
	blk = vr_heap_block_bytes(M.h, p);
	if (M.corrupt) {
		/* Only what the heap promises whatever happened before. */
		FZ_CHECK(in_buf(p, 1), "alloc returned %p outside the buffer [%p, +%zu)",
			 (void *)p, (void *)M.mem, M.bytes);
		if (u == 0 || blk != u + 4 || !in_buf(p - 4, blk) ||
		    overlaps_live(p - 4, p + u, -1))
			return;		/* do not write where we cannot know */
	} else {
		FZ_CHECK(blk % g == 0 && blk == u + 4u && blk <= blk_max,
			 "block_bytes %zu for usable %zu, request %zu (granule %zu: at most %zu)",
			 blk, u, req, g, blk_max);
		FZ_CHECK(in_buf(p - 4, blk), "block [%p, +%zu) outside the buffer",
			 (void *)(p - 4), blk);
		FZ_CHECK(((uintptr_t)p & (g - 1u)) == 0, "%p not aligned to the granule %zu",
			 (void *)p, g);
		FZ_CHECK(align <= g || ((uintptr_t)p & (align - 1u)) == 0,
			 "%p not aligned to %zu", (void *)p, align);
		FZ_CHECK(u >= req && in_buf(p, u), "usable %zu < request %zu or outside", u, req);
		FZ_CHECK(!overlaps_live(p - 4, p + u, -1),
			 "block %p (+%zu) overlaps a live block", (void *)p, u);
		FZ_CHECK(vr_heap_contains(M.h, p), "contains(%p) false for a live block", (void *)p);
		M.allocs++;
		M.gen++;
	}
	M.s[i].p = p;
	M.s[i].req = req;
	M.s[i].align = align;
	M.s[i].usable = u;
	M.s[i].blk = blk;
	M.s[i].lo = p - 4;
	M.s[i].tag = ++M.tagseq * 0x01000193u + (uint32_t)req;
	fill_block(&M.s[i]);
	M.nlive++;
}

static void op_alloc(size_t size, size_t align, bool aligned)
{
	size_t m;
	uint8_t *p;

	if (slot_empty() < 0)
		return;
	m = vr_heap_max_alloc(M.h, aligned ? align : 0);
	if (aligned)
		p = vr_heap_aligned_alloc(M.h, align, size);
	else
		p = vr_heap_alloc(M.h, size);
	FZ_TRACE("  %s(%zu, align %zu) = %p\n", aligned ? "aligned_alloc" : "alloc",
		 size, align, (void *)p);
	if (p) {
		FZ_CHECK(size != 0, "alloc of 0 bytes returned %p", (void *)p);
		FZ_CHECK(!aligned || align == 0 || vr_is_pow2(align),
			 "alignment %zu is not a power of two but alloc returned %p",
			 align, (void *)p);
		if (!M.corrupt)
			FZ_CHECK(size <= m, "alloc(%zu, align %zu) succeeded above max_alloc %zu",
				 size, align, m);
		note_alloc(p, size, aligned ? align : 0);
		return;
	}
	if (M.corrupt)
		return;
	M.failures++;
	/* max_alloc is exact: every size up to it succeeds */
	FZ_CHECK(size == 0 || size > m, "alloc(%zu, align %zu) failed with max_alloc %zu",
		 size, align, m);
}

/* The boundary pair around max_alloc at an alignment (0: largest_free):
 * +1 fails, exactly it succeeds. */
static void op_largest(size_t align)
{
	struct vr_heap_stats st;
	size_t m;
	uint8_t *p;

	if (M.corrupt || slot_empty() < 0)
		return;
	vr_heap_get_stats(M.h, &st);
	m = vr_heap_max_alloc(M.h, align);
	if (align == 0)
		FZ_CHECK(m == st.largest_free, "largest_free %zu != max_alloc %zu",
			 st.largest_free, m);
	if (m == 0)
		return;
	p = vr_heap_aligned_alloc(M.h, align, m + 1u);
	FZ_TRACE("  aligned_alloc(%zu, max_alloc %zu + 1) = %p\n", align, m, (void *)p);
	FZ_CHECK(p == NULL, "aligned_alloc(%zu, max_alloc + 1 = %zu) succeeded", align, m + 1u);
	M.failures++;
	p = vr_heap_aligned_alloc(M.h, align, m);
	FZ_TRACE("  aligned_alloc(%zu, max_alloc %zu) = %p\n", align, m, (void *)p);
	FZ_CHECK(p != NULL, "aligned_alloc(%zu, max_alloc = %zu) failed", align, m);
	note_alloc(p, m, align);
}

static void op_free(int i)
{
	struct slot *b = &M.s[i];
	int rc;

	if (!M.corrupt)
		check_block(i, true);
	rc = vr_heap_free(M.h, b->p);
	FZ_TRACE("  free(%p) = %d\n", (void *)b->p, rc);
	if (!M.corrupt) {
		FZ_CHECK(rc == 0, "free of live block %p (req %zu) = %d", (void *)b->p, b->req, rc);
		M.frees++;
		stale_add(b->p, false);
	}
	if (rc == 0 || !M.corrupt) {
		b->p = NULL;
		M.nlive--;
	}
}

/* What a bad free must return. */
enum want {
	W_EINVAL,	/* exactly -EINVAL (the outcome is certain) */
	W_NEG,		/* -EINVAL or -EFAULT (certain to fail) */
	W_PROB,		/* fails, or is accepted with the documented small
			 * probability (then the heap is corrupt) */
};

/* Free `p`, which is not a live block start. */
static void bad_free(uint8_t *p, enum want want, const char *what)
{
	int rc = vr_heap_free(M.h, p);

	FZ_TRACE("  free(%s %p) = %d\n", what, (void *)p, rc);
	if (M.corrupt)
		return;
	if (want == W_EINVAL) {
		FZ_CHECK(rc == -EINVAL, "free(%s %p) = %d, want -EINVAL", what, (void *)p, rc);
	} else if (rc == 0 && want == W_PROB) {
		enter_corrupt("heap accepted a bad pointer (probabilistic check)");
		return;
	} else {
		FZ_CHECK(rc == -EINVAL || rc == -EFAULT, "free(%s %p) = %d, want -EINVAL or "
			 "-EFAULT", what, (void *)p, rc);
	}
	M.errors++;
	/* On error nothing changes: the quick pattern checks in check_all()
	 * and validate() follow. */
}

static void op_bad_free(struct fz_in *in)
{
	uint8_t kind = fz_u8(in), arg = fz_u8(in);
	uint16_t k16 = fz_u16(in);	/* always read: the format does not depend on state */
	int i = slot_live(arg);
	size_t k;

	switch (kind % 8u) {
	case 0:	/* interior pointer, off the granule grid: always -EINVAL */
		if (i < 0)
			break;
		k = 1u + (size_t)k16 % (M.s[i].usable - 1u);
		if (k % M.granule == 0)
			k++;	/* usable - 1 is G - 5 mod G: still inside */
		bad_free(M.s[i].p + k, W_EINVAL, "interior");
		break;
	case 1:	/* interior pointer on the grid: its "header" is user data */
		if (i < 0 || M.s[i].usable < 2u * M.granule)
			break;
		k = M.granule * (1u + (size_t)k16 % ((M.s[i].usable - M.granule) / M.granule));
		bad_free(M.s[i].p + k, W_PROB, "interior-aligned");
		break;
	case 2:	/* foreign memory, and just outside the buffer */
		bad_free(foreign + (arg % 32u), W_EINVAL, "foreign");
		bad_free(M.mem - 4 - (arg % 64u), W_EINVAL, "below-buffer");
		bad_free(M.mem + M.bytes + (arg % 64u), W_EINVAL, "above-buffer");
		break;
	case 3:
		bad_free(NULL, W_EINVAL, "NULL");
		break;
	case 4:	/* double free / free after reset */
	case 5:
		if (M.nstale == 0)
			break;
		{
			struct stale *s = &M.st[arg % M.nstale];

			if (is_live_start(s->p))
				break;	/* handed out again: undefined (heap.h) */
			/* Nothing allocated since: the old header is intact, and
			 * the outcome is certain: -EINVAL (FREE or DEAD); dropped
			 * by a reset: -EFAULT (the old key), or -EINVAL for the
			 * first block (the reset rewrote its header). */
			if (s->gen == M.gen)
				bad_free(s->p, s->dropped ? W_NEG : W_EINVAL,
					 s->dropped ? "dropped-by-reset" : "double");
			else
				bad_free(s->p, W_PROB,
					 s->dropped ? "dropped-by-reset-old" : "double-old");
		}
		break;
	case 6:	/* bad calls that count nothing */
		FZ_CHECK(vr_heap_free(NULL, foreign) == -EINVAL, "free(NULL heap)");
		FZ_CHECK(vr_heap_alloc(NULL, 8) == NULL, "alloc(NULL heap)");
		FZ_CHECK(vr_heap_aligned_alloc(NULL, 16, 8) == NULL, "aligned_alloc(NULL heap)");
		FZ_CHECK(vr_heap_usable_size(NULL, foreign) == 0, "usable_size(NULL heap)");
		FZ_CHECK(!vr_heap_contains(NULL, foreign), "contains(NULL heap)");
		FZ_CHECK(vr_heap_get_stats(NULL, NULL) == -EINVAL, "get_stats(NULL)");
		FZ_CHECK(vr_heap_get_stats(M.h, NULL) == -EINVAL, "get_stats(h, NULL)");
		FZ_CHECK(vr_heap_walk(M.h, NULL, NULL) == -EINVAL, "walk(NULL cb)");
		FZ_CHECK(vr_heap_walk(NULL, NULL, NULL) == -EINVAL, "walk(NULL)");
		FZ_CHECK(vr_heap_validate(NULL) == -EINVAL, "validate(NULL)");
		vr_heap_reset(NULL);
		break;
	default: /* usable_size and contains on good and bad pointers */
		FZ_CHECK(vr_heap_usable_size(M.h, foreign) == 0, "usable_size(foreign)");
		FZ_CHECK(!vr_heap_contains(M.h, foreign), "contains(foreign)");
		FZ_CHECK(!vr_heap_contains(M.h, M.mem - 1), "contains(buffer - 1)");
		FZ_CHECK(!vr_heap_contains(M.h, M.mem + M.bytes), "contains(buffer end)");
		FZ_CHECK(vr_heap_contains(M.h, M.mem) &&
			 vr_heap_contains(M.h, M.mem + M.bytes - 1), "contains(buffer ends) false");
		if (i < 0 || M.corrupt)
			break;
		FZ_CHECK(vr_heap_usable_size(M.h, M.s[i].p) == M.s[i].usable,
			 "usable_size(%p) changed", (void *)M.s[i].p);
		FZ_CHECK(vr_heap_usable_size(M.h, M.s[i].p + 1 + arg % 3u) == 0,
			 "usable_size(interior) != 0");
		FZ_CHECK(vr_heap_contains(M.h, M.s[i].p + M.s[i].usable - 1),
			 "contains(last byte of a block) false");
		break;
	}
}

/* ---- walk ---- */

struct walk_rec {
	uint8_t *p;
	size_t bytes;
	bool used;
};

struct walk_ctx {
	struct walk_rec r[WALK_MAX];
	size_t n;
	size_t stop_after;	/* 0: never */
	bool bad;		/* a block outside the buffer */
};

static struct walk_ctx W;

static int walk_cb(void *arg, void *ptr, size_t bytes, bool used)
{
	struct walk_ctx *w = arg;

	if (!in_buf((uint8_t *)ptr - 4, bytes + 4))
		w->bad = true;
	if (w->n < WALK_MAX) {
		w->r[w->n].p = ptr;
		w->r[w->n].bytes = bytes;
		w->r[w->n].used = used;
	}
	w->n++;
	if (w->stop_after && w->n == w->stop_after)
		return 7;
	return 0;
}

static void op_walk(uint8_t arg)
{
	struct vr_heap_stats st;
	size_t i, nused = 0, sum_used = 0, sum_free = 0;
	int rc;

	W.n = 0;
	W.bad = false;
	W.stop_after = arg % 4u == 0 ? 1u + arg / 4u % 8u : 0u;
	rc = vr_heap_walk(M.h, walk_cb, &W);
	FZ_TRACE("  walk(stop after %zu) = %d, %zu blocks\n", W.stop_after, rc, W.n);
	FZ_CHECK(!W.bad, "walk reported a block outside the buffer");
	if (M.corrupt)
		return;
	if (W.stop_after && W.n == W.stop_after) {
		FZ_CHECK(rc == 7, "walk did not return the callback's value: %d", rc);
		return;
	}
	FZ_CHECK(rc == 0, "walk = %d", rc);
	FZ_CHECK(W.n <= WALK_MAX, "more blocks than possible: %zu", W.n);
	for (i = 0; i < W.n; i++) {
		struct walk_rec *r = &W.r[i];

		size_t blk = r->used ? vr_heap_block_bytes(M.h, r->p) : r->bytes + 4u;
		uint8_t *start = r->p + r->bytes - blk;	/* the block's header */

		if (i > 0)
			FZ_CHECK(start == W.r[i - 1].p + W.r[i - 1].bytes,
				 "walk: blocks do not tile (block at %p after %p + %zu)",
				 (void *)start, (void *)W.r[i - 1].p, W.r[i - 1].bytes);
		else
			FZ_CHECK(in_buf(start, blk), "walk: first block outside the buffer");
		if (r->used) {
			FZ_CHECK(is_live_start(r->p), "walk: used block %p is not live", (void *)r->p);
			FZ_CHECK(vr_heap_usable_size(M.h, r->p) == r->bytes && blk >= r->bytes + 4u,
				 "walk: bytes %zu != usable_size, or block_bytes %zu", r->bytes, blk);
			nused++;
			sum_used += blk;
		} else {
			FZ_CHECK(!is_live_start(r->p), "walk: live block %p reported free",
				 (void *)r->p);
			FZ_CHECK(i == 0 || W.r[i - 1].used, "walk: two free neighbours");
			sum_free += r->bytes + 4u;
		}
	}
	vr_heap_get_stats(M.h, &st);
	FZ_CHECK(nused == M.nlive, "walk: %zu used blocks, model %zu", nused, M.nlive);
	FZ_CHECK(sum_used == st.used && sum_free == st.free,
		 "walk: used %zu free %zu, stats %zu %zu", sum_used, sum_free, st.used, st.free);
}

/* ---- corruption ---- */

static void op_corrupt(struct fz_in *in)
{
	uint8_t kind = fz_u8(in), arg = fz_u8(in), x = fz_u8(in);
	uint8_t *target = NULL;
	size_t i;
	int rc;
	const char *what = "";

	if (x == 0)
		x = 0xff;
	/* Find the blocks (the heap is intact here unless already corrupt). */
	W.n = 0;
	W.bad = false;
	W.stop_after = 0;
	rc = vr_heap_walk(M.h, walk_cb, &W);
	if (rc != 0 || W.n == 0 || W.n > WALK_MAX)
		return;
	{
		/* Pick the arg-th block of the wanted state (cyclic), if any. */
		bool want_used = kind % 8u == 0 || kind % 8u == 6;
		size_t cnt = 0, pick;
		struct walk_rec *r = NULL;

		for (i = 0; i < W.n; i++)
			cnt += W.r[i].used == want_used;
		if (kind % 8u == 5 || kind % 8u == 7 || cnt == 0) {
			r = &W.r[W.n - 1];
		} else {
			pick = arg % cnt;
			for (i = 0; i < W.n; i++) {
				if (W.r[i].used == want_used && pick-- == 0) {
					r = &W.r[i];
					break;
				}
			}
		}
		switch (cnt == 0 && kind % 8u != 7 ? 5 : kind % 8u) {
		case 0: what = "live header"; target = r->p - 4 + arg % 4u; break;
		case 1: what = "free header"; target = r->p - 4 + arg % 4u; break;
		case 2: what = "free next link"; target = r->p + arg % 4u; break;
		case 3: what = "free prev link"; target = r->p + 4 + arg % 4u; break;
		case 4: what = "free footer"; target = r->p + r->bytes - 4 + arg % 4u; break;
		case 5: what = "end marker"; target = r->p + r->bytes + arg % 4u; break;
		case 6: what = "overflow by one byte"; target = r->p + r->bytes; break;
		default:
			/* Any byte of the blocks and the end marker (the
			 * control block of create_in is out of scope: the
			 * heap cannot defend its own control block, which
			 * is why vregion keeps it outside the region). */
			what = "any byte";
			{
				uint8_t *lo = W.r[0].p - 4;
				size_t span = (size_t)(W.r[W.n - 1].p + W.r[W.n - 1].bytes + 4 - lo);

				target = lo + ((size_t)arg * 257u + x) % span;
			}
			break;
		}
	}
	FZ_CHECK(in_buf(target, 1), "harness: corruption target outside");
	*target ^= x;
	FZ_TRACE("  corrupt %s at %p ^= 0x%02x\n", what, (void *)target, x);
	if (!M.corrupt && kind % 8u != 7) {
		rc = vr_heap_validate(M.h);
		FZ_CHECK(rc == -EFAULT, "one-byte corruption of the %s at %p (^0x%02x) not "
			 "detected by validate (%d)", what, (void *)target, x, rc);
	}
	enter_corrupt(what);
}

/*
 * vr_heap_fresh_max_granule() on the fresh heap: exactly vr_heap_max_alloc
 * at that alignment; a request of that size is granted, one byte more is
 * not. The block is freed again, so the heap is fresh for what follows.
 */
static void op_free(int i);

static void fresh_max_pair(size_t align)
{
	size_t fm = vr_heap_fresh_max_granule(M.mem, M.bytes, M.granule, align);
	uint8_t *p;

	FZ_TRACE("  fresh_max(align %zu) = %zu\n", align, fm);
	FZ_CHECK(fm == vr_heap_max_alloc(M.h, align), "fresh_max %zu != max_alloc %zu",
		 fm, vr_heap_max_alloc(M.h, align));
	/* 0: even one byte fails (a small heap, a large alignment); at the
	 * granule's alignment every heap that initialised grants a block. */
	FZ_CHECK(fm != 0 || align > M.granule, "fresh_max(%zu bytes, align %zu) = 0",
		 M.bytes, align);
	p = vr_heap_aligned_alloc(M.h, align, fm + 1u);
	FZ_CHECK(p == NULL, "fresh heap granted fresh_max + 1 = %zu", fm + 1u);
	M.failures++;
	if (fm == 0)
		return;
	p = vr_heap_aligned_alloc(M.h, align, fm);
	FZ_CHECK(p != NULL, "fresh heap refused fresh_max = %zu at align %zu", fm, align);
	note_alloc(p, fm, align);
	check_all();
	op_free(slot_live(0));
	check_all();
}

/* ---- setup ---- */

static bool setup(struct fz_in *in)
{
	size_t minb = vr_heap_min_bytes(), ctlb = vr_heap_control_bytes();
	uint16_t sz = fz_u16(in);
	uint8_t place = fz_u8(in), mode = fz_u8(in);
	size_t bytes = minb + sz % (FZ_HEAP_MAX + 1u - minb);
	uint8_t junk = (uint8_t)(place * 0x9du + 0x5bu);

	memset(&M, 0, sizeof(M));
	fz_canary_release(arena, ARENA_HI);
	M.mem = arena + GUARD + (place & 63u);
	/* Junk in the buffer: the heap must not rely on zeroed memory. */
	memset(M.mem, junk, bytes);

	if (mode & 2u) {	/* boundary pairs of init and create_in */
		FZ_CHECK(vr_heap_init(&ctl, M.mem, minb - 1u) == -EINVAL, "init(min - 1)");
		FZ_CHECK(vr_heap_init(&ctl, M.mem, minb) == 0, "init(min)");
		FZ_CHECK(vr_heap_validate(&ctl) == 0, "validate after init(min)");
		FZ_CHECK(vr_heap_init(NULL, M.mem, minb) == -EINVAL, "init(NULL)");
		FZ_CHECK(vr_heap_init(&ctl, NULL, minb) == -EINVAL, "init(mem NULL)");
		FZ_CHECK(vr_heap_create_in(M.mem, ctlb + minb - 1u) == NULL, "create_in(min - 1)");
		FZ_CHECK(vr_heap_create_in(NULL, ctlb + minb) == NULL, "create_in(NULL)");
		FZ_CHECK(vr_heap_create_in(M.mem, ctlb + minb) != NULL, "create_in(min)");
		memset(M.mem, junk, bytes > ctlb + minb ? bytes : ctlb + minb);
	}
	if (mode & 1u) {
		if (bytes < ctlb + minb)
			bytes = ctlb + minb;
		M.h = vr_heap_create_in(M.mem, bytes);
		FZ_CHECK(M.h != NULL, "create_in(%p, %zu) failed", (void *)M.mem, bytes);
		FZ_CHECK((uint8_t *)M.h >= M.mem && (uint8_t *)M.h < M.mem + 16,
			 "create_in: control block not at the start");
		M.granule = VR_HEAP_GRANULE;
	} else {
		static const size_t grans[4] = { 8, 16, 64, 256 };

		M.granule = grans[mode >> 5 & 3u];
		if (vr_heap_init_granule(&ctl, M.mem, bytes, M.granule) != 0) {
			/* only a buffer too small for one block of that granule */
			FZ_CHECK(bytes < 4u + 2u * M.granule - 1u + 16u,
				 "init_granule(%p, %zu, %zu) failed", (void *)M.mem, bytes,
				 M.granule);
			M.granule = VR_HEAP_GRANULE;
			FZ_CHECK(vr_heap_init(&ctl, M.mem, bytes) == 0, "init(%p, %zu) failed",
				 (void *)M.mem, bytes);
		}
		M.h = &ctl;
	}
	M.bytes = bytes;
	fz_canary_arm(arena, M.mem, M.bytes, ARENA_HI);
	FZ_TRACE("heap %s at %p, %zu bytes, granule %zu, mode 0x%x\n",
		 mode & 1u ? "create_in" : "init", (void *)M.mem, bytes, M.granule, mode);
	check_all();
	if ((mode & 9u) == 8u)
		fresh_max_pair((size_t)1 << (place >> 6 << 1 | (mode >> 4 & 1u)) << 2);
	return (mode & 4u) != 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init_trace();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	bool corruption_ok;
	int i;

	/* A short input reads as zeros: every input is a valid program. */
	corruption_ok = setup(&in);

	while (fz_more(&in) && M.ops < MAX_OPS) {
		uint8_t op = fz_u8(&in);

		M.ops++;
		FZ_TRACE("op %u: %u\n", M.ops, op % 16u);
		switch (op % 16u) {
		case 0: case 1: case 2:
			op_alloc(fz_size(&in, 4096), 0, false);
			break;
		case 3:
			{
				size_t a = fz_align(&in);

				op_alloc(fz_size(&in, 4096), a, true);
			}
			break;
		case 4: case 5: case 6:
			i = slot_live(fz_u8(&in));
			if (i >= 0)
				op_free(i);
			break;
		case 7: case 8:
			op_bad_free(&in);
			break;
		case 9:
			op_walk(fz_u8(&in));
			break;
		case 10:	/* reset (rarer: one in four) */
			if (fz_u8(&in) % 4u != 0)
				break;
			vr_heap_reset(M.h);
			FZ_TRACE("  reset\n");
			M.gen++;
			for (i = 0; i < NSLOT; i++) {
				if (M.s[i].p) {
					stale_add(M.s[i].p, true);
					M.s[i].p = NULL;
				}
			}
			M.nlive = 0;
			M.peak = 0;
			if (M.corrupt) {	/* as after init: trust it again */
				struct vr_heap_stats st;

				vr_heap_get_stats(M.h, &st);
				M.allocs = st.allocs;
				M.frees = st.frees;
				M.failures = st.failures;
				M.errors = st.errors;
				M.nstale = 0;
				M.corrupt = false;
				FZ_TRACE("  -> normal mode again\n");
			}
			break;
		case 11:
			{
				uint8_t b = fz_u8(&in);

				op_largest(b < 128 ? 0 : (size_t)1 << (b % 12u));
			}
			break;
		case 12:	/* burst of equal allocations */
			{
				uint8_t k = fz_u8(&in);
				size_t sz = fz_size(&in, 256);

				for (k = k % 16u + 1u; k > 0; k--)
					op_alloc(sz, 0, false);
			}
			break;
		case 13:	/* free everything, in one of three orders */
			{
				uint8_t ord = fz_u8(&in) % 3u;

				for (i = 0; i < NSLOT; i++) {
					int j = ord == 0 ? i : ord == 1 ? NSLOT - 1 - i :
						(i * 37) % NSLOT;

					if (M.s[j].p)
						op_free(j);
				}
			}
			break;
		case 14:	/* rewrite a block with a new pattern (the user's writes) */
			i = slot_live(fz_u8(&in));
			if (i >= 0 && !M.corrupt) {
				check_block(i, true);
				M.s[i].tag = ++M.tagseq * 0x01000193u;
				fill_block(&M.s[i]);
			}
			break;
		default:
			if (corruption_ok)
				op_corrupt(&in);
			else
				op_alloc(fz_size(&in, 64), 0, false);
			break;
		}
		check_all();
	}
	/* End: free what is live (normal mode) and check the heap is empty. */
	if (!M.corrupt) {
		for (i = 0; i < NSLOT; i++) {
			if (M.s[i].p)
				op_free(i);
		}
		check_all();
		{
			struct vr_heap_stats st;

			vr_heap_get_stats(M.h, &st);
			FZ_CHECK(st.used == 0 && st.live == 0, "heap not empty after freeing all");
			FZ_CHECK(st.largest_free + 4u == st.free,
				 "after freeing all, largest_free %zu + 4 != free %zu",
				 st.largest_free, st.free);
		}
	}
	canaries();
	fz_canary_release(arena, ARENA_HI);
	return 0;
}
