/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap.c - the interim heap: init, alloc, aligned alloc, free, queries.
 * The design (block layout, header encoding, classes) is described in
 * include/vregion/heap.h; validate and walk are in heap_inspect.c.
 *
 * Every path checks before it writes: a free or an allocation that finds a
 * corrupted header, footer or link returns an error with nothing changed.
 */
#include <errno.h>
#include <string.h>

#include "vregion/heap.h"
#include "heap_internal.h"

size_t vr_heap_min_bytes(void)
{
	return VR_HEAP_MIN_BLOCK + 4u /* end marker */ + 7u /* alignment */;
}

size_t vr_heap_control_bytes(void)
{
	return sizeof(struct vr_heap) + _Alignof(struct vr_heap) - 1u;
}

/* Lay out one free block over everything and the end marker. */
static void heap_format(struct vr_heap *h)
{
	struct hv v = hv_of(h);
	uint32_t units = h->end_u - 1u;

	memset(h->bitmap, 0, sizeof(h->bitmap));
	memset(h->heads, 0, (size_t)h->ncls * sizeof(h->heads[0]));
	hdr_put(v, h->end_u, T_PFREE);		/* end marker: used, size 0, prev free */
	hdr_put(v, 1u, T_SIZE(units) | T_FREE);
	FOOT(v, h->end_u) = units;
	list_push(h, v, 1u, cls(units));
	h->used_u = 0;
	h->peak_u = 0;
}

/* Units of the first block for a buffer; 0 if too small. */
static uint32_t span_units(uintptr_t start, size_t bytes, uintptr_t *first)
{
	uintptr_t fh, last;
	size_t span;

	if (bytes > VR_HEAP_MAX_BYTES + 16u)
		bytes = VR_HEAP_MAX_BYTES + 16u;	/* manage the first part only */
	fh = ((start + 3u) & ~(uintptr_t)7u) + 4u;		/* first header, 4 mod 8 */
	last = ((start + bytes - 8u) & ~(uintptr_t)7u) + 4u;	/* end marker, 4 mod 8 */
	span = (size_t)(last - fh) / 8u;
	if (span > ((size_t)1 << VR_HEAP_UNIT_BITS) - 1u)
		span = ((size_t)1 << VR_HEAP_UNIT_BITS) - 1u;
	*first = fh;
	return (uint32_t)span;
}

int vr_heap_init(struct vr_heap *h, void *mem, size_t bytes)
{
	uintptr_t fh;
	uint32_t units, ncls;

	if (h == NULL || mem == NULL || bytes < vr_heap_min_bytes())
		return -EINVAL;
	units = span_units((uintptr_t)mem, bytes, &fh);
	VR_ASSERT(units >= 2u);
	ncls = cls(units) + 1u;
	memset(h, 0, ctrl_bytes(ncls));
	h->ncls = ncls;
	h->hb = fh - 8u;
	h->p0 = fh + 4u;
	h->end_u = 1u + units;
	h->ulim = units;
	/* Per-heap key from the control block's address (any 9-bit value works;
	 * it makes one heap's headers invalid in another). */
	h->kc = ((uint32_t)((uintptr_t)h >> 3) * 0x9e3779b1u) & T_KEYMASK;
	h->dead = hdr_enc(hv_of(h), T_DEAD);
	h->max_req = units * 8u - 4u;
	h->magic = HEAP_MAGIC ^ (uint32_t)(uintptr_t)h;
	h->mem = mem;
	h->bytes = bytes;
	h->overhead = bytes - (size_t)units * 8u;
	heap_format(h);
	return 0;
}

size_t vr_heap_fresh_max(const void *mem, size_t bytes, size_t align)
{
	uintptr_t fh;
	size_t block, slack;

	if (mem == NULL || bytes < vr_heap_min_bytes() || (align && !vr_is_pow2(align)))
		return 0;
	/* One free block of `units` units; an aligned request is sized for its
	 * worst case, block(s) + align - 8 (see the design block in heap.h). */
	block = (size_t)span_units((uintptr_t)mem, bytes, &fh) * 8u;
	slack = align > VR_HEAP_ALIGN ? align - VR_HEAP_ALIGN : 0;
	if (block < VR_HEAP_MIN_BLOCK + slack)
		return 0;
	return block - slack - 4u;
}

