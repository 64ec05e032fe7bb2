/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap.c - the interim heap: init, alloc, aligned alloc, free, queries.
 * The design (block layout, header code word, classes) is described in
 * include/vregion/heap.h and src/heap_internal.h; walk and validate are in
 * heap_inspect.c.
 *
 * Every path checks before it writes: an allocation or a free that finds a
 * damaged header, footer or link returns an error with nothing changed.
 */
#include <errno.h>
#include <string.h>

#include "vregion/heap.h"
#include "heap_internal.h"

/* ---- layout ------------------------------------------------------------- */

struct layout {
	uintptr_t first;	/* address of granule 1 */
	uint32_t n;		/* granules (0: no block fits) */
};

/*
 * Lay out a heap over [mem, mem + bytes) at granule 1 << shift: granule 1
 * is the first granule with room for its header before it, the heap ends
 * with the last whole granule (at most VR_HEAP_MAX_GRANULES: the rest is
 * never touched). Returns the number of granules, 0 if not even one
 * minimum block fits.
 */
static uint32_t layout_of(uintptr_t mem, size_t bytes, unsigned shift, struct layout *l)
{
	uintptr_t g = (uintptr_t)1u << shift, end;
	size_t n;

	l->first = 0;
	l->n = 0;
	if (mem > UINTPTR_MAX - bytes || mem > UINTPTR_MAX - 4u - g)
		return 0;
	end = mem + bytes;
	l->first = vr_align_up(mem + 4u, g);
	if (end <= l->first)
		return 0;
	n = (size_t)(end - l->first) >> shift;
	if (n > VR_HEAP_MAX_GRANULES)
		n = VR_HEAP_MAX_GRANULES;
	if (n < min_block(shift))
		return 0;
	l->n = (uint32_t)n;
	return l->n;
}

size_t vr_heap_min_bytes(void)
{
	/* the first header, alignment to the granule, a minimum block */
	return 4u + VR_HEAP_GRANULE - 1u + 16u;
}

size_t vr_heap_control_bytes(void)
{
	return sizeof(struct vr_heap) + _Alignof(struct vr_heap) - 1u;
}

static bool granule_ok(size_t granule)
{
	return granule >= VR_HEAP_GRANULE_MIN && granule <= VR_HEAP_GRANULE_MAX &&
	       vr_is_pow2(granule);
}

/* ---- init / reset --------------------------------------------------------- */

/* One free block over every granule, and the end marker. */
static void heap_format(struct vr_heap *h)
{
	struct hv v = hv_of(h);
	uint32_t n = v.last;

	memset(h->class_map, 0, sizeof(h->class_map));
	memset(h->heads, 0, (size_t)h->nclasses * sizeof(h->heads[0]));
	h->used = 0;
	h->peak = 0;
	/* everything, the end marker too (ASan cannot poison the start of an
	 * 8-byte granule alone: the span must end on one) */
	vr_track_noaccess(HDR_AT(v, 1u), ((size_t)n << v.shift) + 4u);
	hdr_put(v, n + 1u, T_PREV_FREE);		/* end marker: used, size 0 */
	hdr_put(v, 1u, t_fields(n, T_FREE));
	word_put(FOOT_AT(v, n + 1u), n);
	list_push(h, v, 1u, class_of(n));
}

int vr_heap_init_granule(struct vr_heap *h, void *mem, size_t bytes, size_t granule)
{
	struct layout l;
	unsigned shift;
	uint32_t ncls;

	if (h == NULL || mem == NULL || !granule_ok(granule))
		return -EINVAL;
	shift = vr_log2_pow2(granule);
	if (layout_of((uintptr_t)mem, bytes, shift, &l) == 0u)
		return -EINVAL;
	ncls = class_of(l.n) + 1u;
	memset(h, 0, ctrl_bytes(ncls));
	h->base = l.first - granule;
	h->granules = l.n;
	h->shift = shift;
	h->nclasses = ncls;
	/* A per-heap key from the control block's address (any multiple of
	 * T_KEY_STEP works; it makes one heap's headers invalid in another). */
	h->key = ((uint32_t)((uintptr_t)h >> 3) * 0x9e3779b1u) & ~T_MAX;
	h->mem = mem;
	h->bytes = bytes;
	h->overhead = bytes - ((size_t)l.n << shift);
	h->magic = HEAP_MAGIC ^ (uint32_t)(uintptr_t)h;
	heap_format(h);
	return 0;
}

