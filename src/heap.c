/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap.c - the interim heap: init, alloc, aligned alloc, free, queries.
 * The design (block layout, header encoding, classes) is described in
 * include/vregion/heap.h; validate and walk are in heap_validate.c.
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

static void heap_clear_lists(struct vr_heap *h)
{
	memset(h->bitmap, 0, sizeof(h->bitmap));
	memset(h->heads, 0, sizeof(h->heads));
	h->summary = 0;
}

/* Lay out one free block over everything and the end marker. */
static void heap_format(struct vr_heap *h)
{
	uint32_t units = h->end_u - 1u;

	heap_clear_lists(h);
	hdr_put(h, h->end_u, T_PFREE);		/* end marker: used, size 0, prev free */
	hdr_put(h, 1u, (units << 2) | T_FREE);
	*FOOT(h, h->end_u) = units;
	list_push(h, 1u, units);
	h->used_u = 0;
	h->peak_u = 0;
}

int vr_heap_init(struct vr_heap *h, void *mem, size_t bytes)
{
	uintptr_t start, fh, last;
	size_t span;
	uint32_t units, k;

	if (h == NULL || mem == NULL || bytes < vr_heap_min_bytes())
		return -EINVAL;
	start = (uintptr_t)mem;
	if (bytes > VR_HEAP_MAX_BYTES + 16u)
		bytes = VR_HEAP_MAX_BYTES + 16u;	/* manage the first part only */
	fh = ((start + 3u) & ~(uintptr_t)7u) + 4u;		/* first header, 4 mod 8 */
	last = ((start + bytes - 8u) & ~(uintptr_t)7u) + 4u;	/* end marker, 4 mod 8 */
	span = (size_t)(last - fh) / 8u;
	if (span > ((size_t)1 << VR_HEAP_UNIT_BITS) - 1u)
		span = ((size_t)1 << VR_HEAP_UNIT_BITS) - 1u;
	units = (uint32_t)span;
	VR_ASSERT(units >= 2u);

	memset(h, 0, sizeof(*h));
	h->hb = fh - 8u;
	h->end_u = 1u + units;
	/* Per-heap key from the control block's address (any 9-bit value works;
	 * it only makes one heap's headers invalid in another). */
	k = (uint32_t)((uintptr_t)h >> 3) * 0x9E3779B1u;
	h->kc = k & T_KEYMASK;
	h->dead = (T_DEAD + h->kc) * HDR_MUL_INV;
	h->max_req = units * 8u - 4u;
	h->magic = HEAP_MAGIC ^ (uint32_t)(uintptr_t)h;
	h->mem = mem;
	h->bytes = bytes;
	h->overhead = bytes - (size_t)units * 8u;
	heap_format(h);
	return 0;
}

struct vr_heap *vr_heap_create_in(void *mem, size_t bytes)
{
	uintptr_t a;
	size_t pad;
	struct vr_heap *h;

	if (mem == NULL || bytes < vr_heap_control_bytes() + vr_heap_min_bytes())
		return NULL;
	a = vr_align_up((uintptr_t)mem, _Alignof(struct vr_heap));
	pad = (size_t)(a - (uintptr_t)mem) + sizeof(struct vr_heap);
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
	h->dead = (T_DEAD + h->kc) * HDR_MUL_INV;
	heap_format(h);
}

/* ---- allocation ---- */

/*
 * Take free block b (class c, decoded header t, already checked: free, size
 * in bounds) for n units, placing the payload `gap` units into it (gap is 0
 * or >= 2). Returns the payload, or NULL on detected corruption (nothing
 * written).
 */