struct vr_heap *vr_heap_create_in(void *mem, size_t bytes)
{
	uintptr_t a, fh;
	size_t pad;
	struct vr_heap *h;

	if (mem == NULL || bytes < vr_heap_control_bytes() + vr_heap_min_bytes())
		return NULL;
	a = vr_align_up((uintptr_t)mem, _Alignof(struct vr_heap));
	/* Reserve the heads for as many classes as the whole buffer could need
	 * (the heap itself is smaller, so init uses at most that many). */
	pad = (size_t)(a - (uintptr_t)mem) +
	      ctrl_bytes(cls(span_units((uintptr_t)mem, bytes, &fh)) + 1u);
	h = (struct vr_heap *)a;
	if (vr_heap_init(h, (char *)mem + pad, bytes - pad) != 0)
		return NULL;
	/* Report the whole buffer: the control block counts as overhead. */
	h->mem = mem;
	h->bytes += pad;
	h->overhead += pad;
	return h;
}

void vr_heap_reset(struct vr_heap *h)
{
	if (!heap_ok(h))
		return;
	h->dropped = h->allocs - h->frees;
	/* A new key makes every header written before the reset invalid, so a
	 * stale pointer is rejected (for the next 511 resets). */
	h->kc += 1u << 23;
	h->dead = hdr_enc(hv_of(h), T_DEAD);
	heap_format(h);
}

/* ---- allocation ---- */

#if defined(__GNUC__) || defined(__clang__)
#define VR_HEAP_COLD __attribute__((noinline, cold))
#define VR_HEAP_NOINLINE __attribute__((noinline))
#else
#define VR_HEAP_COLD
#define VR_HEAP_NOINLINE
#endif

static VR_HEAP_COLD void *alloc_fail(struct vr_heap *h, bool corrupt)
{
	if (h != NULL) {
		h->failures++;
		if (corrupt)
			h->errors++;
	}
	return NULL;
}

/*
 * Take free block b (head of class c, `units` long, header checked) for a
 * block of n units whose user pointer sits `gap` units in (gap > 0 only for
 * aligned requests: a PAD marker before the user pointer leads free back to
 * the header). Returns the user pointer, or NULL on detected corruption
 * (nothing written).
 */
static VR_HEAP_INLINE void *take(struct vr_heap *h, struct hv v, uint32_t c, uint32_t b,
				uint32_t units, uint32_t n, uint32_t gap)
{
	uint32_t e = b + units, rem = units - n, nx = NEXT(v, b), rc = 0;

	/* All checks before any write (b's own PREV is not followed). */
	if (nx != 0u && VR_UNLIKELY(nx >= h->end_u || PREV(v, nx) != b))
		return NULL;
	if (rem >= 2u) {
		/* the head the remainder is pushed before is written through:
		 * bounds-check it (create_in keeps the heads next to the first
		 * block, where an underflow lands) */
		rc = cls(rem);
		if (VR_UNLIKELY(h->heads[rc] > h->ulim))
			return NULL;
	} else {
		/* no room for a free remainder: absorb it, the next block's
		 * PREV_FREE goes */
		if (VR_UNLIKELY((hdr_dec(v, e) & (T_KEYMASK | T_PFREE | T_FREE)) != T_PFREE))
			return NULL;
		n = units;
		*HDR(v, e) -= HDR_PFREE_DELTA;
	}
	h->heads[c] = nx;
	if (nx != 0u)
		PREV(v, nx) = HEAD_TAG | c;
	else
		bm_clear(h, c);
	hdr_put(v, b, T_SIZE(n) | (gap != 0u ? T_PADDED : 0u));
	if (rem >= 2u) {
		uint32_t r = b + n;

		hdr_put(v, r, T_SIZE(rem) | T_FREE);
		FOOT(v, e) = rem;
		list_push(h, v, r, rc);
	}
	h->used_u += n;
	if (h->used_u > h->peak_u)
		h->peak_u = h->used_u;
	h->allocs++;
	if (gap != 0u) {
		NEXT(v, b) = gap;			/* for walk/validate */
		hdr_put(v, b + gap, T_PAD(gap));
	}
	return (void *)(HDR(v, b + gap) + 1);
}