int vr_heap_init(struct vr_heap *h, void *mem, size_t bytes)
{
	if (bytes < vr_heap_min_bytes())
		return -EINVAL;
	return vr_heap_init_granule(h, mem, bytes, VR_HEAP_GRANULE);
}

struct vr_heap *vr_heap_create_in_granule(void *mem, size_t bytes, size_t granule)
{
	uintptr_t a;
	size_t pad, n;
	struct vr_heap *h;

	if (mem == NULL || !granule_ok(granule) || bytes < vr_heap_control_bytes())
		return NULL;
	a = vr_align_up((uintptr_t)mem, _Alignof(struct vr_heap));
	/* Reserve the heads for as many classes as the whole buffer could
	 * need (the heap itself is smaller, so init uses at most that many). */
	n = bytes / granule;
	if (n > VR_HEAP_MAX_GRANULES)
		n = VR_HEAP_MAX_GRANULES;
	pad = (size_t)(a - (uintptr_t)mem) + ctrl_bytes(class_of(n != 0u ? (uint32_t)n : 1u) + 1u);
	vr_track_undefined(mem, pad);	/* a heap before may have poisoned it */
	h = (struct vr_heap *)a;
	if (vr_heap_init_granule(h, (char *)mem + pad, bytes - pad, granule) != 0)
		return NULL;
	/* Report the whole buffer: the control block counts as overhead. */
	h->mem = mem;
	h->bytes = bytes;
	h->overhead += pad;
	return h;
}

struct vr_heap *vr_heap_create_in(void *mem, size_t bytes)
{
	if (bytes < vr_heap_control_bytes() + vr_heap_min_bytes())
		return NULL;
	return vr_heap_create_in_granule(mem, bytes, VR_HEAP_GRANULE);
}

void vr_heap_reset(struct vr_heap *h)
{
	if (!heap_ok(h))
		return;
	h->dropped = h->allocs - h->frees;
	/* A new key makes every header written before the reset invalid, so a
	 * stale pointer is refused (for the next 511 resets). */
	h->key += T_KEY_STEP;
	heap_format(h);
}

void vr_heap_fini(struct vr_heap *h)
{
	if (!heap_ok(h))
		return;
	vr_track_undefined(h->mem, h->bytes);
	/* no granules and no free class: alloc fails, free refuses (-EINVAL) */
	h->granules = 0;
	memset(h->class_map, 0, sizeof(h->class_map));
	h->magic = 0;
}

/* ---- allocation ----------------------------------------------------------- */

static VR_COLD void *alloc_fail(struct vr_heap *h, bool damaged)
{
	h->failures++;
	if (damaged)
		h->errors++;
	return NULL;
}

/* Granules of a request of `size` bytes (1 <= size <= the heap). */
static VR_INLINE_HOT uint32_t request_granules(struct hv v, size_t size)
{
	uint32_t n = (uint32_t)((size + 3u + ((size_t)1u << v.shift)) >> v.shift);

	return n < min_block(v.shift) ? min_block(v.shift) : n;
}

/* Granules from free block b to the first granule aligned to agran
 * granules (a power of two > 1) that leaves 0 or a whole free block before
 * it. */
static VR_INLINE_HOT uint32_t align_gap(struct hv v, uint32_t b, uint32_t agran)
{
	uint32_t gap = (0u - ((uint32_t)(v.base >> v.shift) + b)) & (agran - 1u);

	return gap != 0u && gap < min_block(v.shift) ? gap + agran : gap;
}

/* Worst-case granules an aligned request adds to its size: the largest
 * align_gap(), agran - 1, or agran + 1 where a one-granule gap cannot be a
 * block (G = 8). */
static VR_INLINE_HOT uint32_t align_extra(unsigned shift, uint32_t agran)
{
	if (agran <= 1u)
		return 0;
	return min_block(shift) == 1u ? agran - 1u : agran + min_block(shift) - 1u;
}