static VR_HEAP_INLINE void *take(struct vr_heap *h, uint32_t c, uint32_t b, uint32_t t,
				uint32_t n, uint32_t gap)
{
	uint32_t units = t >> 2, a, rem, pf = 0, nx, e;

	e = b + units;
	rem = units - gap - n;
	/* All checks before any write. */
	nx = NEXT(h, b)[0];
	if (VR_UNLIKELY(PREV(h, b)[0] != 0u))
		return NULL;
	if (nx != 0u && VR_UNLIKELY(nx >= h->end_u || PREV(h, nx)[0] != b))
		return NULL;
	if (rem < 2u) {
		uint32_t te = hdr_get(h, e);

		if (VR_UNLIKELY(te > T_MAX || (te & (T_PFREE | T_FREE)) != T_PFREE))
			return NULL;
		n += rem;
		hdr_put(h, e, te & ~T_PFREE);
	}
	/* Pop b (it is the head of class c). */
	h->heads[c] = nx;
	if (nx != 0u)
		PREV(h, nx)[0] = 0u;
	else
		bm_clear(h, c);
	a = b;
	if (gap != 0u) {
		hdr_put(h, b, (gap << 2) | T_FREE);
		*FOOT(h, b + gap) = gap;
		list_push(h, b, gap);
		a = b + gap;
		pf = T_PFREE;
	}
	hdr_put(h, a, (n << 2) | pf);
	if (rem >= 2u) {
		uint32_t r = a + n;

		hdr_put(h, r, (rem << 2) | T_FREE);
		*FOOT(h, e) = rem;
		list_push(h, r, rem);
	}
	h->used_u += n;
	if (h->used_u > h->peak_u)
		h->peak_u = h->used_u;
	h->allocs++;
	return (void *)(HDR(h, a) + 1);
}

/* Check the head b of class c: returns its decoded header, or T_BAD. */
static inline uint32_t head_check(struct vr_heap *h, uint32_t b)
{
	uint32_t t = hdr_get(h, b);

	if (VR_UNLIKELY(t > T_MAX || (t & 3u) != T_FREE ||
			b + (t >> 2) > h->end_u || (t >> 2) < 2u))
		return T_BAD;
	return t;
}

static void *alloc_fail(struct vr_heap *h, bool corrupt)
{
	if (h != NULL) {
		h->failures++;
		if (corrupt)
			h->errors++;
	}
	return NULL;
}

static inline uint32_t size_units(size_t size)
{
	uint32_t n = (uint32_t)((size + 11u) >> 3);

	return n < 2u ? 2u : n;
}

void *vr_heap_alloc(struct vr_heap *h, size_t size)
{
	uint32_t n, c, b, t;
	void *p;

	if (VR_UNLIKELY(h == NULL || size - 1u >= h->max_req))
		return alloc_fail(h, false);
	n = size_units(size);
	c = cls(n);
	b = h->heads[c];
	if (b != 0u) {
		t = head_check(h, b);
		if (VR_UNLIKELY(t == T_BAD))
			return alloc_fail(h, true);
		if ((t >> 2) >= n)
			goto found;
	}
	c = bm_find(h, c + 1u);
	if (VR_UNLIKELY(c == NO_CLASS))
		return alloc_fail(h, false);
	b = h->heads[c];
	t = head_check(h, b);
	if (VR_UNLIKELY(t == T_BAD || (t >> 2) < n))
		return alloc_fail(h, true);
found:
	p = take(h, c, b, t, n, 0u);
	if (VR_UNLIKELY(p == NULL))
		return alloc_fail(h, true);
	return p;
}

/* Gap (units) to put before the payload of free block b for alignment. */
static inline uint32_t align_gap(const struct vr_heap *h, uint32_t b, size_t align)
{
	uintptr_t pay = (uintptr_t)(HDR(h, b) + 1);
	uint32_t gap = (uint32_t)((0u - pay) & (align - 1u)) >> 3;

	if (gap == 1u)
		gap += (uint32_t)(align >> 3);	/* a 1-unit gap cannot be a block */
	return gap;
}

void *vr_heap_aligned_alloc(struct vr_heap *h, size_t align, size_t size)
{
	uint32_t n, c, b, t, gap, need;
	void *p;

	if (align <= VR_HEAP_ALIGN) {
		if (align & (align - 1u))
			return alloc_fail(h, false);
		return vr_heap_alloc(h, size);
	}
	if (VR_UNLIKELY(h == NULL || !vr_is_pow2(align) || align > h->max_req / 2u ||
			size - 1u >= h->max_req))
		return alloc_fail(h, false);
	n = size_units(size);
	need = n + (uint32_t)(align >> 3) + 1u;
	/* First try: the first non-empty class that may hold n (good fit). */
	c = bm_find(h, cls(n));
	if (c != NO_CLASS) {
		b = h->heads[c];
		t = head_check(h, b);
		if (VR_UNLIKELY(t == T_BAD))
			return alloc_fail(h, true);
		gap = align_gap(h, b, align);
		if (gap + n <= (t >> 2))
			goto found;
	}
	/* Then a class where every block fits whatever the gap. */
	if (need >= (1u << VR_HEAP_UNIT_BITS))
		return alloc_fail(h, false);
	c = bm_find(h, cls(need) + 1u);
	if (c == NO_CLASS)
		return alloc_fail(h, false);
	b = h->heads[c];
	t = head_check(h, b);
	if (VR_UNLIKELY(t == T_BAD))
		return alloc_fail(h, true);
	gap = align_gap(h, b, align);
	if (VR_UNLIKELY(gap + n > (t >> 2)))
		return alloc_fail(h, true);
found:
	p = take(h, c, b, t, n, gap);
	if (VR_UNLIKELY(p == NULL))
		return alloc_fail(h, true);
	return p;
}