/* A free block's decoded header is valid, FREE, not PREV_FREE. */
#define FREE_OK(t)	(((t) & (T_KEYMASK | T_PADDED | T_PFREE | T_FREE)) == T_FREE)

/* Units before the 8-aligned payload of block b to reach `align` (0 for 0). */
static inline uint32_t align_gap(struct hv v, uint32_t b, size_t align)
{
	return (uint32_t)((0u - (uintptr_t)(HDR(v, b) + 1)) & (align - 1u)) >> 3;
}

/*
 * The allocator: align is 0 (default, 8) or a power of two > 8, checked by
 * the callers. Good fit: the head of the first non-empty class >= the
 * request's own class; if it does not fit (only possible in the request's
 * own class, or through the alignment gap), the head of the first non-empty
 * class where every block fits.
 */
static VR_HEAP_HOT void *alloc_core(struct vr_heap *h, size_t size, size_t align)
{
	struct hv v;
	uint32_t n, c, w, m, f, b, t, gap = 0;
	void *p;

	if (VR_UNLIKELY(h == NULL || size - 1u >= h->max_req))
		return alloc_fail(h, false);
	v = hv_of(h);
	n = (uint32_t)((size + 11u) >> 3);
	n = n < 2u ? 2u : n;
	/* The worst case (n + the largest gap) is below 2^21 units, so c is
	 * inside the bitmap (which has a spare word). */
	c = cls(align != 0u ? n + (uint32_t)(align >> 3) - 1u : n);
	w = c >> 5;
	m = h->bitmap[w] & (~0u << (c & 31u));
	for (;;) {
		while (m == 0u) {
			if (VR_UNLIKELY(++w >= VR_HEAP_BM_WORDS))
				return alloc_fail(h, false);
			m = h->bitmap[w];
		}
		f = (w << 5) + vr_ctz32(m);
		b = h->heads[f];
		if (VR_UNLIKELY(b - 1u >= h->ulim))	/* a smashed head */
			return alloc_fail(h, true);
		t = hdr_dec(v, b);
		if (align != 0u)
			gap = align_gap(v, b, align);
		if (VR_UNLIKELY(!FREE_OK(t) || T_UNITS(t) > h->end_u - b))
			return alloc_fail(h, true);
		if (VR_LIKELY(gap + n <= T_UNITS(t)))
			break;
		/* Only the request's own class c can hold a block too small (every
		 * block of a class above c has more units than the worst case):
		 * drop c from the mask and take the next class, once. */
		if (VR_UNLIKELY(f != c))
			return alloc_fail(h, true);
		m &= m - 1u;
		c = NO_CLASS;
	}
	p = take(h, v, f, b, T_UNITS(t), gap + n, gap);
	if (VR_UNLIKELY(p == NULL))
		return alloc_fail(h, true);
	return p;
}

void *vr_heap_alloc(struct vr_heap *h, size_t size)
{
	return alloc_core(h, size, 0);
}

/* align (non-zero) is a power of two. Written with a bit scan: clang turns
 * the usual a & (a - 1) test into a population count, a libcall-sized
 * sequence on cores without one. */
static inline bool pow2_nz(size_t a)
{
#if defined(__clang__) && SIZE_MAX > 0xffffffffu
	return a == (size_t)1 << vr_ctz64(a);
#elif defined(__clang__)
	return a == (size_t)1 << vr_ctz32(a);
#else
	return (a & (a - 1u)) == 0u;
#endif
}

void *vr_heap_aligned_alloc(struct vr_heap *h, size_t align, size_t size)
{
	if (align <= VR_HEAP_ALIGN) {
		if (align & (align - 1u))
			return alloc_fail(h, false);
		return alloc_core(h, size, 0);
	}
	if (VR_UNLIKELY(h == NULL || !pow2_nz(align) || align > h->max_req))
		return alloc_fail(h, false);
	return alloc_core(h, size, align);
}

/* ---- free ---- */

static VR_HEAP_COLD int free_err(struct vr_heap *h, int err)
{
	h->errors++;
	return err;
}