/* Pop b, the head of class f, whose NEXT nx was checked. */
static VR_INLINE_HOT void pop_head(struct vr_heap *h, struct hv v, uint32_t f, uint32_t nx)
{
	h->heads[f] = nx;
	if (nx != 0u)
		word_put(PREV_AT(v, nx), HEAD_TAG | f);
	else
		class_unmark(h, f);
}

/*
 * Take n granules from free block [b, e), the head of class f whose NEXT
 * nx was checked, at granule u (b for an unaligned request: its low part;
 * for an aligned one the HIGHEST aligned granule with room for n, so no gap
 * block is made now and merged later). Then:
 *   - [b, u), the front, stays free with its header: the head of class f
 *     still if its class is unchanged (aligned only: 0 or >= MIN granules,
 *     the search made sure);
 *   - [u, u + n) is the block;
 *   - [u + n, e), the rest, becomes a free block if it has MIN granules,
 *     else stays with the block (aligned: always, fewer than agran).
 * Returns the block's granules, or 0 if a header or head it would write
 * through is damaged (then nothing was written).
 *
 *   |hdr b| free m ............................. |hdr e|
 *   |hdr b| front (free) |hdr u| used n |hdr r| rest (free) |hdr e|
 */
static VR_INLINE_HOT uint32_t take(struct vr_heap *h, struct hv v, uint32_t f, uint32_t b,
				   uint32_t e, uint32_t u, uint32_t n, uint32_t nx)
{
	uint32_t front = u - b, rest = e - u - n, cf = NO_CLASS, cr = NO_CLASS;

	VR_ASSERT(u >= b && u + n <= e && (front == 0u || front >= min_block(v.shift)));
	if (rest < min_block(v.shift) || front != 0u) {
		n += rest;			/* the rest stays with the block */
		rest = 0;
		if (VR_UNLIKELY(!t_is_used_after(hdr_get(v, e), true)))
			return 0;
	} else {
		cr = class_of(rest);
	}
	if (front != 0u)
		cf = class_of(front);
	/* The heads pushed on (class f: its head will be nx). */
	if (VR_UNLIKELY((cr != NO_CLASS && cr != f && !head_ok(h, v, cr)) ||
			(cf != NO_CLASS && cf != f && !head_ok(h, v, cf))))
		return 0;
	/* Checked: now write. */
	if (cf != f)				/* b leaves class f */
		pop_head(h, v, f, nx);
	if (front != 0u) {
		hdr_put(v, b, t_fields(front, T_FREE));
		word_put(FOOT_AT(v, u), front);
		if (cf != f)
			list_push(h, v, b, cf);
	}
	hdr_put(v, u, t_fields(n, front != 0u ? T_PREV_FREE : 0u));
	if (rest != 0u) {
		hdr_put(v, u + n, t_fields(rest, T_FREE));
		word_put(FOOT_AT(v, e), rest);
		list_push(h, v, u + n, cr);
	} else {
		hdr_clear_prev_free(v, e);
	}
	return n;
}

/*
 * The allocator: agran = alignment in granules (1, or a power of two > 1
 * checked by the caller). Good fit: the head of the first non-empty class
 * >= the request's own class (for its worst case), taken if it fits; else
 * the first non-empty class above, where every block fits.
 */
