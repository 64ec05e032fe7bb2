/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap_inspect.c - the interim heap's O(n) walker and consistency check.
 * Both read headers through the same checked decoding as alloc/free and
 * never write to the managed buffer.
 */
#include <errno.h>

#include "vregion/heap.h"
#include "heap_internal.h"

/* Units from used block b (decoded header t) to its user pointer; 0 for an
 * unaligned block; T_BAD_PAD if the PAD marker or the stored distance is
 * damaged. */
#define T_BAD_PAD 0xffffffffu
static uint32_t pad_of(struct hv v, uint32_t b, uint32_t t)
{
	uint32_t g;

	if (!(t & T_PADDED))
		return 0;
	g = NEXT(v, b);
	return (g >= 1u && g < T_UNITS(t) && hdr_dec(v, b + g) == T_PAD(g)) ? g : T_BAD_PAD;
}

int vr_heap_walk(struct vr_heap *h,
		 int (*cb)(void *arg, void *ptr, size_t bytes, bool used), void *arg)
{
	struct hv v;
	uint32_t u, t, units;
	int rc;

	if (!heap_ok(h) || cb == NULL)
		return -EINVAL;
	v = hv_of(h);
	for (u = 1u; u < h->end_u; u += units) {
		uint32_t g;

		t = hdr_dec(v, u);
		units = T_UNITS(t);
		if (t > T_MAX || units < 2u || units > h->end_u - u) {
			h->errors++;
			return -EFAULT;
		}
		g = (t & T_FREE) ? 0u : pad_of(v, u, t);	/* reads inside the block */
		if (g == T_BAD_PAD) {
			h->errors++;
			return -EFAULT;
		}
		if (t & T_FREE) {
			rc = cb(arg, (void *)(HDR(v, u) + 1), (size_t)units * 8u - 4u, false);
		} else {
			rc = cb(arg, (void *)(HDR(v, u + g) + 1), (size_t)(units - g) * 8u - 4u, true);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int bad(struct vr_heap *h)
{
	h->errors++;
	return -EFAULT;
}

/* Walk the class lists: every entry a free block of that class, back links
 * consistent (the head's PREV names its class), bitmaps agree. Returns the
 * number of entries or -1. */
static long check_lists(const struct vr_heap *h, uint32_t nfree)
{
	struct hv v = hv_of(h);
	uint32_t c, x, pv, t, steps;
	long total = 0;

	if (h->ncls == 0u || h->ncls > VR_HEAP_NCLASSES)
		return -1;
	for (c = 0; c < VR_HEAP_BM_WORDS * 32u; c++) {
		bool bit = (h->bitmap[c >> 5] >> (c & 31u)) & 1u;

		if (c >= h->ncls) {
			if (bit)
				return -1;
			continue;
		}
		x = h->heads[c];
		if ((x != 0u) != bit)
			return -1;
		for (pv = HEAD_TAG | c, steps = 0; x != 0u; pv = x, x = NEXT(v, x)) {
			if (x >= h->end_u || ++steps > nfree)
				return -1;
			t = hdr_dec(v, x);
			if ((t & (T_KEYMASK | T_PADDED | T_PFREE | T_FREE)) != T_FREE ||
			    T_UNITS(t) < 2u || T_UNITS(t) > h->end_u - x ||
			    cls(T_UNITS(t)) != c || PREV(v, x) != pv)
				return -1;
		}
		total += steps;
	}
	return total;
}

int vr_heap_validate(struct vr_heap *h)
{
	struct hv v;
	uint32_t u, t, units, used = 0, nfree = 0;
	size_t nused = 0;
	bool prev_free = false;

	if (!heap_ok(h))
		return -EINVAL;
	v = hv_of(h);
	if (h->end_u < 3u || h->end_u >= (1u << VR_HEAP_UNIT_BITS) + 1u ||
	    h->used_u > h->end_u - 1u || h->peak_u < h->used_u ||
	    (h->kc & T_MAX) != 0u || h->max_req != (h->end_u - 1u) * 8u - 4u ||
	    h->dead != hdr_enc(v, T_DEAD) || h->ncls != cls(h->end_u - 1u) + 1u ||
	    h->p0 != h->hb + 12u || h->ulim != h->end_u - 1u)
		return bad(h);
	for (u = 1u; u < h->end_u; u += units) {
		t = hdr_dec(v, u);
		units = T_UNITS(t);
		if (t > T_MAX || units < 2u || units > h->end_u - u ||
		    ((t & T_PFREE) != 0u) != prev_free)
			return bad(h);
		if (t & T_FREE) {
			if (prev_free || (t & T_PADDED) || FOOT(v, u + units) != units)
				return bad(h);
			nfree++;
		} else {
			if (pad_of(v, u, t) == T_BAD_PAD)
				return bad(h);
			nused++;
			used += units;
		}
		prev_free = (t & T_FREE) != 0u;
	}
	if (hdr_dec(v, h->end_u) != (prev_free ? T_PFREE : 0u))
		return bad(h);
	if (used != h->used_u || nused != h->allocs - h->frees - h->dropped)
		return bad(h);
	if (check_lists(h, nfree) != (long)nfree)
		return bad(h);
	return 0;
}