/* Unit index of the header word just before ptr, or 0 if ptr cannot be a
 * user pointer (outside [unit 1, end marker) or not at 4 mod 8 from a
 * header). One rotate folds the alignment test into the range test. */
static inline uint32_t ptr_unit(const struct vr_heap *h, const void *ptr)
{
	uintptr_t x = (uintptr_t)ptr - h->p0;		/* unit 1's payload -> 0 */
	uintptr_t r = (x >> 3) | (x << (sizeof(uintptr_t) * 8u - 3u));

	return r < h->ulim ? (uint32_t)r + 1u : 0u;
}

/*
 * The word before ptr (unit u) is not a used header: a PAD marker of an
 * aligned block (returns the block's unit and its header in *t), or an error
 * (returns 0, *t = negative errno).
 */
static inline uint32_t unpad(struct hv v, uint32_t u, uint32_t *t)
{
	uint32_t x = hdr_dec(v, u), g = T_UNITS(x), b, tb;

	if (x > T_MAX) {
		/* Corrupted, or an interior pointer; or a freed aligned block
		 * whose 1-unit pad word became its PREV link (the block at u - 1
		 * is free, or was absorbed into its free neighbour): a double
		 * free. */
		tb = u >= 2u ? hdr_dec(v, u - 1u) : T_KEYMASK;
		*t = ((tb & (T_KEYMASK | T_PADDED | T_PFREE | T_FREE)) == T_FREE || tb == T_DEAD) ?
		     (uint32_t)-EINVAL : (uint32_t)-EFAULT;
		return 0;
	}
	if ((x & (T_PADDED | T_PFREE | T_FREE)) != T_DEAD || g == 0u || g >= u) {
		/* a free block, a dead header (double free), or the start of an
		 * aligned block instead of the pointer it returned */
		*t = (uint32_t)-EINVAL;
		return 0;
	}
	b = u - g;
	tb = hdr_dec(v, b);
	if ((tb & (T_KEYMASK | T_PADDED | T_FREE)) != T_PADDED || T_UNITS(tb) <= g ||
	    NEXT(v, b) != g) {
		*t = (uint32_t)-EFAULT;
		return 0;
	}
	*t = tb;
	return b;
}

/*
 * Free used block u (decoded header t, valid, used). pad is the unit of the
 * PAD marker for an aligned block, else 0. Checks neighbours and links, then
 * coalesces and pushes the result on its class list.
 */
static VR_HEAP_INLINE int free_block(struct vr_heap *h, uint32_t u, uint32_t t, uint32_t pad)
{
	struct hv v = hv_of(h);
	uint32_t units = T_UNITS(t), e = u + units, end = h->end_u, te, p = 0, f = 0, ne = 0;
	uint32_t start, total, c;

	if (VR_UNLIKELY(units < 2u || e > end))
		return free_err(h, -EFAULT);
	te = hdr_dec(v, e);
	if (VR_UNLIKELY(te & (T_KEYMASK | T_PFREE)))
		return free_err(h, -EFAULT);
	if (t & T_PFREE) {
		f = FOOT(v, u);
		p = u - f;
		if (VR_UNLIKELY(f < 2u || f >= u || hdr_dec(v, p) != (T_SIZE(f) | T_FREE) ||
				!unlink_ok(h, v, p)))
			return free_err(h, -EFAULT);
	}
	if (te & T_FREE) {
		ne = T_UNITS(te);
		if (VR_UNLIKELY(ne < 2u || ne > end - e || !unlink_ok(h, v, e)))
			return free_err(h, -EFAULT);
	}
	/* The head the merged block is pushed before is written through:
	 * bounds-check it (after the unlinks it is this value or a checked
	 * link). */
	start = u - f;
	total = f + units + ne;
	c = cls(total);
	if (VR_UNLIKELY(h->heads[c] > h->ulim))
		return free_err(h, -EFAULT);
	/* Checked: now write. */
	if (pad != 0u)
		*HDR(v, pad) = h->dead;
	if (t & T_PFREE) {
		list_unlink(h, v, p);
		*HDR(v, u) = h->dead;
	}
	if (te & T_FREE) {
		list_unlink(h, v, e);
		*HDR(v, e) = h->dead;
	} else {
		*HDR(v, e) += HDR_PFREE_DELTA;
	}
	hdr_put(v, start, T_SIZE(total) | T_FREE);
	FOOT(v, start + total) = total;
	list_push(h, v, start, c);
	h->used_u -= units;
	h->frees++;
	return 0;
}