static VR_INLINE_HOT void *alloc_core(struct vr_heap *h, size_t size, uint32_t agran,
				       unsigned shift)
{
	struct hv v = { h->base, h->granules, h->key, shift };
	uint32_t n, c, f, b, t = 0, m = 0, nx, u;

	if (VR_UNLIKELY(size - 1u >= ((size_t)v.last << v.shift) - 4u))
		return alloc_fail(h, false);
	n = request_granules(v, size);
	c = class_of(n + align_extra(v.shift, agran));
	f = class_find(h, c);
	for (;;) {				/* twice at most */
		if (VR_UNLIKELY(f == NO_CLASS))
			return alloc_fail(h, false);
		b = h->heads[f];
		if (VR_UNLIKELY(b - 1u >= v.last))	/* a smashed head */
			return alloc_fail(h, true);
		t = hdr_get(v, b);
		m = t_size(t);
		if (VR_UNLIKELY(!t_is_free(t) || !block_fits(v, b, m)))
			return alloc_fail(h, true);
		if (VR_LIKELY((agran > 1u ? align_gap(v, b, agran) : 0u) + n <= m))
			break;
		/* Only the request's own class holds blocks that may not fit;
		 * every block of a class above it does. */
		if (VR_UNLIKELY(f != c))
			return alloc_fail(h, true);
		f = class_find(h, c + 1u);
		c = NO_CLASS;
	}
	nx = next_of(v, b);
	if (VR_UNLIKELY(nx != 0u && (nx > v.last || prev_of(v, nx) != b)))
		return alloc_fail(h, true);
	u = b;
	if (agran > 1u) {			/* the highest aligned place */
		u = b + m - n;
		u -= ((uint32_t)(v.base >> v.shift) + u) & (agran - 1u);
	}
	n = take(h, v, f, b, b + m, u, n, nx);
	if (VR_UNLIKELY(n == 0u))
		return alloc_fail(h, true);
	VR_ASSERT(t_is_used(hdr_get(v, u)) && t_size(hdr_get(v, u)) == n && n >= request_granules(v, size) &&
		  ((uintptr_t)gran(v, u) & ((agran << v.shift) - 1u)) == 0u &&
		  !t_prev_free(hdr_get(v, u + n)));
	h->used += n;
	if (h->used > h->peak)
		h->peak = h->used;
	h->allocs++;
	vr_track_undefined(gran(v, u), size);
	return gran(v, u);
}

/* Speed builds get a copy of the hot paths for the default granule and for
 * 64 (vregion's on SOF), with the shift a constant; -Os builds keep one. */
#if !defined(__OPTIMIZE_SIZE__)
#define WITH_SHIFT(h, call, ...)							\
	((h)->shift == 3u ? call(__VA_ARGS__, 3u) :					\
	 (h)->shift == 6u ? call(__VA_ARGS__, 6u) : call(__VA_ARGS__, (h)->shift))
#else
#define WITH_SHIFT(h, call, ...) call(__VA_ARGS__, (h)->shift)
#endif

void *vr_heap_alloc(struct vr_heap *h, size_t size)
{
	if (VR_UNLIKELY(h == NULL))
		return NULL;
	return WITH_SHIFT(h, alloc_core, h, size, 1u);
}

void *vr_heap_aligned_alloc(struct vr_heap *h, size_t align, size_t size)
{
	if (VR_UNLIKELY(h == NULL))
		return NULL;
	if (align <= ((size_t)1u << h->shift)) {
		if (VR_UNLIKELY(align & (align - 1u)))
			return alloc_fail(h, false);
		return WITH_SHIFT(h, alloc_core, h, size, 1u);	/* vregion's path */
	}
	if (VR_UNLIKELY(!vr_is_pow2(align) || (align >> h->shift) > h->granules))
		return alloc_fail(h, false);
	return alloc_core(h, size, (uint32_t)(align >> h->shift), h->shift);
}

/* ---- free ----------------------------------------------------------------- */

static VR_COLD int free_err(struct vr_heap *h, int err)
{
	h->errors++;
	return err;
}

/* Granule of ptr if ptr is granule-aligned inside granules 1..N, else 0.
 * One rotate folds the alignment test into the range test. */
static VR_INLINE_HOT uint32_t granule_of(struct hv v, const void *ptr)
{
	uintptr_t x = (uintptr_t)ptr - v.base - ((uintptr_t)1u << v.shift);
	uintptr_t r = (x >> v.shift) |
		      (x << ((sizeof(uintptr_t) * 8u - v.shift) & (sizeof(uintptr_t) * 8u - 1u)));

	return r < v.last ? (uint32_t)r + 1u : 0u;
}

/*
 * Free the used block at g (decoded header t): check the next header and
 * the free neighbours it merges with (headers, footer, links), then write:
 * unlink them, mark the absorbed headers DEAD, write the merged block and
 * push it.
 */