/* ---- free ---- */

static int free_err(struct vr_heap *h, int err)
{
	h->errors++;
	return err;
}

int vr_heap_free(struct vr_heap *h, void *ptr)
{
	uintptr_t d;
	uint32_t u, t, units, e, te, p = 0, f = 0, ne = 0, start, total;

	if (VR_UNLIKELY(h == NULL))
		return -EINVAL;
	d = (uintptr_t)ptr - h->hb;		/* payload of unit u is at 8u + 4 */
	u = (uint32_t)(d >> 3);
	if (VR_UNLIKELY((d & 7u) != 4u || d >= ((uintptr_t)h->end_u << 3) || u == 0u))
		return free_err(h, -EINVAL);
	t = hdr_get(h, u);
	if (VR_UNLIKELY(t > T_MAX))
		return free_err(h, -EFAULT);
	if (VR_UNLIKELY(t & T_FREE))
		return free_err(h, -EINVAL);		/* double free (or dead header) */
	units = t >> 2;
	e = u + units;
	if (VR_UNLIKELY(units < 2u || e > h->end_u))
		return free_err(h, -EFAULT);
	te = hdr_get(h, e);
	if (VR_UNLIKELY(te > T_MAX || (te & T_PFREE)))
		return free_err(h, -EFAULT);
	if (t & T_PFREE) {
		f = *FOOT(h, u);
		p = u - f;
		if (VR_UNLIKELY(f - 2u >= u - 2u ||	/* f >= 2 and p >= 1 */
				hdr_get(h, p) != ((f << 2) | T_FREE) ||
				!unlink_ok(h, p, f)))
			return free_err(h, -EFAULT);
	}
	if (te & T_FREE) {
		ne = te >> 2;
		if (VR_UNLIKELY(ne < 2u || ne > h->end_u - e || !unlink_ok(h, e, ne)))
			return free_err(h, -EFAULT);
	}
	/* Checked: now write. */
	start = u;
	total = units;
	if (t & T_PFREE) {
		list_unlink(h, p, f);
		hdr_dead(h, u);
		start = p;
		total += f;
	}
	if (te & T_FREE) {
		list_unlink(h, e, ne);
		hdr_dead(h, e);
		total += ne;
	} else {
		hdr_put(h, e, te | T_PFREE);
	}
	hdr_put(h, start, (total << 2) | T_FREE);
	*FOOT(h, start + total) = total;
	list_push(h, start, total);
	h->used_u -= units;
	h->frees++;
	return 0;
}

/* ---- queries ---- */

size_t vr_heap_usable_size(struct vr_heap *h, const void *ptr)
{
	uintptr_t d;
	uint32_t u, t;

	if (h == NULL)
		return 0;
	d = (uintptr_t)ptr - h->hb;
	u = (uint32_t)(d >> 3);
	if ((d & 7u) != 4u || d >= ((uintptr_t)h->end_u << 3) || u == 0u)
		return 0;
	t = hdr_get(h, u);
	if (t > T_MAX || (t & T_FREE) || (t >> 2) < 2u || (t >> 2) > h->end_u - u)
		return 0;
	return (size_t)(t >> 2) * 8u - 4u;
}

bool vr_heap_contains(const struct vr_heap *h, const void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;

	if (h == NULL)
		return false;
	return p >= h->hb + 12u && p < h->hb + ((uintptr_t)h->end_u << 3) + 4u;
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
	if (h->summary != 0u) {
		w = 31u - vr_clz32(h->summary);
		c = w * 32u + 31u - vr_clz32(h->bitmap[w]);
		b = h->heads[c];
		t = hdr_get(h, b);
		if (b < h->end_u && t <= T_MAX && (t >> 2) >= 2u)
			st->largest_free = (size_t)(t >> 2) * 8u - 4u;
	}
	return 0;
}