/* The word before the pointer is not a used header: an aligned block's
 * PAD marker, or an error. Kept out of line so the plain free stays small. */
static VR_HEAP_NOINLINE int free_unusual(struct vr_heap *h, uint32_t u)
{
	uint32_t t, b = unpad(hv_of(h), u, &t);

	if (b == 0u)
		return free_err(h, (int)t);
	return free_block(h, b, t, u);
}

int vr_heap_free(struct vr_heap *h, void *ptr)
{
	uint32_t u, t;

	if (VR_UNLIKELY(h == NULL))
		return -EINVAL;
	u = ptr_unit(h, ptr);
	if (VR_UNLIKELY(u == 0u))
		return free_err(h, -EINVAL);
	t = hdr_dec(hv_of(h), u);
	if (VR_UNLIKELY(t & (T_KEYMASK | T_PADDED | T_FREE)))	/* aligned, corrupt, double free */
		return free_unusual(h, u);
	return free_block(h, u, t, 0);
}

/* ---- queries ---- */

/* Unit of the live block whose user pointer is ptr, its decoded header in
 * *t and the user pointer's unit in *pu; 0 if there is none. */
static uint32_t live_block(struct vr_heap *h, const void *ptr, uint32_t *t, uint32_t *pu)
{
	struct hv v;
	uint32_t u, b;

	if (h == NULL)
		return 0;
	u = ptr_unit(h, ptr);
	if (u == 0u)
		return 0;
	v = hv_of(h);
	b = u;
	*t = hdr_dec(v, u);
	if (*t & (T_KEYMASK | T_PADDED | T_FREE)) {
		b = unpad(v, u, t);
		if (b == 0u)
			return 0;
	}
	if (T_UNITS(*t) < 2u || T_UNITS(*t) > h->end_u - b)
		return 0;
	*pu = u;
	return b;
}

size_t vr_heap_usable_size(struct vr_heap *h, const void *ptr)
{
	uint32_t t, u, b = live_block(h, ptr, &t, &u);

	return b == 0u ? 0u : (size_t)(b + T_UNITS(t) - u) * 8u - 4u;
}

size_t vr_heap_block_bytes(struct vr_heap *h, const void *ptr)
{
	uint32_t t, u, b = live_block(h, ptr, &t, &u);

	return b == 0u ? 0u : (size_t)T_UNITS(t) * 8u;
}

bool vr_heap_contains(const struct vr_heap *h, const void *ptr)
{
	if (h == NULL)
		return false;
	return (uintptr_t)ptr - (uintptr_t)h->mem < h->bytes;
}

int vr_heap_get_stats(const struct vr_heap *h, struct vr_heap_stats *st)
{
	uint32_t w, c, b, t;

	if (h == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->total = h->bytes;
	st->used = (size_t)h->used_u * 8u;
	st->overhead = h->overhead;
	st->free = h->bytes - st->used - h->overhead;
	st->peak = (size_t)h->peak_u * 8u;
	st->live = h->allocs - h->frees - h->dropped;
	st->allocs = h->allocs;
	st->frees = h->frees;
	st->failures = h->failures;
	st->errors = h->errors;
	for (w = VR_HEAP_BM_WORDS; w-- > 0;) {
		if (h->bitmap[w] == 0u)
			continue;
		/* the head of the highest class is the largest block that the
		 * allocator would take for a request of its size */
		c = w * 32u + 31u - vr_clz32(h->bitmap[w]);
		b = c < h->ncls ? h->heads[c] : 0u;
		if (b != 0u && b < h->end_u) {
			t = hdr_dec(hv_of(h), b);
			if (FREE_OK(t) && T_UNITS(t) >= 2u)
				st->largest_free = (size_t)T_UNITS(t) * 8u - 4u;
		}
		break;
	}
	return 0;
}