static VR_INLINE_HOT int free_block(struct vr_heap *h, struct hv v, uint32_t g, uint32_t t)
{
	uint32_t n = t_size(t), e, te, start = g, end, f, c;

	if (VR_UNLIKELY(!block_fits(v, g, n)))
		return free_err(h, -EFAULT);
	e = g + n;
	end = e;
	te = hdr_get(v, e);
	if (VR_UNLIKELY(!t_valid(te) || t_prev_free(te)))
		return free_err(h, -EFAULT);
	if (t_says_free(te)) {			/* the next block is free */
		uint32_t m = t_size(te);

		if (VR_UNLIKELY(m == 0u || !block_fits(v, e, m) || !list_links_ok(h, v, e)))
			return free_err(h, -EFAULT);
		end = e + m;
	}
	if (t_prev_free(t)) {			/* and the one before */
		f = foot_of(v, g);
		start = g - f;
		if (VR_UNLIKELY(f - 1u >= g - 1u || hdr_get(v, start) != t_fields(f, T_FREE) ||
				!list_links_ok(h, v, start)))
			return free_err(h, -EFAULT);
	}
	c = class_of(end - start);
	if (VR_UNLIKELY(!head_ok(h, v, c)))
		return free_err(h, -EFAULT);
	/* Checked: now write. */
	if (end != e) {
		list_unlink(h, v, e);
		hdr_put(v, e, T_DEAD);
	} else {
		hdr_add_prev_free(v, e);
	}
	if (start != g) {
		list_unlink(h, v, start);
		hdr_put(v, g, T_DEAD);
	}
	hdr_put(v, start, t_fields(end - start, T_FREE));
	word_put(FOOT_AT(v, end), end - start);
	list_push(h, v, start, c);
	h->used -= n;
	h->frees++;
	/* (the header at end is checked only when it is e's: a damaged one
	 * further on is validate's to find, not an invariant here) */
	VR_ASSERT(t_is_free(hdr_get(v, start)) && t_size(hdr_get(v, start)) == end - start);
	vr_track_noaccess(gran(v, g), (size_t)n << v.shift);	/* to the next header's end */
	return 0;
}

static VR_INLINE_HOT int free_core(struct vr_heap *h, void *ptr, unsigned shift)
{
	struct hv v = { h->base, h->granules, h->key, shift };
	uint32_t g, t;

	g = granule_of(v, ptr);
	if (VR_UNLIKELY(g == 0u))
		return free_err(h, -EINVAL);
	t = hdr_get(v, g);
	if (VR_UNLIKELY(!t_is_used(t)))	/* freed already, or not a header */
		return free_err(h, t_valid(t) ? -EINVAL : -EFAULT);
	return free_block(h, v, g, t);
}

int vr_heap_free(struct vr_heap *h, void *ptr)
{
	if (VR_UNLIKELY(h == NULL))
		return -EINVAL;
	return WITH_SHIFT(h, free_core, h, ptr);
}

/* ---- queries -------------------------------------------------------------- */

/* Granules of the live block starting at ptr, or 0. */
static uint32_t live_granules(struct vr_heap *h, const void *ptr)
{
	struct hv v;
	uint32_t g, t;

	if (!heap_ok(h))
		return 0;
	v = hv_of(h);
	g = granule_of(v, ptr);
	if (g == 0u)
		return 0;
	t = hdr_get(v, g);
	return t_is_used(t) && block_fits(v, g, t_size(t)) ? t_size(t) : 0u;
}

size_t vr_heap_usable_size(struct vr_heap *h, const void *ptr)
{
	uint32_t n = live_granules(h, ptr);

	return n == 0u ? 0u : ((size_t)n << h->shift) - 4u;
}

size_t vr_heap_block_bytes(struct vr_heap *h, const void *ptr)
{
	return (size_t)live_granules(h, ptr) << (h != NULL ? h->shift : 0u);
}

bool vr_heap_contains(const struct vr_heap *h, const void *ptr)
{
	if (h == NULL)
		return false;
	return (uintptr_t)ptr - (uintptr_t)h->mem < h->bytes;
}

/*
 * Largest request in granules that succeeds when the highest non-empty
 * class is top, whose head has m granules and gap granules before its
 * first suitably aligned one, for a request whose worst case adds `extra`
 * granules: every request whose worst case falls in a class below top
 * succeeds (top is non-empty, above it), one in class top iff the head fits
 * it, none above.
 */
static uint32_t max_request(uint32_t top, uint32_t m, uint32_t gap, uint32_t extra)
{
	uint32_t lo = class_lo(top), hi = class_hi(top);
	uint32_t below = lo > extra + 1u ? lo - 1u - extra : 0u;
	uint32_t in = m > gap ? m - gap : 0u;

	if (hi < extra + 1u)
		in = 0;
	else if (in > hi - extra)
		in = hi - extra;
	return in > below ? in : below;
}

/* Bytes of a request of n granules (0 for none). */
static size_t request_bytes(uint32_t n, unsigned shift, uint32_t minimum)
{
	return n < minimum ? 0u : ((size_t)n << shift) - 4u;
}

/* Alignment in granules for `align` (0 if not valid for this heap). */
static uint32_t align_granules(unsigned shift, uint32_t granules, size_t align)
{
	if (align != 0u && !vr_is_pow2(align))
		return 0;
	if (align <= ((size_t)1u << shift))
		return 1;
	return (align >> shift) > granules ? 0u : (uint32_t)(align >> shift);
}

size_t vr_heap_max_alloc(const struct vr_heap *h, size_t align)
{
	struct hv v;
	uint32_t agran, w, top, b, t;

	if (!heap_ok(h))
		return 0;
	v = hv_of(h);
	agran = align_granules(v.shift, v.last, align);
	if (agran == 0u)
		return 0;
	for (w = VR_HEAP_CLASS_WORDS; w-- > 0u && h->class_map[w] == 0u;)
		;
	if (w >= VR_HEAP_CLASS_WORDS)
		return 0;			/* nothing free */
	top = w * WB + WB - 1u - vr_clzw(h->class_map[w]);
	b = top < h->nclasses ? h->heads[top] : 0u;
	if (b - 1u >= v.last)
		return 0;
	t = hdr_get(v, b);
	if (!t_is_free(t) || !block_fits(v, b, t_size(t)))
		return 0;
	return request_bytes(max_request(top, t_size(t), agran > 1u ? align_gap(v, b, agran) : 0u,
					 align_extra(v.shift, agran)),
			     v.shift, min_block(v.shift));
}

static size_t fresh_max(const struct layout *l, unsigned shift, size_t align)
{
	struct hv v = { l->first - ((uintptr_t)1u << shift), l->n, 0, shift };
	uint32_t agran;

	if (l->n == 0u || (agran = align_granules(shift, l->n, align)) == 0u)
		return 0;
	/* one free block of n granules at granule 1 */
	return request_bytes(max_request(class_of(l->n), l->n,
					 agran > 1u ? align_gap(v, 1u, agran) : 0u,
					 align_extra(shift, agran)),
			     shift, min_block(shift));
}

size_t vr_heap_fresh_max(const void *mem, size_t bytes, size_t align)
{
	struct layout l;

	if (mem == NULL || bytes < vr_heap_min_bytes())
		return 0;
	layout_of((uintptr_t)mem, bytes, vr_log2_pow2(VR_HEAP_GRANULE), &l);
	return fresh_max(&l, vr_log2_pow2(VR_HEAP_GRANULE), align);
}

size_t vr_heap_fresh_max_granule(const void *mem, size_t bytes, size_t granule, size_t align)
{
	struct layout l;
	unsigned shift;

	if (mem == NULL || !granule_ok(granule))
		return 0;
	shift = vr_log2_pow2(granule);
	layout_of((uintptr_t)mem, bytes, shift, &l);
	return fresh_max(&l, shift, align);
}

int vr_heap_get_stats(const struct vr_heap *h, struct vr_heap_stats *st)
{
	if (h == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->total = h->bytes;
	st->used = (size_t)h->used << h->shift;
	st->overhead = h->overhead;
	st->free = h->bytes - st->used - h->overhead;
	st->peak = (size_t)h->peak << h->shift;
	st->live = h->allocs - h->frees - h->dropped;
	st->allocs = h->allocs;
	st->frees = h->frees;
	st->failures = h->failures;
	st->errors = h->errors;
	st->largest_free = vr_heap_max_alloc(h, 0);
	return 0;
}
